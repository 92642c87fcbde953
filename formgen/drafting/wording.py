"""The words the documents print values in: numbers in words, money, dates, lists, blanks and
cross-references (each a plain function of its value)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from ..markup import BLANK_CLOSE, BLANK_OPEN, REF_CLOSE, REF_OPEN

_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    if n < 20:
        return _SMALL[n]
    if n < 100:
        return _TENS[n // 10 - 2] + ("" if n % 10 == 0 else "-" + _SMALL[n % 10])
    if n < 1000:
        rest = n % 100
        return _SMALL[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    return f"{n:,}"


def words(n: int) -> str:
    """5 -> 'five (5)', the contract convention for numbers."""
    return f"{number_words(int(n))} ({int(n)})"


def money(amount: Decimal | int | None) -> str:
    if amount is None:
        return placeholder("amount")
    return f"${Decimal(amount):,.2f}"


def pct(value: Decimal | int | None) -> str:
    if value is None:
        return placeholder("percentage")
    text = f"{Decimal(value).normalize():f}"
    return f"{text}%"


def longdate(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def names(items: Iterable[object]) -> str:
    texts = [str(i) for i in items]
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def indefinite(phrase: str) -> str:
    """'Ohio limited liability company' -> 'an Ohio limited liability company'."""
    phrase = str(phrase)
    vowel_sound = phrase[:1].lower() in "aeio" or phrase.lower().startswith(("hour", "honest", "honor", "heir"))
    return ("an " if vowel_sound else "a ") + phrase


def placeholder(text: str) -> str:
    """A blank the attorney fills in: "[text]", highlighted in the document so none is missed."""
    return f"{BLANK_OPEN}[{text}]{BLANK_CLOSE}"


def filled(value: object, label: str) -> str:
    """A deal value as the documents print it, or the highlighted blank "[label]" when the deal leaves it out."""
    if value is None:
        return placeholder(label)
    if isinstance(value, dt.date):
        return longdate(value)
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def ref(target: str) -> str:
    return f"{REF_OPEN}{target}{REF_CLOSE}"
