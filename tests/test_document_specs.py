"""Documents are declared as data: clauses/<name>/document.yaml. A firm adds a document with a
YAML file and its clauses, no Python; a bad spec is refused naming its file and field."""

from __future__ import annotations

import shutil

import pytest
import yaml
from docx import Document

import formgen
from conftest import EXAMPLES, ROOT
from formgen.errors import InputError
from formgen.drafting.plan import documents_for
from formgen.inputs.deal_loader import load_deal
from formgen.inputs.library import Library

SIDE_LETTER_SPEC = """\
order: 135
title: Side Letter on Equipment
label_prefix: SIDE-LETTER
applies: [not premises.sublease]
applies_in_words: the practice does not sublease the MSO's space
pays_mso: true
signers: [mso, practice]
"""

SIDE_LETTER_CLAUSES = {
    "010-body.md": """\
---
id: side_letter.body
version: 1
title: _body
document: side_letter
kind: part
---
{{ mso.name }} lends the equipment listed in the Management Services Agreement to {{ practice.name }} for the term of that agreement.
""",
    "990-signatures.md": """\
---
id: side_letter.signatures
version: 1
title: _signatures
document: side_letter
kind: signatures
---
@sign {{ mso.name }} | {{ mso.signatory.name }} | {{ mso.signatory.title }}

@sign {{ practice.name }} | {{ practice.signatory.name }} | {{ practice.signatory.title }}
""",
}


def firm_clauses(tmp_path, spec: str = SIDE_LETTER_SPEC):
    clauses = tmp_path / "clauses"
    shutil.copytree(ROOT / "clauses", clauses)
    folder = clauses / "side_letter"
    folder.mkdir()
    (folder / "document.yaml").write_text(spec)
    for name, text in SIDE_LETTER_CLAUSES.items():
        (folder / name).write_text(text)
    return clauses


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_document_is_added_from_yaml_alone(tmp_path):
    library = Library.at(clauses=firm_clauses(tmp_path))
    names = [spec.name for spec in library.documents]
    assert names.index("side_letter") == names.index("promissory_note") + 1  # order 135: after the note (130)

    out = tmp_path / "packet"
    formgen.generate(EXAMPLES / "ca_medspa.yaml", out, library=library)
    letter = Document(str(out / "side_letter.docx"))
    text = "\n".join(p.text for p in letter.paragraphs)
    assert "Side Letter on Equipment" in text and "lends the equipment" in text
    before = (out / "side_letter.docx").read_bytes()
    formgen.regenerate(out, library=library)
    assert (out / "side_letter.docx").read_bytes() == before

    shipped = tmp_path / "shipped"
    formgen.generate(EXAMPLES / "ca_medspa.yaml", shipped)
    assert not (shipped / "side_letter.docx").exists()


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_document_applies_only_when_its_conditions_hold(tmp_path):
    library = Library.at(
        clauses=firm_clauses(tmp_path, SIDE_LETTER_SPEC.replace("not premises.sublease", "premises.sublease"))
    )
    packet = formgen.build(EXAMPLES / "ca_medspa.yaml", library=library)
    assert packet.deal.premises.sublease is False
    assert "side_letter" not in [d.spec.name for d in packet.documents]


@pytest.mark.parametrize(
    ("spec", "field", "message"),
    [
        ("order: 1\ntitle: X\nlabel_prefix: x\n", "label_prefix", "should match pattern"),
        ("title: X\nlabel_prefix: X\n", "order", "Field required"),
        ("order: 1\ntitle: X\nlabel_prefix: X\nsigners: [landlord]\n", "signers.0", "Input should be"),
        ("order: 1\ntitle: X\nlabel_prefix: X\ncolour: red\n", "colour", "Extra inputs are not permitted"),
        ("- just a list\n", "", "must be a mapping"),
        (
            "order: 1\ntitle: X\nlabel_prefix: X\namendment_parties: '{owner} and {mso}'\n",
            "amendment_parties",
            "{owner}",
        ),
        ("order: 1\ntitle: X\nlabel_prefix: X\namendment_parties: '{mso and us'\n", "amendment_parties", "pattern"),
    ],
)
def test_a_bad_spec_names_its_file_and_field(tmp_path, spec, field, message):
    library = Library.at(clauses=firm_clauses(tmp_path, spec))
    with pytest.raises(InputError) as caught:
        _ = library.documents
    problem = caught.value.problems[0]
    assert problem.file.endswith("side_letter/document.yaml") and problem.path == field
    assert message in problem.message


def test_a_condition_that_cannot_be_evaluated_names_the_document(tmp_path):
    library = Library.at(
        clauses=firm_clauses(tmp_path, SIDE_LETTER_SPEC.replace("not premises.sublease", "premises.no_such_field"))
    )
    with pytest.raises(
        formgen.errors.FormgenError, match="side_letter/document.yaml: applies 'premises.no_such_field'"
    ):
        formgen.build(EXAMPLES / "ca_medspa.yaml", library=library)


def test_an_amendment_names_the_parties_as_the_document_declares_them(tmp_path):
    """Who signs an amendment is a field of the document's spec (no test on its name): the BAA's
    roles, a governing document's owners, a per-clinician copy's clinician, else MSO and Practice."""
    library = Library.at(
        clauses=firm_clauses(tmp_path, SIDE_LETTER_SPEC + "amendment_parties: '{mso} (\"Lender\") and {practice}'\n")
    )
    data = yaml.safe_load((EXAMPLES / "tx_medspa.yaml").read_text())
    data["clinicians"] = [{"name": "Riley Nurse", "role": "RN", "license": "RN 123"}]
    (tmp_path / "staffed.yaml").write_text(yaml.safe_dump(data))
    deal = load_deal(tmp_path / "staffed.yaml")
    specs = {spec.name: spec for spec in documents_for(deal, library.state(deal.state), library.documents)}
    mso, practice = deal.mso.name, deal.practice.name
    assert specs["msa"].amendment_parties_in(deal) == f'{mso} ("MSO") and {practice} ("Practice")'
    assert specs["baa"].amendment_parties_in(deal) == f'{practice} ("Covered Entity") and {mso} ("Business Associate")'
    assert (
        specs["practice_operating_agreement"].amendment_parties_in(deal)
        == f'{practice} (the "Practice") and its owners'
    )
    assert specs["side_letter"].amendment_parties_in(deal) == f'{mso} ("Lender") and {practice}'
    copy = next(spec for name, spec in specs.items() if name.startswith("clinician_agreement."))
    assert (
        copy.amendment_parties_in(deal)
        == f'{practice} ("Practice") and {deal.clinicians[copy.item].name} ("Clinician")'
    )
