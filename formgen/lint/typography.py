"""Printed text that shows the drafting machinery: template syntax that reached the page (a ``{{`` in
a jinja string literal is not evaluated), a straight double quote (quotes inside a printed
expression are values, so they are never typeset), a straight apostrophe (the documents use ’,
U+2019, as Word's AutoFormat would) or a doubled period."""

from __future__ import annotations

import re

from ..errors import Problem
from .assembled import AssembledDocument

_LEAKS = re.compile(r"\{\{|\}\}|\{%|%\}|\"|'|(?<!\.)\.\.(?!\.)")
_TEMPLATE_HINT = "close every block; a string literal inside {{ }} is printed as typed"
_WHAT = {
    '"': ("a straight double quote", "write quoted words in the clause's own text, outside {{ }}, so they are typeset"),
    "'": ("a straight apostrophe", "type \u2019 (U+2019), as in the rest of the documents"),
    "..": ("a doubled period", "a sentence already ends with the period of the value before it"),
}


def typography_problems(document: AssembledDocument) -> list[Problem]:
    problems = []
    for paragraph in document.paragraphs(notes=True):
        match = _LEAKS.search(paragraph)
        if match:
            excerpt = paragraph[max(0, match.start() - 50) : match.end() + 30]
            what, hint = _WHAT.get(match.group(), (f"template syntax '{match.group()}'", _TEMPLATE_HINT))
            problems.append(
                Problem(document.filename, str(document.deal), f"prints {what}: \u2026{excerpt}\u2026 ({hint})")
            )
    return problems


def check_typography(documents: list[AssembledDocument]) -> list[Problem]:
    return [problem for document in documents for problem in typography_problems(document)]
