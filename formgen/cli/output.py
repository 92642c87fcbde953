"""What the commands print: findings, summaries, and the ``--json`` documents.

The JSON shapes are a stable interface (documented in README "JSON output"): keys are only
ever added, never renamed or removed, and every document carries ``"format": 1``.
"""

from __future__ import annotations

import json
import re

import typer

JSON_FORMAT = 1


def echo_json(data: dict | list) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def findings_json(findings) -> list[dict]:
    return [f.to_dict() for f in findings]


def problems_json(exc) -> dict:
    """A FormgenError as JSON: its message and, for bad input, each problem."""
    problems = getattr(exc, "problems", None)
    error = {"exit_code": getattr(exc, "exit_code", 1), "message": str(exc)}
    if problems is not None:
        error["problems"] = [{"file": p.file, "line": p.line, "path": p.path, "message": p.message} for p in problems]
    return {"format": JSON_FORMAT, "ok": False, "error": error}


_HEADING = re.compile(r"^(?:(\d+(?:\.\d+)+)\t|ARTICLE (\d+)\b|EXHIBIT ([A-Z0-9]+)\b)", re.MULTILINE)


def section_at(text: str, offset: int) -> str:
    """The numbered section (else article or exhibit) holding ``offset`` in a document's text:
    "Section 12.2", or "" where the text has no numbering before it (a .txt file, a preamble)."""
    found = ""
    for m in _HEADING.finditer(text, 0, offset + 1):
        if m.start() > offset:
            break
        if m.group(1):
            found = f"Section {m.group(1)}"
        elif m.group(2):
            found = f"Article {m.group(2)}"
        else:
            found = f"Exhibit {m.group(3)}"
    return found


def docx_line_sections(data: bytes, text: str) -> list[str]:
    """For each line of a .docx's extracted text, its "Section 12.2" (or "Article 12"), counted from
    the Article and Section paragraph styles formgen's Word numbering hangs on ("" before any)."""
    import io
    import xml.etree.ElementTree as ET
    import zipfile

    from ..word.ooxml import read_part

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        root = ET.fromstring(read_part(zf, "word/document.xml"))
    paragraphs, article, section, label = [], 0, 0, ""
    for p in root.iter(f"{w}p"):
        style = p.find(f"{w}pPr/{w}pStyle")
        kind = style.get(f"{w}val") if style is not None else ""
        if kind == "Article":
            article, section, label = article + 1, 0, f"Article {article + 1}"
        elif kind == "Section" and article:
            section += 1
            label = f"Section {article}.{section}"
        paragraphs.append(("".join(t.text or "" for t in p.iter(f"{w}t")).split(), label))
    out, j = [], 0
    for line in text.split("\n"):
        words, k = line.split(), j
        while k < len(paragraphs) and paragraphs[k][0] != words:
            k += 1
        if k < len(paragraphs):
            out.append(paragraphs[k][1])
            j = k + 1
        else:  # not matched (a text box, a field): the section of the paragraph before
            out.append(out[-1] if out else "")
    return out
