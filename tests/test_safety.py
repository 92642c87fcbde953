"""Nothing formgen did not write is ever lost: each command against folders it must not destroy."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, ROOT, run_cli

pytestmark = pytest.mark.slow  # slow tier: whole workflows on unsafe inputs

CA = EXAMPLES / "ca_medspa.yaml"


def snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def client_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "engagement_letter.docx").write_bytes(b"PK not really a docx")
    (folder / "notes.txt").write_text("call Dana on Tuesday\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "scan.pdf").write_bytes(b"%PDF-1.4")
    return folder


def deal_copy(tmp_path: Path, name: str = "glow.yaml") -> Path:
    deal = tmp_path / "deals" / name
    deal.parent.mkdir(exist_ok=True)
    shutil.copy(CA, deal)
    return deal


def assert_clean_refusal(result, *fragments: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.stderr.startswith("formgen: ") and result.stderr.count("formgen: ") == 1, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_generate_refuses_a_folder_of_unrelated_files(tmp_path):
    folder = client_folder(tmp_path)
    before = snapshot(folder)
    for extra in ([], ["--force"]):
        result = run_cli("generate", str(CA), "-o", str(folder), *extra)
        assert_clean_refusal(result, "engagement_letter.docx", "notes.txt", "sub/scan.pdf", "nothing was written")
    assert snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["client"], "no staging folder left beside it"


def test_regenerate_refuses_a_folder_of_unrelated_files(tmp_path):
    folder = client_folder(tmp_path)
    before = snapshot(folder)
    result = run_cli("regenerate", str(folder), "--deal", str(CA), "--force")
    assert_clean_refusal(result, "manifest.json")
    assert snapshot(folder) == before


def test_batch_into_a_folder_of_unrelated_files_deletes_nothing(tmp_path):
    folder = client_folder(tmp_path)
    deal = deal_copy(tmp_path, "engagement.yaml")
    (folder / "engagement").mkdir()  # where the packet would go, holding someone's file
    (folder / "engagement" / "draft.docx").write_bytes(b"mine")
    before = snapshot(folder)
    result = run_cli("batch", str(deal.parent), "-o", str(folder), "--force", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    assert json.loads(result.stdout)["deals"][0]["status"] == "failed"
    assert snapshot(folder) == before
    shutil.rmtree(folder / "engagement")
    result = run_cli("batch", str(deal.parent), "-o", str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if not k.startswith("engagement/")} == {
        k: v for k, v in before.items() if not k.startswith("engagement/")
    }
    assert "engagement/msa.docx" in after


def test_hand_edits_and_foreign_files_stop_generate_and_force_keeps_them(tmp_path):
    import formgen
    from formgen.errors import HandEditError, OutputFolderError

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    fresh = (out / "msa.docx").read_bytes()
    edited = fresh + b"partner's edit"
    (out / "msa.docx").write_bytes(edited)
    with pytest.raises(HandEditError) as info:
        formgen.generate(CA, out)
    assert info.value.files == ["msa.docx"]
    assert (out / "msa.docx").read_bytes() == edited
    (out / "msa.docx").write_bytes(fresh)
    (out / "my notes.txt").write_text("keep me")
    with pytest.raises(OutputFolderError, match="my notes.txt"):
        formgen.generate(CA, out)
    (out / "msa.docx").write_bytes(edited)
    packet = formgen.generate(CA, out, force=True)
    copy = out / f"msa.edited-{hashlib.sha256(edited).hexdigest()[:8]}.docx"
    assert copy.read_bytes() == edited
    assert (out / "msa.docx").read_bytes() == fresh
    assert (out / "my notes.txt").read_text() == "keep me"
    assert any("msa.docx" in note for note in packet.kept)


def test_generate_over_a_regenerated_packet_keeps_its_history(tmp_path):
    import formgen

    deal = deal_copy(tmp_path)
    out = tmp_path / "packet"
    formgen.generate(deal, out)
    deal.write_text(deal.read_text().replace("initial_years: 5", "initial_years: 7"))
    formgen.regenerate(out)
    history = {name: (out / name).read_bytes() for name in ("changes.md", "changes.json", "redlines/msa.redline.docx")}
    formgen.generate(deal, out)  # nothing edited: no force needed, and the history stays
    for name, data in history.items():
        assert (out / name).read_bytes() == data, name


def test_stale_pdfs_are_not_left_beside_new_documents(tmp_path):
    import formgen

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    (out / "msa.pdf").write_bytes(b"%PDF old")
    (out / "packet.pdf").write_bytes(b"%PDF old")
    formgen.generate(CA, out)
    assert not (out / "msa.pdf").exists() and not (out / "packet.pdf").exists()


@pytest.mark.parametrize(
    "where, words",
    [
        ("deal", "that is the deal file itself"),
        (".", "current folder"),
        ("file", "existing file"),
        ("deal_parent", "holds the deal file"),
        ("root", "current folder or holds it"),
        ("symlink", "symbolic link"),
    ],
)
def test_output_paths_that_are_never_a_packet(tmp_path, where, words):
    deal = deal_copy(tmp_path)
    other = tmp_path / "letter.docx"
    other.write_bytes(b"client letter")
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    out = {
        "deal": str(deal),
        ".": ".",
        "file": str(other),
        "deal_parent": str(deal.parent),
        "root": "/",
        "symlink": str(tmp_path / "link"),
    }[where]
    before = snapshot(tmp_path)
    result = run_cli("generate", str(deal), "-o", out, "--force", cwd=tmp_path)
    assert_clean_refusal(result, words)
    assert snapshot(tmp_path) == before
    assert deal.is_file() and (tmp_path / "link").is_symlink()


def test_output_inside_or_around_the_library_is_refused(tmp_path):
    from formgen.library import shipped_dir

    result = run_cli("generate", str(CA), "-o", str(shipped_dir("templates")))
    assert_clean_refusal(result, "templates folder")
    result = run_cli("generate", str(CA), "-o", str(shipped_dir("clauses") / "packet"))
    assert_clean_refusal(result, "clauses folder")


def test_unreadable_manifest_is_not_a_packet(tmp_path):
    import formgen
    from formgen.errors import OutputFolderError

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    (out / "manifest.json").write_text("{not json")
    before = snapshot(out)
    with pytest.raises(OutputFolderError, match="cannot be read"):
        formgen.generate(CA, out, force=True)
    assert snapshot(out) == before


def test_tampered_manifest_cannot_reach_outside_the_packet(tmp_path):
    import formgen

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    victim = tmp_path / "victim.docx"
    victim.write_bytes(b"precious")
    manifest = json.loads((out / "manifest.json").read_text())
    digest = hashlib.sha256(b"precious").hexdigest()
    manifest["outputs"].update({"../victim.docx": digest, str(victim): digest, "/etc/passwd": "0" * 64})
    (out / "manifest.json").write_text(json.dumps(manifest))
    for command in (
        ["generate", str(CA), "-o", str(out)],
        ["regenerate", str(out), "--deal", str(CA)],
        ["generate", str(CA), "-o", str(out), "--force"],
    ):
        result = run_cli(*command)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        assert victim.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["packet", "victim.docx"]


def test_read_only_output_folder_gives_a_clear_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root ignores file permissions")
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o555)
    try:
        result = run_cli("generate", str(CA), "-o", str(parent / "packet"))
        assert_clean_refusal(result, "Permission denied")
    finally:
        parent.chmod(0o755)


def test_read_only_output_folder_as_root_uses_a_read_only_mount_or_skips(tmp_path):
    """Root ignores mode bits; /proc is a folder nobody can create in, root included."""
    result = run_cli("generate", str(CA), "-o", "/proc/formgen-packet")
    assert_clean_refusal(result, "cannot write the packet to /proc/formgen-packet")


def test_concurrent_generate_runs_on_one_folder(tmp_path):
    out = tmp_path / "packet"
    out.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "formgen", "generate", str(CA), "-o", str(out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in runs]
    for code, err in results:
        assert "Traceback" not in err and "internal error" not in err, err
        assert code == 0, err
    manifest = json.loads((out / "manifest.json").read_text())
    for name, digest in manifest["outputs"].items():
        if name != "manifest.json":
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["packet"], "no staging folder left"


def test_empty_folders_of_the_users_count_and_are_kept(tmp_path):
    import formgen
    from formgen.errors import OutputFolderError

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    (out / "signed" / "2027").mkdir(parents=True)
    with pytest.raises(OutputFolderError, match="signed/2027"):
        formgen.generate(CA, out)
    formgen.generate(CA, out, force=True)
    assert (out / "signed" / "2027").is_dir()


def test_the_pdfs_generate_wrote_beside_its_documents_and_closing_set_are_its_own(tmp_path):
    """A second generate over a `generate --pdf` folder: msa.pdf and closing/<file>.pdf (the PDFs
    of documents the manifest records) are formgen's, replaced or dropped, never "files formgen did
    not write" (the second web generate with PDFs was refused); a PDF with no document of formgen's
    beside it still stops generate."""
    import formgen
    from formgen.errors import OutputFolderError

    out = tmp_path / "packet"
    formgen.generate(CA, out)
    for name in ("msa.pdf", "closing/closing_checklist.pdf", "closing/payment_authorization.pdf"):
        (out / name).write_bytes(b"%PDF-1.7 as --pdf wrote it")
    formgen.generate(CA, out)
    assert not list(out.rglob("*.pdf"))  # no old PDF beside new documents
    (out / "closing" / "wire instructions.pdf").write_bytes(b"%PDF-1.7 the client's")
    with pytest.raises(OutputFolderError, match="wire instructions.pdf"):
        formgen.generate(CA, out)
