"""What the commands print: findings, summaries, and the ``--json`` documents.

The JSON shapes are a stable interface (documented in README "JSON output"): keys are only
ever added, never renamed or removed, and every document carries ``"format": 1``.
"""

from __future__ import annotations

import json

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
