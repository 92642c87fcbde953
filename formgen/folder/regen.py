"""Regenerate a packet after its inputs changed: only what changed is rewritten, with the reasons.

``regenerate(out_dir)`` reads ``OUT/manifest.json``, reloads the deal (the recorded path, or a
new one), builds the new packet in memory and compares it with the one on disk, document by
document (the decisions are pure functions in ``regen_plan``; this module reads and writes):

* a document whose new bytes equal the recorded hash is **unchanged**: it keeps its bytes and
  its modification time (the very same file is carried over);
* otherwise it is **rebuilt**, with the reasons worked out from what changed between the two
  manifests, and ``OUT/redlines/<document>.redline.docx`` (the new version with tracked changes
  against the old one); ``OUT/changes.md`` / ``changes.json`` sum it all up.

**Pristine base.** formgen keeps its own bytes of every document at ``.formgen/base/<file>``.

**Hand edits are merged.** A document edited after formgen wrote it, that formgen now changes
too, is **merged** (``word.merge``): base = formgen's previous bytes, ours = the edited file,
theirs = formgen's new bytes; the lawyer's edits stay, formgen's changes become tracked changes,
a paragraph both changed keeps the lawyer's text with formgen's as a tracked alternative and a
comment. With ``merge=False`` (``--no-merge``), or without a base, the older rule holds: nothing
is written and ``HandEditError`` names the files, unless ``force`` keeps each edited file as
``<stem>.edited-<8 hex of its sha256><suffix>`` and writes the new version.

**Executed documents** (``mark-executed``) are never rewritten: a change of terms writes
``amendments/<stem>.amendment-N.docx`` and ``<stem>.conformed.docx`` (``word.amend``).

**Pages.** The table of contents keeps the page numbers formgen wrote before wherever nothing else
changed (an unchanged document keeps its bytes); with ``pdf`` a changed one gets them from a new
LibreOffice render, as ``generate --pdf`` does, and the PDFs are made from the .docx files the
folder then holds (merged, hand-edited, executed).

**Crash safety.** Every write goes through ``atomic.staged_folder``: a new folder is assembled
beside OUT (files kept as they are hard-linked into it), then swapped with OUT in one rename.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..drafting.packet import Packet
from ..errors import HandEditError, InputError, Problem  # noqa: F401 (HandEditError: re-exported)
from ..inputs.documents import DocumentSpec
from ..inputs.library import Library
from ..word.amend import Made, amendment_for
from ..word.consents import write_consents
from ..word.merge import MergeError, merge_documents
from ..word.redline import RedlineError, default_author, make_redline
from .build import build_packet
from .guard import REDLINE_DIR, kept_name
from .manifest import (
    MANIFEST,
    base_path,
    conformed_state_path,
    dumps,
    executed_records,
    sha256,
)
from .packet_folder import AMENDMENT_DIR, PacketFolder
from ..pdf.soffice import missing_before_pdfs
from ..word.toc import keep_toc_pages
from .regen_plan import (
    COMPLIANCE,
    Classification,
    DocumentResult,
    InputDiff,
    RegenResult,
    changes_record,
    classify,
    clause_changes,
    document_result,
    input_diff,
    input_reasons,
    inputs_changed,
)
from .regen_report import CHANGES_JSON, CHANGES_MD, changes_markdown, report_lines  # noqa: F401 (re-exported)
from .write import packet_outputs


def recorded_deal_path(out_dir: Path, manifest: dict[str, Any]) -> Path:
    return Path(os.path.normpath(Path(out_dir).resolve() / manifest["deal"]["path"]))


# ------------------------------------------------------------------ regenerate


@dataclass
class _Run:
    """Everything one regeneration reads, and what it will write."""

    out_dir: Path
    old: dict[str, Any]
    new: dict[str, Any]
    outputs: dict[str, bytes]
    disk: dict[str, bytes | None]
    bases: dict[str, bytes]  # file -> formgen's previous bytes (.formgen/base), where kept and valid
    executed: dict[str, dict[str, Any]]
    writes: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes
    author: str = "formgen"  # whom the redlines' revisions name
    deal_name: str = ""  # the deal file the packet was regenerated from, for the redline legend


def _read_run(
    folder: PacketFolder, deal: str | Path | None, library: Library, paginate: bool = False
) -> tuple[_Run, Path, Packet]:
    out_dir = folder.path
    old = folder.manifest()
    deal_path = Path(deal) if deal is not None else recorded_deal_path(out_dir, old)
    if deal is None and not deal_path.is_file():
        raise InputError(
            [
                Problem(
                    str(deal_path),
                    "",
                    f"does not exist: {MANIFEST} records the deal file as "
                    f"'{old['deal']['path']}' (relative to {out_dir}); give its new place with --deal",
                )
            ]
        )
    packet = build_packet(deal_path, old.get("inputs", {}).get("policy", "conservative"), library)
    previous = {
        doc.spec.filename: data
        for doc in packet.documents
        if (data := folder.read(base_path(doc.spec.filename))) is not None
    }
    if paginate:
        from ..pdf.pagination import paginate_tocs  # lazy: pypdf (0.4 s of imports) loads only with --pdf

        edited = frozenset(name for name, data in previous.items() if folder.read(name) not in (None, data))
        paginate_tocs(packet, previous=previous, edited=edited)
    else:
        keep_toc_pages(packet, previous)
    closing = old.get("closing") or {}
    outputs = packet_outputs(packet, out_dir, esign=closing.get("esign", "none"), executed=old.get("executed") or {})
    # a packet is a flat folder: a recorded name that is not a plain file name is ignored
    recorded = {n for n in old["outputs"] if isinstance(n, str) and n == Path(n).name and not n.startswith(".")}
    names = sorted((recorded | set(outputs)) - {MANIFEST})
    disk = {name: folder.read(name) for name in names}
    bases = {}
    for name in names:
        data = folder.read(base_path(name)) if name.endswith(".docx") else None
        if data is not None:
            bases[name] = data
    run = _Run(out_dir, old, json.loads(outputs[MANIFEST]), outputs, disk, bases, executed_records(old))
    return run, deal_path, packet


def regenerate(
    out_dir: str | Path,
    library: Library,
    deal: str | Path | None = None,
    *,
    force: bool = False,
    merge: bool = True,
    author: str | None = None,
    pdf: bool = False,
    final: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> RegenResult:
    """Rebuild the packet in ``out_dir`` from its (possibly changed) inputs; see the module docstring.
    ``author``: whom the redlines' revisions name (default: the user logged in). ``pdf``: also
    write every document's PDF and packet.pdf from the folder's .docx files (``final``: no DRAFT
    watermark); without LibreOffice the .docx files are still written, then ToolMissingError is
    raised. The packet's lock is held from reading the manifest to writing the last PDF
    (``on_wait`` hears of a wait)."""
    missing_tool = missing_before_pdfs() if pdf else None
    folder = PacketFolder(out_dir)
    folder.require_packet()
    with folder.locked(on_wait=on_wait):
        result, packet = _regenerate(
            folder, deal, library, force=force, merge=merge, author=author, paginate=pdf and missing_tool is None
        )
        if pdf and missing_tool is None:
            from ..pdf.packet import write_pdfs  # pypdf loads only with --pdf

            write_pdfs(packet, folder.path, final=final, from_disk=True)
    if missing_tool is not None:
        raise missing_tool
    return result


def _regenerate(
    folder: PacketFolder,
    deal: str | Path | None,
    library: Library,
    *,
    force: bool,
    merge: bool,
    author: str | None,
    paginate: bool,
) -> tuple[RegenResult, Packet]:

    out_dir = folder.path
    run, deal_path, packet = _read_run(folder, deal, library, paginate)
    run.author, run.deal_name = author or default_author(), deal_path.name
    old, outputs = run.old, run.outputs
    old_hashes = {n: h for n, h in old["outputs"].items() if n in run.disk}
    new_hashes = {n: sha256(d) for n, d in outputs.items() if n != MANIFEST}
    disk_sha = {n: sha256(d) for n, d in run.disk.items() if d is not None}
    for name in run.executed:  # an executed document changes when formgen's version moves past its base
        if name in run.bases:
            old_hashes[name] = sha256(run.bases[name])
    mergeable = {n for n, b in run.bases.items() if merge and sha256(b) == old_hashes.get(n)}
    plan = classify(old_hashes, new_hashes, disk_sha, force=force, mergeable=mergeable, executed=set(run.executed))
    diff = input_diff(old, run.new, _old_findings(run.disk), json.loads(outputs[COMPLIANCE])["findings"])
    merges = _merge_documents(run, plan.merge, diff)
    failed = [n for n in plan.merge if n not in merges]
    plan.conflicts = sorted(plan.conflicts + failed)
    plan.merge = [n for n in plan.merge if n in merges]
    if plan.conflicts and not force:
        raise HandEditError(out_dir, plan.conflicts)
    plan.to_write = [n for n in plan.to_write if n not in failed or force]

    kept_copies = {n: kept_name(n, disk_sha[n]) for n in plan.conflicts if n in disk_sha}
    results = _document_results(run, plan, (old_hashes, new_hashes, disk_sha), merges, kept_copies, diff, packet)
    for name in failed:
        note = next(r for r in results if r.file == name)
        note.note = "could not be merged (the edited file is not a readable .docx); replaced with --force"
    _record_executed(run, results)
    writes = {n: (merges[n][0] if n in merges else outputs[n]) for n in plan.to_write}
    writes.update(_base_writes(run, plan))
    writes.update(run.writes)
    regenerated = bool(plan.to_write or [n for n in plan.removed if n in disk_sha] or run.writes)
    manifest_changed = run.disk.get(MANIFEST, folder.read(MANIFEST)) != outputs[MANIFEST]
    status = "regenerated" if regenerated else ("manifest" if manifest_changed else "unchanged")
    deal_info = {"name": packet.deal.deal.name, "state": packet.rules.code}
    changes = changes_record(deal_info, old, run.new, diff, results)
    result = RegenResult(
        out_dir,
        deal_path,
        status,
        results,
        changes,
        hand_edited=[n for n in plan.kept_edits if n not in plan.to_write],
        inputs_changed=inputs_changed(old, run.new, diff.fields, diff.rules, diff.other),
    )
    if status == "unchanged":
        return result, packet
    writes[MANIFEST] = outputs[MANIFEST]
    if regenerated:
        writes[CHANGES_JSON] = dumps(changes)
        writes[CHANGES_MD] = changes_markdown(changes).encode("utf-8")
    drop = set(plan.removed) | {base_path(n) for n in plan.removed}
    folder.rewrite(writes, drop, (REDLINE_DIR,) if regenerated else (), kept_copies)
    return result, packet


def _document_results(
    run: _Run,
    plan: Classification,
    hashes: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
    merges: dict[str, Any],
    kept_copies: dict[str, Any],
    diff: InputDiff,
    packet: Packet,
) -> list[DocumentResult]:
    """Each file's status and reasons; rebuilt documents get their redline, executed ones their amendment."""
    old_hashes, new_hashes, disk_sha = hashes
    old_docs, new_docs = run.old.get("documents", {}), run.new["documents"]
    by_file = {d["file"]: k for k, d in {**old_docs, **new_docs}.items()}
    results: list[DocumentResult] = []
    for name in sorted(set(old_hashes) | set(new_hashes)):
        doc = by_file.get(name)
        result = document_result(name, doc or name, plan, old_hashes, new_hashes, disk_sha, kept_copies.get(name))
        if name in merges:
            result.merge = merges[name][1]
        if result.status in ("rebuilt", "added", "removed", "merged", "amended"):
            o, n = old_docs.get(doc or ""), new_docs.get(doc or "")
            result.clauses = clause_changes(o, n) if doc else None
            if not (name in run.outputs and old_hashes.get(name) == new_hashes.get(name)):
                result.reasons += input_reasons(name, o, n, diff, result.clauses)
        if result.status == "amended" and not _amend(run, name, packet, result):
            result.status, result.reasons = "unchanged", []
        results.append(result)
        if result.status == "rebuilt":
            _add_redline(result, name, run)
    return results


