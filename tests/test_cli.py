"""The command line as a user meets it: exit codes, JSON output, help with examples."""

from __future__ import annotations

import json

from conftest import EXAMPLES, run_cli


def test_scan_flags_kept_percentage_fee_and_exits_3(tmp_path):
    import formgen

    formgen.generate(EXAMPLES / "oh_medspa.yaml", tmp_path / "oh", policy="permissive")  # keeps the 12% fee
    msa = tmp_path / "oh" / "msa.docx"
    result = run_cli("scan", str(msa), "--state", "OH", "--json")
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert report[0]["file"] == str(msa)
    hit = report[0]["findings"][0]
    assert hit["severity"] == "warning"  # Ohio law on percentage fees is unsettled: a warning
    assert "12%" in hit["matched"]
    assert {"rule", "matched", "start", "end", "severity", "citation"} <= set(hit)


def test_scan_is_clean_on_the_california_msa(packets):
    result = run_cli("scan", str(packets["ca_medspa"] / "msa.docx"), "--state", "CA")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 finding(s)" in result.stdout


def test_scan_txt_with_a_strict_state_cites_its_law(tmp_path):
    text = tmp_path / "draft.txt"
    text.write_text("Practice shall pay MSO a management fee equal to fifteen percent (15%) of its gross collections.\n"
                    "Late payments bear interest at 1.5% per month.\n")
    result = run_cli("scan", str(text), "--state", "IL", "--json")
    assert result.returncode == 3
    [entry] = json.loads(result.stdout)
    assert len(entry["findings"]) == 1
    assert entry["findings"][0]["severity"] == "error"  # Illinois prohibits the percentage fee outright
    assert "ILCS" in entry["findings"][0]["citation"]


def test_scan_rejects_a_pdf_clearly(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.4")
    result = run_cli("scan", str(bad))
    assert result.returncode == 1
    assert "allowed: .docx, .txt" in result.stderr and "Traceback" not in result.stderr


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
