"""Packet check: documents that state the same term must state it the same way.

The shared terms are the succession terms (deadlines after each transfer event, the price
formula), the Effective Date, each party as the documents introduce it (its name under each role
("MSO", "Practice"), its description ("a California limited liability company") and its principal
office), and each owner's percentage interest and capital contribution in the ownership tables.
The drafts take them from one place (the deal file), so a difference means a document was edited
by hand, or a clause stopped reading the deal. The check reads the documents' text, so it works
on a built packet (``formgen lint OUT``) as well as on files a lawyer has since changed.
"""

from __future__ import annotations

import re

from ..inputs.documents import family_of
from ..inputs.deal_terms import TRANSFER_EVENTS
from .findings import Finding
from .packet_system import event_words, system_findings
from .typed_text import plain

# Words that name the price formula; every document that states a price names exactly one.
PRICE_FORMULAS = {
    "fair_market_value": "the fair market value of the interest",
    "book_value": "the book value of the interest",
    "fixed": "for all of the owner's interest",
}
_FIXED_AMOUNT = re.compile(r"(\$[\d,]+\.\d\d) for all of the owner's interest")


def _event_pattern(label: str) -> re.Pattern[str]:
    """The event's words with any owner term ('Owner', 'Shareholder', 'Practice Owner'), then ': N days'."""
    return re.compile(event_words(label) + r": [a-z\- ]+ \((\d+)\) days", re.IGNORECASE)


EVENT_PATTERNS = {key: _event_pattern(label) for key, label in TRANSFER_EVENTS}


def succession_terms(text: str) -> dict[str, str]:
    """The succession terms a document's text states: {'death': '180', ..., 'price': 'book_value'}."""
    # Every deadline reads "N days": the event patterns read only the paragraphs that say "days".
    deadlines = plain("\n".join(line for line in text.splitlines() if "days" in line))
    found = {}
    for key, pattern in EVENT_PATTERNS.items():
        days = {m.group(1) for m in pattern.finditer(deadlines)}
        if days:
            found[key] = " / ".join(sorted(days))
    if found:
        text = plain(text)
        formulas = sorted(name for name, words in PRICE_FORMULAS.items() if words.lower() in text.lower())
        amounts = sorted(set(_FIXED_AMOUNT.findall(text)))
        found["price"] = " / ".join(formulas + amounts) or "none stated"
    return found


_DATE = r"[A-Z][a-z]+ \d{1,2}, \d{4}"
_EFFECTIVE_DATE = re.compile(rf'as of ({_DATE}) \(the "Effective Date"\)|written consent, effective as of ({_DATE})')
_NAME_SUFFIX = (
    r"(?:, (?:LLC|L\.L\.C\.|Inc\.|P\.C\.|PLLC|P\.L\.L\.C\.|P\.A\.|LLP|Ltd\.|M\.D\.|D\.O\.|PA-C|N\.P\.|Jr\.|Sr\.))*"
)
_ROLE = re.compile(r'\((?:the )?"(?P<role>[A-Z][A-Za-z ]+)"\)')
# How a document introduces the party a role names: '... between Glow Management, LLC, a California
# limited liability company with its principal office at 100 Main Street, ... (the "MSO")', read in the
# words just before the role.
_INTRODUCTION = re.compile(
    rf'(?:\b(?:between|among|by|and|of)|;) (?P<name>[A-Z0-9][^,;"()]*?{_NAME_SUFFIX}), '
    r'an? (?P<description>[^,;"()]+?)(?: with its principal office at (?P<address>[^"()]+?))? $'
)


def party_terms(text: str) -> dict[str, str]:
    """The Effective Date and the parties a document's text introduces: {'the Effective Date': ...,
    'the party defined as "MSO"': name, 'the description of NAME': ..., 'the principal office of NAME': ...}."""
    text = plain(text)
    found = {}
    dates = {a or b for a, b in _EFFECTIVE_DATE.findall(text)}
    if dates:
        found["the Effective Date"] = " / ".join(sorted(dates))
    for role in _ROLE.finditer(text):
        match = _INTRODUCTION.search(text, max(0, role.start() - 400), role.start())
        if not match:
            continue
        name = match["name"]
        found[f'the party defined as "{role["role"]}"'] = name
        found[f"the description of {name}"] = match["description"]
        if match["address"]:
            found[f"the principal office of {name}"] = match["address"]
    return found


