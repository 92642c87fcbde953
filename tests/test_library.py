"""A firm's own library: --library / FORMGEN_LIBRARY (one folder with all three parts) and
--clauses / --states / --templates (one each) replace the shipped copies."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import EXAMPLES, ROOT, run_cli


def firm_library(tmp_path):
    library = tmp_path / "firm"
    shutil.copytree(ROOT / "clauses", library / "clauses")
    shutil.copytree(ROOT / "state_overrides", library / "states")
    shutil.copytree(ROOT / "templates", library / "templates")
    ca = library / "states" / "CA.yaml"
    ca.write_text(ca.read_text().replace("name: California\n", "name: California (firm rules)\n", 1))
    return library


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_library_option_and_environment_use_the_firm_copy(tmp_path):
    library = firm_library(tmp_path)
    by_option = run_cli("--library", str(library), "validate", str(EXAMPLES / "ca_medspa.yaml"))
    assert by_option.returncode == 0, by_option.stderr
    assert "California (firm rules)" in by_option.stdout
    env = {**os.environ, "FORMGEN_LIBRARY": str(library)}
    by_env = run_cli("validate", str(EXAMPLES / "ca_medspa.yaml"), env=env)
    assert "California (firm rules)" in by_env.stdout
    shipped = run_cli("validate", str(EXAMPLES / "ca_medspa.yaml"))
    assert "firm rules" not in shipped.stdout


def test_states_option_alone_and_a_missing_folder(tmp_path):
    library = firm_library(tmp_path)
    result = run_cli("--states", str(library / "states"), "states", "CA")
    assert result.returncode == 0 and "California (firm rules)" in result.stdout
    missing = run_cli("--states", str(tmp_path / "nowhere"), "validate", str(EXAMPLES / "ca_medspa.yaml"))
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "nowhere" in missing.stderr


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_one_process_drafts_from_two_libraries_side_by_side(tmp_path):
    """The library is an object passed in, not process-wide state: a firm's copy and the shipped
    copy serve one process at once, each read once and kept by its own object."""
    import formgen
    from formgen.inputs.library import Library

    firm = Library.at(firm_library(tmp_path))
    shipped = Library.shipped()
    deal = EXAMPLES / "ca_medspa.yaml"
    _, firm_rules, _ = formgen.validate(deal, library=firm)
    _, shipped_rules, _ = formgen.validate(deal, library=shipped)
    assert firm_rules.name == "California (firm rules)" and shipped_rules.name == "California"
    assert firm.state("CA") is firm.state("CA"), "read once, kept by the object"
    assert firm.fingerprint != shipped.fingerprint
    packet = formgen.build(deal, library=firm)
    assert packet.library is firm and packet.rules.name == "California (firm rules)"
