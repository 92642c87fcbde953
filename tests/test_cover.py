"""The packet cover is rendered from the Word template cover.docx by the renderer every document
uses: a firm restyles or rewords it in Word, and values stay text."""

from __future__ import annotations

import dataclasses
import shutil
from io import BytesIO

import pytest
from docx import Document

import formgen
from conftest import EXAMPLES
from formgen.inputs.library import Library
from formgen.library.paths import shipped_dir
from formgen.pdf.cover import TocEntry, build_cover_docx
from formgen.word.ooxml import docx_text


@pytest.fixture(scope="module")
def packet():
    return formgen.build(EXAMPLES / "ca_medspa.yaml")


def entries(packet):
    return [
        TocEntry(i, doc.spec.title, f"{doc.spec.name}.pdf", pages=3, start=2 + 3 * i)
        for i, doc in enumerate(packet.documents, start=1)
    ]


def test_cover_lists_parties_and_every_document_with_its_pages(packet):
    cover = build_cover_docx(packet, entries(packet), final=False)
    text = docx_text(cover)
    for value in (
        packet.deal.deal.name,
        packet.deal.mso.name,
        packet.deal.practice.name,
        "California (CA)",
        "January 1, 2027",
        "Draft for attorney review",
    ):
        assert value in text, value
    table = Document(BytesIO(cover)).tables[1]
    assert len(table.rows) == 1 + len(packet.documents)
    last = [c.text for c in table.rows[-1].cells]
    assert last[0] == f"{len(packet.documents)}." and last[2:] == ["3", str(2 + 3 * len(packet.documents))]
    assert build_cover_docx(packet, entries(packet), final=False) == cover  # same inputs, same bytes
    assert "Draft for attorney review" not in docx_text(build_cover_docx(packet, entries(packet), final=True))


def test_a_firms_cover_template_restyles_and_rewords_the_cover(packet, tmp_path):
    own = tmp_path / "templates"
    shutil.copytree(shipped_dir("templates"), own)
    template = Document(own / "cover.docx")
    template.styles["Cover Title"].font.name = "Arial"
    kicker = next(p for p in template.paragraphs if p.text == "Formation Packet")
    kicker.runs[0].text = "Closing Binder"
    template.save(own / "cover.docx")
    firm = dataclasses.replace(packet, library=Library.at(templates=own))
    cover = Document(BytesIO(build_cover_docx(firm, entries(packet), final=False)))
    assert cover.paragraphs[0].text == "Closing Binder"
    title = next(p for p in cover.paragraphs if p.text == packet.deal.deal.name)
    assert title.style.name == "Cover Title" and title.style.font.name == "Arial"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_deal_name_full_of_template_syntax_prints_as_typed(packet, tmp_path):
    raw = (EXAMPLES / "ca_medspa.yaml").read_text()
    hostile = "Glow {{ 7*7 }} {%p if x %} <b>&amp; Co</b>"
    path = tmp_path / "deal.yaml"
    path.write_text(raw.replace("name: Glow Aesthetics", f"name: '{hostile}'", 1))
    hostile_packet = formgen.build(path)
    assert hostile_packet.deal.deal.name == hostile
    text = docx_text(build_cover_docx(hostile_packet, entries(hostile_packet), final=False))
    assert hostile in text and "49" not in text.split("Effective")[0]


@pytest.mark.parametrize("example", ["ca_medspa.yaml", "tx_medspa.yaml", "ny_medspa.yaml", "fl_medspa.yaml"])
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_every_document_has_its_own_name_in_the_contents_and_bookmarks(example):
    """The two organizational consents share a heading ("Action by Unanimous Written Consent"); the
    cover's contents and the PDF bookmarks name each with whose consent it is."""
    from formgen.pdf.outline import document_label

    packet = formgen.build(EXAMPLES / example)
    labels = [document_label(doc.spec, packet.deal) for doc in packet.documents]
    assert len(set(labels)) == len(labels), labels
    assert any(label.startswith("Action by Unanimous Written Consent of the Members of ") for label in labels)
