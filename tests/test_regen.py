"""formgen regenerate on real packets: only changed documents rewritten, reasons, redlines,
change summaries, hand edits never lost (no mocks: real deal files, real .docx, the real CLI)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from lxml import etree

import formgen
from conftest import EXAMPLES, convert_with_libreoffice, run_cli
from formgen.word.ooxml import read_package
from formgen.word.redline import default_author, paragraphs_text
from formgen.folder.regen import HandEditError
from formgen.word.wordml import W
from formgen.errors import ToolMissingError
from formgen.settings import Settings, using

pytestmark = pytest.mark.slow  # slow tier: whole regenerate workflows

NS = {"w": W}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """relative path -> (bytes, mtime_ns, inode) of every file in the folder."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            st = path.stat()
            out[path.relative_to(folder).as_posix()] = (path.read_bytes(), st.st_mtime_ns, st.st_ino)
    return out


def set_fee(deal: Path, old: str = "monthly_amount: 42000", new: str = "monthly_amount: 45000") -> None:
    text = deal.read_text(encoding="utf-8")
    assert old in text
    deal.write_text(text.replace(old, new), encoding="utf-8")


def hand_edit(path: Path, text: str = "Added by counsel in Word.") -> bytes:
    document = docx.Document(str(path))
    document.add_paragraph(text)
    document.save(str(path))
    return path.read_bytes()


def revision_texts(redline: bytes, tag: str) -> list[str]:
    root = etree.fromstring(read_package(redline)["word/document.xml"])
    return ["".join(e.itertext()) for e in root.iter(f"{{{W}}}{tag}") if "".join(e.itertext()).strip()]


def exhibit_b(paragraphs: list[str]) -> list[str]:
    start = paragraphs.index("EXHIBIT B")
    end = paragraphs.index("EXHIBIT C")
    return paragraphs[start:end]


@pytest.fixture
def ny(tmp_path) -> tuple[Path, Path]:
    """A fresh New York packet: (its deal file, its folder)."""
    deal = tmp_path / "hudson.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    return deal, out


def test_manifest_records_what_regeneration_needs(ny):
    _, out = ny
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["deal"]["path"] == "../hudson.yaml"
    assert manifest["state"]["files"].keys() == {"_default.yaml", "NY.yaml"}
    assert set(manifest["inputs"]) >= {
        "deal_sha256",
        "state_files",
        "library_sha256",
        "templates_sha256",
        "formgen_code_sha256",
        "formgen_version",
    }
    msa = manifest["documents"]["msa"]
    assert msa["clauses"] and all("@" in ref for ref in msa["clauses"])
    assert set(msa["clause_sha256"]) == {ref.rpartition("@")[0] for ref in msa["clauses"]}
    assert len(msa["inputs_sha256"]) == 64
    assert msa["sha256"] == hashlib.sha256((out / "msa.docx").read_bytes()).hexdigest()


def test_fee_change_rebuilds_the_msa_and_nothing_else(ny):
    deal, out = ny
    before = snapshot(out)
    set_fee(deal)

    result = formgen.regenerate(out)

    assert result.status == "regenerated"
    status = {d.file: d.status for d in result.documents}
    assert status["msa.docx"] == "rebuilt"
    assert [f for f, s in status.items() if s != "unchanged"] == ["msa.docx"]
    after = snapshot(out)
    for name in (
        "baa.docx",
        "compliance_memo.docx",
        "formation_checklist.docx",
        "mso_operating_agreement.docx",
        "practice_bylaws.docx",
        "responsibility_schedule.docx",
        "compliance.json",
    ):
        assert after[name][:2] == before[name][:2], f"{name} must keep its bytes and mtime"
    old_msa, new_msa = before["msa.docx"][0], after["msa.docx"][0]
    assert new_msa != old_msa
    old_b, new_b = exhibit_b(paragraphs_text(old_msa)), exhibit_b(paragraphs_text(new_msa))
    assert any("$42,000.00" in p for p in old_b) and not any("42,000" in p for p in new_b)
    assert any("$45,000.00" in p for p in new_b), "Exhibit B shows the new fee"
    fee_reason = next(d for d in result.documents if d.file == "msa.docx").reasons
    assert any("fees.monthly_amount 42000 → 45000" in r for r in fee_reason)

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["deal"]["validated"]["fees"]["monthly_amount"] == "45000"
    assert manifest["outputs"]["msa.docx"] == hashlib.sha256(new_msa).hexdigest()


