"""The library a packet is drafted from: clauses, service catalogue, state rules and Word templates.

A ``Library`` names its four folders (the document specs live beside the clauses) and reads each part once, on first use, keeping what it
read (the caches belong to the object, so one process can serve several libraries side by side).
It is passed explicitly to every stage that needs it; nothing below the CLI and the web app
decides which library is in use. ``Library.shipped()`` is the copy inside formgen; a firm's own
copy is ``Library.at(folder)`` (one folder holding ``clauses/``, ``states/`` or
``state_overrides/`` and ``templates/``) with any part given separately.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import yaml

from ..errors import InputError, Problem
from ..library.identity import digest_tree
from ..library.paths import CHECKOUT_NAMES, shipped_dir
from .typed_values import JURISDICTIONS

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Callable

    from .clauses import ClauseLibrary
    from .documents import DocumentSpec
    from .states import Policy, StateRules

CATALOG_FILE = "responsibilities.yaml"  # the service catalogue, beside the clauses
PARTS = ("clauses", "states", "templates", "examples")


@dataclass(frozen=True)
class Library:
    clauses_dir: Path
    states_dir: Path
    templates_dir: Path
    examples_dir: Path
    # what has been read, by part; not compared, not pickled (a worker process reads afresh)
    _read: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    @cache
    def shipped(cls) -> Library:
        """The library shipped inside formgen (one per process: it is part of the installed package)."""
        return cls(*(shipped_dir(part) for part in PARTS))

    @classmethod
    def at(
        cls,
        root: Path | None = None,
        *,
        clauses: Path | None = None,
        states: Path | None = None,
        templates: Path | None = None,
    ) -> Library:
        """A firm's library: ``root`` holding the parts (``clauses/``, ``states/`` or
        ``state_overrides/``, ``templates/``), any part given on its own; missing parts are the
        shipped ones."""
        given = {"clauses": clauses, "states": states, "templates": templates, "examples": None}
        folders = {}
        for part in PARTS:
            folder = given[part]
            if folder is None and root is not None:
                candidates = [Path(root) / name for name in dict.fromkeys((part, CHECKOUT_NAMES[part]))]
                folder = next((c for c in candidates if c.is_dir()), None)
                if folder is None and part != "examples":
                    folder = candidates[0]  # missing: reading it names the folder in the error
            folders[part] = Path(folder).resolve() if folder is not None else shipped_dir(part)
        return cls(folders["clauses"], folders["states"], folders["templates"], folders["examples"])

    def __getstate__(self) -> dict[str, Any]:
        return {
            "clauses_dir": self.clauses_dir,
            "states_dir": self.states_dir,
            "templates_dir": self.templates_dir,
            "examples_dir": self.examples_dir,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in {**state, "_read": {}}.items():
            object.__setattr__(self, name, value)

    @property
    def folders(self) -> dict[str, Path]:
        return {"clauses": self.clauses_dir, "states": self.states_dir, "templates": self.templates_dir}

    # ------------------------------------------------------------------ the parts, read once

    def _part(self, key: str, read: Callable[[], Any]) -> Any:
        """A part as read once per process, and kept on disk between runs (``WarmLibrary``)."""
        if key not in self._read:
            from .library_cache import WarmLibrary  # lazy: naming a library (an answer-cache key) reads nothing

            warm = WarmLibrary.of(self)
            value = warm.load(key)
            if value is None:
                value = read()
                warm.store(key, value)
            self._read[key] = value
        return self._read[key]

    @cached_property
    def warm_key(self) -> str | None:
        """The key of this library's parts kept on disk (``WarmLibrary``): its folders and files."""
        from .library_cache import WarmLibrary  # lazy: as above

        return WarmLibrary.key_of(self)

    @property
    def clauses(self) -> ClauseLibrary:
        def read() -> ClauseLibrary:
            from .clauses import read_clause_library  # lazy: naming a library (an answer-cache key) reads nothing

            return read_clause_library(self.clauses_dir)

        return cast("ClauseLibrary", self._part("clauses", read))

    @property
    def documents(self) -> tuple[DocumentSpec, ...]:
        """Every document a packet can hold, in reading order (``clauses/<name>/document.yaml``)."""

        def read() -> tuple[DocumentSpec, ...]:
            from .documents import read_documents  # lazy: as for the clauses

            return read_documents(self.clauses_dir)

        return cast("tuple[DocumentSpec, ...]", self._part("documents", read))

    def document(self, name: str) -> DocumentSpec | None:
        """The spec of the document ``name`` (a packet file's stem; a repeated document's copy gives
        its spec), or None when the library has none."""
        family = name.split(".", 1)[0]
        return next((spec for spec in self.documents if spec.name == family), None)

    @property
    def catalog(self) -> dict[str, Any]:
        return cast("dict[str, Any]", self._part("catalog", lambda: read_catalog(self.clauses_dir)))

    def state(self, code: str) -> StateRules:
        """A jurisdiction's rules, all of them (dated ones included): _default.yaml under <CODE>.yaml."""

        def read() -> StateRules:
            from .states import read_state  # lazy: the pydantic rule models, loaded when rules are first read

            return read_state(code, self.states_dir)

        if code.upper() not in JURISDICTIONS:  # read_state names the bad code; nothing to keep
            return read()
        return cast("StateRules", self._part(f"state-{code.upper()}", read))

    def rules_for(self, code: str, on: dt.date, policy: Policy = "conservative") -> StateRules:
        """The rules applied to a deal in ``code`` effective ``on``, under a drafting policy."""
        return self.state(code).in_force(on).with_policy(policy)

    def all_states(self) -> list[StateRules]:
        return [self.state(code) for code in sorted(JURISDICTIONS)]

    def template(self, filename: str, default: str) -> Path:
        """templates/<filename> when a lawyer made one, else the shared layout ``default``."""
        own = self.templates_dir / filename
        return own if own.exists() else self.templates_dir / default

    # ------------------------------------------------------------------ identity

    @cached_property
    def fingerprint(self) -> str:
        """A digest of every file of the library (names and bytes): equal fingerprints, equal drafts."""
        h = hashlib.blake2b(digest_size=16)
        for part, folder in self.folders.items():
            h.update(f"\0{part}\0".encode())
            if folder.is_dir():
                digest_tree(h, folder)
        return h.hexdigest()


def read_catalog(clause_dir: Path) -> dict[str, Any]:
    """The service catalogue beside the clause library: what each service covers, and the powers
    reserved to the practice."""
    path = clause_dir / CATALOG_FILE
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise InputError([Problem(str(path), "", "is missing: the service catalog the documents need")]) from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("services"), dict)
        or not isinstance(data.get("reserved"), list)
    ):
        raise InputError([Problem(str(path), "", "must have a 'services' mapping and a 'reserved' list")])
    return data
