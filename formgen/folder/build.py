"""The whole pipeline in memory: deal -> rules -> checks -> plans -> drafts -> findings -> Word.

``scan.packet_checks.validate`` runs every check ``generate`` runs without rendering;
``build_packet`` runs the same and renders every document too (nothing written: ``write.generate``
writes the result atomically). It lives in the packet layer because it joins the stages below
it: drafting, the scan of the drafted text (second line of defence against revenue-based pay)
and Word rendering.
"""

from __future__ import annotations

from pathlib import Path

from ..drafting.drafts import Draft, draft_agreements, start_drafting
from ..drafting.findings import sort_findings
from ..drafting.packet import BuiltDocument, Packet, header_text, report_context
from ..drafting.validation import check
from ..inputs.deal import Deal
from ..inputs.library import Library
from ..inputs.states import Policy
from ..scan.packet_checks import draft_findings
from ..word.render import DRAFT_NOTICE, render_docx


def _render(draft: Draft, deal: Deal, library: Library) -> BuiltDocument:
    title, subtitle = draft.spec.titles(deal)
    template = draft.spec.template_path(library.templates_dir)
    data = render_docx(
        template,
        {
            "title": title,
            "subtitle": subtitle,
            "document_title": title,
            "header_text": header_text(deal),
            "draft_notice": DRAFT_NOTICE,
            "blocks": draft.blocks,
        },
    )
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
