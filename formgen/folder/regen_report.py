"""What ``regenerate`` tells the user: changes.md and the lines the CLI prints."""

from __future__ import annotations

from typing import Any

from ..counts import plural
from .manifest import MANIFEST
from .regen_plan import RegenResult, finding_line, show

CHANGES_MD = "changes.md"
CHANGES_JSON = "changes.json"


def _merge_lines(merge: dict[str, Any]) -> list[str]:
    """The paragraphs of a merged document, by fate (conflicts first: they need the lawyer)."""
    tracked = merge.get("tracked_paragraphs", len(merge["merged"]))
    lines = [
        f"- merge: {plural(tracked, 'paragraph')} with formgen's tracked changes "
        f"({plural(len(merge['merged']), 'formgen change')}), "
        f"{plural(len(merge['conflicts']), 'conflict')}, {plural(len(merge['lawyer']), 'paragraph')} edited by hand kept, "
        f"{plural(len(merge.get('lawyer_comments', [])), 'comment')} of yours kept, {merge['untouched']} untouched"
    ]
    for c in merge["conflicts"]:
        ours, theirs = around_difference(c["ours"] or "", c["theirs"] or "")
        lines.append(
            f"  - CONFLICT ({c['kind']}): your text kept, formgen's version beside it with a comment: "
            f"“{ours}” / formgen: “{theirs}”"
        )
    for m in merge["merged"]:
        lines.append(f"  - merged ({m['kind']}): “{show(m['theirs'] or m['base'], 110)}”")
    for k in merge["lawyer"]:
        lines.append(f"  - kept your edit: “{show(k, 110)}”")
    for comment in merge.get("lawyer_comments", []):
        lines.append(f"  - kept your comment: “{show(comment, 110)}”")
    return lines


def around_difference(a: str, b: str, context: int = 80) -> tuple[str, str]:
    """``a`` and ``b`` shown from a little before where they first differ (… where cut)."""
    start = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    ends = [len(a), len(b)]
    while ends[0] > start and ends[1] > start and a[ends[0] - 1] == b[ends[1] - 1]:
        ends = [ends[0] - 1, ends[1] - 1]
    begin = max(0, start - context)

    def cut(text: str, end: int) -> str:
        stop = min(len(text), end + context)
        return ("…" if begin else "") + text[begin:stop] + ("…" if stop < len(text) else "")

    return cut(a, ends[0]), cut(b, ends[1])


def _document_lines(doc: dict[str, Any]) -> list[str]:
    lines = [f"### {doc['file']}: {doc['status']}", ""]
    lines += [f"- {r}" for r in doc["reasons"]]
    if doc.get("redline"):
        lines.append(f"- redline: `{doc['redline']}` (open in Word: Review → Track Changes)")
    if doc.get("amendment"):
        lines.append(f"- amendment: `{doc['amendment']}` (the signed document is not rewritten)")
    if doc.get("merge"):
        lines += _merge_lines(doc["merge"])
    if doc.get("note"):
        lines.append(f"- note: {doc['note']}")
    return lines + [""]


def _cell(text: str) -> str:
    """A Markdown table cell: a | in a value would start a new column, a line break a new row."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def changes_markdown(changes: dict[str, Any]) -> str:
    lines = [f"# Changes: {changes['deal']['name']} ({changes['deal']['state']})", ""]
    if "previous_path" in changes["deal"]:
        lines += [f"Deal file: `{changes['deal']['previous_path']}` → `{changes['deal']['path']}`", ""]
    lines += ["## Deal fields", ""]
    if changes["fields"]:
        lines += ["| field | old | new |", "| --- | --- | --- |"]
        lines += [
            f"| `{_cell(c['path'])}` | {_cell(show(c['old'], 200))} | {_cell(show(c['new'], 200))} |"
            for c in changes["fields"]
        ]
    else:
        lines.append("No deal field changed.")
    rules = changes["rules"]
    if any(rules.values()):
        lines += ["", "## State rule files", ""]
        lines += [f"- {kind}: {', '.join(names)}" for kind, names in rules.items() if names]
    if changes["other_inputs"]:
        lines += ["", "## Other inputs", ""] + [f"- {x}" for x in changes["other_inputs"]]
    lines += ["", "## Documents", ""]
    for doc in changes["documents"].values():
        lines += _document_lines(doc)
    if changes["unchanged"]:
        lines += ["Unchanged: " + ", ".join(changes["unchanged"]), ""]
    lines += ["## Findings", ""]
    found = changes["findings"]
    if found.get("note"):
        lines.append(found["note"])
    if not found["appeared"] and not found["went_away"]:
        lines.append("No finding appeared or went away.")
    lines += [f"- appeared: {finding_line(f)}" for f in found["appeared"]]
    lines += [f"- went away: {finding_line(f)}" for f in found["went_away"]]
    return "\n".join(lines).rstrip() + "\n"


def report_lines(result: RegenResult, pdf: bool = False) -> list[str]:
    """What the CLI prints: one line per document, then the findings that appeared or went away
    (``pdf``: the PDFs were written, whatever else was)."""
    if result.status == "unchanged":
        lines = [
            f"nothing changed in {result.out_dir}: every document is current; "
            + ("only the PDFs were written" if pdf else "nothing was written")
        ]
    elif result.status == "manifest":
        why = "; ".join(result.inputs_changed) or "its record of the inputs changed"
        lines = [f"no document changed in {result.out_dir}; only {MANIFEST} was updated ({why})"]
    else:
        lines = [f"regenerated {result.out_dir} from {result.deal_path}"]
    for d in result.documents:
        line = f"  {d.file}: {d.status}"
        if d.reasons:
            line += " (" + "; ".join(d.reasons) + ")"
        if d.redline:
            line += f" -> {d.redline}"
        if d.amendment:
            line += f" -> {d.amendment}"
        if d.merge:
            line += f" [{len(d.merge['merged'])} merged, {plural(len(d.merge['conflicts']), 'conflict')}]"
        if d.note:
            line += f" [{d.note}]"
        lines.append(line)
    if result.status == "regenerated":
        found = result.changes["findings"]
        lines.append(f"findings: {len(found['appeared'])} appeared, {len(found['went_away'])} went away")
        lines += [f"  + {finding_line(f)}" for f in found["appeared"]]
        lines += [f"  - {finding_line(f)}" for f in found["went_away"]]
        lines.append(f"summary: {result.out_dir / CHANGES_MD} and {CHANGES_JSON}")
    return lines
