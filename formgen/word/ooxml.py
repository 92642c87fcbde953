"""Reading .docx packages as ordered parts (bounded), and the text Word shows in them.

Writing them back, byte-for-byte reproducibly, is ``wordml.write_package``.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

from .sections import format_number  # Word list number formats, one implementation
from .wordml import MC, W

# A zip bomb (a few MB that unpack to GBs) must not exhaust memory: a Word document's parts are
# far smaller. Sizes are counted as read, not taken from the archive's own (forgeable) headers.
MAX_PART_BYTES = 32 * 1024 * 1024
MAX_PACKAGE_BYTES = 256 * 1024 * 1024


class PackageTooLarge(ValueError):
    """A part or the whole package unpacks to more than a Word document holds."""


def read_package(data: bytes) -> dict[str, bytes]:
    """The parts of a package, in their stored order; PackageTooLarge past the limits above."""
    parts, total = {}, 0
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for info in zf.infolist():
            part = read_part(zf, info)
            total += len(part)
            if total > MAX_PACKAGE_BYTES:
                raise PackageTooLarge(f"the package unpacks to more than {MAX_PACKAGE_BYTES >> 20} MB")
            parts[info.filename] = part
    return parts


def read_part(zf: zipfile.ZipFile, member) -> bytes:
    """One part, read at most MAX_PART_BYTES (PackageTooLarge past it)."""
    with zf.open(member) as fh:
        part = fh.read(MAX_PART_BYTES + 1)
    if len(part) > MAX_PART_BYTES:
        name = member.filename if isinstance(member, zipfile.ZipInfo) else member
        raise PackageTooLarge(f"{name} unpacks to more than {MAX_PART_BYTES >> 20} MB (a zip bomb?)")
    return part


_W = f"{{{W}}}"
_MC_FALLBACK = f"{{{MC}}}Fallback"


def docx_paragraphs(
    data: bytes, part: str = "word/document.xml", *, numbered: bool = False, rows: bool = False
) -> list[str]:
    """The text of every paragraph of a part (table cells and text boxes included), in document order.
    ``numbered``: each paragraph Word numbers starts with its number and a tab ("4.2\t..."), as printed.
    ``rows``: a table row is one line, its cells joined by " | " (as the drafts write them)."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = read_part(zf, part)
        labels = None
        if numbered:
            names = set(zf.namelist())
            labels = ListLabels({n: zf.read(n) for n in ("word/numbering.xml", "word/styles.xml") if n in names})
    _collect_paragraphs(ET.fromstring(xml), out, labels, rows)
    return out


