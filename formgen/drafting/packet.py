"""A packet in memory (its documents as built, its findings), and what the reports (the memo and
the checklist) are drafted from: the decisions, rules, checklist dates and authorities.
``folder.build.build_packet`` renders the packet.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..inputs.clauses import ClauseLibrary
from ..inputs.library import Library
from ..inputs.deal import Deal
from ..inputs.documents import DocumentSpec
from .context import longdate
from .drafts import Drafting
from .findings import Finding
from ..markup import library_prose
from .plan import DocumentPlan
from ..inputs.states import ChecklistItem, ClauseRule, Note, RequiredClause, StateRules

# The reports (registry: report=True) describe the agreements, so they are built last, with these extra names.
REPORT_NAMES = (
    "findings",
    "still_to_complete",
    "decisions",
    "rules",
    "checklist_items",
    "documents",
    "state_notes",
    "clause_authorities",
)
# What the Word layout (templates/document.docx) is rendered with.
LAYOUT_NAMES = ("title", "subtitle", "document_title", "header_text", "draft_notice", "blocks")


@dataclass
class BuiltDocument:
    spec: DocumentSpec
    plan: DocumentPlan
    template: Path
    data: bytes
    blocks: list[dict] = field(default_factory=list)  # what was rendered (the closing set reads its signature blocks)


@dataclass
class Packet:
    deal_path: Path
    deal: Deal
    rules: StateRules
    library: Library
    documents: list[BuiltDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # what writing kept in the folder (write_packet's notes)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


FORMATION_ITEMS = {"mso": "mso_formation", "practice": "practice_formation"}


def header_text(deal: Deal) -> str:
    """The running header: the deal and, when the deal file gives them, the draft's number and date
    ("Glow MedSpa: confidential draft 2 of December 1, 2026")."""
    number = f" {deal.deal.draft_version}" if deal.deal.draft_version else ""
    dated = f" of {longdate(deal.deal.prepared_on)}" if deal.deal.prepared_on else ""
    return f"{deal.deal.name}: confidential draft{number}{dated}"


def _base_date(item, start: dt.date, formed: dict[str, dt.date]) -> dt.date:
    """The day an item counts from: the effective date (closing), or its entity's formation (for
    both entities, the first formed)."""
    if item.due_from == "formation" or item.annual_by:
        return formed.get(item.entity, min(formed.values(), default=start))
    return start


def _recurring_due(item, start: dt.date, formed: dict[str, dt.date]) -> tuple[str, dt.date]:
    """How the checklist states a recurring item, and its first date: by a fixed day each year from
    the year after formation, or every one or two years from the day it counts from."""
    base = _base_date(item, start, formed)
    if item.annual_by:
        yearly = dt.date.fromisoformat(f"{base.year + 1}-{item.annual_by}")
        first = yearly
        if item.first_due_month:
            months = base.month - 1 + item.first_due_month - 1
            first = dt.date(base.year + months // 12, months % 12 + 1, yearly.day)
        return f"By {yearly:%B} {yearly.day} each year, first {longdate(first)}", first
    years = 1 if item.recurring == "annual" else 2
    first = add_years(base, years)
    return f"{'Annually' if years == 1 else 'Every two years'} from {longdate(first)}", first


def checklist_items(deal: Deal, rules: StateRules) -> list[dict]:
    """Checklist rows with dates computed from the deal's dates and each rule's day count, in date
    order. An item due before the entity that must act is formed says so."""
    start = deal.deal.effective_date
    who = {"mso": deal.mso.name, "practice": deal.practice.name, "both": "Both entities"}
    formation = {item.id: item for item in rules.checklist}
    formed = {
        entity: start + dt.timedelta(days=formation[item_id].due_days or 0)
        for entity, item_id in FORMATION_ITEMS.items()
        if item_id in formation
    }
    kinds = {
        "mso": deal.mso.entity_type.value,
        "practice": "llc" if deal.practice.entity_type.is_llc else "corporation",
    }
    rows = []
    for item in rules.checklist:
        warning = ""
        if item.entity_kind:
            acting = [e for e in ("mso", "practice") if item.entity in (e, "both") and kinds[e] == item.entity_kind]
            if not acting:
                continue
            item = item.model_copy(update={"entity": acting[0] if len(acting) == 1 else "both"})
        if item.recurring:
            when, sort_key = _recurring_due(item, start, formed)
        else:
            due = _base_date(item, start, formed) + dt.timedelta(days=item.due_days or 0)
            when, sort_key = longdate(due), due
            entity_formed = formed.get(item.entity)
            if item.id not in FORMATION_ITEMS.values() and entity_formed and due < entity_formed:
                warning = (
                    f"Due before {who[item.entity]} is scheduled to be formed ({longdate(entity_formed)}): "
                    "form it earlier or have its organizers act for it."
                )
        rows.append(
            {
                "id": item.id,
                "task": item.task,
                "entity": who[item.entity],
                "due": when,
                "citation": item.citation or "",
                "verified": item.verified,
                "warning": warning,
                "_key": sort_key,
            }
        )
    rows.sort(key=lambda r: (r["_key"], r["id"]))
    for row in rows:
        del row["_key"]
    return rows


def _clause_title(drafting: Drafting, clause_id: str | None, document: str) -> str:
    clause = drafting.library.get(clause_id) if clause_id else None
    title = clause.meta.title_in(document) if clause else ""
    return "" if not title or title.startswith("_") else title


def _gist(text: str, limit: int = 80) -> str:
    """The first sentence of ``text`` (dates written out), cut on a word at ``limit`` characters."""
    text = library_prose(" ".join(text.split()))
    sentence = re.split(r"(?<=[a-z]{4})\.\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[:limit].rsplit(" ", 1)[0] + "\u2026"


def memo_label(label: str, rule, library: ClauseLibrary) -> str:
    """A rule as an attorney names it: the provision it acts on or the task it sets, not its id."""
    if isinstance(rule, ClauseRule):
        titles = dict.fromkeys(
            c.meta.title
            for c in sorted(library.clauses.values(), key=lambda c: c.id)
            if rule.tag in c.meta.tags and not c.meta.title.startswith("_")
        )
        return "Provision: " + (" / ".join(titles) or rule.tag.split(":")[-1].replace("_", " "))
    if isinstance(rule, RequiredClause):
        clause = library.get(rule.id)
        return "Required provision: " + (clause.meta.title if clause else _gist(rule.reason))
    if isinstance(rule, ChecklistItem):
        return "Checklist: " + _gist(rule.task)
    if isinstance(rule, Note):
        return f"{topic_heading(rule.topic)}: " + _gist(rule.text)
    return TOPIC_HEADINGS["cpom"] if label == "CPOM" else label  # a client memo spells it out


_STATE_CITATION = re.compile(r"^([A-Z]{2}): (.+)$")

# How the memo heads each kind of state note (the state files' topic keys).
TOPIC_HEADINGS = {
    "cpom": "Corporate practice of medicine",
    "fees": "Fees and fee splitting",
    "med_spa": "Medical spa practice",
    "name": "Entity name",
    "ownership": "Ownership",
    "recent_change": "Recent change in the law",
    "other": "Other",
}


def topic_heading(topic: str) -> str:
    return TOPIC_HEADINGS.get(topic, topic.replace("_", " ").capitalize())


def citations_for_state(citations, code: str) -> list[str]:
    """A clause's citations that apply in the deal's state: a citation written "CA: ..." belongs to
    that state only, so a Texas memo never cites California law as a provision's basis."""
    found = []
    for citation in citations:
        match = _STATE_CITATION.match(citation)
        if match is None or match.group(1) == code:
            found.append(match.group(2) if match else citation)
    return found


