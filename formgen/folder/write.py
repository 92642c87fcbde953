"""Write a built packet into its folder: the documents, compliance.json and manifest.json,
staged beside the target and swapped in atomically (with PDFs when asked)."""

from __future__ import annotations

from typing import Any

from collections.abc import Callable
from pathlib import Path

from ..counts import plural
from ..drafting.packet import Packet
from ..errors import ComplianceError, ToolMissingError
from ..inputs.library import Library
from ..inputs.states import Policy
from .atomic import write_file
from .build import build_packet
from .guard import FolderPlan, check_target, kept_name, plan_folder
from .manifest import MANIFEST, base_outputs, build_manifest, dumps, sha256
from .packet_folder import PacketFolder, carry
from ..word.closing_folder import build_closing


def packet_outputs(
    packet: Packet, out_dir: Path, esign: str = "none", executed: dict[str, dict[str, Any]] | None = None
) -> dict[str, bytes]:
    """Every file of the packet folder: documents, the closing set (closing/), compliance.json and
    manifest.json. ``esign``: the e-signature service whose anchors the signature packets carry;
    ``executed``: the execution records kept so far (the closing checklist shows them)."""
    outputs = {doc.spec.filename: doc.data for doc in packet.documents}
    closing, closing_record = build_closing(packet, esign, executed)
    outputs.update(closing)
    outputs["compliance.json"] = dumps(
        {
            "deal": packet.deal.deal.name,
            "state": packet.rules.code,
            "findings": [f.to_dict() for f in packet.findings],
        }
    )
    manifest = build_manifest(packet, out_dir, outputs)
    manifest["closing"] = closing_record
    outputs[MANIFEST] = dumps(manifest)
    return outputs


def _carry_over(out_dir: Path, stage: Path, plan: FolderPlan, outputs: dict[str, bytes]) -> None:
    """Put what the folder plan keeps into the stage (hard links: same bytes, same mtime)."""
    for rel, copy_name in plan.keep_copies.items():
        carry(out_dir / rel, stage / copy_name)
    for rel in plan.carry:
        if (out_dir / rel).is_dir() and not (out_dir / rel).is_symlink():  # an empty folder of the user's
            (stage / rel).mkdir(parents=True, exist_ok=True)
            continue
        dst = rel
        if rel in outputs:  # a file of the user's where formgen writes one: kept under another name
            dst = kept_name(rel, sha256((out_dir / rel).read_bytes()))
        carry(out_dir / rel, stage / dst)


def generate(
    deal_path: str | Path,
    out_dir: str | Path,
    library: Library,
    *,
    strict: bool = False,
    pdf: bool = False,
    final: bool = False,
    force: bool = False,
    policy: Policy = "conservative",
    on_wait: Callable[[str], None] | None = None,
    esign: str = "none",
) -> Packet:
    """Build the packet from ``library`` and write it to ``out_dir`` atomically (all files or
    none); see ``api.generate``."""
    deal_path, out_dir = Path(deal_path), Path(out_dir)
    check_target(out_dir, deal_path, library)  # fail fast, before building; checked again when writing
    plan_folder(out_dir, force=force)
    packet = build_packet(deal_path, policy, library)
    if strict and packet.errors:
        lines = "\n".join(f"- {f.message}" + (f" [{f.citation}]" if f.citation else "") for f in packet.errors)
        raise ComplianceError(f"--strict: {plural(len(packet.errors), 'error finding')}; nothing written:\n{lines}")
    packet.kept = write_packet(packet, out_dir, pdf=pdf, final=final, force=force, on_wait=on_wait, esign=esign).notes
    return packet


def write_packet(
    packet: Packet,
    out_dir: Path,
    *,
    pdf: bool = False,
    final: bool = False,
    force: bool = False,
    on_wait: Callable[[str], None] | None = None,
    esign: str = "none",
) -> FolderPlan:
    """All files or none, and never a file formgen did not write lost (see ``guard``). With
    ``pdf``, PDFs are made in the staging folder before the swap, under the packet's own lock;
    without LibreOffice the .docx packet is still written, then ToolMissingError is raised.
    Returns what was kept."""
    out_dir = Path(out_dir)
    check_target(out_dir, packet.deal_path, packet.library)
    missing_tool: ToolMissingError | None = None
    if pdf:
        from ..pdf.pagination import paginate_tocs  # lazy: only --pdf loads the PDF stage
        from ..pdf.soffice import missing_before_pdfs  # lazy: only --pdf loads the PDF stage

        missing_tool = missing_before_pdfs()
        if missing_tool is None:  # the .docx and its PDF show the same TOC page numbers
            paginate_tocs(packet)
    outputs = packet_outputs(packet, out_dir, esign)
    folder = PacketFolder(out_dir)
    with folder.locked(on_wait=on_wait):
        plan = plan_folder(out_dir, force=force)  # under the lock: what is there now
        with folder.staged() as stage:
            _carry_over(out_dir, stage, plan, outputs)
            for name, data in {**outputs, **base_outputs(outputs)}.items():
                write_file(stage / name, data)
            if pdf and missing_tool is None:
                from ..pdf.packet import write_pdfs  # lazy: only --pdf loads the PDF stage

                write_pdfs(packet, stage, final=final, from_disk=True)  # what the folder holds
    if missing_tool is not None:
        raise missing_tool
    return plan
