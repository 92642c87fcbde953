"""Bad deal files: one clear message per problem, exit 1, nothing written."""

from __future__ import annotations

import json
import re
import os
import shutil
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
    err = assert_rejected(
        tmp_path, write(tmp_path, data), "deal.state", "'ZZ' is not a US state or DC", "two-letter postal code"
    )
    assert "deal.yaml:3: deal.state" in err  # the YAML line of deal.state


def test_ownership_summing_to_90(tmp_path):
    data = ca_data()
    data["mso"]["members"][1]["percent"] = 30
    assert_rejected(tmp_path, write(tmp_path, data), "mso.members", "sum to 90", "exactly 100")


def test_nurse_practitioner_owning_ca_medical_corporation_outright(tmp_path):
    data = ca_data()
    data["practice"]["owners"] = [
        {"name": "Jamie Park, NP", "percent": 100, "license": {"type": "NP", "state": "CA", "number": "NP12345"}}
    ]
    data["practice"]["signatory"] = {"name": "Jamie Park, NP", "title": "President"}
    data["practice"]["medical_director"] = "Jamie Park, NP"
    err = assert_rejected(tmp_path, write(tmp_path, data), "practice.owners", "at least 51%", "Corp. Code § 13401.5")
    assert "owners hold 0%" in err and "outnumber" in err


def test_every_problem_is_reported_once_each(tmp_path):
    data = ca_data()
    data["deal"]["effective_date"] = "2027-13-01"
    data["fees"]["monthly_amount"] = 5000
    del data["term"]
    data["services"].append("astrology")
    err = assert_rejected(
        tmp_path, write(tmp_path, data), "deal.effective_date", "term", "services[10]", "fees.monthly_amount"
    )  # the cross-field rule runs on the parts that parsed
    assert err.count("\n- ") == 4


def test_fee_field_must_match_basis(tmp_path):
    data = ca_data()
    data["fees"]["monthly_amount"] = 25000
    assert_rejected(tmp_path, write(tmp_path, data), "fees.monthly_amount", "only with basis 'fixed_monthly'")


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
    assert re.search(r"California \(CA\): \d+ errors?: generate will replace or remove these terms", result.stdout)


def test_missing_file(tmp_path):
    result = run_cli("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*_medspa.yaml")))
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_examples_validate(example):
    result = run_cli("validate", str(EXAMPLES / example))
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- YAML that does what people mean

CA_TEXT = CA.read_text()


def edited(tmp_path: Path, old: str, new: str, name: str = "deal.yaml") -> Path:
    assert old in CA_TEXT, old
    return write(tmp_path, CA_TEXT.replace(old, new, 1), name)


def test_a_licence_number_with_a_leading_zero_stays_text(tmp_path):
    from formgen.inputs.deal_loader import load_deal

    deal = load_deal(edited(tmp_path, "number: A123456", "number: 054321"))
    assert deal.practice.owners[0].license.number == "054321"  # not the octal number 22737
    deal = load_deal(edited(tmp_path, "number: A123456", "number: 301234"))
    assert deal.practice.owners[0].license.number == "301234"  # a plain number is accepted as text


def test_impossible_date_names_the_format(tmp_path):
    err = assert_rejected(
        tmp_path,
        edited(tmp_path, "effective_date: 2027-01-01", "effective_date: 2027-02-30"),
        "deal.effective_date",
        "use YYYY-MM-DD (got 2027-02-30)",
    )
    assert ":8: deal.effective_date" in err and "internal error" not in err


@pytest.mark.parametrize("typed", ["03/01/2027", "1798761600", "2027-1-5", "March 1, 2027"])
def test_wrong_date_formats_name_the_format(tmp_path, typed):
    assert_rejected(
        tmp_path,
        edited(tmp_path, "effective_date: 2027-01-01", f"effective_date: {typed}"),
        "deal.effective_date",
        f"use YYYY-MM-DD (got {typed})",
    )


