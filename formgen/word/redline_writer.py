"""Redline writers: a container's blocks aligned and rewritten, a changed paragraph word by word."""

from __future__ import annotations

import copy

from lxml import etree

from .redline_package import DEL_TEXT, P, PPR, R, T, TBL, TC, TR
from .wordml import q
from .redline_revisions import is_field_code, Revisions
from .redline_text import (
    Piece,
    align_pieces,
    body_blocks,
    new_run,
    set_body_blocks,
    to_deleted_text,
    word_tokens,
    word_opcodes,
    canonical_form,
)


class Redliner(Revisions):
    def redline_blocks(self, old_container: etree._Element, new_container: etree._Element) -> None:
        """Rewrite ``new_container``'s blocks (body, cell or table rows) as the redline against the old ones."""
        out: list[etree._Element] = []
        for step, old, new in align_pieces(body_blocks(old_container), body_blocks(new_container)):
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
        set_body_blocks(new_container, out)

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

    def redline_paragraph(self, old: etree._Element, new: etree._Element) -> None:
        """Rewrite ``new`` as a word-level diff against ``old``."""
        old_tokens, new_tokens = word_tokens(old), word_tokens(new)
        marked: list[tuple[str | None, Piece]] = []
        for tag, i1, i2, j1, j2 in word_opcodes(old_tokens, new_tokens):
            if tag == "equal":
                marked += [(None, piece) for token in new_tokens[j1:j2] for piece in token.pieces]
            else:
                marked += [("del", piece) for token in old_tokens[i1:i2] for piece in token.pieces]
                marked += [("ins", piece) for token in new_tokens[j1:j2] for piece in token.pieces]
        content = self.build_content(marked)
        self.track_paragraph_properties(old, new)
        new[:] = [child for child in new if child.tag == PPR] + content

    def build_content(self, marked: list[tuple[str | None, Piece]]) -> list[etree._Element]:
        """Runs (inside ``w:ins``/``w:del`` where changed) for a sequence of marked pieces."""
        out: list[etree._Element] = []
        text, text_format = None, None
        formats: dict[int, str] = {}  # rPr element -> its canonical form, computed once

        def place(element: etree._Element, kind: str | None) -> None:
            if kind is None:
                out.append(element)
                return
            if not out or out[-1].tag != q(kind):
                out.append(self.revision(kind))
            out[-1].append(element)

        for kind, piece in marked:
            if piece.element is None:
                if id(piece.rpr) not in formats:
                    formats[id(piece.rpr)] = canonical_form(piece.rpr)
                rpr_key = formats[id(piece.rpr)]
                if text is None or text_format != (kind, rpr_key):
                    run = new_run(piece.rpr)
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
            if kind == "del" and is_field_code(source):
                continue  # a deleted field keeps only its result (see adopt)
            element = self.adopt(source) if kind == "del" else copy.deepcopy(source)
            if element.tag == R:
                if kind == "del":
                    to_deleted_text(element)
                place(element, kind)
            else:
                if kind is not None:
                    self.wrap_runs(element, kind)
                out.append(element)
        return out
