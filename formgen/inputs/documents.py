"""The documents of a packet: names, titles, which apply to a deal, which template lays them out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..library import paths
from .deal import Deal

DEFAULT_TEMPLATE = "document.docx"


@dataclass(frozen=True)
class DocumentSpec:
    name: str  # file stem in the output folder
    title: str
    pays_mso: bool = False  # the practice pays the MSO under it: scanned for revenue-based pay
    governs_practice: bool = False

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def template_path(self, template_dir: Path | None = None) -> Path:
        """templates/<name>.docx when a lawyer made one for this document, else the shared layout."""
        template_dir = template_dir or paths.template_dir()
        own = template_dir / self.filename
        return own if own.exists() else template_dir / DEFAULT_TEMPLATE


DOCUMENTS = {
    spec.name: spec
    for spec in (
        DocumentSpec("msa", "Management Services Agreement", pays_mso=True),
        DocumentSpec("responsibility_schedule", "Responsibility Schedule"),
        DocumentSpec("continuity_agreement", "Continuity Agreement"),
        DocumentSpec("practice_consent", "Action by Unanimous Written Consent"),
        DocumentSpec("mso_consent", "Action by Unanimous Written Consent"),
        DocumentSpec("mso_operating_agreement", "Operating Agreement"),
        DocumentSpec("practice_operating_agreement", "Operating Agreement", governs_practice=True),
        DocumentSpec("practice_bylaws", "Bylaws", governs_practice=True),
        DocumentSpec("baa", "Business Associate Agreement"),
        DocumentSpec("compliance_memo", "Compliance Memorandum"),
        DocumentSpec("formation_checklist", "Formation Checklist"),
    )
}


def documents_for(deal: Deal) -> list[DocumentSpec]:
    """The packet's documents in reading order; the practice's governing document matches its form."""
    governing = "practice_operating_agreement" if deal.practice.entity_type.is_llc else "practice_bylaws"
    names = ["msa", "responsibility_schedule", "continuity_agreement", "mso_operating_agreement", governing,
             "practice_consent", "mso_consent", "baa",
             "compliance_memo", "formation_checklist"]
    return [DOCUMENTS[n] for n in names]


def display_title(spec: DocumentSpec, deal: Deal) -> tuple[str, str]:
    """(title, subtitle) shown on the document's first page."""
    if spec.name == "mso_operating_agreement":
        return "Limited Liability Company Operating Agreement", f"of {deal.mso.name}"
    if spec.governs_practice:
        return spec.title, f"of {deal.practice.name}"
    if spec.name == "practice_consent":
        bodies = "Members and Managers" if deal.practice.entity_type.is_llc else "Shareholders and Directors"
        return spec.title, f"of the {bodies} of {deal.practice.name}"
    if spec.name == "mso_consent":
        return spec.title, f"of the Members of {deal.mso.name}"
    if spec.name == "continuity_agreement":
        owners = [o.name for o in deal.practice.owners]
        listed = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
        return spec.title, f"among {deal.mso.name}, {deal.practice.name} and {listed}"
    if spec.name in ("compliance_memo", "formation_checklist"):
        return spec.title, deal.deal.name
    return spec.title, f"{deal.mso.name} and {deal.practice.name}"
