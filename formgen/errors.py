"""Errors that carry a message fit for a user.

The CLI prints ``FormgenError`` instances and exits with their ``exit_code``;
nothing else is shown (no traceback). Constructors never print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .counts import plural


class FormgenError(Exception):
    """Base error: ``str(err)`` is what the user sees."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    path: str  # dotted field path, e.g. "practice.owners[0].percent"; "" for the whole file
    message: str  # what was wrong and what is allowed
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class InputError(FormgenError):
    """One or more problems with a deal, rule or clause file (exit 1)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(f"- {p}" for p in problems))


class TemplateError(FormgenError):
    """A clause or template could not be rendered (a library bug, exit 1)."""


class ComplianceError(FormgenError):
    """--strict and the deal has error findings (exit 3)."""

    exit_code = 3


class ToolMissingError(FormgenError):
    """An external tool (LibreOffice) is not installed (exit 1)."""


class HandEditError(FormgenError):
    """Files in a packet were edited by hand (or are not formgen's) and writing would replace
    or remove them (exit 1). ``action`` says what was about to happen ("regenerating")."""

    def __init__(self, out_dir: str | Path, files: list[str], action: str = "regenerating"):
        self.files = files
        names = "\n".join(f"  {Path(out_dir) / f}" for f in files)
        one = len(files) == 1
        super().__init__(
            f"{plural(len(files), 'file')} in {out_dir} {'was' if one else 'were'} edited after formgen wrote them "
            f"(their sha256 no longer matches manifest.json) and {action} would replace them; "
            f"nothing was written:\n{names}\n"
            f"Move your edited {'file' if one else 'files'} elsewhere, or rerun with --force to keep a copy of each "
            "(<name>.edited-<hash>.docx beside it) and write the new version."
        )


class OutputFolderError(FormgenError):
    """The output folder is one formgen must not write into (exit 1): nothing was written."""


class RedlineError(FormgenError):
    """An input to ``make_redline`` / ``paragraphs_text`` is not a usable .docx."""
