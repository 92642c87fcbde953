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
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..errors import InputError, Problem
from .deal import PRACTICE_ENTITY_ALIASES, Deal, semantic_problems
from .deal_repair import (
    DealInputError,
    depends_on_unsure,
    field_path,
    model_at,
    partial_deal,
)

MAX_BYTES = 1_000_000  # a deal file is a few KB; anything near this is the wrong file
MAX_NODES = 20_000  # values after expanding YAML aliases (a deal has a few hundred)
MAX_DIGITS = 30  # no number in a deal is longer; Python refuses to read ints past 4,300 digits
_LONG_NUMBER = re.compile(r"[-+]?[0-9]{%d,}" % (MAX_DIGITS + 1))


@lru_cache(maxsize=1)
def _yaml_loader() -> type:
    """SafeLoader with YAML 1.2-style implicit types: true/false, plain decimal numbers, null.
    libyaml's parser where PyYAML has it (several times faster; the same nodes and line marks)."""
    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class DealLoader(base):  # type: ignore[misc]  # libyaml's loader where PyYAML has it
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


def _walk(node: Any, path: str, index: _Index, source: str) -> None:
    index.nodes += 1
    if index.nodes > MAX_NODES:
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    f"expands to more than {MAX_NODES:,} values (YAML anchors and "
                    "aliases repeated over and over?); a deal file has a few hundred",
                )
            ]
        )
    index.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.ScalarNode) and not node.style and _LONG_NUMBER.fullmatch(node.value):
        raise InputError(
            [
                Problem(
                    source,
                    path,
                    f"is a number of {len(node.value.lstrip('+-'))} digits; no value "
                    f"in a deal has more than {MAX_DIGITS}",
                    node.start_mark.line + 1,
                )
            ]
        )
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
        hint = yaml_hint(text, mark.line, mark.column) if mark else ""
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    f"is not valid YAML: {what}" + (f"; {hint}" if hint else ""),
                    mark.line + 1 if mark else None,
                )
            ]
        ) from None
    except RecursionError:
        raise InputError([Problem(source, "", "is nested too deeply to be a deal file")]) from None
    finally:
        loader.dispose()


def _key_column(line: str) -> int:
    """Where a line's key starts: after its indent and any list dashes ("    - name: A" -> 6)."""
    return len(line) - len(line.lstrip(" -"))


def yaml_hint(text: str, line: int, column: int) -> str:
    """What to change, for the YAML mistakes people make by hand: a tab, a key out of line with
    the keys beside it, an unquoted ': ' inside a value ('' when none of these fits)."""
    lines = text.split("\n")
    here = lines[line] if line < len(lines) else ""
    if "\t" in here[: max(column, len(here) - len(here.lstrip(" \t"))) + 1]:
        return (
            f"line {line + 1} holds a tab; YAML indents with spaces only: replace the tab with spaces "
            "(two for each level)"
        )
    above = next(
        (lines[i] for i in range(line - 1, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")), ""
    )
    indent, above_key = len(here) - len(here.lstrip(" ")), _key_column(above)
    opens_block = above.rstrip().endswith(":") or above.rstrip().endswith("-")
    if here.strip() and above and not opens_block and indent != above_key and indent > 0:
        return (
            f"line {line + 1} starts after {indent} spaces but the line above after {above_key}: keys of one "
            f"section start in the same column (indent this line by {above_key} spaces)"
        )
    key, sep, value = here.strip().lstrip("- ").partition(": ")
    if sep and ": " in value and not value.lstrip().startswith(("'", '"', "{", "[")):
        return f"a value holding ': ' must be in quotes: {key}: \"{value.strip()}\""
    return ""


def parse_text(text: str, source: str) -> dict[str, Any]:
    """YAML (or JSON, a subset) text -> plain data, or InputError naming the line."""
    return _parse(text, source)[0]


def _parse(text: str, source: str) -> tuple[dict[str, Any], _Index]:
    index = _Index()
    if source.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(source, "", f"is not valid JSON: {exc.msg}", exc.lineno)]) from None
        except ValueError as exc:  # an integer past Python's 4,300-digit limit
            raise InputError(
                [Problem(source, "", f"holds a number too long to be a deal value ({exc}".split(";")[0] + ")")]
            ) from None
        except RecursionError:
            raise InputError([Problem(source, "", "is nested too deeply to be a deal file")]) from None
    else:
        data, index = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    "must be a mapping with the sections deal, mso, practice, "
                    "services, fees and term (see examples/ca_medspa.yaml)",
                )
            ]
        )
    return data, index


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


