"""Regenerate a packet after its inputs changed: only what changed is rewritten, with the reasons.

``regenerate(out_dir)`` reads ``OUT/manifest.json``, reloads the deal (the recorded path, or a
new one), builds the new packet in memory and compares it with the one on disk, document by
document:

* a document whose new bytes equal the recorded hash is **unchanged**: it keeps its bytes and
  its modification time (the very same file is carried over);
* otherwise it is **rebuilt**, and the reason is worked out from what changed between the two
  manifests: deal fields (dotted path, old → new), clauses added, removed or changed
  (``id@version``, or the clause file edited without a version bump), the state rule files,
  the template, the service catalogue, formgen itself, SOURCE_DATE_EPOCH;
* each rebuilt document gets ``OUT/redlines/<document>.redline.docx``: the new version with
  Word tracked changes against the old one; ``OUT/changes.md`` and ``OUT/changes.json`` sum up
  the fields, clauses and findings (compliance.json old vs new) that changed.

Nothing changed: nothing is written, not even the manifest. When only the manifest's record
changed (say a comment in a state file: new hash, same documents) only manifest.json is
rewritten.

**Hand edits.** A file in OUT whose hash no longer matches the manifest was edited after
formgen wrote it. When regenerating would replace or delete it, ``regenerate`` writes
nothing, names the files and raises ``HandEditError`` (exit 1); with ``force`` it first keeps
the edited file next to it as ``<stem>.edited-<first 8 hex of its sha256><suffix>`` and the
redline then shows the new version against that edited copy. A hand-edited file that formgen
would write unchanged is left as it is (and named), so edits are never lost.

**Crash safety.** All writes go through ``output.staged_folder``: a new folder is assembled
beside OUT (unchanged files and any file formgen did not write are hard-linked into it, so
they keep their bytes and mtime; a copy with ``copy2`` where hard links are impossible), then
swapped with OUT in one atomic rename. A crash leaves the previous packet or the new one, never
a mix.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FormgenError, InputError, Problem
from .manifest import MANIFEST, dumps, read_manifest, sha256

CHANGES_MD = "changes.md"
CHANGES_JSON = "changes.json"
REDLINE_DIR = "redlines"
COMPLIANCE = "compliance.json"


class HandEditError(FormgenError):
    """Files in OUT were edited by hand and regenerating would replace them (exit 1)."""

    def __init__(self, out_dir: Path, files: list[str]):
        self.files = files
        names = "\n".join(f"  {Path(out_dir) / f}" for f in files)
        super().__init__(
            f"formgen: {len(files)} file(s) in {out_dir} were edited after formgen wrote them "
            f"(their sha256 no longer matches {MANIFEST}) and regenerating would replace them; "
            f"nothing was written:\n{names}\n"
            "Move your edited file(s) elsewhere, or rerun with --force to keep a copy of each "
            "(<name>.edited-<hash>.docx beside it) and write the new version.")


@dataclass
class DocumentResult:
    name: str  # document name (e.g. "msa"), or the file name for compliance.json
    file: str
    status: str  # unchanged | rebuilt | added | removed | kept (hand-edited, formgen's version unchanged)
    reasons: list[str] = field(default_factory=list)
    redline: str | None = None  # relative to OUT
    kept_copy: str | None = None  # the edited file kept beside it (force)
    note: str = ""
    clauses: dict | None = None  # added / removed / changed / text_changed (documents only)

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class RegenResult:
    out_dir: Path
    deal_path: Path
    status: str  # unchanged | manifest (only manifest.json rewritten) | regenerated
    documents: list[DocumentResult] = field(default_factory=list)
    changes: dict = field(default_factory=dict)
    hand_edited: list[str] = field(default_factory=list)  # edited files left as they were
    inputs_changed: list[str] = field(default_factory=list)  # recorded inputs that differ, in words

    @property
    def rebuilt(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.status in ("rebuilt", "added", "removed")]

    def to_dict(self) -> dict:
        return {"out_dir": str(self.out_dir), "deal": str(self.deal_path), "status": self.status,
                "documents": [d.to_dict() for d in self.documents], "hand_edited": self.hand_edited,
                "inputs_changed": self.inputs_changed}


# ------------------------------------------------------------------ diffs


def flatten(value, prefix: str = "") -> dict:
    """Nested deal data -> {dotted.path[0].field: scalar or list of scalars}."""
    if isinstance(value, dict):
        out: dict = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def field_changes(old: dict | None, new: dict) -> list[dict]:
    """[{path, old, new}] for every deal field that differs (values as in the validated deal)."""
    if old is None:
        return []
    a, b = flatten(old), flatten(new)
    return [{"path": p, "old": a.get(p), "new": b.get(p)} for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def show(value, limit: int = 60) -> str:
    if value is None:
        text = "(none)"
    elif isinstance(value, list):
        text = "[" + ", ".join(map(str, value)) + "]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _split_ref(ref: str) -> tuple[str, str]:
    cid, _, version = ref.rpartition("@")
    return cid, version


def clause_changes(old: dict | None, new: dict | None) -> dict:
    """Clauses added, removed, changed (version), text_changed (file edited, same version)."""
    old_refs = dict(_split_ref(r) for r in (old or {}).get("clauses", []))
    new_refs = dict(_split_ref(r) for r in (new or {}).get("clauses", []))
    old_sha, new_sha = (old or {}).get("clause_sha256", {}), (new or {}).get("clause_sha256", {})
    out = {
        "added": [f"{c}@{v}" for c, v in new_refs.items() if c not in old_refs],
        "removed": [f"{c}@{v}" for c, v in old_refs.items() if c not in new_refs],
        "changed": [{"id": c, "old": f"{c}@{old_refs[c]}", "new": f"{c}@{v}"}
                    for c, v in new_refs.items() if c in old_refs and old_refs[c] != v],
        "text_changed": [f"{c}@{v}" for c, v in new_refs.items()
                         if c in old_refs and old_refs[c] == v and c in old_sha and old_sha.get(c) != new_sha.get(c)],
    }
    return out


def files_changes(old: dict, new: dict) -> dict:
    return {
        "changed": sorted(n for n in new if n in old and old[n] != new[n]),
        "added": sorted(n for n in new if n not in old),
        "removed": sorted(n for n in old if n not in new),
    }


def _finding_key(f: dict) -> tuple:
    return (f.get("severity", ""), f.get("rule", ""), f.get("document", ""), f.get("message", ""))


def findings_changes(old: list[dict] | None, new: list[dict]) -> dict:
    if old is None:
        return {"appeared": [], "went_away": [], "note": "the previous compliance.json could not be read"}
    old_keys, new_keys = {_finding_key(f) for f in old}, {_finding_key(f) for f in new}
    return {"appeared": [f for f in new if _finding_key(f) not in old_keys],
            "went_away": [f for f in old if _finding_key(f) not in new_keys]}


def finding_line(f: dict) -> str:
    where = f" ({f['document']})" if f.get("document") else ""
    cite = f" [{f['citation']}]" if f.get("citation") else ""
    return f"{f.get('severity', '')} {f.get('rule', '')}{where}: {f.get('message', '')}{cite}"


def input_changes(old: dict, new: dict) -> list[str]:
    """Packet-wide inputs other than the deal and the state files that changed, in words."""
    o, n = old.get("inputs") or {}, new.get("inputs") or {}
    out = []
    if old.get("formgen_version") != new.get("formgen_version"):
        out.append(f"formgen {old.get('formgen_version')} → {new.get('formgen_version')}")
    elif o.get("formgen_code_sha256") and o.get("formgen_code_sha256") != n.get("formgen_code_sha256"):
        out.append("formgen's code changed")
    if old.get("catalog") and old.get("catalog") != new.get("catalog"):
        out.append("service catalogue (clauses/responsibilities.yaml) changed")
    if o and o.get("source_date_epoch") != n.get("source_date_epoch"):
        out.append(f"SOURCE_DATE_EPOCH {o.get('source_date_epoch')} → {n.get('source_date_epoch')}")
    return out


def inputs_changed(old: dict, new: dict, fields: list[dict], rules: dict, other: list[str]) -> list[str]:
    """Every recorded input that differs, in words (also those that changed no document)."""
    o, n = old.get("inputs") or {}, new.get("inputs") or {}
    out = []
    if old["deal"].get("path") != new["deal"]["path"]:
        out.append(f"deal file {old['deal'].get('path')} → {new['deal']['path']}")
    if fields:
        out.append("deal fields: " + ", ".join(c["path"] for c in fields))
    elif old["deal"].get("sha256") != new["deal"]["sha256"]:
        out.append("deal file edited (no field changed)")
    out += [f"state rule file {kind}: {', '.join(names)}" for kind, names in rules.items() if names]
    if o.get("library_sha256") and o.get("library_sha256") != n.get("library_sha256"):
        out.append("clause library changed")
    if o.get("templates_sha256") and o.get("templates_sha256") != n.get("templates_sha256"):
        out.append("templates changed")
    return out + other


# ------------------------------------------------------------------ the folder


def _walk(root: Path) -> list[str]:
    """Every file (and symlink) under ``root``, as POSIX paths relative to it."""
    out = []
    for base, dirs, files in os.walk(root):
        rel = Path(base).relative_to(root)
        for name in files + [d for d in dirs if (Path(base) / d).is_symlink()]:
            out.append((rel / name).as_posix())
    return sorted(out)


def _carry(src: Path, dst: Path) -> None:
    """Put ``src`` at ``dst`` unchanged: a hard link (same bytes, same mtime), else copy2."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
        return
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _kept_name(name: str, data: bytes) -> str:
    p = Path(name)
    return str(p.with_name(f"{p.stem}.edited-{sha256(data)[:8]}{p.suffix}"))


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _load_old_manifest(out_dir: Path) -> dict:
    path = out_dir / MANIFEST
    if not out_dir.is_dir():
        raise InputError([Problem(str(out_dir), "", "does not exist; build the packet first with `formgen generate DEAL -o OUT`")])
    if not path.is_file():
        raise InputError([Problem(str(out_dir), "", f"has no {MANIFEST}: it is not a packet written by formgen "
                                  "(build it with `formgen generate DEAL -o OUT`)")])
    try:
        manifest = read_manifest(out_dir)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem(str(path), "", f"is not valid JSON ({exc}); rebuild the packet with `formgen generate`")]) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("outputs"), dict) or "deal" not in manifest:
        raise InputError([Problem(str(path), "", "is not a formgen manifest (no 'deal' / 'outputs')")])
    return manifest


