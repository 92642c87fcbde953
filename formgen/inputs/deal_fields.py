"""The deal file's field types: texts a Word document can hold, money and ISO dates (shared by the
deal model and the deal terms)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from ..markup import PRIVATE_USE
from .typed_values import as_iso_date

# Characters Word's XML cannot hold (and that nobody types on purpose).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: str) -> str:
    bad = _XML_ILLEGAL.search(value)
    if bad:
        raise ValueError(
            f"contains the control character U+{ord(bad.group()):04X}, which a Word document "
            "cannot hold; remove it (letters, digits, punctuation, spaces and line breaks are allowed)"
        )
    if PRIVATE_USE.search(value):
        raise ValueError("contains a private-use character (U+E000 to U+F8FF), which has no printed form; remove it")
    value = value.strip()
    if not value:
        raise ValueError("is empty; a non-blank text is required")
    return value


class Strict(BaseModel):
    """A deal-file section: unknown keys are errors, values are frozen, docstrings describe fields."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, use_attribute_docstrings=True)


Name = Annotated[str, Field(max_length=200), AfterValidator(clean_text)]
# An entity's legal name: short enough that "<MSO> and <Practice>" fits the 255 characters a Word
# document's title and subject properties hold (validate refuses what generate could not write).
EntityName = Annotated[str, Field(max_length=120), AfterValidator(clean_text)]
Address = Annotated[str, Field(max_length=400), AfterValidator(clean_text)]
Title = Annotated[str, Field(max_length=120), AfterValidator(clean_text)]
LicenseNumber = Annotated[str, Field(max_length=40), AfterValidator(clean_text)]


_TYPED_NUMBER = re.compile(r"^\s*(\$\s*)?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*(%\s*)?$")


def typed_number(value: object, sign: str = "") -> object:
    """A number as people type it ("$150,000", "35,000", "10%", "10 %") as the bare number; text
    with any other sign, or none of this form, is left for the number check to refuse."""
    if isinstance(value, str) and _TYPED_NUMBER.match(value) and all(s in sign for s in "$%" if s in value):
        return re.sub(r"[\s$,%]", "", value)
    return value


def typed_money(value: object) -> object:
    return typed_number(value, "$")


def typed_percent(value: object) -> object:
    return typed_number(value, "%")


Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), decimal_places=2), BeforeValidator(typed_money)]


# Dates the documents compute from (checklist deadlines, renewal years) stay within these bounds.
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: object) -> object:
    """Only a date or the text YYYY-MM-DD (not 03/01/2027, not a number of seconds)."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and _ISO_DATE.fullmatch(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"is not a real date; use YYYY-MM-DD (got {text})") from None
    suggestion = as_iso_date(text) if isinstance(text, str) else None
    if suggestion and isinstance(text, str):
        read_as = " (read as month/day/year)" if "/" in text and not text[:4].isdigit() else ""
        raise ValueError(f"use YYYY-MM-DD (got {value}): write {suggestion}{read_as}")
    raise ValueError(f"use YYYY-MM-DD (got {value})")


def deal_date(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            f"{value.isoformat()} is out of range; use a date between "
            f"{EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"
        )
    return value
