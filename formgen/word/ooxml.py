"""Reading .docx packages as ordered parts (bounded), and the text Word shows in them.

Writing them back, byte-for-byte reproducibly, is ``wordml.write_package``.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from .sections import ListNumbering, paragraph_elements, paragraph_text, parse_xml
from .wordml import q

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


def docx_paragraphs(
    data: bytes, part: str = "word/document.xml", *, numbered: bool = False, rows: bool = False
) -> list[str]:
    """The text of every paragraph of a part (table cells and text boxes included), in document order,
    as ``sections.paragraph_text`` reads it (what Word prints). ``numbered``: each paragraph Word
    numbers starts with its number and a tab ("4.2\t..."), as printed. ``rows``: a table row is one
    line, its cells joined by " | " (as the drafts write them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = parse_xml(read_part(zf, part), part, part)
        labels = _list_numbering(zf) if numbered else None

    def line(paragraph: etree._Element) -> str:
        label = labels.label(paragraph)[0] if labels is not None else ""
        text = paragraph_text(paragraph)
        return f"{label}\t{text}" if label else text

    out: list[str] = []
    done_row = None
    for paragraph in paragraph_elements(root):
        row = _outer_row(paragraph) if rows else None
        if row is None:
            out.append(line(paragraph))
        elif row is not done_row:  # the row's first paragraph: the whole row, one line
            cells = (cell for cell in row if cell.tag == _TC)
            out.append(" | ".join(" ".join(filter(None, map(line, paragraph_elements(cell)))) for cell in cells))
            done_row = row
    return out


_TR, _TC = q("tr"), q("tc")


def _outer_row(paragraph: etree._Element) -> etree._Element | None:
    """The outermost table row the paragraph sits in (a nested table's rows belong to its cell), or None."""
    rows = list(paragraph.iterancestors(_TR))
    return rows[-1] if rows else None


def _list_numbering(zf: zipfile.ZipFile) -> ListNumbering:
    names = set(zf.namelist())
    numbering, styles = (
        parse_xml(read_part(zf, name), name, name) if name in names else None
        for name in ("word/numbering.xml", "word/styles.xml")
    )
    return ListNumbering(numbering, styles)


def docx_text(data: bytes, *, numbered: bool = False, rows: bool = False) -> str:
    return "\n".join(docx_paragraphs(data, numbered=numbered, rows=rows))


def bookmark_labels(data: bytes) -> dict[str, str]:
    """Each bookmark of the body -> the number Word shows on the paragraph it starts in ("Article 4",
    "4.2"; "" when unnumbered), counted from the document as it stands (a lawyer's inserted
    sections included)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = parse_xml(read_part(zf, "word/document.xml"), "word/document.xml", "word/document.xml")
        labels = _list_numbering(zf)
    out: dict[str, str] = {}
    for paragraph in paragraph_elements(root):
        label = labels.label(paragraph)[0]
        for mark in paragraph.iter(_BOOKMARK_START):
            out.setdefault(mark.get(q("name"), ""), label)
    return out


_BOOKMARK_START = q("bookmarkStart")
