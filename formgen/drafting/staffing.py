"""The clinical staffing set as data: what each clinician the deal names may do under the state's
scope-of-practice rules, the instrument a supervised role works under, and the findings when the
deal asks a role for more than the state allows (an error, with the state's citation).
"""

from __future__ import annotations

from ..inputs.clinical import ROLE_TITLES, SCOPE_CLASS, SUPERVISED_ROLES, Clinician, Treatment
from ..inputs.deal import Deal
from ..inputs.practice_law import TREATMENT_CLASSES, Instrument, ScopeEntry
from ..inputs.states import StateRules
from .findings import Finding

PHYSICIAN_ROLES = ("MD", "DO")
ITEM_NAMES = ("clinician",)  # what a clinician's documents add to the render context (clinician_values)
TREATMENT_WORDS = {
    "neuromodulators": "neuromodulator injections (botulinum toxins)",
    "fillers": "dermal filler injections",
    "lasers_ipl": "laser, intense pulsed light and other energy-based device treatments",
    "iv_therapy": "intravenous hydration and vitamin infusions",
    "chemical_peels": "chemical peels",
    "microneedling": "microneedling",
}
SUPERVISION_WORDS = {
    "on_site": "with a supervising physician physically present on the premises",
    "available": "with a supervising physician available in person or by telephone or video",
    "none": "without physician supervision",
}
GENERIC_CONTENTS = [
    "the delegated acts and the treatments they cover",
    "the supervising physician and any alternate",
    "the level of supervision and how the supervisor is reached",
    "the training and competence the clinician must show first, and its periodic review",
    "when the clinician must stop and consult the physician",
    "patient records and the physician's chart review",
    "periodic review of the protocol itself",
]


def good_faith_performers(rules: StateRules) -> tuple[list[str], str, bool]:
    """(roles that may perform the good-faith exam, citation, verified). The state's own
    ``good_faith_exam`` key wins where the state file has one; else the scope-of-practice entry."""
    # The good-faith exam key is added to the state files by the treatment-protocols work; read it if there.
    own = getattr(rules, "good_faith_exam", None)
    performers = getattr(own, "performers", None) if own is not None else None
    if performers:
        return (
            [str(getattr(p, "value", p)) for p in performers],
            getattr(own, "citation", ""),
            getattr(own, "verified", False),
        )
    scope = rules.scope_of_practice
    if scope is None:
        return list(PHYSICIAN_ROLES), "", False
    entry = scope.good_faith_exam
    return list(entry.performers), entry.citation, entry.verified


def treatments_of(clinician: Clinician, deal: Deal, rules: StateRules) -> list[str]:
    """The treatment classes the clinician's documents assign: those the deal file lists for the clinician
    (else every treatment the deal offers) that the state lets the role perform. A listed treatment the
    state forbids the role is left out, and is an error finding."""
    scope = rules.scope_of_practice
    return [
        t.value
        for t in clinician.performs or deal.treatments
        if scope is None or clinician.role.value in scope.entry_for(SCOPE_CLASS[t]).performers
    ]


def instrument_for(role: str, rules: StateRules) -> Instrument | None:
    scope = rules.scope_of_practice
    return scope.instruments.get(role) if scope is not None else None


def supervisor_of(clinician: Clinician, deal: Deal) -> tuple[str, str]:
    """(name, role) of the clinician's supervisor: the one the deal names, else the medical director."""
    name = clinician.supervised_by or deal.practice.medical_director
    named = next((c for c in deal.clinicians if c.name == name), None)
    if named is not None:
        return name, named.role.value
    return name, "MD" if name == deal.practice.medical_director else ""


def clinician_values(deal: Deal, rules: StateRules, index: int) -> dict:
    """What a clinician's agreement and instrument print: the role, the treatments (each with who may
    supervise it and how, under the state's data), the instrument, the covenant rule."""
    clinician = deal.clinicians[index]
    role = clinician.role.value
    scope = rules.scope_of_practice
    treatments = []
    for treatment in treatments_of(clinician, deal, rules):
        entry: ScopeEntry | None = scope.entry_for(SCOPE_CLASS[treatment]) if scope is not None else None
        treatments.append(
            {
                "id": treatment,
                "words": TREATMENT_WORDS[treatment],
                "class": TREATMENT_CLASSES[SCOPE_CLASS[treatment]],
                "supervision": SUPERVISION_WORDS[entry.supervision] if entry else "",
                "citation": entry.citation if entry else "",
                "verified": bool(entry and entry.verified),
            }
        )
    instrument = instrument_for(role, rules)
    supervisor, _ = supervisor_of(clinician, deal)
    performers, gfe_citation, gfe_verified = good_faith_performers(rules)
    provider = rules.noncompete.provider[0] if rules.noncompete and rules.noncompete.provider else None
    return {
        "clinician": {
            "name": clinician.name,
            "role": role,
            "role_title": ROLE_TITLES[role],
            "license": clinician.license,
            "engagement": clinician.engagement.value,
            "compensation": clinician.compensation,
            "good_faith_exams": clinician.good_faith_exams and role in performers,
            "good_faith_citation": gfe_citation,
            "good_faith_verified": gfe_verified,
            "physician": role in PHYSICIAN_ROLES,
            "supervised": role in SUPERVISED_ROLES,
            "treatments": treatments,
            "supervisor": supervisor,
            "instrument": (
                {
                    "name": instrument.name,
                    "citation": instrument.citation,
                    "contents": instrument.contents,
                    "filing": instrument.filing,
                    "ratio": instrument.ratio,
                    "verified": instrument.verified,
                    "generic": False,
                }
                if instrument is not None
                else {
                    "name": "Delegation Protocol",
                    "citation": "",
                    "contents": GENERIC_CONTENTS,
                    "filing": "",
                    "ratio": "",
                    "verified": False,
                    "generic": True,
                }
            ),
            "covenant": (
                {
                    "status": provider.status,
                    "summary": " ".join(provider.summary.split()),
                    "citation": provider.citation,
                    "verified": provider.verified,
                }
                if provider is not None
                else {"status": "unknown", "summary": "", "citation": "", "verified": False}
            ),
        }
    }


