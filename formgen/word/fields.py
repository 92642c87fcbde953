"""Post-render Word structure: bookmarks, fields, bold terms, list instances and the table of contents.

docxtpl places text only. The assembler leaves markers in the text (formgen/markup.py:
``bookmark``, ``field``, bold, TOC); here each run holding markers is split into plain runs,
``w:bookmarkStart``/``w:bookmarkEnd`` and complex fields (begin, instruction, separate, the
current result, end), so the document reads right before any field update and Word's
"Update fields" (or LibreOffice's) keeps references right after an edit.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from ..markup import (
    BLANK_CLOSE,
    BLANK_OPEN,
    BOLD_CLOSE,
    BOLD_OPEN,
    BOOKMARK_END,
    BOOKMARK_START,
    FIELD_CLOSE,
    FIELD_OPEN,
    FIELD_SEP,
    MARK_CLOSE,
    TOC_MARK,
    WORD_MARKER,
)
from .wordml import NS, PPR_ORDER, RPR_ORDER, W, order_properties, q

ITEM_STYLE, ARTICLE_STYLE, TOC_STYLE, EXHIBIT_STYLE = "Item", "Article", "TOC1", "ExhibitHeading"
TOC_NOTE_STYLE, SIGNATURE_LEAD_STYLE, SIGNATURE_LEGEND_STYLE = "DraftingNote", "SignatureLead", "SignatureLegend"
TOC_PAGES_PENDING = (
    "[Page numbers are filled in when formgen makes the PDF (formgen generate --pdf, "
    "formgen regenerate --pdf); "
    "in Word, right-click this table and choose Update Field.]"
)
TOC_INSTRUCTION = 'TOC \\o "1-1" \\h \\z \\u'
_MARKERS = re.compile(
    f"{BOOKMARK_START}(?P<start>[^{MARK_CLOSE}]*){MARK_CLOSE}"
    f"|{BOOKMARK_END}(?P<end>[^{MARK_CLOSE}]*){MARK_CLOSE}"
    f"|{FIELD_OPEN}(?P<instr>[^{FIELD_SEP}]*){FIELD_SEP}(?P<result>[^{FIELD_CLOSE}]*){FIELD_CLOSE}"
    f"|{BOLD_OPEN}(?P<bold>[^{BOLD_CLOSE}]*){BOLD_CLOSE}"
    f"|{BLANK_OPEN}(?P<blank>[^{BLANK_CLOSE}]*){BLANK_CLOSE}"
    f"|{TOC_MARK}"
)


def add_word_structure(document_xml: bytes, numbering_xml: bytes | None) -> tuple[bytes, bytes | None]:
    """(document, numbering) with the markers made OOXML, item lists restarted and the TOC filled in."""
    root = etree.fromstring(document_xml)
    bookmark_ids: dict[str, str] = {}
    toc_paragraph = None
    for run in list(root.iter(q("r"))):
        text = "".join(t.text or "" for t in run.findall("w:t", NS))
        if WORD_MARKER.search(text):
            if TOC_MARK in text:
                toc_paragraph = run.getparent()
            _split_run(run, text, bookmark_ids)
    if toc_paragraph is not None:
        _fill_toc(root, toc_paragraph)
    _hold_together(root)
    if numbering_xml is not None:
        numbering_xml = _restart_item_lists(root, numbering_xml)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), numbering_xml


def _split_run(run: etree._Element, text: str, bookmark_ids: dict[str, str]) -> None:
    rpr = run.find("w:rPr", NS)
    out: list[etree._Element] = []
    position = 0
    for match in _MARKERS.finditer(text):
        if match.start() > position:
            out.append(text_run(rpr, text[position : match.start()]))
        position = match.end()
        if match.group("start") is not None:
            number = bookmark_ids.setdefault(match.group("start"), str(len(bookmark_ids) + 1))
            out.append(_element("bookmarkStart", id=number, name=match.group("start")))
        elif match.group("end") is not None:
            out.append(_element("bookmarkEnd", id=bookmark_ids.get(match.group("end"), "0")))
        elif match.group("instr") is not None:
            out += field_runs(rpr, match.group("instr"), match.group("result"))
        elif match.group("bold") is not None:
            bold = text_run(rpr, match.group("bold"))
            _set_property(bold, "b")
            out.append(bold)
        elif match.group("blank") is not None:
            blank = text_run(rpr, match.group("blank"))
            _set_property(blank, "highlight", val="yellow")
            out.append(blank)
    if position < len(text):
        out.append(text_run(rpr, text[position:]))
    parent = run.getparent()
    index = parent.index(run)
    parent[index : index + 1] = out


def _element(tag: str, **attrs: str) -> etree._Element:
    element = etree.Element(q(tag), nsmap={"w": W})
    for name, value in attrs.items():
        element.set(q(name), value)
    return element


def text_run(rpr: etree._Element | None, text: str) -> etree._Element:
    run = _element("r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    t = etree.SubElement(run, q("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return run


def _set_property(run: etree._Element, tag: str, **attrs: str) -> None:
    """Set a run property (bold, highlight), keeping w:rPr in schema order."""
    rpr = run.find("w:rPr", NS)
    if rpr is None:
        rpr = _element("rPr")
        run.insert(0, rpr)
    if rpr.find(f"w:{tag}", NS) is not None:
        return
    rpr.append(_element(tag, **attrs))
    order_properties(rpr, RPR_ORDER)


def _fld_char(rpr, kind: str) -> etree._Element:
    run = _element("r")
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    run.append(_element("fldChar", fldCharType=kind))
    return run


def field_runs(rpr, instruction: str, result: str, *, begin: bool = True, end: bool = True) -> list[etree._Element]:
    """A complex field: begin, instruction, separate, result, end (``begin``/``end`` False: leave that off)."""
    instr = _element("r")
    if rpr is not None:
        instr.append(copy.deepcopy(rpr))
    text = etree.SubElement(instr, q("instrText"))
    text.text = f" {instruction} "
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    runs = [_fld_char(rpr, "begin")] if begin else []
    runs += [instr, _fld_char(rpr, "separate")]
    if result:
        runs.append(text_run(rpr, result))
    if end:
        runs.append(_fld_char(rpr, "end"))
    return runs


def _style_of(paragraph: etree._Element) -> str:
    style = paragraph.find("w:pPr/w:pStyle", NS)
    return "" if style is None else style.get(q("val"), "")


def toc_entries(root: etree._Element) -> list[tuple[str, str]]:
    """(label, title) of what the TOC lists: each article ("Article 4", its title) and each exhibit
    ("Exhibit A", its title from the line under the heading), in document order."""
    entries, articles = [], 0
    paragraphs = list(root.iter(q("p")))
    for i, paragraph in enumerate(paragraphs):
        style = _style_of(paragraph)
        if style == ARTICLE_STYLE:
            articles += 1
            entries.append((f"Article\u00a0{articles}", _text(paragraph)))
        elif style == EXHIBIT_STYLE:
            heading = " ".join(_text(paragraph).split())
            title = _text(paragraphs[i + 1]) if i + 1 < len(paragraphs) else ""
            entries.append((heading.title().replace(" ", "\u00a0"), title))
    return entries


def _text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in paragraph.iter(q("t")))


def _toc_entry(label: str, title: str, page: int | None) -> etree._Element:
    entry = _element("p")
    ppr = etree.SubElement(entry, q("pPr"))
    ppr.append(_element("pStyle", val=TOC_STYLE))
    entry.extend([text_run(None, label), _tab_run(), text_run(None, title)])
    if page is not None:  # right tab with dot leader (the TOC 1 style), then the page
        entry.extend([_tab_run(), text_run(None, str(page))])
    return entry


def _tab_run() -> etree._Element:
    run = _element("r")
    run.append(_element("tab"))
    return run


def _toc_note() -> etree._Element:
    note = _element("p")
    ppr = etree.SubElement(note, q("pPr"))
    ppr.append(_element("pStyle", val=TOC_NOTE_STYLE))
    note.append(text_run(None, TOC_PAGES_PENDING))
    return note


def _fill_toc(root: etree._Element, heading: etree._Element) -> None:
    """Entries after the TOC heading inside one TOC field, as Word shows them: label, tab, title and,
    once ``set_toc_pages`` has the rendered pages, a dot leader to the page number; until then the
    field result ends with a note saying the page numbers are not filled in. (LibreOffice drops
    fields nested in a TOC result, so the numbers are text; updating the TOC renews them.)"""
    entries = [_toc_entry(label, title, None) for label, title in toc_entries(root)]
    if not entries:
        return
    entries.append(_toc_note())
    first, last = entries[0], entries[-1]
    for run in reversed(field_runs(None, TOC_INSTRUCTION, "", end=False)):
        first.insert(1, run)
    last.append(_fld_char(None, "end"))
    for entry in reversed(entries):
        heading.addnext(entry)
    after = last.getnext()  # the agreement itself starts on the next page
    if after is not None and after.tag == q("p"):
        ppr = after.find("w:pPr", NS)
        if ppr is None:
            ppr = _element("pPr")
            after.insert(0, ppr)
        style = ppr.find("w:pStyle", NS)
        page_break = _element("pageBreakBefore")
        if style is not None:
            style.addnext(page_break)
        else:
            ppr.insert(0, page_break)


def toc_pages(document_xml: bytes) -> dict[str, int]:
    """{"Article\u00a01": 2, ...}: the page numbers a TOC field result carries now (empty when it
    has none, as before ``set_toc_pages``)."""
    pages = {}
    for entry in etree.fromstring(document_xml).iter(q("p")):
        if _style_of(entry) != TOC_STYLE:
            continue
        runs = [r for r in entry.findall("w:r", NS) if r.find("w:t", NS) is not None or r.find("w:tab", NS) is not None]
        tabs = [i for i, r in enumerate(runs) if r.find("w:tab", NS) is not None]
        page = (
            "".join(r.findtext("w:t", default="", namespaces=NS) for r in runs[tabs[1] + 1 :]) if len(tabs) > 1 else ""
        )
        if runs and page.isdigit():
            pages[runs[0].findtext("w:t", default="", namespaces=NS)] = int(page)
    return pages


def set_toc_pages(document_xml: bytes, pages: dict[str, int]) -> bytes:
    """The TOC field result rewritten with the page each entry starts on (``pages``: label ->
    page, as rendered); the pending note goes once every entry has its page. Same pages, same bytes."""
    root = etree.fromstring(document_xml)
    entries = [p for p in root.iter(q("p")) if _style_of(p) == TOC_STYLE]
    if not entries:
        return document_xml
    complete = True
    for entry in entries:
        runs = [r for r in entry.findall("w:r", NS) if r.find("w:t", NS) is not None or r.find("w:tab", NS) is not None]
        page = pages.get(runs[0].findtext("w:t", namespaces=NS) or "")
        complete = complete and page is not None
        tabs = [r for r in runs if r.find("w:tab", NS) is not None]
        if len(tabs) > 1:  # a page set before: drop the second tab and the number after it
            for run in runs[runs.index(tabs[1]) :]:
                entry.remove(run)
        if page is not None:
            end = entry.find("w:r/w:fldChar[@w:fldCharType='end']/..", NS)
            for run in (_tab_run(), text_run(None, str(page))):
                if end is not None:
                    end.addprevious(run)
                else:
                    entry.append(run)
    note = next(
        (p for p in root.iter(q("p")) if _style_of(p) == TOC_NOTE_STYLE and _text(p) == TOC_PAGES_PENDING), None
    )
    if complete and note is not None:
        end = note.find("w:r/w:fldChar[@w:fldCharType='end']/..", NS)
        if end is not None:
            entries[-1].append(end)
        note.getparent().remove(note)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _hold_together(root: etree._Element) -> None:
    """Pages that do not strand: a lead-in ending in ":" keeps with its first item; a signature lead
    inside an exhibit (a consent of spouse, a share certificate's legend) follows on its page instead
    of starting a new one, so the exhibit's heading is not left alone on a page, and its blocks carry
    no "[Signature page to ...]" legend (the exhibit is no signature page of the document)."""
    blocks = _body_paragraphs(root)
    in_exhibit = False
    for block, following in zip(blocks, blocks[1:] + [None]):
        if block.tag != q("p"):
            continue
        style = _style_of(block)
        in_exhibit = in_exhibit or style == EXHIBIT_STYLE
        if (
            following is not None
            and following.tag == q("p")
            and _style_of(following) == ITEM_STYLE
            and _text(block).rstrip().endswith(":")
        ):
            _set_paragraph_property(block, "keepNext")
        if in_exhibit and style == SIGNATURE_LEAD_STYLE:
            _set_paragraph_property(block, "pageBreakBefore", val="0")
        if in_exhibit and style == SIGNATURE_LEGEND_STYLE:
            block.getparent().remove(block)


def _set_paragraph_property(paragraph: etree._Element, tag: str, **attrs: str) -> None:
    ppr = paragraph.find("w:pPr", NS)
    if ppr is None:
        ppr = _element("pPr")
        paragraph.insert(0, ppr)
    for old in ppr.findall(f"w:{tag}", NS):
        ppr.remove(old)
    ppr.append(_element(tag, **attrs))
    order_properties(ppr, PPR_ORDER)


def _restart_item_lists(root: etree._Element, numbering_xml: bytes) -> bytes:
    """Each run of Item paragraphs gets its own list instance starting at (a).

    Paragraphs of one style share one list in Word, which never restarts by itself; a
    ``w:num`` per run, with ``w:startOverride``, restarts the letters under each section.
    """
    numbering = etree.fromstring(numbering_xml)
    base = _item_abstract(numbering)
    if base is None:
        return numbering_xml
    used = [int(n.get(q("numId"))) for n in numbering.findall("w:num", NS)]
    next_id = max(used, default=0) + 1
    previous_was_item = False
    for block in _body_paragraphs(root):
        is_item = block.tag == q("p") and _style_of(block) == ITEM_STYLE
        if is_item and not previous_was_item:
            num = _element("num", numId=str(next_id))
            num.append(_element("abstractNumId", val=base))
            override = etree.SubElement(num, q("lvlOverride"))
            override.set(q("ilvl"), "0")
            override.append(_element("startOverride", val="1"))
            numbering.append(num)
            current, next_id = str(next_id), next_id + 1
        if is_item:
            ppr = block.find("w:pPr", NS)
            num_pr = _element("numPr")
            num_pr.append(_element("ilvl", val="0"))
            num_pr.append(_element("numId", val=current))
            style = ppr.find("w:pStyle", NS)
            style.addnext(num_pr)
            order_properties(ppr, PPR_ORDER)
        previous_was_item = is_item or (previous_was_item and _style_of(block) == "DraftingNote")
    return etree.tostring(numbering, xml_declaration=True, encoding="UTF-8", standalone=True)


def _body_paragraphs(root: etree._Element):
    body = root.find("w:body", NS)
    return [child for child in body if child.tag in (q("p"), q("tbl"))]


def _item_abstract(numbering: etree._Element) -> str | None:
    """The abstract list whose level is linked to the Item style (None when the template has none)."""
    for abstract_num in numbering.findall("w:abstractNum", NS):
        if any(s.get(q("val")) == ITEM_STYLE for s in abstract_num.iter(q("pStyle"))):
            return abstract_num.get(q("abstractNumId"))
    return None
