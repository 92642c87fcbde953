"""Amendments to executed agreements, and the conformed copy.

A signed agreement is not regenerated: when formgen's version of it changes, the change is put
in the form lawyers sign, an amendment that names each section it changes:

* the agreement is cut into sections (``12.2``, ``Exhibit B``, the preamble, each article
  heading) from formgen's previous version (the base) and its new version;
* a changed section is "amended and restated in its entirety to read as follows", a section
  only in the new version is "added", one only in the base is "deleted in its entirety", and an
  exhibit that changed is replaced as a whole by the exhibit attached to the amendment;
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
import difflib
import re
from dataclasses import dataclass, field

from lxml import etree

from .ooxml import read_package
from .wordml import PPR_ORDER, order_properties, write_package
from .redline_package import P, PPR, P_STYLE, SECT_PR
from .wordml import q
from .redline_text import _blocks, _collect_texts, _paragraph_text

NUMBERED = re.compile(r"^(\d+(?:\.\d+)+)\t")
EXHIBIT = re.compile(r"^EXHIBIT ([A-Z0-9]+)$")
ARTICLE = re.compile(r"^ARTICLE (\d+)\b")
SIGNATURES = "IN WITNESS WHEREOF"
CONFORMED_MARK = "CONFORMED COPY"
CONFORMED_NOTE = re.compile(r"^\[.* by Amendment No\. \d+\.\]$")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


@dataclass
class Section:
    key: str  # "12.2", "Exhibit B", "Article 12", "preamble", "signatures"
    label: str  # as counsel names it: "Section 12.2 (Fixed Monthly Fee)"
    blocks: list[etree._Element] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The section's paragraph texts, conformed-copy notes left out."""
        return [t for t in self._texts() if not CONFORMED_NOTE.match(t) and not t.startswith(CONFORMED_MARK)]

    def _texts(self) -> list[str]:
        out: list[str] = []
        for block in self.blocks:
            if block.tag == P:
                out.append(_paragraph_text(block))
            else:
                wrapper = etree.Element("wrapper")
                wrapper.append(copy.deepcopy(block))
                _collect_texts(wrapper, "current", out)
        return out


def _style(paragraph: etree._Element) -> str:
    style = paragraph.find(f"{PPR}/{P_STYLE}")
    return "" if style is None else style.get(q("val"), "")


def _start(block: etree._Element, counters: dict) -> Section | None:
    """The section a block opens, if it opens one."""
    if block.tag != P:
        return None
    text = _paragraph_text(block).strip()
    if (m := NUMBERED.match(_paragraph_text(block))):
        title = _paragraph_text(block)[m.end():].split(". ", 1)[0].rstrip(".")
        return Section(m.group(1), f"Section {m.group(1)} ({title})")
    if (m := EXHIBIT.match(text)):
        return Section(f"Exhibit {m.group(1)}", f"Exhibit {m.group(1)}")
    if (m := ARTICLE.match(text)):
        counters.update(article=int(m.group(1)), section=0)
        return Section(f"Article {m.group(1)}", f"the heading of Article {m.group(1)}")
    if _style(block) == "Article":  # numbered by Word list numbering rather than in the text
        counters.update(article=counters["article"] + 1, section=0)
        return Section(f"Article {counters['article']}", f"the heading of Article {counters['article']}")
    if _style(block) == "Section":
        counters["section"] += 1
        number = f"{counters['article']}.{counters['section']}"
        return Section(number, f"Section {number} ({text.split('. ', 1)[0].rstrip('.')})")
    if text.startswith(SIGNATURES):
        return Section("signatures", "the signature page")
    return None


def sections(body: etree._Element) -> list[Section]:
    """The agreement cut into sections, in order; an article heading is a section of its own."""
    counters = {"article": 0, "section": 0}
    out = [Section("preamble", "the introductory paragraph and recitals")]
    for block in _blocks(body):
        opened = _start(block, counters)
        if opened is not None:
            out.append(opened)
        if opened is not None and opened.key.startswith("Article"):
            out[-1].blocks.append(block)
            out.append(Section(f"{opened.key} body", opened.label))  # what follows a heading before 1.1
            continue
        out[-1].blocks.append(block)
    return [s for s in out if s.blocks]


@dataclass
class Change:
    action: str  # amended | added | reserved (deleted: "[Reserved]" keeps the numbering) | replaced (an exhibit)
    section: Section  # keyed and labelled by the signed numbering; the new text's blocks (the old ones when reserved)
    after: str | None = None  # added: the signed key of the section it follows
    signed_differs: bool = False  # the signed text of this section is not formgen's previous text
    covers: list[Section] = field(default_factory=list)  # reserved article: its sections, reserved with it