def recorded_deal_path(out_dir: Path, manifest: dict) -> Path:
    return Path(os.path.normpath(Path(out_dir).resolve() / manifest["deal"]["path"]))


# ------------------------------------------------------------------ regenerate


def _add_redline(result: DocumentResult, name: str, disk: dict, outputs: dict, redlines: dict,
                 make_redline, redline_error) -> None:
    """A rebuilt .docx that was on disk gets redlines/<stem>.redline.docx (new against what was there)."""
    if result.status != "rebuilt" or not name.endswith(".docx") or disk.get(name) is None or name not in outputs:
        return
    target = f"{REDLINE_DIR}/{Path(name).stem}.redline.docx"
    try:
        redlines[target] = make_redline(disk[name], outputs[name], author="formgen")
        result.redline = target
    except redline_error as exc:
        result.note = f"no redline: {exc}"


def regenerate(out_dir: str | Path, deal: str | Path | None = None, *, force: bool = False) -> RegenResult:
    """Rebuild the packet in ``out_dir`` from its (possibly changed) inputs; see the module docstring."""
    from ..api import build
    from .write import packet_outputs
    from .manifest import refresh_input_caches
    from ..word.redline import RedlineError, make_redline

    out_dir = Path(out_dir)
    old = _load_old_manifest(out_dir)
    refresh_input_caches()
    deal_path = Path(deal) if deal is not None else recorded_deal_path(out_dir, old)
    if deal is None and not deal_path.is_file():
        raise InputError([Problem(str(deal_path), "", f"does not exist: {MANIFEST} records the deal file as "
                                  f"'{old['deal']['path']}' (relative to {out_dir}); give its new place with --deal")])
    packet = build(deal_path, policy=old.get("inputs", {}).get("policy", "conservative"))
    outputs = packet_outputs(packet, out_dir)
    new = json.loads(outputs[MANIFEST])
    # a packet is a flat folder: a recorded name that is not a plain file name is ignored
    old_hashes: dict[str, str] = {n: h for n, h in old["outputs"].items()
                                  if isinstance(n, str) and n == Path(n).name and not n.startswith(".")}
    names = sorted((set(old_hashes) | set(outputs)) - {MANIFEST})
    disk = {name: _read_bytes(out_dir / name) for name in names}
    disk_sha = {name: sha256(data) for name, data in disk.items() if data is not None}

    edited = [n for n in names if n in old_hashes and n in disk_sha and disk_sha[n] != old_hashes[n]]
    foreign = [n for n in outputs if n != MANIFEST and n not in old_hashes and n in disk_sha
               and disk_sha[n] != sha256(outputs[n])]  # a file formgen did not write, where it will write
    to_write = [n for n in outputs if n != MANIFEST and disk_sha.get(n) != sha256(outputs[n])]
    kept_edits = [n for n in edited if n in outputs and old_hashes[n] == sha256(outputs[n])]
    if not force:
        to_write = [n for n in to_write if n not in kept_edits]
    removed = [n for n in old_hashes if n not in outputs and n != MANIFEST]
    conflicts = sorted({n for n in edited if n not in kept_edits or force} | set(foreign))
    conflicts = [n for n in conflicts if n in to_write or n in removed]
    if conflicts and not force:
        raise HandEditError(out_dir, conflicts)

    old_manifest_bytes = _read_bytes(out_dir / MANIFEST)
    manifest_changed = old_manifest_bytes != outputs[MANIFEST]
    regenerated = bool(to_write or [n for n in removed if n in disk_sha])
    status = "regenerated" if regenerated else ("manifest" if manifest_changed else "unchanged")

    # ---- what changed, and why each document was rebuilt
    fields = field_changes(old["deal"].get("validated"), new["deal"]["validated"])
    rules = files_changes(old.get("state", {}).get("files", {}), new["state"]["files"])
    other = input_changes(old, new)
    try:
        old_findings = json.loads(disk[COMPLIANCE])["findings"] if disk.get(COMPLIANCE) else None
    except (ValueError, KeyError, TypeError):
        old_findings = None
    new_findings = json.loads(outputs[COMPLIANCE])["findings"]
    findings = findings_changes(old_findings, new_findings)
    rule_files = rules["changed"] + rules["added"] + rules["removed"]

    kept_copies = {n: _kept_name(n, disk[n]) for n in conflicts if n in disk_sha}
    old_docs, new_docs = old.get("documents", {}), new["documents"]
    by_file = {d["file"]: k for k, d in {**old_docs, **new_docs}.items()}
    redlines: dict[str, bytes] = {}
    results: list[DocumentResult] = []
    for name in names:
        doc = by_file.get(name)
        label = doc or name
        o, n = old_docs.get(doc or "", None), new_docs.get(doc or "", None)
        if name in kept_edits and name not in to_write:
            results.append(DocumentResult(label, name, "kept", note="edited by hand after formgen wrote it; "
                                          "formgen's version is unchanged, so your edits are left as they are"))
            continue
        if name not in to_write and name not in removed:
            results.append(DocumentResult(label, name, "unchanged"))
            continue
        if name in removed:
            if name not in disk_sha:
                continue
            result = DocumentResult(label, name, "removed", ["no longer part of the packet for this deal"])
        else:
            result = DocumentResult(label, name, "added" if name not in old_hashes else "rebuilt")
        clauses = clause_changes(o, n) if doc else None
        reasons = result.reasons
        if name in old_hashes and name not in disk_sha and name not in removed:
            reasons.append("was missing from the folder")
        if name in kept_copies:
            result.kept_copy = kept_copies[name]
            reasons.append(f"hand edits replaced (--force), the edited file kept as {kept_copies[name]}")
        if result.status == "added":
            reasons.append("new in the packet for this deal")
        if name in outputs and old_hashes.get(name) == sha256(outputs[name]):
            # formgen's own version is unchanged: the file was only missing or hand-edited
            results.append(result)
            _add_redline(result, name, disk, outputs, redlines, make_redline, RedlineError)
            continue
        if fields:
            reasons.append("deal fields changed: " + ", ".join(
                f"{c['path']} {show(c['old'], 30)} → {show(c['new'], 30)}" for c in fields))
        if clauses:
            if clauses["added"]:
                reasons.append("clauses added: " + ", ".join(clauses["added"]))
            if clauses["removed"]:
                reasons.append("clauses removed: " + ", ".join(clauses["removed"]))
            if clauses["changed"]:
                reasons.append("clauses changed: " + ", ".join(f"{c['old']} → {c['new']}" for c in clauses["changed"]))
            if clauses["text_changed"]:
                reasons.append("clause text changed (same version): " + ", ".join(clauses["text_changed"]))
        if o and n and (o.get("template") != n.get("template") or o.get("template_sha256") != n.get("template_sha256")):
            reasons.append(f"template changed ({n.get('template')})")
        if rule_files:
            reasons.append("state rules changed: " + ", ".join(rule_files))
        if name == COMPLIANCE and (findings["appeared"] or findings["went_away"]):
            reasons.append(f"findings: {len(findings['appeared'])} appeared, {len(findings['went_away'])} went away")
        reasons += other
        if not reasons:
            reasons.append("content changed")
        result.clauses = clauses
        results.append(result)
        _add_redline(result, name, disk, outputs, redlines, make_redline, RedlineError)

    changes = {
        "deal": {"name": packet.deal.deal.name, "state": packet.rules.code, "path": new["deal"]["path"],
                 **({"previous_path": old["deal"].get("path")} if old["deal"].get("path") != new["deal"]["path"] else {})},
        "sections": sorted({c["path"].split(".")[0].split("[")[0] for c in fields}),
        "fields": fields,
        "rules": rules,
        "other_inputs": other,
        "documents": {r.name: {"file": r.file, "status": r.status, "reasons": r.reasons,
                               "clauses": r.clauses, "redline": r.redline,
                               "kept_copy": r.kept_copy, **({"note": r.note} if r.note else {})}
                      for r in results if r.status != "unchanged"},
        "unchanged": [r.file for r in results if r.status == "unchanged"],
        "findings": findings,
    }
    result = RegenResult(out_dir, deal_path, status, results, changes,
                         hand_edited=[n for n in kept_edits if n not in to_write],
                         inputs_changed=inputs_changed(old, new, fields, rules, other))
    if status == "unchanged":
        return result

    skip = set(to_write) | set(removed) | {MANIFEST}
    if regenerated:
        skip |= {CHANGES_MD, CHANGES_JSON}
    from .atomic import staged_folder, write_file

    with staged_folder(out_dir) as stage:
        for rel in _walk(out_dir):
            if rel in skip or (regenerated and rel.split("/", 1)[0] == REDLINE_DIR):
                continue
            _carry(out_dir / rel, stage / rel)
        for name, copy_name in kept_copies.items():
            _carry(out_dir / name, stage / copy_name)
        for name in to_write:
            write_file(stage / name, outputs[name])
        if regenerated:
            for rel, data in redlines.items():
                write_file(stage / rel, data)
            write_file(stage / CHANGES_JSON, dumps(changes))
            write_file(stage / CHANGES_MD, changes_markdown(changes).encode("utf-8"))
        write_file(stage / MANIFEST, outputs[MANIFEST])
    return result


