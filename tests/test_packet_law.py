"""Issue 23, the items a healthcare lawyer still saw in the example packets (defects list, packet4):
each test reads the drafted text of an example packet (or a state variant) and fails on the old wording."""

from __future__ import annotations

import re

import yaml

from conftest import EXAMPLES
from formgen.drafting.packet import checklist_items
from formgen.drafting.validation import check
from formgen.inputs.library import Library
from test_packet_system import drafted, write_deal


def flat(text: str) -> str:
    return " ".join(text.split())


# ---- 11(d): "Transfer Events." is a numbered section of the MSA, not a run-in paragraph ----


def test_transfer_events_is_a_numbered_msa_section_and_the_restriction_points_at_it():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    lines = texts["msa"].splitlines()
    events = next(line for line in lines if '(each, a "Transfer Event")' in line)
    assert re.match(r"15\.3 Transfer Events\. If any of the following events", events), events
    assert "after a Transfer Event (Section 15.3)." in texts["msa"]
    assert "Nothing in this Section 15.3 or in Section 15.2 gives MSO" in flat(texts["msa"])


# ---- 11(a), 11(b): the California checklist and the trademark license ----


def ca_checklist() -> dict[str, dict]:
    deal, rules, _ = check(EXAMPLES / "ca_medspa.yaml", "conservative", Library.shipped())
    return {row["id"]: row for row in checklist_items(deal, rules)}


def test_the_california_checklist_asks_for_the_fictitious_name_permit_not_a_medical_board_registration():
    task = flat(ca_checklist()["practice_formation"]["task"])
    assert "register the corporation" not in task and "does not register medical corporations" in task
    assert "fictitious-name permit (B&P § 2415)" in task


def test_the_california_franchise_tax_is_dated_from_each_entitys_formation_by_its_own_rule():
    rows = ca_checklist()  # both entities formed November 2, 2026; effective January 1, 2027
    assert "ca_franchise_tax" not in rows  # was "Annually from January 1, 2028", a year late
    llc, corporation = rows["ca_franchise_tax_llc"], rows["ca_franchise_tax_corporation"]
    assert llc["entity"] == "Glow Management, LLC" and llc["due"] == "By April 15 each year, first February 15, 2027"
    assert corporation["entity"] == "Glow Medical Corporation"
    assert corporation["due"] == "By April 15 each year, first April 15, 2027"  # no minimum tax for the first year
    assert not llc["verified"] and not corporation["verified"]


def test_the_trademark_license_leaves_the_practice_its_own_legal_name():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")  # "Glow Medical Corporation" licenses "Glow Aesthetics"
    text = flat(texts["trademark_license"])
    assert "Licensee's legal name, Glow Medical Corporation, is not a Mark" in text
    assert "nothing in this Agreement requires Licensee to change it" in text
    assert "adopt a name that is not confusingly similar" not in text
    assert "other than its own legal name as Section 1.4 provides" in text
    assert "Licensee keeps its legal name under Section 1.4" in text


# ---- 11(c): the BAA asks for the immediate notice the state's breach statute requires of a vendor ----


def test_the_baa_asks_for_immediate_notice_where_the_state_statute_requires_it():
    expected = {
        "ca_medspa": "Cal. Civ. Code § 1798.82(b)",
        "tx_medspa": "Tex. Bus. & Com. Code § 521.053(c)",
        "ny_medspa": "N.Y. Gen. Bus. Law § 899-aa(3)",
    }
    for stem, citation in expected.items():
        baa = flat(drafted(EXAMPLES / f"{stem}.yaml")[0]["baa"])
        assert "by telephone or e-mail immediately following discovery" in baa, stem
        assert f"information it does not own ({citation})" in baa, stem
        assert f"{citation} was read only in a secondary source" in baa, stem  # unverified: a drafting note
        assert "in no case later than five (5) days after discovery" in baa  # the HIPAA outer limit stays
    florida = flat(drafted(EXAMPLES / "fl_medspa.yaml")[0]["baa"])  # 10 days there: five days already meets it
    assert "immediately following discovery" not in florida


# ---- 9: each state's vocabulary for the agent for process, in the charters and the governing documents ----


def test_governing_documents_name_the_agent_for_process_in_the_formation_states_words():
    ca, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    for name in ("practice_bylaws", "mso_operating_agreement"):
        text = flat(ca[name])
        assert "registered office" not in text and "registered agent" not in text, name
        assert "maintains the agent for service of process named in the" in text, name
    ny, _ = drafted(EXAMPLES / "ny_medspa.yaml")
    for name in ("practice_bylaws", "mso_operating_agreement"):
        text = flat(ny[name])
        assert "registered office" not in text, name
        assert "The Secretary of State of New York is the" in text and "agent upon whom process against it" in text
    tx, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # elsewhere a registered agent at a registered office
    assert "maintains the registered office and registered agent" in tx["mso_operating_agreement"]


def test_the_new_york_certificates_state_the_county_the_example_gives():
    ny, _ = drafted(EXAMPLES / "ny_medspa.yaml")
    assert "The office is to be located in the County of New York, New York." in ny["mso_articles"]
    assert "is to be located in the County of New York, New York." in ny["practice_articles"]
    assert "[county]" not in ny["mso_articles"] + ny["practice_articles"]


# ---- 6: the covenant's legitimate business interest (Fla. Stat. § 542.335) and its radius ----


