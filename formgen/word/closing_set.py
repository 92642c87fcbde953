"""The closing set of a packet (closing/ in its folder): the closing checklist, the closing
documents (standing payment authorization, fair-market-value engagement letter, officer's
certificates) and one signature packet per signer (formgen/word/signature_packets.py).

Each closing document is a list of blocks rendered with the packet's own Word layout, so it reads
like the documents it closes. The legal text is a first-pass draft for attorney review.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass

from ..drafting.closing import (
    ClosingItem,
    Requirement,
    Step,
    closing_items,
    consent_requirements,
    declared_signers,
    order_violations,
    present_requirements,
    signer_key,
    signing_steps,
)
from ..drafting.context import build_context, longdate, placeholder
from ..drafting.packet import Packet, header_text
from ..errors import TemplateError
from ..inputs.library import Library
from ..inputs.documents import DEFAULT_TEMPLATE, entity_charter, entity_governing_document
from ..markup import curly_quotes
from .render import DRAFT_NOTICE, render_docx

CLOSING_DIR = "closing"
CHECKLIST_FILE = f"{CLOSING_DIR}/closing_checklist.docx"
DELIVERABLES_HEADER = ["Deliverable", "File", "Status"]
FORM_OF_JOINDER_FILE = f"{CLOSING_DIR}/owner_joinder_form.docx"
FORM_STATUS = "Form only"


@dataclass
class SignedDocument:
    """A document of the closing that someone signs: a packet document or a closing document."""

    name: str  # registry name, or the closing item's name
    title: str
    subtitle: str
    blocks: list[dict]
    filename: str  # where it is in the packet folder

    @property
    def full_name(self) -> str:
        """As a list names it: "Bylaws of X", "Continuity Agreement (among X, Y and Z)"."""
        if not self.subtitle or self.subtitle.startswith("of "):
            return f"{self.title} {self.subtitle}".strip()
        return f"{self.title} ({self.subtitle})"

    @property
    def label(self) -> str:
        """Its name in lists: title, plus "of <entity>" where the subtitle says it."""
        return f"{self.title} {self.subtitle}" if self.subtitle.startswith("of ") else self.title

    def signature_blocks(self) -> list[tuple[dict, str | None]]:
        """Every signer of every signature block, with the lead-in text above the block."""
        out, lead = [], None
        for block in self.blocks:
            if block["kind"] == "lead":
                lead = block["text"]
            elif block["kind"] == "signatures":
                out += [(signer, lead) for signer in block["signers"]]
                lead = None
        return out

    def signer_keys(self) -> list[str]:
        return [signer_key(signer, self.label) for signer, _ in self.signature_blocks()]


def _para(text: str, caption: str = "") -> dict:
    return {"kind": "para", "caption": caption, "text": text}


def _sign(party: str, name: str, title: str = "", role: str = "", description: str = "") -> dict:
    return {"party": party, "name": name, "title": title, "role": role, "description": description}


def _signatures(lead: str, *signers: dict) -> list[dict]:
    return [{"kind": "lead", "text": lead}, {"kind": "signatures", "signers": list(signers)}]


def payment_authorization(packet: Packet, context: dict) -> SignedDocument:
    deal = packet.deal
    practice, mso = deal.practice, deal.mso
    dated = longdate(deal.deal.effective_date)
    # The amount is the Agreement's, not restated: a fee changed by amendment needs no new instruction.
    amount = (
        "the Management Fee then due under the Agreement, in the amount shown on the MSO’s invoice for the "
        "month once the Practice has reviewed and approved it"
    )
    blocks = [
        _para(
            f"{practice.name} (the “Practice”) gives this standing instruction to {placeholder('bank')} "
            f"(the “Bank”) for the deposit account the Practice holds in its own name, account number "
            f"{placeholder('account number')} (the “Account”), to pay the management fee due to {mso.name} "
            f"(the “MSO”) under the Management Services Agreement between the Practice and the MSO dated as of "
            f"{dated} (the “Agreement”)."
        ),
        _para(
            f"Each month, on the day the Agreement makes the fee due, the Bank shall send from the Account to the "
            f"MSO’s account {placeholder('MSO account and routing number')} {amount}, and no more. The Practice "
            "initiates each payment: this instruction is the Practice’s own standing order, given by its authorized "
            "signatory, and is not an authorization for the MSO to debit the Account.",
            "Payments.",
        ),
        _para(
            "Neither the MSO nor any owner, manager, officer, employee or agent of the MSO has, or receives under "
            "this instruction, any signature authority over the Account, any power of attorney from the Practice, "
            "or any right to initiate, change or approve a payment from the Account. The Bank shall not accept an "
            "instruction about the Account from any of them.",
            "No authority of the MSO.",
        ),
        _para(
            "The Practice may change or revoke this instruction at any time, without the consent of the MSO, by "
            "notice to the Bank, effective once the Bank has had a reasonable time to act on it. The Practice "
            "shall send the MSO a copy. A revocation does not change what either party owes the other under the "
            "Agreement.",
            "Revocation.",
        ),
        _para(
            "Statements of the Account go to the Practice. The Practice may share them with the MSO for the "
            "bookkeeping services the Agreement describes; sharing them gives the MSO no authority over the "
            "Account.",
            "Statements.",
        ),
        {
            "kind": "note",
            "text": "Conform this instruction to the Bank’s own standing-payment form; keep the "
            "statements that the Practice initiates each payment and that the MSO has no "
            "authority over the Account, which both organizational consents require.",
        },
        *_signatures(
            f"The Practice gives this instruction as of {dated}.",
            _sign(practice.name, practice.signatory.name, practice.signatory.title),
        ),
    ]
    return SignedDocument(
        "payment_authorization",
        "Standing Payment Authorization",
        f"{practice.name} to {placeholder('bank')}",
        blocks,
        f"{CLOSING_DIR}/payment_authorization.docx",
    )


def fmv_engagement_letter(packet: Packet, context: dict) -> SignedDocument:
    deal = packet.deal
    practice, mso = deal.practice, deal.mso
    basis = context["fee_basis"].replace("_", " ")
    blocks = [
        _para(
            f"{mso.name} (the “MSO”) and {practice.name} (the “Practice”) engage {placeholder('valuation firm')} "
            "(the “Firm”) to give the written opinion described in this letter."
        ),
        _para(
            "The Firm shall give its written opinion whether the management fee the Practice is to pay the MSO "
            f"under the proposed Management Services Agreement (a {basis} fee) is consistent with fair market value "
            "for the services, space, equipment and personnel the MSO is to furnish, and whether it was set in "
            "advance and without taking into account the volume or value of referrals or other business between "
            f"the parties. The Firm shall give the same opinion on the compensation of {practice.medical_director} "
            "under the proposed Medical Director Agreement.",
            "Scope.",
        ),
        _para(
            "The Firm confirms that it is independent of both parties and of their owners, that its fee does not "
            "depend on its conclusion or on the closing of the transaction, and that it will disclose any "
            "relationship that could bear on its independence.",
            "Independence.",
        ),
        _para(
            "The Firm shall deliver its opinion to both parties before either signs the Management Services "
            "Agreement; both parties’ organizational consents make signing wait for it.",
            "Timing.",
        ),
        _para(
            f"The Firm’s fee is {placeholder('fee')}, paid {placeholder('by the Practice / shared equally')}.", "Fee."
        ),
        *(
            [
                _para(
                    "The Firm shall also review the fee each year during the term, as the Management Services "
                    "Agreement provides.",
                    "Annual review.",
                )
            ]
            if deal.fees.fmv_review == "annual"
            else []
        ),
        *_signatures(
            f"Agreed as of {longdate(deal.deal.effective_date)}.",
            _sign(mso.name, mso.signatory.name, mso.signatory.title),
            _sign(practice.name, practice.signatory.name, practice.signatory.title),
        ),
    ]
    return SignedDocument(
        "fmv_engagement_letter",
        "Fair-Market-Value Engagement Letter",
        f"{mso.name} and {practice.name}",
        blocks,
        f"{CLOSING_DIR}/fmv_engagement_letter.docx",
    )


def officer_certificate(packet: Packet, context: dict, entity: str) -> SignedDocument:
    deal = packet.deal
    body = deal.practice if entity == "practice" else deal.mso
    signatory = body.signatory
    charter, governing = entity_charter(deal, entity), entity_governing_document(deal, entity)
    state = context[f"{entity}_formation_state_name"]
    consent = "Action by Unanimous Written Consent of the " + (
        ("Members and Managers" if deal.practice.entity_type.is_llc else "Shareholders and Directors")
        if entity == "practice"
        else "Members"
    )
    dated = longdate(deal.deal.effective_date)
    officers = [[signatory.name, signatory.title, "______________________________"]]
    if entity == "practice" and context["practice_president"] != signatory.name:
        officers.append([context["practice_president"], "President", "______________________________"])
    blocks = [
        _para(
            f"The undersigned, the {signatory.title} of {body.name} (the “Company”), certifies for the Company, "
            "and not personally, as follows:"
        ),
        _para(
            f"Attached as Exhibit A is a true and complete copy of the {charter} of the Company as filed with the "
            f"{state} Secretary of State on {placeholder('filing date')}. It has not been amended, and no "
            "proceeding to amend it or to dissolve the Company is pending.",
            "Charter.",
        ),
        _para(
            f"Attached as Exhibit B is a true and complete copy of the {governing} of the Company, in effect on "
            "the date of this certificate.",
            "Governing document.",
        ),
        _para(
            f"Attached as Exhibit C is a true and complete copy of the {consent} of the Company effective as of "
            f"{dated}. Its resolutions were adopted as the {governing} and the law require, have not been changed "
            "or revoked, and are in full force.",
            "Resolutions.",
        ),
        _para(
            "Each person named below holds the office shown beside the person’s name, and the signature beside "
            "it is that person’s genuine signature.",
            "Incumbency.",
        ),
        {"kind": "table", "header": ["Name", "Office", "Specimen signature"], "rows": officers},
    ]
    if entity == "practice":
        blocks += [
            _para(
                "Each owner of the Company named below holds the professional license shown, which the Secretary "
                "verified with the licensing authority that issued it on the date shown as current and "
                "unrestricted; a copy of each verification is attached as Exhibit D.",
                "Licenses.",
            ),
            {
                "kind": "table",
                "header": ["Owner", "License", "State", "Number", "Verified on"],
                "rows": [
                    [o.name, o.license.type.value, o.license.state, o.license.number, placeholder("date")]
                    for o in deal.practice.owners
                ],
            },
        ]
    blocks += [
        {
            "kind": "note",
            "text": "Have a second officer certify the incumbency and signature of the officer who "
            "signs this certificate where the counterparty asks for it.",
        },
        *_signatures(
            f"The undersigned has signed this certificate as of {dated}.",
            _sign(body.name, signatory.name, signatory.title),
        ),
    ]
    return SignedDocument(
        f"officer_certificate.{entity}",
        "Officer’s Certificate",
        f"of {body.name}",
        blocks,
        f"{CLOSING_DIR}/officer_certificate.{entity}.docx",
    )


def owner_joinder_form(packet: Packet, context: dict) -> SignedDocument:
    """The joinder a person who becomes an owner after the closing signs before any interest is
    issued or transferred to them: the owners at the closing sign the agreements themselves."""
    deal = packet.deal
    practice, mso = deal.practice, deal.mso
    dated = longdate(deal.deal.effective_date)
    present = {d.spec.name for d in packet.documents}
    agreements = "the Continuity Agreement" + (
        " and the Owner Covenant Agreement" if "owner_covenant" in present else ""
    )
    interest = "shares" if context["practice_governing_document"] == "Bylaws" else "a membership interest"
    blocks = [
        {
            "kind": "note",
            "text": "Use this form when a person becomes an owner of the Practice after the closing "
            "(a new owner, a successor owner or a transferee): the Practice issues or transfers "
            "no interest to the person until the person signs it, as the Practice’s "
            "organizational consent and the Continuity Agreement require. The owners at the "
            "closing sign the agreements themselves and need no joinder.",
        },
        _para(
            f"The undersigned, {placeholder('name of new owner')}, licensed as "
            f"{placeholder('license type, state and number')}, is acquiring {interest} in {practice.name} (the "
            f"“Practice”) on {placeholder('date')}."
        ),
        _para(
            f"By signing this joinder, the undersigned becomes a party to, and an “Owner” under, "
            f"{agreements} dated as of {dated} among {mso.name} (the “MSO”), the Practice and its owners, "
            "each as amended (the “Agreements”), with the rights and obligations of each Owner who signed "
            "them, from the date below. No interest passes to the undersigned before this joinder is signed.",
            "Joinder.",
        ),
        _para(
            f"The undersigned agrees to be bound, as an owner, by the Practice’s "
            f"{context['practice_governing_document']}.",
            "Governing document.",
        ),
        _para(
            "If the undersigned is married, the undersigned’s spouse signs, with this joinder, a consent of "
            "spouse in the form attached to the Continuity Agreement as Exhibit A.",
            "Spouse.",
        ),
        _para("The Practice and the MSO accept the undersigned as a party to the Agreements.", "Acceptance."),
        *_signatures(
            "The undersigned has signed this joinder on the date below.",
            _sign("OWNER", placeholder("name of new owner")),
        ),
        *_signatures(
            "Accepted:",
            _sign(practice.name, practice.signatory.name, practice.signatory.title),
            _sign(mso.name, mso.signatory.name, mso.signatory.title),
        ),
    ]
    return SignedDocument("owner_joinder_form", "Form of Joinder", f"to {agreements}", blocks, FORM_OF_JOINDER_FILE)


def closing_documents(packet: Packet, context: dict) -> list[SignedDocument]:
    return [
        fmv_engagement_letter(packet, context),
        payment_authorization(packet, context),
        officer_certificate(packet, context, "practice"),
        officer_certificate(packet, context, "mso"),
        owner_joinder_form(packet, context),
    ]


@dataclass
class ClosingSet:
    steps: list[Step]
    items: dict[str, ClosingItem]
    documents: dict[str, SignedDocument]  # every signed document, packet and closing, by name
    requirements: tuple[Requirement, ...] = ()  # every requirement among the items, declared ones included


def plan_closing(packet: Packet) -> ClosingSet:
    """The signed documents and the signing order, checked against every document's own conditions
    and every document's declared signers."""
    context = build_context(packet.deal, packet.rules, packet.library)
    documents = {}
    for doc in packet.documents:
        if doc.spec.report:
            continue
        title, subtitle = doc.spec.titles(packet.deal)
        signed = SignedDocument(doc.spec.name, title, subtitle, doc.blocks, doc.spec.filename)
        declared = declared_signers(doc.spec, packet.deal, context)
        if signed.signer_keys() != declared:
            raise TemplateError(
                f"{doc.spec.filename}: its signature blocks ({', '.join(signed.signer_keys())}) "
                f"are not the signers the registry declares ({', '.join(declared)})"
            )
        documents[doc.spec.name] = signed
    for extra in closing_documents(packet, context):
        documents[extra.name] = extra
    items = {item.name: item for item in closing_items(packet.deal, context["mso_designates"])}
    names = list(dict.fromkeys([*(d.spec.name for d in packet.documents if not d.spec.report), *items]))
    declared = consent_requirements([d.spec for d in packet.documents])
    steps = signing_steps(names, declared)
    problems = order_violations(steps, declared)
    if problems:
        raise TemplateError("The closing order contradicts a document’s own condition: " + "; ".join(problems))
    return ClosingSet(steps, items, documents, tuple(present_requirements(names, declared)))


