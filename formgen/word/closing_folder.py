"""closing/ of a packet folder: the closing checklist, the closing documents and the signature
packets, as file name -> bytes (the same inputs give the same bytes)."""

from __future__ import annotations

from ..drafting.packet import Packet
from .closing_set import CHECKLIST_FILE, checklist_blocks, plan_closing, render_closing_document
from .signature_packets import ESIGN_SERVICES, packet_filenames, packets_by_signer, signature_packets


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
