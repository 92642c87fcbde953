"""Splitting text into sentences: abbreviation-, initial- and decimal-aware."""

from __future__ import annotations

import re

_ABBREVIATIONS = frozenset(
    "inc corp co ltd llc l.l.c p.c p.a pllc n.a s.a plc lp llp bros assn assoc "
    "sec secs no nos art arts para paras cl ch vol pp p fig ex exh sch "
    "e.g i.e etc viz cf vs v al approx est dept govt "
    "mr mrs ms dr st jr sr prof hon messrs "
    "u.s u.s.a u.k jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Suffixes that often end a sentence too ("... paid to Acme, Inc. The fee ..."):
# a new sentence starts after them only if the next word is a usual sentence opener.
_NAME_SUFFIXES = frozenset(
    "inc corp co ltd llc l.l.c p.c p.a pllc n.a s.a plc lp llp m.d d.o ph.d r.n n.p d.d.s esq".split()
)
_SENTENCE_STARTERS = frozenset(
    "the this that these those each any all no neither in if such either upon within during "
    "notwithstanding subject for as it its we you our your".split()
)
_SENTENCE_END = re.compile(r"[.!?]+[\"'’”)\]]*(?=\s)|\n[ \t\r]*\n")
_WORD_BEFORE = re.compile(r"(\S+)$")
_NEXT_WORD = re.compile(r"\s*(\S+)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, stripped of surrounding whitespace.

    Blank lines always end a sentence; a single newline is treated as a space
    (wrapped text and table cells read on). Full stops after abbreviations
    ("Inc.", "Sec.", "No.", "U.S."), initials, and numbers that go on ("Section
    5. 3") do not end a sentence; "2.5%" has no space after its point.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group().startswith(".") and not _full_stop_ends_sentence(text, m.start(), m.end()):
            continue
        _append_stripped(text, start, m.end(), spans)
        start = m.end()
    _append_stripped(text, start, len(text), spans)
    return spans


def _full_stop_ends_sentence(text: str, dot: int, after: int) -> bool:
    word_m = _WORD_BEFORE.search(text, max(0, dot - 40), dot)
    word = word_m.group(1).lstrip("\"'“‘([").lower() if word_m else ""
    next_m = _NEXT_WORD.match(text, after)
    next_word = next_m.group(1) if next_m else ""
    if not next_word:
        return True
    if next_word[0].islower():
        return False  # "U.S. patents", "approx. ten"
    if word in _NAME_SUFFIXES:
        return next_word.lower().strip("\"'“(") in _SENTENCE_STARTERS
    if word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
        return False  # "Sec. 4", "J. Smith"
    if re.fullmatch(r"[\d.]+", word) and next_word[0].isdigit():
        return False  # "Section 5. 3", "5. 2. 1."
    return True


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# Sentences longer than WINDOW characters are read in overlapping pieces, so no pattern ever sees more
# than WINDOW characters at once: the work per character is bounded and a scan is linear in the text.
WINDOW = 1200
_OVERLAP = 300


def windows(sentence: str) -> list[str]:
    """The sentence, or overlapping pieces of at most WINDOW characters cut at spaces."""
    if len(sentence) <= WINDOW:
        return [sentence]
    out, start = [], 0
    while start < len(sentence):
        end = min(len(sentence), start + WINDOW)
        if end < len(sentence):
            space = sentence.rfind(" ", start + WINDOW - _OVERLAP, end)
            end = space if space > start else end
        out.append(sentence[start:end])
        if end >= len(sentence):
            break
        start = max(start + 1, end - _OVERLAP)
    return out
