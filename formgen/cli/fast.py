"""The ``formgen`` entry point. ``formgen validate DEAL`` on a valid deal is answered here without
loading typer and its pydantic adapters (start-up is most of what that command costs); every
other command, and any validate that fails or has options, goes to the typer app (cli/app.py),
which reports it. Both print through the same functions below. An unchanged deal's answer is
reused from the answer cache (answer_cache.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

from .lines import validate_lines

def _quick_validate(args: list[str]) -> list[str] | None:
    """The output of ``formgen validate DEAL`` when it succeeds plainly, else None."""
    if len(args) != 2 or args[0] != "validate" or args[1].startswith("-"):
        return None
    import os

    from .answer_cache import AnswerCache
    from .environment import library_from

    deal = Path(args[1])
    library = library_from(os.environ)
    cache = AnswerCache.for_deal(deal, library)  # keyed before validating: inputs read now are the ones judged
    stored = cache.load() if cache else None
    if stored is not None:
        return stored.split("\n")
    from ..api import validate

    try:
        parsed, rules, findings = validate(deal, library=library)
    except Exception:  # noqa: BLE001 - the typer app runs it again and reports it properly
        return None
    lines = validate_lines(deal, parsed.deal.name, rules, findings)
    if cache:
        cache.store("\n".join(lines))
    return lines


def main() -> None:
    lines = _quick_validate(sys.argv[1:])
    if lines is not None:
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from .app import main as typer_main

    typer_main()


if __name__ == "__main__":
    main()
