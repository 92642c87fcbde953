"""Clause body markup -> blocks, with user values kept literal.

Clause bodies are jinja templates that produce a light markup (see clauses/README.md).
Every value a template prints passes through ``protect``, which swaps the characters the
markup gives meaning to for private-use stand-ins; ``restore`` swaps them back after the
markup is parsed. So a party named "A | B" or "- Smith" can never become a table cell or a
list item, and a name holding "{{ 7*7 }}" is never rendered as a template (values are
never fed back to jinja).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Characters with a meaning in the markup; values carry stand-ins for them.
_SPECIAL = "|*->!#[]@\n\r\t\"'§"  # quotes and § too: typesetting never touches a value
_STANDIN_BASE = 0xE000
_PROTECT = {ord(c): chr(_STANDIN_BASE + i) for i, c in enumerate(_SPECIAL)}
_RESTORE = {ord(chr(_STANDIN_BASE + i)): (" " if c in "\n\r\t" else c) for i, c in enumerate(_SPECIAL)}

# Cross-references: ref() prints REF_OPEN + target + REF_CLOSE; resolved after numbering.
REF_OPEN, REF_CLOSE = "\ue100", "\ue101"
REF_PATTERN = re.compile(f"{REF_OPEN}([^{REF_CLOSE}]*){REF_CLOSE}")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")

# Word markers the assembler leaves in block text for formgen/word/fields.py to turn into
# OOXML after rendering (docxtpl only places text): a bookmark start / end, a REF field,
# bold (a defined term at its definition) and the table of contents.
BOOKMARK_START, BOOKMARK_END, MARK_CLOSE = "\ue102", "\ue103", "\ue104"
FIELD_OPEN, FIELD_SEP, FIELD_CLOSE = "\ue105", "\ue106", "\ue107"
BOLD_OPEN, BOLD_CLOSE = "\ue108", "\ue109"
TOC_MARK = "\ue10a"
BLANK_OPEN, BLANK_CLOSE = "\ue10b", "\ue10c"  # a blank for the attorney: highlighted like a drafting note
WORD_MARKER = re.compile("[\ue102-\ue10c]")


def bookmark(name: str, text: str) -> str:
    """``text`` wrapped in the bookmark ``name``."""
    return f"{BOOKMARK_START}{name}{MARK_CLOSE}{text}{BOOKMARK_END}{name}{MARK_CLOSE}"


def word_field(instruction: str, result: str) -> str:
    """A field with its current result filled in."""
    return f"{FIELD_OPEN}{instruction}{FIELD_SEP}{result}{FIELD_CLOSE}"


def strip_word_markers(text: str) -> str:
    """The text as printed: bookmark names and field instructions dropped, results kept."""
    text = re.sub(f"[{BOOKMARK_START}{BOOKMARK_END}][^{MARK_CLOSE}]*{MARK_CLOSE}", "", text)
    text = re.sub(f"{FIELD_OPEN}[^{FIELD_SEP}]*{FIELD_SEP}", "", text)
    return WORD_MARKER.sub("", text)


# A printed value sits between these, so typesetting leaves it exactly as given (a citation's
# "effective 2026-01-01" or "(July 30, 1987)" prints as the state file has it).
VALUE_OPEN, VALUE_CLOSE = "\ue0f0", "\ue0f1"
_VALUE = re.compile(f"{VALUE_OPEN}[^{VALUE_CLOSE}]*{VALUE_CLOSE}")


def protect(value: object) -> str:
    """jinja ``finalize``: print a value so that no markup can come out of it."""
    if value is None:
        return ""
    text = str(value).translate(_PROTECT)
    return f"{VALUE_OPEN}{text}{VALUE_CLOSE}" if text else ""


# What restore changes: each stand-in back to its character, the value marks dropped. Only the
# characters a text holds are replaced (str.translate with a mapping is slow on non-ASCII text).
_RESTORED = {chr(code): char for code, char in _RESTORE.items()} | {VALUE_OPEN: "", VALUE_CLOSE: ""}
_PROTECTED = re.compile("[" + "".join(_RESTORED) + "]")


def restore(text: str) -> str:
    for char in set(_PROTECTED.findall(text)):
        text = text.replace(char, _RESTORED[char])
    return text


@dataclass
class Para:
    """One parsed paragraph of a clause body."""

    kind: str  # text | item | plain | note | heading | table | sign
    text: str = ""
    caption: str = ""
    label: str = ""
    rows: list[list[str]] = field(default_factory=list)


_OPENING_CONTEXT = "\\s([\\[{\u2014\u2013/"
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


_OPENING_DOUBLE = re.compile(f'(^|(?<=[{_OPENING_CONTEXT}]))"')
_OPENING_SINGLE = re.compile(f"(^|(?<=[{_OPENING_CONTEXT}]))'(?=\\w)")


def curly_quotes(text: str) -> str:
    """Straight quotes and apostrophes set as typographic ones (opening after a space or bracket)."""
    if '"' in text:
        text = _OPENING_DOUBLE.sub("\u201c", text).replace('"', "\u201d")
    if "'" in text:
        text = _OPENING_SINGLE.sub("\u2018", text).replace("'", "\u2019")
    return text


def typeset(text: str) -> str:
    """Clause text as a law firm sets it: curly quotes and apostrophes, a defined term bold at its
    definition (a capitalized term in quotes), no line break after "§" or inside a date.
    Values are still protected here, so a party name prints exactly as typed."""
    text = curly_quotes(text)
    # A value that ends a sentence with its own period ("Glow Aesthetics, P.A.") takes no second one.
    if f".{VALUE_CLOSE}." in text:
        text = re.sub(f"\\.{VALUE_CLOSE}\\.(?!\\.)", f".{VALUE_CLOSE}", text)
    # A term given by a value ("the Practice's bylaws (the "{{ practice_governing_document }}")") is
    # defined all the same: the bold goes around the value, which still prints exactly as it is.
    if "\u201c" in text:
        text = re.sub(
            f"\u201c((?:{VALUE_OPEN})?[A-Z][^\u201c\u201d\n]{{0,60}}?)\u201d",
            lambda m: f"\u201c{BOLD_OPEN}{m.group(1)}{BOLD_CLOSE}\u201d",
            text,
        )
    text = _UNIT.sub("\\1\u00a0", text)  # also after a printed number: "{{ words(30) }} days"
    return _outside_values(text, _spaces)


def _outside_values(text: str, change: Callable[[str], str]) -> str:
    """``change`` applied to the clause's own text, every printed value left as it is."""
    out, position = [], 0
    for match in _VALUE.finditer(text):
        out += [change(text[position : match.start()]), match.group(0)]
        position = match.end()
    return "".join(out + [change(text[position:])])


