"""No rule is verified without its source: every mapping in every state file (the default included)
that says `verified: true` names the primary text read (`source`: what, and the address or stored
file where it was read) and the day it was read (`read_on`); the research record lists, per state,
what was verified, where and when, and why the rest is not."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from formgen.inputs.library import Library
from formgen.inputs.states import research_record

STATE_FILES = sorted(Library.shipped().states_dir.glob("*.yaml"))
LARGEST_MARKETS = ["CA", "TX", "FL", "NY", "AZ", "NV", "IL", "NJ", "GA", "CO", "WA", "PA", "OH", "NC", "MA"]


def verified_mappings(node, where: str = ""):
    """(dotted path, mapping) for every mapping in a parsed YAML tree that says `verified: true`,
    whatever section it sits in."""
    if isinstance(node, dict):
        if node.get("verified") is True:
            yield where, node
        for key, value in node.items():
            yield from verified_mappings(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            key = value.get("tag") or value.get("id") or value.get("form") if isinstance(value, dict) else None
            yield from verified_mappings(value, f"{where}[{key or i}]")


def test_every_state_file_is_checked():
    assert len(STATE_FILES) >= 52 and any(p.name == "_default.yaml" for p in STATE_FILES)


@pytest.mark.parametrize("path", STATE_FILES, ids=lambda p: p.stem)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_no_rule_is_verified_without_a_source(path: Path):
    problems = []
    for where, rule in verified_mappings(yaml.safe_load(path.read_text())):
        if not str(rule.get("citation") or "").strip():
            problems.append(f"{where}: verified without a citation")
        if not str(rule.get("source") or "").strip():
            problems.append(f"{where}: verified without a source (the text read, and where)")
        if not isinstance(rule.get("read_on"), dt.date):
            problems.append(f"{where}: verified without read_on (the day the text was read, YYYY-MM-DD)")
    assert not problems, f"{path.name}:\n" + "\n".join(problems)


def test_the_check_finds_a_verified_rule_without_a_source():
    data = {
        "fee_splitting": {"citation": "X § 1", "verified": True},
        "scope_of_practice": [{"id": "lasers", "citation": "Y", "verified": True, "source": "Y — y.gov"}],
    }
    assert [w for w, _ in verified_mappings(data)] == ["fee_splitting", "scope_of_practice[lasers]"]


def test_research_record_lists_each_rule_with_where_and_when_it_was_read():
    record = research_record(Library.shipped().state("IL"))
    fee = next(e for e in record if e.label == "Fee splitting")
    assert fee.verified and "22.2" in fee.citation and "ilga.gov" in fee.source and fee.read_on
    corporation = next(e for e in record if e.label.startswith("Entity form: medical corporation"))
    assert not corporation.verified and not corporation.source and "secondary source" in corporation.why
    assert len(record) == len(Library.shipped().state("IL").all_rules())


@pytest.mark.parametrize("code", LARGEST_MARKETS)
def test_every_unverified_acting_rule_says_why(code):
    """In the 15 largest markets an acting rule that is not verified says, in its note, what it rests on."""
    rules = Library.shipped().state(code)
    silent = [label for label, rule in rules.acting_rules() if not rule.verified and not rule.note.strip()]
    assert not silent, f"{code}: unverified acting rules without a note: {silent}"


def acting_rule_counts() -> dict[str, tuple[int, int]]:
    """Per state: (acting rules verified, acting rules)."""
    counts = {}
    for code in LARGEST_MARKETS:
        acting = Library.shipped().state(code).acting_rules()
        counts[code] = (sum(rule.verified for _, rule in acting), len(acting))
    return counts


def test_acting_rules_verified_in_the_15_markets():
    """Acting rules of the 15 markets verified from a primary text: 33 of 82 before issue 24, 42 after pass F,
    43 of 83 after pass G, 46 of 83 after pass H (the issue's target of 60 is not met: the texts the other rules
    need were not found, see docs/state-research-2026-12-f.md, -g.md and -h.md). The floor keeps a verification
    from being lost unnoticed; `pytest -s` prints the count per state."""
    counts = acting_rule_counts()
    for code, (verified, total) in counts.items():
        print(f"{code}: {verified}/{total}")
    verified = sum(v for v, _ in counts.values())
    total = sum(t for _, t in counts.values())
    print(f"total: {verified}/{total}")
    assert verified >= 46, f"{verified} of {total} acting rules verified"


@pytest.mark.parametrize("code", LARGEST_MARKETS)
def test_the_research_record_lists_the_good_faith_exam(code):
    """The good-faith examination rule (who performs it, how often, telehealth) is a rule like the others:
    the memo's research appendix lists it with its citation and whether it was verified."""
    rules = Library.shipped().state(code)
    assert rules.good_faith_exam is not None
    entries = [e for e in research_record(rules) if e.label.startswith("Good-faith examination (")]
    assert len(entries) == 1
    assert (
        entries[0].citation == rules.good_faith_exam.citation and entries[0].verified == rules.good_faith_exam.verified
    )


def test_pass_h_verifications_name_the_text_read():
    """Pass H: New York's percentage-fee rule rests on Education Law § 6530(19), read in the text of the bill that
    reproduces it; New Jersey's ownership rule on N.J.S.A. 14A:17-10(a); the Texas PLLC name designation on the
    chapter 5 name section (its number unconfirmed, so not cited). Each says what the text says."""
    ny = Library.shipped().state("NY").rule_for_tag("fee:percentage_of_revenue")
    assert ny is not None and ny.verified and ny.law == "prohibited" and "6530(19)" in ny.citation
    assert "A715A" in ny.source and ny.read_on == dt.date(2026, 12, 7)
    assert "constitutes a percentage of, or is otherwise dependent upon" in " ".join(ny.note.split())
    per_procedure = Library.shipped().state("NY").rule_for_tag("fee:per_procedure")
    assert per_procedure is not None and not per_procedure.verified  # the text does not decide a flat per-unit fee
    nj = Library.shipped().state("NJ").ownership
    assert nj.verified and nj.citation.startswith("N.J.S.A. 14A:17-10(a)") and "legalfix.com" in nj.source
    assert nj.owner_license_types == ["MD", "DO"] and nj.majority_min_percent == 100
    pllc = next(f for f in Library.shipped().state("TX").entity_forms if f.form == "pllc")
    assert pllc.verified and pllc.suffix_mandatory and "ch. 5, subch. B" in pllc.citation and "onecle" in pllc.source
    assert "must contain: (1) the phrase 'professional limited liability company'" in " ".join(pllc.note.split())
