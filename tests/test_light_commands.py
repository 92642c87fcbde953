"""The commands people run to look things up start light and reuse their answers (issue 31):
``explain``, ``schema``, ``states`` and ``init`` never load docxtpl, lxml's Word modules,
LibreOffice bridges or the web stack; ``validate`` neither; ``explain``, ``schema`` and ``states``
answers are kept in the answer cache and equal the computed ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.slow  # starts formgen in fresh processes

HEAVY = (
    "docxtpl",
    "docx",
    "lxml",
    "pypdf",
    "starlette",
    "uvicorn",
    "formgen.word",
    "formgen.pdf",
    "formgen.web",
    "formgen.folder",
)
PROBE = """
import json, runpy, sys

sys.argv = ["formgen", *sys.argv[1:]]
try:
    runpy.run_module("formgen", run_name="__main__")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules if m.split(".")[0] in ("docxtpl", "docx", "lxml", "pypdf", "starlette", "uvicorn") or m.startswith(("formgen.word", "formgen.pdf", "formgen.web", "formgen.folder")))}), file=sys.stderr)
"""


def loaded_by(*args: str, tmp_path) -> list[str]:
    """The heavy modules ``formgen ARGS`` imported, computing its answer (no cache)."""
    env = {**os.environ, "FORMGEN_NO_CACHE": "1", "FORMGEN_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), result.stderr
    return [m for m in report["loaded"] if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]


@pytest.mark.parametrize(
    "args",
    [
        ("explain", str(EXAMPLES / "ca_medspa.yaml")),
        ("validate", str(EXAMPLES / "tx_medspa.yaml")),
        ("schema",),
        ("schema", "--markdown"),
        ("states", "TX"),
        ("states",),
        ("init", "{tmp}"),
    ],
)
def test_light_commands_load_no_word_pdf_or_web_module(args, tmp_path):
    args = [a.replace("{tmp}", str(tmp_path / "deal.yaml")) for a in args]
    assert loaded_by(*args, tmp_path=tmp_path) == []


def formgen(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "formgen", *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300
    )


def test_explain_schema_and_states_answers_are_kept_and_equal_the_computed_ones(tmp_path):
    env = {**os.environ, "FORMGEN_CACHE_DIR": str(tmp_path / "cache")}
    deal = tmp_path / "deal.yaml"
    deal.write_text((EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    for args in (("explain", str(deal)), ("schema",), ("states", "TX")):
        computed = formgen(*args, env={**env, "FORMGEN_NO_CACHE": "1"})
        first, kept = formgen(*args, env=env), formgen(*args, env=env)
        assert computed.returncode == first.returncode == kept.returncode == 0
        assert computed.stdout == first.stdout == kept.stdout and computed.stdout.strip()
        assert len(list((tmp_path / "cache" / args[0]).glob("*.txt"))) == 1, args

    # An edited deal is explained afresh, as computing it gives.
    deal.write_text(deal.read_text(encoding="utf-8").replace("Glow Aesthetics", "Lumen Aesthetics"), encoding="utf-8")
    edited = formgen("explain", str(deal), env=env)
    assert "Lumen Aesthetics" in edited.stdout
    assert edited.stdout == formgen("explain", str(deal), env={**env, "FORMGEN_NO_CACHE": "1"}).stdout
    assert len(list((tmp_path / "cache" / "explain").glob("*.txt"))) == 2


def test_a_failing_lookup_is_reported_and_never_kept(tmp_path):
    env = {**os.environ, "FORMGEN_CACHE_DIR": str(tmp_path / "cache")}
    for args in (("states", "ZZ"), ("explain", str(tmp_path / "missing.yaml"))):
        result = formgen(*args, env=env)
        assert result.returncode != 0 and "formgen" in result.stderr.lower() + result.stdout.lower()
        assert not list((tmp_path / "cache").rglob("*.txt")), args
