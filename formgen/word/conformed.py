"""The conformed copy: the agreement as signed with every amendment applied in place.

Each changed section is replaced (or added, or left as "[Deleted.]" in its numbered place) and
followed by a note naming the amendment; a notice on the first page says which amendments the
copy carries and that it is for reference only.
"""

from __future__ import annotations

import copy

from lxml import etree

from .amend import (CONFORMED_MARK, CONFORMED_NOTE, NUMBERED, XML_SPACE, Change, Section, Terms, _paragraph, _save,
                    _style, sections)
from .ooxml import read_package
from .redline_package import P, PPR, SECT_PR
from .wordml import q
from .redline_text import _blocks, _paragraph_text

VERBS = {"amended": "amended and restated", "replaced": "replaced", "added": "added", "deleted": "deleted"}


def _replace(body: etree._Element, old: list[etree._Element], new: list[etree._Element]) -> None:
    for block in new:
        old[0].addprevious(block)
    for block in old:
        body.remove(block)


def _insert_after(body: etree._Element, anchor: etree._Element | None, new: list[etree._Element]) -> None:
    if anchor is None:
        sect = body.find(SECT_PR)
        for block in new:
            if sect is not None:
                sect.addprevious(block)
            else:
                body.append(block)
        return
    for block in reversed(new):
        anchor.addnext(block)


def _deleted_placeholder(old: Section, key: str, label: str) -> etree._Element:
    """What stands where a deleted section was: its number (in the text, or Word's) and [Deleted.]."""
    first = old.blocks[0]
    if first.tag == P and first.find(PPR) is not None and _style(first) in ("Section", "Article"):
        keep = copy.deepcopy(first)
        keep[:] = [keep.find(PPR)]
        run = etree.SubElement(keep, q("r"))
        t = etree.SubElement(run, q("t"))
        numbered = NUMBERED.match(_paragraph_text(first))
        t.text, t.attrib[XML_SPACE] = (f"{key}\t[Deleted.]" if numbered else "[Deleted.]"), "preserve"
        return keep
    return _paragraph(f"{label} [Deleted.]")


def _conform_one(body: etree._Element, change: Change, number: int) -> None:
    current = {s.key: s for s in sections(body)}
    key, label = change.section.key, change.section.label
    note = _paragraph(f"[{label[0].upper() + label[1:]} {VERBS[change.action]} by Amendment No. {number}.]", "DraftingNote")
    old = current.get(key)
    if change.action == "deleted":
        if old is not None:
            _replace(body, old.blocks, [_deleted_placeholder(old, key, label), note])
        return
    earlier = [] if old is None else [copy.deepcopy(b) for b in old.blocks
                                      if b.tag == P and CONFORMED_NOTE.match(_paragraph_text(b))]
    blocks = [copy.deepcopy(b) for b in change.section.blocks] + earlier + [note]
    if old is not None:
        _replace(body, old.blocks, blocks)
    else:
        after = current.get(change.after or "")
        _insert_after(body, after.blocks[-1] if after is not None else None, blocks)


def conform(previous: bytes, found: list[Change], terms: Terms) -> bytes:
    """The agreement as signed with this amendment applied (``previous``: as signed, or the last
    conformed copy), marked as a conformed copy on its first page."""
    parts = read_package(previous)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(q("body"))
    for change in found:
        _conform_one(body, change, terms.number)
    for block in _blocks(body):
        if block.tag == P and _paragraph_text(block).startswith(CONFORMED_MARK):
            body.remove(block)
    numbers = terms.earlier + [terms.number]
    notice = _paragraph(f"{CONFORMED_MARK}: the {terms.title} dated as of {terms.signed_on}, as amended by "
                        + " and ".join(f"Amendment No. {n}" for n in numbers)
                        + ", with every amendment applied in place. For reference only; not for signature.",
                        "DraftingNote")
    first = _blocks(body)[0]
    first.addnext(notice)
    return _save(parts, root)


