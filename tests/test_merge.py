"""Three-way merge on regenerate: the lawyer's Word edits survive, formgen's changes arrive as
tracked changes, conflicts get a comment (real packets, python-docx and LibreOffice edits, the CLI)."""

from __future__ import annotations

import copy
import re
import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree

import formgen
from conftest import EXAMPLES, convert_with_libreoffice, run_cli, soffice
from formgen.word.comments import comment_texts
from formgen.word.merge import merge_documents
from formgen.word.ooxml import read_package
from formgen.word.redline import paragraphs_text
from formgen.word.wordml import W

pytestmark = pytest.mark.slow  # slow tier: whole merge workflows

NS = {"w": W}
OLD_FEE, NEW_FEE = "monthly_amount: 42000", "monthly_amount: 45000"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pristine")
    deal = folder / "hudson.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    formgen.generate(deal, folder / "out")
    return folder


@pytest.fixture
def ny(pristine, tmp_path) -> tuple[Path, Path]:
    shutil.copytree(pristine, tmp_path / "p")
    return tmp_path / "p" / "hudson.yaml", tmp_path / "p" / "out"


def set_fee(deal: Path, old: str = OLD_FEE, new: str = NEW_FEE) -> None:
    deal.write_text(deal.read_text().replace(old, new))


def paragraph(document, prefix: str):
    return next(p for p in document.paragraphs if p.text.startswith(prefix))


def three_edits(path: Path) -> None:
    """A sentence added to 3.1, a word bolded in 7.2, a comment on 9.3 (python-docx, as a user would)."""
    document = docx.Document(str(path))
    paragraph(document, "Initial Term.").add_run(" Counsel added this sentence.")
    p = paragraph(document, "No Clinical Functions.")
    run = p.runs[-1]
    text = run.text
    start = text.index("render")
    run.text = text[:start]
    p.add_run("render").bold = True
    p.add_run(text[start + len("render") :])
    document.add_comment(
        paragraph(document, "Business Records.").runs, text="Confirm with the client.", author="Counsel"
    )
    document.save(str(path))


def document_xml(data: bytes) -> etree._Element:
    return etree.fromstring(read_package(data)["word/document.xml"])


def revisions(data: bytes, tag: str) -> list[str]:
    return ["".join(e.itertext()) for e in document_xml(data).iter(f"{{{W}}}{tag}") if "".join(e.itertext()).strip()]


def opens_in_libreoffice(path: Path, tmp_path: Path) -> str:
    """Convert with LibreOffice to PDF; return the text of the PDF."""
    import pypdf

    out = tmp_path / "lo-pdf"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = out / (path.stem + ".pdf")
    return " ".join("".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages).split())


needs_lo = pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")


@needs_lo
def test_three_hand_edits_survive_a_fee_change(ny, tmp_path):
    deal, out = ny
    three_edits(out / "msa.docx")
    edited = (out / "msa.docx").read_bytes()
    set_fee(deal)

    proc = run_cli("regenerate", str(out))  # no --force

    assert proc.returncode == 0, proc.stderr
    assert "msa.docx: merged" in proc.stdout
    merged = (out / "msa.docx").read_bytes()
    current = paragraphs_text(merged)
    assert any(p.endswith("Counsel added this sentence.") for p in current)
    bold = [
        r
        for r in document_xml(merged).iter(f"{{{W}}}r")
        if r.find("w:rPr/w:b", NS) is not None and "".join(r.itertext()) == "render"
    ]
    assert bold, "the word counsel bolded is still bold"
    assert comment_texts(read_package(merged)) == ["Confirm with the client."]
    assert len(document_xml(merged).findall(".//w:commentReference", NS)) == 1
    # the new fee as a tracked change, by formgen, in 12.2 and Exhibit B
    assert sum("42,000" in t for t in revisions(merged, "del")) == 2
    assert sum("45,000" in t for t in revisions(merged, "ins")) == 2
    authors = {e.get(f"{{{W}}}author") for e in document_xml(merged).iter(f"{{{W}}}ins", f"{{{W}}}del")}
    assert authors == {"formgen"}
    # nothing of the lawyer's is lost: with formgen's changes rejected, the edited file's text
    assert paragraphs_text(merged, "reject") == paragraphs_text(edited)
    accepted = paragraphs_text(merged, "accept")
    assert len(accepted) == len(current) and any("$45,000.00 for each calendar month" in p for p in accepted)
    changes = json.loads((out / "changes.json").read_text())["documents"]["msa"]
    assert changes["status"] == "merged" and not changes["merge"]["conflicts"]
    assert len(changes["merge"]["merged"]) == 2 and len(changes["merge"]["lawyer"]) == 1
    text = opens_in_libreoffice(out / "msa.docx", tmp_path)
    assert "Counsel added this sentence." in text and "45,000.00" in text
    # the base moved on: a second run with nothing new changes nothing
    assert formgen.regenerate(out).status == "unchanged"
    assert (out / ".formgen/base/msa.docx").read_bytes() == formgen.build(deal).documents[0].data


