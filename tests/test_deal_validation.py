"""Bad deal files: one clear message per problem, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES, run_cli

CA = EXAMPLES / "ca_medspa.yaml"


def ca_data() -> dict:
    return yaml.safe_load(CA.read_text())


def write(tmp_path: Path, data, name="deal.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def assert_rejected(tmp_path: Path, deal: Path, *fragments: str) -> str:
    out = tmp_path / "out"
    result = run_cli("generate", str(deal), "-o", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists(), "nothing may be written for bad input"
    assert not list(tmp_path.glob(".out.*")), "no staging folder may be left behind"
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    return result.stderr


def test_malformed_yaml_names_file_and_line(tmp_path):
    deal = write(tmp_path, "deal:\n  name: Glow\n  state: [CA\nmso: {}\n")
    assert_rejected(tmp_path, deal, f"{deal}:", "is not valid YAML")


def test_unknown_state_names_field_and_allowed_values(tmp_path):
    data = ca_data()
    data["deal"]["state"] = "ZZ"
    err = assert_rejected(tmp_path, write(tmp_path, data), "deal.state", "'ZZ' is not a US state or DC",
                          "two-letter postal code")
    assert "deal.yaml:3: deal.state" in err  # the YAML line of deal.state


def test_ownership_summing_to_90(tmp_path):
    data = ca_data()
    data["mso"]["members"][1]["percent"] = 30
    assert_rejected(tmp_path, write(tmp_path, data), "mso.members", "sum to 90", "exactly 100")


def test_nurse_practitioner_owning_ca_medical_corporation_outright(tmp_path):
    data = ca_data()
    data["practice"]["owners"] = [{"name": "Jamie Park, NP", "percent": 100,
                                   "license": {"type": "NP", "state": "CA", "number": "NP12345"}}]
    data["practice"]["signatory"] = {"name": "Jamie Park, NP", "title": "President"}
    data["practice"]["medical_director"] = "Jamie Park, NP"
    err = assert_rejected(tmp_path, write(tmp_path, data), "practice.owners", "at least 51%",
                          "Corp. Code § 13401.5")
    assert "owners hold 0%" in err and "outnumber" in err


def test_every_problem_is_reported_once_each(tmp_path):
    data = ca_data()
    data["deal"]["effective_date"] = "2027-13-01"
    data["fees"]["monthly_amount"] = 5000
    del data["term"]
    data["services"].append("astrology")
    err = assert_rejected(tmp_path, write(tmp_path, data), "deal.effective_date", "term", "services[10]")
    assert err.count("\n- ") == 3


def test_fee_field_must_match_basis(tmp_path):
    data = ca_data()
    data["fees"]["monthly_amount"] = 25000
    assert_rejected(tmp_path, write(tmp_path, data), "fees.monthly_amount",
                    "only with basis 'fixed_monthly'")


def test_unknown_field_is_named(tmp_path):
    data = ca_data()
    data["mso"]["memebers"] = []
    assert_rejected(tmp_path, write(tmp_path, data), "mso.memebers", "not a known field")


def test_control_characters_are_rejected_with_a_reason(tmp_path):
    data = ca_data()
    data["practice"]["name"] = "Glow\x07 Medical Corporation"
    assert_rejected(tmp_path, write(tmp_path, data), "practice.name", "U+0007")


def test_json_deal_files_work(tmp_path):
    data = ca_data()
    deal = tmp_path / "deal.json"
    deal.write_text(json.dumps(data, default=str))
    result = run_cli("validate", str(deal))
    assert result.returncode == 0, result.stderr
    assert "California (CA): 3 errors: generate will replace or remove these terms" in result.stdout


def test_missing_file(tmp_path):
    result = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*_medspa.yaml")))
def test_examples_validate(example):
    result = run_cli("validate", str(EXAMPLES / example))
    assert result.returncode == 0, result.stderr