def test_redline_deletes_the_old_fee_and_inserts_the_new(ny):
    deal, out = ny
    old_msa = (out / "msa.docx").read_bytes()
    set_fee(deal)
    formgen.regenerate(out)

    redline = (out / "redlines" / "msa.redline.docx").read_bytes()
    deleted, inserted = revision_texts(redline, "del"), revision_texts(redline, "ins")
    assert any("42,000" in t for t in deleted) and not any("45,000" in t for t in deleted)
    assert any("45,000" in t for t in inserted) and not any("42,000" in t for t in inserted)
    root = etree.fromstring(read_package(redline)["word/document.xml"])
    authors = {e.get(f"{{{W}}}author") for e in root.iter(f"{{{W}}}ins", f"{{{W}}}del")}
    assert authors == {default_author()}
    # the first paragraph is the redline's legend (what was compared with what), not a revision
    legend, *accepted = paragraphs_text(redline, "accept")
    assert legend.startswith("Redline: msa.docx as regenerated from")
    assert accepted == paragraphs_text((out / "msa.docx").read_bytes())
    assert paragraphs_text(redline, "reject")[1:] == paragraphs_text(old_msa)
    assert sorted(p.name for p in (out / "redlines").iterdir()) == ["msa.redline.docx"]


def test_redline_dates_honour_source_date_epoch(tmp_path):
    deal = tmp_path / "d.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    env = {"SOURCE_DATE_EPOCH": "1767225600"}  # 2026-01-01T00:00:00Z
    import os

    env = {**os.environ, **env}
    assert run_cli("generate", str(deal), "-o", str(tmp_path / "out"), env=env).returncode == 0
    set_fee(deal)
    proc = run_cli("regenerate", str(tmp_path / "out"), env=env)
    assert proc.returncode == 0, proc.stderr
    root = etree.fromstring(
        read_package((tmp_path / "out/redlines/msa.redline.docx").read_bytes())["word/document.xml"]
    )
    dates = {e.get(f"{{{W}}}date") for e in root.iter(f"{{{W}}}ins", f"{{{W}}}del")}
    assert dates == {"2026-01-01T00:00:00Z"}


def test_changes_json_and_md_name_the_fee(ny):
    deal, out = ny
    set_fee(deal)
    formgen.regenerate(out)
    changes = json.loads((out / "changes.json").read_text())
    assert changes["sections"] == ["fees"]
    assert changes["fields"] == [{"path": "fees.monthly_amount", "old": "42000", "new": "45000"}]
    assert list(changes["documents"]) == ["msa"]
    msa = changes["documents"]["msa"]
    assert msa["status"] == "rebuilt" and msa["redline"] == "redlines/msa.redline.docx"
    assert msa["clauses"] == {"added": [], "removed": [], "changed": [], "text_changed": []}
    assert changes["findings"] == {"appeared": [], "went_away": []}
    assert "baa.docx" in changes["unchanged"]
    md = (out / "changes.md").read_text()
    assert "| `fees.monthly_amount` | 42000 | 45000 |" in md
    assert "msa.docx: rebuilt" in md


def test_noop_regenerate_writes_nothing(ny):
    _, out = ny
    before = snapshot(out)
    result = formgen.regenerate(out)
    assert result.status == "unchanged"
    assert all(d.status == "unchanged" for d in result.documents)
    assert snapshot(out) == before  # same files, bytes, mtimes and inodes: not even the manifest
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "nothing changed" in proc.stdout and "nothing was written" in proc.stdout
    assert snapshot(out) == before


