"""State rules: models for state_overrides/*.yaml and the layered loader.

``_default.yaml`` is the conservative baseline (strict CPOM). A jurisdiction's
file is layered over it: a mapping section the state sets replaces the
default's; keyed lists (``entity_forms`` by form, ``clause_rules`` by tag,
``checklist`` and ``notes`` by id) merge item by item, the state's item winning.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from ..errors import InputError, Problem
from .deal import LicenseType, PracticeEntityType
from .deal_loader import nearest_line, parse_yaml, read_text
from .deal_repair import field_path
from .practice_law import (
    NON_COMPETE_TAG,
    TREATMENT_CLASSES,
    Covenant,
    GoodFaithExam,
    NonCompete,
    ScopeOfPractice,
)
from .rule import Rule, rule_status
from .typed_values import JURISDICTIONS

DEFAULT_FILE = "_default.yaml"


class EntityForm(Rule):
    form: PracticeEntityType
    label: str  # how the form is called in that state, e.g. "professional medical corporation"
    suffixes: list[str] = Field(min_length=1)  # the name must end with one of these
    suffix_mandatory: bool = False  # the statute requires the designation: a missing one is an error
    # Words the name may not use outside its designation (whole words, any case, plural too), on
    # the form's own citation: e.g. New York's "clinic", "center", "hospital".
    forbidden_words: list[str] = []


class OwnershipLimits(BaseModel):
    """Who may own a practice."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    owner_license_types: list[LicenseType] = Field(min_length=1)  # who may hold the controlling share
    majority_min_percent: int = Field(default=100, ge=1, le=100)  # share those licensees must hold together
    minority_license_types: list[LicenseType] = []  # who may hold the rest
    minority_may_not_outnumber: bool = False
    license_in_state: bool = True  # owners must be licensed in the deal's state

    def describe(self, where: str = "the state") -> str:
        """'at least one MD/DO owner, with PA/NP co-owners, all licensed in North Carolina'."""
        who = "/".join(t.value for t in self.owner_license_types)
        if self.majority_min_percent == 100:
            head = f"only {who} owners"
        elif self.majority_min_percent == 1:
            head = f"at least one {who} owner"
        else:
            head = f"{who} owners holding at least {self.majority_min_percent}%"
        rest = (
            f", with {'/'.join(t.value for t in self.minority_license_types)} co-owners"
            if self.minority_license_types
            else ""
        )
        return head + rest + (f", all licensed in {where}" if self.license_in_state else ", licensed in any state")


class Ownership(Rule, OwnershipLimits):
    """formgen's ownership rule for the state. Where the law itself allows more owners than this
    (a conservative default), ``law_allows`` states the law's own limits: ``--policy permissive``
    applies them, and under the default policy a structure only the default refuses says so."""

    law_allows: OwnershipLimits | None = None

    def limits(self, policy: Policy) -> OwnershipLimits:
        return self.law_allows if policy == "permissive" and self.law_allows is not None else self


ClauseAction = Literal["replace", "remove", "warn"]
# conservative: formgen removes or replaces terms whose lawfulness is conditional or unsettled;
# permissive: where the law permits a term (with conditions), formgen keeps it with a note.
Policy = Literal["conservative", "permissive"]
POLICIES = ("conservative", "permissive")
# What the law says about a tagged term, as distinct from what formgen's drafting policy does with it.
LawPosition = Literal["prohibited", "conditional", "unsettled", "permitted"]


class ClauseRule(Rule):
    """What to do with clauses carrying a tag (e.g. fee:percentage_of_revenue)."""

    tag: str
    action: ClauseAction
    replacement: str | None = None  # clause id that takes the removed clause's place
    severity: Literal["error", "warning", "info"] = "error"
    message: str
    drafting_note: str = ""
    law: LawPosition = "prohibited"
    permissive_action: ClauseAction | Literal["keep"] | None = None  # under --policy permissive

    @model_validator(mode="after")
    def _replacement_matches_action(self) -> Self:
        if self.action == "replace" and not self.replacement:
            raise ValueError("action 'replace' needs a replacement clause id")
        return self


class RequiredClause(Rule):
    id: str  # clause id that must be in the packet
    reason: str


