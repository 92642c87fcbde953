"""Friendly-PC packet: succession terms come from the deal once, and every document states them the same way."""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import EXAMPLES, variant
from formgen.api import build as build_packet
from formgen.errors import InputError
from formgen.word.ooxml import docx_text

pytestmark = pytest.mark.slow  # slow tier: many packets

# The renderer sets curly quotes and apostrophes; the assertions are written with straight ones.
TYPOGRAPHY = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
CA = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8"))
OR = yaml.safe_load((EXAMPLES / "or_medspa.yaml").read_text(encoding="utf-8"))
OWNERS = [
    {"name": "Maya Chen, M.D.", "license": {"type": "MD", "state": "CA", "number": "A123456"}, "percent": 50},
    {
        "name": "Omar Reyes, M.D.",
        "license": {"type": "MD", "state": "CA", "number": "A234567"},
        "percent": 30,
        "spouse": "Lena Reyes",
    },
    {"name": "Ivy Park, D.O.", "license": {"type": "DO", "state": "CA", "number": "20A1234"}, "percent": 20},
]


def texts(tmp_path, data: dict, name: str = "deal.yaml") -> dict[str, str]:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    packet = build_packet(path)
    plain = {b.spec.name: docx_text(b.data).translate(TYPOGRAPHY) for b in packet.documents}
    return {name: " ".join(text.split()) for name, text in plain.items()} | {"_findings": packet.findings}


@pytest.fixture(scope="module")
def one_owner(tmp_path_factory):
    return texts(tmp_path_factory.mktemp("one"), CA)


@pytest.fixture(scope="module")
def three_owners(tmp_path_factory):
    return texts(tmp_path_factory.mktemp("three"), variant(CA, **{"practice.owners": OWNERS}))


def test_one_owner_governing_document_names_who_acts(one_owner):
    bylaws = one_owner["practice_bylaws"]
    assert "Sole Shareholder. While the Departing Shareholder is the only Shareholder" in bylaws
    assert "personal representative, guardian or conservator) may vote or consent" in bylaws
    # Disability cannot be found by a board that is the affected person: an independent physician decides.
    assert "as determined in writing by an independent physician licensed in California whom the individual" in bylaws
    assert "without counting the Ownership Interests of the transferring" not in bylaws
    continuity = one_owner["continuity_agreement"]
    assert "Sole Owner. Because the Owner is Practice's only owner" in continuity
    assert (
        "the Owner or, after the Owner's death or during the Owner's incapacity, the Owner's personal representative"
        in continuity
    )


def test_three_owners_approve_without_the_transferring_owner(three_owners):
    bylaws = three_owners["practice_bylaws"]
    assert "Sole Shareholder" not in bylaws
    assert (
        "approved by the Shareholders holding a majority of the ownership interests in the Practice not held by "
        "the transferring Shareholder"
    ) in bylaws
    assert (
        "a physician whom the owners holding a majority of the ownership interests in the Practice not held by the affected individual select"
        in bylaws
    )
    continuity = three_owners["continuity_agreement"]
    assert "Sole Owner" not in continuity
    for owner in OWNERS:
        assert owner["name"] in continuity
    assert "Consent of Lena Reyes" in continuity and "Daniel Chen" not in continuity


@pytest.mark.parametrize("doc", ["msa", "continuity_agreement", "practice_bylaws"])
def test_every_document_states_the_same_price_and_deadlines(one_owner, doc):
    text = one_owner[doc]
    assert "the fair market value of the interest as of the date of the event that requires the sale" in text
    assert "death: one hundred eighty (180) days" in text
    assert "exclusion, debarment or suspension from any federal or state health care program: thirty (30) days" in text
    assert "book value" not in text.lower()


def test_deal_terms_flow_into_every_document(tmp_path):
    data = variant(CA, **{"succession.price": "book_value", "succession.deadlines": {"death": 120}})
    out = texts(tmp_path, data)
    for doc in ("msa", "continuity_agreement", "practice_bylaws"):
        assert "death: one hundred twenty (120) days" in out[doc], doc
        assert "death: one hundred eighty (180)" not in out[doc], doc
        assert "the book value of the interest" in out[doc], doc
        assert "fair market value of the interest" not in out[doc], doc


