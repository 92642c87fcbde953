"""The test tiers (tests/conftest.py): the fast tier runs in one process, and the command line run
in process answers as the separate process does."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, run_cli


def test_a_fast_test_that_starts_a_process_fails_naming_the_fixtures():
    with pytest.raises(AssertionError, match="subprocess_cli.*starts_processes.*libreoffice.*browser"):
        subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_a_test_asking_for_a_process_fixture_is_slow(request, starts_processes):
    assert request.node.get_closest_marker("slow") is not None
    assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0


def test_the_environment_given_replaces_the_tests_own_and_is_restored(tmp_path):
    before = dict(os.environ)
    nowhere = run_cli("--states", str(tmp_path / "nowhere"), "states", "CA")
    assert nowhere.returncode != 0 and "nowhere" in nowhere.stderr
    by_env = run_cli("states", "CA", env={**os.environ, "FORMGEN_STATES": str(tmp_path / "nowhere")})
    assert (by_env.returncode, by_env.stderr) == (nowhere.returncode, nowhere.stderr)
    assert dict(os.environ) == before


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("generate",),  # a usage error: exit 2
        ("states", "ZZ"),
        ("states", "TX"),
        ("validate", str(EXAMPLES / "ca_medspa.yaml")),
        ("validate", "no-such-deal.yaml"),
        ("validate", str(EXAMPLES / "ny_medspa.yaml"), "--json"),
    ],
)
def test_in_process_the_command_line_answers_as_a_separate_process_does(args, subprocess_cli):
    inside, outside = run_cli(*args), subprocess_cli(*args)

    def as_installed(text: str) -> str:  # usage lines name the program: `formgen` once installed
        return text.replace("python -m formgen.cli.app", "formgen")

    assert inside.returncode == outside.returncode
    assert (inside.stdout, inside.stderr) == (as_installed(outside.stdout), as_installed(outside.stderr))
