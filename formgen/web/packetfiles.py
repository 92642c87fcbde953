"""The packet folder for the browser: generate, regenerate, zip, open an uploaded packet, preview.

File names come from listing the folder, never from the request: a requested name is only
looked up among them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from ..api import generate as api_generate, regenerate as api_regenerate
from ..errors import FormgenError, InputError, Problem

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PACKET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_PACKET_FILES = 500
PACKET_FOLDERS = ("", "redlines", "amendments", "closing", ".formgen/base", ".formgen/base/closing", ".formgen/executed")


def listing(folder: Path, *, hidden: bool = False) -> dict[str, Path]:
    """Every file of the packet by its relative name (redlines/ and amendments/ included);
    with ``hidden`` also formgen's own records under .formgen/ (merge bases, signed copies)."""
    if not folder.is_dir():
        return {}
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not path.is_symlink() and (hidden or not rel.startswith(".")):
            out[rel] = path
    return out


def zip_bytes(folder: Path) -> bytes:
    """The whole packet folder as a zip with fixed timestamps (same packet, same bytes); its
    .formgen/ records go too, so that the packet can be opened here again and regenerated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in listing(folder, hidden=True).items():
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    return buffer.getvalue()


def generate(deal_path: Path, out: Path, *, pdf: bool):
    """formgen.api.generate into the session's packet folder."""
    return api_generate(deal_path, out, pdf=pdf)


def regenerate(deal_path: Path, out: Path):
    return api_regenerate(out, deal_path)


def open_packet_zip(data: bytes, out: Path, shown: str) -> dict:
    """Unpack an uploaded packet zip (only a packet's own folders) into ``out``; return its deal.
    Raises InputError naming the upload when it is not a formgen packet."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except zipfile.BadZipFile:
        raise InputError([Problem(shown, "", "is not a zip file; upload the packet .zip formgen made")]) from None
    if len(infos) > MAX_PACKET_FILES or sum(i.file_size for i in infos) > 200 * 1024 * 1024:
        raise InputError([Problem(shown, "", "is too large to be a formgen packet")])
    files: dict[str, bytes] = {}
    for info in infos:
        folder, _, name = info.filename.rpartition("/")
        if info.is_dir() or folder not in PACKET_FOLDERS or not PACKET_NAME.match(name):
            continue  # anything else is not part of a packet, and no name climbs out of it
        files[f"{folder}/{name}" if folder else name] = zf.read(info)
    if "manifest.json" not in files:
        raise InputError([Problem(shown, "", "holds no manifest.json; upload a packet made by formgen generate")])
    try:
        manifest = json.loads(files["manifest.json"])
        validated = manifest["deal"]["validated"]
    except (ValueError, KeyError, TypeError):
        raise InputError([Problem(shown, "manifest.json", "is not a formgen manifest")]) from None
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name, blob in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(blob)
    return validated


def preview_pages(docx: Path, work: Path) -> list[Path] | str:
    """PNG pages of a document (LibreOffice, then pdftoppm), or its text when LibreOffice is absent."""
    from ..pdf.persistent import convert_documents  # the persistent LibreOffice: previews in well under a second

    pngs = sorted(work.glob(f"{docx.stem}-*.png"))
    if pngs and pngs[0].stat().st_mtime >= docx.stat().st_mtime:
        return pngs
    try:
        pdf = docx.parent / f"{docx.stem}.pdf"
        if not pdf.is_file() or pdf.stat().st_mtime < docx.stat().st_mtime:
            [pdf] = convert_documents([docx], work)
    except FormgenError:
        return text_preview(docx)
    if shutil.which("pdftoppm") is None:
        return text_preview(docx)
    for old in pngs:
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(work / docx.stem)], check=True,
                   capture_output=True, timeout=120)
    return sorted(work.glob(f"{docx.stem}-*.png"))


def text_preview(docx: Path) -> str:
    from ..word.ooxml import docx_text

    return docx_text(docx.read_bytes())
