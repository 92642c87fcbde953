"""manifest.json: what each document was built from, and the hash of every output."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__
from .clauses import CLAUSE_DIR
from .context import CATALOG_FILE
from .states import STATE_DIR

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256(Path(path).read_bytes())


def dumps(data) -> bytes:
    """Canonical JSON: sorted keys, two-space indent, trailing newline (stable bytes)."""
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n").encode("utf-8")


def build_manifest(packet, out_dir: Path, outputs: dict[str, bytes]) -> dict:
    deal_path = Path(packet.deal_path)
    repo_root = CLAUSE_DIR.parent
    return {
        "formgen_version": __version__,
        "deal": {
            "path": os.path.relpath(deal_path.resolve(), Path(out_dir).resolve()),
            "sha256": file_sha256(deal_path),
            "validated": packet.deal.model_dump(mode="json"),
        },
        "state": {
            "code": packet.rules.code,
            "researched": packet.rules.researched,
            "files": {name: file_sha256(STATE_DIR / name) for name in packet.rules.source_files},
        },
        "catalog": {CATALOG_FILE: file_sha256(CLAUSE_DIR / CATALOG_FILE)},
        "documents": {
            doc.spec.name: {
                "file": doc.spec.filename,
                "template": os.path.relpath(doc.template, repo_root),
                "template_sha256": file_sha256(doc.template),
                "clauses": doc.plan.clause_refs,
                "sha256": sha256(doc.data),
            }
            for doc in packet.documents
        },
        "outputs": {name: sha256(data) for name, data in sorted(outputs.items())},
    }


def read_manifest(out_dir: Path) -> dict:
    return json.loads((Path(out_dir) / MANIFEST).read_text(encoding="utf-8"))
