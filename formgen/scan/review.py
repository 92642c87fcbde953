"""``formgen review``: read a contract formgen did not write, sentence by sentence, and report each
clause that falls in a control category (categories.py) or ties a fee to revenue or volume
(scanner.py), with the section the document shows, the quoted sentence, the state's rule as of a
date, its citation and the compliant clause from formgen's library.

Read as such, not as terms: a memorandum (its title says so), recitals, definitions (for the
control categories), quoted or paraphrased law, and formgen's own drafting notes.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..markup import NOTE_PREFIX
from ..errors import InputError, Problem
from ..inputs.clauses import ClauseLibrary
from ..inputs.states import StateRules
from ..word.sections import Paragraph, heading_prefix
from .documents import read_document
from .categories import CAPTIONS, CATEGORIES, FEE_CATEGORIES, Detector, Parties, clause_start, negated
from .law import suggested_text, treatment
from .scanner import RULE_VOLUME, scan_text
from .sentences import split_sentences, windows

FORMAT = 1
SEVERITY_ORDER = ("error", "warning", "info")

# A memorandum or a research appendix reports on the law and the terms; it grants nothing.
_MEMO_TITLE = re.compile(r"^\s*(?:[\w ,.&-]{0,40}\s)?(?:memorandum|memo|research\s+appendix)\b", re.IGNORECASE)
_RECITALS = re.compile(r"^\s*(?:RECITALS|BACKGROUND|WITNESSETH|PRELIMINARY\s+STATEMENTS?)\s*[:.]?\s*$")
_RECITALS_END = re.compile(
    r"^\s*(?:NOW,?\s+THEREFORE|AGREEMENT\b|IN\s+CONSIDERATION|THE\s+PARTIES\s+AGREE)", re.IGNORECASE
)
_WHEREAS = re.compile(r"^\s*WHEREAS\b")
_DEFINITION = re.compile(
    r"^[\W\d]*(?:\([a-z0-9]+\)\s*)?[\"“][^\"”]{1,80}[\"”]\s+(?:means|shall\s+mean|has\s+the\s+meaning|refers\s+to"
    r"|includes|is\s+defined)\b",
    re.IGNORECASE,
)
_CITES_LAW = re.compile(
    r"§|\bU\.S\.C\b|\bC\.F\.R\b|\bCode\b|\bStat\.|\bORS\b|\bAct\b|\bstatute\b|\bregulation\b", re.IGNORECASE
)
_QUOTES = re.compile(r"[\"“][^\"”]{12,}[\"”]")
_REPORTED = re.compile(
    r"\b(?:the\s+court|courts?\s+(?:have\s+)?(?:held|said|found)|held\s+that|provides\s+that|states\s+that"
    r"|the\s+(?:statute|law|rule|regulation|board)\s+(?:says|provides|prohibits|forbids|bars|requires)"
    r"|(?:law|statute)s?\s+(?:prohibit|forbid|bar)\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    category: str
    section: str
    caption: str
    quote: str
    severity: str
    rule: str
    citation: str
    suggestion: str
    # Where it sits, for the redline (not part of the JSON):
    part: str = field(default="", compare=False)
    paragraph: int = field(default=-1, compare=False)
    verified: bool = field(default=False, compare=False)

    def to_dict(self) -> dict:
        data = asdict(self)
        for private in ("part", "paragraph", "verified"):
            data.pop(private)
        return data


@dataclass
class Review:
    file: str
    state: str
    as_of: str
    findings: list[Finding]
    read_as: str = "contract"  # or "memorandum": nothing in it is a term

    def counts(self) -> dict:
        by_severity = {s: sum(f.severity == s for f in self.findings) for s in SEVERITY_ORDER}
        by_category = {c: n for c in CATEGORIES if (n := sum(f.category == c for f in self.findings))}
        return {"total": len(self.findings), **by_severity, "by_category": by_category}

    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "file": self.file,
            "state": self.state,
            "as_of": self.as_of,
            "read_as": self.read_as,
            "findings": [f.to_dict() for f in self.findings],
            "counts": self.counts(),
        }


@dataclass(frozen=True)
class Candidate:
    """A category hit in one sentence, before the state's rules are applied."""

    category: str
    sentence: str
    paragraph: Paragraph


# ---------------------------------------------------------------- reading


# ---------------------------------------------------------------- detection


def is_memorandum(paragraphs: list[Paragraph]) -> bool:
    first = next((p.text for p in paragraphs if p.part in ("word/document.xml", "") and p.text.strip()), "")
    return bool(_MEMO_TITLE.match(first)) and len(first) < 80