_YEAR_AFTER_COMMA = re.compile(r", \d{4}\b")  # in every "Month D, YYYY": a cheap test first


def _spaces(text: str) -> str:
    if "§ " in text:
        text = re.sub("(§+) ", "\\1\u00a0", text)
    if "-" in text:
        text = _ISO_DATE.sub(_written_date, text)
    if _YEAR_AFTER_COMMA.search(text):
        text = re.sub(f"\\b({_MONTHS}) (\\d{{1,2}}), (\\d{{4}})\\b", "\\1\u00a0\\2,\u00a0\\3", text)
    return text


# An ISO date typed in a clause: written out, as lawyers date things.
_HYPHEN = "-"
_ISO_DATE = re.compile(f"(?<![\\w/])(\\d{{4}}){_HYPHEN}(\\d{{2}}){_HYPHEN}(\\d{{2}})(?![\\w/])")
# A number and its unit stay on one line: "thirty (30) days", "90 days", "5 percent".
_UNIT = re.compile(
    f"(\\d\\)?{VALUE_CLOSE}?) (?=(?:calendar |business |Business )?(?:days?|months?|years?|hours?|percent)\\b)"
)


# How a drafting note prints ("[Drafting note: ...]"): the layout writes it, the fee scanner skips it.
NOTE_PREFIX = "[Drafting note: "


def library_prose(text: str) -> str:
    """Library prose (a state rule's message, note, task or summary) set like clause text: ISO dates
    written out, curly quotes and apostrophes."""
    return curly_quotes(_ISO_DATE.sub(_written_date, str(text or "")))


def _written_date(match: re.Match[str]) -> str:
    year, month, day = (int(g) for g in match.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return match.group(0)
    return f"{_MONTHS.split('|')[month - 1]}\u00a0{day},\u00a0{year}"


_CAPTION = re.compile(r"^\*\*(.+?)\*\*\s*")
_LABEL = re.compile(r"^\[#([a-z0-9_]+)\]\s*")


def _cells(line: str) -> list[str]:
    return [restore(c.strip()) for c in line.strip().strip("|").split("|")]


def parse_body(rendered: str) -> list[Para]:
    """Rendered clause body (values still protected) -> paragraphs, values restored."""
    paras: list[Para] = []
    for chunk in re.split(r"\n\s*\n", typeset(rendered.strip())):
        lines = [ln.strip() for ln in chunk.strip().splitlines() if ln.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("|"):
            rows = [_cells(ln) for ln in lines if not re.fullmatch(r"\|?[\s:|-]+\|?", ln)]
            paras.append(Para("table", rows=rows))
        elif first.startswith("@sign"):
            for ln in lines:
                cells = _cells(ln.removeprefix("@sign"))
                paras.append(Para("sign", rows=[(cells + [""] * 5)[:5]]))
        elif first.startswith("- "):
            for ln in lines:
                paras.append(Para("item", text=restore(ln[2:].strip())))
        elif first.startswith("## "):
            paras.append(Para("heading", text=restore(" ".join(lines)[3:].strip())))
        elif first.startswith("!!"):
            paras.append(Para("note", text=restore(" ".join(lines)[2:].strip())))
        elif first.startswith(">"):
            paras.append(Para("plain", text=restore(" ".join(ln.lstrip("> ") for ln in lines))))
        else:
            text = " ".join(lines)
            label = ""
            if m := _LABEL.match(text):
                label, text = m.group(1), text[m.end() :]
            caption = ""
            if m := _CAPTION.match(text):
                caption, text = m.group(1), text[m.end() :]
            paras.append(Para("text", text=restore(text), caption=restore(caption), label=label))
    return paras
