"""What the commands print: findings, summaries, and the ``--json`` documents.

The JSON shapes are a stable interface (documented in README "JSON output"): keys are only
ever added, never renamed or removed, and every document carries ``"format": 1``.
"""

from __future__ import annotations

import json
import re

import typer

JSON_FORMAT = 1


def echo_json(data: dict | list) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def findings_json(findings) -> list[dict]:
    return [f.to_dict() for f in findings]


def problems_json(exc) -> dict:
    """A FormgenError as JSON: its message and, for bad input, each problem."""
    problems = getattr(exc, "problems", None)
    error = {"exit_code": getattr(exc, "exit_code", 1), "message": str(exc)}
    if problems is not None:
        error["problems"] = [{"file": p.file, "line": p.line, "path": p.path, "message": p.message} for p in problems]
    return {"format": JSON_FORMAT, "ok": False, "error": error}


_HEADING = re.compile(r"^(?:(\d+(?:\.\d+)+)\t|ARTICLE (\d+)\b|EXHIBIT ([A-Z0-9]+)\b)", re.MULTILINE)


def section_at(text: str, offset: int) -> str:
    """The numbered section (else article or exhibit) holding ``offset`` in a document's text:
    "Section 12.2", or "" where the text has no numbering before it (a .txt file, a preamble)."""
    found = ""
    for m in _HEADING.finditer(text, 0, offset + 1):
        if m.start() > offset:
            break
        if m.group(1):
            found = f"Section {m.group(1)}"
        elif m.group(2):
            found = f"Article {m.group(2)}"
        else:
            found = f"Exhibit {m.group(3)}"
    return found
