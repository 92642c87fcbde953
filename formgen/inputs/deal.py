"""The deal file's model: what each field means and allows (the attribute docstrings are the
field descriptions `formgen schema` prints). Reading a file into it: ``deal_loader``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from .clinical import Clinician, Treatment
from .deal_fields import (
    Address,
    EntityName,
    LicenseNumber,
    Money,
    Name,
    Strict,
    Title,
    typed_percent,
)
from .deal_fields import deal_date as _deal_date
from .deal_fields import iso_date as _iso_date
from .deal_terms import Financing, Formation, Posture, Premises, Succession
from .typed_values import JURISDICTIONS, as_iso_date, not_a_state, state_code_of  # noqa: F401 - re-exported


def _state_code(value: str) -> str:
    code = state_code_of(value)
    if code is None:
        raise ValueError(not_a_state(value))
    return code


StateCode = Annotated[str, AfterValidator(_state_code)]
Percent = Annotated[Decimal, Field(gt=0, le=100, decimal_places=4), BeforeValidator(typed_percent)]


class Signatory(Strict):
    """Who signs for an entity."""

    name: Name
    """The signer's full name as it should appear under the signature line."""
    title: Title
    """The signer's office, e.g. President or Managing Member."""


class MsoEntityType(str, Enum):
    llc = "llc"
    corporation = "corporation"


class PracticeEntityType(str, Enum):
    professional_corporation = "professional_corporation"
    medical_corporation = "medical_corporation"
    professional_association = "professional_association"
    professional_service_corporation = "professional_service_corporation"
    pllc = "pllc"
    corporation = "corporation"
    llc = "llc"

    @property
    def is_llc(self) -> bool:
        return self in (PracticeEntityType.pllc, PracticeEntityType.llc)


# Accepted short forms in deal files (any letter case); normalized before validation.
PRACTICE_ENTITY_ALIASES = {
    "pc": "professional_corporation",
    "p.c.": "professional_corporation",
    "pa": "professional_association",
    "p.a.": "professional_association",
    "ps": "professional_service_corporation",
    "p.s.": "professional_service_corporation",
    "medical corporation": "medical_corporation",
    "professional corporation": "professional_corporation",
    "professional association": "professional_association",
}


class LicenseType(str, Enum):
    MD = "MD"  # physician (allopathic)
    DO = "DO"  # physician (osteopathic)
    DPM = "DPM"  # podiatrist
    PA = "PA"  # physician assistant
    NP = "NP"  # nurse practitioner (APRN)
    RN = "RN"
    DDS = "DDS"  # dentist
    DC = "DC"  # chiropractor


class License(Strict):
    """A professional license."""

    model_config = ConfigDict(coerce_numbers_to_str=True)  # number: 301234 is the text 301234
    type: LicenseType
    """MD, DO, DPM, PA, NP, RN, DDS or DC."""
    state: StateCode
    """The two-letter code of the state that issued the license."""
    number: LicenseNumber
    """The license number exactly as issued (quote it if it starts with 0)."""
    expires: Annotated[dt.date | None, BeforeValidator(_iso_date)] = None
    """The date the license expires, YYYY-MM-DD (the ownership ledger records it); left out, a blank."""


class Member(Strict):
    """A member (owner) of the MSO."""

    name: Name
    """The member's legal name (a person or an entity)."""
    percent: Percent
    """Membership interest in percent (0 < p <= 100); all members together: exactly 100."""
    capital_contribution: Money = Decimal(0)
    """Initial capital contribution in US dollars (a number such as 150000 or 150000.00)."""
    signatory: Signatory | None = None
    """For a member that is an entity: who signs for it (name and title); left out, blanks."""
    address: Address | None = None
    """The member's mailing address (a Texas certificate of formation of a member-managed company lists each initial member's); left out, a blank."""


class Owner(Strict):
    """An owner (shareholder or member) of the practice."""

    name: Name
    """The owner's full name, with credentials if wanted (quote it when it holds a comma)."""
    license: License
    """The owner's professional license."""
    percent: Percent
    """Ownership in percent (0 < p <= 100); all owners together: exactly 100."""
    spouse: Name | None = None
    """A married owner's spouse, who signs a spousal consent to the continuity agreement."""
    address: Address | None = None
    """The owner's residence or mailing address (the ownership ledger records it); left out, a blank."""
    consideration: Money | None = None
    """What the owner pays for the shares or membership interest, in US dollars; left out, a blank."""


