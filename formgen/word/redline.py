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

import copy
import functools
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from difflib import SequenceMatcher
from typing import Iterator, Literal

from lxml import etree

from ..errors import FormgenError
from .ooxml import read_package, write_package

View = Literal["current", "accept", "reject"]
VIEWS = ("current", "accept", "reject")
FALLBACK_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
SIMILARITY_CUTOFF = 0.5  # paragraphs (rows, tables) sharing at least this share of words are diffed word by word
MAX_PAIRINGS = 10_000  # a changed stretch with more candidate pairs is shown as whole paragraphs out and in

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOCUMENT = REL_NS + "/officeDocument"
NS = {"w": W}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


P, PPR, R, RPR, T, DEL_TEXT = _w("p"), _w("pPr"), _w("r"), _w("rPr"), _w("t"), _w("delText")
INSTR_TEXT, DEL_INSTR_TEXT = _w("instrText"), _w("delInstrText")
INS, DEL, MOVE_TO, MOVE_FROM = _w("ins"), _w("del"), _w("moveTo"), _w("moveFrom")
TBL, TR, TC, TR_PR = _w("tbl"), _w("tr"), _w("tc"), _w("trPr")
SDT, SDT_CONTENT, P_STYLE, PPR_CHANGE = _w("sdt"), _w("sdtContent"), _w("pStyle"), _w("pPrChange")
SECT_PR = _w("sectPr")
HEAD_TAGS = {_w("tcPr"), _w("tblPr"), _w("tblGrid"), _w("tblPrEx"), TR_PR}  # properties before a container's blocks
TAIL_TAGS = {SECT_PR}  # properties after them
CHAR_TAGS = {_w("tab"): "\t", _w("br"): "\n", _w("cr"): "\n", _w("noBreakHyphen"): "-"}
NOT_TEXT = {PPR, RPR, INSTR_TEXT, DEL_INSTR_TEXT, _w("drawing"), _w("pict"), _w("object"), f"{{{MC}}}AlternateContent"}
ANCHOR_NAMES = ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "commentReference")
ANCHOR_TAGS = [_w(name) for name in ANCHOR_NAMES]
REVISION_TAGS = [INS, DEL, MOVE_TO, MOVE_FROM, _w("rPrChange"), PPR_CHANGE, _w("trPrChange"), _w("tblPrChange")]

# Words keep inner punctuation ("25,000", "3.2(a)" -> "3.2", "(", "a", ")"); spaces and other marks stand alone.
TOKEN_RE = re.compile(r"\w+(?:[.,'’/-]\w+)*|\s+|[^\w\s]")
ELEMENT_KEY = "\x00"  # prefixes the diff key of a non-text piece so it never equals a word


class RedlineError(FormgenError):
    """An input to ``make_redline`` / ``paragraphs_text`` is not a usable .docx."""


def redline_date() -> datetime:
    """The revision date: SOURCE_DATE_EPOCH when set (reproducible builds), else 2000-01-01T00:00:00Z."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass
    return FALLBACK_DATE


def make_redline(old_docx: bytes, new_docx: bytes, *, author: str = "formgen", date: datetime | None = None) -> bytes:
    """``new_docx`` with its differences from ``old_docx`` as tracked changes, as reproducible .docx bytes."""
    old, new = _Document.load(old_docx, "old"), _Document.load(new_docx, "new")
    for doc in (old, new):
        if next(doc.body.iter(*REVISION_TAGS), None) is not None:
            raise RedlineError(f"the {doc.label} document already has tracked changes; accept or reject them first")
    when = date or redline_date()
    when = when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)
    redliner = _Redliner(old, new, author, when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    redliner.redline_blocks(old.body, new.body)
    redliner.relationships.save()
    return new.save()


def paragraphs_text(docx: bytes, view: View = "current") -> list[str]:
    """The body's paragraph texts in order, table-cell paragraphs included.

    ``accept`` / ``reject``: as if every tracked change were accepted / rejected (deleted
    rows vanish, a paragraph whose mark is removed joins the next one). ``current``: as
    stored, revision marks ignored (deleted text does not count, nothing is joined).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    texts: list[str] = []
    _collect_texts(_Document.load(docx, "given").body, view, texts)
    return texts


# --- the package -------------------------------------------------------------------------


