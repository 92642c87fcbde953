"""What the command line takes from the environment: which library to draft from.

The CLI is one of the two places (with the web app) that read environment variables; everything
below it is handed a ``Library``. Options win over variables: ``--library`` / ``FORMGEN_LIBRARY``
(one folder holding clauses/, states/ or state_overrides/, and templates/), and one folder each
with ``--clauses`` / ``FORMGEN_CLAUSES``, ``--states`` / ``FORMGEN_STATES``, ``--templates`` /
``FORMGEN_TEMPLATES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

LIBRARY_ENV = "FORMGEN_LIBRARY"
PART_ENV = {"clauses": "FORMGEN_CLAUSES", "states": "FORMGEN_STATES", "templates": "FORMGEN_TEMPLATES"}


def library_from(
    env: Mapping[str, str],
    *,
    library: Path | None = None,
    clauses: Path | None = None,
    states: Path | None = None,
    templates: Path | None = None,
):
    """The ``Library`` a command drafts from: options, then the variables, then the shipped copy."""
    from ..inputs.library import Library  # lazy: the answer cache is keyed before the library's modules load

    def given(option: Path | None, variable: str) -> Path | None:
        return option if option is not None else (Path(env[variable]) if env.get(variable) else None)

    root = given(library, LIBRARY_ENV)
    parts = {
        part: given(option, PART_ENV[part])
        for part, option in (("clauses", clauses), ("states", states), ("templates", templates))
    }
    if root is None and not any(parts.values()):
        return Library.shipped()
    return Library.at(root, **parts)
