"""Where ``generate`` may write, and what it must keep: nothing formgen did not write is deleted.

``generate`` writes only into a folder that does not exist, is empty, or is a formgen packet
(it holds manifest.json). In a packet:

* a document formgen recorded whose sha256 still matches the manifest is formgen's own: replaced;
* a recorded document whose sha256 differs was edited by hand; any other file (not recorded,
  not one of regenerate's records below) is not formgen's. Either stops the run (exit 1, the
  files named) unless ``force``: then the edited file is kept beside the new one as
  ``<stem>.edited-<sha8><suffix>`` (as ``regenerate --force`` does) and other files stay as
  they are;
* what regenerate wrote (``changes.md``, ``changes.json``, ``redlines/``, ``*.edited-*``) and
  what signing left (``.formgen/executed/``, ``amendments/``, ``*.conformed.docx``) is always
  carried over: it is the packet's history; the pristine bases (``.formgen/base/``) are rewritten;
* PDFs formgen made from the recorded documents (``<document>.pdf``, ``packet.pdf``) are
  replaced (``--pdf``) or dropped, so no PDF of an older version stays beside new documents.

Paths that are never a packet folder: an existing file (the deal file above all), the current
folder or one of its ancestors, a folder holding the deal file or the clause library, state
rules or templates, and a symbolic link.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import HandEditError, InputError, OutputFolderError
from ..inputs.library import Library
from .manifest import BASE_DIR, MANIFEST, sha256
from .packet_folder import PacketFolder

REGEN_RECORDS = ("changes.md", "changes.json")
REDLINE_DIR = "redlines"
# The packet's own records: the pristine bases (rewritten with the documents), and what signing
# left (signed copies, amendments, conformed copies), which are carried over.
HISTORY_DIRS = (".formgen", "amendments")
_EDITED_COPY = re.compile(r"\.edited-[0-9a-f]{8}(\.[^./]+)?$")
_SHOW = 12  # files named in a refusal before "and N more"


@dataclass
class FolderPlan:
    """What to do with the files already in the output folder (relative POSIX paths)."""

    carry: list[str] = field(default_factory=list)  # kept as they are
    keep_copies: dict[str, str] = field(default_factory=dict)  # edited file -> its .edited-<sha> name
    notes: list[str] = field(default_factory=list)


def _listing(names: list[str]) -> str:
    shown = [f"  {n}" for n in names[:_SHOW]]
    if len(names) > _SHOW:
        shown.append(f"  ... and {len(names) - _SHOW} more")
    return "\n".join(shown)


def _refuse(out_dir: Path, why: str) -> OutputFolderError:
    return OutputFolderError(f"cannot write the packet to {out_dir}: {why}; nothing was written")


def _contains(folder: Path, path: Path) -> bool:
    return folder == path or folder in path.parents


def check_target(out_dir: Path, deal_path: Path | None = None, library: Library | None = None) -> None:
    """Refuse output paths that are never a packet folder (see the module docstring)."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink():
        raise _refuse(out_dir, "it is a symbolic link; give the folder it points to, or a new folder")
    if out_dir.exists() and not out_dir.is_dir():
        if deal_path is not None and Path(deal_path).exists() and out_dir.samefile(deal_path):
            raise _refuse(
                out_dir,
                "that is the deal file itself; give a folder, e.g. -o out/" + (Path(deal_path).stem or "packet"),
            )
        raise _refuse(out_dir, "it is an existing file, not a folder")
    target = out_dir.resolve()
    if _contains(target, Path.cwd().resolve()):
        raise _refuse(out_dir, "it is the current folder or holds it; give a new folder, e.g. -o out/packet")
    if deal_path is not None and _contains(target, Path(deal_path).resolve()):
        raise _refuse(out_dir, f"it holds the deal file {deal_path}; give a new folder")
    for part, folder in library.folders.items() if library is not None else ():
        folder = folder.resolve()
        if _contains(target, folder) or _contains(folder, target):
            raise _refuse(out_dir, f"it holds or is inside formgen's {part} folder ({folder})")


