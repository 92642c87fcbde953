"""Signature packets: for each person who signs, every signature block that person signs across the
packet, in the closing checklist's order, so a signer signs once, at one sitting or through an
e-signature service.

A packet opens with a cover (what the signer signs, in order, with a line for initials), then one
page per signature block: the document's title and date, the lead-in text above the block as the
document has it, and the block itself with the document's own legend.

With an e-signature service, each signature, date and initials line carries the anchor text the
service places its fields on, in white 1-point type (invisible on the page, found by the service):
the same anchors for the same signer in every packet of the closing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from ..drafting.closing import signer_key
from ..drafting.context import longdate
from ..drafting.packet import Packet
from .closing_set import CLOSING_DIR, ClosingSet, SignedDocument, render_closing_document
from .ooxml import read_package
from .wordml import W, write_package

ESign = Literal["none", "docusign", "dropbox-sign"]
ESIGN_SERVICES: tuple[str, ...] = ("none", "docusign", "dropbox-sign")

PACKET_TITLE = "Signature Packet"
SIGN_LINE = "______________________________"
INITIALS_LINE = f"Initials: {SIGN_LINE}"


def anchors(service: str, number: int) -> dict[str, str]:
    """The anchor text of signer ``number`` for each field: DocuSign anchor tabs (the sender's
    AutoPlace or API anchorString matches this text) or Dropbox Sign text tags."""
    if service == "docusign":
        return {"signature": f"\\s{number}\\", "date": f"\\d{number}\\", "initials": f"\\i{number}\\"}
    if service == "dropbox-sign":
        return {
            "signature": f"[sig|req|signer{number}]",
            "date": f"[date|req|signer{number}]",
            "initials": f"[initial|req|signer{number}]",
        }
    return {}


@dataclass
class Page:
    step: int
    document: SignedDocument
    signer: dict
    lead: str | None


def packets_by_signer(closing: ClosingSet) -> dict[str, list[Page]]:
    """Signer key -> that signer's pages, in checklist order; signers in order of first signature."""
    out: dict[str, list[Page]] = {}
    for step in closing.steps:
        for name in step.items:
            document = closing.documents.get(name)
            if document is None:
                continue
            for signer, lead in document.signature_blocks():
                out.setdefault(signer_key(signer, document.label), []).append(Page(step.number, document, signer, lead))
    return out


def packet_filenames(signers: list[str]) -> dict[str, str]:
    """Signer key -> closing/signature_packet.<slug>.docx (a slug taken twice gets -2, -3, ...)."""
    out, taken = {}, set()
    for key in signers:
        slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "signer"
        candidate, n = slug, 1
        while candidate in taken:
            n += 1
            candidate = f"{slug}-{n}"
        taken.add(candidate)
        out[key] = f"{CLOSING_DIR}/signature_packet.{candidate}.docx"
    return out


def _capacity(signer: dict) -> str:
    if signer["title"]:
        return f"{signer['title']} of {signer['party']}"
    return "Individually" if signer["party"] == signer["party"].upper() else f"For {signer['party']}"


def packet_blocks(key: str, pages: list[Page], packet: Packet) -> list[dict]:
    dated = longdate(packet.deal.deal.effective_date)
    blocks = [
        {
            "kind": "para",
            "caption": "",
            "text": (
                f"This packet holds every signature page {key} signs at the closing of {packet.deal.deal.name}, in the "
                "order of the closing checklist. Each page is a counterpart signature page of the document it names "
                "and is delivered with that document; sign and date each page, initial below, and return the whole "
                "packet to counsel."
            ),
        },
        {
            "kind": "table",
            "header": ["No.", "Step", "Document", "Signs as", "Dated as of"],
            "rows": [
                [str(i), str(p.step), p.document.full_name, _capacity(p.signer), dated] for i, p in enumerate(pages, 1)
            ],
        },
        {"kind": "para", "caption": "", "text": INITIALS_LINE},
    ]
    for page in pages:
        blocks.append({"kind": "lead", "text": f"Signature page to the {page.document.full_name}, dated as of {dated}"})
        if page.lead:
            blocks.append({"kind": "para", "caption": "", "text": page.lead})
        blocks.append({"kind": "signatures", "signers": [page.signer]})
    return blocks


def _text(paragraph) -> str:
    return "".join(paragraph.itertext(f"{{{W}}}t"))


def _anchor_run(text: str):
    run = etree.Element(f"{{{W}}}r")
    props = etree.SubElement(run, f"{{{W}}}rPr")
    etree.SubElement(props, f"{{{W}}}color").set(f"{{{W}}}val", "FFFFFF")
    for tag in ("sz", "szCs"):
        etree.SubElement(props, f"{{{W}}}{tag}").set(f"{{{W}}}val", "2")  # half-points: 1-point type
    t = etree.SubElement(run, f"{{{W}}}t")
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = " " + text
    return run


def finish_packet(data: bytes, legends: list[str], field_anchors: dict[str, str]) -> bytes:
    """Each block's legend names its own document (the layout prints the packet's title), and each
    signature, date and initials line gets its anchor when an e-signature service is chosen."""
    parts = read_package(data)
    root = etree.fromstring(parts["word/document.xml"])
    legend = f"[Signature page to {PACKET_TITLE}]"
    remaining = iter(legends)
    for paragraph in root.iter(f"{{{W}}}p"):
        text = _text(paragraph)
        if text == legend:
            runs = paragraph.findall(f"{{{W}}}r")
            for run in runs[1:]:
                paragraph.remove(run)
            for t in runs[0].findall(f"{{{W}}}t")[1:]:
                runs[0].remove(t)
            runs[0].find(f"{{{W}}}t").text = f"[Signature page to {next(remaining)}]"
        elif field_anchors:
            field = {
                f"By: {SIGN_LINE}": "signature",
                SIGN_LINE: "signature",
                f"Date: {SIGN_LINE}": "date",
                INITIALS_LINE: "initials",
            }.get(text)
            if field:
                paragraph.append(_anchor_run(field_anchors[field]))
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_package(parts)


def signature_packets(closing: ClosingSet, packet: Packet, esign: str = "none") -> dict[str, bytes]:
    """closing/signature_packet.<signer>.docx for every signer, in order of first signature."""
    by_signer = packets_by_signer(closing)
    filenames = packet_filenames(list(by_signer))
    out = {}
    for number, (key, pages) in enumerate(by_signer.items(), 1):
        data = render_closing_document(packet, PACKET_TITLE, f"of {key}", packet_blocks(key, pages, packet))
        out[filenames[key]] = finish_packet(data, [p.document.title for p in pages], anchors(esign, number))
    return out
