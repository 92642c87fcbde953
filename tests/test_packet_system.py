"""The packet as one system (issue 23 item 1): the succession timetable adds up, the MSA's integration
clause names every related agreement with an order of precedence, no document grants the MSO an
approval right another forbids, the signing order meets every consent's condition, a sole owner has a
path that never leaves the practice without an owner, and the MSO option is no contract remedy."""

from __future__ import annotations

import functools
from pathlib import Path
import re

import pytest
import yaml

from conftest import EXAMPLES, variant
from formgen.inputs.library import Library
from formgen.drafting.context import build_context
from formgen.drafting.consistency import consistency_findings, succession_terms
from formgen.drafting.drafts import block_paragraphs, draft_agreements, start_drafting
from formgen.drafting.packet_system import (
    approval_findings,
    integration_findings,
    related_agreements,
    signing_order_findings,
    signing_table,
    system_findings,
    timetable_findings,
)
from formgen.drafting.validation import check
from formgen.scan.packet_checks import validate
from formgen.inputs.deal_terms import APPRAISAL_DAYS, Deadlines, succession_timetable


def typed(text: str) -> str:
    """Straight quotes and plain spaces (a no-break space joins a number to its unit), so a test can
    search and edit the words as typed."""
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\xa0", " ")):
        text = text.replace(curly, straight)
    return text


def drafted(path) -> tuple[dict[str, str], dict]:
    """document name -> its drafted text (with the checklist's signing order), and the context. Drafted
    once per deal file's content and test process (a test may rewrite a file at one path): the texts
    are the caller's to change, the context is shared."""
    texts, context = _drafted_once(path, Path(path).read_bytes())
    return dict(texts), context


@functools.cache
def _drafted_once(path, content: bytes) -> tuple[dict[str, str], dict]:
    deal, rules, _ = check(path, "conservative", Library.shipped())
    drafting = start_drafting(deal, rules, Library.shipped())
    texts = {d.spec.name: typed("\n".join(block_paragraphs(d.blocks, notes=True))) for d in draft_agreements(drafting)}
    texts["formation_checklist"] = signing_table(drafting.context["signing_steps"])
    return texts, drafting.context


def write_deal(tmp_path, stem: str, **changes):
    data = yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text())
    path = tmp_path / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(variant(data, **changes)))
    return path


