"""What a clause body sees: the deal under its YAML names, derived values and helpers."""

from __future__ import annotations


from ..inputs.deal import JURISDICTIONS, Deal, PracticeEntityType
from ..inputs.deal_terms import OPTION_CLOSING_DAYS, TRANSFER_EVENTS, PriceFormula, notice_days, succession_timetable
from ..inputs.documents import DocumentSpec, charter_name, entity_governing_document
from .closing import signing_summary
from .packet_system import related_agreements
from .plan import documents_for
from ..errors import InputError, Problem
from ..markup import library_prose
from .staffing import staffing_rows
from .covenants import covenant_analysis, covenant_terms
from .filings import agent_for_process, agent_of_record, malpractice_limits, mso_management, original_members
from .protocols import clinical_values
from .wording import filled, indefinite, longdate, money, names, number_words, pct, placeholder, ref, words  # noqa: F401 (re-exported)
from ..inputs.states import StateRules

from ..inputs.library import CATALOG_FILE, Library

PRACTICE_FORM_WORDS = {
    PracticeEntityType.professional_corporation: "professional corporation",
    PracticeEntityType.medical_corporation: "professional medical corporation",
    PracticeEntityType.professional_association: "professional association",
    PracticeEntityType.professional_service_corporation: "professional service corporation",
    PracticeEntityType.pllc: "professional limited liability company",
    PracticeEntityType.corporation: "corporation",
    PracticeEntityType.llc: "limited liability company",
}


def fee_outcome(deal: Deal, rules: StateRules) -> tuple[str, str | None]:
    """(basis in force, basis removed by the state's rules or None)."""
    basis = deal.fees.basis.value
    rule = rules.rule_for_tag(f"fee:{basis}")
    if rule is not None and rule.action == "replace":
        return "fixed_monthly", basis
    return basis, None


# State rules on these tags take succession rights over practice equity away from the MSO.
MSO_SUCCESSION_TAGS = ("control:stock_transfer_restriction", "succession:mso_transfer_consent")


def mso_succession_rights(rules: StateRules) -> bool:
    """False where a state rule removes or replaces MSO consent/designation over practice equity."""
    for tag in MSO_SUCCESSION_TAGS:
        rule = rules.rule_for_tag(tag)
        if rule is not None and rule.action in ("remove", "replace"):
            return False
    return True


# Where the price may not be final at the closing (an appraisal or an accountant still at work),
# the sale closes on an estimate and is settled afterwards, so no deadline waits on a valuation.
PRICE_ADJUSTMENT = (
    "If the price has not been finally determined by the closing, the purchaser pays at the closing its "
    "good-faith estimate of the price, of which twenty percent (20%) is paid instead to an escrow agent that "
    "the seller and the purchaser choose, to be held until the price is finally determined; within ten (10) "
    "days after that determination the purchaser pays the seller any shortfall, or the excess is returned to "
    "the purchaser, first from the escrow, and the escrow agent releases the rest of the escrow to the seller"
)


# Who appoints a neutral (an appraiser, a physician judging Disability): the body the MSA's arbitration
# clause names, so one institution serves the whole packet.
APPOINTING_BODY = "American Health Law Association Dispute Resolution Service"


def _price_text(deal: Deal) -> str:
    terms = deal.succession
    if terms.price is PriceFormula.fixed:
        return (
            f"{money(terms.fixed_price)} for all of the owner’s interest, and the same proportion of that "
            "amount for any part of it"
        )
    if terms.price is PriceFormula.book_value:
        return (
            "the book value of the interest, being the Practice’s total assets minus its total liabilities as "
            "shown on its balance sheet as of the last day of the calendar month before the event that requires "
            "the sale, prepared by the Practice’s regular outside accountant under the accounting method the "
            "Practice regularly uses, consistently applied, with no value for goodwill or any other intangible "
            "asset not carried on that balance sheet, multiplied by the owner’s percentage of the outstanding "
            "ownership interests, as the accountant determines, which determination is final absent manifest error. "
            + PRICE_ADJUSTMENT
        )
    return (
        "the fair market value of the interest as of the date of the event that requires the sale, as the seller "
        "and the purchaser agree or, failing agreement within the period for agreeing the price listed for that "
        "event, as an independent appraiser experienced in valuing medical practices determines, chosen by them "
        f"jointly or, failing that, appointed by the {APPOINTING_BODY} at the request of either of "
        "them; the appraiser’s determination is final absent manifest error and its fees are shared equally by the "
        "seller and the purchaser. " + PRICE_ADJUSTMENT
    )


