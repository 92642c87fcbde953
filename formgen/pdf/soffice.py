"""Finding LibreOffice and the one-call conversion: ONE ``soffice --convert-to pdf`` process for
every file, with its own throw-away user profile copied from a ready one cached in
~/.cache/formgen (made by the first run), which spares LibreOffice the restart and self-tests it
does on a brand-new profile. The persistent converter (persistent.py) falls back to this where
LibreOffice's Python bridge (uno) is not available.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from ..errors import FormgenError, ToolMissingError
from ..library.paths import cache_dir
from ..settings import current as current_settings

SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_COMMAND = (
    "apt-get install -y libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito fonts-crosextra-caladea"
)
MAC_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
DEFAULT_TIMEOUT = 120.0  # seconds for the LibreOffice start, plus PER_DOCUMENT_TIMEOUT per file
PER_DOCUMENT_TIMEOUT = 30.0


def _missing_message(looked_for: str, docx_note: str) -> str:
    return (
        f"formgen: --pdf needs LibreOffice, which was not found ({looked_for}). {docx_note}"
        f"Install LibreOffice and the fonts the documents use, then run the command again:\n"
        f"  sudo {INSTALL_COMMAND}\n"
        f"(macOS: brew install --cask libreoffice; elsewhere see https://www.libreoffice.org/download/). "
        f"If it is installed outside PATH, set FORMGEN_SOFFICE to the soffice program."
    )


def soffice_path(*, docx_note: str = "") -> Path:
    """The LibreOffice program: $FORMGEN_SOFFICE, else soffice / libreoffice on PATH.

    Raises ToolMissingError (exit 1) with install instructions when there is none.
    """
    configured = current_settings().soffice
    if configured:
        found = shutil.which(configured)
        if found:
            return Path(found)
        raise ToolMissingError(
            _missing_message(f"FORMGEN_SOFFICE={configured!r} is not an executable program", docx_note)
        )
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    if MAC_SOFFICE.is_file() and os.access(MAC_SOFFICE, os.X_OK):
        return MAC_SOFFICE
    raise ToolMissingError(_missing_message("no soffice or libreoffice on PATH, FORMGEN_SOFFICE unset", docx_note))


def missing_before_pdfs() -> ToolMissingError | None:
    """For a command that writes .docx files, then their PDFs: None where LibreOffice is there,
    else the error to raise once the .docx files are written (it says they were)."""
    try:
        soffice_path(docx_note="The .docx files were written; no PDF was made. ")
    except ToolMissingError as exc:
        return exc
    return None


@lru_cache(maxsize=8)
def _version_text(soffice: Path) -> str:
    try:
        return subprocess.run(
            [str(soffice), "--version"], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def soffice_version(soffice: Path) -> tuple[int, int] | None:
    """(major, minor) of a LibreOffice program, or None if it cannot tell (`soffice --version` is quick)."""
    match = re.search(r"(\d+)\.(\d+)", _version_text(soffice))
    return (int(match.group(1)), int(match.group(2))) if match else None


def _pdf_filter(soffice: Path) -> str:
    # JSON filter options need LibreOffice >= 7.4; older versions export bookmarks by default anyway.
    version = soffice_version(soffice)
    if version and version >= (7, 4):
        return 'pdf:writer_pdf_Export:{"ExportBookmarks":{"type":"boolean","value":"true"}}'
    return "pdf:writer_pdf_Export"


def soffice_command(
    soffice: Path, profile_dir: Path, out_dir: Path, docx_paths: Sequence[Path], convert_to: str = "pdf"
) -> list[str]:
    return [
        str(soffice),
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--nologo",
        "--nodefault",
        f"-env:UserInstallation={Path(profile_dir).resolve().as_uri()}",
        "--convert-to",
        convert_to,
        "--outdir",
        str(Path(out_dir).resolve()),
        *[str(Path(p).resolve()) for p in docx_paths],
    ]


def child_environment(home: Path) -> dict[str, str]:
    """What LibreOffice runs with: the command's environment, with a HOME (``home`` when it has none)."""
    inherited = dict(current_settings().child_environment)
    return {**inherited, "HOME": inherited.get("HOME") or str(home)}


def env_timeout() -> float | None:
    """FORMGEN_PDF_TIMEOUT, as the running command's settings give it."""
    return current_settings().pdf_timeout


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()


