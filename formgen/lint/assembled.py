"""Each example deal's agreements drafted exactly as ``generate`` drafts them (the same
planning and assembly function), as blocks the document checks read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..drafting.drafts import block_paragraphs, draft_agreements, start_drafting
from ..drafting.validation import check
from ..errors import FormgenError, Problem
from ..inputs.library import Library


@dataclass
class AssembledDocument:
    """One document of one example deal, as blocks (what the Word template lays out)."""

    deal: Path
    name: str  # document name, e.g. "msa"
    blocks: list[dict[str, Any]]
    clause_bodies: dict[str, str]  # clause id -> its source body, to say where a term comes from
    title: str = ""  # the document's short name, as other documents refer to it ("" when unknown)

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def table_headings(self) -> set[str]:
        return {cell for b in self.blocks if b["kind"] == "table" for cell in b["header"]}

    def paragraphs(self, *, notes: bool = False) -> list[str]:
        """The document's text, one string per paragraph or table row (drafting notes left out)."""
        return block_paragraphs(self.blocks, notes=notes)


def assemble_documents(deal_path: Path, library: Library) -> tuple[list[AssembledDocument], list[Problem]]:
    """Every agreement of one deal's packet, drafted by the packet builder's own function."""
    try:
        deal, rules, _ = check(deal_path, "conservative", library)
        drafts = draft_agreements(start_drafting(deal, rules, library))
    except FormgenError as exc:
        return [], [Problem(str(deal_path), "", f"cannot be assembled: {exc}")]
    return [
        AssembledDocument(deal_path, d.spec.name, d.blocks, {c.id: c.body for c in d.plan.clauses}, d.spec.title)
        for d in drafts
    ], []


def check_documents(library: Library, deals: list[Path]) -> list[Problem]:
    """Draft every example deal's agreements and run the document checks, each problem once."""
    # imported here, not at the top: each check module imports AssembledDocument from this one
    from .packet_terms import packet_term_problems
    from .refs import check_cross_refs
    from .terms import check_terms
    from .typography import check_typography

    problems: list[Problem] = []
    by_message: dict[tuple[str, str], list[str]] = {}
    for deal_path in deals:
        documents, failed = assemble_documents(deal_path, library)
        problems += failed
        for problem in (
            check_terms(documents)
            + check_cross_refs(documents)
            + check_typography(documents)
            + packet_term_problems(documents)
        ):
            by_message.setdefault((problem.file, problem.message), []).append(problem.path)
    for (file, message), deal_names in by_message.items():
        problems.append(Problem(file, "in " + ", ".join(deal_names), message))
    return problems
