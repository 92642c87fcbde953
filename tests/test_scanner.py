"""The text scanner on real contract clauses, hand-written MSA terms and real files."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from formgen.errors import InputError
from formgen.scan.scanner import (
    RULE_PROFIT,
    RULE_REVENUE,
    RULE_VOLUME,
    ScanMatch,
    scan_text,
    split_sentences,
)
from formgen.scan.documents import extract_text, scan_files

FIXTURES = Path(__file__).parent / "fixtures" / "scanner"
REPO_ROOT = Path(__file__).resolve().parent.parent


def flagged(text: str) -> bool:
    return bool(scan_text(text))


def rules(text: str) -> list[str]:
    return [m.rule for m in scan_text(text)]


# ------------------------------------------------------------ real clauses (CUAD sample)


def load_sample(label: str) -> list[str]:
    with (FIXTURES / "cuad_sample.jsonl").open(encoding="utf-8") as fh:
        spans = [json.loads(line) for line in fh if line.strip()]
    return [s["text"] for s in spans if s["label"] == label]


def test_sample_has_25_spans_of_each_kind_and_attribution():
    assert len(load_sample("core_positive")) == 25
    assert len(load_sample("negative")) == 25
    assert "Source: CUAD v1, The Atticus Project, CC BY 4.0" in (FIXTURES / "README.txt").read_text(encoding="utf-8")


def test_at_least_90_percent_of_revenue_sharing_clauses_are_flagged():
    positives = load_sample("core_positive")
    missed = [text for text in positives if not flagged(text)]
    assert len(missed) <= len(positives) // 10, missed


def test_at_most_one_clause_without_a_revenue_base_is_flagged():
    false_hits = [text for text in load_sample("negative") if flagged(text)]
    assert len(false_hits) <= 1, false_hits


# ------------------------------------------------------------ what must be flagged


@pytest.mark.parametrize(
    "text, rule",
    [
        (
            "The Practice shall pay the MSO a management fee equal to twenty percent (20%) of Net Collections.",
            RULE_REVENUE,
        ),
        ("As compensation, Manager shall receive 35% of the gross revenues of the Practice.", RULE_REVENUE),
        ("The Management Fee shall be calculated as a percentage of the Practice's gross receipts.", RULE_REVENUE),
        ("The fee shall be the greater of $10,000 or 15% of Net Revenue.", RULE_REVENUE),
        ("Licensee shall pay a royalty on Net Sales of each Product.", RULE_REVENUE),
        ("Manager's fee shall equal 2.5% of billings and 4% of the proceeds of retail sales.", RULE_REVENUE),
        ("Monthly Management Fee: 18% of Collections", RULE_REVENUE),
        ("MSO shall be entitled to a share of the profits of the Practice.", RULE_PROFIT),
        ("All income of the Practice shall be shared 50% to the MSO and 50% to the Physician.", RULE_PROFIT),
        ("Company shall remit to MSO one-half of all net profits each quarter.", RULE_PROFIT),
        ("The Practice shall pay the MSO $150 per patient referred to the Practice.", RULE_VOLUME),
        ("The MSO shall receive a fee of $50 for each procedure performed at the Spa.", RULE_VOLUME),
        ("Manager's fee will be based on the number of patients seen each month.", RULE_VOLUME),
        ("The Practice shall pay the MSO $4 per unit of neurotoxin administered.", RULE_VOLUME),
        ("The parties will share equally all revenue from the sale of retail products.", RULE_REVENUE),
    ],
)
def test_payment_tied_to_revenue_profit_or_volume_is_flagged(text, rule):
    assert rule in rules(text)


def test_a_cap_tied_to_revenue_is_still_flagged():
    # A ceiling expressed as a share of collections still ties the fee to revenue.
    assert flagged("In no event shall the Management Fee exceed twenty percent (20%) of the Practice's collections.")


# ------------------------------------------------------------ what must not be flagged


@pytest.mark.parametrize(
    "text",
    [
        # cost-plus markups
        "The Practice shall reimburse the MSO for supplies at cost plus ten percent (10%).",
        "Services are billed at the MSO's actual costs plus a markup of 8%.",
        "The Practice shall pay the MSO a fee equal to 5% of the MSO's costs of billing and collections.",
        # late-payment interest and late fees (percentages of fees)
        "Overdue amounts bear interest at 1.5% per month on overdue amounts.",
        "A late fee equal to 5% of the unpaid Management Fee applies to any payment more than ten days late.",
        # ownership and membership percentages
        "Dana Ruiz holds 60% of the Membership Interests.",
        "Dr. Lee owns 100% of the shares of the Practice.",
        "Net Profits shall be allocated among the Members in proportion to their Percentage Interests.",
        "Dana Ruiz holds 60% of the Membership Interests and is entitled to 60% of the Company's profits.",
        # audit thresholds
        "If an audit reveals an underpayment of more than 5%, the Practice shall bear the cost of the audit.",
        "If an audit reveals an underpayment of more than 5% of the revenue reported, the Practice shall pay for the audit.",
        # insurance and liability caps
        "The MSO's aggregate liability shall not exceed 100% of the Management Fees paid in the prior twelve months.",
        "In no event shall either party's liability exceed 50% of the revenues received under this Agreement.",
        "The Practice shall carry malpractice insurance of $1,000,000 per occurrence and $3,000,000 in the aggregate.",
        # price increases tied to CPI
        "The Management Fee shall increase each year by the percentage change in the CPI-U, not to exceed 3%.",
        # discounts
        "The MSO shall pass on a 10% discount on supplies bought through its purchasing program.",
        "Patients who prepay a package receive a discount of 15% off list prices.",
        # money words that are not revenue bases or payments
        "The Practice shall pay all sales taxes on supplies, and income taxes are each party's own responsibility.",
        "The MSO shall prepare monthly reports of the Practice's revenues, collections and expenses.",
        "The Practice shall retain one hundred percent (100%) of all revenue from professional services.",
        "The MSO shall achieve a collection rate of at least 95% of net billings.",
        "The MSO shall track the Practice's collections and share monthly reports with the owners.",
        "The MSO shall report revenues and split the cost of the audit equally.",
        # per-unit wording that is not a payment between the parties
        "The Practice shall schedule no more than 12 patients per day per injector.",
        "The Practice shall charge patients the fees on its fee schedule, such as $300 per treatment.",
        "The Practice shall pay the MSO's costs of one coordinator for each treatment room.",
        "Supplies are invoiced at $4.50 per syringe, which is the MSO's cost.",
        # paying a fixed fee out of collections is not computing it from them
        "The Management Fee shall be paid from the Practice's collections on the 5th business day of each month.",
    ],
)
def test_percentages_that_are_not_revenue_based_pay_are_not_flagged(text):
    assert scan_text(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "In no event shall the Management Fee be based on a percentage of revenue.",
        "The fee is not determined by the volume or value of referrals.",
        "The Management Fee shall not be calculated as a percentage of the Practice's collections, income or profits.",
        "No portion of the Management Fee shall be determined by reference to the Practice's gross or net collections.",
        "The MSO shall not share in the Practice's professional fees.",
        "The MSO shall have no right to receive any share of the Practice's profits.",
        "The parties acknowledge that the Management Fee is not, and shall not be, a percentage of revenue.",
        "Nothing in this Agreement requires the Practice to pay the MSO a percentage of its revenue.",
        "The Management Fee is $25,000 per month, payable regardless of the Practice's collections.",
        "Under no circumstances shall any compensation paid hereunder be tied to the volume or value of referrals.",
        "No fee shall be paid per patient, per procedure or per referral.",
        "The Management Fee does not vary with the number of patients treated or procedures performed.",
        "Fee splitting, such as paying the MSO a percentage of practice revenue, is prohibited in this state.",
        "A percentage of revenue shall not be used to determine the fee.",
    ],
)
def test_sentences_that_prohibit_revenue_or_volume_pay_are_not_flagged(text):
    assert scan_text(text) == []


@pytest.mark.parametrize(
    "negated, affirmed",
    [
        (
            "The Management Fee shall not be calculated as a percentage of Net Collections.",
            "The Management Fee shall be calculated as a percentage of Net Collections.",
        ),
        (
            "The MSO shall not receive a fee of $100 per patient referred.",
            "The MSO shall receive a fee of $100 per patient referred.",
        ),
        (
            "Net profits of the Practice shall not be shared with the MSO.",
            "Net profits of the Practice shall be shared with the MSO.",
        ),
    ],
)
def test_negation_suppresses_exactly_the_negated_term(negated, affirmed):
    assert scan_text(negated) == []
    assert flagged(affirmed)


@pytest.mark.parametrize(
    "text",
    [
        # negation elsewhere in the sentence does not cancel the payment term
        "The Practice shall pay 20% of collections to the MSO, and such fee shall not be paid in advance.",
        "Without limiting the foregoing, the Practice shall pay the MSO 15% of gross revenue.",
        "If the Practice does not object, the MSO shall receive 10% of net income.",
        "For the avoidance of doubt, the Practice shall pay the MSO 10% of collections.",
        "Licensee shall not share confidential information; Licensee shall pay Licensor 5% of Net Sales.",
        "The Practice shall pay 10% of collections, which amount is not set by the MSO.",
        "The Practice shall pay 10% of net revenue, except to the extent such payment is prohibited by law.",
    ],
)
def test_negation_is_limited_to_its_own_clause(text):
    assert flagged(text)


# ------------------------------------------------------------ sentences and offsets


def test_offsets_point_at_the_matched_sentence_in_order():
    text = (
        "The term is five years. Acme Holdings, Inc. shall pay the MSO 7.5% of Net Revenue each month. "
        "Sec. 4 governs notices.\n\nThe MSO shall receive $40 per visit. "
        "All net profits shall be split equally."
    )
    matches = scan_text(text)
    assert [m.rule for m in matches] == [RULE_REVENUE, RULE_VOLUME, RULE_PROFIT]
    for m in matches:
        assert text[m.start : m.end] == m.matched
    assert matches[0].matched == "Acme Holdings, Inc. shall pay the MSO 7.5% of Net Revenue each month."
    assert [m.start for m in matches] == sorted(m.start for m in matches)


def test_one_sentence_with_two_kinds_of_pay_gives_one_match_per_rule():
    text = "Manager shall receive 10% of Net Collections and $25 per patient visit."
    matches = scan_text(text)
    assert [m.rule for m in matches] == [RULE_REVENUE, RULE_VOLUME]
    assert all(m.start == 0 and m.end == len(text) for m in matches)


def test_split_sentences_keeps_abbreviations_and_decimals_together():
    text = (
        "Acme Holdings, Inc. shall pay 2.5% of Net Sales under Sec. 4.2 and No. 7 of the U.S. schedule. "
        "Payment is due Jan. 5. Dana Ruiz, M.D. signs. The End"
    )
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert sentences == [
        "Acme Holdings, Inc. shall pay 2.5% of Net Sales under Sec. 4.2 and No. 7 of the U.S. schedule.",
        "Payment is due Jan. 5.",
        "Dana Ruiz, M.D. signs.",
        "The End",
    ]


def test_wrapped_lines_read_on_but_blank_lines_end_a_sentence():
    text = "The Practice shall pay the MSO a fee equal to 5% of\nthe Practice's gross collections\n\nSchedule A"
    sentences = [text[a:b] for a, b in split_sentences(text)]
    assert sentences == [
        "The Practice shall pay the MSO a fee equal to 5% of\nthe Practice's gross collections",
        "Schedule A",
    ]
    assert rules(text) == [RULE_REVENUE]


def test_severity_citation_and_message_are_carried():
    (match,) = scan_text(
        "Manager receives 30% of gross revenue.", severity="warning", citation="Tex. Occ. Code § 165.155"
    )
    assert isinstance(match, ScanMatch)
    assert (match.severity, match.citation) == ("warning", "Tex. Occ. Code § 165.155")
    assert "30% of gross revenue" in match.message and "fee splitting" in match.message
    assert set(match.to_dict()) == {"rule", "matched", "start", "end", "severity", "citation", "message"}


def test_unknown_severity_is_a_programming_error():
    with pytest.raises(ValueError):
        scan_text("Manager receives 30% of gross revenue.", severity="fatal")


def test_empty_and_clean_text_give_no_matches():
    assert scan_text("") == []
    assert scan_text("   \n\n ") == []
    assert scan_text("This Agreement is governed by the laws of Texas.") == []


# ------------------------------------------------------------ hand-written documents


def test_compliance_friendly_fee_terms_scan_clean():
    text = extract_text(FIXTURES / "compliant_fee_terms.txt")
    assert scan_text(text) == []


def test_split_fee_terms_flag_exactly_the_three_payment_sentences():
    text = extract_text(FIXTURES / "split_fee_terms.txt")
    matches = scan_text(text)
    assert [m.rule for m in matches] == [RULE_REVENUE, RULE_VOLUME, RULE_PROFIT]
    assert "twenty-two percent (22%)" in matches[0].matched
    assert "$150 per\nnew patient" in matches[1].matched
    assert "60% to the Physician Owner" in matches[2].matched


# ------------------------------------------------------------ files


def build_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Management Services Agreement", level=1)
    document.add_paragraph("The term of this Agreement is five years.")
    document.add_paragraph("The Practice shall pay the MSO a management fee equal to 12% of Net Collections.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Marketing payment"
    table.cell(0, 1).text = "The Practice shall pay the MSO $75 per new patient."
    table.cell(1, 0).text = "Supplies"
    table.cell(1, 1).text = "At cost plus 10%."
    document.save(path)
    return path


def test_extract_text_reads_docx_paragraphs_and_tables(tmp_path):
    text = extract_text(build_docx(tmp_path / "msa.docx"))
    lines = text.split("\n")
    assert lines[:3] == [
        "Management Services Agreement",
        "The term of this Agreement is five years.",
        "The Practice shall pay the MSO a management fee equal to 12% of Net Collections.",
    ]
    assert "The Practice shall pay the MSO $75 per new patient." in lines
    assert [m.rule for m in scan_text(text)] == [RULE_REVENUE, RULE_VOLUME]


def test_extract_text_reads_utf8_txt(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("Manager’s fee: 10% of gross receipts — see § 4.\n", encoding="utf-8")
    assert extract_text(path) == "Manager’s fee: 10% of gross receipts — see § 4.\n"


def test_extract_text_rejects_other_suffixes_naming_the_file_and_what_is_allowed(tmp_path):
    path = tmp_path / "msa.rtf"
    path.write_bytes(b"{\\rtf1 fee}\n")
    with pytest.raises(InputError) as err:
        extract_text(path)
    message = str(err.value)
    assert str(path) in message and ".docx" in message and ".pdf" in message and ".txt" in message


@pytest.mark.parametrize(
    "content",
    [b"this is not a zip", b"PK\x03\x04broken"],
    ids=["not-a-zip", "truncated-zip"],
)
def test_extract_text_reports_a_corrupt_docx(tmp_path, content):
    path = tmp_path / "broken.docx"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        extract_text(path)
    assert str(path) in str(err.value)


def test_extract_text_reports_a_zip_without_a_document_part(tmp_path):
    path = tmp_path / "empty.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InputError, match="word/document.xml"):
        extract_text(path)


def test_extract_text_reports_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(InputError, match="cannot read"):
        extract_text(tmp_path / "missing.txt")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Honorar: 10 % des Umsatzes, fällig".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        extract_text(latin1)


def test_scan_files_reports_each_file_in_input_order(tmp_path):
    clean = tmp_path / "b_clean.txt"
    clean.write_text("The Management Fee is $10,000 per month.", encoding="utf-8")
    dirty = build_docx(tmp_path / "a_msa.docx")
    result = scan_files([clean, dirty], severity="warning", citation="Cal. Bus. & Prof. Code § 650")
    assert [entry["file"] for entry in result] == [str(clean), str(dirty)]
    assert result[0]["findings"] == []
    assert [f["rule"] for f in result[1]["findings"]] == [RULE_REVENUE, RULE_VOLUME]
    assert all(
        f["severity"] == "warning" and f["citation"] == "Cal. Bus. & Prof. Code § 650" for f in result[1]["findings"]
    )


def test_scan_files_reports_every_bad_file_at_once(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text("Nothing to see.", encoding="utf-8")
    bad_pdf = tmp_path / "x.pdf"
    bad_pdf.write_bytes(b"%PDF")
    bad_docx = tmp_path / "y.docx"
    bad_docx.write_bytes(b"nope")
    with pytest.raises(InputError) as err:
        scan_files([good, bad_pdf, bad_docx])
    assert [p.file for p in err.value.problems] == [str(bad_pdf), str(bad_docx)]


def test_importing_the_scanner_does_not_load_python_docx(starts_processes):
    code = "import sys, formgen.scan.scanner; print('docx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------- the keyword pre-test


def _keyword_pretest_misses(sentences) -> list[str]:
    from formgen.scan.patterns import BASE, VOLUME_LINK, may_link

    return [s for s in sentences if (BASE.search(s) or VOLUME_LINK.search(s)) and not may_link(s)]


@pytest.mark.slow  # thousands of generated sentences
def test_keyword_pretest_never_rejects_a_sentence_the_patterns_match():
    """may_link is only a shortcut: on every fixture sentence and every example document's text it
    lets through each sentence that BASE or VOLUME_LINK would match."""
    import json

    from formgen.api import build
    from formgen.word.ooxml import docx_text

    texts = [p.read_text(encoding="utf-8") for p in FIXTURES.glob("*.txt")]
    for line in (FIXTURES / "cuad_sample.jsonl").read_text(encoding="utf-8").splitlines():
        texts += [v for v in json.loads(line).values() if isinstance(v, str)]
    for example in sorted((REPO_ROOT / "examples").glob("*.yaml"))[:3]:
        texts += [docx_text(doc.data) for doc in build(example).documents]
    sentences = [t[a:b] for t in texts for a, b in split_sentences(t)]
    assert len(sentences) > 1000
    assert not _keyword_pretest_misses(sentences)


def test_keyword_pretest_folds_the_letters_ignorecase_matches_to_ascii():
    # "İncome", "ſales", "Kickback" with a Kelvin sign, "PROFIT", "ReVeNuE": all matched by the patterns.
    samples = [
        "A fee of 5% of \u0130NCOME shall be paid.",
        "The fee is ten percent of gross \u017fales.",
        "A \u212aickback of $50 per patient.",
        "Manager receives 3% of PROFIT.",
        "Pay 4% of ReVeNuE to Manager.",
        "A fee of $20 for each patient referred.",
    ]
    assert not _keyword_pretest_misses(samples)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_keyword_pretest_holds_on_random_text():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(
        [
            "fee",
            "fees",
            "5%",
            "of",
            "per",
            "patient",
            "Net",
            "Collections",
            "PROFIT",
            "\u0130ncome",
            "\u017fales",
            "$50",
            "each",
            "procedure",
            "based",
            "on",
            "the",
            "number",
            "professional",
            "revenue",
            "Sales",
            "paid",
            "royalty",
            "for",
            "visit",
        ]
    )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(words, min_size=1, max_size=14))
    def check(parts):
        assert not _keyword_pretest_misses([" ".join(parts)])

    check()
