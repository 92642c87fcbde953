"""Post-render layout: table columns sized to their content, rows that never split.

docxtpl's dynamic columns ({%tc %}) come out equally wide, so a one-word "Performed by"
column takes as much room as a column of sentences. Each multi-column table is re-gridded
in proportion to the text its columns hold (bounded, so short columns stay readable), across
the text width of the template's page (w:sectPr page size less margins: Letter, A4, any).
A table its template lays out with fixed column widths (w:tblLayout fixed: Word's Table
Properties, "automatically resize to fit contents" off) keeps them: the template's author chose.
Every row is kept on one page (w:cantSplit), whatever the template's rows say, unless it holds
more than SPLITTABLE_ROW_CHARS of text: kept whole, such a row leaves a page a third blank, and
one taller than a page would be clipped in Word.
"""

from __future__ import annotations

import re

from lxml import etree

from .wordml import NS
from .wordml import q as _q

TEXT_WIDTH_TWIPS = 9360  # 6.5 inches: Letter with 1-inch margins, when the page says nothing


CHAR_TWIPS = 110  # an average 10-point character, generously
CELL_PADDING_TWIPS = 260


def column_widths(rows: list[list[str]], text_width: int = TEXT_WIDTH_TWIPS) -> list[int]:
    """Each column gets room for its longest word, then a share of the rest by how much it holds."""
    columns = max(len(r) for r in rows)
    floors, wants = [], []
    for j in range(columns):
        cells = [r[j] for r in rows if j < len(r)]
        longest_word = max(
            (len(word) for cell in cells for word in re.split(r"[ \t\n]+", cell)), default=1
        )  # a no-break space holds
        floor = min(longest_word * CHAR_TWIPS + CELL_PADDING_TWIPS, int(text_width * 0.35))
        average = sum(len(c) for c in cells) / max(len(cells), 1)
        floors.append(floor)
        wants.append(max(average * CHAR_TWIPS - floor, 0) ** 0.9)
    spare = text_width - sum(floors)
    if spare <= 0:  # too many columns for their words: shrink the floors evenly
        return [int(f * text_width / sum(floors)) for f in floors]
    total_want = sum(wants) or len(wants)
    return [int(f + spare * ((w or 1) if not sum(wants) else w) / total_want) for f, w in zip(floors, wants)]


def text_width(root: etree._Element) -> int:
    """The body's text width in twips: the last section's page width less its left and right margins."""
    sect = root.find("w:body/w:sectPr", NS)
    size = None if sect is None else sect.find("w:pgSz", NS)
    margins = None if sect is None else sect.find("w:pgMar", NS)
    try:
        width = int(size.get(_q("w")))
        return width - int(margins.get(_q("left"), 0)) - int(margins.get(_q("right"), 0))
    except (AttributeError, TypeError, ValueError):
        return TEXT_WIDTH_TWIPS


SPLITTABLE_ROW_CHARS = 600  # about a third of a page in a narrow column


def _keep_rows_whole(table: etree._Element) -> None:
    for tr in table.findall("w:tr", NS):
        if sum(len(t.text or "") for t in tr.iter(_q("t"))) > SPLITTABLE_ROW_CHARS:
            for cant_split in tr.findall("w:trPr/w:cantSplit", NS):
                cant_split.getparent().remove(cant_split)
            continue
        trpr = tr.find("w:trPr", NS)
        if trpr is None:
            trpr = etree.Element(_q("trPr"))
            prefix = tr.find("w:tblPrEx", NS)
            tr.insert(0 if prefix is None else tr.index(prefix) + 1, trpr)
        if trpr.find("w:cantSplit", NS) is None:
            trpr.insert(0, etree.Element(_q("cantSplit")))


def _fixed_layout(table: etree._Element) -> bool:
    layout = table.find("w:tblPr/w:tblLayout", NS)
    return layout is not None and layout.get(_q("type")) == "fixed"


def fit_table_columns(document_xml: bytes, width: int | None = None) -> bytes:
    root = etree.fromstring(document_xml)
    width = width or text_width(root)
    changed = False
    for table in root.iter(_q("tbl")):
        _keep_rows_whole(table)
        changed = True
        rows = [
            [("".join(t.text or "" for t in tc.iter(_q("t")))) for tc in tr.findall("w:tc", NS)]
            for tr in table.findall("w:tr", NS)
        ]
        if not rows or max(len(r) for r in rows) < 2 or _fixed_layout(table):
            continue
        widths = column_widths(rows, width)
        grid = table.find("w:tblGrid", NS)
        if grid is None:
            continue
        for col in list(grid):
            grid.remove(col)
        for column in widths:  # (not `width`: that is the page's text width, for every table)
            etree.SubElement(grid, _q("gridCol")).set(_q("w"), str(column))
        for tr in table.findall("w:tr", NS):
            for column, tc in zip(widths, tr.findall("w:tc", NS)):
                tcpr = tc.find("w:tcPr", NS)
                if tcpr is None:
                    tcpr = etree.SubElement(tc, _q("tcPr"))
                    tc.insert(0, tcpr)
                tcw = tcpr.find("w:tcW", NS)
                if tcw is None:
                    tcw = etree.Element(_q("tcW"))
                    tcpr.insert(0, tcw)
                tcw.set(_q("w"), str(column))
                tcw.set(_q("type"), "dxa")
        changed = True
    if not changed:
        return document_xml
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
