"""One packet folder on disk: its manifest (read as untrusted input), its lock, its atomic rewrite.

Every command that writes a packet folder (generate, regenerate, mark-executed, batch for each
deal, the web intake through them) holds the folder's lock from the moment it reads what is there
until the new folder is swapped in, so two commands on one packet never lose each other's
records. The lock is an ``flock`` on ``.<folder name>.lock`` beside the folder (the folder itself
is swapped out by each write, so it cannot carry the lock), deleted when released; it ends with
the process, even a killed one (which leaves the empty file for the next writer to reuse). A second writer waits, told after a second that it is waiting, and gives up with a
message after ``LOCK_TIMEOUT`` seconds.

Packets travel (e-mail, a shared drive, the web intake's upload), so ``manifest.json`` is
validated on every read: its size and item counts are bounded, every path it names is relative,
normalized and inside the folder (executed copies only under ``.formgen/executed/``), and files
are read only when no part of their path is a symbolic link.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from ..errors import FormgenError, InputError, Problem
from .atomic import staged_folder, write_file
from ..word.signature_packets import ESign
from .manifest import EXECUTED_DIR, MANIFEST

LOCK_TIMEOUT = 600.0  # seconds a writer waits for another before giving up
WAIT_NOTICE = 1.0  # seconds before a waiting writer is told why
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_ITEMS = 2000  # documents, outputs, amendments: far above any real packet
AMENDMENT_DIR = "amendments"
CLOSING_DIR = "closing"  # the closing set (formgen/word/closing_folder.py)


class PacketBusyError(FormgenError):
    """Another formgen command held the packet's lock for longer than a writer waits."""


# ------------------------------------------------------------------ paths a manifest may name


def _relative(value: str) -> str:
    """A path inside the packet: relative, already normalized, no '..', no backslash or NUL."""
    posix = PurePosixPath(value)
    if (
        not value
        or "\\" in value
        or "\0" in value
        or posix.is_absolute()
        or ".." in posix.parts
        or str(posix) != value
        or value.startswith("./")
    ):
        raise ValueError(f"{value!r} is not a relative path inside the packet folder")
    return value


def _plain_name(value: str) -> str:
    """A file directly in the packet folder (documents, PDFs, the JSON records)."""
    _relative(value)
    if "/" in value or value.startswith("."):
        raise ValueError(f"{value!r} is not a file name of the packet folder")
    return value


def _output_name(value: str) -> str:
    """A file formgen writes: one directly in the packet folder, or one of the closing set (closing/<name>)."""
    folder, _, name = value.rpartition("/")
    if folder == CLOSING_DIR:
        _plain_name(name)
        return value
    return _plain_name(value)


def _executed_copy(value: str) -> str:
    _relative(value)
    if not value.startswith(EXECUTED_DIR + "/"):
        raise ValueError(f"{value!r} is not under {EXECUTED_DIR}/, where formgen keeps signed copies")
    return value


def _amendment_file(value: str) -> str:
    _relative(value)
    if not value.startswith(AMENDMENT_DIR + "/"):
        raise ValueError(f"{value!r} is not under {AMENDMENT_DIR}/")
    return value


RelativePath = Annotated[str, AfterValidator(_relative)]
FileName = Annotated[str, AfterValidator(_plain_name)]
OutputName = Annotated[str, AfterValidator(_output_name)]
ExecutedCopy = Annotated[str, AfterValidator(_executed_copy)]
AmendmentFile = Annotated[str, AfterValidator(_amendment_file)]


class _Open(BaseModel):
    """Fields formgen does not act on pass through unchanged (newer manifests may add some)."""

    model_config = ConfigDict(extra="allow")


class DealRecord(_Open):
    path: str = Field(max_length=4096)  # the deal may live anywhere: it is only read, never written
    sha256: str = Field(default="", max_length=64)
    validated: dict[str, Any] = Field(default_factory=dict)


class DocumentRecord(_Open):
    file: FileName
    base: RelativePath | None = None
    clauses: list[str] = Field(default_factory=list, max_length=MAX_ITEMS)


class AmendmentRecord(_Open):
    number: int = Field(ge=1, le=MAX_ITEMS)
    file: AmendmentFile
    consents: AmendmentFile | None = None


class ExecutedRecord(_Open):
    document: str = Field(max_length=200)
    file: OutputName  # a packet document, or a closing document (closing/<name>)
    date: str = Field(max_length=40)
    sha256: str = Field(max_length=64)
    signed_copy: ExecutedCopy
    conformed: FileName | None = None
    amendments: list[AmendmentRecord] = Field(default_factory=list, max_length=MAX_ITEMS)


