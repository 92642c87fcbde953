"""State law pinned: dated rules select by the deal's effective date, findings separate the law from
formgen's drafting policy, drafting notes reach the documents, and `formgen impact` finds the
packets a law change reaches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import formgen
from conftest import EXAMPLES, run_cli
from formgen.markup import library_prose
from formgen.inputs.deal import JURISDICTIONS
from formgen.inputs.library import Library
from formgen.word.ooxml import docx_text
from test_jurisdictions import deal_for

pytestmark = pytest.mark.slow  # slow tier: many packets

LARGEST_MARKETS = ["CA", "TX", "FL", "NY", "AZ", "NV", "IL", "NJ", "GA", "CO", "WA", "PA", "OH", "NC", "MA"]


def with_changes(src: Path, dst: Path, **changes) -> Path:
    data = yaml.safe_load(src.read_text())
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split("__")
        for key in parents:
            node = node[key]
        node[leaf] = value
    dst.write_text(yaml.safe_dump(data, sort_keys=False))
    return dst


def fee_finding(packet):
    return next(f for f in packet.findings if f.rule == "fee.percentage_of_revenue")


@pytest.mark.parametrize("effective, has_sb351", [("2025-06-01", False), ("2026-06-01", True)])
def test_sb351_applies_only_from_2026(tmp_path, effective, has_sb351):
    import datetime as dt

    deal = with_changes(
        EXAMPLES / "ca_medspa.yaml", tmp_path / "ca.yaml", deal__effective_date=dt.date.fromisoformat(effective)
    )
    packet = formgen.build(deal)
    msa = next(d for d in packet.documents if d.spec.name == "msa")
    assert ("msa.reserved.ca_sb351" in {c.id for c in msa.plan.clauses}) is has_sb351
    assert any(
        "msa.reserved.ca_sb351" in line and ("applied" if has_sb351 else "not applied") in line
        for line in packet.rules.timeline
    )


def test_explain_shows_which_dated_rules_applied(tmp_path):
    deal = with_changes(EXAMPLES / "ca_medspa.yaml", tmp_path / "ca.yaml", deal__effective_date="2025-06-01")
    result = run_cli("explain", str(deal))
    assert result.returncode == 0, result.stderr
    assert "in force on 2025-06-01, conservative drafting policy" in result.stdout
    assert (
        "the required clause “California Reserved Controls”: in force from 2026-01-01, after 2025-06-01; not applied"
    ) in result.stdout


def test_california_percentage_fee_is_a_policy_choice_not_the_law(tmp_path):
    conservative = formgen.build(EXAMPLES / "ca_medspa.yaml")
    fee = fee_finding(conservative)
    assert (fee.law, fee.severity, fee.action) == ("conditional", "warning", "replaced")
    assert "650" in fee.citation and "2273" not in fee.citation
    assert "conservative" in fee.message.lower() or "policy" in fee.message.lower()
    permissive = formgen.build(EXAMPLES / "ca_medspa.yaml", policy="permissive")
    kept = fee_finding(permissive)
    assert kept.action == "kept" and kept.severity == "warning"
    msa = docx_text(next(d for d in permissive.documents if d.spec.name == "msa").data)
    assert "15%" in msa


def test_california_non_compete_rests_on_16600(tmp_path):
    packet = formgen.build(EXAMPLES / "ca_medspa.yaml")
    nc = next(f for f in packet.findings if f.rule == "covenant.non_compete_provider")
    assert "16600" in nc.citation and nc.severity == "error" and nc.action == "replaced"


def test_new_york_practice_name_without_pc_is_refused(tmp_path):
    deal = with_changes(EXAMPLES / "ny_medspa.yaml", tmp_path / "ny.yaml", practice__name="Hudson Skin Medical")
    result = run_cli("validate", str(deal))
    assert result.returncode == 1
    assert "1512" in result.stderr and "P.C." in result.stderr


def test_florida_cites_the_osteopathic_chapter():
    rules = Library.shipped().state("FL")
    fee = rules.rule_for_tag("fee:percentage_of_revenue")
    assert "459" in fee.citation and "458" in fee.citation and fee.law == "prohibited"


def test_illinois_percentage_fee_is_prohibited_and_verified():
    fee = Library.shipped().state("IL").rule_for_tag("fee:percentage_of_revenue")
    assert fee.law == "prohibited" and fee.verified and fee.source and "22.2" in fee.citation


def test_texas_non_compete_reflects_sb_1318():
    rule = Library.shipped().state("TX").rule_for_tag("covenant:non_compete_provider")
    text = " ".join([rule.message, rule.note, rule.drafting_note, rule.citation])
    assert "15.50" in text and "1318" in text and ("five" in text.lower() or "5-mile" in text or "5 miles" in text)


@pytest.mark.parametrize("code", LARGEST_MARKETS)
def test_fee_finding_follows_the_law_in(code, tmp_path):
    """In each of the 15 largest markets the percentage fee is removed (conservatively) with a finding
    whose severity follows what the state's law says, citing that law, and the rule's drafting note
    is printed in the MSA where the fee clause was replaced."""
    rules = Library.shipped().state(code)
    rule = rules.rule_for_tag("fee:percentage_of_revenue")
    packet = formgen.build(deal_for(code, tmp_path))
    fee = fee_finding(packet)
    assert fee.law == rule.law and fee.citation == rule.citation and rule.citation
    assert fee.severity == ("error" if rule.law == "prohibited" else "warning")
    if rule.verified:
        assert rule.source, f"{code}: a verified rule must name the primary source read"
    msa = docx_text(next(d for d in packet.documents if d.spec.name == "msa").data)
    note = " ".join(library_prose(rule.drafting_note or rule.message).split())
    assert note in " ".join(msa.split())


def test_every_verified_rule_names_its_source():
    for code in LARGEST_MARKETS:
        for label, rule in Library.shipped().state(code).all_rules():
            assert not rule.verified or rule.source, f"{code} {label}: verified without a source"


def test_impact_names_oregon_and_california_deals(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    with_changes(EXAMPLES / "or_medspa.yaml", deals / "or_old.yaml", deal__effective_date="2025-07-01")
    with_changes(EXAMPLES / "ca_medspa.yaml", deals / "ca_old.yaml", deal__effective_date="2025-03-01")
    with_changes(EXAMPLES / "ny_medspa.yaml", deals / "ny_new.yaml", deal__effective_date="2027-01-01")
    formgen.batch(deals, tmp_path / "out", jobs=1)
    result = run_cli("impact", str(tmp_path / "out"), "--as-of", "2026-12-02", "--json")
    assert result.returncode == 0, result.stderr
    report = {r["packet"]: r for r in json.loads(result.stdout)}
    assert set(report) == {"or_old", "ca_old"}
    oregon = [c for c in report["or_old"]["changes"] if c["deadline"] == "2029-01-01"]
    transfer = [
        a
        for c in oregon
        for a in c["affects"]
        if a["document"] == "msa.docx" and a["clause"] == "msa.continuity.transfer_restriction"
    ]
    # the section as the MSA on disk numbers it (Word's list numbering, counted from the file)
    numbered = docx_text((tmp_path / "out" / "or_old" / "msa.docx").read_bytes(), numbered=True)
    number = transfer[0]["section"].removeprefix("Section ")
    assert f"\n{number}\tRestrictions on Transfer of Practice Interests." in numbered
    california = report["ca_old"]["changes"]
    assert any(c["key"] == "msa.reserved.ca_sb351" and c["affects"][0].get("add") for c in california)
    # the regenerated memo of an affected deal carries the law-change finding
    memo = docx_text((tmp_path / "out" / "or_old" / "compliance_memo.docx").read_bytes())
    assert "2029" in memo and "676.555" in memo


def _deal_acting_on_every_rule(code: str, basis: str, tmp_path: Path) -> Path:
    """A deal in ``code`` whose clauses carry every tagged term a state rule acts on: a ``basis`` fee,
    the provider covenants, the MSO-designated successor (transfer restriction), effective once
    every dated rule is in force."""
    path = deal_for(code, tmp_path)
    fees = {
        "percentage_of_revenue": {"percent_of_revenue": 15, "per_procedure_amount": None},
        "per_procedure": {"percent_of_revenue": None, "per_procedure_amount": 40},
    }
    return with_changes(
        path,
        tmp_path / f"{code.lower()}_{basis}.yaml",
        deal__effective_date="2026-06-01",
        fees__basis=basis,
        succession__designated_by="mso",
        **{f"fees__{k}": v for k, v in fees[basis].items()},
    )


@pytest.mark.slow
@pytest.mark.parametrize("code", sorted(JURISDICTIONS))
def test_every_rule_prints_its_drafting_note_where_it_acts(code, tmp_path):
    """Each clause rule of the state (its own and the default's it inherits) acts on a tagged clause
    of a deal that carries the term, and its drafting note (or, without one, its message) is printed
    in every rendered document it acted on."""
    rules = Library.shipped().state(code)
    acted: dict[str, set[str]] = {}
    for basis in ("percentage_of_revenue", "per_procedure"):
        packet = formgen.build(_deal_acting_on_every_rule(code, basis, tmp_path))
        for document in packet.documents:
            text = " ".join(docx_text(document.data).split())
            for decision in document.plan.decisions:
                if decision.rule is None:
                    continue
                note = " ".join(library_prose(decision.rule.drafting_note or decision.rule.message).split())
                assert note in text, f"{code} {decision.rule.tag}: note missing from {document.spec.filename}"
                acted.setdefault(decision.rule.tag, set()).add(document.spec.filename)
    never = [r.tag for r in rules.clause_rules if r.tag not in acted]
    assert not never, f"{code}: rules that acted on no clause of a deal carrying every term: {never}"


def deal_with_co_owner(code: str, tmp_path: Path, license_type: str) -> Path:
    """The CA example moved to ``code``, with a second owner holding 30% under ``license_type``."""
    path = deal_for(code, tmp_path)
    data = yaml.safe_load(path.read_text())
    owners = data["practice"]["owners"]
    owners[0]["percent"] = 70
    owners.append(
        {"name": "Jordan Lee", "license": {"type": license_type, "state": code, "number": "P99887"}, "percent": 30}
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    "code, name, allows, statute",
    [
        # § 55B-14(c) lets a physician own a practice with a PA or with NPs
        ("NC", "North Carolina", "at least one MD/DO owner, with PA/NP co-owners", "55B-14(c)"),
        # RCW 18.100.050(5)(a) lets the listed health professions own one corporation together
        ("WA", "Washington", "at least one MD/DO owner, with PA/NP/RN/DPM/DC co-owners", "18.100.050"),
        # A.R.S. § 10-2220(A)(4): persons other than the licensees may hold up to 49% of the voting shares
        ("AZ", "Arizona", "MD/DO owners holding at least 51%, with DPM/PA/NP/RN/DDS/DC co-owners", "10-2220"),
    ],
)
def test_ownership_separates_the_law_from_formgens_policy(code, name, allows, statute, tmp_path):
    """The default policy refuses a physician practice with a PA co-owner and says it is formgen's policy,
    not the law; --policy permissive drafts it with an info finding citing the statute."""
    deal = deal_with_co_owner(code, tmp_path, "PA")
    refused = run_cli("validate", str(deal))
    assert refused.returncode == 1
    assert "formgen’s conservative policy refuses this ownership" in refused.stderr
    assert f"though {name} law allows it ({allows}" in refused.stderr
    assert "--policy permissive" in refused.stderr and statute in refused.stderr

    packet = formgen.build(deal, policy="permissive")
    allowed = next(f for f in packet.findings if f.rule == "owners.policy")
    assert (allowed.severity, allowed.law) == ("info", "conditional") and statute in allowed.citation
    assert allows.split(", ")[1] in allowed.message and allowed.verified
    assert not any(f.blocking for f in packet.findings)


@pytest.mark.parametrize(
    "code, license_type",
    [
        ("NC", "RN"),  # § 55B-14(c) pairs a physician with no RN
        ("WA", "DDS"),
    ],
)  # RCW 18.100.050(5)(a) does not list dentistry
def test_an_owner_the_law_itself_refuses_is_refused_under_either_policy(code, license_type, tmp_path):
    deal = deal_with_co_owner(code, tmp_path, license_type)
    for policy in ("conservative", "permissive"):
        result = run_cli("validate", "--policy", policy, str(deal))
        assert result.returncode == 1 and f"{license_type} license, which may not own" in result.stderr
        assert "conservative policy" not in result.stderr


def test_the_research_appendix_lists_the_good_faith_exam():
    """The good-faith examination rule reaches the research appendix with its authority and verified flag,
    like every other rule the packet applied (issue 24: it was missing from all_rules())."""
    packet = formgen.build(EXAMPLES / "fl_medspa.yaml")
    appendix = " ".join(docx_text(next(d for d in packet.documents if d.spec.name == "research_appendix").data).split())
    exam = Library.shipped().state("FL").good_faith_exam
    label = "Good-faith examination (who performs it, renewal, telehealth)"  # not the scope-of-practice row
    assert exam is not None and label in appendix
    row = appendix[appendix.index(label) :][:300]
    assert "458.347" in row and "Fla. Stat." in row
