"""Three-way merge of a Word document: keep the lawyer's edits, apply formgen's as tracked changes.

``merge_documents(base, ours, theirs)``: ``base`` is what formgen wrote before, ``ours`` the file
as the lawyer left it (edited in Word or LibreOffice), ``theirs`` what formgen writes now. The
result is ``ours`` with formgen's changes recorded on top of it as Word revisions:

* paragraphs (table-cell paragraphs included) are aligned base→ours and base→theirs with
  difflib on their texts, similar paragraphs paired as the redline pairs them;
* only formgen changed a paragraph: its new words are tracked (``w:del``/``w:ins``) inside the
  lawyer's paragraph, every unchanged character keeping the lawyer's run formatting, comment
  anchors and bookmarks left where they were;
* only the lawyer changed it: it stays exactly as it is (formatting, comments, own revisions);
* both changed it: the lawyer's paragraph stays, formgen's version follows it as a tracked
  insertion (an alternative to accept or reject) and a Word comment explains the conflict;
* paragraphs, rows and tables new in formgen's version are tracked insertions at their place;
  those it dropped are tracked deletions (a conflict if the lawyer had edited them).

The merge refuses (``MergeError``) rather than write a document whose text with every formgen
revision rejected differs from the lawyer's: no paragraph is ever dropped silently.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from difflib import SequenceMatcher

from lxml import etree

from ..errors import FormgenError
from .comments import Comments, anchor_comment

# The revision writers of the redline, reused as they are.
from .redline import RedlineError, paragraphs_text, redline_date
from .redline_package import (
    ANCHOR_TAGS,
    DEL,
    DEL_TEXT,
    INS,
    P,
    PPR,
    R,
    REVISION_TAGS,
    SDT,
    SDT_CONTENT,
    T,
    TBL,
    TC,
    TOKEN_RE,
    TR,
    RedlineDocument,
)
from .redline_text import (
    body_blocks,
    mark_changes,
    pair_similar,
    paragraph_view_text,
    set_body_blocks,
    word_tokens,
    word_opcodes,
)
from .redline_writer import Redliner
from .fieldmarks import text_with_field_codes, unique_bookmarks
from .ooxml import read_package
from .wordml import q

BODY = q("body")
AUTHOR = "formgen"
CONFLICT_NOTE = (
    "formgen: this paragraph was edited by hand, and formgen’s new draft changes it too{why}. "
    "Your text is kept as it is; formgen’s new version {where}. Accept it and delete yours, "
    "or reject it to keep yours."
)


class MergeError(FormgenError):
    """A document could not be merged (unreadable, or the merge would lose the lawyer's text)."""


@dataclass
class Merged:
    data: bytes
    report: dict


@dataclass
class _Unit:
    element: etree._Element
    text: str

    @property
    def fields_as_codes(self) -> str:
        return text_with_field_codes(self.element)


def _units(body: etree._Element) -> list[_Unit]:
    """Every paragraph of the body in reading order, table-cell paragraphs included."""
    out: list[_Unit] = []

    def walk(container: etree._Element) -> None:
        for block in body_blocks(container):
            if block.tag == P:
                out.append(_Unit(block, paragraph_view_text(block)))
            elif block.tag == TBL:
                for row in (r for r in body_blocks(block) if r.tag == TR):
                    for cell in row.findall(TC):
                        walk(cell)
            elif block.tag == SDT and block.find(SDT_CONTENT) is not None:
                walk(block.find(SDT_CONTENT))

    walk(body)
    return out


def _words(text: str) -> list[str]:
    return [t for t in TOKEN_RE.findall(text) if not t.isspace()]


def _ratio(a: str, b: str) -> float:
    if a == b:
        return 1.0
    matcher = SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    if matcher.real_quick_ratio() < 0.5 or matcher.quick_ratio() < 0.5:
        return 0.0
    return matcher.ratio()


def align(base: list[str], other: list[str]) -> dict[int, int]:
    """base index -> other index for every paragraph that is the same or a changed version of it."""
    match: dict[int, int] = {}
    ratio = functools.cache(lambda i, j: _ratio(base[i], other[j]))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, base, other, autojunk=False).get_opcodes():
        if tag == "equal":
            match.update(zip(range(i1, i2), range(j1, j2)))
            continue
        for step, i, j in pair_similar(i1, i2, j1, j2, ratio):
            if step == "change":
                match[i] = j
    return match


