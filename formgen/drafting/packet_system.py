"""The packet as one system: the checks that its control documents work together.

The drafts take every shared value from the deal file; these checks read the documents' text (a
draft's or a built packet's, after any hand edit) and prove four properties a lawyer checks by
hand: the succession timetable adds up, the MSA's integration clause names every other agreement
between the parties with an order of precedence, no document grants the MSO an approval right that
another forbids, the checklist's signing order meets every condition a document sets on it, and the
practice's organizational consent adopts or approves every document that declares it does.
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
        # (an amendment "only together" with the MSO's agreements needs the MSO's signature: a veto too)
        re.compile(
            r"shall not amend [^.]*without MSO's prior written (?:approval|consent)"
            r"|must be amended together|shall amend them only together"
        ),
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


# Each order a document's words set on the signing: (document, the words that set it, what must come
# first, what comes after it, whether "first" means only "at the same sitting or before"). The steps
# are named as the checklist's table names them: "{practice}" is the practice's name, "{consent}" the
# practice's organizational consent, "{governing}" its governing document.
_ORDER_CONDITIONS = (
    (
        "practice_consent",
        r"no (?:share|interest) is issued to any person who has not signed the Continuity Agreement",
        "Continuity Agreement",
        "{consent}",
        False,
    ),
    (
        "practice_consent",
        r"no (?:share|interest) is issued to any person who has not signed the Continuity Agreement",
        "Continuity Agreement",
        "Ownership Ledger",
        False,
    ),
    (
        "practice_consent",
        r"in the form presented with this consent (?:is|are) adopted as the",
        "{governing}",
        "{consent}",
        False,
    ),
    (
        "practice_consent",
        r"may not sign the Management Services Agreement until the Practice has received a written opinion",
        "fair-market-value opinion",
        "Management Services Agreement",
        False,
    ),
    (
        "mso_consent",
        r"not sign the Continuity Agreement until it has received the written advice of health care regulatory counsel",
        "health care regulatory counsel",
        "Continuity Agreement",
        False,
    ),
    # An owner who signs the governing document must be a party to the Continuity Agreement: it is
    # signed at the same sitting (released together), never a step after.
    (
        "practice_bylaws",
        r"Continuity Agreement [^.]*to which every Shareholder must be a party",
        "Continuity Agreement",
        "{governing}",
        True,
    ),
    (
        "practice_operating_agreement",
        r"Continuity Agreement [^.]*to which every Member must be a party",
        "Continuity Agreement",
        "{governing}",
        True,
    ),
)
_ROW = re.compile(r"^(\d+) \| ([^|]*) \|")
_CONSENT_ROW = r"Action by Unanimous Written Consent of the (?:Shareholders and Directors|Members and Managers) of"
_PRACTICE = re.compile(r"all of the (?:directors|managers) of (.+?), an? [A-Z]")


def _checklist_rows(texts: dict[str, str]) -> list[tuple[int, str]]:
    return [
        (int(m.group(1)), plain(m.group(2)))
        for m in map(_ROW.match, texts.get("formation_checklist", "").splitlines())
        if m
    ]


def _place(rows: list[tuple[int, str]], pattern: str) -> tuple[int, int] | None:
    """(step, position in the step) of the first checklist item that matches ``pattern``."""
    return next(((number, m.start()) for number, step in rows for m in [re.search(pattern, step)] if m), None)


def _step_names(texts: dict[str, str]) -> dict[str, str]:
    """The checklist's names (as patterns) for the practice, its consent and its governing document."""
    found = _PRACTICE.search(plain(texts.get("practice_consent", "")))
    practice = re.escape(found.group(1)) if found else r"[^;]+"
    return {
        "practice": practice,
        "consent": _CONSENT_ROW,
        "governing": rf"(?:Bylaws|Company Agreement|Operating Agreement) of {practice}",
    }


def signing_order_findings(texts: dict[str, str]) -> list[Finding]:
    """The checklist's signing order meets every order the documents set: what must come first is in
    an earlier step, or earlier in the same step (one sitting, signed in the order listed); a
    same-sitting condition is met anywhere in the same step or an earlier one."""
    rows = _checklist_rows(texts)
    if not rows:
        return []
    names = _step_names(texts)
    findings = []
    for document, condition, before, after, same_sitting in _ORDER_CONDITIONS:
        required = re.search(condition, plain(texts[document])) if document in texts else None
        if required is None:
            continue
        first_pattern = before if before.startswith("{") else re.escape(before)
        then_pattern = after if after.startswith("{") else re.escape(after)
        first = _place(rows, first_pattern.format(**names))
        then = _place(rows, then_pattern.format(**names))
        late = first is None or then is None or (first[0] > then[0] if same_sitting else first >= then)
        if late:
            findings.append(
                Finding(
                    "packet.signing_order",
                    "error",
                    f"{document} requires \u201c{required.group(0)}\u201d, "
                    f"but the checklist’s signing order does not put \u201c{before.strip('{}')}\u201d "
                    f"(step {first[0] if first else 'missing'}) "
                    f"{'at the same sitting as or before' if same_sitting else 'before'} "
                    f"\u201c{after.strip('{}')}\u201d (step {then[0] if then else 'missing'})",
                    document="formation_checklist",
                    action="flagged",
                )
            )
    return findings


def consent_findings(texts: dict[str, str], consented: dict[str, str]) -> list[Finding]:
    """The practice's organizational consent names every document the packet holds that it adopts or
    approves (``consented``: document name -> title, from each document's ``practice_consent``), and
    the signing order puts each at the consent's sitting, after it, or later."""
    consent = texts.get("practice_consent")
    if consent is None:
        return []
    flat, rows = plain(consent), _checklist_rows(texts)
    at_consent = _place(rows, _CONSENT_ROW)
    findings = []
    for name, title in sorted(consented.items()):
        if name not in texts:
            continue
        if plain(title) not in flat:
            findings.append(
                Finding(
                    "packet.consent",
                    "error",
                    f"the Practice’s organizational consent does not adopt or approve the {title}, which the "
                    "packet holds; the Practice would sign it without its governing body’s approval",
                    document="practice_consent",
                    action="flagged",
                )
            )
        signed = _place(rows, re.escape(title))
        if rows and (at_consent is None or signed is None or signed <= at_consent):
            findings.append(
                Finding(
                    "packet.signing_order",
                    "error",
                    f"the Practice’s organizational consent adopts or approves the {title}, but the checklist’s "
                    f"signing order puts it (step {signed[0] if signed else 'missing'}) before the consent "
                    f"(step {at_consent[0] if at_consent else 'missing'})",
                    document="formation_checklist",
                    action="flagged",
                )
            )
    return findings


def system_findings(texts: dict[str, str], consented: dict[str, str] | None = None) -> list[Finding]:
    """Every packet-as-a-system check. texts: document name -> text; consented: the documents the
    practice's consent must adopt or approve (name -> title), where the packet's specs are known."""
    return (
        timetable_findings(texts)
        + integration_findings(texts)
        + approval_findings(texts)
        + signing_order_findings(texts)
        + consent_findings(texts, consented or {})
    )


def signing_table(steps: list[dict[str, Any]]) -> str:
    """The signing order as the checklist's table reads in text ('1 | step | who' rows)."""
    return "\n".join(f"{s['step']} | {s['what']} | {s['who']}" for s in steps)
