"""Defined terms in assembled documents: each capitalized defined term defined once and used;
quoted terms defined."""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass

from ..errors import Problem
from .assembled import AssembledDocument

_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{1,80})[\"\u201d]")
# A capitalized term: words starting with a capital (or short connecting words between them).
_TERM = re.compile(r"^[A-Z][\w&'\u2019.-]*(?: (?:[A-Z0-9][\w&'\u2019.-]*|of|and|for|in|on|to|the|or))*$")
_MEANS = re.compile(
    r"^\s*(?:means|mean|shall mean|has the meaning|have the meaning|shall have the meaning"
    r"|refers to|is defined|includes|shall include)\b"
)
# Inside a parenthesis: ("MSO"), (the "Initial Term"), (each, a "Renewal Term"),
# ("Disclosing Party" or "Receiving Party"), (as adjusted under this Agreement, its "Percentage Interest"),
# (with every later contribution, the Member's "Capital Contributions"), (the "Departing Member", which ...).
_PAREN_ONLY_LOWER = re.compile(r"^(?:[a-z]+,?\s+)*$")
_DETERMINER = re.compile(r"(?:\b(?:the|this|these|its|their|his|her|each|such|a|an)|\w['\u2019]s)\s+$")
_PAREN_TAIL = re.compile(r"^(?:\s*\)|,|\s+(?:or|and)\s+(?:[a-z]+\s+)*[\"\u201c])")
# In running text: 'are each a "Party" and together the "Parties"', 'is a "Renewal Term"',
# 'hereinafter the "Company"', 'referred to as the "Plan"'.
_RUNNING_LEAD = re.compile(
    r"\b(?:each|together|collectively|individually|hereinafter|herein|called|"
    r"referred to as|known as|is|are)(?:,)?(?:\s+(?:a|an|the|each|as))*\s*$"
)


def _open_paren(before: str) -> str | None:
    """The text after the last unclosed "(" in ``before``, or None when not inside a parenthesis."""
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return before[index + 1 :]
            depth -= 1
    return None


def _is_definition(text: str, start: int, end: int) -> bool:
    """Is the quoted term at text[start:end] (quotes included) being defined?"""
    before, after = text[:start], text[end:]
    if _MEANS.match(after):
        return True
    inside = _open_paren(before)
    if inside is not None and _PAREN_TAIL.match(after):
        lead = _QUOTED.sub("", inside)  # ("A" or "B"): earlier quoted terms in the same parenthesis
        if _PAREN_ONLY_LOWER.match(lead.replace(" or ", " ").replace(" and ", " ")) or _DETERMINER.search(inside):
            return True
    return bool(_RUNNING_LEAD.search(before[-60:]))


def _usage_pattern(term: str) -> re.Pattern[str]:
    forms = [re.escape(term)]
    if term.endswith("y") and not term.isupper():
        forms.append(re.escape(term[:-1]) + "ies")
    return re.compile(r"(?<![\w])(?:" + "|".join(forms) + r")(?:s|es|'s|\u2019s)?(?![\w])")


@dataclass
class TermUse:
    definitions: list[int]  # paragraph indexes where the term is defined
    quoted_undefined: list[int]  # paragraph indexes where it is quoted but not in a definition form


def defined_terms(paragraphs: list[str]) -> dict[str, TermUse]:
    terms: dict[str, TermUse] = {}
    for index, text in enumerate(paragraphs):
        for match in _QUOTED.finditer(text):
            term = match.group(1).strip()
            if not _TERM.match(term) or term.isdigit():
                continue
            after = text[match.end() :]
            if re.match(rf"\s*means\s+{re.escape(term.lower())}\b", after):
                continue  # '"Including" means including without limitation': a lowercase word, sentence-initial
            use = terms.setdefault(term, TermUse([], []))
            (use.definitions if _is_definition(text, match.start(), match.end()) else use.quoted_undefined).append(
                index
            )
    return terms


def _mask_quoted(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def term_problems(
    paragraphs: list[str],
    file: str,
    where: str = "",
    headings: Set[str] = frozenset(),
    clause_bodies: dict[str, str] | None = None,
) -> list[Problem]:
    """Defined-term problems of one document's text (a list of paragraphs).

    ``headings``: table column headings; quoting one ("Decides" names whose decision governs)
    refers to the column, it does not define a term. ``clause_bodies`` (clause id -> source)
    lets each message name the clauses that quote the term.
    """

    def found_in(term: str) -> str:
        ids = [
            cid for cid, body in (clause_bodies or {}).items() if f'"{term}"' in body or f"\u201c{term}\u201d" in body
        ]
        return f" (quoted in {', '.join(ids)})" if ids else ""

    terms = defined_terms(paragraphs)
    defined = {t for t, u in terms.items() if u.definitions}
    body = "\n".join(_mask_quoted(p) for p in paragraphs)
    problems = []
    for term in sorted(defined, key=str.casefold):
        use = terms[term]
        if len(use.definitions) > 1:
            problems.append(
                Problem(
                    file, where, f'"{term}" is defined {len(use.definitions)} times{found_in(term)}; define it once'
                )
            )
        # A longer defined term holding this one ("Initial Term" holds "Term") is not a use of it.
        text = body
        for longer in sorted((t for t in defined if t != term and term in t), key=len, reverse=True):
            text = _usage_pattern(longer).sub(lambda m: " " * len(m.group(0)), text)
        if not _usage_pattern(term).search(text):
            problems.append(
                Problem(
                    file,
                    where,
                    f'"{term}" is defined but never used{found_in(term)}; '
                    "use it or take the definition out (or guard it with the same condition)",
                )
            )
    for term, use in sorted(terms.items(), key=lambda kv: kv[0].casefold()):
        if use.quoted_undefined and not use.definitions and term not in headings:
            problems.append(
                Problem(
                    file,
                    where,
                    f'"{term}" is quoted like a defined term but never defined'
                    f'{found_in(term)}; define it once as ("{term}") or "{term}" means ...',
                )
            )
    return problems


def check_terms(documents: list[AssembledDocument]) -> list[Problem]:
    """Each capitalized defined term is defined once in its document and used after; quoted terms are defined."""
    problems = []
    for doc in documents:
        problems += term_problems(
            doc.paragraphs(), doc.filename, doc.deal.name, doc.table_headings(), doc.clause_bodies
        )
    return problems
