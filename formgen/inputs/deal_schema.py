"""The deal file's JSON Schema, generated from the same pydantic model that validates it, then
widened to what the loader accepts: entity-type short forms, state codes in either case,
license numbers typed as numbers; and amounts typed as text must look like numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._version import __version__
from .deal import PRACTICE_ENTITY_ALIASES, Deal
from .typed_values import JURISDICTIONS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = f"urn:formgen:deal-schema:{__version__}"  # a name, not a download: the file ships beside the examples
NUMBER_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$"


def _state_codes() -> dict[str, Any]:
    codes = sorted(JURISDICTIONS)
    names = [JURISDICTIONS[c] for c in codes]
    return {
        "type": "string",
        "enum": codes + [c.lower() for c in codes] + names + [n.lower() for n in names] + [n.upper() for n in names],
        "description": "A two-letter US postal code or DC (any letter case), or the state's name (Texas): "
        + ", ".join(codes)
        + ".",
    }


def _walk(node: Any, fix: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        fix(node)
        for value in node.values():
            _walk(value, fix)
    elif isinstance(node, list):
        for value in node:
            _walk(value, fix)


def _plain_ref(node: dict[str, Any]) -> None:
    """Older pydantic wraps a described reference as {"allOf": [{"$ref": ...}]}; newer writes the
    $ref itself. One shape, so the schema is the same whichever pydantic the floors allow."""
    options = node.get("allOf")
    if isinstance(options, list) and len(options) == 1 and set(options[0]) == {"$ref"}:
        del node["allOf"]
        node["$ref"] = options[0]["$ref"]


def _number_text(node: dict[str, Any]) -> None:
    """Decimal fields: {"anyOf": [number, string]}: the string must be a number in digits."""
    options = node.get("anyOf")
    if isinstance(options, list) and any(o.get("type") == "number" for o in options):
        for option in options:
            if option.get("type") == "string" and "pattern" not in option:
                option["pattern"] = NUMBER_TEXT


_STATE_FIELDS = ("state", "formation_state")


def deal_json_schema() -> dict[str, Any]:
    schema = Deal.model_json_schema()
    defs = schema["$defs"]
    entity = defs["PracticeEntityType"]
    aliases = sorted(PRACTICE_ENTITY_ALIASES)
    entity["enum"] = entity["enum"] + aliases + sorted({a.upper() for a in aliases} - set(aliases))
    entity["description"] = (
        "The practice's entity form. Accepted short forms: "
        + ", ".join(f"{a} ({v})" for a, v in sorted(PRACTICE_ENTITY_ALIASES.items()))
        + "."
    )
    for model in defs.values():
        for field, prop in model.get("properties", {}).items():
            if field in _STATE_FIELDS:
                description = prop.get("description", "")
                prop.clear()
                prop.update({"$ref": "#/$defs/StateCode"}, description=description)
    defs["StateCode"] = _state_codes()
    number = defs["License"]["properties"]["number"]
    number["type"] = ["string", "integer"]
    _walk(schema, _number_text)
    _walk(schema, _plain_ref)
    descriptions = {
        "MsoEntityType": "llc or corporation.",
        "Service": "One of the services the MSO provides.",
        "FeeBasis": "How the fee is computed.",
        "LicenseType": "The license's profession.",
    }
    for name, text in descriptions.items():
        defs[name].setdefault("description", text)
    return {"$schema": SCHEMA_DIALECT, "$id": SCHEMA_ID, **schema}
