"""A DocumentPlan rendered to blocks: clause bodies rendered, numbered, cross-references resolved.

Blocks are plain dicts the Word template lays out (see templates/build_templates.py):
heading, subheading, section, para, item, note, table, exhibit, signatures.
"""

from __future__ import annotations

import string

from jinja2 import TemplateError as JinjaTemplateError

from ..inputs.clauses import Clause
from ..errors import TemplateError
from .jinja_env import clause_environment
from .markup import REF_PATTERN, Para, parse_body
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


class _Numberer:
    """Turns parsed paragraphs into blocks, numbering sections and recording ref targets."""

    def __init__(self) -> None:
        self.blocks: list[dict] = []
        self.targets: dict[str, str] = {}
        self.article = 0
        self.section = 0
        self.exhibit = 0
        self.item = 0

    def _item_label(self) -> str:
        letters = string.ascii_lowercase
        n = self.item
        self.item += 1
        return f"({letters[n % 26] * (n // 26 + 1)})"

    def add(self, para: Para, numbered: bool, clause: Clause, caption: str = "") -> None:
        if para.kind == "text":
            self.item = 0
            if numbered:
                self.section += 1
                number = f"{self.article}.{self.section}"
                if para.label:
                    self.targets[f"{clause.id}#{para.label}"] = f"Section {number}"
                self.blocks.append({"kind": "section", "number": number,
                                    "caption": para.caption or caption, "text": para.text})
            else:
                self.blocks.append({"kind": "para", "caption": para.caption, "text": para.text})
        elif para.kind == "plain":
            self.blocks.append({"kind": "para", "caption": "", "text": para.text})
        elif para.kind == "item":
            self.blocks.append({"kind": "item", "label": self._item_label(), "text": para.text})
        elif para.kind == "note":
            self.blocks.append({"kind": "note", "text": para.text})
        elif para.kind == "heading":
            self.blocks.append({"kind": "subheading", "text": para.text})
        elif para.kind == "table":
            header, *rows = para.rows or [[]]
            self.blocks.append({"kind": "table", "header": header, "rows": rows})
        elif para.kind == "sign":
            party, name, title = para.rows[0]
            if self.blocks and self.blocks[-1]["kind"] == "signatures":
                self.blocks[-1]["signers"].append({"party": party, "name": name, "title": title})
            else:
                self.blocks.append({"kind": "signatures", "signers": [{"party": party, "name": name, "title": title}]})


def assemble(plan: DocumentPlan, context: dict) -> list[dict]:
    rendered = {c.id: render_clause(c, context) for c in plan.clauses}
    out = _Numberer()
    document = plan.spec.name
    for clause in plan.clauses:
        meta = clause.meta
        kind, title = meta.kind_in(document), meta.title_in(document)
        paras = rendered[clause.id]
        out.blocks += [{"kind": "note", "text": note} for note in plan.notes_before.get(clause.id, [])]
        if kind == "article":
            out.article += 1
            out.section = 0
            out.targets[clause.id] = f"Article {out.article}"
            out.blocks.append({"kind": "heading", "text": f"ARTICLE {out.article}. {title.upper()}"})
            for para in paras:
                out.add(para, numbered=True, clause=clause)
        elif kind == "section":
            first = True
            for para in paras:
                if para.kind == "text" and first:
                    out.add(para, numbered=True, clause=clause, caption=title + ".")
                    out.targets[clause.id] = f"Section {out.article}.{out.section}"
                    first = False
                else:
                    out.add(para, numbered=False, clause=clause)
        elif kind == "exhibit":
            letter = string.ascii_uppercase[out.exhibit]
            out.exhibit += 1
            out.targets[clause.id] = f"Exhibit {letter}"
            out.blocks.append({"kind": "exhibit", "text": f"EXHIBIT {letter}", "title": title.upper()})
            for para in paras:
                out.add(para, numbered=False, clause=clause)
        else:  # part, signatures
            if kind == "part" and title and not title.startswith("_"):
                out.blocks.append({"kind": "subheading", "text": title.upper()})
            for para in paras:
                out.add(para, numbered=False, clause=clause)
    out.blocks += [{"kind": "note", "text": note} for note in plan.notes_before.get("", [])]
    return _resolve_refs(out.blocks, out.targets, plan)


def _resolve_refs(blocks: list[dict], targets: dict[str, str], plan: DocumentPlan) -> list[dict]:
    missing: list[str] = []

    def sub(text: str) -> str:
        def one(match) -> str:
            target = match.group(1)
            if target not in targets:
                missing.append(target)
                return f"[{target}]"
            return targets[target]
        return REF_PATTERN.sub(one, text)

    def walk(value):
        if isinstance(value, str):
            return sub(value)
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
            "same condition or point it elsewhere")
    return resolved
