"""The closing set as data: who signs each document, what must happen before it, and the order
of signing that follows.

The order is never typed by hand: each item of the closing (a document of the packet, a closing
document, a condition such as the fair-market-value opinion) declares what must come strictly
before it, or at the same sitting or before it (documents signed at one sitting are released
together), and cites the clause that says so. The signing steps are the longest path through
those declarations (declarations that contradict one another raise ``ClosingOrderError``);
``order_violations`` names every declaration an order breaks, and the closing set is refused when
its order breaks one. The formation checklist and the closing checklist print the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormgenError
from ..inputs.deal import Deal
from ..inputs.documents import DocumentSpec, SignerRole
from ..markup import strip_word_markers
from .staffing import supervisor_of


@dataclass(frozen=True)
class Requirement:
    """``item`` may be signed only once ``before`` is done: strictly earlier (``strict``) or at the
    same sitting or earlier; ``together``: at the same sitting, never a step apart (``before``
    listed first); ``source`` is the clause whose words impose it."""

    item: str
    before: str
    strict: bool
    reason: str
    source: str
    together: bool = False


@dataclass(frozen=True)
class ClosingItem:
    """A step of the closing that is not a packet document: a condition, a filing or a closing document."""

    name: str
    title: str
    kind: str  # "condition" | "filing" | "deliverable" | "closing document"
    who: str  # who acts (for conditions and deliverables)
    signers: tuple[SignerRole, ...] = ()


def closing_items(deal: Deal, mso_designates: bool = False) -> list[ClosingItem]:
    """The closing's own items, besides the packet's documents; ``mso_designates``: the Continuity
    Agreement gives the MSO rights over transfers, which the MSO's consent lets it take only on
    regulatory counsel's written advice."""
    practice = deal.practice.name
    advice = ClosingItem(
        "regulatory_advice",
        f"Written advice of health care regulatory counsel that the MSO’s rights over transfers of "
        f"{practice}’s ownership interests are lawful",
        "condition",
        "Health care regulatory counsel",
    )
    return [
        *([advice] if mso_designates else []),
        ClosingItem(
            "fmv_engagement_letter",
            "Fair-Market-Value Engagement Letter",
            "closing document",
            "The valuation firm, the MSO and the Practice",
            ("practice", "mso"),
        ),
        ClosingItem(
            "fmv_opinion",
            "Written fair-market-value opinion on the management fee",
            "condition",
            "The independent valuation firm",
        ),
        ClosingItem(
            "security_risk_analysis",
            f"Security risk analysis of the MSO’s systems that will hold {practice}’s patient information",
            "condition",
            deal.mso.name,
        ),
        ClosingItem(
            "bank_account",
            f"Deposit and merchant accounts opened in the name of {practice}, "
            "with only its Qualified Persons as signatories",
            "deliverable",
            practice,
        ),
        ClosingItem(
            "payment_authorization", "Standing Payment Authorization", "closing document", practice, ("practice",)
        ),
        ClosingItem(
            "officer_certificate.practice",
            f"Officer’s Certificate of {practice}",
            "closing document",
            practice,
            ("practice",),
        ),
        ClosingItem(
            "officer_certificate.mso",
            f"Officer’s Certificate of {deal.mso.name}",
            "closing document",
            deal.mso.name,
            ("mso",),
        ),
    ]


FILINGS = ("practice_articles", "mso_articles")
GOVERNING = ("practice_bylaws", "practice_operating_agreement")


def _req(item: str, before: str, strict: bool, reason: str, source: str, together: bool = False) -> Requirement:
    return Requirement(item, before, strict, reason, source, together)


