"""``formgen init``: a commented starter deal file, and the schema beside it for editors; and the
starter's placeholder values, which validate and generate warn about until they are replaced."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.deal_loader import parse_yaml, read_text

# In a folder of its own, so that `formgen batch` on the deals folder never takes it for a deal.
SCHEMA_FILE = Path("schema") / "deal.schema.json"
_PLACEHOLDER_MARK = re.compile(r"#\s*placeholder\b")


def starter_text() -> str:
    return (files(__package__) / "starter.yaml").read_text(encoding="utf-8")


def write_starter(deal: Path) -> list[Path]:
    """Write ``deal`` (and schema/deal.schema.json beside it when absent); never overwrite the deal."""
    from ..inputs.deal_schema import deal_json_schema  # lazy: only the command that runs loads its modules

    deal = Path(deal)
    if deal.suffix.lower() not in (".yaml", ".yml"):
        raise InputError([Problem(str(deal), "", "give a file name ending in .yaml or .yml")])
    try:
        deal.parent.mkdir(parents=True, exist_ok=True)  # `formgen init deals/new.yaml` in a fresh folder
        with open(deal, "x", encoding="utf-8") as fh:  # "x": fails if it exists, even in a race
            fh.write(starter_text())
    except FileExistsError:
        raise InputError(
            [Problem(str(deal), "", "already exists; formgen init never overwrites a file (give another name)")]
        ) from None
    except OSError as exc:
        raise InputError([Problem(str(deal), "", f"cannot be written: {exc.strerror}")]) from None
    written = [deal]
    schema = deal.parent / SCHEMA_FILE
    if not schema.exists():
        schema.parent.mkdir(exist_ok=True)
        schema.write_text(
            json.dumps(deal_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(schema)
    return written


@dataclass(frozen=True)
class Placeholder:
    path: str  # field path, e.g. "deal.name"
    value: object  # the starter's value, still in the deal file
    line: int | None  # its line in the deal file


@lru_cache(maxsize=1)
def starter_placeholders() -> dict[str, object]:
    """Field path -> the starter's value, for each line of the starter marked ``# placeholder``."""
    text = starter_text()
    data, index = parse_yaml(text, "starter.yaml")
    marked = {n for n, line in enumerate(text.split("\n"), start=1) if _PLACEHOLDER_MARK.search(line)}
    out = {}
    for path, line in index.lines.items():
        value = _value_at(data, path)
        if line in marked and not isinstance(value, (dict, list)):
            out[path] = value
    return out


def placeholders_left(deal_path: Path) -> list[Placeholder]:
    """The starter's placeholder values a deal file still holds ([] for JSON or an unreadable file)."""
    deal_path = Path(deal_path)
    if deal_path.suffix.lower() == ".json":
        return []
    try:
        data, index = parse_yaml(read_text(deal_path), str(deal_path))
    except InputError:
        return []
    return [
        Placeholder(path, value, index.lines.get(path))
        for path, value in starter_placeholders().items()
        if _value_at(data, path) == value
    ]


def placeholders_json(deal_path: Path) -> list[dict]:
    return [{"path": p.path, "line": p.line, "value": p.value} for p in placeholders_left(deal_path)]


def placeholder_lines(deal_path: Path, left: list[Placeholder]) -> list[str]:
    """One warning line naming each placeholder left and its line ([] when none is)."""
    from ..counts import plural  # lazy: only the command that runs loads its modules

    if not left:
        return []
    verb = "is" if len(left) == 1 else "are"
    where = ", ".join(f"{p.path} (line {p.line})" for p in left)
    return [
        f"  WARN  placeholder: {deal_path}: {plural(len(left), 'value')} {verb} still the starter's examples; "
        f"replace {'it' if len(left) == 1 else 'them'}: {where}"
    ]


def _value_at(data, path: str):
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(data, list) or index >= len(data):
                return None
            data = data[index]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return None
    return data