@needs_lo
def test_an_edit_in_the_fee_paragraph_is_a_conflict(ny, tmp_path):
    deal, out = ny
    document = docx.Document(str(out / "msa.docx"))
    paragraph(document, "Fixed Monthly Fee.").add_run(" Practice may prepay a quarter at a time.")
    document.save(str(out / "msa.docx"))
    set_fee(deal)

    proc = run_cli("regenerate", str(out))

    assert proc.returncode == 0, proc.stderr
    merged = (out / "msa.docx").read_bytes()
    current = paragraphs_text(merged)
    mine = [p for p in current if p.startswith("Fixed Monthly Fee.")]
    assert len(mine) == 2, "the lawyer's paragraph and formgen's alternative"
    assert "$42,000.00" in mine[0] and mine[0].endswith("a quarter at a time.")
    assert "$45,000.00" in mine[1] and "quarter" not in mine[1]
    assert any("$45,000.00 for each calendar month" in t for t in revisions(merged, "ins"))
    comments = comment_texts(read_package(merged))
    assert len(comments) == 1 and "edited by hand" in comments[0] and "fees.monthly_amount" in comments[0]
    assert [p for p in paragraphs_text(merged, "reject") if p.startswith("Fixed Monthly Fee.")] == [mine[0]]
    md = (out / "changes.md").read_text()
    assert "CONFLICT" in md and "a quarter at a time" in md
    changes = json.loads((out / "changes.json").read_text())["documents"]["msa"]["merge"]
    assert len(changes["conflicts"]) == 1 and changes["conflicts"][0]["kind"] == "edited by hand and changed by formgen"
    assert "$45,000.00 per calendar month" in " ".join(m["theirs"] for m in changes["merged"])  # Exhibit B merged
    assert "a quarter at a time" in opens_in_libreoffice(out / "msa.docx", tmp_path)


def split_into_word_runs(path: Path, prefix: str) -> None:
    """Word's habit: the same words in many runs, with rsids and proofing marks between them."""
    parts = read_package(path.read_bytes())
    root = etree.fromstring(parts["word/document.xml"])
    target = next(p for p in root.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith(prefix.replace("\t", "")))
    for run in list(target.findall("w:r", NS)):
        t = run.find("w:t", NS)
        if t is None or not t.text or len(t.text) < 4:
            continue
        words = t.text.split(" ")
        for index, word in enumerate(words):
            piece = copy.deepcopy(run)
            piece.set(f"{{{W}}}rsidR", f"00A{index:05d}")
            piece.find("w:t", NS).text = word + (" " if index < len(words) - 1 else "")
            run.addprevious(piece)
            if index % 3 == 1:
                run.addprevious(etree.Element(f"{{{W}}}proofErr", {f"{{{W}}}type": "spellStart"}))
        target.remove(run)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    from formgen.word.wordml import write_package

    path.write_bytes(write_package(parts))