def test_mso_operating_agreement_permits_the_rights_the_msa_grants(one_owner):
    mso_oa = one_owner["mso_operating_agreement"]
    assert (
        "except (a) the rights over the transfer of the ownership interests of Glow Medical Corporation that the Continuity Agreement"
        in mso_oa
    )


def test_bylaws_no_longer_override_contracts_or_forbid_the_mso_consent(one_owner):
    bylaws = one_owner["practice_bylaws"]
    assert "over any contract of the Practice" not in bylaws
    assert "Buy-Sell Agreement" not in bylaws
    assert "approval of Glow Management, LLC that the Continuity Agreement requires" in bylaws


def test_oregon_has_no_option_pledge_proxy_or_consent_right(tmp_path):
    out = texts(tmp_path, variant(OR, posture="mso"))
    continuity = out["continuity_agreement"]
    for words in ("Option Notice", "pledges to MSO", "appoints MSO as", "MSO have approved", "MSO may designate"):
        for doc in ("continuity_agreement", "msa", "practice_bylaws", "mso_operating_agreement"):
            assert words not in out[doc], (words, doc)
    assert "MSO has no right to consent to, veto, designate the transferee of" in continuity
    cited = [f for f in out["_findings"] if f.document == "continuity_agreement" and f.citation]
    assert cited and all("SB 951" in f.citation for f in cited)


def test_mso_posture_adds_pledge_and_power_where_lawful(tmp_path):
    out = texts(tmp_path, variant(CA, posture="mso"))
    assert (
        "pledge of interests grant. to secure the performance of each owner's obligations"
        in out["continuity_agreement"].lower()
    )
    assert "No Voting Proxy." in out["continuity_agreement"]
    practice_side = texts(tmp_path, variant(CA, posture="practice"), "practice.yaml")["continuity_agreement"]
    assert "Option Notice" not in practice_side and "No Voting Proxy" not in practice_side


def test_spousal_consent_only_for_married_owners(tmp_path, one_owner):
    assert "I, Daniel Chen, am the spouse of Maya Chen, M.D. I have read" in one_owner["continuity_agreement"]
    data = copy.deepcopy(CA)
    del data["practice"]["owners"][0]["spouse"]
    assert "CONSENT OF SPOUSE" not in texts(tmp_path, data)["continuity_agreement"].upper()


def test_fixed_price_needs_an_amount(tmp_path):
    path = tmp_path / "fixed.yaml"
    path.write_text(yaml.safe_dump(variant(CA, **{"succession.price": "fixed"})), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_packet(path)
    assert "succession.fixed_price is required" in str(caught.value)


def msa_plan(tmp_path, posture: str, base: dict = CA) -> tuple[set[str], str]:
    path = tmp_path / f"{posture}.yaml"
    path.write_text(yaml.safe_dump(variant(base, posture=posture), sort_keys=False), encoding="utf-8")
    msa = next(b for b in build_packet(path).documents if b.spec.name == "msa")
    return {c.id for c in msa.plan.clauses}, " ".join(docx_text(msa.data).split())


def test_mso_and_practice_postures_yield_different_msas(tmp_path):
    mso_ids, mso_text = msa_plan(tmp_path, "mso")
    practice_ids, practice_text = msa_plan(tmp_path, "practice")
    balanced_ids, balanced_text = msa_plan(tmp_path, "balanced")
    mso_only = {
        "msa.finance",
        "msa.finance.advances",
        "msa.finance.deferral",
        "msa.finance.security",
        "msa.negative_covenants",
        "msa.unwind",
    }
    assert mso_ids - practice_ids == mso_only
    assert practice_ids - mso_ids == {"msa.practice_protections"}
    assert not (mso_only | {"msa.practice_protections"}) & balanced_ids
    assert "Neither Party may terminate this Agreement without cause during the Initial Term." in mso_text
    assert "Practice may terminate this Agreement without cause at any time" in practice_text
    assert "Either Party may terminate this Agreement without cause" in balanced_text
    assert "except as a secured party under Section" in mso_text
    assert "secured party" not in practice_text


def test_explain_names_the_posture(tmp_path):
    from conftest import run_cli

    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(variant(CA, posture="mso"), sort_keys=False), encoding="utf-8")
    out = run_cli("explain", str(path)).stdout
    assert (
        "Working Capital, Deferral and Security: included because the drafts lean to the MSO (drafting posture: mso)"
        in out
    )
    assert (
        "Practice Protections: left out because the drafts do not lean to the practice (drafting posture: mso)" in out
    )


