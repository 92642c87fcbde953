"""A document's paragraphs with the section each sits in, as the reader sees it.

One reader for every part of a .docx a reviewer must read (body and tables, headers, footers,
footnotes, endnotes, comments) and for plain text. Each paragraph carries the section number the
document displays: from Word's list numbering (numbering definitions, a paragraph's or its style's
w:numPr) or, where the number is typed, from headings such as "Section 4.1.", "4.1", "ARTICLE IV".

The .docx is untrusted input, read through bounded.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .bounded import MAIN_PART, UnreadableDocument, parse_xml, read_package
from .wordml import q

__all__ = [
    "MAIN_PART",
    "Paragraph",
    "UnreadableDocument",
    "docx_paragraphs",
    "package_paragraphs",
    "paragraph_elements",
    "heading_prefix",
    "paragraph_text",
    "parse_xml",
    "read_package",
    "text_paragraphs",
    "typed_label",
]

_EXTRA_PARTS = re.compile(r"word/(?:header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NO_TEXT = frozenset(
    q(tag)
    for tag in (
        "pPr",
        "rPr",
        "tblPr",
        "tcPr",
        "trPr",
        "sectPr",
        "tblGrid",
        "tblPrEx",
        "delText",
        "instrText",
        "del",
        "moveFrom",
    )
) | {_MC_FALLBACK}


_P, _T = q("p"), q("t")
_CHARACTERS = {q("tab"): "\t", q("br"): " ", q("cr"): " ", q("noBreakHyphen"): "-"}  # elements that print one


@dataclass(frozen=True)
class Paragraph:
    text: str
    section: str  # "Section 12.2", "Section 12.2(a)", "Article 12", "Header", "Footnote 3 (Section 4.1)", ""
    caption: str  # the heading of that section as the document shows it ("Management Fee"), or ""
    part: str  # "word/document.xml", "word/footer1.xml", ... ("" for plain text)
    index: int  # position among the part's paragraphs in ``paragraph_elements`` order


# ---------------------------------------------------------------- paragraphs and their text


def paragraph_elements(root: etree._Element) -> list[etree._Element]:
    """The paragraphs of a part in reading order, table cells and text boxes included; iterative, so
    nesting depth costs no recursion. A paragraph inside a text box follows the paragraph holding it."""
    out: list[etree._Element] = []
    stack = [iter(root)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        if child.tag in _NO_TEXT or not isinstance(child.tag, str):
            continue
        if child.tag == _P:
            out.append(child)
        stack.append(iter(child))
    return out


def paragraph_text(paragraph: etree._Element) -> str:
    """The text of one paragraph as printed (deleted revisions and field codes left out), without
    the text of any paragraph nested in it (a text box): that one is a paragraph of its own."""
    pieces: list[str] = []
    stack = [iter(paragraph)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag
        if tag == _T:
            pieces.append(child.text or "")
        elif tag in _CHARACTERS:
            pieces.append(_CHARACTERS[tag])
        elif tag != _P and tag not in _NO_TEXT and isinstance(tag, str):
            stack.append(iter(child))
    return "".join(pieces)


# ---------------------------------------------------------------- Word's list numbering

_ROMAN = (
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)


def format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26] * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        out, rest = "", n
        for value, digits in _ROMAN:
            while rest >= value:
                out, rest = out + digits, rest - value
        return out.upper() if fmt == "upperRoman" else out
    if fmt == "decimalZero":
        return f"{n:02d}"
    return "" if fmt in ("none", "bullet") else str(n)


@dataclass(frozen=True)
class _Level:
    fmt: str
    text: str
    start: int
    legal: bool  # w:isLgl: every number shown in decimal


def _val(node, tag: str, default: str = "") -> str:
    child = node.find(q(tag))
    return default if child is None else child.get(q("val"), default)


def _int(value: str, default: int = 0) -> int:
    return int(value) if value.isdigit() and len(value) < 7 else default


class ListNumbering:
    """The label Word displays on each numbered paragraph ("Article 4", "4.2", "(a)"), counted in order.

    Lists that share an abstract definition count together, as Word counts them, unless the list
    instance overrides a start value (then it counts on its own from that value); a level restarts
    after any higher level; a style's w:numPr applies where the paragraph has none (w:basedOn followed).
    """

    def __init__(self, numbering: etree._Element | None, styles: etree._Element | None):
        self.nums: dict[str, tuple[str, dict[int, _Level], bool]] = {}  # numId -> (counter key, levels, overridden)
        self.style_num: dict[str, tuple[str | None, int | None]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if numbering is not None:
            self._read_numbering(numbering)
        if styles is not None:
            self._read_styles(styles)

    def _read_numbering(self, root: etree._Element) -> None:
        abstract: dict[str, dict[int, _Level]] = {}
        for node in root.iter(q("abstractNum")):
            abstract[node.get(q("abstractNumId"), "")] = {
                _int(lvl.get(q("ilvl"), "0")): _Level(
                    _val(lvl, "numFmt", "decimal"),
                    _val(lvl, "lvlText"),
                    _int(_val(lvl, "start", "1"), 1),
                    lvl.find(q("isLgl")) is not None,
                )
                for lvl in node.iter(q("lvl"))
            }
        for num in root.iter(q("num")):
            abstract_id = _val(num, "abstractNumId")
            levels = dict(abstract.get(abstract_id, {}))
            overridden = False
            for override in num.iter(q("lvlOverride")):
                ilvl = _int(override.get(q("ilvl"), "0"))
                start = override.find(q("startOverride"))
                if start is not None and ilvl in levels:
                    old = levels[ilvl]
                    levels[ilvl] = _Level(old.fmt, old.text, _int(start.get(q("val"), "1"), 1), old.legal)
                    overridden = True
            num_id = num.get(q("numId"), "")
            self.nums[num_id] = ("num:" + num_id if overridden else "abstract:" + abstract_id, levels, overridden)

    def _read_styles(self, root: etree._Element) -> None:
        own: dict[str, tuple[str | None, int | None, str]] = {}
        for style in root.iter(q("style")):
            num_pr = style.find(f"{q('pPr')}/{q('numPr')}")
            num_id = ilvl = None
            if num_pr is not None:
                num_id = _val(num_pr, "numId") or None
                ilvl_text = _val(num_pr, "ilvl")
                ilvl = _int(ilvl_text) if ilvl_text else None
            own[style.get(q("styleId"), "")] = (num_id, ilvl, _val(style, "basedOn"))
        for style_id in own:
            num_id, ilvl, based_on = own[style_id]
            seen = {style_id}
            while (num_id is None or ilvl is None) and based_on in own and based_on not in seen:
                seen.add(based_on)
                parent = own[based_on]
                num_id = num_id if num_id is not None else parent[0]
                ilvl = ilvl if ilvl is not None else parent[1]
                based_on = parent[2]
            self.style_num[style_id] = (num_id, ilvl)

    def label(self, paragraph: etree._Element) -> tuple[str, int]:
        """(label, level) of the paragraph, counting it; ("", -1) when Word shows no number on it."""
        ppr = paragraph.find(q("pPr"))
        num_id, ilvl = (None, None)
        if ppr is not None:
            style = ppr.find(q("pStyle"))
            if style is not None:
                num_id, ilvl = self.style_num.get(style.get(q("val"), ""), (None, None))
            num_pr = ppr.find(q("numPr"))
            if num_pr is not None:
                own_id, own_lvl = _val(num_pr, "numId"), _val(num_pr, "ilvl")
                num_id = own_id or num_id
                ilvl = _int(own_lvl) if own_lvl else ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return "", -1
        ilvl = ilvl or 0
        key, levels, _ = self.nums[num_id]
        if ilvl not in levels:
            return "", -1
        counts = self.counters.setdefault(key, {})
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else levels[ilvl].start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        level = levels[ilvl]
        text = level.text
        for number, other in levels.items():
            fmt = "decimal" if level.legal and other.fmt != "none" else other.fmt
            text = text.replace(f"%{number + 1}", format_number(counts.get(number, other.start), fmt))
        return text.strip(), ilvl


# ---------------------------------------------------------------- section names


_TYPED_ARTICLE = re.compile(r"^\s*(?:ARTICLE|Article)\s+([IVXLCDM]+|\d{1,3})\b\.?\s*(.*)$")
_TYPED_EXHIBIT = re.compile(
    r"^\s*(EXHIBIT|Exhibit|SCHEDULE|Schedule|APPENDIX|Appendix|ANNEX|Annex)\s+([A-Z0-9]{1,3}(?:-\d{1,2})?)\b"
)
_TYPED_SECTION = re.compile(
    r"^\s*(?:(?:Section|SECTION|Sec\.|§)\s*(\d{1,3}(?:\.\d{1,3}){0,4})[a-z]?\.?"  # "Section 4.1." / "§ 4.1"
    r"|(\d{1,3}(?:\.\d{1,3}){1,4})\.?(?=[\s\t])"  # "4.1", "4.1.", "4.1.2"
    r"|(\d{1,3})\.(?=[\t ]+[A-Z\"“]))"  # "4. Fees"
)
_TYPED_ITEM = re.compile(r"^\s*\(([a-z]{1,4}|\d{1,2}|[A-Z])\)(?=\s)")
_RUN_IN = re.compile(r"^\s*([^.:\t]{2,80}?)[.:](?=\s|$)")
_ARTICLE_LABEL = re.compile(r"^(?:ARTICLE|Article)\s+([IVXLCDM]+|\d{1,3})\.?$")
_SECTION_LABEL = re.compile(r"^(?:(?:Section|SECTION|§)\s*)?(\d{1,3}(?:\.\d{1,3})*)\.?$")
_ITEM_LABEL = re.compile(r"^\(?([a-zA-Z]{1,4}|\d{1,2})[.)]$")


class SectionTracker:
    """Follows the numbering through a part and names the section of each paragraph."""

    def __init__(self):
        self.article = ""  # "Article 12"
        self.article_caption = ""
        self.section = ""  # "Section 12.2"
        self.section_caption = ""
        self.item = ""  # "(a)"

    def observe(self, label: str, level: int, text: str) -> None:
        """A paragraph with ``label`` (Word's number, or "" to look for a typed one) and its text."""
        body = text
        if not label:
            label, body = typed_label(text)
        else:
            body = text.lstrip("\t ")
        if not label:
            return
        article = _ARTICLE_LABEL.match(label)
        if article:
            self.article, self.section, self.item = f"Article {article.group(1)}", "", ""
            self.article_caption = self.section_caption = _caption(body, whole=True)
            return
        section = _SECTION_LABEL.match(label)
        if section and (level <= 1 or "." in section.group(1) or label.startswith(("Section", "SECTION", "§"))):
            self.section, self.item = f"Section {section.group(1)}", ""
            self.section_caption = _caption(body) or self.article_caption
            return
        if _ITEM_LABEL.match(label) and (self.section or self.article):
            self.item = label if label.startswith("(") else f"({label.rstrip('.)')})"
            return
        if label.upper().startswith(("EXHIBIT", "SCHEDULE", "APPENDIX", "ANNEX")):
            self.article, self.section, self.item = label.title(), "", ""
            self.article_caption = self.section_caption = _caption(body, whole=True)

    @property
    def name(self) -> str:
        return (self.section or self.article) + self.item

    @property
    def caption(self) -> str:
        return self.section_caption if self.section else self.article_caption


def typed_label(text: str) -> tuple[str, str]:
    """(the number typed at the start of ``text`` as a section name, the text after it); ("", text) if none."""
    m = _TYPED_ARTICLE.match(text)
    if m:
        return f"Article {m.group(1)}", m.group(2)
    m = _TYPED_EXHIBIT.match(text)
    if m:
        return f"{m.group(1).title()} {m.group(2)}", text[m.end() :]
    m = _TYPED_SECTION.match(text)
    if m:
        return "Section " + (m.group(1) or m.group(2) or m.group(3)), text[m.end() :]
    m = _TYPED_ITEM.match(text)
    if m:
        return f"({m.group(1)})", text[m.end() :]
    return "", text


def heading_prefix(text: str) -> str:
    """The typed number and run-in heading that open a paragraph ("Section 4.1. Fees. "), or ""."""
    label, body = typed_label(text)
    caption = _caption(body) if label or text else ""
    start = len(text) - len(body)
    if caption:
        at = body.find(caption)
        end = start + at + len(caption) + 1 if at >= 0 else start
    else:
        end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[:end] if end <= len(text) else ""


def _caption(body: str, whole: bool = False) -> str:
    body = " ".join(body.split())
    if whole:
        return body[:80]
    m = _RUN_IN.match(body)
    if not m:
        return ""
    words = m.group(1).split()
    # A run-in heading is short and title-like ("Management Fee."), not the first sentence of the text.
    if len(words) > 8 or not words[0][:1].isupper() or sum(w[:1].islower() for w in words) > len(words) // 2:
        return ""
    return m.group(1).strip()


# ---------------------------------------------------------------- the readers


def docx_paragraphs(path: Path) -> list[Paragraph]:
    """Every paragraph of the .docx at ``path`` that holds text: the body first, then headers,
    footers, footnotes, endnotes and comments, each with its section. Raises UnreadableDocument."""
    parts = read_package(
        path,
        lambda name: name in (MAIN_PART, "word/numbering.xml", "word/styles.xml") or bool(_EXTRA_PARTS.fullmatch(name)),
    )
    return package_paragraphs(parts, path)


def package_paragraphs(parts: dict[str, bytes], source) -> list[Paragraph]:
    numbering = (
        parse_xml(parts["word/numbering.xml"], "word/numbering.xml", source) if "word/numbering.xml" in parts else None
    )
    styles = parse_xml(parts["word/styles.xml"], "word/styles.xml", source) if "word/styles.xml" in parts else None
    labels = ListNumbering(numbering, styles)
    out: list[Paragraph] = []
    note_sections: dict[tuple[str, str], str] = {}  # ("footnote", id) -> section of its reference
    tracker = SectionTracker()
    root = parse_xml(parts[MAIN_PART], MAIN_PART, source)
    for index, element in enumerate(paragraph_elements(root)):
        label, level = labels.label(element)
        text = paragraph_text(element)
        tracker.observe(label, level, text)
        for kind in ("footnote", "endnote"):
            for ref in element.iter(q(f"{kind}Reference")):
                note_sections[(kind, ref.get(q("id"), ""))] = tracker.name
        shown = f"{label}\t{text}" if label else text
        if shown.strip():
            out.append(Paragraph(shown, tracker.name, tracker.caption, MAIN_PART, index))
    for part in sorted(p for p in parts if _EXTRA_PARTS.fullmatch(p)):
        out.extend(_extra_part_paragraphs(parts[part], part, source, note_sections))
    return out


def _extra_part_paragraphs(data: bytes, part: str, source, note_sections) -> list[Paragraph]:
    root = parse_xml(data, part, source)
    kind = re.sub(r"\d+$", "", part.removeprefix("word/").removesuffix(".xml"))
    out = []
    for index, element in enumerate(paragraph_elements(root)):
        text = paragraph_text(element)
        if not text.strip():
            continue
        if kind in ("footnotes", "endnotes"):
            note = next((a for a in element.iterancestors(q(kind[:-1]))), None)
            note_id = note.get(q("id"), "") if note is not None else ""
            where = note_sections.get((kind[:-1], note_id), "")
            section = f"{kind[:-1].title()} {note_id}" + (f" ({where})" if where else "")
        else:
            section = {"header": "Header", "footer": "Footer", "comments": "Comment"}.get(kind, kind.title())
        out.append(Paragraph(text, section, "", part, index))
    return out


def text_paragraphs(text: str) -> list[Paragraph]:
    """Paragraphs of plain text (one per line; a heading typed as "Section 4.1." or "ARTICLE 4" sets the section)."""
    tracker = SectionTracker()
    out = []
    for index, line in enumerate(text.splitlines()):
        tracker.observe("", -1, line)
        if line.strip():
            out.append(Paragraph(line, tracker.name, tracker.caption, "", index))
    return out
