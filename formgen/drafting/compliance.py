"""Deal-level compliance checks against a state's rules, returning Findings.

Findings marked ``blocking`` describe a structure the state does not allow (entity form,
who may own), or one only formgen's conservative ownership policy refuses (the finding says so):
no packet is drafted, so they are input errors (exit 1).
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..inputs.deal import Deal
from ..inputs.deal_terms import OPTION_CLOSING_DAYS, succession_timetable
from ..inputs.law_changes import law_changes
from ..inputs.states import EntityForm, OwnershipLimits, StateRules
from .context import mso_succession_rights
from .covenants import covenant_findings
from .findings import Finding
from .staffing import staffing_findings


def _fold(text: str) -> str:
    return re.sub(r"[\s,]+", " ", text).strip().casefold()


def suffix_ok(name: str, suffixes: list[str]) -> bool:
    """Does the name end with one of the suffixes as a whole word ("Glow Med Spa" does not end in "PA")?"""
    folded = _fold(name)
    return any(folded == _fold(s) or folded.endswith(" " + _fold(s)) for s in suffixes)


def forbidden_words_in(name: str, form: EntityForm) -> list[str]:
    """The form's forbidden words the name uses outside its designation ("Glow Center, PLLC" in New
    York: ["center"]; D.C.'s "corporation" is no fault in the designation "Professional Corporation")."""
    folded = _fold(name)
    ends = [s for s in map(_fold, form.suffixes) if folded == s or folded.endswith(" " + s)]
    if ends:
        folded = folded[: len(folded) - len(max(ends, key=len))]
    return [
        word
        for word in form.forbidden_words
        if re.search(rf"(?<![\w-]){re.escape(_fold(word).rstrip('.'))}(?:s|'s|’s)?\.?(?![\w-])", folded)
    ]


def _entity_findings(deal: Deal, rules: StateRules) -> list[Finding]:
    practice = deal.practice
    form = rules.form(practice.entity_type)
    if form is None:
        allowed = ", ".join(f"{f.form.value} ({f.label})" for f in rules.entity_forms)
        return [
            Finding(
                "entity.form",
                "error",
                f"practice.entity_type '{practice.entity_type.value}' is not a form {rules.name} allows for a "
                f"medical practice; allowed: {allowed}",
                citation=rules.entity_forms[0].citation,
                action="blocked",
                verified=rules.entity_forms[0].verified,
                field="practice.entity_type",
                blocking=True,
            )
        ]
    if not suffix_ok(practice.name, form.suffixes):
        severity = "error" if form.verified or form.suffix_mandatory else "warning"
        return [
            Finding(
                "entity.name_suffix",
                severity,
                f"practice.name '{practice.name}' does not end with a designation {rules.name} requires for a "
                f"{form.label}: one of {', '.join(repr(s) for s in form.suffixes)}",
                citation=form.citation,
                action="flagged" if severity == "warning" else "blocked",
                verified=form.verified,
                field="practice.name",
                blocking=severity == "error",
            )
        ]
    used = forbidden_words_in(practice.name, form)
    if used:
        return [
            Finding(
                "entity.name_word",
                "error",
                f"practice.name '{practice.name}' uses {_quoted(used)}: {rules.name} does not allow "
                f"{'this word' if len(used) == 1 else 'these words'} in the name of a {form.label} "
                f"(not allowed: {_quoted(form.forbidden_words)})"
                + ("" if form.verified else "; the rule was read in a secondary source, so confirm it with counsel"),
                citation=form.citation,
                action="blocked",
                verified=form.verified,
                field="practice.name",
                blocking=True,
            )
        ]
    return []


