"""The pure steps of ``regenerate``: classify the files, give the reasons, build the record.

Nothing here reads or writes the folder: ``regen.regenerate`` gathers the old manifest, the new
build and the bytes on disk, these functions decide what happens to each file and why, and the
writer then carries out the decision in a staged folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .manifest import MANIFEST

COMPLIANCE = "compliance.json"


@dataclass
class DocumentResult:
    name: str  # document name (e.g. "msa"), or the file name for compliance.json
    file: str
    # unchanged | rebuilt | added | removed | kept (hand-edited, formgen's version unchanged)
    # | merged (hand-edited and changed by formgen: three-way merge) | amended (executed: an amendment)
    status: str
    reasons: list[str] = field(default_factory=list)
    redline: str | None = None  # relative to OUT
    kept_copy: str | None = None  # the edited file kept beside it (force)
    note: str = ""
    clauses: dict[str, Any] | None = None  # added / removed / changed / text_changed (documents only)
    merge: dict[str, Any] | None = None  # merged / conflicts / lawyer / untouched paragraphs (status merged)
    amendment: str | None = None  # relative to OUT (status amended)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class RegenResult:
    out_dir: Path
    deal_path: Path
    status: str  # unchanged | manifest (only manifest.json rewritten) | regenerated
    documents: list[DocumentResult] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    hand_edited: list[str] = field(default_factory=list)  # edited files left as they were
    inputs_changed: list[str] = field(default_factory=list)  # recorded inputs that differ, in words

    @property
    def rebuilt(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.status in ("rebuilt", "added", "removed", "merged", "amended")]

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "deal": str(self.deal_path),
            "status": self.status,
            "documents": [d.to_dict() for d in self.documents],
            "hand_edited": self.hand_edited,
            "inputs_changed": self.inputs_changed,
        }


# ------------------------------------------------------------------ diffs of the inputs


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested deal data -> {dotted.path[0].field: scalar or list of scalars}."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list) and value and all(isinstance(v, (dict, list)) for v in value):
        out = {}
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: value}


def field_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """[{path, old, new}] for every deal field that differs (values as in the validated deal)."""
    if old is None:
        return []
    a, b = flatten(old), flatten(new)
    return [{"path": p, "old": a.get(p), "new": b.get(p)} for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def show(value: Any, limit: int = 60) -> str:
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


def clause_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> dict[str, Any]:
    """Clauses added, removed, changed (version), text_changed (file edited, same version)."""
    old_refs = dict(_split_ref(r) for r in (old or {}).get("clauses", []))
    new_refs = dict(_split_ref(r) for r in (new or {}).get("clauses", []))
    old_sha, new_sha = (old or {}).get("clause_sha256", {}), (new or {}).get("clause_sha256", {})
    return {
        "added": [f"{c}@{v}" for c, v in new_refs.items() if c not in old_refs],
        "removed": [f"{c}@{v}" for c, v in old_refs.items() if c not in new_refs],
        "changed": [
            {"id": c, "old": f"{c}@{old_refs[c]}", "new": f"{c}@{v}"}
            for c, v in new_refs.items()
            if c in old_refs and old_refs[c] != v
        ],
        "text_changed": [
            f"{c}@{v}"
            for c, v in new_refs.items()
            if c in old_refs and old_refs[c] == v and c in old_sha and old_sha.get(c) != new_sha.get(c)
        ],
    }


def files_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    return {
        "changed": sorted(n for n in new if n in old and old[n] != new[n]),
        "added": sorted(n for n in new if n not in old),
        "removed": sorted(n for n in old if n not in new),
    }


def _finding_key(f: dict[str, Any]) -> tuple[str, ...]:
    return (f.get("severity", ""), f.get("rule", ""), f.get("document", ""), f.get("message", ""))


def findings_changes(old: list[dict[str, Any]] | None, new: list[dict[str, Any]]) -> dict[str, Any]:
    if old is None:
        return {"appeared": [], "went_away": [], "note": "the previous compliance.json could not be read"}
    old_keys, new_keys = {_finding_key(f) for f in old}, {_finding_key(f) for f in new}
    return {
        "appeared": [f for f in new if _finding_key(f) not in old_keys],
        "went_away": [f for f in old if _finding_key(f) not in new_keys],
    }


def finding_line(f: dict[str, Any]) -> str:
    where = f" ({f['document']})" if f.get("document") else ""
    cite = f" [{f['citation']}]" if f.get("citation") else ""
    return f"{f.get('severity', '')} {f.get('rule', '')}{where}: {f.get('message', '')}{cite}"


def input_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
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


def inputs_changed(
    old: dict[str, Any], new: dict[str, Any], fields: list[dict[str, Any]], rules: dict[str, Any], other: list[str]
) -> list[str]:
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


@dataclass
class InputDiff:
    """What changed between the two manifests, computed once for every document."""

    fields: list[dict[str, Any]]
    rules: dict[str, list[str]]
    other: list[str]
    findings: dict[str, Any]

    @property
    def rule_files(self) -> list[str]:
        return self.rules["changed"] + self.rules["added"] + self.rules["removed"]


def input_diff(
    old: dict[str, Any],
    new: dict[str, Any],
    old_findings: list[dict[str, Any]] | None,
    new_findings: list[dict[str, Any]],
) -> InputDiff:
    return InputDiff(
        field_changes(old["deal"].get("validated"), new["deal"]["validated"]),
        files_changes(old.get("state", {}).get("files", {}), new["state"]["files"]),
        input_changes(old, new),
        findings_changes(old_findings, new_findings),
    )


# ------------------------------------------------------------------ classify


@dataclass
class Classification:
    to_write: list[str]  # files formgen writes (new bytes, or restored)
    removed: list[str]  # recorded files no longer part of the packet
    kept_edits: list[str]  # hand-edited, formgen's version unchanged: left alone
    conflicts: list[str]  # hand-edited (or foreign) files formgen would replace and cannot merge
    merge: list[str]  # hand-edited files formgen changed too: three-way merge
    amend: list[str]  # executed documents formgen's version of which changed: an amendment


def classify(
    old_hashes: dict[str, str],
    new_hashes: dict[str, str],
    disk_sha: dict[str, str],
    *,
    force: bool,
    mergeable: set[str],
    executed: set[str],
) -> Classification:
    """Decide each file's fate from three hashes: recorded, newly built, on disk.

    ``mergeable``: edited documents whose pristine base is on hand (merging on); ``executed``:
    signed documents, never rewritten (a changed one gets an amendment instead).
    """
    names = sorted((set(old_hashes) | set(new_hashes)) - {MANIFEST} - executed)
    edited = [n for n in names if n in old_hashes and n in disk_sha and disk_sha[n] != old_hashes[n]]
    foreign = [
        n for n in names if n in new_hashes and n not in old_hashes and n in disk_sha and disk_sha[n] != new_hashes[n]
    ]  # a file formgen did not write, where it will write
    to_write = [n for n in names if n in new_hashes and disk_sha.get(n) != new_hashes[n]]
    kept_edits = [n for n in edited if n in new_hashes and old_hashes[n] == new_hashes[n]]
    if not force:
        to_write = [n for n in to_write if n not in kept_edits]
    removed = [n for n in old_hashes if n not in new_hashes and n != MANIFEST and n not in executed]
    conflicts = sorted({n for n in edited if n not in kept_edits or force} | set(foreign))
    conflicts = [n for n in conflicts if n in to_write or n in removed]
    merge = [n for n in conflicts if n in mergeable and n in new_hashes and n in edited and n not in kept_edits]
    amend = sorted(n for n in executed if n in new_hashes and n in old_hashes and new_hashes[n] != old_hashes[n])
    return Classification(to_write, removed, kept_edits, [n for n in conflicts if n not in merge], merge, amend)


# ------------------------------------------------------------------ reasons


def clause_reasons(clauses: dict[str, Any] | None) -> list[str]:
    if not clauses:
        return []
    out = []
    if clauses["added"]:
        out.append("clauses added: " + ", ".join(clauses["added"]))
    if clauses["removed"]:
        out.append("clauses removed: " + ", ".join(clauses["removed"]))
    if clauses["changed"]:
        out.append("clauses changed: " + ", ".join(f"{c['old']} → {c['new']}" for c in clauses["changed"]))
    if clauses["text_changed"]:
        out.append("clause text changed (same version): " + ", ".join(clauses["text_changed"]))
    return out


def input_reasons(
    name: str, o: dict[str, Any] | None, n: dict[str, Any] | None, diff: InputDiff, clauses: dict[str, Any] | None
) -> list[str]:
    """Why formgen's own version of ``name`` changed, from the inputs that changed."""
    reasons = []
    if diff.fields:
        reasons.append(
            "deal fields changed: "
            + ", ".join(f"{c['path']} {show(c['old'], 30)} → {show(c['new'], 30)}" for c in diff.fields)
        )
    reasons += clause_reasons(clauses)
    if o and n and (o.get("template") != n.get("template") or o.get("template_sha256") != n.get("template_sha256")):
        reasons.append(f"template changed ({n.get('template')})")
    if diff.rule_files:
        reasons.append("state rules changed: " + ", ".join(diff.rule_files))
    found = diff.findings
    if name == COMPLIANCE and (found["appeared"] or found["went_away"]):
        reasons.append(f"findings: {len(found['appeared'])} appeared, {len(found['went_away'])} went away")
    reasons += diff.other
    return reasons or ["content changed"]


