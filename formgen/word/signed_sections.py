"""An executed agreement's sections, and what changed in them, named by the signed numbering.

The agreement is cut into sections (``12.2``, ``Exhibit B``, the preamble, each article heading).
formgen's previous version (the base, as signed) and its new version are matched section by
section by caption, not by number: removing a service renumbers formgen's draft, never the signed
agreement. A section gone from the draft is reserved ("[Reserved]"), a whole article at once; a
changed one is restated under its signed number, its cross-references put back in the signed
numbering; a new one goes after its neighbour ("12.6" at the end of an article, else "4.4A").
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field

from lxml import etree

from .redline_package import P, PPR, P_STYLE
from .redline_text import body_blocks, collect_texts, paragraph_view_text
from .wordml import q

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
                out.append(paragraph_view_text(block))
            else:
                wrapper = etree.Element("wrapper")
                wrapper.append(copy.deepcopy(block))
                collect_texts(wrapper, "current", out)
        return out


def paragraph_style(paragraph: etree._Element) -> str:
    style = paragraph.find(f"{PPR}/{P_STYLE}")
    return "" if style is None else style.get(q("val"), "")


def _start(block: etree._Element, counters: dict) -> Section | None:
    """The section a block opens, if it opens one."""
    if block.tag != P:
        return None
    text = paragraph_view_text(block).strip()
    if m := NUMBERED.match(paragraph_view_text(block)):
        title = paragraph_view_text(block)[m.end() :].split(". ", 1)[0].rstrip(".")
        return Section(m.group(1), f"Section {m.group(1)} ({title})")
    if m := EXHIBIT.match(text):
        return Section(f"Exhibit {m.group(1)}", f"Exhibit {m.group(1)}")
    if m := ARTICLE.match(text):
        counters.update(article=int(m.group(1)), section=0)
        return Section(f"Article {m.group(1)}", f"the heading of Article {m.group(1)}")
    if paragraph_style(block) == "Article":  # numbered by Word list numbering rather than in the text
        counters.update(article=counters["article"] + 1, section=0)
        return Section(f"Article {counters['article']}", f"the heading of Article {counters['article']}")
    if paragraph_style(block) == "Section":
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
    for block in body_blocks(body):
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


def signed_references(block: etree._Element, numbers: dict[str, str]) -> etree._Element:
    """Cross-references in restated text (field results by now) put back in the signed numbering,
    also where a reference's word and number sit in runs of their own ("Section " | "4.4")."""
    previous = ""
    for t in block.iter(q("t")):
        if t.text:
            split = SPLIT_REFERENCE.search(previous)
            number = LEADING_NUMBER.match(t.text)
            if split and number:
                kind = (
                    "Exhibit "
                    if split.group(1) == "Exhibit"
                    else ("Article " if split.group(1).startswith("Article") else "")
                )
                signed = numbers.get(kind + number.group(0), kind + number.group(0)).removeprefix(kind)
                t.text = signed + t.text[number.end() :]
            t.text = renumbered(t.text, numbers)
            previous = t.text
    return block