def _files(root: Path) -> list[str]:
    """Every file, symlink and empty folder under ``root`` (relative POSIX paths): all a user may own."""
    out = []
    for base, dirs, names in os.walk(root):
        rel = Path(base).relative_to(root)
        out += [(rel / n).as_posix() for n in names + [d for d in dirs if (Path(base) / d).is_symlink()]]
        if not dirs and not names and base != str(root):
            out.append(rel.as_posix())
    return sorted(out)


def _recorded_outputs(out_dir: Path) -> dict[str, str]:
    """manifest.json's outputs {plain file name: sha256}, or refuse: the folder is not a packet
    formgen can read (malformed, or naming paths outside itself)."""
    try:
        manifest = PacketFolder(out_dir).manifest()
    except InputError as exc:
        raise _refuse(
            out_dir,
            f"its {MANIFEST} cannot be read as a formgen manifest ({exc.problems[0].path or 'file'}: "
            f"{exc.problems[0].message}), so formgen cannot tell its own files from yours; move them "
            "away or give a new folder",
        ) from None
    return dict(manifest["outputs"])


def _is_formgen_pdf(name: str, recorded: dict[str, str]) -> bool:
    """packet.pdf, or the PDF of a document formgen wrote (msa.pdf, closing/<file>.pdf)."""
    return name == "packet.pdf" or (name.endswith(".pdf") and f"{name[:-4]}.docx" in recorded)


def kept_name(name: str, data_sha: str) -> str:
    p = Path(name)
    return str(p.with_name(f"{p.stem}.edited-{data_sha[:8]}{p.suffix}"))


def plan_folder(out_dir: Path, *, force: bool = False, action: str = "generating") -> FolderPlan:
    """What happens to each file already in ``out_dir``; raises when something would be lost."""
    out_dir = Path(out_dir)
    plan = FolderPlan()
    if not out_dir.is_dir():
        return plan
    files = _files(out_dir)
    if not files:
        return plan
    if MANIFEST not in files:
        raise _refuse(
            out_dir,
            "it holds files formgen did not write (it has no manifest.json):\n"
            f"{_listing(files)}\nformgen writes only into a new folder, an empty one or a packet "
            "it wrote; give another folder (nothing here was touched)",
        )
    recorded = _recorded_outputs(out_dir)
    edited, foreign = [], []
    for rel in files:
        if rel == MANIFEST:
            continue
        if rel in recorded:
            try:
                digest = sha256((out_dir / rel).read_bytes()) if not (out_dir / rel).is_symlink() else ""
            except OSError:
                digest = ""
            if digest != recorded[rel]:
                edited.append(rel)
                plan.keep_copies[rel] = kept_name(rel, digest or "0" * 8)
        elif rel.startswith(BASE_DIR + "/"):
            continue  # formgen writes the new bases with the new documents
        elif (
            rel in REGEN_RECORDS
            or rel.split("/", 1)[0] in (REDLINE_DIR, *HISTORY_DIRS)
            or _EDITED_COPY.search(rel)
            or rel.endswith(".conformed.docx")
        ):
            plan.carry.append(rel)
        elif _is_formgen_pdf(rel, recorded):
            continue  # rebuilt with --pdf, else dropped: never an old PDF beside new documents
        else:
            foreign.append(rel)
            plan.carry.append(rel)
    if not force:
        if edited:
            raise HandEditError(out_dir, edited, action=action)
        if foreign:
            raise _refuse(
                out_dir,
                "it holds files formgen did not write, which replacing the packet "
                f"would remove:\n{_listing(foreign)}\nMove them elsewhere, or rerun with --force "
                "to keep them as they are",
            )
    if edited:
        plan.notes.append(
            "hand-edited, kept beside the new version: " + ", ".join(f"{n} -> {plan.keep_copies[n]}" for n in edited)
        )
    if foreign:
        plan.notes.append("not formgen's, left as they were: " + ", ".join(foreign))
    return plan