def test_word_style_run_splits_merge_cleanly(ny):
    deal, out = ny
    split_into_word_runs(out / "msa.docx", "Fixed Monthly Fee.")
    split_into_word_runs(out / "msa.docx", "$42,000.00 per calendar month")
    set_fee(deal)
    result = formgen.regenerate(out)
    msa = next(d for d in result.documents if d.file == "msa.docx")
    assert msa.status == "merged" and not msa.merge["conflicts"] and len(msa.merge["merged"]) == 2
    merged = (out / "msa.docx").read_bytes()
    assert any("$45,000.00 for each calendar month" in p for p in paragraphs_text(merged, "accept"))
    assert [t for t in revisions(merged, "del") if "42" in t] and [t for t in revisions(merged, "ins") if "45" in t]


def add_own_revision(path: Path, prefix: str, text: str) -> None:
    """The lawyer's own tracked insertion at the end of a paragraph (as Word writes it)."""
    parts = read_package(path.read_bytes())
    root = etree.fromstring(parts["word/document.xml"])
    target = next(p for p in root.iter(f"{{{W}}}p") if "".join(p.itertext()).startswith(prefix.replace("\t", "")))
    ins = etree.SubElement(
        target,
        f"{{{W}}}ins",
        {f"{{{W}}}id": "9001", f"{{{W}}}author": "Counsel", f"{{{W}}}date": "2027-02-01T10:00:00Z"},
    )
    etree.SubElement(etree.SubElement(ins, f"{{{W}}}r"), f"{{{W}}}t").text = text
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    from formgen.word.wordml import write_package

    path.write_bytes(write_package(parts))


def test_the_lawyers_own_tracked_changes_are_kept(ny):
    deal, out = ny
    add_own_revision(out / "msa.docx", "Equipment.", " Counsel's tracked addition.")
    add_own_revision(out / "msa.docx", "$42,000.00 per calendar month", " (subject to review)")
    set_fee(deal)
    result = formgen.regenerate(out)
    msa = next(d for d in result.documents if d.file == "msa.docx")
    merged = (out / "msa.docx").read_bytes()
    by_author = {(e.get(f"{{{W}}}author"), "".join(e.itertext())) for e in document_xml(merged).iter(f"{{{W}}}ins")}
    assert ("Counsel", " Counsel's tracked addition.") in by_author
    assert ("Counsel", " (subject to review)") in by_author
    # the Exhibit B cell carries the lawyer's revision and formgen's change: a conflict, both kept
    assert [c["ours"] for c in msa.merge["conflicts"]] == [
        "$42,000.00 per calendar month, prorated for partial months (subject to review)"
    ]
    assert any("$45,000.00 for each calendar month" in p for p in paragraphs_text(merged, "accept"))


@needs_lo
def test_a_document_saved_by_libreoffice_merges(ny, tmp_path):
    """LibreOffice rewrites the whole package (styles, run splits, rsids): still merged, not refused."""
    deal, out = ny
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    saved = convert_with_libreoffice(soffice(), profile, out / "msa.docx", tmp_path / "lo", "docx:MS Word 2007 XML")
    shutil.copy(saved, out / "msa.docx")
    three_edits(out / "msa.docx")
    edited = (out / "msa.docx").read_bytes()
    set_fee(deal)
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 0, proc.stderr
    merged = (out / "msa.docx").read_bytes()
    assert paragraphs_text(merged, "reject") == paragraphs_text(edited)
    accepted = paragraphs_text(merged, "accept")
    assert any("$45,000.00 for each calendar month" in p for p in accepted)
    assert any(p.endswith("Counsel added this sentence.") for p in accepted)
    assert "45,000.00" in opens_in_libreoffice(out / "msa.docx", tmp_path)


