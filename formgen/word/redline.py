"""Redlines: a regenerated .docx marked up with Word tracked changes against its previous version.

When deal terms change formgen regenerates a document, and the lawyer wants to see
exactly what changed. ``make_redline`` takes the NEW document as the base (styles,
sections, headers and footers untouched) and records, in the body of its main part, the
differences from the OLD one as native revisions (``w:ins`` / ``w:del``) that Word and
LibreOffice can accept or reject:

* the body's blocks (paragraphs, tables) are aligned on text and style; an unmatched
  block is wholly inserted, or wholly deleted (a copy from the old document put back);
* a paragraph replaced by a similar one gets a word-level diff, every character keeping
  the run formatting it had in its own version;
* tables that match are compared row by row and cell by cell.

``paragraphs_text`` reads a document's paragraph texts with every change accepted or
rejected: what tests and callers use to check a redline.

Formatting-only changes inside runs are not tracked (the new formatting is shown);
a changed paragraph style is (``w:pPrChange``).
"""

from __future__ import annotations

import getpass
from datetime import datetime, timezone

from lxml import etree

from ..settings import current as current_settings
from ..errors import RedlineError
from .redline_package import P, REVISION_TAGS, VIEWS, View, RedlineDocument
from .wordml import NS, q
from .redline_text import collect_texts
from .redline_writer import Redliner

__all__ = ["RedlineError", "default_author", "make_redline", "paragraphs_text", "redline_date", "View", "VIEWS"]


def redline_date() -> datetime:
    """The revision date: SOURCE_DATE_EPOCH when set (reproducible builds), else now (to the second)."""
    when = current_settings().source_time()
    if when is not None:
        return datetime(*when[:6], tzinfo=timezone.utc)
    return datetime.now(timezone.utc).replace(microsecond=0)


def default_author() -> str:
    """Who the revisions are by when no one is named: the user logged in, else "formgen"."""
    try:
        return getpass.getuser() or "formgen"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "formgen"


def make_redline(
    old_docx: bytes,
    new_docx: bytes,
    *,
    author: str = "formgen",
    date: datetime | None = None,
    legend: str | None = None,
) -> bytes:
    """``new_docx`` with its differences from ``old_docx`` as tracked changes, as .docx bytes
    (reproducible for a given date). ``legend``: a line put first, untracked, saying what was compared."""
    old, new = RedlineDocument.load(old_docx, "old"), RedlineDocument.load(new_docx, "new")
    for doc in (old, new):
        if next(doc.body.iter(*REVISION_TAGS), None) is not None:
            raise RedlineError(f"the {doc.label} document already has tracked changes; accept or reject them first")
    when = date or redline_date()
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    redliner = Redliner(old, new, author, when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    redliner.redline_blocks(old.body, new.body)
    redliner.relationships.save()
    if legend:
        new.body.insert(0, _legend_paragraph(legend))
    return new.save()


def _legend_paragraph(text: str) -> etree._Element:
    """A boxed, italic note at the top of the first page (not a revision: it is the redline's own)."""
    paragraph = etree.Element(P, nsmap=NS)
    ppr = etree.SubElement(paragraph, q("pPr"))
    borders = etree.SubElement(ppr, q("pBdr"))
    for side in ("top", "left", "bottom", "right"):
        etree.SubElement(borders, q(side), {q("val"): "single", q("sz"): "4", q("space"): "4", q("color"): "auto"})
    etree.SubElement(ppr, q("spacing"), {q("after"): "240"})
    run = etree.SubElement(paragraph, q("r"))
    rpr = etree.SubElement(run, q("rPr"))
    etree.SubElement(rpr, q("i"))
    etree.SubElement(rpr, q("sz"), {q("val"): "18"})
    t = etree.SubElement(run, q("t"))
    t.text = text
    return paragraph


def paragraphs_text(docx: bytes, view: View = "current") -> list[str]:
    """The body's paragraph texts in order, table-cell paragraphs included.

    ``accept`` / ``reject``: as if every tracked change were accepted / rejected (deleted
    rows vanish, a paragraph whose mark is removed joins the next one). ``current``: as
    stored, revision marks ignored (deleted text does not count, nothing is joined).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    texts: list[str] = []
    collect_texts(RedlineDocument.load(docx, "given").body, view, texts)
    return texts
