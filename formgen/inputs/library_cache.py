"""A library's parts as read, kept on disk between runs: the warm half of "a cold deal, a warm
library". Parsing the clause library (three hundred YAML front matters), the document specs, the
service catalogue and a state's layered rule files (validated by their pydantic models) costs a
run as much as its deal does; kept, they load in a few milliseconds, so a new or edited deal pays
only for the deal.

The key is everything the parts are made from: the library's folders and its every file
(``Library.fingerprint``), formgen's own code (``library.identity``), the Python and pydantic
versions. A changed byte anywhere is a new key; a library's old entries are pruned as new ones
are written. Entries are pickles written atomically in formgen's cache folder (private to the user,
as Python's bytecode caches are): only what this code wrote under that key is ever read back, and
any failure to read or write one just means reading the library as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pydantic

from ..library.identity import code_fingerprint
from ..library.paths import cache_dir

if TYPE_CHECKING:  # pragma: no cover
    from .library import Library

KEY_VERSION = b"formgen library 1"
FOLDER = f"library-{sys.implementation.cache_tag}"
MAX_LIBRARIES = 8  # the newest keys kept (an edited library, a firm's copy, a checkout's)


class WarmLibrary:
    """The stored parts of one library, as they were when its files had one fingerprint."""

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def of(cls, library: Library) -> WarmLibrary:
        """The store of ``library``'s parts in the running command's cache folder (one that keeps
        nothing without a cache folder, or when the library's files cannot be read: reading them
        then reports it)."""
        base = cache_dir()
        key = library.warm_key if base is not None else None
        return cls(base / FOLDER / key if base is not None and key is not None else None)

    @staticmethod
    def key_of(library: Library) -> str | None:
        """The digest of everything ``library``'s parts are made from; None when a file cannot be read."""
        digest = hashlib.blake2b(KEY_VERSION, digest_size=20)
        try:
            digest.update(f"{sys.version}\0{pydantic.VERSION}\0{code_fingerprint()}\0".encode())
            for part, folder in library.folders.items():
                digest.update(f"{part}:{folder.resolve()}\0".encode())
            digest.update(library.fingerprint.encode())
        except OSError:
            return None
        return digest.hexdigest()

    def load(self, part: str) -> Any | None:
        """The part as an earlier run read it, or None."""
        if self.folder is None:
            return None
        try:
            with open(self.folder / f"{part}.pickle", "rb") as stored:
                return pickle.load(stored)
        except Exception:  # noqa: BLE001 - missing, partial or from an older pickle: read afresh
            return None

    def store(self, part: str, value: Any) -> None:
        if self.folder is None:
            return
        partial = None
        try:
            new = not self.folder.is_dir()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle, partial = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(handle, "wb") as out:
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, self.folder / f"{part}.pickle")  # readers see the whole part or none
            if new:
                _prune(self.folder.parent)
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            if partial is not None:
                with contextlib.suppress(OSError):
                    os.unlink(partial)


def _prune(folder: Path) -> None:
    with contextlib.suppress(OSError):
        keys = sorted((p for p in folder.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
        for old in keys[:-MAX_LIBRARIES]:
            shutil.rmtree(old, ignore_errors=True)
