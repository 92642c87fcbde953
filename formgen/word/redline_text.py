"""Redline reading: paragraph texts in any view, block keys and alignment, words of a paragraph."""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterator

from lxml import etree

from .redline_package import (
    CHAR_TAGS,
    DEL,
    DEL_INSTR_TEXT,
    DEL_TEXT,
    ELEMENT_KEY,
    HEAD_TAGS,
    INS,
    INSTR_TEXT,
    MAX_PAIRINGS,
    MOVE_FROM,
    MOVE_TO,
    NOT_TEXT,
    P,
    P_STYLE,
    PPR,
    R,
    RPR,
    SDT,
    SDT_CONTENT,
    SIMILARITY_CUTOFF,
    T,
    TAIL_TAGS,
    TBL,
    TC,
    TOKEN_RE,
    TR,
    TR_PR,
    View,
)
from .wordml import NS, q

# --- reading text ------------------------------------------------------------------------


def body_blocks(container: etree._Element) -> list[etree._Element]:
    """The content children of a body, cell, table or row (its paragraphs, tables, rows, cells)."""
    return [c for c in container if isinstance(c.tag, str) and c.tag not in HEAD_TAGS and c.tag not in TAIL_TAGS]


def set_body_blocks(container: etree._Element, blocks: list[etree._Element]) -> None:
    head = [child for child in container if child.tag in HEAD_TAGS]
    tail = [child for child in container if child.tag in TAIL_TAGS]
    container[:] = head + blocks + tail


def paragraph_view_text(paragraph: etree._Element, view: View = "current") -> str:
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


def mark_changes(paragraph: etree._Element) -> set[str]:
    """Which revisions the paragraph mark carries: a subset of {"ins", "del"}."""
    mark = paragraph.find(f"{PPR}/{RPR}")
    return set() if mark is None else {etree.QName(c).localname for c in mark if c.tag in (INS, DEL)}


def _removed_in(view: View) -> str | None:
    """The revision kind that ``view`` takes away."""
    return {"accept": "del", "reject": "ins"}.get(view)


def _row_removed(row: etree._Element, view: View) -> bool:
    kind = _removed_in(view)
    return kind is not None and row.find(f"{TR_PR}/{q(kind)}") is not None


def collect_texts(container: etree._Element, view: View, texts: list[str]) -> None:
    pending: str | None = None  # paragraphs whose mark this view removes join the next paragraph
    for block in body_blocks(container):
        if block.tag == P:
            text = (pending or "") + paragraph_view_text(block, view)
            pending = text if _removed_in(view) in mark_changes(block) else None
            if pending is None:
                texts.append(text)
            continue
        if pending is not None:  # a mark cannot join a table: it stays
            texts.append(pending)
            pending = None
        if block.tag == TBL:
            for row in body_blocks(block):
                if row.tag == TR and not _row_removed(row, view):
                    for cell in row.findall(TC):
                        collect_texts(cell, view, texts)
        elif block.tag == SDT and block.find(SDT_CONTENT) is not None:
            collect_texts(block.find(SDT_CONTENT), view, texts)
    if pending is not None:
        texts.append(pending)


def canonical_form(element: etree._Element | None) -> str:
    """A comparison key for an element: its XML without Word's rsid bookkeeping attributes."""
    if element is None:
        return ""
    return re.sub(r' w:rsid\w*="[^"]*"', "", etree.tostring(element, encoding="unicode"))


# --- aligning sequences of blocks --------------------------------------------------------


def _block_key(block: etree._Element) -> tuple:
    """What must be equal for two blocks (paragraphs, tables, rows) to count as unchanged."""
    if block.tag == P:
        style = block.find(f"{PPR}/{P_STYLE}")
        style = "" if style is None else style.get(q("val"), "")
        text = _field_text(block)
        if style.startswith("TOC"):  # a contents entry is its title: the number before it is Word's
            text = TOC_NUMBER.sub("", text)
        return ("p", style, text)
    if block.tag == TBL:
        return ("tbl", tuple(_block_key(row) for row in body_blocks(block)))
    if block.tag == TR:
        return ("tr", tuple(_cell_text(cell) for cell in block.findall(TC)))
    return ("other", canonical_form(block))


TOC_NUMBER = re.compile(r"^(?:Article|Section|Exhibit)\s+[\w.]+\t?")
FLD_CHAR = q("fldChar")


