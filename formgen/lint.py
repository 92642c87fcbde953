"""`formgen lint`: checks the clause library, the templates and the state rules.

Each check returns Problems naming the file and what is wrong; the CLI prints them and
exits 1 when there are any.
"""

from __future__ import annotations

import re
from pathlib import Path

from .clauses import CLAUSE_DIR, Library, load_library
from .documents import TEMPLATE_DIR
from .errors import InputError, Problem

TAGS_FILE = CLAUSE_DIR / "tags.yaml"
EXAMPLE_DEAL = CLAUSE_DIR.parent / "examples" / "ca_medspa.yaml"
# Names the packet builder adds for the memo and checklist (formgen/packet.py).
REPORT_NAMES = {"findings", "decisions", "rules", "checklist_items", "documents", "state_notes"}
TEMPLATE_NAMES = {"title", "subtitle", "document_title", "header_text", "draft_notice", "blocks"}


def known_tags(path: Path = TAGS_FILE) -> set[str]:
    import yaml

    return set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


def check_tags(library: Library, tags: set[str]) -> list[Problem]:
    return [Problem(str(c.path), "tags", f"unknown tag '{t}'; known tags are listed in {TAGS_FILE.name}")
            for c in library.clauses.values() for t in c.meta.tags if t not in tags]


def context_names() -> set[str]:
    from .context import build_context
    from .deal import load_deal
    from .states import load_state

    deal = load_deal(EXAMPLE_DEAL)
    return set(build_context(deal, load_state(deal.state))) | REPORT_NAMES


def check_fields(library: Library, names: set[str]) -> list[Problem]:
    """Every top-level name a clause uses exists in the render context."""
    from jinja2 import TemplateSyntaxError, meta

    from .jinja_env import clause_environment

    env = clause_environment()
    problems = []
    for clause in library.clauses.values():
        for source, where in [(clause.body, "body")] + [(f"{{{{ {c} }}}}", "conditions") for c in clause.meta.conditions]:
            try:
                used = meta.find_undeclared_variables(env.parse(source))
            except TemplateSyntaxError as exc:
                line = clause.body_line + exc.lineno - 1 if where == "body" else None
                problems.append(Problem(str(clause.path), where, f"jinja syntax error: {exc.message}", line))
                continue
            for name in sorted(used - names):
                problems.append(Problem(str(clause.path), where,
                                        f"uses '{name}', which is not a deal field or helper (see clauses/README.md)"))
    return problems


def check_templates(template_dir: Path = TEMPLATE_DIR) -> list[Problem]:
    """Jinja tags are whole inside one run, and use only the names the renderer passes."""
    from .ooxml import read_package

    problems = []
    for path in sorted(template_dir.glob("*.docx")):
        parts = read_package(path.read_bytes())
        for name, data in parts.items():
            if not name.startswith("word/") or not name.endswith(".xml"):
                continue
            xml = data.decode("utf-8")
            for text in re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml):
                opens = len(re.findall(r"\{[{%]", text))
                closes = len(re.findall(r"[}%]\}", text))
                if opens != closes:
                    problems.append(Problem(str(path), name, f"a jinja tag is split across Word runs near '{text[:40]}'; "
                                            "retype the tag in one go (or paste as plain text)"))
            for var in re.findall(r"\{\{\s*([a-z_]+)", xml):
                if var not in TEMPLATE_NAMES and var not in ("b", "s", "h", "c", "row"):
                    problems.append(Problem(str(path), name, f"uses '{var}', which the renderer does not pass; "
                                            f"available: {', '.join(sorted(TEMPLATE_NAMES))}"))
    return problems


def check_states(library: Library, tags: set[str]) -> list[Problem]:
    from .deal import JURISDICTIONS
    from .states import load_state

    problems = []
    for code in sorted(JURISDICTIONS):
        try:
            rules = load_state(code)
        except InputError as exc:
            problems += exc.problems
            continue
        where = ", ".join(rules.source_files)
        for rule in rules.clause_rules:
            if rule.tag not in tags:
                problems.append(Problem(where, f"clause_rules[{rule.tag}]", "acts on a tag no clause can carry"))
            if rule.replacement and library.get(rule.replacement) is None:
                problems.append(Problem(where, f"clause_rules[{rule.tag}].replacement",
                                        f"'{rule.replacement}' is not in the clause library"))
        for req in rules.required_clauses:
            if library.get(req.id) is None:
                problems.append(Problem(where, f"required_clauses[{req.id}]", "is not in the clause library"))
    return problems


def lint() -> list[Problem]:
    try:
        library = load_library()
    except InputError as exc:
        return exc.problems
    tags = known_tags()
    problems = check_tags(library, tags) + check_fields(library, context_names())
    problems += check_templates() + check_states(library, tags)
    return problems
