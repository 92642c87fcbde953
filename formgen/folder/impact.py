"""``formgen impact``: across a portfolio of generated packets, which of them a law change reaches,
what it requires, the documents and clauses affected, and by when.

A packet is reached by a dated rule that came (or comes) into force after its deal's effective
date (see inputs/law_changes.py), and is flagged when its state's rule files changed since it
was generated. Reading the manifests only: nothing is built or written.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..counts import plural
from ..drafting.assemble import bookmark_for
from ..errors import InputError, Problem
from ..inputs.clauses import ClauseLibrary
from ..inputs.law_changes import LawChange, law_changes
from ..inputs.library import Library
from ..inputs.practice_law import NON_COMPETE_TAG
from ..word.ooxml import bookmark_labels
from .manifest import MANIFEST, state_file_hashes
from .packet_folder import PacketFolder


@dataclass
class PacketImpact:
    packet: str  # folder, relative to the portfolio
    deal: str
    state: str
    effective_date: str
    changes: list[dict[str, Any]] = field(default_factory=list)  # law changes with affected clauses, by deadline
    rules_changed: list[str] = field(default_factory=list)  # state files changed since generation


def find_packets(root: Path) -> list[Path]:
    root = Path(root)
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p.parent for p in root.glob(f"*/{MANIFEST}"))


def _numbers(folder: Path, document: str) -> dict[str, str]:
    """The document on disk: bookmark -> its number ("Section 15.2", "Article 4"); {} if unreadable."""
    try:
        data = PacketFolder(folder).read(document)
        labels = bookmark_labels(data) if data is not None else {}
    except (OSError, ValueError, KeyError, SyntaxError, InputError):  # missing, or not a readable .docx
        return {}
    return {
        name: label if not label or label.startswith("Article") else f"Section {label}"
        for name, label in labels.items()
    }


def _affected(
    change: LawChange, manifest: dict[str, Any], library: ClauseLibrary, numbers: Callable[[str], dict[str, str]]
) -> list[dict[str, Any]]:
    """The packet's documents and clauses the rule acts on, with their numbers as the files stand
    (``numbers(document)``: that document's bookmark -> number)."""

    hits = []
    for entry in manifest.get("documents", {}).values():
        for ref in entry.get("clauses", []):
            clause = library.get(ref.split("@")[0])
            if clause is None:
                continue
            tagged = (
                change.section == "clause_rules"
                and change.key in clause.meta.tags
                # the owner covenant rule governs the MSA's covenant not to compete
                or change.section == "noncompete"
                and change.key == "owner"
                and NON_COMPETE_TAG in clause.meta.tags
            )
            if tagged:
                hits.append(
                    {
                        "document": entry["file"],
                        "section": numbers(entry["file"]).get(bookmark_for(clause.id), ""),
                        "clause": clause.id,
                        "title": clause.meta.title,
                    }
                )
    if change.section == "required_clauses":
        clause = library.get(change.key)
        document = clause.meta.document[0] if clause else ""
        hits.append(
            {
                "document": f"{document}.docx" if document else "",
                "clause": change.key,
                "title": clause.meta.title if clause else "",
                "add": True,
            }
        )
    if change.section == "checklist":
        hits.append({"document": "formation_checklist.docx", "clause": change.key, "title": "checklist item"})
    if change.section == "noncompete" and "compliance_memo" in manifest.get("documents", {}):
        hits.append(
            {
                "document": manifest["documents"]["compliance_memo"]["file"],
                "clause": "covenant analysis",
                "title": f"the memo's analysis of the {change.key} covenant",
            }
        )
    return hits


def packet_impact(folder: Path, root: Path, as_of: dt.date, horizon: dt.date | None, library: Library) -> PacketImpact:
    manifest = PacketFolder(folder).manifest()
    try:
        deal = manifest["deal"]["validated"]
        code = manifest["state"]["code"]
        start = dt.date.fromisoformat(deal["deal"]["effective_date"])
        term = deal["term"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError([Problem(str(folder / MANIFEST), "", f"is not a readable formgen manifest ({exc})")]) from None
    result = PacketImpact(
        str(folder.relative_to(root)) if folder != root else folder.name, deal["deal"]["name"], code, start.isoformat()
    )
    clauses = library.clauses
    numbers = functools.cache(lambda document: _numbers(folder, document))  # each document read once
    for change in law_changes(library.state(code), start, term["initial_years"], term["renewal_years"]):
        if horizon is not None and change.deadline > horizon:  # not due within the window
            continue
        item = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in asdict(change).items()}
        item["status"] = (
            "overdue" if change.deadline < as_of else ("in force" if change.effective <= as_of else "coming into force")
        )
        item["affects"] = _affected(change, manifest, clauses, numbers)
        result.changes.append(item)
    recorded = manifest["state"].get("files", {})
    current = state_file_hashes(code, library.states_dir)
    result.rules_changed = sorted(n for n in set(recorded) | set(current) if recorded.get(n) != current.get(n))
    return result


def impact(root: str | Path, as_of: dt.date, library: Library, horizon: dt.date | None = None) -> list[PacketImpact]:
    """Every packet under ``root`` that a law change reaches (changes due by ``horizon``, overdue ones included;
    all of them when None), or whose state rules changed since it was generated."""
    root = Path(root)
    packets = find_packets(root)
    if not packets:
        raise InputError([Problem(str(root), "", f"holds no formgen packet (no */{MANIFEST})")])
    results = [packet_impact(folder, root, as_of, horizon, library) for folder in packets]
    return [r for r in results if r.changes or r.rules_changed]


def impact_lines(results: list[PacketImpact], as_of: dt.date) -> list[str]:
    if not results:
        return [f"No packet is reached by a law change (as of {as_of.isoformat()})."]
    lines = [f"{plural(len(results), 'packet')} reached by a law change (as of {as_of.isoformat()}):"]
    for r in results:
        lines.append(f"\n{r.packet}  {r.deal} ({r.state}, effective {r.effective_date})")
        for c in r.changes:
            lines.append(f"  by {c['deadline']} [{c['status']}] {c['label']} ({c['basis']}) [{c['citation']}]")
            for a in c["affects"]:
                verb = "add" if a.get("add") else "revise"
                where = f" {a['section']}" if a.get("section") else ""
                lines.append(f"      {verb} {a['document']}{where}: {a['title']} ({a['clause']})")
        if r.rules_changed:
            lines.append(
                f"  state rule files changed since generation: {', '.join(r.rules_changed)}; "
                "run formgen regenerate to see the effect"
            )
    return lines
