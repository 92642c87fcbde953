"""The document specs: every document a packet can hold, as data.

A document is declared as data beside its clauses: ``clauses/<name>/document.yaml`` (a new
document needs that file and its clauses, no Python). Everything a stage needs to know about a
document (its titles, when it applies, whether it is a report built after the agreements, the
page-label prefix of its PDF pages) is a field of its spec, never a test on its name.
"""

from __future__ import annotations

from pathlib import Path
from string import Formatter
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from .clinical import ROLE_TITLES, SUPERVISED_ROLES, clinician_slugs
from .deal import Deal

if TYPE_CHECKING:  # only annotations need the state rules' models
    from .states import StateRules

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
Subtitle = Literal[
    "parties",
    "of_mso",
    "of_practice",
    "deal",
    "among_owners",
    "practice_bodies",
    "mso_members",
    "md_parties",
    "clinician_parties",
]
# Who signs a document (formgen/drafting/closing.py resolves each to people): the MSO or the practice
# by its signatory, each practice owner, each married owner's spouse, each MSO member, the MSO's
# manager (when not a member), a charter's organizer or incorporator, the medical director, and
# the practice's president and secretary (share certificates), and the clinician a per-clinician document is for
# and that clinician's supervising physician.
SignerRole = Literal[
    "mso",
    "practice",
    "owners",
    "spouses",
    "mso_members",
    "mso_manager",
    "organizer",
    "medical_director",
    "practice_officers",
    "clinician",
    "supervisor",
]
# What the practice's organizational consent does with a document: adopts it as the practice's own
# policy ("adopts"), or approves it and authorizes the practice's signatory ("approves"). The consent
# names each such document of the packet, and each is signed at the consent's sitting or after it.
ConsentAction = Literal["", "adopts", "approves"]
# A document drafted once per item of a deal list: once per clinician, or once per clinician whose
# role works under a supervision or delegation instrument (NP, PA, RN, LVN).
Repeat = Literal["", "clinicians", "supervised_clinicians"]
# Who signs an amendment of a document, as the document names them: a pattern whose {mso},
# {practice} and {clinician} (a per-clinician copy's clinician) stand for the names in the deal.
AMENDMENT_PARTY_NAMES = ("mso", "practice", "clinician")
DEFAULT_AMENDMENT_PARTIES = '{mso} ("MSO") and {practice} ("Practice")'
SPEC_FILE = "document.yaml"  # a document's spec, in its clause folder
# Subtitles a document's name in bookmarks and contents includes (the two consents share a heading).
LABELLED_WITH_SUBTITLE = ("of_mso", "of_practice", "practice_bodies", "mso_members")


class DocumentSpec(BaseModel):
    """One document a packet can hold, as ``clauses/<name>/document.yaml`` declares it."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")  # the clause folder's name: the file stem in the packet
    order: int = Field(ge=0, le=10_000)  # reading order in the packet (ties: by name)
    title: str = Field(min_length=1, max_length=120)  # the document's short name, as other documents refer to it
    label_prefix: str = Field(pattern=r"^[A-Z][A-Z0-9-]*$")  # PDF page labels: "MSA-1", "MSA-2", ...
    heading: str = ""  # the title on its first page when it differs from ``title``
    subtitle: Subtitle = "parties"
    # When the document is in the packet: conditions over the deal's sections (clause-condition
    # syntax, e.g. "practice.entity_type.is_llc"), all of which must hold; none = always.
    applies: tuple[str, ...] = ()
    applies_in_words: str = "every packet"  # the same, for people (the README's document table)
    report: bool = False  # reports (memo, checklist) describe the agreements: built after them
    pays_mso: bool = False  # the practice pays the MSO under it: scanned for revenue-based pay
    governs_practice: bool = False
    entities: tuple[str, ...] = ("mso", "practice")  # the entities it names (a charter names only its own)
    toc: bool = False  # opens with a table of contents (a TOC field, filled in)
    charter: Literal["", "practice", "mso"] = ""  # its heading is that entity's charter name in its state
    governs: Literal["", "practice", "mso"] = ""  # an LLC's governing document: titled as that entity's state calls it
    signers: tuple[SignerRole, ...] = ()  # who signs it, in the order of its signature blocks
    repeat: Repeat = ""  # drafted once per item of that deal list (documents_for expands it)
    practice_consent: ConsentAction = ""  # the practice's organizational consent adopts or approves it
    heading_from: Literal["", "instrument"] = (
        ""  # "instrument": titled by the state's name for the clinician's instrument
    )
    amendment_parties: str = Field(default=DEFAULT_AMENDMENT_PARTIES, min_length=1, max_length=200)
    # Set on a repeated document's copies: the registry entry it comes from (its clauses and template)
    # and the index of its item in the deal list.
    family: str = ""
    item: int = -1

    @field_validator("amendment_parties")
    @classmethod
    def names_known_parties(cls, pattern: str) -> str:
        try:
            names = [field for _, field, _, _ in Formatter().parse(pattern) if field is not None]
        except ValueError as exc:
            raise ValueError(f"is not a pattern of names in braces ({exc})") from None
        unknown = [name for name in names if name not in AMENDMENT_PARTY_NAMES]
        if unknown:
            allowed = ", ".join("{" + name + "}" for name in AMENDMENT_PARTY_NAMES)
            raise ValueError(f"names {{{unknown[0]}}}; a pattern may name only {allowed}")
        return pattern

    @property
    def kind(self) -> str:
        """The registry entry: the folder of its clauses (a repeated document's copies share it)."""
        return self.family or self.name

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def template_path(self, template_dir: Path) -> Path:
        """templates/<name>.docx when a lawyer made one for this document, else the shared layout."""
        own = template_dir / f"{self.kind}.docx"
        return own if own.exists() else template_dir / DEFAULT_TEMPLATE

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
            "clinician_parties": (
                f"{deal.practice.name} and {deal.clinicians[self.item].name}"
                if 0 <= self.item < len(deal.clinicians)
                else deal.practice.name
            ),
        }[self.subtitle]
        heading = entity_charter(deal, self.charter) if self.charter else self.heading or self.title
        if self.governs and entity_governing_document(deal, self.governs) != "Operating Agreement":
            heading = entity_governing_document(deal, self.governs)  # Texas: "Company Agreement"
        return heading, subtitle

    def amendment_parties_in(self, deal: Deal) -> str:
        """Who signs an amendment of the document, named as the document names them."""
        names = {"mso": deal.mso.name, "practice": deal.practice.name}
        if 0 <= self.item < len(deal.clinicians):
            names["clinician"] = deal.clinicians[self.item].name
        elif "{clinician}" in self.amendment_parties:  # no clinician to name: the parties of the packet
            return DEFAULT_AMENDMENT_PARTIES.format(**names)
        return self.amendment_parties.format(**names)

    def label(self, deal: Deal) -> str:
        """The document's name in bookmarks and contents: its title, plus its subtitle where the title
        alone names no entity ("Bylaws of ...") or is shared (the two consents)."""
        title, subtitle = self.titles(deal)
        return f"{title} {subtitle}" if self.subtitle in LABELLED_WITH_SUBTITLE else title


