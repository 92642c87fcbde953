"""Practice law as data: what a state does with a covenant not to compete (for the practice's
owners and for its clinicians), who may perform each med-spa treatment, under what
supervision and written instrument, and who performs the good-faith examination. Sections of a
state file, validated here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from .rule import Rule, rule_status

# Non-compete law: what a state does with a covenant not to compete, for the practice's owners
# (the MSA's covenant binds them) and for the clinicians it employs or engages.
CovenantStatus = Literal["void", "limited", "reasonableness"]
NON_COMPETE_TAG = "covenant:non_compete_provider"  # the MSA covenant's tag (clauses/tags.yaml)


class Covenant(Rule):
    """A state's rule for one kind of covenant not to compete. ``void``: unenforceable; ``limited``:
    enforceable only within limits a statute sets (radius, duration, buyout, signed writing, notice);
    ``reasonableness``: enforced as far as a court finds it reasonable."""

    status: CovenantStatus
    summary: str = Field(min_length=1)  # the rule in a sentence, in a lawyer's words
    max_radius_miles: int | None = Field(default=None, ge=1)
    max_months: int | None = Field(default=None, ge=1)
    buyout: str = ""  # the buyout the law requires, as a phrase ("" = none required)
    patient_access: bool = False  # the covenant must leave the physician access to patient lists and records
    signed_writing: bool = False  # enforceable only in a writing the restrained person signed
    notice: str = ""  # notice the law requires (before signing, to patients, ...)
    conditions: list[str] = []  # further conditions, each a sentence

    @model_validator(mode="after")
    def _limits_match_status(self) -> Self:
        limits = [name for name in ("max_radius_miles", "max_months", "buyout", "notice") if getattr(self, name)] + (
            ["conditions"] if self.conditions else []
        )
        if self.status == "void" and (limits or self.patient_access):
            raise ValueError(f"a void covenant has no limits to meet; remove {', '.join(limits) or 'patient_access'}")
        if self.status == "limited" and not (limits or self.patient_access or self.signed_writing):
            raise ValueError(
                "a limited covenant needs the limits the law sets (max_radius_miles, max_months, "
                "buyout, patient_access, signed_writing, notice or conditions)"
            )
        return self


def _dated_entries(entries: list[Covenant]) -> list[Covenant]:
    """At most one entry of a covenant list is in force on any day."""
    far_past, far_future = dt.date.min, dt.date.max
    spans = sorted(((c.effective or far_past, c.until or far_future) for c in entries))
    for (_, end), (start, _) in zip(spans, spans[1:]):
        if start < end:
            raise ValueError(
                "entries overlap in time: give the earlier one an 'until' no later than the later one's 'effective'"
            )
    return entries


DatedCovenants = Annotated[list[Covenant], Field(min_length=1), AfterValidator(_dated_entries)]


class NonCompete(BaseModel):
    """``owner``: a covenant binding the practice's owners (the MSA covenant, a shareholder agreement);
    ``provider``: one binding clinicians the practice employs or engages. Each is a list of entries
    dated where the law changed (``effective`` / ``until``); at most one is in force on a day."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    owner: DatedCovenants
    provider: DatedCovenants

    def on(self, day: dt.date) -> "NonCompete":
        """The entries in force on ``day`` (an entry list may become empty)."""

        def keep(entries: list[Covenant]) -> list[Covenant]:
            return [c for c in entries if (rule_status(c, day) or (True, ""))[0]]

        return self.model_construct(owner=keep(self.owner), provider=keep(self.provider))

    def entries(self) -> list[tuple[str, Covenant]]:
        return [("owner", c) for c in self.owner] + [("provider", c) for c in self.provider]


# Scope of practice: who may perform each med-spa treatment class, under what supervision.
Licensee = Literal["MD", "DO", "NP", "PA", "RN", "LVN", "aesthetician"]
TREATMENT_CLASSES = {
    "good_faith_exam": "Good-faith examination",
    "neuromodulators": "Neuromodulators (botulinum toxin)",
    "dermal_fillers": "Dermal fillers",
    "lasers_ipl": "Lasers and IPL",
    "iv_therapy": "IV therapy",
    "peels_microneedling": "Chemical peels and microneedling",
}


class ScopeEntry(Rule):
    """Who may perform one treatment class. ``supervision`` is what the least-qualified performer
    listed needs: a physician (or other supervisor) on site, available (reachable, not present), or none."""

    performers: list[Licensee] = Field(min_length=1)
    supervision: Literal["on_site", "available", "none"]
    delegated_by: list[Licensee] = []  # who may delegate the treatment or supervise it
    instrument: str = ""  # the written instrument under the state's own name ("standardized procedures")
    ratio: str = ""  # supervision ratio, as a phrase ("" = none set or none found)

    @model_validator(mode="after")
    def _supervised_needs_supervisor(self) -> Self:
        if self.supervision != "none" and not self.delegated_by:
            raise ValueError(f"supervision '{self.supervision}' needs delegated_by: who delegates or supervises")
        return self


SupervisedRole = Literal["NP", "PA", "RN", "LVN"]  # the roles a supervision or delegation instrument governs


class Instrument(Rule):
    """The written instrument under which one role performs delegated medical acts in the state, under
    the state's own name ("standardized procedures", "prescriptive authority agreement"): what it must
    contain, and any filing or notice the state requires."""

    name: str = Field(min_length=1)
    contents: list[str] = Field(min_length=1)  # what the instrument must contain, each a phrase
    filing: str = ""  # a filing or notice the state requires, as a sentence ("" = none found)
    ratio: str = ""  # a limit on how many of the role one physician may supervise ("" = none set or none found)


class ScopeOfPractice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    # per role: the instrument the state names; a role not listed gets formgen's generic delegation protocol
    instruments: dict[SupervisedRole, Instrument] = {}
    good_faith_exam: ScopeEntry
    neuromodulators: ScopeEntry
    dermal_fillers: ScopeEntry
    lasers_ipl: ScopeEntry
    iv_therapy: ScopeEntry
    peels_microneedling: ScopeEntry

    def entries(self) -> list[tuple[str, ScopeEntry]]:
        return [(key, getattr(self, key)) for key in TREATMENT_CLASSES]

    def instrument_names(self) -> list[str]:
        """The written instruments the state names, once each, in treatment-class order."""
        return list(dict.fromkeys(e.instrument for _, e in self.entries() if e.instrument))

    def entry_for(self, treatment_class: str) -> ScopeEntry:
        entry: ScopeEntry = getattr(self, treatment_class)
        return entry

    def ratios(self) -> list[str]:
        return list(dict.fromkeys(e.ratio for _, e in self.entries() if e.ratio))


class GoodFaithExam(Rule):
    """The good-faith examination before a prescription treatment: who may perform it (the
    ``staffing`` checks read ``performers``: an RN or aesthetician not listed may not), how often it
    is renewed for a returning patient, and whether it may be done by telehealth."""

    performers: list[Licensee] = Field(min_length=1)
    renewal_months: int = Field(ge=1, le=60)  # a returning patient is re-examined at least this often
    telehealth: str = Field(min_length=1)  # the state's telehealth rule for the exam, in a sentence