def _is_anchor(token) -> bool:
    element = token.pieces[0].element
    return element is not None and (
        element.tag in ANCHOR_TAGS or (element.tag == R and any(c.tag in ANCHOR_TAGS for c in element))
    )


def _has_revisions(paragraph: etree._Element) -> bool:
    return next(paragraph.iter(*REVISION_TAGS), None) is not None


def _only_formgen_pending(paragraph: etree._Element) -> bool:
    """The paragraph's only revisions are formgen's own, from an earlier merge, inside its text."""
    found = list(paragraph.iter(*REVISION_TAGS))
    return (
        bool(found)
        and not mark_changes(paragraph)
        and all(e.tag in (INS, DEL) and e.get(q("author")) == AUTHOR for e in found)
    )


def _reject_pending(paragraph: etree._Element) -> None:
    """Take back formgen's earlier, still pending proposal: the lawyer's text as it was before it."""
    for element in list(paragraph.iter(INS, DEL)):
        parent = element.getparent()
        if element.tag == DEL:
            for text in element.iter(DEL_TEXT):
                text.tag = T
            index = parent.index(element)
            parent[index : index + 1] = list(element)
        else:
            parent.remove(element)


def _ancestor(element: etree._Element, tag: str) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _body_child(element: etree._Element) -> etree._Element:
    while element.getparent() is not None and element.getparent().tag != BODY:
        element = element.getparent()
    return element


