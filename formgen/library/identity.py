"""formgen's own identity for the caches: a digest of every file of the installed package (its code,
and the data it ships besides the library), so that anything kept on disk by one version of
formgen is never read by another. The shipped library's folders are left out: a cache keyed on a
library adds that library's own fingerprint (``Library.fingerprint``), whichever copy is in use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection
from functools import cache
from pathlib import Path
from typing import Protocol

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# The library shipped inside an installed wheel (formgen/library/<part>); keyed by the library.
SHIPPED_PARTS = {PACKAGE_DIR / "library" / part for part in ("clauses", "states", "templates", "examples")}


class Digest(Protocol):
    """What hashlib's hash objects offer that digest_tree uses."""

    def update(self, data: bytes, /) -> None: ...


def digest_tree(digest: Digest, root: Path, skip: Collection[Path] = ()) -> None:
    """Every file under ``root`` (bytecode caches and the ``skip`` folders aside), by relative path
    and full content, into ``digest``."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__" and Path(folder, d) not in skip)
        for name in sorted(names):
            path = Path(folder, name)
            data = path.read_bytes()
            digest.update(f"{path.relative_to(root).as_posix()}\0{len(data)}\0".encode())
            digest.update(data)


@cache  # the installed code does not change while a process runs
def code_fingerprint() -> str:
    """A digest of formgen's installed files (the shipped library aside); raises OSError when one
    cannot be read."""
    digest = hashlib.blake2b(b"formgen code 1", digest_size=20)
    digest_tree(digest, PACKAGE_DIR, SHIPPED_PARTS)
    return digest.hexdigest()