@dataclass
class _Document:
    label: str
    parts: dict[str, bytes]
    part_name: str  # the main document part, normally word/document.xml
    root: etree._Element

    @classmethod
    def load(cls, data: bytes, label: str) -> _Document:
        try:
            parts = read_package(data)
        except (zipfile.BadZipFile, ValueError) as err:
            raise RedlineError(f"the {label} document is not a .docx file ({err})") from None
        part_name = "word/document.xml"
        if "_rels/.rels" in parts:
            for rel in _parse(parts["_rels/.rels"], label):
                if rel.get("Type") == OFFICE_DOCUMENT:
                    part_name = rel.get("Target", part_name).lstrip("/")
        if part_name not in parts or "[Content_Types].xml" not in parts:
            raise RedlineError(f"the {label} document is not a .docx file (no {part_name} or [Content_Types].xml)")
        root = _parse(parts[part_name], label)
        if root.find(_w("body")) is None:
            raise RedlineError(f"the {label} document's {part_name} has no w:body")
        return cls(label, parts, part_name, root)

    @property
    def body(self) -> etree._Element:
        return self.root.find(_w("body"))

    @property
    def rels_name(self) -> str:
        folder, name = posixpath.split(self.part_name)
        return posixpath.join(folder, "_rels", name + ".rels")

    def save(self) -> bytes:
        self.parts[self.part_name] = _serialize(self.root)
        return write_package(self.parts)


def _parse(data: bytes, label: str) -> etree._Element:
    try:
        return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as err:
        raise RedlineError(f"the {label} document has malformed XML ({err})") from None


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Relationships:
    """Re-points relationship ids (hyperlinks, images) in content copied from the old document.

    Copied content names relationships of the old main part; the new part may number them
    differently or lack them, so each is matched to, or added to, the new part's
    relationships, copying the target part (an image) over when the new package lacks it.
    """

    def __init__(self, old: _Document, new: _Document):
        self.old, self.new = old, new
        empty = b'<Relationships xmlns="%s"/>' % PKG_REL_NS.encode()
        self.old_rels = {rel.get("Id"): rel for rel in _parse(old.parts.get(old.rels_name, empty), "old")}
        self.rels = _parse(new.parts.get(new.rels_name, empty), "new")
        self.content_types = _parse(new.parts["[Content_Types].xml"], "new")
        self.adopted: dict[str, str] = {}
        self.changed = False

    def adopt(self, old_id: str) -> str:
        if old_id not in self.adopted:
            self.adopted[old_id] = self._adopt(old_id)
        return self.adopted[old_id]

    def _adopt(self, old_id: str) -> str:
        old_rel = self.old_rels.get(old_id)
        if old_rel is None:
            return old_id  # dangling in the old document already
        rel_type, target, mode = old_rel.get("Type"), old_rel.get("Target", ""), old_rel.get("TargetMode")
        if mode != "External":
            target = self._adopt_part(target)
        for rel in self.rels:
            if (rel.get("Type"), rel.get("Target"), rel.get("TargetMode")) == (rel_type, target, mode):
                return rel.get("Id")
        taken = {rel.get("Id") for rel in self.rels}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        new_id = f"rId{number}"
        rel = etree.SubElement(self.rels, f"{{{PKG_REL_NS}}}Relationship", Id=new_id, Type=rel_type, Target=target)
        if mode:
            rel.set("TargetMode", mode)
        self.changed = True
        return new_id

    def _adopt_part(self, target: str) -> str:
        """``target`` (relative to the main part) in the new package, copying the old part when needed."""
        folder = posixpath.dirname(self.old.part_name)
        name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        data = self.old.parts.get(name)
        if data is None or self.new.parts.get(name) == data:
            return target
        stem, ext = posixpath.splitext(name)
        number = 1
        while f"{stem}-old{number}{ext}" in self.new.parts:
            number += 1
        copy_name = f"{stem}-old{number}{ext}"
        self.new.parts[copy_name] = data
        content_type = self._old_content_type(name, ext)
        etree.SubElement(self.content_types, f"{{{CT_NS}}}Override", PartName="/" + copy_name, ContentType=content_type)
        self.changed = True
        return posixpath.relpath(copy_name, posixpath.dirname(self.new.part_name))

    def _old_content_type(self, name: str, ext: str) -> str:
        types = _parse(self.old.parts["[Content_Types].xml"], "old")
        by_part = {e.get("PartName", "").lstrip("/"): e.get("ContentType") for e in types if e.get("PartName")}
        by_ext = {e.get("Extension", "").lower(): e.get("ContentType") for e in types if e.get("Extension")}
        return by_part.get(name) or by_ext.get(ext[1:].lower()) or "application/octet-stream"

    def save(self) -> None:
        if self.changed:
            self.new.parts[self.new.rels_name] = _serialize(self.rels)
            self.new.parts["[Content_Types].xml"] = _serialize(self.content_types)


