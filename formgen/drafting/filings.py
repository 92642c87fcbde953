"""What the filing and organizational documents print from the deal's formation facts: the agent
for service of process in each state's vocabulary and the practice's malpractice limits."""

from __future__ import annotations

from ..inputs.deal import JURISDICTIONS, Deal
from .wording import filled, placeholder


def malpractice_limits(deal: Deal) -> str:
    """The practice's professional liability limits, per claim and aggregate, or one blank for both."""
    terms = deal.formation
    if terms.malpractice_per_claim is None and terms.malpractice_aggregate is None:
        return placeholder("$1,000,000 per claim and $3,000,000 annual aggregate")
    return (f"{filled(terms.malpractice_per_claim, 'amount')} per claim and "
            f"{filled(terms.malpractice_aggregate, 'amount')} annual aggregate")


def agent_for_process(deal: Deal, entity: str) -> str:
    """The charter's agent sentence in the vocabulary of the entity's state of formation: California's
    agent for service of process, New York's Secretary of State as agent (BCL § 402(a)(7), LLC Law
    § 203(e)(4)), Florida's agent with the acceptance its statutes require, a registered agent elsewhere."""
    filing = getattr(deal.formation, entity)
    party = getattr(deal, entity)
    where = JURISDICTIONS[party.formation_state]
    agent = filled(filing.registered_agent, "registered agent")
    office = filled(filing.registered_office, f"street address in {where}")
    if party.formation_state == "CA":
        return (f"The name of the initial agent for service of process is {agent}, and the agent’s street address "
                f"in California is {office}. The principal office is at {party.address}.")
    if party.formation_state == "NY":
        county = ("" if entity == "practice"  # the practice's purpose article already states its county
                  else f" The office is to be located in the County of {filled(filing.county, 'county')}, New York.")
        return ("The Secretary of State is designated as agent upon whom process may be served, and the post office "
                f"address to which the Secretary of State shall mail a copy of any process served is {party.address}."
                + county)
    sentence = (f"The name of the initial registered agent is {agent}, and the street address of its registered "
                f"office in {where} is {office}. The principal office is at {party.address}.")
    if party.formation_state == "FL":
        sentence += (f" Acceptance by the registered agent: having been named as registered agent to accept service "
                     f"of process at the registered office stated above, I, {agent}, accept the appointment, agree to "
                     "act in that capacity, and am familiar with and accept the obligations of the position.")
    return sentence
