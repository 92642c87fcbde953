"""A term another document of the packet defines, used here as a defined term without a definition
("the Bylaws" in a consent that never defines them). Each document must define the terms it uses,
take them from another document ("capitalized terms used and not defined here have the meanings
given in the Agreement"), or name the other document for what it is ("its Bylaws", "the Continuity
Agreement among MSO, Practice and the Owner").

Not a use of a defined term: a heading or caption; the start of a sentence or list item; a longer
name that holds the term ("HIPAA Security Rule", "Certificate of Formation"); an acronym; a term
being defined right there ('a Management Services Agreement (the "Services Agreement")'); "(as
defined in ...)"; a document named by its owner ("its Bylaws", "the company's Operating
Agreement"), by itself ("this Continuity Agreement") or by its parties or date ("... among",
"... dated"); the plural of a term the document defines.
"""

from __future__ import annotations

import re

from ..counts import plural
from ..markup import strip_word_markers
from ..errors import Problem
from .assembled import AssembledDocument
from .terms import defined_terms

_BODY = {"section", "para", "item", "lead"}
_INCORPORATES = re.compile(r"capitalized terms[^.]{0,80}meanings? given", re.I)
_CONNECT = r"(?:of|and|for|in|on|to|the|or)"
_DETERMINERS = r"(?:The|A|An|Each|Any|Every|No|Such|That|These|Those|This|Its|Their|All|If|Under|Before|After)"
_NOT_A_USE_BEFORE = re.compile(
    r"(?:^|[.:;!?]\s+|\(\w{1,4}\)\s+|\u201c)$"  # sentence or item start; inside quotes
    rf"|(?<![\w\u2019'.-])(?!{_DETERMINERS}\s)[A-Z][\w\u2019'.-]*\s+(?:{_CONNECT}\s+)?$"  # the end of a longer name
    r"|(?:\b(?:its|their|his|her|this|these)|\w[\u2019']s)\s+$"
)  # a document named by its owner or itself
_NOT_A_USE_AFTER = re.compile(
    rf"\s+(?:{_CONNECT}\s+)?[A-Z]"  # the start of a longer name
    r"|\s*\((?:as defined in|the \u201c|this \u201c|\u201c)"  # defined right there, or by reference
    r"|\s+(?:among|between|dated|with)\b"
)  # a document named by its parties or date


def body_paragraphs(document: AssembledDocument) -> list[str]:
    """The text a defined term can be used in: paragraphs and table cells, not headings or captions."""
    out = []
    for block in document.blocks:
        if block["kind"] in _BODY:
            out.append(strip_word_markers(block["text"]))
        elif block["kind"] == "table":
            out += [strip_word_markers(cell) for row in block["rows"] for cell in row]
    return out


def _uses(term: str, paragraph: str) -> int:
    count = 0
    for match in re.finditer(rf"(?<![\w\u2019'-]){re.escape(term)}(?![\w-])", paragraph):
        if not (
            _NOT_A_USE_BEFORE.search(paragraph[: match.start()]) or _NOT_A_USE_AFTER.match(paragraph[match.end() :])
        ):
            count += 1
    return count


def _plural_of_own(term: str, own: set[str]) -> bool:
    return any(term in (t + "s", t + "es", t[:-1] + "ies") for t in own)


def packet_term_problems(documents: list[AssembledDocument]) -> list[Problem]:
    """One problem per document and term: defined elsewhere in the packet, used here undefined."""
    own = {d.name: {t for t, use in defined_terms(d.paragraphs()).items() if use.definitions} for d in documents}
    defined_in: dict[str, list[str]] = {}
    for name, terms in own.items():
        for term in terms:
            defined_in.setdefault(term, []).append(name)
    problems = []
    for document in documents:
        paragraphs = body_paragraphs(document)
        if _INCORPORATES.search("\n".join(paragraphs)):
            continue
        for term in sorted(defined_in):
            if term in own[document.name] or term.isupper() or _plural_of_own(term, own[document.name]):
                continue
            count = sum(_uses(term, paragraph) for paragraph in paragraphs)
            if count:
                others = ", ".join(f"{name}.docx" for name in sorted(defined_in[term]))
                problems.append(
                    Problem(
                        document.filename,
                        str(document.deal.name),
                        f'"{term}" is used as a defined term ({plural(count, "time")}) but '
                        f"defined only in {others}; define it here, take the other document's "
                        "definitions by reference, or name that document for what it is",
                    )
                )
    return problems