class ClosingItemRecord(_Open):
    """One item of the signing order: a document, a closing document, a condition or a deliverable."""

    step: int = Field(ge=1, le=MAX_ITEMS)
    name: str = Field(max_length=200)
    title: str = Field(max_length=2000)
    kind: str = Field(max_length=40)
    file: OutputName | None = None
    signers: list[Annotated[str, Field(max_length=400)]] = Field(default_factory=list, max_length=MAX_ITEMS)


class ChecklistBlock(BaseModel):
    """A block of the closing checklist as the manifest keeps it (mark-executed redraws it): text,
    a subheading or a table, nothing else."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["para", "subheading", "table"]
    text: str = Field(default="", max_length=20000)
    caption: str = Field(default="", max_length=400)
    header: list[Annotated[str, Field(max_length=400)]] = Field(default_factory=list, max_length=20)
    rows: list[list[Annotated[str, Field(max_length=20000)]]] = Field(default_factory=list, max_length=MAX_ITEMS)


class ChecklistRecord(_Open):
    file: OutputName
    title: str = Field(max_length=400)
    subtitle: str = Field(max_length=400)
    header: str = Field(max_length=2000)
    blocks: list[ChecklistBlock] = Field(max_length=MAX_ITEMS)


class ClosingRecord(_Open):
    """The closing set: its signing order, the signature packets by signer, the checklist's blocks."""

    esign: ESign = "none"
    items: list[ClosingItemRecord] = Field(max_length=MAX_ITEMS)
    signature_packets: dict[Annotated[str, Field(max_length=400)], OutputName] = Field(max_length=MAX_ITEMS)
    checklist: ChecklistRecord


class StateRecord(_Open):
    code: str = Field(max_length=8)


class Manifest(_Open):
    """manifest.json as formgen writes it; what formgen reads from it is checked here."""

    deal: DealRecord
    state: StateRecord | None = None
    outputs: dict[OutputName, str] = Field(max_length=MAX_ITEMS)
    documents: dict[str, DocumentRecord] = Field(default_factory=dict, max_length=MAX_ITEMS)
    executed: dict[str, ExecutedRecord] = Field(default_factory=dict, max_length=MAX_ITEMS)
    inputs: dict[str, Any] = Field(default_factory=dict)
    closing: ClosingRecord | None = None