def test_new_and_removed_paragraphs_are_tracked(ny):
    """formgen adds a paragraph and drops one (an owner added to the deal changes signature blocks,
    here simulated on the documents themselves); the lawyer's edit elsewhere stays."""
    _, out = ny
    base = (out / "msa.docx").read_bytes()
    theirs_doc = docx.Document(str(out / "msa.docx"))
    fee = paragraph(theirs_doc, "Fixed Monthly Fee.")
    fee.insert_paragraph_before("12.1A\tNew Provision. formgen's new paragraph.")
    gone = paragraph(theirs_doc, "Assistance.")
    gone._p.getparent().remove(gone._p)
    theirs_path = out.parent / "theirs.docx"
    theirs_doc.save(str(theirs_path))
    three_edits(out / "msa.docx")
    ours = (out / "msa.docx").read_bytes()

    merged = merge_documents(base, ours, theirs_path.read_bytes())

    kinds = sorted(m["kind"] for m in merged.report["merged"])
    assert kinds == ["deleted", "inserted"]
    accepted, rejected = paragraphs_text(merged.data, "accept"), paragraphs_text(merged.data, "reject")
    assert rejected == paragraphs_text(ours)
    assert "12.1A\tNew Provision. formgen's new paragraph." in accepted
    assert accepted.index("12.1A\tNew Provision. formgen's new paragraph.") + 1 == next(
        i for i, p in enumerate(accepted) if p.startswith("Fixed Monthly Fee.")
    )
    assert not any(p.startswith("Assistance.") for p in accepted)
    assert any(p.endswith("Counsel added this sentence.") for p in accepted)


def test_no_merge_keeps_the_old_rule(ny):
    deal, out = ny
    three_edits(out / "msa.docx")
    set_fee(deal)
    proc = run_cli("regenerate", str(out), "--no-merge")
    assert proc.returncode == 1 and "--force" in proc.stderr


def test_generate_keeps_the_pristine_base(ny):
    _, out = ny
    manifest = json.loads((out / "manifest.json").read_text())
    for doc in manifest["documents"].values():
        assert doc["base"] == f".formgen/base/{doc['file']}"
        assert (out / doc["base"]).read_bytes() == (out / doc["file"]).read_bytes()


def test_a_second_change_replaces_formgens_pending_proposal(ny):
    """The lawyer has not yet accepted or rejected formgen's 42,000 → 45,000: the next change shows
    42,000 → 47,500 (formgen's newer proposal in place of its pending one); the lawyer's edits stay."""
    deal, out = ny
    three_edits(out / "msa.docx")
    edited = (out / "msa.docx").read_bytes()
    set_fee(deal)
    formgen.regenerate(out)
    set_fee(deal, NEW_FEE, "monthly_amount: 47500")
    result = formgen.regenerate(out)
    msa = next(d for d in result.documents if d.file == "msa.docx")
    assert msa.status == "merged" and not msa.merge["conflicts"] and len(msa.merge["merged"]) == 2
    merged = (out / "msa.docx").read_bytes()
    assert paragraphs_text(merged, "reject") == paragraphs_text(edited)
    accepted = paragraphs_text(merged, "accept")
    assert any("$47,500.00 for each calendar month" in p for p in accepted)
    assert not any("45,000" in t for t in revisions(merged, "ins") + revisions(merged, "del"))
    assert any(p.endswith("Counsel added this sentence.") for p in accepted)
    assert comment_texts(read_package(merged)) == ["Confirm with the client."]


def system_python_with_uno() -> str | None:
    python = shutil.which("python3", path="/usr/bin:/usr/local/bin")
    if python is None or soffice() is None:
        return None
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True, timeout=60)
    return python if probe.returncode == 0 else None


