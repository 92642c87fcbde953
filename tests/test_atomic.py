"""Atomic output: `formgen generate` killed with SIGKILL at any moment leaves the folder holding
exactly the previous packet or exactly the new one (every file, same bytes), never a mix and
never nothing.

What a kill can leave behind is a hidden staging folder beside the output,
``.<out>.new-<pid>-<random>`` (a half-written new packet, or after the swap the previous packet
being deleted). It is never in the output's place, and the next successful run into the same
folder deletes it (formgen.folder.atomic.remove_stale_stages; a live run's folder is left alone).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT

OLD_DEAL = EXAMPLES / "ca_medspa.yaml"
NEW_DEAL = EXAMPLES / "oh_medspa.yaml"
# What a killed writer may leave beside the packet: its staging folder (removed by the next run)
# and the packet's empty lock file (reused, then deleted, by the next writer).
STAGE = re.compile(r"^\.out\.new-(\d+)-[a-z0-9_]+$")
LEFTOVER = re.compile(STAGE.pattern + r"|^\.(out|ref_new)\.lock$")

# Slow tier: kills formgen processes mid-write.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")]


def snapshot(folder: Path) -> dict[str, bytes] | None:
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def generate(deal: Path, out: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "formgen.cli.app", "generate", str(deal), "-o", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def packets(tmp_path_factory):
    """(work folder, previous packet's files, new packet's files). ``ref_new`` sits beside ``out``
    so the manifest's relative deal path is the same in both."""
    work = tmp_path_factory.mktemp("atomic")
    generate(NEW_DEAL, work / "ref_new")
    new = snapshot(work / "ref_new")
    generate(OLD_DEAL, work / "out")
    old = snapshot(work / "out")
    assert old and new and old != new
    return work, old, new


def reset(work: Path, old: dict) -> None:
    if snapshot(work / "out") != old:
        generate(OLD_DEAL, work / "out")
        assert snapshot(work / "out") == old


def assert_intact(work: Path, old: dict, new: dict, what: str) -> str:
    """The output is the old or the new packet, whole; anything else beside it is a staging folder."""
    now = snapshot(work / "out")
    assert now is not None, f"{what}: the output folder is missing"
    assert now in (old, new), (
        f"{what}: the output folder is a mix: "
        f"{sorted(k for k in set(now) | set(old) if now.get(k) not in (old.get(k), new.get(k)))}"
    )
    strays = [p.name for p in work.iterdir() if p.name not in ("out", "ref_new")]
    assert all(LEFTOVER.match(name) for name in strays), f"{what}: unexpected leftovers {strays}"
    return "old" if now == old else "new"


def test_sigkill_at_random_moments_never_leaves_a_mix(packets):
    work, old, new = packets
    start = time.perf_counter()
    generate(NEW_DEAL, work / "out")  # how long one whole run takes here
    duration = time.perf_counter() - start
    reset(work, old)
    # Kills spread over the whole run, most of them late (where the writing and the swap are).
    delays = sorted({0.05, 0.2, 0.5, 1.0} | {duration * f for f in (0.6, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05)})
    seen = []
    for delay in delays:
        proc = subprocess.Popen(
            [sys.executable, "-m", "formgen.cli.app", "generate", str(NEW_DEAL), "-o", str(work / "out")],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        seen.append(assert_intact(work, old, new, f"killed after {delay:.2f}s"))
        reset(work, old)
    print(f"kills at {[round(d, 2) for d in delays]} left {seen}")
    assert "old" in seen


# The child prints a line at each step of the write and pauses, so the test can kill it exactly
# there: after the first file, after the last file, after the swap, before deleting the old packet.
CHILD = textwrap.dedent("""
    import shutil, sys, time
    import formgen.folder.atomic as output
    from formgen.cli.app import main

    write_file, exchange, rmtree = output.write_file, output._exchange, shutil.rmtree

    def say(word):
        print(word, flush=True)
        time.sleep(0.3)

    def slow_write(path, data):
        write_file(path, data)
        say("wrote " + path.name)

    def slow_exchange(a, b):
        done = exchange(a, b)
        say("exchanged")
        return done

    def slow_rmtree(path, *args, **kwargs):
        say("removing " + str(path))
        return rmtree(path, *args, **kwargs)

    output.write_file, output._exchange, shutil.rmtree = slow_write, slow_exchange, slow_rmtree
    sys.argv = ["formgen"] + sys.argv[1:]
    main()
""")


def kill_at(work: Path, marker, count: int = 1) -> list[str]:
    """Run generate in the step-printing child; SIGKILL it at the ``count``-th line matching ``marker``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, "generate", str(NEW_DEAL), "-o", str(work / "out")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines, hits = [], 0
    for line in proc.stdout:
        lines.append(line.strip())
        if marker(line.strip()):
            hits += 1
            if hits == count:
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert hits == count, f"the child never reached the step: {lines}"
    return lines


@pytest.mark.parametrize(
    "step,marker,count,expected",
    [
        ("after the first file", lambda line: line.startswith("wrote "), 1, "old"),
        ("after the last file", lambda line: line == "wrote manifest.json", 1, "old"),
        ("after the swap", lambda line: line == "exchanged", 1, "new"),
        ("while deleting the previous packet", lambda line: line.startswith("removing "), 1, "new"),
    ],
)
def test_sigkill_at_each_step_of_the_write(packets, step, marker, count, expected):
    work, old, new = packets
    reset(work, old)
    kill_at(work, marker, count)
    assert assert_intact(work, old, new, f"killed {step}") == expected
    if expected == "old":
        strays = [p for p in work.iterdir() if STAGE.match(p.name)]
        assert strays, "a half-written packet is in a staging folder beside the output, not in its place"


def test_next_run_removes_stale_staging_folders(packets):
    work, old, new = packets
    reset(work, old)
    kill_at(work, lambda line: line.startswith("wrote "), 2)
    assert any(STAGE.match(p.name) for p in work.iterdir())
    generate(NEW_DEAL, work / "out")
    assert snapshot(work / "out") == new
    assert [p.name for p in work.iterdir() if p.name not in ("out", "ref_new")] == []
    reset(work, old)


def test_a_live_runs_staging_folder_is_left_alone(tmp_path):
    from formgen.folder.atomic import remove_stale_stages, staged_folder

    live = tmp_path / f".out.new-{os.getppid()}-abc123"  # our parent process is alive
    dead = tmp_path / ".out.new-999999999-abc123"
    other = tmp_path / ".other.new-999999999-abc123"
    for folder in (live, dead, other):
        folder.mkdir()
    with staged_folder(tmp_path / "out") as stage:
        (stage / "a.txt").write_text("a")
    assert (tmp_path / "out" / "a.txt").read_text() == "a"
    assert live.exists() and other.exists() and not dead.exists()
    assert remove_stale_stages(tmp_path / "out") == []