def test_fee_review_termination_is_reachable_and_exhibit_b_agrees(one_owner):
    msa = one_owner["msa"]
    assert (
        "either Party may terminate this Agreement by written notice taking effect on the later of thirty (30) days"
        in msa
    )
    assert (
        "or, if the Parties do not agree within sixty (60) days after a review, to the nearest point of the range"
        in msa
    )


def test_consents_satisfy_the_governing_documents_approvals(three_owners, one_owner):
    consent = three_owners["practice_consent"]
    assert consent.count("SHAREHOLDER AND DIRECTOR") == 3
    assert "elect Maya Chen, M.D., Omar Reyes, M.D. and Ivy Park, D.O. as Directors" in consent
    assert "500 (50%)" in consent and "300 (30%)" in consent and "200 (20%)" in consent
    assert "as the provision of the Bylaws on management agreements requires, and approves it" in consent
    # the consent does not claim the appraisal was obtained: it makes signing wait for it
    assert "may not sign the Management Services Agreement until the Practice has received a written opinion" in consent
    mso = one_owner["mso_consent"]
    assert "which the Members approve as Major Decisions" in mso
    assert "Harbor Street Capital, LLC By:" in mso and "MEMBER" in mso
    assert "security risk analysis" in mso


def test_review_defects_are_fixed(one_owner, tmp_path):
    msa = one_owner["msa"]
    assert "goodwill of the business it manages" not in msa
    assert "attributable to the affected service" not in msa
    assert "on the basis of an independent appraisal" not in msa
    assert "conditional on the Parties' receipt, before the first payment is due, of the written opinion" in msa
    assert "Managing Member" not in one_owner["msa"] and "Managing Member" not in one_owner["mso_operating_agreement"]
    baa = one_owner["baa"]
    assert "If Covered Entity accepts only self-pay patients" in baa
    assert "Cal. Civ. Code § 56 et seq." in baa
    assert "newsletters" in baa
    hourly = texts(tmp_path, variant(CA, fees={"basis": "hourly", "hourly_rate": "95.00"}))["msa"]
    assert "The hourly Management Fee compensates the time of Non-Clinical Personnel only" in hourly
    assert "The Management Fee includes Practice's use of the Premises" not in hourly
    oregon = texts(tmp_path, OR, "or.yaml")["msa"]
    assert "other than MSO's own engagement to provide the Management Services" in oregon
    assert "clinical staffing levels (the non-clinical staffing MSO manages" in oregon


def test_ohio_mso_posture_packet_has_the_loan_documents(tmp_path, one_owner):
    oh = texts(tmp_path, yaml.safe_load((EXAMPLES / "oh_medspa.yaml").read_text(encoding="utf-8")))
    assert "Security Agreement" in oh["security_agreement"][:200]
    assert "Patient Care Comes First." in oh["security_agreement"]
    rate = "the prime rate published in The Wall Street Journal on that date plus 2% per year"
    assert rate in oh["promissory_note"] and rate in oh["msa"]
    assert "the Security Agreement between the Parties dated as of the Effective Date" in oh["msa"]
    assert "security_agreement" not in one_owner and "promissory_note" not in one_owner


def test_ownership_ledger_matches_the_consent_and_bylaws(three_owners, one_owner):
    ledger = three_owners["ownership_ledger"]
    for name, shares in (
        ("Maya Chen, M.D.", "500 (50%)"),
        ("Omar Reyes, M.D.", "300 (30%)"),
        ("Ivy Park, D.O.", "200 (20%)"),
    ):
        assert name in ledger and shares in ledger and shares in three_owners["practice_consent"]
    assert ledger.count("Certificate No. C-") == 3
    legend = "THEY ARE SUBJECT TO RESTRICTIONS ON TRANSFER AND TO MANDATORY REDEMPTION OR TRANSFER UNDER APPLICABLE LAW"
    assert legend in ledger and legend in three_owners["practice_bylaws"]
    assert "Uncertificated" not in one_owner["ownership_ledger"]


