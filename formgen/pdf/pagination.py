"""Page numbers for a document's table of contents, taken from the pages LibreOffice renders.

LibreOffice does not update a Word TOC field when it converts, so formgen renders the document
once, reads where each article and exhibit starts from the PDF's own outline (the Article and
Exhibit Heading styles carry outline level 1), and writes those pages into the .docx field result
(``word.fields.set_toc_pages``). The page numbers sit on the same lines as before, so the pages
do not move; the same document gives the same numbers and the same bytes.

A regeneration first carries the page numbers of formgen's previous bytes over to a document
that differs from them in nothing else (``word.toc.keep_toc_pages``): an unchanged document keeps its bytes
without a render, and only a changed one is rendered again (``regenerate --pdf``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader

from ..word.toc import has_toc, keep_toc_pages, pages_of, with_pages
from .persistent import convert_documents

if TYPE_CHECKING:  # pragma: no cover
    from ..drafting.packet import Packet

_TOP_LEVEL = re.compile(r"^(ARTICLE|Article|EXHIBIT|Exhibit)\s+(\w+)")


def outline_pages(pdf: Path) -> dict[str, int]:
    """{"Article\u00a01": 2, ..., "Exhibit\u00a0A": 33}: the page (1-based) each top-level
    article or exhibit bookmark of a PDF points at."""
    reader = PdfReader(pdf)
    pages: dict[str, int] = {}
    for item in reader.outline:
        if isinstance(item, list):
            continue
        found = _TOP_LEVEL.match(" ".join(str(getattr(item, "title", "") or "").split()))
        if found:
            label = f"{found.group(1).title()}\u00a0{found.group(2)}"
            pages.setdefault(label, reader.get_destination_page_number(item) + 1)
    return pages


def with_toc_pages(data: bytes, pdf: Path) -> bytes:
    """The .docx ``data`` with its TOC's page numbers taken from ``pdf`` (its rendering)."""
    return with_pages(data, outline_pages(pdf))


def paginate_tocs(
    packet: "Packet",
    *,
    previous: dict[str, bytes] | None = None,
    edited: frozenset[str] = frozenset(),
    timeout: float | None = None,
    soffice: Path | None = None,
) -> None:
    """Fill in the page numbers of every table of contents in ``packet`` (its documents' bytes are
    replaced), from one LibreOffice rendering of each document that has one; a document whose
    ``previous`` bytes differ from it only in those numbers takes them without a render, and one
    equal to its previous bytes whose file was edited by hand (``edited``: file names) stays as it
    is: a PDF asked for is no reason to merge into the lawyer's copy."""
    previous = previous or {}
    keep_toc_pages(packet, previous)
    targets = [
        doc
        for doc in packet.documents
        if has_toc(doc.data)
        and not pages_of(doc.data)
        and not (doc.spec.filename in edited and doc.data == previous.get(doc.spec.filename))
    ]
    if not targets:
        return
    with tempfile.TemporaryDirectory(prefix="formgen-toc-") as tmp:
        work = Path(tmp)
        inputs = []
        for doc in targets:
            path = work / "docx" / doc.spec.filename
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(doc.data)
            inputs.append(path)
        pdfs = convert_documents(inputs, work / "pdf", timeout=timeout, soffice=soffice)
        for doc, pdf in zip(targets, pdfs):
            doc.data = with_toc_pages(doc.data, pdf)
