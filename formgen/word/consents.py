"""The consents that approve an amendment, where the packet's governing documents require them.

The MSO's operating agreement makes a material amendment of a management services agreement,
or a change of a fee payable under one, a Major Decision needing a Supermajority in Interest;
the practice's bylaws (or operating agreement) let it take management services only under an
agreement its board approved. So an amendment of the MSA comes with a written consent of the
MSO's members and one of the practice's board, each a first-pass draft for counsel.
"""

from __future__ import annotations

from lxml import etree

from ..inputs.documents import entity_governing_document
from .amend import Terms, new_paragraph, save_package, relabel_footers
from .ooxml import read_package
from .redline_package import P, SECT_PR
from .wordml import q


def _page_break() -> etree._Element:
    paragraph = etree.Element(P)
    etree.SubElement(etree.SubElement(paragraph, q("r")), q("br")).set(q("type"), "page")
    return paragraph


def _signature(name: str, caption: str) -> list[etree._Element]:
    return [new_paragraph("______________________________"), new_paragraph(f"{name}{caption}")]


def _mso_consent(terms: Terms, deal, sections: str) -> list[etree._Element]:
    mso, practice = deal.mso, deal.practice
    governing = entity_governing_document(deal, "mso")
    out = [
        new_paragraph(f"Written Consent of the Members of {mso.name}", "Title"),
        new_paragraph(
            f'The undersigned, being Members of {mso.name} (the "Company") who together hold at least a '
            "Supermajority in Interest, act by written consent without a meeting under the Company’s "
            f'{governing} (the "{governing}") and adopt the following resolutions.'
        ),
        new_paragraph(
            f"WHEREAS, under the {governing}, materially amending a management services agreement "
            "with a Client Practice, or changing a fee payable under one, is a Major Decision that requires "
            "the approval of a Supermajority in Interest;"
        ),
        new_paragraph(
            f"WHEREAS, the Company and {practice.name} propose to enter into Amendment No. {terms.number} to "
            f"the {terms.title} between them dated as of {terms.signed_on}, which amends {sections};"
        ),
        new_paragraph(
            f"RESOLVED, that Amendment No. {terms.number}, in the form presented to the Members, is approved; and"
        ),
        new_paragraph(
            f"RESOLVED FURTHER, that {mso.signatory.name}, as {mso.signatory.title} of the Company, is "
            f"authorized to sign and deliver Amendment No. {terms.number} on behalf of the Company and to "
            "take every other action needed to carry it out."
        ),
        new_paragraph(
            "This consent may be signed in counterparts and takes effect when Members holding a "
            "Supermajority in Interest have signed it."
        ),
    ]
    for member in mso.members:
        out += _signature(member.name, f", Member ({member.percent}% Percentage Interest)")
    return out


def _practice_consent(terms: Terms, deal, sections: str) -> list[etree._Element]:
    practice = deal.practice
    llc = practice.entity_type.is_llc
    board = "Board of Managers" if llc else "Board of Directors"
    governing = entity_governing_document(deal, "practice")
    member = "Manager" if llc else "Director"
    out = [
        new_paragraph(f"Unanimous Written Consent of the {board} of {practice.name}", "Title"),
        new_paragraph(
            f'The undersigned, being all of the {member}s of {practice.name} (the "Practice"), act by '
            f"unanimous written consent without a meeting under the Practice’s {governing} and adopt the "
            "following resolutions."
        ),
        new_paragraph(
            f"WHEREAS, under the {governing}, the Practice may obtain management services only under a "
            f"written agreement the {board} has approved, and an amendment of that agreement needs the "
            "same approval;"
        ),
        new_paragraph(
            f"WHEREAS, the Practice and {deal.mso.name} propose to enter into Amendment No. {terms.number} "
            f"to the {terms.title} between them dated as of {terms.signed_on}, which amends {sections}, and "
            f"the {board} has confirmed that the compensation under the agreement as amended is consistent "
            "with fair market value, is set in advance and does not vary with the volume or value of "
            "referrals or other business generated between the parties;"
        ),
        new_paragraph(
            f"RESOLVED, that Amendment No. {terms.number}, in the form presented to the {board}, is approved; and"
        ),
        new_paragraph(
            f"RESOLVED FURTHER, that {practice.signatory.name}, as {practice.signatory.title} of the "
            f"Practice, is authorized to sign and deliver Amendment No. {terms.number} on behalf of the "
            "Practice."
        ),
        new_paragraph(
            f"[Drafting note: the signature lines list the Practice’s owners; confirm the {member}s in "
            "office on the date of this consent.]",
            "DraftingNote",
        ),
    ]
    for owner in practice.owners:
        out += _signature(owner.name, f", {member}")
    return out


def write_consents(
    theirs: bytes, terms: Terms, deal, section_labels: list[str], *, mso: bool, practice: bool
) -> bytes | None:
    """The members' and the board's consents approving the amendment (those whose governing
    document the packet holds), in the package of the agreement; None when neither applies."""
    if not (mso or practice):
        return None
    sections = ", ".join(section_labels[:-1]) + (" and " if len(section_labels) > 1 else "") + section_labels[-1]
    blocks: list[etree._Element] = []
    if mso:
        blocks += _mso_consent(terms, deal, sections)
    if practice:
        blocks += ([_page_break()] if blocks else []) + _practice_consent(terms, deal, sections)
    parts = read_package(theirs)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(q("body"))
    sect = body.find(SECT_PR)
    body[:] = blocks + ([sect] if sect is not None else [])
    relabel_footers(parts, terms.title, f"Consents to Amendment No. {terms.number} to {terms.title}")
    return save_package(parts, root)
