"""The whole pipeline in memory: deal -> rules -> checks -> plans -> drafts -> findings -> Word.

``validate`` runs every check ``generate`` runs without rendering; ``build_packet`` renders every
document too (nothing written: ``write.generate`` writes the result atomically). They live in the
packet layer because they join the stages below it: drafting, the scan of the drafted text
(second line of defence against revenue-based pay) and Word rendering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..drafting.consistency import consistency_findings
from ..drafting.drafts import Draft, block_paragraphs, draft_agreements, start_drafting
from ..drafting.findings import Finding, sort_findings
from ..drafting.packet import BuiltDocument, Packet, header_text, report_context
from ..drafting.packet_system import signing_table
from ..drafting.validation import blank_findings, check
from ..inputs.deal import Deal
from ..inputs.library import Library
from ..inputs.states import Policy, StateRules
from ..scan.scanner import scan_text
from ..word.render import DRAFT_NOTICE, render_docx


def scan_findings(draft: Draft, rules: StateRules) -> list[Finding]:
    """Second line of defence: revenue- or volume-based pay left in a fee-paying agreement's text."""
    severity, rule = rules.scan_policy()
    text = "\n".join(block_paragraphs(draft.blocks, notes=True))
    return [Finding(f"scan.{match.rule}", severity,
                    f"{draft.spec.filename} still contains a payment computed from revenue or volume: "
                    f"\u201c{match.matched[:160]}\u201d. {match.message}",
                    citation=rule.citation, document=draft.spec.name, action="flagged", verified=rule.verified)
            for match in scan_text(text, severity=severity, citation=rule.citation)]


def draft_findings(drafts: list[Draft], rules: StateRules, signing_steps: list[dict[str, Any]] | None = None) -> list[Finding]:
    """The clause-rule findings of each agreement's plan, the scan of the fee-paying ones, the blanks
    left, and the packet-as-a-system checks (shared terms, timetable, integration, approvals,
    signing order)."""
    found = []
    for draft in drafts:
        found += draft.plan.findings
        if draft.spec.pays_mso:
            found += scan_findings(draft, rules)
    texts = {d.spec.name: "\n".join(block_paragraphs(d.blocks, notes=True)) for d in drafts}
    if signing_steps:  # the checklist is a report, drafted later; its signing order is these steps
        texts["formation_checklist"] = signing_table(signing_steps)
    return found + blank_findings(drafts) + consistency_findings(texts)


def validate(deal_path: str | Path, policy: Policy, library: Library) -> tuple[Deal, StateRules, list[Finding]]:
    """Every check ``generate`` runs, without rendering or writing; the findings equal the packet's."""
    deal, rules, findings = check(deal_path, policy, library)
    drafting = start_drafting(deal, rules, library)
    drafts = draft_agreements(drafting)
    return deal, rules, sort_findings(findings + draft_findings(drafts, rules, drafting.context["signing_steps"]))


def _render(draft: Draft, deal: Deal, library: Library) -> BuiltDocument:
    title, subtitle = draft.spec.titles(deal)
    template = draft.spec.template_path(library.templates_dir)
    data = render_docx(template, {"title": title, "subtitle": subtitle, "document_title": title,
                                  "header_text": header_text(deal),
                                  "draft_notice": DRAFT_NOTICE, "blocks": draft.blocks})
    return BuiltDocument(draft.spec, draft.plan, template, data, draft.blocks)


def build_packet(deal_path: str | Path, policy: Policy, library: Library) -> Packet:
    """The packet in memory, drafted from ``library``: the findings exactly as ``validate`` computes
    them, then every document rendered (the reports last, since they describe the agreements and
    the findings)."""
    deal_path = Path(deal_path)
    deal, rules, findings = check(deal_path, policy, library)
    drafting = start_drafting(deal, rules, library)
    drafts = draft_agreements(drafting)
    found = draft_findings(drafts, rules, drafting.context["signing_steps"])
    packet = Packet(deal_path, deal, rules, library, findings=sort_findings(findings + found))
    agreements = [_render(draft, deal, library) for draft in drafts]
    context = report_context(drafting, agreements, packet.findings)
    reports = [_render(drafting.draft(spec, context), deal, library) for spec in drafting.specs if spec.report]
    packet.documents = agreements + reports
    return packet