# --- reading text ------------------------------------------------------------------------


def _blocks(container: etree._Element) -> list[etree._Element]:
    """The content children of a body, cell, table or row (its paragraphs, tables, rows, cells)."""
    return [c for c in container if isinstance(c.tag, str) and c.tag not in HEAD_TAGS and c.tag not in TAIL_TAGS]


def _set_blocks(container: etree._Element, blocks: list[etree._Element]) -> None:
    head = [child for child in container if child.tag in HEAD_TAGS]
    tail = [child for child in container if child.tag in TAIL_TAGS]
    container[:] = head + blocks + tail


def _paragraph_text(paragraph: etree._Element, view: View = "current") -> str:
    parts: list[str] = []

    def walk(element: etree._Element, inserted: bool, deleted: bool) -> None:
        for child in element:
            tag = child.tag
            if tag in NOT_TEXT or not isinstance(tag, str):
                continue
            if tag in (T, DEL_TEXT) or tag in CHAR_TAGS:
                if not (inserted if view == "reject" else deleted):
                    parts.append(CHAR_TAGS[tag] if tag in CHAR_TAGS else (child.text or ""))
            else:
                walk(child, inserted or tag in (INS, MOVE_TO), deleted or tag in (DEL, MOVE_FROM))

    walk(paragraph, False, False)
    return "".join(parts)


def _mark_changes(paragraph: etree._Element) -> set[str]:
    """Which revisions the paragraph mark carries: a subset of {"ins", "del"}."""
    mark = paragraph.find(f"{PPR}/{RPR}")
    return set() if mark is None else {etree.QName(c).localname for c in mark if c.tag in (INS, DEL)}


def _removed_in(view: View) -> str | None:
    """The revision kind that ``view`` takes away."""
    return {"accept": "del", "reject": "ins"}.get(view)


def _row_removed(row: etree._Element, view: View) -> bool:
    kind = _removed_in(view)
    return kind is not None and row.find(f"{TR_PR}/{_w(kind)}") is not None


def _collect_texts(container: etree._Element, view: View, texts: list[str]) -> None:
    pending: str | None = None  # paragraphs whose mark this view removes join the next paragraph
    for block in _blocks(container):
        if block.tag == P:
            text = (pending or "") + _paragraph_text(block, view)
            pending = text if _removed_in(view) in _mark_changes(block) else None
            if pending is None:
                texts.append(text)
            continue
        if pending is not None:  # a mark cannot join a table: it stays
            texts.append(pending)
            pending = None
        if block.tag == TBL:
            for row in _blocks(block):
                if row.tag == TR and not _row_removed(row, view):
                    for cell in row.findall(TC):
                        _collect_texts(cell, view, texts)
        elif block.tag == SDT and block.find(SDT_CONTENT) is not None:
            _collect_texts(block.find(SDT_CONTENT), view, texts)
    if pending is not None:
        texts.append(pending)


def _canonical(element: etree._Element | None) -> str:
    """A comparison key for an element: its XML without Word's rsid bookkeeping attributes."""
    if element is None:
        return ""
    return re.sub(r' w:rsid\w*="[^"]*"', "", etree.tostring(element, encoding="unicode"))


# --- aligning sequences of blocks --------------------------------------------------------


def _block_key(block: etree._Element) -> tuple:
    """What must be equal for two blocks (paragraphs, tables, rows) to count as unchanged."""
    if block.tag == P:
        style = block.find(f"{PPR}/{P_STYLE}")
        return ("p", "" if style is None else style.get(_w("val"), ""), _paragraph_text(block))
    if block.tag == TBL:
        return ("tbl", tuple(_block_key(row) for row in _blocks(block)))
    if block.tag == TR:
        return ("tr", tuple(_cell_text(cell) for cell in block.findall(TC)))
    return ("other", _canonical(block))


