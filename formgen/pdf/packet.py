"""PDF output: LibreOffice converts the .docx files, pypdf binds them into ``packet.pdf``.

The documents go through the persistent converter (persistent.py: one LibreOffice process kept
running for the whole formgen process, a packet or a portfolio), or, where LibreOffice's Python
bridge is missing, one ``soffice`` call for the packet (soffice.py). The cover is converted
after them, since its contents give their page counts (cover.py).

``packet.pdf`` = a cover page (deal, parties, state, effective date, table of contents with the
page each document starts on) + every document; one bookmark per document with its articles
(taken from the document PDF's own outline) beneath it; page labels per document ("MSA-1", ...);
title / subject / author / keywords metadata; opens with the bookmarks panel. Unless ``final``,
every page of every PDF carries a diagonal, light grey "DRAFT" watermark (watermark.py).

The closing set (closing/) gets a PDF of each of its Word files, the signature packets among
them, and a "Closing" section at the end of ``packet.pdf``: one bookmark for the section, one per
file beneath it, one line in the contents, pages labelled "CLOSING-1", ...
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypdf import PdfReader, PdfWriter

from .._version import __version__
from ..errors import FormgenError
from ..word.closing_folder import ClosingFile, closing_files, closing_outputs
from ..word.signature_packets import PACKET_TITLE
from .cover import COVER_STEM, TocEntry, build_cover_docx
from .outline import document_label, exhibit_titles, label_prefixes, outline_children
from .persistent import convert_documents
from .soffice import INSTALL_COMMAND, soffice_path  # noqa: F401 - re-exported for callers
from .watermark import add_watermark

if TYPE_CHECKING:  # pragma: no cover
    from pypdf import PdfReader, PdfWriter

    from ..drafting.packet import Packet

PACKET_PDF = "packet.pdf"
MAX_COVER_PASSES = 3
CLOSING_SECTION = "Closing"
CLOSING_PREFIX = "CLOSING"


def write_documents(packet: "Packet", folder: Path, sources: Path | None = None) -> list[Path]:
    """The packet's .docx files written into ``folder`` (created), in packet order: the bytes of the
    files of the same name in ``sources`` (a packet folder on disk) when given, else the build's."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in packet.documents:
        path = folder / doc.spec.filename
        path.write_bytes(document_on_disk(sources, doc.spec.filename) if sources is not None else doc.data)
        paths.append(path)
    return paths


def write_closing_documents(
    packet: "Packet", files: list[ClosingFile], folder: Path, sources: Path | None = None
) -> list[Path]:
    """The closing set's .docx files written into ``folder``: from the packet folder ``sources``
    when given (what is on disk, as for the documents), else built from the packet."""
    folder.mkdir(parents=True, exist_ok=True)
    built = closing_outputs(packet) if sources is None else {}
    paths = []
    for file in files:
        path = folder / file.filename.rpartition("/")[2]
        path.write_bytes(document_on_disk(sources, file.filename) if sources is not None else built[file.filename])
        paths.append(path)
    return paths


def document_on_disk(folder: Path, filename: str) -> bytes:
    """The .docx a packet folder holds now (merged, hand-edited or executed): what its PDF shows."""
    try:
        return (folder / filename).read_bytes()
    except FileNotFoundError:
        raise FormgenError(
            f"formgen: {folder / filename} is missing; regenerate the packet before making its PDFs"
        ) from None


def _metadata(writer: "PdfWriter", *, title: str, subject: str, keywords: str) -> None:

    writer.add_metadata(
        {
            "/Title": title,
            "/Subject": subject,
            "/Author": "formgen",
            "/Keywords": keywords,
            "/Creator": f"formgen {__version__} (LibreOffice, pypdf)",
            "/Producer": "formgen",
        }
    )
    prefs = writer.create_viewer_preferences()
    prefs.display_doctitle = True