def _month_day(value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(f"2024-{value}")  # a leap year, so 02-29 is a day
        except ValueError:
            raise ValueError(f"use MM-DD, a day of the year (got {value!r})") from None
    return value


class ChecklistItem(Rule):
    id: str
    entity: Literal["mso", "practice", "both"]
    task: str
    # When: days relative to the effective date (negative = before), or a recurring item.
    due_days: int | None = None
    due_from: Literal["effective_date", "formation"] = "effective_date"
    recurring: Literal["annual", "biennial"] | None = None
    # A yearly filing due by a fixed day ("05-01"): first in the calendar year after the entity is formed.
    annual_by: Annotated[str | None, AfterValidator(_month_day)] = None
    # A yearly payment whose first falls earlier, in the entity's first taxable year: on annual_by's day of
    # the month in this month of that year, counting the month the entity is formed as the first
    # (a California LLC's annual tax: the 15th day of the 4th month).
    first_due_month: int | None = Field(default=None, ge=1, le=12)
    # Only for entities of this kind (an MSO or practice that is a limited liability company or a corporation).
    entity_kind: Literal["llc", "corporation"] | None = None

    @model_validator(mode="after")
    def _annual_by_is_yearly(self) -> Self:
        if self.annual_by and self.recurring != "annual":
            raise ValueError("annual_by needs recurring: annual")
        if self.first_due_month and not self.annual_by:
            raise ValueError("first_due_month needs annual_by (the day of the month, and the yearly date after)")
        return self


class Note(Rule):
    """A fact for the compliance memo (med-spa rules, recent changes, open questions)."""

    id: str
    topic: Literal["cpom", "fees", "med_spa", "recent_change", "ownership", "name", "other"]
    text: str


class StatuteProvision(Rule):
    """A state statute drafted into the practice's governing document, in formgen's own words
    ("{owner}" stands for Shareholder or Member)."""

    id: str
    caption: str
    # "corporation" (any corporate form), "llc" (PLLC or LLC), "both", or one practice entity type
    # ("professional_association": a statute that governs that form and not the state's other corporations)
    applies: Literal["corporation", "llc", "both"] | PracticeEntityType = "both"
    text: str

    def applies_to(self, entity_type: PracticeEntityType) -> bool:
        """Whether the practice's governing document restates this provision."""
        if isinstance(self.applies, PracticeEntityType):
            return self.applies == entity_type
        return self.applies in ("both", "llc" if entity_type.is_llc else "corporation")


class EstateHolding(Rule):
    """How long the estate of a deceased (or a disqualified) owner may hold the interest."""

    period: str  # as the documents print it: "six (6) months after the death"


class Governance(BaseModel):
    """What the state's professional-entity statutes require of the practice's governing document."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    provisions: list[StatuteProvision] = []
    estate_holding: EstateHolding | None = None
    physician_vote_on_succession: bool = False  # only physician owners approve a successor
    max_days: dict[Literal["death", "disability", "license_loss", "exclusion", "breach"], int] = {}


class ProcessAgent(Rule):
    """Who receives process for an entity formed in the state, in the state's own words: a registered agent
    at a registered office (most states), California's agent for service of process, or New York's
    Secretary of State (with a post office address for forwarding). The charters and the governing
    documents use the same vocabulary."""

    kind: Literal["registered_agent", "agent_for_service_of_process", "secretary_of_state"] = "registered_agent"


class PhysicianLicense(Rule):
    """How the documents name a physician's license of one type in the state, where the state licenses it
    under its own act (Florida: an osteopathic physician under chapter 459, not the medical practice act)."""

    words: str  # e.g. "license to practice osteopathic medicine"
    act: str = ""  # e.g. "chapter 459 of the Florida Statutes"


class VendorBreachNotice(Rule):
    """The state's data-breach statute for a business that keeps personal information it does not own (as
    the MSO keeps the practice's): it must tell the owner at once, sooner than HIPAA's business-associate
    outer limit. The BAA then asks for that notice (e.g. Cal. Civ. Code § 1798.82(b))."""

    timing: Literal["immediately"] = "immediately"
    statute: str  # how the BAA names the statute, e.g. "California's data-breach notification statute"


class StateRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    code: str
    name: str
    researched: bool  # False: the conservative default stands in for real research
    cpom: Literal["strict", "moderate", "weak", "unknown"]
    cpom_basis: Rule  # the statute, case or guidance behind the CPOM position
    summary: str
    entity_forms: list[EntityForm] = Field(min_length=1)
    ownership: Ownership
    fee_splitting: Rule  # the fee-splitting statute or rule
    clause_rules: list[ClauseRule] = []
    required_clauses: list[RequiredClause] = []
    checklist: list[ChecklistItem] = []
    notes: list[Note] = []
    noncompete: NonCompete | None = None  # None: not researched
    scope_of_practice: ScopeOfPractice | None = None  # None: not researched
    good_faith_exam: GoodFaithExam | None = None  # None: not researched (the policy then says so)
    governance: Governance = Governance()
    process_agent: ProcessAgent = ProcessAgent()
    # A physician license type -> its words where the state uses its own (default "license to practice medicine").
    physician_licenses: dict[Literal["MD", "DO"], PhysicianLicense] = {}
    vendor_breach_notice: VendorBreachNotice | None = None  # None: no shorter state term known
    source_files: tuple[str, ...] = ()  # filled by the loader
    # Filled by in_force(): which dated rules applied on the date asked for, and which did not.
    timeline: tuple[str, ...] = ()
    policy: Policy = "conservative"

    def physician_license(self, license_types: list[str]) -> str:
        """The license a physician of these types holds, in the state's words, for "a current, unrestricted
        ___": "license to practice medicine in Texas", or for a Florida D.O. "license to practice osteopathic
        medicine in Florida under chapter 459 of the Florida Statutes" (both, joined by "or", for a mixed group)."""
        phrases = []
        for kind in dict.fromkeys(license_types or ["MD"]):
            rule = self.physician_licenses.get(kind)  # type: ignore[call-overload]
            phrase = f"{rule.words} in {self.name}{' under ' + rule.act if rule.act else ''}" if rule else ""
            phrase = phrase or f"license to practice medicine in {self.name}"
            if phrase not in phrases:
                phrases.append(phrase)
        return " or ".join(phrases)

    def form(self, form: PracticeEntityType) -> EntityForm | None:
        return next((f for f in self.entity_forms if f.form == form), None)

    def rule_for_tag(self, tag: str) -> ClauseRule | None:
        return next((r for r in self.clause_rules if r.tag == tag), None)

    def fee_treatment(self, basis: str) -> str:
        """'forbidden', 'warning' or 'allowed' for a fee basis tag such as percentage_of_revenue."""
        rule = self.rule_for_tag(f"fee:{basis}")
        if rule is None:
            return "allowed"
        return "warning" if rule.action == "warn" else "forbidden"

    def scan_policy(self) -> tuple[Literal["error", "warning"], Rule]:
        """How revenue- or volume-based pay found by the text scanner is reported here:
        (severity, the rule to cite). An error where the law prohibits a percentage fee; a warning
        where it is conditional or unsettled (formgen's policy, not the law, removed it)."""
        rule = self.rule_for_tag("fee:percentage_of_revenue")
        prohibited = rule is not None and rule.law == "prohibited" and rule.action != "warn"
        return ("error" if prohibited else "warning"), rule or self.fee_splitting

    def in_force(self, on: dt.date) -> "StateRules":
        """The rules as they stand on ``on`` (a deal's effective date): dated rules not yet in force,
        or no longer in force, are left out; ``timeline`` says which dated rules applied."""
        kept: dict[str, list[Any]] = {}
        timeline: list[str] = []
        for section in DATED_LISTS:
            kept[section] = []
            for label, rule in ((rule_label(section, r), r) for r in getattr(self, section)):
                status = rule_status(rule, on)
                if status is None:
                    kept[section].append(rule)
                    continue
                applies, why = status
                timeline.append(f"{label}: {why}; {'applied' if applies else 'not applied'}")
                if applies:
                    kept[section].append(rule)
        update: dict[str, Any] = {**kept}
        if self.noncompete is not None:
            for kind, covenant in self.noncompete.entries():
                status = rule_status(covenant, on)
                if status is not None:
                    timeline.append(
                        f"non-compete rule ({kind} covenant, {covenant.status}): {status[1]}; "
                        f"{'applied' if status[0] else 'not applied'}"
                    )
            update["noncompete"] = self.noncompete.on(on)
            derived = covenant_clause_rule(self.name, update["noncompete"], kept["clause_rules"])
            if derived is not None:
                update["clause_rules"] = kept["clause_rules"] + [derived]
        return self.model_copy(update={**update, "timeline": tuple(timeline)})

    def owner_covenant(self) -> Covenant | None:
        """The owner covenant rule (after ``in_force``: the one in force), or None where not researched."""
        return self.noncompete.owner[0] if self.noncompete and self.noncompete.owner else None

    @property
    def owner_covenant_allowed(self) -> bool:
        """The state's law leaves a covenant not to compete an owner can sign: no state rule takes the
        MSA's covenant out, and the owner-covenant rule in force (where researched) is not void."""
        rule = self.rule_for_tag(NON_COMPETE_TAG)
        covenant = self.owner_covenant()
        return (rule is None or rule.action == "warn") and (covenant is None or covenant.status != "void")

    def with_policy(self, policy: Policy) -> "StateRules":
        """Under ``permissive``, a term the law permits (conditional, unsettled or permitted) takes the
        rule's ``permissive_action`` instead of the conservative ``action``; prohibited terms never do."""
        if policy == "conservative":
            return self
        rules = []
        for rule in self.clause_rules:
            if rule.law != "prohibited" and rule.permissive_action is not None:
                action = "warn" if rule.permissive_action == "keep" else rule.permissive_action
                severity = "info" if rule.permissive_action == "keep" else rule.severity
                rule = rule.model_copy(update={"action": action, "severity": severity})
            rules.append(rule)
        return self.model_copy(update={"clause_rules": rules, "policy": policy})

    def all_rules(self) -> list[tuple[str, Rule]]:
        """Every rule with a label, for tables and the memo."""
        out: list[tuple[str, Rule]] = [
            ("CPOM", self.cpom_basis),
            ("Fee splitting", self.fee_splitting),
            ("Ownership", self.ownership),
        ]
        out += [(f"Entity form: {f.label}", f) for f in self.entity_forms]
        out += [(f"Clause rule: {r.tag}", r) for r in self.clause_rules]
        out += [(f"Required clause: {r.id}", r) for r in self.required_clauses]
        out += [(f"Checklist: {c.id}", c) for c in self.checklist]
        out += [(f"Note: {n.id}", n) for n in self.notes]
        if self.noncompete is not None:
            out += [(f"Non-compete: {kind} covenant", c) for kind, c in self.noncompete.entries()]
        if self.scope_of_practice is not None:
            out += [(f"Scope of practice: {TREATMENT_CLASSES[key]}", e) for key, e in self.scope_of_practice.entries()]
            out += [
                (f"Supervision instrument: {role} ({i.name})", i)
                for role, i in self.scope_of_practice.instruments.items()
            ]
        if self.good_faith_exam is not None:
            out.append(("Good-faith examination (who performs it, renewal, telehealth)", self.good_faith_exam))
        out += [(f"Governing document: {p.caption}", p) for p in self.governance.provisions]
        if self.governance.estate_holding:
            out.append(("Governing document: estate holding period", self.governance.estate_holding))
        return out

    def acting_rules(self) -> list[tuple[str, Rule]]:
        """The rules that change or block a packet: the CPOM and fee-splitting bases, ownership, the
        name designations the statute makes mandatory, clause rules that remove or replace a term, and
        required clauses (the set the research passes count as verified or not)."""
        out: list[tuple[str, Rule]] = [
            ("CPOM", self.cpom_basis),
            ("Fee splitting", self.fee_splitting),
            ("Ownership", self.ownership),
        ]
        out += [(f"Entity form: {f.label}", f) for f in self.entity_forms if f.suffix_mandatory]
        out += [(f"Clause rule: {r.tag}", r) for r in self.clause_rules if r.action in ("remove", "replace")]
        out += [(f"Required clause: {r.id}", r) for r in self.required_clauses]
        return out


class ResearchEntry(BaseModel):
    """One line of a state's research record: what a rule rests on and whether it was read."""

    model_config = ConfigDict(frozen=True, defer_build=True)
    label: str
    citation: str
    verified: bool
    source: str  # verified: the primary text read
    read_on: dt.date | None
    why: str  # the rule's note: for an unverified rule, why (what it rests on, what was not found)


def research_record(rules: StateRules) -> list[ResearchEntry]:
    """Every rule of a state with its citation, whether it was verified at a primary source, where and
    when that text was read, and (from its note) why a rule is not verified."""
    return [
        ResearchEntry(
            label=label,
            citation=rule.citation,
            verified=rule.verified,
            source=rule.source,
            read_on=rule.read_on,
            why=" ".join(rule.note.split()),
        )
        for label, rule in rules.all_rules()
    ]


def covenant_clause_rule(state_name: str, noncompete: NonCompete, clause_rules: list[ClauseRule]) -> ClauseRule | None:
    """Where the owner covenant in force is void and the state file sets no rule of its own on the
    MSA covenant's tag, the rule that replaces it with the confidentiality-only covenant."""
    if not noncompete.owner or noncompete.owner[0].status != "void":
        return None
    if any(r.tag == NON_COMPETE_TAG for r in clause_rules):
        return None
    covenant = noncompete.owner[0]
    return ClauseRule(
        tag=NON_COMPETE_TAG,
        action="replace",
        replacement="msa.covenants.confidentiality_only",
        severity="warning",
        law="prohibited",
        citation=covenant.citation,
        verified=covenant.verified,
        source=covenant.source,
        effective=covenant.effective,
        until=covenant.until,
        message=(
            f"{covenant.summary.strip()} The owners' covenant not to compete was removed and a "
            "confidentiality-only covenant put in its place."
        ),
        drafting_note=(
            f"Covenant not to compete removed: under {state_name} law it is void against the practice's "
            "physician owners. Protect the MSO's investment through the confidentiality and trade-secret "
            "provisions and the Term; a covenant given on a sale of the practice belongs in the purchase "
            "documents, under the rules for such sales."
        ),
        note="Derived from the state's non-compete section (owner covenant: void).",
    )


DATED_LISTS = ("clause_rules", "required_clauses", "checklist", "notes")


def rule_label(section: str, rule: Any) -> str:
    key = getattr(rule, "tag", None) or getattr(rule, "id", "")
    return f"{section.replace('_', ' ').rstrip('s')} {key}"


_KEYED_LISTS = {
    "entity_forms": "form",
    "clause_rules": "tag",
    "required_clauses": "id",
    "checklist": "id",
    "notes": "id",
}


def merge_layers(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if key in _KEYED_LISTS and isinstance(value, list) and isinstance(base.get(key), list):
            k = _KEYED_LISTS[key]
            replace_all = key == "entity_forms"  # a state lists its own forms in full
            items = {} if replace_all else {item.get(k): item for item in base[key] if isinstance(item, dict)}
            for item in value:
                if isinstance(item, dict) and item.get("drop"):
                    items.pop(item.get(k), None)
                else:
                    items[item.get(k) if isinstance(item, dict) else id(item)] = item
            merged[key] = list(items.values())
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """A rule file's data and the line of each field path (read as deal files are)."""
    data, index = parse_yaml(read_text(path), str(path))
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "", "must be a mapping of rule sections")])
    return data, index.lines


