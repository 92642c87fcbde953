"""The conformed copy: the agreement as signed with every amendment applied in place.

Each changed section is replaced (or added, or left as "[Deleted.]" in its numbered place) and
followed by a note naming the amendment; a notice on the first page says which amendments the
copy carries and that it is for reference only.
"""

from __future__ import annotations

import copy

from lxml import etree

from .amend import RESERVED, Terms, new_paragraph, save_package, numbered_in_text
from .signed_sections import (
    CONFORMED_MARK,
    CONFORMED_NOTE,
    NUMBERED,
    SIGNATURES,
    XML_SPACE,
    Change,
    Section,
    paragraph_style,
    sections,
    signed_references,
)
from .ooxml import read_package
from .redline_package import P, PPR, SECT_PR
from .wordml import q
from .redline_text import body_blocks, paragraph_view_text

VERBS = {
    "amended": "amended and restated",
    "replaced": "replaced",
    "added": "added",
    "reserved": "deleted and reserved",
}


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


def _reserved_placeholder(old: Section, key: str, label: str) -> etree._Element:
    """What stands where a deleted section or article was: its number (in the text, or Word's, so
    every later number stays as signed) and "[Reserved]"."""
    first = old.blocks[0]
    if first.tag == P and first.find(PPR) is not None and paragraph_style(first) in ("Section", "Article"):
        keep = copy.deepcopy(first)
        keep[:] = [keep.find(PPR)]
        run = etree.SubElement(keep, q("r"))
        t = etree.SubElement(run, q("t"))
        numbered = NUMBERED.match(paragraph_view_text(first))
        t.text, t.attrib[XML_SPACE] = (f"{key}\t{RESERVED}" if numbered else RESERVED), "preserve"
        return keep
    return new_paragraph(f"{label} {RESERVED}")


def _conform_one(body: etree._Element, change: Change, number: int, numbers: dict[str, str]) -> None:
    current = {s.key: s for s in sections(body)}
    key, label = change.section.key, change.section.label
    if change.action == "reserved" and key.startswith("Article") and change.section.texts:
        label = f"{key} ({change.section.texts[0]})"
    note = new_paragraph(
        f"[{label[0].upper() + label[1:]} {VERBS[change.action]} by Amendment No. {number}.]", "DraftingNote"
    )
    old = current.get(key)
    if change.action == "reserved":
        if old is not None:
            gone = [
                b
                for s in [old, current.get(f"{key} body")] + [current.get(c.key) for c in change.covers]
                if s is not None
                for b in s.blocks
            ]
            _replace(body, gone, [_reserved_placeholder(old, key, label), note])
        return
    earlier = (
        []
        if old is None
        else [copy.deepcopy(b) for b in old.blocks if b.tag == P and CONFORMED_NOTE.match(paragraph_view_text(b))]
    )
    blocks = [signed_references(copy.deepcopy(b), numbers) for b in change.section.blocks]
    if old is None and key.endswith("A"):  # "4.4A" carries its number as text: Word must not renumber the rest
        blocks = [numbered_in_text(b, key) for b in blocks]
    blocks += earlier + [note]
    if old is not None:
        _replace(body, old.blocks, blocks)
    else:
        after = current.get(change.after or "")
        _insert_after(body, after.blocks[-1] if after is not None else None, blocks)


DRAFT_FOOTER = "Draft for attorney review"
SIGNATURE_LINE = "_" * 10


def _drop_draft_legends(parts: dict[str, bytes], body: etree._Element) -> None:
    """A conformed copy of a signed agreement is no draft: the draft notice under the title and the
    footer's "Draft for attorney review" go."""
    for block in body_blocks(body)[:4]:
        if (
            block.tag == P
            and paragraph_style(block) == "DraftingNote"
            and "not for signature" in paragraph_view_text(block)
        ):
            body.remove(block)
    for name in [n for n in parts if n.startswith("word/footer")]:
        parts[name] = parts[name].replace(f"  |  {DRAFT_FOOTER}".encode(), b"").replace(DRAFT_FOOTER.encode(), b"")


def _conformed_signatures(body: etree._Element, executed_on: str = "") -> None:
    """Each signature line of the signed copy reads "/s/ NAME" (the name printed under it), and
    each date line the day it was signed (``executed_on``, from the execution record)."""
    paragraphs = list(body.iter(P))
    start = next((k for k, p in enumerate(paragraphs) if paragraph_view_text(p).startswith(SIGNATURES)), None)
    if start is None:
        return
    for k in range(start, len(paragraphs) - 1):
        text = paragraph_view_text(paragraphs[k])
        if SIGNATURE_LINE not in text:
            continue
        if text.startswith("Date:"):
            if executed_on:
                _set_text(paragraphs[k], f"Date: {executed_on}")
            continue
        following = [paragraph_view_text(p) for p in paragraphs[k + 1 : k + 3]]
        name = next((f.removeprefix("Name:").strip() for f in following if f.startswith("Name:")), None)
        if name is None and following and following[0] and SIGNATURE_LINE not in following[0]:
            name = following[0].strip()  # an individual signs in person: the name is the next line
        if not name:
            continue
        _set_text(paragraphs[k], ("By: " if text.startswith("By:") else "") + f"/s/ {name}")


def _set_text(paragraph: etree._Element, text: str) -> None:
    """The paragraph's text replaced, in its first run's formatting."""
    texts = list(paragraph.iter(q("t")))
    for t in texts:
        t.text = ""
    texts[0].text = text


def conform(previous: bytes, found: list[Change], terms: Terms) -> bytes:
    """The agreement as signed with this amendment applied (``previous``: as signed, or the last
    conformed copy), marked as a conformed copy on its first page."""
    parts = read_package(previous)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(q("body"))
    for change in found:
        _conform_one(body, change, terms.number, terms.numbers)
    _drop_draft_legends(parts, body)
    _conformed_signatures(body, terms.executed_on)
    for block in body_blocks(body):
        if block.tag == P and paragraph_view_text(block).startswith(CONFORMED_MARK):
            body.remove(block)
    numbers = terms.earlier + [terms.number]
    notice = new_paragraph(
        f"{CONFORMED_MARK}: the {terms.title} dated as of {terms.signed_on}, as amended by "
        + " and ".join(f"Amendment No. {n}" for n in numbers)
        + ", with every amendment applied in place. For reference only; not for signature.",
        "DraftingNote",
    )
    first = body_blocks(body)[0]
    first.addnext(notice)
    return save_package(parts, root)