def test_regenerating_twice_is_a_noop(ny):
    deal, out = ny
    set_fee(deal)
    assert formgen.regenerate(out).status == "regenerated"
    before = snapshot(out)
    assert formgen.regenerate(out).status == "unchanged"
    assert snapshot(out) == before
    assert (out / "changes.md").exists() and (out / "redlines/msa.redline.docx").exists()


def test_fee_basis_change_reports_clauses_and_findings(ny):
    deal, out = ny
    set_fee(
        deal, "basis: fixed_monthly\n  monthly_amount: 42000", "basis: percentage_of_revenue\n  percent_of_revenue: 20"
    )
    result = formgen.regenerate(out)
    changes = result.changes
    assert {c["path"] for c in changes["fields"]} == {"fees.basis", "fees.monthly_amount", "fees.percent_of_revenue"}
    msa = changes["documents"]["msa"]["clauses"]
    assert any(ref.startswith("msa.fee.fmv_replacement@") for ref in msa["added"])
    assert any(ref.startswith("msa.fee.fixed_monthly@") for ref in msa["removed"])
    appeared = changes["findings"]["appeared"]
    assert any(f["rule"] == "fee.percentage_of_revenue" and f["severity"] == "error" for f in appeared)
    assert changes["documents"]["compliance.json"]["status"] == "rebuilt"
    assert "fee.percentage_of_revenue" in (out / "changes.md").read_text()
    # and back: the finding goes away
    set_fee(
        deal, "basis: percentage_of_revenue\n  percent_of_revenue: 20", "basis: fixed_monthly\n  monthly_amount: 42000"
    )
    back = formgen.regenerate(out).changes
    assert any(f["rule"] == "fee.percentage_of_revenue" for f in back["findings"]["went_away"])


def test_entity_form_change_swaps_the_governing_document(ny):
    deal, out = ny
    set_fee(
        deal,
        "name: Hudson Medical Aesthetics, P.C.\n  entity_type: pc",
        "name: Hudson Medical Aesthetics, PLLC\n  entity_type: pllc",
    )
    result = formgen.regenerate(out)
    status = {d.file: d.status for d in result.documents}
    assert status["practice_bylaws.docx"] == "removed"
    assert status["practice_operating_agreement.docx"] == "added"
    assert not (out / "practice_bylaws.docx").exists()
    assert (out / "practice_operating_agreement.docx").exists()
    assert json.loads((out / "manifest.json").read_text())["documents"].keys() >= {"practice_operating_agreement"}


def test_new_deal_file_is_recorded(ny, tmp_path):
    deal, out = ny
    other = tmp_path / "elsewhere" / "hudson_v2.yaml"
    other.parent.mkdir()
    other.write_text(deal.read_text().replace("initial_years: 3", "initial_years: 4"))
    proc = run_cli("regenerate", str(out), "--deal", str(other))
    assert proc.returncode == 0, proc.stderr
    assert "term.initial_years 3 → 4" in proc.stdout
    assert json.loads((out / "manifest.json").read_text())["deal"]["path"] == "../elsewhere/hudson_v2.yaml"
    assert json.loads((out / "changes.json").read_text())["deal"]["previous_path"] == "../hudson.yaml"


