"""Source checks of the clause library, templates and state rules (no deal needed):

check_library     clause front matter valid, ids unique, sections under articles
check_tags        every tag is listed in clauses/tags.yaml
check_fields      every top-level name a clause uses is in the render context
check_attributes  every deal/state field a clause reads (``mso.signatory.name``) exists in the model
check_templates   no jinja tag split across Word runs; only names the renderer passes
check_states      state rules name clauses and tags that exist
"""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from jinja2 import TemplateSyntaxError, meta, nodes
from pydantic import BaseModel

from ..drafting.context import build_context
from ..drafting.jinja_env import clause_environment
from ..drafting.packet import LAYOUT_NAMES, REPORT_NAMES
from ..drafting.staffing import ITEM_NAMES
from ..errors import InputError, Problem
from ..inputs.clauses import Clause, ClauseLibrary
from ..inputs.deal import deal_section_models
from ..inputs.deal_loader import load_deal
from ..inputs.typed_values import JURISDICTIONS
from ..inputs.library import Library
from ..inputs.states import StateRules
from ..pdf.cover import COVER_NAMES, COVER_TEMPLATE
from ..word.ooxml import read_package

TAGS_FILE = "tags.yaml"
EXAMPLE_DEAL = "ca_medspa.yaml"
# The memo and checklist (registry: report=True) are reports about the packet, not agreements:
# they quote findings and cite other documents' sections, so the defined-term and
# cross-reference rules skip them.
TEMPLATE_NAMES = set(LAYOUT_NAMES)


def example_deals(examples_dir: Path) -> list[Path]:
    return sorted(examples_dir.glob("*.yaml"))


# ------------------------------------------------------------------ source checks


def check_library(library: Library) -> tuple[ClauseLibrary | None, list[Problem]]:
    """Front matter valid (id, version, title, kind, order), ids unique, sections under articles."""
    try:
        return library.clauses, []
    except InputError as exc:
        return None, exc.problems


def known_tags(path: Path) -> set[str]:

    return set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


def check_tags(library: ClauseLibrary, tags: set[str]) -> list[Problem]:
    return [
        Problem(str(c.path), "tags", f"unknown tag '{t}'; known tags are listed in {TAGS_FILE}")
        for c in library.clauses.values()
        for t in c.meta.tags
        if t not in tags
    ]


def context_names(library: Library, example: Path | None = None) -> set[str]:

    deal = load_deal(example or library.examples_dir / EXAMPLE_DEAL)
    return set(build_context(deal, library.state(deal.state), library)) | set(REPORT_NAMES) | set(ITEM_NAMES)


def _clause_sources(clause: Clause) -> list[tuple[str, str]]:
    return [(clause.body, "body")] + [(f"{{{{ {c} }}}}", "conditions") for c in clause.meta.conditions]


def check_fields(library: ClauseLibrary, names: set[str]) -> list[Problem]:
    """Every top-level name a clause uses exists in the render context."""
    env = clause_environment()
    problems = []
    for clause in library.clauses.values():
        for source, where in _clause_sources(clause):
            try:
                used = meta.find_undeclared_variables(env.parse(source))
            except TemplateSyntaxError as exc:
                line = clause.body_line + exc.lineno - 1 if where == "body" else None
                problems.append(Problem(str(clause.path), where, f"jinja syntax error: {exc.message}", line))
                continue
            for name in sorted(used - names):
                problems.append(
                    Problem(
                        str(clause.path),
                        where,
                        f"uses '{name}', which is not a deal field or helper (see clauses/README.md)",
                    )
                )
    return problems


def _model_roots() -> dict[str, type]:
    return {**deal_section_models(), "state": StateRules}


