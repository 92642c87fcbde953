"""Document previews for the browser: page images of one document of the packet, made by a
LibreOffice the server keeps running and kept by the document's content hash.

``WarmConverters`` starts the persistent converters (pdf/persistent.py) when the server starts,
has each convert a one-line document so that Writer is loaded before anyone waits for it, and
checks on them every few seconds, starting a new one when one has died.

``PreviewMaker`` makes previews on one thread of its own, the document someone is looking at
first, the ones prepared ahead (a packet just generated) after it. The preview page is answered
at once and follows the making (``status``, long polled): LibreOffice exports the first page
alone as soon as the document is laid out, so that page is shown while the whole PDF is made,
then the pages are drawn a few at a time and appear as they are drawn. JPEG, since encoding a
page as PNG took ten times longer than drawing it. Everything is kept in a folder named by the
hash of the document's bytes: the same document is shown again at once, an edited or
regenerated one is made afresh.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..errors import FormgenError
from ..pdf.persistent import (
    FirstPage,
    convert_first_page_early,
    converter_count,
    converters,
    shutdown,
)
from ..settings import Settings, current as current_settings, using
from ..word.ooxml import docx_text
from .packetfiles import external_content

PREVIEW_TIMEOUT = 60  # seconds for one document's conversion
PREVIEW_DPI = "70"
PREVIEW_MAX_PAGES = 60
PDF_NAME = "document.pdf"
DRAW_FIRST, DRAW_CHUNK = 3, 8  # pages drawn by one pdftoppm: the next screenful first, then more at a time
CHECK_EVERY = 5.0  # seconds between two checks that the converters still run
STATUS_WAIT = 10.0  # seconds a status request waits for news before answering anyway

WARM_UP_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'wordprocessingml.document.main+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>'
    ),
    "word/document.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>formgen</w:t></w:r></w:p></w:body></w:document>"
    ),
}


class WarmConverters:
    """Keeps this process's persistent converters running, Writer loaded, while the server runs."""

    def __init__(self, interval: float = CHECK_EVERY):
        self.interval = interval
        self.stopped = threading.Event()
        self.thread: threading.Thread | None = None
        self.restarts = 0  # converters started after the first ones (one had died)
        self.warmed = threading.Event()  # set once the first converters are started and warmed up
        self.settings = current_settings()

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="formgen-warm-converters", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        first = True
        with using(self.settings):
            while not self.stopped.is_set():
                for converter in converters(converter_count()):
                    if self.stopped.is_set():
                        break
                    if converter.ensure_started():
                        self.restarts += 0 if first else 1
                        warm_up(converter)
                first = False
                self.warmed.set()
                self.stopped.wait(self.interval)

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        shutdown()


def warm_up(converter) -> None:
    """Have a converter just started convert a one-line document: its first real document then
    does not wait for Writer and the DOCX import to load (about two seconds)."""
    with tempfile.TemporaryDirectory(prefix="formgen-warm-") as tmp:
        docx = Path(tmp) / "warm-up.docx"
        with zipfile.ZipFile(docx, "w") as package:
            for name, xml in WARM_UP_PARTS.items():
                package.writestr(name, xml)
        try:
            converter.convert([docx], Path(tmp), timeout=PREVIEW_TIMEOUT)
        except FormgenError:
            pass  # the next check starts it again if it died


def document_hash(docx: Path) -> str:
    return hashlib.sha256(docx.read_bytes()).hexdigest()[:32]


def page_count(folder: Path) -> int:
    """Pages of the kept PDF shown (at most PREVIEW_MAX_PAGES); 0 when there is none yet."""
    try:
        return min(len(PdfReader(folder / PDF_NAME).pages), PREVIEW_MAX_PAGES)
    except (OSError, PdfReadError, ValueError):
        return 0


def page_image(folder: Path, number: int) -> Path:
    return folder / f"page-{number}.jpg"


def drawn_pages(folder: Path, pages: int) -> int:
    """How many pages, from the first on, have their image."""
    drawn = 0
    while drawn < pages and page_image(folder, drawn + 1).is_file():
        drawn += 1
    return drawn


