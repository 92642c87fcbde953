"""What the commands print: findings, summaries, and the ``--json`` documents.

The JSON shapes are a stable interface (documented in README "JSON output"): keys are only
ever added, never renamed or removed, and every document carries ``"format": 1``.
"""

from __future__ import annotations

import json
import re

import typer

JSON_FORMAT = 1
SEVERITY_MARK = {"error": "ERROR", "warning": "WARN ", "info": "info "}
SEVERITIES = ("error", "warning", "info")


def echo_json(data: dict | list) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def counts(findings) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in SEVERITIES}


def finding_lines(findings) -> list[str]:
    out = []
    for f in findings:
        cite = f" [{f.citation}]" if f.citation else ""
        where = f" ({f.document})" if f.document else ""
        out.append(f"  {SEVERITY_MARK[f.severity]} {f.rule}{where}: {f.message}{cite}")
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def verdict(findings, strict: bool) -> str:
    """One line a paralegal can act on: what generate will do with this deal."""
    c = counts(findings)
    rest = f"; {_plural(c['warning'], 'warning')}, {c['info']} info"
    if c["error"] and strict:
        return f"{_plural(c['error'], 'error')}: --strict: generate will write nothing (exit 3)" + rest
    if c["error"]:
        return (f"{_plural(c['error'], 'error')}: generate will replace or remove these terms "
                "(the packet will not say what the deal asks)" + rest)
    if c["warning"]:
        return f"no errors, {_plural(c['warning'], 'warning')}: generate will draft the terms as asked, flagged for review; {c['info']} info"
    return f"no errors or warnings: generate will draft the packet as the deal asks; {c['info']} info"


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
