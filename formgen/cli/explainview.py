"""``formgen explain`` in a lawyer's words: why each clause is in each document or left out, one
sentence each ("included because the fee is a fixed monthly amount"). ``--json`` keeps the
planner's own reasons (app.py); this module only words them."""

from __future__ import annotations

import re

from ..counts import plural
from .output import JSON_FORMAT

# How each clause condition of the shipped library reads: (when it holds, when it does not).
CONDITION_WORDS = {
    "deal.offers_iv_therapy": ("the practice offers IV therapy", "the practice does not offer IV therapy"),
    "deal.provider_non_compete": (
        "the deal asks for a provider non-compete",
        "the deal does not ask for a provider non-compete",
    ),
    "fee_basis == 'fixed_monthly' and not fee_replaced_from": (
        "the fee is a fixed monthly amount",
        "the fee is not a fixed monthly amount",
    ),
    "fee_basis == 'cost_plus'": ("the fee is the MSO's costs plus a markup", "the fee is not cost plus a markup"),
    "fee_basis == 'hourly'": ("the fee is an hourly rate", "the fee is not an hourly rate"),
    "fee_replaced_from": (
        "the fee the deal asked for had to be replaced by a fixed fair-market-value fee",
        "no fee had to be replaced",
    ),
    "fees.basis.value == 'per_procedure'": (
        "the fee is an amount per procedure",
        "the fee is not an amount per procedure",
    ),
    "fees.basis.value == 'percentage_of_revenue'": (
        "the fee is a percentage of revenue",
        "the fee is not a percentage of revenue",
    ),
    "married_owners": ("an owner is married, so the spouse consents", "no owner is listed with a spouse"),
    "mso_designates": ("the MSO designates successor owners", "the owners, not the MSO, choose a successor owner"),
    "not mso_designates": ("the owners, not the MSO, choose a successor owner", "the MSO designates successor owners"),
    "succession.designated_by == 'mso'": (
        "the MSO designates successor owners",
        "the owners, not the MSO, choose a successor owner",
    ),
    "posture == 'mso'": ("the drafts lean to the MSO", "the drafts do not lean to the MSO"),
    "posture == 'practice'": ("the drafts lean to the practice", "the drafts do not lean to the practice"),
    "posture != 'practice'": ("the drafts do not lean to the practice", "the drafts lean to the practice"),
    "practice_governing_document == 'Bylaws'": (
        "the practice is a corporation, governed by bylaws",
        "the practice is an LLC, not a corporation with bylaws",
    ),
    "practice_governing_document != 'Bylaws'": (
        "the practice is an LLC, governed by its operating agreement",
        "the practice is a corporation, governed by bylaws",
    ),
    "not controlling_member": (
        "no member of the MSO holds more than half of it, so a deadlock procedure is needed",
        "one member of the MSO holds more than half of it",
    ),
    "mso.members | length > 1": ("the MSO has more than one member", "the MSO has a single member"),
    "covenant_analysis": (
        "the memo analyses the covenants not to compete, the owners' included (or why the packet has none)",
        "the state's non-compete law is not researched",
    ),
    "state_statutes": (
        "the state's professional-entity statutes have provisions to draft in",
        "no state statute provision is recorded for the governing document",
    ),
    "treatment_ids": ("the deal lists the treatments the practice offers", "the deal lists no treatments"),
    "staffing": ("the deal lists the practice's clinicians", "the deal lists no clinicians"),
    "consent_clinical": (
        "the packet holds clinical policies or clinicians' agreements for the consent to adopt or approve",
        "the packet holds no clinical policy or clinician's agreement",
    ),
}
SERVICE_WORDS = {
    "administrative": "administrative services",
    "payroll_hr": "payroll and human resources",
    "marketing": "marketing",
    "office_space_equipment": "office space and equipment",
    "scheduling_front_desk": "scheduling and the front desk",
    "billing_collections": "billing and collections",
    "vendor_supply": "vendor and supply management",
    "it_systems": "IT systems",
    "bookkeeping_reporting": "bookkeeping and reporting",
    "staff_training": "staff training",
}
_SERVICE = re.compile(r"^'(\w+)' in service_ids$")
_TREATMENT = re.compile(r"^'(\w+)' in treatment_ids$")
_LAW_WORDS = {
    "prohibited": "{state} law prohibits it",
    "conditional": "{state} law allows it only on conditions the standard clause does not meet, so formgen's "
    "conservative policy leaves it out",
    "unsettled": "{state} law on it is unsettled, so formgen's conservative policy leaves it out",
    "permitted": "formgen's conservative policy leaves it out",
}


