"""PDF output with the real LibreOffice (no mocks): per-document PDFs and packet.pdf.

Skipped, with the reason, only when LibreOffice is not installed. Install it with:
    apt-get install -y libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from formgen.api import validate
from formgen.inputs.deal import load_deal
from formgen.drafting.plan import documents_for
from formgen.inputs.library import Library
from formgen.errors import FormgenError
from formgen.pdf.outline import document_label
from formgen.pdf.packet import PACKET_PDF
from formgen.pdf.soffice import INSTALL_COMMAND, convert_to_pdf

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "ca_medspa.yaml"


def _soffice_available() -> bool:
    configured = os.environ.get("FORMGEN_SOFFICE")
    if configured:
        return shutil.which(configured) is not None
    return any(shutil.which(name) for name in ("soffice", "libreoffice"))


# Slow tier: LibreOffice.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        not _soffice_available(),
        reason=f"LibreOffice (soffice) is not installed; install it to run the PDF tests: {INSTALL_COMMAND}",
    ),
]


def run_formgen(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formgen.cli.app", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=timeout,
    )


def generate_pdf(out: Path, *extra: str) -> subprocess.CompletedProcess:
    result = run_formgen("generate", str(EXAMPLE), "-o", str(out), "--pdf", *extra)
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def deal():
    return load_deal(EXAMPLE)


@pytest.fixture(scope="module")
def specs():
    deal, rules, _ = validate(EXAMPLE)
    return documents_for(deal, rules, Library.shipped().documents)


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("draft") / "glow"
    generate_pdf(out)
    return out


@pytest.fixture(scope="module")
def final(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("final") / "glow"
    generate_pdf(out, "--final")
    return out


def top_level(reader: PdfReader) -> list[tuple[str, int, list]]:
    """[(title, page index, children outline list)] of the top-level bookmarks."""
    out = []
    items = list(reader.outline)
    for i, item in enumerate(items):
        if isinstance(item, list):
            continue
        children = items[i + 1] if i + 1 < len(items) and isinstance(items[i + 1], list) else []
        out.append((item.title, reader.get_destination_page_number(item), children))
    return out


def test_every_document_has_a_pdf_next_to_its_docx(draft, specs):
    for spec in specs:
        assert (draft / spec.filename).is_file()
        pdf = draft / f"{spec.name}.pdf"
        assert pdf.is_file() and len(PdfReader(pdf).pages) >= 1, pdf
    assert (draft / PACKET_PDF).is_file()


def closing_pdfs(folder: Path) -> list[Path]:
    """The closing set's PDFs in the order packet.pdf binds them: checklist, closing documents,
    signature packets (the order of the Closing bookmark's children)."""
    packet = PdfReader(folder / PACKET_PDF)
    [(_, _, children)] = [m for m in top_level(packet) if m[0] == "Closing"]
    titles = [c.title for c in children]
    by_title = {PdfReader(p).metadata["/Title"]: p for p in (folder / "closing").glob("*.pdf")}
    assert set(titles) == set(by_title), (titles, sorted(by_title))
    return [by_title[t] for t in titles]


def test_packet_pages_are_the_cover_plus_every_document_plus_the_closing(draft, specs):
    packet = PdfReader(draft / PACKET_PDF)
    doc_pages = [len(PdfReader(draft / f"{s.name}.pdf").pages) for s in specs]
    closing_pages = [len(PdfReader(p).pages) for p in closing_pdfs(draft)]
    marks = top_level(packet)
    cover_pages = marks[0][1]
    assert 1 <= cover_pages <= 2, "the cover and contents take one or two pages (15 documents: two)"
    assert len(packet.pages) == sum(doc_pages) + cover_pages + sum(closing_pages)
    # Each document starts where the pages before it end; the Closing section comes last.
    starts = [cover_pages + sum(doc_pages[:i]) for i in range(len(specs) + 1)]
    assert [page for _, page, _ in marks] == starts


def test_one_bookmark_per_document_with_its_title_and_its_articles(draft, specs, deal):
    packet = PdfReader(draft / PACKET_PDF)
    marks = top_level(packet)
    assert [title for title, _, _ in marks] == [document_label(s, deal) for s in specs] + ["Closing"]
    assert marks[0][0] == "Management Services Agreement"
    # Articles come from each document's own outline (Heading 1 -> bookmark), under its document.
    for (title, start, children), spec in zip(marks, specs):
        own = PdfReader(draft / f"{spec.name}.pdf")
        own_titles = [" ".join(i.title.split()) for i in own.outline if not isinstance(i, list)]
        child_titles = [c.title for c in children if not isinstance(c, list)]
        assert child_titles == own_titles, title
        for child in children:
            if not isinstance(child, list):
                assert packet.get_destination_page_number(child) >= start
    msa_children = [c.title for c in marks[0][2] if not isinstance(c, list)]
    assert any(t.upper().startswith("ARTICLE 1") for t in msa_children), msa_children
    # Exhibits carry their titles, not a bare "EXHIBIT A".
    exhibits = [t for t in msa_children if t.startswith("EXHIBIT ")]
    assert exhibits and all(re.match(r"EXHIBIT [A-Z]\. \S", t) for t in exhibits), exhibits


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_closing_file_has_a_pdf_and_the_closing_section_binds_them(draft):
    """closing/<file>.pdf beside every Word file of the closing set; in packet.pdf, one "Closing"
    bookmark with a child per file at that file's first page, pages labelled CLOSING-1, ..."""
    docx = sorted((draft / "closing").glob("*.docx"))
    assert len(docx) >= 8
    for path in docx:
        assert path.with_suffix(".pdf").is_file(), path.name
    packet = PdfReader(draft / PACKET_PDF)
    [(_, section_start, children)] = [m for m in top_level(packet) if m[0] == "Closing"]
    assert packet.page_labels[section_start] == "CLOSING-1" and packet.page_labels[-1].startswith("CLOSING-")
    for child, pdf in zip(children, closing_pdfs(draft)):
        page = packet.get_destination_page_number(child)
        own_first = PdfReader(pdf).pages[0].extract_text()
        assert _words(packet.pages[page].extract_text()) == _words(own_first), child.title


def test_signature_packet_pdfs_hold_each_signature_page_with_its_documents_name(draft):
    """Each signature packet's PDF: the cover, then one page per signature block, in checklist
    order, each naming the document it belongs to (the lead-in and the legend)."""
    from formgen.api import build
    from formgen.markup import strip_word_markers
    from formgen.word.closing_set import plan_closing
    from formgen.word.signature_packets import packet_filenames, packets_by_signer

    by_signer = packets_by_signer(plan_closing(build(EXAMPLE)))
    filenames = packet_filenames(list(by_signer))
    for signer, pages in by_signer.items():
        pdf = draft / filenames[signer].replace(".docx", ".pdf")
        text = _words(" ".join(page_texts(pdf)))
        named = re.findall(r"Signature page to the (.+?), dated as of", text)
        assert named == [_words(strip_word_markers(p.document.full_name)) for p in pages], signer
        assert text.count("[Signature page to ") == len(pages), signer
        assert PdfReader(pdf).metadata["/Title"] == f"Signature Packet of {signer}"


def test_packet_metadata_labels_and_opening_view(draft, specs):
    packet = PdfReader(draft / PACKET_PDF)
    meta = packet.metadata
    assert meta["/Title"] == "Glow Aesthetics: Formation Packet"
    assert meta["/Author"] == "formgen"
    assert "CA" in re.split(r"[,\s]+", meta["/Keywords"])
    assert "Glow Management, LLC" in meta["/Subject"]
    assert packet.page_mode == "/UseOutlines"
    labels = packet.page_labels
    marks = top_level(packet)
    cover_pages = marks[0][1]
    assert labels[:cover_pages] == ["i", "ii"][:cover_pages]  # the cover's own pages in roman numerals
    assert labels[cover_pages] == "MSA-1" and labels[cover_pages + 1] == "MSA-2"
    assert labels[marks[1][1]] == "RS-1"  # numbering restarts for every document
    # Each document's own PDF carries its own title, not the Word template's.
    msa = PdfReader(draft / "msa.pdf")
    assert msa.metadata["/Title"] == "Management Services Agreement"
    assert msa.metadata["/Author"] == "formgen"


def test_cover_names_the_deal_parties_state_date_and_page_numbers(draft, specs, deal):
    packet = PdfReader(draft / PACKET_PDF)
    cover_pages = top_level(packet)[0][1]
    cover = "\n".join(packet.pages[i].extract_text() for i in range(cover_pages))
    for text in ("Glow Aesthetics", deal.mso.name, deal.practice.name, "California (CA)", "January 1, 2027"):
        assert text in cover, text
    for spec in specs:
        assert document_label(spec, deal).split()[0] in cover
    # Each contents row's (page count, start page), as laid out by LibreOffice, match the packet.
    doc_pages = [len(PdfReader(draft / f"{s.name}.pdf").pages) for s in specs]
    doc_pages.append(sum(len(PdfReader(p).pages) for p in closing_pdfs(draft)))  # the Closing line
    starts = [cover_pages + 1 + sum(doc_pages[:i]) for i in range(len(specs) + 1)]
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", str(cover_pages), str(draft / PACKET_PDF), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = re.findall(r"^\s*\d+\.\s.*?\s(\d+)\s+(\d+)\s*$", layout, flags=re.M)
    assert [(int(a), int(b)) for a, b in rows] == list(zip(doc_pages, starts))


def test_party_names_as_typed_are_in_the_text(draft):
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.split()) for page in page_texts(draft / PACKET_PDF))
    for name in (raw["mso"]["name"], raw["practice"]["name"], raw["deal"]["name"]):
        assert name in text, name
    msa = " ".join(" ".join(p.split()) for p in page_texts(draft / "msa.pdf"))
    assert raw["mso"]["name"] in msa and raw["practice"]["name"] in msa