class Mso(Strict):
    """The management services organization (the lay-owned company)."""

    name: EntityName
    """The MSO's legal name, e.g. Glow Management, LLC (at most 120 characters)."""
    entity_type: MsoEntityType = MsoEntityType.llc
    """llc or corporation."""
    formation_state: StateCode
    """The two-letter code of the state where the MSO is (or will be) formed."""
    address: Address
    """Principal office address on one line."""
    members: list[Member] = Field(min_length=1, max_length=50)
    """The MSO's members (1 to 50); their percents sum to 100."""
    signatory: Signatory
    """Who signs for the MSO."""
    manager_managed: bool = False
    """true: the operating agreement appoints managers; false: member-managed."""


class Practice(Strict):
    """The professional (medical) practice the licensed owners own."""

    name: EntityName
    """The practice's legal name, ending with the designation its state requires (e.g. Medical Corporation, PLLC; at most 120 characters)."""
    entity_type: PracticeEntityType
    """The entity form; short forms pc, pa, ps (with or without dots) and 'medical corporation' are accepted."""
    formation_state: StateCode
    """The two-letter code of the state where the practice is formed; must equal deal.state."""
    address: Address
    """Principal office address on one line."""
    owners: list[Owner] = Field(min_length=1, max_length=50)
    """The practice's owners (1 to 50); their percents sum to 100."""
    medical_director: Name
    """The physician who directs the medical services."""
    signatory: Signatory
    """Who signs for the practice."""


class Service(str, Enum):
    administrative = "administrative"
    payroll_hr = "payroll_hr"
    marketing = "marketing"
    office_space_equipment = "office_space_equipment"
    scheduling_front_desk = "scheduling_front_desk"
    billing_collections = "billing_collections"
    vendor_supply = "vendor_supply"
    it_systems = "it_systems"
    bookkeeping_reporting = "bookkeeping_reporting"
    staff_training = "staff_training"


class FeeBasis(str, Enum):
    fixed_monthly = "fixed_monthly"
    cost_plus = "cost_plus"
    hourly = "hourly"
    percentage_of_revenue = "percentage_of_revenue"
    per_procedure = "per_procedure"


# Which optional fee field each basis needs (the others must be left empty).
FEE_FIELDS = {
    FeeBasis.fixed_monthly: "monthly_amount",
    FeeBasis.cost_plus: "cost_plus_markup_percent",
    FeeBasis.hourly: "hourly_rate",
    FeeBasis.percentage_of_revenue: "percent_of_revenue",
    FeeBasis.per_procedure: "per_procedure_amount",
}


class Fees(Strict):
    """How the practice pays the MSO. Set exactly the one amount field the basis uses."""

    basis: FeeBasis
    """fixed_monthly, cost_plus, hourly, percentage_of_revenue or per_procedure (a state may replace the last two)."""
    percent_of_revenue: Percent | None = None
    """With basis percentage_of_revenue: the percent of collections (0 < p <= 100)."""
    monthly_amount: Money | None = None
    """With basis fixed_monthly: US dollars per month."""
    cost_plus_markup_percent: (
        Annotated[Decimal, Field(ge=0, le=100, decimal_places=4), BeforeValidator(typed_percent)] | None
    ) = None
    """With basis cost_plus: the markup over cost in percent (0 to 100)."""
    hourly_rate: Money | None = None
    """With basis hourly: US dollars per hour."""
    per_procedure_amount: Money | None = None
    """With basis per_procedure: US dollars per procedure."""
    fmv_review: Literal["annual", "biennial"] = "annual"
    """How often the fee is reviewed for fair market value: annual or biennial."""
    payment_due_day: int = Field(default=10, ge=1, le=28)
    """Day of the month the fee is due (1 to 28)."""


class Term(Strict):
    """How long the management services agreement runs."""

    initial_years: int = Field(ge=1, le=30)
    """Initial term in years (1 to 30)."""
    renewal_years: int = Field(ge=0, le=10)
    """Each automatic renewal in years (0 to 10; 0: no renewal)."""
    termination_without_cause_days: int = Field(ge=30, le=730)
    """Notice in days either party must give to end the agreement without cause (30 to 730)."""