# What each item's own words require. Items absent from a packet are skipped.
REQUIREMENTS: tuple[Requirement, ...] = (
    _req(
        "mso_operating_agreement",
        "mso_articles",
        True,
        "the MSO exists once its charter is filed",
        "mso_operating_agreement",
    ),
    *(_req(gov, "practice_articles", True, "the Practice exists once its charter is filed", gov) for gov in GOVERNING),
    _req(
        "mso_consent",
        "mso_operating_agreement",
        False,
        "the members act as the MSO’s governing document permits",
        "mso_consent.preamble",
    ),
    # One sitting for the practice's ownership: the governing document, then the Continuity Agreement
    # that refers to it (an owner who signs the governing document signs the Continuity Agreement at
    # the same sitting, never a step later), then the consent that adopts the one, ratifies the other
    # and issues the interests, then the ledger that records them.
    *(
        _req(
            "continuity_agreement",
            gov,
            False,
            "it refers to the governing document and repeats its succession terms, and every owner must be a "
            "party to it",
            "continuity_agreement.definitions",
            together=True,
        )
        for gov in GOVERNING
    ),
    *(
        _req(
            "practice_consent",
            gov,
            False,
            "the consent adopts the governing document presented with it, which the Secretary certifies",
            "practice_consent.organization",
            together=True,
        )
        for gov in GOVERNING
    ),
    _req(
        "practice_consent",
        "practice_articles",
        True,
        "the consent ratifies the charter as filed",
        "practice_consent.organization",
    ),
    _req(
        "practice_consent",
        "continuity_agreement",
        False,
        "no share or interest is issued to a person who has not signed the Continuity Agreement",
        "practice_consent.ownership",
    ),
    _req(
        "ownership_ledger",
        "practice_consent",
        False,
        "the ledger records the issuance the consent makes",
        "practice_consent.ownership",
    ),
    _req(
        "ownership_ledger",
        "continuity_agreement",
        False,
        "no share or interest is issued to a person who has not signed the Continuity Agreement",
        "practice_consent.ownership",
    ),
    _req(
        "continuity_agreement",
        "mso_consent",
        True,
        "the MSO’s members approve it as a Major Decision",
        "mso_consent.agreements",
    ),
    _req(
        "continuity_agreement",
        "regulatory_advice",
        True,
        "the MSO signs it only once counsel has advised that its rights over transfers are lawful",
        "mso_consent.agreements",
    ),
    _req(
        "regulatory_advice",
        "mso_articles",
        True,
        "the MSO exists to engage counsel",
        "mso_articles",
    ),
    _req("fmv_engagement_letter", "mso_articles", True, "the MSO exists to engage the valuation firm", "mso_articles"),
    _req(
        "fmv_engagement_letter",
        "practice_articles",
        True,
        "the Practice exists to engage the valuation firm",
        "practice_articles",
    ),
    _req(
        "fmv_opinion",
        "fmv_engagement_letter",
        True,
        "the firm gives its opinion under the engagement",
        "fmv_engagement_letter",
    ),
    _req("security_risk_analysis", "mso_articles", True, "the MSO exists to analyse its systems", "mso_articles"),
    _req(
        "msa",
        "fmv_opinion",
        True,
        "the officers may not sign it until the fair-market-value opinion is received",
        "practice_consent.agreements",
    ),
    _req("msa", "mso_consent", False, "the MSO’s members approve it as a Major Decision", "mso_consent.agreements"),
    _req(
        "medical_director_agreement",
        "fmv_opinion",
        True,
        "approved on the condition of a fair-market-value opinion",
        "practice_consent.agreements",
    ),
    # A repeated document's requirement ("clinician_agreement") binds each of its copies ("clinician_agreement.rn").
    _req(
        "clinician_agreement",
        "practice_articles",
        True,
        "the Practice, the employer, exists once its charter is filed",
        "clinician_agreement.engagement",
    ),
    _req(
        "clinician_agreement",
        "medical_director_agreement",
        False,
        "the clinician works under the supervision of the Medical Director that agreement appoints",
        "clinician_agreement.supervision",
    ),
    _req(
        "supervision_instrument",
        "clinician_agreement",
        False,
        "the instrument governs the duties the clinician agreement assigns",
        "clinician_agreement.supervision",
    ),
    _req(
        "supervision_instrument",
        "medical_director_agreement",
        False,
        "the supervising physician signs it as Medical Director",
        "supervision_instrument.parties",
    ),
    _req(
        "baa",
        "security_risk_analysis",
        True,
        "the MSO signs it only after its security risk analysis",
        "mso_consent.agreements",
    ),
    *(
        _req(doc, "mso_consent", False, "the MSO’s members approve it", "mso_consent.agreements")
        for doc in (
            "responsibility_schedule",
            "baa",
            "trademark_license",
            "sublease",
            "promissory_note",
            "security_agreement",
            "owner_covenant",
        )
    ),
    _req("responsibility_schedule", "msa", False, "it allocates the services the MSA describes", "msa"),
    _req(
        "msa",
        "owner_covenant",
        False,
        "the MSA's covenant binds the Practice only; each owner's covenant is signed with it",
        "msa.covenants.non_compete",
    ),
    _req(
        "bank_account",
        "practice_consent",
        True,
        "the consent opens the accounts and names their signatories",
        "practice_consent.banking",
    ),
    _req(
        "payment_authorization",
        "bank_account",
        True,
        "it instructs the Practice’s own bank",
        "practice_consent.banking",
    ),
    _req("payment_authorization", "msa", False, "it pays the fee the MSA sets", "practice_consent.banking"),
    _req(
        "officer_certificate.practice",
        "practice_consent",
        False,
        "it certifies the resolutions adopted",
        "officer_certificate",
    ),
    _req(
        "officer_certificate.practice",
        "ownership_ledger",
        False,
        "it certifies the owners of record",
        "officer_certificate",
    ),
    _req("officer_certificate.practice", "msa", False, "it is delivered at the closing", "officer_certificate"),
    _req(
        "officer_certificate.mso", "mso_consent", False, "it certifies the resolutions adopted", "officer_certificate"
    ),
    _req("officer_certificate.mso", "msa", False, "it is delivered at the closing", "officer_certificate"),
)