def draw_pages(pdf: Path, first: int, last: int, folder: Path, number_from: int | None = None) -> None:
    """Images of pages ``first``..``last`` of ``pdf`` as folder/page-N.jpg (N counted from
    ``number_from`` when given: the first page exported alone is page 1 of its own PDF)."""
    with tempfile.TemporaryDirectory(dir=folder, prefix=".draw-") as tmp:
        subprocess.run(
            ["pdftoppm", "-jpeg", "-jpegopt", "quality=85", "-r", PREVIEW_DPI, "-f", str(first), "-l", str(last)]
            + [str(pdf), str(Path(tmp) / "p")],
            check=True,
            capture_output=True,
            timeout=PREVIEW_TIMEOUT,
        )
        for made in Path(tmp).glob("p-*.jpg"):
            number = int(made.stem.rsplit("-", 1)[1])
            made.rename(page_image(folder, number if number_from is None else number_from + number - first))


def text_preview(docx: Path) -> str:
    return docx_text(docx.read_bytes())


def can_draw(docx: Path) -> bool:
    """Whether this document's pages may be drawn here: poppler is installed, and the document
    links to nothing outside itself (LibreOffice must never fetch what it links to)."""
    return shutil.which("pdftoppm") is not None and not external_content(docx.read_bytes())


@dataclass(eq=False)
class Preview:
    """The making of one document's preview, as the page follows it."""

    docx: Path
    folder: Path
    settings: Settings
    state: str = "queued"  # queued, converting, drawing, ready, text (no pages: its text instead), gone
    pages: int = 0  # known once LibreOffice has laid the document out
    drawn: int = 0  # pages drawn, from the first on
    version: int = 0  # counts the changes, for the page's long poll
    wanted: bool = False  # someone is looking at it (else prepared ahead)
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def key(self) -> str:
        return self.folder.name

    def message(self) -> str:
        if self.state == "queued":
            return "Waiting for LibreOffice, which is converting another document…"
        if self.state == "ready":
            return f"All {self.pages} pages shown."
        if self.state == "gone":
            return "The document has changed since: showing it as it is now…"
        if self.state == "text":
            return "The pages could not be drawn: the document's text is shown instead."
        if not self.drawn:
            return "Converting the document with LibreOffice…"
        shown = "Page 1" if self.drawn == 1 else f"Pages 1–{self.drawn}"
        return f"{shown}{f' of {self.pages}' if self.pages else ''} shown; making the others…"

    def status(self) -> dict:
        return {
            "key": self.key,
            "state": self.state,
            "pages": self.pages,
            "drawn": self.drawn,
            "version": self.version,
            "message": self.message(),
        }


