"""Hostile values: every name or address prints exactly as typed, or is refused at validation
with a message naming the field. Template code in a value never runs; template code in a
clause or a Word template cannot reach Python internals (the jinja sandbox).
"""

from __future__ import annotations

import copy
import json
import io
import re
from pathlib import Path

import pytest
import yaml

import formgen
from conftest import EXAMPLES
from formgen.errors import InputError, TemplateError

BASE = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8"))
AGREEMENTS = ("msa", "responsibility_schedule", "mso_operating_agreement", "practice_bylaws", "baa")

# Each prints literally: the packet's text holds it character for character.
LITERAL = {
    "jinja expression": "{{ 7*7 }}",
    "jinja loop": "{% for x in range(3) %}x{% endfor %}",
    "jinja internals": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "jinja comment": "{# hidden #}",
    "docxtpl escapes": "{_{ x }_} {_% y %_}",
    "docxtpl paragraph tag": "{%p if 1 %}",
    "Word run markup": "</w:t></w:r><w:r><w:t>",
    "CDATA end": "]]> <![CDATA[x]]>",
    "XML entities": "&amp; &#123; &lt;",
    "XML specials": "& < > \" '",
    "right-to-left override": "\u202eevil\u202c Co",
    "zero-width and direction marks": "a\u200bb\u200fc\ufeff",
    "emoji": "Glow 😀 👩\u200d⚕️ 🇺🇸",
    "table row": "| a | b |",
    "list item": "- item",
    "bold caption": "**bold**",
    "paragraph label": "[#x] y",
    "signature line": "@sign A | B | C",
    "drafting note": "!! note",
    "sub-heading": "## heading",
    "quote paragraph": "> quote",
    "non-Latin": "José Núñez 李 مرحبا",
}

# Each is refused: (value, the words the message must hold).
REFUSED = {
    "control U+0001": ("Glow\x01 Management", "control character U+0001"),
    "vertical tab": ("Glow\x0b Management", "control character U+000B"),
    "NUL": ("Glow\x00", "control character U+0000"),
    "private use": ("Glow\ue000", "private-use character"),
    "10,000 characters": ("G" * 10_000, "should have at most"),  # 200, or 120 for an entity name
    "blank": ("   ", "is empty"),
}


def _text(data: bytes) -> str:
    """Every paragraph of the body, headers and footers, opened with python-docx."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    parts = (
        [document.element.body]
        + [s.header._element for s in document.sections]
        + [s.footer._element for s in document.sections]
    )
    return "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for part in parts for p in part.iter(qn("w:p")))


def _properties(data: bytes) -> dict[str, str]:
    """The document's core properties (File > Info in Word), which docxtpl also renders."""
    from docx import Document

    props = Document(io.BytesIO(data)).core_properties
    return {"title": props.title, "subject": props.subject}


def _structure(data: bytes) -> tuple[int, int, int]:
    from formgen.word.ooxml import read_package

    xml = read_package(data)["word/document.xml"].decode("utf-8")
    return xml.count("<w:p>") + xml.count("<w:p "), xml.count("<w:tbl>"), xml.count("<w:br")