def convert_to_pdf(
    docx_paths: Sequence[str | Path], out_dir: str | Path, *, timeout: float | None = None, soffice: Path | None = None
) -> list[Path]:
    """Convert .docx files to PDF with ONE LibreOffice process; returns out_dir/<stem>.pdf in input order.

    Each call gets its own temporary LibreOffice user profile (removed afterwards; copied from the
    cached template when there is one), so concurrent calls never collide. Raises ToolMissingError without LibreOffice, FormgenError naming the file
    when a document is not converted, or when LibreOffice takes longer than ``timeout`` seconds.
    """
    paths = [Path(p) for p in docx_paths]
    out_dir = Path(out_dir)
    if not paths:
        return []
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise FormgenError(f"formgen: cannot convert two files with the same name to one folder: {stems}")
    for p in paths:
        if not p.is_file():
            raise FormgenError(f"formgen: cannot convert {p} to PDF: the file does not exist")
    soffice = soffice or soffice_path()
    if timeout is None:
        timeout = env_timeout() or DEFAULT_TIMEOUT + PER_DOCUMENT_TIMEOUT * len(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{s}.pdf" for s in stems]
    for t in targets:
        t.unlink(missing_ok=True)  # so a stale PDF is never taken for a fresh one

    template = profile_template(soffice)
    returncode, detail, seeded = _run_soffice(soffice, paths, out_dir, targets, timeout, template)
    missing = [p for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size > 0)]
    if seeded and len(missing) == len(paths):
        # Nothing converted with the cached profile: drop it and try once more from scratch.
        shutil.rmtree(template, ignore_errors=True)
        returncode, detail, _ = _run_soffice(soffice, paths, out_dir, targets, timeout, template)
        missing = [p for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size > 0)]
    if missing:
        raise FormgenError(
            f"formgen: LibreOffice could not convert {', '.join(p.name for p in missing)} to PDF "
            f"(exit {returncode}): {detail or 'no message'}"
        )
    return targets


def profile_template(soffice: Path) -> Path | None:
    """Where a ready LibreOffice profile is cached for this soffice (None: caching is off).

    A brand-new profile makes LibreOffice start twice (it restarts itself after creating it) and
    run its graphics self-tests; copying a ready one into each run's own temporary folder skips
    that and keeps runs independent. FORMGEN_LO_PROFILE_CACHE=0 turns it off.
    """
    if not current_settings().profile_cache:
        return None

    try:
        real = Path(soffice).resolve()
        stamp = f"{real}|{real.stat().st_mtime_ns}|{_version_text(soffice)}"
    except OSError:
        return None
    base = cache_dir()
    return None if base is None else base / f"libreoffice-profile-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}"


def store_profile_template(profile: Path, template: Path) -> None:
    """Keep a copy of a freshly made profile as the template (atomic; losing a race is fine)."""
    if template.exists() or not (profile / "user" / "extensions").is_dir():
        return
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{template.name}.tmp-", dir=template.parent))
        try:
            shutil.copytree(profile, tmp / "p", symlinks=True, ignore=shutil.ignore_patterns(".lock", "*.lock"))
            os.rename(tmp / "p", template)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass


# LibreOffice's switch that stops a document pulling in images or objects it links from elsewhere
# (file:// or http): an uploaded file must not bring other files of this machine into its PDF.
_BLOCK_LINKS = (
    '<item oor:path="/org.openoffice.Office.Common/Security/Scripting">'
    '<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>'
)
_EMPTY_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
    'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    "</oor:items>\n"
)


def block_outside_links(profile: Path) -> None:
    """Write the link block into a LibreOffice user profile (new or copied) before it starts."""
    settings = profile / "user" / "registrymodifications.xcu"
    text = settings.read_text(encoding="utf-8") if settings.is_file() else _EMPTY_SETTINGS
    if "BlockUntrustedRefererLinks" in text:
        text = re.sub(r'(BlockUntrustedRefererLinks" oor:op="fuse"><value>)false<', r"\1true<", text)
    else:
        text = text.replace("</oor:items>", _BLOCK_LINKS + "\n</oor:items>")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(text, encoding="utf-8")


def _run_soffice(
    soffice: Path, paths: list[Path], out_dir: Path, targets: list[Path], timeout: float, template: Path | None
) -> tuple[int, str, bool]:
    """One soffice process for all ``paths`` with its own temporary profile: (exit code, message, seeded)."""
    root = Path(tempfile.mkdtemp(prefix="formgen-lo-"))
    profile = root / "profile"
    seeded = False
    if template is not None and (template / "user" / "extensions").is_dir():
        try:
            shutil.copytree(template, profile, symlinks=True)
            seeded = True
        except OSError:
            shutil.rmtree(profile, ignore_errors=True)
    try:
        block_outside_links(profile)
        cmd = soffice_command(soffice, profile, out_dir, paths, _pdf_filter(soffice))
        env = child_environment(root)
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            raise ToolMissingError(_missing_message(f"{soffice} cannot be run: {exc.strerror or exc}", "")) from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            pending = [p.name for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size)]
            raise FormgenError(
                f"formgen: LibreOffice did not finish converting to PDF within {timeout:.0f} s "
                f"(not converted: {', '.join(pending)}); set FORMGEN_PDF_TIMEOUT (seconds) "
                "to allow longer"
            ) from None
        except BaseException:  # Ctrl-C and the like: never leave LibreOffice running
            _kill_group(proc)
            raise
        if template is not None and not seeded and proc.returncode == 0:
            store_profile_template(profile, template)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = (stderr or b"").decode("utf-8", "replace").strip() or (stdout or b"").decode("utf-8", "replace").strip()
    detail = " | ".join(line for line in text.splitlines()[-5:] if "javaldx" not in line)
    return proc.returncode, detail, seeded
