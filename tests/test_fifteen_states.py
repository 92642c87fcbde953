"""Issue 23's done-when test: packets for the 15 largest markets, each with one owner, three owners,
a 50/50 MSO and a D.O. owner, hold together as a system and stay in their own state's law."""

from __future__ import annotations

import re

import pytest
import yaml

import formgen
from conftest import EXAMPLES
from formgen.drafting.drafts import block_paragraphs, draft_agreements, start_drafting
from formgen.drafting.packet_system import signing_table, system_findings
from formgen.drafting.validation import check, document_blanks
from formgen.inputs.library import Library

from formgen.word.ooxml import docx_text

pytestmark = pytest.mark.slow

STATES = ("CA", "TX", "FL", "NY", "AZ", "NV", "IL", "NJ", "GA", "CO", "WA", "PA", "OH", "NC", "MA")

# How each state's own statutes are cited; another state's mark in a document is a stray citation.
CITATION_MARKS = {
    "CA": ("Cal. ",),
    "TX": ("Tex. ",),
    "FL": ("Fla. ",),
    "NY": ("N.Y. ",),
    "AZ": ("Ariz. ", "A.R.S."),
    "NV": ("Nev. ", "NRS "),
    "IL": ("ILCS", "Ill. "),
    "NJ": ("N.J.",),
    "GA": ("O.C.G.A.", "Ga. "),
    "CO": ("C.R.S.", "Colo. "),
    "WA": ("RCW", "Wash. "),
    "PA": ("Pa. ", "P.S. §"),
    "OH": ("Ohio Rev. Code", "R.C. "),
    "NC": ("N.C.G.S.", "N.C. Gen. Stat"),
    "MA": ("M.G.L.", "Mass. "),
}

# The blanks that a deal field fills: with the field given, none may be left.
FILLABLE = re.compile(
    r"^(registered agent|street address in .*|name of (incorporator|organizer|authorized signatory)|"
    r"filing date|bank|county|number, at least 1,000|dollar threshold for .*|title|address|date|"
    r"amount|\$1,000,000 per claim and \$3,000,000 annual aggregate|"
    r"monthly amount supported by an independent fair-market-value opinion)$"
)

FILLED = {
    "practice": {
        "registered_agent": "Alex Reed",
        "registered_office": "1 Agent Way",
        "organizer": "Alex Reed",
        "filing_date": "2026-12-01",
        "bank": "Community Bank",
        "county": "Central",
    },
    "mso": {
        "registered_agent": "Alex Reed",
        "registered_office": "1 Agent Way",
        "organizer": "Alex Reed",
        "filing_date": "2026-12-01",
        "bank": "Community Bank",
        "county": "Central",
    },
    "authorized_shares": 10000,
    "par_value": 0,
    "borrowing_threshold": 50000,
    "proceedings_threshold": 25000,
    "malpractice_per_claim": 1000000,
    "malpractice_aggregate": 3000000,
    "medical_director_fee": 4000,
}


def owner(name: str, code: str, percent: int, license_type: str = "MD") -> dict:
    return {
        "name": name,
        "license": {
            "type": license_type,
            "state": code,
            "number": f"{license_type}{percent}77",
            "expires": "2028-06-30",
        },
        "percent": percent,
        "address": "9 Home Street",
        "consideration": 1000,
    }


def deal_data(code: str, variant: str) -> dict:
    form = Library.shipped().state(code).entity_forms[0]
    data = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text())
    data["deal"]["state"] = code
    data["mso"]["formation_state"] = code
    data["mso"]["members"][1]["signatory"] = {"name": "Lee Harbor", "title": "Manager"}
    data["formation"] = FILLED
    practice = data["practice"]
    practice.update(
        entity_type=form.form.value, formation_state=code, name=f"Glow Aesthetic Medicine {form.suffixes[0]}"
    )
    lead = "Maya Chen, D.O." if variant == "do_owner" else "Maya Chen, M.D."
    practice["owners"] = [owner(lead, code, 100, "DO" if variant == "do_owner" else "MD")]
    if variant == "three_owners":
        practice["owners"] = [
            owner(lead, code, 40),
            owner("Ben Ortiz, M.D.", code, 30),
            owner("Cara Singh, M.D.", code, 30),
        ]
    if variant == "mso_50_50":
        data["mso"]["members"][0]["percent"] = 50
        data["mso"]["members"][1]["percent"] = 50
    practice["owners"][0]["spouse"] = "Daniel Chen"
    practice["medical_director"] = lead
    practice["signatory"] = {"name": lead, "title": "President"}
    return data


def foreign_citations(text: str, code: str) -> list[str]:
    return [mark for other, marks in CITATION_MARKS.items() if other != code for mark in marks if mark in text]


@pytest.mark.parametrize("variant", ["one_owner", "three_owners", "mso_50_50", "do_owner"])
@pytest.mark.parametrize("code", STATES)
def test_packet_holds_together_in(code, variant, tmp_path):
    path = tmp_path / f"{code}_{variant}.yaml"
    path.write_text(yaml.safe_dump(deal_data(code, variant), sort_keys=False))
    deal, rules, _ = check(path, "conservative", Library.shipped())
    drafting = start_drafting(deal, rules, Library.shipped())
    drafts = draft_agreements(drafting)
    texts = {d.spec.name: "\n".join(block_paragraphs(d.blocks)) for d in drafts}  # drafting notes left out
    texts["formation_checklist"] = signing_table(drafting.context["signing_steps"])
    consented = {s.name: s.title for s in drafting.specs if s.practice_consent}  # what the consent must approve
    assert system_findings(texts, consented) == [], f"{code} {variant}"
    for name, text in texts.items():
        assert foreign_citations(text, code) == [], f"{code} {variant} {name}"
    for draft in drafts:
        left = [label for label in document_blanks(draft.blocks) if FILLABLE.match(label)]
        assert left == [], f"{code} {variant} {draft.spec.name}: {left}"
    if deal.practice.owners.__len__() == 1:
        for name in ("continuity_agreement", "practice_bylaws", "practice_operating_agreement"):
            assert "redeemed by the Practice as of" not in texts.get(name, ""), f"{code} {name}"


@pytest.mark.parametrize("code", STATES)
def test_memo_cites_only_its_own_state(code, tmp_path):
    path = tmp_path / f"{code}.yaml"
    path.write_text(yaml.safe_dump(deal_data(code, "three_owners"), sort_keys=False))
    packet = formgen.build(path)
    memo = next(d for d in packet.documents if d.spec.name == "compliance_memo")
    text = docx_text(memo.data)
    assert foreign_citations(text, code) == [], code
    assert [f for f in packet.findings if f.rule.startswith("packet.")] == []