def _rule_problem(
    error: ErrorDetails, merged: dict[str, Any], layers: list[tuple[Path, dict[str, Any], dict[str, int]]]
) -> Problem:
    """A validation error of the merged rules, located in the file (and line) the value came from."""
    loc = list(error["loc"])
    where = layers[-1]
    if loc and isinstance(loc[0], str):
        key = loc[0]
        where = next((layer for layer in reversed(layers) if key in layer[1]), layers[-1])
        if key in _KEYED_LISTS and len(loc) > 1 and isinstance(loc[1], int):
            k = _KEYED_LISTS[key]
            item = merged.get(key, [])[loc[1]] if loc[1] < len(merged.get(key, [])) else None
            for layer in reversed(layers):
                items = layer[1].get(key) if isinstance(layer[1].get(key), list) else []
                found = [
                    i
                    for i, x in enumerate(items)
                    if isinstance(x, dict) and isinstance(item, dict) and x.get(k) == item.get(k)
                ]
                if found:
                    where, loc[1] = layer, found[0]
                    break
    path = where[0]
    dotted = field_path(tuple(loc))
    message, value = error["msg"].removeprefix("Value error, "), error.get("input")
    if (
        error["type"] != "missing"
        and not error["type"].startswith("value_error")
        and not isinstance(value, (dict, list))
    ):
        message += f" (got {str(value)[:60]!r})"
    return Problem(str(path), dotted, message, nearest_line(where[2], dotted))


