"""The MSA's covenant not to compete under the state's non-compete rule: the limits the clause
keeps (radius, duration, buyout, patient access, signed writing) and the memo's analysis of the
covenant kept, or of why none is kept."""

from __future__ import annotations

from dataclasses import dataclass

from ..inputs.practice_law import NON_COMPETE_TAG, Covenant
from ..inputs.states import StateRules
from .findings import Finding, Severity

# The MSA covenant as the clause library drafts it where no limit applies.
STANDARD_MONTHS = 12
STANDARD_RADIUS_MILES = 10


@dataclass(frozen=True)
class CovenantTerms:
    """What the MSA covenant says, within the owner-covenant rule in force."""

    months: int
    radius_miles: int
    buyout: str  # "" = no buyout sentence
    patient_access: bool
    signed_writing: bool


def covenant_kept(rules: StateRules) -> bool:
    """Does the MSA keep its covenant not to compete (no state rule removes or replaces it)?"""
    rule = rules.rule_for_tag(NON_COMPETE_TAG)
    return rule is None or rule.action == "warn"


def covenant_terms(rules: StateRules, radius_miles: int | None = None) -> CovenantTerms:
    """The standard covenant (or the deal's radius), narrowed to the limits of the state's owner-covenant rule."""
    covenant = rules.owner_covenant()
    months, radius = STANDARD_MONTHS, radius_miles or STANDARD_RADIUS_MILES
    if covenant is None:
        return CovenantTerms(months, radius, "", False, False)
    return CovenantTerms(
        min(months, covenant.max_months or months),
        min(radius, covenant.max_radius_miles or radius),
        covenant.buyout,
        covenant.patient_access,
        covenant.signed_writing,
    )


def _period(months: int) -> str:
    return "one year" if months == 12 else f"{months} months"


def _conditions(covenant: Covenant) -> list[str]:
    out = []
    if covenant.signed_writing:
        out.append(
            "it must be set out in a writing signed by each person it restrains (the Practice signs the "
            "Management Services Agreement; an owner is bound only by a covenant that owner signs)"
        )
    if covenant.max_months:
        out.append(f"it may last no longer than {_period(covenant.max_months)} after the relationship ends")
    if covenant.max_radius_miles:
        out.append(f"it may reach no further than {covenant.max_radius_miles} miles")
    if covenant.buyout:
        out.append(f"it must offer a buyout {covenant.buyout}")
    if covenant.patient_access:
        out.append(
            "it must leave the physician access to the list of patients seen and, on their authorization, "
            "to their medical records"
        )
    return out + [_clause(c) for c in covenant.conditions + ([covenant.notice] if covenant.notice else [])]


def _clause(sentence: str) -> str:
    """A sentence as a clause of a longer one: 'It must ...' -> 'it must ...'."""
    sentence = sentence.strip().rstrip(".")
    return sentence[:1].lower() + sentence[1:]


def _kept_sentence(rules: StateRules, covenant: Covenant) -> str:
    terms = covenant_terms(rules)
    conditions = _conditions(covenant)
    return (
        f"The Management Services Agreement keeps the Practice’s covenant not to compete "
        f"({_period(terms.months)} after the Term, within {terms.radius_miles} miles of the Premises, the radius "
        f"left for counsel to set). It binds the Practice only: the Practice Owners do not sign the agreement, so "
        f"a covenant binding an owner personally needs an agreement that owner signs, and {rules.name} "
        f"{COVENANT_WORDS[covenant.status]}" + (f": {'; '.join(conditions)}." if conditions else ".")
    )


COVENANT_WORDS = {
    "void": "treats it as void",
    "limited": "enforces it only within statutory limits",
    "reasonableness": "enforces it only as far as it is reasonable",
}


def _cited(rule: Covenant) -> str:
    return f"{rule.summary.strip().rstrip('.')} ({rule.citation}{'' if rule.verified else '; unverified'})."


def covenant_analysis(rules: StateRules) -> list[tuple[str, str]]:
    """The memo's paragraphs, (caption, text): the covenant the MSA keeps and what makes it
    enforceable in the state, or why none is kept; the state's rule; the rule for covenants in the
    practice's own clinician agreements. Empty where the state's non-compete law is not researched."""
    covenant = rules.owner_covenant()
    if covenant is None:
        return []
    if covenant_kept(rules):
        head = _kept_sentence(rules, covenant)
    else:
        rule = rules.rule_for_tag(NON_COMPETE_TAG)
        head = "The Management Services Agreement keeps no covenant not to compete" + (
            ": a confidentiality-only covenant takes its place." if rule and rule.action == "replace" else "."
        )
        if covenant.status != "void":
            head += (
                f" formgen’s rule for {rules.name} removed it although the law does not make it void outright: "
                "see the finding on the provision."
            )
    out = [("The covenant", head), (f"{rules.name} law", _cited(covenant))]
    provider = rules.noncompete.provider[0] if rules.noncompete and rules.noncompete.provider else None
    if provider is not None:
        out.append(("Clinician agreements", _cited(provider)))
    return out


def covenant_findings(rules: StateRules) -> list[Finding]:
    """One finding: the covenant kept and the conditions of its enforceability, or none kept."""
    covenant = rules.owner_covenant()
    if covenant is None:
        return []
    kept = covenant_kept(rules)
    severity: Severity = "warning" if kept and covenant.status == "limited" else "info"
    message = (
        _kept_sentence(rules, covenant)
        if kept
        else f"The Management Services Agreement keeps no covenant not to compete. {covenant.summary.strip()}"
    )
    return [
        Finding(
            "covenant.non_compete",
            severity,
            message,
            citation=covenant.citation,
            document="msa",
            action="kept" if kept else "flagged",
            verified=covenant.verified,
            law={"void": "prohibited", "limited": "conditional", "reasonableness": "conditional"}[covenant.status],
        )
    ]
