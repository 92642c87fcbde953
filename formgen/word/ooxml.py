"""Reading and writing .docx packages as ordered parts, byte-for-byte reproducibly.

A .docx is a zip. Zip entries carry timestamps, so two saves of the same
document differ; ``write_package`` fixes every timestamp (SOURCE_DATE_EPOCH when
set, else 1980-01-01) and keeps the part order, so equal parts give equal bytes.
"""

from __future__ import annotations

import io
import os
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def source_date() -> tuple[int, int, int, int, int, int]:
    """The zip timestamp to use: SOURCE_DATE_EPOCH when set (reproducible builds), else 1980-01-01."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        t = time.gmtime(max(int(epoch), 315532800))  # zip cannot store dates before 1980
        return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
    return FIXED_DATE


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
            with zf.open(info) as fh:
                part = fh.read(MAX_PART_BYTES + 1)
            total += len(part)
            if len(part) > MAX_PART_BYTES or total > MAX_PACKAGE_BYTES:
                raise PackageTooLarge(f"{info.filename} unpacks to more than {MAX_PART_BYTES >> 20} MB "
                                      "(a zip bomb?)" if len(part) > MAX_PART_BYTES else
                                      f"the package unpacks to more than {MAX_PACKAGE_BYTES >> 20} MB")
            parts[info.filename] = part
    return parts


COMPRESS_LEVEL = 6
_CACHE_MIN_BYTES = 16_384  # parts worth remembering compressed (styles.xml is ~350 kB)
_CACHE_ENTRIES = 64
_compressed: dict[bytes, bytes] = {}


class _Precompressed:
    """Stands in for zipfile's compressor: hands back deflate output computed earlier."""

    def __init__(self, data: bytes):
        self.data = data

    def compress(self, _raw: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.data


def _deflate(data: bytes) -> bytes:
    """Raw deflate of ``data`` exactly as zipfile makes it (same level, same stream)."""
    found = _compressed.get(data)
    if found is None:
        comp = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
        found = comp.compress(data) + comp.flush()
        if len(_compressed) >= _CACHE_ENTRIES:
            _compressed.pop(next(iter(_compressed)))
        _compressed[data] = found
    return found


def _write_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Write one entry; a large part seen before (the styles, theme and fonts every document of a
    packet shares) is not compressed again. The bytes are those ``writestr`` would write."""
    if len(data) < _CACHE_MIN_BYTES:
        zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
        return
    with zf.open(info, mode="w") as dest:
        if hasattr(dest, "_compressor"):  # zipfile's writer; else it simply compresses itself
            dest._compressor = _Precompressed(_deflate(data))
        dest.write(data)


def write_package(parts: dict[str, bytes]) -> bytes:
    """A zip of ``parts`` with fixed timestamps and attributes; [Content_Types].xml first."""
    names = list(parts)
    if "[Content_Types].xml" in parts:
        names.remove("[Content_Types].xml")
        names.insert(0, "[Content_Types].xml")
    date = source_date()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # same bytes whichever OS wrote it
            info._compresslevel = COMPRESS_LEVEL  # what writestr(compresslevel=) would set
            _write_entry(zf, info, parts[name])
    return buf.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def docx_paragraphs(data: bytes, part: str = "word/document.xml") -> list[str]:
    """The text of every paragraph of a part (table cells and text boxes included), in document order."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = zf.read(part)
    _collect_paragraphs(ET.fromstring(xml), out)
    return out


def docx_text(data: bytes) -> str:
    return "\n".join(docx_paragraphs(data))


# Property elements: no text and no paragraph can sit inside them, so their subtrees are skipped.
_NO_TEXT = frozenset(f"{_W}{tag}" for tag in ("pPr", "rPr", "tblPr", "tcPr", "trPr", "sectPr", "tblGrid",
                                              "tblPrEx", "proofErr", "bookmarkStart", "bookmarkEnd"))


def _collect_paragraphs(element: ET.Element, out: list[str]) -> None:
    """Paragraph texts in document order; text boxes inside a paragraph become their own lines."""
    for child in element:
        if child.tag == _MC_FALLBACK or child.tag in _NO_TEXT:
            continue  # duplicate of the mc:Choice content; properties
        if child.tag == f"{_W}p":
            pieces: list[str] = []
            nested: list[str] = []
            _paragraph_text(child, pieces, nested)
            out.append("".join(pieces))
            out.extend(nested)
        else:
            _collect_paragraphs(child, out)


def _paragraph_text(element: ET.Element, pieces: list[str], nested: list[str]) -> None:
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
            _paragraph_text(child, pieces, nested)


def _wrap(element: ET.Element) -> ET.Element:
    wrapper = ET.Element("wrapper")
    wrapper.append(element)
    return wrapper
