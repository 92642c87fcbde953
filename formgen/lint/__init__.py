"""`formgen lint`: the clause library, templates and state rules checked, and each example deal's
agreements drafted as `generate` drafts them and checked for defined terms and cross-references."""

from .assembled import AssembledDocument, assemble_documents, check_documents
from .refs import check_cross_refs, cross_ref_problems
from .run import lint
from .sources import (
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
from .terms import check_terms, defined_terms, term_problems

__all__ = [
    "AssembledDocument",
    "assemble_documents",
    "check_attributes",
    "check_cross_refs",
    "check_documents",
    "check_fields",
    "check_library",
    "check_states",
    "check_tags",
    "check_templates",
    "check_terms",
    "context_names",
    "cross_ref_problems",
    "defined_terms",
    "example_deals",
    "known_tags",
    "lint",
    "term_problems",
]
