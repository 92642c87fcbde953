"""`formgen lint`: checks the clause library, the templates and the state rules.

Each check is a small function returning Problems naming the file and what is wrong; the
CLI prints them and exits 1 when there are any. The checks take the library, template folder
and example deals as arguments, so tests can point them at small broken fixture libraries.

Source checks (no deal needed):
  check_library     clause front matter valid, ids unique, sections under articles
  check_tags        every tag is listed in clauses/tags.yaml
  check_fields      every top-level name a clause uses is in the render context
  check_attributes  every deal/state field a clause reads (``mso.signatory.name``) exists in the model
  check_templates   no jinja tag split across Word runs; only names the renderer passes
  check_states      state rules name clauses and tags that exist

Document checks (each example deal's documents assembled, as the packet builder does):
  check_terms       each capitalised defined term defined once and used; quoted terms defined
  check_cross_refs  "Section 4.2", "Article 7", "Exhibit C" resolve in that document
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from ..inputs.clauses import Library, load_library
from ..library import paths
from ..errors import FormgenError, InputError, Problem
from ..drafting.packet import LAYOUT_NAMES, REPORT_NAMES

TAGS_FILE = "tags.yaml"
EXAMPLE_DEAL = "ca_medspa.yaml"
# The memo and checklist (registry: report=True) are reports about the packet, not agreements:
# they quote findings and cite other documents' sections, so the defined-term and
# cross-reference rules skip them.
TEMPLATE_NAMES = set(LAYOUT_NAMES)


def example_deals(examples_dir: Path | None = None) -> list[Path]:
    return sorted((examples_dir or paths.library_dir("examples")).glob("*.yaml"))


# ------------------------------------------------------------------ source checks


def check_library(clause_dir: Path | None = None) -> tuple[Library | None, list[Problem]]:
    """Front matter valid (id, version, title, kind, order), ids unique, sections under articles."""
    try:
        return load_library(clause_dir), []
    except InputError as exc:
        return None, exc.problems


def known_tags(path: Path | None = None) -> set[str]:
    path = path or paths.clause_dir() / TAGS_FILE
    import yaml

    return set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())


def check_tags(library: Library, tags: set[str]) -> list[Problem]:
    return [Problem(str(c.path), "tags", f"unknown tag '{t}'; known tags are listed in {TAGS_FILE}")
            for c in library.clauses.values() for t in c.meta.tags if t not in tags]


def context_names(example: Path | None = None) -> set[str]:
    from ..drafting.context import build_context
    from ..inputs.deal import load_deal
    from ..inputs.states import load_state

    deal = load_deal(example or paths.library_dir("examples") / EXAMPLE_DEAL)
    return set(build_context(deal, load_state(deal.state))) | set(REPORT_NAMES)


def _clause_sources(clause) -> list[tuple[str, str]]:
    return [(clause.body, "body")] + [(f"{{{{ {c} }}}}", "conditions") for c in clause.meta.conditions]


def check_fields(library: Library, names: set[str]) -> list[Problem]:
    """Every top-level name a clause uses exists in the render context."""
    from jinja2 import TemplateSyntaxError, meta

    from ..drafting.jinja_env import clause_environment

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
                problems.append(Problem(str(clause.path), where,
                                        f"uses '{name}', which is not a deal field or helper (see clauses/README.md)"))
    return problems


def _model_roots() -> dict[str, type]:
    from ..inputs.deal import DealInfo, DisputeResolution, Fees, Mso, Practice, Term
    from ..inputs.states import StateRules

    return {"deal": DealInfo, "mso": Mso, "practice": Practice, "fees": Fees, "term": Term,
            "dispute_resolution": DisputeResolution, "state": StateRules}


def _unwrap(annotation):
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
    from pydantic import BaseModel

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
        return (f"reads '{path}.{attr}', but {path} has no field '{attr}' "
                f"(its fields: {', '.join(fields)}; `formgen schema` lists the deal's)")
    return None


def check_attributes(library: Library) -> list[Problem]:
    """Every deal/state field a clause reads with dots (``mso.signatory.name``) exists in the model.

    A misspelt field in a clause that only some deals include would otherwise pass every example.
    """
    from jinja2 import TemplateSyntaxError, nodes

    from ..drafting.jinja_env import clause_environment

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


def check_templates(template_dir: Path | None = None) -> list[Problem]:
    template_dir = template_dir or paths.template_dir()
    """Jinja tags are whole inside one run, and use only the names the renderer passes."""
    from ..word.ooxml import read_package

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
    from ..inputs.deal import JURISDICTIONS
    from ..inputs.states import load_state

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


# ------------------------------------------------------------------ assembled documents


@dataclass
class AssembledDocument:
    """One document of one example deal, as blocks (what the Word template lays out)."""

    deal: Path
    name: str  # document name, e.g. "msa"
    blocks: list[dict]
    clause_bodies: dict[str, str]  # clause id -> its source body, to say where a term comes from

    @property
    def filename(self) -> str:
        return f"{self.name}.docx"

    def table_headings(self) -> set[str]:
        return {cell for b in self.blocks if b["kind"] == "table" for cell in b["header"]}

    def paragraphs(self, *, notes: bool = False) -> list[str]:
        """The document's text, one string per paragraph or table row (drafting notes left out)."""
        out = []
        for block in self.blocks:
            kind = block["kind"]
            if kind == "note" and not notes:
                continue
            if kind == "table":
                out += [" | ".join(row) for row in [block["header"], *block["rows"]]]
            elif kind == "signatures":
                out += [" ".join(s.values()) for s in block["signers"]]
            elif kind == "exhibit":
                out.append(f"{block['text']} {block['title']}")
            else:
                out.append(" ".join(x for x in (block.get("number", ""), block.get("caption", ""),
                                                 block.get("text", "")) if x))
        return out


