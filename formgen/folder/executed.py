"""``mark-executed``: record in the manifest that documents of a packet were signed.

The signed bytes are kept at ``.formgen/executed/<file>``; from then on ``regenerate`` leaves
the document as it is and writes amendments (``word.amend``) when formgen's version changes.
Each record names the document's signers (from the closing record of the manifest) and the date
signed, and the closing checklist is redrawn with every executed document's status and date
(unless it was edited by hand: then ``regenerate`` merges the new status into the edited copy).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..inputs.library import Library
from ..word.closing_folder import checklist_docx
from ..word.ooxml import read_package
from .manifest import MANIFEST, base_path, dumps, execution_record, sha256
from .packet_folder import PacketFolder


def _has_pending_revisions(data: bytes) -> bool:
    try:
        xml = read_package(data).get("word/document.xml", b"")
    except Exception:  # noqa: BLE001 - not a readable .docx: nothing to check
        return False
    return b"<w:ins " in xml or b"<w:del " in xml


def _date(value: str | None, manifest: dict[str, Any], out_dir: Path) -> str:
    if value is None:
        return str(manifest["deal"].get("validated", {}).get("deal", {}).get("effective_date") or dt.date.today())
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(
            [Problem(str(out_dir), "--date", f"is {value!r}; give the date signed as YYYY-MM-DD")]
        ) from None


def signable(manifest: dict[str, Any], library: Library) -> dict[str, str]:
    """What may be marked executed, name -> file: the packet's agreements (the reports are written
    for the lawyer: nobody signs them), then the closing documents signed at the closing (officer's
    certificates, payment authorization, engagement letter), as the closing record lists them."""
    out = {
        name: doc["file"]
        for name, doc in manifest.get("documents", {}).items()
        if not ((spec := library.document(name)) and spec.report)
    }
    for item in (manifest.get("closing") or {}).get("items", []):
        if item["kind"] == "closing document" and item.get("file"):
            out[item["name"]] = item["file"]
    return out


def _not_signed(given: str, manifest: dict[str, Any], library: Library) -> str:
    """Why ``given`` cannot be marked executed, in words."""
    items = {item["name"]: item for item in (manifest.get("closing") or {}).get("items", [])}
    if given in items:  # a condition, filing or deliverable of the closing: done, not signed
        return f"{given!r} is a {items[given]['kind']} of the closing ({items[given]['title']}), not a signed document"
    if given in manifest.get("documents", {}):
        return f"{given!r} is written for the lawyer; nobody signs it"
    files = {Path(name).name: name for name in manifest.get("outputs", {})}
    on_file = files.get(given) or files.get(f"{given}.docx")
    if on_file and on_file.startswith("closing/"):
        return f"{given!r} ({on_file}) is not signed at the closing (a form, the checklist or a signature packet)"
    return f"{given!r} is not a document of this packet"


def _chosen(
    manifest: dict[str, Any], documents: list[str] | None, out_dir: Path, library: Library
) -> list[tuple[str, str]]:
    """(name, file) of each document to mark: those named (by name or file name), or every agreement."""
    allowed = signable(manifest, library)
    if not documents:
        return [(name, file) for name, file in allowed.items() if name in manifest.get("documents", {})]
    by_file = {file: name for name, file in allowed.items()} | {Path(f).name: n for n, f in allowed.items()}
    chosen, problems = [], []
    for given in documents:
        name = given if given in allowed else by_file.get(given) or by_file.get(f"{given}.docx")
        if name is None:
            problems.append(
                Problem(
                    str(out_dir),
                    "DOCUMENT",
                    f"{_not_signed(given, manifest, library)}; one of: {', '.join(sorted(allowed))}",
                )
            )
        else:
            chosen.append((name, allowed[name]))
    if problems:
        raise InputError(problems)
    return chosen


def mark_executed(
    out_dir: str | Path,
    library: Library,
    documents: list[str] | None = None,
    *,
    date: str | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Record each document as signed on ``date`` (default: the deal's effective date), with its
    signers; a document already recorded keeps its first record. Returns the records, in the order
    given. The closing checklist is redrawn (in ``library``'s layout) with the status of every
    executed document. The packet's lock is held from reading the manifest to writing it back."""
    folder = PacketFolder(out_dir)
    folder.require_packet()
    with folder.locked(on_wait=on_wait):
        return _mark(folder, documents, date, library)


def _signers(manifest: dict[str, Any], name: str) -> list[str]:
    """Who signs ``name``, as the closing record lists them (none for a packet from before it)."""
    items = (manifest.get("closing") or {}).get("items", [])
    return next((list(item["signers"]) for item in items if item["name"] == name), [])


def _checklist_writes(folder: PacketFolder, manifest: dict[str, Any], library: Library) -> dict[str, bytes]:
    """The closing checklist redrawn with every execution record, and its base; nothing when the
    packet has no closing record or the checklist on disk is not the one formgen wrote."""
    closing = manifest.get("closing")
    if not closing:
        return {}
    filename = closing["checklist"]["file"]
    on_disk = folder.read(filename)
    if on_disk is None or sha256(on_disk) != manifest["outputs"].get(filename):
        return {}
    data = checklist_docx(library, closing, manifest["executed"])
    manifest["outputs"][filename] = sha256(data)
    return {filename: data, base_path(filename): data}


def _mark(
    folder: PacketFolder, documents: list[str] | None, date: str | None, library: Library
) -> list[dict[str, Any]]:
    out_dir = folder.path
    manifest = folder.manifest()
    when = _date(date, manifest, out_dir)
    executed = manifest.setdefault("executed", {})
    writes: dict[str, bytes] = {}
    records = []
    for name, filename in _chosen(manifest, documents, out_dir, library):
        if name not in executed:
            path = folder.file(filename)
            if not path.is_file():
                raise InputError(
                    [Problem(str(path), "", "is missing: put the signed document back before marking it executed")]
                )
            data = path.read_bytes()
            if _has_pending_revisions(data):
                raise InputError(
                    [
                        Problem(
                            str(path),
                            "",
                            "still has tracked changes; accept or reject them in Word "
                            "(Review → Accept/Reject All) so the file is the text that was signed, "
                            "then mark it executed",
                        )
                    ]
                )
            effective = manifest["deal"].get("validated", {}).get("deal", {}).get("effective_date")
            executed[name] = execution_record(name, filename, when, data, effective)
            executed[name]["signers"] = _signers(manifest, name)
            writes[executed[name]["signed_copy"]] = data
            manifest["outputs"][filename] = executed[name]["sha256"]
        records.append(executed[name])
    if writes:
        writes.update(_checklist_writes(folder, manifest, library))
        writes[MANIFEST] = dumps(manifest)
        folder.rewrite(writes)
    return records