def _old_findings(disk: dict[str, Any]) -> list[dict[str, Any]] | None:
    try:
        return json.loads(disk[COMPLIANCE])["findings"] if disk.get(COMPLIANCE) else None
    except (ValueError, KeyError, TypeError):
        return None


def _base_writes(run: _Run, plan: Classification) -> dict[str, bytes]:
    """formgen's new bytes as the base of every Word document written, merged or amended (and
    of any whose base is missing, as in packets written before bases were kept)."""
    out = {}
    for name, data in run.outputs.items():
        if not name.endswith(".docx"):
            continue
        if name in plan.to_write or name in plan.amend or name not in run.bases:
            if run.bases.get(name) != data:
                out[base_path(name)] = data
    return out


def _add_redline(result: DocumentResult, name: str, run: _Run) -> None:
    """A rebuilt .docx that was on disk gets redlines/<stem>.redline.docx (new against what was there)."""
    theirs = run.disk.get(name)
    if not name.endswith(".docx") or theirs is None or name not in run.outputs:
        return
    target = f"{REDLINE_DIR}/{Path(name).stem}.redline.docx"
    legend = (
        f"Redline: {name} as regenerated from {run.deal_name} compared with {name} as it was in this "
        f"folder before regeneration. Insertions are underlined, deletions struck through; changes by "
        f"{run.author}."
    )
    try:
        run.writes[target] = make_redline(theirs, run.outputs[name], author=run.author, legend=legend)
        result.redline = target
    except RedlineError as exc:
        result.note = f"no redline: {exc}"


