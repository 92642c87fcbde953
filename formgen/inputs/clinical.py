"""The practice's clinical team and the treatments it offers (deal sections ``clinicians`` and
``treatments``). What each role may do in a state is state data (``scope_of_practice`` in
state_overrides/<STATE>.yaml); this module only names the roles and treatment classes.
"""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import ConfigDict, Field

from .deal_fields import LicenseNumber, Name, Strict


class ClinicalRole(str, Enum):
    MD = "MD"  # physician (allopathic)
    DO = "DO"  # physician (osteopathic)
    NP = "NP"  # nurse practitioner (APRN)
    PA = "PA"  # physician assistant
    RN = "RN"  # registered nurse
    LVN = "LVN"  # licensed vocational / practical nurse
    aesthetician = "aesthetician"  # licensed esthetician / cosmetologist: not a medical license


class Treatment(str, Enum):
    neuromodulators = "neuromodulators"  # botulinum toxins
    fillers = "fillers"  # dermal fillers (hyaluronic acid and others)
    lasers_ipl = "lasers_ipl"  # lasers, intense pulsed light and other energy devices
    iv_therapy = "iv_therapy"  # IV hydration and vitamin infusions
    chemical_peels = "chemical_peels"
    microneedling = "microneedling"


# The state files' scope-of-practice class of each treatment (practice_law.TREATMENT_CLASSES).
SCOPE_CLASS = {
    Treatment.neuromodulators: "neuromodulators",
    Treatment.fillers: "dermal_fillers",
    Treatment.lasers_ipl: "lasers_ipl",
    Treatment.iv_therapy: "iv_therapy",
    Treatment.chemical_peels: "peels_microneedling",
    Treatment.microneedling: "peels_microneedling",
}
ROLE_TITLES = {
    "MD": "Physician",
    "DO": "Physician",
    "NP": "Nurse Practitioner",
    "PA": "Physician Assistant",
    "RN": "Registered Nurse",
    "LVN": "Licensed Vocational Nurse",
    "aesthetician": "Aesthetician",
}
# The roles that perform delegated medical acts under a written supervision or delegation instrument.
SUPERVISED_ROLES = ("NP", "PA", "RN", "LVN")


class Engagement(str, Enum):
    employee = "employee"
    contractor = "contractor"  # independent contractor


class Clinician(Strict):
    """A clinician the practice employs or engages."""

    model_config = ConfigDict(coerce_numbers_to_str=True)
    name: Name
    """The clinician's full legal name."""
    role: ClinicalRole
    """MD, DO, NP, PA, RN, LVN or aesthetician."""
    license: LicenseNumber | None = None
    """The license number exactly as issued; left out, a highlighted blank."""
    engagement: Engagement = Engagement.employee
    """employee (default) or contractor: the practice, never the MSO, employs or engages the clinician."""
    compensation: Literal["salary", "hourly", "per_shift"] = "hourly"
    """How the practice pays the clinician: salary, hourly (default) or per_shift; fair market value and
    never tied to referrals or to the practice's revenue."""
    performs: list[Treatment] = Field(default=[], max_length=len(Treatment))
    """The treatment classes the clinician performs; left out, every treatment the deal lists that the
    role may perform in the state."""
    good_faith_exams: bool = False
    """true when the clinician performs good-faith examinations (only roles the state allows)."""
    supervised_by: Name | None = None
    """Who supervises or delegates to the clinician (an NP, PA, RN or LVN); left out, the practice's
    medical director. Must be a person the state lets supervise the treatments the clinician performs."""


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split()) or "clinician"


def clinician_slugs(clinicians: list[Clinician]) -> list[str]:
    """Each clinician's file-name suffix: the role ("rn"), with the name's slug added when two clinicians
    share the role ("rn.jane-doe"), and a number when even that repeats. Same list, same slugs."""
    roles = [c.role.value.lower() for c in clinicians]
    slugs = [role if roles.count(role) == 1 else f"{role}.{_slug(c.name)}" for role, c in zip(roles, clinicians)]
    return [slug if slugs.count(slug) == 1 else f"{slug}-{slugs[: i + 1].count(slug)}" for i, slug in enumerate(slugs)]
