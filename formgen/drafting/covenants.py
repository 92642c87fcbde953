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


def _names(people: list[str]) -> str:
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def _status(verified: bool) -> str:
    return "verified at a primary source" if verified else "not verified at a primary source"


def owner_covenant_paragraph(rules: StateRules, owners: list[str], wanted: bool, in_packet: bool) -> str:
    """What the Owner Covenant Agreement binds, or why the packet has none: the deal asks for no
    covenant (``wanted`` false), the state voids an owner's covenant, or a state rule takes the MSA's
    covenant out (so none is asked of the owners either)."""
    covenant = rules.owner_covenant()
    if not in_packet:
        rule = rules.rule_for_tag(NON_COMPETE_TAG)
        if not wanted:
            return (
                "The packet has no Owner Covenant Agreement: the deal asks for no covenant not to compete from the "
                "Practice or its owners (deal.provider_non_compete is false)."
            )
        if covenant is not None and covenant.status == "void":
            return (
                f"The packet has no Owner Covenant Agreement: {rules.name} law makes a covenant not to compete "
                f"binding a physician owner void ({covenant.citation}; {_status(covenant.verified)}), so none is "
                "asked of the owners."
            )
        if rule is not None and rule.law == "prohibited":
            return (
                f"The packet has no Owner Covenant Agreement: {rules.name} law makes a covenant not to compete with a "
                f"licensed physician void ({rule.citation}; {_status(rule.verified)}), so the Management Services "
                "Agreement’s covenant is replaced by a confidentiality-only covenant and none is asked of the owners."
            )
        cited = f" ({rule.citation}; {_status(rule.verified)})" if rule is not None else ""
        return (
            "The packet has no Owner Covenant Agreement: the Management Services Agreement’s covenant not to compete "
            f"is replaced by a confidentiality-only covenant under formgen’s conservative rule for {rules.name}, "
            f"because it lacks the terms {rules.name} law requires of a covenant with a physician{cited}, and no "
            "owner is asked for a covenant the Practice itself does not give. If the parties want one, counsel "
            "drafts an owner covenant with those terms for each owner to sign."
        )
    terms = covenant_terms(rules)
    one = len(owners) == 1
    text = (
        f"{'The owner' if one else 'Each owner'} of the Practice ({_names(owners)}) signs the Owner Covenant "
        f"Agreement with the MSO and the Practice, so the covenant binds {'the owner' if one else 'each owner'} "
        "personally, not only the Practice. While an owner and for "
        f"{_period(terms.months)} after the earlier of the day the owner ceases to own an interest and the day the "
        "Management Services Agreement ends, the owner may not own, manage or serve as medical director of a "
        f"competing aesthetic practice within {terms.radius_miles} miles of the Premises (a radius in brackets for "
        "counsel to set to the Premises’ market area). The owner stays free to practice for a hospital or a practice "
        "that does not compete, to give emergency care and to keep treating existing patients, and the covenant does "
        "not bind an owner once the Management Services Agreement ends because the Practice terminated it for the "
        "MSO’s uncured breach or insolvency, or the MSO terminated it without cause."
    )
    if covenant is None:
        return text + (
            f" formgen records no {rules.name} rule on owner covenants: confirm that {rules.name} law enforces this "
            "covenant, with its period and radius, before it is signed."
        )
    limits = [
        *([_period(covenant.max_months)] if covenant.max_months else []),
        *([f"{covenant.max_radius_miles} miles"] if covenant.max_radius_miles else []),
    ]
    text += f" {rules.name} {COVENANT_WORDS[covenant.status]} ({covenant.citation}; {_status(covenant.verified)}): " + (
        f"the period and radius are narrowed to its limits ({' and '.join(limits)})."
        if limits
        else "it sets no fixed period or radius."
    )
    if covenant.buyout:
        text += f" As {rules.name} law requires, the owner may end the covenant by paying a buyout {covenant.buyout}."
    if covenant.patient_access:
        text += (
            " As it also requires, the owner keeps access to the list of patients seen and, on their "
            "authorization, to their records."
        )
    if covenant.signed_writing:
        text += f" {rules.name} enforces a covenant only in a writing the restrained person signs, which this is."
    return text


def covenant_analysis(
    rules: StateRules, owners: list[str] | None = None, wanted: bool = True, owner_covenant_in_packet: bool = False
) -> list[tuple[str, str]]:
    """The memo's paragraphs, (caption, text): the covenant the MSA keeps and what makes it
    enforceable in the state, or why none is kept; what the Owner Covenant Agreement binds, or why
    the packet has none; the state's rule; the rule for covenants in the practice's own clinician
    agreements. Only the owner paragraph where the state's non-compete law is not researched."""
    covenant = rules.owner_covenant()
    owner = (
        "Owner Covenant Agreement",
        owner_covenant_paragraph(rules, owners or [], wanted, owner_covenant_in_packet),
    )
    if covenant is None:
        return [owner]
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
    out = [("The covenant", head), owner, (f"{rules.name} law", _cited(covenant))]
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