def _disability_judge(deal: Deal, rules: StateRules) -> str:
    """Who finds an owner disabled: never a board the affected owner makes up alone and, where the state
    lets only physicians decide who succeeds to an owner (Texas), never a non-physician owner: the other
    physician owners choose the physician, or a neutral appoints one when no other physician owns."""
    independent = (
        f"an independent physician licensed in {JURISDICTIONS[deal.deal.state]} whom the "
        f"{APPOINTING_BODY} appoints at the request of any interested person"
    )
    if len(deal.practice.owners) == 1:
        return (
            f"an independent physician licensed in {JURISDICTIONS[deal.deal.state]} whom the individual, or the "
            "individual’s guardian, conservator or agent under a durable power of attorney, selects or, if none "
            "is selected within fifteen (15) days after a written request by any interested person, whom the "
            f"{APPOINTING_BODY} appoints at that person’s request"
        )
    share = "a majority" if deal.succession.approval == "majority" else "all"
    if physicians_alone_choose_successors(deal, rules):
        return (
            f"a physician whom the owners who are physicians, other than the affected individual, holding {share} "
            "of the ownership interests in the Practice held by those physicians, select or, where no physician "
            f"other than the affected individual owns an interest in the Practice, {independent}"
        )
    return (
        f"a physician whom the owners holding {share} of the ownership interests in the Practice not held by "
        "the affected individual select"
    )


def unredeemable_owners(deal: Deal, rules: StateRules) -> list[str]:
    """Owners whose interest the practice may not redeem: without them the remaining owners could not lawfully
    own the practice under the state's ownership limits (Texas: a physician assistant alone, or a physician
    minority). A sole owner is not listed (the sole-owner path applies)."""
    limits = rules.ownership.limits(rules.policy)
    owners = deal.practice.owners
    kept = []
    for owner in owners if len(owners) > 1 else []:
        rest = [o for o in owners if o is not owner]
        total = sum(o.percent for o in rest)
        controlling = sum(o.percent for o in rest if o.license.type in limits.owner_license_types)
        if not controlling or controlling * 100 < limits.majority_min_percent * total:
            kept.append(owner.name)
    return kept


def estate_holding_period(rules: StateRules) -> str:
    """How long a sole owner's estate (or a disqualified sole owner) may hold the interest: the
    state's statute where its file states one, else the law's own period, whatever it is."""
    statute = rules.governance.estate_holding
    if statute is not None:
        return f"{statute.period} ({statute.citation})"
    return (
        f"the period that the law of {rules.name} allows the estate or representative of a deceased, "
        "disabled or disqualified owner to hold an interest in a professional practice, and in any case no "
        "longer than ninety (90) days after the deadline for the closing"
    )


def timetable_events(deadlines, owner: str = "owner") -> list[dict]:
    """The transfer events, their deadlines in days and words, naming the owner as the document does,
    with the timetable's days for naming the successor and agreeing the price ('steps': one phrase)."""
    events = []
    for (key, label), step in zip(TRANSFER_EVENTS, succession_timetable(deadlines)):
        events.append(
            {
                "key": key,
                "event": label.replace("owner", owner),
                "days": step.closing,
                "days_words": words(step.closing),
                "successor_days": step.successor,
                "price_days": step.price,
                "steps": (
                    f"{words(step.closing)} days, with the successor named within {words(step.successor)} "
                    f"days and the price agreed within {words(step.price)} days after the event"
                ),
            }
        )
    return events


def state_statutes(deal: Deal, rules: StateRules) -> list[dict]:
    """The state's statutes that the practice's governing document restates, for its entity form."""
    entity_type = deal.practice.entity_type
    owner_word = "Member" if entity_type.is_llc else "Shareholder"
    return [
        {"caption": p.caption, "text": p.text.replace("{owner}", owner_word), "citation": p.citation}
        for p in rules.governance.provisions
        if p.applies_to(entity_type)
    ]