UNAMENDED = ("preamble", "signatures")  # title, draft notice, TOC and recitals are never restated
REFERENCE = re.compile("(Sections?|Articles?|Exhibit)([ \u00a0])(\\d+(?:\\.\\d+)?|[A-Z]\\b)")


SPLIT_REFERENCE = re.compile("(Sections?|Articles?|Exhibit)[ \u00a0]$")
LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)?|[A-Z]\b)")


def _identity(section: Section) -> str:
    """What a section is, whatever its number: its caption (an article: its title; an exhibit: its title)."""
    texts = section.texts
    if section.key.startswith("Exhibit"):
        return "exhibit:" + (texts[1] if len(texts) > 1 else section.key)
    if section.key.startswith("Article"):
        return ("body:" if section.key.endswith(" body") else "article:") + (texts[0] if texts else "")
    caption = section.label.partition("(")[2].rpartition(")")[0]
    return "section:" + (caption or (texts[0][:80] if texts else section.key))


def renumbered(text: str, numbers: dict[str, str]) -> str:
    """``text`` with its references ("Section 11.2", "Article 11", "Exhibit B") put in the signed numbering."""
    def signed(match: re.Match) -> str:
        word, space, number = match.groups()
        kind = "Exhibit " if word == "Exhibit" else ("Article " if word.startswith("Article") else "")
        return f"{word}{space}{numbers.get(kind + number, kind + number).removeprefix(kind)}"
    return REFERENCE.sub(signed, text)


def signed_numbers(base: list[Section], new: list[Section]) -> dict[str, str]:
    """New key -> the signed (base) key of the same section, matched by caption in order."""
    pairs = _matched(base, new)
    return {new[j].key.removesuffix(" body"): base[i].key.removesuffix(" body") for i, j in pairs}


def _matched(base: list[Section], new: list[Section]) -> list[tuple[int, int]]:
    ids_base, ids_new = [_identity(s) for s in base], [_identity(s) for s in new]
    matcher = difflib.SequenceMatcher(None, ids_base, ids_new, autojunk=False)
    return [(block.a + k, block.b + k) for block in matcher.get_matching_blocks() for k in range(block.size)]


def _added_key(previous: str, base: list[Section]) -> str:
    """A new section's signed-numbering key: the next number when it follows its article's last
    section (nothing after it renumbers), else the previous number with "A" ("4.4A")."""
    article, _, number = previous.partition(".")
    siblings = [s.key for s in base if s.key.startswith(article + ".") and s.key.partition(".")[2].isdigit()]
    if number.isdigit() and siblings and siblings[-1] == previous:
        return f"{article}.{int(number) + 1}"
    return f"{previous}A"


def changes(base: list[Section], new: list[Section], signed: list[Section]) -> list[Change]:
    """What an amendment must say to turn the base's sections into the new ones, every section named
    by its signed number and caption: a section gone is reserved (a whole article at once), so the
    agreement's numbering and cross-references stay as signed; references in restated text are put
    back in the signed numbering; a section new to formgen's draft is added after its neighbour."""
    numbers = signed_numbers(base, new)
    pairs = dict(_matched(base, new))
    new_to_base = {j: i for i, j in pairs.items()}
    signed_by_key = {s.key: s.texts for s in signed}
    out: list[Change] = []
    reserved_articles = set()
    for i, old in enumerate(base):
        if i in pairs or old.key in UNAMENDED or old.key.endswith(" body"):
            continue
        if old.key.startswith("Article"):
            number = old.key.split()[1]
            covers = [s for s in base if s.key.startswith(number + ".") and base.index(s) not in pairs]
            reserved_articles.add(number)
            out.append(Change("reserved", old, covers=covers))
        elif old.key.split(".")[0] not in reserved_articles:
            out.append(Change("reserved", old))
    previous = None
    for j, section in enumerate(new):
        if section.key in UNAMENDED or section.key.endswith(" body") and not section.texts:
            previous = numbers.get(section.key.removesuffix(" body"), previous)
            continue
        if j not in new_to_base:
            key = _added_key(previous, base) if previous and NUMBERED.match(previous + "\t") else section.key
            out.append(Change("added", Section(key, section.label.replace(section.key, key), section.blocks), previous))
            continue
        old = base[new_to_base[j]]
        previous = old.key
        if old.texts != [renumbered(t, numbers) for t in section.texts]:
            action = "replaced" if old.key.startswith("Exhibit") else "amended"
            restated = Section(old.key, old.label, section.blocks)
            out.append(Change(action, restated, signed_differs=signed_by_key.get(old.key) not in (None, old.texts)))
    order = {s.key: k for k, s in enumerate(base)}
    out.sort(key=lambda c: order.get(c.section.key, order.get(c.after or "", len(order)) + 0.5))
    return out


# ------------------------------------------------------------------ writing paragraphs