def _build(deal: dict, folder: Path):
    path = folder / "deal.yaml"
    path.write_text(yaml.safe_dump(deal, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return formgen.build(path)


def _with(value: str) -> dict:
    deal = copy.deepcopy(BASE)
    deal["mso"]["name"] = f"{value} Holdings, LLC"
    deal["practice"]["name"] = f"{value} {BASE['practice']['name']}"  # keeps the required ending
    deal["mso"]["address"] = f"{value} 100 Main Street, San Diego, CA 92101"
    deal["mso"]["signatory"]["title"] = f"{value} Manager"
    deal["deal"]["name"] = f"{value} Aesthetics"
    return deal


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    packet = _build(_with("Plain"), tmp_path_factory.mktemp("baseline"))
    return {d.spec.name: _structure(d.data) for d in packet.documents}


@pytest.mark.parametrize("value", LITERAL.values(), ids=LITERAL.keys())
def test_value_prints_literally_and_changes_no_structure(value, baseline, tmp_path):
    deal = _with(value)
    packet = _build(deal, tmp_path)
    texts = {d.spec.name: _text(d.data) for d in packet.documents}
    for doc in packet.documents:
        for entity in doc.spec.entities:  # the entities the document names (a charter only its own)
            assert deal[entity]["name"] in texts[doc.spec.name], f"{doc.spec.name}: {entity} name not as typed"
    everything = "\n".join(texts.values())
    assert deal["mso"]["address"] in everything
    assert deal["mso"]["signatory"]["title"] in everything
    assert "<class" not in everything  # template code in a value never ran (its text is there, as typed)
    assert f"{deal['deal']['name']}: confidential draft" in texts["msa"]  # the page header
    properties = {d.spec.name: _properties(d.data) for d in packet.documents}
    assert properties["msa"]["subject"] == f"{deal['mso']['name']} and {deal['practice']['name']}"
    assert properties["compliance_memo"]["subject"] == deal["deal"]["name"]
    for name in AGREEMENTS:
        if name in texts:
            built = next(d for d in packet.documents if d.spec.name == name)
            assert _structure(built.data) == baseline[name], f"{name}: the value changed the document's structure"


@pytest.mark.parametrize("value,words", REFUSED.values(), ids=REFUSED.keys())
@pytest.mark.parametrize("field", ["mso.name", "practice.address", "mso.members[0].name", "practice.signatory.title"])
def test_value_is_refused_naming_the_field(field, value, words, tmp_path):
    deal = copy.deepcopy(BASE)
    node, *path = field.replace("[0]", ".0").split(".")
    target = deal[node]
    for key in path[:-1]:
        target = target[int(key)] if key.isdigit() else target[key]
    target[path[-1]] = value
    if words.startswith("at most 200") and field == "practice.address":
        words = "at most 400 characters" if len(value) > 400 else words
    if words.startswith("at most 200") and field == "practice.signatory.title":
        words = "at most 120 characters"
    with pytest.raises(InputError) as caught:
        _build(deal, tmp_path)
    message = str(caught.value)
    assert f" {field}: " in message, message
    assert words in message, message
    assert "Traceback" not in message


def test_refused_on_the_command_line_with_exit_1_and_no_traceback(tmp_path):
    from conftest import run_cli

    deal = copy.deepcopy(BASE)
    deal["mso"]["name"] = "Glow\x01 Management"
    path = tmp_path / "deal.json"
    import json

    path.write_text(json.dumps(deal, default=str), encoding="utf-8")
    result = run_cli("generate", str(path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "mso.name: contains the control character U+0001" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ template code in a clause


def _context():
    from formgen.drafting.context import build_context
    from formgen.inputs.deal import load_deal
    from formgen.inputs.library import Library

    deal = load_deal(EXAMPLES / "ca_medspa.yaml")
    return build_context(deal, Library.shipped().state(deal.state), Library.shipped())


def _clause(tmp_path: Path, body: str, conditions: list[str] | None = None):
    from formgen.inputs.clauses import parse_clause_file

    path = tmp_path / "010-evil.md"
    path.write_text(
        "---\nid: msa.evil\nversion: 1\ntitle: Evil\ndocument: msa\nkind: article\n"
        f"conditions: {conditions or []!r}\n---\n{body}\n",
        encoding="utf-8",
    )
    return parse_clause_file(path)


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ mso.__class__ }}",
    "{{ mso.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ lipsum.__globals__['os'] }}",
    "{{ money.__globals__ }}",
    "{{ ref.__code__ }}",
    "{{ state.__dict__ }}",
    "{{ '{0.__class__.__mro__}'.format(mso) }}",
    "{{ mso.name.__class__.__base__.__subclasses__() }}",
    "{% set x = mso.members.append(1) %}{{ x }}",
    "{{ service_ids.pop() }}",
    "{{ range(10**9) | list | length }}",
]


@pytest.mark.parametrize("body", ESCAPES)
def test_clause_code_cannot_reach_python_internals(body, tmp_path):
    from formgen.drafting.assemble import render_clause

    context = _context()
    members_before = list(context["mso"].members)
    with pytest.raises(TemplateError) as caught:
        render_clause(_clause(tmp_path, body), context)
    message = str(caught.value)
    assert "msa.evil cannot be rendered" in message
    assert re.search(r"unsafe|too big|range", message), message
    assert "<class" not in message and "<built-in" not in message and "function" not in message.split(":", 1)[0]
    assert list(context["mso"].members) == members_before and context["service_ids"]


def test_clause_condition_cannot_reach_python_internals(tmp_path):
    from formgen.drafting.plan import conditions_hold

    clause = _clause(tmp_path, "Text.", conditions=["mso.__class__.__name__ == 'Mso'"])
    with pytest.raises(TemplateError) as caught:
        conditions_hold(clause, _context())
    assert "unsafe" in str(caught.value)


def test_word_template_code_cannot_reach_python_internals(tmp_path):
    from docx import Document

    from formgen.word.render import render_docx

    document = Document()
    document.add_paragraph("{{ title.__class__.__mro__[1].__subclasses__() }}")
    template = tmp_path / "document.docx"
    document.save(template)
    with pytest.raises(TemplateError) as caught:
        render_docx(template, {"title": "x"})
    assert "unsafe" in str(caught.value)


def test_value_holding_clause_code_is_printed_not_run(tmp_path):
    """The same escapes typed as a party name print as text."""
    from formgen.drafting.assemble import render_clause

    context = _context()
    name = ESCAPES[0]
    context["mso"] = context["mso"].model_copy(update={"name": name})
    paras = render_clause(_clause(tmp_path, "MSO is {{ mso.name }}."), context)
    assert [p.text for p in paras] == [f"MSO is {name}."]


# ---------------------------------------------------------------- hostile files (round 2)

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

from conftest import ROOT, run_cli
from formgen.word.wordml import W_DECL

pytestmark = pytest.mark.slow  # slow tier: hostile inputs through whole workflows

W_NS = W_DECL
SECRET = "SECRET-LINE 15% of gross collections"


def _docx_with(base: bytes, document: bytes | None = None, extra: dict | None = None) -> bytes:
    parts = {}
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        for info in zf.infolist():
            parts[info.filename] = zf.read(info)
    if document is not None:
        parts["word/document.xml"] = document
    parts.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def hostile_docx(base: bytes, tmp_path: Path) -> dict[str, bytes]:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    body = "<w:body><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body>"
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * 10}">' for i in range(1, 10))
    return {
        "external entity (XXE)": _docx_with(
            base,
            (
                f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file://{secret}">]>'
                f"<w:document {W_NS}>{body.format('&e;')}</w:document>"
            ).encode(),
        ),
        "entity expansion (billion laughs)": _docx_with(
            base,
            (
                f'<?xml version="1.0"?><!DOCTYPE d [{laughs}]><w:document {W_NS}>{body.format("&l9;")}</w:document>'
            ).encode(),
        ),
        "zip bomb (40 MB part)": _docx_with(
            base, f"<w:document {W_NS}>".encode() + b" " * (40 << 20) + b"</w:document>"
        ),
        "../ and absolute entries": _docx_with(base, extra={"../../escape.txt": b"pwned", "/abs-escape.txt": b"pwned"}),
        "not a zip": b"\x00\xff" * 1000,
        "empty": b"",
    }