# ------------------------------------------------------------------ reports


def changes_markdown(changes: dict) -> str:
    lines = [f"# Changes: {changes['deal']['name']} ({changes['deal']['state']})", ""]
    if "previous_path" in changes["deal"]:
        lines += [f"Deal file: `{changes['deal']['previous_path']}` → `{changes['deal']['path']}`", ""]
    lines += ["## Deal fields", ""]
    if changes["fields"]:
        lines += ["| field | old | new |", "| --- | --- | --- |"]
        lines += [f"| `{c['path']}` | {show(c['old'], 200)} | {show(c['new'], 200)} |" for c in changes["fields"]]
    else:
        lines.append("No deal field changed.")
    rules = changes["rules"]
    if any(rules.values()):
        lines += ["", "## State rule files", ""]
        lines += [f"- {kind}: {', '.join(names)}" for kind, names in rules.items() if names]
    if changes["other_inputs"]:
        lines += ["", "## Other inputs", ""] + [f"- {x}" for x in changes["other_inputs"]]
    lines += ["", "## Documents", ""]
    for name, doc in changes["documents"].items():
        lines.append(f"### {doc['file']}: {doc['status']}")
        lines.append("")
        lines += [f"- {r}" for r in doc["reasons"]]
        if doc.get("redline"):
            lines.append(f"- redline: `{doc['redline']}` (open in Word: Review → Track Changes)")
        if doc.get("note"):
            lines.append(f"- note: {doc['note']}")
        lines.append("")
    if changes["unchanged"]:
        lines += ["Unchanged: " + ", ".join(changes["unchanged"]), ""]
    lines += ["## Findings", ""]
    found = changes["findings"]
    if found.get("note"):
        lines.append(found["note"])
    if not found["appeared"] and not found["went_away"]:
        lines.append("No finding appeared or went away.")
    for f in found["appeared"]:
        lines.append(f"- appeared: {finding_line(f)}")
    for f in found["went_away"]:
        lines.append(f"- went away: {finding_line(f)}")
    return "\n".join(lines).rstrip() + "\n"


def report_lines(result: RegenResult) -> list[str]:
    """What the CLI prints: one line per document, then the findings that appeared or went away."""
    if result.status == "unchanged":
        lines = [f"nothing changed in {result.out_dir}: every document is current; nothing was written"]
    elif result.status == "manifest":
        why = "; ".join(result.inputs_changed) or "its record of the inputs changed"
        lines = [f"no document changed in {result.out_dir}; only {MANIFEST} was updated ({why})"]
    else:
        lines = [f"regenerated {result.out_dir} from {result.deal_path}"]
    for d in result.documents:
        line = f"  {d.file}: {d.status}"
        if d.reasons:
            line += " (" + "; ".join(d.reasons) + ")"
        if d.redline:
            line += f" -> {d.redline}"
        if d.note:
            line += f" [{d.note}]"
        lines.append(line)
    if result.status == "regenerated":
        found = result.changes["findings"]
        lines.append(f"findings: {len(found['appeared'])} appeared, {len(found['went_away'])} went away")
        lines += [f"  + {finding_line(f)}" for f in found["appeared"]]
        lines += [f"  - {finding_line(f)}" for f in found["went_away"]]
        lines.append(f"summary: {result.out_dir / CHANGES_MD} and {CHANGES_JSON}")
    return lines
