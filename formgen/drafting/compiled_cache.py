"""Compiled jinja templates kept on disk between runs, as Python keeps bytecode in __pycache__.

A packet compiles about two hundred clause bodies; compiling is most of what a cold
`formgen validate` or a first web preview costs, and the result depends only on the source text,
the environment's options and the jinja and Python versions, which make up the cache key. Entries
are written atomically in the user's own cache folder; any failure to read or write one just
means compiling as usual.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

import jinja2

from ..library.paths import cache_dir


@lru_cache(maxsize=1)
def _folder() -> Path | None:
    base = cache_dir()
    return None if base is None else base / f"jinja-{sys.implementation.cache_tag}-{jinja2.__version__}"


def _path(signature: str, source: str) -> Path | None:
    folder = _folder()
    if folder is None:
        return None
    digest = hashlib.sha256(f"{signature}\0{source}".encode()).hexdigest()
    return folder / digest[:2] / f"{digest[2:]}.code"


def load(signature: str, source: str):
    """The compiled code of ``source`` from an earlier run, or None."""
    path = _path(signature, source)
    try:
        return marshal.loads(path.read_bytes()) if path is not None else None
    except (OSError, ValueError, EOFError, TypeError):
        return None


def store(signature: str, source: str, code) -> None:
    path = _path(signature, source)
    if path is None:
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(handle, "wb") as out:
            out.write(marshal.dumps(code))
        os.replace(temporary, path)
    except OSError:
        pass