def _close_field(loc: tuple[str | int, ...]) -> tuple[list[str], list[str]]:
    """(the fields allowed beside an unknown key, the one it is probably a misspelling of)."""
    model = model_at(loc[:-1])
    known = list(model.model_fields) if model else []
    return known, difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)


def _misspelt_targets(errors: list[ErrorDetails]) -> set[str]:
    """Paths of required fields reported missing only because their key is misspelt (said once, on
    the misspelt key's line, with "did you mean")."""
    out = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            close = _close_field(error["loc"])[1]
            if close:
                out.add(field_path((*error["loc"][:-1], close[0])))
    return out


def _unknown_field(loc: tuple[str | int, ...], index: _Index, path: str) -> str:
    key = str(loc[-1])
    if path in index.split_values:
        prev_key, prev_value = index.split_values[path]
        return (
            f'is not a field: inside {{...}} a comma ends a value, so {prev_key}: "{prev_value}, {key}" '
            f"was cut after '{prev_value}'; put the value in quotes: {prev_key}: \"{prev_value}, {key}\""
        )
    known, close = _close_field(loc)
    hint = f"; did you mean '{close[0]}'?" if close else (f"; allowed here: {', '.join(known)}" if known else "")
    return f"is not a known field{hint}"


def _describe(error: ErrorDetails, index: _Index, path: str) -> str:
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


def _normalise_aliases(data: dict[str, Any]) -> None:
    practice = data.get("practice")
    if isinstance(practice, dict) and isinstance(practice.get("entity_type"), str):
        key = practice["entity_type"].strip().lower()
        practice["entity_type"] = PRACTICE_ENTITY_ALIASES.get(key, key)


@lru_cache(maxsize=1)
def _stand_in_deal() -> dict[str, Any]:
    """Stand-in values for fields that failed: the starter deal `formgen init` writes (data read
    from the CLI's package, not code imported from it)."""
    data, _ = parse_yaml((files("formgen.cli") / "starter.yaml").read_text(encoding="utf-8"), "starter.yaml")
    assert isinstance(data, dict)  # the shipped starter is a mapping
    return data


def deal_from_data(data: dict[str, Any], source: str, text: str = "", index: _Index | None = None) -> Deal:
    """The validated deal, or DealInputError with every model and cross-field problem at once
    (the cross-field rules run on the parts that parsed)."""
    _normalise_aliases(data)
    if index is None:
        index = _parse(text, source)[1] if text and not source.endswith(".json") else _Index()
    problems: list[Problem] = []
    unsure: frozenset[str] = frozenset()
    deal: Deal | None
    try:
        deal = Deal.model_validate(data)
    except ValidationError as exc:
        misspelt = _misspelt_targets(exc.errors())
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
            path = field_path(loc)
            if error["type"] == "missing" and path in misspelt:
                continue
            problems.append(
                Problem(source, path, _describe({**error, "loc": loc}, index, path), nearest_line(index.lines, path))
            )
        deal, unsure = partial_deal(data, exc.errors(), _stand_in_deal())
    if deal is not None:
        problems += [
            Problem(source, path, msg, nearest_line(index.lines, path))
            for path, msg in semantic_problems(deal)
            if not depends_on_unsure(path, unsure)
        ]
    if problems or deal is None:
        raise DealInputError(sort_problems(problems), deal, unsure)
    return deal


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """In file order (problems of the whole file first)."""
    return sorted(problems, key=lambda p: p.line or 0)


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
        raise InputError(
            [
                Problem(
                    source,
                    "",
                    f"is larger than {MAX_BYTES // 1000} KB; a deal file is a few KB: is this the right file?",
                )
            ]
        )
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