def watermark_draws(page) -> int:
    """How many times the page's content draws a watermark artifact (the DRAFT outlines)."""
    data = page.get_contents().get_data()
    return data.count(b"/Subtype /Watermark>> BDC")


def test_draft_watermark_is_drawn_once_on_every_page(draft, specs):
    for pdf in [draft / PACKET_PDF] + [draft / f"{s.name}.pdf" for s in specs]:
        counts = [watermark_draws(page) for page in PdfReader(pdf).pages]
        wrong = [i + 1 for i, n in enumerate(counts) if n != 1]
        assert not wrong, f"{pdf.name}: pages {wrong} do not draw the watermark exactly once"
    assert "draft" in PdfReader(draft / PACKET_PDF).metadata["/Keywords"]


def _mid_grey_pixels(pdf: Path, out: Path) -> int:
    subprocess.run(["pdftoppm", "-gray", "-r", "20", "-f", "1", "-l", "1", str(pdf), str(out)], check=True, timeout=60)
    [image] = list(out.parent.glob(f"{out.name}*.pgm"))
    data = image.read_bytes()
    return sum(1 for b in data[data.index(b"255\n") + 4 :] if 150 <= b <= 235)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_draft_watermark_is_visible_on_the_rendered_page(draft, final, tmp_path):
    """Rendered by poppler, a draft page has far more light grey than its --final twin: the watermark."""
    with_mark = _mid_grey_pixels(draft / "formation_checklist.pdf", tmp_path / "draft")
    without = _mid_grey_pixels(final / "formation_checklist.pdf", tmp_path / "final")
    assert with_mark > without + 500, (with_mark, without)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_watermark_is_not_extracted_with_the_body_text(draft, specs):
    for pdf in [draft / PACKET_PDF] + [draft / f"{s.name}.pdf" for s in specs]:
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        fragments = [
            line for line in text.splitlines() if line.strip() in ("DRAFT", "DR", "AF", "T", "D", "R", "A", "F")
        ]
        assert not fragments, f"{pdf.name}: watermark letters in the extracted text: {fragments[:5]}"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_every_font_is_embedded(draft, specs):
    for pdf in [draft / PACKET_PDF] + [draft / f"{s.name}.pdf" for s in specs]:
        lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        not_embedded = [line for line in lines[2:] if line.split()[-5] != "yes"]
        assert not not_embedded, f"{pdf.name}: fonts not embedded: {not_embedded}"


