"""What ``formgen review`` and ``formgen scan`` take: files or folders, and their options."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

ReviewFiles = Annotated[list[Path], typer.Argument(help=".docx, .pdf or .txt files, or folders holding them.")]
StateOpt = Annotated[str, typer.Option("--state", help="The state whose rules apply (two-letter code).")]
AsOfOpt = Annotated[
    Optional[str], typer.Option("--as-of", help="Apply the rules in force on this date (YYYY-MM-DD; default today).")
]
ReviewOut = Annotated[
    Optional[Path], typer.Option("-o", "--out", help="Write review_memo.docx and <name>.redline.docx here.")
]


def scan_targets(paths: list[Path]) -> list[Path]:
    """Folders stand for the .docx, .pdf and .txt files directly in them (Word's ~$ lock files skipped)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p
                for p in path.iterdir()
                if p.suffix.lower() in (".docx", ".pdf", ".txt") and p.is_file() and not p.name.startswith(("~$", "."))
            )
        else:
            out.append(path)
    return out