def document_result(
    name: str,
    label: str,
    plan: Classification,
    old_hashes: dict[str, Any],
    new_hashes: dict[str, Any],
    disk_sha: dict[str, Any],
    kept_copy: str | None,
) -> DocumentResult:
    """The status of one file and the reasons that come from the folder (not from the inputs)."""
    if name in plan.kept_edits and name not in plan.to_write:
        return DocumentResult(
            label,
            name,
            "kept",
            note="edited by hand after formgen wrote it; "
            "formgen's version is unchanged, so your edits are left as they are",
        )
    if name in plan.amend:
        return DocumentResult(label, name, "amended")
    if name not in plan.to_write and name not in plan.removed:
        return DocumentResult(label, name, "unchanged")
    if name in plan.removed:
        return DocumentResult(label, name, "removed", ["no longer part of the packet for this deal"])
    status = "merged" if name in plan.merge else ("added" if name not in old_hashes else "rebuilt")
    result = DocumentResult(label, name, status)
    if name in old_hashes and name not in disk_sha:
        result.reasons.append("was missing from the folder")
    if kept_copy:
        result.kept_copy = kept_copy
        result.reasons.append(f"hand edits replaced (--force), the edited file kept as {kept_copy}")
    if status == "added":
        result.reasons.append("new in the packet for this deal")
    if status == "merged":
        result.reasons.append("edited by hand and changed by formgen: merged (formgen's changes as tracked changes)")
    return result


def changes_record(
    deal: dict[str, Any], old: dict[str, Any], new: dict[str, Any], diff: InputDiff, results: list[DocumentResult]
) -> dict[str, Any]:
    """changes.json: the deal, the fields, rules and inputs that changed, each document's fate."""
    documents = {}
    for r in results:
        if r.status == "unchanged":
            continue
        entry = {
            "file": r.file,
            "status": r.status,
            "reasons": r.reasons,
            "clauses": r.clauses,
            "redline": r.redline,
            "kept_copy": r.kept_copy,
        }
        entry.update({k: v for k, v in (("note", r.note), ("merge", r.merge), ("amendment", r.amendment)) if v})
        documents[r.name] = entry
    previous = old["deal"].get("path")
    return {
        "deal": {
            **deal,
            "path": new["deal"]["path"],
            **({"previous_path": previous} if previous != new["deal"]["path"] else {}),
        },
        "sections": sorted({c["path"].split(".")[0].split("[")[0] for c in diff.fields}),
        "fields": diff.fields,
        "rules": diff.rules,
        "other_inputs": diff.other,
        "documents": documents,
        "unchanged": [r.file for r in results if r.status == "unchanged"],
        "findings": diff.findings,
    }
