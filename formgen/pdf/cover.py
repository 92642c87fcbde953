"""The packet's cover: parties, state, effective date and a table of contents, laid out by
LibreOffice from a small .docx made here (so any name prints in a real, embedded font).

The contents give each document's page count and first page, known only once the documents are
converted: the cover is built and converted after them, with its own page count assumed and
checked (a cover longer than assumed is built once more with the right count).
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..drafting.packet import Packet

COVER_STEM = "_formgen_cover"

# Cover table geometry (inches): columns of the contents table, cell padding.
TOC_WIDTHS = (0.45, 4.15, 0.8, 1.1)
CELL_PAD = 0.08
TOC_FONT_SIZE = 11
GREY = (0x59, 0x59, 0x59)
NOTE = ("Page numbers count the pages of this packet.pdf from this cover (page 1). In a PDF viewer each "
        "document's pages are also labelled with its own prefix (for example MSA-1), and the bookmarks "
        "panel lists every document and its articles. Each document is also supplied as its own PDF and "
        ".docx file.")


@dataclass(frozen=True)
class TocEntry:
    number: int
    title: str
    detail: str  # second, smaller line: the PDF file name and its page labels
    pages: int = 0  # the document's page count
    start: int = 0  # its first page in packet.pdf (the cover is page 1)


def _long_date(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def _new_document():
    """A Letter page with 1-inch margins and Times New Roman 11 pt as Normal (no theme fonts)."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(TOC_FONT_SIZE)
    rfonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        normal.element.get_or_add_rPr().append(rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    return doc


def _fill(p, text, *, bold=False, italic=False, size=None, grey=False, align=None, before=0, after=0):
    """Spacing and alignment on paragraph ``p``, and ``text`` in one formatted run."""
    from docx.shared import Pt, RGBColor

    p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
    if align is not None:
        p.alignment = align
    if text:
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if grey:
            run.font.color.rgb = RGBColor(*GREY)
    return p


def _heading(doc, text: str, before: int, after: int) -> None:
    """A bold 12 pt heading over a thin grey rule."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = _fill(doc.add_paragraph(), text, bold=True, size=12, before=before, after=after)
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "808080")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    p._p.get_or_add_pPr().append(bdr)


def _dxa_element(tag: str, value: float):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    el.set(qn("w:w"), str(int(value * 1440)))
    el.set(qn("w:type"), "dxa")
    return el


def _table_props(table, widths, borders: bool) -> None:
    """Fixed layout at ``widths`` (inches), cell padding, and rules between rows when ``borders``."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches

    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:w"), str(int(sum(widths) * 1440)))
    tblw.set(qn("w:type"), "dxa")
    mar = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        mar.append(_dxa_element(f"w:{side}", CELL_PAD))
    tblpr.append(mar)
    tblb = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        visible = borders and side in ("top", "bottom", "insideH")
        el.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), "A6A6A6")
        tblb.append(el)
    tblpr.append(tblb)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    for column, w in zip(table.columns, widths):
        column.width = Inches(w)  # the grid: what LibreOffice lays the columns out by
    for row in table.rows:
        for cell, w in zip(row.cells, widths):
            cell.width = Inches(w)


def _cell_text(cell, text, *, before=3, after=3, **style):
    p = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 else cell.add_paragraph()
    return _fill(p, text, before=before, after=after, **style)


def _title_block(doc, packet: "Packet", final: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    deal = packet.deal
    center = WD_ALIGN_PARAGRAPH.CENTER
    _fill(doc.add_paragraph(), "Formation Packet", size=12, grey=True, align=center, before=12, after=8)
    name_len = len(deal.deal.name)
    _fill(doc.add_paragraph(), deal.deal.name, size=24 if name_len <= 40 else 18 if name_len <= 90 else 14,
          bold=True, align=center, after=6)
    _fill(doc.add_paragraph(), f"{deal.mso.name} and {deal.practice.name}", size=13, align=center, after=4)
    if not final:
        _fill(doc.add_paragraph(), "Draft for attorney review. Not for signature.", size=10, italic=True,
              grey=True, align=center)


def _parties_table(doc, packet: "Packet") -> None:
    deal, rules = packet.deal, packet.rules
    _heading(doc, "The parties", before=22, after=6)
    facts = [
        ("Management company (MSO)", deal.mso.name),
        ("Medical practice", deal.practice.name),
        ("State", f"{rules.name} ({rules.code})"),
        ("Effective date", _long_date(deal.deal.effective_date)),
    ]
    table = doc.add_table(rows=len(facts), cols=2)
    _table_props(table, (2.4, 4.1), borders=False)
    for row, (label, value) in zip(table.rows, facts):
        _cell_text(row.cells[0], label, bold=True, before=2, after=2)
        _cell_text(row.cells[1], value, before=2, after=2)


def _contents_table(doc, entries: list[TocEntry]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement

    _heading(doc, "Contents", before=20, after=4)
    toc = doc.add_table(rows=1 + len(entries), cols=4)
    _table_props(toc, TOC_WIDTHS, borders=True)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    head = toc.rows[0]
    for cell, text, align in zip(head.cells, ("No.", "Document", "Pages", "Starts on page"), (None, None, right, right)):
        _cell_text(cell, text, bold=True, size=10, grey=True, align=align)
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for row, entry in zip(toc.rows[1:], entries):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        _cell_text(row.cells[0], f"{entry.number}.")
        _cell_text(row.cells[1], entry.title, bold=True, after=0)
        _cell_text(row.cells[1], entry.detail, size=9, grey=True, before=1, after=3)
        _cell_text(row.cells[2], str(entry.pages) if entry.pages else "", align=right)
        _cell_text(row.cells[3], str(entry.start) if entry.start else "", align=right)


def build_cover_docx(packet: "Packet", entries: list[TocEntry], *, final: bool) -> bytes:
    """The cover and contents page as .docx, page counts and first pages filled in from ``entries``."""
    from .._version import __version__

    doc = _new_document()
    _title_block(doc, packet, final)
    _parties_table(doc, packet)
    _contents_table(doc, entries)
    _fill(doc.add_paragraph(), NOTE, size=9, grey=True, before=10)
    _fill(doc.add_paragraph(), f"Prepared with formgen {__version__}.", size=9, grey=True, before=4)
    props = doc.core_properties
    props.author, props.title = "formgen", f"{packet.deal.deal.name}: Formation Packet"
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()
