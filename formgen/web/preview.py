"""Document previews for the browser: page images of one document of the packet, made by a
LibreOffice the server keeps running and kept by the document's content hash.

``WarmConverters`` starts the persistent converters (pdf/persistent.py) when the server starts
and checks on them every few seconds, starting a new one when one has died, so that a preview
never waits for LibreOffice to start. ``preview_pages`` converts only the requested document and
keeps its PNG pages in a folder named by the hash of its bytes: the same document is shown again
without converting, an edited or regenerated one is converted afresh.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import threading
from pathlib import Path

from ..errors import FormgenError
from ..pdf.persistent import convert_documents, converter_count, converters, shutdown
from ..word.ooxml import docx_text
from .packetfiles import external_content

PREVIEW_TIMEOUT = 60  # seconds for one document's conversion
PREVIEW_DPI = "70"
PREVIEW_MAX_PAGES = "60"
CHECK_EVERY = 5.0  # seconds between two checks that the converters still run
_MAKING = threading.Lock()  # one preview made at a time (one LibreOffice converts one document at a time anyway)


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
    """Where the page images of ``docx`` as it is now are kept (``work/<stem>-<hash>/``)."""
    return work / f"{docx.stem}-{document_hash(docx)}"


def cached_pages(docx: Path, work: Path) -> list[Path]:
    return sorted(pages_folder(docx, work).glob("page-*.png"))


def preview_pages(docx: Path, work: Path) -> list[Path] | str:
    """PNG pages of a document (the warm LibreOffice, then pdftoppm), or its text when LibreOffice
    is absent, fails, or the document links to content outside itself."""
    if external_content(docx.read_bytes()):
        return text_preview(docx)  # never let LibreOffice fetch what the document links to
    folder = pages_folder(docx, work)
    pngs = sorted(folder.glob("page-*.png"))
    if pngs:
        return pngs
    if shutil.which("pdftoppm") is None:
        return text_preview(docx)
    with _MAKING:
        return _made_pages(docx, work, folder)


def _made_pages(docx: Path, work: Path, folder: Path) -> list[Path] | str:
    pngs = sorted(folder.glob("page-*.png"))
    if pngs:  # made while this request waited
        return pngs
    making = work / f".{folder.name}.partial"
    shutil.rmtree(making, ignore_errors=True)
    making.mkdir(parents=True)
    try:
        [pdf] = convert_documents([docx], making, timeout=PREVIEW_TIMEOUT)
        subprocess.run(["pdftoppm", "-png", "-r", PREVIEW_DPI, "-l", PREVIEW_MAX_PAGES, str(pdf), str(making / "page")],
                       check=True, capture_output=True, timeout=PREVIEW_TIMEOUT)
        pdf.unlink()
        for old in work.glob(f"{docx.stem}-*"):  # earlier versions of this document
            if old.is_dir() and len(old.name) == len(folder.name):
                shutil.rmtree(old, ignore_errors=True)
        making.rename(folder)  # whole, or not at all
    except (FormgenError, subprocess.SubprocessError, OSError, ValueError):
        shutil.rmtree(making, ignore_errors=True)
        return text_preview(docx)
    return sorted(folder.glob("page-*.png"))


def text_preview(docx: Path) -> str:
    return docx_text(docx.read_bytes())