def condition_words(condition: str, holds: bool) -> str:
    """One condition as a clause of a sentence."""
    condition = condition.strip()
    if condition in CONDITION_WORDS:
        return CONDITION_WORDS[condition][0 if holds else 1]
    service = _SERVICE.match(condition)
    if service:
        words = SERVICE_WORDS.get(service.group(1), service.group(1).replace("_", " "))
        return f"the MSO provides {words}" if holds else f"the MSO does not provide {words}"
    treatment = _TREATMENT.match(condition)
    if treatment:
        words = treatment.group(1).replace("_", " ").replace("lasers ipl", "lasers or IPL").replace("iv ", "IV ")
        return f"the practice offers {words}" if holds else f"the practice does not offer {words}"
    # A firm's own condition: quoted as written, never parsed into words that could mislead.
    return f"its condition “{condition}” {'holds' if holds else 'does not hold'}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _cites(citations) -> str:
    return f" [{'; '.join(citations)}]" if citations else ""


def decision_sentence(decision, clause, title_of, state: str, posture: str) -> str:
    """Why one clause is in or out, in a sentence (without the clause's own title)."""
    reason, rule = decision.reason, decision.rule
    if reason.startswith("required by "):
        return f"included because {state} requires it: {reason.split(': ', 1)[1]}"
    if reason.startswith("replaces "):
        replaced = reason.split()[1]
        return f"included in place of {title_of(replaced)}, which {state}'s rule takes out (see that clause)"
    if rule is not None and not decision.included:
        why = _LAW_WORDS.get(rule.law, _LAW_WORDS["permitted"]).format(state=state)
        if rule.action == "replace":
            return f"left out and replaced by {title_of(rule.replacement)}: {why}{_cites([rule.citation] if rule.citation else [])}"
        return f"left out: {why}{_cites([rule.citation] if rule.citation else [])}"
    not_met = re.search(r"condition not met: (.*?)\)?$", reason)
    if not_met:
        why = condition_words(not_met.group(1), holds=False)
        return f"left out because {why}" + (f" (drafting posture: {posture})" if "posture" in not_met.group(1) else "")
    if decision.included and clause is not None and clause.meta.conditions:
        why = _joined([condition_words(c, holds=True) for c in clause.meta.conditions])
        sentence = f"included because {why}"
        if any("posture" in c for c in clause.meta.conditions):
            sentence += f" (drafting posture: {posture})"
    else:
        sentence = "included in every packet" + (
            f"; it implements {'; '.join(clause.meta.citations)}"
            if clause is not None and clause.meta.citations
            else ""
        )
    if rule is not None:  # kept with a warning
        sentence += f"; kept, flagged for attorney review: {state} law on it is {rule.law}{_cites([rule.citation] if rule.citation else [])}"
    return sentence


def _timeline_entry(line: str) -> tuple[str, str, str]:
    """("clause rule", key, the rest) of a StateRules.timeline line."""
    match = re.match(r"^(clause rule|required clause|checklist|note) (\S+): (.*)$", line)
    return (match.group(1), match.group(2), match.group(3)) if match else ("", "", line)


