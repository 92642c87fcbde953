"""A .docx's table of contents and its page numbers, as a whole package (``fields`` works on the
document part): which documents have one, the numbers they carry, and carrying the numbers
formgen wrote before over to a new build of the same text, so an unchanged document keeps its
bytes without a new render (the render itself is ``pdf.pagination``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fields import set_toc_pages, toc_pages
from .ooxml import read_package
from .wordml import write_package

if TYPE_CHECKING:  # pragma: no cover
    from ..drafting.packet import Packet

DOCUMENT_PART = "word/document.xml"


def has_toc(data: bytes) -> bool:
    return b'w:val="TOC1"' in read_package(data)[DOCUMENT_PART]


def pages_of(data: bytes) -> dict[str, int]:
    """The page numbers the TOC of the .docx ``data`` carries (empty when none are filled in)."""
    return toc_pages(read_package(data)[DOCUMENT_PART])


def with_pages(data: bytes, pages: dict[str, int]) -> bytes:
    """The .docx ``data`` with its TOC's page numbers set to ``pages`` (label -> page)."""
    parts = read_package(data)
    parts[DOCUMENT_PART] = set_toc_pages(parts[DOCUMENT_PART], pages)
    return write_package(parts)


def keep_toc_pages(packet: "Packet", previous: dict[str, bytes]) -> None:
    """Each document of ``packet`` that equals its previous bytes (``previous``: file name -> the
    bytes formgen wrote before) once given their TOC page numbers takes those bytes."""
    for doc in packet.documents:
        before = previous.get(doc.spec.filename)
        if before is None or before == doc.data or not has_toc(doc.data):
            continue
        try:
            pages = pages_of(before)
        except Exception:  # noqa: BLE001 - previous bytes that are no readable .docx carry nothing
            continue
        if pages and with_pages(doc.data, pages) == before:
            doc.data = before
