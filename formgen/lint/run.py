"""`formgen lint`: every check, in order. The CLI prints the problems and exits 1 when there are any.
The checks take the library, template folder and example deals as arguments, so tests can point
them at small broken fixture libraries."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from ..inputs.library import Library
from .assembled import check_documents
from .sources import (
    TAGS_FILE,
    check_attributes,
    check_fields,
    check_library,
    check_states,
    check_tags,
    check_templates,
    context_names,
    example_deals,
    known_tags,
)


def lint(library: Library, deals: list[Path] | None = None, tags_file: Path | None = None) -> list[Problem]:
    """Every problem of ``library`` (clauses, templates, state rules) and of the documents its
    example deals (or ``deals``) are drafted into."""
    clauses, problems = check_library(library)
    if clauses is None:
        return problems
    tags = known_tags(tags_file or library.clauses_dir / TAGS_FILE)
    problems = check_tags(clauses, tags) + check_fields(clauses, context_names(library)) + check_attributes(clauses)
    problems += check_templates(library.templates_dir) + check_states(library, clauses, tags)
    problems += check_documents(library, example_deals(library.examples_dir) if deals is None else deals)
    return problems
