"""`formgen lint`: every check, in order. The CLI prints the problems and exits 1 when there are any.
The checks take the library, template folder and example deals as arguments, so tests can point
them at small broken fixture libraries."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problem
from ..library import paths
from .assembled import check_documents
from .sources import (TAGS_FILE, check_attributes, check_fields, check_library, check_states, check_tags,
                      check_templates, context_names, example_deals, known_tags)


def lint(clause_dir: Path | None = None, template_dir: Path | None = None,
         deals: list[Path] | None = None, tags_file: Path | None = None) -> list[Problem]:
    library, problems = check_library(clause_dir)
    if library is None:
        return problems
    tags = known_tags(tags_file or (clause_dir or paths.clause_dir()) / TAGS_FILE)
    problems = check_tags(library, tags) + check_fields(library, context_names()) + check_attributes(library)
    problems += check_templates(template_dir) + check_states(library, tags)
    problems += check_documents(library, example_deals() if deals is None else deals)
    return problems
