"""formgen: first-pass MSO / medical-practice formation packets from a validated deal file.

The library API the CLI wraps. Heavy modules load only when a function needs them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .deal import Deal
    from .packet import Packet


def load_deal(path: str | Path) -> "Deal":
    from .deal import load_deal as _load

    return _load(path)


def validate(path: str | Path):
    """(deal, state rules, findings); raises InputError for bad input or a forbidden structure."""
    from .packet import validate as _validate

    return _validate(path)


def build(path: str | Path) -> "Packet":
    """Build every document in memory (nothing written)."""
    from .packet import build_packet

    return build_packet(path)


def packet_outputs(packet: "Packet", out_dir: Path) -> dict[str, bytes]:
    """Every file of the packet folder: documents, compliance.json and manifest.json."""
    from .manifest import MANIFEST, build_manifest, dumps

    outputs = {doc.spec.filename: doc.data for doc in packet.documents}
    outputs["compliance.json"] = dumps({
        "deal": packet.deal.deal.name,
        "state": packet.rules.code,
        "findings": [f.to_dict() for f in packet.findings],
    })
    outputs[MANIFEST] = dumps(build_manifest(packet, out_dir, outputs))
    return outputs


def generate(path: str | Path, out_dir: str | Path, *, strict: bool = False, pdf: bool = False,
             final: bool = False) -> "Packet":
    """Build the packet and write it to ``out_dir`` atomically (all files or none).

    With ``pdf``, each document's PDF and packet.pdf are made in the staging folder before the
    swap; without LibreOffice the .docx packet is still written, then ToolMissingError is raised.
    """
    from .errors import ComplianceError, ToolMissingError
    from .output import staged_folder, write_file

    packet = build(path)
    if strict and packet.errors:
        lines = "\n".join(f"- {f.message}" + (f" [{f.citation}]" if f.citation else "") for f in packet.errors)
        raise ComplianceError(f"--strict: {len(packet.errors)} error finding(s); nothing written:\n{lines}")
    out_dir = Path(out_dir)
    outputs = packet_outputs(packet, out_dir)
    missing_tool = None
    if pdf:
        from .pdf import soffice_path

        try:
            soffice_path(docx_note="The .docx files were written; no PDF was made. ")
        except ToolMissingError as exc:
            missing_tool = exc
    with staged_folder(out_dir) as stage:
        for name, data in outputs.items():
            write_file(stage / name, data)
        if pdf and missing_tool is None:
            from .pdf import write_pdfs

            write_pdfs(packet, stage, final=final)
    if missing_tool is not None:
        raise missing_tool
    return packet


def regenerate(out_dir: str | Path, deal: str | Path | None = None, *, force: bool = False):
    """Rebuild the packet in ``out_dir`` from its changed inputs: only changed documents are
    rewritten; redlines, changes.md and changes.json say what changed (see formgen/regen.py).
    Returns a ``RegenResult``; raises ``HandEditError`` when hand-edited files would be replaced."""
    from .regen import regenerate as _regenerate

    return _regenerate(out_dir, deal, force=force)


# The submodule formgen.batch is loaded here, before the function of the same name is defined:
# importing a submodule binds its name on the package, and loading it first means that
# ``formgen.batch`` stays the function below whatever imports formgen.batch later.
from . import batch as _batch_module  # noqa: E402


def batch(deals_dir: str | Path, out_dir: str | Path, *, jobs: int | None = None, force: bool = False,
          on_progress=None):
    """One packet per deal file at ``out_dir/<deal stem>/``, in a process pool; unchanged deals are
    skipped, changed ones regenerated, failures reported (see formgen/batch.py). Returns a ``BatchResult``."""
    return _batch_module.batch(deals_dir, out_dir, jobs=jobs, force=force, on_progress=on_progress)
