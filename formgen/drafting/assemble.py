"""A DocumentPlan rendered to blocks: clause bodies rendered, targets bookmarked, cross-references as fields.

Blocks are plain dicts the Word template lays out (see templates/build_templates.py):
heading, subheading, section, para, item, note, table, exhibit, lead, signatures, toc.
Numbers are Word's: articles, sections and lettered items take the template's list numbering
(styles Article, Section, Item), so no number is typed into the text. The assembler still
counts them, for the current result of each REF field and for lint (``number``, never printed).
Bookmarks, fields and bold are left as markers (markup.bookmark / markup.word_field) that
formgen/word/fields.py turns into OOXML after rendering.
"""

from __future__ import annotations

import string
import zlib

from jinja2 import TemplateError as JinjaTemplateError

from ..inputs.clauses import Clause
from ..errors import TemplateError
from .jinja_env import clause_environment
from ..markup import REF_PATTERN, TOC_MARK, Para, bookmark, parse_body, typeset, word_field, library_prose
from .plan import DocumentPlan


def render_clause(clause: Clause, context: dict) -> list[Para]:
    try:
        text = clause_environment().from_string(clause.body).render(context)
    except JinjaTemplateError as exc:
        line = getattr(exc, "lineno", None)
        where = f"{clause.path}:{clause.body_line + line - 1}" if line else str(clause.path)
        raise TemplateError(f"{where}: clause {clause.id} cannot be rendered: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - a helper failing inside a clause is a library bug
        raise TemplateError(f"{clause.path}: clause {clause.id} cannot be rendered: {exc}") from None
    return parse_body(text)


def bookmark_for(target: str) -> str:
    """The bookmark a ref() target (a clause id, or "clause#label") gets in every document."""
    return f"_Ref{zlib.crc32(target.encode()) % 10**9:09d}"


class _Target:
    """A place ``ref()`` can point at: its bookmark, and how a reference to it reads."""

    def __init__(self, name: str, prefix: str, result: str, switches: str) -> None:
        self.name, self.prefix, self.result, self.switches = name, prefix, result, switches

    def reference(self) -> str:
        return self.prefix + word_field(f"REF {self.name} {self.switches}", self.result)


class _Numberer:
    """Turns parsed paragraphs into blocks, counting sections and recording ref targets."""

    def __init__(self) -> None:
        self.blocks: list[dict] = []
        self.targets: dict[str, _Target] = {}
        self.names: set[str] = set()
        self.article = 0
        self.section = 0
        self.exhibit = 0

    def bookmark_name(self, target: str) -> str:
        """Word's hidden cross-reference bookmark (_Ref + digits), stable across regenerations."""
        name = bookmark_for(target)
        while name in self.names:  # (two targets whose checksums meet: the later one moves on)
            name = f"_Ref{(int(name[4:]) + 1) % 10**9:09d}"
        self.names.add(name)
        return name

    def target(self, target: str, prefix: str, result: str, switches: str = r"\w \h") -> str:
        name = self.bookmark_name(target)
        self.targets[target] = _Target(name, prefix, result, switches)
        return name

    def add(self, para: Para, numbered: bool, clause: Clause, caption: str = "", target: str = "") -> None:
        if para.kind == "text":
            if numbered:
                self.section += 1
                number = f"{self.article}.{self.section}"
                block = {"kind": "section", "number": number, "caption": para.caption or caption, "text": para.text}
                for key in filter(None, (target, f"{clause.id}#{para.label}" if para.label else "")):
                    name = self.target(key, "Section\u00a0", number)
                    where = "caption" if block["caption"] else "text"
                    block[where] = bookmark(name, block[where])
                self.blocks.append(block)
            else:
                self.blocks.append({"kind": "para", "caption": para.caption, "text": para.text})
        elif para.kind == "plain":
            self.blocks.append({"kind": "para", "caption": "", "text": para.text})
        elif para.kind == "item":
            self.blocks.append({"kind": "item", "text": para.text})
        elif para.kind == "note":
            self.blocks.append({"kind": "note", "text": para.text})
        elif para.kind == "heading":
            self.blocks.append({"kind": "subheading", "text": para.text})
        elif para.kind == "table":
            header, *rows = para.rows or [[]]
            self.blocks.append({"kind": "table", "header": header, "rows": rows})
        elif para.kind == "sign":
            party, name, title, role, description = para.rows[0]
            signer = {"party": party, "name": name, "title": title, "role": role, "description": description}
            if self.blocks and self.blocks[-1]["kind"] == "signatures":
                self.blocks[-1]["signers"].append(signer)
            else:
                if self.blocks and self.blocks[-1]["kind"] == "para":
                    self.blocks[-1]["kind"] = "lead"  # "IN WITNESS WHEREOF" keeps with its blocks
                self.blocks.append({"kind": "signatures", "signers": [signer]})


def assemble(plan: DocumentPlan, context: dict) -> list[dict]:
    rendered = {c.id: render_clause(c, context) for c in plan.clauses}
    out = _Numberer()
    document = plan.spec.kind
    for clause in plan.clauses:
        meta = clause.meta
        kind, title = meta.kind_in(document), typeset(meta.title_in(document) or "")
        paras = rendered[clause.id]
        out.blocks += [{"kind": "note", "text": library_prose(note)} for note in plan.notes_before.get(clause.id, [])]
        if kind == "article":
            out.article += 1
            out.section = 0
            name = out.target(clause.id, "", f"Article\u00a0{out.article}")
            out.blocks.append({"kind": "heading", "number": str(out.article), "text": bookmark(name, title)})
            for para in paras:
                out.add(para, numbered=True, clause=clause)
        elif kind == "section":
            first = True
            for para in paras:
                if para.kind == "text" and first:
                    out.add(para, numbered=True, clause=clause, caption=title + ".", target=clause.id)
                    first = False
                else:
                    out.add(para, numbered=False, clause=clause)
        elif kind == "exhibit":
            letter = string.ascii_uppercase[out.exhibit]
            out.exhibit += 1
            # Exhibits keep fixed headings; the bookmark holds the letter, which a plain REF prints.
            name = out.target(clause.id, "Exhibit\u00a0", letter, r"\h")
            out.blocks.append({"kind": "exhibit", "text": "EXHIBIT " + bookmark(name, letter), "title": title.upper()})
            for para in paras:
                out.add(para, numbered=False, clause=clause)
        else:  # part, signatures
            if kind == "part" and title and not title.startswith("_"):
                out.blocks.append({"kind": "subheading", "text": title.upper()})
            for para in paras:
                out.add(para, numbered=False, clause=clause)
    out.blocks += [{"kind": "note", "text": library_prose(note)} for note in plan.notes_before.get("", [])]
    blocks = _resolve_refs(out.blocks, out.targets, plan)
    if plan.spec.toc:
        blocks.insert(_toc_position(blocks), {"kind": "toc", "text": TOC_MARK + "Table of Contents"})
    return blocks


def _toc_position(blocks: list[dict]) -> int:
    """First, on a page of its own before the preamble."""
    return 0


def _resolve_refs(blocks: list[dict], targets: dict[str, _Target], plan: DocumentPlan) -> list[dict]:
    missing: list[str] = []

    def one(match) -> str:
        target = match.group(1)
        if target not in targets:
            missing.append(target)
            return f"[{target}]"
        return targets[target].reference()

    def walk(value):
        if isinstance(value, str):
            return REF_PATTERN.sub(one, value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    resolved = walk(blocks)
    if missing:
        raise TemplateError(
            f"{plan.spec.filename}: cross-reference to {', '.join(sorted(set(missing)))}, which is not in the "
            "document (excluded by its conditions or a state rule, or misspelt); guard the reference with the "
            "same condition or point it elsewhere"
        )
    return resolved
