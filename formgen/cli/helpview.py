"""``formgen --help``: the commands in the order a newcomer uses them, each with its whole first
paragraph (click sorts them alphabetically and cuts each description at 45 characters)."""

from __future__ import annotations

import typer.core

# The order a newcomer uses them in; click would sort them alphabetically.
COMMAND_ORDER = (
    "init",
    "validate",
    "generate",
    "explain",
    "regenerate",
    "mark-executed",
    "closing",
    "states",
    "schema",
    "batch",
    "impact",
    "scan",
    "lint",
    "serve",
)


class NewcomerOrder(typer.core.TyperGroup):
    """The command group: commands listed in COMMAND_ORDER, descriptions whole."""

    def list_commands(self, ctx) -> list[str]:
        names = list(self.commands)
        return sorted(names, key=lambda n: COMMAND_ORDER.index(n) if n in COMMAND_ORDER else len(COMMAND_ORDER))

    def format_commands(self, ctx, formatter) -> None:
        # Each command's whole first sentence (click cuts a short help at 45 characters).
        for command in self.commands.values():
            if command.short_help is None and command.help:
                command.short_help = command.help.split("\n\n")[0].replace("\n", " ").strip()
        super().format_commands(ctx, formatter)
