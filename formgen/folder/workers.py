"""What a batch worker process does first: die with the batch's own process.

Kept apart from batch.py, and importing only the standard library (and formgen's settings, which
need nothing more), because a spawned worker runs
its initializer only after importing the initializer's module: the guard must be in place before
the heavy imports, so that a batch killed with SIGKILL (no chance to stop its pool) leaves no
worker writing packets within a second or two.
"""

from __future__ import annotations

import ctypes
import os
import signal
import threading
import time

from ..settings import Settings, install

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, worker_settings: Settings) -> None:
    """Pool initializer: the kernel sends SIGKILL when the parent dies (Linux), and a watchdog
    thread catches a parent that died before that was set (or a system without it). Then the
    worker runs with ``worker_settings`` (the batch's own, with one LibreOffice per worker)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the process's own symbols, libc's included (no ldconfig run)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="formgen-parent-watch").start()
    install(worker_settings)
