"""The document registry: every document a packet can hold, as data.

A new document is one registry entry plus its clauses (clauses/<name>/). Everything a stage
needs to know about a document (its titles, when it applies, whether it is a report built after
the agreements, the page-label prefix of its PDF pages) is a field here, never a test on its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .deal import Deal

DEFAULT_TEMPLATE = "document.docx"


def charter_name(state: str, is_llc: bool) -> str:
    """What the state calls the document filed to form the practice."""
    if state == "TX" or (is_llc and state == "DE"):
        return "Certificate of Formation"
    if is_llc:
        return "Articles of Organization"
    return "Certificate of Incorporation" if state in ("NY", "DE", "NJ", "OK", "SC") else "Articles of Incorporation"


def governing_document_name(state: str, is_llc: bool) -> str:
    """What the state calls an entity's governing document: a corporation's bylaws, an LLC's
    operating agreement (in Texas its company agreement, Tex. Bus. Orgs. Code § 101.001(1))."""
    if not is_llc:
        return "Bylaws"
    return "Company Agreement" if state == "TX" else "Operating Agreement"


def _formed(deal: Deal, entity: str) -> tuple[str, bool]:
    """(state of formation, is an LLC) of the deal's "mso" or "practice"."""
    if entity == "mso":
        return deal.mso.formation_state, deal.mso.entity_type.value == "llc"
    return deal.practice.formation_state, deal.practice.entity_type.is_llc


def entity_governing_document(deal: Deal, entity: str) -> str:
    return governing_document_name(*_formed(deal, entity))


def entity_charter(deal: Deal, entity: str) -> str:
    """The charter name of the deal's practice or MSO."""
    return charter_name(*_formed(deal, entity))

# What the line under the title names: the parties, the entity a governing document governs,
# or the deal (for reports).
Subtitle = Literal["parties", "of_mso", "of_practice", "deal", "among_owners", "practice_bodies", "mso_members",
                   "md_parties"]
# When a document is in the packet.
# Who signs a document (formgen/drafting/closing.py resolves each to people): the MSO or the practice
# by its signatory, each practice owner, each married owner's spouse, each MSO member, the MSO's
# manager (when not a member), a charter's organizer or incorporator, the medical director, and
# the practice's president and secretary (share certificates).
SignerRole = Literal["mso", "practice", "owners", "spouses", "mso_members", "mso_manager", "organizer",
                     "medical_director", "practice_officers"]
AppliesWhen = Literal["always", "practice_is_llc", "practice_is_corporation", "mso_posture", "brand_licensed", "sublease"]


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
    entities: tuple[str, ...] = ("mso", "practice")  # the entities it names (a charter names only its own)
    toc: bool = False  # opens with a table of contents (a TOC field, filled in)
    charter: Literal["", "practice", "mso"] = ""  # its heading is that entity's charter name in its state
    governs: Literal["", "practice", "mso"] = ""  # an LLC's governing document: titled as that entity's state calls it
    signers: tuple[SignerRole, ...] = ()  # who signs it, in the order of its signature blocks

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def template_path(self, template_dir: Path) -> Path:
        """templates/<name>.docx when a lawyer made one for this document, else the shared layout."""
        own = template_dir / self.filename
        return own if own.exists() else template_dir / DEFAULT_TEMPLATE

    def applies_to(self, deal: Deal) -> bool:
        if self.applies == "practice_is_llc":
            return deal.practice.entity_type.is_llc
        if self.applies == "practice_is_corporation":
            return not deal.practice.entity_type.is_llc
        if self.applies == "mso_posture":
            return deal.posture.value == "mso"
        if self.applies == "brand_licensed":
            return deal.brand is not None
        if self.applies == "sublease":
            return deal.premises.sublease
        return True

    def titles(self, deal: Deal) -> tuple[str, str]:
        """(title, subtitle) shown on the document's first page."""
        owners = [o.name for o in deal.practice.owners]
        listed = ", ".join(owners[:-1]) + " and " + owners[-1] if len(owners) > 1 else owners[0]
        bodies = "Members and Managers" if deal.practice.entity_type.is_llc else "Shareholders and Directors"
        subtitle = {
            "parties": f"{deal.mso.name} and {deal.practice.name}",
            "of_mso": f"of {deal.mso.name}",
            "of_practice": f"of {deal.practice.name}",
            "deal": deal.deal.name,
            "among_owners": f"among {deal.mso.name}, {deal.practice.name} and {listed}",
            "practice_bodies": f"of the {bodies} of {deal.practice.name}",
            "mso_members": f"of the Members of {deal.mso.name}",
            "md_parties": f"{deal.practice.name} and {deal.practice.medical_director}",
        }[self.subtitle]
        heading = entity_charter(deal, self.charter) if self.charter else self.heading or self.title
        if self.governs and entity_governing_document(deal, self.governs) != "Operating Agreement":
            heading = entity_governing_document(deal, self.governs)  # Texas: "Company Agreement"
        return heading, subtitle

    def label(self, deal: Deal) -> str:
        """The document's name in bookmarks and contents: its title, plus its subtitle where the title
        alone names no entity ("Bylaws of ...") or is shared (the two consents)."""
        title, subtitle = self.titles(deal)
        return f"{title} {subtitle}" if self.subtitle in LABELLED_WITH_SUBTITLE else title