def _field_text(paragraph: etree._Element) -> str:
    """The paragraph's text with each field as its instruction, not its result: a reference
    whose number Word recomputed is the same reference."""
    parts: list[str] = []
    state = None  # inside a field: "instr" until its separator, then "result" until its end
    for element in paragraph.iter(FLD_CHAR, T, INSTR_TEXT, *CHAR_TAGS):
        if element.tag == FLD_CHAR:
            kind = element.get(q("fldCharType"))
            if kind == "begin":
                parts.append("{")
                state = "instr"
            elif kind == "separate":
                state = "result"
            elif kind == "end":
                if state is not None:
                    parts.append("}")
                state = None
        elif element.tag == INSTR_TEXT:
            parts.append((element.text or "").strip())
        elif state != "result":
            parts.append(CHAR_TAGS.get(element.tag, element.text or ""))
    return "".join(parts)


def _cell_text(cell: etree._Element) -> str:
    texts: list[str] = []
    collect_texts(cell, "current", texts)
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


def align_pieces(olds: list[etree._Element], news: list[etree._Element]) -> Iterator[Step]:
    """The steps turning ``olds`` into ``news``, in output order."""
    old_keys, new_keys = [_block_key(b) for b in olds], [_block_key(b) for b in news]
    ratio = functools.cache(lambda i, j: _similarity(old_keys[i], new_keys[j]))
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes():
        if tag == "equal":
            yield from (("equal", olds[i], news[j]) for i, j in zip(range(i1, i2), range(j1, j2)))
        else:
            for step, i, j in pair_similar(i1, i2, j1, j2, ratio):
                yield step, None if i is None else olds[i], None if j is None else news[j]


def pair_similar(i1: int, i2: int, j1: int, j2: int, ratio) -> Iterator[tuple[str, int | None, int | None]]:
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
    yield from pair_similar(i1, best_i, j1, best_j, ratio)
    yield "change", best_i, best_j
    yield from pair_similar(best_i + 1, i2, best_j + 1, j2, ratio)


# --- tokens of a paragraph ---------------------------------------------------------------


@dataclass
class Piece:
    char: str = ""  # one character of text, or "" when ``element`` is set
    rpr: etree._Element | None = None  # the run properties the character had
    element: etree._Element | None = None  # a one-item run (tab, field char, drawing) or a hyperlink, field, bookmark


@dataclass
class _Token:
    key: str  # what the diff compares: the word itself, or ELEMENT_KEY + the element's XML
    pieces: list[Piece]


def word_tokens(paragraph: etree._Element) -> list[_Token]:
    """The paragraph as words, spaces and punctuation, with non-text content as single tokens."""
    tokens: list[_Token] = []
    chars: list[Piece] = []

    def flush_text() -> None:
        text = "".join(piece.char for piece in chars)
        tokens.extend(_Token(m.group(), chars[m.start() : m.end()]) for m in TOKEN_RE.finditer(text))
        chars.clear()

    def add_element(element: etree._Element, key_element: etree._Element) -> None:
        flush_text()
        tokens.append(_Token(ELEMENT_KEY + canonical_form(key_element), [Piece(element=element)]))

    field: list[etree._Element] = []  # the runs of a field being read, begin to end
    depth = 0
    for child in paragraph:
        fld = child.find(FLD_CHAR) if child.tag == R else None
        if depth or (fld is not None and fld.get(q("fldCharType")) == "begin"):
            if not depth:
                flush_text()
            field.append(child)
            kind = None if fld is None else fld.get(q("fldCharType"))
            depth += {"begin": 1, "end": -1}.get(kind, 0)
            if not depth:
                tokens.append(_field_token(field))
                field = []
            continue
        if child.tag == R:
            rpr = child.find(RPR)
            for item in child:
                if item.tag == T:
                    chars.extend(Piece(char, rpr) for char in item.text or "")
                elif item.tag not in (RPR, q("lastRenderedPageBreak")):  # the latter is a layout cache
                    add_element(new_run(rpr, item), item)
        elif child.tag not in (PPR, q("proofErr")) and isinstance(child.tag, str):  # proofErr: spell-check cache
            add_element(child, child)
    flush_text()
    if field:  # a field running on into the next paragraph (a table of contents)
        tokens.append(_field_token(field))
    return tokens


def _field_token(runs: list[etree._Element]) -> _Token:
    """A whole field as one token, compared by its instruction: its result is Word's to recompute."""
    instruction = "".join((t.text or "") for run in runs for t in run.iter(INSTR_TEXT)).strip()
    return _Token(ELEMENT_KEY + "field:" + instruction, [Piece(element=run) for run in runs])


def word_opcodes(old: list[_Token], new: list[_Token]) -> list[list]:
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


def new_run(rpr: etree._Element | None, *content: etree._Element) -> etree._Element:
    run = etree.Element(R, nsmap=NS)
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    for item in content:
        run.append(copy.deepcopy(item))
    return run


def to_deleted_text(run: etree._Element) -> None:
    for item in run:
        if item.tag == T:
            item.tag = DEL_TEXT
        elif item.tag == INSTR_TEXT:
            item.tag = DEL_INSTR_TEXT