class _Merger:
    def __init__(self, base: RedlineDocument, ours: RedlineDocument, theirs: RedlineDocument, date: str, why: str):
        self.ours, self.date, self.why = ours, date, why
        self.writer = Redliner(theirs, ours, AUTHOR, date)  # adopts theirs' content into ours
        self.comments = Comments(ours.parts, ours.part_name)
        self.b, self.o, self.t = _units(base.body), _units(ours.body), _units(theirs.body)
        self.mo = align([u.text for u in self.b], [u.text for u in self.o])
        self.mt = align([u.text for u in self.b], [u.text for u in self.t])
        self.tail: dict[etree._Element, etree._Element] = {}  # element -> last one placed after it
        self.touched: list[etree._Element] = []  # containers whose paragraph marks changed
        self.report = {
            "merged": [],
            "conflicts": [],
            "lawyer": [],
            "untouched": 0,
            "pairs": len(self.mo) + len(self.mt),
            "paragraphs": {"base": len(self.b), "ours": len(self.o), "theirs": len(self.t)},
        }

    def run(self) -> bytes:
        deleted: list[etree._Element] = []
        for i in range(len(self.b)):
            self.decide(i, deleted)
        self.delete(deleted)
        self.insert_new()
        for container in {id(c): c for c in self.touched if c.tag in (BODY, TC, SDT_CONTENT)}.values():
            blocks = body_blocks(container)
            self.writer.settle_paragraph_marks(blocks)
            set_body_blocks(container, blocks)
        unique_bookmarks(self.ours.body)
        self.comments.save()
        self.writer.relationships.save()
        return self.ours.save()

    def decide(self, i: int, deleted: list[etree._Element]) -> None:
        base = self.b[i].text
        ours = self.o[self.mo[i]] if i in self.mo else None
        theirs = self.t[self.mt[i]] if i in self.mt else None
        codes = self.b[i].fields_as_codes  # a difference only in field results (refreshed by Word) is none
        formgen_changed = theirs is None or theirs.fields_as_codes != codes
        lawyer_changed = ours is None or ours.fields_as_codes != codes
        if not formgen_changed:
            if lawyer_changed:
                self.report["lawyer"].append(ours.text if ours else f"(deleted) {base}")
            else:
                self.report["untouched"] += 1
        elif not lawyer_changed and (not _has_revisions(ours.element) or _only_formgen_pending(ours.element)):
            _reject_pending(ours.element)  # formgen's newer proposal replaces its pending one
            if theirs is None:
                deleted.append(ours.element)
            else:
                self.apply_change(ours.element, theirs.element)
            self.report["merged"].append(
                {
                    "kind": "deleted" if theirs is None else "changed",
                    "base": base,
                    "theirs": None if theirs is None else theirs.text,
                }
            )
        elif ours is not None and theirs is not None and ours.fields_as_codes == theirs.fields_as_codes:
            self.report["lawyer"].append(ours.text)  # the lawyer made formgen's change already
        else:
            self.conflict(i, ours, theirs, base)

    def apply_change(self, mine_p: etree._Element, theirs_p: etree._Element) -> None:
        """Rewrite the lawyer's paragraph as a word diff to formgen's text, in the lawyer's formatting."""
        mine = word_tokens(mine_p)
        new = [
            token for token in word_tokens(theirs_p) if not _is_anchor(token)
        ]  # the lawyer's bookmarks stay, theirs would double them
        anchors = {k for k, token in enumerate(mine) if _is_anchor(token)}
        content = [k for k in range(len(mine)) if k not in anchors]
        marked: list = []
        pos = 0

        def emit_until(stop: int, kind: str | None) -> None:
            nonlocal pos
            for k in range(pos, stop):
                marked.extend((None if k in anchors else kind, piece) for piece in mine[k].pieces)
            pos = max(pos, stop)

        for tag, i1, i2, j1, j2 in word_opcodes([mine[k] for k in content], new):
            if i2 > i1:
                emit_until(content[i2 - 1] + 1, None if tag == "equal" else "del")
            if tag != "equal":
                marked += [("ins", piece) for token in new[j1:j2] for piece in token.pieces]
        emit_until(len(mine), None)
        built = self.writer.build_content(marked)
        mine_p[:] = [c for c in mine_p if c.tag == PPR] + built

    def conflict(self, i: int, ours: _Unit | None, theirs: _Unit | None, base: str) -> None:
        if ours is not None and theirs is not None:
            kind, where = "edited by hand and changed by formgen", "follows it as a tracked insertion"
        elif theirs is not None:
            kind, where = "deleted by hand and changed by formgen", "is put back as a tracked insertion"
        else:
            kind, where = "edited by hand and removed by formgen", "leaves this paragraph out"
        alternative = None
        if theirs is not None:
            alternative = self.writer.mark_block(self.writer.adopt(theirs.element), "ins")
            self.place(ours.element if ours is not None else self.anchor(i), alternative, theirs.element)
        comment_id = self.writer.take_id()
        anchor_comment(ours.element if ours is not None else alternative, comment_id)
        self.comments.add(comment_id, AUTHOR, self.date, CONFLICT_NOTE.format(why=self.why, where=where))
        self.report["conflicts"].append(
            {"kind": kind, "base": base, "ours": ours.text if ours else None, "theirs": theirs.text if theirs else None}
        )

    def anchor(self, i: int) -> etree._Element | None:
        """The lawyer's paragraph that holds the place of base paragraph ``i - 1`` (or an earlier one)."""
        for k in range(i - 1, -1, -1):
            if k in self.mo:
                return self.o[self.mo[k]].element
        return None

    def place(self, anchor: etree._Element | None, element: etree._Element, source: etree._Element) -> None:
        """Put ``element`` after ``anchor`` (after what was placed there before), at the level of
        ``source`` in formgen's document: a body paragraph or table goes after the anchor's table."""
        if anchor is None:
            body = self.ours.body
            body.insert(0, element)
            self.touched.append(body)
            return
        while anchor in self.tail:
            anchor = self.tail[anchor]
        key = anchor
        if element.tag == TR:
            anchor = _ancestor(anchor, TR)
        elif source.getparent() is not None and source.getparent().tag == BODY or element.tag == TBL:
            anchor = _body_child(anchor)
        anchor.addnext(element)
        self.tail[key] = element
        self.touched.append(element.getparent())

    def delete(self, paragraphs: list[etree._Element]) -> None:
        """Mark formgen's removed paragraphs deleted; a row all of whose paragraphs go, as a row."""
        gone = set(paragraphs)
        rows_done = set()
        for paragraph in paragraphs:
            row = _ancestor(paragraph, TR)
            if row is not None and all(p in gone for p in row.iter(P)):
                if row not in rows_done:
                    rows_done.add(row)
                    self.writer.mark_block(row, "del")
                continue
            self.writer.mark_block(paragraph, "del")
            self.touched.append(paragraph.getparent())

    def insert_new(self) -> None:
        """formgen's new paragraphs (or whole new rows and tables) as tracked insertions."""
        matched = {self.t[j].element for j in self.mt.values()}
        to_base = {j: i for i, j in self.mt.items()}
        anchor, done = None, set()
        for j, unit in enumerate(self.t):
            if j in to_base:
                i = to_base[j]
                anchor = self.o[self.mo[i]].element if i in self.mo else anchor
                continue
            source = self.block_to_insert(unit.element, matched, anchor)
            if source in done:
                continue
            done.add(source)
            element = self.writer.mark_block(self.writer.adopt(source), "ins")
            self.place(anchor, element, source)
            anchor = element if element.tag == P else list(element.iter(P))[-1]
            self.report["merged"].append({"kind": "inserted", "base": None, "theirs": unit.text})

    @staticmethod
    def block_to_insert(paragraph: etree._Element, matched: set, anchor: etree._Element | None) -> etree._Element:
        """The paragraph itself, or its row or table when nothing in it is in the base."""
        table, row = _ancestor(paragraph, TBL), _ancestor(paragraph, TR)
        if table is not None and not any(p in matched for p in table.iter(P)) and table.getparent().tag == BODY:
            return table
        if (
            row is not None
            and anchor is not None
            and _ancestor(anchor, TR) is not None
            and not any(p in matched for p in row.iter(P))
        ):
            return row
        return paragraph


