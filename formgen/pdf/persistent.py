"""The persistent converter: LibreOffice processes kept running by a formgen process and reused
for every document of a packet and every deal of ``batch --pdf``. A packet's documents are shared
between up to two of them on a machine with two cores or more (FORMGEN_PDF_CONVERTERS sets the
number; each ``batch`` worker runs one).

formgen's own Python usually cannot ``import uno``, so a small script of ours (uno_bridge.py)
runs under a Python that can (FORMGEN_UNO_PYTHON, LibreOffice's bundled python, or
/usr/bin/python3 with Debian's python3-uno), starts ``soffice --accept=pipe,...`` with its own
profile and converts one file per JSON line. Each document has a timeout; when LibreOffice
dies, hangs or the bridge fails, both process groups are killed, a fresh converter is started
and the document is tried once more. At exit (atexit, and multiprocessing's finaliser in pool
workers) the processes are closed and killed; a bridge whose formgen died sees the end of its
stdin and closes LibreOffice. Where no such Python exists, or FORMGEN_PDF_PERSISTENT=0, every
call falls back to the one-call conversion (soffice.convert_to_pdf).
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from multiprocessing import util
from pathlib import Path

from ..errors import FormgenError
from ..settings import current as current_settings
from .soffice import (
    DEFAULT_TIMEOUT,
    PER_DOCUMENT_TIMEOUT,
    child_environment,
    convert_to_pdf,
    env_timeout,
    profile_template,
    soffice_path,
    store_profile_template,
)

BRIDGE = Path(__file__).with_name("uno_bridge.py")
UNO_PYTHONS = (
    "/usr/lib/libreoffice/program/python",
    "/opt/libreoffice/program/python",
    "/Applications/LibreOffice.app/Contents/Resources/python",
    "/usr/bin/python3",
)


class ConverterDied(Exception):
    """The bridge or LibreOffice stopped answering (died, hung, or broke the protocol)."""


def uno_python() -> str | None:
    """A Python that can import uno, or None (then the one-call conversion is used)."""
    chosen = current_settings()
    return _uno_python(chosen.uno_python) if chosen.persistent_pdf else None


@lru_cache(maxsize=8)
def _uno_python(configured: str) -> str | None:
    for candidate in [configured] if configured else UNO_PYTHONS:
        exe = shutil.which(candidate)
        if not exe:
            continue
        try:
            ok = (
                subprocess.run(
                    [exe, "-c", "import uno"], capture_output=True, timeout=30, stdin=subprocess.DEVNULL
                ).returncode
                == 0
            )
        except (OSError, subprocess.SubprocessError):
            ok = False
        if ok:
            return exe
    return None


def _kill_group(pgid: int | None) -> None:
    if pgid:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass


class FirstPage:
    """Where a converter exports a document's first page alone before the whole document, and
    what to call (with the document's page count, 0 when unknown) once that page is there."""

    def __init__(self, pdf: Path, ready: Callable[[int], None]):
        self.pdf, self.ready = Path(pdf).resolve(), ready


class PersistentConverter:
    """One bridge + LibreOffice pair; ``convert`` restarts it as needed. Not thread-safe by design:
    a lock serializes callers (one LibreOffice converts one document at a time anyway)."""

    def __init__(self, python: str, soffice: Path):
        self.python, self.soffice = python, soffice
        self.proc: subprocess.Popen | None = None
        self.office_pid: int | None = None
        self.root: Path | None = None
        self.lock = threading.Lock()
        self.starts = 0  # how many LibreOffice processes were started (a restart counts)

    # -- life cycle
    def _start(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="formgen-uno-"))
        profile = self.root / "profile"
        template = profile_template(self.soffice)
        if template is not None and (template / "user" / "extensions").is_dir():
            shutil.copytree(template, profile, symlinks=True)
        pipe = f"formgen-{os.getpid()}-{self.root.name}"
        env = child_environment(self.root)
        self.proc = subprocess.Popen(
            [self.python, str(BRIDGE), str(self.soffice), profile.resolve().as_uri(), pipe],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        self.starts += 1
        ready = self._read(DEFAULT_TIMEOUT)
        if not ready.get("ready"):
            raise ConverterDied(f"LibreOffice bridge did not start: {ready}")
        self.office_pid = int(ready["pid"])
        if template is not None and not template.exists():
            store_profile_template(profile, template)

    def close(self) -> None:
        """Ask LibreOffice to quit, then kill both process groups whatever happened."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
            _kill_group(proc.pid)
            proc.wait()
            proc.stdout.close()
        _kill_group(self.office_pid)
        self.office_pid = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    @property
    def alive(self) -> bool:
        """Whether the bridge and its LibreOffice are running (not whether they still answer)."""
        if self.proc is None or self.proc.poll() is not None or self.office_pid is None:
            return False
        try:
            os.kill(self.office_pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # pragma: no cover - running, as another user
            pass
        try:  # a killed LibreOffice stays a zombie until the bridge reaps it
            return Path(f"/proc/{self.office_pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (OSError, IndexError):  # no /proc (macOS): the signal test above is all there is
            return True

    def ensure_started(self) -> bool:
        """Start LibreOffice now (closing what is left of a dead one) unless it runs; True when
        this call started it. A server calls it ahead of the first preview, and again later, so a
        converter that died is replaced before someone waits for it."""
        with self.lock:
            if self.alive:
                return False
            self.close()
            try:
                self._start()
            except (ConverterDied, OSError):
                self.close()  # the next conversion tries again, and reports it
                return False
            return True

    # -- protocol
    def _read(self, timeout: float) -> dict:
        out = self.proc.stdout
        ready, _, _ = select.select([out], [], [], timeout)
        if not ready:
            raise ConverterDied(f"no answer within {timeout:.0f} s")
        line = out.readline()
        if not line:
            raise ConverterDied("the bridge exited")
        try:
            return json.loads(line)
        except ValueError:
            raise ConverterDied(f"unreadable answer {line[:200]!r}") from None

    def _convert_one(self, src: Path, dst: Path, timeout: float, early: FirstPage | None = None) -> None:
        if self.proc is None:
            self._start()
        request = {"in": str(src), "out": str(dst)}
        if early is not None:
            request["first"] = str(early.pdf)
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            raise ConverterDied("the bridge exited") from None
        answer = self._read(timeout)
        if early is not None and answer.get("first"):
            early.ready(int(answer.get("pages") or 0))
            answer = self._read(timeout)
        if answer.get("ok") and dst.is_file() and dst.stat().st_size > 0:
            return
        # An error from LibreOffice may be a dead office (DisposedException) as well as a bad file:
        # either way the next attempt starts from a fresh process.
        raise ConverterDied(answer.get("error") or "no PDF written")

    def convert(
        self, docx_paths: Sequence[Path], out_dir: Path, timeout: float | None = None, early: FirstPage | None = None
    ) -> list[Path]:
        """out_dir/<stem>.pdf for each file, in order; one retry on a fresh LibreOffice per file.
        ``early`` (one file only): its first page is exported alone first and announced."""
        per_doc = timeout or env_timeout() or PER_DOCUMENT_TIMEOUT
        targets = []
        with self.lock:
            for src in docx_paths:
                src = Path(src).resolve()
                dst = (Path(out_dir) / f"{src.stem}.pdf").resolve()
                dst.unlink(missing_ok=True)
                for attempt in (1, 2):
                    try:
                        self._convert_one(src, dst, per_doc, early)
                        break
                    except (ConverterDied, OSError) as exc:
                        self.close()
                        if attempt == 2:
                            raise FormgenError(
                                f"formgen: LibreOffice could not convert {src.name} to PDF: {exc}"
                            ) from None
                targets.append(dst)
        return targets


_CONVERTERS: list[PersistentConverter] = []
_CONVERTERS_PID: int | None = None


def converter_count() -> int:
    """How many LibreOffice processes one formgen process may run side by side for the documents
    of a packet: FORMGEN_PDF_CONVERTERS, else one per core up to two (batch workers get one each)."""
    configured = current_settings().converters
    return configured or max(1, min(2, os.cpu_count() or 1))


def converters(count: int = 1) -> list[PersistentConverter]:
    """This process's persistent converters, ``count`` of them made on first use (a LibreOffice is
    started only when a document is given to it); [] where uno is missing."""
    global _CONVERTERS_PID
    if _CONVERTERS_PID != os.getpid():  # a forked child owns none of its parent's processes
        _CONVERTERS.clear()
        _CONVERTERS_PID = os.getpid()
    python = uno_python()
    if python is None:
        return []
    while len(_CONVERTERS) < count:
        made = PersistentConverter(python, soffice_path())
        _CONVERTERS.append(made)
        atexit.register(made.close)
        try:  # pool workers leave through multiprocessing's own exit path
            util.Finalize(made, made.close, exitpriority=10)
        except ImportError:  # pragma: no cover
            pass
    return _CONVERTERS[:count]


def shutdown() -> None:
    """Close this process's converters now (they are started again on next use)."""
    if _CONVERTERS_PID == os.getpid():
        for made in _CONVERTERS:
            made.close()


