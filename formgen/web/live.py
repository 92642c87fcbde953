"""What the interview shows while the user answers: the state's rules for the current answers
and the loader's own problems for the draft, through the public library functions."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..api import validate
from ..errors import FormgenError, InputError
from .answers import value_at


def state_rules(library, code):
    """The state's rules in ``library``, or None for a missing or unknown code."""
    if not isinstance(code, str) or len(code.strip()) != 2:
        return None
    try:
        return library.state(code.strip().upper())
    except FormgenError:
        return None


def state_json(rules) -> dict:
    """The rules the interview applies while answering (the /api/state endpoint)."""
    return {
        "code": rules.code, "name": rules.name, "researched": rules.researched, "cpom": rules.cpom,
        "summary": rules.summary,
        "entity_forms": [{"form": f.form.value, "label": f.label, "suffixes": f.suffixes, "citation": f.citation}
                         for f in rules.entity_forms],
        "ownership": {"owner_license_types": [t.value for t in rules.ownership.owner_license_types],
                      "majority_min_percent": rules.ownership.majority_min_percent,
                      "minority_license_types": [t.value for t in rules.ownership.minority_license_types],
                      "citation": rules.ownership.citation, "note": rules.ownership.note},
        "fees": {basis: fee_rule(rules, basis) for basis in
                 ("fixed_monthly", "cost_plus", "hourly", "percentage_of_revenue", "per_procedure")},
    }


def fee_rule(library, rules, basis) -> dict | None:
    """The state's rule on a fee basis: the finding the packet will carry and its replacement."""
    rule = rules.rule_for_tag(f"fee:{basis}") if basis else None
    if rule is None:
        return None
    replacement = ""
    if rule.replacement:
        clause = library.clauses.get(rule.replacement)
        replacement = f"{clause.meta.title} ({rule.replacement})" if clause else rule.replacement
    return {"severity": rule.severity, "action": rule.action, "message": " ".join(rule.message.split()),
            "replacement": replacement, "drafting_note": " ".join(rule.drafting_note.split()),
            "citation": rule.citation, "verified": rule.verified}


def ownership_tally(data, rules) -> dict | None:
    """Share held by the owners the state lets control the practice, from the answers so far."""
    owners = value_at(data, "practice.owners")
    if rules is None or not isinstance(owners, list):
        return None
    majority = {t.value for t in rules.ownership.owner_license_types}
    total = controlling = Decimal(0)
    for owner in owners:
        try:
            share = Decimal(str(owner.get("percent"))) if isinstance(owner, dict) and owner.get("percent") is not None else Decimal(0)
        except InvalidOperation:
            share = Decimal(0)
        total += share
        license = owner.get("license") if isinstance(owner, dict) else None
        if isinstance(license, dict) and license.get("type") in majority:
            controlling += share
    need = rules.ownership.majority_min_percent
    return {"total": f"{total.normalize():f}", "controlling": f"{controlling.normalize():f}",
            "who": "/".join(sorted(majority)), "need": need, "ok": controlling >= need and total == 100}


def live_info(library, data) -> dict:
    """Everything the live panels show for the current answers."""
    rules = state_rules(library, value_at(data, "deal.state"))
    basis = value_at(data, "fees.basis")
    form = value_at(data, "practice.entity_type")
    chosen = next((f for f in rules.entity_forms if f.form.value == form), None) if rules else None
    name = value_at(data, "practice.name")
    name_ok = None
    if chosen is not None and isinstance(name, str) and name.strip():
        from ..drafting.compliance import suffix_ok  # the very test validate applies

        name_ok = suffix_ok(name, chosen.suffixes)
    return {"rules": rules, "fee": fee_rule(library, rules, basis) if rules else None, "basis": basis,
            "form": chosen, "tally": ownership_tally(data, rules), "name_ok": name_ok}


def problems(library, deal_path: Path, shown_name: str = "deal.yaml") -> tuple[list, list]:
    """(problems, findings) for the draft file, from formgen.api.validate: the CLI's messages."""
    try:
        _deal, _rules, findings = validate(deal_path, library=library)
    except InputError as exc:
        return [_renamed(p, deal_path, shown_name) for p in exc.problems], []
    except FormgenError as exc:
        from ..errors import Problem

        return [Problem(shown_name, "", str(exc))], []
    return [], findings


def _renamed(problem, deal_path: Path, shown_name: str):
    """The problem with the server's draft path replaced by the name the user knows."""
    from dataclasses import replace

    return replace(problem, file=shown_name) if problem.file == str(deal_path) else problem


def by_field(problem_list, prefixes: list[str]) -> dict[str, list[str]]:
    """Problems of the given sections, keyed by field path."""
    out: dict[str, list[str]] = {}
    for p in problem_list:
        head = p.path.split(".")[0].split("[")[0]
        if p.path and head in prefixes:
            out.setdefault(p.path, []).append(p.message)
    return out
