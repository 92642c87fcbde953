"""What `formgen lint` checks (the library, or a built packet) and what it prints."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import typer

from ..counts import plural


def lint_check(packet: Path | None, library, clauses: Path | None, templates: Path | None):
    """The check to run and the line that says it passed (``clauses`` / ``templates``: folders
    to check instead of ``library``'s)."""
    if packet is not None:
        from ..lint.packet_folder import packet_problems  # lazy: only the command that runs loads its modules

        return partial(
            packet_problems, packet
        ), f"formgen lint: the documents in {packet} state their shared terms alike"
    from ..lint import lint  # lazy: only the command that runs loads its modules

    from ..inputs.library import Library  # lazy: only the command that runs loads its modules

    if clauses is not None or templates is not None:
        library = Library(
            Path(clauses or library.clauses_dir).resolve(),
            library.states_dir,
            Path(templates or library.templates_dir).resolve(),
            library.examples_dir,
        )
    return partial(lint, library), "formgen lint: clause library, templates and state rules are consistent"


def print_lint(problems: list, passed: str) -> None:
    """Each problem on stderr and exit 1, or the passing line."""
    if problems:
        typer.echo(f"formgen lint: {plural(len(problems), 'problem')}:", err=True)
        for problem in problems:
            typer.echo(f"- {problem}", err=True)
        raise typer.Exit(1)
    typer.echo(passed)
