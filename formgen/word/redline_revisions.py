"""Redline revisions: ``w:ins``/``w:del`` elements, whole blocks marked, paragraph marks settled,
paragraph-property changes, and old content adopted into the new document."""

from __future__ import annotations

import copy

from lxml import etree

from .redline_package import (
    ANCHOR_TAGS,
    DEL,
    INS,
    P,
    PPR,
    PPR_CHANGE,
    R,
    REL_NS,
    RPR,
    SECT_PR,
    TBL,
    TC,
    TR,
    TR_PR,
    RedlineDocument,
    PackageRelationships,
)
from .wordml import NS, W14, q
from .redline_text import body_blocks, canonical_form, mark_changes, to_deleted_text


FIELD_CODE_TAGS = (q("fldChar"), q("instrText"), q("delInstrText"))


def is_field_code(run: etree._Element) -> bool:
    """A run holding a field's begin, instruction, separator or end (not its result)."""
    return any(child.tag in FIELD_CODE_TAGS for child in run)


class Revisions:
    def __init__(self, old: RedlineDocument, new: RedlineDocument, author: str, date: str):
        self.author, self.date = author, date
        self.relationships = PackageRelationships(old, new)
        # One counter for revision ids and copied drawing ids, above every id either document uses.
        used = [
            int(value)
            for doc in (old, new)
            for element in doc.root.iter(etree.Element)
            for name, value in element.attrib.items()
            if (name == "id" or name.endswith("}id")) and value.isdigit()
        ]
        self.next_id = max(used, default=0) + 1

    def take_id(self) -> str:
        self.next_id += 1
        return str(self.next_id - 1)

    def revision(self, kind: str) -> etree._Element:
        """An empty ``w:ins`` or ``w:del``."""
        element = etree.Element(q(kind), nsmap=NS)
        element.set(q("id"), self.take_id())
        element.set(q("author"), self.author)
        element.set(q("date"), self.date)
        return element

    def mark_block(self, block: etree._Element, kind: str) -> etree._Element:
        """Mark a whole paragraph, table or row as inserted or deleted (other content is left as is)."""
        if block.tag == P:
            self.wrap_runs(block, kind)
            self.set_mark(block, inserted=kind == "ins", deleted=kind == "del")
        elif block.tag == TBL:
            for row in body_blocks(block):
                self.mark_block(row, kind)
        elif block.tag == TR:
            tr_pr = block.find(TR_PR)
            if tr_pr is None:
                tr_pr = etree.Element(TR_PR, nsmap=NS)
                prefix = block.find(q("tblPrEx"))
                block.insert(0 if prefix is None else block.index(prefix) + 1, tr_pr)
            tr_pr.append(self.revision(kind))
            for cell in block.findall(TC):
                for child in body_blocks(cell):
                    self.mark_block(child, kind)
        return block

    def wrap_runs(self, parent: etree._Element, kind: str) -> None:
        """Wrap the runs of a paragraph (or of a hyperlink or field in it) in ``w:ins``/``w:del``."""
        wrapper = None
        for child in list(parent):
            if child.tag == R:
                if kind == "del":
                    to_deleted_text(child)
                if wrapper is None:
                    wrapper = self.revision(kind)
                    child.addprevious(wrapper)
                wrapper.append(child)
            else:
                wrapper = None
                if child.tag not in (PPR, INS, DEL) and isinstance(child.tag, str):
                    self.wrap_runs(child, kind)

    def set_mark(self, paragraph: etree._Element, *, inserted: bool, deleted: bool) -> None:
        """Set whether the paragraph mark is inserted (reject removes it) and/or deleted (accept removes it)."""
        ppr = paragraph.find(PPR)
        mark = None if ppr is None else ppr.find(RPR)
        if mark is None:
            if not (inserted or deleted):
                return
            if ppr is None:
                ppr = etree.Element(PPR, nsmap=NS)
                paragraph.insert(0, ppr)
            mark = etree.Element(RPR, nsmap=NS)
            after = [c for c in ppr if c.tag in (SECT_PR, PPR_CHANGE)]  # the schema puts rPr before these
            if after:
                after[0].addprevious(mark)
            else:
                ppr.append(mark)
        for old in mark.findall(INS) + mark.findall(DEL):
            mark.remove(old)
        if deleted:
            mark.insert(0, self.revision("del"))
        if inserted:
            mark.insert(0, self.revision("ins"))

    def settle_paragraph_marks(self, blocks: list[etree._Element]) -> None:
        """Keep plain the last paragraph mark before a table or the container's end.

        Word cannot remove that mark, so a wholly inserted or deleted paragraph there would
        leave an empty paragraph behind. As Word records Enter typed at a paragraph's end,
        each change moves up to the mark before it, through the stretch of changed marks.
        """
        stretches: list[list[int]] = []
        stretch: list[int] = []
        for index, block in enumerate([*blocks, None]):
            if block is not None and block.tag == P and mark_changes(block):
                stretch.append(index)
                continue
            if stretch and (block is None or block.tag != P):
                stretches.append(stretch)
            stretch = []
        for stretch in reversed(stretches):  # from the end, as joining paragraphs shifts indexes
            self._settle(blocks, stretch)

    def _settle(self, blocks: list[etree._Element], stretch: list[int]) -> None:
        paragraphs = [blocks[i] for i in stretch]
        first = stretch[0]
        before = blocks[first - 1] if first > 0 else None
        if before is not None and before.tag == P and before.find(f"{PPR}/{SECT_PR}") is None:
            paragraphs.insert(0, before)  # (a section's last mark must stay: it holds the section)
        elif any("ins" in mark_changes(p) for p in paragraphs) and any("del" in mark_changes(p) for p in paragraphs):
            # Nothing before can take the first change, and a mark both inserted and deleted
            # is not honoured by LibreOffice: join the first deleted paragraph into the first
            # inserted one, so that paragraph exists in both views and heads the stretch.
            deleted = next(p for p in paragraphs if "del" in mark_changes(p))
            inserted = next(p for p in paragraphs if "ins" in mark_changes(p))
            self.track_paragraph_properties(deleted, inserted)
            inserted[1 if inserted.find(PPR) is not None else 0 : 0] = [c for c in deleted if c.tag != PPR]
            paragraphs = [inserted] + [p for p in paragraphs if p is not deleted and p is not inserted]
            blocks[first : stretch[-1] + 1] = paragraphs
        changes = [mark_changes(p) for p in paragraphs[1:]] + [set()]
        for paragraph, change in zip(paragraphs, changes):
            self.set_mark(paragraph, inserted="ins" in change, deleted="del" in change)

    def track_paragraph_properties(self, old: etree._Element, new: etree._Element) -> None:
        """Record a changed paragraph style or layout as ``w:pPrChange``."""

        def base(paragraph: etree._Element) -> list[etree._Element]:
            ppr = paragraph.find(PPR)
            return [] if ppr is None else [c for c in ppr if c.tag not in (RPR, SECT_PR, PPR_CHANGE)]

        old_base, new_base = base(old), base(new)
        if [canonical_form(c) for c in old_base] == [canonical_form(c) for c in new_base]:
            return
        ppr = new.find(PPR)
        if ppr is None:
            ppr = etree.Element(PPR, nsmap=NS)
            new.insert(0, ppr)
        change = self.revision("pPrChange")
        previous = etree.SubElement(change, PPR)
        previous.extend(copy.deepcopy(c) for c in old_base)
        ppr.append(change)

    def adopt(self, element: etree._Element) -> etree._Element:
        """A copy of old-document content fit to live in the new document: its bookmarks and
        comment anchors dropped, its fields reduced to their results (a deleted reference must not
        look for a bookmark that went with it), relationship ids re-pointed, unique ids made unique again."""
        element = copy.deepcopy(element)
        for anchor in list(element.iter(*ANCHOR_TAGS)):  # their ids and names belong to the old document
            anchor.getparent().remove(anchor)
        for run in [r for r in element.iter(R) if is_field_code(r)]:
            run.getparent().remove(run)
        for node in element.iter(etree.Element):
            for name, value in list(node.attrib.items()):
                qname = etree.QName(name)
                if qname.namespace == W14 and qname.localname in ("paraId", "textId"):
                    del node.attrib[name]
                elif qname.namespace == REL_NS:
                    node.set(name, self.relationships.adopt(value))
            if etree.QName(node).localname == "docPr":  # drawing ids must be unique in the document
                node.set("id", self.take_id())
        return element
