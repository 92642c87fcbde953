"""The packet folder as the one owner of its files: every writer takes its lock, its manifest is
untrusted input, a failed write says so and changes nothing.

The race tests run two real writers at once in separate processes, as two commands would, many
times: before the lock, ``mark-executed`` beside ``regenerate`` lost the executed record in 8 of
8 trials, and ``generate`` beside ``regenerate`` left a manifest that did not match its files.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import formgen
from conftest import EXAMPLES, ROOT, run_cli
from formgen.errors import FormgenError, InputError, OutputFolderError
from formgen.folder.packet_folder import PacketBusyError, PacketFolder
from formgen.inputs.library import Library

CA = EXAMPLES / "ca_medspa.yaml"
TRIALS = 20


@pytest.fixture(scope="module")
def ca_packet(tmp_path_factory) -> Path:
    """A CA packet and its own copy of the deal (so the deal can be changed)."""
    work = tmp_path_factory.mktemp("ca")
    deal = work / "deal.yaml"
    shutil.copy(CA, deal)
    formgen.generate(deal, work / "packet")
    return work


def fresh_copy(ca_packet: Path, work: Path) -> tuple[Path, Path]:
    """A copy of the packet and its deal (the manifest names the deal relative to the packet)."""
    shutil.copy(ca_packet / "deal.yaml", work / "deal.yaml")
    shutil.copytree(ca_packet / "packet", work / "packet", symlinks=True)
    return work / "deal.yaml", work / "packet"


def toggle_term(deal: Path, days: int) -> None:
    text = deal.read_text()
    deal.write_text(text.replace("termination_without_cause_days: 180", f"termination_without_cause_days: {days}"))


def files_match_manifest(packet: Path) -> list[str]:
    manifest = json.loads((packet / "manifest.json").read_text())
    return [
        name
        for name, digest in manifest["outputs"].items()
        if name != "manifest.json" and hashlib.sha256((packet / name).read_bytes()).hexdigest() != digest
    ]


def _regenerate(packet: str, start) -> None:
    start.wait()
    formgen.regenerate(packet)


def _mark(packet: str, start) -> None:
    start.wait()
    formgen.mark_executed(packet, ["msa"])


def _generate(deal: str, packet: str, start) -> None:
    start.wait()
    formgen.generate(deal, packet, force=True)


def race(*jobs) -> None:
    """Run each (function, args) in its own process, released together; all must succeed."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    procs = [context.Process(target=func, args=(*args, start)) for func, args in jobs]
    for proc in procs:
        proc.start()
    start.set()
    for proc in procs:
        proc.join(timeout=300)
    assert [proc.exitcode for proc in procs] == [0] * len(procs)


@pytest.mark.slow
def test_mark_executed_beside_regenerate_never_loses_the_record(ca_packet, tmp_path):
    for trial in range(TRIALS):
        work = tmp_path / str(trial)
        work.mkdir()
        deal, packet = fresh_copy(ca_packet, work)
        toggle_term(deal, 150)  # regenerate has something to write
        race((_regenerate, (str(packet),)), (_mark, (str(packet),)))
        manifest = json.loads((packet / "manifest.json").read_text())
        assert "msa" in manifest.get("executed", {}), f"trial {trial}: the executed record was lost"
        assert (packet / ".formgen/executed/msa.docx").is_file()
        assert files_match_manifest(packet) == [], f"trial {trial}"
        assert not (work / ".packet.lock").exists(), "the lock file is removed when released"


@pytest.mark.slow
def test_generate_beside_regenerate_leaves_a_manifest_that_matches_its_files(ca_packet, tmp_path):
    for trial in range(TRIALS):
        work = tmp_path / str(trial)
        work.mkdir()
        deal, packet = fresh_copy(ca_packet, work)
        toggle_term(deal, 150)
        race((_regenerate, (str(packet),)), (_generate, (str(deal), str(packet))))
        assert files_match_manifest(packet) == [], f"trial {trial}"


def test_a_second_writer_waits_is_told_and_gives_up_with_a_message(tmp_path):
    packet = tmp_path / "packet"
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(packet), held, release))
    holder.start()
    heard: list[str] = []
    try:
        assert held.wait(timeout=30)
        with pytest.raises(PacketBusyError, match="another formgen command has been writing"):
            with PacketFolder(packet).locked(on_wait=heard.append, timeout=1.5):
                pass
        assert heard and "waiting for another formgen command" in heard[0]
    finally:
        release.set()
        holder.join(timeout=10)
    with PacketFolder(packet).locked(timeout=5):  # free again once the holder is done
        pass


def _hold_lock(packet: str, held, release) -> None:
    with PacketFolder(packet).locked():
        held.set()
        release.wait(timeout=30)


def test_the_lock_is_reentrant_within_one_writer(tmp_path):
    folder = PacketFolder(tmp_path / "packet")
    with folder.locked():
        with folder.locked():
            assert (tmp_path / ".packet.lock").exists()
    assert not (tmp_path / ".packet.lock").exists()