@pytest.mark.skipif(system_python_with_uno() is None, reason="LibreOffice's Python-UNO bridge not installed")
def test_edits_made_in_libreoffice_are_merged(ny, tmp_path):
    """LibreOffice itself (through UNO, as its macros do) appends a sentence and bolds a word, and
    saves as .docx; a fee change is then merged into that file."""
    deal, out = ny
    script = Path(__file__).parent / "fixtures" / "merge" / "lo_edit.py"
    subprocess.run(
        [
            system_python_with_uno(),
            str(script),
            soffice(),
            str(tmp_path / "uno-profile"),
            str(out / "msa.docx"),
            "Initial Term.",
            " Counsel added this in LibreOffice.",
            "No Clinical Functions.",
            "render",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    edited = (out / "msa.docx").read_bytes()
    assert any(p.endswith("Counsel added this in LibreOffice.") for p in paragraphs_text(edited))
    set_fee(deal)

    proc = run_cli("regenerate", str(out))

    assert proc.returncode == 0, proc.stderr
    merged = (out / "msa.docx").read_bytes()
    assert paragraphs_text(merged, "reject") == paragraphs_text(edited)
    accepted = paragraphs_text(merged, "accept")
    assert any(p.endswith("Counsel added this in LibreOffice.") for p in accepted)
    assert any("$45,000.00 for each calendar month" in p for p in accepted)
    changes = json.loads((out / "changes.json").read_text())["documents"]["msa"]["merge"]
    assert not changes["conflicts"] and len(changes["merged"]) == 2
    bold = [
        r
        for r in document_xml(merged).iter(f"{{{W}}}r")
        if r.find("w:rPr/w:b", NS) is not None and "render" in "".join(r.itertext())
    ]
    assert bold, "the word bolded in LibreOffice is still bold"
    assert "Counsel added this in LibreOffice." in opens_in_libreoffice(out / "msa.docx", tmp_path)


def test_a_deleted_or_removed_paragraph_on_one_side_is_a_conflict(ny):
    """The lawyer deleted 12.2, which formgen changes: formgen's 12.2 comes back as a tracked
    insertion with a comment. formgen drops 11.4, which the lawyer edited: kept, with a comment."""
    deal, out = ny
    base = (out / "msa.docx").read_bytes()
    document = docx.Document(str(out / "msa.docx"))
    fee = paragraph(document, "Fixed Monthly Fee.")
    fee._p.getparent().remove(fee._p)
    paragraph(document, "Assistance.").add_run(" Counsel's addition.")
    ours_path = out.parent / "ours.docx"
    document.save(str(ours_path))
    set_fee(deal)
    theirs_doc = docx.Document(io.BytesIO(formgen.build(deal).documents[0].data))
    gone = paragraph(theirs_doc, "Assistance.")
    gone._p.getparent().remove(gone._p)
    theirs = io.BytesIO()
    theirs_doc.save(theirs)

    merged = merge_documents(base, ours_path.read_bytes(), theirs.getvalue(), why="fees.monthly_amount 42000 → 45000")

    kinds = sorted(c["kind"] for c in merged.report["conflicts"])
    assert kinds == ["deleted by hand and changed by formgen", "edited by hand and removed by formgen"]
    assert paragraphs_text(merged.data, "reject") == paragraphs_text(ours_path.read_bytes())
    accepted = paragraphs_text(merged.data, "accept")
    assert any(p.startswith("Fixed Monthly Fee.") and "$45,000.00" in p for p in accepted)
    assert any(p.startswith("Assistance.") and p.endswith("Counsel's addition.") for p in accepted)
    comments = comment_texts(read_package(merged.data))
    assert len(comments) == 2 and any("leaves this paragraph out" in c for c in comments)
    assert any("is put back as a tracked insertion" in c for c in comments)


def test_bookmarks_stay_unique_after_a_merge(ny):
    """A changed paragraph that holds a bookmark (the fee section a REF points at) is rewritten as a
    word diff without a second copy of formgen's bookmark: every name and id once."""
    deal, out = ny
    three_edits(out / "msa.docx")
    set_fee(deal)
    formgen.regenerate(out)
    root = document_xml((out / "msa.docx").read_bytes())
    starts = list(root.iter(f"{{{W}}}bookmarkStart"))
    names = [b.get(f"{{{W}}}name") for b in starts]
    ids = [b.get(f"{{{W}}}id") for b in starts]
    assert len(starts) > 20 and len(set(names)) == len(names) and len(set(ids)) == len(ids)
    ends = [b.get(f"{{{W}}}id") for b in root.iter(f"{{{W}}}bookmarkEnd")]
    assert sorted(ends) == sorted(ids)


def test_duplicate_bookmarks_are_made_unique():
    from formgen.word.fieldmarks import unique_bookmarks

    body = etree.fromstring(
        f'<w:body xmlns:w="{W}"><w:p><w:bookmarkStart w:id="1" w:name="a"/><w:bookmarkStart w:id="1" w:name="a"/>'
        '<w:bookmarkEnd w:id="1"/><w:bookmarkEnd w:id="1"/></w:p>'
        '<w:p><w:bookmarkStart w:id="2" w:name="b"/><w:bookmarkEnd w:id="2"/>'
        '<w:bookmarkStart w:id="2" w:name="c"/><w:bookmarkEnd w:id="2"/></w:p></w:body>'
    )
    unique_bookmarks(body)
    marks = [
        (etree.QName(m).localname, m.get(f"{{{W}}}id"), m.get(f"{{{W}}}name"))
        for m in body.iter()
        if etree.QName(m).localname.startswith("bookmark")
    ]
    assert marks == [
        ("bookmarkStart", "1", "a"),
        ("bookmarkEnd", "1", None),
        ("bookmarkStart", "2", "b"),
        ("bookmarkEnd", "2", None),
        ("bookmarkStart", "3", "c"),
        ("bookmarkEnd", "3", None),
    ]


def _with_ref_result(data: bytes, result: str) -> bytes:
    """``data`` with its first REF field's result replaced by ``result`` (as Word's refresh would)."""
    from formgen.word.wordml import write_package

    parts = read_package(data)
    root = etree.fromstring(parts["word/document.xml"])
    instr = next(i for i in root.iter(f"{{{W}}}instrText") if i.text.strip().startswith("REF "))
    run = instr.getparent()
    texts = []
    while run is not None:
        run = run.getnext()
        fld = run.find(f"{{{W}}}fldChar") if run is not None else None
        if fld is not None and fld.get(f"{{{W}}}fldCharType") == "end":
            break
        texts += list(run.iter(f"{{{W}}}t")) if run is not None else []
    texts[0].text = result
    for t in texts[1:]:
        t.text = ""
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return write_package(parts)


def test_paragraphs_differing_only_in_field_results_are_no_conflict(pristine):
    """The lawyer's copy shows a refreshed cross-reference, formgen's new draft another number for it
    (it renumbered): neither is an edit, so nothing is reported as a conflict or inserted twice."""
    base = (pristine / "out" / "msa.docx").read_bytes()
    ours = _with_ref_result(base, "Section\u00a099.9")
    theirs = _with_ref_result(base, "Section\u00a098.8")
    merged = merge_documents(base, ours, theirs)
    assert merged.report["conflicts"] == []
    assert not revisions(merged.data, "ins") and not comment_texts(read_package(merged.data))


def test_changes_md_counts_what_the_merged_file_carries(ny):
    """changes.md counts the paragraphs that carry formgen's tracked changes in the merged file, and
    lists the lawyer's inserted paragraph and comment as kept."""
    deal, out = ny
    three_edits(out / "msa.docx")
    document = docx.Document(str(out / "msa.docx"))
    paragraph(document, "Renewal.").insert_paragraph_before("Counsel's new section on audits.")
    document.save(str(out / "msa.docx"))
    set_fee(deal)
    formgen.regenerate(out)
    root = document_xml((out / "msa.docx").read_bytes())
    carrying = sum(
        1
        for p in root.iter(f"{{{W}}}p")
        if any(e.get(f"{{{W}}}author") == "formgen" for e in p.iter(f"{{{W}}}ins", f"{{{W}}}del"))
    )
    changes = (out / "changes.md").read_text()
    assert carrying > 0 and f"{carrying} paragraphs with formgen's tracked changes" in changes
    assert "kept your edit: “(inserted) Counsel's new section on audits.”" in changes
    assert "kept your comment: “Confirm with the client.”" in changes
    assert "1 comment of yours kept" in changes


def test_a_conflict_is_shown_around_its_difference():
    from formgen.folder.regen_report import around_difference

    head = "word " * 100
    ours, theirs = around_difference(
        head + "fee of $42,000.00 payable monthly", head + "fee of $45,000.00 payable monthly"
    )
    assert "$42,000.00" in ours and "$45,000.00" in theirs and ours.startswith("…") and len(ours) < 200


REVIEW_SCRIPT = Path(__file__).parent / "fixtures" / "merge" / "lo_review.py"
LAWYER_EDITS = {
    "delete": [
        "Limited Authority.",
        " MSO may not sign any contract, instrument or filing on Practice’s behalf, incur "
        "any obligation in Practice’s name or represent that it has authority to bind Practice, except as "
        "Practice authorizes in a signed writing that Practice may revoke at any time.",
    ],
    "rewrite": ["Initial Term.", "continues for five", "continues for a period of five"],
    "insert_after": [
        "Renewal.",
        "Renewal Notice. MSO shall remind Practice in writing of the end of each term at "
        "least one hundred twenty (120) days before it ends.",
    ],
}
LAWYER_COMMENT = "Counsel: confirm the engagement scope with the client."
WITHOUT_MARKETING = ("services: [administrative, payroll_hr, marketing, ", "services: [administrative, payroll_hr, ")


def in_libreoffice(tmp_path: Path, *args: str) -> None:
    """lo_review.py (edit or accept) run by LibreOffice's own Python bridge."""
    subprocess.run(
        [system_python_with_uno(), str(REVIEW_SCRIPT), soffice(), str(tmp_path / "uno-profile"), *args],
        check=True,
        capture_output=True,
        timeout=300,
    )


def as_the_lawyer_edited(draft: list[str]) -> list[str]:
    """``draft``'s paragraphs with LAWYER_EDITS made: what accepting every formgen change of the
    merge must give."""
    out = []
    for text in draft:
        for key in ("delete", "rewrite"):
            prefix, old, *new = LAWYER_EDITS[key]
            if text.startswith(prefix):
                assert old in text
                text = text.replace(old, "".join(new))
        out.append(text)
        if text.startswith(LAWYER_EDITS["insert_after"][0]):
            out.append(LAWYER_EDITS["insert_after"][1])
    return out


def page_breaks_as_written(texts: list[str]) -> list[str]:
    """LibreOffice saves a paragraph's page-break-before as a page break run (read as a line break)."""
    return [t.replace("\n", "") for t in texts]


@pytest.mark.skipif(system_python_with_uno() is None, reason="LibreOffice's Python-UNO bridge not installed")
def test_a_review_saved_by_libreoffice_merges_after_a_renumbering(tmp_path):
    """The CA MSA reviewed in LibreOffice (a tracked deletion, a rewritten phrase in a paragraph with
    a cross-reference, a new section; a comment; saved by LibreOffice as .docx), then a service
    removed from the deal (Section 4.4 and Article 10 go, every later article is renumbered), then
    `regenerate --pdf`: no conflict, the lawyer's text intact under formgen's tracked changes, Accept
    All gives the new draft with the lawyer's edits (no paragraph empty, joined or doubled),
    bookmarks unique, changes.md's counts those of the file, and msa.pdf shows the lawyer's edits."""
    deal = tmp_path / "glow.yaml"
    shutil.copy(EXAMPLES / "ca_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    msa = out / "msa.docx"
    in_libreoffice(tmp_path, "edit", str(msa), json.dumps(LAWYER_EDITS))
    document = docx.Document(str(msa))
    document.add_comment(paragraph(document, "Engagement.").runs, text=LAWYER_COMMENT, author="Counsel")
    document.save(str(msa))
    profile = f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}"
    saved = convert_with_libreoffice(soffice(), profile, msa, tmp_path / "lo", "docx:MS Word 2007 XML")
    shutil.copy(saved, msa)  # the file as LibreOffice last wrote it
    lawyer = msa.read_bytes()
    deal.write_text(deal.read_text().replace(*WITHOUT_MARKETING))

    proc = run_cli("regenerate", str(out), "--pdf")

    assert proc.returncode == 0, proc.stderr
    merged = msa.read_bytes()
    report = json.loads((out / "changes.json").read_text())["documents"]["msa"]["merge"]
    assert report["conflicts"] == []
    assert paragraphs_text(merged, "reject") == paragraphs_text(lawyer, "reject")
    accepted = page_breaks_as_written(paragraphs_text(merged, "accept"))
    new_draft = paragraphs_text((out / ".formgen" / "base" / "msa.docx").read_bytes())
    # the merged file keeps the lawyer's cross-reference results (Word and LibreOffice refresh them);
    # every other character is the new draft's, with the lawyer's edits
    refs = re.compile(r"\b(Article|Section)\u00a0\d+(\.\d+)?")
    expected = as_the_lawyer_edited(new_draft)
    # the TOC's first entry holds the TOC field's instruction: its result (with the page number) is
    # what Word refreshes, so it stays as the lawyer's copy has it; the other entries are merged
    first_entry = next(k for k, t in enumerate(expected) if t.startswith("Article\u00a01\t"))
    expected[first_entry] = re.sub(r"\t\d+$", "", expected[first_entry])
    assert [refs.sub("REF", t) for t in accepted] == [refs.sub("REF", t) for t in expected]
    assert not any(t.startswith("Marketing and Advertising") for t in accepted)
    root = document_xml(merged)
    names = [b.get(f"{{{W}}}name") for b in root.iter(f"{{{W}}}bookmarkStart")]
    ids = [b.get(f"{{{W}}}id") for b in root.iter(f"{{{W}}}bookmarkStart")]
    assert len(set(names)) == len(names) and len(set(ids)) == len(ids)
    carrying = sum(
        1
        for p in root.iter(f"{{{W}}}p")
        if any(e.get(f"{{{W}}}author") == "formgen" for e in p.iter(f"{{{W}}}ins", f"{{{W}}}del"))
    )
    changes = (out / "changes.md").read_text()
    assert f"{carrying} paragraphs with formgen's tracked changes" in changes and "0 conflicts" in changes
    assert f"kept your comment: “{LAWYER_COMMENT}”" in changes
    assert f"kept your edit: “(inserted) {LAWYER_EDITS['insert_after'][1][:60]}" in changes
    pdf_text = " ".join(" ".join(page_texts_of(out / "msa.pdf")).split())
    assert "continues for a period of five" in pdf_text and "Renewal Notice. MSO shall remind Practice" in pdf_text


def page_texts_of(pdf: Path) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]


@pytest.mark.skipif(system_python_with_uno() is None, reason="LibreOffice's Python-UNO bridge not installed")
def test_libreoffice_accept_all_on_the_redline_gives_the_new_draft(tmp_path):
    """Edit > Track Changes > Accept All, done by LibreOffice on the redline of a change that removes
    an article and renumbers the rest, leaves exactly the new msa.docx's text (after the redline's
    own legend); formgen's reading of the same acceptance agrees."""
    deal = tmp_path / "glow.yaml"
    shutil.copy(EXAMPLES / "ca_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    deal.write_text(deal.read_text().replace(*WITHOUT_MARKETING))
    formgen.regenerate(out)
    redline = out / "redlines" / "msa.redline.docx"

    in_libreoffice(tmp_path, "accept", str(redline), str(tmp_path / "accepted.docx"))

    new_draft = paragraphs_text((out / "msa.docx").read_bytes())
    accepted = page_breaks_as_written(paragraphs_text((tmp_path / "accepted.docx").read_bytes()))
    assert accepted[0].startswith("Redline: msa.docx as regenerated")
    assert accepted[1:] == new_draft
    assert paragraphs_text(redline.read_bytes(), "accept")[1:] == new_draft
    assert any(t.startswith("Article\u00a010\tInsurance") for t in new_draft)  # it did renumber
