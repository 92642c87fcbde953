"""A contract formgen did not write, reviewed within a matter (``formgen review`` on the web).

The upload is kept only inside the matter's folder (``<matter>/contract/``: the file under a fixed
name and ``contract.json`` with the name the user gave it, the state and the date), so deleting the
matter deletes it; a new upload replaces it. The review itself is ``formgen.api.review``, read with
the bounded readers (word/bounded.py for a .docx); the memo and the redline are made on request
from the kept file, the same bytes each time.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..api import review as review_contract
from ..errors import FormgenError, InputError, Problem
from ..scan.categories import CAPTIONS
from ..scan.review import Finding, Review

SUFFIXES = (".docx", ".pdf", ".txt")
FOLDER = "contract"
META = "contract.json"


@dataclass(frozen=True)
class Kept:
    """The contract a matter holds: the file on disk and what the user told us about it."""

    path: Path
    name: str  # as uploaded, only ever shown
    state: str
    as_of: dt.date


@dataclass
class Section:
    """The findings of one section of the contract, in document order."""

    number: str
    caption: str
    findings: list[Finding]


def suffix_of(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def parse_date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if isinstance(text, str) and text else None
    except ValueError:
        return None


def keep(matter_folder: Path, name: str, data: bytes, state: str, as_of: dt.date, library) -> tuple[Kept, Review]:
    """Review the upload and keep it in the matter; InputError (nothing kept, the previous contract
    untouched) when it cannot be read, with the user's file name in the message."""
    suffix = suffix_of(name)
    if suffix not in SUFFIXES:
        raise InputError([Problem(name, "", f"cannot review this kind of file; upload a {', '.join(SUFFIXES)} file")])
    folder = matter_folder / FOLDER
    folder.mkdir(exist_ok=True, mode=0o700)
    trial = folder / f"upload{suffix}"  # fixed names: the user's name is only shown
    trial.write_bytes(data)
    try:
        found = _review(trial, name, state, as_of, library)
    except Exception:
        trial.unlink(missing_ok=True)
        raise
    for old in folder.glob("contract.*"):
        old.unlink()
    kept = Kept(trial.replace(folder / f"contract{suffix}"), name, found.state, as_of)
    (folder / META).write_text(
        json.dumps({"name": name, "state": kept.state, "as_of": as_of.isoformat()}), encoding="utf-8"
    )
    return kept, replace(found, file=name)


def kept(matter_folder: Path) -> Kept | None:
    """The contract the matter holds, or None."""
    folder = matter_folder / FOLDER
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        path = next(p for p in folder.glob("contract.*") if p.suffix in SUFFIXES)
    except (OSError, ValueError, StopIteration):
        return None
    as_of = parse_date(meta.get("as_of")) if isinstance(meta, dict) else None
    if as_of is None or not isinstance(meta.get("name"), str) or not isinstance(meta.get("state"), str):
        return None
    return Kept(path, meta["name"], meta["state"], as_of)


def review_kept(contract: Kept, library) -> Review:
    return replace(_review(contract.path, contract.name, contract.state, contract.as_of, library), file=contract.name)


def _review(path: Path, shown: str, state: str, as_of: dt.date, library) -> Review:
    try:
        return review_contract(path, state, as_of=as_of, library=library)
    except InputError as exc:
        raise InputError([replace(p, file=shown) if p.file == str(path) else p for p in exc.problems]) from None
    except FormgenError as exc:
        raise InputError([Problem(shown, "", str(exc))]) from None


def by_section(review: Review) -> list[Section]:
    """The findings grouped by the section the document shows, in document order."""
    out: list[Section] = []
    for finding in review.findings:
        if out and (out[-1].number, out[-1].caption) == (finding.section, finding.caption):
            out[-1].findings.append(finding)
        else:
            out.append(Section(finding.section, finding.caption, [finding]))
    return out


def memo(review: Review) -> bytes:
    from ..scan.outputs import memo_docx  # lazy: python-docx costs ~0.3 s, only a download needs it

    return memo_docx([review])


def redline(contract: Kept, review: Review) -> bytes | None:
    """The contract with a comment on each finding (and tracked replacements); None when there is
    nothing to mark or it is not a .docx."""
    from ..scan.outputs import redline_docx  # lazy, as above

    if contract.path.suffix != ".docx" or not review.findings:
        return None
    return redline_docx(contract.path, review)


__all__ = ["CAPTIONS", "SUFFIXES", "Kept", "Section", "by_section", "keep", "kept", "memo", "redline", "review_kept"]
