"""Reading a deal file: YAML (or JSON) text -> a validated ``Deal``, or every problem at once.

The YAML is read so that what the user typed is what the model sees (PyYAML's safe loader with
YAML 1.1's surprising implicit types removed): ``054321`` stays the text 054321 (not the octal
number 22737), ``2027-02-30`` reaches the date check as typed (and gets "use YYYY-MM-DD"),
``yes``/``no``/``on``/``off`` are words. Every problem names the file, the YAML line and the
dotted field path, once; a misspelt key gets "did you mean"; an unquoted comma inside
``{name: Raj Patel, M.D.}`` is explained.
"""

from __future__ import annotations

import difflib
import json
import re
import stat
import typing
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem
from .deal import PRACTICE_ENTITY_ALIASES, Deal, semantic_problems

MAX_BYTES = 1_000_000  # a deal file is a few KB; anything near this is the wrong file
MAX_NODES = 20_000  # values after expanding YAML aliases (a deal has a few hundred)
MAX_DIGITS = 30  # no number in a deal is longer; Python refuses to read ints past 4,300 digits
_LONG_NUMBER = re.compile(r"[-+]?[0-9]{%d,}" % (MAX_DIGITS + 1))


@lru_cache(maxsize=1)
def _yaml_loader():
    """SafeLoader with YAML 1.2-style implicit types: true/false, plain decimal numbers, null.
    libyaml's parser where PyYAML has it (several times faster; the same nodes and line marks)."""
    import yaml

    class DealLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    DealLoader.yaml_implicit_resolvers = {}
    for tag, pattern, first in (
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
        ("tag:yaml.org,2002:float", r"^[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?$", "-+0123456789."),
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
    ):
        DealLoader.add_implicit_resolver(tag, re.compile(pattern), list(first))
    return DealLoader


class _Index:
    """Line of every field path, and the keys an unquoted comma split off a flow mapping."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self.split_values: dict[str, tuple[str, str]] = {}  # path of 'M.D.' -> ("name", "Raj Patel")
        self.nodes = 0


def _walk(node, path: str, index: _Index, source: str) -> None:
    import yaml

    index.nodes += 1
    if index.nodes > MAX_NODES:
        raise InputError([Problem(source, "", f"expands to more than {MAX_NODES:,} values (YAML anchors and "
                                  "aliases repeated over and over?); a deal file has a few hundred")])
    index.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode) and not node.style and _LONG_NUMBER.fullmatch(node.value):
        raise InputError([Problem(source, path, f"is a number of {len(node.value.lstrip('+-'))} digits; no value "
                                  f"in a deal has more than {MAX_DIGITS}", node.start_mark.line + 1)])
    if isinstance(node, yaml.MappingNode):
        previous = None
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            index.lines[child] = key.start_mark.line + 1
            plain = isinstance(value, yaml.ScalarNode) and not value.style  # libyaml: "", pure PyYAML: None
            empty = plain and value.value == ""
            if node.flow_style and empty and previous is not None:
                index.split_values[child] = previous
            if plain and value.value:
                previous = (str(key.value), value.value)
            else:
                previous = None
            _walk(value, child, index, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, f"{path}[{i}]", index, source)


def parse_yaml(text: str, source: str) -> tuple[object, _Index]:
    import yaml

    index = _Index()
    loader = _yaml_loader()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, index
        _walk(node, "", index, source)
        return loader.construct_document(node), index
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(source, "", f"is not valid YAML: {what}",
                                  mark.line + 1 if mark else None)]) from None
    except RecursionError:
        raise InputError([Problem(source, "", "is nested too deeply to be a deal file")]) from None
    finally:
        loader.dispose()


def parse_text(text: str, source: str) -> dict:
    """YAML (or JSON, a subset) text -> plain data, or InputError naming the line."""
    return _parse(text, source)[0]


def _parse(text: str, source: str) -> tuple[dict, _Index]:
    index = _Index()
    if source.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(source, "", f"is not valid JSON: {exc.msg}", exc.lineno)]) from None
        except ValueError as exc:  # an integer past Python's 4,300-digit limit
            raise InputError([Problem(source, "", f"holds a number too long to be a deal value ({exc}".split(";")[0]
                                      + ")")]) from None
        except RecursionError:
            raise InputError([Problem(source, "", "is nested too deeply to be a deal file")]) from None
    else:
        data, index = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise InputError([Problem(source, "", "must be a mapping with the sections deal, mso, practice, "
                                  "services, fees and term (see examples/ca_medspa.yaml)")])
    return data, index


def field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def nearest_line(lines: dict[str, int], path: str) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        # Drop the last step: "[3]", ".name" or the first key. A key may be empty ("fees." for a
        # key "" in the file), so a step may be just "."; stop if nothing could be dropped.
        shorter = re.sub(r"(\[\d+\]|\.[^.\[]*|^[^.\[]*)$", "", path)
        if shorter == path:
            break
        path = shorter
    return None


def deal_lines(path: str | Path) -> dict[str, int]:
    """Field path -> YAML line of a deal file (empty for JSON or an unreadable file)."""
    path = Path(path)
    if path.suffix == ".json":
        return {}
    try:
        return parse_yaml(path.read_text(encoding="utf-8"), str(path))[1].lines
    except (OSError, UnicodeDecodeError, InputError):
        return {}


def _model_at(loc: tuple) -> type[BaseModel] | None:
    """The pydantic model whose fields are valid at ``loc`` (the parent of the field in error)."""
    model: object = Deal
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation) -> object:
    """The model inside list[X], X | None, Annotated[X, ...]."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _unknown_field(loc: tuple, index: _Index, path: str) -> str:
    key = str(loc[-1])
    if path in index.split_values:
        prev_key, prev_value = index.split_values[path]
        return (f"is not a field: inside {{...}} a comma ends a value, so {prev_key}: \"{prev_value}, {key}\" "
                f"was cut after '{prev_value}'; put the value in quotes: {prev_key}: \"{prev_value}, {key}\"")
    model = _model_at(loc[:-1])
    known = list(model.model_fields) if model else []
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else (f"; allowed here: {', '.join(known)}" if known else "")
    return f"is not a known field{hint}"


