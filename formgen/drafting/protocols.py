"""What the good-faith examination policy and the treatment protocols say about the deal's state:
who may examine and treat, under what supervision and instrument, on what authority (or that the
authority is unverified). The clinical steps themselves are clause text (clauses/treatment_protocols/)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..inputs.clinical import SCOPE_CLASS, Treatment
from ..inputs.deal import Deal
from ..inputs.practice_law import ScopeEntry
from ..inputs.rule import Rule
from ..inputs.states import StateRules
from ..markup import library_prose
from .wording import names

TREATMENT_LABELS = {
    Treatment.neuromodulators: "Neuromodulators",
    Treatment.fillers: "Dermal Fillers",
    Treatment.lasers_ipl: "Lasers and Intense Pulsed Light",
    Treatment.iv_therapy: "Intravenous Therapy",
    Treatment.chemical_peels: "Chemical Peels",
    Treatment.microneedling: "Microneedling",
}
# Roles as a policy names them; MD and DO are both "physicians".
ROLE_WORDS = {
    "MD": "physicians",
    "DO": "physicians",
    "NP": "nurse practitioners",
    "PA": "physician assistants",
    "RN": "registered nurses",
    "LVN": "licensed vocational or practical nurses",
    "aesthetician": "licensed aestheticians",
}
SUPERVISION_WORDS = {
    "on_site": "a supervising physician (or another practitioner the state rule allows) on the premises while the treatment is performed",
    "available": "a supervising physician available for consultation in person or by telephone or video while the treatment is performed, and able to reach the premises when a complication calls for it",
    "none": "no physician supervision that the state rule requires, although the Medical Director's protocols still bind",
}


def role_words(roles: Iterable[str]) -> str:
    return names(dict.fromkeys(ROLE_WORDS[str(r)] for r in roles))


def authority_words(rule: Rule | None) -> str:
    """The authority as a sentence: the citation, and whether it was read at a primary source."""
    if rule is None or not rule.citation.strip():
        return "No state authority was researched for this rule: confirm it with counsel before adopting it."
    citation = library_prose(rule.citation)  # typeset like clause text: dates written out, curly quotes
    if rule.verified:
        return f"This rests on {citation}."
    return (
        f"This rests on {citation}, an authority not verified at a primary source: confirm it with counsel "
        "before adopting it."
    )


def _protocol(treatment: Treatment, entry: ScopeEntry | None) -> dict[str, Any]:
    if entry is None:
        return {
            "id": treatment.value,
            "label": TREATMENT_LABELS[treatment],
            "researched": False,
            "who": "physicians, and the nurse practitioners, physician assistants and registered nurses to whom the "
            "Medical Director delegates the treatment in writing, each within the scope of the clinician's license",
            "supervision": SUPERVISION_WORDS["available"],
            "instrument": "",
            "authority": authority_words(None),
            "citation": "",
            "verified": False,
        }
    return {
        "id": treatment.value,
        "label": TREATMENT_LABELS[treatment],
        "researched": True,
        "who": role_words(entry.performers),
        "supervision": SUPERVISION_WORDS[entry.supervision],
        "delegated_by": role_words(entry.delegated_by),
        "instrument": library_prose(entry.instrument),
        "authority": authority_words(entry),
        "citation": library_prose(entry.citation),
        "verified": entry.verified,
    }


def clinical_values(deal: Deal, rules: StateRules) -> dict[str, Any]:
    """The names the two clinical documents' clauses use: ``treatment_ids`` (the deal's, in its order),
    ``protocols`` (one per treatment), ``gfe`` (the state's good-faith examination rule in words)."""
    scope = rules.scope_of_practice
    protocols = [_protocol(t, scope.entry_for(SCOPE_CLASS[t]) if scope else None) for t in deal.treatments]
    exam = rules.good_faith_exam
    gfe = {
        "researched": exam is not None,
        "who": role_words(exam.performers) if exam else "physicians, nurse practitioners and physician assistants",
        "renewal_months": exam.renewal_months if exam else 12,
        "telehealth": library_prose(exam.telehealth) if exam else "",
        "instrument": library_prose(scope.good_faith_exam.instrument) if scope else "",
        "citation": library_prose(exam.citation) if exam else "",
        "verified": bool(exam and exam.verified),
        "authority": authority_words(exam),
    }
    return {
        "treatment_ids": [t.value for t in deal.treatments],
        "protocols": {p["id"]: p for p in protocols},
        "protocol_list": protocols,
        "gfe": gfe,
    }
