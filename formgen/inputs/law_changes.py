"""Law that changes on dates: which dated state rules reach an arrangement made on a given day,
what each requires, and by when. The dated rules are the clause rules, required clauses and checklist
items, and the entries of the state's non-compete rule (a covenant rule that changed on a date).

A rule with ``effective`` after the arrangement's effective date reaches it:
- by its ``transition`` date, when the rule gives existing arrangements until then to comply;
- otherwise at the arrangement's next renewal on or after the rule's effective date (a new or
  renewed contract is made under the law then in force).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .rule import Rule
from .states import DATED_LISTS, StateRules, rule_label


@dataclass(frozen=True)
class LawChange:
    label: str  # e.g. "clause rule succession:option"
    section: str  # clause_rules, required_clauses, checklist or noncompete
    key: str  # the tag or id; for noncompete, the covenant's kind (owner or provider)
    requires: str  # what the rule requires, in its own words
    citation: str
    effective: dt.date
    deadline: dt.date
    basis: str  # why that deadline: "transition date" or "renewal on ..."
    verified: bool


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def next_renewal(start: dt.date, initial_years: int, renewal_years: int, on_or_after: dt.date) -> dt.date | None:
    """The first renewal date of a term starting ``start`` that falls on or after ``on_or_after``."""
    renewal, years = _add_years(start, initial_years), initial_years
    while renewal < on_or_after:
        if renewal_years <= 0:
            return None
        years += renewal_years
        renewal = _add_years(start, years)
    return renewal


def _requires(section: str, rule: Any) -> str:
    text = (
        getattr(rule, "message", "")
        or getattr(rule, "reason", "")
        or getattr(rule, "task", "")
        or getattr(rule, "text", "")
        or rule.note
    )
    return " ".join(text.split())


def _reaches(rule: Rule, start: dt.date, initial_years: int, renewal_years: int) -> tuple[dt.date, str] | None:
    """When a rule that came into force after ``start`` reaches the arrangement, and why; None if it
    does not (long-standing, older than the arrangement, or the term ends first)."""
    if rule.effective is None or rule.effective <= start:
        return None
    if rule.transition is not None:
        return rule.transition, "transition date for existing arrangements"
    renewal = next_renewal(start, initial_years, renewal_years, rule.effective)
    return (renewal, "applies on the renewal of the term") if renewal is not None else None


def law_changes(rules: StateRules, start: dt.date, initial_years: int, renewal_years: int) -> list[LawChange]:
    """Dated rules of ``rules`` (the full, undated view) that came or come into force after ``start``."""
    out = []
    for section in DATED_LISTS:
        if section == "notes":
            continue  # a note informs; it requires nothing
        for rule in getattr(rules, section):
            reach = _reaches(rule, start, initial_years, renewal_years)
            if reach is not None:
                key = str(getattr(rule, "tag", None) or getattr(rule, "id", ""))
                out.append(
                    LawChange(
                        rule_label(section, rule),
                        section,
                        key,
                        _requires(section, rule),
                        rule.citation,
                        rule.effective,
                        *reach,
                        rule.verified,
                    )
                )
    for kind, covenant in rules.noncompete.entries() if rules.noncompete else []:
        reach = _reaches(covenant, start, initial_years, renewal_years)
        if reach is not None and covenant.effective is not None:
            out.append(
                LawChange(
                    f"non-compete rule ({kind} covenant, {covenant.status})",
                    "noncompete",
                    kind,
                    " ".join(covenant.summary.split()),
                    covenant.citation,
                    covenant.effective,
                    *reach,
                    covenant.verified,
                )
            )
    return sorted(out, key=lambda c: (c.deadline, c.label))