def _merge_documents(run: _Run, names: list[str], diff: InputDiff) -> dict[str, tuple[bytes, dict[str, Any]]]:
    """file -> (merged bytes, merge report) for each edited document formgen changed too."""
    by_file = {d["file"]: d for d in run.new["documents"].values()}
    old_by_file = {d.get("file"): d for d in run.old.get("documents", {}).values()}
    out = {}
    for name in names:
        o, n = old_by_file.get(name), by_file.get(name)
        why = "; ".join(input_reasons(name, o, n, diff, clause_changes(o, n) if n else None))
        try:
            merged = merge_documents(run.bases[name], run.disk[name] or b"", run.outputs[name], why=why)
        except MergeError:
            continue
        out[name] = (merged.data, merged.report)
    return out


def _amend(run: _Run, name: str, packet: Packet, result: DocumentResult) -> bool:
    """Write the next amendment of an executed document and its conformed copy; False when no
    section's text changed (formgen's bytes moved, the agreement did not)."""
    record = run.executed[name]
    conformed_rel = conformed_state_path(name)
    folder = PacketFolder(run.out_dir)
    previous = folder.read(conformed_rel) or folder.read(record["signed_copy"])
    if previous is None or name not in run.bases:
        result.note = "executed, but its signed copy or base is missing from .formgen; no amendment written"
        return True
    spec = next((d.spec for d in packet.documents if d.spec.filename == name), None)
    if spec is None:  # a closing document (officer's certificate, ...): it speaks as of the day signed
        result.status = "kept"
        result.note = (
            f"executed on {record['date']}: not rewritten and not amended; formgen's text of it changed, "
            "so sign a new one if the change matters (a certificate speaks as of the day it is signed)"
        )
        return True
    made = amendment_for(
        record, spec.title, spec.amendment_parties_in(packet.deal), run.bases[name], run.outputs[name], previous
    )
    if made is None:
        return False
    number = len(record["amendments"]) + 1  # amendment_for numbered it the same way
    target = f"{AMENDMENT_DIR}/{Path(name).stem}.amendment-{number}.docx"
    visible = f"{Path(name).stem}.conformed.docx"
    run.writes.update({target: made.amendment, conformed_rel: made.conformed, visible: made.conformed})
    entry = {
        "number": number,
        "file": target,
        "sections": made.sections,
        "base_sha256": sha256(run.bases[name]),
        "new_sha256": sha256(run.outputs[name]),
    }
    consents = _consents(packet, spec, run.outputs[name], made)
    if consents is not None:
        consents_file = target.replace(".docx", ".consents.docx")
        entry["consents"] = consents_file
        run.writes[consents_file] = consents
    record["amendments"].append(entry)
    record["conformed"] = visible
    result.amendment = target
    result.reasons.insert(
        0,
        f"executed on {record['date']}: not rewritten; Amendment No. {number} written "
        f"({', '.join(s['label'] for s in made.sections)})",
    )
    return True


def _consents(packet: Packet, spec: DocumentSpec, theirs: bytes, made: Made) -> bytes | None:
    """The members' and the board's consents an amendment of an agreement paying the MSO needs,
    where the packet holds the governing documents that require them."""
    if not spec.pays_mso:
        return None
    names = {d.spec.name for d in packet.documents}
    governs_practice = any(d.spec.governs_practice for d in packet.documents)
    return write_consents(
        theirs,
        made.terms,
        packet.deal,
        [s["label"] for s in made.sections],
        mso="mso_operating_agreement" in names,
        practice=governs_practice,
    )


def _record_executed(run: _Run, results: list[DocumentResult]) -> None:
    """Carry the executed records (with any new amendment) into the new manifest; an executed
    document's recorded hash stays that of what was signed."""
    if not run.executed:
        return
    run.new["executed"] = run.old["executed"]
    for name, record in run.executed.items():
        run.new["outputs"][name] = run.old["outputs"].get(name, record["sha256"])
    run.outputs[MANIFEST] = dumps(run.new)
