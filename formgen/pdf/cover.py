"""The packet's cover: parties, state, effective date and a table of contents, rendered from the
Word template ``cover.docx`` (templates/, or a firm's own library) by the renderer every document
goes through, then laid out by LibreOffice (so any name prints in a real, embedded font).

The contents give each document's page count and first page, known only once the documents are
converted: the cover is built and converted after them, with its own page count assumed and
checked (a cover longer than assumed is built once more with the right count).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from .._version import __version__
from ..drafting.context import longdate
from ..word.render import render_docx

if TYPE_CHECKING:  # pragma: no cover
    from ..drafting.packet import Packet

COVER_STEM = "_formgen_cover"
COVER_TEMPLATE = "cover.docx"
# The names cover.docx is rendered with (cover_context's keys; lint checks the template uses no other).
COVER_NAMES = (
    "title",
    "subtitle",
    "deal_name",
    "long_name",
    "parties",
    "draft_notice",
    "facts",
    "entries",
    "note",
    "version",
)
LONG_NAME = 40  # characters: a longer deal name takes the smaller title style (Cover Title Long)
NOTE = (
    "Page numbers count the pages of this packet.pdf from this cover (page 1). In a PDF viewer each "
    "document's pages are also labelled with its own prefix (for example MSA-1), and the bookmarks "
    "panel lists every document and its articles. Each document is also supplied as its own PDF and "
    ".docx file."
)


@dataclass(frozen=True)
class TocEntry:
    number: int
    title: str
    detail: str  # second, smaller line: the PDF file name and its page labels
    pages: int = 0  # the document's page count
    start: int = 0  # its first page in packet.pdf (the cover is page 1)


def cover_context(packet: "Packet", entries: list[TocEntry], *, final: bool) -> dict:
    """What cover.docx is rendered with (its tags are listed in templates/build_cover.py)."""
    deal, rules = packet.deal, packet.rules
    name, parties = deal.deal.name, f"{deal.mso.name} and {deal.practice.name}"
    return {
        "title": f"{name}: Formation Packet",
        "subtitle": parties,  # (the .docx's title and subject)
        "deal_name": name,
        "long_name": len(name) > LONG_NAME,
        "parties": parties,
        "draft_notice": "" if final else "Draft for attorney review. Not for signature.",
        "facts": [
            {"label": "Management company (MSO)", "value": deal.mso.name},
            {"label": "Medical practice", "value": deal.practice.name},
            {"label": "State", "value": f"{rules.name} ({rules.code})"},
            {"label": "Effective date", "value": longdate(deal.deal.effective_date)},
        ],
        "entries": [{**asdict(e), "pages": e.pages or "", "start": e.start or ""} for e in entries],
        "note": NOTE,
        "version": __version__,
    }


def build_cover_docx(packet: "Packet", entries: list[TocEntry], *, final: bool) -> bytes:
    """The cover and contents page as .docx, page counts and first pages filled in from ``entries``."""
    return render_docx(packet.library.templates_dir / COVER_TEMPLATE, cover_context(packet, entries, final=final))