def read_documents(clause_dir: Path) -> tuple[DocumentSpec, ...]:
    """Every document spec under ``clause_dir`` (``<name>/document.yaml``), in reading order;
    raises InputError naming each bad file and field."""
    specs: list[DocumentSpec] = []
    problems: list[Problem] = []
    for path in sorted(clause_dir.glob(f"*/{SPEC_FILE}")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            problems.append(Problem(str(path), "", f"cannot be read as YAML: {exc}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(str(path), "", "must be a mapping of the document's fields"))
            continue
        set_by_formgen = [key for key in ("name", "family", "item") if key in data]
        if set_by_formgen:
            problems.append(
                Problem(
                    str(path),
                    set_by_formgen[0],
                    "is set by formgen (the folder's name, or a repeated document's copy); leave it out",
                )
            )
            continue
        try:
            specs.append(DocumentSpec(name=path.parent.name, **data))
        except ValidationError as exc:
            problems += [
                Problem(str(path), ".".join(str(p) for p in error["loc"]), error["msg"]) for error in exc.errors()
            ]
    if not specs and not problems:
        problems.append(Problem(str(clause_dir), "", f"declares no document (no */{SPEC_FILE})"))
    if problems:
        raise InputError(problems)
    return tuple(sorted(specs, key=lambda spec: (spec.order, spec.name)))


def family_of(name: str) -> str:
    """The spec a packet document's name comes from: a repeated document's copy
    ("clinician_agreement.rn") is named after its spec and its item; other names are their own."""
    return name.split(".", 1)[0]


def instrument_heading(role: str, rules: StateRules | None) -> str:
    """The state's name for the instrument a role works under ("Standardized Procedures"); else formgen's
    generic delegation protocol."""
    scope = rules.scope_of_practice if rules is not None else None
    instrument = next((i for r, i in scope.instruments.items() if r == role), None) if scope is not None else None
    return instrument.name if instrument is not None else "Delegation Protocol"


def copies(spec: DocumentSpec, deal: Deal, rules: StateRules | None) -> list[DocumentSpec]:
    """A repeated document's copies, one per item: named <name>.<slug>, page labels <prefix>-<SLUG>."""
    out = []
    for index, (clinician, slug) in enumerate(zip(deal.clinicians, clinician_slugs(deal.clinicians))):
        if spec.repeat == "supervised_clinicians" and clinician.role.value not in SUPERVISED_ROLES:
            continue
        heading = spec.heading or spec.title
        if spec.heading_from == "instrument":
            heading = instrument_heading(clinician.role.value, rules)
        out.append(
            spec.model_copy(
                update={
                    "name": f"{spec.name}.{slug}",
                    "family": spec.name,
                    "item": index,
                    "heading": heading,
                    "title": f"{heading} ({ROLE_TITLES[clinician.role.value]}, {clinician.name})",
                    "label_prefix": f"{spec.label_prefix}-{slug.upper()}",
                }
            )
        )
    return out
