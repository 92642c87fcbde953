"""manifest.json: what each document was built from, and the hash of every output.

Besides the record of inputs (deal, state files, clause ``id@version``, templates) the manifest
holds what ``regenerate`` and ``batch`` need:

* ``inputs``: every input of the packet as hashes (deal file and its path, state files,
  clause library, templates, the service catalogue, formgen's own code, SOURCE_DATE_EPOCH);
  ``current_inputs`` recomputes it from disk without building, so a batch can skip a deal
  whose packet is current;
* per document: ``inputs_sha256`` (a fingerprint of what that document was built from) and
  ``clause_sha256`` (each clause file's hash, so a clause edited without a version bump is
  named too).
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from .._version import __version__
from ..drafting.packet import Packet
from ..inputs.library import CATALOG_FILE, Library
from ..inputs.states import DEFAULT_FILE
from ..settings import current as current_settings

MANIFEST = "manifest.json"
BASE_DIR = ".formgen/base"  # formgen's own bytes of every document, kept for three-way merges
EXECUTED_DIR = ".formgen/executed"  # the signed copy of each executed document and its conformed state
CODE_DIR = Path(__file__).resolve().parents[1]  # the formgen package


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=4096)
def _cached_file_sha256(path: str, mtime_ns: int, size: int) -> str:
    return sha256(Path(path).read_bytes())


def file_sha256(path: Path) -> str:
    """The file's sha256 (cached on path, mtime and size: inputs are hashed once per process)."""
    st = os.stat(path)
    return _cached_file_sha256(str(Path(path).resolve()), st.st_mtime_ns, st.st_size)


def dumps(data: Any) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, trailing newline (stable bytes)."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def _tree_sha256(root: Path, patterns: tuple[str, ...], skip: tuple[str, ...] = ()) -> str:
    """One hash over the relative names and contents of the files matching ``patterns``."""
    files = sorted({p for pattern in patterns for p in root.rglob(pattern) if p.is_file() and p.name not in skip})
    h = hashlib.sha256()
    for path in files:
        h.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0" + file_sha256(path).encode() + b"\n")
    return h.hexdigest()


def library_sha256(clause_dir: Path) -> str:
    """The clause library: every clause file and the YAML files beside them (README excluded)."""
    return _tree_sha256(clause_dir, ("*.md", "*.yaml"), skip=("README.md",))


def templates_sha256(template_dir: Path) -> str:
    """Every Word template (a new templates/<document>.docx changes which layout a document gets)."""
    return _tree_sha256(template_dir, ("*.docx",))


def code_sha256(code_dir: Path = CODE_DIR) -> str:
    """formgen's own source: a changed formgen may write different documents."""
    return _tree_sha256(code_dir, ("*.py",))


def state_file_hashes(code: str, state_dir: Path) -> dict[str, str]:
    """The rule files ``read_state(code)`` reads, with their hashes (as ``source_files`` would list them)."""
    names = [DEFAULT_FILE] + ([f"{code}.yaml"] if (state_dir / f"{code}.yaml").exists() else [])
    return {name: file_sha256(state_dir / name) for name in names}


def source_date_epoch() -> str | None:
    """SOURCE_DATE_EPOCH as used for zip timestamps (it changes every output's bytes)."""
    value = current_settings().source_date_epoch
    return None if value is None else str(value)


def _deal_relpath(deal_path: Path, out_dir: Path) -> str:
    return os.path.relpath(Path(deal_path).resolve(), Path(out_dir).resolve())


def shared_inputs(library: Library) -> dict[str, Any]:
    """The inputs every packet shares: formgen, the clause library, the templates, SOURCE_DATE_EPOCH."""
    return {
        "formgen_version": __version__,
        "formgen_code_sha256": code_sha256(),
        "library_sha256": library_sha256(library.clauses_dir),
        "templates_sha256": templates_sha256(library.templates_dir),
        "source_date_epoch": source_date_epoch(),
    }