def _signer_line(signer: dict) -> str:
    name, party, title = signer["name"], signer["party"], signer["title"]
    if title:
        return f"{name} ({title}) for {party}"
    return name if party == party.upper() else f"{name} for {party}"


def checklist_blocks(closing: ClosingSet, packet: Packet, packet_files: dict[str, str]) -> list[dict]:
    deal = packet.deal
    rows = []
    for step in closing.steps:
        for name in step.items:
            doc, item = closing.documents.get(name), closing.items.get(name)
            what = doc.full_name if doc else item.title
            if doc and name in ("practice_articles", "mso_articles"):
                what += " (file with the Secretary of State)"
            who = "; ".join(dict.fromkeys(_signer_line(s) for s, _ in doc.signature_blocks())) if doc else item.who
            needs = "; ".join(
                f"{_name_of(r.before, closing)} first ({curly_quotes(r.reason)})"
                if r.strict
                else f"{_name_of(r.before, closing)} at the same sitting, signed first ({curly_quotes(r.reason)})"
                if r.together
                else f"{_name_of(r.before, closing)} at the same sitting or before ({curly_quotes(r.reason)})"
                for r in _requirements_of(name, closing)
            )
            rows.append([str(step.number), what, who or "-", needs or "-", OPEN])
    conditions = [[i.title, i.who, "Open"] for i in closing.items.values() if i.kind in ("condition", "deliverable")]
    deliverables = [
        [d.full_name, d.filename, FORM_STATUS if d.filename == FORM_OF_JOINDER_FILE else OPEN]
        for d in closing.documents.values()
        if d.filename.startswith(CLOSING_DIR)
    ]
    deliverables += [[f"Signature packet of {signer}", filename, "Open"] for signer, filename in packet_files.items()]
    filings = [
        [closing.documents[n].full_name, "Secretary of State", "Open"]
        for n in ("practice_articles", "mso_articles")
        if n in closing.documents
    ]
    return [
        _para(
            f"The closing of {deal.deal.name}, effective as of {longdate(deal.deal.effective_date)}. The order "
            "follows from what each document itself requires first (the last column); items in the same step are "
            "signed at one sitting, in the order listed. Update the status column as each item is done."
        ),
        {"kind": "subheading", "text": "SIGNING ORDER"},
        {"kind": "table", "header": ["Step", "Document or action", "Signers", "Requires", "Status"], "rows": rows},
        {"kind": "subheading", "text": "CONDITIONS PRECEDENT"},
        {"kind": "table", "header": ["Condition", "Who", "Status"], "rows": conditions},
        {"kind": "subheading", "text": "FILINGS"},
        {"kind": "table", "header": ["Filing", "With", "Status"], "rows": filings},
        {"kind": "subheading", "text": "DELIVERABLES"},
        {"kind": "table", "header": list(DELIVERABLES_HEADER), "rows": deliverables},
        _owners_and_joinders(closing, packet),
    ]


