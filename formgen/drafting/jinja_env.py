"""The jinja environments: sandboxed, strict, and keeping what they compile.

Clause bodies (here) and the Word layout (docxtpl, in render.py) are compiled from strings on
every packet; compiling dominates a build, so both environments keep compiled templates: in
memory, and on disk between runs (compiled_cache).
"""

from __future__ import annotations

from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.environment import TemplateExpression
from jinja2.parser import Parser
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import compiled_cache
from ..markup import protect


# Keys an expression's code apart from a template of the same text in the disk cache.
EXPRESSION_KEY = "{# an expression #}\0"


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

    def compile_expression(self, source: str, undefined_to_none: bool = True) -> TemplateExpression:
        """As jinja's, the compiled code kept on disk as a template's is (clause conditions)."""
        key = f"{EXPRESSION_KEY}{source}"
        code = compiled_cache.load(self._signature, key)
        if code is None:
            parser = Parser(self, source, state="variable")
            try:
                expression = parser.parse_expression()
                complete = parser.stream.eos
            except TemplateSyntaxError:
                complete = False
            if not complete:
                return super().compile_expression(source, undefined_to_none)  # raises jinja's own error
            expression.set_environment(self)
            body = [nodes.Assign(nodes.Name("result", "store"), expression, lineno=1)]
            code = self.compile(nodes.Template(body, lineno=1))
            compiled_cache.store(self._signature, key, code)
        template = self.template_class.from_code(self, code, self.make_globals(None), None)
        return TemplateExpression(template, undefined_to_none)

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
