"""The DOCX packet end to end: documents, state rules applied, findings, determinism."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

import formgen
from conftest import EXAMPLES, docx_text, run_cli
from formgen.word.ooxml import docx_text as text_of, read_package

DOCUMENTS = [
    "msa",
    "responsibility_schedule",
    "mso_operating_agreement",
    "baa",
    "compliance_memo",
    "formation_checklist",
]


def findings(folder):
    return json.loads((folder / "compliance.json").read_text())["findings"]


def test_ca_packet_has_every_document(packets):
    folder = packets["ca_medspa"]
    for name in DOCUMENTS + ["practice_bylaws"]:
        assert (folder / f"{name}.docx").stat().st_size > 5000, name
    assert not (folder / "practice_operating_agreement.docx").exists()
    assert {"compliance.json", "manifest.json"} <= {p.name for p in folder.iterdir()}


@pytest.mark.slow  # slow tier: reads the TX packet (the fast tier builds only CA's)
def test_pllc_gets_an_operating_agreement(packets):
    folder = packets["tx_medspa"]
    assert (folder / "practice_operating_agreement.docx").exists()
    assert not (folder / "practice_bylaws.docx").exists()


def test_ca_msa_replaces_percentage_fee_with_fixed_fmv_fee(packets):
    folder = packets["ca_medspa"]
    text = docx_text(folder / "msa.docx")
    assert "15%" not in text
    contract = "\n".join(line for line in text.splitlines() if not line.startswith("[Drafting note:"))
    assert (
        not re.search(r"percent(age)? of (the Practice's )?(gross |net )?(revenue|collections)", contract, re.I)
        or "in no event" in contract.lower()
    )
    assert "[Drafting note:" in text
    # the California rule's own drafting note is printed where the rule acted
    from formgen.markup import library_prose
    from formgen.inputs.library import Library

    note = Library.shipped().state("CA").rule_for_tag("fee:percentage_of_revenue").drafting_note
    assert " ".join(library_prose(note).split()) in " ".join(text.split())
    assert "fair market value" in text.lower()
    assert "[monthly amount" in text.lower() or "monthly amount supported" in text.lower()
    from formgen.scan.scanner import scan_text

    assert scan_text(text) == [], "the scanner must find no revenue-based payment left in the CA MSA"


def test_ca_compliance_json_cites_california_law(packets):
    fee = [f for f in findings(packets["ca_medspa"]) if f["rule"] == "fee.percentage_of_revenue"]
    assert len(fee) == 1
    # B&P § 650(b) permits a percentage fee commensurate with value: replacing it is formgen's policy
    assert fee[0]["severity"] == "warning" and fee[0]["law"] == "conditional"
    assert "650" in fee[0]["citation"] and "2273" not in fee[0]["citation"]
    assert fee[0]["action"] == "replaced"
    assert "Cal. Bus. & Prof. Code" in fee[0]["citation"]
    assert fee[0]["document"] == "msa"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_oh_percentage_fee_replaced_by_policy_and_kept_when_permissive(packets, tmp_path):
    folder = packets["oh_medspa"]
    assert "12%" not in docx_text(folder / "msa.docx")  # conservative policy: replaced
    fee = [f for f in findings(folder) if f["rule"] == "fee.percentage_of_revenue"]
    assert fee and fee[0]["severity"] == "warning" and fee[0]["action"] == "replaced" and fee[0]["law"] == "unsettled"
    packet = formgen.generate(EXAMPLES / "oh_medspa.yaml", tmp_path / "oh", policy="permissive")
    kept = [f for f in packet.findings if f.rule == "fee.percentage_of_revenue"]
    assert kept and kept[0].severity == "warning" and kept[0].action == "kept"
    assert "12%" in docx_text(tmp_path / "oh" / "msa.docx")
    # the scanner sees the kept fee too, and reports it as Ohio's rules say: a warning citing Ohio law
    scanned = [f for f in packet.findings if f.rule.startswith("scan.")]
    assert scanned and all(f.severity == "warning" and f.document == "msa" for f in scanned)
    assert scanned[0].citation == kept[0].citation and "12%" in scanned[0].message


@pytest.mark.slow  # slow tier: reads the OR packet (the fast tier builds only CA's)
def test_oregon_sb951_terms(packets):
    folder = packets["or_medspa"]
    msa = docx_text(folder / "msa.docx")
    rules = {f["rule"]: f for f in findings(folder)}
    assert rules["control.stock_transfer_restriction"]["action"] == "replaced"
    assert rules["covenant.non_compete_provider"]["action"] == "replaced"
    assert "SB 951" in rules["covenant.non_compete_provider"]["citation"]
    manifest = json.loads((folder / "manifest.json").read_text())
    msa_clauses = {c.split("@")[0] for c in manifest["documents"]["msa"]["clauses"]}
    assert "msa.reserved.or_sb951" in msa_clauses
    assert "msa.continuity.transfer_restriction" not in msa_clauses
    assert "msa.covenants.non_compete" not in msa_clauses
    bylaws = {c.split("@")[0] for c in manifest["documents"]["practice_bylaws"]["clauses"]}
    assert "bylaws.no_mso_officers" in bylaws
    assert "coding" in msa.lower() and "prices" in msa.lower()


def test_california_drops_provider_non_compete_and_non_disparagement(packets):
    manifest = json.loads((packets["ca_medspa"] / "manifest.json").read_text())
    msa_clauses = {c.split("@")[0] for c in manifest["documents"]["msa"]["clauses"]}
    assert "msa.covenants.non_compete" not in msa_clauses
    assert "msa.covenants.non_disparagement" not in msa_clauses
    assert {"msa.covenants.confidentiality_only", "msa.reserved.ca_sb351"} <= msa_clauses


@pytest.mark.slow  # slow tier: reads the NY packet (the fast tier builds only CA's)
def test_non_compete_stays_where_allowed(packets):
    manifest = json.loads((packets["ny_medspa"] / "manifest.json").read_text())
    assert any(c.startswith("msa.covenants.non_compete@") for c in manifest["documents"]["msa"]["clauses"])


def test_every_page_footer_says_draft_for_attorney_review(packets):
    parts = read_package((packets["ca_medspa"] / "msa.docx").read_bytes())
    footers = [v.decode() for k, v in parts.items() if k.startswith("word/footer")]
    assert any(
        "Draft for attorney review" in f and "Management Services Agreement" in f and "PAGE" in f for f in footers
    )


def test_compliance_memo_lists_findings_and_citations(packets):
    text = docx_text(packets["ca_medspa"] / "compliance_memo.docx")
    assert "Cal. Bus. & Prof. Code § 650" in text
    assert "Co-mingled finances" in text and "Revenue-based pay" in text
    assert "unverified" in text.lower()
    rules = text[text.upper().index("STATE RULES APPLIED") :].splitlines()
    assert "Corporate practice of medicine" in rules and "CPOM" not in rules  # a client memo spells it out


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_memo_reads_as_an_attorneys_dated_memo_without_internal_ids(packets, tmp_path):
    text = docx_text(packets["ca_medspa"] / "compliance_memo.docx")
    lines = text.splitlines()
    assert [lines[lines.index(k) + 1] for k in ("To", "From", "Date")][2] == "[date of review]"
    for internal in ("msa.covenants", "fee:percentage", "CA.yaml", "None", "finding(s)", "2026-01-01"):
        assert internal not in text, internal
    assert "From January 1, 2026" in text.replace("\u00a0", " ")
    # dated and numbered by the deal file: the memo's Date line and every document's running header
    dated = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text())
    dated["deal"]["prepared_on"] = "2026-12-01"
    dated["deal"]["draft_version"] = 2
    deal = tmp_path / "dated.yaml"
    deal.write_text(yaml.safe_dump(dated, sort_keys=False))
    packet = formgen.build(deal)
    memo = next(d for d in packet.documents if d.spec.name == "compliance_memo")
    lines = text_of(memo.data).replace("\u00a0", " ").splitlines()
    assert lines[lines.index("Date") + 1] == "December 1, 2026 (draft 2)"
    for document in packet.documents:
        headers = [v.decode() for k, v in read_package(document.data).items() if k.startswith("word/header")]
        assert any("confidential draft 2 of December 1, 2026" in h for h in headers), document.spec.filename


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_no_document_prints_template_syntax_straight_quotes_or_iso_dates(packets):
    """Every document of every example, reports included: state-rule prose is typeset like clause
    text (dates written out), and no jinja string literal leaks its braces onto the page."""
    for stem, folder in packets.items():
        for path in sorted(folder.glob("*.docx")):
            text = docx_text(path)
            for leak in ("{{", "{%", '"'):
                assert leak not in text, (
                    f"{stem}/{path.name}: {text[max(0, text.find(leak) - 60) : text.find(leak) + 40]!r}"
                )
            iso = re.search(r".{0,60}\b\d{4}-\d{2}-\d{2}\b", text)
            assert not iso, f"{stem}/{path.name}: {iso.group(0)!r}"


def _edit_docx(path, old: str, new: str) -> None:
    """Change text in a document's body as a lawyer editing in Word would (one run's text)."""
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    xml = source.read("word/document.xml").decode("utf-8")
    assert old in xml, old
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = xml.replace(old, new).encode("utf-8") if item.filename == "word/document.xml" else source.read(item)
            target.writestr(item, data)
    path.write_bytes(out.getvalue())


def test_lint_of_a_built_packet_catches_shared_terms_edited_in_one_document(packets, tmp_path):
    import shutil

    folder = tmp_path / "glow"
    shutil.copytree(packets["ca_medspa"], folder)
    done = run_cli("lint", str(folder))
    assert done.returncode == 0 and "state their shared terms alike" in done.stdout, done.stderr
    _edit_docx(folder / "baa.docx", "100 Main Street, Suite 210", "200 Harbor Drive, Suite 5")
    _edit_docx(folder / "trademark_license.docx", "entered into as of January", "entered into as of February")
    _edit_docx(
        folder / "responsibility_schedule.docx",
        "Glow Medical Corporation, a California professional",
        "Glow Medical Corporation, a Nevada professional",
    )
    _edit_docx(folder / "mso_consent.docx", ">60%</w:t>", ">65%</w:t>")  # a cell of the members table
    failed = run_cli("lint", str(folder))
    assert failed.returncode == 1, failed.stdout
    err = " ".join(failed.stderr.split())
    assert "4 problems" in err and "Traceback" not in err
    assert "the percentage interest of Dana Ruiz differently (mso_consent: 65%; mso_operating_agreement: 60%)" in err
    assert (
        "the principal office of Glow Medical Corporation differently (baa: 200 Harbor Drive, Suite 5, "
        "San Diego, CA 92101; continuity_agreement: 100 Main Street, Suite 210"
    ) in err
    assert "the Effective Date differently" in err and "trademark_license: February 1, 2027" in err
    assert (
        "the description of Glow Medical Corporation differently" in err
        and "responsibility_schedule: Nevada professional medical corporation" in err
    )


@pytest.mark.slow  # slow tier: reads the TX packet (the fast tier builds only CA's)
def test_consent_and_ledger_define_the_governing_document_they_rely_on(packets):
    """'Bylaws' / 'Company Agreement' are defined (bold) where the consent and the ledger first name
    them, and their other capitalized terms are taken from it."""
    for stem, document, term in (
        ("ca_medspa", "practice_consent", "Bylaws"),
        ("ca_medspa", "ownership_ledger", "Bylaws"),
        ("tx_medspa", "practice_consent", "Company Agreement"),
        ("tx_medspa", "ownership_ledger", "Company Agreement"),
    ):
        path = packets[stem] / f"{document}.docx"
        text = " ".join(docx_text(path).split())
        assert f"{term.lower()} (the \u201c{term}\u201d)" in text, (stem, document)
        assert f"have the meanings given in the {term}" in text
        xml = read_package(path.read_bytes())["word/document.xml"].decode()
        assert re.search(rf"<w:b/></w:rPr><w:t[^>]*>{term}</w:t>", xml), (stem, document)


def test_formation_checklist_has_dated_recurring_items(packets):
    text = docx_text(packets["ca_medspa"] / "formation_checklist.docx")
    assert "Annually from January 1, 2028" in text
    assert "fair-market-value" in text.lower() and "compliance" in text.lower()
    # CA AB 1415: notice to OHCA 90 days before closing (October 3, 2026 for a January 1, 2027 closing);
    # it falls before the MSO's planned formation, and the checklist says so
    assert "Office of Health Care Affordability" in text
    lines = text.splitlines()
    due = lines.index(next(line for line in lines if "Office of Health Care Affordability" in line)) - 1
    assert lines[due] == "October 3, 2026"
    assert "Due before Glow Management, LLC is scheduled to be formed" in text


@pytest.mark.slow  # slow tier: reads every example's packet
def test_checklists_carry_each_states_filings_after_formation(packets):
    """California's statements of information, franchise tax, fictitious name and EDD registration;
    New York's LLC publication; Texas's franchise tax report in place of an annual report."""

    def checklist(stem):
        return " ".join(docx_text(packets[stem] / "formation_checklist.docx").replace("\u00a0", " ").split())

    ca = checklist("ca_medspa")
    for words in (
        "Statement of Information",
        "Franchise Tax Board",
        "fictitious business name statement",
        "Employment Development Department",
        "§ 17702.09",
    ):
        assert words in ca, words
    assert "New York limited liability company" in checklist("ny_medspa") and "§ 206(a)" in checklist("ny_medspa")
    tx = checklist("tx_medspa")
    assert "franchise tax report" in tx and "before May 16" in tx
    assert "annual or biennial report with the Secretary of State" not in tx
    # a yearly filing due by a fixed day is dated from the year after the entity is formed (both are
    # formed in late 2026 for these January 1, 2027 deals), an anniversary filing from formation
    assert "By May 15 each year, first May 15, 2027 File each entity's Texas franchise tax report" in tx.replace(
        "\u2019", "'"
    )
    fl = checklist("fl_medspa").replace("\u2019", "'")
    assert (
        "By May 1 each year, first May 1, 2027 File each entity's annual report with the Florida Department of State"
        in fl
    )
    assert "§ 865.09" in fl and "reemployment tax" in fl
    oregon = checklist("or_medspa")
    assert "Annually from November 2, 2027" in oregon and "ORS 63.787" in oregon and "assumed business name" in oregon
    ohio = checklist("oh_medspa")
    assert "Ohio Rev. Code §§ 1329.01, 1329.04" in ohio and "commercial activity tax" in ohio


@pytest.mark.slow  # slow tier: reads the TX packet (the fast tier builds only CA's)
def test_a_texas_llcs_governing_document_is_its_company_agreement(packets):
    """Texas calls an LLC's governing document its company agreement (Bus. Orgs. Code § 101.001(1)):
    the TX packet titles, defines and cites it so; a California LLC keeps its operating agreement."""
    tx = {p.stem: " ".join(docx_text(p).split()) for p in packets["tx_medspa"].glob("*.docx")}
    for name, text in tx.items():
        if name != "compliance_memo":  # the memo quotes the Texas note, which explains the term
            assert "Operating Agreement" not in text and "operating agreement" not in text, name
    assert tx["practice_operating_agreement"].startswith("Company Agreement")
    assert "This company agreement (this \u201cCompany Agreement\u201d)" in tx["practice_operating_agreement"]
    assert tx["mso_operating_agreement"].startswith("Company Agreement")
    assert "Practice\u2019s Certificate of Formation and its Company Agreement" in tx["msa"]
    ca = " ".join(docx_text(packets["ca_medspa"] / "mso_operating_agreement.docx").split())
    assert ca.startswith("Limited Liability Company Operating Agreement")


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_hostile_party_name_appears_exactly_as_typed(tmp_path):
    name = "Smith & Jones <Aesthetics> {{ 7*7 }}"
    data = yaml.safe_load((EXAMPLES / "oh_medspa.yaml").read_text())
    data["mso"]["name"] = name
    deal = tmp_path / "deal.yaml"
    deal.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "out"
    formgen.generate(deal, out)
    for doc in ("msa", "mso_operating_agreement", "baa"):
        text = docx_text(out / f"{doc}.docx")
        assert name in text, doc
    assert "Smith & Jones <Aesthetics> 49" not in docx_text(out / "msa.docx")


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_same_input_gives_identical_bytes(tmp_path):
    deal = EXAMPLES / "ca_medspa.yaml"
    formgen.generate(deal, tmp_path / "a")
    formgen.generate(deal, tmp_path / "b")
    names = sorted(p.relative_to(tmp_path / "a").as_posix() for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path / "b").as_posix() for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert ".formgen/base/msa.docx" in names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_strict_writes_nothing_and_exits_3(tmp_path):
    out = tmp_path / "out"
    result = run_cli("generate", str(EXAMPLES / "ca_medspa.yaml"), "-o", str(out), "--strict")
    assert result.returncode == 3, result.stderr
    assert not out.exists()
    assert "Cal. Bus. & Prof. Code" in result.stderr


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_strict_passes_a_clean_deal(tmp_path):
    result = run_cli("generate", str(EXAMPLES / "ny_medspa.yaml"), "-o", str(tmp_path / "o"), "--strict")
    assert result.returncode == 0, result.stderr


def test_manifest_records_clause_versions_and_hashes(packets):
    folder = packets["ca_medspa"]
    manifest = json.loads((folder / "manifest.json").read_text())
    from formgen.folder.manifest import file_sha256

    for doc in manifest["documents"].values():
        assert all("@" in c for c in doc["clauses"])
        assert doc["sha256"] == file_sha256(folder / doc["file"])
    assert set(manifest["state"]["files"]) == {"_default.yaml", "CA.yaml"}
    assert manifest["deal"]["validated"]["deal"]["state"] == "CA"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_explain_says_why_each_clause_is_there(tmp_path):
    result = run_cli("explain", str(EXAMPLES / "ca_medspa.yaml"))
    assert result.returncode == 0, result.stderr
    assert (
        "- Percentage Fee: left out and replaced by “Fixed Monthly Fee”: California law allows it only on "
        "conditions" in result.stdout
    )
    assert "+ Fixed Monthly Fee: included in place of “Percentage Fee”" in result.stdout


def test_schema_is_json_schema():
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert {"deal", "mso", "practice", "services", "fees", "term"} <= set(schema["properties"])


def test_every_document_of_every_example_opens_in_libreoffice(packets, tmp_path, libreoffice, libreoffice_profile):
    from pypdf import PdfReader

    docs = sorted(p for folder in packets.values() for p in folder.glob("*.docx"))
    # One converter process for all: names collide across packets, so copy them apart first.
    staged = []
    for doc in docs:
        target = tmp_path / f"{doc.parent.name}__{doc.name}"
        target.write_bytes(doc.read_bytes())
        staged.append(target)
    subprocess.run(
        [
            libreoffice,
            "--headless",
            "--norestore",
            libreoffice_profile,
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            *map(str, staged),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    for doc in staged:
        pdf = tmp_path / "pdf" / (doc.stem + ".pdf")
        assert pdf.exists(), f"LibreOffice could not open {doc.name}"
        reader = PdfReader(pdf)
        assert len(reader.pages) >= 1
        assert "Draft for attorney review" in reader.pages[0].extract_text()