def _owners_and_joinders(closing: ClosingSet, packet: Packet) -> dict:
    """Who joins the owners' agreements how, in plain words: the owners at the closing sign them;
    the joinder form is for a later owner (a joinder from a signer would be redundant)."""
    agreements = [
        closing.documents[name].title
        for name in ("continuity_agreement", "owner_covenant")
        if name in closing.documents
    ]
    signed = " and the ".join(agreements)
    spouses = (
        " (each married owner’s spouse signs the consent attached to the Continuity Agreement)"
        if any(o.spouse for o in packet.deal.practice.owners)
        else ""
    )
    return _para(
        f"The owners at the closing sign the {signed} themselves{spouses} and sign no joinder. The Form of "
        "Joinder is for a person who becomes an owner later, who signs it before any interest passes to them.",
        "Owners and joinders.",
    )


def _name_of(name: str, closing: ClosingSet) -> str:
    document = closing.documents.get(name)
    return document.label if document else closing.items[name].title


def _requirements_of(name: str, closing: ClosingSet):
    return [r for r in closing.requirements if r.item == name]


def render_closing_document(packet: Packet, title: str, subtitle: str, blocks: list[dict]) -> bytes:
    return render_blocks(packet.library, header_text(packet.deal), title, subtitle, blocks)


def render_blocks(library: Library, header: str, title: str, subtitle: str, blocks: list[dict]) -> bytes:
    """A closing document in the packet's shared Word layout (the same inputs give the same bytes)."""
    return render_docx(
        library.template(DEFAULT_TEMPLATE, DEFAULT_TEMPLATE),
        {
            "title": title,
            "subtitle": subtitle,
            "document_title": title,
            "header_text": header,
            "draft_notice": DRAFT_NOTICE,
            "blocks": blocks,
        },
    )


# ------------------------------------------------------------------ status


OPEN = "Open"


def status_text(record: dict | None) -> str:
    """The checklist's Status for a document: "Executed <date>" once ``mark-executed`` recorded it."""
    if not record:
        return OPEN
    try:
        return f"Executed {longdate(dt.date.fromisoformat(str(record.get('date'))))}"
    except ValueError:
        return "Executed"


def with_statuses(blocks: list[dict], order: list[str], executed: dict[str, dict]) -> list[dict]:
    """The checklist's blocks with each signing-order row's Status from ``executed`` (document name
    -> its execution record); ``order``: the item name of each row of the signing-order table."""
    out = copy.deepcopy(blocks)
    tables = [b for b in out if b["kind"] == "table"]
    for row, name in zip(tables[0]["rows"], order):  # the signing order comes first
        row[-1] = status_text(executed.get(name))
    by_file = {record.get("file"): record for record in executed.values()}
    for table in tables[1:]:
        if table["header"] == DELIVERABLES_HEADER:  # a closing document signed shows so there too
            for row in table["rows"]:
                if row[1] in by_file:
                    row[-1] = status_text(by_file[row[1]])
    return out