def _convert_side_by_side(
    pool: list[PersistentConverter], paths: list[Path], out_dir: Path, timeout: float | None
) -> list[Path]:
    """Each converter takes the next document as it finishes one (a long agreement does not hold
    up the short ones); the PDFs come back in the order given. The first error is raised once
    every converter has stopped."""
    queue, taken, results = list(enumerate(paths)), threading.Lock(), [Path()] * len(paths)

    def work(conv: PersistentConverter) -> None:
        while True:
            with taken:
                if not queue:
                    return
                index, path = queue.pop(0)
            results[index] = conv.convert([path], out_dir, timeout=timeout)[0]

    with ThreadPoolExecutor(len(pool)) as threads:
        for future in [threads.submit(work, conv) for conv in pool]:
            future.result()
    return results


def convert_documents(
    docx_paths: Sequence[Path], out_dir: Path, *, timeout: float | None = None, soffice: Path | None = None
) -> list[Path]:
    """PDFs of ``docx_paths`` in ``out_dir``: the persistent converter, else one soffice call."""
    paths = [Path(p) for p in docx_paths]
    for p in paths:
        if not p.is_file():
            raise FormgenError(f"formgen: cannot convert {p} to PDF: the file does not exist")
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise FormgenError(f"formgen: cannot convert two files with the same name to one folder: {stems}")
    commented = [p for p in paths if has_comments(p)]
    if commented and len(commented) < len(paths):  # see has_comments: those go through one soffice call
        rest = [p for p in paths if p not in commented]
        done = dict(zip(rest, convert_documents(rest, out_dir, timeout=timeout, soffice=soffice)))
        done.update(zip(commented, convert_to_pdf(commented, out_dir, timeout=timeout, soffice=soffice)))
        return [done[p] for p in paths]
    pool = converters(min(converter_count(), len(paths))) if not commented else []
    if not pool:
        return convert_to_pdf(paths, out_dir, timeout=timeout, soffice=soffice)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    if len(pool) == 1:
        return pool[0].convert(paths, Path(out_dir), timeout=timeout)
    return _convert_side_by_side(pool, paths, Path(out_dir), timeout)


