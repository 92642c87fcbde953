"""closing/ of a packet folder: the closing checklist, the closing documents and the signature
packets, as file name -> bytes (the same inputs give the same bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from ..drafting.packet import Packet
from ..markup import strip_word_markers
from .closing_set import CHECKLIST_FILE, CLOSING_DIR, checklist_blocks, plan_closing, render_closing_document
from .signature_packets import ESIGN_SERVICES, PACKET_TITLE, packet_filenames, packets_by_signer, signature_packets


def closing_outputs(packet: Packet, esign: str = "none") -> dict[str, bytes]:
    if esign not in ESIGN_SERVICES:
        raise ValueError(f"esign: {esign!r} is not one of {', '.join(ESIGN_SERVICES)}")
    closing = plan_closing(packet)
    packets = signature_packets(closing, packet, esign)
    filenames = packet_filenames(list(packets_by_signer(closing)))
    out = {CHECKLIST_FILE: render_closing_document(packet, "Closing Checklist", packet.deal.deal.name,
                                                   checklist_blocks(closing, packet, filenames))}
    for document in closing.documents.values():
        if document.filename.startswith("closing/"):
            out[document.filename] = render_closing_document(packet, document.title, document.subtitle,
                                                             document.blocks)
    out.update(packets)
    return out


@dataclass(frozen=True)
class ClosingFile:
    """A Word file of the closing set and its name in the PDF bookmarks and contents."""

    filename: str  # closing/<stem>.docx
    label: str


def closing_files(packet: Packet) -> list[ClosingFile]:
    """The closing set's Word files in reading order: the checklist, the closing documents, then the
    signature packets in order of first signature."""
    closing = plan_closing(packet)
    files = [ClosingFile(CHECKLIST_FILE, "Closing Checklist")]
    files += [ClosingFile(d.filename, strip_word_markers(d.full_name)) for d in closing.documents.values()
              if d.filename.startswith(f"{CLOSING_DIR}/")]
    files += [ClosingFile(filename, f"{PACKET_TITLE} of {signer}")
              for signer, filename in packet_filenames(list(packets_by_signer(closing))).items()]
    return files