_PERCENT_CELL = re.compile(r"^(?:[\d,]+ \()?(\d+(?:\.\d+)?%)\)?$")  # "60%", "1,000 (100%)"
_AMOUNT_CELL = re.compile(r"^\$[\d,]+(?:\.\d\d)?$")
_NOT_A_HOLDER = re.compile(r"^(?:\d+|[A-Z][a-z]+ \d{1,2}, \d{4}|Total)$")  # entry numbers, dates, totals


def holding_terms(text: str) -> dict[str, str]:
    """Each owner's percentage and capital contribution as the document's tables state them (rows
    written "cell | cell | ..."): {'the percentage interest of Dana Ruiz': '60%', ...}."""
    found = {}
    for line in text.splitlines():
        if " | " not in line:
            continue
        cells = [cell.strip() for cell in plain(line).split(" | ")]
        percents = [m.group(1) for m in map(_PERCENT_CELL.match, cells) if m]
        if len(percents) != 1:
            continue
        holder = next((c for c in cells if re.search("[A-Za-z]", c) and not _NOT_A_HOLDER.match(c)), None)
        if holder is None:
            continue
        holder = re.sub(r", \[[^\]]*\]$", "", holder)  # "Maya Chen, M.D., [address]" in the ledger
        found[f"the percentage interest of {holder}"] = percents[0]
        amounts = [cell for cell in cells if _AMOUNT_CELL.match(cell)]
        if len(amounts) == 1:
            found[f"the capital contribution of {holder}"] = amounts[0]
    return found


def _differences(stated: dict[str, dict[str, str]], rule: str) -> list[Finding]:
    """One error finding per term that two documents state differently (documents that do not
    state a term are left out of its comparison)."""
    findings = []
    for term in sorted({term for terms in stated.values() for term in terms}):
        values = {name: terms[term] for name, terms in stated.items() if term in terms}
        if len(set(values.values())) > 1:
            listed = "; ".join(f"{name}: {value}" for name, value in sorted(values.items()))
            findings.append(
                Finding(
                    rule,
                    "error",
                    f"the documents state {term} differently ({listed}); they must all follow the deal file",
                    action="flagged",
                )
            )
    return findings


def _per_item(parties: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """A repeated document's copy ("clinician_agreement.rn") defines some parties for its item alone
    ("Clinician"): those terms are compared only among the copies for the same item ("supervision_instrument.rn");
    the parties the other documents define too ("Practice") are compared with the whole packet."""
    copies = {name for name in parties if family_of(name) != name}
    shared = {term for name, terms in parties.items() if name not in copies for term in terms}
    return {
        name: terms
        if name not in copies
        else {(term if term in shared else f"{term} ({name.split('.', 1)[1]})"): value for term, value in terms.items()}
        for name, terms in parties.items()
    }


def consistency_findings(texts: dict[str, str], consented: dict[str, str] | None = None) -> list[Finding]:
    """One error finding per term on which two documents disagree, and the packet-as-a-system checks.
    texts: document name -> text; consented: what the practice's consent must adopt or approve (name -> title)."""
    findings = _differences(_per_item({name: party_terms(text) for name, text in texts.items()}), "packet.parties")
    findings += _differences({name: holding_terms(text) for name, text in texts.items()}, "packet.ownership")
    stated = {name: succession_terms(text) for name, text in texts.items()}
    stated = {name: terms for name, terms in stated.items() if terms}
    for term in [key for key, _ in TRANSFER_EVENTS] + ["price"]:
        values = {name: terms.get(term, "not stated") for name, terms in stated.items()}
        if len(set(values.values())) > 1:
            listed = "; ".join(f"{name}: {value}" for name, value in sorted(values.items()))
            what = "price formula" if term == "price" else f"deadline in days after {term.replace('_', ' ')}"
            findings.append(
                Finding(
                    f"packet.succession.{term}",
                    "error",
                    f"the documents state the succession {what} differently ({listed}); "
                    "they must all follow the deal file's succession section",
                    action="flagged",
                )
            )
    return findings + system_findings(texts, consented)
