"""The packet as one system: the checks that its control documents work together.

The drafts take every shared value from the deal file; these checks read the documents' text (a
draft's or a built packet's, after any hand edit) and prove four properties a lawyer checks by
hand: the succession timetable adds up, the MSA's integration clause names every other agreement
between the parties with an order of precedence, no document grants the MSO an approval right that
another forbids, and the checklist's signing order meets every condition a document sets on it.
"""

from __future__ import annotations

import re
from typing import Any

from ..inputs.deal_terms import APPRAISAL_DAYS, TRANSFER_EVENTS
from .findings import Finding
from .typed_text import plain

# The agreements between the MSO and the practice besides the MSA, each with the subject on which
# it controls the others: the MSA's integration clause names every one present, in this order.
RELATED_AGREEMENTS = (
    ("baa", "Business Associate Agreement", "the use, disclosure and protection of Protected Health Information"),
    (
        "continuity_agreement",
        "Continuity Agreement",
        "the ownership of Practice and the succession to an owner\u2019s interest",
    ),
    ("owner_covenant", "Owner Covenant Agreement", "each owner\u2019s personal covenant not to compete"),
    ("trademark_license", "Trademark License Agreement", "the use of the licensed marks"),
    ("sublease", "Sublease", "the use and occupancy of the premises and equipment it covers"),
    ("promissory_note", "Working Capital Promissory Note", "the working-capital loan and its repayment"),
    ("security_agreement", "Security Agreement", "the security interest that secures the working-capital loan"),
)


def related_agreements(document_names: list[str]) -> list[dict[str, str]]:
    """The related agreements a packet holds, in precedence order: [{'name', 'title', 'subject'}]."""
    present = set(document_names)
    return [
        {"name": name, "title": title, "subject": subject}
        for name, title, subject in RELATED_AGREEMENTS
        if name in present
    ]


def _paragraph(text: str, caption: str) -> str:
    """The paragraph that opens with a caption ('Entire Agreement'), or ''."""
    for line in text.splitlines():
        if re.search(rf"(?:^|\s){re.escape(caption)}\b", line[:80]):
            return line
    return ""


def integration_findings(texts: dict[str, str]) -> list[Finding]:
    """The MSA's integration clause names every related agreement of the packet and says which controls."""
    msa = texts.get("msa")
    if msa is None:
        return []
    clause = plain(_paragraph(msa, "Entire Agreement"))
    if not clause:
        return [
            Finding(
                "packet.integration",
                "error",
                "the Management Services Agreement has no Entire Agreement "
                "clause; it must name every related agreement of the packet with an order of precedence",
                document="msa",
                action="flagged",
            )
        ]
    findings = []
    missing = [item["title"] for item in related_agreements(list(texts)) if item["title"] not in clause]
    if missing:
        findings.append(
            Finding(
                "packet.integration",
                "error",
                "the Management Services Agreement’s Entire Agreement clause does not name "
                + ", ".join(missing)
                + ", which the packet holds; it could be read to supersede "
                "them",
                document="msa",
                action="flagged",
            )
        )
    if "controls" not in clause:
        findings.append(
            Finding(
                "packet.integration",
                "error",
                "the Management Services Agreement’s Entire "
                "Agreement clause gives no order of precedence among the agreements",
                document="msa",
                action="flagged",
            )
        )
    return findings


_NUMBER = r"[a-z\- ]+ \((\d+)\)"


def event_words(label: str) -> str:
    """A transfer event's label as a pattern over plain text, any owner term in place of 'owner'
    ('Owner', 'Shareholder', 'Practice Owner')."""
    return re.escape(plain(label)).replace("owner", r"[A-Za-z][A-Za-z ]*?")


def _timetable_pattern(label: str) -> re.Pattern[str]:
    return re.compile(
        event_words(label) + rf": {_NUMBER} days, with the successor named within {_NUMBER} days and the price "
        rf"agreed within {_NUMBER} days after the event",
        re.IGNORECASE,
    )


TIMETABLE_PATTERNS = {key: _timetable_pattern(label) for key, label in TRANSFER_EVENTS}
_NOTICE = re.compile(rf"notify[^.]*? within {_NUMBER} (?:business )?days after (?:a Transfer Event|\(a\) any)")
_ESTIMATE = "its good-faith estimate of the price"