# ------------------------------------------------------------------ the manifest is untrusted


def edit_manifest(packet: Path, change) -> None:
    manifest = json.loads((packet / "manifest.json").read_text())
    change(manifest)
    (packet / "manifest.json").write_text(json.dumps(manifest))


def with_executed(manifest: dict, signed_copy: str) -> None:
    manifest["executed"] = {
        "msa": {
            "document": "msa",
            "file": "msa.docx",
            "date": "2027-03-01",
            "agreement_date": "2027-03-01",
            "sha256": "0" * 64,
            "signed_copy": signed_copy,
            "conformed": None,
            "amendments": [],
        }
    }


HOSTILE = {
    "an absolute signed copy": lambda m: with_executed(m, "/etc/passwd"),
    "a signed copy outside .formgen/executed": lambda m: with_executed(m, "msa.docx"),
    "a document climbing out": lambda m: m["documents"]["msa"].update(file="../../../../x.docx"),
    "an output climbing out": lambda m: m["outputs"].update({"../x.docx": "0" * 64}),
    "300,000 outputs": lambda m: m["outputs"].update({f"f{i}.docx": "0" for i in range(300_000)}),
    "a huge integer": lambda m: m["deal"].update(sha256=int("9" * 4000)),
}


@pytest.mark.parametrize("attack", sorted(HOSTILE))
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_hostile_manifest_is_refused_by_every_command(ca_packet, tmp_path, attack):
    deal, packet = fresh_copy(ca_packet, tmp_path)
    edit_manifest(packet, HOSTILE[attack])
    before = {p: p.read_bytes() for p in packet.rglob("*") if p.is_file()}
    started = time.perf_counter()
    with pytest.raises(InputError) as refused:
        formgen.regenerate(packet)
    assert "manifest.json" in str(refused.value)
    with pytest.raises(InputError):
        formgen.mark_executed(packet, ["msa"])
    with pytest.raises(OutputFolderError, match="cannot be read as a formgen manifest"):
        formgen.generate(deal, packet)
    from formgen.folder.impact import packet_impact
    import datetime as dt

    with pytest.raises(InputError):
        packet_impact(packet, tmp_path, dt.date(2027, 1, 1), None, Library.shipped())
    assert time.perf_counter() - started < 10, "refused without stalling"
    assert {p: p.read_bytes() for p in packet.rglob("*") if p.is_file()} == before, "nothing was written"


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_symbolic_link_inside_the_packet_is_never_followed(ca_packet, tmp_path):
    deal, packet = fresh_copy(ca_packet, tmp_path)
    secret = tmp_path / "secret.docx"
    shutil.copy(packet / "msa.docx", secret)
    (packet / "msa.docx").unlink()
    (packet / "msa.docx").symlink_to(secret)
    with pytest.raises(InputError, match="symbolic link"):
        formgen.mark_executed(packet, ["msa"])
    assert not (packet / ".formgen/executed").exists()
    with pytest.raises(InputError, match="symbolic link"):
        formgen.regenerate(packet)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_cli_refuses_a_hostile_manifest_with_exit_1_and_the_field(ca_packet, tmp_path):
    deal, packet = fresh_copy(ca_packet, tmp_path)
    edit_manifest(packet, HOSTILE["an absolute signed copy"])
    result = run_cli("regenerate", str(packet))
    assert result.returncode == 1
    assert "executed.msa.signed_copy" in result.stderr and "internal error" not in result.stderr


# ------------------------------------------------------------------ failed writes


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_read_only_packet_folder_is_reported_and_left_as_it_was(ca_packet, tmp_path):
    if os.geteuid() == 0:
        target = Path("/proc/formgen-packet")
        with pytest.raises(
            FormgenError, match="cannot write the packet to /proc/formgen-packet: .*nothing was written"
        ):
            formgen.generate(CA, target)
        return
    deal, packet = fresh_copy(ca_packet, tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        with pytest.raises(FormgenError, match="the packet is unchanged"):
            formgen.mark_executed(packet, ["msa"])
    finally:
        os.chmod(tmp_path, 0o755)


# ------------------------------------------------------------------ batch's workers


@pytest.mark.slow
def test_killing_batch_leaves_no_worker_alive(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    for i in range(6):
        for example in ("ca_medspa", "tx_medspa"):
            shutil.copy(EXAMPLES / f"{example}.yaml", deals / f"{example}_{i}.yaml")
    proc = subprocess.Popen(
        [sys.executable, "-m", "formgen", "batch", str(deals), "-o", str(tmp_path / "out"), "-j", "2"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "batch started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    time.sleep(2)
    alive = [pid for pid in workers if _alive(pid)]
    assert alive == [], f"workers still running after their parent was killed: {alive}"


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    # the pool's workers (spawned interpreters), not the resource tracker
    return [int(c) for c in text.split() if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
