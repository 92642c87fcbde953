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

from formgen.inputs.deal import load_deal
from formgen.inputs.documents import documents_for
from formgen.errors import FormgenError
from formgen.pdf.packet import INSTALL_COMMAND, PACKET_PDF, convert_to_pdf, document_label

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "ca_medspa.yaml"


def _soffice_available() -> bool:
    configured = os.environ.get("FORMGEN_SOFFICE")
    if configured:
        return shutil.which(configured) is not None
    return any(shutil.which(name) for name in ("soffice", "libreoffice"))


pytestmark = pytest.mark.skipif(
    not _soffice_available(),
    reason=f"LibreOffice (soffice) is not installed; install it to run the PDF tests: {INSTALL_COMMAND}",
)


def run_formgen(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "formgen.cli.app", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=timeout)


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
def specs(deal):
    return documents_for(deal)


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


def test_packet_pages_are_the_cover_plus_every_document(draft, specs):
    packet = PdfReader(draft / PACKET_PDF)
    doc_pages = [len(PdfReader(draft / f"{s.name}.pdf").pages) for s in specs]
    marks = top_level(packet)
    cover_pages = marks[0][1]
    assert cover_pages == 1, "the cover and contents fit on one page for this deal"
    assert len(packet.pages) == sum(doc_pages) + cover_pages
    # Each document starts where the pages before it end.
    starts = [cover_pages + sum(doc_pages[:i]) for i in range(len(specs))]
    assert [page for _, page, _ in marks] == starts


def test_one_bookmark_per_document_with_its_title_and_its_articles(draft, specs, deal):
    packet = PdfReader(draft / PACKET_PDF)
    marks = top_level(packet)
    assert [title for title, _, _ in marks] == [document_label(s, deal) for s in specs]
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


def test_packet_metadata_labels_and_opening_view(draft, specs):
    packet = PdfReader(draft / PACKET_PDF)
    meta = packet.metadata
    assert meta["/Title"] == "Glow Aesthetics: Formation Packet"
    assert meta["/Author"] == "formgen"
    assert "CA" in re.split(r"[,\s]+", meta["/Keywords"])
    assert "Glow Management, LLC" in meta["/Subject"]
    assert packet.page_mode == "/UseOutlines"
    labels = packet.page_labels
    assert labels[0] == "i"
    assert labels[1] == "MSA-1" and labels[2] == "MSA-2"
    marks = top_level(packet)
    assert labels[marks[1][1]] == "RS-1"  # numbering restarts for every document
    # Each document's own PDF carries its own title, not the Word template's.
    msa = PdfReader(draft / "msa.pdf")
    assert msa.metadata["/Title"] == "Management Services Agreement"
    assert msa.metadata["/Author"] == "formgen"


def test_cover_names_the_deal_parties_state_date_and_page_numbers(draft, specs, deal):
    packet = PdfReader(draft / PACKET_PDF)
    cover = packet.pages[0].extract_text()
    for text in ("Glow Aesthetics", deal.mso.name, deal.practice.name, "California (CA)", "January 1, 2027"):
        assert text in cover, text
    for spec in specs:
        assert document_label(spec, deal).split()[0] in cover
    # The stamped (page count, start page) of each contents row match the packet.
    doc_pages = [len(PdfReader(draft / f"{s.name}.pdf").pages) for s in specs]
    starts = [2 + sum(doc_pages[:i]) for i in range(len(specs))]
    stamped = re.findall(r"^(\d+) (\d+)$", cover, flags=re.M)
    assert [(int(a), int(b)) for a, b in stamped] == list(zip(doc_pages, starts))


def test_party_names_as_typed_are_in_the_text(draft):
    raw = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.split()) for page in page_texts(draft / PACKET_PDF))
    for name in (raw["mso"]["name"], raw["practice"]["name"], raw["deal"]["name"]):
        assert name in text, name
    msa = " ".join(" ".join(p.split()) for p in page_texts(draft / "msa.pdf"))
    assert raw["mso"]["name"] in msa and raw["practice"]["name"] in msa


def test_draft_watermark_is_on_every_page(draft, specs):
    for pdf in [draft / PACKET_PDF] + [draft / f"{s.name}.pdf" for s in specs]:
        texts = page_texts(pdf)
        missing = [i + 1 for i, t in enumerate(texts) if "DRAFT" not in t]
        assert not missing, f"{pdf.name}: no DRAFT on pages {missing}"
        twice = [i + 1 for i, t in enumerate(texts) if t.count("DRAFT") > 1]
        assert not twice, f"{pdf.name}: more than one watermark on pages {twice}"
    assert "draft" in PdfReader(draft / PACKET_PDF).metadata["/Keywords"]


def test_final_has_no_watermark(final, specs):
    for pdf in [final / PACKET_PDF] + [final / f"{s.name}.pdf" for s in specs]:
        reader = PdfReader(pdf)
        texts = [page.extract_text() or "" for page in reader.pages]
        marked = [i + 1 for i, t in enumerate(texts) if "DRAFT" in t]
        assert not marked, f"{pdf.name}: DRAFT on pages {marked}"
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


def test_the_cached_profile_is_made_once_and_a_broken_one_is_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("FORMGEN_LO_PROFILE_CACHE", raising=False)
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


def test_profile_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("FORMGEN_LO_PROFILE_CACHE", "0")
    out = convert_to_pdf([_small_docx(tmp_path / "one.docx")], tmp_path / "a")
    assert out[0].is_file()
    assert not (tmp_path / "cache" / "formgen").exists()
