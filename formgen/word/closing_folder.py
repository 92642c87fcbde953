"""closing/ of a packet folder: the closing checklist, the closing documents and the signature
packets, as file name -> bytes (the same inputs give the same bytes), and the closing record the
manifest keeps (``closing_record``): the signing order with each item's signers and file, and what
``mark-executed`` needs to redraw the checklist with each document's status."""

from __future__ import annotations

from dataclasses import dataclass

from ..drafting.closing import signer_key
from ..drafting.packet import Packet, header_text
from ..inputs.library import Library
from ..markup import strip_word_markers
from .closing_set import (
    CHECKLIST_FILE,
    CLOSING_DIR,
    ClosingSet,
    checklist_blocks,
    plan_closing,
    render_blocks,
    render_closing_document,
    with_statuses,
)
from .signature_packets import ESIGN_SERVICES, PACKET_TITLE, packet_filenames, packets_by_signer, signature_packets

CHECKLIST_TITLE = "Closing Checklist"


def closing_outputs(packet: Packet, esign: str = "none", executed: dict[str, dict] | None = None) -> dict[str, bytes]:
    """closing/ as file name -> bytes; ``executed``: document name -> its execution record (the
    checklist shows each as executed, with its date)."""
    return build_closing(packet, esign, executed)[0]


def build_closing(
    packet: Packet, esign: str = "none", executed: dict[str, dict] | None = None
) -> tuple[dict[str, bytes], dict]:
    """(closing/ as file name -> bytes, the closing record for the manifest)."""
    if esign not in ESIGN_SERVICES:
        raise ValueError(f"esign: {esign!r} is not one of {', '.join(ESIGN_SERVICES)}")
    closing = plan_closing(packet)
    packets = signature_packets(closing, packet, esign)
    filenames = packet_filenames(list(packets_by_signer(closing)))
    record = closing_record(closing, packet, esign, filenames)
    out = {CHECKLIST_FILE: checklist_docx(packet.library, record, executed or {})}
    for document in closing.documents.values():
        if document.filename.startswith(f"{CLOSING_DIR}/"):
            out[document.filename] = render_closing_document(packet, document.title, document.subtitle, document.blocks)
    out.update(packets)
    return out, record


def closing_record(closing: ClosingSet, packet: Packet, esign: str, packet_files: dict[str, str]) -> dict:
    """The closing as the manifest keeps it: the signing order (each item's step, name, title,
    kind, file and signers), the signature packets by signer, and the checklist as blocks."""
    items = []
    for step in closing.steps:
        for name in step.items:
            document, item = closing.documents.get(name), closing.items.get(name)
            if document is not None:
                signers = list(dict.fromkeys(signer_key(s, document.label) for s, _ in document.signature_blocks()))
                kind = "closing document" if document.filename.startswith(f"{CLOSING_DIR}/") else "document"
                title, file = document.full_name, document.filename
            else:
                signers, kind, title, file = [item.who], item.kind, item.title, None
            items.append(
                {
                    "step": step.number,
                    "name": name,
                    "title": strip_word_markers(title),
                    "kind": kind,
                    "file": file,
                    "signers": signers,
                }
            )
    return {
        "esign": esign,
        "items": items,
        "signature_packets": packet_files,
        "checklist": {
            "file": CHECKLIST_FILE,
            "title": CHECKLIST_TITLE,
            "subtitle": packet.deal.deal.name,
            "header": header_text(packet.deal),
            "blocks": checklist_blocks(closing, packet, packet_files),
        },
    }


def checklist_docx(library: Library, record: dict, executed: dict[str, dict]) -> bytes:
    """The closing checklist drawn from the closing record, each document's status from ``executed``
    (generate, regenerate and mark-executed all draw it here, so they agree byte for byte)."""
    checklist = record["checklist"]
    blocks = with_statuses(checklist["blocks"], [i["name"] for i in record["items"]], executed)
    return render_blocks(library, checklist["header"], checklist["title"], checklist["subtitle"], blocks)


@dataclass(frozen=True)
class ClosingFile:
    """A Word file of the closing set and its name in the PDF bookmarks and contents."""

    filename: str  # closing/<stem>.docx
    label: str


def closing_files(packet: Packet) -> list[ClosingFile]:
    """The closing set's Word files in reading order: the checklist, the closing documents, then the
    signature packets in order of first signature."""
    closing = plan_closing(packet)
    files = [ClosingFile(CHECKLIST_FILE, CHECKLIST_TITLE)]
    files += [
        ClosingFile(d.filename, strip_word_markers(d.full_name))
        for d in closing.documents.values()
        if d.filename.startswith(f"{CLOSING_DIR}/")
    ]
    files += [
        ClosingFile(filename, f"{PACKET_TITLE} of {signer}")
        for signer, filename in packet_filenames(list(packets_by_signer(closing))).items()
    ]
    return files
