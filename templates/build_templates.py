"""Builds templates/document.docx: the Word layout every formgen document is poured into.

Run `python templates/build_templates.py` after changing the layout here (it also builds
templates/cover.docx, the packet cover, from build_cover.py). A lawyer may
instead open templates/document.docx in Word and restyle it (styles: Title, Subtitle,
Heading 1, Heading 2, Article, Section, Item, Body Text, Drafting Note, Exhibit Heading,
Table Text, Signature Lead, Signature Legend); or save a copy as templates/<document>.docx (e.g. msa.docx) to give one
document its own layout. Keep each {{ ... }} / {%p ... %} tag inside a single run.

Numbering is Word's: the styles Article, Section and Item are linked to the multilevel lists
of the numbering part (NUMBERING below), so Word and LibreOffice number the paragraphs and
renumber them after an edit. Lettered items restart under each section: formgen gives every
run of items its own list instance (w:num with a startOverride, see formgen/word/fields.py).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from formgen.drafting.markup import NOTE_PREFIX
from formgen.word.wordml import PPR_ORDER, W_DECL, order_properties, write_package
from formgen.word.ooxml import read_package

BODY_FONT = "Times New Roman"  # Liberation Serif (metric-compatible) stands in on Linux
HERE = Path(__file__).resolve().parent


def _style(doc, name, base="Normal", size=12, bold=False, italic=False, align=None, space_before=0,
           space_after=8, left_indent=None, first_line=None, keep_next=False, page_break_before=False,
           outline_level=None, keep_lines=False, numbering=None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if style.name != base:
        style.base_style = styles[base]
    font = style.font
    font.name, font.size, font.bold, font.italic = BODY_FONT, Pt(size), bold, italic
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), BODY_FONT)
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    if align is not None:
        fmt.alignment = align
    if left_indent is not None:
        fmt.left_indent = left_indent
    if first_line is not None:
        fmt.first_line_indent = first_line
    fmt.keep_with_next = keep_next
    fmt.keep_together = keep_lines
    fmt.page_break_before = page_break_before
    fmt.widow_control = True
    if numbering is not None:  # (list id, level): the style is linked to that list level
        ppr = style.element.get_or_add_pPr()
        num_pr = parse_xml(f'<w:numPr {W_DECL}><w:ilvl w:val="{numbering[1]}"/><w:numId w:val="{numbering[0]}"/></w:numPr>')
        ppr.append(num_pr)
    if outline_level is not None:  # drives the PDF bookmarks and Word's navigation pane
        ppr = style.element.get_or_add_pPr()
        for old in ppr.findall(qn("w:outlineLvl")):  # Heading 1 and 2 come with one
            ppr.remove(old)
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline_level))
        ppr.append(level)
    if style.element.pPr is not None:
        order_properties(style.element.pPr, PPR_ORDER)
    return style


ARTICLE_LIST, ITEM_LIST = 1, 2  # w:numId of the article/section list and of the lettered items
BULLET_LIST, NUMBER_LIST = 3, 4  # Word's List Bullet / List Number styles: lists of their own


def _level(ilvl, fmt, text, style, ppr, suffix="tab"):
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:pStyle w:val="{style}"/>'
            f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr>{ppr}</w:pPr></w:lvl>')


# Articles "Article 1" (the Article style sets it in capitals; a REF to it reads "Article 1"),
# sections "1.1" under them, and lettered items "(a)" in a list of their own.
NUMBERING = [
    f'<w:abstractNum {W_DECL} w:abstractNumId="10"><w:multiLevelType w:val="multilevel"/>'
    + _level(0, "decimal", "Article\u00a0%1", "Article", '<w:ind w:left="0" w:firstLine="0"/>', suffix="space")
    + _level(1, "decimal", "%1.%2", "Section", '<w:tabs><w:tab w:val="num" w:pos="1440"/></w:tabs>'
             '<w:ind w:left="0" w:firstLine="720"/>')
    + "</w:abstractNum>",
    f'<w:abstractNum {W_DECL} w:abstractNumId="11"><w:multiLevelType w:val="singleLevel"/>'
    + _level(0, "lowerLetter", "(%1)", "Item", '<w:tabs><w:tab w:val="num" w:pos="1440"/></w:tabs>'
             '<w:ind w:left="1440" w:hanging="720"/>')
    + "</w:abstractNum>",
    # Word's gallery styles List Bullet (2, 3) and List Number (2, 3), on lists that cannot touch
    # the articles: a lawyer who applies one gets a bullet or "1.", never "Article 5".
    f'<w:abstractNum {W_DECL} w:abstractNumId="12"><w:multiLevelType w:val="multilevel"/>'
    + "".join(_level(i, "bullet", "\u2022", name, f'<w:ind w:left="{720 * (i + 1)}" w:hanging="360"/>')
              for i, name in enumerate(("ListBullet", "ListBullet2", "ListBullet3")))
    + "</w:abstractNum>",
    f'<w:abstractNum {W_DECL} w:abstractNumId="13"><w:multiLevelType w:val="multilevel"/>'
    + "".join(_level(i, "decimal", f"%{i + 1}.", name, f'<w:ind w:left="{720 * (i + 1)}" w:hanging="360"/>')
              for i, name in enumerate(("ListNumber", "ListNumber2", "ListNumber3")))
    + "</w:abstractNum>",
    f'<w:num {W_DECL} w:numId="{ARTICLE_LIST}"><w:abstractNumId w:val="10"/></w:num>',
    f'<w:num {W_DECL} w:numId="{ITEM_LIST}"><w:abstractNumId w:val="11"/></w:num>',
    f'<w:num {W_DECL} w:numId="{BULLET_LIST}"><w:abstractNumId w:val="12"/></w:num>',
    f'<w:num {W_DECL} w:numId="{NUMBER_LIST}"><w:abstractNumId w:val="13"/></w:num>',
]
GALLERY_LISTS = {"List Bullet": (BULLET_LIST, 0), "List Bullet 2": (BULLET_LIST, 1), "List Bullet 3": (BULLET_LIST, 2),
                 "List Number": (NUMBER_LIST, 0), "List Number 2": (NUMBER_LIST, 1), "List Number 3": (NUMBER_LIST, 2)}


def _gallery_lists(doc):
    """Point Word's built-in list styles at formgen's bullet and number lists (python-docx's default
    styles point them at list ids its numbering part does not define)."""
    for name, (num_id, ilvl) in GALLERY_LISTS.items():
        ppr = doc.styles[name].element.get_or_add_pPr()
        for old in ppr.findall(qn("w:numPr")):
            ppr.remove(old)
        ppr.append(parse_xml(f'<w:numPr {W_DECL}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        order_properties(ppr, PPR_ORDER)



def _numbering(doc):
    """Replace the numbering part's lists with formgen's."""
    numbering = doc.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for xml in NUMBERING:
        numbering.append(parse_xml(xml))


def _tag(doc, text, style="Normal"):
    """A paragraph holding only a jinja control tag (docxtpl removes it when rendering)."""
    return doc.add_paragraph(text, style=style)


def _field(paragraph, instr):
    run = paragraph.add_run()
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    inner = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    inner.append(text)
    fld.append(inner)
    run._r.addnext(fld)


def _cell_text(cell, text, style="Table Text", bold=False):
    para = cell.paragraphs[0]
    para.style = style
    run = para.add_run(text)
    run.bold = bold
    return para


def _shade(cell, fill):
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row):
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    trpr.append(el)


def _cant_split(row):
    trpr = row._tr.get_or_add_trPr()
    trpr.insert(0, OxmlElement("w:cantSplit"))


def build(path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))

    _numbering(doc)
    _gallery_lists(doc)
    _style(doc, "Normal", base="Normal", size=12)
    title = _style(doc, "Title", size=16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=4)
    subtitle = _style(doc, "Subtitle", size=12, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=18)
    for style in (title, subtitle):  # drop python-docx's default rule, letter spacing and color
        for el in style.element.iter(qn("w:pBdr"), qn("w:spacing"), qn("w:color")):
            if el.tag != qn("w:spacing") or el.getparent().tag == qn("w:rPr"):
                el.getparent().remove(el)
    subtitle.font.italic = False
    subtitle.paragraph_format.keep_with_next = True  # an exhibit's title stays with its first lines
    # Widow and orphan control for every paragraph, whatever its style.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault")) if defaults is not None else None
    if ppr_default is not None:
        ppr = ppr_default.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            ppr_default.append(ppr)
        if ppr.find(qn("w:widowControl")) is None:
            ppr.insert(0, OxmlElement("w:widowControl"))
    _style(doc, "Heading 1", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=14,
           space_after=8, keep_next=True, outline_level=0)
    _style(doc, "Heading 2", size=12, bold=True, space_before=10, space_after=6, keep_next=True, outline_level=1)
    article = _style(doc, "Article", base="Heading 1", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
                     space_before=14, space_after=8, keep_next=True, keep_lines=True, outline_level=0,
                     numbering=(ARTICLE_LIST, 0))
    article.font.all_caps = True
    _style(doc, "TOC Heading", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=6,
           space_after=8, keep_next=True)
    toc = _style(doc, "TOC 1", size=11, space_after=2)
    toc.paragraph_format.tab_stops.add_tab_stop(Inches(1.1))
    toc.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)  # page numbers
    _style(doc, "Exhibit Heading", base="Heading 1", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER,
           page_break_before=True, space_before=0, space_after=4, outline_level=0, keep_next=True)
    _style(doc, "Body Text", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style(doc, "Section", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Inches(0.5),
           numbering=(ARTICLE_LIST, 1))
    _style(doc, "Item", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY, left_indent=Inches(1.0),
           first_line=Inches(-0.5), numbering=(ITEM_LIST, 0))
    # The signature page: the lead-in starts a page and keeps with its blocks.
    _style(doc, "Signature Lead", base="Body Text", size=12, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
           keep_next=True, keep_lines=True, page_break_before=True)
    _style(doc, "Signature Legend", size=10, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_before=18)
    _style(doc, "Drafting Note", size=11, italic=True, left_indent=Inches(0.25), space_after=10)
    _style(doc, "Table Text", size=10, space_after=2)
    _style(doc, "Signature Text", size=12, space_after=2)
    _style(doc, "Table Spacer", size=6, space_after=6)
    _style(doc, "Footer", size=9, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _style(doc, "Header", size=9, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)

    # Running header and footer on every page.
    header = section.header.paragraphs[0]
    header.style = "Header"
    header.add_run("{{ header_text }}")
    footer = section.footer.paragraphs[0]
    footer.style = "Footer"
    footer.add_run("{{ document_title }}  |  Page ")
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    footer.add_run("  |  Draft for attorney review")

    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{ subtitle }}", style="Subtitle")
    notice = doc.add_paragraph(style="Drafting Note")
    notice.alignment = WD_ALIGN_PARAGRAPH.CENTER
    notice.add_run("{{ draft_notice }}")

    _tag(doc, "{%p for b in blocks %}")
    _tag(doc, "{%p if b.kind == 'heading' %}")
    doc.add_paragraph("{{ b.text }}", style="Article")
    _tag(doc, "{%p elif b.kind == 'toc' %}")
    doc.add_paragraph("{{ b.text }}", style="TOC Heading")
    _tag(doc, "{%p elif b.kind == 'subheading' %}")
    doc.add_paragraph("{{ b.text }}", style="Heading 2")
    _tag(doc, "{%p elif b.kind == 'exhibit' %}")
    doc.add_paragraph("{{ b.text }}", style="Exhibit Heading")
    doc.add_paragraph("{{ b.title }}", style="Subtitle")
    _tag(doc, "{%p elif b.kind == 'section' %}")
    para = doc.add_paragraph(style="Section")
    para.add_run("{{ b.caption }}").bold = True
    para.add_run("{{ ' ' if b.caption else '' }}{{ b.text }}")
    _tag(doc, "{%p elif b.kind == 'para' %}")
    para = doc.add_paragraph(style="Body Text")
    para.add_run("{{ b.caption }}").bold = True
    para.add_run("{{ ' ' if b.caption else '' }}{{ b.text }}")
    _tag(doc, "{%p elif b.kind == 'item' %}")
    para = doc.add_paragraph(style="Item")
    para.add_run("{{ b.text }}")
    _tag(doc, "{%p elif b.kind == 'lead' %}")
    doc.add_paragraph("{{ b.text }}", style="Signature Lead")
    _tag(doc, "{%p elif b.kind == 'note' %}")
    para = doc.add_paragraph(style="Drafting Note")
    run = para.add_run(NOTE_PREFIX + "{{ b.text }}]")
    rpr = run._r.get_or_add_rPr()
    highlight = OxmlElement("w:highlight")
    highlight.set(qn("w:val"), "yellow")
    rpr.append(highlight)
    _tag(doc, "{%p elif b.kind == 'table' %}")
    table = doc.add_table(rows=2, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head, body = table.rows
    _repeat_header(head)
    _cant_split(head)
    _cant_split(body)
    for row, (first, middle, last), bold in ((head, ("{%tc for h in b.header %}", "{{ h }}", "{%tc endfor %}"), True),
                                             (body, ("{%tc for c in row %}", "{{ c }}", "{%tc endfor %}"), False)):
        for cell, text in zip(row.cells, (first, middle, last)):
            _cell_text(cell, text, bold=bold)
            if bold:
                _shade(cell, "D9D9D9")
    # The body row repeats once per data row: wrap it in {%tr for %} ... {%tr endfor %} rows.
    body_tr = body._tr
    tr_open = table.add_row()
    tr_close = table.add_row()
    _cell_text(tr_open.cells[0], "{%tr for row in b.rows %}")
    _cell_text(tr_close.cells[0], "{%tr endfor %}")
    tbl = table._tbl
    tbl.remove(tr_open._tr)
    tbl.remove(tr_close._tr)
    body_tr.addprevious(tr_open._tr)
    body_tr.addnext(tr_close._tr)
    doc.add_paragraph("", style="Table Spacer")
    _tag(doc, "{%p elif b.kind == 'signatures' %}")
    sig = doc.add_table(rows=3, cols=1)
    sig_open, sig_row, sig_close = sig.rows
    _cell_text(sig_open.cells[0], "{%tr for s in b.signers %}")
    _cell_text(sig_close.cells[0], "{%tr endfor %}")
    _cant_split(sig_row)
    cell = sig_row.cells[0]

    def sign_line(text, style="Signature Text", before=0, bold=False, paragraph=None):
        p = paragraph or cell.add_paragraph(style=style)
        p.style = style
        p.paragraph_format.keep_with_next = True
        if before:
            p.paragraph_format.space_before = Pt(before)
        p.add_run(text).bold = bold

    # The party's role caption ("MSO:"), its name and its description ("a New York limited liability company").
    sign_line("{%p if s.role %}", paragraph=cell.paragraphs[0])
    sign_line("{{ s.role }}", before=18, bold=True)
    sign_line("{%p endif %}")
    sign_line("{{ s.party }}", before=6, bold=True)
    sign_line("{%p if s.description %}")
    sign_line("{{ s.description }}")
    sign_line("{%p endif %}")

    # An entity signs "By:" a named officer; an individual (no title) signs in person.
    sign_line("{%p if s.title %}")
    sign_line("By: ______________________________", before=24)
    sign_line("Name: {{ s.name }}")
    sign_line("Title: {{ s.title }}")
    sign_line("{%p else %}")
    sign_line("______________________________", before=24)
    sign_line("{{ s.name }}")
    sign_line("{%p endif %}")
    sign_line("Date: ______________________________")
    doc.add_paragraph("[Signature page to {{ document_title }}]", style="Signature Legend")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")

    save(doc, path, "formgen document layout")


def save(doc, path: Path, title: str) -> None:
    """Fixed document properties, re-zipped with fixed timestamps: the same layout gives the same bytes."""
    import datetime as dt

    props = doc.core_properties
    props.author, props.title, props.comments = "formgen", title, "Restyle freely; keep the tags."
    props.created = props.modified = dt.datetime(2026, 1, 1)
    props.last_modified_by = "formgen"
    props.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(write_package(_without_styles_with_effects(read_package(buffer.getvalue()))))


STYLES_WITH_EFFECTS = "word/stylesWithEffects.xml"


def _without_styles_with_effects(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Drop Word 2010's stylesWithEffects part that python-docx ships: a stale copy of its default
    styles, which a strict reader compares with styles.xml and finds different."""
    parts = dict(parts)
    parts.pop(STYLES_WITH_EFFECTS, None)
    name = STYLES_WITH_EFFECTS.rsplit("/", 1)[1]
    parts["word/_rels/document.xml.rels"] = re.sub(
        rb'<Relationship [^>]*Target="' + name.encode() + rb'"[^>]*/>', b"", parts["word/_rels/document.xml.rels"])
    parts["[Content_Types].xml"] = re.sub(
        rb'<Override [^>]*PartName="/' + STYLES_WITH_EFFECTS.encode() + rb'"[^>]*/>', b"", parts["[Content_Types].xml"])
    return parts


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(HERE))
    from build_cover import build_cover

    build(HERE / "document.docx")
    build_cover(HERE / "cover.docx", _style, save)
    print(f"wrote {HERE / 'document.docx'} and {HERE / 'cover.docx'}")