class DealInfo(Strict):
    """The deal as a whole."""

    name: Name
    """A short name for the deal, used in headers and file records."""
    state: StateCode
    """The two-letter code (or DC) of the state whose law governs the practice."""
    effective_date: Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_deal_date)]
    """The agreements' effective date, YYYY-MM-DD."""
    prepared_on: Annotated[
        dt.date | None, BeforeValidator(_iso_date), AfterValidator(lambda day: day and _deal_date(day))
    ] = None
    """The date of this draft, YYYY-MM-DD: dates the compliance memo and every document's header. Left
    out, the memo's date is a highlighted blank (outputs never depend on the day they are built)."""
    draft_version: Annotated[int | None, Field(ge=1, le=999)] = None
    """The draft's number (1 for the first draft sent out, 2 for the next ...): every document's header
    and the memo's Date line read "draft 2". Raise it, with prepared_on, before a regeneration you send."""
    offers_iv_therapy: bool = False
    """true when the practice offers IV therapy (adds the clauses, checklist items and IV protocol it needs);
    the same as listing iv_therapy in treatments, which sets it."""
    provider_non_compete: bool = True
    """true: the MSA binds the practice and its owners not to compete after it ends (replaced or removed
    where the state forbids it); false: no non-compete (the confidentiality covenants still bind)."""
    non_compete_radius_miles: int | None = Field(default=None, ge=1, le=100)
    """miles from the premises the non-compete reaches (the practice's market area; a state limit caps it);
    left out, the covenants print a bracketed ten-mile blank for counsel to set."""


class DisputeResolution(Strict):
    """How disputes between the MSO and the practice are resolved."""

    method: Literal["arbitration", "courts"] = "arbitration"
    """arbitration or courts."""
    venue: Name | None = None
    """City or county where disputes are heard; default: the practice's county seat."""


_AS_BOOL = TypeAdapter(bool)  # a deal file's yes/no value as the model reads it


class Deal(Strict):
    """A formgen deal file: one MSO, one practice and the terms between them."""

    deal: DealInfo
    """Name, governing state and effective date."""
    mso: Mso
    """The management services organization."""
    practice: Practice
    """The professional practice."""
    services: list[Service] = Field(min_length=1)
    """The services the MSO provides, each once."""
    fees: Fees
    """The management fee."""
    term: Term
    """The agreement's term and termination notice."""
    dispute_resolution: DisputeResolution = DisputeResolution()
    """Arbitration or courts, and where."""
    succession: Succession = Succession()
    """Who may designate a successor owner, the price formula, and the deadline after each transfer
    event (death, disability, loss of license, exclusion, breach): one source for every document."""
    posture: Posture = Posture.balanced
    """Whose side the drafts lean to: mso, balanced (default) or practice; state rules limit every variant."""
    financing: Financing = Financing()
    """A working-capital loan from the MSO to the practice, where the state allows one."""
    premises: Premises = Premises()
    """The space and equipment the MSO provides, and on what terms."""
    brand: Name | None = None
    """The MSO's trade name licensed to the practice (trademark_license.docx)."""
    formation: Formation = Formation()
    """Filing and organizational facts (registered agents, organizers, banks, shares, thresholds, insurance
    limits); each left out prints a highlighted blank that the memo lists as still to complete."""
    treatments: list[Treatment] = Field(default=[], max_length=len(Treatment))
    """The classes of aesthetic treatment the practice offers, each once (neuromodulators, fillers,
    lasers_ipl, iv_therapy, chemical_peels, microneedling): each gets a treatment protocol, and any adds the
    good-faith examination policy (deal.offers_iv_therapy: true adds iv_therapy)."""
    clinicians: list[Clinician] = Field(default=[], max_length=100)
    """The clinicians the practice employs or engages (never the MSO): each gets a clinician agreement
    and, where the state requires one for the role, a supervision or delegation instrument."""

    @model_validator(mode="before")
    @classmethod
    def _iv_therapy_flag_and_treatment_agree(cls, data: Any) -> Any:
        """``deal.offers_iv_therapy: true`` implies ``iv_therapy`` among the treatments, and listing
        ``iv_therapy`` sets the flag (older deal files keep working); an explicit ``false`` with
        ``iv_therapy`` listed is a contradiction ``semantic_problems`` reports."""
        if not isinstance(data, dict) or not isinstance(data.get("deal"), dict):
            return data
        info, treatments = data["deal"], data.get("treatments") or []
        if not isinstance(treatments, list):
            return data
        try:
            flag = _AS_BOOL.validate_python(info["offers_iv_therapy"]) if "offers_iv_therapy" in info else None
        except ValidationError:
            return data  # the field's own validation reports it
        listed = Treatment.iv_therapy.value in treatments
        if flag and not listed:
            return {**data, "treatments": [*treatments, Treatment.iv_therapy.value]}
        if listed and flag is None:
            return {**data, "deal": {**info, "offers_iv_therapy": True}}
        return data

    @property
    def state(self) -> str:
        return self.deal.state