def test_no_merge_refuses_a_hand_edited_document_without_force(ny):
    deal, out = ny
    edited = hand_edit(out / "msa.docx")
    set_fee(deal)
    before = snapshot(out)

    with pytest.raises(HandEditError) as info:
        formgen.regenerate(out, merge=False)
    assert info.value.files == ["msa.docx"]
    proc = run_cli("regenerate", str(out), "--no-merge")
    assert proc.returncode == 1
    assert "msa.docx" in proc.stderr and "--force" in proc.stderr and "nothing was written" in proc.stderr
    assert snapshot(out) == before

    proc = run_cli("regenerate", str(out), "--force", "--no-merge")
    assert proc.returncode == 0, proc.stderr
    copy = out / f"msa.edited-{hashlib.sha256(edited).hexdigest()[:8]}.docx"
    assert copy.read_bytes() == edited, "the edited file is kept beside the new one"
    assert "msa.docx: rebuilt" in proc.stdout and copy.name in proc.stdout
    new_text = "\n".join(paragraphs_text((out / "msa.docx").read_bytes()))
    assert "$45,000.00" in new_text and "Added by counsel in Word." not in new_text
    # the redline shows the new version against the edited copy: the counsel's paragraph is deleted
    deleted = revision_texts((out / "redlines/msa.redline.docx").read_bytes(), "del")
    assert any("Added by counsel" in t for t in deleted) and any("42,000" in t for t in deleted)
    again = formgen.regenerate(out)
    from formgen.folder.regen import report_lines

    assert again.status == "unchanged", "\n".join(report_lines(again))  # consistent again; the copy stays
    assert copy.exists()


def test_hand_edit_formgen_would_not_change_is_left_alone(ny):
    deal, out = ny
    edited = hand_edit(out / "baa.docx")
    mtime = (out / "baa.docx").stat().st_mtime_ns
    set_fee(deal)
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "baa.docx: kept" in proc.stdout and "msa.docx: rebuilt" in proc.stdout
    assert (out / "baa.docx").read_bytes() == edited and (out / "baa.docx").stat().st_mtime_ns == mtime
    # still recognised as edited next time: formgen's hash is what the manifest keeps
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["outputs"]["baa.docx"] != hashlib.sha256(edited).hexdigest()


def test_missing_document_is_restored(ny):
    _, out = ny
    original = (out / "baa.docx").read_bytes()
    (out / "baa.docx").unlink()
    result = formgen.regenerate(out)
    assert result.status == "regenerated"
    assert (out / "baa.docx").read_bytes() == original
    assert any("missing" in r for r in next(d for d in result.documents if d.file == "baa.docx").reasons)


def test_regenerate_pdf_without_libreoffice_writes_the_docx_then_says_so(ny, tmp_path):
    deal, out = ny
    set_fee(deal)
    with using(Settings(soffice=str(tmp_path / "no-such-soffice"))):
        with pytest.raises(ToolMissingError, match="The .docx files were written; no PDF was made"):
            formgen.regenerate(out, pdf=True)
    assert "45,000" in "\n".join(paragraphs_text((out / "msa.docx").read_bytes()))
    assert not list(out.glob("*.pdf"))


def test_other_files_in_the_folder_survive(ny):
    deal, out = ny
    (out / "notes.txt").write_text("call the client")
    (out / "pdf").mkdir()
    (out / "pdf" / "msa.pdf").write_bytes(b"%PDF-1.4 stand-in")
    set_fee(deal)
    formgen.regenerate(out)
    assert (out / "notes.txt").read_text() == "call the client"
    assert (out / "pdf" / "msa.pdf").read_bytes() == b"%PDF-1.4 stand-in"


def test_bad_new_deal_writes_nothing(ny):
    deal, out = ny
    before = snapshot(out)
    set_fee(deal, "monthly_amount: 42000", "monthly_amount: -5")
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 1
    assert "fees.monthly_amount" in proc.stderr
    assert snapshot(out) == before


def test_regenerate_needs_a_packet(tmp_path):
    proc = run_cli("regenerate", str(tmp_path))
    assert proc.returncode == 1
    assert "manifest.json" in proc.stderr and "formgen generate" in proc.stderr
    proc = run_cli("regenerate", str(tmp_path / "nope"))
    assert proc.returncode == 1 and "does not exist" in proc.stderr