def merge_documents(base: bytes, ours: bytes, theirs: bytes, *, why: str = "") -> Merged:
    """``ours`` with formgen's changes from ``base`` to ``theirs`` as tracked changes; see the module doc.

    ``why``: what changed in formgen's inputs, quoted in conflict comments.
    """
    try:
        docs = [
            RedlineDocument.load(data, label) for data, label in ((base, "base"), (ours, "edited"), (theirs, "new"))
        ]
    except RedlineError as exc:
        raise MergeError(str(exc)) from None
    date = redline_date().strftime("%Y-%m-%dT%H:%M:%SZ")
    merger = _Merger(*docs, date, f" ({why})" if why else "")
    data = merger.run()
    if paragraphs_text(data, "reject") != paragraphs_text(ours, "reject"):
        raise MergeError("the merge would change the edited document's own text; it was not written")
    merger.report["paragraphs"]["merged"] = len(paragraphs_text(data, "current"))
    merger.report.update(tracked_in(data))
    matched = set(merger.mo.values())
    merger.report["lawyer"] += [
        f"(inserted) {unit.text}" for k, unit in enumerate(merger.o) if k not in matched and unit.text.strip()
    ]
    return Merged(data, merger.report)


def tracked_in(data: bytes) -> dict:
    """What the merged file itself carries: paragraphs with formgen's tracked changes, and the
    comments that are not formgen's (the lawyer's, kept)."""
    parts = read_package(data)
    root = etree.fromstring(parts["word/document.xml"])
    tracked = sum(1 for p in root.iter(P) if any(e.get(q("author")) == AUTHOR for e in p.iter(INS, DEL)))
    comments = (
        [c for c in etree.fromstring(parts["word/comments.xml"]).iter(q("comment")) if c.get(q("author")) != AUTHOR]
        if "word/comments.xml" in parts
        else []
    )
    return {"tracked_paragraphs": tracked, "lawyer_comments": ["".join(c.itertext()).strip() for c in comments]}
