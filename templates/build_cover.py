"""Builds templates/cover.docx: the layout of packet.pdf's cover and contents page.

Run `python templates/build_templates.py` (it builds this too). The cover is rendered by the same
renderer as every document (formgen/word/render.py), so a firm restyles it in Word like any
template: open templates/cover.docx (or its copy in a FORMGEN_LIBRARY folder) and change the
styles Cover Kicker, Cover Title, Cover Title Long (deal names over 40 characters), Cover Parties,
Cover Notice, Cover Heading, Cover Label, Cover Text, Cover Column, Cover Detail and Cover Note. Keep each
{{ ... }} / {%p ... %} / {%tr ... %} tag inside a single run.

The context it is rendered with (formgen/pdf/cover.py): deal_name, long_name, parties,
draft_notice (empty in a final packet), facts (label, value), entries (number, title, detail,
pages, start), note, version.
"""

from __future__ import annotations

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, RGBColor

from formgen.word.wordml import PPR_ORDER, TBLPR_ORDER, order_properties

GREY = RGBColor(0x59, 0x59, 0x59)
CENTER, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
CELL_PAD = 0.08  # inches, left and right of each cell's text


def _cover_styles(doc, style) -> None:
    style(doc, "Normal", base="Normal", size=11, space_after=0)
    style(doc, "Cover Kicker", size=12, align=CENTER, space_before=12, space_after=8).font.color.rgb = GREY
    style(doc, "Cover Title", size=24, bold=True, align=CENTER, space_after=6)
    style(doc, "Cover Title Long", size=16, bold=True, align=CENTER, space_after=6)
    style(doc, "Cover Parties", size=13, align=CENTER, space_after=4)
    notice = style(doc, "Cover Notice", size=10, italic=True, align=CENTER)
    notice.font.color.rgb = GREY
    heading = style(doc, "Cover Heading", size=12, bold=True, space_before=20, space_after=6, keep_next=True)
    border = OxmlElement("w:pBdr")  # a thin grey rule under each heading
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "808080")):
        bottom.set(qn(key), value)
    border.append(bottom)
    heading.element.get_or_add_pPr().append(border)
    order_properties(heading.element.pPr, PPR_ORDER)
    style(doc, "Cover Label", size=11, bold=True, space_before=2, space_after=2)
    style(doc, "Cover Text", size=11, space_before=3, space_after=3)
    style(doc, "Cover Column", size=10, bold=True, space_before=3, space_after=3).font.color.rgb = GREY
    style(doc, "Cover Detail", size=9, space_before=1, space_after=3).font.color.rgb = GREY
    style(doc, "Cover Note", size=9, space_before=6).font.color.rgb = GREY


def _fixed_table(table, widths: tuple[float, ...], rules: bool) -> None:
    """Columns fixed at ``widths`` (inches; formgen's column fitting leaves a fixed table alone),
    a little cell padding, no vertical lines, grey rules between the rows when ``rules``."""
    props = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    props.append(layout)
    total = props.find(qn("w:tblW"))
    total.set(qn("w:w"), str(int(sum(widths) * 1440)))
    total.set(qn("w:type"), "dxa")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        pad = OxmlElement(f"w:{side}")
        pad.set(qn("w:w"), str(int(CELL_PAD * 1440)))
        pad.set(qn("w:type"), "dxa")
        margins.append(pad)
    props.append(margins)
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = Inches(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = Inches(width)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        visible = rules and side in ("top", "bottom", "insideH")
        edge.set(qn("w:val"), "single" if visible else "nil")
        if visible:
            edge.set(qn("w:sz"), "4")
            edge.set(qn("w:color"), "A6A6A6")
        borders.append(edge)
    props.append(borders)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    order_properties(props, TBLPR_ORDER)


def _loop_rows(table, body_row, loop: str) -> None:
    """Wrap ``body_row`` in {%tr for ... %} / {%tr endfor %} rows: it repeats once per item."""
    opening, closing = table.add_row(), table.add_row()
    opening.cells[0].paragraphs[0].add_run(f"{{%tr for {loop} %}}")
    closing.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in (opening, closing):
        table._tbl.remove(row._tr)
    body_row._tr.addprevious(opening._tr)
    body_row._tr.addnext(closing._tr)


def _cell(cell, text: str, style: str, align=None, bold: bool = False):
    paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
    paragraph.style = style
    if align is not None:
        paragraph.alignment = align
    paragraph.add_run(text).bold = bold or None
    return paragraph


def _facts_table(doc) -> None:
    doc.add_paragraph("The parties", style="Cover Heading")
    table = doc.add_table(rows=1, cols=2)
    _fixed_table(table, (2.4, 4.1), rules=False)
    row = table.rows[0]
    _cell(row.cells[0], "{{ fact.label }}", "Cover Label")
    _cell(row.cells[1], "{{ fact.value }}", "Cover Text")
    _loop_rows(table, row, "fact in facts")


def _contents_table(doc) -> None:
    doc.add_paragraph("Contents", style="Cover Heading")
    table = doc.add_table(rows=2, cols=4)
    _fixed_table(table, (0.45, 4.15, 0.8, 1.1), rules=True)
    head, body = table.rows
    for cell, text, align in zip(head.cells, ("No.", "Document", "Pages", "Starts on page"), (None, None, RIGHT, RIGHT)):
        _cell(cell, text, "Cover Column", align)
    head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeats on the cover's second page
    _cell(body.cells[0], "{{ entry.number }}.", "Cover Text")
    _cell(body.cells[1], "{{ entry.title }}", "Cover Text", bold=True).paragraph_format.space_after = 0
    _cell(body.cells[1], "{{ entry.detail }}", "Cover Detail")
    _cell(body.cells[2], "{{ entry.pages }}", "Cover Text", RIGHT)
    _cell(body.cells[3], "{{ entry.start }}", "Cover Text", RIGHT)
    _loop_rows(table, body, "entry in entries")


def build_cover(path, style, save) -> None:
    """``style`` and ``save``: build_templates' paragraph-style maker and reproducible writer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    _cover_styles(doc, style)
    doc.add_paragraph("Formation Packet", style="Cover Kicker")
    doc.add_paragraph("{%p if long_name %}")
    doc.add_paragraph("{{ deal_name }}", style="Cover Title Long")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("{{ deal_name }}", style="Cover Title")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{{ parties }}", style="Cover Parties")
    doc.add_paragraph("{%p if draft_notice %}")
    doc.add_paragraph("{{ draft_notice }}", style="Cover Notice")
    doc.add_paragraph("{%p endif %}")
    _facts_table(doc)
    _contents_table(doc)
    doc.add_paragraph("{{ note }}", style="Cover Note")
    doc.add_paragraph("Prepared with formgen {{ version }}.", style="Cover Note")
    save(doc, path, "formgen cover layout")