def physicians_alone_choose_successors(deal: Deal, rules: StateRules) -> bool:
    """The state lets only physician owners approve a successor, and the practice has other owners."""
    return rules.governance.physician_vote_on_succession and any(
        o.license.type.value not in ("MD", "DO") for o in deal.practice.owners
    )


def share_legend(deal: Deal) -> str:
    """Printed on every certificate and quoted in the bylaws: one text for both."""
    return (
        "THE SHARES REPRESENTED BY THIS CERTIFICATE MAY BE HELD ONLY BY PERSONS LICENSED TO RENDER THE "
        "PROFESSIONAL SERVICES FOR WHICH THE CORPORATION IS ORGANIZED, AS APPLICABLE LAW REQUIRES. THEY ARE "
        "SUBJECT TO RESTRICTIONS ON TRANSFER AND TO MANDATORY REDEMPTION OR TRANSFER UNDER APPLICABLE LAW, "
        "THE BYLAWS OF THE CORPORATION AND THE CONTINUITY AGREEMENT DATED "
        f"{longdate(deal.deal.effective_date).upper()}, COPIES OF WHICH ARE AVAILABLE FROM THE SECRETARY OF "
        "THE CORPORATION."
    )


def succession_values(deal: Deal, rules: StateRules) -> dict:
    """The succession terms in the words every document uses, so the documents cannot disagree."""
    terms = deal.succession
    sole = len(deal.practice.owners) == 1
    rights = mso_succession_rights(rules)
    physician_vote = physicians_alone_choose_successors(deal, rules)

    def transfer_events(owner: str = "owner") -> list[dict]:
        """The transfer events with their timetable, naming the owner as the document does."""
        return timetable_events(terms.deadlines, owner)

    def successor_approver(owner: str = "owner", entity: str = "the Practice") -> str:
        """Who approves (or selects) a transferee for the practice; with one owner, who acts for that owner."""
        if sole:
            return (
                f"the {owner} or, after the {owner}’s death or during the {owner}’s incapacity, the {owner}’s "
                "personal representative, guardian or conservator"
            )
        share = "a majority" if terms.approval == "majority" else "all"
        if physician_vote:  # the state lets only physicians decide who succeeds to a physician's interest
            return (
                f"the {owner}s who are physicians, holding {share} of the ownership interests in {entity} held by "
                f"physicians other than the transferring {owner} (or, if there is none, the transferring {owner} "
                f"or the transferring {owner}’s personal representative, guardian or conservator)"
            )
        return (
            f"the {owner}s holding {share} of the ownership interests in {entity} not held by the transferring {owner}"
        )

    def tag_allowed(tag: str) -> bool:
        """True unless a state rule removes or replaces clauses carrying this tag."""
        rule = rules.rule_for_tag(tag)
        return rule is None or rule.action == "warn"

    physicians = [o.name for o in deal.practice.owners if o.license.type.value in ("MD", "DO")]
    president = (
        deal.practice.signatory.name
        if deal.practice.signatory.name in physicians
        else physicians[0]
        if physicians
        else placeholder("name of the President, a licensed physician")
    )
    return {
        "practice_president": president,
        # One physician owner holds every office (a co-owner who is not a physician may not be an officer in
        # some states, Texas among them); with several physicians, the offices are left for the client to fill.
        "practice_secretary": president if len(physicians) == 1 else "",
        "state_statutes": state_statutes(deal, rules),
        "posture": deal.posture.value,
        "tag_allowed": tag_allowed,
        "succession": terms,
        "sole_owner": sole,
        "mso_succession_rights": rights,
        "mso_designates": rights and terms.designated_by == "mso",
        "succession_price": _price_text(deal),
        "transfer_events": transfer_events,
        "succession_notice_days": notice_days(terms.deadlines),
        "option_closing_days": OPTION_CLOSING_DAYS,
        "successor_approver": successor_approver,
        "disability_definition": (
            "a physical or mental condition that prevents an individual from practicing the individual’s profession "
            "substantially full time for one hundred eighty (180) consecutive days, or for two hundred forty (240) days "
            f"in any period of three hundred sixty-five (365) days, as determined in writing by {_disability_judge(deal, rules)}, or the "
            "appointment by a court of a guardian or conservator of the individual’s person or estate"
        ),
        "married_owners": [o for o in deal.practice.owners if o.spouse],
        "unredeemable_owners": unredeemable_owners(deal, rules),
        "estate_holding_period": estate_holding_period(rules),
        "financing": deal.financing,
        "share_legend": share_legend(deal),
        "advance_rate": (
            f"the prime rate published in The Wall Street Journal on that date plus {pct(deal.financing.rate_margin_percent)} "
            "per year, or if less the highest rate Applicable Law permits"
        ),
    }


