"""Atomic packet output: build in a temporary folder beside the target, then swap it in.

A crash (even SIGKILL) at any point leaves either the previous packet or the new one in
place, never a mix: on Linux the two folders are exchanged in one renameat2 call.
"""

from __future__ import annotations

import ctypes
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_RENAME_EXCHANGE = 2
# Staging and retired folders are named ".<target>.new-<pid>-<random>" / ".<target>.old-<pid>-<random>".
_STAGE_KINDS = ("new", "old")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's included (no ldconfig run)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's) or cannot tell: leave its folder alone
    return True


def remove_stale_stages(target: Path) -> list[Path]:
    """Delete staging folders that a killed run left beside ``target`` (their process is gone).

    A run killed while writing leaves ``.<name>.new-<pid>-*`` (a half-written packet, never
    in place of the packet) or, after the swap, the previous packet it was deleting. Folders
    of a run that is still alive are kept, so two runs into one folder do not hurt each other.
    """
    removed = []
    for kind in _STAGE_KINDS:
        for path in target.parent.glob(f".{glob.escape(target.name)}.{kind}-*"):
            pid_text = path.name.rsplit(f".{kind}-", 1)[1].split("-", 1)[0]
            if not pid_text.isdigit() or not path.is_dir() or path.is_symlink():
                continue
            pid = int(pid_text)
            if pid == os.getpid() or _pid_alive(pid):
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _chmod_like_mkdir(path: Path) -> None:
    """mkdtemp makes a 0700 folder; the packet folder gets the mode a plain mkdir would give it."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o777 & ~umask)


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Yield an empty staging folder; on success it replaces ``target`` atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))
    try:
        _chmod_like_mkdir(stage)
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if target.exists():
        if _exchange(stage, target):
            shutil.rmtree(stage, ignore_errors=True)  # now holds the previous packet
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-{os.getpid()}-", dir=target.parent))
            old.rmdir()
            os.rename(target, old)
            os.rename(stage, target)
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(stage, target)
    remove_stale_stages(target)


def write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