def test_final_has_no_watermark(final, specs):
    for pdf in [final / PACKET_PDF] + [final / f"{s.name}.pdf" for s in specs]:
        marked = [i + 1 for i, page in enumerate(PdfReader(pdf).pages) if watermark_draws(page)]
        assert not marked, f"{pdf.name}: watermark on pages {marked}"
    assert "Not for signature" not in PdfReader(final / PACKET_PDF).pages[0].extract_text()


def test_documents_use_the_metric_compatible_fonts(draft):
    """Times New Roman in the template -> Liberation Serif (same metrics), never a fallback such as DejaVu."""
    fonts = set()
    for page in PdfReader(draft / "msa.pdf").pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")))
    names = {f.split("+")[-1].lstrip("/") for f in fonts}
    assert any(n.startswith(("LiberationSerif", "TimesNewRoman")) for n in names), names
    assert not any("DejaVu" in n for n in names), names


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) is not installed")
def test_poppler_reads_every_pdf_without_complaint(draft, specs):
    for pdf in [draft / PACKET_PDF] + [draft / f"{s.name}.pdf" for s in specs]:
        result = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and not result.stderr.strip(), f"{pdf.name}: {result.stderr}"


def test_two_concurrent_runs_both_succeed(tmp_path):
    outs = [tmp_path / "one", tmp_path / "two"]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda out: run_formgen("generate", str(EXAMPLE), "-o", str(out), "--pdf"), outs))
    for out, result in zip(outs, results):
        assert result.returncode == 0, result.stderr
        packet = PdfReader(out / PACKET_PDF)
        assert len(packet.pages) > 1
        assert (out / "msa.pdf").is_file()