def current_inputs(
    deal_path: Path,
    out_dir: Path,
    state_code: str,
    library: Library,
    shared: dict[str, Any] | None = None,
    policy: str = "conservative",
) -> dict[str, Any]:
    """What ``inputs`` would be for a build from ``library`` now, computed from disk without building.

    ``shared``: ``shared_inputs(library)`` computed once for many deals (a batch).
    """
    return {
        **(shared if shared is not None else shared_inputs(library)),
        "deal_path": _deal_relpath(deal_path, out_dir),
        "deal_sha256": file_sha256(deal_path),
        "state_files": state_file_hashes(state_code, library.states_dir),
        "policy": policy,
    }


def _fingerprint(data: Any) -> str:
    return sha256(dumps(data))


def build_manifest(packet: Packet, out_dir: Path, outputs: dict[str, bytes]) -> dict[str, Any]:
    deal_path, library = Path(packet.deal_path), packet.library
    template_root = library.templates_dir
    state_files = {name: file_sha256(library.states_dir / name) for name in packet.rules.source_files}
    catalog = {CATALOG_FILE: file_sha256(library.clauses_dir / CATALOG_FILE)}
    validated = packet.deal.model_dump(mode="json")
    inputs = current_inputs(deal_path, out_dir, packet.rules.code, library, policy=packet.rules.policy)
    inputs["state_files"] = state_files  # exactly the files the rules were loaded from
    documents = {}
    for doc in packet.documents:
        clause_sha = {c.id: file_sha256(c.path) for c in doc.plan.clauses}
        entry = {
            "file": doc.spec.filename,
            "template": os.path.relpath(doc.template, template_root),
            "template_sha256": file_sha256(doc.template),
            "clauses": doc.plan.clause_refs,
            "clause_sha256": clause_sha,
            "sha256": sha256(doc.data),
            "base": base_path(doc.spec.filename),
        }
        # What this document was built from; equal fingerprints give equal bytes.
        entry["inputs_sha256"] = _fingerprint(
            {
                "template_sha256": entry["template_sha256"],
                "clause_sha256": clause_sha,
                "clauses": entry["clauses"],
                "state_files": state_files,
                "catalog": catalog,
                "deal": validated,
                "formgen": [inputs["formgen_version"], inputs["formgen_code_sha256"]],
                "source_date_epoch": inputs["source_date_epoch"],
                "policy": inputs["policy"],
            }
        )
        documents[doc.spec.name] = entry
    return {
        "formgen_version": __version__,
        "deal": {
            "path": _deal_relpath(deal_path, out_dir),
            "sha256": file_sha256(deal_path),
            "validated": validated,
        },
        "state": {
            "code": packet.rules.code,
            "researched": packet.rules.researched,
            "files": state_files,
        },
        "catalog": catalog,
        "inputs": inputs,
        "inputs_sha256": _fingerprint(inputs),
        "documents": documents,
        "outputs": {name: sha256(data) for name, data in sorted(outputs.items())},
    }


def read_manifest(out_dir: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
    return manifest


# ------------------------------------------------------------------ base and executed records


def base_path(filename: str) -> str:
    """Where formgen keeps its own bytes of ``filename`` (relative to the packet folder)."""
    return f"{BASE_DIR}/{filename}"


def base_outputs(outputs: dict[str, bytes]) -> dict[str, bytes]:
    """The pristine base of every Word document among ``outputs``: what formgen wrote."""
    return {base_path(name): data for name, data in outputs.items() if name.endswith(".docx")}


def executed_records(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """file name -> its execution record (date, signed copy, amendment chain)."""
    return {
        rec["file"]: rec
        for rec in (manifest.get("executed") or {}).values()
        if isinstance(rec, dict) and isinstance(rec.get("file"), str)
    }


def execution_record(
    document: str, filename: str, date: str, data: bytes, agreement_date: str | None = None
) -> dict[str, Any]:
    """The record ``mark-executed`` keeps: when it was signed (and the "as of" date the agreement
    bears) and the hash of what was signed."""
    return {
        "document": document,
        "file": filename,
        "date": date,
        "agreement_date": agreement_date or date,
        "sha256": sha256(data),
        "signed_copy": f"{EXECUTED_DIR}/{filename}",
        "conformed": None,
        "amendments": [],
    }


def conformed_state_path(filename: str) -> str:
    """The conformed text formgen builds on (a user's edits to the visible copy do not count)."""
    return f"{EXECUTED_DIR}/{Path(filename).stem}.conformed.docx"
