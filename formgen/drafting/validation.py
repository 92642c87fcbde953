"""The deal-level checks: ``check`` loads the deal and applies the deal-level rules (entity form,
ownership, name, law changes) with only the deal model and the state rules loaded; the blanks a
draft still prints. ``scan.packet_checks.validate`` adds the drafting, scan and packet checks.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputError, Problem
from ..inputs.deal import Deal, load_deal
from ..inputs.deal_loader import deal_lines, nearest_line, sort_problems
from ..inputs.deal_repair import DealInputError
from ..inputs.library import Library
from ..inputs.states import Policy, StateRules
from ..markup import BLANK_CLOSE, BLANK_OPEN
from .compliance import check_deal, law_change_findings
from .findings import Finding


def blocking_problems(deal_path: Path, findings: list[Finding]) -> list[Problem]:
    lines = deal_lines(deal_path)
    return [
        Problem(
            str(deal_path),
            f.field,
            f"{f.message}" + (f" [{f.citation}]" if f.citation else ""),
            nearest_line(lines, f.field),
        )
        for f in findings
        if f.blocking
    ]


def _state_problems_of_partial(deal_path: Path, exc: DealInputError, policy: Policy, library: Library) -> list[Problem]:
    """The state's blocking rules applied to the parts of a bad deal file that parsed, so every
    problem shows in one run (none when the governing state itself is in doubt)."""
    if exc.partial is None or not exc.trusts("deal.state"):
        return []
    partial = exc.partial
    rules = library.rules_for(partial.state, partial.deal.effective_date, policy)
    return [p for p in blocking_problems(deal_path, check_deal(partial, rules)) if exc.trusts(p.path)]


def check(deal_path: str | Path, policy: Policy, library: Library) -> tuple[Deal, StateRules, list[Finding]]:
    """Load the deal and apply the deal-level rules; raise InputError for bad input or a structure
    the state forbids. The state rules are ``library``'s, in force on the deal's effective date,
    under the drafting ``policy``."""
    deal_path = Path(deal_path)
    try:
        deal = load_deal(deal_path)
    except DealInputError as exc:
        raise InputError(
            sort_problems(exc.problems + _state_problems_of_partial(deal_path, exc, policy, library))
        ) from None
    rules = library.rules_for(deal.state, deal.deal.effective_date, policy)
    findings = check_deal(deal, rules) + law_change_findings(deal, library.state(deal.state))
    problems = blocking_problems(deal_path, findings)
    if problems:
        raise InputError(problems)
    return deal, rules, findings


def _strings(value):
    """Every string in a block (its text, cells, signers), however nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def document_blanks(blocks: list[dict]) -> list[str]:
    """The blanks a draft still prints ("[bank]"), each once, in the order they first appear."""
    pattern = re.compile(f"{BLANK_OPEN}\\[([^{BLANK_CLOSE}]*)\\]{BLANK_CLOSE}")
    found = [label for text in _strings(blocks) for label in pattern.findall(text)]
    return list(dict.fromkeys(found))


def blank_findings(drafts) -> list[Finding]:
    """One info finding per document that still prints blanks: what is left to complete by hand, or
    to fill from the deal file's optional fields."""
    out = []
    for draft in drafts:
        blanks = document_blanks(draft.blocks)
        if blanks:
            out.append(
                Finding(
                    f"blanks.{draft.spec.name}",
                    "info",
                    f"{draft.spec.title} ({draft.spec.filename}) still has blanks to complete: "
                    + "; ".join(f"[{label}]" for label in blanks),
                    document=draft.spec.name,
                    action="flagged",
                )
            )
    return out
