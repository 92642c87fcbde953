"""The interview's steps and fields, generated from the deal model's JSON Schema.

One source of truth: every field, its kind (text, number, date, choice, yes/no, list), its
allowed values and its default come from ``Deal.model_json_schema()``; this module only adds the
step grouping, the labels people read and the help text. A top-level section the model gains
later (succession, posture) gets a step of its own without a change here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..inputs.deal import FEE_FIELDS, JURISDICTIONS, deal_json_schema

# fees.<amount field> -> the basis it belongs to (the model's own table): the others are hidden.
ONLY_FOR_BASIS = {f"fees.{name}": basis.value for basis, name in FEE_FIELDS.items()}

# (step id, title, top-level sections of the deal it asks about)
STEP_SECTIONS = [
    ("deal", "The deal and its state", ["deal"]),
    ("mso", "The MSO and its members", ["mso"]),
    ("practice", "The practice and its owners", ["practice"]),
    ("services", "Services the MSO provides", ["services"]),
    ("fees", "The management fee", ["fees"]),
    ("term", "Term and disputes", ["term", "dispute_resolution"]),
    ("clinical", "Clinical team", ["treatments", "clinicians"]),
]

# Help a paralegal understands, keyed by field path ("[]" stands for any item of a list).
HELP = {
    "deal": "What the transaction is called, where it happens and when it starts.",
    "mso": "The management services organization: the lay-owned company that runs the business side.",
    "practice": "The professional entity, owned by licensed clinicians, that provides the medical services.",
    "fees": "What the practice pays the MSO for its services.",
    "term": "How long the management agreement lasts and how it ends.",
    "deal.name": "A short name for the transaction, e.g. the clinic's brand. It heads every document.",
    "deal.state": "The state whose law governs the practice. It decides the entity forms, who may own the "
    "practice and which fee terms are allowed.",
    "deal.effective_date": "The day the agreements take effect. Checklist deadlines count from it.",
    "mso.name": "The management company's full legal name, with its designation (LLC, Inc.).",
    "mso.entity_type": "How the management company is organized.",
    "mso.formation_state": "The state where the management company was (or will be) formed.",
    "mso.address": "The management company's street address for notices.",
    "mso.members": "The owners of the management company. Their percentages must add up to 100.",
    "mso.members[].name": "The member's full legal name (a person or a company).",
    "mso.members[].percent": "The member's share of the management company, in percent.",
    "mso.members[].capital_contribution": "Dollars the member puts in at formation (0 if none).",
    "mso.members[].address": "The member's mailing address (Texas lists each member of a member-managed company in "
    "its certificate of formation).",
    "mso.signatory": "Who signs for the management company.",
    "mso.signatory.name": "The person who signs for the management company.",
    "mso.signatory.title": "That person's title, e.g. Managing Member or CEO.",
    "mso.manager_managed": "Tick if managers (not all members) run the management company.",
    "practice.name": "The medical practice's full legal name. The state requires certain designations at the end.",
    "practice.entity_type": "The form of the medical practice. Only the forms the chosen state allows are offered.",
    "practice.formation_state": "Must be the deal's state: the practice is formed where it practices.",
    "practice.address": "The practice's street address for notices.",
    "practice.owners": "The licensed owners of the practice. Their percentages must add up to 100.",
    "practice.owners[].name": "The owner's full name as on the license.",
    "practice.owners[].license": "The owner's professional license.",
    "practice.owners[].license.type": "MD/DO physician, DPM podiatrist, PA, NP, RN, DDS dentist, DC chiropractor.",
    "practice.owners[].license.state": "The state that issued the license.",
    "practice.owners[].license.number": "The license number exactly as the board lists it.",
    "practice.owners[].percent": "The owner's share of the practice, in percent.",
    "practice.medical_director": "The physician who supervises the clinic's medical services.",
    "practice.signatory": "Who signs for the practice; normally a licensed owner.",
    "practice.signatory.name": "The person who signs for the practice (a licensed owner).",
    "practice.signatory.title": "That person's title, e.g. President.",
    "services": "Tick every non-clinical service the MSO provides to the practice.",
    "fees.basis": "How the management fee is computed. Some states forbid a percentage of revenue or a fee "
    "per procedure; the rule shows here as soon as you choose.",
    "fees.percent_of_revenue": "Only for a percentage-of-revenue fee: the percentage of the practice's revenue.",
    "fees.monthly_amount": "Only for a fixed monthly fee: dollars per month.",
    "fees.cost_plus_markup_percent": "Only for cost plus: the markup on the MSO's costs, in percent.",
    "fees.hourly_rate": "Only for an hourly fee: dollars per hour.",
    "fees.per_procedure_amount": "Only for a fee per procedure: dollars per procedure.",
    "fees.fmv_review": "How often an independent fair-market-value review of the fee is done.",
    "fees.payment_due_day": "The day of the month the fee is due (1 to 28).",
    "term.initial_years": "Length of the first term of the management agreement, in years.",
    "term.renewal_years": "Length of each automatic renewal, in years (0: no renewal).",
    "term.termination_without_cause_days": "Days of notice either side must give to end the agreement without cause.",
    "dispute_resolution": "How disputes are decided.",
    "dispute_resolution.method": "Arbitration (private) or the courts.",
    "dispute_resolution.venue": "City or county where disputes are heard (leave blank for the practice's county).",
    "succession": "What happens to an owner's share of the practice when the owner dies, is disabled, loses the "
    "license or must leave: who picks the successor, at what price, and by when.",
    "succession.designated_by": "Who picks the successor owner: the MSO (where the state allows it; otherwise the "
    "owners decide) or the practice's own owners.",
    "succession.approval": "How many of the other owners must approve a new owner.",
    "succession.price": "The price paid for a departing owner's share: its fair market value, its book value, or a "
    "fixed price you give below.",
    "succession.fixed_price": "Only with a fixed price: the total price for all of one owner's share, in dollars.",
    "succession.deadlines": "Days after each event by which the owner's share must be sold.",
    "posture": "Whose side the drafts lean to. Balanced is usual; the state's rules limit every choice.",
    "financing": "A working-capital loan from the MSO to the practice, where the state allows one. Leave blank for none.",
    "financing.loan_limit": "The most the practice may owe at any time, in dollars (blank: left open in the note).",
    "financing.rate_margin_percent": "Interest: the prime rate plus this many percentage points a year.",
    "premises": "The space and equipment the MSO provides.",
    "premises.sublease": "Tick if the practice subleases the MSO's space and equipment (a sublease is drafted) "
    "instead of paying for them in the fee.",
    "premises.monthly_rent": "The sublease's fixed monthly rent, in dollars (blank: left open in the sublease).",
    "brand": "The MSO's trade name that the practice may use (a trademark license is drafted).",
    "treatments": "Tick every class of treatment the clinic offers. Each clinician's duties are limited to these, "
    "and to what the state lets the clinician's license do.",
    "clinicians": "The nurses, nurse practitioners, physician assistants and physicians the practice employs or "
    "engages (never the MSO). Each gets a clinician agreement; each nurse, NP or PA also gets the "
    "supervision instrument the state requires, under its own name.",
    "clinicians[].name": "The clinician's full legal name, as on the license.",
    "clinicians[].role": "The clinician's license. The state decides which treatments each may perform.",
    "clinicians[].license": "The license number exactly as the board lists it (blank: left to complete).",
    "clinicians[].engagement": "Employee (usual) or independent contractor of the practice.",
    "clinicians[].compensation": "How the practice pays the clinician; the amount is completed later, at fair "
    "market value and never tied to referrals.",
    "clinicians[].performs": "The treatments this clinician performs. Leave blank for every offered treatment the "
    "state lets the role do; a treatment the state forbids to the role is an error.",
    "clinicians[].good_faith_exams": "Tick if this clinician examines patients before treatment (only roles the "
    "state allows: a nurse usually may not).",
    "clinicians[].supervised_by": "Who supervises this clinician (blank: the medical director). Must be someone "
    "the state lets supervise the treatments.",
}

# The Formation step (filing facts): the same questions for each entity, in its own words.
FILING_HELP = {
    "registered_agent": "The person or company named in {whose} charter to receive lawsuits and official "
    "notices (in California, the agent for service of process). A filing service often acts.",
    "registered_office": "The registered agent's street address in the state where {who} is formed (no P.O. box).",
    "organizer": "Who signs and files {whose} charter with the state: the incorporator or organizer, often the "
    "lawyer or a filing service.",
    "filing_date": "The day the state filed {whose} charter (on the stamped copy); the first consent recites it. "
    "Leave blank before filing.",
    "bank": "The bank where {who} opens its accounts; the first consent authorizes them.",
    "county": "The county of {whose} office in the state. A New York charter states it.",
}
HELP.update(
    {
        "formation": "Optional facts the charters, consents and checklists print. Leave any blank: the document "
        "shows a highlighted blank and the memo lists it under Still to Complete.",
        "formation.practice": "The practice's filing facts.",
        "formation.mso": "The management company's filing facts.",
        **{
            f"formation.{entity}.{name}": text.format(who=who, whose=whose)
            for entity, who, whose in (
                ("practice", "the practice", "the practice's"),
                ("mso", "the management company", "the management company's"),
            )
            for name, text in FILING_HELP.items()
        },
        "formation.authorized_shares": "Only for a professional corporation: the number of common shares its charter "
        "authorizes (at least 1,000; formgen issues 1,000 to the owners).",
        "formation.par_value": "Only for a professional corporation: the par value of each share, in dollars "
        "(0 for shares without par value).",
        "formation.borrowing_threshold": "The management company's members must approve any loan, guarantee or lien "
        "above this many dollars.",
        "formation.proceedings_threshold": "The management company's members must approve starting or settling a "
        "lawsuit above this many dollars.",
        "formation.malpractice_per_claim": "The practice's malpractice insurance limit for each claim, in dollars "
        "(e.g. 1,000,000).",
        "formation.malpractice_aggregate": "The practice's malpractice insurance limit for all claims in a year, in "
        "dollars (e.g. 3,000,000).",
        "formation.medical_director_fee": "What the practice pays its medical director each month, in dollars: a fixed "
        "fee backed by a fair-market-value opinion, never tied to volume.",
    }
)

TOP_LABELS = {"deal": "The deal", "mso": "MSO", "practice": "Practice", "dispute_resolution": "Disputes"}

LABELS = {
    "mso": "MSO (management company)",
    "percent": "Percent",
    "capital_contribution": "Capital contribution ($)",
    "manager_managed": "Manager-managed",
    "termination_without_cause_days": "Notice to terminate without cause (days)",
    "cost_plus_markup_percent": "Cost-plus markup (%)",
    "percent_of_revenue": "Percent of revenue",
    "fmv_review": "Fair-market-value review",
    "payment_due_day": "Payment due day",
    "monthly_amount": "Monthly fee ($)",
    "hourly_rate": "Hourly rate ($)",
    "per_procedure_amount": "Fee per procedure ($)",
    "initial_years": "First term (years)",
    "renewal_years": "Each renewal (years)",
    "method": "How disputes are decided",
    "venue": "Where disputes are heard",
    "designated_by": "Who picks a successor owner",
    "approval": "Approval by the other owners",
    "price": "Price of a departing owner's share",
    "fixed_price": "Fixed price ($)",
    "deadlines": "Deadlines to sell (days)",
    "death": "After death",
    "disability": "After disability",
    "license_loss": "After loss of license",
    "exclusion": "After exclusion from a health care program",
    "breach": "After a transfer that breaches the terms",
    "loan_limit": "Loan limit ($)",
    "rate_margin_percent": "Interest above the prime rate (percentage points)",
    "sublease": "The practice subleases the MSO's space",
    "monthly_rent": "Monthly rent ($)",
    "brand": "Brand (trade name)",
    "posture": "Whose side the drafts lean to",
    "type": "License type",
    "number": "License number",
    "state": "State",
    "formation_state": "State of formation",
    "effective_date": "Effective date",
    "prepared_on": "Prepared on",
    "draft_version": "Draft version",
    "spouse": "Spouse (if married)",
    "signatory": "Who signs",
    "name": "Name",
    "entity_type": "Entity form",
    "formation": "Filing facts (optional)",
    "registered_office": "Registered agent's address",
    "organizer": "Organizer or incorporator",
    "filing_date": "Date the charter was filed",
    "bank": "Bank for its accounts",
    "par_value": "Par value per share ($)",
    "borrowing_threshold": "Borrowing that needs the members' approval, above ($)",
    "proceedings_threshold": "Lawsuits that need the members' approval, above ($)",
    "malpractice_per_claim": "Malpractice insurance per claim ($)",
    "malpractice_aggregate": "Malpractice insurance per year, all claims ($)",
    "medical_director_fee": "Medical director's monthly fee ($)",
}

# How a choice reads where the value itself is an abbreviation or a code.
CHOICE_LABELS = {
    "llc": "LLC",
    "pllc": "PLLC (professional limited liability company)",
    "professional_corporation": "Professional corporation (PC)",
    "professional_association": "Professional association (PA)",
    "professional_service_corporation": "Professional service corporation (PS)",
    "payroll_hr": "Payroll and HR",
    "it_systems": "IT systems",
    "office_space_equipment": "Office space and equipment",
    "scheduling_front_desk": "Scheduling and front desk",
    "billing_collections": "Billing and collections",
    "vendor_supply": "Vendors and supplies",
    "bookkeeping_reporting": "Bookkeeping and reporting",
    "cost_plus": "Cost plus a markup",
    "fixed_monthly": "Fixed monthly fee",
    "percentage_of_revenue": "Percentage of revenue",
    "per_procedure": "Fee per procedure",
    "hourly": "Hourly rate",
    "MD": "MD (physician)",
    "DO": "DO (osteopathic physician)",
    "DPM": "DPM (podiatrist)",
    "PA": "PA (physician assistant)",
    "NP": "NP (nurse practitioner)",
    "RN": "RN (registered nurse)",
    "DDS": "DDS (dentist)",
    "DC": "DC (chiropractor)",
    "LVN": "LVN (licensed vocational or practical nurse)",
    "lasers_ipl": "Lasers and IPL",
    "iv_therapy": "IV therapy",
    "per_shift": "Per shift",
    "mso": "The MSO",
    "owners": "The practice's owners",
    "balanced": "Balanced",
    "practice": "The practice",
    "fair_market_value": "Fair market value",
    "book_value": "Book value",
    "fixed": "A fixed price",
    "majority": "A majority of them",
    "unanimous": "All of them",
    "annual": "Every year",
    "biennial": "Every two years",
    "arbitration": "Arbitration",
    "courts": "The courts",
}

# Entity forms offered before a state is chosen: the canonical names, not the spellings
# ("P.C.", "pc") the deal file also accepts.
CANONICAL_ENTITY_FORMS = (
    "professional_corporation",
    "medical_corporation",
    "professional_association",
    "professional_service_corporation",
    "pllc",
    "corporation",
    "llc",
)


def choice_label(value) -> str:
    """How a choice reads on the page ("professional_corporation" -> "Professional corporation (PC)")."""
    text = str(value)
    return CHOICE_LABELS.get(text) or text.replace("_", " ").capitalize()


def _choice(value) -> tuple[str, str]:
    return str(value), choice_label(value)


# Fields whose value is a state or DC code (a plain string in the schema).
STATE_FIELDS = ("state", "formation_state")


@dataclass
class Field:
    """One question: ``path`` is its dotted field path ("practice.owners[].percent" in a group)."""

    name: str
    path: str
    kind: str  # text | number | integer | date | bool | choice | multi | group | object
    label: str
    help: str
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    default: object = None
    children: list["Field"] = field(default_factory=list)  # object and group fields
    min_items: int = 0


@dataclass
class Step:
    id: str
    title: str
    fields: list[Field]

    @property
    def sections(self) -> list[str]:
        return [f.name for f in self.fields]


def _label(name: str) -> str:
    return LABELS.get(name) or name.replace("_", " ").capitalize()


def _resolve(node: dict, defs: dict) -> tuple[dict, bool]:
    """(the schema with $ref followed and null options dropped, optional?)."""
    optional = False
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        optional = len(options) < len(node["anyOf"])
        numeric = [o for o in options if o.get("type") in ("number", "integer")]
        node = {**node, **(numeric[0] if numeric else options[0])}
        node.pop("anyOf", None)
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node, optional


def _kind(node: dict, name: str) -> str:
    kind = node.get("type", "string")
    if isinstance(kind, list):  # e.g. ["string", "integer"]: a text box takes either
        kind = next((k for k in kind if k != "null"), "string")
    if name in STATE_FIELDS and kind == "string":
        return "state"
    if "enum" in node:
        return "choice"
    if kind == "string" and node.get("format") == "date":
        return "date"
    return {
        "boolean": "bool",
        "number": "number",
        "integer": "integer",
        "object": "object",
        "array": "array",
        "string": "text",
    }.get(kind, "text")


def _make(name: str, path: str, node: dict, required: bool, defs: dict) -> Field:
    node, optional = _resolve(node, defs)
    kind = _kind(node, name)
    help_path = path
    out = Field(
        name,
        path,
        kind,
        _label(name),
        HELP.get(help_path) or node.get("description", ""),
        required and not optional,
        default=node.get("default"),
    )
    if kind == "choice":
        out.choices = [_choice(v) for v in node["enum"]]
    elif kind == "state":
        out.kind = "choice"
        out.choices = [(code, f"{code}: {name_}") for code, name_ in JURISDICTIONS.items()]
    elif kind == "object":
        out.children = _children(node, path, defs)
    elif kind == "array":
        items, _ = _resolve(node["items"], defs)
        out.min_items = node.get("minItems", 0)
        if "enum" in items:
            out.kind = "multi"
            out.choices = [_choice(v) for v in items["enum"]]
        else:
            out.kind = "group"
            out.children = _children(items, f"{path}[]", defs)
    return out


# Fields another question answers: the legacy IV flag is "IV therapy" among the treatments
# (answers.as_the_interview_asks shows it there).
NOT_ASKED = {"deal.offers_iv_therapy"}


def _children(node: dict, path: str, defs: dict) -> list[Field]:
    required = set(node.get("required", []))
    return [
        _make(key, f"{path}.{key}", sub, key in required, defs)
        for key, sub in node.get("properties", {}).items()
        if f"{path}.{key}" not in NOT_ASKED
    ]


@lru_cache(maxsize=1)
def steps() -> tuple[Step, ...]:
    schema = deal_json_schema()
    defs = schema.get("$defs", {})
    top = {
        f.name: f
        for f in (_make(k, k, v, k in schema.get("required", []), defs) for k, v in schema["properties"].items())
    }
    out, used = [], set()
    for step_id, title, sections in STEP_SECTIONS:
        present = [top[s] for s in sections if s in top]
        used.update(s for s in sections)
        if present:
            out.append(Step(step_id, title, present))
    for name, fld in top.items():  # sections the model gained after this list was written
        if name not in used:
            out.append(Step(name, fld.label, [fld]))
    return tuple(out)


def step(step_id: str) -> Step | None:
    return next((s for s in steps() if s.id == step_id), None)


def all_fields(fields: list[Field] | None = None):
    """Every field, depth first (groups and objects included)."""
    for f in fields if fields is not None else [f for s in steps() for f in s.fields]:
        yield f
        yield from all_fields(f.children)


def field_title(path: str) -> str:
    """A field path as people read it: "practice.owners[1].license.type" -> "Practice › Owner 2 ›
    License › Type"."""
    parts = []
    for name, index in re.findall(r"([^.\[\]]+)(?:\[([0-9]+)\])?", path):
        label = TOP_LABELS.get(name) or _label(name)
        parts.append(f"{label.rstrip('s')} {int(index) + 1}" if index and len(index) < 5 else label)
    return " › ".join(parts)
