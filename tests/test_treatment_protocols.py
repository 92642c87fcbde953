"""The good-faith examination policy and the treatment protocols (#30, treatments half): the IV
protocol Texas ch. 172 requires appears only when the deal offers IV therapy, the policy names its
authority or says it is unverified, fillers carry the hyaluronidase step, the state files' good_faith_exam
key is validated, and offers_iv_therapy and treatments agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, states_with
from formgen.api import build
from formgen.errors import InputError
from formgen.inputs.deal_loader import load_deal
from formgen.inputs.library import Library
from formgen.inputs.states import read_state
from formgen.word.ooxml import docx_text
from test_jurisdictions import deal_for
from test_law import LARGEST_MARKETS

CLINICAL = ("good_faith_exam_policy", "treatment_protocols")


def _deal(tmp_path: Path, base: Path, name: str = "deal", **changes) -> Path:
    data = yaml.safe_load(base.read_text())
    deal_changes = changes.pop("deal", {})
    data["deal"].update(deal_changes)
    for key in [k for k, v in deal_changes.items() if v is None]:
        del data["deal"][key]
    data.update(changes)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _texts(path: Path) -> dict[str, str]:
    return {d.spec.name: " ".join(docx_text(d.data).split()) for d in build(path).documents}


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_texas_iv_therapy_gets_the_chapter_172_protocol(tmp_path):
    texts = _texts(_deal(tmp_path, EXAMPLES / "tx_medspa.yaml", treatments=["neuromodulators", "iv_therapy"]))
    protocols = texts["treatment_protocols"]
    assert "INTRAVENOUS THERAPY" in protocols.upper()
    assert "Chapter 172 of the Texas Occupations Code" in protocols
    assert "Tex. Occ. Code ch. 172" in protocols
    for step in ("infiltration", "fluid overload", "anaphylaxis", "Medical Screening"):
        assert step in protocols, step
    assert "Elective IV therapy (Texas)" in texts["compliance_memo"]
    assert "Tex. Occ. Code ch. 172" in texts["formation_checklist"]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_texas_without_iv_therapy_has_no_iv_protocol(tmp_path):
    path = _deal(
        tmp_path,
        EXAMPLES / "tx_medspa.yaml",
        deal={"offers_iv_therapy": False},
        treatments=["neuromodulators", "lasers_ipl"],
    )
    texts = _texts(path)
    assert "Intravenous" not in texts["treatment_protocols"] and "172" not in texts["treatment_protocols"]
    assert "Elective IV therapy" not in texts["compliance_memo"]
    assert "Eye protection" in texts["treatment_protocols"] or "eye protection" in texts["treatment_protocols"]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_no_treatments_no_clinical_documents():
    names = {d.spec.name for d in build(EXAMPLES / "ca_medspa.yaml").documents}
    assert not names & set(CLINICAL)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_old_iv_flag_alone_still_brings_the_iv_protocol():
    deal = load_deal(EXAMPLES / "tx_medspa.yaml")  # offers_iv_therapy: true, no treatments listed
    assert [t.value for t in deal.treatments] == ["iv_therapy"]
    texts = {d.spec.name: docx_text(d.data) for d in build(EXAMPLES / "tx_medspa.yaml").documents}
    assert "Chapter 172" in texts["treatment_protocols"]


def test_listing_iv_therapy_sets_the_flag_and_a_contradiction_is_an_error(tmp_path):
    listed = _deal(tmp_path, EXAMPLES / "ca_medspa.yaml", "listed", treatments=["iv_therapy"])
    assert load_deal(listed).deal.offers_iv_therapy is True
    contradicts = _deal(
        tmp_path,
        EXAMPLES / "ca_medspa.yaml",
        "contradicts",
        deal={"offers_iv_therapy": False},
        treatments=["iv_therapy"],
    )
    with pytest.raises(InputError) as error:
        load_deal(contradicts)
    assert "offers_iv_therapy" in str(error.value) and "iv_therapy" in str(error.value)
    twice = _deal(tmp_path, EXAMPLES / "ca_medspa.yaml", "twice", treatments=["fillers", "fillers"])
    with pytest.raises(InputError, match="listed twice"):
        load_deal(twice)


@pytest.mark.parametrize("code", ["CA", "TX", "FL", "NY"])
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_policy_names_its_authority_or_says_it_is_unverified(code, tmp_path):
    path = _deal(tmp_path, deal_for(code, tmp_path), treatments=["neuromodulators", "fillers"])
    policy = _texts(path)["good_faith_exam_policy"]
    rule = Library.shipped().state(code).good_faith_exam
    assert rule.citation in policy
    if not rule.verified:
        assert "not verified at a primary source" in policy
    assert "registered nurse" in policy  # who may not examine
    assert rule.renewal_months == 12 and "at least once every twelve (12) months" in policy


def test_california_names_section_2242():
    rule = Library.shipped().state("CA").good_faith_exam
    assert "§ 2242" in rule.citation and not rule.verified and "2290.5" in rule.note


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_state_without_research_says_so(tmp_path):
    path = _deal(tmp_path, EXAMPLES / "or_medspa.yaml", treatments=["neuromodulators"])
    texts = _texts(path)
    assert "No Oregon rule on the good-faith examination has been researched" in texts["good_faith_exam_policy"]
    assert "No state authority was researched" in texts["treatment_protocols"]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_fillers_have_the_hyaluronidase_step(tmp_path):
    texts = _texts(_deal(tmp_path, EXAMPLES / "ca_medspa.yaml", treatments=["fillers"]))
    protocols = texts["treatment_protocols"]
    assert "Vascular Occlusion" in protocols and "hyaluronidase" in protocols
    assert "epinephrine" in protocols
    assert "botulinum" not in protocols  # only the treatments the deal lists
    assert "MEDICAL DIRECTOR" in protocols  # approved and signed by the medical director


@pytest.mark.parametrize("code", LARGEST_MARKETS)
def test_every_market_has_a_good_faith_exam_rule(code):
    rule = Library.shipped().state(code).good_faith_exam
    assert rule is not None and rule.citation.strip() and rule.note.strip() and rule.telehealth.strip()
    assert "RN" not in rule.performers and "aesthetician" not in rule.performers
    assert not rule.verified or rule.source.strip()


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda d: d["good_faith_exam"].update(performers=["MD", "nurse"]), "good_faith_exam.performers"),
        (lambda d: d["good_faith_exam"].update(renewal_months=0), "good_faith_exam.renewal_months"),
        (lambda d: d["good_faith_exam"].update(verified=True, citation=""), "needs a citation"),
    ],
)
def test_the_good_faith_exam_key_is_validated(tmp_path, edit, words):
    states = states_with(tmp_path, "TX", edit)
    with pytest.raises(InputError) as error:
        read_state("TX", states)
    assert "TX.yaml" in str(error.value) and words in str(error.value)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_clinical_documents_are_deterministic(tmp_path):
    path = _deal(tmp_path, EXAMPLES / "tx_medspa.yaml", treatments=["fillers", "lasers_ipl", "iv_therapy"])
    first = {d.spec.name: d.data for d in build(path).documents if d.spec.name in CLINICAL}
    second = {d.spec.name: d.data for d in build(path).documents if d.spec.name in CLINICAL}
    assert set(first) == set(CLINICAL) and first == second
