"""What the review page and the step pills show: every answer grouped by step in plain words,
and each step's state (done, has errors, not finished)."""

from __future__ import annotations

from pathlib import Path

from . import interview, live
from .answers import shown, value_at


def step_of(path: str) -> str:
    head = live.section_of(path)
    return next((s.id for s in interview.steps() if head in s.sections), interview.steps()[0].id)


def _rows(fld, path: str, data, depth: int) -> list[dict]:
    value = value_at(data, path)
    if fld.kind == "object":
        rows = [r for c in fld.children for r in _rows(c, f"{path}.{c.name}", data, depth + 1)]
        return [{"label": fld.label, "value": "", "depth": depth, "heading": True}, *rows] if rows else []
    if fld.kind == "group":
        items = value if isinstance(value, list) else []
        rows = []
        for i in range(len(items)):
            rows.append({"label": f"{fld.label.rstrip('s')} {i + 1}", "value": "", "depth": depth, "heading": True})
            rows += [r for c in fld.children for r in _rows(c, f"{path}[{i}].{c.name}", data, depth + 1)]
        return rows
    if value is None or value == "" or value == []:
        return []
    if fld.kind == "multi" and isinstance(value, list):
        text = ", ".join(interview.choice_label(v) for v in value)
    elif fld.kind == "choice":
        text = dict(fld.choices).get(shown(value), shown(value))
    elif fld.kind == "bool":
        text = "Yes" if value is True else "No"
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and "($)" in fld.label:
        text = f"${value:,.2f}".removesuffix(".00")
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and fld.label.lower().startswith("percent"):
        text = f"{shown(value)}%"
    else:
        text = shown(value)
    return [{"label": fld.label, "value": text, "depth": depth, "heading": False}]


def answers(data) -> list[dict]:
    """Per step: its title, id and the answers given, in the order the step asks them."""
    return [
        {"id": s.id, "title": s.title, "rows": [r for f in s.fields for r in _rows(f, f.name, data, 0)]}
        for s in interview.steps()
    ]


def step_status(library, data, work: Path) -> dict[str, str]:
    """Each step's pill: "error" (a problem other than a missing answer), "done" (answered,
    no problem) or "" (not finished). One check of the draft, with the steps not begun stood in for."""
    begun = {name for s in interview.steps() for name in s.sections if value_at(data, name) is not None}
    problems = live.stood_in_problems(library, data, begun, work)
    status = {}
    for s in interview.steps():
        mine = [p for p in problems if live.section_of(p.path) in s.sections]
        started = any(name in begun for name in s.sections)
        if any(p.message != live.MISSING for p in mine):
            status[s.id] = "error"
        elif started and not mine:
            status[s.id] = "done"
        else:
            status[s.id] = ""
    return status