def assemble_documents(deal_path: Path, library: Library) -> tuple[list[AssembledDocument], list[Problem]]:
    """Every agreement of one deal's packet, assembled the way formgen.build does (reports left out)."""
    from ..drafting.assemble import assemble
    from ..drafting.context import build_context
    from ..inputs.documents import documents_for
    from ..drafting.packet import validate
    from ..drafting.plan import plan_document, state_enabled_clauses

    try:
        deal, rules, _ = validate(deal_path)
        context = build_context(deal, rules)
        all_specs = documents_for(deal)
        enabled = state_enabled_clauses(rules, library, all_specs, context)
        specs = [s for s in all_specs if not s.report]
    except FormgenError as exc:
        return [], [Problem(str(deal_path), "", f"cannot be assembled: {exc}")]
    docs, problems = [], []
    for spec in specs:
        try:
            plan = plan_document(spec, library, rules, context, enabled)
            blocks = assemble(plan, context)
        except FormgenError as exc:
            problems.append(Problem(str(deal_path), spec.name, f"cannot be assembled: {exc}"))
            continue
        docs.append(AssembledDocument(deal_path, spec.name, blocks, {c.id: c.body for c in plan.clauses}))
    return docs, problems


# Defined terms ------------------------------------------------------------------------

_QUOTED = re.compile(r"[\"\u201c]([^\"\u201c\u201d\n]{1,80})[\"\u201d]")
# A capitalised term: words starting with a capital (or short connecting words between them).
_TERM = re.compile(r"^[A-Z][\w&'\u2019.-]*(?: (?:[A-Z0-9][\w&'\u2019.-]*|of|and|for|in|on|to|the|or))*$")
_MEANS = re.compile(r"^\s*(?:means|mean|shall mean|has the meaning|have the meaning|shall have the meaning"
                    r"|refers to|is defined|includes|shall include)\b")
# Inside a parenthesis: ("MSO"), (the "Initial Term"), (each, a "Renewal Term"),
# ("Disclosing Party" or "Receiving Party"), (as adjusted under this Agreement, its "Percentage Interest"),
# (with every later contribution, the Member's "Capital Contributions"), (the "Departing Member", which ...).
_PAREN_ONLY_LOWER = re.compile(r"^(?:[a-z]+,?\s+)*$")
_DETERMINER = re.compile(r"(?:\b(?:the|this|these|its|their|his|her|each|such|a|an)|\w['\u2019]s)\s+$")
_PAREN_TAIL = re.compile(r"^(?:\s*\)|,|\s+(?:or|and)\s+(?:[a-z]+\s+)*[\"\u201c])")
# In running text: 'are each a "Party" and together the "Parties"', 'is a "Renewal Term"',
# 'hereinafter the "Company"', 'referred to as the "Plan"'.
_RUNNING_LEAD = re.compile(r"\b(?:each|together|collectively|individually|hereinafter|herein|called|"
                           r"referred to as|known as|is|are)(?:,)?(?:\s+(?:a|an|the|each|as))*\s*$")


def _open_paren(before: str) -> str | None:
    """The text after the last unclosed "(" in ``before``, or None when not inside a parenthesis."""
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                return before[index + 1:]
            depth -= 1
    return None


def _is_definition(text: str, start: int, end: int) -> bool:
    """Is the quoted term at text[start:end] (quotes included) being defined?"""
    before, after = text[:start], text[end:]
    if _MEANS.match(after):
        return True
    inside = _open_paren(before)
    if inside is not None and _PAREN_TAIL.match(after):
        lead = _QUOTED.sub("", inside)  # ("A" or "B"): earlier quoted terms in the same parenthesis
        if _PAREN_ONLY_LOWER.match(lead.replace(" or ", " ").replace(" and ", " ")) or _DETERMINER.search(inside):
            return True
    return bool(_RUNNING_LEAD.search(before[-60:]))