class PreviewMaker:
    """Makes previews one at a time on a thread of its own, the ones someone waits for first."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.previews: dict[Path, Preview] = {}
        self.queue: list[Preview] = []
        # Two workers: one makes any preview (those asked for first), the other only those asked
        # for, so a click never waits for a document being made ahead.
        self.threads: list[threading.Thread] = []
        self.stopping = False
        self.hashes: dict[tuple[Path, int, int], str] = {}

    def folder(self, docx: Path, work: Path) -> Path:
        """Where the PDF and page images of ``docx`` as it is now are kept (``work/<stem>-<hash>/``),
        the hash remembered while the file is unchanged (a page asks for it with each image)."""
        info = docx.stat()
        key = (docx, info.st_mtime_ns, info.st_size)
        with self.changed:
            known = self.hashes.get(key)
        if known is None:
            known = document_hash(docx)
            with self.changed:
                if len(self.hashes) > 1000:
                    self.hashes.clear()
                self.hashes[key] = known
        return work / f"{docx.stem}-{known}"

    # -- asked by the routes
    def show(self, docx: Path, work: Path) -> Preview:
        """The preview of ``docx`` as it is now, made first of all if it is still to make."""
        preview = self._preview(docx, work)
        with self.changed:
            if not preview.wanted:
                preview.wanted = True
                self.changed.notify_all()  # the worker for the ones asked for takes it
        return preview

    def prepare(self, documents: Iterable[Path], work: Path) -> None:
        """Make these previews ahead, after any someone waits for: the longest first, as those
        take longest."""
        for docx in sorted(documents, key=lambda p: -p.stat().st_size):
            self._preview(docx, work)

    def wait(self, preview: Preview, seen: int, timeout: float = STATUS_WAIT) -> dict:
        """The preview's status once it differs from version ``seen`` (or ``timeout`` passed)."""
        with self.changed:
            self.changed.wait_for(lambda: preview.version != seen or self.stopping, timeout)
            return preview.status()

    def idle(self, timeout: float) -> bool:
        """Wait until nothing is left to make; False when ``timeout`` passed first."""
        with self.changed:
            return self.changed.wait_for(
                lambda: not self.queue and all(p.done.is_set() for p in self.previews.values()), timeout
            )

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()
        for thread in self.threads:
            thread.join(timeout=PREVIEW_TIMEOUT)

    # -- the making
    def _preview(self, docx: Path, work: Path) -> Preview:
        folder = self.folder(docx, work)
        with self.changed:
            known = self.previews.get(folder)
            if known is not None:
                return known
        preview = Preview(docx=docx, folder=folder, settings=current_settings())
        if not can_draw(docx):  # asked again each time: poppler may be installed meanwhile
            preview.state = "text"
            preview.done.set()
            return preview
        if (kept := page_count(folder)) and drawn_pages(folder, kept) == kept:
            preview.state, preview.pages, preview.drawn = "ready", kept, kept
        with self.changed:
            if folder in self.previews:  # made by another request meanwhile
                return self.previews[folder]
            self.previews[folder] = preview
            if preview.state == "queued":
                self.queue.append(preview)
                self._start_thread()
                self.changed.notify_all()
            else:
                preview.done.set()
        return preview

    def _start_thread(self) -> None:
        if not self.threads:
            self.threads = [
                threading.Thread(target=self._run, args=(asked_only,), name="formgen-previews", daemon=True)
                for asked_only in (False, True)
            ]
            for thread in self.threads:
                thread.start()

    def _update(self, preview: Preview, **changes) -> None:
        with self.changed:
            for name, value in changes.items():
                setattr(preview, name, value)
            preview.version += 1
            self.changed.notify_all()

    def _next(self, asked_only: bool) -> Preview | None:
        return next((p for p in self.queue if p.wanted), None if asked_only or not self.queue else self.queue[0])

    def _run(self, asked_only: bool) -> None:
        while True:
            with self.changed:
                self.changed.wait_for(lambda: self._next(asked_only) or self.stopping)
                if self.stopping:
                    return
                preview = self._next(asked_only)
                self.queue.remove(preview)
            try:
                with using(preview.settings):
                    self._make(preview)
            except (FormgenError, OSError, subprocess.SubprocessError, PdfReadError):
                shutil.rmtree(preview.folder, ignore_errors=True)
                self._update(preview, state="text")
            finally:
                with self.changed:
                    preview.done.set()
                    if preview.state != "ready":  # asked again, it is tried again
                        self.previews.pop(preview.folder, None)
                    self.changed.notify_all()

    def _make(self, preview: Preview) -> None:
        folder = preview.folder
        if not preview.docx.is_file() or self.folder(preview.docx, folder.parent) != folder:
            self._update(preview, state="gone")  # regenerated since it was asked for
            return
        pages = page_count(folder)
        if not pages:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            pages = self._convert(preview)
        self._update(preview, state="drawing", pages=pages, drawn=drawn_pages(folder, pages))
        while preview.drawn < pages:
            last = min(pages, preview.drawn + (DRAW_FIRST if preview.drawn <= 1 else DRAW_CHUNK))
            draw_pages(folder / PDF_NAME, preview.drawn + 1, last, folder)
            self._update(preview, drawn=last)
        self._forget_older(preview)
        self._update(preview, state="ready")

    def _convert(self, preview: Preview) -> int:
        """The document's PDF in its folder (its first page drawn as soon as LibreOffice has
        exported it alone); its page count."""
        folder = preview.folder
        with tempfile.TemporaryDirectory(dir=folder, prefix=".convert-") as tmp:
            first = Path(tmp) / "first.pdf"

            def first_page_ready(pages: int) -> None:
                draw_pages(first, 1, 1, folder, number_from=1)
                self._update(preview, state="converting", pages=min(pages, PREVIEW_MAX_PAGES), drawn=1)

            self._update(preview, state="converting")
            pdf = convert_first_page_early(
                preview.docx, Path(tmp), FirstPage(first, first_page_ready), timeout=PREVIEW_TIMEOUT
            )
            pdf.rename(folder / PDF_NAME)
        pages = page_count(folder)
        if not pages:
            raise FormgenError(f"formgen: LibreOffice made no pages of {preview.docx.name}")
        return pages

    def _forget_older(self, preview: Preview) -> None:
        """Remove the previews of earlier versions of this document."""
        for old in preview.folder.parent.glob(f"{preview.docx.stem}-*"):
            if old != preview.folder and old.is_dir() and len(old.name) == len(preview.folder.name):
                with self.changed:
                    gone = self.previews.get(old)
                    if gone is not None and gone in self.queue:
                        continue
                    self.previews.pop(old, None)
                shutil.rmtree(old, ignore_errors=True)
