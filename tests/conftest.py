"""Shared fixtures: example packets are generated once per test session (real files, real DOCX)."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*_medspa.yaml"))


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run formgen as a user would: a separate process, its exit code and its output."""
    return subprocess.run([sys.executable, "-m", "formgen.cli.app", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=600)


@pytest.fixture(scope="session")
def packets(tmp_path_factory) -> dict[str, Path]:
    """example stem (e.g. 'ca_medspa') -> its generated packet folder."""
    import formgen

    base = tmp_path_factory.mktemp("packets")
    out = {}
    for deal in EXAMPLE_FILES:
        folder = base / deal.stem
        formgen.generate(deal, folder)
        out[deal.stem] = folder
    return out


def variant(base: dict, **changes) -> dict:
    """A copy of a deal's data with fields changed by dotted path: variant(CA, **{"mso.name": "X"})."""
    data = copy.deepcopy(base)
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value
    return data


def docx_text(path: Path) -> str:
    from formgen.word.ooxml import docx_text as _text

    return _text(path.read_bytes())


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# Test tiers: `pytest -m "not slow"` runs the fast tier in under a minute: the pure core (deal
# validation, schema, planning, markup, numbering, tables, scanner, lint, structure) and single
# in-process packets. Slow: whole workflows (regenerate, merge, amend, batch, the web intake and
# its browser, hostile inputs, the CLI as a subprocess), many packets (51 jurisdictions, fuzzing)
# and LibreOffice. The README's command runs everything.
SLOW_FILES = {"test_jurisdictions.py", "test_fuzz.py", "test_batch.py", "test_pdf.py", "test_atomic.py",
              "test_regen.py", "test_merge.py", "test_amend.py", "test_safety.py", "test_hostile.py",
              "test_web.py", "test_web_browser.py", "test_cli.py", "test_friendly_pc.py", "test_law.py",
              "test_ooxml_schema.py", "test_stranded_pages.py"}
LIBREOFFICE_FILES = {"test_pdf.py", "test_stranded_pages.py"}


SLOW_WORDS = ("SIGKILL", "one interpreter per module", "subprocess.Popen", "run_cli(", "subprocess.run(")


def pytest_collection_modifyitems(config, items):
    import inspect

    for item in items:
        name = item.path.name
        try:
            source = inspect.getsource(item.function)
        except (OSError, TypeError):
            source = ""
        if name in SLOW_FILES or any(word in source for word in SLOW_WORDS):
            item.add_marker(pytest.mark.slow)
        if name in LIBREOFFICE_FILES or "soffice" in source or "soffice" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.libreoffice)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def machine_settings():
    """Call it after ``monkeypatch.setenv``: in-process calls then use the environment's machine
    settings (LibreOffice, SOURCE_DATE_EPOCH, the cache), as a CLI command would."""
    import contextlib
    import os

    from formgen import settings

    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(settings.using(settings.Settings.from_environment(os.environ)))
