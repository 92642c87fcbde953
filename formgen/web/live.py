"""What the interview shows while the user answers: the state's rules for the current answers
and the loader's own problems for the draft, through the public library functions."""

from __future__ import annotations

import io
import json
import re
import tempfile
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..api import validate
from ..drafting.compliance import forbidden_words_in, suffix_ok
from ..drafting.validation import check as check_deal_file
from ..errors import FormgenError, InputError, Problem
from ..inputs.deal import PRACTICE_ENTITY_ALIASES
from . import interview
from .answers import value_at
from .drafts import yaml_rt


def state_rules(library, code):
    """The state's rules, or None for a missing or unknown code."""
    if not isinstance(code, str) or len(code.strip()) != 2:
        return None
    try:
        return library.state(code.strip().upper())
    except FormgenError:
        return None


def state_json(library, rules) -> dict:
    """The rules the interview applies while answering (the /api/state endpoint)."""
    return {
        "code": rules.code,
        "name": rules.name,
        "researched": rules.researched,
        "cpom": rules.cpom,
        "summary": rules.summary,
        "entity_forms": [
            {"form": f.form.value, "label": f.label, "suffixes": f.suffixes, "citation": f.citation}
            for f in rules.entity_forms
        ],
        "ownership": {
            "owner_license_types": [t.value for t in rules.ownership.owner_license_types],
            "majority_min_percent": rules.ownership.majority_min_percent,
            "minority_license_types": [t.value for t in rules.ownership.minority_license_types],
            "citation": rules.ownership.citation,
            "note": rules.ownership.note,
        },
        "fees": {
            basis: fee_rule(library, rules, basis)
            for basis in ("fixed_monthly", "cost_plus", "hourly", "percentage_of_revenue", "per_procedure")
        },
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
    return {
        "severity": rule.severity,
        "action": rule.action,
        "message": " ".join(rule.message.split()),
        "replacement": replacement,
        "drafting_note": " ".join(rule.drafting_note.split()),
        "citation": rule.citation,
        "verified": rule.verified,
    }


def ownership_tally(data, rules) -> dict | None:
    """Share held by the owners the state lets control the practice, from the answers so far."""
    owners = value_at(data, "practice.owners")
    if rules is None or not isinstance(owners, list):
        return None
    majority = {t.value for t in rules.ownership.owner_license_types}
    total = controlling = Decimal(0)
    for owner in owners:
        try:
            share = (
                Decimal(str(owner.get("percent")))
                if isinstance(owner, dict) and owner.get("percent") is not None
                else Decimal(0)
            )
        except InvalidOperation:
            share = Decimal(0)
        total += share
        license = owner.get("license") if isinstance(owner, dict) else None
        if isinstance(license, dict) and license.get("type") in majority:
            controlling += share
    need = rules.ownership.majority_min_percent
    return {
        "total": f"{total.normalize():f}",
        "controlling": f"{controlling.normalize():f}",
        "who": "/".join(sorted(majority)),
        "need": need,
        "ok": controlling >= need and total == 100,
    }


def live_info(library, data) -> dict:
    """Everything the live panels show for the current answers."""
    rules = state_rules(library, value_at(data, "deal.state"))
    basis = value_at(data, "fees.basis")
    form = value_at(data, "practice.entity_type")
    form = (
        PRACTICE_ENTITY_ALIASES.get(form.strip().lower(), form) if isinstance(form, str) else form
    )  # "pc", as the CLI reads it
    chosen = next((f for f in rules.entity_forms if f.form.value == form), None) if rules else None
    name = value_at(data, "practice.name")
    name_ok, name_words = None, []
    if chosen is not None and isinstance(name, str) and name.strip():
        name_ok = suffix_ok(name, chosen.suffixes)  # the very tests validate applies
        name_words = forbidden_words_in(name, chosen)
    return {
        "rules": rules,
        "fee": fee_rule(library, rules, basis) if rules else None,
        "basis": basis,
        "form": chosen,
        "tally": ownership_tally(data, rules),
        "name_ok": name_ok,
        "name_words": name_words,
    }


def problems(library, deal_path: Path, shown_name: str = "deal.yaml") -> tuple[list, list]:
    """(problems, findings) for the draft file, from formgen.api.validate: the CLI's messages."""
    try:
        _deal, _rules, findings = validate(deal_path, library=library)
    except InputError as exc:
        return [_renamed(p, deal_path, shown_name) for p in exc.problems], []
    except (FormgenError, ValueError, RecursionError) as exc:
        return [Problem(shown_name, "", str(exc))], []
    return [], findings


def _renamed(problem, deal_path: Path, shown_name: str):
    """The problem with the server's draft path replaced by the name the user knows."""
    return replace(problem, file=shown_name) if problem.file == str(deal_path) else problem


def by_field(problem_list, prefixes: list[str]) -> dict[str, list[str]]:
    """Problems of the given sections, keyed by field path."""
    out: dict[str, list[str]] = {}
    for p in problem_list:
        head = p.path.split(".")[0].split("[")[0]
        if p.path and head in prefixes:
            out.setdefault(p.path, []).append(p.message)
    return out


# ---------------------------------------------------------------- checks of one step


# Sections a step's check fills in when a later step has not been answered yet, so that the
# state's rules (ownership, sums, names) run on this step's answers at once, as `formgen validate`
# would once everything is filled. Their own problems are never shown: only the step's are.
def _stand_ins(library, code: str, effective_date) -> dict:
    rules = state_rules(library, code) or state_rules(library, "CA")
    state = rules.code
    form = rules.entity_forms[0]
    license_type = rules.ownership.owner_license_types[0].value
    person = "Stand-in Person"
    return {
        "deal": {"name": "Stand-in", "state": state, "effective_date": effective_date or "2030-01-01"},
        "mso": {
            "name": "Stand-in Management, LLC",
            "entity_type": "llc",
            "formation_state": state,
            "address": "1 Stand-in Street",
            "members": [{"name": person, "percent": 100}],
            "signatory": {"name": person, "title": "Manager"},
        },
        "practice": {
            "name": f"Stand-in Practice {form.suffixes[0]}",
            "entity_type": form.form.value,
            "formation_state": state,
            "address": "1 Stand-in Street",
            "owners": [
                {"name": person, "license": {"type": license_type, "state": state, "number": "S-1"}, "percent": 100}
            ],
            "medical_director": person,
            "signatory": {"name": person, "title": "President"},
        },
        "services": ["administrative"],
        "fees": {"basis": "fixed_monthly", "monthly_amount": 1000, "fmv_review": "annual"},
        "term": {"initial_years": 5, "renewal_years": 1, "termination_without_cause_days": 90},
    }


def step_errors(library, data, step, work: Path, *, show_missing: bool) -> dict[str, list[str]]:
    """The problems of one step's fields, as sentences, keyed by field path: every check
    `formgen validate` runs on them (the loader's, the state's ownership, sum and name rules),
    with the steps after it not answered yet stood in for. ``show_missing``: also the answers
    still missing (after Next; not while the user is typing)."""
    steps = interview.steps()
    answered = {name for s in steps[: steps.index(step) + 1] for name in s.sections}
    problem_list = stood_in_problems(library, data, answered, work)
    out: dict[str, list[str]] = {}
    for p in problem_list:
        if p.path and section_of(p.path) in step.sections and (show_missing or p.message != MISSING):
            out.setdefault(p.path, []).append(sentence(p.message))
    return out


def stood_in_problems(library, data, kept: set[str], work: Path) -> list:
    """The deal-level problems of the draft with every section not in ``kept`` stood in for."""
    copy = {k: v for k, v in data.items()} if isinstance(data, dict) else {}
    deal = copy.get("deal") if isinstance(copy.get("deal"), dict) else {}
    stand_ins = _stand_ins(
        library, deal.get("state") if isinstance(deal.get("state"), str) else "CA", deal.get("effective_date")
    )
    for name, value in stand_ins.items():
        if name not in kept:
            copy[name] = value
    path = work / "deal.yaml"
    buffer = io.StringIO()
    yaml_rt().dump(copy, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        check_deal_file(path, "conservative", library)
    except InputError as exc:
        return list(exc.problems)
    except (FormgenError, ValueError, RecursionError) as exc:
        return [Problem("deal.yaml", "", str(exc))]
    return []


def section_of(path: str) -> str:
    return path.split(".")[0].split("[")[0]


def check_upload(library, data: bytes, suffix: str, shown: str, root: Path):
    """An uploaded deal file: its parsed content (JSON) or True when it can be kept; the list of
    whole-file problems (as the CLI words them) when it cannot."""
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        check = Path(tmp) / f"deal{suffix}"  # fixed name: the user's name is only shown
        check.write_bytes(data)
        found, _ = problems(library, check, shown)
    whole_file = [str(p) for p in found if not p.path]
    if whole_file:
        return whole_file
    try:
        text = data.decode("utf-8")
        return json.loads(text) if suffix == ".json" else True
    except (UnicodeDecodeError, ValueError, RecursionError):
        return [f"{shown}: is not a UTF-8 text file a deal could be read from"]


MISSING = "is required but missing"
_REWRITES = [
    (re.compile(r"^is required but missing$"), lambda m: "This answer is needed."),
    (
        re.compile(r"^input should be a valid (decimal|number|integer)\b.*"),
        lambda m: "Enter a number, e.g. 150,000, $150,000 or 10%.",
    ),
    (
        re.compile(r"^list should have at least (\d+) items? after validation.*"),
        lambda m: f"Add at least {m.group(1)}.",
    ),
    (re.compile(r"^input should be greater than or equal to ([0-9.]+).*"), lambda m: f"Enter {m.group(1)} or more."),
    (re.compile(r"^input should be greater than ([0-9.]+).*"), lambda m: f"Enter a number above {m.group(1)}."),
    (re.compile(r"^input should be less than or equal to ([0-9.]+).*"), lambda m: f"Enter at most {m.group(1)}."),
    (
        re.compile(r"^decimal input should have no more than (\d+) decimal places?.*"),
        lambda m: f"Use at most {m.group(1)} digits after the decimal point.",
    ),
    (re.compile(r"^input should be a valid date.*"), lambda m: "Enter a date (year-month-day)."),
    (re.compile(r"^input should be a valid string.*"), lambda m: "Enter text here."),
    (
        re.compile(r"^input should be (('[^']*'(, | or )?)+)( \(got .*\))?$"),
        lambda m: "Choose one of: " + _choices(m.group(1)) + ".",
    ),
    (re.compile(r"^extra inputs are not permitted.*"), lambda m: "formgen does not know this answer; remove it."),
]


def _choices(quoted: str) -> str:
    names = [interview.choice_label(v) for v in re.findall(r"'([^']*)'", quoted)]
    return ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]


def sentence(message: str) -> str:
    """A loader message as a sentence a lawyer reads (pydantic's wording rewritten); the
    loader's own sentences (ownership, sums, names) stay as they are, capitalized."""
    for pattern, rewrite in _REWRITES:
        found = pattern.match(message)
        if found:
            return rewrite(found)
    return message[:1].upper() + message[1:] if message else message


def plain(problem) -> dict:
    """A problem for the review page: where (the field's label), what (a sentence), the step."""
    return {
        "where": interview.field_title(problem.path) if problem.path else problem.file,
        "message": sentence(problem.message),
        "path": problem.path,
    }