def _describe(error: dict, index: _Index, path: str) -> str:
    kind, msg = error["type"], error["msg"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return _unknown_field(error["loc"], index, path)
    if kind.startswith("value_error"):
        return msg.removeprefix("Value error, ")
    value = error.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind.startswith("date"):
        return f"is not a valid date; use YYYY-MM-DD (got {shown})"
    return f"{msg[0].lower()}{msg[1:]} (got {shown})"


def _normalise_aliases(data: dict) -> None:
    practice = data.get("practice")
    if isinstance(practice, dict) and isinstance(practice.get("entity_type"), str):
        key = practice["entity_type"].strip().lower()
        practice["entity_type"] = PRACTICE_ENTITY_ALIASES.get(key, key)


def deal_from_data(data: dict, source: str, text: str = "", index: _Index | None = None) -> Deal:
    _normalise_aliases(data)
    if index is None:
        index = _parse(text, source)[1] if text and not source.endswith(".json") else _Index()
    try:
        deal = Deal.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
            path = field_path(loc)
            problems.append(Problem(source, path, _describe({**error, "loc": loc}, index, path),
                                    nearest_line(index.lines, path)))
        raise InputError(problems) from None
    semantic = semantic_problems(deal)
    if semantic:
        raise InputError([Problem(source, path, msg, nearest_line(index.lines, path)) for path, msg in semantic])
    return deal


def read_text(path: Path) -> str:
    """A deal (or rule) file's text, or InputError saying why it cannot be one."""
    source = str(path)
    try:
        if path.is_dir():
            raise IsADirectoryError
        if not stat.S_ISREG(path.stat().st_mode):  # /dev/zero, a FIFO: reading would never end
            raise InputError([Problem(source, "", "is not a regular file; give a deal file (.yaml, .yml or .json)")])
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # bounded, whatever stat said
    except FileNotFoundError:
        raise InputError([Problem(source, "", "does not exist")]) from None
    except IsADirectoryError:
        raise InputError([Problem(source, "", "is a folder; give a deal file (.yaml, .yml or .json)")]) from None
    except OSError as exc:
        raise InputError([Problem(source, "", f"cannot be read: {exc.strerror}")]) from None
    if len(data) > MAX_BYTES:
        raise InputError([Problem(source, "", f"is larger than {MAX_BYTES // 1000} KB; a deal file is a few KB: "
                                  "is this the right file?")])
    if b"\0" in data:
        raise InputError([Problem(source, "", "is a binary file, not YAML or JSON text")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem(source, "", "is not UTF-8 text; save it as UTF-8")]) from None


def load_deal(path: str | Path) -> Deal:
    """Read and validate a deal file; raise InputError listing every problem."""
    path = Path(path)
    source = str(path)
    data, index = _parse(read_text(path), source)
    return deal_from_data(data, source, index=index)


