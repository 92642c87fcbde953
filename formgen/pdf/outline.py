"""Bookmarks and page labels: each document's articles (from its PDF's own outline) under one
bookmark per document; page labels per document ("MSA-1", ...)."""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pypdf import PdfReader, PdfWriter

    from ..drafting.packet import BuiltDocument, Packet


def document_label(spec, deal) -> str:
    """The document's name in bookmarks and the contents: its title, plus "of <entity>" for governing documents."""
    return spec.label(deal)


def label_prefixes(packet: "Packet") -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in packet.documents:
        name = doc.spec.name
        prefix = doc.spec.label_prefix  # the registry's; made unique if two documents share one
        base, n = prefix, 2
        while prefix in out.values():
            prefix, n = f"{base}{n}", n + 1
        out[name] = prefix
    return out


_EXHIBIT_MARK = re.compile(r"^EXHIBIT ([A-Z])$")


def exhibit_titles(doc: "BuiltDocument") -> dict[str, str]:
    """{"A": "SCHEDULE OF SERVICES", ...}: the exhibits' titles, in order, from the document's plan."""
    name = doc.spec.name
    titles = [c.meta.title_in(name) for c in doc.plan.clauses if c.meta.kind_in(name) == "exhibit"]
    return {string.ascii_uppercase[i]: t.upper() for i, t in enumerate(titles[:26]) if t}


def outline_children(
    reader: "PdfReader", items, offset: int, writer: "PdfWriter", parent, exhibits: dict[str, str]
) -> None:
    """Copy an outline (LibreOffice's, from the Heading styles) into ``writer`` under ``parent``.

    A bare "EXHIBIT A" entry gets the exhibit's title ("EXHIBIT A. SCHEDULE OF SERVICES"), as
    articles carry theirs ("ARTICLE 1. DEFINITIONS").
    """
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                outline_children(reader, item, offset, writer, last, exhibits)
            continue
        try:
            page = reader.get_destination_page_number(item)
        except Exception:  # noqa: BLE001 - an entry we cannot place is left out, not fatal
            page = -1
        title = " ".join(str(getattr(item, "title", "") or "").split())
        if page is None or page < 0 or not title:
            last = None
            continue
        exhibit = _EXHIBIT_MARK.match(title)
        if exhibit and exhibits.get(exhibit.group(1)):
            title = f"{title}. {exhibits[exhibit.group(1)]}"
        last = writer.add_outline_item(title, offset + page, parent=parent, is_open=False)