def _paragraph(text: str, style: str = "BodyText", bold_lead: str = "") -> etree._Element:
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
        parent[index:index + 1] = list(simple)
    for mark in list(block.iter(q("bookmarkStart"), q("bookmarkEnd"))):
        mark.getparent().remove(mark)
    return block


QUOTED_STYLES = {"Section": "BodyText", "Article": "Heading1"}  # the unnumbered look-alikes


def signed_references(block: etree._Element, numbers: dict[str, str]) -> etree._Element:
    """Cross-references in restated text (field results by now) put back in the signed numbering,
    also where a reference's word and number sit in runs of their own ("Section " | "4.4")."""
    previous = ""
    for t in block.iter(q("t")):
        if t.text:
            split = SPLIT_REFERENCE.search(previous)
            number = LEADING_NUMBER.match(t.text)
            if split and number:
                kind = "Exhibit " if split.group(1) == "Exhibit" else ("Article " if split.group(1).startswith("Article") else "")
                signed = numbers.get(kind + number.group(0), kind + number.group(0)).removeprefix(kind)
                t.text = signed + t.text[number.end():]
            t.text = renumbered(t.text, numbers)
            previous = t.text
    return block


def numbered_in_text(block: etree._Element, key: str) -> etree._Element:
    """A section quoted in an amendment shows its own number in the text: Word's list numbering
    would number it afresh where it stands in the amendment."""
    if block.tag != P or _style(block) not in ("Section", "Article") or NUMBERED.match(_paragraph_text(block)):
        return block
    ppr = block.find(PPR)
    label = key if _style(block) == "Section" else key.upper()
    # The same look on a style without list numbering (numId 0 would say "no list" too, but
    # strict readers take it for a reference to a list that does not exist).
    ppr.find(P_STYLE).set(q("val"), QUOTED_STYLES[_style(block)])
    if _style(block) == "BodyText":  # a section's first-line indent
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
        sections = (f", including Sections {within[0]} through {within[-1]}" if len(within) > 1
                    else f", including Section {within[0]}" if within else "")
        return (f"{key} ({heading}) of the {title}{sections}, is deleted in its entirety and replaced with "
                f"\u201c{RESERVED}.\u201d The numbering of the {title} and its cross-references are not changed.")
    return (f"{change.section.label} of the {title} is deleted in its entirety and replaced with \u201c{RESERVED}.\u201d "
            f"The numbering of the {title} and its cross-references are not changed.")


def _instruction(number: int, change: Change, title: str, numbers: dict[str, str]) -> list[etree._Element]:
    key, label = change.section.key, change.section.label
    name = label if key.startswith("Exhibit") or key == "preamble" else f"Section {key}"
    lead = f"{number}.\t{label[0].upper() + label[1:]}. "
    if change.action == "reserved":
        lead = f"{number}.\t{key if key.startswith('Article') else 'Section ' + key}. "
        return [_paragraph(_reserved(change, title), bold_lead=lead)]
    if change.action == "replaced":
        return [_paragraph(f"{name} to the {title} is deleted and replaced in its entirety with the {name} "
                           "attached to this Amendment.", bold_lead=lead)]
    if change.action == "added" and key.startswith("Exhibit"):
        return [_paragraph(f"The {title} is amended by adding the {name} attached to this Amendment.", bold_lead=lead)]
    if change.action == "added":
        where = f" immediately after Section {change.after}" if change.after and NUMBERED.match(change.after + "\t") else ""
        text = f"The {title} is amended by adding the following new {name}{where}:"
    else:
        text = f"{name} of the {title} is amended and restated in its entirety to read as follows:"
    out = [_paragraph(text, bold_lead=lead)] + [numbered_in_text(signed_references(frozen(b), numbers), key)
                                                 for b in change.section.blocks]
    if change.signed_differs:
        out.append(_paragraph(f"[Drafting note: the signed text of {name} differs from formgen's earlier draft "
                              "(it was negotiated by hand); reconcile the restated text above with it.]", "DraftingNote"))
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


