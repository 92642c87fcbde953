"""Text scanner: finds revenue-based and volume-based payment terms in document text.

This is the second line of defence behind the deal-level compliance checks: it
reads rendered text (or a .docx / .txt file) and reports each sentence that ties
a payment to revenue, profits or volume - the shape of illegal fee splitting in
many states.

How a sentence is judged:

1. The text is split into sentences (abbreviation- and decimal-aware).
2. Each sentence is searched for *links*: a rate expression tied to a base,
   e.g. "5% of Net Collections", "a royalty on Net Sales", "share equally all
   revenue", "$50 per patient referred".
3. A link is dropped when its clause negates or prohibits it ("In no event shall
   the fee be based on ... revenue"), when its rate is an audit threshold, a
   liability cap or a discount, when it is a price charged to patients, or when
   it is a distribution to an entity's owners by ownership interest. A cap
   pegged to revenue ("shall not exceed 20% of collections") is still reported.
4. A sentence is reported once per rule that has a surviving link; offsets are
   those of the whole sentence, so ``text[start:end] == matched``.

Files are read in documents.py (``extract_text``, ``scan_files``), so scanning text loads no Word reader.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ..markup import NOTE_PREFIX
from .patterns import (  # noqa: F401 - RULE_* and SEVERITIES are part of the API
    Lazy,
    BASE,
    CLAUSE_BREAK,
    DISCOUNT_AFTER_RATE,
    DISCOUNT_BEFORE_RATE,
    INDEPENDENT_OF,
    LIABILITY_CAP,
    MULTIPLY,
    MULTIPLY_REACH,
    NEGATION_AFTER,
    NEGATION_BEFORE,
    NEGATION_WINDOW,
    OWNER_DISTRIBUTION,
    PATIENT_PRICE,
    PAYMENT_CUE,
    PAYMENT_ON_BASE,
    PROPORTION,
    RATE,
    RATE_IS_CAP,
    RATE_IS_THRESHOLD,
    RATE_OF_BASE,
    RETAINS_ALL,
    RULE_ORDER,
    RULE_PROFIT,
    RULE_REVENUE,
    RULE_VOLUME,
    SEVERITIES,
    SHARE_COMPOUND,
    SHARE_LINK,
    VOLUME_LINK,
    ADVERBIAL_NEGATION,
    FLAGS,
    GAP_BLOCKERS,
    NOT_A_BASE,
    NOT_NEGATION,
    PAYMENT_NOUN,
    PROFIT_BASE,
    REDACTED,
    WHAT,
    WHY,
    may_link,
)
from .sentences import split_sentences, windows  # noqa: F401 - split_sentences is part of the API


@dataclass(frozen=True)
class ScanMatch:
    rule: str  # RULE_REVENUE, RULE_PROFIT or RULE_VOLUME
    matched: str  # the whole sentence
    start: int  # char offsets into the scanned text: text[start:end] == matched
    end: int
    severity: str  # "error" | "warning" | "info", as passed in
    citation: str  # as passed in
    message: str  # what was found and why it matters

    def to_dict(self) -> dict:
        return asdict(self)


# ---------------------------------------------------------------- linking


@dataclass(frozen=True)
class _Link:
    rule: str
    start: int  # offsets within the sentence
    end: int
    rate_start: int  # where the rate (or payment word) is, for threshold checks


def _rule_for_base_text(base_text: str) -> str:
    return RULE_PROFIT if re.fullmatch(PROFIT_BASE, base_text.strip(), FLAGS) else RULE_REVENUE


_RATE_ANCHOR = Lazy(rf"{RATE.pattern}|{REDACTED}", FLAGS)
_PAYMENT_NOUN_ANCHOR = Lazy(rf"\b{PAYMENT_NOUN}\b", FLAGS)
_LIST_LEAD = Lazy(r"[\W\d]*(?:\(?[a-z]{1,4}[.)]\s*)?", FLAGS)  # "", "(a) ", "2. ", "- "


def _gap_ok(gap: str | None) -> bool:
    return not gap or not GAP_BLOCKERS.search(gap)


def _real_base(sentence: str, m: re.Match, group: str | int) -> bool:
    """False for "Internal Revenue Service", "nonprofit", "profit sharing plan" and the like."""
    start, end = m.span(group)
    for other in NOT_A_BASE.finditer(sentence, max(0, start - 25), min(len(sentence), end + 20)):
        if other.start() < end and other.end() > start:
            return False
    return True


def _find_links(sentence: str) -> list[_Link]:
    links: list[_Link] = []
    has_payment = bool(PAYMENT_CUE.search(sentence))
    has_rate = bool(RATE.search(sentence))

    for m in _overlapping(RATE_OF_BASE, sentence, _RATE_ANCHOR):
        # Without a payment word, only a sentence that *is* the rate counts: "25% of Net Revenue."
        if not (has_payment or _LIST_LEAD.fullmatch(sentence[: m.start()])):
            continue
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, "base"):
            links.append(_Link(_rule_for_base_text(m.group("base")), m.start(), m.end(), m.start()))

    for m in _overlapping(PAYMENT_ON_BASE, sentence, _PAYMENT_NOUN_ANCHOR):
        # Royalties and commissions are rates by nature; "fee calculated on" states a formula.
        inherently_a_rate = bool(re.match(r"royalt|commission", m.group("noun"), FLAGS))
        if m.group("conn").lower() == "of" and not inherently_a_rate:
            continue  # "a fee of $500 ..." is an amount, not a base
        if not (inherently_a_rate or m.group("calc") or has_rate):
            continue
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, "base"):
            links.append(_Link(_rule_for_base_text(m.group("base")), m.start(), m.end(), m.start()))

    for m in SHARE_COMPOUND.finditer(sentence):
        base = "base" if m.group("base") else "base2"
        if _gap_ok(m.group("gap")) and _real_base(sentence, m, base):
            links.append(_Link(_rule_for_base_text(m.group(base)), m.start(), m.end(), m.start()))

    for m in SHARE_LINK.finditer(sentence):
        verb_first = bool(m.group("verb"))
        verb = m.group("verb") if verb_first else m.group("verb2")
        base = "base" if verb_first else "base2"
        gap = m.group("gap") if verb_first else m.group("gap2")
        needs_proportion = not re.match(r"shar|split|divid", verb, FLAGS)  # "division of fees" names a topic
        if needs_proportion and not PROPORTION.search(sentence):
            continue
        if _gap_ok(gap) and _real_base(sentence, m, base):
            links.append(_Link(_rule_for_base_text(m.group(base)), m.start(), m.end(), m.start()))

    if has_payment and has_rate:
        for multiply in MULTIPLY.finditer(sentence):
            window = max(0, multiply.start() - MULTIPLY_REACH)
            base = BASE.search(sentence, window, multiply.end() + MULTIPLY_REACH)
            if base and _real_base(sentence, base, 0):
                start, end = min(base.start(), multiply.start()), max(base.end(), multiply.end())
                links.append(_Link(_rule_for_base_text(base.group()), start, end, start))

    if not PATIENT_PRICE.search(sentence):
        for m in VOLUME_LINK.finditer(sentence):
            links.append(_Link(RULE_VOLUME, m.start(), m.end(), m.start()))
    return links


def _overlapping(pattern: re.Pattern, text: str, anchors: re.Pattern):
    """Matches of ``pattern`` starting at each match of ``anchors``, overlapping ones included."""
    for anchor in anchors.finditer(text):
        m = pattern.match(text, anchor.start())
        if m:
            yield m


def _clause_bounds(sentence: str, start: int, end: int) -> tuple[int, int]:
    clause_start, clause_end = 0, len(sentence)
    for brk in CLAUSE_BREAK.finditer(sentence):
        if ADVERBIAL_NEGATION.match(sentence[clause_start : brk.start()]):
            continue
        if brk.end() <= start:
            clause_start = brk.end()
        elif brk.start() >= end:
            clause_end = brk.start()
            break
    return clause_start, clause_end


def _suppressed(sentence: str, link: _Link) -> bool:
    """True when the link is negated or is not a payment at all."""
    clause_start, clause_end = _clause_bounds(sentence, link.start, link.end)
    clause = sentence[clause_start:clause_end]
    window_start = max(clause_start, link.start - NEGATION_WINDOW)
    before = NOT_NEGATION.sub(" ", sentence[window_start : link.end])
    after = NOT_NEGATION.sub(" ", sentence[link.end : clause_end])
    negated = NEGATION_BEFORE.search(before) or NEGATION_AFTER.search(after) or INDEPENDENT_OF.search(clause)
    # "In no event shall the fee exceed 20% of collections" is a cap that still ties the fee to revenue.
    revenue_cap = link.rule != RULE_VOLUME and RATE_IS_CAP.search(sentence[window_start : link.rate_start])
    if negated and not revenue_cap:
        return True
    if link.rule != RULE_VOLUME:
        head = sentence[clause_start : link.rate_start]
        rate_m = RATE.match(sentence, link.rate_start)
        after_rate = sentence[rate_m.end() : link.end] if rate_m else ""
        if RATE_IS_THRESHOLD.search(head) or DISCOUNT_BEFORE_RATE.search(head):
            return True
        if DISCOUNT_AFTER_RATE.search(after_rate):
            return True
        if LIABILITY_CAP.search(clause) or RETAINS_ALL.search(clause):
            return True
        if link.rule == RULE_PROFIT and OWNER_DISTRIBUTION.search(clause):
            return True
    return False


# ---------------------------------------------------------------- API


# Drafting notes print as "[Drafting note: ...]" paragraphs.
DRAFTING_NOTE = Lazy(re.escape(NOTE_PREFIX) + r"[^\n]*")


def scan_text(text: str, *, severity: str = "error", citation: str = "") -> list[ScanMatch]:
    """Sentences of ``text`` that tie a payment to revenue, profits or volume.

    One match per (sentence, rule), ordered by position then rule.
    """
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    matches: list[ScanMatch] = []
    notes = [(m.start(), m.end()) for m in DRAFTING_NOTE.finditer(text)]
    for start, end in split_sentences(text):
        sentence = text[start:end]
        if any(a <= start < b for a, b in notes):
            continue  # a drafting note to the attorney, which may name the removed term, is not contract text
        # Every link needs a revenue/profit base or a per-unit volume term: skip the rest cheaply
        # (a keyword test first, then the regular expressions).
        if not may_link(sentence) or not (BASE.search(sentence) or VOLUME_LINK.search(sentence)):
            continue
        first_phrase: dict[str, str] = {}
        for piece in windows(sentence):  # long sentences in bounded pieces: linear time
            for link in sorted(_find_links(piece), key=lambda ln: (ln.start, ln.end)):
                if link.rule not in first_phrase and not _suppressed(piece, link):
                    first_phrase[link.rule] = " ".join(piece[link.start : link.end].split())
        for rule in RULE_ORDER:
            if rule in first_phrase:
                phrase = first_phrase[rule]
                message = f'{WHAT[rule]}: "{_shorten(phrase)}"; {WHY[rule]}.'
                matches.append(ScanMatch(rule, sentence, start, end, severity, citation, message))
    return matches


def _shorten(phrase: str, limit: int = 120) -> str:
    return phrase if len(phrase) <= limit else phrase[: limit - 1].rstrip() + "…"