# The research record names the web sites a rule was read at; the client memo names the authority only
# (the sites stay in the research appendix).
_SECONDARY = re.compile(r"\bSecondary source \(([^()]*(?:\([^()]*\)[^()]*)*)\)")
_DOMAIN = r"(?:[a-z0-9-]+\.)+(?:com|org|gov|net|law|edu|us|ai|io)(?:/[^)\s,]*)?"
_SITE = re.compile(rf" ?\({_DOMAIN}\)")


def _secondary(match: re.Match) -> str:
    kept = [part for part in match.group(1).split(", ") if not re.fullmatch(rf"{_DOMAIN}|\d{{4}}", part.strip())]
    return "a secondary source" + (f" {', '.join(kept)}," if kept else "") + " named in the research appendix"


def memo_citation(citation: str) -> str:
    """A citation as the client memo prints it: no web site names ("Secondary source (baylegal.com)"
    becomes "a secondary source named in the research appendix"; what the source quotes stays)."""
    return _SITE.sub("", _SECONDARY.sub(_secondary, str(citation or "")))


def _clause_authorities(drafting: Drafting, agreements: list[BuiltDocument]) -> list[dict]:
    rows = []
    for built in agreements:
        for clause in built.plan.clauses:
            cited = citations_for_state(clause.meta.citations, drafting.deal.state)
            if cited:
                rows.append(
                    {
                        "document": built.spec.titles(drafting.deal)[0],
                        "provision": clause.meta.title_in(built.spec.kind),
                        "citations": "; ".join(cited),
                    }
                )
    return rows


def report_context(drafting: Drafting, agreements: list[BuiltDocument], findings: list[Finding]) -> dict:
    deal, rules = drafting.deal, drafting.rules
    return {
        **drafting.context,
        # Blanks left to complete have their own section of the memo, not the findings table.
        "findings": [
            {**f.to_dict(), "citation": memo_citation(f.citation)} for f in findings if not f.rule.startswith("blanks.")
        ],
        "still_to_complete": [f.to_dict() for f in findings if f.rule.startswith("blanks.")],
        "decisions": [
            {
                "document": b.spec.name,
                "clause": d.clause_id,
                "reason": d.reason,
                "rule_citation": d.rule.citation if d.rule else "",
                # as the memo prints them: the document's and the provisions' titles
                "document_title": b.spec.titles(deal)[0],
                "action": d.rule.action,
                "clause_title": _clause_title(drafting, d.clause_id, b.spec.kind),
                "replacement_title": _clause_title(drafting, d.rule.replacement, b.spec.kind),
            }
            for b in agreements
            for d in b.plan.decisions
            if d.rule is not None
        ],
        "rules": [
            {
                "label": memo_label(label, r, drafting.library),
                "citation": memo_citation(r.citation),
                "verified": r.verified,
                "note": r.note,
            }
            for label, r in rules.all_rules()
        ],
        "checklist_items": checklist_items(deal, rules),
        "documents": [s.titles(deal)[0] + f" ({s.filename})" for s in drafting.specs],
        "state_notes": [
            {
                "heading": topic_heading(n.topic),
                "text": n.text,
                "citation": memo_citation(n.citation),
                "verified": n.verified,
                "note": n.note,
            }
            for n in rules.notes
        ],
        "clause_authorities": _clause_authorities(drafting, agreements),
    }
