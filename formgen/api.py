"""The library API the CLI wraps. Heavy modules load only when a function needs them, so that
``formgen validate`` and ``formgen --help`` start fast.

Every function drafts from an explicit ``library`` (``Library.at(folder)`` for a firm's own
clauses, state rules and templates); left out, it is the library shipped with formgen
(``Library.shipped()``). Nothing here reads environment variables.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING


if TYPE_CHECKING:  # pragma: no cover
    import datetime as dt

    from .drafting.packet import Packet
    from .folder.batch import BatchResult
    from .folder.regen_plan import RegenResult
    from .inputs.deal import Deal
    from .inputs.library import Library
    from .inputs.states import Policy
    from .scan.review import Review
    from .scan.packet_checks import PlannedPacket


def load_deal(path: str | Path) -> "Deal":
    """Read and validate a deal file; raises InputError naming file, line and field."""
    from .inputs.deal import load_deal as _load  # lazy: `import formgen` loads no stage until one is called

    return _load(path)


def _library(library: "Library | None") -> "Library":
    from .inputs.library import Library  # lazy: `import formgen` loads no stage until one is called

    return library if library is not None else Library.shipped()


def validate(path: str | Path, *, policy: "Policy" = "conservative", library: "Library | None" = None):
    """(deal, state rules, findings); raises InputError for bad input or a forbidden structure.
    ``policy``: conservative (default) or permissive, for terms the law permits with conditions."""
    from .scan.packet_checks import validate as _validate  # lazy: `import formgen` loads no stage until one is called

    return _validate(path, policy, _library(library))


def plan(path: str | Path, *, policy: "Policy" = "conservative", library: "Library | None" = None) -> "PlannedPacket":
    """Every document's plan (which clauses are in or out, and why), nothing rendered: what
    ``formgen explain`` prints. Raises InputError as ``validate`` does."""
    from .scan.packet_checks import plan_packet  # lazy: `import formgen` loads no stage until one is called

    return plan_packet(path, policy, _library(library))


def build(path: str | Path, *, policy: "Policy" = "conservative", library: "Library | None" = None) -> "Packet":
    """Build every document in memory (nothing written)."""
    from .folder.build import build_packet  # lazy: `import formgen` loads no stage until one is called

    return build_packet(path, policy, _library(library))


def generate(
    path: str | Path,
    out_dir: str | Path,
    *,
    library: "Library | None" = None,
    strict: bool = False,
    pdf: bool = False,
    final: bool = False,
    force: bool = False,
    policy: "Policy" = "conservative",
    on_wait: Callable[[str], None] | None = None,
    esign: str = "none",
) -> "Packet":
    """Build the packet and write it to ``out_dir`` atomically (all files or none), with its
    closing set under closing/ (``esign``: "docusign" or "dropbox-sign" puts that service's anchors
    on the signature packets' signature, date and initials lines). ``out_dir``
    must be new, empty or a formgen packet; hand-edited or foreign files there stop the run
    (``HandEditError`` / ``OutputFolderError``) unless ``force``, which keeps them. Another
    command writing the same packet is waited for (``on_wait`` hears of it after a second)."""
    from .folder.write import generate as _generate  # lazy: `import formgen` loads no stage until one is called

    return _generate(
        path,
        out_dir,
        _library(library),
        strict=strict,
        pdf=pdf,
        final=final,
        force=force,
        policy=policy,
        on_wait=on_wait,
        esign=esign,
    )


def regenerate(
    out_dir: str | Path,
    deal: str | Path | None = None,
    *,
    library: "Library | None" = None,
    force: bool = False,
    merge: bool = True,
    author: str | None = None,
    pdf: bool = False,
    final: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> "RegenResult":
    """Rebuild the packet in ``out_dir`` from its changed inputs: only changed documents are
    rewritten; redlines, changes.md and changes.json say what changed. A hand-edited document
    formgen changes too is merged (formgen's changes as tracked changes); with ``merge=False``,
    ``HandEditError`` is raised when hand-edited files would be replaced (unless ``force``).
    Executed documents are never rewritten: an amendment is written instead. ``pdf``: also the
    PDFs of the .docx files the folder then holds, the table of contents paginated (``final``: no
    DRAFT watermark)."""
    from .folder.regen import regenerate as _regenerate  # lazy: `import formgen` loads no stage until one is called

    return _regenerate(
        out_dir, _library(library), deal, force=force, merge=merge, author=author, pdf=pdf, final=final, on_wait=on_wait
    )


def mark_executed(
    out_dir: str | Path,
    documents: list[str] | None = None,
    *,
    date: str | None = None,
    library: "Library | None" = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[dict]:
    """Record in the manifest that documents of the packet were signed (all Word agreements when
    none are named), on ``date`` and by whom; the closing checklist shows each as executed. Later
    regenerations write amendments for them instead of new versions."""
    from .folder.executed import mark_executed as _mark  # lazy: `import formgen` loads no stage until one is called

    return _mark(out_dir, _library(library), documents, date=date, on_wait=on_wait)


def closing(out_dir: str | Path) -> dict:
    """The closing set of a packet folder as data: every item in signing order with its step,
    kind, file, signers and status (executed, with the date, or open), and the signature packets."""
    from .folder.closing_status import closing_status  # lazy: `import formgen` loads no stage until one is called

    return closing_status(out_dir)


def batch(
    deals_dir: str | Path,
    out_dir: str | Path,
    *,
    library: "Library | None" = None,
    jobs: int | None = None,
    force: bool = False,
    pdf: bool = False,
    on_progress: Callable | None = None,
) -> "BatchResult":
    """One packet per deal file at ``out_dir/<deal stem>/``, in a process pool; unchanged deals are
    skipped, changed ones regenerated, failures reported. ``pdf``: PDFs too, each worker through
    its own persistent LibreOffice."""
    from .folder.batch import batch as _batch  # lazy: `import formgen` loads no stage until one is called

    return _batch(deals_dir, out_dir, _library(library), jobs=jobs, force=force, pdf=pdf, on_progress=on_progress)


def review(
    path: str | Path, state: str, *, as_of: "dt.date | None" = None, library: "Library | None" = None
) -> "Review":
    """The review ``formgen review`` runs on one contract formgen did not write (.docx, .pdf or .txt,
    read with the bounded readers): every clause in a control category, with its section, the
    ``state``'s rule in force on ``as_of`` (default: today), the citation and a compliant clause.
    InputError for an unreadable file or an unknown state."""
    import datetime as dt  # lazy: `import formgen` loads no stage until one is called

    from .scan.review import review_file  # lazy: `import formgen` loads no stage until one is called

    lib = _library(library)
    return review_file(Path(path), rules=lib.state(state), as_of=as_of or dt.date.today(), library=lib.clauses)