@dataclass(frozen=True)
class Step:
    number: int
    items: tuple[str, ...]


class ClosingOrderError(FormgenError):
    """The declared requirements contradict one another (a strict requirement in a cycle)."""


def _copies(name: str, names: list[str]) -> list[str]:
    """The items a requirement's name stands for: itself, or every copy of a repeated document."""
    copies = [n for n in names if n.startswith(name + ".")]  # a repeated document's copies
    return copies or ([name] if name in names else [])


CONSENT_WORDS = {"adopts": "the Practice’s organizational consent adopts it", "approves": "the consent approves it"}


def consent_requirements(specs: list[DocumentSpec]) -> list[Requirement]:
    """What each document's ``practice_consent`` declares: a document the practice's consent adopts or
    approves is signed at the consent's sitting, after it, or later."""
    return [
        Requirement(spec.name, "practice_consent", False, CONSENT_WORDS[spec.practice_consent], "practice_consent")
        for spec in specs
        if spec.practice_consent
    ]


def present_requirements(names: list[str], declared: list[Requirement] | tuple = ()) -> list[Requirement]:
    """The requirements among the items present: ``REQUIREMENTS`` (a repeated document's binding each
    copy) and those the documents declare (``consent_requirements``)."""
    return [
        Requirement(item, before, r.strict, r.reason, r.source, r.together)
        for r in (*REQUIREMENTS, *declared)
        for item in _copies(r.item, names)
        for before in _copies(r.before, names)
    ]


def signing_steps(names: list[str], declared: list[Requirement] | tuple = ()) -> list[Step]:
    """The items grouped in signing sittings: each as early as its requirements allow (the longest
    path; a strict requirement moves an item one step later, a ``together`` one keeps both items at
    one sitting). Within a step, an item comes after what it needs at the same sitting, then in
    ``names`` order. ``declared``: the requirements the documents' specs add (``consent_requirements``)."""
    requirements = present_requirements(names, declared)
    step = dict.fromkeys(names, 1)
    for _ in range(2 * len(names) + 1):
        changed = False
        for r in requirements:
            need = step[r.before] + (1 if r.strict else 0)
            if step[r.item] < need:
                step[r.item], changed = need, True
            if r.together and step[r.before] < step[r.item]:
                step[r.before], changed = step[r.item], True
        if not changed:
            break
    else:
        raise ClosingOrderError(
            "The closing requirements contradict one another (a cycle through: "
            + ", ".join(sorted({r.item for r in requirements}))
            + ")"
        )
    rank = {name: i for i, name in enumerate(names)}
    same_sitting = {}
    for r in requirements:
        if not r.strict and step[r.item] == step[r.before]:
            same_sitting.setdefault(r.item, set()).add(r.before)
    steps = []
    for number in sorted(set(step.values())):
        pending = sorted((n for n in names if step[n] == number), key=rank.__getitem__)
        ordered: list[str] = []
        while pending:  # the first item whose same-sitting requirements are already placed
            ready = next((n for n in pending if same_sitting.get(n, set()) & set(pending) <= {n}), pending[0])
            ordered.append(ready)
            pending.remove(ready)
        steps.append(Step(len(steps) + 1, tuple(ordered)))
    return steps


def order_violations(steps: list[Step], declared: list[Requirement] | tuple = ()) -> list[str]:
    """Every requirement an order breaks, in words: the item, what it needs first, and the clause."""
    position = {name: (s.number, i) for s in steps for i, name in enumerate(s.items)}
    # (a requirement "at the same sitting or before" is met by any place in the same step)
    problems = []
    for r in present_requirements(list(position), declared):
        item_step, before_step = position[r.item][0], position[r.before][0]
        if r.together:
            late = before_step != item_step
        else:
            late = before_step >= item_step if r.strict else before_step > item_step
        if late:
            when = "an earlier step" if r.strict else "the same step" if r.together else "the same step or earlier"
            problems.append(
                f"{r.item} (step {item_step}) needs {r.before} at {when} ({r.reason}; {r.source}), "
                f"but {r.before} is at step {before_step}"
            )
    return problems


# ------------------------------------------------------------------ signers


def is_placeholder(text: str) -> bool:
    """A blank the attorney fills in ("[name of organizer]")."""
    return text.startswith("[")


