"""``formgen validate DEAL`` reuses its answer only while every input is unchanged (answer_cache.py)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT
from formgen.cli.fast import main


@pytest.fixture(autouse=True)
def _environment(monkeypatch):
    """Each validate() below replaces os.environ; the test's own is restored afterwards."""
    monkeypatch.setattr(os, "environ", os.environ.copy())
    monkeypatch.chdir(ROOT)


def validate(deal, env: dict, *options: str) -> subprocess.CompletedProcess:
    """The installed command line's entry point (``formgen``, the fast path), in this process with
    ``env`` as its whole environment: its exit code and its output."""
    os.environ.clear()
    os.environ.update(env)
    sys_argv, sys.argv = sys.argv, ["formgen", "validate", *options, str(deal)]
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        sys.argv = sys_argv
    return subprocess.CompletedProcess(sys.argv, code, out.getvalue(), err.getvalue())


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_answer_is_reused_only_for_unchanged_inputs(tmp_path):
    env = {**os.environ, "FORMGEN_CACHE_DIR": str(tmp_path / "cache")}
    cache = tmp_path / "cache" / "validate"
    deal = tmp_path / "deal.yaml"
    deal.write_text((EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    fresh = validate(deal, {**env, "FORMGEN_NO_CACHE": "1"})
    assert fresh.returncode == 0 and "California (CA)" in fresh.stdout
    assert not cache.exists()  # FORMGEN_NO_CACHE: nothing stored

    first, second = validate(deal, env), validate(deal, env)
    assert first.stdout == second.stdout == fresh.stdout and second.returncode == 0
    assert len(list(cache.glob("*.txt"))) == 1

    # The deal changes: a new answer, the same as computing afresh.
    deal.write_text(deal.read_text(encoding="utf-8").replace("Glow Aesthetics", "Lumen Aesthetics"), encoding="utf-8")
    edited = validate(deal, env)
    assert "Lumen Aesthetics" in edited.stdout and edited.stdout == validate(deal, env, "--no-cache").stdout
    assert len(list(cache.glob("*.txt"))) == 2

    # The state rules in use change (a firm's own copy): a new answer again.
    states = tmp_path / "states"
    shutil.copytree(ROOT / "state_overrides", states)
    env["FORMGEN_STATES"] = str(states)
    assert validate(deal, env).stdout == edited.stdout
    ca = states / "CA.yaml"
    ca.write_text(
        ca.read_text(encoding="utf-8").replace("name: California", "name: California (firm copy)", 1), encoding="utf-8"
    )
    assert "California (firm copy) (CA)" in validate(deal, env).stdout


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_an_unusable_cache_folder_never_fails_the_command(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {**os.environ, "FORMGEN_CACHE_DIR": str(blocker / "cache")}
    result = validate(EXAMPLES / "ca_medspa.yaml", env)
    assert result.returncode == 0 and "California (CA)" in result.stdout and not result.stderr
    assert validate(EXAMPLES / "ca_medspa.yaml", env).stdout == result.stdout


def test_bad_input_is_never_stored(tmp_path):
    env = {**os.environ, "FORMGEN_CACHE_DIR": str(tmp_path / "cache")}
    cache = tmp_path / "cache" / "validate"
    deal = tmp_path / "deal.yaml"
    deal.write_text("deal: [unclosed\n", encoding="utf-8")
    result = validate(deal, env)
    assert result.returncode == 1 and "deal.yaml" in result.stderr + result.stdout
    assert not cache.exists() or not list(cache.glob("*.txt"))