def _reads_as_law(sentence: str) -> bool:
    return bool(_REPORTED.search(sentence) or (_QUOTES.search(sentence) and _CITES_LAW.search(sentence)))


def detect(paragraphs: list[Paragraph], categories=CATEGORIES) -> list[Candidate]:
    """Every (category, sentence) the document's terms hold, in document order; one per category per sentence."""
    full_text = "\n".join(p.text for p in paragraphs[:400])
    detector = detector_for(Parties.of(full_text))
    wanted = set(categories)
    out: list[Candidate] = []
    in_recitals = False
    for paragraph in paragraphs:
        text = paragraph.text
        if _RECITALS.match(text):
            in_recitals = True
            continue
        if in_recitals and (_RECITALS_END.match(text) or paragraph.section):
            in_recitals = False
        if in_recitals or _WHEREAS.match(text) or text.lstrip().startswith(NOTE_PREFIX):
            continue
        body = text[len(heading_prefix(text)) :]  # "Section 4.1. Fees. " is not part of any sentence's terms
        for start, end in split_sentences(body):
            sentence = body[start:end]
            if _reads_as_law(sentence):
                continue
            found: set[str] = set()
            for piece in windows(sentence):
                found |= _categories_in(piece, detector, definition=bool(_DEFINITION.match(sentence)))
            out.extend(Candidate(c, sentence, paragraph) for c in CATEGORIES if c in found and c in wanted)
    return out


@lru_cache(maxsize=16)
def detector_for(parties: Parties) -> Detector:
    """Compiled once per set of party names (most documents use the usual ones)."""
    return Detector(parties)


def _categories_in(sentence: str, detector: Detector, definition: bool) -> set[str]:
    found: set[str] = set()
    for match in scan_text(sentence):
        hit_start = sentence.find(match.matched)
        clause = sentence[clause_start(sentence, hit_start) : hit_start] if hit_start > 0 else ""
        if clause and negated(clause):
            continue
        if match.rule == RULE_VOLUME:
            referral = re.search(
                r"referr|\blead|new\s+patients?|patients?\s+(?:delivered|generated|brought|sent)",
                match.matched,
                re.IGNORECASE,
            )
            found.add("fee_referral" if referral else "fee_per_unit")
        else:
            found.add("fee_percentage")
    if not definition:
        found |= {hit.category for hit in detector.hits(sentence)}
    return found


# ---------------------------------------------------------------- review


def review_paragraphs(
    paragraphs: list[Paragraph],
    *,
    file: str,
    rules: StateRules,
    as_of: dt.date,
    library: ClauseLibrary,
    categories=CATEGORIES,
) -> Review:
    if is_memorandum(paragraphs):
        return Review(file, rules.code, as_of.isoformat(), [], read_as="memorandum")
    findings: list[Finding] = []
    suggestions: dict[str, str] = {}
    for candidate in detect(paragraphs, categories):
        how = treatment(rules, candidate.category, as_of)
        if how is None:
            continue
        if how.suggestion_clause not in suggestions:
            suggestions[how.suggestion_clause] = suggested_text(library, how.suggestion_clause, rules.name)
        p = candidate.paragraph
        findings.append(
            Finding(
                candidate.category,
                p.section,
                p.caption,
                " ".join(candidate.sentence.split()),
                how.severity,
                how.rule,
                how.citation,
                suggestions[how.suggestion_clause],
                part=p.part,
                paragraph=p.index,
                verified=how.verified,
            )
        )
    return Review(file, rules.code, as_of.isoformat(), findings)


def review_file(
    path: Path, *, rules: StateRules, as_of: dt.date, library: ClauseLibrary, categories=CATEGORIES
) -> Review:
    return review_paragraphs(
        read_document(Path(path)), file=str(path), rules=rules, as_of=as_of, library=library, categories=categories
    )


def read_all(paths) -> list[list[Paragraph]]:
    """The paragraphs of each file, in order; every unreadable file reported together in one InputError."""
    read: list[list[Paragraph]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            read.append(read_document(Path(path)))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return read


def review_files(
    paths, *, rules: StateRules, as_of: dt.date, library: ClauseLibrary, categories=CATEGORIES
) -> list[Review]:
    """One Review per file, in order."""
    return [
        review_paragraphs(paragraphs, file=str(path), rules=rules, as_of=as_of, library=library, categories=categories)
        for path, paragraphs in zip(paths, read_all(paths))
    ]


__all__ = ["CAPTIONS", "CATEGORIES", "FEE_CATEGORIES", "Finding", "Review", "review_file", "review_files", "detect"]
