"""`formgen review`: sections as the document shows them, the control categories, precision on
compliant look-alikes, dated state rules, linear time, and the memo and redline it writes."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
import zipfile
from pathlib import Path

import docx
import pytest

from conftest import run_cli
from formgen.errors import InputError

from formgen.inputs.library import Library

from formgen.scan.categories import CATEGORIES
from formgen.scan.corpus import load_corpus, score_typed, score_word
from formgen.scan.documents import read_document
from formgen.scan.outputs import memo_docx, redline_docx
from formgen.scan.review import detect, review_file, review_paragraphs
from formgen.scan.scanner import scan_text
from formgen.word.comments import comment_texts
from formgen.word.ooxml import read_package
from formgen.word.wordml import write_package
from formgen.word.sections import docx_paragraphs, package_paragraphs, text_paragraphs

CORPUS = Path(__file__).parent / "fixtures" / "review"
LIBRARY = Library.shipped().clauses


def _review_text(text: str, state: str = "CA", on: dt.date = dt.date(2027, 1, 1)):
    return review_paragraphs(
        text_paragraphs(text), file="t.txt", rules=Library.shipped().state(state), as_of=on, library=LIBRARY
    )


@pytest.fixture(scope="module")
def ca_packet(packets) -> Path:
    return packets["ca_medspa"]  # the session's CA packet (read only)


def test_word_numbering_names_the_sections_word_shows(ca_packet):
    msa = {p.text.split("\t")[0]: p for p in docx_paragraphs(ca_packet / "msa.docx") if "\t" in p.text}
    assert msa["12.2"].section == "Section 12.2" and msa["12.2"].caption == "Fixed Monthly Fee"
    operating = {
        p.text.split("\t")[0]: p for p in docx_paragraphs(ca_packet / "mso_operating_agreement.docx") if "\t" in p.text
    }
    assert operating["17.3"].section == "Section 17.3"
    assert operating["17.3"].caption == "Fair Market Value; No Payment for Referrals"


def _edited(source: Path, target: Path, old: str, new: str) -> Path:
    parts = read_package(source.read_bytes())
    xml = parts["word/document.xml"].decode()
    assert old in xml
    parts["word/document.xml"] = xml.replace(old, new, 1).encode()
    target.write_bytes(write_package(parts))
    return target


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_hits_in_word_numbered_sections_12_2_and_17_3(ca_packet, tmp_path):
    msa = _edited(
        ca_packet / "msa.docx",
        tmp_path / "msa.docx",
        "The Management Fee is a fixed fee of ",
        "The Management Fee is twenty percent (20%) of Practice's gross collections plus a fixed fee of ",
    )
    operating = _edited(
        ca_packet / "mso_operating_agreement.docx",
        tmp_path / "oa.docx",
        "The Company shall charge each Client Practice only",
        "The Company shall receive 15% of each Client Practice's net revenue. The Company shall charge each Client Practice only",
    )
    rules, on = Library.shipped().state("TX"), dt.date(2027, 1, 1)
    [fee] = review_file(msa, rules=rules, as_of=on, library=LIBRARY).findings
    assert (fee.category, fee.section, fee.caption) == ("fee_percentage", "Section 12.2", "Fixed Monthly Fee")
    [share] = review_file(operating, rules=rules, as_of=on, library=LIBRARY).findings
    assert (share.category, share.section) == ("fee_percentage", "Section 17.3")


def test_typed_numbering_and_caption():
    review = _review_text(
        "ARTICLE 4\nSection 4.1. Fees. Practice shall pay MSO 20% of its gross collections.\n"
        "Section 4.2. Extras. Practice shall pay MSO an additional $150 for each Botox treatment.\n"
    )
    found = {(f.category, f.section, f.caption) for f in review.findings}
    assert found == {("fee_percentage", "Section 4.1", "Fees"), ("fee_per_unit", "Section 4.2", "Extras")}


@pytest.mark.slow  # every packet scanned and reviewed
def test_formgen_packets_give_no_findings_memo_included(packets):
    for example, folder in packets.items():  # ca_medspa, tx_medspa, ...: every document of every packet
        rules = Library.shipped().state(example[:2].upper())
        for path in sorted(folder.glob("*.docx")):
            review = review_file(path, rules=rules, as_of=dt.date(2029, 1, 1), library=LIBRARY)
            assert review.findings == [], (example, path.name, review.findings[:2])
    memo = review_file(
        packets["ca_medspa"] / "compliance_memo.docx",
        rules=Library.shipped().state("CA"),
        as_of=dt.date(2027, 1, 1),
        library=LIBRARY,
    )
    assert memo.read_as == "memorandum"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_scan_help_example_exits_0_on_the_packet(ca_packet):
    result = run_cli("scan", str(ca_packet), "--state", "CA", "--json")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert all(r["findings"] == [] for r in json.loads(result.stdout)["reviews"])


def test_prohibitions_and_compliant_versions_are_not_findings():
    text = (
        "Section 1.1. MSO shall not employ any clinician.\n"
        "Section 1.2. Practice alone sets the prices of medical services.\n"
        "Section 1.3. The Management Fee is a fixed monthly fee that does not vary with revenue or volume.\n"
        "Section 1.4. Neither the Company nor any Member shall offer, pay, solicit or receive any remuneration in "
        "exchange for the referral of patients, or share in the professional fees of any practice in a manner the law prohibits.\n"
    )
    assert _review_text(text).findings == []


def test_each_control_category_is_found_with_rule_citation_and_suggestion():
    text = (
        'This Agreement is made by Acme Management, LLC, which provides management services ("Manager"), and '
        'Bright Medical, P.C. ("Practice").\n'
        "Section 2.1. Manager shall establish the clinical protocols for all providers.\n"
        "Section 2.2. Manager shall hire and terminate all physicians and nurse practitioners.\n"
        "Section 2.3. Manager shall set the prices charged to patients for medical services.\n"
        "Section 2.4. All patient records shall be the sole property of Manager.\n"
        "Section 2.5. Manager shall select the diagnosis codes submitted on all claims.\n"
        "Section 2.6. Manager shall be the sole authorized signatory on the Practice's bank accounts.\n"
        "Section 2.7. Manager may advertise the Practice's medical services without the approval of the Practice.\n"
        "Section 2.8. Physician shall not practice medicine within twenty-five (25) miles of the Clinic for two years after termination.\n"
    )
    review = _review_text(text)
    by_section = {f.section: f for f in review.findings}
    assert {s: f.category for s, f in by_section.items()} == {
        "Section 2.1": "clinical_control",
        "Section 2.2": "clinician_employment",
        "Section 2.3": "pricing_control",
        "Section 2.4": "records_control",
        "Section 2.5": "coding_billing_control",
        "Section 2.6": "bank_control",
        "Section 2.7": "advertising_control",
        "Section 2.8": "noncompete",
    }
    assert all(f.severity == "error" and f.citation and f.rule for f in review.findings)  # California: strict CPOM
    assert by_section["Section 2.1"].suggestion.startswith("Practice alone")
    assert "16600" in by_section["Section 2.8"].citation


def test_sb351_is_cited_from_2026_in_california():
    text = "Section 3.1. MSO shall hire and fire all physicians.\n"
    before = _review_text(text, on=dt.date(2025, 6, 1)).findings[0]
    after = _review_text(text, on=dt.date(2026, 6, 1)).findings[0]
    assert "1191" not in before.citation and "1191" in after.citation


def test_oregon_sb951_reaches_ownership_controls_by_date():
    text = "Section 5.1. Each Owner grants MSO an irrevocable proxy to vote all shares of the Practice.\n"
    assert _review_text(text, "OR", dt.date(2025, 6, 1)).findings == []  # before SB 951's control rules
    transition = _review_text(text, "OR", dt.date(2027, 1, 1)).findings[0]
    assert transition.severity == "warning" and "2029-01-01" in transition.rule
    assert _review_text(text, "OR", dt.date(2029, 1, 1)).findings[0].severity == "error"


def test_footer_and_footnote_text_is_reviewed(tmp_path):
    document = docx.Document()
    document.add_paragraph("Section 1.1. Services. MSO provides billing services.")
    document.sections[0].footer.paragraphs[0].text = "Practice shall pay MSO 25% of its gross revenue."
    path = tmp_path / "footer.docx"
    document.save(path)
    review = review_file(path, rules=Library.shipped().state("IL"), as_of=dt.date(2027, 1, 1), library=LIBRARY)
    assert [(f.category, f.section, f.severity) for f in review.findings] == [("fee_percentage", "Footer", "error")]


@pytest.mark.parametrize(
    "text",
    [
        "one " * 2500 + "of gross revenue",
        "5% " * 3400 + "of revenue",
        "$ " * 5000 + "per patient",
        "MSO shall " * 1000 + "direct treatment",
        "fee " * 2500 + "per patient",
    ],
)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_pathological_paragraph_of_10000_characters_is_fast(text):
    text = text[-10_000:]
    detect(text_paragraphs("MSO shall pay."))  # compile the patterns first
    started = time.process_time()  # CPU time: the machine's other load does not count
    scan_text(text)
    detect(text_paragraphs(text))
    assert time.process_time() - started < 1.0


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_corpus_precision_and_recall(tmp_path):
    clauses = load_corpus(CORPUS)
    assert len(clauses) >= 120 and sum(not c.labels for c in clauses) * 3 >= len(clauses)
    for result in (score_typed(clauses), score_word(clauses, tmp_path / "corpus.docx")):
        precision, recall = result.ratios()
        assert precision >= 0.90 and recall >= 0.90, result.errors
        for category in CATEGORIES:
            assert min(result.ratios(category)) >= 0.80, (category, result.errors)
        assert result.misplaced == 0


def test_memo_and_redline(tmp_path):
    document = docx.Document()
    document.add_paragraph("Section 4.1. Protocols. MSO shall establish the clinical protocols for all providers.")
    document.add_paragraph("Section 4.2. Supplies. MSO orders supplies.")
    source = tmp_path / "their_msa.docx"
    document.save(source)
    review = review_file(source, rules=Library.shipped().state("CA"), as_of=dt.date(2027, 1, 1), library=LIBRARY)
    redline = redline_docx(source, review)
    parts = read_package(redline)
    assert comment_texts(parts)[0].startswith("ERROR: Management company controls clinical decisions")
    body = parts["word/document.xml"].decode()
    assert 'w:author="formgen"' in body and "<w:ins " in body and "<w:delText" in body and "Practice alone" in body
    assert redline == redline_docx(source, review)  # same inputs, same bytes
    assert memo_docx([review]) == memo_docx([review])
    memo = docx.Document(io.BytesIO(memo_docx([review])))
    text = "\n".join(p.text for p in memo.paragraphs)
    assert "Section 4.1: Protocols" in text and "Suggested text:" in text and "Citation:" in text


def test_cli_review_json_and_exit_code(tmp_path):
    contract = tmp_path / "their.txt"
    contract.write_text("Section 7.1. Fees. Practice shall pay MSO 30% of its net collections.\n")
    result = run_cli(
        "review", str(contract), "--state", "IL", "--as-of", "2027-01-01", "--json", "-o", str(tmp_path / "out")
    )
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == 1 and report["state"] == "IL" and report["as_of"] == "2027-01-01"
    [finding] = report["findings"]
    assert set(finding) == {"category", "section", "caption", "quote", "severity", "rule", "citation", "suggestion"}
    assert finding["section"] == "Section 7.1" and report["counts"]["error"] == 1
    assert (tmp_path / "out" / "review_memo.docx").exists()


def test_unreadable_inputs_get_clear_errors(tmp_path):
    fifo = tmp_path / "pipe.docx"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        docx_paragraphs(fifo)
    for suffix in (".txt", ".pdf"):  # every kind a review reads: the same check, the same message
        os.mkfifo(tmp_path / f"pipe{suffix}")
        with pytest.raises(InputError, match="not a regular file"):
            read_document(tmp_path / f"pipe{suffix}")
    deep = tmp_path / "deep.docx"
    with zipfile.ZipFile(deep, "w", zipfile.ZIP_STORED) as zf:  # stored: the depth limit, not the ratio, refuses it
        zf.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            + "<w:sdt>" * 100_000
            + "</w:sdt>" * 100_000
            + "</w:document>",
        )
    with pytest.raises(InputError, match="not well-formed XML"):
        docx_paragraphs(deep)
    entity = tmp_path / "entity.docx"
    with zipfile.ZipFile(entity, "w") as zf:
        zf.writestr("word/document.xml", '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>')
    assert all("root:" not in p.text for p in docx_paragraphs(entity))


def _simple_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, no other content)."""
    ops = "".join(f"BT /F1 11 Tf 72 {720 - 16 * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(ops)} >>\nstream\n{ops}endstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def test_pdf_text_layer_is_reviewed_with_typed_sections(tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(
        _simple_pdf(
            [
                "Section 6.1. Fees. Practice shall pay Manager a management fee equal",
                "to thirty percent (30%) of its gross collections.",
                "Section 6.2. Records. All patient records shall be the sole property of Manager.",
            ]
        )
    )
    review = review_file(path, rules=Library.shipped().state("TX"), as_of=dt.date(2027, 1, 1), library=LIBRARY)
    assert [(f.category, f.section) for f in review.findings] == [
        ("fee_percentage", "Section 6.1"),
        ("records_control", "Section 6.2"),
    ]


