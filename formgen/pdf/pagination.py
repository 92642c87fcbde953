"""Page numbers for a document's table of contents, taken from the pages LibreOffice renders.

LibreOffice does not update a Word TOC field when it converts, so formgen renders the document
once, reads where each article and exhibit starts from the PDF's own outline (the Article and
Exhibit Heading styles carry outline level 1), and writes those pages into the .docx field result
(``word.fields.set_toc_pages``). The page numbers sit on the same lines as before, so the pages
do not move; the same document gives the same numbers and the same bytes.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader

from ..word.fields import set_toc_pages
from ..word.ooxml import read_package
from ..word.wordml import write_package
from .persistent import convert_documents

if TYPE_CHECKING:  # pragma: no cover
    from ..drafting.packet import Packet

_TOP_LEVEL = re.compile(r"^(ARTICLE|Article|EXHIBIT|Exhibit)\s+(\w+)")
DOCUMENT_PART = "word/document.xml"


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


def has_toc(data: bytes) -> bool:
    return b'w:val="TOC1"' in read_package(data)[DOCUMENT_PART]


def with_toc_pages(data: bytes, pdf: Path) -> bytes:
    """The .docx ``data`` with its TOC's page numbers taken from ``pdf`` (its rendering)."""
    parts = read_package(data)
    parts[DOCUMENT_PART] = set_toc_pages(parts[DOCUMENT_PART], outline_pages(pdf))
    return write_package(parts)


def paginate_tocs(packet: "Packet", *, timeout: float | None = None, soffice: Path | None = None) -> None:
    """Fill in the page numbers of every table of contents in ``packet`` (its documents' bytes are
    replaced), from one LibreOffice rendering of each document that has one."""
    targets = [doc for doc in packet.documents if has_toc(doc.data)]
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
