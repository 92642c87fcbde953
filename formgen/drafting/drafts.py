"""Drafting: every document of a packet planned (which clauses, and why) and assembled into
blocks, before any Word rendering. ``generate`` renders these drafts; ``validate`` and ``lint``
read them; all three get them from the same functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..inputs.clauses import ClauseLibrary
from ..inputs.library import Library
from ..inputs.deal import Deal
from ..inputs.documents import DocumentSpec
from ..inputs.states import StateRules
from .assemble import assemble
from ..markup import NOTE_PREFIX, strip_word_markers
from .context import build_context
from .plan import DocumentPlan, documents_for, plan_document, state_enabled_clauses
from .staffing import clinician_values


@dataclass
class Draft:
    """One document planned and assembled (blocks), before Word rendering."""

    spec: DocumentSpec
    plan: DocumentPlan
    blocks: list[dict[str, Any]]


@dataclass
class Drafting:
    """What every document of one packet is drafted from."""

    deal: Deal
    rules: StateRules
    library: ClauseLibrary
    context: dict[str, Any]
    specs: list[DocumentSpec]
    enabled: dict[str, str]

    def draft(self, spec: DocumentSpec, context: dict[str, Any] | None = None) -> Draft:
        context = context or self.context
        if spec.item >= 0:  # a repeated document's copy: its item (the clinician) joins the context
            context = {**context, **clinician_values(self.deal, self.rules, spec.item)}
        plan = plan_document(spec, self.library, self.rules, context, self.enabled)
        return Draft(spec, plan, assemble(plan, context))


def start_drafting(deal: Deal, rules: StateRules, library: Library) -> Drafting:
    """What every document of the deal's packet is drafted from, out of ``library``."""
    clauses = library.clauses
    specs = documents_for(deal, rules, library.documents)
    context = build_context(deal, rules, library, documents=specs)
    return Drafting(deal, rules, clauses, context, specs, state_enabled_clauses(rules, clauses, specs, context))


def draft_agreements(drafting: Drafting) -> list[Draft]:
    """The agreements (not the reports), planned and assembled: what `generate` renders and `lint` checks."""
    return [drafting.draft(spec) for spec in drafting.specs if not spec.report]


def block_paragraphs(blocks: list[dict[str, Any]], *, notes: bool = False) -> list[str]:
    """A draft's text, one string per paragraph or table row (drafting notes left out unless asked)."""
    out = []
    for block in blocks:
        kind = block["kind"]
        if kind == "note":
            if notes:  # as the template prints it: the scanner knows a note is not contract text
                out.append(f"{NOTE_PREFIX}{block['text']}]")
            continue
        if kind == "table":
            out += [" | ".join(row) for row in [block["header"], *block["rows"]]]
        elif kind == "signatures":
            out += [" ".join(str(v) for v in s.values()) for s in block["signers"]]
        elif kind == "exhibit":
            out.append(f"{block['text']} {block['title']}")
        else:
            out.append(" ".join(str(block[k]) for k in ("number", "caption", "text") if block.get(k)))
    return [strip_word_markers(text) for text in out]