LABELLED_WITH_SUBTITLE = ("of_mso", "of_practice", "practice_bodies", "mso_members")

# In reading order.
REGISTRY: tuple[DocumentSpec, ...] = (
    DocumentSpec("msa", "Management Services Agreement", "MSA", pays_mso=True, toc=True, signers=("mso", "practice")),
    DocumentSpec("responsibility_schedule", "Responsibility Schedule", "RS", signers=("mso", "practice")),
    DocumentSpec("continuity_agreement", "Continuity Agreement", "CONTINUITY", subtitle="among_owners",
                 signers=("mso", "practice", "owners", "spouses")),
    DocumentSpec("mso_operating_agreement", "Operating Agreement", "MSO-OA",
                 heading="Limited Liability Company Operating Agreement", subtitle="of_mso", governs="mso",
                 signers=("mso_members",)),
    DocumentSpec("practice_operating_agreement", "Operating Agreement", "PRACTICE-OA", subtitle="of_practice",
                 applies="practice_is_llc", governs_practice=True, governs="practice", signers=("owners",)),
    DocumentSpec("practice_bylaws", "Bylaws", "BYLAWS", subtitle="of_practice",
                 applies="practice_is_corporation", governs_practice=True, signers=("practice",)),
    DocumentSpec("practice_articles", "Practice Charter", "PRACTICE-CHARTER", subtitle="of_practice", charter="practice",
                 entities=("practice",), signers=("organizer",)),
    DocumentSpec("mso_articles", "MSO Charter", "MSO-CHARTER", subtitle="of_mso", charter="mso", entities=("mso",),
                 signers=("organizer",)),
    DocumentSpec("practice_consent", "Practice Organizational Consent", "PRACTICE-CONSENT",
                 heading="Action by Unanimous Written Consent", subtitle="practice_bodies", signers=("owners",)),
    DocumentSpec("mso_consent", "MSO Organizational Consent", "MSO-CONSENT",
                 heading="Action by Unanimous Written Consent", subtitle="mso_members",
                 signers=("mso_members", "mso_manager")),
    DocumentSpec("medical_director_agreement", "Medical Director Agreement", "MD", subtitle="md_parties",
                 signers=("practice", "medical_director")),
    DocumentSpec("ownership_ledger", "Ownership Ledger", "LEDGER", subtitle="of_practice", entities=("practice",),
                 signers=("practice_officers",)),
    DocumentSpec("promissory_note", "Working Capital Promissory Note", "NOTE", subtitle="parties", applies="mso_posture",
                 pays_mso=True, signers=("practice",)),
    DocumentSpec("security_agreement", "Security Agreement", "SECURITY", applies="mso_posture",
                 signers=("practice", "mso")),
    DocumentSpec("trademark_license", "Trademark License Agreement", "TM", applies="brand_licensed",
                 signers=("mso", "practice")),
    DocumentSpec("sublease", "Sublease", "SUBLEASE", applies="sublease", pays_mso=True, signers=("mso", "practice")),
    DocumentSpec("baa", "Business Associate Agreement", "BAA", signers=("practice", "mso")),
    DocumentSpec("compliance_memo", "Compliance Memorandum", "MEMO", subtitle="deal", report=True),
    DocumentSpec("formation_checklist", "Formation Checklist", "CHECKLIST", subtitle="deal", report=True),
    DocumentSpec("research_appendix", "Research Appendix", "RESEARCH", subtitle="deal", report=True, entities=()),
)
DOCUMENTS = {spec.name: spec for spec in REGISTRY}


def documents_for(deal: Deal) -> list[DocumentSpec]:
    """The packet's documents in reading order."""
    return [spec for spec in REGISTRY if spec.applies_to(deal)]


def display_title(spec: DocumentSpec, deal: Deal) -> tuple[str, str]:
    """(title, subtitle) shown on the document's first page."""
    return spec.titles(deal)