def _cell_text(cell: etree._Element) -> str:
    texts: list[str] = []
    _collect_texts(cell, "current", texts)
    return "\n".join(texts)


def _key_text(key: tuple) -> str:
    if key[0] == "p":
        return key[2]
    if key[0] == "tbl":
        return "\n".join(_key_text(row) for row in key[1])
    return "\t".join(key[1]) if key[0] == "tr" else ""


def _similarity(old_key: tuple, new_key: tuple) -> float:
    """How alike two blocks' words are (0..1); 0 for blocks that cannot be diffed against each other."""
    kind = old_key[0]
    if kind != new_key[0] or kind == "other" or (kind == "tr" and len(old_key[1]) != len(new_key[1])):
        return 0.0
    # Spaces are left out: they match between any two sentences and would inflate the ratio.
    old_words, new_words = ([t for t in TOKEN_RE.findall(_key_text(k)) if not t.isspace()] for k in (old_key, new_key))
    matcher = SequenceMatcher(None, old_words, new_words, autojunk=False)
    if matcher.real_quick_ratio() < SIMILARITY_CUTOFF or matcher.quick_ratio() < SIMILARITY_CUTOFF:
        return 0.0
    return matcher.ratio()


Step = tuple[str, "etree._Element | None", "etree._Element | None"]  # ("equal"|"change"|"delete"|"insert", old, new)


def _align(olds: list[etree._Element], news: list[etree._Element]) -> Iterator[Step]:
    """The steps turning ``olds`` into ``news``, in output order."""
    old_keys, new_keys = [_block_key(b) for b in olds], [_block_key(b) for b in news]
    ratio = functools.cache(lambda i, j: _similarity(old_keys[i], new_keys[j]))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            yield from (("equal", olds[i], news[j]) for i, j in zip(range(i1, i2), range(j1, j2)))
        else:
            for step, i, j in _pair_similar(i1, i2, j1, j2, ratio):
                yield step, None if i is None else olds[i], None if j is None else news[j]


def _pair_similar(i1: int, i2: int, j1: int, j2: int, ratio) -> Iterator[tuple[str, int | None, int | None]]:
    """Within a changed stretch, pair the most similar blocks (as difflib.Differ does for lines)."""
    best, best_i, best_j = 0.0, -1, -1
    if (i2 - i1) * (j2 - j1) <= MAX_PAIRINGS:
        for i in range(i1, i2):
            for j in range(j1, j2):
                if ratio(i, j) > best:
                    best, best_i, best_j = ratio(i, j), i, j
    if best < SIMILARITY_CUTOFF:
        yield from (("delete", i, None) for i in range(i1, i2))
        yield from (("insert", None, j) for j in range(j1, j2))
        return
    yield from _pair_similar(i1, best_i, j1, best_j, ratio)
    yield "change", best_i, best_j
    yield from _pair_similar(best_i + 1, i2, best_j + 1, j2, ratio)


# --- tokens of a paragraph ---------------------------------------------------------------


@dataclass
class _Piece:
    char: str = ""  # one character of text, or "" when ``element`` is set
    rpr: etree._Element | None = None  # the run properties the character had
    element: etree._Element | None = None  # a one-item run (tab, field char, drawing) or a hyperlink, field, bookmark


@dataclass
class _Token:
    key: str  # what the diff compares: the word itself, or ELEMENT_KEY + the element's XML
    pieces: list[_Piece]


def _tokens(paragraph: etree._Element) -> list[_Token]:
    """The paragraph as words, spaces and punctuation, with non-text content as single tokens."""
    tokens: list[_Token] = []
    chars: list[_Piece] = []

    def flush_text() -> None:
        text = "".join(piece.char for piece in chars)
        tokens.extend(_Token(m.group(), chars[m.start() : m.end()]) for m in TOKEN_RE.finditer(text))
        chars.clear()

    def add_element(element: etree._Element, key_element: etree._Element) -> None:
        flush_text()
        tokens.append(_Token(ELEMENT_KEY + _canonical(key_element), [_Piece(element=element)]))

    for child in paragraph:
        if child.tag == R:
            rpr = child.find(RPR)
            for item in child:
                if item.tag == T:
                    chars.extend(_Piece(char, rpr) for char in item.text or "")
                elif item.tag not in (RPR, _w("lastRenderedPageBreak")):  # the latter is a layout cache
                    add_element(_new_run(rpr, item), item)
        elif child.tag not in (PPR, _w("proofErr")) and isinstance(child.tag, str):  # proofErr: spell-check cache
            add_element(child, child)
    flush_text()
    return tokens