def read_state(code: str, state_dir: Path) -> StateRules:
    """The rules for a jurisdiction: _default.yaml layered under <CODE>.yaml. (``Library`` reads
    each state once and keeps it.)"""
    code = code.upper()
    if code not in JURISDICTIONS:
        raise InputError([Problem(code, "deal.state", "is not a US state or DC")])
    default_path = state_dir / DEFAULT_FILE
    data, lines = _read_yaml(default_path)
    layers = [(default_path, data, lines)]
    files = [default_path]
    state_path = state_dir / f"{code}.yaml"
    if state_path.exists():
        top, top_lines = _read_yaml(state_path)
        layers.append((state_path, top, top_lines))
        data = merge_layers(data, top)
        files.append(state_path)
    else:  # the default stands in, and says so
        data = {**data, "code": code, "name": JURISDICTIONS[code], "researched": False}
    try:
        rules = StateRules.model_validate({**data, "source_files": tuple(f.name for f in files)})
    except ValidationError as exc:
        raise InputError([_rule_problem(e, data, layers) for e in exc.errors()]) from None
    if rules.code != code:
        raise InputError([Problem(str(files[-1]), "code", f"is {rules.code} but the file is for {code}")])
    return rules


def state_files(state_dir: Path) -> list[Path]:
    return sorted(p for p in state_dir.glob("*.yaml") if p.name != DEFAULT_FILE)
