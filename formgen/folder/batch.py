"""Portfolios: one packet per deal file, built or regenerated on every core.

``batch(deals_dir, out_dir)`` looks at every ``*.yaml`` / ``*.yml`` / ``*.json`` in
``deals_dir`` (not recursively). Deal ``clinic_17.yaml`` goes to ``out_dir/clinic_17/`` (the
file's stem: stable, and as safe for the file system as the deal file's own name).

* no packet there yet: ``generate`` builds it (**built**);
* a packet whose recorded inputs (deal file hash and path, the state's rule files, clause
  library, templates, formgen's code, SOURCE_DATE_EPOCH) all equal the current ones is
  **skipped** without building; that check reads the manifest and hashes the deal file and
  the few shared inputs once, so a no-op run costs milliseconds per deal;
* otherwise ``regenerate`` runs (redlines, changes.md) and the deal is **regenerated**, or
  **unchanged** when the new packet turned out identical (e.g. a state file's comment changed;
  then only manifest.json is refreshed so the next run skips it);
* a deal that cannot be built (bad input, hand-edited documents without ``force``, a bug) is
  **failed** with its message; the others still run.

After one state's override file changes, only that state's deals differ in their recorded
``state_files`` hashes, so only they are rebuilt.

Work runs in a process pool (``spawn``: every worker loads the rule files and clause library
fresh). ``on_progress(done, total, result)`` is called in the parent after each deal.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FormgenError, InputError, Problem
from ..inputs.library import Library
from ..settings import current as current_settings
from .manifest import MANIFEST, current_inputs, shared_inputs
from .packet_folder import PacketFolder
from .regen import regenerate
from .workers import die_with_parent
from .write import generate

DEAL_SUFFIXES = (".yaml", ".yml", ".json")
STATUSES = ("built", "regenerated", "unchanged", "skipped", "failed")


@dataclass
class DealResult:
    deal: str  # the deal file
    name: str  # its stem = the packet folder's name
    out: str
    status: str  # built | regenerated | unchanged | skipped | failed
    detail: str = ""  # rebuilt documents, or the error
    documents: list[str] = field(default_factory=list)  # files written (built / regenerated)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchResult:
    deals_dir: Path
    out_dir: Path
    results: list[DealResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[DealResult]:
        return [r for r in self.results if r.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "deals_dir": str(self.deals_dir),
            "out_dir": str(self.out_dir),
            "seconds": round(self.seconds, 3),
            "counts": {s: self.count(s) for s in STATUSES},
            "deals": [r.to_dict() for r in self.results],
        }


def deal_files(deals_dir: Path) -> list[Path]:
    return sorted(
        p
        for p in Path(deals_dir).iterdir()
        if p.is_file()
        and p.suffix.lower() in DEAL_SUFFIXES
        and not p.name.startswith(".")
        and not p.name.lower().endswith(".schema.json")
    )  # an editor's schema, not a deal


def is_current(deal_path: Path, target: Path, library: Library, shared: dict[str, Any] | None = None) -> bool:
    """True when ``target`` holds a packet built from exactly the current inputs (no build needed).

    ``shared``: ``manifest.shared_inputs(library)``, computed once for the whole batch.
    """
    folder = PacketFolder(target)
    if not folder.is_packet():
        return False
    try:
        manifest = folder.manifest()
        recorded = manifest["inputs"]
        if current_inputs(deal_path, target, manifest["state"]["code"], library, shared) != recorded:
            return False
        return all((target / name).is_file() for name in manifest["outputs"])
    except (OSError, KeyError, TypeError, ValueError, FormgenError):
        return False


def process_deal(deal_path: str, target: str, library: Library, force: bool = False, pdf: bool = False) -> DealResult:
    """Build or regenerate one deal's packet (and its PDFs with ``pdf``, through this process's
    persistent LibreOffice); never raises (a failure is a result)."""
    deal, out = Path(deal_path), Path(target)
    started = time.perf_counter()
    result = DealResult(str(deal), deal.stem, str(out), "failed")
    try:
        if not out.exists() or (out.is_dir() and not any(out.iterdir())):
            packet = generate(deal, out, library, pdf=pdf)
            result.status = "built"
            result.documents = [d.spec.filename for d in packet.documents]
            result.detail = f"{len(packet.documents)} documents"
        elif not (out / MANIFEST).is_file():
            raise InputError(
                [Problem(str(out), "", f"exists but has no {MANIFEST}: not a formgen packet; move it away and rerun")]
            )
        else:
            # with pdf: the PDFs of the .docx files the folder then holds (hand edits, merges, executed copies)
            regen = regenerate(out, library, deal, force=force, pdf=pdf)
            if regen.status == "regenerated":
                result.status = "regenerated"
                result.documents = [d.file for d in regen.rebuilt]
                result.detail = "rebuilt " + ", ".join(result.documents)
            else:
                result.status = "unchanged"
                result.detail = "no document changed" + ("; manifest updated" if regen.status == "manifest" else "")
            if regen.hand_edited:
                result.detail += "; hand-edited, left as they are: " + ", ".join(regen.hand_edited)
    except FormgenError as exc:
        result.detail = str(exc).strip()
    except Exception as exc:  # noqa: BLE001 - one deal's bug must not stop the portfolio
        result.detail = f"internal error: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def batch(
    deals_dir: str | Path,
    out_dir: str | Path,
    library: Library,
    *,
    jobs: int | None = None,
    force: bool = False,
    pdf: bool = False,
    on_progress: Callable[[int, int, DealResult], None] | None = None,
) -> BatchResult:
    """One packet per deal file in ``deals_dir`` at ``out_dir/<deal stem>/``; see the module docstring."""
    deals_dir, out_dir = Path(deals_dir), Path(out_dir)
    started = time.perf_counter()
    if not deals_dir.is_dir():
        raise InputError([Problem(str(deals_dir), "", "is not a folder of deal files")])
    files = deal_files(deals_dir)
    if not files:
        raise InputError([Problem(str(deals_dir), "", f"holds no deal files ({', '.join(DEAL_SUFFIXES)})")])
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = max(1, jobs or os.cpu_count() or 1)

    results: dict[Path, DealResult] = {}
    todo: list[tuple[Path, Path]] = []
    stems: dict[str, list[Path]] = {}
    for path in files:
        stems.setdefault(path.stem, []).append(path)
    total, done = len(files), 0

    def finish(path: Path, result: DealResult) -> None:
        nonlocal done
        results[path] = result
        done += 1
        if on_progress:
            on_progress(done, total, result)

    shared = shared_inputs(library)
    for path in files:
        target = out_dir / path.stem
        if len(stems[path.stem]) > 1:
            others = ", ".join(p.name for p in stems[path.stem] if p != path)
            finish(
                path,
                DealResult(
                    str(path),
                    path.stem,
                    str(target),
                    "failed",
                    f"shares its name with {others}: both would go to {target}; rename one",
                ),
            )
        elif is_current(path, target, library, shared) and (not pdf or (target / "packet.pdf").is_file()):
            finish(path, DealResult(str(path), path.stem, str(target), "skipped", "inputs unchanged"))
        else:
            todo.append((path, target))

    if jobs == 1 or len(todo) <= 1:
        for path, target in todo:
            finish(path, process_deal(str(path), str(target), library, force, pdf))
    else:
        _run_pool(todo, jobs, library, force, pdf, finish)
    ordered = [results[p] for p in files]
    return BatchResult(deals_dir, out_dir, ordered, time.perf_counter() - started)


def _run_pool(
    todo: list[tuple[Path, Path]], jobs: int, library: Library, force: bool, pdf: bool, finish: Callable[..., None]
) -> None:
    """The deals to build, in a process pool; each result goes to ``finish`` as it comes."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)),
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(), dataclasses.replace(current_settings(), converters=1)),
    )  # one LibreOffice per worker
    try:
        futures = {
            pool.submit(process_deal, str(path), str(target), library, force, pdf): (path, target)
            for path, target in todo
        }
        for future in as_completed(futures):
            path, target = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory)
                result = DealResult(
                    str(path), path.stem, str(target), "failed", f"worker failed: {type(exc).__name__}: {exc}"
                )
            finish(path, result)
    except BaseException:  # interrupted: start nothing new; packets being written stay atomic
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
