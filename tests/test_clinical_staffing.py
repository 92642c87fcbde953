"""The clinical staffing set (issue 30, clinician half): a clinician agreement per clinician, the state's
supervision or delegation instrument under its own name for each NP, PA, RN or LVN, role limits checked
against the state's scope-of-practice data (error findings with the state's citation), the clinicians in
the signing order, and the packet still the same bytes for the same inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from formgen.api import build as build_packet
from formgen.drafting.closing import declared_signers, signing_steps
from formgen.drafting.drafts import draft_agreements, start_drafting
from formgen.drafting.staffing import SCOPE_CLASS, treatments_of
from formgen.drafting.validation import check
from formgen.scan.packet_checks import validate
from formgen.inputs.clinical import Clinician, clinician_slugs
from formgen.inputs.deal import load_deal
from formgen.drafting.plan import documents_for
from formgen.inputs.library import Library
from formgen.word.ooxml import docx_text
from formgen.drafting.drafts import block_paragraphs

NURSE = {"name": "Riley Nurse", "role": "RN", "license": "RN 123"}
PRACTITIONER = {"name": "Nora Practitioner", "role": "NP", "good_faith_exams": True}
# The instrument each state's data names for the nurse practitioner and the registered nurse.
INSTRUMENTS = {
    "ca": ("Standardized Procedures", "Standardized Procedures"),
    "tx": ("Prescriptive Authority Agreement", "Standing Delegation Orders"),
    "fl": ("Established Protocol", "Delegation Protocol"),  # FL: no RN instrument in the data: the generic one
    "ny": ("Written Practice Agreement and Practice Protocols", "Patient-Specific Orders"),
}


def staffed(tmp_path: Path, state: str, clinicians=(NURSE, PRACTITIONER), **extra) -> Path:
    data = yaml.safe_load((EXAMPLES / f"{state}_medspa.yaml").read_text())
    data["treatments"] = ["neuromodulators", "fillers", "lasers_ipl"]
    data["clinicians"] = [dict(c) for c in clinicians]
    data.update(extra)
    path = tmp_path / f"{state}_staffed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def drafted(path: Path) -> dict[str, str]:
    library = Library.shipped()
    deal, rules, _ = check(path, "conservative", library)
    return {
        d.spec.name: " ".join(" ".join(block_paragraphs(d.blocks, notes=True)).split())
        for d in draft_agreements(start_drafting(deal, rules, library))
    }


@pytest.mark.parametrize("state", sorted(INSTRUMENTS))
def test_each_state_drafts_the_agreements_and_its_instruments_under_its_names(tmp_path, state):
    texts = drafted(staffed(tmp_path, state))
    np_name, rn_name = INSTRUMENTS[state]
    assert {
        "clinician_agreement.rn",
        "clinician_agreement.np",
        "supervision_instrument.rn",
        "supervision_instrument.np",
    } <= set(texts)
    rn, instrument = texts["clinician_agreement.rn"], texts["supervision_instrument.rn"]
    assert "Riley Nurse" in rn and "Practice Is the Employer" in rn and "is not Clinician’s employer" in rn
    assert "fair market value" in rn and "referral" in rn and "tail" in rn and "License Events" in rn
    assert f"under the {rn_name} that Clinician" in rn
    assert "**" not in rn and "**" not in instrument  # every caption starts its own paragraph
    assert f"the {np_name} for Nora Practitioner" in texts["supervision_instrument.np"]
    assert f"the {rn_name} for Riley Nurse" in instrument and "hyaluronidase" in instrument
    # the medical director agreement and the MSA name the instruments; the MSA's staffing terms the agreements
    assert f"the {rn_name} for Riley Nurse" in texts["medical_director_agreement"]
    assert "(each a “Clinician Agreement”)" in texts["msa"] and "Clinician Agreement: Riley Nurse" in texts["msa"]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_instrument_states_what_the_state_requires_of_it(tmp_path):
    texts = drafted(staffed(tmp_path, "tx"))
    paa = texts["supervision_instrument.np"]
    rules = Library.shipped().state("TX")
    for item in rules.scope_of_practice.instruments["NP"].contents:
        assert item.split(",")[0] in paa
    assert "no more than seven advanced practice registered nurses" in paa
    generic = drafted(staffed(tmp_path, "fl"))["supervision_instrument.rn"]
    assert "formgen’s generic delegation protocol" in generic and "counsel must check" in generic


@pytest.mark.parametrize("state", sorted(INSTRUMENTS))
def test_each_clinicians_duties_stay_within_the_state_data(tmp_path, state):
    """An LVN and an aesthetician with no 'performs' get only the treatments the state lets their role do."""
    path = staffed(
        tmp_path,
        state,
        clinicians=(
            NURSE,
            PRACTITIONER,
            {"name": "Val Vocational", "role": "LVN"},
            {"name": "Esme Esthetic", "role": "aesthetician"},
        ),
    )
    deal = load_deal(path)
    rules = Library.shipped().state(deal.state)
    texts = drafted(path)
    for clinician, slug in zip(deal.clinicians, clinician_slugs(deal.clinicians)):
        allowed = treatments_of(clinician, deal, rules)
        for treatment in deal.treatments:
            entry = rules.scope_of_practice.entry_for(SCOPE_CLASS[treatment])
            assert (treatment.value in allowed) == (clinician.role.value in entry.performers)
        words = {
            "neuromodulators": "neuromodulator injections",
            "fillers": "dermal filler injections",
            "lasers_ipl": "laser, intense pulsed light",
        }
        text = texts[f"clinician_agreement.{slug}"]
        for treatment, phrase in words.items():
            assert (phrase in text) == (treatment in allowed), (state, clinician.role, treatment)


def _errors(path: Path, rule: str):
    _, _, findings = validate(path, "conservative", Library.shipped())
    return [f for f in findings if f.rule == rule]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_role_the_state_does_not_allow_is_an_error_with_the_citation(tmp_path):
    lvn = {"name": "Val Vocational", "role": "LVN", "performs": ["lasers_ipl"]}
    [finding] = _errors(staffed(tmp_path, "ca", clinicians=(lvn,)), "staffing.role_not_allowed")
    assert finding.severity == "error" and "§ 2023.5" in finding.citation and finding.verified
    assert finding.field == "clinicians[0].performs" and "Val Vocational" in finding.message
    agreement = drafted(staffed(tmp_path, "ca", clinicians=(lvn,)))["clinician_agreement.lvn"]
    assert "laser" not in agreement.split("Duties and Scope of Practice")[1].split("No Other Services")[0]


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_an_rn_injecting_without_the_supervision_the_state_requires_is_an_error(tmp_path):
    """California: only a physician supervises a nurse's injections; an RN supervised by an NP is an error."""
    nurse = {**NURSE, "performs": ["neuromodulators"], "supervised_by": "Nora Practitioner"}
    path = staffed(tmp_path, "ca", clinicians=(nurse, PRACTITIONER))
    [finding] = _errors(path, "staffing.supervision_missing")
    assert finding.severity == "error" and "§ 2725" in finding.citation and "Riley Nurse" in finding.message
    assert finding.field == "clinicians[0].supervised_by"
    # supervised by the medical director (the default), the same nurse is fine
    assert not _errors(
        staffed(tmp_path, "ca", clinicians=({**NURSE, "performs": ["neuromodulators"]},)),
        "staffing.supervision_missing",
    )


