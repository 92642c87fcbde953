"""Non-compete and scope-of-practice rules as data (#24 items 3-4): every one of the 15 markets
has both sections with every entry cited, the schema refuses bad entries naming the file and
field, `formgen states` prints them, and the MSA covenant and the memo follow the rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import EXAMPLES, run_cli, states_with
from formgen.drafting.covenants import covenant_findings
from formgen.api import build as build_packet
from formgen.errors import InputError
from formgen.inputs.practice_law import TREATMENT_CLASSES
from formgen.inputs.library import Library
from formgen.inputs.states import read_state
from formgen.word.ooxml import docx_text
from test_jurisdictions import deal_for
from test_law import LARGEST_MARKETS, with_changes


@pytest.mark.parametrize("code", LARGEST_MARKETS)
def test_every_market_has_both_sections_each_entry_cited(code):
    rules = Library.shipped().state(code)
    assert rules.noncompete is not None and rules.scope_of_practice is not None, code
    entries = [(f"non-compete {kind}", c) for kind, c in rules.noncompete.entries()]
    entries += [(f"scope {key}", e) for key, e in rules.scope_of_practice.entries()]
    assert {key for key, _ in rules.scope_of_practice.entries()} == set(TREATMENT_CLASSES)
    for label, entry in entries:
        assert entry.citation.strip(), f"{code} {label}: no citation"
        assert entry.note.strip(), f"{code} {label}: no note saying what was read or what it rests on"
        assert not entry.verified or entry.source.strip(), f"{code} {label}: verified without a source"


@pytest.mark.parametrize(
    "edit, field, words",
    [
        (
            lambda d: d["noncompete"]["owner"][0].update(status="void", max_months=12),
            "noncompete.owner[0]",
            "a void covenant has no limits to meet",
        ),
        (
            lambda d: d["noncompete"]["owner"][0].update(status="limited", signed_writing=False, conditions=[]),
            "noncompete.owner[0]",
            "a limited covenant needs the limits",
        ),
        (
            lambda d: d["noncompete"]["provider"].append(dict(d["noncompete"]["provider"][0])),
            "noncompete.provider",
            "entries overlap in time",
        ),
        (
            lambda d: d["scope_of_practice"]["neuromodulators"].update(performers=["MD", "esthetician"]),
            "scope_of_practice.neuromodulators.performers[1]",
            "'aesthetician'",
        ),
        (
            lambda d: d["scope_of_practice"]["lasers_ipl"].update(supervision="on_site", delegated_by=[]),
            "scope_of_practice.lasers_ipl",
            "needs delegated_by",
        ),
        (lambda d: d["scope_of_practice"].pop("iv_therapy"), "scope_of_practice.iv_therapy", "Field required"),
    ],
)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_schema_refuses_a_bad_entry_naming_file_and_field(tmp_path, edit, field, words):
    states = states_with(tmp_path, "FL", edit)
    with pytest.raises(InputError) as caught:
        read_state("FL", states)
    problems = caught.value.problems
    assert any(p.file.endswith("FL.yaml") and p.path == field and words in p.message and p.line for p in problems), (
        problems
    )


def test_states_fl_prints_the_non_compete_rule_and_the_scope_table():
    result = run_cli("states", "FL")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Non-compete" in out and "§ 542.335(1)(a)-(c); verified" in out and "signed writing" in out
    assert "Scope of practice" in out and "Neuromodulators (botulinum toxin)" in out and "on site" in out
    assert "§ 458.348" in out  # the instrument under Florida's own name
    assert "research:" not in out and "formgen states FL --sources" in out  # the rules, not the research record
    sources = run_cli("states", "FL", "--sources")
    assert sources.returncode == 0 and "research: Read in December 2026: § 542.335(1) opening" in sources.stdout


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_florida_memo_analyses_the_covenant_it_keeps():
    packet = build_packet(EXAMPLES / "fl_medspa.yaml")
    texts = {d.spec.name: " ".join(docx_text(d.data).split()) for d in packet.documents}
    memo, msa = texts["compliance_memo"], texts["msa"]
    assert "COVENANT NOT TO COMPETE" in memo.upper()
    assert "keeps the Practice’s covenant not to compete" in memo and "binds the Practice only" in memo
    assert "Florida enforces it only as far as it is reasonable" in memo and "Florida law." in memo
    assert "Clinician agreements." in memo and "542.336; unverified)." in memo
    assert "writing signed by each person it restrains" in memo
    assert "Non-Competition" in msa and "Practice shall not, directly or through an Affiliate" in msa
    finding = next(f for f in packet.findings if f.rule == "covenant.non_compete")
    assert finding.verified and "542.335" in finding.citation


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_void_owner_covenant_replaces_the_msa_covenant(tmp_path):
    """Massachusetts sets no clause rule of its own: its non-compete section (c. 112 § 12X) does it."""
    rules = Library.shipped().rules_for("MA", dt.date(2027, 1, 1))
    rule = rules.rule_for_tag("covenant:non_compete_provider")
    assert rule is not None and rule.action == "replace" and "12X" in rule.citation
    assert "keeps no covenant not to compete" in covenant_findings(rules)[0].message
    result = run_cli("explain", str(deal_for("MA", tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    msa = next(d for d in json.loads(result.stdout)["documents"] if d["name"] == "msa")
    included = {c["id"]: c["included"] for c in msa["clauses"]}
    assert included["msa.covenants.non_compete"] is False and included["msa.covenants.confidentiality_only"] is True


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_limited_owner_covenant_limits_the_msa_covenant(tmp_path):
    """Texas before S.B. 1318 (2025-09-01): the MSA keeps the Practice's covenant; the memo states the
    buyout and patient access § 15.50(b) asks of a covenant that binds a physician personally."""
    deal = with_changes(EXAMPLES / "tx_medspa.yaml", tmp_path / "tx.yaml", deal__effective_date="2025-06-01")
    texts = {d.spec.name: " ".join(docx_text(d.data).split()) for d in build_packet(deal).documents}
    assert "Practice shall not, directly or through an Affiliate, own, manage" in texts["msa"]
    memo = texts["compliance_memo"]
    assert "binds the Practice only" in memo and "buyout" in memo and "patient" in memo
    later = Library.shipped().rules_for("TX", dt.date(2026, 1, 1))
    assert later.owner_covenant().max_radius_miles == 5 and later.owner_covenant().max_months == 12


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_medical_director_agreement_names_the_states_instruments(tmp_path):
    packet = build_packet(deal_for("CA", tmp_path))
    mda = next(d for d in packet.documents if d.spec.name == "medical_director_agreement")
    text = " ".join(docx_text(mda.data).split())
    assert "within the ratios and by the methods that law sets, including standardized procedures" in text
    assert "as that law now stands, no more than eight physician assistants supervised by one physician" in text
