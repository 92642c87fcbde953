"""What a clause body sees: the deal under its YAML names, derived values and helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..library import paths
from ..inputs.deal import JURISDICTIONS, Deal, PracticeEntityType
from ..errors import InputError, Problem
from .markup import BLANK_CLOSE, BLANK_OPEN, REF_CLOSE, REF_OPEN
from ..inputs.states import StateRules

CATALOG_FILE = "responsibilities.yaml"

_SMALL = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 20:
        return _SMALL[n]
    if n < 100:
        return _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _SMALL[n % 10])
    if n < 1000:
        rest = n % 100
        return _SMALL[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    return f"{n:,}"


def words(n: int) -> str:
    """5 -> 'five (5)', the contract convention for numbers."""
    return f"{number_words(int(n))} ({int(n)})"


def money(amount: Decimal | int | None) -> str:
    if amount is None:
        return placeholder("amount")
    return f"${Decimal(amount):,.2f}"


def pct(value: Decimal | int | None) -> str:
    if value is None:
        return placeholder("percentage")
    text = f"{Decimal(value).normalize():f}"
    return f"{text}%"


def longdate(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def names(items) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def indefinite(phrase: str) -> str:
    """'Ohio limited liability company' -> 'an Ohio limited liability company'."""
    phrase = str(phrase)
    return ("an " if phrase[:1].lower() in "aeio" else "a ") + phrase


def placeholder(text: str) -> str:
    """A blank the attorney fills in: "[text]", highlighted in the document so none is missed."""
    return f"{BLANK_OPEN}[{text}]{BLANK_CLOSE}"


def ref(target: str) -> str:
    return f"{REF_OPEN}{target}{REF_CLOSE}"


PRACTICE_FORM_WORDS = {
    PracticeEntityType.professional_corporation: "professional corporation",
    PracticeEntityType.medical_corporation: "professional medical corporation",
    PracticeEntityType.professional_association: "professional association",
    PracticeEntityType.professional_service_corporation: "professional service corporation",
    PracticeEntityType.pllc: "professional limited liability company",
    PracticeEntityType.corporation: "corporation",
    PracticeEntityType.llc: "limited liability company",
}


def load_catalog(clause_dir: Path | None = None) -> dict:
    """The service catalogue beside the clause library (loaded once)."""
    return _load_catalog(Path(clause_dir) if clause_dir is not None else paths.clause_dir())


@lru_cache(maxsize=None)
def _load_catalog(clause_dir: Path) -> dict:
    import yaml

    path = clause_dir / CATALOG_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "is missing: the service catalogue the documents need")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict) or not isinstance(data.get("reserved"), list):
        raise InputError([Problem(str(path), "", "must have a 'services' mapping and a 'reserved' list")])
    return data


def fee_outcome(deal: Deal, rules: StateRules) -> tuple[str, str | None]:
    """(basis in force, basis removed by the state's rules or None)."""
    basis = deal.fees.basis.value
    rule = rules.rule_for_tag(f"fee:{basis}")
    if rule is not None and rule.action == "replace":
        return "fixed_monthly", basis
    return basis, None


def build_context(deal: Deal, rules: StateRules, extra: dict | None = None) -> dict:
    catalog = load_catalog()
    service_ids = [s.value for s in deal.services]
    fee_basis, fee_replaced_from = fee_outcome(deal, rules)
    is_llc = deal.practice.entity_type.is_llc
    venue = deal.dispute_resolution.venue or JURISDICTIONS[deal.deal.state]

    def service_entry(service_id: str) -> dict:
        entry = catalog["services"].get(service_id)
        if entry is None:
            raise InputError([Problem(CATALOG_FILE, f"services.{service_id}", "has no catalogue entry")])
        return entry

    context = {
        # the deal, under the names of the deal file
        "deal": deal.deal, "mso": deal.mso, "practice": deal.practice, "services": deal.services,
        "fees": deal.fees, "term": deal.term, "dispute_resolution": deal.dispute_resolution,
        "state": rules,
        # derived
        "service_ids": service_ids,
        "service_catalog": {sid: service_entry(sid) for sid in catalog["services"] if sid in service_ids},
        "reserved_functions": catalog["reserved"],
        "fee_basis": fee_basis,
        "fee_replaced_from": fee_replaced_from,
        # The state's label for the form, without its explanatory parenthetical.
        "practice_form": (rules.form(deal.practice.entity_type).label.split(" (")[0]
                          if rules.form(deal.practice.entity_type) else PRACTICE_FORM_WORDS[deal.practice.entity_type]),
        "practice_governing_document": "Operating Agreement" if is_llc else "Bylaws",
        "practice_owner_term": "Member" if is_llc else "Shareholder",
        "mso_form": "limited liability company" if deal.mso.entity_type.value == "llc" else "corporation",
        "governing_law_state": JURISDICTIONS[deal.deal.state],
        "mso_formation_state_name": JURISDICTIONS[deal.mso.formation_state],
        "practice_formation_state_name": JURISDICTIONS[deal.practice.formation_state],
        "venue": venue,
        # helpers
        "ref": ref, "money": money, "pct": pct, "longdate": longdate, "words": words, "names": names,
        "placeholder": placeholder, "indefinite": indefinite,
        "service_label": lambda sid: service_entry(sid)["label"],
        "service_summary": lambda sid: service_entry(sid)["summary"],
    }
    if extra:
        context.update(extra)
    return context


load_catalog.cache_clear = _load_catalog.cache_clear  # type: ignore[attr-defined]
