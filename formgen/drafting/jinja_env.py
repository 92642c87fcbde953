"""The jinja environments: sandboxed, strict, and keeping what they compile.

Clause bodies (here) and the Word layout (docxtpl, in render.py) are compiled from strings on
every packet; compiling dominates a build, so both environments keep compiled templates: in
memory, and on disk between runs (compiled_cache).
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import compiled_cache
from ..markup import protect


class CachingSandboxedEnvironment(ImmutableSandboxedEnvironment):
    """``from_string`` compiles each distinct source once (docxtpl calls it on every render)."""

    CACHE_SIZE = 4096

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self._compiled: dict[str, object] = {}
        # What the compiled code depends on besides the source (the disk cache's key).
        self._signature = repr(
            (
                type(self).__qualname__,
                self.autoescape,
                self.trim_blocks,
                self.lstrip_blocks,
                self.keep_trailing_newline,
                getattr(self.finalize, "__qualname__", None),
            )
        )

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.CACHE_SIZE:
                self._compiled.clear()
            template = self._compiled[source] = self.template_class.from_code(
                self, self._code(source), self.make_globals(None), None
            )
        return template

    def _code(self, source: str):
        """What ``compile(source)`` gives, from the disk cache when an earlier run compiled it."""
        code = compiled_cache.load(self._signature, source)
        if code is None:
            code = self.compile(source)
            compiled_cache.store(self._signature, source, code)
        return code


@lru_cache(maxsize=4096)
def compiled_expression(source: str):
    return clause_environment().compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=None)
def clause_environment() -> ImmutableSandboxedEnvironment:
    # Sandboxed: a clause cannot reach Python internals (no __class__, no mutation).
    # StrictUndefined: a misspelt field is an error naming it, never a silent blank.
    # autoescape is off here because the output is markup text, not XML; values are
    # protected by ``finalize`` and XML-escaped by docxtpl's own (autoescaping) render.
    return CachingSandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=protect,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