def test_hostile_docx_for_scan(packets, tmp_path):
    base = (packets["ca_medspa"] / "msa.docx").read_bytes()
    for label, data in hostile_docx(base, tmp_path).items():
        work = tmp_path / "work"
        work.mkdir()
        (work / "msa.docx").write_bytes(data)
        started = time.monotonic()
        result = run_cli("scan", str(work / "msa.docx"), "--state", "CA", "--json", cwd=work)
        assert time.monotonic() - started < 60, label
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (label, result.stderr)
        assert result.returncode in (0, 1), (label, result.returncode, result.stderr)
        assert SECRET not in result.stdout + result.stderr, label
        assert sorted(p.name for p in work.iterdir()) == ["msa.docx"], label
        shutil.rmtree(work)
    assert not (tmp_path.parent / "escape.txt").exists() and not Path("/abs-escape.txt").exists()


def test_hostile_docx_in_a_packet_for_regenerate(packets, tmp_path):
    base = (packets["ca_medspa"] / "msa.docx").read_bytes()
    deal = tmp_path / "glow.yaml"
    deal.write_text((EXAMPLES / "ca_medspa.yaml").read_text().replace("initial_years: 5", "initial_years: 6"))
    for label, data in hostile_docx(base, tmp_path).items():
        out = tmp_path / "packet"
        formgen.generate(EXAMPLES / "ca_medspa.yaml", out)
        (out / "msa.docx").write_bytes(data)
        result = run_cli("regenerate", str(out), "--deal", str(deal))  # merges hand edits where it can
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, (label, result.stderr)
        assert SECRET not in result.stdout + result.stderr, label
        if result.returncode == 1:
            assert (out / "msa.docx").read_bytes() == data, label
        shutil.rmtree(out)
        formgen.generate(EXAMPLES / "ca_medspa.yaml", out)
        (out / "msa.docx").write_bytes(data)
        result = run_cli("regenerate", str(out), "--deal", str(deal), "--force", "--no-merge")
        assert result.returncode == 0, (label, result.stderr)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, label
        kept = out / f"msa.edited-{hashlib.sha256(data).hexdigest()[:8]}.docx"
        assert kept.read_bytes() == data, label
        for path in out.rglob("*"):
            if path.is_file() and path != kept and path.suffix == ".docx":
                with zipfile.ZipFile(path) as zf:
                    assert not any(SECRET.encode() in zf.read(n) for n in zf.namelist()), (label, path)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["glow.yaml", "packet", "secret.txt"], label
        shutil.rmtree(out)


