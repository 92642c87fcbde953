"""The deal file's field types: texts a Word document can hold, money and ISO dates (shared by the
deal model and the deal terms)."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import sys
import textwrap
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

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


def _field_docs(body: list[ast.stmt]) -> dict[str, str]:
    """The docstring under each field of a class body (``name: T`` then a string), as pydantic's
    ``use_attribute_docstrings`` reads them."""
    docs, previous = {}, None
    for node in body:
        if (
            isinstance(previous, ast.AnnAssign)
            and isinstance(previous.target, ast.Name)
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            docs[previous.target.id] = inspect.cleandoc(node.value.value)
        previous = node
    return docs


@cache  # a module's source is parsed once, for all its classes
def _module_field_docs(module: str) -> dict[str, dict[str, str]]:
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (KeyError, OSError, TypeError, SyntaxError):
        return {}
    return {node.name: _field_docs(node.body) for node in tree.body if isinstance(node, ast.ClassDef)}


def attribute_docstrings(model: type) -> dict[str, str]:
    """The docstring under each field of ``model``'s own class body."""
    if model.__qualname__ == model.__name__:  # a module's own class
        return _module_field_docs(model.__module__).get(model.__name__, {})
    try:  # a class inside a function or a class
        body = ast.parse(textwrap.dedent(inspect.getsource(model))).body[0]
    except (OSError, TypeError, SyntaxError, IndexError):
        return {}
    return _field_docs(body.body) if isinstance(body, ast.ClassDef) else {}


def describe_fields(schema: dict[str, Any], model: type) -> None:
    """The JSON schema's field descriptions: each field's attribute docstring, from the class that
    declares the field. Read only when a schema is made (``formgen schema``, the web intake), not
    each time the deal models load, as ``use_attribute_docstrings`` would (by reading the source)."""
    declared = [cls for cls in model.__mro__ if issubclass(cls, BaseModel) and "__annotations__" in vars(cls)]
    docs = {cls: attribute_docstrings(cls) for cls in declared}
    for name, prop in schema.get("properties", {}).items():
        owner = next((cls for cls in declared if name in vars(cls)["__annotations__"]), None)
        if owner is not None and name in docs[owner]:
            prop.setdefault("description", docs[owner][name])


class Strict(BaseModel):
    """A deal-file section: unknown keys are errors, values are frozen, docstrings describe fields."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, json_schema_extra=describe_fields, defer_build=True
    )


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