def _word_opcodes(old: list[_Token], new: list[_Token]) -> list[list]:
    """difflib opcodes over tokens, with a mere space between two changes folded into them,
    so "one two" -> "three four" reads as one deletion and one insertion, not two of each."""
    matcher = SequenceMatcher(None, [t.key for t in old], [t.key for t in new], autojunk=False)
    ops = [list(op) for op in matcher.get_opcodes()]
    for op in ops[1:-1]:
        if op[0] == "equal" and all(t.key.isspace() for t in old[op[1] : op[2]]):
            op[0] = "replace"
    merged: list[list] = []
    for op in ops:
        if merged and op[0] != "equal" and merged[-1][0] != "equal":
            merged[-1] = ["replace", merged[-1][1], op[2], merged[-1][3], op[4]]
        else:
            merged.append(op)
    return merged


def _new_run(rpr: etree._Element | None, *content: etree._Element) -> etree._Element:
    run = etree.Element(R, nsmap=NS)
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    for item in content:
        run.append(copy.deepcopy(item))
    return run


def _to_deleted_text(run: etree._Element) -> None:
    for item in run:
        if item.tag == T:
            item.tag = DEL_TEXT
        elif item.tag == INSTR_TEXT:
            item.tag = DEL_INSTR_TEXT


# --- writing revisions -------------------------------------------------------------------