def test_footnote_is_reviewed_and_placed_by_its_reference(tmp_path):
    document = docx.Document()
    document.add_paragraph("Section 2.1. Fees. Practice pays the fee in Exhibit A.")
    path = tmp_path / "notes.docx"
    document.save(path)
    parts = read_package(path.read_bytes())
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"Exhibit A.</w:t></w:r>", b'Exhibit A.</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>'
    )
    parts["word/footnotes.xml"] = (
        f'<w:footnotes {w}><w:footnote w:id="1"><w:p><w:r><w:t>The fee is 25% of '
        f"the Practice's net revenue.</w:t></w:r></w:p></w:footnote></w:footnotes>"
    ).encode()
    path.write_bytes(write_package(parts))
    review = review_file(path, rules=Library.shipped().state("IL"), as_of=dt.date(2027, 1, 1), library=LIBRARY)
    assert [(f.category, f.section) for f in review.findings] == [("fee_percentage", "Footnote 1 (Section 2.1)")]


def test_word_list_numbering_levels_shared_lists_and_restarts():

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    levels = (
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="ARTICLE %1"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:isLgl/><w:lvlText w:val="%1.%2"/></w:lvl>'
        '<w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%3)"/></w:lvl>'
    )
    numbering = (
        f'<w:numbering {w}><w:abstractNum w:abstractNumId="7">{levels}</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="7"/></w:num>'
        "</w:numbering>"
    )

    def p(num: str, level: int, text: str) -> str:
        return (
            f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
            f"<w:r><w:t>{text}</w:t></w:r></w:p>"
        )

    body = "".join(
        [
            p("1", 0, "Fees"),
            p("1", 1, "Amount. The fee is fixed."),
            p("1", 1, "Timing. Paid monthly."),
            p("1", 2, "on the first day;"),
            p("2", 0, "Records"),  # numId 2 shares the list: Article II
            p("2", 1, "Custody. Practice keeps them."),
            "<w:p><w:r><w:t>Unnumbered text.</w:t></w:r></w:p>",
        ]
    )
    parts = {
        "word/document.xml": f"<w:document {w}><w:body>{body}</w:body></w:document>".encode(),
        "word/numbering.xml": numbering.encode(),
    }
    got = [(x.section, x.caption) for x in package_paragraphs(parts, "t.docx")]
    assert got == [
        ("Article I", "Fees"),
        ("Section 1.1", "Amount"),
        ("Section 1.2", "Timing"),
        ("Section 1.2(a)", "Timing"),
        ("Article II", "Records"),
        ("Section 2.1", "Custody"),
        ("Section 2.1", "Custody"),
    ]
