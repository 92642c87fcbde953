"""Every kind of .docx formgen writes is valid OOXML: the packet documents and the PDF cover, a
redline, a merge with a lawyer's edits, an amendment, its consents and the conformed copy, checked
against the ECMA-376 schemas and the Open XML SDK's semantic rules (openxml-audit, a pure-Python
port of the SDK's validator with its schema data). No exception list: any error fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pytest

import formgen
from conftest import EXAMPLES
from formgen.pdf.cover import TocEntry, build_cover_docx
from formgen.word.ooxml import read_package
from formgen.word.wordml import write_package

pytestmark = pytest.mark.slow  # slow tier: every document against the OOXML schema

openxml_audit = pytest.importorskip(
    "openxml_audit", reason="install the schema checker: pip install -e '.[ooxml]' (tests/run.sh does)"
)

FEE = ("monthly_amount: 42000", "monthly_amount: 45000", "monthly_amount: 47500")


@pytest.fixture(scope="module")
def validator():
    return openxml_audit.OpenXmlValidator(max_errors=20)


def problems(validator, path: Path) -> list[str]:
    result = validator.validate(str(path))
    return [f"{path.name}: {getattr(e, 'path', '') or ''} {e.description}" for e in result.errors]


@pytest.fixture(scope="module")
def workflow(tmp_path_factory) -> Path:
    """A NY packet taken through a redline, a merge of a lawyer's edit, signing and two amendments."""
    folder = tmp_path_factory.mktemp("schema")
    deal = folder / "hudson.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    out = folder / "out"
    formgen.generate(deal, out)
    deal.write_text(deal.read_text().replace(*FEE[:2]))
    formgen.regenerate(out)
    shutil.copy(out / "redlines/msa.redline.docx", folder / "msa.redline.docx")  # the next regenerate replaces it
    edited = docx.Document(str(out / "msa.docx"))
    edited.add_paragraph("Counsel's edit.")
    edited.save(str(out / "msa.docx"))
    deal.write_text(deal.read_text().replace(*FEE[1:]))
    formgen.regenerate(out)  # msa.docx merged: the lawyer's edit kept, the new fee tracked
    return folder


def test_every_document_of_four_packets_and_the_cover_is_valid(validator, tmp_path):
    found = []
    for stem in ("ca_medspa", "tx_medspa", "ny_medspa", "fl_medspa"):
        packet = formgen.build(EXAMPLES / f"{stem}.yaml")
        for doc in packet.documents:
            path = tmp_path / f"{stem}.{doc.spec.filename}"
            path.write_bytes(doc.data)
            found += problems(validator, path)
        entries = [
            TocEntry(i, doc.spec.name, doc.spec.filename, 3, 2 + 3 * i) for i, doc in enumerate(packet.documents)
        ]
        cover = tmp_path / f"{stem}.cover.docx"
        cover.write_bytes(build_cover_docx(packet, entries, final=False))
        found += problems(validator, cover)
    assert not found, "\n".join(found)


def test_redlines_and_merges_are_valid(validator, workflow):
    kinds = {"redline": workflow / "msa.redline.docx", "merge": workflow / "out/msa.docx"}
    assert all(p.is_file() for p in kinds.values()), kinds
    found = [problem for path in kinds.values() for problem in problems(validator, path)]
    assert not found, "\n".join(found)


def test_amendment_consents_and_conformed_copy_are_valid(validator, tmp_path):
    deal = tmp_path / "hudson.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    formgen.mark_executed(out, ["msa"], date="2027-01-15")
    deal.write_text(deal.read_text().replace(*FEE[:2]))
    formgen.regenerate(out)
    files = [
        out / "amendments/msa.amendment-1.docx",
        out / "amendments/msa.amendment-1.consents.docx",
        out / "msa.conformed.docx",
    ]
    assert all(p.is_file() for p in files), files
    found = [problem for path in files for problem in problems(validator, path)]
    assert not found, "\n".join(found)


def test_the_checker_rejects_paragraph_properties_out_of_schema_order(validator, tmp_path):
    """The check can fail: numPr before keepNext (CT_PPrBase is a sequence) is an error."""
    packet = formgen.build(EXAMPLES / "ca_medspa.yaml")
    parts = read_package(packet.documents[0].data)
    body = parts["word/document.xml"].decode()
    assert "<w:pPr>" in body
    parts["word/document.xml"] = body.replace(
        "<w:pPr>", '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr><w:keepNext/>', 1
    ).encode()
    bad = tmp_path / "bad.docx"
    bad.write_bytes(write_package(parts))
    assert any("keepNext" in p for p in problems(validator, bad))
