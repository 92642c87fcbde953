"""Cross-references in assembled documents: "Section 4.2", "Article 7", "Exhibit C" resolve in that
document, or in the named document of the same packet."""

from __future__ import annotations

import re
from typing import Any

from ..markup import strip_word_markers
from ..errors import Problem
from .assembled import AssembledDocument

_REF_KIND = r"(?P<kind>Section|Article|Exhibit|Schedule)s?"
_REF_ITEM = r"(?:\d+(?:\.\d+)*(?:\([A-Za-z0-9]+\))*|[A-Z](?![\w-])|[IVXLC]+(?![\w-]))"
_REF = re.compile(rf"\b{_REF_KIND}\s+(?P<items>{_REF_ITEM}(?:(?:,\s*|,?\s+(?:and|or|through|to)\s+){_REF_ITEM})*)")
# After the reference: "of the Social Security Act", "to the Management Services Agreement":
# another document or a law, not this one.
_EXTERNAL_AFTER = re.compile(r"^\s*(?:of|to|under|in)\s+(?!this\b|these\b)(?:the\s+)?(?:[A-Z0-9]|[a-z]+\s+[A-Z])")
# Before it: a code or statute name ("Cal. Bus. & Prof. Code Section 2400", "Internal Revenue Code").
_EXTERNAL_BEFORE = re.compile(r"(?:Code|Act|U\.S\.C\.|C\.F\.R\.|Regulations?|Rules?|Statutes?|Constitution)\s*,?\s*$")


def _targets(blocks: list[dict[str, Any]]) -> dict[str, set[str]]:
    sections = {b["number"] for b in blocks if b["kind"] == "section"}
    articles = {b["number"] for b in blocks if b["kind"] == "heading"}
    exhibits = {
        m.group(1)
        for b in blocks
        if b["kind"] == "exhibit"
        for m in [re.match(r"EXHIBIT ([A-Z]+)", strip_word_markers(b["text"]))]
        if m
    }
    return {"Section": sections, "Article": articles, "Exhibit": exhibits, "Schedule": set()}


_NAMED_DOC = re.compile(r"^\s*(?:of|to|under|in)\s+(?:the|this)\s+([A-Z][\w ]+?(?:Agreement|Schedule|Bylaws))\b")


def cross_ref_problems(
    paragraphs: list[str],
    targets: dict[str, set[str]],
    file: str,
    where: str = "",
    other_documents: dict[str, dict[str, set[str]]] | None = None,
) -> list[Problem]:
    """References in ``paragraphs`` that do not resolve to ``targets``.

    ``other_documents`` maps document titles ("Management Services Agreement") to their targets:
    "Section 12.2 of the Management Services Agreement" is checked against that document's
    numbering; a reference to a law or to a document not in the packet is left alone.
    """
    other_documents = other_documents or {}
    problems, seen = [], set()
    for text in paragraphs:
        for match in _REF.finditer(text):
            after = text[match.end() :]
            named = _NAMED_DOC.match(after)
            if named and named.group(1) in other_documents:
                doc_targets, in_doc = other_documents[named.group(1)], f" of the {named.group(1)}"
            elif _EXTERNAL_AFTER.match(after) or _EXTERNAL_BEFORE.search(text[: match.start()]):
                continue
            else:
                doc_targets, in_doc = targets, ""
            kind = match.group("kind")
            for item in re.findall(_REF_ITEM, match.group("items")):
                number = re.sub(r"\(.*$", "", item)
                if number in doc_targets[kind]:
                    continue
                key = (kind, item, in_doc)
                if key in seen:
                    continue
                seen.add(key)
                have = (
                    ", ".join(
                        sorted(doc_targets[kind], key=lambda s: [int(p) if p.isdigit() else p for p in s.split(".")])
                    )
                    or "none"
                )
                quote = text[max(0, match.start() - 40) : match.end() + 20]
                problems.append(
                    Problem(
                        file,
                        where,
                        f"refers to {kind} {item}{in_doc} (\u201c\u2026{quote}\u2026\u201d), "
                        f"which {'that' if in_doc else 'this'} document does not have "
                        f"({kind.lower()}s: {have}); use ref('clause.id') instead of a typed number",
                    )
                )
    return problems


def check_cross_refs(documents: list[AssembledDocument]) -> list[Problem]:
    """Every "Section 4.2", "Article 7", "Exhibit C" in an assembled document exists in it
    (or, for "... of the Management Services Agreement", in that document of the same packet)."""
    by_title = {d.title: _targets(d.blocks) for d in documents if d.title}
    by_title.pop("Operating Agreement", None)  # the MSO's and the practice's: ambiguous by title
    problems = []
    for doc in documents:
        problems += cross_ref_problems(
            doc.paragraphs(notes=True), _targets(doc.blocks), doc.filename, doc.deal.name, by_title
        )
    return problems
