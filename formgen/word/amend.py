"""Amendments to executed agreements, and the conformed copy.

A signed agreement is not regenerated: when formgen's version of it changes, the change is put
in the form lawyers sign, an amendment that names each section it changes:

* the sections of formgen's previous version (the base, as signed) and of its new version are
  matched by caption (signed_sections.py), every one named by its signed number and caption;
* a changed section is "amended and restated in its entirety to read as follows", a section
  only in the new version is "added", one gone from it is deleted and replaced with
  "[Reserved]" (a whole article at once: the signed numbering and cross-references stand), an
  exhibit that changed is replaced as a whole by the exhibit attached to the amendment; the
  title, draft notice, table of contents and recitals are never restated;
* the amendment is laid out in the agreement's own package (styles, headers, footers): title,
  parties, recitals naming the agreement and its date, the amendments, defined terms,
  ratification, conflicts, counterparts, the agreement's signature blocks;
* the conformed copy is the agreement as signed with every amendment applied in place, each
  changed section followed by a note naming the amendment, and a notice on its first page.

Section text that the signed version had changed by hand is flagged in a drafting note: the
restated text is formgen's and counsel must reconcile it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass, field

from lxml import etree

from .ooxml import read_package
from .redline_package import P, PPR, P_STYLE, SECT_PR
from .redline_text import body_blocks, paragraph_view_text
from .signed_sections import (
    NUMBERED,
    XML_SPACE,
    Change,
    Section,
    changes,
    paragraph_style,
    sections,
    signed_numbers,
    signed_references,
)
from .wordml import PPR_ORDER, order_properties, q, write_package

# ------------------------------------------------------------------ writing paragraphs


def new_paragraph(text: str, style: str = "BodyText", bold_lead: str = "") -> etree._Element:
    paragraph = etree.Element(P)
    etree.SubElement(etree.SubElement(paragraph, PPR), P_STYLE).set(q("val"), style)
    for value, bold in ((bold_lead, True), (text, False)):
        if not value:
            continue
        run = etree.SubElement(paragraph, q("r"))
        if bold:
            etree.SubElement(etree.SubElement(run, q("rPr")), q("b"))
        t = etree.SubElement(run, q("t"))
        t.text, t.attrib[XML_SPACE] = value, "preserve"
    return paragraph


def frozen(block: etree._Element) -> etree._Element:
    """A copy of agreement content for another document: cross-reference fields become their
    printed text (their bookmarks stay behind in the agreement), bookmarks are dropped."""
    block = copy.deepcopy(block)
    for run in list(block.iter(q("r"))):
        if run.find(q("fldChar")) is not None or run.find(q("instrText")) is not None:
            run.getparent().remove(run)
    for simple in list(block.iter(q("fldSimple"))):
        parent = simple.getparent()
        index = parent.index(simple)
        parent[index : index + 1] = list(simple)
    for mark in list(block.iter(q("bookmarkStart"), q("bookmarkEnd"))):
        mark.getparent().remove(mark)
    return block


QUOTED_STYLES = {"Section": "BodyText", "Article": "Heading1"}  # the unnumbered look-alikes


def numbered_in_text(block: etree._Element, key: str) -> etree._Element:
    """A section quoted in an amendment shows its own number in the text: Word's list numbering
    would number it afresh where it stands in the amendment."""
    if (
        block.tag != P
        or paragraph_style(block) not in ("Section", "Article")
        or NUMBERED.match(paragraph_view_text(block))
    ):
        return block
    ppr = block.find(PPR)
    label = key if paragraph_style(block) == "Section" else key.upper()
    # The same look on a style without list numbering (numId 0 would say "no list" too, but
    # strict readers take it for a reference to a list that does not exist).
    ppr.find(P_STYLE).set(q("val"), QUOTED_STYLES[paragraph_style(block)])
    if paragraph_style(block) == "BodyText":  # a section's first-line indent
        ind = ppr.find(q("ind"))
        if ind is None:
            ind = etree.SubElement(ppr, q("ind"))
        ind.set(q("firstLine"), "720")
        order_properties(ppr, PPR_ORDER)
    run = etree.Element(q("r"))
    t = etree.SubElement(run, q("t"))
    t.text, t.attrib[XML_SPACE] = f"{label}\t", "preserve"
    ppr.addnext(run)
    return block


RESERVED = "[Reserved]"


def _reserved(change: Change, title: str) -> str:
    key = change.section.key
    if key.startswith("Article"):
        heading = change.section.texts[0] if change.section.texts else ""
        within = [s.key for s in change.covers if NUMBERED.match(s.key + "\t")]
        sections = (
            f", including Sections {within[0]} through {within[-1]}"
            if len(within) > 1
            else f", including Section {within[0]}"
            if within
            else ""
        )
        return (
            f"{key} ({heading}) of the {title}{sections}, is deleted in its entirety and replaced with "
            f"\u201c{RESERVED}.\u201d The numbering of the {title} and its cross-references are not changed."
        )
    return (
        f"{change.section.label} of the {title} is deleted in its entirety and replaced with \u201c{RESERVED}.\u201d "
        f"The numbering of the {title} and its cross-references are not changed."
    )


def _instruction(number: int, change: Change, title: str, numbers: dict[str, str]) -> list[etree._Element]:
    key, label = change.section.key, change.section.label
    name = label if key.startswith("Exhibit") or key == "preamble" else f"Section {key}"
    lead = f"{number}.\t{label[0].upper() + label[1:]}. "
    if change.action == "reserved":
        lead = f"{number}.\t{key if key.startswith('Article') else 'Section ' + key}. "
        return [new_paragraph(_reserved(change, title), bold_lead=lead)]
    if change.action == "replaced":
        return [
            new_paragraph(
                f"{name} to the {title} is deleted and replaced in its entirety with the {name} "
                "attached to this Amendment.",
                bold_lead=lead,
            )
        ]
    if change.action == "added" and key.startswith("Exhibit"):
        return [
            new_paragraph(f"The {title} is amended by adding the {name} attached to this Amendment.", bold_lead=lead)
        ]
    if change.action == "added":
        where = (
            f" immediately after Section {change.after}" if change.after and NUMBERED.match(change.after + "\t") else ""
        )
        text = f"The {title} is amended by adding the following new {name}{where}:"
    else:
        text = f"{name} of the {title} is amended and restated in its entirety to read as follows:"
    out = [new_paragraph(text, bold_lead=lead)] + [
        numbered_in_text(signed_references(frozen(b), numbers), key) for b in change.section.blocks
    ]
    if change.signed_differs:
        out.append(
            new_paragraph(
                f"[Drafting note: the signed text of {name} differs from formgen’s earlier draft "
                "(it was negotiated by hand); reconcile the restated text above with it.]",
                "DraftingNote",
            )
        )
    return out


@dataclass
class Terms:
    """What an amendment names: the agreement, its date, the amendment's number, the parties."""

    title: str  # "Management Services Agreement"
    number: int
    signed_on: str  # the date of the agreement as executed
    earlier: list[int]  # numbers of the amendments before this one
    parties: str  # 'Hudson Wellness Management LLC ("MSO") and Hudson Medical Aesthetics, P.C. ("Practice")'
    numbers: dict[str, str] = field(default_factory=dict)  # formgen's new numbering -> the signed one
    fee_review: str | None = None  # "Section 12.5 (Periodic Fair Market Value Review)" when the fee changes
    executed_on: str = ""  # the day it was signed, as mark-executed recorded it ("January 15, 2027")