def _series(items: list[str]) -> str:
    """'a; b; and c': a list whose items may themselves contain 'and'."""
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + "; and " + items[-1] if items else ""


def covenant_values(rules: StateRules, radius_miles: int | None = None) -> dict:
    """The MSA covenant's terms in contract words, and the state's supervision instruments and ratios
    (from its scope-of-practice data) for the medical director agreement. The radius is the deal's
    (``deal.non_compete_radius_miles``, capped by the state's limit) or a bracketed blank for counsel."""
    terms = covenant_terms(rules, radius_miles)
    scope = rules.scope_of_practice
    return {
        "covenant": {
            "period": "one (1) year" if terms.months == 12 else f"{words(terms.months)} months",
            "radius": words(terms.radius_miles),
            "radius_text": words(terms.radius_miles) if radius_miles else placeholder(words(terms.radius_miles)),
            "radius_set": bool(radius_miles),
            "buyout": terms.buyout,
            "patient_access": terms.patient_access,
            "signed_writing": terms.signed_writing,
        },
        "scope_instruments": _series(scope.instrument_names()) if scope else "",
        "scope_ratios": "; ".join(scope.ratios()) if scope else "",
    }


ENTITY_SUFFIXES = {
    "LLC",
    "L.L.C.",
    "INC",
    "INC.",
    "LP",
    "L.P.",
    "LLP",
    "L.L.P.",
    "LLLP",
    "CORP",
    "CORP.",
    "CORPORATION",
    "COMPANY",
    "CO.",
    "TRUST",
    "LTD",
    "LTD.",
    "PLLC",
    "P.L.L.C.",
    "PC",
    "P.C.",
    "FUND",
    "PARTNERS",
    "PARTNERSHIP",
    "HOLDINGS",
}


def is_entity(name: str) -> bool:
    """A member named like 'Harbor Street Capital, LLC' signs through an officer, not in person."""
    words = str(name).replace(",", " ").split()
    return bool(words) and words[-1].upper() in ENTITY_SUFFIXES


