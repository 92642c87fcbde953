"""Document previews for the browser: page images of one document of the packet, made by a
LibreOffice the server keeps running and kept by the document's content hash.

``WarmConverters`` starts the persistent converters (pdf/persistent.py) when the server starts
and checks on them every few seconds, starting a new one when one has died, so that a preview
never waits for LibreOffice to start. ``preview_pages`` converts only the requested document and
keeps its PDF and PNG pages in a folder named by the hash of its bytes: the same document is
shown again without converting, an edited or regenerated one is converted afresh. Pages are drawn
one at a time as the browser asks for them (the page images load lazily), since drawing every
page of a long agreement up front took longer than the conversion.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import FormgenError
from ..pdf.persistent import convert_documents, converter_count, converters, shutdown
from ..word.ooxml import docx_text
from .packetfiles import external_content

PREVIEW_TIMEOUT = 60  # seconds for one document's conversion
PREVIEW_DPI = "70"
PREVIEW_MAX_PAGES = 60
PDF_NAME = "document.pdf"
CHECK_EVERY = 5.0  # seconds between two checks that the converters still run
_MAKING = threading.Lock()  # one preview made at a time (one LibreOffice converts one document at a time anyway)
_DRAWING = threading.Lock()  # one page drawn at a time


class WarmConverters:
    """Keeps this process's persistent converters running while the server runs."""

    def __init__(self, interval: float = CHECK_EVERY):
        self.interval = interval
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.restarts = 0  # converters started after the first ones (one had died)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="formgen-warm-converters", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        first = True
        while not self.stopped.is_set():
            for converter in converters(converter_count()):
                if self.stopped.is_set():
                    break
                if converter.ensure_started() and not first:
                    self.restarts += 1
            first = False
            self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        shutdown()


def document_hash(docx: Path) -> str:
    return hashlib.sha256(docx.read_bytes()).hexdigest()[:32]


def pages_folder(docx: Path, work: Path) -> Path:
    """Where the PDF and page images of ``docx`` as it is now are kept (``work/<stem>-<hash>/``)."""
    return work / f"{docx.stem}-{document_hash(docx)}"


def page_count(folder: Path) -> int:
    """Pages of the kept PDF shown (at most PREVIEW_MAX_PAGES); 0 when there is none yet."""
    try:
        return min(len(PdfReader(folder / PDF_NAME).pages), PREVIEW_MAX_PAGES)
    except (OSError, PdfReadError, ValueError):
        return 0


def preview_pages(docx: Path, work: Path) -> int | str:
    """How many pages the preview of a document shows (its PDF made by the warm LibreOffice and
    its first page drawn; the other pages are drawn when the browser asks for them), or its
    text when LibreOffice is absent, fails, or the document links to content outside itself."""
    if external_content(docx.read_bytes()):
        return text_preview(docx)  # never let LibreOffice fetch what the document links to
    if shutil.which("pdftoppm") is None:
        return text_preview(docx)
    folder = pages_folder(docx, work)
    with _MAKING:
        count = page_count(folder) or _converted(docx, work, folder)
    if not count or page_image(docx, work, 1) is None:
        return text_preview(docx)
    return count


def _converted(docx: Path, work: Path, folder: Path) -> int:
    making = work / f".{folder.name}.partial"
    shutil.rmtree(making, ignore_errors=True)
    making.mkdir(parents=True)
    try:
        [pdf] = convert_documents([docx], making, timeout=PREVIEW_TIMEOUT)
        pdf.rename(making / PDF_NAME)
        for old in work.glob(f"{docx.stem}-*"):  # earlier versions of this document
            if old.is_dir() and len(old.name) == len(folder.name):
                shutil.rmtree(old, ignore_errors=True)
        making.rename(folder)  # whole, or not at all
    except (FormgenError, OSError):
        shutil.rmtree(making, ignore_errors=True)
        return 0
    return page_count(folder)


def page_image(docx: Path, work: Path, number: int) -> Path | None:
    """The PNG of page ``number`` of the document's kept PDF, drawn on first request; None when
    there is no such page (or it cannot be drawn)."""
    folder = pages_folder(docx, work)
    if not 1 <= number <= page_count(folder):
        return None
    image = folder / f"page-{number}.png"
    if image.is_file():
        return image
    with _DRAWING:
        if not image.is_file():
            try:
                subprocess.run(
                    [
                        "pdftoppm",
                        "-png",
                        "-r",
                        PREVIEW_DPI,
                        "-f",
                        str(number),
                        "-l",
                        str(number),
                        "-singlefile",
                        str(folder / PDF_NAME),
                        str(folder / f".page-{number}"),
                    ],
                    check=True,
                    capture_output=True,
                    timeout=PREVIEW_TIMEOUT,
                )
                (folder / f".page-{number}.png").rename(image)
            except (subprocess.SubprocessError, OSError):
                return None
    return image


def text_preview(docx: Path) -> str:
    return docx_text(docx.read_bytes())
