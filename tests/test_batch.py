"""formgen batch on real portfolios: built, skipped, regenerated and failed deals, one state's
rule change rebuilding only that state's deals (in a temporary copy of the repository)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import formgen
from conftest import EXAMPLES, ROOT, docx_text, run_cli

pytestmark = pytest.mark.slow  # slow tier: batches of packets, in parallel processes

BROKEN = "deal: {name: Broken Clinic, state: CA}\nmso: {name: 7}\n"


def portfolio(folder: Path, *stems: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        shutil.copy(EXAMPLES / f"{stem}.yaml", folder / f"{stem}.yaml")
    return folder


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def by_name(report: dict) -> dict[str, dict]:
    return {d["name"]: d for d in report["deals"]}


def test_a_broken_deal_fails_and_the_others_build(tmp_path):
    deals = portfolio(tmp_path / "deals", "ca_medspa", "ny_medspa", "tx_medspa")
    (deals / "broken.yaml").write_text(BROKEN)
    (deals / "README.txt").write_text("not a deal")
    out = tmp_path / "out"

    proc = run_cli("batch", str(deals), "-o", str(out))

    assert proc.returncode == 1, proc.stdout + proc.stderr
    for stem in ("ca_medspa", "ny_medspa", "tx_medspa"):
        assert (out / stem / "manifest.json").is_file()
        assert (out / stem / "msa.docx").stat().st_size > 5000
    assert not (out / "broken").exists()
    lines = proc.stdout.splitlines()
    assert any(line.split()[:2] == ["broken", "failed"] for line in lines)
    assert any(line.split()[:2] == ["ny_medspa", "built"] for line in lines)
    assert "3 built" in proc.stdout and "1 failed" in proc.stdout
    assert "broken.yaml" in proc.stdout and "mso.name" in proc.stdout  # the failure says what is wrong
    assert "packets" not in proc.stderr  # no progress bar when stderr is not a terminal


def test_unchanged_deals_are_skipped_and_a_changed_one_regenerated(tmp_path):
    deals = portfolio(tmp_path / "deals", "ca_medspa", "ny_medspa", "oh_medspa")
    out = tmp_path / "out"
    first = formgen.batch(deals, out, jobs=2)
    assert [r.status for r in first.results] == ["built"] * 3
    before = mtimes(out)

    proc = run_cli("batch", str(deals), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["counts"] == {"built": 0, "regenerated": 0, "unchanged": 0, "skipped": 3, "failed": 0}
    assert mtimes(out) == before

    ny = deals / "ny_medspa.yaml"
    ny.write_text(ny.read_text().replace("monthly_amount: 42000", "monthly_amount: 45000"))
    proc = run_cli("batch", str(deals), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    report = by_name(json.loads(proc.stdout))
    assert report["ny_medspa"]["status"] == "regenerated"
    assert report["ny_medspa"]["documents"] == ["msa.docx"]
    assert report["ca_medspa"]["status"] == report["oh_medspa"]["status"] == "skipped"
    assert (out / "ny_medspa" / "redlines" / "msa.redline.docx").is_file()
    assert json.loads((out / "ny_medspa" / "changes.json").read_text())["sections"] == ["fees"]
    after = mtimes(out)
    assert {k: v for k, v in after.items() if not k.startswith("ny_medspa/")} == {
        k: v for k, v in before.items() if not k.startswith("ny_medspa/")
    }


def test_progress_callback_and_summary(tmp_path):
    from formgen.cli.batchview import summary_table

    deals = portfolio(tmp_path / "deals", "fl_medspa")
    (deals / "broken.json").write_text("{not json")
    seen = []
    result = formgen.batch(
        deals, tmp_path / "out", jobs=1, on_progress=lambda done, total, r: seen.append((done, total, r.name))
    )
    assert sorted(seen) == [(1, 2, "broken"), (2, 2, "fl_medspa")] or [s[:2] for s in seen] == [(1, 2), (2, 2)]
    assert {r.name: r.status for r in result.results} == {"broken": "failed", "fl_medspa": "built"}
    table = summary_table(result)
    assert "1 built" in table and "1 failed" in table and "broken.json" in table


def test_deal_files_that_share_a_name_both_fail(tmp_path):
    deals = portfolio(tmp_path / "deals", "ca_medspa")
    shutil.copy(deals / "ca_medspa.yaml", deals / "ca_medspa.yml")
    result = formgen.batch(deals, tmp_path / "out", jobs=1)
    assert [r.status for r in result.results] == ["failed", "failed"]
    assert "rename one" in result.results[0].detail
    assert not (tmp_path / "out" / "ca_medspa").exists()


def test_a_folder_that_is_not_a_packet_is_not_replaced(tmp_path):
    deals = portfolio(tmp_path / "deals", "ca_medspa")
    (tmp_path / "out" / "ca_medspa").mkdir(parents=True)
    (tmp_path / "out" / "ca_medspa" / "mine.txt").write_text("keep me")
    result = formgen.batch(deals, tmp_path / "out", jobs=1)
    assert result.results[0].status == "failed" and "not a formgen packet" in result.results[0].detail
    assert (tmp_path / "out" / "ca_medspa" / "mine.txt").read_text() == "keep me"


def test_hand_edits_are_merged_or_fail_that_deal_unless_forced(tmp_path):
    import docx

    deals = portfolio(tmp_path / "deals", "ny_medspa", "ca_medspa")
    out = tmp_path / "out"
    formgen.batch(deals, out, jobs=1)
    msa = out / "ny_medspa" / "msa.docx"
    document = docx.Document(str(msa))
    document.add_paragraph("Counsel's edit.")
    document.save(str(msa))
    ny = deals / "ny_medspa.yaml"
    ny.write_text(ny.read_text().replace("monthly_amount: 42000", "monthly_amount: 45000"))
    proc = run_cli("batch", str(deals), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stdout
    assert by_name(json.loads(proc.stdout))["ny_medspa"]["status"] == "regenerated"
    assert "Counsel's edit." in docx_text(msa) and "$45,000.00" in docx_text(msa), "merged: edit kept, new fee tracked"
    # without formgen's base the edited file cannot be merged: the deal fails unless forced
    (out / "ny_medspa" / ".formgen" / "base" / "msa.docx").unlink()
    ny.write_text(ny.read_text().replace("monthly_amount: 45000", "monthly_amount: 46000"))
    proc = run_cli("batch", str(deals), "-o", str(out))
    assert proc.returncode == 1
    assert "msa.docx" in proc.stdout and "--force" in proc.stdout
    proc = run_cli("batch", str(deals), "-o", str(out), "--force", "--json")
    assert proc.returncode == 0, proc.stdout
    assert by_name(json.loads(proc.stdout))["ny_medspa"]["status"] == "regenerated"
    assert list((out / "ny_medspa").glob("msa.edited-*.docx"))


def test_batch_help_has_an_example():
    proc = run_cli("batch", "--help")
    assert proc.returncode == 0
    assert "Example: formgen batch" in proc.stdout and "--json" in proc.stdout and "--jobs" in proc.stdout


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    """The code, clause library, templates and state rules, copied: a state file can be edited safely."""
    repo = tmp_path / "repo"
    for name in ("formgen", "clauses", "templates", "state_overrides"):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    return repo


def test_a_state_rule_change_rebuilds_only_that_states_deals(tmp_path, repo_copy, subprocess_cli):
    deals = portfolio(tmp_path / "deals", "ca_medspa", "ny_medspa", "tx_medspa")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(repo_copy)}

    def batch() -> dict:
        # A separate process: PYTHONPATH makes it import formgen, and its state rules, from the copy.
        proc = subprocess_cli("batch", str(deals), "-o", str(out), "--json", cwd=repo_copy, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return json.loads(proc.stdout)

    assert batch()["counts"]["built"] == 3
    manifest = json.loads((out / "tx_medspa" / "manifest.json").read_text())
    assert manifest["deal"]["path"] == "../../deals/tx_medspa.yaml"
    tx = repo_copy / "state_overrides" / "TX.yaml"
    text = tx.read_text()
    assert "\nsummary: >-\n" in text
    tx.write_text(text.replace("\nsummary: >-\n", "\nsummary: >-\n  Revised by the portfolio test.\n", 1))
    before = mtimes(out)

    report = batch()

    deals_by = by_name(report)
    assert deals_by["tx_medspa"]["status"] == "regenerated"
    assert deals_by["ca_medspa"]["status"] == deals_by["ny_medspa"]["status"] == "skipped"
    assert deals_by["tx_medspa"]["documents"] == ["compliance_memo.docx"]  # the memo prints the state summary
    changes = json.loads((out / "tx_medspa" / "changes.json").read_text())
    assert changes["rules"]["changed"] == ["TX.yaml"]
    assert changes["fields"] == []
    assert any("state rules changed: TX.yaml" in r for r in changes["documents"]["compliance_memo"]["reasons"])
    assert (out / "tx_medspa" / "redlines" / "compliance_memo.redline.docx").is_file()
    after = mtimes(out)
    assert {k: v for k, v in after.items() if not k.startswith("tx_medspa/")} == {
        k: v for k, v in before.items() if not k.startswith("tx_medspa/")
    }
    assert after["tx_medspa/msa.docx"] == before["tx_medspa/msa.docx"]
