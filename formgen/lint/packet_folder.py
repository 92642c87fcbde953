"""`formgen lint OUT`: a built packet's documents, as they are on disk (a lawyer's edits included),
checked for shared terms stated differently (drafting/consistency.py)."""

from __future__ import annotations

from pathlib import Path

from ..drafting.consistency import consistency_findings
from ..errors import InputError, Problem
from ..word.ooxml import docx_text


def packet_problems(folder: Path) -> list[Problem]:
    """One problem per shared term the packet's documents state differently."""
    folder = Path(folder)
    # regular files only: a symbolic link in a packet that travelled could point anywhere
    documents = (
        sorted(p for p in folder.glob("*.docx") if p.is_file() and not p.is_symlink()) if folder.is_dir() else []
    )
    if not documents:
        raise InputError(
            [
                Problem(
                    str(folder),
                    "",
                    "is not a packet folder: give the folder formgen generate "
                    "wrote (it holds the documents' .docx files)",
                )
            ]
        )
    texts = {}
    for path in documents:
        try:
            texts[path.stem] = docx_text(path.read_bytes(), rows=True)  # table rows as the drafts write them
        except Exception as exc:  # noqa: BLE001 - a damaged file is reported, not a crash
            raise InputError([Problem(str(path), "", f"cannot be read as a Word document ({exc})")]) from None
    return [Problem(str(folder), finding.rule, finding.message) for finding in consistency_findings(texts)]