class _Redliner:
    def __init__(self, old: _Document, new: _Document, author: str, date: str):
        self.author, self.date = author, date
        self.relationships = _Relationships(old, new)
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
        element = etree.Element(_w(kind), nsmap=NS)
        element.set(_w("id"), self.take_id())
        element.set(_w("author"), self.author)
        element.set(_w("date"), self.date)
        return element

    # blocks

    def redline_blocks(self, old_container: etree._Element, new_container: etree._Element) -> None:
        """Rewrite ``new_container``'s blocks (body, cell or table rows) as the redline against the old ones."""
        out: list[etree._Element] = []
        for step, old, new in _align(_blocks(old_container), _blocks(new_container)):
            if step == "equal":
                out.append(new)
            elif step == "insert":
                out.append(self.mark_block(new, "ins"))
            elif step == "delete" and old.tag in (P, TBL, TR):  # other old content (e.g. a bookmark) is dropped
                out.append(self.mark_block(self.adopt(old), "del"))
            elif step == "change":
                out.append(self.redline_changed(old, new))
        if new_container.tag != TBL:
            self.settle_paragraph_marks(out)
        _set_blocks(new_container, out)

    def redline_changed(self, old: etree._Element, new: etree._Element) -> etree._Element:
        """``new`` marked up against the similar ``old``: paragraph word by word, table row by row, row cell by cell."""
        if new.tag == P:
            self.redline_paragraph(old, new)
        elif new.tag == TBL:
            self.redline_blocks(old, new)
        else:
            for old_cell, new_cell in zip(old.findall(TC), new.findall(TC)):
                self.redline_blocks(old_cell, new_cell)
        return new

    def mark_block(self, block: etree._Element, kind: str) -> etree._Element:
        """Mark a whole paragraph, table or row as inserted or deleted (other content is left as is)."""
        if block.tag == P:
            self.wrap_runs(block, kind)
            self.set_mark(block, inserted=kind == "ins", deleted=kind == "del")
        elif block.tag == TBL:
            for row in _blocks(block):
                self.mark_block(row, kind)
        elif block.tag == TR:
            tr_pr = block.find(TR_PR)
            if tr_pr is None:
                tr_pr = etree.Element(TR_PR, nsmap=NS)
                prefix = block.find(_w("tblPrEx"))
                block.insert(0 if prefix is None else block.index(prefix) + 1, tr_pr)
            tr_pr.append(self.revision(kind))
            for cell in block.findall(TC):
                for child in _blocks(cell):
                    self.mark_block(child, kind)
        return block

    def wrap_runs(self, parent: etree._Element, kind: str) -> None:
        """Wrap the runs of a paragraph (or of a hyperlink or field in it) in ``w:ins``/``w:del``."""
        wrapper = None
        for child in list(parent):
            if child.tag == R:
                if kind == "del":
                    _to_deleted_text(child)
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
            if block is not None and block.tag == P and _mark_changes(block):
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
        elif any("ins" in _mark_changes(p) for p in paragraphs) and any("del" in _mark_changes(p) for p in paragraphs):
            # Nothing before can take the first change, and a mark both inserted and deleted
            # is not honoured by LibreOffice: join the first deleted paragraph into the first
            # inserted one, so that paragraph exists in both views and heads the stretch.
            deleted = next(p for p in paragraphs if "del" in _mark_changes(p))
            inserted = next(p for p in paragraphs if "ins" in _mark_changes(p))
            self.track_paragraph_properties(deleted, inserted)
            inserted[1 if inserted.find(PPR) is not None else 0 : 0] = [c for c in deleted if c.tag != PPR]
            paragraphs = [inserted] + [p for p in paragraphs if p is not deleted and p is not inserted]
            blocks[first : stretch[-1] + 1] = paragraphs
        changes = [_mark_changes(p) for p in paragraphs[1:]] + [set()]
        for paragraph, change in zip(paragraphs, changes):
            self.set_mark(paragraph, inserted="ins" in change, deleted="del" in change)

    # paragraphs

    def redline_paragraph(self, old: etree._Element, new: etree._Element) -> None:
        """Rewrite ``new`` as a word-level diff against ``old``."""
        old_tokens, new_tokens = _tokens(old), _tokens(new)
        marked: list[tuple[str | None, _Piece]] = []
        for tag, i1, i2, j1, j2 in _word_opcodes(old_tokens, new_tokens):
            if tag == "equal":
                marked += [(None, piece) for token in new_tokens[j1:j2] for piece in token.pieces]
            else:
                marked += [("del", piece) for token in old_tokens[i1:i2] for piece in token.pieces]
                marked += [("ins", piece) for token in new_tokens[j1:j2] for piece in token.pieces]
        content = self.build_content(marked)
        self.track_paragraph_properties(old, new)
        new[:] = [child for child in new if child.tag == PPR] + content

    def build_content(self, marked: list[tuple[str | None, _Piece]]) -> list[etree._Element]:
        """Runs (inside ``w:ins``/``w:del`` where changed) for a sequence of marked pieces."""
        out: list[etree._Element] = []
        text, text_format = None, None
        formats: dict[int, str] = {}  # rPr element -> its canonical form, computed once

        def place(element: etree._Element, kind: str | None) -> None:
            if kind is None:
                out.append(element)
                return
            if not out or out[-1].tag != _w(kind):
                out.append(self.revision(kind))
            out[-1].append(element)

        for kind, piece in marked:
            if piece.element is None:
                if id(piece.rpr) not in formats:
                    formats[id(piece.rpr)] = _canonical(piece.rpr)
                rpr_key = formats[id(piece.rpr)]
                if text is None or text_format != (kind, rpr_key):
                    run = _new_run(piece.rpr)
                    text = etree.SubElement(run, DEL_TEXT if kind == "del" else T)
                    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                    text.text, text_format = "", (kind, rpr_key)
                    place(run, kind)
                text.text += piece.char
                continue
            text = None
            source = piece.element
            if kind == "del" and source.tag != R and next(source.iter(R), None) is None:
                continue  # an old bookmark or similar marker: dropped
            element = self.adopt(source) if kind == "del" else copy.deepcopy(source)
            if element.tag == R:
                if kind == "del":
                    _to_deleted_text(element)
                place(element, kind)
            else:
                if kind is not None:
                    self.wrap_runs(element, kind)
                out.append(element)
        return out

    def track_paragraph_properties(self, old: etree._Element, new: etree._Element) -> None:
        """Record a changed paragraph style or layout as ``w:pPrChange``."""

        def base(paragraph: etree._Element) -> list[etree._Element]:
            ppr = paragraph.find(PPR)
            return [] if ppr is None else [c for c in ppr if c.tag not in (RPR, SECT_PR, PPR_CHANGE)]

        old_base, new_base = base(old), base(new)
        if [_canonical(c) for c in old_base] == [_canonical(c) for c in new_base]:
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
        comment anchors dropped, relationship ids re-pointed, unique ids made unique again."""
        element = copy.deepcopy(element)
        for anchor in list(element.iter(*ANCHOR_TAGS)):  # their ids and names belong to the old document
            anchor.getparent().remove(anchor)
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