def _front(terms: Terms, first: list[etree._Element]) -> list[etree._Element]:
    as_amended = (
        (", as amended by " + " and ".join(f"Amendment No. {n}" for n in terms.earlier)) if terms.earlier else ""
    )
    note = [copy.deepcopy(b) for b in first[:4] if b.tag == P and paragraph_style(b) == "DraftingNote"][:1]
    return [
        new_paragraph(f"Amendment No. {terms.number} to the {terms.title}", "Title"),
        *note,
        new_paragraph(
            f"This Amendment No. {terms.number} (this \u201cAmendment\u201d) to the {terms.title} is entered "
            f"into as of [__________] (the \u201cAmendment Effective Date\u201d) by and between "
            f"{curly(terms.parties)} (each a \u201cParty\u201d and together the \u201cParties\u201d)."
        ),
        new_paragraph("RECITALS", "Heading2"),
        new_paragraph(
            f"A. The Parties are parties to the {terms.title} dated as of {terms.signed_on}{as_amended} "
            "(the \u201cAgreement\u201d)."
        ),
        *(
            [
                new_paragraph(
                    f"B. The Parties have reviewed the Management Fee under {terms.fee_review} of the Agreement "
                    "and agree that the fee set out in this Amendment is consistent with fair market value for "
                    "the Management Services actually provided and does not reflect the volume or value of "
                    "any referrals between them."
                )
            ]
            if terms.fee_review
            else []
        ),
        new_paragraph(
            f"{'C' if terms.fee_review else 'B'}. The Parties wish to amend the Agreement as set out in this "
            "Amendment, by a written instrument signed by both Parties as the Agreement requires."
        ),
        new_paragraph(
            "NOW, THEREFORE, in consideration of the mutual covenants in this Amendment and other good and "
            "valuable consideration, the receipt and sufficiency of which are acknowledged, the Parties "
            "agree as follows:"
        ),
        new_paragraph("AMENDMENTS", "Heading2"),
    ]


def curly(text: str) -> str:
    """Straight double quotes made typographic: opening after a space or "(", closing elsewhere."""
    return re.sub(r'(^|[\s(])"', "\\1\u201c", text).replace('"', "\u201d")


