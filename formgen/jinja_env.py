"""The one jinja environment clauses are rendered in: sandboxed, strict, values protected."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .markup import protect


@lru_cache(maxsize=4096)
def compiled(source: str):
    """A clause body compiled once per process (compiling dominates a packet build)."""
    return clause_environment().from_string(source)


@lru_cache(maxsize=4096)
def compiled_expression(source: str):
    return clause_environment().compile_expression(source)


@lru_cache(maxsize=None)
def clause_environment() -> ImmutableSandboxedEnvironment:
    # Sandboxed: a clause cannot reach Python internals (no __class__, no mutation).
    # StrictUndefined: a misspelt field is an error naming it, never a silent blank.
    # autoescape is off here because the output is markup text, not XML; values are
    # protected by ``finalize`` and XML-escaped by docxtpl's own (autoescaping) render.
    return ImmutableSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=protect,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
