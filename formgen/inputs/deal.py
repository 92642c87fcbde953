"""The deal file: pydantic models and the loader that turns a YAML/JSON file into a Deal.

Every problem is reported as a ``Problem`` naming the file, the dotted field
path, the YAML line where known, what was wrong and what is allowed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..errors import InputError, Problem
from ..drafting.markup import PRIVATE_USE
from .deal_terms import Financing, Posture, Premises, Succession

JURISDICTIONS = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}

# Characters Word's XML cannot hold (and that nobody types on purpose).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean_text(value: str) -> str:
    bad = _XML_ILLEGAL.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, which a Word document "
            "cannot hold; remove it (letters, digits, punctuation, spaces and line breaks are allowed)"
        )
    if PRIVATE_USE.search(value):
        raise ValueError("contains a private-use character (U+E000 to U+F8FF), which has no printed form; remove it")
    value = value.strip()
    if not value:
        raise ValueError("is empty; a non-blank text is required")
    return value


def _text(max_length: int):
    return Annotated[str, Field(max_length=max_length), AfterValidator(_clean_text)]


Name = _text(200)
Address = _text(400)
Title = _text(120)


def _state_code(value: str) -> str:
    code = value.strip().upper()
    if code not in JURISDICTIONS:
        raise ValueError(
            f"'{value}' is not a US state or DC; use a two-letter postal code such as CA, TX, NY or DC"
        )
    return code


StateCode = Annotated[str, AfterValidator(_state_code)]
Percent = Annotated[Decimal, Field(gt=0, le=100, decimal_places=4)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Signatory(Strict):
    name: Name
    title: Title


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


# Accepted short forms in deal files; normalised before validation.
PRACTICE_ENTITY_ALIASES = {
    "pc": "professional_corporation", "p.c.": "professional_corporation",
    "pa": "professional_association", "p.a.": "professional_association",
    "ps": "professional_service_corporation", "p.s.": "professional_service_corporation",
    "medical corporation": "medical_corporation", "professional corporation": "professional_corporation",
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
    type: LicenseType
    state: StateCode
    number: _text(40)


class Member(Strict):
    name: Name
    percent: Percent
    capital_contribution: Money = Decimal(0)


class Owner(Strict):
    name: Name
    license: License
    percent: Percent
    spouse: Name | None = None  # a married owner's spouse signs a spousal consent


class Mso(Strict):
    name: Name
    entity_type: MsoEntityType = MsoEntityType.llc
    formation_state: StateCode
    address: Address
    members: list[Member] = Field(min_length=1, max_length=50)
    signatory: Signatory
    manager_managed: bool = False


class Practice(Strict):
    name: Name
    entity_type: PracticeEntityType
    formation_state: StateCode
    address: Address
    owners: list[Owner] = Field(min_length=1, max_length=50)
    medical_director: Name
    signatory: Signatory


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
    basis: FeeBasis
    percent_of_revenue: Percent | None = None
    monthly_amount: Money | None = None
    cost_plus_markup_percent: Annotated[Decimal, Field(ge=0, le=100, decimal_places=4)] | None = None
    hourly_rate: Money | None = None
    per_procedure_amount: Money | None = None
    fmv_review: Literal["annual", "biennial"] = "annual"
    payment_due_day: int = Field(default=10, ge=1, le=28)


class Term(Strict):
    initial_years: int = Field(ge=1, le=30)
    renewal_years: int = Field(ge=0, le=10)
    termination_without_cause_days: int = Field(ge=30, le=730)


# Dates the documents compute from (checklist deadlines, renewal years) stay within these bounds.
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


def _deal_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"{value.isoformat()} is out of range; use a date between "
                         f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}")
    return value


class DealInfo(Strict):
    name: Name
    state: StateCode
    effective_date: Annotated[dt.date, AfterValidator(_deal_date)]
    offers_iv_therapy: bool = False


class DisputeResolution(Strict):
    method: Literal["arbitration", "courts"] = "arbitration"
    venue: Name | None = None  # city/county; defaults to the practice's county seat wording


class Deal(Strict):
    deal: DealInfo
    mso: Mso
    practice: Practice
    services: list[Service] = Field(min_length=1)
    fees: Fees
    term: Term
    dispute_resolution: DisputeResolution = DisputeResolution()
    succession: Succession = Succession()
    posture: Posture = Posture.balanced
    financing: Financing = Financing()
    premises: Premises = Premises()
    brand: Name | None = None  # the MSO's trade name licensed to the practice (trademark_license.docx)

    @property
    def state(self) -> str:
        return self.deal.state


# ---------------------------------------------------------------- loading


def _semantic_problems(deal: Deal) -> list[tuple[str, str]]:
    """Cross-field rules pydantic's field types cannot express: (path, message)."""
    out: list[tuple[str, str]] = []
    for path, items, who in (("mso.members", deal.mso.members, "membership"),
                             ("practice.owners", deal.practice.owners, "ownership")):
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
    needed = FEE_FIELDS[deal.fees.basis]
    if getattr(deal.fees, needed) is None:
        out.append((f"fees.{needed}", f"is required when fees.basis is '{deal.fees.basis.value}'"))
    for basis, field_name in FEE_FIELDS.items():
        if basis is not deal.fees.basis and getattr(deal.fees, field_name) is not None:
            allowed = f"only with basis '{basis.value}'"
            out.append((f"fees.{field_name}", f"is set but fees.basis is '{deal.fees.basis.value}'; "
                        f"this field is used {allowed} (leave it out or set it to null)"))
    if deal.practice.formation_state != deal.deal.state:
        out.append(("practice.formation_state", f"is {deal.practice.formation_state} but deal.state is "
                    f"{deal.deal.state}; the practice must be formed in the state whose law governs it"))
    return out


