"""How a state's rules, as of a date, treat each review category: severity, the rule in words, its
citation and the compliant clause formgen's library offers in its place.

Severity follows the law, not formgen's drafting policy: error where the state's rule prohibits the
term, warning where the law permits it with conditions or is unsettled (or a dated rule reaches an
existing arrangement only after a transition date), info where it is weak. A category the state
does not restrict (a provider non-compete where no rule voids it, an MSO's consent over share
transfers where no statute forbids it) is not reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..inputs.clauses import ClauseLibrary
from ..inputs.states import ClauseRule, Rule, StateRules, rule_status

_CPOM_SEVERITY = {"strict": "error", "moderate": "warning", "unknown": "warning", "weak": "info"}
_LAW_SEVERITY = {"prohibited": "error", "conditional": "warning", "unsettled": "warning", "permitted": "info"}
_CPOM_CATEGORIES = (
    "clinical_control",
    "clinician_employment",
    "pricing_control",
    "coding_billing_control",
    "records_control",
    "bank_control",
    "advertising_control",
)
# Dated statutes that name some of the controls (required clause id -> categories it reaches).
_DATED_CONTROLS = {
    "msa.reserved.ca_sb351": ("clinical_control", "clinician_employment", "records_control", "coding_billing_control"),
    "msa.reserved.or_sb951": (
        "clinical_control",
        "clinician_employment",
        "pricing_control",
        "coding_billing_control",
        "ownership_control",
    ),
}
# Who a dated statute reaches, where its own words limit it (from the rule's note in the state file).
_REACH = {
    "msa.reserved.ca_sb351": " (SB 351 reaches arrangements in which a private-equity group or hedge fund is involved.)"
}
_CPOM_WORDS = {
    "clinical_control": "the management company may not direct or approve diagnosis, treatment, protocols or other clinical decisions",
    "clinician_employment": "clinicians are hired, supervised, disciplined and paid by the practice, not by the management company",
    "pricing_control": "the practice, not the management company, sets the prices of medical services",
    "coding_billing_control": "coding and billing decisions belong to the practice and its clinicians",
    "records_control": "patient records belong to the practice, which controls their content and release",
    "bank_control": "the practice keeps its own accounts and receivables; the management company holds no signature authority, sweep or lien over them",
    "advertising_control": "advertising of medical services is approved by a physician of the practice, and only the practice holds itself out as the provider",
}
SUGGESTION_CLAUSES = {
    "fee_percentage": "msa.fee.fmv_replacement",
    "fee_per_unit": "msa.fee.fmv_replacement",
    "fee_referral": "msa.anti_rebate",
    "clinical_control": "msa.reserved.clinical_judgment",
    "clinician_employment": "msa.reserved.clinical_personnel",
    "pricing_control": "msa.reserved.pricing",
    "coding_billing_control": "msa.reserved.coding",
    "records_control": "msa.reserved.records",
    "bank_control": "msa.billing",
    "advertising_control": "msa.marketing",
    "ownership_control": "msa.continuity.practice_controlled",
    "noncompete": "msa.covenants.confidentiality_only",
}


@dataclass(frozen=True)
class Treatment:
    severity: str
    rule: str  # the rule in words
    citation: str
    verified: bool
    suggestion_clause: str  # clause id, "" when the library has none


def _first_sentence(text: str) -> str:
    """Up to the first full stop outside parentheses that a capitalized word (or "formgen") follows:
    "(Bus. & Prof. Code § 650(b))" reads on."""
    text = " ".join(text.split())
    depth = 0
    for i, char in enumerate(text):
        depth += (char == "(") - (char == ")")
        if char == "." and depth <= 0 and (i + 1 == len(text) or re.match(r" (?:[A-Z(]|formgen)", text[i + 1 :])):
            return text[: i + 1]
    return text


def _in_force(rule: Rule, on: dt.date) -> bool:
    status = rule_status(rule, on)
    return status is None or status[0]


def _transition_note(rule: Rule, on: dt.date) -> str:
    """For an arrangement made before the rule: it must comply only by the transition date."""
    if rule.transition is not None and on < rule.transition:
        return (
            f" For an arrangement made before {rule.effective.isoformat() if rule.effective else 'the rule'},"
            f" compliance is required by {rule.transition.isoformat()}."
        )
    return ""


def treatment(rules: StateRules, category: str, on: dt.date) -> Treatment | None:
    """How ``rules`` (the state's full rules, undated filtering done here) treat ``category`` on ``on``."""
    tagged = {
        "fee_percentage": "fee:percentage_of_revenue",
        "fee_per_unit": "fee:per_procedure",
        "noncompete": "covenant:non_compete_provider",
        "ownership_control": "control:stock_transfer_restriction",
    }
    if category in tagged:
        rule = next((r for r in rules.clause_rules if r.tag == tagged[category] and _in_force(r, on)), None)
        if rule is None:
            if category in ("noncompete", "ownership_control"):
                return None  # the state leaves these to contract law
            return Treatment(
                "error",
                f"{rules.name}'s fee-splitting rule.",
                rules.fee_splitting.citation,
                rules.fee_splitting.verified,
                SUGGESTION_CLAUSES[category],
            )
        return _from_clause_rule(rule, category, on)
    if category == "fee_referral":
        basis = rules.fee_splitting
        return Treatment(
            "error",
            "Paying or receiving anything of value for referring patients, or for patients "
            f"delivered, is what fee-splitting and anti-kickback rules forbid ({rules.name}).",
            basis.citation,
            basis.verified,
            SUGGESTION_CLAUSES[category],
        )
    severity = _CPOM_SEVERITY[rules.cpom]
    words = f"Corporate practice of medicine ({rules.cpom} in {rules.name}): {_CPOM_WORDS[category]}."
    citation, verified = rules.cpom_basis.citation, rules.cpom_basis.verified
    for required in rules.required_clauses:
        if category in _DATED_CONTROLS.get(required.id, ()) and _in_force(required, on):
            words += f" {_first_sentence(required.reason)}{_REACH.get(required.id, '')}{_transition_note(required, on)}"
            citation = f"{citation}; {required.citation}" if citation else required.citation
            verified = verified and required.verified
            if not _transition_note(required, on):
                severity = "error"
    return Treatment(severity, words, citation, verified, SUGGESTION_CLAUSES[category])


# What formgen's drafting did ("...; formgen replaced it with ...") is no part of the rule a review states:
# the sentence is cut at the last ";", ", so" or ", and" before it.
_DRAFTING = re.compile(r"\b(?:removed|replaced|replaces|formgen)\b")
_CLAUSE_SEPARATOR = re.compile(r";\s|,\s+so\s|,\s+and\s|:\s")


def _rule_words(message: str) -> str:
    sentence = _first_sentence(message)
    drafting = _DRAFTING.search(sentence)
    if drafting:
        cuts = [m.start() for m in _CLAUSE_SEPARATOR.finditer(sentence, 0, drafting.start())]
        if cuts:
            sentence = sentence[: cuts[-1]].rstrip(" ,;:")
    return sentence if sentence.endswith(".") else sentence + "."


def _from_clause_rule(rule: ClauseRule, category: str, on: dt.date) -> Treatment:
    severity = _LAW_SEVERITY.get(rule.law, rule.severity)
    note = _transition_note(rule, on)
    if note and severity == "error":
        severity = "warning"
    suggestion = rule.replacement or SUGGESTION_CLAUSES[category]
    return Treatment(severity, _rule_words(rule.message) + note, rule.citation, rule.verified, suggestion)


# ---------------------------------------------------------------- the library's compliant text

_IF_ELSE = re.compile(r"\{%-?\s*if\b[^%]*%\}(.*?)(?:\{%-?\s*else\s*-?%\}(.*?))?\{%-?\s*endif\s*-?%\}", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{-?\s*placeholder\(\s*[\"']([^\"']*)[\"']\s*\)\s*-?\}\}")
_REF = re.compile(r"\{\{-?\s*ref\([^)]*\)\s*-?\}\}")
_STATE_NAME = re.compile(r"\{\{-?\s*state\.name\s*-?\}\}")
_OTHER_EXPR = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)


def suggested_text(library: ClauseLibrary, clause_id: str, state_name: str) -> str:
    """The first paragraph of a library clause as plain text: drafting notes dropped, a conditional's
    fallback branch kept, placeholders in brackets, cross-references named generically."""
    clause = library.get(clause_id)
    if clause is None:
        return ""
    body = "\n".join(line for line in clause.body.splitlines() if not line.lstrip().startswith("!!"))
    body = _IF_ELSE.sub(lambda m: m.group(2) if m.group(2) is not None else m.group(1), body)
    body = _PLACEHOLDER.sub(lambda m: f"[{m.group(1)}]", body)
    body = _REF.sub("the applicable section of this Agreement", body)
    body = _STATE_NAME.sub(state_name, body)
    body = _OTHER_EXPR.sub("[…]", body)
    body = re.sub(r"\[#[\w-]+\]\s*", "", body).replace("**", "")
    first = next((p for p in re.split(r"\n\s*\n", body) if p.strip()), "")
    return " ".join(first.split())
