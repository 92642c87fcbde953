"""The library API the CLI wraps. Heavy modules load only when a function needs them, so that
``formgen validate`` and ``formgen --help`` start fast."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .drafting.packet import Packet
    from .folder.batch import BatchResult
    from .folder.regen import RegenResult
    from .inputs.deal import Deal


def load_deal(path: str | Path) -> "Deal":
    """Read and validate a deal file; raises InputError naming file, line and field."""
    from .inputs.deal import load_deal as _load

    return _load(path)


def validate(path: str | Path, *, policy: str = "conservative"):
    """(deal, state rules, findings); raises InputError for bad input or a forbidden structure.
    ``policy``: conservative (default) or permissive, for terms the law permits with conditions."""
    from .drafting.validation import validate as _validate

    return _validate(path, policy)


def build(path: str | Path, *, policy: str = "conservative") -> "Packet":
    """Build every document in memory (nothing written)."""
    from .drafting.packet import build_packet

    return build_packet(path, policy)


def generate(path: str | Path, out_dir: str | Path, *, strict: bool = False, pdf: bool = False,
             final: bool = False, policy: str = "conservative") -> "Packet":
    """Build the packet and write it to ``out_dir`` atomically (all files or none)."""
    from .errors import ComplianceError
    from .folder.write import write_packet

    packet = build(path, policy=policy)
    if strict and packet.errors:
        lines = "\n".join(f"- {f.message}" + (f" [{f.citation}]" if f.citation else "") for f in packet.errors)
        raise ComplianceError(f"--strict: {len(packet.errors)} error finding(s); nothing written:\n{lines}")
    write_packet(packet, Path(out_dir), pdf=pdf, final=final)
    return packet


def regenerate(out_dir: str | Path, deal: str | Path | None = None, *, force: bool = False) -> "RegenResult":
    """Rebuild the packet in ``out_dir`` from its changed inputs: only changed documents are
    rewritten; redlines, changes.md and changes.json say what changed. Raises
    ``HandEditError`` when hand-edited files would be replaced."""
    from .folder.regen import regenerate as _regenerate

    return _regenerate(out_dir, deal, force=force)


def batch(deals_dir: str | Path, out_dir: str | Path, *, jobs: int | None = None, force: bool = False,
          pdf: bool = False, on_progress: Callable | None = None) -> "BatchResult":
    """One packet per deal file at ``out_dir/<deal stem>/``, in a process pool; unchanged deals are
    skipped, changed ones regenerated, failures reported. ``pdf``: PDFs too, each worker through
    its own persistent LibreOffice."""
    from .folder.batch import batch as _batch

    return _batch(deals_dir, out_dir, jobs=jobs, force=force, pdf=pdf, on_progress=on_progress)
