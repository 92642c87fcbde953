"""Validation alone: load the deal and its state's rules and run the deal-level checks.

Kept apart from packet.py so that ``formgen validate`` (and the web intake) import only the
deal model, the state rules and the checks: no templating, Word or PDF code.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.deal import Deal, load_deal
from ..inputs.states import Policy, StateRules, load_state, rules_for
from .compliance import check_deal, law_change_findings
from .findings import Finding


def blocking_problems(deal_path: Path, findings: list[Finding]) -> list[Problem]:
    return [Problem(str(deal_path), f.field, f"{f.message}" + (f" [{f.citation}]" if f.citation else ""))
            for f in findings if f.blocking]


def validate(deal_path: str | Path, policy: Policy = "conservative") -> tuple[Deal, StateRules, list[Finding]]:
    """Load, validate and check a deal; raise InputError for bad input or a structure the state forbids.
    The state rules are those in force on the deal's effective date, under the drafting ``policy``."""
    deal_path = Path(deal_path)
    deal = load_deal(deal_path)
    rules = rules_for(deal.state, deal.deal.effective_date, policy)
    findings = check_deal(deal, rules) + law_change_findings(deal, load_state(deal.state))
    problems = blocking_problems(deal_path, findings)
    if problems:
        raise InputError(problems)
    return deal, rules, findings