def _field_path(loc: tuple[str | int, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# ------------------------------------------------------------------ the lock


_held = threading.local()  # folders whose lock this thread holds, so a writer may nest its steps


def _lock_name(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.lock"


class PacketFolder:
    """A packet folder: ``with folder.locked(): manifest = folder.manifest(); ... folder.rewrite(...)``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"PacketFolder({str(self.path)!r})"

    # -------------------------------------------------------------- lock

    @contextmanager
    def locked(self, *, on_wait: Callable[[str], None] | None = None, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
        """Hold this folder's writer lock (see the module docstring); re-entrant in one thread."""
        key = str(self.path.absolute())
        held = getattr(_held, "folders", None)
        if held is None:
            held = _held.folders = set()
        if key in held:
            yield
            return
        lock_path = _lock_name(self.path.absolute())
        fd = self._acquire(lock_path, on_wait, timeout)
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
            try:
                os.unlink(lock_path)  # still held: a waiter that opened it sees it gone and retries
            except OSError:
                pass
            os.close(fd)  # releases the lock

    def _acquire(self, lock_path: Path, on_wait: Callable[[str], None] | None, timeout: float) -> int:
        """An open descriptor of the lock file, locked; the file is the one at ``lock_path`` now
        (a holder deletes it on release, so a lock won on a deleted file is tried again)."""
        started = time.monotonic()
        told = False
        while True:
            try:
                lock_path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            except OSError as exc:
                raise self._write_error(exc, "its lock file cannot be created: ") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
            else:
                try:
                    if os.stat(lock_path, follow_symlinks=False).st_ino == os.fstat(fd).st_ino:
                        return fd
                except FileNotFoundError:
                    pass
                os.close(fd)
                continue
            waited = time.monotonic() - started
            if waited >= timeout:
                raise PacketBusyError(
                    f"another formgen command has been writing {self.path} for "
                    f"{int(waited)} seconds; nothing was changed. Try again when it ends."
                )
            if not told and waited >= WAIT_NOTICE and on_wait is not None:
                on_wait(f"waiting for another formgen command to finish writing {self.path} ...")
                told = True
            time.sleep(0.05)

    # -------------------------------------------------------------- reading

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    def is_packet(self) -> bool:
        return self.manifest_path.is_file() and not self.manifest_path.is_symlink()

    def require_packet(self) -> None:
        if not self.path.is_dir():
            raise InputError(
                [
                    Problem(
                        str(self.path), "", "does not exist; build the packet first with `formgen generate DEAL -o OUT`"
                    )
                ]
            )
        if not self.is_packet():
            raise InputError(
                [
                    Problem(
                        str(self.path),
                        "",
                        f"has no {MANIFEST}: it is not a packet written by "
                        "formgen (build it with `formgen generate DEAL -o OUT`)",
                    )
                ]
            )

    def manifest(self) -> dict[str, Any]:
        """The validated manifest (as a dict, the shape formgen wrote); raises InputError naming
        the field when it is malformed, too large, or names a path outside the folder."""
        self.require_packet()
        path = self.manifest_path
        try:
            with open(path, "rb") as fh:
                raw = fh.read(MAX_MANIFEST_BYTES + 1)
        except OSError as exc:
            raise InputError([Problem(str(path), "", f"cannot be read ({exc.strerror or exc})")]) from None
        if len(raw) > MAX_MANIFEST_BYTES:
            raise InputError(
                [
                    Problem(
                        str(path),
                        "",
                        f"is larger than {MAX_MANIFEST_BYTES // 2**20} MB: not a "
                        "manifest formgen wrote; rebuild the packet with `formgen generate`",
                    )
                ]
            )
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:  # ValueError covers over-long integers too
            raise InputError(
                [Problem(str(path), "", f"is not valid JSON ({exc}); rebuild the packet with `formgen generate`")]
            ) from None
        if not isinstance(data, dict):
            raise InputError([Problem(str(path), "", "is not a formgen manifest (not a JSON object)")])
        try:
            Manifest.model_validate(data)
        except ValidationError as exc:
            problems = [
                Problem(str(path), _field_path(err["loc"]), err["msg"].removeprefix("Value error, "))
                for err in exc.errors()[:10]
            ]
            raise InputError(problems) from None
        return data

    def file(self, rel: str) -> Path:
        """``rel`` inside the folder; refused when a part of it is a symbolic link (or it escapes)."""
        _relative(rel)
        current = self.path
        for part in PurePosixPath(rel).parts:
            current = current / part
            if current.is_symlink():
                raise InputError(
                    [
                        Problem(
                            str(self.manifest_path),
                            rel,
                            "passes through a symbolic link; "
                            "formgen reads and writes only files inside the packet folder",
                        )
                    ]
                )
        return current

    def read(self, rel: str) -> bytes | None:
        """The bytes of a regular file inside the folder, or None when it is not there."""
        path = self.file(rel)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    # -------------------------------------------------------------- writing

    @contextmanager
    def staged(self) -> Iterator[Path]:
        """An empty staging folder that replaces this folder atomically on success; a failed
        write (disk full, read-only folder) leaves the packet as it was and says so."""
        try:
            with staged_folder(self.path) as stage:
                yield stage
        except OSError as exc:
            raise self._write_error(exc) from None

    def rewrite(
        self,
        writes: dict[str, bytes],
        drop: frozenset[str] | set[str] = frozenset(),
        drop_dirs: tuple[str, ...] = (),
        copies: dict[str, str] | None = None,
    ) -> None:
        """Swap in a copy of the folder with ``writes`` written and ``drop`` (and ``drop_dirs``)
        left out; ``copies``: existing file -> a second name it is also kept under."""
        for rel in writes:
            _relative(rel)
        with self.staged() as stage:
            for rel in walk(self.path):
                if rel in writes or rel in drop or rel.split("/", 1)[0] in drop_dirs:
                    continue
                carry(self.path / rel, stage / rel)
            for name, copy_name in (copies or {}).items():
                carry(self.path / name, stage / copy_name)
            for rel, data in writes.items():
                write_file(stage / rel, data)

    def _write_error(self, exc: OSError, what: str = "") -> FormgenError:
        reason = exc.strerror or str(exc)  # "No space left on device", "Read-only file system", ...
        if exc.errno in (errno.EACCES, errno.EPERM):
            reason += " (the folder is not writable by you)"
        where = f" ({exc.filename})" if exc.filename else ""
        state = "the packet is unchanged" if self.path.exists() else "nothing was written"
        return FormgenError(f"cannot write the packet to {self.path}: {what}{reason}{where}; {state}")


def walk(root: Path) -> list[str]:
    """Every file (and symlink) under ``root``, as POSIX paths relative to it."""
    out = []
    for base, dirs, files in os.walk(root):
        rel = Path(base).relative_to(root)
        for name in files + [d for d in dirs if (Path(base) / d).is_symlink()]:
            out.append((rel / name).as_posix())
    return sorted(out)


def carry(src: Path, dst: Path) -> None:
    """Put ``src`` at ``dst`` unchanged: a hard link (same bytes, same mtime), else copy2."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
