"""Where the library shipped with formgen lives, and formgen's own cache folder.

Shipped copies live inside the installed package (``formgen/library/{clauses,states,templates}``
in a wheel, mapped from the repository's top-level ``clauses/``, ``state_overrides/`` and
``templates/``). Which library a command uses is decided by the CLI or the web app
(``inputs.library.Library``), never here.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# Folder names inside a source checkout (and accepted inside a firm's library folder).
CHECKOUT_NAMES = {"clauses": "clauses", "states": "state_overrides", "templates": "templates", "examples": "examples"}


def shipped_dir(part: str) -> Path:
    """The copy shipped with formgen: inside the installed package, or the checkout's own folder
    when formgen runs from a source tree (an editable install)."""
    installed = Path(str(files(__package__) / part))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / CHECKOUT_NAMES[part]


CACHE_ENV = "FORMGEN_CACHE_DIR"


def cache_dir() -> Path | None:
    """formgen's own cache folder (``FORMGEN_CACHE_DIR``, else $XDG_CACHE_HOME/formgen, else
    ~/.cache/formgen); None without a home. (Read where compiled templates and converter
    profiles are kept; moving it to an explicit setting is left to the speed work, issue 31.)"""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "formgen"
    except (RuntimeError, KeyError):  # no home folder
        return None
