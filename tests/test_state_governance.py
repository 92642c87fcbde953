"""Each state's professional-entity statutes drafted into the practice's governing document (issue 23
item 2): the `governance:` block of AZ, NV, NJ, CO, WA, PA, OH, NC and MA reaches the bylaws or the
operating agreement of the entity form it governs, each provision cited, verified from the text read or
saying why not."""

from __future__ import annotations

import pytest
import yaml

from conftest import EXAMPLES
from formgen.drafting.drafts import block_paragraphs, draft_agreements, start_drafting
from formgen.drafting.validation import check
from formgen.inputs.deal import PracticeEntityType
from formgen.inputs.library import Library
from formgen.inputs.states import StatuteProvision
from test_fifteen_states import deal_data

STATES = ["AZ", "NV", "NJ", "CO", "WA", "PA", "OH", "NC", "MA"]


def governing_document(data: dict, tmp_path) -> tuple[str, PracticeEntityType]:
    """The drafted text of the practice's bylaws or operating agreement, one space between words."""
    path = tmp_path / "deal.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    deal, rules, _ = check(path, "conservative", Library.shipped())
    drafts = draft_agreements(start_drafting(deal, rules, Library.shipped()))
    name = "practice_operating_agreement" if deal.practice.entity_type.is_llc else "practice_bylaws"
    text = next("\n".join(block_paragraphs(d.blocks)) for d in drafts if d.spec.name == name)
    return " ".join(text.replace("\xa0", " ").split()), deal.practice.entity_type


def as_form(data: dict, code: str, index: int) -> dict:
    form = Library.shipped().state(code).entity_forms[index]
    data["practice"].update(entity_type=form.form.value, name=f"Glow Aesthetic Medicine {form.suffixes[0]}")
    return data


@pytest.mark.parametrize("code", STATES)
def test_every_governance_provision_is_verified_or_says_why(code):
    provisions = Library.shipped().state(code).governance.provisions
    assert provisions, f"{code} has no governance block"
    for p in provisions:
        assert p.citation.strip(), f"{code} {p.id}"
        assert p.verified or p.note.strip(), f"{code} {p.id}: unverified with no note saying why"
    assert any(p.verified for p in provisions), f"{code}: no provision verified from a primary text"


@pytest.mark.parametrize("code", STATES)
def test_the_bylaws_restate_the_states_statutes(code, tmp_path):
    text, entity_type = governing_document(deal_data(code, "three_owners"), tmp_path)
    applicable = [p for p in Library.shipped().state(code).governance.provisions if p.applies_to(entity_type)]
    assert applicable, f"{code}: nothing drafted into a {entity_type.value}"
    assert "Requirements of the Professional Entity Statutes" in text
    for p in applicable:
        assert f"{p.caption}." in text and f"({p.citation})" in text, f"{code} {p.id}"
    assert "{owner}" not in text


@pytest.mark.parametrize("code", ["NJ", "CO", "PA"])
def test_an_llc_gets_its_own_provisions_and_not_the_corporations(code, tmp_path):
    text, entity_type = governing_document(as_form(deal_data(code, "three_owners"), code, 1), tmp_path)
    assert entity_type.is_llc
    for p in Library.shipped().state(code).governance.provisions:
        assert (f"({p.citation})" in text) == p.applies_to(entity_type), f"{code} {p.id}"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_ohios_statute_governs_a_professional_association_and_not_a_lay_ownable_llc(tmp_path):
    association, _ = governing_document(deal_data("OH", "three_owners"), tmp_path)
    assert "(Ohio Rev. Code § 1785.06)" in association and "even-numbered year" in association
    llc, entity_type = governing_document(yaml.safe_load((EXAMPLES / "oh_medspa.yaml").read_text()), tmp_path)
    assert entity_type == PracticeEntityType.llc and "1785.06" not in llc


def test_a_provision_can_govern_one_entity_form():
    provision = StatuteProvision(id="x", caption="X", text="x", citation="X § 1", applies="professional_association")
    assert provision.applies_to(PracticeEntityType.professional_association)
    assert not provision.applies_to(PracticeEntityType.corporation)
    assert not provision.applies_to(PracticeEntityType.llc)
    broad = StatuteProvision(id="y", caption="Y", text="y", citation="Y § 1", applies="corporation")
    assert broad.applies_to(PracticeEntityType.corporation) and broad.applies_to(
        PracticeEntityType.professional_corporation
    )
    assert not broad.applies_to(PracticeEntityType.pllc)


def test_a_new_york_pllcs_operating_agreement_restates_llc_law_1203_and_1207(tmp_path):
    data = as_form(yaml.safe_load((EXAMPLES / "ny_medspa.yaml").read_text()), "NY", 1)
    text, entity_type = governing_document(data, tmp_path)
    assert entity_type.is_llc
    assert "(N.Y. Ltd. Liab. Co. Law §§ 1203(a), 1207(a))" in text and "within thirty (30) days after becoming" in text
    assert "1507" not in text  # the Business Corporation Law provisions govern the P.C. only
