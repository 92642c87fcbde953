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
from dataclasses import dataclass, field

# Characters with a meaning in the markup; values carry stand-ins for them.
_SPECIAL = "|*->!#[]@\n\r\t"
_STANDIN_BASE = 0xE000
_PROTECT = {ord(c): chr(_STANDIN_BASE + i) for i, c in enumerate(_SPECIAL)}
_RESTORE = {ord(chr(_STANDIN_BASE + i)): (" " if c in "\n\r\t" else c) for i, c in enumerate(_SPECIAL)}

# Cross-references: ref() prints REF_OPEN + target + REF_CLOSE; resolved after numbering.
REF_OPEN, REF_CLOSE = "\ue100", "\ue101"
REF_PATTERN = re.compile(f"{REF_OPEN}([^{REF_CLOSE}]*){REF_CLOSE}")
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def protect(value: object) -> str:
    """jinja ``finalize``: print a value so that no markup can come out of it."""
    if value is None:
        return ""
    return str(value).translate(_PROTECT)


def restore(text: str) -> str:
    return text.translate(_RESTORE)


@dataclass
class Para:
    """One parsed paragraph of a clause body."""

    kind: str  # text | item | plain | note | heading | table | sign
    text: str = ""
    caption: str = ""
    label: str = ""
    rows: list[list[str]] = field(default_factory=list)


_CAPTION = re.compile(r"^\*\*(.+?)\*\*\s*")
_LABEL = re.compile(r"^\[#([a-z0-9_]+)\]\s*")


def _cells(line: str) -> list[str]:
    return [restore(c.strip()) for c in line.strip().strip("|").split("|")]


def parse_body(rendered: str) -> list[Para]:
    """Rendered clause body (values still protected) -> paragraphs, values restored."""
    paras: list[Para] = []
    for chunk in re.split(r"\n\s*\n", rendered.strip()):
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
                paras.append(Para("sign", rows=[(cells + ["", "", ""])[:3]]))
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
                label, text = m.group(1), text[m.end():]
            caption = ""
            if m := _CAPTION.match(text):
                caption, text = m.group(1), text[m.end():]
            paras.append(Para("text", text=restore(text), caption=restore(caption), label=label))
    return paras
