"""The speed work leaves every output byte as the slower, plain path makes it.

* write_package compresses the parts every document of a packet shares once and reuses the
  result: each document must equal a zip written part by part with zipfile.writestr;
* paragraph text skips property subtrees: docx_text must equal the full walk's;
* a packet built twice in one process (caches warm) equals the first build, byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from formgen import markup as m
from formgen.api import build
from formgen.word import ooxml, sections, wordml
from formgen.word.wordml import MC, q

REPO = Path(__file__).resolve().parent.parent
# A corporation practice (bylaws) and an LLC practice (operating agreement): every template and part.
EXAMPLES = [REPO / "examples" / "ca_medspa.yaml", REPO / "examples" / "tx_medspa.yaml"]


def plain_zip(parts: dict[str, bytes]) -> bytes:
    """The package as zipfile alone writes it (no cached compression)."""
    names = ["[Content_Types].xml", *[n for n in parts if n != "[Content_Types].xml"]]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=wordml.source_date())
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            zf.writestr(info, parts[name], compresslevel=wordml.COMPRESS_LEVEL)
    return buf.getvalue()


@pytest.fixture(scope="module")
def packets():
    return {path.stem: build(path) for path in EXAMPLES}


@pytest.mark.slow  # slow tier: reads every example's packet
def test_every_document_equals_the_plain_zip_of_its_parts(packets, monkeypatch, machine_settings):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    machine_settings()
    checked = 0
    for packet in packets.values():
        for doc in packet.documents:
            parts = ooxml.read_package(doc.data)
            assert wordml.write_package(parts) == plain_zip(parts), doc.spec.filename
            checked += 1
    assert checked >= 2 * 7
    assert wordml._compressed, "the shared parts were not taken from the compression cache"


@pytest.mark.slow  # slow tier: reads every example's packet
def test_docx_text_equals_the_full_walk(packets, monkeypatch):
    fast = {(name, d.spec.name): ooxml.docx_text(d.data) for name, p in packets.items() for d in p.documents}
    # the full walk: only what is not printed (deleted text, field codes, the fallback copy) skipped
    printed_only = frozenset(q(t) for t in ("delText", "instrText", "del", "moveFrom")) | {f"{{{MC}}}Fallback"}
    monkeypatch.setattr(sections, "_NO_TEXT", printed_only)
    full = {(name, d.spec.name): ooxml.docx_text(d.data) for name, p in packets.items() for d in p.documents}
    assert fast == full


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_second_build_in_the_same_process_is_byte_identical(packets):
    again = build(EXAMPLES[0])
    first = packets[EXAMPLES[0].stem]
    assert [d.data for d in again.documents] == [d.data for d in first.documents]
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in first.findings]


def test_compiled_templates_cached_on_disk_give_the_same_packet(tmp_path, subprocess_cli):
    """A cold run fills the on-disk cache of compiled templates, a warm run reads it, a corrupt
    entry is compiled afresh: the packet's bytes are the same every time (one process each)."""
    import os

    from conftest import EXAMPLES

    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    deal = EXAMPLES / "ny_medspa.yaml"

    def generate(out: str) -> dict[str, bytes]:
        result = subprocess_cli("generate", str(deal), "-o", str(tmp_path / out), env=env, module="formgen")
        assert result.returncode == 0, result.stderr
        return {p.name: p.read_bytes() for p in (tmp_path / out).glob("*.docx")}

    cold = generate("cold")
    entries = sorted((tmp_path / "cache" / "formgen").glob("jinja-*/*/*.code"))
    assert len(entries) > 100  # every clause body and the layout
    warm = generate("warm")
    for entry in entries[::3]:
        entry.write_bytes(b"not marshal data")
    repaired = generate("repaired")
    assert cold == warm == repaired and len(cold) >= 10


# ---------------------------------------------------------------- typesetting shortcuts


def _plain_typeset(text: str) -> str:
    """markup.typeset as written before its shortcuts: every substitution run on every text."""
    context = m._OPENING_CONTEXT
    text = re.sub(f'(^|(?<=[{context}]))"', "\u201c", text).replace('"', "\u201d")
    text = re.sub(f"(^|(?<=[{context}]))'(?=\\w)", "\u2018", text).replace("'", "\u2019")
    text = re.sub(f"\\.{m.VALUE_CLOSE}\\.(?!\\.)", f".{m.VALUE_CLOSE}", text)
    text = re.sub(
        f"\u201c((?:{m.VALUE_OPEN})?[A-Z][^\u201c\u201d\n]{{0,60}}?)\u201d",
        lambda g: f"\u201c{m.BOLD_OPEN}{g.group(1)}{m.BOLD_CLOSE}\u201d",
        text,
    )
    text = m._UNIT.sub("\\1\u00a0", text)

    def spaces(part: str) -> str:
        part = re.sub("(§+) ", "\\1\u00a0", part)
        part = m._ISO_DATE.sub(m._written_date, part)
        return re.sub(f"\\b({m._MONTHS}) (\\d{{1,2}}), (\\d{{4}})\\b", "\\1\u00a0\\2,\u00a0\\3", part)

    return m._outside_values(text, spaces)


def test_typesetting_and_restoring_equal_the_plain_substitutions():
    value = m.protect('A "B" | C\'s §§ 12 - [x] @ ! # * > 2026-01-01\n\t"')
    texts = [
        "",
        "plain words",
        'He said "Hello" and \'yes\' (the "Term") on 2026-03-01, §§ 16600 and § 650.',
        f"Paid by {value}. Then {m.protect('Glow, P.A.')}. Ends on March 1, 2027, or 30 days.",
        f"(the \u201c{m.protect('Bylaws')}\u201d) within {m.protect(5)} days; 10 percent; 2026-13-45",
        "Dated January 5, 2026, and 1999-12-31/2000 and x2026-01-01 and 5 business days",
        '\'Tis the "season" \u2014"quoted" ["bracketed"] /\'slash\'',
    ]
    for text in texts:
        assert m.typeset(text) == _plain_typeset(text), text
        plain_restore = text.translate(m._RESTORE).replace(m.VALUE_OPEN, "").replace(m.VALUE_CLOSE, "")
        assert m.restore(text) == plain_restore, text
    assert m.restore(value) == 'A "B" | C\'s §§ 12 - [x] @ ! # * > 2026-01-01  "'