def _field(index: int, name: str) -> str:
    return f"clinicians[{index}].{name}"


def staffing_findings(deal: Deal, rules: StateRules) -> list[Finding]:
    """A role the state does not allow for a treatment it performs, a good-faith exam by a role the state
    does not allow, and a supervised role whose supervisor the state does not let supervise that
    treatment: errors, with the state's citation. A supervised role with no instrument the state names: a
    warning (formgen drafts its generic delegation protocol)."""
    scope = rules.scope_of_practice
    out: list[Finding] = []
    if not deal.clinicians:
        return out
    if scope is None:
        return [
            Finding(
                "staffing.scope_unresearched",
                "warning",
                f"{rules.name}'s scope-of-practice rules are not in formgen's data: the clinician agreements "
                "limit each clinician to what the clinician's license allows, without naming the state's "
                "limits; counsel must check who may perform each treatment and under what supervision",
                action="flagged",
                verified=False,
            )
        ]
    offered = {t.value for t in deal.treatments}
    for index, clinician in enumerate(deal.clinicians):
        role, title = clinician.role.value, ROLE_TITLES[clinician.role.value]
        supervisor, supervisor_role = supervisor_of(clinician, deal)
        for treatment in clinician.performs or [Treatment(t) for t in treatments_of(clinician, deal, rules)]:
            entry = scope.entry_for(SCOPE_CLASS[treatment])
            words = TREATMENT_WORDS[treatment.value]
            if role not in entry.performers:
                out.append(
                    Finding(
                        "staffing.role_not_allowed",
                        "error",
                        f"{clinician.name} ({title}) is to perform {words}, which {rules.name} lets only "
                        f"{', '.join(entry.performers)} perform; remove the treatment from the clinician's 'performs' or "
                        "assign it to a clinician the state allows (the clinician's documents leave it out)",
                        citation=entry.citation,
                        verified=entry.verified,
                        field=_field(index, "performs"),
                        document="",
                        action="flagged",
                    )
                )
            elif role in SUPERVISED_ROLES and entry.supervision != "none" and supervisor_role not in entry.delegated_by:
                out.append(
                    Finding(
                        "staffing.supervision_missing",
                        "error",
                        f"{clinician.name} ({title}) performs {words}, which {rules.name} allows only under the "
                        f"supervision or delegation of {', '.join(entry.delegated_by)}; the supervisor named, {supervisor}, "
                        f"is not one ({supervisor_role or 'not a clinician the deal names'})",
                        citation=entry.citation,
                        verified=entry.verified,
                        field=_field(index, "supervised_by"),
                        action="flagged",
                    )
                )
            if offered and clinician.performs and treatment.value not in offered:
                out.append(
                    Finding(
                        "staffing.treatment_not_offered",
                        "warning",
                        f"{clinician.name} is to perform {words}, which the deal's 'treatments' do not list",
                        field=_field(index, "performs"),
                        action="flagged",
                    )
                )
        if clinician.good_faith_exams:
            performers, citation, verified = good_faith_performers(rules)
            if role not in performers:
                out.append(
                    Finding(
                        "staffing.good_faith_exam_role",
                        "error",
                        f"{clinician.name} ({title}) is to perform good-faith examinations, which {rules.name} lets only "
                        f"{', '.join(performers)} perform"
                        + ("" if verified else " (formgen's reading, not verified at a primary source)"),
                        citation=citation,
                        verified=verified,
                        field=_field(index, "good_faith_exams"),
                        action="flagged",
                    )
                )
        if role in SUPERVISED_ROLES and instrument_for(role, rules) is None:
            out.append(
                Finding(
                    "staffing.generic_instrument",
                    "warning",
                    f"{rules.name}'s data names no written instrument for a {title}: formgen drafted a generic "
                    f"delegation protocol for {clinician.name}; counsel must check the state's nurse and physician "
                    "practice acts and board rules for the instrument, its contents and any filing",
                    field=_field(index, "role"),
                    action="flagged",
                    verified=False,
                )
            )
    return out


def staffing_rows(deal: Deal, rules: StateRules) -> list[dict]:
    """The memo's staffing table: each clinician, the treatments, the instrument and its authority."""
    rows = []
    for index, clinician in enumerate(deal.clinicians):
        values = clinician_values(deal, rules, index)["clinician"]
        instrument = values["instrument"]
        rows.append(
            {
                "name": clinician.name,
                "role": values["role_title"],
                "label": f"the {instrument['name']} for {clinician.name}",
                "md_supervises": values["supervised"] and values["supervisor"] == deal.practice.medical_director,
                "treatments": ", ".join(t["class"] for t in values["treatments"]) or "none listed",
                "instrument": (
                    instrument["name"]
                    if values["supervised"]
                    else "none (physician)"
                    if values["physician"]
                    else "none"
                ),
                "authority": (
                    f"{instrument['citation']}; {'verified' if instrument['verified'] else 'unverified'}"
                    if values["supervised"] and instrument["citation"]
                    else "generic; counsel to confirm"
                    if values["supervised"]
                    else ""
                ),
            }
        )
    return rows
