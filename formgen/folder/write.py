"""Write a built packet into its folder: the documents, compliance.json and manifest.json,
staged beside the target and swapped in atomically (with PDFs when asked)."""

from __future__ import annotations

from pathlib import Path

from ..drafting.packet import Packet
from ..errors import ToolMissingError
from .atomic import staged_folder, write_file
from .manifest import MANIFEST, base_outputs, build_manifest, dumps


def packet_outputs(packet: Packet, out_dir: Path) -> dict[str, bytes]:
    """Every file of the packet folder: documents, compliance.json and manifest.json."""
    outputs = {doc.spec.filename: doc.data for doc in packet.documents}
    outputs["compliance.json"] = dumps({
        "deal": packet.deal.deal.name,
        "state": packet.rules.code,
        "findings": [f.to_dict() for f in packet.findings],
    })
    outputs[MANIFEST] = dumps(build_manifest(packet, out_dir, outputs))
    return outputs


def write_packet(packet: Packet, out_dir: Path, *, pdf: bool = False, final: bool = False) -> None:
    """All files or none. With ``pdf``, PDFs are made in the staging folder before the swap;
    without LibreOffice the .docx packet is still written, then ToolMissingError is raised."""
    outputs = packet_outputs(packet, out_dir)
    missing_tool: ToolMissingError | None = None
    if pdf:
        from ..pdf.packet import soffice_path

        try:
            soffice_path(docx_note="The .docx files were written; no PDF was made. ")
        except ToolMissingError as exc:
            missing_tool = exc
    with staged_folder(out_dir) as stage:
        for name, data in {**outputs, **base_outputs(outputs)}.items():
            write_file(stage / name, data)
        if pdf and missing_tool is None:
            from ..pdf.packet import write_pdfs

            write_pdfs(packet, stage, final=final)
    if missing_tool is not None:
        raise missing_tool
