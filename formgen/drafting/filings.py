"""What the filing and organizational documents print from the deal's formation facts: the agent
for service of process in each state's vocabulary, how the MSO's certificate states its management,
and the practice's malpractice limits."""

from __future__ import annotations

from ..inputs.deal import Deal
from ..inputs.typed_values import JURISDICTIONS
from .wording import filled, placeholder


def listing(items: list[str]) -> str:
    """Entries that may hold commas (a name, an address), joined with semicolons."""
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + "; and " + items[-1]


def malpractice_limits(deal: Deal) -> str:
    """The practice's professional liability limits, per claim and aggregate, or one blank for both."""
    terms = deal.formation
    if terms.malpractice_per_claim is None and terms.malpractice_aggregate is None:
        return placeholder("$1,000,000 per claim and $3,000,000 annual aggregate")
    return (
        f"{filled(terms.malpractice_per_claim, 'amount')} per claim and "
        f"{filled(terms.malpractice_aggregate, 'amount')} annual aggregate"
    )


def agent_for_process(deal: Deal, entity: str, kind: str = "registered_agent") -> str:
    """The charter's agent sentence in the vocabulary of the entity's state of formation: California's
    agent for service of process, New York's Secretary of State as agent (BCL § 402(a)(7), LLC Law
    § 203(e)(4)), Florida's agent with the acceptance its statutes require, a registered agent elsewhere.
    ``kind`` is the formation state's ``process_agent.kind``."""
    filing = getattr(deal.formation, entity)
    party = getattr(deal, entity)
    where = JURISDICTIONS[party.formation_state]
    agent = filled(filing.registered_agent, "registered agent")
    office = filled(filing.registered_office, f"street address in {where}")
    if kind == "agent_for_service_of_process":
        return (
            f"The name of the initial agent for service of process is {agent}, and the agent’s street address "
            f"in California is {office}. The principal office is at {party.address}."
        )
    if kind == "secretary_of_state":
        county = (
            ""
            if entity == "practice"  # the practice's purpose article already states its county
            else f" The office is to be located in the County of {filled(filing.county, 'county')}, New York."
        )
        return (
            "The Secretary of State is designated as agent upon whom process may be served, and the post office "
            f"address to which the Secretary of State shall mail a copy of any process served is {party.address}."
            + county
        )
    sentence = (
        f"The name of the initial registered agent is {agent}, and the street address of its registered "
        f"office in {where} is {office}. The principal office is at {party.address}."
    )
    if party.formation_state == "FL":
        sentence += (
            f" Acceptance by the registered agent: having been named as registered agent to accept service "
            f"of process at the registered office stated above, I, {agent}, accept the appointment, agree to "
            "act in that capacity, and am familiar with and accept the obligations of the position."
        )
    return sentence


def mso_management(deal: Deal) -> str:
    """The management article of the MSO's charter. A Texas certificate of formation says whether the
    company will have managers and names the initial managers or, if it will have none, each initial member,
    with addresses (Tex. Bus. Orgs. Code § 3.010); elsewhere the charter says who manages it."""
    mso = deal.mso
    if mso.formation_state != "TX":
        return (
            "The company is managed by a manager; the name and address of its initial manager are "
            f"{mso.signatory.name}, {mso.address}."
            if mso.manager_managed
            else "The company is managed by its members."
        )
    if mso.manager_managed:
        return (
            f"The company will have managers. The name and address of its initial manager are {mso.signatory.name}, "
            f"{mso.address}."
        )
    members = [f"{m.name}, {filled(m.address, f'mailing address of {m.name}')}" for m in mso.members]
    each = "the initial member are" if len(members) == 1 else "each initial member are"
    return f"The company will not have managers; its members manage it. The name and address of {each}: {listing(members)}."


def original_members(deal: Deal) -> str:
    """The practice's owners with their residence addresses, as a New York PLLC's articles of organization
    list its original members and managers (N.Y. Ltd. Liab. Co. Law § 1203(b))."""
    return listing([f"{o.name}, {filled(o.address, f'residence address of {o.name}')}" for o in deal.practice.owners])


def agent_of_record(kind: str, entity: str, charter: str, body: str, where: str) -> dict[str, str]:
    """The governing document's section on the agent for process, in the vocabulary of the entity's state of
    formation (``kind``, from the state's ``process_agent``): its caption and its text. ``entity`` is how the
    document names the entity ("Practice"), ``charter`` its charter ("Charter"), ``body`` who may change the
    agent ("the Board"), ``where`` the state of formation."""
    where = "the District of Columbia" if where == "District of Columbia" else where
    if kind == "agent_for_service_of_process":
        return {
            "caption": "Agent for Service of Process",
            "text": f"The {entity} maintains the agent for service of process named in the {charter} or in its most "
            f"recent statement of information filed with the Secretary of State of {where}, as changed from time "
            f"to time by {body}.",
        }
    if kind == "secretary_of_state":
        return {
            "caption": "Agent for Process",
            "text": f"The Secretary of State of {where} is the {entity}’s agent upon whom process against it may be "
            f"served, and mails any process served to the post office address stated in the {charter} or in the "
            f"{entity}’s most recent filing with the Department of State, as changed from time to time by {body}. "
            f"The {entity} has a registered agent only if {body} designates one in a certificate filed with the "
            "Department of State.",
        }
    return {
        "caption": "Registered Office and Agent",
        "text": f"The {entity} maintains the registered office and registered agent stated in the {charter} or in "
        f"its most recent filing with the appropriate filing office of {where}, as changed from time to time by "
        f"{body}.",
    }
