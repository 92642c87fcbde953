"""Where the library shipped with formgen lives, and formgen's own cache folder.

Shipped copies live inside the installed package (``formgen/library/{clauses,states,templates}``
in a wheel, mapped from the repository's top-level ``clauses/``, ``state_overrides/`` and
``templates/``). Which library a command uses is decided by the CLI or the web app
(``inputs.library.Library``), never here.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from ..settings import current as current_settings

# Folder names inside a source checkout (and accepted inside a firm's library folder).
CHECKOUT_NAMES = {"clauses": "clauses", "states": "state_overrides", "templates": "templates", "examples": "examples"}


def shipped_dir(part: str) -> Path:
    """The copy shipped with formgen: inside the installed package, or the checkout's own folder
    when formgen runs from a source tree (an editable install)."""
    installed = Path(str(files(__package__) / part))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / CHECKOUT_NAMES[part]


def cache_dir() -> Path | None:
    """formgen's own cache folder (the running command's settings: FORMGEN_CACHE_DIR, else
    $XDG_CACHE_HOME/formgen, else ~/.cache/formgen); None when it has none."""
    return current_settings().cache_dir