def _front(terms: Terms, first: list[etree._Element]) -> list[etree._Element]:
    as_amended = (", as amended by " + " and ".join(f"Amendment No. {n}" for n in terms.earlier)) if terms.earlier else ""
    note = [copy.deepcopy(b) for b in first[:4] if b.tag == P and _style(b) == "DraftingNote"][:1]
    return [_paragraph(f"Amendment No. {terms.number} to the {terms.title}", "Title"), *note,
            _paragraph(f"This Amendment No. {terms.number} (this \u201cAmendment\u201d) to the {terms.title} is entered "
                       f"into as of [__________] (the \u201cAmendment Effective Date\u201d) by and between "
                       f"{curly(terms.parties)} (each a \u201cParty\u201d and together the \u201cParties\u201d)."),
            _paragraph("RECITALS", "Heading2"),
            _paragraph(f"A. The Parties are parties to the {terms.title} dated as of {terms.signed_on}{as_amended} "
                       "(the \u201cAgreement\u201d)."),
            *([_paragraph(f"B. The Parties have reviewed the Management Fee under {terms.fee_review} of the Agreement "
                          "and agree that the fee set out in this Amendment is consistent with fair market value for "
                          "the Management Services actually provided and does not reflect the volume or value of "
                          "any referrals between them.")] if terms.fee_review else []),
            _paragraph(f"{'C' if terms.fee_review else 'B'}. The Parties wish to amend the Agreement as set out in this "
                       "Amendment, by a written instrument signed by both Parties as the Agreement requires."),
            _paragraph("NOW, THEREFORE, in consideration of the mutual covenants in this Amendment and other good and "
                       "valuable consideration, the receipt and sufficiency of which are acknowledged, the Parties "
                       "agree as follows:"),
            _paragraph("AMENDMENTS", "Heading2")]


def curly(text: str) -> str:
    """Straight double quotes made typographic: opening after a space or "(", closing elsewhere."""
    return re.sub(r'(^|[\s(])"', "\\1\u201c", text).replace('"', "\u201d")


def _general(start: int, terms: Terms) -> list[etree._Element]:
    clauses = [
        ("Defined Terms", "Capitalized terms used but not defined in this Amendment have the meanings given to them "
                          "in the Agreement."),
        ("Ratification", "Except as expressly amended by this Amendment, the Agreement remains unchanged and in full "
                         "force and effect, and the Parties ratify and confirm it. From the Amendment Effective Date, "
                         "every reference in the Agreement to \u201cthis Agreement\u201d means the Agreement as amended "
                         "by this Amendment."),
        ("Conflict", "If this Amendment and the Agreement conflict, this Amendment controls."),
        ("Counterparts", "This Amendment may be signed in counterparts, each of which is an original and all of "
                         "which together are one instrument; signatures delivered electronically are originals."),
    ]
    return [_paragraph("GENERAL", "Heading2")] + [
        _paragraph(text, bold_lead=f"{start + k}.\t{name}. ") for k, (name, text) in enumerate(clauses)]


def _signatures(new: list[Section], number: int, title: str) -> list[etree._Element]:
    block = next((s for s in new if s.key == "signatures"), None)
    if block is None:
        return []
    out = [copy.deepcopy(b) for b in block.blocks]
    for t in out[0].iter(q("t")):
        t.text = ""
    out[0].find(q("r")).find(q("t")).text = (f"IN WITNESS WHEREOF, the Parties have executed this Amendment No. "
                                                f"{number} as of the Amendment Effective Date.")
    for block in out:  # the signature-page legend names the instrument signed
        for t in block.iter(q("t")):
            if t.text and f"[Signature page to {title}]" in t.text:
                t.text = t.text.replace(f"[Signature page to {title}]",
                                        f"[Signature page to Amendment No. {number} to the {title}]")
    return out


def relabel_footers(parts: dict[str, bytes], title: str, label: str) -> None:
    """The agreement's footers name ``label`` instead of its title."""
    for name in [n for n in parts if re.match(r"word/footer\d*\.xml$", n)]:
        parts[name] = parts[name].replace(f">{title}".encode(), f">{label}".encode())


def _save(parts: dict[str, bytes], root: etree._Element, part: str = "word/document.xml") -> bytes:
    parts = dict(parts)
    parts[part] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_package(parts)


def write_amendment(theirs: bytes, found: list[Change], new: list[Section], terms: Terms) -> bytes:
    """The amendment, in the package of formgen's new version of the agreement."""
    parts = read_package(theirs)
    root = etree.fromstring(parts["word/document.xml"])
    body = root.find(q("body"))
    blocks = _front(terms, _blocks(body))
    for index, change in enumerate(found, start=1):
        blocks += _instruction(index, change, "Agreement", terms.numbers)
    blocks += _general(len(found) + 1, terms) + _signatures(new, terms.number, terms.title)
    for change in (c for c in found if c.action == "replaced" or (c.action == "added" and c.section.key.startswith("Exhibit"))):
        blocks += [signed_references(frozen(b), terms.numbers) for b in change.section.blocks]
    sect = body.find(SECT_PR)
    body[:] = blocks + ([sect] if sect is not None else [])
    relabel_footers(parts, terms.title, f"Amendment No. {terms.number} to {terms.title}")
    return _save(parts, root)


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
    terms = Terms(title, len(earlier) + 1, dated, earlier, parties, signed_numbers(old, new),
                  review.label if review is not None and fee_changed else None)
    from .conformed import conform  # the conformed copy builds on this module's sections

    return Made(write_amendment(theirs, found, new, terms), conform(previous, found, terms),
                [{"key": c.section.key, "label": c.section.label, "action": c.action} for c in found], terms)