@pytest.mark.parametrize("state", ["ca", "tx", "ny"])
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_an_rn_performing_good_faith_exams_is_an_error_where_the_state_forbids_it(tmp_path, state):
    [finding] = _errors(
        staffed(tmp_path, state, clinicians=({**NURSE, "good_faith_exams": True},)), "staffing.good_faith_exam_role"
    )
    assert finding.severity == "error" and finding.citation and "Riley Nurse" in finding.message
    assert not _errors(staffed(tmp_path, state), "staffing.good_faith_exam_role")  # the NP may


def test_file_names_are_by_role_with_a_name_slug_when_two_share_a_role():
    people = [
        Clinician(name="Jane Doe", role="RN"),
        Clinician(name="Nora P", role="NP"),
        Clinician(name="John Roe", role="RN"),
        Clinician(name="John Roe", role="RN"),
    ]
    assert clinician_slugs(people) == ["rn.jane-doe", "np", "rn.john-roe-1", "rn.john-roe-2"]


def test_examples_without_clinicians_have_no_clinician_documents():
    deal = load_deal(EXAMPLES / "ca_medspa.yaml")
    library = Library.shipped()
    names = [s.name for s in documents_for(deal, library.state(deal.state), library.documents)]
    assert not [n for n in names if n.startswith(("clinician_agreement", "supervision_instrument"))]


