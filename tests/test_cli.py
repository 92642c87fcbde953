"""The command line as a user meets it: exit codes, JSON output, help with examples."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EXAMPLES, run_cli


def test_scan_reports_a_kept_percentage_fee_as_a_warning_in_ohio(tmp_path):
    import formgen

    formgen.generate(EXAMPLES / "oh_medspa.yaml", tmp_path / "oh", policy="permissive")  # keeps the 12% fee
    msa = tmp_path / "oh" / "msa.docx"
    result = run_cli("scan", str(msa), "--state", "OH", "--json")
    assert result.returncode == 0, result.stderr  # exit 3 only for an error finding
    report = json.loads(result.stdout)
    assert report["file"] == str(msa) and report["format"] == 1
    hit = report["findings"][0]
    assert hit["severity"] == "warning"  # Ohio law on percentage fees is unsettled: a warning
    assert "12%" in hit["quote"] and hit["category"] == "fee_percentage"
    assert {"rule", "quote", "section", "severity", "citation"} <= set(hit)


def test_scan_is_clean_on_the_california_msa(packets):
    result = run_cli("scan", str(packets["ca_medspa"] / "msa.docx"), "--state", "CA")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 findings" in result.stdout


def test_scan_txt_with_a_strict_state_cites_its_law(tmp_path):
    text = tmp_path / "draft.txt"
    text.write_text(
        "Practice shall pay MSO a management fee equal to fifteen percent (15%) of its gross collections.\n"
        "Late payments bear interest at 1.5% per month.\n"
    )
    result = run_cli("scan", str(text), "--state", "IL", "--json")
    assert result.returncode == 3
    entry = json.loads(result.stdout)
    assert len(entry["findings"]) == 1
    assert entry["findings"][0]["severity"] == "error"  # Illinois prohibits the percentage fee outright
    assert "ILCS" in entry["findings"][0]["citation"]


def test_scan_rejects_other_files_and_a_broken_pdf_clearly(tmp_path):
    bad = tmp_path / "x.rtf"
    bad.write_bytes(b"{\\rtf1 fee}")
    result = run_cli("scan", str(bad))
    assert result.returncode == 1
    assert "allowed: .docx, .pdf, .txt" in result.stderr and "Traceback" not in result.stderr
    broken = tmp_path / "x.pdf"
    broken.write_bytes(b"%PDF-1.4")
    result = run_cli("scan", str(broken))
    assert result.returncode == 1 and "not a readable PDF" in result.stderr and "Traceback" not in result.stderr


def test_states_one_jurisdiction_in_full():
    result = run_cli("states", "or")
    assert result.returncode == 0
    assert "Oregon (OR)" in result.stdout and "SB 951" in result.stdout and "UNVERIFIED" in result.stdout


def test_unknown_state_code_for_states():
    result = run_cli("states", "ZZ")
    assert result.returncode == 1 and "not a US state or DC" in result.stderr


def test_usage_error_exits_2():
    result = run_cli("generate")
    assert result.returncode == 2


def test_help_shows_examples():
    result = run_cli("--help")
    assert result.returncode == 0 and "formgen generate examples/ca_medspa.yaml -o out/glow" in result.stdout
    result = run_cli("generate", "--help")
    assert "Example:" in result.stdout


def test_lint_passes_on_the_shipped_library_and_fails_on_a_broken_one():
    assert run_cli("lint").returncode == 0
    result = run_cli("lint", "--clauses", "tests/fixtures/lint/front_matter")
    assert result.returncode == 1
    assert "version: Field required" in result.stderr and "is already used by" in result.stderr


# ---------------------------------------------------------------- conventions

import os
import subprocess
import sys

import pytest

from conftest import EXAMPLE_FILES, EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # slow tier: every command on real packets


def test_version_short_help_and_python_m():
    from formgen import __version__

    for args in (["--version"], ["-V"]):
        result = run_cli(*args)
        assert result.returncode == 0 and result.stdout.strip() == f"formgen {__version__}"
    result = subprocess.run([sys.executable, "-m", "formgen", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == f"formgen {__version__}"
    result = run_cli("generate", "-h")
    assert result.returncode == 0 and "--force" in result.stdout and "--json" in result.stdout


def test_shell_completion_is_offered():
    result = run_cli("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout
    result = subprocess.run(
        [sys.executable, "-m", "formgen", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        # typer otherwise asks shellingham for the parent shell (under CI: none) and
        # ignores the "bash" argument; this is typer's documented switch for tests
        env={**os.environ, "SHELL": "/bin/bash", "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert result.returncode == 0 and "complete" in result.stdout


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_validate_reports_exactly_what_generate_records(example, packets):
    import formgen

    _, _, findings = formgen.validate(example)
    recorded = json.loads((packets[example.stem] / "compliance.json").read_text())["findings"]
    assert [f.to_dict() for f in findings] == recorded


def test_validate_json_and_strict_agree_with_generate(tmp_path):
    ca = str(EXAMPLES / "ca_medspa.yaml")
    result = run_cli("validate", ca, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    generated = run_cli("generate", ca, "-o", str(tmp_path / "ca"), "--json")
    assert report["counts"] == json.loads(generated.stdout)["counts"]  # the same findings as generate records
    errors = report["counts"]["error"]
    assert report["format"] == 1 and report["state"] == "CA" and errors >= 1
    assert report["summary"].startswith(f"{errors} error{'s' if errors > 1 else ''}: generate will replace or remove")
    assert {f["rule"] for f in report["findings"]} >= {"fee.percentage_of_revenue", "covenant.non_compete_provider"}
    assert run_cli("validate", ca, "--strict").returncode == 3
    result = run_cli("generate", ca, "-o", str(tmp_path / "out"), "--strict")
    assert result.returncode == 3 and not (tmp_path / "out").exists()
    clean = next(
        p for p in EXAMPLE_FILES if json.loads(run_cli("validate", str(p), "--json").stdout)["counts"]["error"] == 0
    )
    assert run_cli("validate", str(clean), "--strict").returncode == 0
    assert run_cli("generate", str(clean), "-o", str(tmp_path / "clean"), "--strict").returncode == 0


def test_json_errors_are_json_too(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("deal: {name: X}\n")
    result = run_cli("validate", str(bad), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["error"]["exit_code"] == 1
    assert {"file", "line", "path", "message"} <= set(report["error"]["problems"][0])


def test_generate_explain_and_regenerate_json(tmp_path):
    deal = tmp_path / "glow.yaml"
    deal.write_text((EXAMPLES / "ca_medspa.yaml").read_text())
    out = tmp_path / "out"
    result = run_cli("generate", str(deal), "-o", str(out), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"][0].endswith(".docx") and report["out"] == str(out) and report["kept"] == []
    result = run_cli("explain", str(deal), "--json")
    docs = json.loads(result.stdout)["documents"]
    fee = next(c for d in docs for c in d["clauses"] if c["id"] == "msa.fee.fmv_replacement")
    assert fee["included"] and "replaces msa.fee.percentage_of_revenue" in fee["reason"]
    assert any(c["citations"] for d in docs for c in d["clauses"] if c["included"])
    deal.write_text(deal.read_text().replace("name: Glow Aesthetics", "name: Glow | Aesthetics"))
    result = run_cli("regenerate", str(out), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "regenerated" and report["format"] == 1
    table = (out / "changes.md").read_text()
    assert "| `deal.name` | Glow Aesthetics | Glow \\| Aesthetics |" in table


def test_scan_accepts_a_folder_and_names_sections(tmp_path):
    import formgen

    folder = tmp_path / "oh"
    formgen.generate(EXAMPLES / "oh_medspa.yaml", folder, policy="permissive")  # keeps the 12% fee
    result = run_cli("scan", str(folder), "--state", "OH", "--json")
    assert result.returncode == 0  # Ohio: a warning, not an error
    report = {Path(r["file"]).name: r for r in json.loads(result.stdout)["reviews"]}
    assert "msa.docx" in report and "compliance.json" not in report
    name, hit = next((name, h) for name, r in report.items() for h in r["findings"] if h["section"])
    assert hit["section"].startswith("Section ")
    text = run_cli("scan", str(folder / name), "--state", "OH").stdout
    assert f"in {hit['section']}" in text


def test_init_writes_a_commented_starter_that_validates_and_never_overwrites(tmp_path):
    deal = tmp_path / "new.yaml"
    result = run_cli("init", str(deal))
    assert result.returncode == 0, result.stderr
    text = deal.read_text()
    assert text.startswith("# yaml-language-server: $schema=schema/deal.schema.json") and text.count("#") > 20
    assert run_cli("validate", str(deal)).returncode == 0
    deal.write_text("mine")
    result = run_cli("init", str(deal))
    assert result.returncode == 1 and "already exists" in result.stderr and deal.read_text() == "mine"


def test_batch_strict_exits_3_when_a_packet_has_error_findings(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    (deals / "ca.yaml").write_text((EXAMPLES / "ca_medspa.yaml").read_text())
    result = run_cli("batch", str(deals), "-o", str(tmp_path / "out"), "--strict", "-j", "1", "--json")
    assert result.returncode == 3, result.stdout + result.stderr
    assert json.loads(result.stdout)["with_error_findings"] == ["ca"]
    assert run_cli("batch", str(deals), "-o", str(tmp_path / "out"), "-j", "1").returncode == 0