def timetable_findings(texts: dict[str, str]) -> list[Finding]:
    """In each document that lists the transfer events: notice <= successor <= price <= closing, and
    an appraisal that cannot finish before the closing is settled after it (estimate and escrow)."""
    findings = []
    for name, text in sorted(texts.items()):
        flat = plain(text)
        notice = min((int(m.group(1)) for m in _NOTICE.finditer(flat)), default=0)
        late_appraisal = []
        for key, pattern in TIMETABLE_PATTERNS.items():
            for match in pattern.finditer(flat):
                closing, successor, price = (int(g) for g in match.groups())
                if not notice <= successor <= price <= closing:
                    findings.append(
                        Finding(
                            f"packet.timetable.{key}",
                            "error",
                            f"{name}: the succession timetable after {key.replace('_', ' ')} does not add up (notice "
                            f"within {notice} days, successor within {successor}, price within {price}, closing "
                            f"within {closing}); each step must finish before the next and all by the closing",
                            document=name,
                            action="flagged",
                        )
                    )
                if price + APPRAISAL_DAYS > closing:
                    late_appraisal.append(key)
        if late_appraisal and "fair market value of the interest" in flat and _ESTIMATE not in flat:
            findings.append(
                Finding(
                    "packet.timetable.appraisal",
                    "error",
                    f"{name}: an appraisal cannot finish before the closing deadline after "
                    + ", ".join(k.replace("_", " ") for k in late_appraisal)
                    + ", and the document does not close on an estimate adjusted after the closing",
                    document=name,
                    action="flagged",
                )
            )
    return findings


# Pairs of wording that contradict each other across documents: (what grants, what forbids, the right).
_CONTRADICTIONS = (
    (
        re.compile(r"shall not amend [^.]*without MSO's prior written (?:approval|consent)"),
        re.compile(
            r"no amendment may be conditioned on, or require, the consent or approval of any Management Services "
            r"Organization"
        ),
        "approve amendments of the practice’s governing documents",
    ),
    (
        re.compile(r"(?:and MSO have approved in writing|whose acquisition MSO has approved in writing)"),
        re.compile(r"No Management Services Organization or MSO Person may [^.]*approve[^.]*Transfer"),
        "approve transfers of the practice’s ownership interests",
    ),
)


def approval_findings(texts: dict[str, str]) -> list[Finding]:
    """No document grants the MSO an approval right that another document of the packet forbids."""
    flat = {name: plain(text) for name, text in texts.items()}
    findings = []
    for grants, forbids, right in _CONTRADICTIONS:
        granting = sorted(name for name, text in flat.items() if grants.search(text))
        forbidding = sorted(name for name, text in flat.items() if forbids.search(text))
        if granting and forbidding:
            findings.append(
                Finding(
                    "packet.approval_rights",
                    "error",
                    f"{', '.join(granting)} give{'s' if len(granting) == 1 else ''} the MSO the right to {right}, which "
                    f"{', '.join(forbidding)} forbid{'s' if len(forbidding) == 1 else ''}; the documents must say the "
                    "same thing",
                    action="flagged",
                )
            )
    return findings


# Each condition a document sets on the signing order: (document, wording that sets it, the step that
# must come first, the step that waits), the steps named as the checklist's table names them.
_ORDER_CONDITIONS = (  # (document, its condition, what must come first, what it must come before)
    (
        "practice_consent",
        "no share is issued to any person who has not signed the Continuity Agreement",
        "Continuity Agreement",
        "Ownership Ledger",
    ),
    (
        "practice_consent",
        "no interest is issued to any person who has not signed the Continuity Agreement",
        "Continuity Agreement",
        "Ownership Ledger",
    ),
    (
        "practice_consent",
        "may not sign the Management Services Agreement until the Practice has received a written opinion",
        "fair-market-value opinion",
        "Management Services Agreement",
    ),
)
_ROW = re.compile(r"^(\d+) \| ([^|]*) \|")


def signing_order_findings(texts: dict[str, str]) -> list[Finding]:
    """The checklist's signing order meets every order the consents set: what must come first is in
    an earlier step, or earlier in the same step (one sitting, signed in the order listed)."""
    checklist = texts.get("formation_checklist")
    if checklist is None:
        return []
    rows = [(int(m.group(1)), plain(m.group(2))) for m in map(_ROW.match, checklist.splitlines()) if m]

    def place(words: str) -> tuple[int, int] | None:
        return next(((number, step.index(words)) for number, step in rows if words in step), None)

    findings = []
    for document, condition, before, after in _ORDER_CONDITIONS:
        if document not in texts or condition not in plain(texts[document]):
            continue
        first, then = place(before), place(after)
        if first is None or then is None or first >= then:
            findings.append(
                Finding(
                    "packet.signing_order",
                    "error",
                    f"{document} requires \u201c{condition}\u201d, but the checklist’s signing order does not put "
                    f"\u201c{before}\u201d (step {first[0] if first else 'missing'}) before \u201c{after}\u201d "
                    f"(step {then[0] if then else 'missing'})",
                    document="formation_checklist",
                    action="flagged",
                )
            )
    return findings


def system_findings(texts: dict[str, str]) -> list[Finding]:
    """Every packet-as-a-system check. texts: document name -> text."""
    return (
        timetable_findings(texts)
        + integration_findings(texts)
        + approval_findings(texts)
        + signing_order_findings(texts)
    )


def signing_table(steps: list[dict[str, Any]]) -> str:
    """The signing order as the checklist's table reads in text ('1 | step | who' rows)."""
    return "\n".join(f"{s['step']} | {s['what']} | {s['who']}" for s in steps)