def _quoted(words: list[str]) -> str:
    quoted = [f'"{w}"' for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _ownership_findings(deal: Deal, rules: StateRules) -> list[Finding]:
    """Owners against formgen's ownership rule, or under ``--policy permissive`` against what the
    law itself allows where that is more (``ownership.law_allows``); either way the finding says
    which of the two refused or allowed the structure."""
    own = rules.ownership
    limits = own.limits(rules.policy)
    out = _limit_findings(deal, rules, limits)
    if own.law_allows is None:
        return out
    if limits is own and out and not _limit_findings(deal, rules, own.law_allows):
        return [
            Finding(
                "owners.policy",
                "warning",
                f"formgen’s conservative policy refuses this ownership ({own.describe(rules.name)}), though {rules.name} law "
                f"allows it ({own.law_allows.describe(rules.name)}): to draft it, use --policy permissive",
                citation=own.citation,
                action="blocked",
                verified=own.verified,
                field=out[0].field,
                blocking=True,
                law="conditional",
            )
        ]
    if limits is not own and not out and _limit_findings(deal, rules, own):
        out.append(
            Finding(
                "owners.policy",
                "info",
                f"{rules.name} law allows this ownership ({own.law_allows.describe(rules.name)}), which formgen’s conservative "
                f"policy refuses ({own.describe(rules.name)}): confirm each owner’s license and the licensing board’s "
                "registration before filing",
                citation=own.citation,
                action="kept",
                verified=own.verified,
                field="practice.owners",
                law="conditional",
            )
        )
    return out


def _limit_findings(deal: Deal, rules: StateRules, own: OwnershipLimits) -> list[Finding]:
    cite = {"citation": rules.ownership.citation, "verified": rules.ownership.verified}
    out: list[Finding] = []
    majority_types = {t.value for t in own.owner_license_types}
    minority_types = {t.value for t in own.minority_license_types}
    majority_total = Decimal(0)
    majority_count = minority_count = 0
    for index, owner in enumerate(deal.practice.owners):
        kind = owner.license.type.value
        field = f"practice.owners[{index}]"
        if own.license_in_state and owner.license.state != deal.deal.state:
            out.append(
                Finding(
                    "owners.license_state",
                    "error",
                    f"{owner.name} is licensed in {owner.license.state}; an owner of a {rules.name} practice must "
                    f"hold a {rules.name} license",
                    action="blocked",
                    field=f"{field}.license.state",
                    blocking=True,
                    **cite,
                )
            )
        if kind in majority_types:
            majority_total += owner.percent
            majority_count += 1
        elif kind in minority_types:
            minority_count += 1
        else:
            allowed = ", ".join(sorted(majority_types | minority_types))
            out.append(
                Finding(
                    "owners.license_type",
                    "error",
                    f"{owner.name} holds {'an' if kind[0] in 'AEFHILMNORSX' else 'a'} {kind} license, which may not own any part of a {rules.name} medical "
                    f"practice; owners may hold: {allowed}",
                    action="blocked",
                    field=f"{field}.license.type",
                    blocking=True,
                    **cite,
                )
            )
    if majority_total < own.majority_min_percent and not any(f.rule == "owners.license_type" for f in out):
        who = "/".join(sorted(majority_types))
        out.append(
            Finding(
                "owners.majority",
                "error",
                f"{who} owners hold {majority_total.normalize():f}% of the practice; {rules.name} requires at least "
                f"{own.majority_min_percent}%"
                + (
                    f" (other licensees may hold the rest: {', '.join(sorted(minority_types))})"
                    if minority_types
                    else ""
                ),
                action="blocked",
                field="practice.owners",
                blocking=True,
                **cite,
            )
        )
    if own.minority_may_not_outnumber and minority_count > majority_count:
        out.append(
            Finding(
                "owners.outnumbered",
                "error",
                f"{minority_count} non-physician owners outnumber {majority_count} physician owners; "
                f"{rules.name} does not allow that",
                action="blocked",
                field="practice.owners",
                blocking=True,
                **cite,
            )
        )
    return out


def _governance_findings(deal: Deal, rules: StateRules) -> list[Finding]:
    out: list[Finding] = []
    owner_names = {o.name.casefold() for o in deal.practice.owners}
    mso_people = {m.name.casefold() for m in deal.mso.members} | {deal.mso.signatory.name.casefold()}
    if deal.practice.signatory.name.casefold() not in owner_names:
        out.append(
            Finding(
                "control.practice_signatory",
                "warning",
                f"the practice’s signatory {deal.practice.signatory.name} is not one of its licensed owners; "
                "a lay signatory for the practice suggests lay control",
                field="practice.signatory.name",
                action="flagged",
            )
        )
    if deal.practice.signatory.name.casefold() in mso_people:
        out.append(
            Finding(
                "control.shared_signatory",
                "error",
                f"{deal.practice.signatory.name} signs for both the MSO and the practice; the practice must act "
                "through its own licensed owners",
                field="practice.signatory.name",
                action="flagged",
                citation=rules.cpom_basis.citation,
                verified=rules.cpom_basis.verified,
            )
        )
    for index, owner in enumerate(deal.practice.owners):
        if owner.name.casefold() in mso_people:
            out.append(
                Finding(
                    "control.cross_ownership",
                    "warning",
                    f"{owner.name} owns part of the practice and is a member or signatory of the MSO; disclose the "
                    "relationship and confirm the fee is fair market value independent of that ownership",
                    field=f"practice.owners[{index}].name",
                    action="flagged",
                    citation=rules.cpom_basis.citation,
                    verified=rules.cpom_basis.verified,
                )
            )
    director = deal.practice.medical_director.casefold()
    if director not in owner_names:
        out.append(
            Finding(
                "clinical.medical_director",
                "info",
                f"the medical director {deal.practice.medical_director} is not an owner of the practice; confirm the "
                "director is engaged by the practice (never by the MSO) and performs real supervision",
                field="practice.medical_director",
                action="flagged",
            )
        )
    return out


def _state_research_findings(rules: StateRules) -> list[Finding]:
    if not rules.researched:
        return [
            Finding(
                "state.not_researched",
                "warning",
                f"{rules.name} has not been researched; formgen applied its conservative default (strict corporate-"
                "practice rules, physician owners only, no percentage or volume-based fees). Confirm the state’s law "
                "with local counsel before use.",
                action="default_applied",
                verified=False,
            )
        ]
    unverified = [label for label, rule in rules.all_rules() if not rule.verified]
    if unverified:
        return [
            Finding(
                "state.unverified_rules",
                "info",
                f"{len(unverified)} of {len(rules.all_rules())} {rules.name} rules applied are not verified from a "
                "primary source; the compliance memo lists them for attorney review",
                action="flagged",
                verified=False,
            )
        ]
    return []


def _fee_findings(deal: Deal) -> list[Finding]:
    out = []
    if deal.fees.basis.value in ("fixed_monthly", "cost_plus", "hourly"):
        out.append(
            Finding(
                "fee.fmv_support",
                "info",
                "the management fee must be supported by an independent fair-market-value analysis before signing "
                "and reviewed " + ("annually" if deal.fees.fmv_review == "annual" else "every two years"),
                document="msa",
                action="flagged",
            )
        )
    return out


def _succession_findings(deal: Deal, rules: StateRules) -> list[Finding]:
    """What the succession terms chose, for the memo: the option's limits, sales that close on an
    estimate, and a sole owner's path."""
    out = []
    option_rule = rules.rule_for_tag("succession:option")
    if (
        mso_succession_rights(rules)
        and deal.succession.designated_by == "mso"
        and deal.posture.value != "practice"
        and (option_rule is None or option_rule.action == "warn")
    ):
        out.append(
            Finding(
                "succession.option",
                "info",
                "the MSO’s option to require a sale to a qualified successor arises only when a transfer event’s sale "
                "has not closed by its deadline or an owner breaches the transfer restrictions; it is not a remedy for "
                "a breach or termination of the management services agreement (a forced sale as a contract remedy is "
                f"the lever regulators object to), it closes within {OPTION_CLOSING_DAYS} days after its notice and a "
                "notice given before the management services agreement ends survives it",
                document="continuity_agreement",
                action="kept",
            )
        )
    late = [
        step.key.replace("_", " ")
        for step in succession_timetable(deal.succession.deadlines)
        if not step.appraisal_fits
    ]
    if late and deal.succession.price.value != "fixed":
        out.append(
            Finding(
                "succession.timetable",
                "info",
                "an independent valuation cannot finish before the closing deadline after "
                + ", ".join(late)
                + "; those sales close on the purchaser’s good-faith estimate, with twenty percent held in escrow and "
                "the price adjusted after closing",
                document="continuity_agreement",
                action="kept",
            )
        )
    statute = rules.governance
    for key, most in sorted(statute.max_days.items()):
        days = getattr(deal.succession.deadlines, key)
        if days > most:
            cited = next((p for p in statute.provisions if p.citation), statute.estate_holding)
            out.append(
                Finding(
                    f"succession.statutory_deadline.{key}",
                    "warning",
                    f"the deal allows {days} days to sell an owner’s interest after {key.replace('_', ' ')}, but "
                    f"{rules.name} law allows at most {most}; the statute’s shorter period controls, and the deal’s "
                    f"succession.deadlines.{key} should say so",
                    field=f"succession.deadlines.{key}",
                    action="flagged",
                    citation=cited.citation if cited else "",
                    verified=cited.verified if cited else False,
                )
            )
    if len(deal.practice.owners) == 1:
        out.append(
            Finding(
                "succession.sole_owner",
                "info",
                "the practice has one owner, so it cannot redeem that owner’s interest; after a transfer event the "
                "owner’s estate or representative holds the interest only for the period the law allows and then "
                "sells it to a qualified person, converts the practice into an entity lay persons may own, or "
                "dissolves it",
                document="continuity_agreement",
                action="kept",
            )
        )
    return out


def _covenant_findings(rules: StateRules) -> list[Finding]:
    """The MSA's non-compete binds the practice only: owners who do not sign it are not bound."""
    rule = rules.rule_for_tag("covenant:non_compete_provider")
    if rule is not None and rule.action != "warn":
        return []
    return [
        Finding(
            "covenant.owners_not_bound",
            "info",
            "the management services agreement’s non-competition covenant binds the practice only; the practice’s "
            "owners do not sign that agreement, so formgen no longer claims to bind them. A covenant binding an owner "
            "personally needs a separate agreement the owner signs, drafted to the state’s rule on physician "
            "non-competes",
            document="msa",
            action="kept",
        )
    ]


def check_deal(deal: Deal, rules: StateRules) -> list[Finding]:
    return (
        _entity_findings(deal, rules)
        + _ownership_findings(deal, rules)
        + _governance_findings(deal, rules)
        + _fee_findings(deal)
        + _succession_findings(deal, rules)
        + covenant_findings(rules)
        + _covenant_findings(rules)
        + _state_research_findings(rules)
        + staffing_findings(deal, rules)
    )


def law_change_findings(deal: Deal, all_rules: StateRules) -> list[Finding]:
    """Rules that came or come into force after the deal's effective date and reach it later."""
    term = deal.term
    return [
        Finding(
            f"law_change.{change.key}",
            "warning",
            f"From {change.effective:%B} {change.effective.day}, {change.effective.year} (after this arrangement’s "
            f"effective date): {change.requires} This reaches the arrangement by {change.deadline:%B} "
            f"{change.deadline.day}, {change.deadline.year} ({change.basis}).",
            citation=change.citation,
            action="flagged",
            verified=change.verified,
        )
        for change in law_changes(all_rules, deal.deal.effective_date, term.initial_years, term.renewal_years)
    ]
