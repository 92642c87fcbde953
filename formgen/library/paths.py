"""Where the clause library, the state rules and the Word templates are found.

Shipped copies live inside the installed package (``formgen/library/{clauses,states,templates}``
in a wheel, mapped from the repository's top-level ``clauses/``, ``state_overrides/`` and
``templates/``). A firm points formgen at its own copies with ``FORMGEN_LIBRARY`` (one folder
holding all three) or one folder each (``FORMGEN_CLAUSES``, ``FORMGEN_STATES``,
``FORMGEN_TEMPLATES``; the CLI's ``--clauses/--states/--templates`` set these, so worker
processes inherit them).
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

LIBRARY_ENV = "FORMGEN_LIBRARY"
PART_ENV = {"clauses": "FORMGEN_CLAUSES", "states": "FORMGEN_STATES", "templates": "FORMGEN_TEMPLATES",
            "examples": "FORMGEN_EXAMPLES"}
# Folder names inside a source checkout (and accepted inside a FORMGEN_LIBRARY folder).
CHECKOUT_NAMES = {"clauses": "clauses", "states": "state_overrides", "templates": "templates", "examples": "examples"}


def shipped_dir(part: str) -> Path:
    """The copy shipped with formgen: inside the installed package, or the checkout's own folder
    when formgen runs from a source tree (an editable install)."""
    installed = Path(str(files(__package__) / part))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / CHECKOUT_NAMES[part]


def library_dir(part: str) -> Path:
    """The folder in use for ``part`` (clauses, states or templates)."""
    own = os.environ.get(PART_ENV[part])
    if own:
        return Path(own)
    library = os.environ.get(LIBRARY_ENV)
    if library:
        for name in (part, CHECKOUT_NAMES[part]):
            if (Path(library) / name).is_dir():
                return Path(library) / name
        return Path(library) / part  # missing: the loader names it in its error
    return shipped_dir(part)


def clause_dir() -> Path:
    return library_dir("clauses")


def state_dir() -> Path:
    return library_dir("states")


def template_dir() -> Path:
    return library_dir("templates")


def use_library(*, library: Path | None = None, clauses: Path | None = None, states: Path | None = None,
                templates: Path | None = None) -> None:
    """Point this process (and the workers it starts) at other library folders."""
    if library is not None:
        os.environ[LIBRARY_ENV] = str(Path(library).resolve())
    for part, folder in (("clauses", clauses), ("states", states), ("templates", templates)):
        if folder is not None:
            os.environ[PART_ENV[part]] = str(Path(folder).resolve())


CACHE_ENV = "FORMGEN_CACHE_DIR"


def cache_dir() -> Path | None:
    """formgen's own cache folder (``FORMGEN_CACHE_DIR``, else $XDG_CACHE_HOME/formgen, else
    ~/.cache/formgen); None without a home."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "formgen"
    except (RuntimeError, KeyError):  # no home folder
        return None