def deal_section_models() -> dict[str, type[BaseModel]]:
    """The deal file's sections that are models of their own (deal, mso, practice, fees, ...), by
    name: the one list lint and the clause conditions check field names against."""
    out: dict[str, type[BaseModel]] = {}
    for name, field in Deal.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            out[name] = model
    return out


# ---------------------------------------------------------------- cross-field rules


def semantic_problems(deal: Deal) -> list[tuple[str, str]]:
    """Cross-field rules pydantic's field types cannot express: (path, message)."""
    out: list[tuple[str, str]] = []
    for path, items, who in (
        ("mso.members", deal.mso.members, "membership"),
        ("practice.owners", deal.practice.owners, "ownership"),
    ):
        total = sum((i.percent for i in items), Decimal(0))
        if total != 100:
            listed = " + ".join(f"{i.percent.normalize():f}" for i in items)
            out.append((path, f"{who} percents sum to {total.normalize():f} ({listed}); they must sum to exactly 100"))
        names = [i.name.casefold() for i in items]
        for index, name in enumerate(names):
            if name in names[:index]:
                out.append((f"{path}[{index}].name", f"'{items[index].name}' is listed twice; list each person once"))
    seen: set[Service] = set()
    for index, service in enumerate(deal.services):
        if service in seen:
            out.append((f"services[{index}]", f"'{service.value}' is listed twice; list each service once"))
        seen.add(service)
    for index, treatment in enumerate(deal.treatments):
        if treatment in deal.treatments[:index]:
            out.append((f"treatments[{index}]", f"'{treatment.value}' is listed twice; list each treatment once"))
    if Treatment.iv_therapy in deal.treatments and not deal.deal.offers_iv_therapy:
        out.append(
            (
                "deal.offers_iv_therapy",
                "is false but treatments lists iv_therapy; set it to true (or leave it "
                "out) if the practice offers IV therapy, or remove iv_therapy from treatments",
            )
        )
    needed = FEE_FIELDS[deal.fees.basis]
    if getattr(deal.fees, needed) is None:
        out.append((f"fees.{needed}", f"is required when fees.basis is '{deal.fees.basis.value}'"))
    for basis, field_name in FEE_FIELDS.items():
        if basis is not deal.fees.basis and getattr(deal.fees, field_name) is not None:
            allowed = f"only with basis '{basis.value}'"
            out.append(
                (
                    f"fees.{field_name}",
                    f"is set but fees.basis is '{deal.fees.basis.value}'; "
                    f"this field is used {allowed} (leave it out or set it to null)",
                )
            )
    if deal.practice.formation_state != deal.deal.state:
        out.append(
            (
                "practice.formation_state",
                f"is {deal.practice.formation_state} but deal.state is "
                f"{deal.deal.state}; the practice must be formed in the state whose law governs it",
            )
        )
    return out


# The loader lived here; old imports (``from formgen.inputs.deal import load_deal``) still work.
_LOADER_NAMES = ("load_deal", "parse_text", "deal_from_data", "field_path")


def __getattr__(name: str) -> object:
    if name in _LOADER_NAMES:
        from . import deal_loader  # lazy: old import paths, resolved on first use

        return getattr(deal_loader, name)
    if name == "deal_json_schema":
        from .deal_schema import deal_json_schema  # lazy: old import paths, resolved on first use

        return deal_json_schema
    raise AttributeError(name)