def _unwrap(annotation: Any) -> Any:
    """Optional[X] / Annotated[X, ...] -> X; anything else as is."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _attribute_problem(root: str, chain: list[str]) -> str | None:
    """None when ``root.chain`` names real fields of the deal/state models, else the message."""
    cls = _model_roots()[root]
    for depth, attr in enumerate(chain):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            return None  # a list, enum, date, ...: past what the models describe
        fields = cls.model_fields
        if attr in fields:
            cls = _unwrap(fields[attr].annotation)
            continue
        if hasattr(cls, attr):  # a property or method (practice.entity_type.is_llc, state.form)
            return None
        path = ".".join([root, *chain[:depth]])
        return (
            f"reads '{path}.{attr}', but {path} has no field '{attr}' "
            f"(its fields: {', '.join(fields)}; `formgen schema` lists the deal's)"
        )
    return None


def check_attributes(library: ClauseLibrary) -> list[Problem]:
    """Every deal/state field a clause reads with dots (``mso.signatory.name``) exists in the model.

    A misspelt field in a clause that only some deals include would otherwise pass every example.
    """
    env = clause_environment()
    roots = _model_roots()
    problems = []
    for clause in library.clauses.values():
        for source, where in _clause_sources(clause):
            try:
                tree = env.parse(source)
            except TemplateSyntaxError:
                continue  # reported by check_fields
            shadowed = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
            seen = set()
            for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
                chain = []
                cur = node
                while isinstance(cur, (nodes.Getattr, nodes.Getitem)):
                    if isinstance(cur, nodes.Getattr):
                        chain.append(cur.attr)
                    elif isinstance(cur.arg, nodes.Const) and isinstance(cur.arg.value, str):
                        chain.append(cur.arg.value)
                    else:
                        chain = []
                        break
                    cur = cur.node
                if not chain or not isinstance(cur, nodes.Name) or cur.name not in roots or cur.name in shadowed:
                    continue
                chain.reverse()
                message = _attribute_problem(cur.name, chain)
                if message and message not in seen:
                    seen.add(message)
                    line = clause.body_line + node.lineno - 1 if where == "body" else None
                    problems.append(Problem(str(clause.path), where, message, line))
    return problems


def check_templates(template_dir: Path) -> list[Problem]:
    """Jinja tags are whole inside one run, and use only the names the renderer passes (to a
    document layout, or to the packet cover) or the template's own loops define."""
    problems = []
    for path in sorted(template_dir.glob("*.docx")):
        passed = set(COVER_NAMES) if path.name == COVER_TEMPLATE else TEMPLATE_NAMES
        parts = read_package(path.read_bytes())
        for name, data in parts.items():
            if not name.startswith("word/") or not name.endswith(".xml"):
                continue
            xml = data.decode("utf-8")
            for text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
                opens = len(re.findall(r"\{[{%]", text))
                closes = len(re.findall(r"[}%]\}", text))
                if opens != closes:
                    problems.append(
                        Problem(
                            str(path),
                            name,
                            f"a jinja tag is split across Word runs near '{text[:40]}'; "
                            "retype the tag in one go (or paste as plain text)",
                        )
                    )
            looped = set(re.findall(r"\{%[prtc]{0,2}\s*for\s+([a-z_]+)\s+in\b", xml))
            for var in dict.fromkeys(re.findall(r"\{\{\s*([a-z_]+)", xml)):
                if var not in passed and var not in looped:
                    problems.append(
                        Problem(
                            str(path),
                            name,
                            f"uses '{var}', which the renderer does not pass; available: {', '.join(sorted(passed))}",
                        )
                    )
    return problems


def check_states(states: Library, library: ClauseLibrary, tags: set[str]) -> list[Problem]:
    """Every jurisdiction of ``states`` loads, and acts only on tags and clauses ``library`` has."""
    problems = []
    for code in sorted(JURISDICTIONS):
        try:
            rules = states.state(code)
        except InputError as exc:
            problems += exc.problems
            continue
        where = ", ".join(rules.source_files)
        for rule in rules.clause_rules:
            if rule.tag not in tags:
                problems.append(Problem(where, f"clause_rules[{rule.tag}]", "acts on a tag no clause can carry"))
            if rule.replacement and library.get(rule.replacement) is None:
                problems.append(
                    Problem(
                        where,
                        f"clause_rules[{rule.tag}].replacement",
                        f"'{rule.replacement}' is not in the clause library",
                    )
                )
        for req in rules.required_clauses:
            if library.get(req.id) is None:
                problems.append(Problem(where, f"required_clauses[{req.id}]", "is not in the clause library"))
    return problems
