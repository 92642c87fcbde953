"""Every problem of a deal file in one pass: when the model rejects some values, the deal is
validated again with each bad value removed (unknown keys, optional fields) or replaced by a
stand-in, so that the cross-field and state rules can still judge the parts that parsed. A problem
found on a stand-in, or on a rule that reads one, is not reported (the bad value already is)."""

from __future__ import annotations

import copy
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ..errors import InputError, Problem
from .deal import Deal


def field_path(loc: tuple[str | int, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def model_at(loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The pydantic model whose fields are valid at ``loc`` (the parent of the field in error)."""
    model: object = Deal
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        model = inner_model(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def inner_model(annotation: Any) -> object:
    """The model inside list[X], X | None, Annotated[X, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = inner_model(arg)
        if found is not None:
            return found
    return None


class DealInputError(InputError):
    """A deal file's problems, every one found in one pass. ``partial`` is the deal with each bad
    value set to a stand-in (None when none could be made), so that later checks (the state's
    rules) can still report on the parts that parsed; ``unsure`` the paths that hold stand-ins."""

    def __init__(self, problems: list[Problem], partial: Deal | None = None, unsure: frozenset[str] = frozenset()):
        super().__init__(problems)
        self.partial = partial
        self.unsure = unsure

    def trusts(self, path: str) -> bool:
        """Does a problem found at ``path`` of ``partial`` rest only on values the file gave?"""
        return not depends_on_unsure(path, self.unsure)


# A cross-field check at the left path also reads the fields under the right one.
_ALSO_READS = {
    "practice.formation_state": ("deal.state",),
    "fees.": ("fees.",),
    "services[": ("services[",),
    "mso.members[": ("mso.members[",),
    "practice.owners[": ("practice.owners[",),
}


def depends_on_unsure(path: str, unsure: frozenset[str]) -> bool:
    def related(a: str, b: str) -> bool:
        return a == b or a.startswith((b + ".", b + "[")) or b.startswith((a + ".", a + "["))

    also = [p for key, reads in _ALSO_READS.items() if path.startswith(key) for p in reads]
    return any(related(path, u) or any(u.startswith(p) for p in also) for u in unsure)


def value_at(data: Any, loc: tuple[str | int, ...]) -> Any:
    """The value at ``loc``; a list index past the end reads the last item (a stand-in for any item)."""
    for part in loc:
        if isinstance(part, int):
            if not isinstance(data, list) or not data:
                return None
            data = data[min(part, len(data) - 1)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data


def is_required(loc: tuple[str | int, ...]) -> bool:
    model = model_at(loc[:-1])
    name = loc[-1]
    if model is None or isinstance(name, int) or name not in model.model_fields:
        return True
    return model.model_fields[name].is_required()


def _patch(data: dict[str, Any], errors: list[ErrorDetails], unsure: set[str], stand_in: dict[str, Any]) -> bool:
    """Remove unknown keys and bad optional values, set bad required ones to the stand-in's; False
    when a value has no stand-in."""
    for error in errors:
        loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
        if not loc:
            return False
        parent = value_at(data, loc[:-1]) if len(loc) > 1 else data
        if error["type"] == "extra_forbidden" or (not is_required(loc) and not isinstance(loc[-1], int)):
            if isinstance(parent, dict):
                parent.pop(str(loc[-1]), None)
                continue
            return False
        value = value_at(stand_in, loc)
        if value is None or not isinstance(parent, (dict, list)):
            return False
        key = loc[-1]
        if isinstance(parent, list):
            if not (isinstance(key, int) and key < len(parent)):
                return False
            parent[key] = copy.deepcopy(value)
        else:
            parent[str(key)] = copy.deepcopy(value)
        unsure.add(field_path(loc))
    return True


def partial_deal(
    data: dict[str, Any], errors: list[ErrorDetails], stand_in: dict[str, Any]
) -> tuple[Deal | None, frozenset[str]]:
    """The deal with every failing value removed or replaced by ``stand_in``'s value at the same
    path (for a list item, the stand-in's item at that index or its last), or None."""
    data, unsure = copy.deepcopy(data), set[str]()
    for _ in range(4):  # a replaced section may reveal errors inside its stand-in's neighbours
        if not _patch(data, errors, unsure, stand_in):
            return None, frozenset(unsure)
        try:
            return Deal.model_validate(data), frozenset(unsure)
        except ValidationError as exc:
            errors = exc.errors()
    return None, frozenset(unsure)