def test_the_msa_covenant_names_the_msos_legitimate_interests_without_conceding_them_away():
    for stem in ("fl_medspa", "ny_medspa"):
        msa = flat(drafted(EXAMPLES / f"{stem}.yaml")[0]["msa"])
        assert "the goodwill of Practice's professional practice belongs to Practice" not in msa, stem
        assert "necessary to protect MSO's legitimate business interests, namely its Confidential Information" in msa
        assert "the goodwill associated with the Premises' location and the marketing area MSO develops" in msa


def test_the_covenant_radius_comes_from_the_deal_and_stays_a_blank_without_it(tmp_path):
    florida = drafted(EXAMPLES / "fl_medspa.yaml")[0]  # deal.non_compete_radius_miles: 10
    for name in ("msa", "owner_covenant"):
        assert "within ten (10) miles of the Premises" in florida[name] and "[ten (10)]" not in florida[name]
    path = write_deal(tmp_path, "fl_medspa", **{"deal.non_compete_radius_miles": None})
    assert "within [ten (10)] miles of the Premises" in drafted(path)[0]["msa"]
    path = write_deal(tmp_path, "fl_medspa", **{"deal.non_compete_radius_miles": 25})
    assert "within twenty-five (25) miles of the Premises" in drafted(path)[0]["msa"]


# ---- 5 (FL D.O.): the license named for each physician is the one the state issues under its own act ----


def test_a_florida_do_holds_a_license_to_practice_osteopathic_medicine_in_every_document():
    fl, _ = drafted(EXAMPLES / "fl_medspa.yaml")  # Samuel Greene, D.O., sole owner and medical director
    chapter_459 = "license to practice osteopathic medicine in Florida under chapter 459 of the Florida Statutes"
    assert f"Physician shall hold a current, unrestricted {chapter_459}" in flat(fl["medical_director_agreement"])
    assert f"the Director is a physician holding a current, unrestricted {chapter_459}" in flat(fl["practice_consent"])
    assert chapter_459 in flat(fl["practice_bylaws"])
    for name in ("medical_director_agreement", "practice_consent"):
        assert "license to practice medicine in Florida" not in flat(fl[name]), name
    tx, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # elsewhere the general words stay
    assert "current, unrestricted license to practice medicine in Texas" in flat(tx["medical_director_agreement"])


# ---- 5 (NY): BCL §§ 1509-1511 drafted into the bylaws, not pointed at ----


def test_new_york_bylaws_draft_the_six_month_purchase_the_price_rule_and_board_approval_of_transfers():
    bylaws = flat(drafted(EXAMPLES / "ny_medspa.yaml")[0]["practice_bylaws"])
    assert "within the period the statute fixes" not in bylaws  # the old pointer
    assert "within six (6) months after the appointment of the executor, administrator or other legal" in bylaws
    assert "replace the statute's price (the book value of the shares at the end of the month before" in bylaws
    assert "reasonable attorneys' fees and costs" in bylaws and "(N.Y. Bus. Corp. Law § 1510(a))" in bylaws
    assert "no sale or transfer other than by operation of law or court decree may be made until the Board" in bylaws
    assert "within sixty (60) days after written notice of the transfer" in bylaws
    assert "(N.Y. Bus. Corp. Law § 1511(a))" in bylaws and "(N.Y. Bus. Corp. Law § 1509)" in bylaws
    rules = {p.id: p for p in Library.shipped().state("NY").governance.provisions}
    assert rules["ny_bcl_1510"].verified and not rules["ny_bcl_1511"].verified and not rules["ny_bcl_1509"].verified


# ---- 5 (IL): 805 ILCS 15/13 drafted into the bylaws ----


def test_illinois_bylaws_draft_who_may_hold_shares_and_serve_under_the_medical_corporation_act(tmp_path):
    from test_fifteen_states import deal_data

    path = tmp_path / "il.yaml"
    path.write_text(yaml.safe_dump(deal_data("IL", "three_owners"), sort_keys=False))
    bylaws = flat(drafted(path)[0]["practice_bylaws"])
    assert "The Practice complies with section 13 of the Medical Corporation Act" not in bylaws  # the old pointer
    assert "director and officer of the Practice is at all times an individual licensed under the Illinois" in bylaws
    assert "no one who is not so licensed has any part in the ownership, management or control" in bylaws
    assert "no {owner} may enter into a voting trust".replace("{owner}", "Shareholder") in bylaws
    assert "(805 ILCS 15/13)" in bylaws


# ---- 5 (TX): physicians alone choose who finds a physician disabled; the only physician is never redeemed ----


def test_in_texas_the_physician_assistant_never_picks_the_doctor_who_finds_the_physician_disabled():
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # an 80% physician and a 20% physician assistant
    for name in ("continuity_agreement", "practice_operating_agreement", "msa"):
        text = flat(texts[name])
        assert "not held by the affected individual select" not in text, name  # the 20% PA chose alone
        assert "a physician whom the owners who are physicians, other than the affected individual" in text, name
        assert "where no physician other than the affected individual owns an interest in the Practice, an " in text
        assert "American Health Law Association Dispute Resolution Service appoints" in text, name


def test_in_texas_the_only_physician_is_never_redeemed_out_of_a_practice_a_physician_assistant_would_keep():
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")
    continuity = flat(texts["continuity_agreement"])
    assert (
        "Practice shall not, however, redeem the Interest of Priya Natarajan, M.D., because the remaining" in continuity
    )
    assert "(c) cause Practice to dissolve and wind up" in continuity
    company = flat(texts["practice_operating_agreement"])
    assert "The Practice does not, however, redeem the Ownership Interests of Priya Natarajan, M.D." in company
    ca, _ = drafted(EXAMPLES / "ca_medspa.yaml")  # physicians only: the ordinary redemption stands
    assert "does not, however, redeem" not in ca["practice_bylaws"]