def _general(start: int, terms: Terms) -> list[etree._Element]:
    clauses = [
        (
            "Defined Terms",
            "Capitalized terms used but not defined in this Amendment have the meanings given to them "
            "in the Agreement.",
        ),
        (
            "Ratification",
            "Except as expressly amended by this Amendment, the Agreement remains unchanged and in full "
            "force and effect, and the Parties ratify and confirm it. From the Amendment Effective Date, "
            "every reference in the Agreement to \u201cthis Agreement\u201d means the Agreement as amended "
            "by this Amendment.",
        ),
        ("Conflict", "If this Amendment and the Agreement conflict, this Amendment controls."),
        (
            "Counterparts",
            "This Amendment may be signed in counterparts, each of which is an original and all of "
            "which together are one instrument; signatures delivered electronically are originals.",
        ),
    ]
    return [new_paragraph("GENERAL", "Heading2")] + [
        new_paragraph(text, bold_lead=f"{start + k}.\t{name}. ") for k, (name, text) in enumerate(clauses)
    ]


def _signatures(new: list[Section], number: int, title: str) -> list[etree._Element]:
    block = next((s for s in new if s.key == "signatures"), None)
    if block is None:
        return []
    out = [copy.deepcopy(b) for b in block.blocks]
    for t in out[0].iter(q("t")):
        t.text = ""
    first_text = out[0].find(q("r")).find(q("t"))
    first_text.text = (
        f"IN WITNESS WHEREOF, the Parties have executed this Amendment No. {number} as of the Amendment Effective Date."
    )
    for block in out:  # the signature-page legend names the instrument signed
        for t in block.iter(q("t")):
            if t.text and f"[Signature page to {title}]" in t.text:
                t.text = t.text.replace(
                    f"[Signature page to {title}]", f"[Signature page to Amendment No. {number} to the {title}]"
                )
    return out


def relabel_footers(parts: dict[str, bytes], title: str, label: str) -> None:
    """The agreement's footers name ``label`` instead of its title."""
    for name in [n for n in parts if re.match(r"word/footer\d*\.xml$", n)]:
        parts[name] = parts[name].replace(f">{title}".encode(), f">{label}".encode())


def save_package(parts: dict[str, bytes], root: etree._Element, part: str = "word/document.xml") -> bytes:
    parts = dict(parts)
    parts[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_package(parts)


def write_amendment(theirs: bytes, found: list[Change], new: list[Section], terms: Terms) -> bytes:
    """The amendment, in the package of formgen's new version of the agreement."""
    parts = read_package(theirs)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(q("body"))
    blocks = _front(terms, body_blocks(body))
    for index, change in enumerate(found, start=1):
        blocks += _instruction(index, change, "Agreement", terms.numbers)
    blocks += _general(len(found) + 1, terms) + _signatures(new, terms.number, terms.title)
    for change in (
        c for c in found if c.action == "replaced" or (c.action == "added" and c.section.key.startswith("Exhibit"))
    ):
        blocks += [signed_references(frozen(b), terms.numbers) for b in change.section.blocks]
    sect = body.find(SECT_PR)
    body[:] = blocks + ([sect] if sect is not None else [])
    relabel_footers(parts, terms.title, f"Amendment No. {terms.number} to {terms.title}")
    return save_package(parts, root)


@dataclass
class Made:
    amendment: bytes
    conformed: bytes
    sections: list[dict]  # {key, label, action} per change, in the amendment's order
    terms: Terms


def long_date(iso: str) -> str:
    """2027-01-15 -> January 15, 2027 (as an agreement names its date)."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day:%B} {day.day}, {day.year}"


def _body(data: bytes) -> etree._Element:
    return etree.fromstring(read_package(data)["word/document.xml"]).find(q("body"))


def amendment_for(record: dict, title: str, parties: str, base: bytes, theirs: bytes, previous: bytes) -> Made | None:
    """Amendment No. N+1 for an executed document whose formgen version went from ``base`` to
    ``theirs``; None when no section's text changed."""
    new, old = sections(_body(theirs)), sections(_body(base))
    found = changes(old, new, sections(_body(previous)))
    if not found:
        return None
    earlier = [a["number"] for a in record.get("amendments", [])]
    dated = long_date(record.get("agreement_date") or record["date"])
    if record.get("agreement_date", record["date"]) != record["date"]:
        dated += f" and executed on {long_date(record['date'])}"
    review = next((s for s in old if "Fair Market Value Review" in s.label), None)
    fee_changed = any("Fee" in c.section.label for c in found)
    terms = Terms(
        title,
        len(earlier) + 1,
        dated,
        earlier,
        parties,
        signed_numbers(old, new),
        review.label if review is not None and fee_changed else None,
        long_date(record["date"]),
    )
    from .conformed import conform  # the conformed copy builds on this module's sections

    return Made(
        write_amendment(theirs, found, new, terms),
        conform(previous, found, terms),
        [{"key": c.section.key, "label": c.section.label, "action": c.action} for c in found],
        terms,
    )