def test_sigkill_during_batch_leaves_each_packet_whole(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    for example in sorted(EXAMPLES.glob("*_medspa.yaml"))[:3]:
        shutil.copy(example, deals / example.name)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.8, 1.6, 2.4):
        proc = subprocess.Popen(
            [sys.executable, "-m", "formgen", "batch", str(deals), "-o", str(out), "-j", "2"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for packet in out.iterdir() if out.exists() else []:
            if packet.name.startswith("."):
                continue  # a killed run's staging folder: never in place of a packet
            manifest = json.loads((packet / "manifest.json").read_text())
            for name, digest in manifest["outputs"].items():
                if name != "manifest.json":
                    assert hashlib.sha256((packet / name).read_bytes()).hexdigest() == digest, (delay, packet, name)
    result = run_cli("batch", str(deals), "-o", str(out), "-j", "2", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(p.stem for p in deals.iterdir()), "stale stages removed"


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_full_disk_keeps_the_previous_packet(small_disk):
    out = small_disk / "packet"
    result = run_cli("generate", str(EXAMPLES / "ca_medspa.yaml"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    free = os.statvfs(small_disk)
    (small_disk / "filler").write_bytes(b"\0" * max(0, free.f_bavail * free.f_frsize - 64 * 1024))
    result = run_cli("generate", str(EXAMPLES / "ny_medspa.yaml"), "-o", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No space left on device" in result.stderr and "Traceback" not in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "packet"], "no staging folder left"
