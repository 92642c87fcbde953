"""The document registry: every document a packet can hold, as data.

A new document is one registry entry plus its clauses (clauses/<name>/). Everything a stage
needs to know about a document (its titles, when it applies, whether it is a report built after
the agreements, the page-label prefix of its PDF pages) is a field here, never a test on its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ..library import paths
from .deal import Deal

DEFAULT_TEMPLATE = "document.docx"

# What the line under the title names: the parties, the entity a governing document governs,
# or the deal (for reports).
Subtitle = Literal["parties", "of_mso", "of_practice", "deal"]
# When a document is in the packet.
AppliesWhen = Literal["always", "practice_is_llc", "practice_is_corporation"]


@dataclass(frozen=True)
class DocumentSpec:
    name: str  # file stem in the output folder and folder name under clauses/
    title: str  # the document's short name, as other documents refer to it
    label_prefix: str  # PDF page labels: "MSA-1", "MSA-2", ...
    heading: str = ""  # the title on its first page when it differs from ``title``
    subtitle: Subtitle = "parties"
    applies: AppliesWhen = "always"
    report: bool = False  # reports (memo, checklist) describe the agreements: built after them
    pays_mso: bool = False  # the practice pays the MSO under it: scanned for revenue-based pay
    governs_practice: bool = False
    toc: bool = False  # opens with a table of contents (a TOC field, filled in)

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def template_path(self, template_dir: Path | None = None) -> Path:
        """templates/<name>.docx when a lawyer made one for this document, else the shared layout."""
        template_dir = template_dir or paths.template_dir()
        own = template_dir / self.filename
        return own if own.exists() else template_dir / DEFAULT_TEMPLATE

    def applies_to(self, deal: Deal) -> bool:
        if self.applies == "practice_is_llc":
            return deal.practice.entity_type.is_llc
        if self.applies == "practice_is_corporation":
            return not deal.practice.entity_type.is_llc
        return True

    def titles(self, deal: Deal) -> tuple[str, str]:
        """(title, subtitle) shown on the document's first page."""
        subtitle = {
            "parties": f"{deal.mso.name} and {deal.practice.name}",
            "of_mso": f"of {deal.mso.name}",
            "of_practice": f"of {deal.practice.name}",
            "deal": deal.deal.name,
        }[self.subtitle]
        return self.heading or self.title, subtitle

    def label(self, deal: Deal) -> str:
        """The document's name in bookmarks and contents: its title, plus "of <entity>" for governing documents."""
        title, subtitle = self.titles(deal)
        return f"{title} {subtitle}" if self.subtitle in ("of_mso", "of_practice") else title


# In reading order.
REGISTRY: tuple[DocumentSpec, ...] = (
    DocumentSpec("msa", "Management Services Agreement", "MSA", pays_mso=True, toc=True),
    DocumentSpec("responsibility_schedule", "Responsibility Schedule", "RS"),
    DocumentSpec("mso_operating_agreement", "Operating Agreement", "MSO-OA",
                 heading="Limited Liability Company Operating Agreement", subtitle="of_mso"),
    DocumentSpec("practice_operating_agreement", "Operating Agreement", "PRACTICE-OA", subtitle="of_practice",
                 applies="practice_is_llc", governs_practice=True),
    DocumentSpec("practice_bylaws", "Bylaws", "BYLAWS", subtitle="of_practice",
                 applies="practice_is_corporation", governs_practice=True),
    DocumentSpec("baa", "Business Associate Agreement", "BAA"),
    DocumentSpec("compliance_memo", "Compliance Memorandum", "MEMO", subtitle="deal", report=True),
    DocumentSpec("formation_checklist", "Formation Checklist", "CHECKLIST", subtitle="deal", report=True),
)
DOCUMENTS = {spec.name: spec for spec in REGISTRY}


def documents_for(deal: Deal) -> list[DocumentSpec]:
    """The packet's documents in reading order."""
    return [spec for spec in REGISTRY if spec.applies_to(deal)]


def display_title(spec: DocumentSpec, deal: Deal) -> tuple[str, str]:
    """(title, subtitle) shown on the document's first page."""
    return spec.titles(deal)