def bookmark_labels(data: bytes) -> dict[str, str]:
    """Each bookmark of the body -> the number Word shows on the paragraph it starts in ("Article 4",
    "4.2"; "" when unnumbered), counted from the document as it stands (a lawyer's inserted
    sections included)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        root = ET.fromstring(read_part(zf, "word/document.xml"))
        labels = ListLabels({n: zf.read(n) for n in ("word/numbering.xml", "word/styles.xml") if n in names})
    out: dict[str, str] = {}
    for paragraph in root.iter(f"{_W}p"):
        label = labels.label(paragraph)
        for mark in paragraph.iter(f"{_W}bookmarkStart"):
            out.setdefault(mark.get(f"{_W}name", ""), label)
    return out


def docx_text(data: bytes, *, numbered: bool = False, rows: bool = False) -> str:
    return "\n".join(docx_paragraphs(data, numbered=numbered, rows=rows))


# Property elements: no text and no paragraph can sit inside them, so their subtrees are skipped.
_NO_TEXT = frozenset(
    f"{_W}{tag}"
    for tag in (
        "pPr",
        "rPr",
        "tblPr",
        "tcPr",
        "trPr",
        "sectPr",
        "tblGrid",
        "tblPrEx",
        "proofErr",
        "bookmarkStart",
        "bookmarkEnd",
    )
)


def _collect_paragraphs(
    element: ET.Element, out: list[str], labels: "ListLabels | None" = None, rows: bool = False
) -> None:
    """Paragraph texts in document order; text boxes inside a paragraph become their own lines."""
    for child in element:
        if child.tag == _MC_FALLBACK or child.tag in _NO_TEXT:
            continue  # duplicate of the mc:Choice content; properties
        if rows and child.tag == f"{_W}tr":
            cells = []
            for cell in (c for c in child if c.tag == f"{_W}tc"):  # its own cells, not a nested table's
                lines: list[str] = []
                _collect_paragraphs(cell, lines, labels)
                cells.append(" ".join(line for line in lines if line))
            out.append(" | ".join(cells))
        elif child.tag == f"{_W}p":
            label = labels.label(child) if labels is not None else ""
            pieces: list[str] = [label + "\t"] if label else []
            nested: list[str] = []
            paragraph_view_text(child, pieces, nested)
            out.append("".join(pieces))
            out.extend(nested)
        else:
            _collect_paragraphs(child, out, labels, rows)


def paragraph_view_text(element: ET.Element, pieces: list[str], nested: list[str]) -> None:
    for child in element:
        tag = child.tag
        if tag == f"{_W}t":
            pieces.append(child.text or "")
        elif tag == f"{_W}tab":
            pieces.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            pieces.append(" ")
        elif tag == f"{_W}noBreakHyphen":
            pieces.append("-")
        elif tag == f"{_W}p":  # a paragraph in a text box inside this paragraph
            _collect_paragraphs(_wrap(child), nested)
        elif tag == _MC_FALLBACK or tag in _NO_TEXT:
            continue
        else:
            paragraph_view_text(child, pieces, nested)


def _wrap(element: ET.Element) -> ET.Element:
    wrapper = ET.Element("wrapper")
    wrapper.append(element)
    return wrapper


# --- list numbers as Word shows them ------------------------------------------------------


class ListLabels:
    """The number Word's list numbering gives each paragraph ("Article 4", "4.2", "(a)").

    Reads the numbering and styles parts; a paragraph's w:numPr, else its style's, names the list
    instance (w:num) and level; instances count separately, a start override restarts one, and a
    level restarts after any higher level. Enough for formgen's own documents and ordinary ones.
    """

    def __init__(self, parts: dict[str, bytes]):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.style_num: dict[str, tuple[str, int]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if "word/numbering.xml" in parts:
            self._read_numbering(ET.fromstring(parts["word/numbering.xml"]))
        if "word/styles.xml" in parts:
            for style in ET.fromstring(parts["word/styles.xml"]).iter(f"{_W}style"):
                num_pr = style.find(f"{_W}pPr/{_W}numPr")
                if num_pr is not None:
                    self.style_num[style.get(f"{_W}styleId", "")] = self._num_pr(num_pr, (None, 0))

    def _read_numbering(self, root: ET.Element) -> None:
        abstract = {}
        for node in root.iter(f"{_W}abstractNum"):
            abstract[node.get(f"{_W}abstractNumId")] = {
                int(lvl.get(f"{_W}ilvl", "0")): (
                    self._val(lvl, "numFmt", "decimal"),
                    self._val(lvl, "lvlText", ""),
                    int(self._val(lvl, "start", "1")),
                )
                for lvl in node.iter(f"{_W}lvl")
            }
        for num in root.iter(f"{_W}num"):
            levels = dict(abstract.get(self._val(num, "abstractNumId", ""), {}))
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                ilvl = int(override.get(f"{_W}ilvl", "0"))
                if start is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(start.get(f"{_W}val", "1")))
            self.levels[num.get(f"{_W}numId")] = levels

    @staticmethod
    def _val(node: ET.Element, tag: str, default: str) -> str:
        child = node.find(f"{_W}{tag}")
        return default if child is None else child.get(f"{_W}val", default)

    def _num_pr(self, num_pr: ET.Element, inherited: tuple) -> tuple:
        num_id = self._val(num_pr, "numId", inherited[0] or "")
        ilvl = num_pr.find(f"{_W}ilvl")
        return num_id, int(ilvl.get(f"{_W}val", "0")) if ilvl is not None else inherited[1]

    def label(self, paragraph: ET.Element) -> str:
        """The paragraph's list label, counting it; "" when it has none."""
        style = paragraph.find(f"{_W}pPr/{_W}pStyle")
        num_id, ilvl = self.style_num.get("" if style is None else style.get(f"{_W}val", ""), (None, 0))
        num_pr = paragraph.find(f"{_W}pPr/{_W}numPr")
        if num_pr is not None:
            num_id, ilvl = self._num_pr(num_pr, (num_id, ilvl))
        levels = self.levels.get(num_id or "")
        if not levels or ilvl not in levels:
            return ""
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts.get(ilvl, levels[ilvl][2] - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        text = levels[ilvl][1]
        for level, (fmt, _, start) in levels.items():
            text = text.replace(f"%{level + 1}", format_number(counts.get(level, start), fmt))
        return text
