"""Form answers <-> the deal data, field by field as the interview describes them.

Form names are concrete field paths ("practice.owners[1].license.type"), the same paths the
loader's problems name, so an error lands beside its field. Answers are merged into the draft in
place: a value that did not change is not touched, so comments and layout of a deal file that
came from disk survive (ruamel.yaml round-trip objects).
"""

from __future__ import annotations

import datetime as dt
import re

from pydantic import TypeAdapter, ValidationError

from ..inputs.clinical import Treatment
from ..inputs.deal_fields import typed_number
from .interview import Field, Step

IV_THERAPY = Treatment.iv_therapy.value
_YES_NO = TypeAdapter(bool)
_INT = re.compile(r"^[+-]?[0-9]+$")
_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")


def _scalar(fld: Field, raw: str | None):
    """A form string as the value a deal file would hold; None for a blank answer.
    Text that is not a number stays text, so the loader reports it with its own message."""
    if fld.kind == "bool":
        return raw is not None
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "":
        return None
    if fld.kind in ("number", "integer"):
        if len(raw) > 40:  # no answer is that long a number: the loader says what is wrong with it
            return raw
        raw = typed_number(raw, "%" if "percent" in fld.name else "$")  # stored as the number, as the CLI reads it
        if _INT.match(raw):
            return int(raw)
        if _NUMBER.match(raw):
            return float(raw)
        return raw
    if fld.kind == "date":
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            return raw
    return raw


def _indexes(form, path: str) -> list[int]:
    pattern = re.compile(re.escape(path) + r"\[([0-9]{1,3})\]")  # at most 1000 owners or members
    found = {int(m.group(1)) for key in form.keys() for m in [pattern.match(key)] if m}
    return sorted(found)


def read_field(fld: Field, form, path: str):
    """The answer to one field (path is the concrete one); None when left blank."""
    if fld.kind == "object":
        out = {c.name: read_field(c, form, f"{path}.{c.name}") for c in fld.children}
        return {k: v for k, v in out.items() if v is not None} or None
    if fld.kind == "group":
        items = [read_field_object(fld, form, f"{path}[{i}]") for i in _indexes(form, path)]
        return items
    if fld.kind == "multi":
        return [v for v in form.getlist(path) if v]
    return _scalar(fld, form.get(path))


def read_field_object(group: Field, form, path: str) -> dict:
    out = {c.name: read_field(c, form, f"{path}.{c.name}") for c in group.children}
    return {k: v for k, v in out.items() if v is not None}


def merge(target, key, value) -> None:
    """Set target[key] = value, in place where both are mappings or lists (comments survive)."""
    if value is None:
        if key in target and target[key] is not None:  # "key: null  # comment" stays as written
            del target[key]
        return
    old = target.get(key) if isinstance(target, dict) else None
    if isinstance(old, dict) and isinstance(value, dict):
        for k in [k for k in old if k not in value]:
            del old[k]
        for k, v in value.items():
            merge(old, k, v)
    elif isinstance(old, list) and isinstance(value, list):
        del old[len(value) :]
        for index, item in enumerate(value):
            if index < len(old) and isinstance(old[index], dict) and isinstance(item, dict):
                holder = {"x": old[index]}
                merge(holder, "x", item)
            elif index < len(old):
                if old[index] != item:
                    old[index] = item
            else:
                old.append(item)
    elif old != value or type(old) is not type(value):
        target[key] = value


def apply_step(data, step: Step, form) -> None:
    """Merge one step's answers into the draft."""
    for fld in step.fields:
        merge(data, fld.name, read_field(fld, form, fld.name))


def as_the_interview_asks(data) -> None:
    """Bring a draft, in place, to the form the interview asks it in. The legacy flag
    ``deal.offers_iv_therapy: true`` is IV therapy among the treatments (the deal model reads it
    so); the interview asks only the treatments, so the flag shows as that box ticked and goes.
    An explicit false with iv_therapy listed stays, for validation to report."""
    info = data.get("deal") if isinstance(data, dict) else None
    if not isinstance(info, dict) or "offers_iv_therapy" not in info:
        return
    treatments = data.get("treatments")
    if treatments is None:
        treatments = []
    try:
        flag = _YES_NO.validate_python(info["offers_iv_therapy"])  # "yes" reads as the model reads it
    except ValidationError:
        return  # left as written for validation to name
    if not isinstance(treatments, list):
        return
    if flag and IV_THERAPY not in treatments:
        treatments.append(IV_THERAPY)
        data["treatments"] = treatments
    if flag or IV_THERAPY not in treatments:
        del info["offers_iv_therapy"]


def value_at(data, path: str):
    """The draft's value at a concrete path, or None."""
    node = data
    for part in re.findall(r"[^.\[\]]+|\[[0-9]+\]", path):
        if part.startswith("["):
            index = int(part[1:-1]) if len(part) < 8 else -1
            node = node[index] if isinstance(node, list) and 0 <= index < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def shown(value) -> str:
    """A value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date,)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def group_add(data, path: str, group: Field | None) -> None:
    """Append an empty item to a repeating group (owners, members)."""
    items = value_at(data, path)
    if not isinstance(items, list):
        parent_path, _, name = path.rpartition(".")
        parent = value_at(data, parent_path) if parent_path else data
        if not isinstance(parent, dict):
            return
        parent[name] = []
        items = parent[name]
    items.append({})


def group_remove(data, path: str, index: int):
    """Remove one item of a repeating group; the item removed (None when there was none)."""
    items = value_at(data, path)
    if isinstance(items, list) and 0 <= index < len(items):
        return plain_data(items.pop(index))
    return None


def group_insert(data, path: str, index, item) -> None:
    """Put a removed item back where it was (Undo)."""
    if not isinstance(item, dict):
        return
    group_add(data, path, None)
    items = value_at(data, path)
    items.pop()
    position = index if isinstance(index, int) and 0 <= index <= len(items) else len(items)
    items.insert(position, item)


def item_name(item) -> str:
    """How a removed owner or member is named in the Undo offer."""
    name = item.get("name") if isinstance(item, dict) else None
    return name if isinstance(name, str) else ""


def plain_data(value):
    """Round-trip data as plain dicts, lists and scalars (dates as ISO text)."""
    if isinstance(value, dict):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain_data(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