def convert_first_page_early(docx: Path, out_dir: Path, early: FirstPage, *, timeout: float | None = None) -> Path:
    """The PDF of one document, as ``convert_documents`` makes it; a persistent converter exports
    its first page to ``early.pdf`` and calls ``early.ready`` before the rest (a preview shows that
    page meanwhile), on a converter not busy with another document if there is one. Where the
    one-call conversion is used, there is no early page."""
    docx = Path(docx)
    pool = converters(converter_count()) if docx.is_file() and not has_comments(docx) else []
    if not pool:
        return convert_documents([docx], out_dir, timeout=timeout)[0]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    idle = next((converter for converter in pool if not converter.lock.locked()), pool[0])
    return idle.convert([docx], Path(out_dir), timeout=timeout, early=early)[0]


def has_comments(docx: Path) -> bool:
    """True for a .docx carrying Word comments (a lawyer's, or a merge's conflict notes).
    LibreOffice 7.4 without its UI files (libreoffice-writer-nogui) aborts when a document with
    comments is opened in a view, as the UNO bridge opens it: it builds the comment margin's
    windows from .ui files that package leaves out. ``soffice --convert-to`` never builds them."""
    try:
        with zipfile.ZipFile(docx) as package:
            return "word/comments.xml" in package.namelist()
    except (OSError, zipfile.BadZipFile):
        return False  # the converter names a file it cannot read
