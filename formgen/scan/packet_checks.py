"""The packet's checks without Word: ``validate`` (what ``formgen validate`` runs: the deal, state,
clause and fee rules, the scan of the drafted agreements, the packet-as-a-system checks) and
``plan_packet`` (what ``formgen explain`` reads: every document's plan, the reports' included).

They live in the scan layer, below word/, so that neither command loads docxtpl or lxml's Word
modules; ``folder.build.build_packet`` runs the same steps and then renders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..drafting.consistency import consistency_findings
from ..drafting.drafts import Draft, block_paragraphs, draft_agreements, start_drafting
from ..drafting.findings import Finding, sort_findings
from ..drafting.packet import report_context
from ..drafting.packet_system import signing_table
from ..drafting.validation import blank_findings, check
from ..inputs.deal import Deal
from ..inputs.library import Library
from ..inputs.states import Policy, StateRules
from .scanner import scan_text


def scan_findings(draft: Draft, rules: StateRules) -> list[Finding]:
    """Second line of defence: revenue- or volume-based pay left in a fee-paying agreement's text."""
    severity, rule = rules.scan_policy()
    text = "\n".join(block_paragraphs(draft.blocks, notes=True))
    return [
        Finding(
            f"scan.{match.rule}",
            severity,
            f"{draft.spec.filename} still contains a payment computed from revenue or volume: "
            f"\u201c{match.matched[:160]}\u201d. {match.message}",
            citation=rule.citation,
            document=draft.spec.name,
            action="flagged",
            verified=rule.verified,
        )
        for match in scan_text(text, severity=severity, citation=rule.citation)
    ]


def draft_findings(drafts: list[Draft], rules: StateRules, signing_steps: list[dict] | None = None) -> list[Finding]:
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
    consented = {d.spec.name: d.spec.title for d in drafts if d.spec.practice_consent}
    return found + blank_findings(drafts) + consistency_findings(texts, consented)


def validate(deal_path: str | Path, policy: Policy, library: Library) -> tuple[Deal, StateRules, list[Finding]]:
    """Every check ``generate`` runs, without rendering or writing; the findings equal the packet's."""
    deal, rules, findings = check(deal_path, policy, library)
    drafting = start_drafting(deal, rules, library)
    drafts = draft_agreements(drafting)
    return deal, rules, sort_findings(findings + draft_findings(drafts, rules, drafting.context["signing_steps"]))


@dataclass
class PlannedPacket:
    """A packet drafted but not rendered: each document's plan (which clause is in or out, and
    why) and drafted blocks, the reports included; the findings as ``validate`` gives them."""

    deal_path: Path
    deal: Deal
    rules: StateRules
    library: Library
    documents: list[Draft] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def plan_packet(deal_path: str | Path, policy: Policy, library: Library) -> PlannedPacket:
    """The packet's plans as ``build_packet`` makes them (the reports planned from the same
    context), without rendering a document."""
    deal_path = Path(deal_path)
    deal, rules, findings = check(deal_path, policy, library)
    drafting = start_drafting(deal, rules, library)
    agreements = draft_agreements(drafting)
    findings = sort_findings(findings + draft_findings(agreements, rules, drafting.context["signing_steps"]))
    context = report_context(drafting, agreements, findings)
    reports = [drafting.draft(spec, context) for spec in drafting.specs if spec.report]
    return PlannedPacket(deal_path, deal, rules, library, agreements + reports, findings)