def test_yes_and_no_are_read_as_typed(tmp_path):
    from formgen.inputs.deal_loader import load_deal, parse_text

    data = parse_text("a: yes\nb: no\nc: on\nd: true\ne: 0o17\nf: 1_000\ng: 12.5\nh: 010\n", "x.yaml")
    assert data == {"a": "yes", "b": "no", "c": "on", "d": True, "e": "0o17", "f": "1_000", "g": 12.5, "h": "010"}
    deal = load_deal(
        edited(tmp_path, "  effective_date: 2027-01-01", "  effective_date: 2027-01-01\n  offers_iv_therapy: yes")
    )
    assert deal.deal.offers_iv_therapy is True


def test_unquoted_comma_in_a_flow_mapping_is_explained(tmp_path):
    deal = edited(
        tmp_path,
        '  signatory: {name: "Maya Chen, M.D.", title: President}',
        "  signatory: {name: Raj Patel, M.D., title: President}",
    )
    err = assert_rejected(tmp_path, deal, "practice.signatory.M.D.", "a comma ends a value", 'name: "Raj Patel, M.D."')
    assert "practice.signatory.M.D.: is not a field" in err


def test_misspelt_key_gets_did_you_mean(tmp_path):
    err = assert_rejected(
        tmp_path,
        edited(
            tmp_path,
            "  formation_state: CA\n  address: 100 Main Street, Suite 200",
            "  formation_state: CA\n  adress: 100 Main Street, Suite 200",
        ),
        "mso.adress: is not a known field; did you mean 'address'?",
    )
    assert err.count("mso.adress") == 1 and "mso.address: is required" not in err  # said once, on the typo's line


def test_state_rule_problems_carry_file_line_and_path_once(tmp_path):
    from formgen.library import shipped_dir

    states = tmp_path / "states"
    shutil.copytree(shipped_dir("states"), states)
    text = (states / "CA.yaml").read_text()
    line = next(i for i, text_line in enumerate(text.splitlines(), 1) if "severity: error" in text_line)
    (states / "CA.yaml").write_text(text.replace("severity: error", "severity: eror", 1))
    result = run_cli("validate", str(CA), env={**os.environ, "FORMGEN_STATES": str(states)})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"CA.yaml:{line}: clause_rules[" in result.stderr and "(got 'eror')" in result.stderr
    assert result.stderr.count("severity") == 1


def test_blocking_state_findings_carry_the_deal_line(tmp_path):
    deal = edited(
        tmp_path,
        "      license: {type: MD, state: CA, number: A123456, expires: 2028-06-30}",
        "      license: {type: RN, state: CA, number: A123456, expires: 2028-06-30}",
    )
    assert_rejected(tmp_path, deal, "deal.yaml:23: practice.owners: DO/MD owners hold 0%")


def test_alias_bomb_is_refused_quickly(tmp_path):
    rows = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    rows += [f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
    assert_rejected(tmp_path, write(tmp_path, "\n".join(rows) + "\n"), "expands to more than")


def test_huge_and_binary_files_are_refused(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * 2_000_000 + "\n")
    assert_rejected(tmp_path, big, "KB; a deal file is a few KB")
    binary = tmp_path / "deal.yaml"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert_rejected(tmp_path, binary, "is a binary file")


def test_recursive_alias_and_deep_nesting_are_refused(tmp_path):
    assert_rejected(tmp_path, write(tmp_path, "deal: &d {x: *d}\n"), "deal.yaml")
    assert_rejected(tmp_path, write(tmp_path, "deal: " + "[" * 5000 + "]" * 5000 + "\n"), "deal.yaml")


def test_devices_and_pipes_are_refused_without_reading_forever(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in ("/dev/zero", str(fifo)):
        result = run_cli("validate", path)
        assert result.returncode == 1 and "is not a regular file" in result.stderr, result.stderr
