"""``formgen init``: a commented starter deal file, and the schema beside it for editors."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from ..errors import InputError, Problem

SCHEMA_FILE = "deal.schema.json"


def starter_text() -> str:
    return (files(__package__) / "starter.yaml").read_text(encoding="utf-8")


def write_starter(deal: Path) -> list[Path]:
    """Write ``deal`` (and deal.schema.json beside it when absent); never overwrite the deal."""
    from ..inputs.deal_schema import deal_json_schema

    deal = Path(deal)
    if deal.suffix.lower() not in (".yaml", ".yml"):
        raise InputError([Problem(str(deal), "", "give a file name ending in .yaml or .yml")])
    try:
        with open(deal, "x", encoding="utf-8") as fh:  # "x": fails if it exists, even in a race
            fh.write(starter_text())
    except FileExistsError:
        raise InputError([Problem(str(deal), "", "already exists; formgen init never overwrites a file "
                                  "(give another name)")]) from None
    except OSError as exc:
        raise InputError([Problem(str(deal), "", f"cannot be written: {exc.strerror}")]) from None
    written = [deal]
    schema = deal.parent / SCHEMA_FILE
    if not schema.exists():
        schema.write_text(json.dumps(deal_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(schema)
    return written
