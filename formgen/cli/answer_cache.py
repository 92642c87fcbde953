"""Reuse the answer of a plain ``formgen validate DEAL`` (and ``explain DEAL``, ``schema``,
``states [CODE]``, whose output is a function of their inputs) when nothing it depends on has
changed.

Like ruff's or mypy's caches: the key is a digest of every input of the answer, read in full each
time: the command's words, the deal file's bytes and the path as typed (it is printed), formgen's own code, the clause
library, the state rules and the templates in use (``FORMGEN_*`` folders included), the Python
version and the interpreter, and the installed packages (a site-packages folder's timestamp
changes with every install, upgrade or removal). A changed byte in any of them is a new key; a
hit answers in tens of milliseconds without importing pydantic or jinja.

Only successful plain answers are kept (errors and options go to the typer app, which computes
afresh), in ``<command>/`` of formgen's cache folder (``library.paths.cache_dir``), private to the
user. ``FORMGEN_NO_CACHE=1`` turns reuse off. The cache never fails a command: an unreadable or
unwritable folder only means no reuse.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from pathlib import Path

from ..library.identity import code_fingerprint
from ..library.paths import cache_dir

NO_CACHE_ENV = "FORMGEN_NO_CACHE"
MAX_ANSWERS = 256  # oldest answers beyond this are removed on write
KEY_VERSION = b"formgen answer 3"


def answers_dir(command: str) -> Path | None:
    if os.environ.get(NO_CACHE_ENV, "") not in ("", "0"):
        return None
    base = cache_dir()
    return None if base is None else base / command


def answer_key(args: list[str], library, deal: Path | None = None) -> str | None:
    """The digest of everything ``formgen ARGS`` depends on (``deal``: the deal file it reads);
    None when an input cannot be read (the command itself then reports it)."""
    digest = hashlib.blake2b(KEY_VERSION, digest_size=20)
    try:
        digest.update("\0".join(args).encode() + f"\0{sys.version}\0{sys.executable}\0".encode())
        if deal is not None:
            if not stat.S_ISREG(deal.stat().st_mode):  # a pipe read here would be empty for the command
                return None
            digest.update(deal.read_bytes())
        for folder in sys.path:
            if folder.endswith(("site-packages", "dist-packages")) and os.path.isdir(folder):
                digest.update(f"{folder}\0{os.stat(folder).st_mtime_ns}\0".encode())
        digest.update(code_fingerprint().encode())  # formgen's code (computed once per process)
        for part, folder in library.folders.items():
            digest.update(f"\0{part}:{folder.resolve()}\0".encode())
        digest.update(library.fingerprint.encode())  # the library's every file (shared with its warm cache)
    except OSError:
        return None
    return digest.hexdigest()


class AnswerCache:
    """The stored answer for one key."""

    def __init__(self, folder: Path, key: str):
        self.path = folder / f"{key}.txt"

    @classmethod
    def for_command(cls, args: list[str], library, deal: Path | None = None) -> "AnswerCache | None":
        folder = answers_dir(args[0])
        key = answer_key(args, library, deal) if folder else None
        return cls(folder, key) if folder and key else None

    def load(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def store(self, answer: str) -> None:
        folder = self.path.parent
        partial = folder / f".{self.path.name}.{os.getpid()}"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # answers name deals and parties
            partial.write_text(answer, encoding="utf-8")
            os.replace(partial, self.path)  # readers see the whole answer or none
            _prune(folder)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    answers = sorted(folder.glob("*.txt"), key=lambda p: p.stat().st_mtime)
    for old in answers[:-MAX_ANSWERS]:
        old.unlink(missing_ok=True)