def _signer_key(signer: dict, document_label: str) -> str:
    """The person a signature block belongs to: its named signer; for a block whose signer is still
    a blank, the entity (with the office, when the block names one) or the role and document."""
    # whitespace as the page shows it: a value typed with a line break prints as one line
    name, party, title = (" ".join(strip_word_markers(signer[k]).split()) for k in ("name", "party", "title"))
    if name and not is_placeholder(name):
        return name
    if party == party.upper():  # a role caption ("ORGANIZER"), not an entity
        return f"{party.capitalize()}, {document_label}"
    return party if not title or is_placeholder(title) else f"{party}, {title}"


def signer_key(signer: dict, document_label: str) -> str:
    """``_signer_key`` with whitespace as the page shows it (a value typed with a line break or
    doubled spaces prints as one line)."""
    return " ".join(_signer_key(signer, document_label).split())


def declared_signers(spec: DocumentSpec, deal: Deal, context: dict) -> list[str]:
    """The signer keys ``spec.signers`` names for this deal, in block order (see ``signer_key``)."""
    mso, practice = deal.mso, deal.practice
    # an entity member signs by the person the deal names for it (its block's signer), else by its own name
    members = [m.signatory.name if m.signatory else m.name for m in mso.members]
    corp = context["practice_governing_document"] == "Bylaws"
    resolved = {
        "mso": [mso.signatory.name],
        "practice": [practice.signatory.name],
        "owners": [o.name for o in practice.owners],
        "spouses": [o.spouse for o in practice.owners if o.spouse],
        "mso_members": members,
        "mso_manager": [mso.signatory.name]
        if mso.manager_managed and mso.signatory.name not in {*members, *(m.name for m in mso.members)}
        else [],
        "medical_director": [practice.medical_director],
        "clinician": [deal.clinicians[spec.item].name] if 0 <= spec.item < len(deal.clinicians) else [],
        "supervisor": [supervisor_of(deal.clinicians[spec.item], deal)[0]]
        if 0 <= spec.item < len(deal.clinicians)
        else [],
    }
    if "organizer" in spec.signers:  # the organizer the deal names, else the role for the document
        role = "Incorporator" if spec.charter == "practice" and corp else "Organizer"
        named = getattr(deal.formation, spec.charter or "mso").organizer
        resolved["organizer"] = [named or f"{role}, {spec.label(deal)}"]
    if "practice_officers" in spec.signers:
        president = context["practice_president"]
        secretary = context["practice_secretary"] or f"{practice.name}, Secretary"
        resolved["practice_officers"] = [president, secretary] * len(practice.owners) if corp else []
    return [" ".join(key.split()) for role in spec.signers for key in resolved[role]]


def closing_names(specs: list[DocumentSpec], deal: Deal, mso_designates: bool = False) -> list[str]:
    """Every item of the closing, in reading order: the packet's agreements, then the closing's own items."""
    items = closing_items(deal, mso_designates)
    return list(dict.fromkeys([*(s.name for s in specs if not s.report), *(i.name for i in items)]))


def document_name(spec: DocumentSpec, deal: Deal) -> str:
    """A document as a list of the closing names it: the governing documents and consents with the
    body they belong to ("Action by Unanimous Written Consent of the Members of X"), others by title."""
    if spec.family:  # a repeated document's copy: its title names the clinician it is for
        return spec.title
    title, subtitle = spec.titles(deal)
    return (
        f"{title} {subtitle}" if spec.subtitle in ("of_mso", "of_practice", "practice_bodies", "mso_members") else title
    )


def signing_summary(specs: list[DocumentSpec], deal: Deal, context: dict) -> list[dict]:
    """The signing steps as the formation checklist prints them: step, what is signed or done, who acts."""
    items = {i.name: i for i in closing_items(deal, context["mso_designates"])}
    by_name = {s.name: s for s in specs}
    rows = []
    for step in signing_steps(closing_names(specs, deal, context["mso_designates"]), consent_requirements(specs)):
        what, who = [], []
        for name in step.items:
            if name in by_name:
                spec = by_name[name]
                what.append(document_name(spec, deal))
                who += declared_signers(spec, deal, context)
            else:
                what.append(items[name].title)
                who += declared_signers_of(items[name], deal) or [items[name].who]
        rows.append({"step": step.number, "what": "; ".join(what), "who": ", ".join(dict.fromkeys(who))})
    return rows


def declared_signers_of(item: ClosingItem, deal: Deal) -> list[str]:
    """A closing document's signers: the MSO's or the Practice's signatory."""
    people = {"mso": deal.mso.signatory.name, "practice": deal.practice.signatory.name}
    return [people[role] for role in item.signers]