def build_context(
    deal: Deal,
    rules: StateRules,
    library: Library,
    extra: dict | None = None,
    *,
    documents: list[DocumentSpec] | None = None,
) -> dict:
    """What the clauses are rendered with. ``documents``: the deal's packet (``documents_for``), where
    the caller has it already."""
    catalog = library.catalog
    service_ids = [s.value for s in deal.services]
    fee_basis, fee_replaced_from = fee_outcome(deal, rules)
    is_llc = deal.practice.entity_type.is_llc
    venue = deal.dispute_resolution.venue or JURISDICTIONS[deal.deal.state]

    def service_entry(service_id: str) -> dict:
        entry = catalog["services"].get(service_id)
        if entry is None:
            raise InputError([Problem(CATALOG_FILE, f"services.{service_id}", "has no catalogue entry")])
        return entry

    def process_agent_kind(entity: str) -> str:
        """The process-agent vocabulary of the entity's state of formation (its state file)."""
        code = getattr(deal, entity).formation_state
        return (rules if code == rules.code else library.state(code)).process_agent.kind

    def physician_license(*people: str) -> str:
        """The license the named physicians hold, in the state's words for their license types."""
        kinds = {o.name: o.license.type.value for o in deal.practice.owners}
        kinds.update({c.name: c.role.value for c in deal.clinicians if c.name not in kinds})
        return rules.physician_license([kinds[n] for n in people if kinds.get(n) in ("MD", "DO")])

    context = {
        # the deal, under the names of the deal file
        "deal": deal.deal,
        "brand": deal.brand,
        "premises": deal.premises,
        "mso": deal.mso,
        "practice": deal.practice,
        "services": deal.services,
        "fees": deal.fees,
        "term": deal.term,
        "dispute_resolution": deal.dispute_resolution,
        "formation": deal.formation,
        "malpractice_limits": malpractice_limits(deal),
        "mso_management": mso_management(deal),
        "original_members": original_members(deal),
        "state": rules,
        # derived
        "service_ids": service_ids,
        "service_catalog": {sid: service_entry(sid) for sid in catalog["services"] if sid in service_ids},
        "reserved_functions": catalog["reserved"],
        "fee_basis": fee_basis,
        "fee_replaced_from": fee_replaced_from,
        # The state's label for the form, without its explanatory parenthetical.
        "practice_form": (
            rules.form(deal.practice.entity_type).label.split(" (")[0]
            if rules.form(deal.practice.entity_type)
            else PRACTICE_FORM_WORDS[deal.practice.entity_type]
        ),
        "practice_governing_document": entity_governing_document(deal, "practice"),
        "mso_governing_document": entity_governing_document(deal, "mso"),
        "practice_charter": charter_name(deal.deal.state, is_llc),
        "mso_charter": charter_name(deal.mso.formation_state, deal.mso.entity_type.value == "llc"),
        "practice_owner_term": "Member" if is_llc else "Shareholder",
        "mso_form": "limited liability company" if deal.mso.entity_type.value == "llc" else "corporation",
        "governing_law_state": JURISDICTIONS[deal.deal.state],
        "mso_formation_state_name": JURISDICTIONS[deal.mso.formation_state],
        "practice_formation_state_name": JURISDICTIONS[deal.practice.formation_state],
        "venue": venue,
        **succession_values(deal, rules),
        **covenant_values(rules, deal.deal.non_compete_radius_miles),
        **clinical_values(deal, rules),
        "staffing": staffing_rows(deal, rules),  # each clinician, treatments, instrument and its authority
        # helpers
        "ref": ref,
        "money": money,
        "pct": pct,
        "longdate": longdate,
        "words": words,
        "names": names,
        "placeholder": placeholder,
        "filled": filled,
        "physician_license": physician_license,
        "physician_license_of_any_physician": rules.physician_license(["MD", "DO"]),
        "agent_for_process": lambda entity: agent_for_process(deal, entity, process_agent_kind(entity)),
        "agent_of_record": lambda entity, name, charter, body: agent_of_record(
            process_agent_kind(entity), name, charter, body, JURISDICTIONS[getattr(deal, entity).formation_state]
        ),
        "indefinite": indefinite,
        "prose": library_prose,
        "is_entity": is_entity,
        "service_label": lambda sid: service_entry(sid)["label"],
        "service_summary": lambda sid: service_entry(sid)["summary"],
    }
    members = deal.mso.members
    context["controlling_member"] = next((m.name for m in members if m.percent > 50), None)
    context["significant_members"] = [m.name for m in members if m.percent >= 25]
    packet = documents if documents is not None else documents_for(deal, rules, library.documents)
    context["related_agreements"] = related_agreements([spec.name for spec in packet])
    context["covenant_analysis"] = covenant_analysis(
        rules,
        [o.name for o in deal.practice.owners],
        deal.deal.provider_non_compete,
        any(item["name"] == "owner_covenant" for item in context["related_agreements"]),
    )
    # What the practice's organizational consent adopts or approves: each document's own declaration.
    context["consent_documents"] = [
        {"name": spec.name, "title": spec.title, "action": spec.practice_consent, "per_clinician": bool(spec.family)}
        for spec in packet
        if spec.practice_consent
    ]
    # those the consent's clinical part names: the policies it adopts and each clinician's documents
    context["consent_clinical"] = [
        d for d in context["consent_documents"] if d["action"] == "adopts" or d["per_clinician"]
    ]
    # The one signing order: derived from what each document requires (drafting/closing.py); the
    # checklist prints it and the signing-order check reads it.
    context["signing_steps"] = signing_summary(packet, deal, context)
    if extra:
        context.update(extra)
    return context