def test_medical_director_agreement_keeps_duties_clinical(one_owner):
    md = one_owner["medical_director_agreement"]
    assert "The Medical Director's duties are clinical and supervisory." in md
    assert "does not vary with the volume or value of patient referrals" in md
    assert "may direct, evaluate or influence the Medical Director's clinical decisions" in md
    assert "Physician is also an owner of Practice" in md
    assert "Medical Director Agreement with Maya Chen, M.D." in one_owner["practice_consent"]


def test_packet_check_passes_and_catches_a_hand_edit(tmp_path):
    import zipfile
    import io

    from formgen.drafting.consistency import consistency_findings, succession_terms

    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(CA, sort_keys=False), encoding="utf-8")
    packet = build_packet(path)
    assert not [f for f in packet.findings if f.rule.startswith("packet.")]
    texts_ = {b.spec.name: docx_text(b.data, rows=True) for b in packet.documents}  # as formgen lint reads a packet
    stated = {name: terms for name, text in texts_.items() if (terms := succession_terms(text))}
    assert set(stated) == {"msa", "continuity_agreement", "practice_bylaws"}
    assert stated["msa"]["death"] == "180" and stated["msa"]["price"] == "fair_market_value"

    bylaws = next(b for b in packet.documents if b.spec.name == "practice_bylaws")
    source = zipfile.ZipFile(io.BytesIO(bylaws.data))
    xml = source.read("word/document.xml").decode("utf-8")
    import re

    edited = re.sub(r"death: one hundred eighty \(180\)[ \xa0]days", "death: ninety (90) days", xml)
    assert edited != xml
    edited = edited.replace("the fair market value of the interest", "the book value of the interest")
    assert edited != xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = edited.encode("utf-8") if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, data)
    texts_["practice_bylaws"] = docx_text(out.getvalue(), rows=True)
    problems = {f.rule: f.message for f in consistency_findings(texts_)}
    assert set(problems) == {"packet.succession.death", "packet.succession.price"}
    assert "practice_bylaws: 90" in problems["packet.succession.death"]
    assert "practice_bylaws: book_value" in problems["packet.succession.price"]


def test_charters_carry_each_states_professional_statements(tmp_path, one_owner):
    ca = one_owner["practice_articles"]
    assert ca.startswith("Articles of Incorporation of Glow Medical Corporation")
    assert "Moscone-Knox Professional Corporation Act" in ca
    ny = texts(tmp_path, yaml.safe_load((EXAMPLES / "ny_medspa.yaml").read_text(encoding="utf-8")))
    assert ny["practice_articles"].startswith("Certificate of Incorporation")
    assert "section 1503(b)" in ny["practice_articles"] and "P.C.." not in ny["practice_articles"]
    assert "publication New York requires" in ny["mso_articles"]
    assert "shall not practice medicine" in one_owner["mso_articles"]


def test_trademark_license_only_when_the_deal_names_a_brand(one_owner, tmp_path):
    tm = one_owner["trademark_license"]
    assert "the name and mark Glow Aesthetics" in tm
    assert "Licensor's approval concerns only the presentation of the Marks." in tm
    assert "De-Branding. Within sixty (60) days" in tm
    assert "no separate or revenue-based royalty is payable" in tm
    assert "Trademark License Agreement for the name Glow Aesthetics" in one_owner["practice_consent"]
    data = copy.deepcopy(CA)
    del data["brand"]
    assert "trademark_license" not in texts(tmp_path, data)


def test_sublease_takes_the_premises_out_of_the_fee(tmp_path):
    fl = texts(tmp_path, yaml.safe_load((EXAMPLES / "fl_medspa.yaml").read_text(encoding="utf-8")))
    assert "rent of $6,500.00 for each calendar month" in fl["sublease"]
    assert "does not vary with the volume or value of referrals" in fl["sublease"]
    assert "The Management Fee does not include the Premises or that equipment" in fl["msa"]
    assert "Under the Sublease, for its fixed rent; not part of the Management Fee" in fl["msa"]
    assert "Included in the Management Fee; no separate rent" not in fl["msa"]
    hourly = texts(tmp_path, variant(CA, fees={"basis": "hourly", "hourly_rate": "95.00"}), "hourly.yaml")["msa"]
    assert "Included in the Management Fee; no separate rent" not in hourly
    assert "The fixed monthly occupancy charge above; not part of the hourly fee" in hourly