def _write_atomic(writer: "PdfWriter", path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            writer.write(fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_pdf(path: Path, name: str) -> "PdfReader":

    try:
        reader = PdfReader(path)
        _ = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise FormgenError(f"formgen: LibreOffice wrote an unreadable PDF for {name}: {exc}") from None
    if not reader.pages:
        raise FormgenError(f"formgen: LibreOffice wrote an empty PDF for {name}")
    return reader


@dataclass(frozen=True)
class _Names:
    """What the PDFs call each document and the packet."""

    labels: dict[str, str]  # document name -> bookmark / contents title
    prefixes: dict[str, str]  # document name -> page label prefix
    subject: str
    keywords: str


def _names(packet: "Packet", final: bool) -> _Names:
    deal, state = packet.deal, packet.rules
    keywords = ", ".join(
        ["formation packet", "MSO", "medical practice", state.code, state.name] + ([] if final else ["draft"])
    )
    return _Names(
        {doc.spec.name: document_label(doc.spec, deal) for doc in packet.documents},
        label_prefixes(packet),
        f"Formation packet for {deal.mso.name} and {deal.practice.name} ({state.name}, {state.code})",
        keywords,
    )


def _cover(
    packet: "Packet",
    names: _Names,
    readers: list["PdfReader"],
    closing: "list[tuple[ClosingFile, PdfReader]]",
    work: Path,
    final: bool,
    timeout: float | None,
    soffice: Path,
) -> "PdfReader":
    """The converted cover, its contents filled with page counts and first pages."""
    cover_pages = 1
    for _ in range(MAX_COVER_PASSES):
        entries, start = [], cover_pages + 1
        for i, (doc, reader) in enumerate(zip(packet.documents, readers), start=1):
            prefix = names.prefixes[doc.spec.name]
            entries.append(
                TocEntry(
                    i,
                    names.labels[doc.spec.name],
                    f"{doc.spec.name}.pdf  \u00b7  pages {prefix}-1, {prefix}-2, \u2026",
                    len(reader.pages),
                    start,
                )
            )
            start += len(reader.pages)
        if closing:
            signers = sum(file.label.startswith(PACKET_TITLE) for file, _ in closing)
            entries.append(
                TocEntry(
                    len(entries) + 1,
                    CLOSING_SECTION,
                    f"closing/  \u00b7  closing checklist, closing documents, {signers} signature "
                    f"packets  \u00b7  pages {CLOSING_PREFIX}-1, {CLOSING_PREFIX}-2, \u2026",
                    sum(len(r.pages) for _, r in closing),
                    start,
                )
            )
        cover_docx = work / "cover" / f"{COVER_STEM}.docx"
        cover_docx.parent.mkdir(exist_ok=True)
        cover_docx.write_bytes(build_cover_docx(packet, entries, final=final))
        [pdf] = convert_documents([cover_docx], work / "pdf", timeout=timeout, soffice=soffice)
        cover = _read_pdf(pdf, "the cover page")
        if len(cover.pages) == cover_pages:
            return cover
        cover_pages = len(cover.pages)
    raise FormgenError("formgen: the cover's page count did not settle (a formgen bug; the document PDFs are fine)")


def _single_writer(
    reader: "PdfReader", title: str, prefix: str, exhibits: dict[str, str], names: _Names, deal_name: str, final: bool
) -> "PdfWriter":
    """One file's own PDF: its outline, metadata, page labels and (unless ``final``) watermark."""
    w = PdfWriter()
    w.append(reader, import_outline=False)
    outline_children(reader, reader.outline, 0, w, None, exhibits)
    _metadata(w, title=title, subject=f"{deal_name}: {names.subject}", keywords=names.keywords)
    if reader.outline:
        w.page_mode = "/UseOutlines"
    w.set_page_label(0, len(w.pages) - 1, style="/D", prefix=f"{prefix}-", start=1)
    if not final:
        add_watermark(w)
    return w


def _document_writer(doc, reader: "PdfReader", names: _Names, deal_name: str, final: bool) -> "PdfWriter":
    return _single_writer(
        reader, names.labels[doc.spec.name], names.prefixes[doc.spec.name], exhibit_titles(doc), names, deal_name, final
    )


def _closing_pages(closing: "list[tuple[ClosingFile, PdfReader]]") -> list[int]:
    """The first page of each closing file within the Closing section (its labels run on: CLOSING-1, ...)."""
    starts, page = [], 1
    for _, reader in closing:
        starts.append(page)
        page += len(reader.pages)
    return starts


def _packet_writer(
    packet: "Packet",
    cover: "PdfReader",
    readers: list["PdfReader"],
    closing: "list[tuple[ClosingFile, PdfReader]]",
    names: _Names,
    final: bool,
) -> "PdfWriter":

    w = PdfWriter()
    w.append(cover, import_outline=False)
    cover_pages = len(w.pages)
    starts: list[int] = []
    for reader in readers:
        starts.append(len(w.pages))
        w.append(reader, import_outline=False)
    for doc, reader, start in zip(packet.documents, readers, starts):
        parent = w.add_outline_item(names.labels[doc.spec.name], start, is_open=False)
        outline_children(reader, reader.outline, start, w, parent, exhibit_titles(doc))
    w.set_page_label(0, cover_pages - 1, style="/r", start=1)
    for doc, reader, start in zip(packet.documents, readers, starts):
        w.set_page_label(
            start, start + len(reader.pages) - 1, style="/D", prefix=f"{names.prefixes[doc.spec.name]}-", start=1
        )
    if closing:
        first = len(w.pages)
        for _, reader in closing:
            w.append(reader, import_outline=False)
        section = w.add_outline_item(CLOSING_SECTION, first, is_open=False)
        for (file, _), offset in zip(closing, _closing_pages(closing)):
            w.add_outline_item(file.label, first + offset - 1, parent=section)
        w.set_page_label(first, len(w.pages) - 1, style="/D", prefix=f"{CLOSING_PREFIX}-", start=1)
    _metadata(w, title=f"{packet.deal.deal.name}: Formation Packet", subject=names.subject, keywords=names.keywords)
    w.page_mode = "/UseOutlines"
    if not final:
        add_watermark(w)
    return w


def write_pdfs(
    packet: "Packet", folder: str | Path, *, final: bool = False, timeout: float | None = None, from_disk: bool = False
) -> list[Path]:
    """Write folder/<document>.pdf for every packet document, folder/closing/<file>.pdf for every
    Word file of the closing set (the signature packets among them) and folder/packet.pdf.

    ``from_disk``: each document is converted from the .docx of its name in ``folder`` (the
    lawyer's merged or hand-edited copy, the executed agreement), never from a fresh build;
    otherwise from the packet's own .docx bytes. ``packet`` gives the names, order and labels.
    Returns the paths written: the document PDFs in packet order, the closing PDFs, then packet.pdf.
    Without LibreOffice: ToolMissingError (exit 1) before anything is written. ``timeout``:
    seconds per document (persistent converter) or for the whole call (one-call fallback).
    """
    folder = Path(folder)
    soffice = soffice_path(docx_note="The .docx files were written; no PDF was made. ")
    names = _names(packet, final)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="formgen-pdf-") as tmp:
        work = Path(tmp)
        inputs = write_documents(packet, work / "docx", folder if from_disk else None)
        pdfs = convert_documents(inputs, work / "pdf", timeout=timeout, soffice=soffice)
        readers = [_read_pdf(p, doc.spec.filename) for p, doc in zip(pdfs, packet.documents)]
        files = closing_files(packet)
        closing_docx = write_closing_documents(packet, files, work / "closing", folder if from_disk else None)
        closing_pdfs = convert_documents(closing_docx, work / "closing-pdf", timeout=timeout, soffice=soffice)
        closing = [(file, _read_pdf(p, file.filename)) for file, p in zip(files, closing_pdfs)]
        cover = _cover(packet, names, readers, closing, work, final, timeout, soffice)
        deal_name = packet.deal.deal.name
        outputs = [
            (_document_writer(doc, reader, names, deal_name, final), folder / f"{doc.spec.name}.pdf")
            for doc, reader in zip(packet.documents, readers)
        ]
        outputs += [
            (
                _single_writer(reader, file.label, CLOSING_PREFIX, {}, names, deal_name, final),
                folder / f"{file.filename.removesuffix('.docx')}.pdf",
            )
            for file, reader in closing
        ]
        outputs.append((_packet_writer(packet, cover, readers, closing, names, final), folder / PACKET_PDF))
        for writer, target in outputs:  # written only once everything is built
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(writer, target)
    return [target for _, target in outputs]