def field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _describe(error: dict) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling; `formgen schema` lists every field)"
    if kind.startswith("value_error"):
        return msg.removeprefix("Value error, ")
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


def _line_index(text: str) -> dict[str, int]:
    """Map dotted field paths to 1-based YAML line numbers (best effort)."""
    import yaml

    lines: dict[str, int] = {}

    def walk(node, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{path}.{key.value}" if path else str(key.value)
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{path}[{index}]")

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, "")
    return lines


def _nearest_line(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        # Drop the last step: "[3]", ".name" or the first key. A key may be empty ("fees." for a
        # key "" in the file), so a step may be just "."; stop if nothing could be dropped.
        shorter = re.sub(r"(\[\d+\]|\.[^.\[]*|^[^.\[]*)$", "", path)
        if shorter == path:
            break
        path = shorter
    return None


def parse_text(text: str, source: str) -> dict:
    """YAML (or JSON, a subset) text -> plain data, or InputError naming the line."""
    import yaml

    try:
        if source.endswith(".json"):
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: same data, faster
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, "", f"is not valid JSON: {exc.msg}", exc.lineno)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(source, "", f"is not valid YAML: {what}",
                                  mark.line + 1 if mark else None)]) from None
    if not isinstance(data, dict):
        raise InputError([Problem(source, "", "must be a mapping with the sections deal, mso, practice, "
                                  "services, fees and term (see examples/ca_medspa.yaml)")])
    return data


def _normalise_aliases(data: dict) -> None:
    practice = data.get("practice")
    if isinstance(practice, dict) and isinstance(practice.get("entity_type"), str):
        key = practice["entity_type"].strip().lower()
        practice["entity_type"] = PRACTICE_ENTITY_ALIASES.get(key, key)


def deal_from_data(data: dict, source: str, text: str = "") -> Deal:
    _normalise_aliases(data)
    def line_index() -> dict[str, int]:  # only needed to place a problem: a second parse, so only then
        return _line_index(text) if text and not source.endswith(".json") else {}

    try:
        deal = Deal.model_validate(data)
    except ValidationError as exc:
        lines, problems = line_index(), []
        for error in exc.errors():
            path = field_path(tuple(p for p in error["loc"] if not str(p).startswith("function-")))
            problems.append(Problem(source, path, _describe(error), _nearest_line(lines, path)))
        raise InputError(problems) from None
    semantic = _semantic_problems(deal)
    if semantic:
        lines = line_index()
        raise InputError([Problem(source, path, msg, _nearest_line(lines, path)) for path, msg in semantic])
    return deal


def load_deal(path: str | Path) -> Deal:
    """Read and validate a deal file; raise InputError listing every problem."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Problem(source, "", "does not exist")]) from None
    except IsADirectoryError:
        raise InputError([Problem(source, "", "is a folder; give a deal file (.yaml, .yml or .json)")]) from None
    except UnicodeDecodeError:
        raise InputError([Problem(source, "", "is not UTF-8 text; save it as UTF-8")]) from None
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot be read: {exc.strerror}")]) from None
    return deal_from_data(parse_text(text, source), source, text)


def deal_json_schema() -> dict:
    return Deal.model_json_schema()
