"""The packet folder for the browser: generate, regenerate, zip, open an uploaded packet, preview.

File names come from listing the folder, never from the request: a requested name is only
looked up among them.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..api import closing as api_closing, generate as api_generate, regenerate as api_regenerate
from ..errors import FormgenError, InputError, Problem

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PACKET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")
MAX_PACKET_FILES = 500
PACKET_FOLDERS = (
    "",
    "redlines",
    "amendments",
    "closing",
    ".formgen/base",
    ".formgen/base/closing",
    ".formgen/executed",
    ".formgen/executed/closing",
)


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


def generate(library, deal_path: Path, out: Path, *, pdf: bool):
    """formgen.api.generate into the session's packet folder."""
    return api_generate(deal_path, out, library=library, pdf=pdf)


def regenerate(library, deal_path: Path, out: Path):
    return api_regenerate(out, deal_path, library=library)


def closing(out: Path) -> dict[str, Any] | None:
    """The closing set as ``formgen closing --json`` gives it (formgen.api.closing), or None for a
    folder with no packet or a packet written before formgen recorded its closing."""
    if not (out / "manifest.json").is_file():
        return None
    try:
        return api_closing(out)
    except FormgenError:
        return None


MAX_UNPACKED = 150 * 1024 * 1024  # all of a packet's files together, unpacked
MAX_RATIO = 100  # unpacked / packed for one entry larger than RATIO_FLOOR (Word XML packs about 10:1)
RATIO_FLOOR = 1024 * 1024
# Word field codes that make a reader fetch content from elsewhere (a file, a URL, another program).
LINKING_FIELDS = re.compile(rb"INCLUDEPICTURE|INCLUDETEXT|\bLINK\b|\bDDE|\bIMPORT\b")
FIELD_CODE = re.compile(rb"<w:instrText\b[^>]*>([^<]*)<|\bw:instr=\"([^\"]*)\"")
RELATIONSHIP = re.compile(rb"<Relationship\b[^>]*>")
HYPERLINK_TYPE = b"/relationships/hyperlink"


def _refused(shown: str, why: str) -> InputError:
    return InputError([Problem(shown, "", why)])


def _read_entries(zf: zipfile.ZipFile, infos, shown: str, budget: int) -> dict[str, bytes]:
    """The entries' bytes, counting what is actually unpacked (never the sizes the zip claims)
    against ``budget`` and each large entry's packing ratio against MAX_RATIO."""
    out: dict[str, bytes] = {}
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refused(shown, f"{info.filename} is encrypted; formgen's packets never are")
        chunks, size = [], 0
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(1024 * 1024)
                if not chunk:
                    break
                size += len(chunk)
                budget -= len(chunk)
                if budget < 0:
                    raise _refused(
                        shown,
                        f"unpacks to more than {MAX_UNPACKED // (1024 * 1024)} MB; a formgen "
                        "packet is far smaller. Upload the packet .zip formgen made",
                    )
                if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
                    raise _refused(
                        shown,
                        f"{info.filename} unpacks to over {MAX_RATIO} times its packed size; "
                        "formgen's packets never do. Upload the packet .zip formgen made",
                    )
                chunks.append(chunk)
        out[info.filename] = b"".join(chunks)
    return out


def external_content(docx: bytes) -> list[str]:
    """What in a Word document would make a reader load content from outside it: relationships
    with an external target (linked pictures, OLE links, templates; hyperlinks are only links)
    and field codes that include a file or another program's data. Empty for formgen's documents."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(docx))
        infos = [i for i in zf.infolist() if i.filename.endswith((".rels", ".xml"))]
        parts = _read_entries(zf, infos, "document", MAX_UNPACKED)
    except InputError:
        return ["parts that unpack past formgen's limits"]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError, zlib.error):
        return ["parts that cannot be read"]
    found = []
    for name, blob in parts.items():
        if name.endswith(".rels"):
            for rel in RELATIONSHIP.findall(blob):
                if b'TargetMode="External"' in rel and HYPERLINK_TYPE not in rel:
                    target = re.search(rb'Target="([^"]*)"', rel)
                    found.append(
                        f"a link to {target.group(1).decode('utf-8', 'replace')[:80] if target else 'outside content'}"
                    )
        elif LINKING_FIELDS.search(b"".join(a + b for a, b in FIELD_CODE.findall(blob)).upper()):  # split runs joined
            found.append(f"a field that includes outside content ({name})")
    return found


def open_packet_zip(data: bytes, out: Path, shown: str) -> dict:
    """Unpack an uploaded packet zip (only a packet's own folders) into ``out``; return its deal.
    Raises InputError naming the upload when it is not a formgen packet, would unpack past the
    budget, or holds a Word document that links to outside content."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise _refused(shown, "is not a zip file; upload the packet .zip formgen made") from None
    if len(infos) > MAX_PACKET_FILES:
        raise _refused(shown, f"holds more than {MAX_PACKET_FILES} files; a formgen packet holds a few dozen")
    wanted = []
    for info in infos:
        folder, _, name = info.filename.rpartition("/")
        if info.is_dir() or folder not in PACKET_FOLDERS or not PACKET_NAME.match(name):
            continue  # anything else is not part of a packet, and no name climbs out of it
        wanted.append(info)
    try:
        files = _read_entries(zf, wanted, shown, MAX_UNPACKED)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, ValueError, zlib.error) as exc:
        raise _refused(shown, f"is damaged and cannot be unpacked ({exc}); download the packet again") from None
    if "manifest.json" not in files:
        raise _refused(shown, "holds no manifest.json; upload a packet made by formgen generate")
    try:
        manifest = json.loads(files["manifest.json"])
        validated = manifest["deal"]["validated"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise InputError([Problem(shown, "manifest.json", "is not a formgen manifest")]) from None
    if not isinstance(validated, dict) or not isinstance(validated.get("deal"), dict):
        raise InputError([Problem(shown, "manifest.json", "is not a formgen manifest (it records no deal)")])
    for name, blob in files.items():
        if name.endswith(".docx"):
            links = external_content(blob)
            if links:
                raise _refused(
                    shown,
                    f"{name} loads content from outside the document ({'; '.join(sorted(set(links))[:3])}); "
                    "formgen's documents never do, so the packet was not opened",
                )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for name, blob in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(blob)
    return validated