def test_missing_libreoffice_exits_1_with_install_advice_and_keeps_the_docx(tmp_path, specs):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "FORMGEN_SOFFICE"}
    env["PATH"] = str(empty_bin)
    out = tmp_path / "out"
    result = run_formgen("generate", str(EXAMPLE), "-o", str(out), "--pdf", env=env)
    assert result.returncode == 1, result.stderr
    assert "apt-get install -y libreoffice-writer-nogui" in result.stderr
    assert "LibreOffice" in result.stderr and "Traceback" not in result.stderr
    for spec in specs:
        assert (out / spec.filename).is_file(), spec.filename
    assert not list(out.glob("*.pdf"))


def test_formgen_soffice_pointing_nowhere_is_a_clear_error(tmp_path):
    env = {**os.environ, "FORMGEN_SOFFICE": str(tmp_path / "no-such-soffice")}
    result = run_formgen("generate", str(EXAMPLE), "-o", str(tmp_path / "out"), "--pdf", env=env)
    assert result.returncode == 1
    assert "FORMGEN_SOFFICE" in result.stderr and "apt-get install" in result.stderr


def test_a_file_libreoffice_cannot_read_is_named(tmp_path):
    good = tmp_path / "fine.docx"
    from docx import Document

    doc = Document()
    doc.add_paragraph("A short document.")
    doc.save(good)
    bad = tmp_path / "broken.docx"
    bad.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(FormgenError, match="broken.docx") as err:
        convert_to_pdf([good, bad], tmp_path / "pdf")
    assert "fine.docx" not in str(err.value)
    assert (tmp_path / "pdf" / "fine.pdf").is_file()  # one process converted what it could


def test_a_conversion_that_takes_too_long_is_stopped_with_a_clear_error(tmp_path):
    from docx import Document

    doc = Document()
    doc.add_paragraph("A short document.")
    doc.save(tmp_path / "slow.docx")
    with pytest.raises(FormgenError, match=r"did not finish .* slow\.docx"):
        convert_to_pdf([tmp_path / "slow.docx"], tmp_path / "pdf", timeout=0.3)


def _small_docx(path: Path) -> Path:
    from docx import Document

    doc = Document()
    doc.add_paragraph("Glow Management, LLC and Glow Medical Corporation.")
    doc.save(path)
    return path


def test_the_cached_profile_is_made_once_and_a_broken_one_is_replaced(tmp_path, monkeypatch, machine_settings):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("FORMGEN_LO_PROFILE_CACHE", raising=False)
    monkeypatch.delenv("FORMGEN_CACHE_DIR", raising=False)
    machine_settings()
    src = _small_docx(tmp_path / "one.docx")
    first = convert_to_pdf([src], tmp_path / "a")
    templates = list((tmp_path / "cache" / "formgen").glob("libreoffice-profile-*"))
    assert len(templates) == 1 and (templates[0] / "user").is_dir()
    assert "Glow Medical Corporation" in PdfReader(first[0]).pages[0].extract_text()
    # A damaged template must not break conversion.
    for f in templates[0].rglob("*"):
        if f.is_file():
            f.write_bytes(b"\x00garbage")
    again = convert_to_pdf([src], tmp_path / "b")
    assert "Glow Medical Corporation" in PdfReader(again[0]).pages[0].extract_text()