def _usage_pattern(term: str) -> re.Pattern:
    forms = [re.escape(term)]
    if term.endswith("y") and not term.isupper():
        forms.append(re.escape(term[:-1]) + "ies")
    return re.compile(r"(?<![\w])(?:" + "|".join(forms) + r")(?:s|es|'s|\u2019s)?(?![\w])")


@dataclass
class TermUse:
    definitions: list[int]  # paragraph indexes where the term is defined
    quoted_undefined: list[int]  # paragraph indexes where it is quoted but not in a definition form


def defined_terms(paragraphs: list[str]) -> dict[str, TermUse]:
    terms: dict[str, TermUse] = {}
    for index, text in enumerate(paragraphs):
        for match in _QUOTED.finditer(text):
            term = match.group(1).strip()
            if not _TERM.match(term) or term.isdigit():
                continue
            after = text[match.end():]
            if re.match(rf"\s*means\s+{re.escape(term.lower())}\b", after):
                continue  # '"Including" means including without limitation': a lowercase word, sentence-initial
            use = terms.setdefault(term, TermUse([], []))
            (use.definitions if _is_definition(text, match.start(), match.end()) else use.quoted_undefined).append(index)
    return terms


def _mask_quoted(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def term_problems(paragraphs: list[str], file: str, where: str = "", headings: set[str] = frozenset(),
                  clause_bodies: dict[str, str] | None = None) -> list[Problem]:
    """Defined-term problems of one document's text (a list of paragraphs).

    ``headings``: table column headings; quoting one ("Decides" names whose decision governs)
    refers to the column, it does not define a term. ``clause_bodies`` (clause id -> source)
    lets each message name the clauses that quote the term.
    """

    def found_in(term: str) -> str:
        ids = [cid for cid, body in (clause_bodies or {}).items()
               if f'"{term}"' in body or f"\u201c{term}\u201d" in body]
        return f" (quoted in {', '.join(ids)})" if ids else ""

    terms = defined_terms(paragraphs)
    defined = {t for t, u in terms.items() if u.definitions}
    body = "\n".join(_mask_quoted(p) for p in paragraphs)
    problems = []
    for term in sorted(defined, key=str.casefold):
        use = terms[term]
        if len(use.definitions) > 1:
            problems.append(Problem(file, where, f'"{term}" is defined {len(use.definitions)} times{found_in(term)}; '
                                    "define it once"))
        # A longer defined term holding this one ("Initial Term" holds "Term") is not a use of it.
        text = body
        for longer in sorted((t for t in defined if t != term and term in t), key=len, reverse=True):
            text = _usage_pattern(longer).sub(lambda m: " " * len(m.group(0)), text)
        if not _usage_pattern(term).search(text):
            problems.append(Problem(file, where, f'"{term}" is defined but never used{found_in(term)}; '
                                    "use it or take the definition out (or guard it with the same condition)"))
    for term, use in sorted(terms.items(), key=lambda kv: kv[0].casefold()):
        if use.quoted_undefined and not use.definitions and term not in headings:
            problems.append(Problem(file, where, f'"{term}" is quoted like a defined term but never defined'
                                    f'{found_in(term)}; define it once as ("{term}") or "{term}" means ...'))
    return problems


def check_terms(documents: list[AssembledDocument]) -> list[Problem]:
    """Each capitalised defined term is defined once in its document and used after; quoted terms are defined."""
    problems = []
    for doc in documents:
        problems += term_problems(doc.paragraphs(), doc.filename, doc.deal.name, doc.table_headings(), doc.clause_bodies)
    return problems


# Cross-references ---------------------------------------------------------------------

_REF_KIND = r"(?P<kind>Section|Article|Exhibit|Schedule)s?"
_REF_ITEM = r"(?:\d+(?:\.\d+)*(?:\([A-Za-z0-9]+\))*|[A-Z](?![\w-])|[IVXLC]+(?![\w-]))"
_REF = re.compile(rf"\b{_REF_KIND}\s+(?P<items>{_REF_ITEM}(?:(?:,\s*|,?\s+(?:and|or|through|to)\s+){_REF_ITEM})*)")
# After the reference: "of the Social Security Act", "to the Management Services Agreement":
# another document or a law, not this one.
_EXTERNAL_AFTER = re.compile(r"^\s*(?:of|to|under|in)\s+(?!this\b|these\b)(?:the\s+)?(?:[A-Z0-9]|[a-z]+\s+[A-Z])")
# Before it: a code or statute name ("Cal. Bus. & Prof. Code Section 2400", "Internal Revenue Code").
_EXTERNAL_BEFORE = re.compile(r"(?:Code|Act|U\.S\.C\.|C\.F\.R\.|Regulations?|Rules?|Statutes?|Constitution)\s*,?\s*$")


def _targets(blocks: list[dict]) -> dict[str, set[str]]:
    sections = {b["number"] for b in blocks if b["kind"] == "section"}
    articles = {m.group(1) for b in blocks if b["kind"] == "heading"
                for m in [re.match(r"ARTICLE (\d+)\.", b["text"])] if m}
    exhibits = {m.group(1) for b in blocks if b["kind"] == "exhibit"
                for m in [re.match(r"EXHIBIT ([A-Z]+)", b["text"])] if m}
    return {"Section": sections, "Article": articles, "Exhibit": exhibits, "Schedule": set()}


_NAMED_DOC = re.compile(r"^\s*(?:of|to|under|in)\s+(?:the|this)\s+([A-Z][\w ]+?(?:Agreement|Schedule|Bylaws))\b")


def cross_ref_problems(paragraphs: list[str], targets: dict[str, set[str]], file: str, where: str = "",
                       other_documents: dict[str, dict[str, set[str]]] | None = None) -> list[Problem]:
    """References in ``paragraphs`` that do not resolve to ``targets``.

    ``other_documents`` maps document titles ("Management Services Agreement") to their targets:
    "Section 12.2 of the Management Services Agreement" is checked against that document's
    numbering; a reference to a law or to a document not in the packet is left alone.
    """
    other_documents = other_documents or {}
    problems, seen = [], set()
    for text in paragraphs:
        for match in _REF.finditer(text):
            after = text[match.end():]
            named = _NAMED_DOC.match(after)
            if named and named.group(1) in other_documents:
                doc_targets, in_doc = other_documents[named.group(1)], f" of the {named.group(1)}"
            elif _EXTERNAL_AFTER.match(after) or _EXTERNAL_BEFORE.search(text[:match.start()]):
                continue
            else:
                doc_targets, in_doc = targets, ""
            kind = match.group("kind")
            for item in re.findall(_REF_ITEM, match.group("items")):
                number = re.sub(r"\(.*$", "", item)
                if number in doc_targets[kind]:
                    continue
                key = (kind, item, in_doc)
                if key in seen:
                    continue
                seen.add(key)
                have = ", ".join(sorted(doc_targets[kind], key=lambda s: [int(p) if p.isdigit() else p for p in s.split(".")])) or "none"
                quote = text[max(0, match.start() - 40):match.end() + 20]
                problems.append(Problem(file, where, f"refers to {kind} {item}{in_doc} (\u201c\u2026{quote}\u2026\u201d), "
                                        f"which {'that' if in_doc else 'this'} document does not have "
                                        f"({kind.lower()}s: {have}); use ref('clause.id') instead of a typed number"))
    return problems


def check_cross_refs(documents: list[AssembledDocument]) -> list[Problem]:
    """Every "Section 4.2", "Article 7", "Exhibit C" in an assembled document exists in it
    (or, for "... of the Management Services Agreement", in that document of the same packet)."""
    from ..inputs.documents import DOCUMENTS

    by_title = {DOCUMENTS[d.name].title: _targets(d.blocks) for d in documents if d.name in DOCUMENTS}
    by_title.pop("Operating Agreement", None)  # the MSO's and the practice's: ambiguous by title
    problems = []
    for doc in documents:
        problems += cross_ref_problems(doc.paragraphs(notes=True), _targets(doc.blocks), doc.filename,
                                       doc.deal.name, by_title)
    return problems


def check_documents(library: Library, deals: list[Path]) -> list[Problem]:
    """Assemble every example deal's agreements and run the document checks, each problem once."""
    problems: list[Problem] = []
    by_message: dict[tuple[str, str], list[str]] = {}
    for deal_path in deals:
        documents, failed = assemble_documents(deal_path, library)
        problems += failed
        for problem in check_terms(documents) + check_cross_refs(documents):
            by_message.setdefault((problem.file, problem.message), []).append(problem.path)
    for (file, message), deal_names in by_message.items():
        problems.append(Problem(file, "in " + ", ".join(deal_names), message))
    return problems


# ------------------------------------------------------------------ everything


def lint(clause_dir: Path | None = None, template_dir: Path | None = None,
         deals: list[Path] | None = None, tags_file: Path | None = None) -> list[Problem]:
    library, problems = check_library(clause_dir)
    if library is None:
        return problems
    tags = known_tags(tags_file or (clause_dir or paths.clause_dir()) / TAGS_FILE)
    problems = check_tags(library, tags) + check_fields(library, context_names()) + check_attributes(library)
    problems += check_templates(template_dir) + check_states(library, tags)
    problems += check_documents(library, example_deals() if deals is None else deals)
    return problems