def test_regenerate_help_has_an_example():
    proc = run_cli("regenerate", "--help")
    assert proc.returncode == 0
    assert "Example: formgen regenerate" in proc.stdout and "--force" in proc.stdout and "--deal" in proc.stdout


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler is not installed")
def test_libreoffice_shows_the_redline(ny, tmp_path, libreoffice, libreoffice_profile):
    import pypdf

    deal, out = ny
    set_fee(deal)
    formgen.regenerate(out)
    pdf = convert_with_libreoffice(
        libreoffice, libreoffice_profile, out / "redlines/msa.redline.docx", tmp_path / "pdf"
    )
    text = "".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)
    # LibreOffice prints tracked changes as shown: the deleted fee struck through beside the new one
    assert "42,000.00" in text and "45,000.00" in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert list(tmp_path.glob("page*.png"))


def test_a_killed_regeneration_leaves_the_old_packet_or_the_new_one(ny):
    """SIGKILL at various moments: the folder always matches its own manifest, never a mix."""
    import signal
    import sys
    import time

    deal, out = ny
    old_manifest = (out / "manifest.json").read_bytes()
    amount = 42000
    for delay in (0.4, 0.7, 0.9, 1.1, 1.3, 1.6, 2.0):
        text = deal.read_text()
        deal.write_text(text.replace(f"monthly_amount: {amount}", f"monthly_amount: {amount + 1000}"))
        amount += 1000
        proc = subprocess.Popen(
            [sys.executable, "-m", "formgen.cli.app", "regenerate", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        manifest = json.loads((out / "manifest.json").read_text())
        for name, digest in manifest["outputs"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, (delay, name)
        recorded = manifest["deal"]["validated"]["fees"]["monthly_amount"]
        assert recorded in {str(a) for a in range(42000, amount + 1, 1000)}
    # whatever state it was left in, a normal run finishes the job
    assert formgen.regenerate(out).status in ("regenerated", "unchanged")
    assert json.loads((out / "manifest.json").read_text())["deal"]["validated"]["fees"]["monthly_amount"] == str(amount)
    assert (out / "manifest.json").read_bytes() != old_manifest


def test_a_moved_deal_file_is_named_with_the_fix(ny, tmp_path):
    deal, out = ny
    deal.rename(tmp_path / "moved.yaml")
    proc = run_cli("regenerate", str(out))
    assert proc.returncode == 1
    assert "hudson.yaml" in proc.stderr and "--deal" in proc.stderr
    proc = run_cli("regenerate", str(out), "--deal", str(tmp_path / "moved.yaml"))
    assert proc.returncode == 0, proc.stderr
    assert "only manifest.json was updated (deal file ../hudson.yaml → ../moved.yaml)" in proc.stdout


def test_classify_decides_from_three_hashes():
    """The pure step: recorded, newly built and on-disk hashes decide each file's fate."""
    from formgen.folder.regen_plan import classify

    old = {"a.docx": "A", "b.docx": "B", "c.docx": "C", "d.docx": "D", "e.docx": "E", "gone.docx": "G"}
    new = {"a.docx": "A", "b.docx": "B2", "c.docx": "C2", "d.docx": "D", "e.docx": "E2", "f.docx": "F"}
    disk = {
        "a.docx": "A",
        "b.docx": "B",
        "c.docx": "C-edited",
        "d.docx": "D-edited",
        "e.docx": "E-signed",
        "gone.docx": "G",
    }
    plan = classify(old, new, disk, force=False, mergeable={"c.docx", "d.docx"}, executed={"e.docx"})
    assert plan.to_write == ["b.docx", "c.docx", "f.docx"]  # changed, merged, new
    assert plan.merge == ["c.docx"] and plan.conflicts == []
    assert plan.kept_edits == ["d.docx"]  # edited, formgen's version unchanged: left alone
    assert plan.removed == ["gone.docx"] and plan.amend == ["e.docx"]
    unmergeable = classify(old, new, disk, force=False, mergeable=set(), executed=set())
    assert unmergeable.conflicts == ["c.docx", "e.docx"] and unmergeable.merge == []
    forced = classify(old, new, disk, force=True, mergeable=set(), executed=set())
    assert "d.docx" in forced.to_write and "d.docx" in forced.conflicts
