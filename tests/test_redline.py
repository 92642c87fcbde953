"""Redlines of real .docx files built with python-docx (no mocks), checked in XML, by
accepting / rejecting every change, and by converting with LibreOffice."""

from __future__ import annotations

import io
import posixpath
import struct
import zlib
from datetime import datetime, timezone
from pathlib import Path

import docx
import docx.opc.constants
import pypdf
import pytest
from docx.shared import Inches
from lxml import etree

from conftest import convert_with_libreoffice
from formgen.word.ooxml import read_package
from formgen.word.redline import RedlineError, make_redline, paragraphs_text, redline_date
from formgen.word.wordml import W

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W}
FEE_OLD = "The Practice shall pay the Manager a management fee of $25,000 per month, payable in arrears."
FEE_NEW = "The Practice shall pay the Manager a management fee of $30,000 per month, payable in arrears."


def save(document: docx.document.Document, path: Path) -> bytes:
    document.save(path)
    return path.read_bytes()


def simple_docx(path: Path, *paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return save(document, path)


def body(redline: bytes) -> etree._Element:
    return etree.fromstring(read_package(redline)["word/document.xml"]).find(f"{{{W}}}body")


def texts(element: etree._Element, xpath: str) -> list[str]:
    return ["".join(e.itertext()) for e in element.xpath(xpath, namespaces=NS)]


def assert_round_trips(old: bytes, new: bytes, redline: bytes) -> None:
    # LibreOffice honours only one of w:ins / w:del on a paragraph mark, so none may carry both.
    assert not body(redline).xpath("//w:pPr/w:rPr[w:ins and w:del]", namespaces=NS)
    assert paragraphs_text(redline, "accept") == paragraphs_text(new)
    assert paragraphs_text(redline, "reject") == paragraphs_text(old)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1 pixel, 8-bit RGB
    red_pixel = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", red_pixel) + chunk(b"IEND", b"")


def test_fee_change_is_a_word_level_deletion_and_insertion(tmp_path):
    old = simple_docx(tmp_path / "old.docx", "ARTICLE 3 - FEES", FEE_OLD)
    new = simple_docx(tmp_path / "new.docx", "ARTICLE 3 - FEES", FEE_NEW)
    redline = body(make_redline(old, new))
    assert texts(redline, "//w:del") == ["25,000"]
    assert texts(redline, "//w:ins") == ["30,000"]
    assert redline.xpath("//w:del//w:t", namespaces=NS) == []  # deleted text is w:delText
    assert_round_trips(old, new, make_redline(old, new))


def test_whole_paragraphs_inserted_and_deleted(tmp_path):
    old = simple_docx(tmp_path / "old.docx", "Recitals.", "The Manager is a Delaware LLC.", "Term: five years.")
    new = simple_docx(tmp_path / "new.docx", "Recitals.", "Term: five years.", "Governing law: Texas.")
    redline = make_redline(old, new)
    xml = body(redline)
    deleted = xml.xpath("w:p[w:del]", namespaces=NS)
    assert texts(xml, "w:p/w:del") == ["The Manager is a Delaware LLC."]
    assert deleted[0].xpath("w:pPr/w:rPr/w:del", namespaces=NS)  # its paragraph mark goes too
    assert texts(xml, "w:p/w:ins") == ["Governing law: Texas."]
    assert_round_trips(old, new, redline)
    assert paragraphs_text(redline, "accept") == ["Recitals.", "Term: five years.", "Governing law: Texas."]


@pytest.mark.parametrize(
    ("old_texts", "new_texts"),
    [
        (["A first clause.", "Last clause."], ["A first clause."]),  # last paragraph deleted
        (["A first clause."], ["A first clause.", "An added last clause."]),  # last paragraph added
        (["Alpha beta gamma."], ["Something else entirely."]),  # the only paragraph replaced
        (["One.", "Two.", "Three."], ["Three.", "Four.", "Five."]),
        (["Keep.", "Old tail one.", "Old tail two."], ["Keep.", "New tail."]),
    ],
)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_accept_gives_new_and_reject_gives_old(tmp_path, old_texts, new_texts):
    old = simple_docx(tmp_path / "old.docx", *old_texts)
    new = simple_docx(tmp_path / "new.docx", *new_texts)
    assert_round_trips(old, new, make_redline(old, new))


def test_bold_caption_stays_bold_and_body_text_normal(tmp_path):
    def caption_docx(path: Path, text: str) -> bytes:
        document = docx.Document()
        paragraph = document.add_paragraph()
        paragraph.add_run("3.1 Management Fee.").bold = True
        paragraph.add_run(" " + text)
        return save(document, path)

    old = caption_docx(tmp_path / "old.docx", FEE_OLD)
    new = caption_docx(tmp_path / "new.docx", FEE_NEW)
    redline = body(make_redline(old, new))
    runs = redline.xpath("//w:r", namespaces=NS)
    bold = {"".join(r.itertext()): bool(r.xpath("w:rPr/w:b", namespaces=NS)) for r in runs}
    assert bold["3.1 Management Fee."] is True
    assert bold["25,000"] is False and bold["30,000"] is False
    assert not any(bold[text] for text in bold if "per month" in text)


def test_table_cell_change_and_rows_added_and_removed(tmp_path):
    def fee_table(path: Path, rows: list[tuple[str, str]]) -> bytes:
        document = docx.Document()
        document.add_paragraph("Schedule A")
        table = document.add_table(rows=0, cols=2)
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
        document.add_paragraph("End of schedule.")
        return save(document, path)

    old = fee_table(tmp_path / "old.docx", [("Base fee", "$25,000 per month"), ("Term", "5 years"), ("Cap", "None")])
    new = fee_table(
        tmp_path / "new.docx", [("Base fee", "$30,000 per month"), ("Cap", "None"), ("Bonus", "2% of EBITDA")]
    )
    redline = make_redline(old, new)
    xml = body(redline)
    assert texts(xml, "//w:tc//w:del[w:r]") == ["25,000", "Term", "5 years"]
    assert "30,000" in texts(xml, "//w:tc//w:ins")
    deleted_rows = xml.xpath("//w:tr[w:trPr/w:del]", namespaces=NS)
    inserted_rows = xml.xpath("//w:tr[w:trPr/w:ins]", namespaces=NS)
    assert [texts(r, ".//w:delText") for r in deleted_rows] == [["Term", "5 years"]]
    assert [texts(r, ".//w:t") for r in inserted_rows] == [["Bonus", "2% of EBITDA"]]
    assert_round_trips(old, new, redline)
    assert paragraphs_text(redline, "accept")[1:3] == ["Base fee", "$30,000 per month"]


def test_a_cell_paragraph_added_at_the_end_of_a_cell(tmp_path):
    def cell_docx(path: Path, *lines: str) -> bytes:
        document = docx.Document()
        cell = document.add_table(rows=1, cols=1).cell(0, 0)
        cell.text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
        document.add_paragraph("After.")
        return save(document, path)

    old = cell_docx(tmp_path / "old.docx", "Notices to: Manager LLC")
    new = cell_docx(tmp_path / "new.docx", "Notices to: Manager LLC", "Attn: General Counsel")
    assert_round_trips(old, new, make_redline(old, new))


def test_changed_paragraph_style_is_tracked(tmp_path):
    old_doc, new_doc = docx.Document(), docx.Document()
    old_doc.add_paragraph("Section 4. Term", style="Heading 2")
    new_doc.add_paragraph("Section 4. Term", style="Heading 1")
    old, new = save(old_doc, tmp_path / "old.docx"), save(new_doc, tmp_path / "new.docx")
    xml = body(make_redline(old, new))
    assert xml.xpath("w:p/w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Heading1"]
    assert xml.xpath("w:p/w:pPr/w:pPrChange/w:pPr/w:pStyle/@w:val", namespaces=NS) == ["Heading2"]
    assert not xml.xpath("//w:ins|//w:del", namespaces=NS)


def test_identical_inputs_give_no_changes(tmp_path):
    document = docx.Document()
    document.add_paragraph(FEE_OLD)
    document.add_table(rows=2, cols=2).cell(0, 0).text = "Fee"
    old = save(document, tmp_path / "old.docx")
    new = save(document, tmp_path / "new.docx")
    xml = body(make_redline(old, new))
    assert not xml.xpath("//w:ins|//w:del|//w:pPrChange", namespaces=NS)
    assert paragraphs_text(make_redline(old, new)) == paragraphs_text(new)


def test_fields_and_drawings_in_unchanged_paragraphs_are_kept(tmp_path):
    def with_field(path: Path, fee: str) -> bytes:
        document = docx.Document()
        paragraph = document.add_paragraph("Page ")
        field = etree.SubElement(paragraph._p, f"{{{W}}}fldSimple", {f"{{{W}}}instr": " PAGE "})
        etree.SubElement(etree.SubElement(field, f"{{{W}}}r"), f"{{{W}}}t").text = "1"
        document.add_paragraph().add_run().add_picture(io.BytesIO(tiny_png()), width=Inches(0.5))
        document.add_paragraph(fee)
        return save(document, path)

    old, new = with_field(tmp_path / "old.docx", FEE_OLD), with_field(tmp_path / "new.docx", FEE_NEW)
    xml = body(make_redline(old, new))
    assert xml.xpath("//w:fldSimple[@w:instr=' PAGE ']/w:r/w:t/text()", namespaces=NS) == ["1"]
    assert len(xml.xpath("//w:drawing", namespaces=NS)) == 1
    assert texts(xml, "//w:del") == ["25,000"]


def test_deleted_picture_keeps_a_valid_image_relationship(tmp_path):
    old_doc = docx.Document()
    old_doc.add_paragraph("Exhibit B - Logo")
    old_doc.add_paragraph().add_run().add_picture(io.BytesIO(tiny_png()), width=Inches(0.5))
    old = save(old_doc, tmp_path / "old.docx")
    new = simple_docx(tmp_path / "new.docx", "Exhibit B - Logo")
    redline = make_redline(old, new)
    parts = read_package(redline)
    embed = body(redline).xpath("//w:del//@r:embed", namespaces={**NS, "r": R})
    assert len(embed) == 1
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    target = next(rel.get("Target") for rel in rels if rel.get("Id") == embed[0])
    assert parts[posixpath.normpath(posixpath.join("word", target))] == tiny_png()
    assert b"image/png" in parts["[Content_Types].xml"]
    docx.Document(io.BytesIO(redline))  # python-docx resolves the package


def test_deleted_hyperlink_points_at_its_address(tmp_path):
    old_doc = docx.Document()
    old_doc.add_paragraph("Notices by email.")
    paragraph = old_doc.add_paragraph("Send notices to ")
    rel_id = old_doc.part.relate_to("mailto:notices@example.com", docx.opc.constants.RELATIONSHIP_TYPE.HYPERLINK, True)
    link = etree.SubElement(paragraph._p, f"{{{W}}}hyperlink", {f"{{{R}}}id": rel_id})
    etree.SubElement(etree.SubElement(link, f"{{{W}}}r"), f"{{{W}}}t").text = "notices@example.com"
    old = save(old_doc, tmp_path / "old.docx")
    new = simple_docx(tmp_path / "new.docx", "Notices by email.")
    redline = make_redline(old, new)
    link_id = body(redline).xpath("//w:hyperlink/@r:id", namespaces={**NS, "r": R})
    assert texts(body(redline), "//w:hyperlink/w:del") == ["notices@example.com"]
    rels = etree.fromstring(read_package(redline)["word/_rels/document.xml.rels"])
    (rel,) = [rel for rel in rels if rel.get("Id") == link_id[0]]
    assert (rel.get("Target"), rel.get("TargetMode")) == ("mailto:notices@example.com", "External")
    assert_round_trips(old, new, redline)


def test_revisions_have_unique_ids_author_and_date(tmp_path):
    old = simple_docx(tmp_path / "old.docx", "Intro.", FEE_OLD, "Removed clause.")
    new = simple_docx(tmp_path / "new.docx", "Intro.", FEE_NEW, "Added clause one.", "Added clause two.")
    when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    xml = body(make_redline(old, new, author="Deal Team", date=when))
    revisions = xml.xpath("//w:ins|//w:del", namespaces=NS)
    ids = [r.get(f"{{{W}}}id") for r in revisions]
    assert len(revisions) > 4 and len(set(ids)) == len(ids)
    assert {r.get(f"{{{W}}}author") for r in revisions} == {"Deal Team"}
    assert {r.get(f"{{{W}}}date") for r in revisions} == {"2024-05-06T07:08:09Z"}


def test_source_date_epoch_sets_the_date_and_output_is_reproducible(tmp_path, monkeypatch, machine_settings):
    old = simple_docx(tmp_path / "old.docx", FEE_OLD, "Removed.")
    new = simple_docx(tmp_path / "new.docx", FEE_NEW)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    machine_settings()
    before = datetime.now(timezone.utc).replace(microsecond=0)
    assert before <= redline_date() <= datetime.now(timezone.utc)  # the real time, to the second
    dates = set(body(make_redline(old, new)).xpath("//w:ins/@w:date|//w:del/@w:date", namespaces=NS))
    assert len(dates) == 1 and dates.pop() >= before.strftime("%Y-%m-%dT%H:%M:%SZ")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    machine_settings()
    first, second = make_redline(old, new), make_redline(old, new)
    assert first == second
    assert set(body(first).xpath("//w:ins/@w:date|//w:del/@w:date", namespaces=NS)) == {"2023-11-14T22:13:20Z"}


def test_redline_opens_in_python_docx(tmp_path):
    old = simple_docx(tmp_path / "old.docx", "Intro.", FEE_OLD, "Removed clause.")
    new = simple_docx(tmp_path / "new.docx", "Intro.", FEE_NEW, "Governing law: Texas.")
    document = docx.Document(io.BytesIO(make_redline(old, new)))
    assert len(document.paragraphs) == 4  # the deleted paragraph is still there, marked deleted
    assert document.paragraphs[0].text == "Intro."


def test_unusable_inputs_are_reported(tmp_path):
    good = simple_docx(tmp_path / "good.docx", FEE_OLD)
    with pytest.raises(RedlineError, match="old document is not a .docx"):
        make_redline(b"not a zip", good)
    already_redlined = make_redline(good, simple_docx(tmp_path / "new.docx", FEE_NEW))
    with pytest.raises(RedlineError, match="new document already has tracked changes"):
        make_redline(good, already_redlined)
    with pytest.raises(ValueError):
        paragraphs_text(good, "final")  # type: ignore[arg-type]


def fee_memo(path: Path, fee: str, extra: str | None) -> bytes:
    document = docx.Document()
    document.add_heading("Management Services Agreement", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("3.1 Management Fee.").bold = True
    paragraph.add_run(f" The Practice shall pay the Manager a management fee of {fee} per month.")
    if extra:
        document.add_paragraph(extra)
    document.add_paragraph("3.3 Expenses. The Manager bears its own overhead.")
    table = document.add_table(rows=2, cols=2)
    table.style = "Table Grid"
    table.cell(0, 0).text, table.cell(0, 1).text = "Fee", fee
    table.cell(1, 0).text, table.cell(1, 1).text = "Term", "Five years"
    return save(document, path)


def test_libreoffice_renders_the_changes(tmp_path, libreoffice, libreoffice_profile):
    old = fee_memo(tmp_path / "old.docx", "$25,000", "3.2 Late Payment. Interest accrues at 1.5% monthly.")
    new = fee_memo(tmp_path / "new.docx", "$30,000", None)
    redline_path = tmp_path / "redline.docx"
    redline_path.write_bytes(make_redline(old, new))
    pdf = convert_with_libreoffice(libreoffice, libreoffice_profile, redline_path, tmp_path / "pdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    for shown in ("25,000", "30,000", "Late Payment", "Management Fee"):
        assert shown in text