@pytest.mark.parametrize("closing", [1, 2, 7, 10, 20, 30, 45, 60, 90, 120, 180, 365, 730])
def test_every_timetable_fits_inside_its_closing_deadline(closing):
    deadlines = Deadlines(
        death=closing, disability=max(1, closing // 2), license_loss=closing, exclusion=30, breach=closing
    )
    for step in succession_timetable(deadlines):
        assert 1 <= step.notice <= step.successor <= step.price <= step.closing
        assert step.appraisal_fits == (step.price + APPRAISAL_DAYS <= step.closing)


def test_the_exclusion_case_fits_notice_designation_and_pricing_into_thirty_days():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    text = " ".join(texts["continuity_agreement"].split())
    assert (
        "health care program: thirty (30) days, with the successor named within thirteen (13) days and the "
        "price agreed within twenty-one (21) days after the event"
    ) in text
    assert "within thirty (30) days after MSO receives notice" not in text
    # The appraisal cannot finish in 30 days: the sale closes on an estimate, adjusted from an escrow.
    assert "its good-faith estimate of the price" in text and "escrow agent" in text
    for name in ("msa", "practice_bylaws"):
        assert "price agreed within twenty-one (21) days" in " ".join(texts[name].split())


@pytest.mark.parametrize("stem", ["ca_medspa", "tx_medspa", "ny_medspa", "fl_medspa", "oh_medspa", "or_medspa"])
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_example_packets_pass_every_system_check(stem):
    texts, _ = drafted(EXAMPLES / f"{stem}.yaml")
    assert system_findings(texts, consented_of(EXAMPLES / f"{stem}.yaml")) == []


def test_a_timetable_edited_past_its_deadline_is_caught():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    texts["practice_bylaws"] = texts["practice_bylaws"].replace(
        "price agreed within twenty-one (21) days", "price agreed within forty-one (41) days"
    )
    found = timetable_findings(texts)
    assert [f.rule for f in found] == ["packet.timetable.exclusion"]
    assert "practice_bylaws" in found[0].message
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    texts["msa"] = texts["msa"].replace("its good-faith estimate of the price", "the price")
    assert [f.rule for f in timetable_findings(texts)] == ["packet.timetable.appraisal"]


def typeset(text: str) -> str:
    """Typed text as the documents print it: curly quotes and apostrophes, a no-break space before "days"."""
    text = re.sub(r'"([^"\n]*)"', "\u201c\\1\u201d", text)
    return text.replace("'", "\u2019").replace(" days", "\xa0days")


def test_every_packet_check_finds_its_target_in_typeset_text():
    """The checks compare typed words with the text through one `plain`: typeset documents (curly
    apostrophes, no-break spaces) give the same findings as typed ones, and the findings are there."""
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    texts["practice_bylaws"] = texts["practice_bylaws"].replace(
        "price agreed within twenty-one (21) days", "price agreed within forty-one (41) days"
    )
    texts["continuity_agreement"] += "\nPractice shall not amend its Bylaws without MSO's prior written approval."
    clause = next(line for line in texts["msa"].splitlines() if "Entire Agreement" in line)
    texts["msa"] = texts["msa"].replace(clause, clause.replace("Continuity Agreement", "continuity arrangements"))
    effective = re.search(r'as of ([A-Z][a-z]+ \d{1,2}, \d{4}) \(the "Effective Date"\)', texts["msa"])
    texts["msa"] = texts["msa"].replace(effective.group(1), "January 1, 1999")
    texts["msa"] = texts["msa"].replace("the fair market value of the interest", "for all of the owner's interest")
    rules = {f.rule for f in consistency_findings(texts)}
    assert {
        "packet.timetable.exclusion",
        "packet.approval_rights",
        "packet.integration",
        "packet.parties",
        "packet.succession.price",
    } <= rules
    printed = {name: typeset(text) for name, text in texts.items()}
    assert "\u2019" in printed["msa"] and "\u201cEffective Date\u201d" in printed["msa"]
    assert consistency_findings(printed) == consistency_findings(texts)
    assert succession_terms(printed["continuity_agreement"]) == succession_terms(texts["continuity_agreement"])
    assert succession_terms(printed["msa"])["price"] == "fixed"


def test_the_context_is_built_from_the_documents_drafting_chose():
    """start_drafting decides the packet's documents once and builds the context from that list."""
    library = Library.shipped()
    deal, rules, _ = check(EXAMPLES / "fl_medspa.yaml", "conservative", library)
    drafting = start_drafting(deal, rules, library)
    names = [spec.name for spec in drafting.specs]
    assert "sublease" in names
    assert drafting.context["related_agreements"] == related_agreements(names)
    without = [spec for spec in drafting.specs if spec.name != "sublease"]
    context = build_context(deal, rules, library, documents=without)
    assert "Sublease" not in [item["title"] for item in context["related_agreements"]]


def test_the_integration_clause_names_every_related_agreement_with_an_order_of_precedence():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    clause = next(line for line in texts["msa"].splitlines() if "Entire Agreement" in line)
    for title in ("Business Associate Agreement", "Continuity Agreement", "Trademark License Agreement"):
        assert title in clause
    assert "does not supersede any other Transaction Agreement" in clause
    assert "the Continuity Agreement controls on the ownership of Practice" in clause
    texts["msa"] = texts["msa"].replace(clause, clause.replace("Continuity Agreement", "continuity arrangements"))
    assert [f.rule for f in integration_findings(texts)] == ["packet.integration"]
    assert "Continuity Agreement" in integration_findings(texts)[0].message


def test_mso_approval_of_governing_document_amendments_is_not_granted_where_the_bylaws_forbid_it():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    continuity = " ".join(texts["continuity_agreement"].split())
    assert "No amendment of the Governing Documents requires MSO's consent to be valid" in continuity
    assert "without MSO's prior written approval" not in continuity
    texts["continuity_agreement"] += (
        "\nPractice shall not amend the provisions that govern the Transfer of "
        "Interests without MSO's prior written approval."
    )
    found = approval_findings(texts)
    assert [f.rule for f in found] == ["packet.approval_rights"]
    assert "continuity_agreement" in found[0].message and "practice_bylaws" in found[0].message


def test_shares_are_issued_only_after_the_continuity_agreement_is_signed():
    """The one signing order (drafting/closing.py) puts the Continuity Agreement at or before the
    issue of shares (the Ownership Ledger), and the check fails an order that puts it after."""
    texts, context = drafted(EXAMPLES / "ca_medspa.yaml")
    step_of = {}
    for s in context["signing_steps"]:
        for item in s["what"].split("; "):
            step_of.setdefault(item.split(" of ")[0], (s["step"], s["what"].index(item)))
    assert step_of["Continuity Agreement"] < step_of["Ownership Ledger"]
    texts["formation_checklist"] = signing_table(context["signing_steps"])
    assert signing_order_findings(texts) == []
    # the ledger moved to a sitting of its own before every other step: shares issued too early
    swapped = [dict(s) for s in context["signing_steps"]]
    row = next(s for s in swapped if "Ownership Ledger" in s["what"])
    ledger = next(item for item in row["what"].split("; ") if item.startswith("Ownership Ledger"))
    row["what"] = "; ".join(item for item in row["what"].split("; ") if item != ledger)
    swapped.insert(0, {"step": 0, "what": ledger, "who": row["who"]})
    texts["formation_checklist"] = signing_table(swapped)
    found = signing_order_findings(texts)
    assert [f.rule for f in found] == ["packet.signing_order"]
    assert "Ownership Ledger" in found[0].message


def test_a_sole_owner_is_never_redeemed_out_of_the_practice():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")  # one owner
    for name in ("continuity_agreement", "practice_bylaws"):
        text = " ".join(texts[name].split())
        assert "redeemed by the Practice" not in text and "acquire them by redemption" not in text
        assert "would leave it with no" in text
        assert "convert" in text and "dissolve" in text


def test_several_owners_still_redeem_a_departing_owner(tmp_path):
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # two owners
    text = " ".join(texts["continuity_agreement"].split())
    assert "Practice shall redeem the Interest" in text and "would leave it with no owner" not in text


def test_the_mso_option_is_no_remedy_for_a_breach_of_the_msa_and_has_its_own_closing_period():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    text = " ".join(texts["continuity_agreement"].split())
    assert "terminates the Management Services Agreement for Practice" not in text
    assert "MSO may not give an Option Notice because Practice breaches, or either party terminates" in text
    assert 'within sixty (60) days after the Option Notice (the "Option Closing Period")' in text
    assert "remains effective after it ends" in text


def test_validate_reports_no_system_error_for_a_three_owner_deal(tmp_path):
    path = write_deal(
        tmp_path,
        "tx_medspa",
        **{
            "practice.owners": [
                {"name": "Ana Ruiz, M.D.", "percent": 50, "license": {"type": "MD", "state": "TX", "number": "Q1111"}},
                {"name": "Ben Cho, M.D.", "percent": 30, "license": {"type": "MD", "state": "TX", "number": "Q2222"}},
                {"name": "Cy Park, D.O.", "percent": 20, "license": {"type": "DO", "state": "TX", "number": "Q3333"}},
            ],
            "practice.signatory": {"name": "Ana Ruiz, M.D.", "title": "President"},
            "practice.medical_director": "Ana Ruiz, M.D.",
        },
    )
    _, _, findings = validate(path, "conservative", Library.shipped())
    assert [f for f in findings if f.rule.startswith("packet.")] == []


def test_the_findings_say_what_the_succession_terms_chose():
    _, _, findings = validate(
        EXAMPLES / "ca_medspa.yaml", "conservative", Library.shipped()
    )  # one owner, MSO posture, fair-market-value price
    rules = {f.rule: f.message for f in findings}
    assert "not a remedy for a breach or termination" in rules["succession.option"]
    assert "exclusion" in rules["succession.timetable"] and "escrow" in rules["succession.timetable"]
    assert "cannot redeem" in rules["succession.sole_owner"]


# ---- the client memo (issue 23 item 4) ----


def built_text(tmp_path, deal_path, document: str) -> str:
    import formgen
    from formgen.word.ooxml import docx_text

    out = tmp_path / "out"
    formgen.generate(deal_path, out)
    return typed(docx_text((out / f"{document}.docx").read_bytes(), rows=True)), out


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_texas_memo_cites_no_california_law_uses_human_headings_and_keeps_the_research_apart(tmp_path):
    memo, out = built_text(tmp_path, EXAMPLES / "tx_medspa.yaml", "compliance_memo")
    for foreign in ("Cal. ", "California", "N.Y. ", "Fla. Stat", "ORS ", "Ohio Rev. Code"):
        assert foreign not in memo, foreign
    assert "Tex. Bus. Orgs. Code ch. 301" in memo  # the purpose clause's own state citation
    assert "Cpom" not in memo and "Corporate practice of medicine." in memo
    assert "Privileged" not in memo and "Draft prepared for review by counsel" in memo
    for log in ("Research record", "read at", "pass E", "stored", "search tool"):
        assert log not in memo, log
    research = typed(
        __import__("formgen.word.ooxml", fromlist=["docx_text"]).docx_text(
            (out / "research_appendix.docx").read_bytes(), rows=True
        )
    )
    assert "Research record" in research and "read at" in research
    assert "What was given up." in memo and "one hundred eighty (180) days' notice" in memo
    # No errors in this deal: no sentence claims error findings were resolved.
    assert "no errors" in memo and "must be resolved before any document is signed" not in memo


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_memo_grammar_an_hourly_fee(tmp_path):
    path = write_deal(
        tmp_path, "tx_medspa", **{"fees": {"basis": "hourly", "hourly_rate": 150, "fmv_review": "annual"}}
    )
    memo, _ = built_text(tmp_path, path, "compliance_memo")
    assert "on an hourly basis" in memo and "a hourly" not in memo


def test_state_scoped_citations_keep_only_the_deals_state():
    from formgen.drafting.packet import citations_for_state

    cited = ["The state's corporate-practice-of-medicine doctrine", "CA: Cal. Bus. & Prof. Code §§ 2400, 2052"]
    assert citations_for_state(cited, "CA") == [cited[0], "Cal. Bus. & Prof. Code §§ 2400, 2052"]
    assert citations_for_state(cited, "TX") == [cited[0]]


# ---- every blank asked for (issue 23 item 5) ----


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_blank_left_empty_is_listed_per_document_and_a_filled_field_prints_its_value(tmp_path):
    bare = write_deal(tmp_path, "tx_medspa", formation={})
    _, _, findings = validate(bare, "conservative", Library.shipped())
    blanks = {f.document: f.message for f in findings if f.rule.startswith("blanks.")}
    assert all(f.severity == "info" for f in findings if f.rule.startswith("blanks."))
    assert "[registered agent]" in blanks["practice_articles"] and "[bank]" in blanks["practice_consent"]
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # the example fills them
    assert "Houston Commerce Bank" in texts["practice_consent"] and "[bank]" not in texts["practice_consent"]
    assert "$1,000,000.00 per claim and $3,000,000.00 annual aggregate" in texts["msa"]
    _, _, findings = validate(EXAMPLES / "tx_medspa.yaml", "conservative", Library.shipped())
    assert "practice_articles" not in {f.document for f in findings if f.rule.startswith("blanks.")}


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_memo_lists_what_is_still_to_complete(tmp_path):
    memo, _ = built_text(tmp_path, write_deal(tmp_path, "tx_medspa", formation={}), "compliance_memo")
    section = memo[
        memo.index("STILL TO COMPLETE") if "STILL TO COMPLETE" in memo else memo.index("Still to Complete") :
    ]
    assert "[registered agent]" in section and "Practice Charter (practice_articles.docx)" in section
    assert (
        "still has blanks to complete"
        not in memo[: memo.index("FINDINGS") + 2000].split("TERMS REMOVED")[0].split("FINDINGS", 1)[1]
    )  # not repeated in the findings table


# ---- state statutes drafted into the governing documents (issue 23 item 2) ----


def test_georgia_bylaws_restate_the_professional_corporation_act(tmp_path):
    from test_fifteen_states import deal_data

    path = tmp_path / "ga.yaml"
    path.write_text(yaml.safe_dump(deal_data("GA", "three_owners"), sort_keys=False))
    texts, _ = drafted(path)
    bylaws = " ".join(texts["practice_bylaws"].split())
    assert "actively engaged in that practice as an active practicing member of the Practice" in bylaws
    assert "within six (6) months after the death or retirement" in bylaws and "(O.C.G.A. § 14-7-5(c))" in bylaws


def test_a_sole_georgia_owners_estate_holds_only_for_the_statutory_period(tmp_path):
    from test_fifteen_states import deal_data

    path = tmp_path / "ga.yaml"
    path.write_text(yaml.safe_dump(deal_data("GA", "one_owner"), sort_keys=False))
    texts, _ = drafted(path)
    assert (
        "holds the Interest only for six (6) months after the death or retirement, or ninety (90) days after a "
        "disqualification becomes final (O.C.G.A. § 14-7-5(c))"
    ) in " ".join(texts["continuity_agreement"].split())


def test_in_texas_only_physicians_approve_the_successor_to_a_physicians_interest():
    texts, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # an 80% physician and a 20% physician assistant
    continuity = " ".join(texts["continuity_agreement"].split())
    assert (
        "the Owners who are physicians, holding a majority of the ownership interests in Practice held by physicians"
        in continuity
    )
    company_agreement = " ".join(texts["practice_operating_agreement"].split())
    assert "A physician assistant may not be an officer of the Practice" in company_agreement
    assert "22 Tex. Admin. Code § 177.16" in company_agreement


def test_new_york_bylaws_restate_bcl_1507(tmp_path):
    texts, _ = drafted(EXAMPLES / "ny_medspa.yaml")
    name = "practice_bylaws" if "practice_bylaws" in texts else "practice_operating_agreement"
    text = " ".join(texts[name].split())
    if name == "practice_bylaws":
        assert (
            "(N.Y. Bus. Corp. Law § 1507(a))" in text and "within thirty (30) days after the shares are issued" in text
        )


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_deal_deadline_longer_than_the_statute_allows_is_a_warning(tmp_path):
    from test_fifteen_states import deal_data

    data = deal_data("GA", "three_owners")
    data["succession"]["deadlines"]["death"] = 240
    path = tmp_path / "ga.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    _, _, findings = validate(path, "conservative", Library.shipped())
    found = [f for f in findings if f.rule == "succession.statutory_deadline.death"]
    assert found and found[0].severity == "warning" and "at most 180" in found[0].message


# ---- smaller items (issue 23 Why 11) ----


def test_why_eleven_wording():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    assert "in no case later than ten (10) business days" not in texts["baa"]
    assert texts["baa"].count("in no case later than five (5) days") == 3  # improper use, incident, breach
    assert "any of its physician owners" in texts["msa"] and "each of its physician owners" not in texts["msa"]
    for caption in ("Confidentiality.", "Indemnification.", "Assignment.", "Notices.", "Disputes."):
        assert caption in texts["medical_director_agreement"], caption
    for name in ("continuity_agreement", "msa"):
        assert "American Arbitration Association" not in texts[name]
        assert "American Health Law Association Dispute Resolution Service" in texts[name]
    assert "no equity, office, board seat or voting proxy" in texts["msa"]
    assert "right it has over the transfer of an owner's interest is contractual" in texts["msa"]


# ---- the cap table drives governance (issue 23 item 7) ----


def test_a_fifty_fifty_mso_gets_a_deadlock_procedure_and_no_false_largest_member(tmp_path):
    from test_fifteen_states import deal_data

    path = tmp_path / "ca.yaml"
    path.write_text(yaml.safe_dump(deal_data("CA", "mso_50_50"), sort_keys=False))
    text = " ".join(drafted(path)[0]["mso_operating_agreement"].split())
    assert "No Member holds more than half of the Percentage Interests" in text and "Buy-Sell." in text
    assert "the Member holding the largest Percentage Interest" not in text and "whom the Members designate" in text


def test_supermajority_names_the_significant_members_and_allocations_carry_the_regulatory_allocations():
    texts, _ = drafted(EXAMPLES / "ca_medspa.yaml")  # 60 / 40
    text = " ".join(texts["mso_operating_agreement"].split())
    assert "66 2/3%" not in text
    assert '"Significant Member" means each of Dana Ruiz and Harbor Street Capital, LLC' in text
    assert "Deadlock" not in text  # Dana Ruiz controls
    assert "qualified income offset" in text and "minimum gain chargebacks" in text


# ---- filing documents in each state's vocabulary (issue 23 item 6, first part) ----


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_charters_name_the_agent_for_process_as_each_state_does():
    ca, _ = drafted(EXAMPLES / "ca_medspa.yaml")
    assert "initial agent for service of process is Maya Chen, M.D." in ca["practice_articles"]
    assert "registered agent" not in ca["practice_articles"] and "registered office" not in ca["mso_articles"]
    ny, _ = drafted(EXAMPLES / "ny_medspa.yaml")
    assert "The Secretary of State is designated as agent upon whom process may be served" in ny["practice_articles"]
    assert "registered agent" not in ny["practice_articles"] and "registered office" not in ny["practice_articles"]
    fl, _ = drafted(EXAMPLES / "fl_medspa.yaml")
    assert "accept the appointment, agree to act in that capacity" in fl["practice_articles"]


# ---- owner covenants (issue 23 item 3): the unsigned owner covenant is dropped, with a finding ----


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_msa_non_compete_no_longer_claims_to_bind_owners_who_do_not_sign_it(tmp_path):
    path = write_deal(tmp_path, "oh_medspa")
    texts, _ = drafted(path)
    msa = " ".join(texts["msa"].split())
    if "Competing Business" in msa:  # the state keeps the covenant
        assert "neither Practice nor any Practice Owner shall" not in msa
        assert "Practice shall cause each Practice Owner to agree in writing" not in msa
        _, _, findings = validate(path, "conservative", Library.shipped())
        assert any(f.rule == "covenant.owners_not_bound" for f in findings)


# ---- the practice's consent adopts and approves what the packet holds; one order for the ownership sitting ----


def staffed_ca(tmp_path):
    return write_deal(
        tmp_path,
        "ca_medspa",
        treatments=["neuromodulators", "fillers", "lasers_ipl"],
        clinicians=[
            {"name": "Riley Nurse", "role": "RN", "license": "RN 123"},
            {"name": "Nora Practitioner", "role": "NP", "good_faith_exams": True},
        ],
    )


def consented_of(path) -> dict[str, str]:
    deal, rules, _ = check(path, "conservative", Library.shipped())
    return {s.name: s.title for s in start_drafting(deal, rules, Library.shipped()).specs if s.practice_consent}


def test_the_consent_adopts_the_clinical_policies_and_approves_each_clinicians_documents(tmp_path):
    path = staffed_ca(tmp_path)
    texts, _ = drafted(path)
    consented = consented_of(path)
    assert {
        "good_faith_exam_policy",
        "treatment_protocols",
        "clinician_agreement.rn",
        "supervision_instrument.np",
    } <= set(consented)
    consent = " ".join(texts["practice_consent"].split())
    assert (
        "the Good-Faith Examination Policy and the Treatment Protocols of the Practice, each in the form presented, "
        "to be signed by Maya Chen, M.D. as Medical Director after this consent, are adopted as policies" in consent
    )
    for title in (
        "Clinician Agreement (Registered Nurse, Riley Nurse)",
        "Standardized Procedures (Nurse Practitioner, Nora Practitioner)",
    ):
        assert f"the {title}" in consent
    assert system_findings(texts, consented) == []
    # the consent without its clinical part: each document it no longer approves is named
    cut = texts["practice_consent"].split("Clinical Policies and Clinicians")[0]
    found = system_findings({**texts, "practice_consent": cut}, consented)
    assert {f.rule for f in found} == {"packet.consent"}
    assert any("Standardized Procedures (Registered Nurse, Riley Nurse)" in f.message for f in found)
    assert any("Good-Faith Examination Policy" in f.message for f in found)


def test_a_packet_without_clinical_documents_adopts_none_and_the_texas_policies_are_adopted():
    ca, _ = drafted(EXAMPLES / "ca_medspa.yaml")  # no treatments, no clinicians
    assert "Clinical Policies" not in ca["practice_consent"] and "Clinicians" not in ca["practice_consent"]
    tx, _ = drafted(EXAMPLES / "tx_medspa.yaml")  # IV therapy: the policies, no clinicians
    consent = " ".join(tx["practice_consent"].split())
    assert "Clinical Policies RESOLVED, that the Good-Faith Examination Policy and the Treatment Protocols" in consent
    assert "Clinicians" not in consent


def test_documents_the_consent_approves_are_signed_at_its_sitting_or_after(tmp_path):
    path = staffed_ca(tmp_path)
    texts, context = drafted(path)
    rows = context["signing_steps"]
    step_of = lambda words: next(r["step"] for r in rows if words in r["what"])  # noqa: E731
    consent = step_of("Action by Unanimous Written Consent of the Shareholders")
    for words in ("Good-Faith Examination Policy", "Clinician Agreement (Registered Nurse", "Standardized Procedures"):
        assert step_of(words) >= consent, words
    # a clinician agreement moved to the first sitting, before the consent approves it
    moved = [dict(r) for r in rows]
    item = "Clinician Agreement (Registered Nurse, Riley Nurse)"
    for r in moved:
        r["what"] = "; ".join(i for i in r["what"].split("; ") if i != item)
    moved[0]["what"] += "; " + item
    texts["formation_checklist"] = signing_table(moved)
    found = system_findings(texts, consented_of(path))
    assert [f.rule for f in found] == ["packet.signing_order"] and item in found[0].message


@pytest.mark.parametrize("stem", ["ca_medspa", "tx_medspa", "ny_medspa", "fl_medspa", "oh_medspa", "or_medspa"])
def test_the_ownership_sitting_signs_the_governing_document_then_the_continuity_agreement_then_the_consent(stem):
    """Governing document adopted, then the Continuity Agreement that refers to it (every owner a
    party), then the consent that approves it and issues the interests, then the ledger: one sitting."""
    _, context = drafted(EXAMPLES / f"{stem}.yaml")
    practice = context["practice"].name
    place = {
        item: (row["step"], index)
        for row in context["signing_steps"]
        for index, item in enumerate(row["what"].split("; "))
    }
    governing = next(
        place[f"{kind} of {practice}"]
        for kind in ("Bylaws", "Company Agreement", "Operating Agreement")
        if f"{kind} of {practice}" in place
    )
    consent = next(v for k, v in place.items() if k.startswith("Action by") and k.endswith(f"of {practice}"))
    continuity, ledger = place["Continuity Agreement"], place[f"Ownership Ledger of {practice}"]
    assert governing[0] == continuity[0] == consent[0] == ledger[0]
    assert governing < continuity < consent < ledger


def test_a_company_agreement_signed_a_sitting_before_the_continuity_agreement_is_caught():
    texts, context = drafted(EXAMPLES / "tx_medspa.yaml")
    assert signing_order_findings(texts) == []
    moved = [dict(r) for r in context["signing_steps"]]
    item = "Company Agreement of Lone Star Aesthetic Medicine, PLLC"
    for r in moved:
        r["what"] = "; ".join(i for i in r["what"].split("; ") if i != item)
    moved[0]["what"] += "; " + item
    texts["formation_checklist"] = signing_table(moved)
    found = signing_order_findings(texts)
    assert [f.rule for f in found] == ["packet.signing_order"]
    assert "to which every Member must be a party" in found[0].message


# ---- the memo analyses the owners' covenant, or says why there is none (issue 23 What to build 3) ----


def owner_paragraph(path) -> str:
    _, context = drafted(path)
    return dict(context["covenant_analysis"])["Owner Covenant Agreement"]


@pytest.mark.parametrize("stem", ["ny_medspa", "fl_medspa", "oh_medspa"])
def test_the_memo_says_what_the_owner_covenant_binds_where_the_packet_has_one(stem):
    texts, context = drafted(EXAMPLES / f"{stem}.yaml")
    assert "owner_covenant" in texts
    text = typed(owner_paragraph(EXAMPLES / f"{stem}.yaml"))
    owner = context["practice"].owners[0].name
    assert f"The owner of the Practice ({owner}) signs the Owner Covenant Agreement" in text
    assert "one year after the earlier of the day the owner ceases to own an interest" in text
    assert "within 10 miles of the Premises" in text
    covenant = context["state"].owner_covenant()
    assert f"({covenant.citation}; {'verified' if covenant.verified else 'not verified'} at a primary source)" in text
    if stem == "fl_medspa":  # Fla. Stat. § 542.335: only in a writing the restrained person signs
        assert "only in a writing the restrained person signs, which this is" in text


@pytest.mark.parametrize(
    "stem, reason",
    [
        (
            "ca_medspa",
            "California law makes a covenant not to compete binding a physician owner void (Cal. Bus. & Prof. Code",
        ),
        ("tx_medspa", "replaced by a confidentiality-only covenant under formgen's conservative rule for Texas"),
        ("or_medspa", "Oregon law makes a covenant not to compete with a licensed physician void"),
    ],
)
def test_the_memo_says_why_the_packet_has_no_owner_covenant(stem, reason):
    texts, _ = drafted(EXAMPLES / f"{stem}.yaml")
    assert "owner_covenant" not in texts
    text = typed(owner_paragraph(EXAMPLES / f"{stem}.yaml"))
    assert text.startswith("The packet has no Owner Covenant Agreement") and reason in text


def test_a_deal_that_asks_for_no_covenant_says_so(tmp_path):
    path = write_deal(tmp_path, "ny_medspa", **{"deal.provider_non_compete": False})
    texts, _ = drafted(path)
    assert "owner_covenant" not in texts
    assert "the deal asks for no covenant not to compete" in owner_paragraph(path)


def test_several_owners_each_sign_the_owner_covenant(tmp_path):
    path = write_deal(
        tmp_path,
        "oh_medspa",
        **{
            "practice.owners": [
                {"name": "Grace Liu, M.D.", "percent": 60, "license": {"type": "MD", "state": "OH", "number": "35.1"}},
                {"name": "Ian Park, M.D.", "percent": 40, "license": {"type": "MD", "state": "OH", "number": "35.2"}},
            ]
        },
    )
    text = owner_paragraph(path)
    assert "Each owner of the Practice (Grace Liu, M.D. and Ian Park, M.D.) signs" in text
    assert "binds each owner personally" in text


def test_the_mso_signs_the_continuity_agreement_only_after_regulatory_counsels_advice():
    texts, context = drafted(EXAMPLES / "ca_medspa.yaml")  # the MSO designates successors
    assert "not sign the Continuity Agreement until it has received the written advice" in " ".join(
        texts["mso_consent"].split()
    )
    rows = context["signing_steps"]
    advice = next(r["step"] for r in rows if "health care regulatory counsel" in r["what"])
    assert advice < next(r["step"] for r in rows if "Continuity Agreement" in r["what"])
    late = [dict(r) for r in rows]
    item = next(i for r in late for i in r["what"].split("; ") if "regulatory counsel" in i)
    for r in late:
        r["what"] = "; ".join(i for i in r["what"].split("; ") if i != item)
    late[-1]["what"] += "; " + item
    texts["formation_checklist"] = signing_table(late)
    assert [f.rule for f in signing_order_findings(texts)] == ["packet.signing_order"]
    or_texts, or_context = drafted(EXAMPLES / "or_medspa.yaml")  # Oregon: the MSO holds no such rights
    assert not any("regulatory counsel" in r["what"] for r in or_context["signing_steps"])
    assert "not sign the Continuity Agreement" not in or_texts["mso_consent"]


# ---- every example memo: its own state's law only, and no research log (issue 23 What to build 4) ----

_SITE_NAME = re.compile(r"\b[a-z0-9-]+\.(?:com|org|gov|net|law|edu|ai)\b")
_OTHER_STATES = {
    "CA": ("Cal. ", "California"),
    "TX": ("Tex. ", "Texas"),
    "NY": ("N.Y. ", "New York"),
    "FL": ("Fla. ", "Florida"),
    "OH": ("Ohio Rev. Code", "Ohio"),
    "OR": ("ORS ", "Or. Laws", "Oregon"),
}


@pytest.mark.parametrize("stem", ["ca_medspa", "tx_medspa", "ny_medspa", "fl_medspa", "oh_medspa", "or_medspa"])
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_each_example_memo_cites_only_its_states_law_and_names_no_web_site(stem):
    import formgen
    from formgen.word.ooxml import docx_text

    packet = formgen.build(EXAMPLES / f"{stem}.yaml")
    memo = next(d for d in packet.documents if d.spec.name == "compliance_memo")
    text = docx_text(memo.data, rows=True)
    code = packet.deal.deal.state
    for other, marks in _OTHER_STATES.items():
        if other != code:
            for mark in marks:
                assert mark not in text, f"{stem}: {mark}"
    assert _SITE_NAME.findall(text) == [], stem


def test_the_memo_prints_no_web_site_as_an_authority():
    from formgen.drafting.packet import memo_citation

    assert memo_citation("Secondary source (baylegal.com)") == "a secondary source named in the research appendix"
    assert (
        memo_citation("Medical Board of California, cosmetic treatments FAQ (mbc.ca.gov)")
        == "Medical Board of California, cosmetic treatments FAQ"
    )
    assert memo_citation("Secondary source (upcounsel.com, citing A.R.S. § 10-2215)") == (
        "a secondary source citing A.R.S. § 10-2215, named in the research appendix"
    )
    assert memo_citation("Cal. Bus. & Prof. Code §§ 2400, 2052") == "Cal. Bus. & Prof. Code §§ 2400, 2052"


@pytest.mark.parametrize("stem", ["ca_medspa", "tx_medspa"])
def test_no_document_ties_an_amendment_of_the_governing_document_to_the_mso(stem):
    texts, _ = drafted(EXAMPLES / f"{stem}.yaml")
    governing = "practice_bylaws" if "practice_bylaws" in texts else "practice_operating_agreement"
    gov = " ".join(texts[governing].split())
    continuity = " ".join(texts["continuity_agreement"].split())
    assert "amended together" not in gov and "amend them only together" not in continuity
    assert "requires no consent of any party to those agreements" in gov
    assert "An amendment of the Governing Documents requires no consent of MSO" in continuity
    assert approval_findings(texts) == []
    texts["continuity_agreement"] += "\nThe Parties shall amend them only together."
    assert [f.rule for f in approval_findings(texts)] == ["packet.approval_rights"]
