"""What the commands print about findings, without typer: the fast validate path (fast.py) and the
typer app (app.py) print through these same functions."""

from __future__ import annotations

from pathlib import Path

from ..counts import plural
from .starter import placeholder_lines, placeholders_left

SEVERITY_MARK = {"error": "ERROR", "warning": "WARN ", "info": "info "}
SEVERITIES = ("error", "warning", "info")


def counts(findings) -> dict[str, int]:
    return {s: sum(f.severity == s for f in findings) for s in SEVERITIES}


def finding_lines(findings) -> list[str]:
    out = []
    for f in findings:
        cite = f" [{f.citation}]" if f.citation else ""
        where = f" ({f.document})" if f.document else ""
        acted = (
            f" (clause {f.clause} {f.action}" + (f" by {f.replacement})" if f.replacement else ")") if f.clause else ""
        )
        out.append(f"  {SEVERITY_MARK[f.severity]} {f.rule}{where}: {f.message}{acted}{cite}")
    return out


def short_finding_lines(findings) -> list[str]:
    """One short line per finding: what was done, else the message's first sentence."""
    out = []
    for f in findings:
        where = f" ({f.document})" if f.document else ""
        if f.clause:
            what = f"{f.clause} {f.action}" + (f", replaced by {f.replacement}" if f.replacement else "")
            what = what.replace(" replaced, replaced by", " replaced by")
        else:
            what = f.message.split(". ")[0].split("; ")[0]
        out.append(f"  {SEVERITY_MARK[f.severity]} {f.rule}{where}: {what}")
    return out


def count_line(c: dict) -> str:
    """ "1 error, 2 warnings, 1 info"."""
    return f"{plural(c['error'], 'error')}, {plural(c['warning'], 'warning')}, {c['info']} info"


def verdict(findings, strict: bool) -> str:
    """One line a paralegal can act on: what generate will do with this deal."""
    c = counts(findings)
    rest = f"; {plural(c['warning'], 'warning')}, {c['info']} info"
    if c["error"] and strict:
        return f"{plural(c['error'], 'error')}: --strict: generate will write nothing (exit 3)" + rest
    if c["error"]:
        return (
            f"{plural(c['error'], 'error')}: generate will replace or remove these terms "
            "(the packet will not say what the deal asks)" + rest
        )
    if c["warning"]:
        return f"no errors, {plural(c['warning'], 'warning')}: generate will draft the terms as asked, flagged for review; {c['info']} info"
    return f"no errors or warnings: generate will draft the packet as the deal asks; {c['info']} info"


def validate_lines(deal: Path, deal_name: str, rules, findings, strict: bool = False) -> list[str]:
    """The verdict, each finding, and each starter placeholder the file still holds."""
    return [
        f"{deal}: {deal_name}, {rules.name} ({rules.code}): {verdict(findings, strict)}",
        *finding_lines(findings),
        *placeholder_lines(deal, placeholders_left(deal)),
    ]


def generate_lines(
    packet, out: Path, pdf: bool = False, final: bool = False, verbose: bool = False, esign: str = "none"
) -> list[str]:
    """What generate prints: the documents written, then one line per finding (``verbose``: each
    finding's whole text and citation)."""
    lines = [f"wrote {len(packet.documents)} documents to {out}/ for {packet.deal.deal.name} ({packet.rules.code})"]
    lines += [f"  {doc.spec.filename}" for doc in packet.documents]
    lines.append(
        "  closing/ (closing checklist, closing documents, a signature packet per signer"
        + ("" if esign == "none" else f", {esign} anchors")
        + ")"
    )
    lines += [f"kept: {note}" for note in packet.kept]
    lines.append(
        f"findings: {count_line(counts(packet.findings))} (details: {out}/compliance.json and "
        "compliance_memo.docx" + ("" if verbose else "; --verbose prints them whole") + ")"
    )
    shown = [f for f in packet.findings if f.severity != "info"]
    lines += finding_lines(shown) if verbose else short_finding_lines(shown)
    if pdf:
        lines.append(pdf_line(out, final))
    return lines


def pdf_line(out, final: bool) -> str:
    return f"wrote a PDF of each document and {out}/packet.pdf" + ("" if final else " (DRAFT watermark)")