def test_profile_cache_can_be_turned_off(tmp_path, monkeypatch, machine_settings):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FORMGEN_LO_PROFILE_CACHE", "0")
    monkeypatch.delenv("FORMGEN_CACHE_DIR", raising=False)
    machine_settings()
    out = convert_to_pdf([_small_docx(tmp_path / "one.docx")], tmp_path / "a")
    assert out[0].is_file()
    assert not (tmp_path / "cache" / "formgen").exists()


# --------------------------------------------------------------------------- persistent converter


def _our_processes(marker: str) -> dict[int, str]:
    """{pid: command line} of running processes whose command line mentions ``marker``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in cmdline:
            found[int(entry.name)] = cmdline
    return found


def _deals_folder(tmp_path: Path, names: list[str]) -> Path:
    deals = tmp_path / "deals"
    deals.mkdir()
    for name in names:
        shutil.copy(REPO / "examples" / f"{name}.yaml", deals / f"{name}.yaml")
    return deals


def _batch_pdf(tmp_path: Path, deals: Path, out: Path, jobs: int, env_extra: dict) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), **env_extra}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return subprocess.Popen(
        [sys.executable, "-m", "formgen.cli.app", "batch", str(deals), "-o", str(out), "--pdf", "-j", str(jobs)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interfere_once(proc: subprocess.Popen, out: Path, marker: str, sig: int) -> int:
    """Once the first packet.pdf exists, send ``sig`` to the running LibreOffice; its pid."""
    import time

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        if list(out.glob("*/packet.pdf")):
            offices = [pid for pid, cmd in _our_processes(marker).items() if "soffice.bin" in cmd]
            if offices:
                os.kill(offices[0], sig)
                return offices[0]
        time.sleep(0.05)
    pytest.fail("the batch finished before LibreOffice could be interfered with")


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the LibreOffice process")
@pytest.mark.parametrize("how", ["killed", "hung"])
def test_batch_pdf_finishes_every_packet_when_libreoffice_dies_or_hangs(tmp_path, how):
    import signal

    names = ["ca_medspa", "fl_medspa", "ny_medspa", "tx_medspa"]
    deals, out = _deals_folder(tmp_path, names), tmp_path / "out"
    marker = str(tmp_path / "tmp")
    proc = _batch_pdf(tmp_path, deals, out, 1, {"FORMGEN_PDF_TIMEOUT": "15"})
    try:
        victim = _interfere_once(proc, out, marker, signal.SIGKILL if how == "killed" else signal.SIGSTOP)
        stdout, stderr = proc.communicate(timeout=400)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, f"{stdout}\n{stderr}"
    assert victim
    for name in names:
        packet = PdfReader(out / name / PACKET_PDF)
        assert len(packet.pages) > 10 and len(packet.outline) >= 7, name
    left = _our_processes(marker)
    assert not left, f"processes left behind: {left}"


def test_parallel_batch_pdf_workers_each_convert_and_leave_nothing_running(tmp_path):
    names = ["ca_medspa", "oh_medspa", "or_medspa"]
    deals, out = _deals_folder(tmp_path, names), tmp_path / "out"
    proc = _batch_pdf(tmp_path, deals, out, 2, {})
    stdout, stderr = proc.communicate(timeout=400)
    assert proc.returncode == 0, f"{stdout}\n{stderr}"
    for name in names:
        assert len(PdfReader(out / name / PACKET_PDF).pages) > 10
        assert (out / name / "msa.pdf").is_file()
    assert not _our_processes(str(tmp_path / "tmp"))


def test_without_the_uno_bridge_one_soffice_call_makes_the_same_packet(draft, tmp_path):
    """FORMGEN_PDF_PERSISTENT=0 (what happens where python3-uno is missing): the one-call
    conversion gives the same packet: pages, bookmarks, page labels and cover."""
    env = {**os.environ, "FORMGEN_PDF_PERSISTENT": "0", "TMPDIR": str(tmp_path)}
    out = tmp_path / "fallback"
    result = run_formgen("generate", str(EXAMPLE), "-o", str(out), "--pdf", env=env)
    assert result.returncode == 0, result.stderr
    ours, theirs = PdfReader(draft / PACKET_PDF), PdfReader(out / PACKET_PDF)
    assert len(ours.pages) == len(theirs.pages)
    assert [t for t, _, _ in top_level(ours)] == [t for t, _, _ in top_level(theirs)]
    assert ours.page_labels == theirs.page_labels
    assert ours.pages[0].extract_text() == theirs.pages[0].extract_text()


def test_two_converters_share_a_packet_and_return_the_pdfs_in_order(tmp_path, monkeypatch, machine_settings):
    """FORMGEN_PDF_CONVERTERS=2: two LibreOffice processes convert the documents side by side; each
    PDF is the one of its own document, in the order given, and closing leaves nothing running."""
    from docx import Document

    from formgen.pdf import persistent

    if persistent.uno_python() is None:
        pytest.skip("no Python with LibreOffice's uno module")
    monkeypatch.setenv("FORMGEN_PDF_CONVERTERS", "2")
    machine_settings()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(persistent, "_CONVERTERS", [])
    docs = []
    for i in range(6):
        doc = Document()
        for _ in range(1 + 8 * (i == 0)):  # the first is longest: the other converter takes the rest
            doc.add_paragraph(f"Document number {i}. " * 200)
        doc.save(tmp_path / f"doc{i}.docx")
        docs.append(tmp_path / f"doc{i}.docx")
    try:
        pdfs = persistent.convert_documents(docs, tmp_path / "pdf")
        pool = persistent.converters(2)
        assert [p.name for p in pdfs] == [f"doc{i}.pdf" for i in range(6)]
        for i, pdf in enumerate(pdfs):
            assert f"Document number {i}." in PdfReader(pdf).pages[0].extract_text()
        assert [c.starts for c in pool] == [1, 1]
        offices = [c.office_pid for c in pool]
    finally:
        persistent.shutdown()
    for pid in offices:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_batch_pdf_renders_the_documents_on_disk_not_a_fresh_build(tmp_path):
    """A lawyer's hand edit in msa.docx is in msa.pdf and packet.pdf after `formgen batch --pdf`:
    PDFs are made from the .docx files in the folder (merged, hand-edited, executed)."""
    import docx

    import formgen

    deals = tmp_path / "deals"
    deals.mkdir()
    shutil.copy(EXAMPLE, deals / "glow.yaml")
    out = tmp_path / "out"
    assert [r.status for r in formgen.batch(deals, out, jobs=1).results] == ["built"]
    msa = out / "glow" / "msa.docx"
    edited = docx.Document(str(msa))
    edited.add_paragraph("Counsel's hand edit: Practice may prepay a quarter.")
    edited.save(str(msa))

    result = formgen.batch(deals, out, jobs=1, pdf=True)

    assert [r.status for r in result.results] == ["unchanged"], result.results[0].detail
    assert "Counsel's hand edit" in "".join(page_texts(out / "glow" / "msa.pdf"))
    assert "Counsel's hand edit" in "".join(page_texts(out / "glow" / PACKET_PDF))


def test_msa_toc_shows_the_pages_its_articles_start_on(draft):
    """Page 1 of msa.pdf lists every article and exhibit with the page its bookmark points at, and
    msa.docx's TOC field result carries the same numbers."""
    assert len(toc_matches_the_rendered_pages(draft)) == 27


