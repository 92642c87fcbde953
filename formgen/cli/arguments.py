"""Command-line arguments read the way a person types them: a state by its name or code, and
the default output folder named after the deal."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.typed_values import not_a_state, state_code_of
from ..inputs.deal_loader import load_deal


def state_argument(text: str) -> str:
    """ "Texas", "tx" or "TX" -> "TX"; InputError naming the nearest state otherwise."""
    code = state_code_of(text)
    if code is None:
        raise InputError([Problem("state", "", not_a_state(text))])
    return code


def default_out_name(deal_path: Path) -> str:
    """The packet folder's name when generate has no -o: the deal's name as a file name
    ("Lone Star Aesthetics" -> lone-star-aesthetics), else the deal file's stem."""
    name = load_deal(deal_path).deal.name
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or Path(deal_path).stem
