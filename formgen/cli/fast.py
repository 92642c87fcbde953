"""The ``formgen`` entry point. ``formgen validate DEAL`` and ``formgen explain DEAL`` on a valid
deal are answered here without loading typer and its pydantic adapters (start-up is most of what
those commands cost); every other command, and any validate or explain that fails or has options,
goes to the typer app (cli/app.py), which reports it. Both print through the same functions. An
unchanged deal's answer is reused from the answer cache (answer_cache.py), as are those of
``schema`` (``--markdown``) and ``states [CODE]``: each is computed by the typer app the first
time, its output kept when it succeeds.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

from ..errors import FormgenError
from ..settings import Settings, using
from .answer_cache import AnswerCache
from .environment import library_from


def _quick_validate(args: list[str]) -> list[str] | None:
    """The output of ``formgen validate DEAL`` when it succeeds plainly, else None."""
    if len(args) != 2 or args[0] != "validate" or args[1].startswith("-"):
        return None
    deal = Path(args[1])
    library = library_from(os.environ)
    cache = AnswerCache.for_command(args, library, deal)  # keyed before validating: inputs read now are the ones judged
    stored = cache.load() if cache else None
    if stored is not None:
        return stored.split("\n")
    from ..api import validate  # lazy: pydantic's deal models and the drafting stages, on a cache miss only
    from .lines import validate_lines  # lazy: as above (it reads the deal model's placeholders)

    try:
        parsed, rules, findings = validate(deal, library=library)
    except Exception:  # noqa: BLE001 - the typer app runs it again and reports it properly
        return None
    lines = validate_lines(deal, parsed.deal.name, rules, findings)
    if cache:
        cache.store("\n".join(lines))
    return lines


def _quick_explain(args: list[str]) -> str | None:
    """The output of ``formgen explain DEAL`` when it succeeds plainly, else None (kept as the typer
    app's output is kept, so either computes the answer the other reuses)."""
    if len(args) != 2 or args[0] != "explain" or args[1].startswith("-"):
        return None
    deal = Path(args[1])
    library = library_from(os.environ)
    cache = AnswerCache.for_command(args, library, deal)
    stored = cache.load() if cache else None
    if stored is not None:
        return stored
    from ..api import plan  # lazy: pydantic's deal models and the drafting stages, on a cache miss only
    from .explainview import explain_lines  # lazy: as above

    try:
        packet = plan(deal, library=library)
    except Exception:  # noqa: BLE001 - the typer app runs it again and reports it properly
        return None
    output = "".join(f"{line}\n" for line in explain_lines(packet, packet.library.clauses))
    if cache:
        cache.store(output)
    return output


def reusable(args: list[str]) -> tuple[list[str], Path | None] | None:
    """(the command's words, the deal file it reads) when its whole output is a function of its
    inputs and worth keeping: ``explain DEAL``, ``schema [--markdown]``, ``states [CODE]``."""
    if args[:1] == ["explain"] and len(args) == 2 and not args[1].startswith("-"):
        return args, Path(args[1])
    if args in (["schema"], ["schema", "--markdown"], ["states"]):
        return args, None
    if args[:1] == ["states"] and len(args) == 2 and not args[1].startswith("-"):
        return args, None
    return None


def _typer_app() -> None:
    from .app import main as typer_main  # lazy: typer and the command modules, for a computed answer only

    typer_main()


def _answered_from_cache(args: list[str]) -> bool:
    """Print a kept answer of a reusable command, or compute it with the typer app and keep it
    when it succeeds without a word on stderr; False when the command is not one of them."""
    command = reusable(args)
    if command is None:
        return False
    words, deal = command
    cache = AnswerCache.for_command(words, library_from(os.environ), deal)
    if cache is None:
        return False
    stored = cache.load()
    if stored is not None:
        sys.stdout.write(stored)
        return True
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            _typer_app()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.write(out.getvalue())
    sys.stderr.write(err.getvalue())
    if code == 0 and not err.getvalue():
        cache.store(out.getvalue())
    sys.exit(code)


def main() -> None:
    try:
        machine = Settings.from_environment(os.environ)
    except FormgenError:
        return _typer_app()  # it reports the malformed setting
    with using(machine):  # the cache folder, as the typer app's callback would set it
        _main(sys.argv[1:])


def _main(args: list[str]) -> None:
    lines = _quick_validate(args)
    if lines is not None:
        sys.stdout.write("\n".join(lines) + "\n")
        return
    output = _quick_explain(args)
    if output is not None:
        sys.stdout.write(output)
        return
    if _answered_from_cache(args):
        return
    _typer_app()


if __name__ == "__main__":
    main()
