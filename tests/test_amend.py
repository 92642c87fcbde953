"""Executed documents: mark-executed, then amendments instead of new versions, and the conformed
copy (real packets, the CLI, LibreOffice)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import pytest

import formgen
from conftest import EXAMPLES, convert_with_libreoffice, run_cli, soffice
from formgen.word.amend import amendment_for
from formgen.word.redline import paragraphs_text

pytestmark = pytest.mark.slow  # slow tier: whole amendment workflows

FEES = ("monthly_amount: 42000", "monthly_amount: 45000", "monthly_amount: 47500")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine")
    shutil.copy(EXAMPLES / "ny_medspa.yaml", folder / "hudson.yaml")
    formgen.generate(folder / "hudson.yaml", folder / "out")
    return folder


@pytest.fixture
def ny(pristine, tmp_path) -> tuple[Path, Path]:
    shutil.copytree(pristine, tmp_path / "p")
    return tmp_path / "p" / "hudson.yaml", tmp_path / "p" / "out"


def set_fee(deal: Path, old: str, new: str) -> None:
    deal.write_text(deal.read_text().replace(old, new))


def text(path: Path) -> str:
    return "\n".join(paragraphs_text(path.read_bytes()))


def test_mark_executed_records_the_signing(ny):
    _, out = ny
    signed = (out / "msa.docx").read_bytes()
    proc = run_cli("mark-executed", str(out), "msa", "--date", "2027-01-15")
    assert proc.returncode == 0, proc.stderr
    assert "msa.docx: executed on 2027-01-15" in proc.stdout
    record = json.loads((out / "manifest.json").read_text())["executed"]["msa"]
    assert record["date"] == "2027-01-15" and record["agreement_date"] == "2027-01-01"
    assert record["amendments"] == []
    assert (out / record["signed_copy"]).read_bytes() == signed
    assert formgen.regenerate(out).status == "unchanged", "marking changes nothing formgen would rebuild"


def test_mark_executed_rejects_bad_input(ny):
    _, out = ny
    proc = run_cli("mark-executed", str(out), "lease")
    assert proc.returncode == 1 and "'lease' is not a document of this packet" in proc.stderr and "msa" in proc.stderr
    proc = run_cli("mark-executed", str(out), "msa", "--date", "15/01/2027")
    assert proc.returncode == 1 and "--date" in proc.stderr and "YYYY-MM-DD" in proc.stderr
    assert "executed" not in json.loads((out / "manifest.json").read_text())


def test_a_document_with_tracked_changes_cannot_be_marked_executed(ny):
    deal, out = ny
    document = docx.Document(str(out / "msa.docx"))
    document.add_paragraph("Counsel's edit.")
    document.save(str(out / "msa.docx"))
    set_fee(deal, FEES[0], FEES[1])
    formgen.regenerate(out)  # merged: the new fee is a pending tracked change
    proc = run_cli("mark-executed", str(out), "msa")
    assert proc.returncode == 1 and "tracked changes" in proc.stderr and "msa.docx" in proc.stderr
    assert "executed" not in json.loads((out / "manifest.json").read_text())


def test_mark_executed_defaults_to_the_agreements(ny):
    _, out = ny
    records = formgen.mark_executed(out)
    from formgen.drafting.plan import documents_for
    from formgen.inputs.library import Library

    deal, rules, _ = formgen.validate(EXAMPLES / "ny_medspa.yaml")
    agreements = {s.name for s in documents_for(deal, rules, Library.shipped().documents) if not s.report}
    assert {
        "msa",
        "responsibility_schedule",
        "mso_operating_agreement",
        "practice_bylaws",
        "baa",
        "continuity_agreement",
        "practice_consent",
    } <= agreements
    assert {r["document"] for r in records} == agreements
    assert {r["date"] for r in records} == {"2027-01-01"}


def test_fee_changes_after_signing_write_amendments(ny, tmp_path):
    deal, out = ny
    formgen.mark_executed(out, ["msa"], date="2027-01-15")
    signed = (out / "msa.docx").read_bytes()

    set_fee(deal, FEES[0], FEES[1])
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "msa.docx: amended" in proc.stdout and "amendments/msa.amendment-1.docx" in proc.stdout
    assert (out / "msa.docx").read_bytes() == signed, "a signed agreement is never rewritten"
    first = text(out / "amendments/msa.amendment-1.docx")
    assert first.startswith("Amendment No. 1 to the Management Services Agreement")
    assert "Management Services Agreement dated as of January 1, 2027 and executed on January 15, 2027" in first
    assert (
        "1.\tSection 12.2 (Fixed Monthly Fee). Section 12.2 of the Agreement is amended and restated in its "
        "entirety to read as follows:\n12.2\tFixed Monthly Fee. The Management Fee is a fixed fee of $45,000.00"
    ) in first
    assert "Exhibit B to the Agreement is deleted and replaced in its entirety with the Exhibit B attached" in first
    assert "$45,000.00 per calendar month" in first.split("EXHIBIT B")[-1]
    assert "Ratification. Except as expressly amended by this Amendment" in first
    assert (
        "B. The Parties have reviewed the Management Fee under Section 12.5 (Periodic Fair Market Value Review) "
        "of the Agreement"
    ) in first, "a fee change recites the fair-market-value review"
    assert "[Signature page to Amendment No. 1 to the Management Services Agreement]" in first
    assert "IN WITNESS WHEREOF, the Parties have executed this Amendment No. 1" in first
    assert "Name: Rachel Stein" in first and "Name: Daniel Okafor, M.D." in first
    assert "42,000" not in first

    set_fee(deal, FEES[1], FEES[2])
    assert formgen.regenerate(out).status == "regenerated"
    second = text(out / "amendments/msa.amendment-2.docx")
    assert second.startswith("Amendment No. 2 to the Management Services Agreement")
    assert "executed on January 15, 2027, as amended by Amendment No. 1 (the \u201cAgreement\u201d)" in second
    assert "fixed fee of $47,500.00" in second and "45,000" not in second
    chain = json.loads((out / "manifest.json").read_text())["executed"]["msa"]["amendments"]
    assert [(a["number"], a["file"], [s["key"] for s in a["sections"]]) for a in chain] == [
        (1, "amendments/msa.amendment-1.docx", ["12.2", "Exhibit B"]),
        (2, "amendments/msa.amendment-2.docx", ["12.2", "Exhibit B"]),
    ]

    consents = text(out / "amendments/msa.amendment-2.consents.docx")
    assert "Written Consent of the Members of Hudson Wellness Management LLC" in consents
    assert "Unanimous Written Consent of the Board of Directors of Hudson Medical Aesthetics, P.C." in consents
    assert "RESOLVED, that Amendment No. 2, in the form presented to the Members, is approved" in consents
    assert "which amends Section 12.2 (Fixed Monthly Fee) and Exhibit B" in consents
    assert chain[1]["consents"] == "amendments/msa.amendment-2.consents.docx"

    conformed = text(out / "msa.conformed.docx")
    assert "CONFORMED COPY" in conformed and "as amended by Amendment No. 1 and Amendment No. 2" in conformed
    assert "fixed fee of $47,500.00" in conformed and "$47,500.00 per calendar month" in conformed
    assert "42,000" not in conformed and "45,000" not in conformed
    assert "[Section 12.2 (Fixed Monthly Fee) amended and restated by Amendment No. 2.]" in conformed
    assert (out / "msa.docx").read_bytes() == signed
    assert formgen.regenerate(out).status == "unchanged"
    if soffice() is not None:
        for name in ("amendments/msa.amendment-2.docx", "msa.conformed.docx"):
            convert_with_libreoffice(
                soffice(), f"-env:UserInstallation=file://{tmp_path / 'lo'}", out / name, tmp_path / "pdf"
            )
        assert (tmp_path / "pdf/msa.amendment-2.pdf").stat().st_size > 0
        assert (tmp_path / "pdf/msa.conformed.pdf").stat().st_size > 0


def test_sections_added_and_deleted(ny):
    _, out = ny
    base = (out / "msa.docx").read_bytes()
    document = docx.Document(str(out / "msa.docx"))
    paragraphs = document.paragraphs
    gone = next(p for p in paragraphs if p.text.startswith("Assistance."))
    gone._p.getparent().remove(gone._p)
    after = next(p for p in paragraphs if p.text.startswith("Periodic Fair Market Value Review."))
    new = next(
        p for p in paragraphs if p.text.startswith("Compliance with Laws; Regulatory Change")
    ).insert_paragraph_before("Late Payment. Amounts not paid when due bear interest at one percent (1%) per month.")
    new.style = after.style
    theirs = out.parent / "theirs.docx"
    document.save(str(theirs))
    record = {"date": "2027-01-15", "agreement_date": "2027-01-01", "amendments": []}

    made = amendment_for(record, "Management Services Agreement", "MSO and Practice", base, theirs.read_bytes(), base)

    assert [(s["key"], s["action"]) for s in made.sections] == [("11.4", "reserved"), ("12.6", "added")]
    amendment = "\n".join(paragraphs_text(made.amendment))
    assert (
        "The Agreement is amended by adding the following new Section 12.6 immediately after Section 12.5:" in amendment
    )
    assert (
        "Section 11.4 (Assistance) of the Agreement is deleted in its entirety and replaced with \u201c[Reserved].\u201d"
        in amendment
    )
    conformed = paragraphs_text(made.conformed)
    deleted = conformed.index("[Reserved]")
    assert conformed[deleted + 1] == "[Section 11.4 (Assistance) deleted and reserved by Amendment No. 1.]"
    assert "12.6\tLate Payment. Amounts not paid when due bear interest at one percent (1%) per month." in amendment
    added = conformed.index("Late Payment. Amounts not paid when due bear interest at one percent (1%) per month.")
    assert conformed[added + 1] == "[Section 12.6 (Late Payment) added by Amendment No. 1.]"
    assert conformed[added + 2].startswith("Compliance with Laws; Regulatory Change") and conformed[
        added - 1
    ].startswith("If the review shows")


def test_a_section_negotiated_before_signing_is_flagged(ny):
    deal, out = ny
    document = docx.Document(str(out / "msa.docx"))
    next(p for p in document.paragraphs if p.text.startswith("Fixed Monthly Fee.")).add_run(
        " Practice may prepay a quarter."
    )
    document.save(str(out / "msa.docx"))
    formgen.mark_executed(out, ["msa"])
    set_fee(deal, FEES[0], FEES[1])
    formgen.regenerate(out)
    amendment = text(out / "amendments/msa.amendment-1.docx")
    assert "the signed text of Section 12.2 differs from formgen’s earlier draft" in amendment


def test_a_removed_service_is_reserved_by_the_signed_numbering(tmp_path):
    """Executed CA MSA, then one service (marketing: MSA 4.4 and Article 10) removed: the amendment
    names the signed numbers and captions, says "[Reserved]", restates no title, TOC or recitals and
    is at most 3 pages before the replaced exhibits; the conformed copy keeps the executed numbering,
    shows "/s/" signatures and no draft legend."""
    from formgen.word.ooxml import docx_paragraphs

    deal = tmp_path / "glow.yaml"
    shutil.copy(EXAMPLES / "ca_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    formgen.mark_executed(out, ["msa"], date="2027-01-15")
    deal.write_text(
        deal.read_text().replace(
            "services: [administrative, payroll_hr, marketing, ", "services: [administrative, payroll_hr, "
        )
    )
    assert formgen.regenerate(out).status == "regenerated"

    amendment_path = out / "amendments/msa.amendment-1.docx"
    amendment = text(amendment_path)
    assert (
        "1.\tSection 4.4. Section 4.4 (Marketing and Advertising) of the Agreement is deleted in its entirety and "
        "replaced with \u201c[Reserved].\u201d"
    ) in amendment
    assert (
        "Article 10 (Marketing and Advertising) of the Agreement, including Sections 10.1 through 10.3, is deleted "
        "in its entirety and replaced with \u201c[Reserved].\u201d"
    ) in amendment
    assert "Table of Contents" not in amendment and "introductory paragraph and recitals" not in amendment
    assert "Office Space and Equipment" not in amendment.split("EXHIBIT A")[0], "no section restated for a new number"
    exhibit_a = "\n".join(docx_paragraphs(amendment_path.read_bytes(), rows=True)).split("EXHIBIT A")[1]
    assert "Office Space and Equipment | " in exhibit_a and "| Section\u00a04.5" in exhibit_a, (
        "exhibit references as signed"
    )
    assert "[Signature page to Amendment No. 1 to the Management Services Agreement]" in amendment

    executed = docx_paragraphs((out / "msa.docx").read_bytes(), numbered=True)
    conformed = docx_paragraphs((out / "msa.conformed.docx").read_bytes(), numbered=True)

    def numbered(paragraphs):
        return [p.split("\t")[0] for p in paragraphs if re.match(r"^(Article\u00a0\d+|\d+\.\d+)\t", p)]

    signed_numbers = [n for n in numbered(executed) if not n.startswith("10.")]
    assert numbered(conformed) == signed_numbers, "the conformed copy keeps the executed numbering"
    assert "4.4\t[Reserved]" in conformed and "Article\u00a010\t[Reserved]" in conformed
    assert "By: /s/ Dana Ruiz" in conformed and "By: /s/ Maya Chen, M.D." in conformed
    # the date lines carry the day mark-executed recorded (#25: signing dates in mark-executed)
    dates = [p for p in conformed if p.startswith("Date:")]
    assert dates and set(dates) == {"Date: January 15, 2027"}
    assert not any("not for signature until" in p for p in conformed)

    if soffice() is not None:
        convert_with_libreoffice(
            soffice(), f"-env:UserInstallation=file://{tmp_path / 'lo'}", amendment_path, tmp_path / "pdf"
        )
        from pypdf import PdfReader

        pages = [page.extract_text() or "" for page in PdfReader(tmp_path / "pdf/msa.amendment-1.pdf").pages]
        before_exhibits = next(k for k, page in enumerate(pages) if "EXHIBIT A" in page)
        assert before_exhibits <= 3, f"{before_exhibits} pages before the exhibits"
