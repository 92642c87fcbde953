"""The labelled review corpus (tests/fixtures/review/) as documents: each clause a numbered section,
typed ("Section 1.7.") in a .txt and Word-numbered in a .docx, and the score of the review engine
against the labels. Used by tests/test_review.py and benchmarks/review.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import docx
import yaml

from ..word.sections import docx_paragraphs, text_paragraphs
from .categories import CATEGORIES
from .review import detect

PREAMBLE = (
    "This Management Services Agreement is made by Acme Management, LLC, a Delaware limited liability company "
    'that provides management services ("MSO"), and Bright Medical, P.C., a professional medical corporation '
    '("Practice").'
)


@dataclass(frozen=True)
class Clause:
    text: str
    labels: frozenset[str]
    source: str


CORPUS_FILES = ("written.yaml", "cuad.yaml", "holdout.yaml")


def load_corpus(folder: Path, files=CORPUS_FILES) -> list[Clause]:
    out = []
    for name in files:
        for item in yaml.safe_load((folder / name).read_text(encoding="utf-8")):
            out.append(Clause(item["text"], frozenset(item["labels"]), name))
    return out


def typed_text(clauses: list[Clause]) -> str:
    lines = [PREAMBLE, "", "ARTICLE 1", ""]
    lines += [f"Section 1.{i}. Clause {i}. {c.text}" for i, c in enumerate(clauses, 1)]
    return "\n".join(lines) + "\n"


def word_numbered_docx(clauses: list[Clause], path: Path) -> None:
    """Each clause a "List Number" paragraph: Word, not the text, shows its number."""
    document = docx.Document()
    document.add_paragraph(PREAMBLE)
    for clause in clauses:
        document.add_paragraph(clause.text, style="List Number")
    document.save(path)


@dataclass
class Score:
    tp: dict = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    fp: dict = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    fn: dict = field(default_factory=lambda: {c: 0 for c in CATEGORIES})
    misplaced: int = 0  # findings whose section is not the clause's
    errors: list = field(default_factory=list)

    def ratios(self, category: str | None = None) -> tuple[float, float]:
        keys = [category] if category else list(CATEGORIES)
        tp, fp, fn = (sum(d[k] for k in keys) for d in (self.tp, self.fp, self.fn))
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def score(clauses: list[Clause], paragraphs, expected_section) -> Score:
    """Compare the engine's (category, paragraph) findings with the labels; ``expected_section(i)``
    is the section the i-th clause (1-based) sits in."""
    result = Score()
    by_text = {}
    for candidate in detect(paragraphs):
        by_text.setdefault(candidate.paragraph.index, (candidate.paragraph, set()))[1].add(candidate.category)
    index_of = {}
    for paragraph in paragraphs:
        for i, clause in enumerate(clauses, 1):
            if i not in index_of and clause.text[:60] in paragraph.text:
                index_of[i] = paragraph
                break
    for i, clause in enumerate(clauses, 1):
        paragraph = index_of.get(i)
        found = by_text.get(paragraph.index, (None, set()))[1] if paragraph else set()
        if paragraph and found and paragraph.section != expected_section(i):
            result.misplaced += 1
        for category in CATEGORIES:
            if category in found and category in clause.labels:
                result.tp[category] += 1
            elif category in found:
                result.fp[category] += 1
                result.errors.append(("false positive", category, clause.text))
            elif category in clause.labels:
                result.fn[category] += 1
                result.errors.append(("missed", category, clause.text))
    return result


def score_typed(clauses: list[Clause]) -> Score:
    return score(clauses, text_paragraphs(typed_text(clauses)), lambda i: f"Section 1.{i}")


def score_word(clauses: list[Clause], path: Path) -> Score:
    word_numbered_docx(clauses, path)
    return score(clauses, docx_paragraphs(path), lambda i: f"Section {i}")
