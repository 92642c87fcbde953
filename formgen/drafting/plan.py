"""deal + state rules + clause library -> a DocumentPlan per document.

A plan is the ordered list of clauses a document will hold, with the reason each clause is
there or is not: its conditions, a state rule that removed or replaced it (with citation),
or a state rule that requires it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..inputs.clauses import Clause, ClauseLibrary
from ..inputs.deal import Deal
from ..inputs.documents import DocumentSpec, copies
from ..errors import InputError, Problem, TemplateError
from .findings import Finding
from .jinja_env import compiled_expression
from ..inputs.states import ClauseRule, StateRules


@dataclass(frozen=True)
class Decision:
    clause_id: str
    version: int
    included: bool
    reason: str
    rule: ClauseRule | None = None


@dataclass
class DocumentPlan:
    spec: DocumentSpec
    clauses: list[Clause]  # included, in document order (articles followed by their sections)
    decisions: list[Decision] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # The drafting notes of the state rules that acted here, printed where the rule acted: before
    # the clause that replaced the term, or before the clause that now stands in the removed
    # one's place ("" = at the end of the document).
    notes_before: dict[str, list[str]] = field(default_factory=dict)

    @property
    def clause_refs(self) -> list[str]:
        return [c.ref for c in self.clauses]


def documents_for(deal: Deal, rules: StateRules, documents: Iterable[DocumentSpec]) -> list[DocumentSpec]:
    """The deal's packet under its state's ``rules``: the documents whose ``applies`` conditions all
    hold, in reading order. The conditions read the deal's sections and ``state`` (the rules) by
    name, as clause conditions do."""
    sections = {**{name: getattr(deal, name) for name in type(deal).model_fields}, "state": rules}
    out: list[DocumentSpec] = []
    for spec in documents:
        if all(_holds(condition, sections, spec.name) for condition in spec.applies):
            out += copies(spec, deal, rules) if spec.repeat else [spec]
    return out


def _holds(condition: str, names: dict, where: str) -> bool:
    try:
        return bool(compiled_expression(condition)(**names))
    except Exception as exc:  # noqa: BLE001 - any jinja failure is a library bug, named here
        raise TemplateError(f"{where}/document.yaml: applies '{condition}' cannot be evaluated: {exc}") from None


def conditions_hold(clause: Clause, context: dict) -> tuple[bool, str]:
    """(all conditions true, the first false one or '')."""
    for condition in clause.meta.conditions:
        try:
            ok = compiled_expression(condition)(**context)
        except Exception as exc:  # noqa: BLE001 - any jinja failure is a clause-library bug, named here
            raise TemplateError(f"{clause.path}: condition '{condition}' cannot be evaluated: {exc}") from None
        if not ok:
            return False, condition
    return True, ""


def _finding_for(rule: ClauseRule, clause: Clause, document: str, state: StateRules) -> Finding:
    action = {"replace": "replaced", "remove": "removed", "warn": "kept"}[rule.action]
    return Finding(
        rule.tag.replace(":", "."),
        rule.severity,
        rule.message.strip(),
        citation=rule.citation,
        document=document,
        action=action,
        verified=rule.verified,
        law=rule.law,
        clause=clause.id,
        replacement=(rule.replacement or "") if rule.action == "replace" else "",
    )


def state_enabled_clauses(
    rules: StateRules, library: ClauseLibrary, documents: list[DocumentSpec], context: dict
) -> dict[str, str]:
    """state_only clause id -> why the state brings it in (required, or replacing a forbidden term)."""
    enabled = {r.id: f"required by {rules.name}: {r.reason}" for r in rules.required_clauses}
    for spec in documents:
        for clause in library.for_document(spec.kind):
            if clause.meta.state_only or not conditions_hold(clause, context)[0]:
                continue
            for tag in clause.meta.tags:
                rule = rules.rule_for_tag(tag)
                if rule is not None and rule.action == "replace":
                    enabled[rule.replacement] = f"replaces {clause.id} under the {rules.name} rule on {tag}"
    missing = sorted(cid for cid in enabled if library.get(cid) is None)
    if missing:
        raise InputError(
            [
                Problem(
                    ", ".join(rules.source_files),
                    "required_clauses/clause_rules",
                    f"names clause '{cid}', which is not in the clause library",
                )
                for cid in missing
            ]
        )
    return enabled


def plan_document(
    spec: DocumentSpec, library: ClauseLibrary, rules: StateRules, context: dict, enabled: dict[str, str]
) -> DocumentPlan:
    plan = DocumentPlan(spec, [])
    kept_ids: set[str] = set()
    for clause in library.in_order(spec.kind):
        meta = clause.meta
        include, reason, rule_used = True, "standard clause", None
        if meta.parent and meta.parent not in kept_ids:
            include, reason = False, f"its article {meta.parent} is not in this document"
        elif meta.state_only and clause.id not in enabled:
            include, reason = False, f"state-specific clause; {rules.name} does not call for it"
        else:
            ok, failed = conditions_hold(clause, context)
            if not ok:
                include, reason = False, f"condition not met: {failed}"
                if "posture" in failed:
                    reason = f"left out by the drafting posture '{context.get('posture')}' ({reason})"
            elif meta.state_only:
                reason = enabled[clause.id]
            elif meta.conditions:
                reason = "conditions met: " + "; ".join(meta.conditions)
                if any("posture" in c for c in meta.conditions):
                    reason = f"chosen by the drafting posture '{context.get('posture')}' ({reason})"
        if include:
            for tag in meta.tags:
                rule = rules.rule_for_tag(tag)
                if rule is None:
                    continue
                plan.findings.append(_finding_for(rule, clause, spec.name, rules))
                rule_used = rule
                if rule.action in ("replace", "remove"):
                    include = False
                    reason = f"{rule.action}d under the {rules.name} rule on {tag} ({rule.citation or 'no citation; conservative default'})"
                    break
                reason += f"; kept with a warning under the {rules.name} rule on {tag}"
        plan.decisions.append(Decision(clause.id, meta.version, include, reason, rule_used))
        if include:
            kept_ids.add(clause.id)
    plan.clauses = [c for c in library.in_order(spec.kind) if c.id in kept_ids]
    _place_rule_notes(plan, [c.id for c in library.in_order(spec.kind)])
    return plan


def _place_rule_notes(plan: DocumentPlan, order: list[str]) -> None:
    kept = {c.id for c in plan.clauses}
    for decision in plan.decisions:
        rule = decision.rule
        if rule is None:
            continue
        note = (rule.drafting_note or rule.message).strip()
        if rule.action == "warn":
            anchor = decision.clause_id  # the term stays: the note sits on it
        elif rule.action == "replace" and rule.replacement in kept:
            anchor = rule.replacement
        else:
            later = order[order.index(decision.clause_id) + 1 :]
            anchor = next((cid for cid in later if cid in kept), "")
        notes = plan.notes_before.setdefault(anchor, [])
        if note not in notes:
            notes.append(note)