def toc_matches_the_rendered_pages(folder: Path) -> dict[str, int]:
    """The start page of each article and exhibit of folder/msa.pdf, once checked that page 1 of the
    PDF and the TOC field result of folder/msa.docx list exactly these numbers."""
    from formgen.word.ooxml import docx_paragraphs

    reader = PdfReader(folder / "msa.pdf")
    starts = {}
    for item in reader.outline:
        if isinstance(item, list):
            continue
        found = re.match(r"(ARTICLE|Article|EXHIBIT) (\w+)", item.title)
        if found:
            starts[f"{found.group(1).title()} {found.group(2)}"] = reader.get_destination_page_number(item) + 1
    first_page = reader.pages[0].extract_text()
    listed = {}
    for line in first_page.splitlines():
        found = re.match(r"(Article|Exhibit)\s(\w+)\s.*?[. ]*\.{3,}\s*(\d+)\s*$", line)
        if found:
            listed[f"{found.group(1)} {found.group(2)}"] = int(found.group(3))
    assert listed == starts
    in_docx = {}
    paragraphs = docx_paragraphs((folder / "msa.docx").read_bytes())
    for paragraph in paragraphs:
        found = re.match(r"(Article|Exhibit)\u00a0(\w+)\t.*\t(\d+)$", paragraph)
        if found:
            in_docx[f"{found.group(1)} {found.group(2)}"] = int(found.group(3))
    assert in_docx == starts
    assert not any(p.startswith("[Page numbers are filled in") for p in paragraphs)
    return starts


