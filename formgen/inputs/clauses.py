"""The clause library: clause files (front matter + jinja body) and their loader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InputError, Problem
from .deal_repair import field_path

ClauseKind = Literal["article", "section", "exhibit", "part", "signatures"]


class Placement(BaseModel):
    """How a clause shared by several documents sits in one of them."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    kind: ClauseKind | None = None
    order: int | None = None
    title: str | None = None


class ClauseMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    version: int = Field(ge=1)
    title: str
    document: list[str]
    kind: ClauseKind = "article"
    parent: str | None = None
    order: int  # from the file name, never the front matter (see order_from_name)
    conditions: list[str] = []
    state_only: bool = False
    tags: list[str] = []
    citations: list[str] = []
    placement: dict[str, Placement] = {}  # per-document kind/order/title overrides

    def kind_in(self, document: str) -> ClauseKind:
        place = self.placement.get(document)
        return place.kind if place and place.kind else self.kind

    def order_in(self, document: str) -> int:
        place = self.placement.get(document)
        return place.order if place and place.order is not None else self.order

    def title_in(self, document: str) -> str:
        place = self.placement.get(document)
        return place.title if place and place.title is not None else self.title

    @field_validator("document", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


@dataclass(frozen=True)
class Clause:
    meta: ClauseMeta
    body: str
    path: Path
    body_line: int  # line of the file where the body starts (for error messages)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def ref(self) -> str:
        return f"{self.meta.id}@{self.meta.version}"


@dataclass
class ClauseLibrary:
    clauses: dict[str, Clause] = field(default_factory=dict)

    def for_document(self, document: str) -> list[Clause]:
        return sorted(
            (c for c in self.clauses.values() if document in c.meta.document),
            key=lambda c: (c.meta.order_in(document), c.id),
        )

    def in_order(self, document: str) -> list[Clause]:
        """Top-level clauses by order, each followed by its sections by order."""
        clauses = self.for_document(document)
        children: dict[str, list[Clause]] = {}
        for clause in clauses:
            if clause.meta.parent:
                children.setdefault(clause.meta.parent, []).append(clause)
        ordered = []
        for clause in clauses:
            if not clause.meta.parent:
                ordered += [clause, *children.get(clause.id, [])]
        return ordered

    def children(self, parent_id: str, document: str) -> list[Clause]:
        return [c for c in self.for_document(document) if c.meta.parent == parent_id]

    def get(self, clause_id: str) -> Clause | None:
        return self.clauses.get(clause_id)


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str, int]:
    if not text.startswith("---"):
        raise InputError([Problem(source, "", "must start with a '---' front matter block (see clauses/README.md)")])
    try:
        _, head, body = text.split("---", 2)
    except ValueError:
        raise InputError([Problem(source, "", "front matter is not closed by a second '---' line")]) from None
    try:
        meta = yaml.load(head, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # libyaml: 10x faster
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                    mark.line + 2 if mark else None,
                )
            ]
        ) from None
    if not isinstance(meta, dict):
        raise InputError([Problem(source, "", "front matter must be a mapping (id, version, title, ...)")])
    stripped = body.lstrip("\n")
    # the opening '---' is line 1, the closing one line 1 + the head's newlines; then blank lines
    body_line = 1 + head.count("\n") + (len(body) - len(stripped))
    return meta, stripped, body_line


# "040-services.md" is article 40; "040-services-10-administrative.md" is its section 10.
ORDER_IN_NAME = re.compile(r"^(\d+)-[a-z0-9_]+(?:-(\d+)-[a-z0-9_]+)?$")


def order_from_name(path: Path, section: bool) -> int:
    """A clause's order has one source, its file name: the first number for an article, exhibit or
    part, the second for a section."""
    match = ORDER_IN_NAME.match(path.stem)
    number = match and (match.group(2) if section else match.group(1))
    if not number:
        shape = "NNN-article-NN-name.md" if section else "NNN-name.md"
        raise InputError([Problem(str(path), "order", f"the file name must give the clause's order: {shape}")])
    return int(number)


def parse_clause_file(path: Path) -> Clause:
    text = path.read_text(encoding="utf-8")
    meta_data, body, body_line = split_front_matter(text, str(path))
    if isinstance(meta_data, dict) and "order" in meta_data:
        raise InputError(
            [Problem(str(path), "order", "is set by the file name's number; remove it from the front matter")]
        )
    if isinstance(meta_data, dict):
        meta_data = {**meta_data, "order": order_from_name(path, bool(meta_data.get("parent")))}
    try:
        meta = ClauseMeta.model_validate(meta_data)
    except ValidationError as exc:
        raise InputError([Problem(str(path), field_path(e["loc"]), e["msg"]) for e in exc.errors()]) from None
    return Clause(meta, body, path, body_line)


def _check_structure(library: ClauseLibrary) -> list[Problem]:
    problems = []
    for clause in library.clauses.values():
        meta = clause.meta
        if meta.kind == "section":
            parent = library.get(meta.parent or "")
            if parent is None or parent.meta.kind != "article":
                problems.append(
                    Problem(str(clause.path), "parent", f"a section needs a parent article; '{meta.parent}' is not one")
                )
            elif not set(meta.document) <= set(parent.meta.document):
                problems.append(
                    Problem(str(clause.path), "document", f"lists documents its parent '{meta.parent}' is not in")
                )
        elif meta.parent:
            problems.append(
                Problem(str(clause.path), "parent", f"only kind: section has a parent (this is {meta.kind})")
            )
    return problems


def read_clause_library(clause_dir: Path) -> ClauseLibrary:
    """Every clause in ``clause_dir``, checked; raises InputError naming each bad file. (``Library``
    reads it once and keeps it.)"""
    library = ClauseLibrary()
    problems: list[Problem] = []
    for path in sorted(clause_dir.rglob("*.md")):
        if path.name == "README.md":
            continue
        try:
            clause = parse_clause_file(path)
        except InputError as exc:
            problems += exc.problems
            continue
        if clause.id in library.clauses:
            problems.append(
                Problem(str(path), "id", f"'{clause.id}' is already used by {library.clauses[clause.id].path}")
            )
            continue
        library.clauses[clause.id] = clause
    problems += _check_structure(library)
    if problems:
        raise InputError(problems)
    return library