def test_clinicians_sign_their_agreements_in_the_signing_order(tmp_path):
    path = staffed(tmp_path, "ca")
    library = Library.shipped()
    deal, rules, _ = check(path, "conservative", library)
    drafting = start_drafting(deal, rules, library)
    spec = next(s for s in drafting.specs if s.name == "supervision_instrument.rn")
    assert declared_signers(spec, deal, drafting.context) == [
        deal.practice.medical_director,
        "Riley Nurse",
        deal.practice.signatory.name,
    ]
    names = [s.name for s in drafting.specs if not s.report]
    step = {name: s.number for s in signing_steps(names) for name in s.items}
    assert step["clinician_agreement.rn"] > step["practice_articles"]
    assert step["supervision_instrument.rn"] >= step["clinician_agreement.rn"]
    assert step["supervision_instrument.rn"] >= step["medical_director_agreement"]
    rows = drafting.context["signing_steps"]
    assert any("Riley Nurse" in row["who"] for row in rows)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_staffed_packet_is_deterministic_and_opens_as_word(tmp_path):
    path = staffed(tmp_path, "tx")
    first = {d.spec.filename: d.data for d in build_packet(path).documents}
    second = {d.spec.filename: d.data for d in build_packet(path).documents}
    assert first == second
    assert {"clinician_agreement.rn.docx", "supervision_instrument.np.docx"} <= set(first)
    memo = " ".join(docx_text(first["compliance_memo.docx"]).split())
    assert "Prescriptive Authority Agreement" in memo and "Standing Delegation Orders" in memo
    assert "Tex. Occ. Code § 157.0512; 22 Tex. Admin. Code § 222.5; verified" in memo


def test_the_web_interview_has_a_clinical_team_step_with_help():
    from formgen.web.interview import step

    clinical = step("clinical")
    assert clinical is not None and clinical.title == "Clinical team"
    assert clinical.sections == ["treatments", "clinicians"]
    clinicians = clinical.fields[1]
    assert clinicians.kind == "group" and "supervision instrument" in clinicians.help
    role = next(f for f in clinicians.children if f.name == "role")
    assert ("LVN", "LVN (licensed vocational or practical nurse)") in role.choices


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_regenerate_redrafts_a_clinicians_agreement_and_adds_a_new_clinicians(tmp_path):
    """A changed clinician changes that clinician's documents only; a clinician added brings new documents."""
    import formgen

    path = staffed(tmp_path, "ny")
    out = tmp_path / "out"
    formgen.generate(path, out)
    manifest = (out / "manifest.json").read_text()
    assert '"clinician_agreement.rn"' in manifest and '"supervision_instrument.np"' in manifest
    data = yaml.safe_load(path.read_text())
    data["clinicians"][0]["compensation"] = "salary"
    data["clinicians"].append({"name": "Paula Assistant", "role": "PA"})
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    result = formgen.regenerate(out)
    assert result.status == "regenerated"
    status = {d.name: d.status for d in result.documents}
    assert status["clinician_agreement.rn"] != "unchanged" and status["clinician_agreement.np"] == "unchanged"
    assert (out / "clinician_agreement.pa.docx").exists() and (out / "supervision_instrument.pa.docx").exists()
    assert "annual salary" in " ".join(docx_text((out / "clinician_agreement.rn.docx").read_bytes()).split())


FIFTEEN = ["CA", "TX", "FL", "NY", "AZ", "NV", "IL", "NJ", "GA", "CO", "WA", "PA", "OH", "NC", "MA"]


@pytest.mark.parametrize("code", FIFTEEN)
def test_every_market_names_an_instrument_with_citation_and_why(code):
    """Every market names at least one instrument in its data, each cited and saying what it rests on;
    a verified one names the primary text read."""
    instruments = Library.shipped().state(code).scope_of_practice.instruments
    assert instruments, code
    for role, instrument in instruments.items():
        assert instrument.citation.strip() and instrument.note.strip() and instrument.contents, (code, role)
        assert not instrument.verified or (instrument.source.strip() and instrument.read_on), (code, role)


def test_states_prints_the_instruments():
    from conftest import run_cli

    out = run_cli("states", "CA").stdout
    assert "Supervision instruments" in out
    assert (
        "NP: Standardized Procedures [Cal. Bus. & Prof. Code §§ 2725, 2836.1; 16 Cal. Code Regs. § 1474; verified]"
        in out
    )
    assert "PA: Practice Agreement [" in out and "3502.3; UNVERIFIED]" in out