def test_regenerate_keeps_the_toc_pages_and_regenerate_pdf_paginates_a_changed_msa(draft, tmp_path):
    """After `generate --pdf`, a regeneration with nothing changed keeps msa.docx's bytes (its TOC
    page numbers included); after a deal change that removes an article, `regenerate --pdf`
    renders the new MSA and writes the pages its articles now start on into the TOC, as
    `generate --pdf` does."""
    out = tmp_path / "glow"
    shutil.copytree(draft, out)
    signed_off = (out / "msa.docx").read_bytes()

    same = run_formgen("regenerate", str(out))
    assert same.returncode == 0, same.stderr
    assert "nothing changed" in same.stdout
    assert (out / "msa.docx").read_bytes() == signed_off

    deal = tmp_path / "glow.yaml"
    deal.write_text(
        EXAMPLE.read_text().replace(
            "services: [administrative, payroll_hr, marketing, ", "services: [administrative, payroll_hr, "
        )
    )
    changed = run_formgen("regenerate", str(out), "--deal", str(deal), "--pdf")
    assert changed.returncode == 0, changed.stderr
    assert "msa.docx: rebuilt" in changed.stdout and "wrote a PDF of each document" in changed.stdout
    before, after = toc_matches_the_rendered_pages(draft), toc_matches_the_rendered_pages(out)
    assert len(after) == len(before) - 1  # one article fewer, every entry with its rendered page
    assert after != {label: page for label, page in before.items() if label in after}  # later ones moved up


def _picture_docx(path: Path, picture: Path, *, linked: bool) -> Path:
    """A one-picture .docx; ``linked`` makes the picture a link to ``picture`` (fetched on open)
    instead of a copy inside the file, as a hostile upload would."""
    import zipfile

    from docx import Document
    from docx.shared import Inches

    doc = Document()
    doc.add_paragraph("A picture follows.")
    doc.add_picture(str(picture), width=Inches(1))
    doc.save(str(path))
    if linked:
        with zipfile.ZipFile(path) as zin:
            parts = {item.filename: zin.read(item.filename) for item in zin.infolist()}
        rels = parts["word/_rels/document.xml.rels"].decode()
        parts["word/_rels/document.xml.rels"] = re.sub(
            r'Target="media/[^"]+"', f'Target="{picture.resolve().as_uri()}" TargetMode="External"', rels
        ).encode()
        parts["word/document.xml"] = parts["word/document.xml"].replace(b"r:embed=", b"r:link=")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in parts.items():
                if not name.startswith("word/media/"):
                    zout.writestr(name, data)
    return path


def _png(path: Path) -> Path:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x00\x00\xff" * 40 for _ in range(40))
    header = struct.pack(">IIBBBBB", 40, 40, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.parametrize("persistent_converter", [True, False], ids=["persistent", "one-soffice-call"])
def test_a_file_cannot_pull_other_files_of_this_machine_into_its_pdf(
    tmp_path, monkeypatch, machine_settings, libreoffice, persistent_converter
):
    """A .docx whose picture is a link to a file elsewhere on the machine converts without it
    (LibreOffice's BlockUntrustedRefererLinks), by either converter; the same picture inside the
    file is kept, so the check can see a picture when there is one."""
    from formgen.pdf import persistent

    monkeypatch.setenv("FORMGEN_PDF_PERSISTENT", "1" if persistent_converter else "0")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    machine_settings()
    if persistent_converter and persistent.uno_python() is None:
        pytest.skip("no Python with LibreOffice's uno module")
    monkeypatch.setattr(persistent, "_CONVERTERS", [])
    secret = _png(tmp_path / "elsewhere.png")
    linked = _picture_docx(tmp_path / "linked.docx", secret, linked=True)
    kept = _picture_docx(tmp_path / "kept.docx", secret, linked=False)
    try:
        pdfs = persistent.convert_documents([linked, kept], tmp_path / "out")
    finally:
        persistent.shutdown()
    pictures = [len(PdfReader(pdf).pages[0].images) for pdf in pdfs]
    assert pictures == [0, 1]
