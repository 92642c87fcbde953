"""Shared fixtures: example packets are generated once per test session (real files, real DOCX)."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*_medspa.yaml"))


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the formgen command line in this process (typer's CliRunner on ``formgen.cli.app``): its
    exit code and its output, as from a separate process. ``env`` replaces the environment, as for
    subprocess.run; ``cwd`` defaults to the repository. An exception that escapes the command is
    written to stderr with its traceback, as the interpreter would print it."""
    from typer.testing import CliRunner

    from formgen.cli.app import app

    variables = {"COLUMNS": "80"}  # a pipe's width, whatever the terminal running pytest
    if env is not None:
        variables.update({name: None for name in os.environ if name not in env})
        variables.update(env)
    here = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(
            app, list(args), env=variables, catch_exceptions=True, prog_name="formgen", terminal_width=78
        )  # click's help width on a pipe (80 less 2)
    finally:
        os.chdir(here)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(["formgen", *args], result.exit_code, result.stdout, stderr)


def run_cli_process(
    *args: str, cwd: Path | None = None, env: dict | None = None, module: str = "formgen.cli.app"
) -> subprocess.CompletedProcess:
    """Run formgen as a user would: a separate process, its exit code and its output. Tests call it
    through the ``subprocess_cli`` fixture, which puts them in the slow tier."""
    return subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=600
    )


class ExamplePackets(Mapping):
    """example stem (e.g. 'ca_medspa') -> its generated packet folder, each generated the first
    time a test asks for it (a test reading only the CA packet pays for that one)."""

    def __init__(self, base: Path):
        self._base = base
        self._folders: dict[str, Path] = {}

    def __getitem__(self, stem: str) -> Path:
        if stem not in self._folders:
            import formgen

            deal = EXAMPLES / f"{stem}.yaml"
            if deal not in EXAMPLE_FILES:
                raise KeyError(stem)
            formgen.generate(deal, self._base / stem)
            self._folders[stem] = self._base / stem
        return self._folders[stem]

    def __iter__(self):
        return (deal.stem for deal in EXAMPLE_FILES)

    def __len__(self) -> int:
        return len(EXAMPLE_FILES)


@pytest.fixture(scope="session")
def packets(tmp_path_factory) -> ExamplePackets:
    """The examples' packets, generated once per test process (read them; copy one to change it)."""
    return ExamplePackets(tmp_path_factory.mktemp("packets"))


def states_with(tmp_path: Path, code: str, edit) -> Path:
    """A copy of the shipped state files with ``code``'s file edited."""
    states = tmp_path / "states"
    shutil.copytree(ROOT / "state_overrides", states)
    path = states / f"{code}.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return states


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


def convert_with_libreoffice(program: str, profile: str, source: Path, outdir: Path, to: str = "pdf") -> Path:
    """``source`` converted by LibreOffice (``program``, ``profile``: its -env:UserInstallation option) into
    ``outdir``; ``to``: "pdf" or "docx:MS Word 2007 XML". The new file, or a failure with LibreOffice's output."""
    command = [program, profile, "--headless", "--convert-to", to, "--outdir", str(outdir), str(source)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    converted = outdir / f"{source.stem}.{to.split(':')[0]}"
    assert result.returncode == 0 and converted.exists(), (
        f"LibreOffice did not convert {source}: {result.stdout}{result.stderr}"
    )
    return converted


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# Test tiers. `pytest -m "not slow"` is the fast tier: everything in this process, no LibreOffice,
# no browser, no other program. A test is slow when it asks for one of the fixtures below, or is
# marked `slow` itself (`@pytest.mark.slow`, or `pytestmark = pytest.mark.slow` for a whole file of
# many packets). Run the command line in process with `run_cli`; a fast test that starts a
# process anyway fails, naming these fixtures.
PROCESS_FIXTURES = {
    "subprocess_cli": "runs formgen as a separate process",
    "starts_processes": "starts another program (pdftotext, a fresh interpreter, ...)",
    "libreoffice": "drives LibreOffice",
    "browser": "drives Chromium",
}


@pytest.fixture
def subprocess_cli():
    """formgen as a separate process (the entry point, signals, locks between processes): slow."""
    return run_cli_process


@pytest.fixture
def starts_processes():
    """Ask for this when the test itself starts another program: it puts the test in the slow tier."""


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice executable (the test is skipped without it): slow."""
    path = soffice()
    if path is None:
        pytest.skip("LibreOffice (soffice) is not installed; tests/run.sh installs it")
    return path


@pytest.fixture(scope="session")
def libreoffice_profile(libreoffice, tmp_path_factory) -> str:
    """soffice's ``-env:UserInstallation=...`` option: one LibreOffice profile per test process
    (pytest-xdist worker), made by its first use and reused after (a new profile makes LibreOffice
    start twice). Tests in one worker run soffice one at a time; workers never share a profile."""
    return f"-env:UserInstallation={tmp_path_factory.mktemp('libreoffice-profile').as_uri()}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "libreoffice" in names or item.get_closest_marker("libreoffice"):
            item.add_marker(pytest.mark.libreoffice)
            item.add_marker(pytest.mark.slow)
        if names & PROCESS_FIXTURES.keys():
            item.add_marker(pytest.mark.slow)


class _NoProcessInTheFastTier:
    def __init__(self, args, *more, **options):
        fixtures = ", ".join(f"{name} ({why})" for name, why in PROCESS_FIXTURES.items())
        raise AssertionError(
            f"a fast test started a process ({args!r}): run the command line in process with "
            f"conftest.run_cli, or ask for one of these fixtures to make the test slow: {fixtures}"
        )


@pytest.fixture(autouse=True)
def _fast_tests_start_no_process(request, monkeypatch):
    """The fast tier stays in this process: Popen fails in a test not marked slow."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setattr(subprocess, "Popen", _NoProcessInTheFastTier)
    yield


@pytest.fixture
def machine_settings():
    """Call it after ``monkeypatch.setenv``: in-process calls then use the environment's machine
    settings (LibreOffice, SOURCE_DATE_EPOCH, the cache), as a CLI command would."""
    import contextlib
    import os

    from formgen import settings

    with contextlib.ExitStack() as stack:
        yield lambda: stack.enter_context(settings.using(settings.Settings.from_environment(os.environ)))