def dated_rule_lines(rules, documents, library) -> list[str]:
    """The dated rules: a clause rule or required clause that applied is named only when its clause
    is drafted (or taken out) in this packet; one not in force is named, as it explains an absence."""
    drafted = {d.clause_id for doc in documents for d in doc.plan.decisions if d.included}
    acted_tags = {d.rule.tag for doc in documents for d in doc.plan.decisions if d.rule is not None}
    out = []
    for line in rules.timeline:
        kind, key, rest = _timeline_entry(line)
        applied = rest.endswith("; applied")
        if applied and (
            (kind == "required clause" and key not in drafted) or (kind == "clause rule" and key not in acted_tags)
        ):
            continue
        if kind == "required clause" and library.get(key):
            key = f"“{library.get(key).meta.title}”"
        elif kind == "clause rule":
            tagged = next((c for c in library.clauses.values() if key in c.meta.tags), None)
            key = f"on {tagged.meta.title.lower()} clauses" if tagged else f"on {key}"
        out.append(f"  - {_DATED_KINDS.get(kind, kind)} {key}: {rest}" if kind else f"  - {line}")
    return out


_DATED_KINDS = {
    "clause rule": "the rule",
    "required clause": "the required clause",
    "checklist": "checklist item",
    "note": "memo note",
}


def explain_lines(packet, library) -> list[str]:
    """The text `formgen explain` prints."""
    rules, deal = packet.rules, packet.deal
    posture = deal.posture.value
    lines = [
        f"{deal.deal.name}: {rules.name} law as in force on {deal.deal.effective_date.isoformat()}, "
        f"{rules.policy} drafting policy (rules: {', '.join(rules.source_files)})"
    ]
    dated = dated_rule_lines(rules, packet.documents, library)
    if dated:
        lines += ["Rules with dates, as they stand on the effective date:", *dated]

    def title_of(clause_id: str) -> str:
        clause = library.get(clause_id)
        return f"“{clause.meta.title}”" if clause else clause_id

    for doc in packet.documents:
        included = sum(d.included for d in doc.plan.decisions)
        lines.append(f"\n{doc.spec.title} ({doc.spec.filename}): {included} clauses drafted")
        standard = other_states = 0
        for d in doc.plan.decisions:
            clause = library.get(d.clause_id)
            if d.reason.startswith("its article "):
                continue  # said once, on its article's line
            if d.reason.startswith("state-specific clause"):
                other_states += 1
                continue
            if d.reason == "standard clause" and not (clause and clause.meta.citations):
                standard += 1
                continue
            sentence = decision_sentence(d, clause, title_of, rules.name, posture)
            sections = sum(
                1 for x in doc.plan.decisions if x.reason == f"its article {d.clause_id} is not in this document"
            )
            if sections:
                sentence += f" (with its {sections} section{'s' if sections > 1 else ''})"
            name = clause.meta.title if clause else d.clause_id
            lines.append(f"  {'+' if d.included else '-'} {name}: {sentence}.".replace("..", "."))
        if standard:
            lines.append(f"  + {plural(standard, 'standard clause')}, in every packet")
        if other_states:
            lines.append(f"  - {plural(other_states, 'clause')} other states require, not {rules.name}")
    lines.append("\n(formgen explain --json gives each clause's id, version and the planner's reason)")
    return lines


def explain_json(packet, deal_path) -> dict:
    """`formgen explain --json`: each clause's id, version, whether it is in, the planner's reason."""
    cites = {c.id: list(c.meta.citations) for doc in packet.documents for c in doc.plan.clauses}
    return {
        "format": JSON_FORMAT,
        "ok": True,
        "deal": str(deal_path),
        "state": packet.rules.code,
        "rule_files": list(packet.rules.source_files),
        "policy": packet.rules.policy,
        "documents": [
            {
                "file": doc.spec.filename,
                "name": doc.spec.name,
                "clauses": [
                    {
                        "id": d.clause_id,
                        "version": d.version,
                        "included": d.included,
                        "reason": d.reason,
                        "citations": cites.get(d.clause_id, []),
                    }
                    for d in doc.plan.decisions
                ],
            }
            for doc in packet.documents
        ],
    }
