"""Packet check: documents that state the same succession term must state it the same way.

The drafts take these terms from one place (the deal's succession section), so a difference
means a document was edited by hand, or a clause stopped reading the deal. The check reads the
documents' text, so it works on a built packet as well as on files a lawyer has since changed.
"""

from __future__ import annotations

import re

from ..inputs.deal_terms import TRANSFER_EVENTS
from .findings import Finding

# Words that name the price formula; every document that states a price names exactly one.
PRICE_FORMULAS = {
    "fair_market_value": "the fair market value of the interest",
    "book_value": "the book value of the interest",
    "fixed": "for all of the owner's interest",
}
_FIXED_AMOUNT = re.compile(r"(\$[\d,]+\.\d\d) for all of the owner's interest")


def _event_pattern(label: str) -> re.Pattern:
    """The event's words with any owner term ('Owner', 'Shareholder', 'Practice Owner'), then ': N days'."""
    words = re.escape(label).replace("owner", r"[A-Za-z][A-Za-z ]*?")
    return re.compile(words + r": [a-z\- ]+ \((\d+)\) days", re.IGNORECASE)


EVENT_PATTERNS = {key: _event_pattern(label) for key, label in TRANSFER_EVENTS}


def succession_terms(text: str) -> dict[str, str]:
    """The succession terms a document's text states: {'death': '180', ..., 'price': 'book_value'}."""
    # Rendered text has typographic apostrophes and no-break spaces; the drafts' text has neither.
    text = " ".join(text.replace("\u2019", "'").split())
    found = {}
    for key, pattern in EVENT_PATTERNS.items():
        days = {m.group(1) for m in pattern.finditer(text)}
        if days:
            found[key] = " / ".join(sorted(days))
    if found:
        formulas = sorted(name for name, words in PRICE_FORMULAS.items() if words.lower() in text.lower())
        amounts = sorted(set(_FIXED_AMOUNT.findall(text)))
        found["price"] = " / ".join(formulas + amounts) or "none stated"
    return found


def consistency_findings(texts: dict[str, str]) -> list[Finding]:
    """One error finding per term on which two documents disagree. texts: document name -> text."""
    stated = {name: succession_terms(text) for name, text in texts.items()}
    stated = {name: terms for name, terms in stated.items() if terms}
    findings = []
    for term in [key for key, _ in TRANSFER_EVENTS] + ["price"]:
        values = {name: terms.get(term, "not stated") for name, terms in stated.items()}
        if len(set(values.values())) > 1:
            listed = "; ".join(f"{name}: {value}" for name, value in sorted(values.items()))
            what = "price formula" if term == "price" else f"deadline in days after {term.replace('_', ' ')}"
            findings.append(Finding(f"packet.succession.{term}", "error",
                                    f"the documents state the succession {what} differently ({listed}); "
                                    "they must all follow the deal file's succession section",
                                    action="flagged"))
    return findings
