"""Reading a .docx that came from outside: only regular files, the zip's entries counted and their
sizes measured as they unpack (total size and compression ratio bounded), encrypted or exotic entries
refused, and XML parsed by lxml without entities, network or DTD loading and within libxml2's
default depth limit. Every refusal is an InputError that says what was wrong."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import Path

from lxml import etree

from ..errors import InputError, Problem

MAIN_PART = "word/document.xml"
MAX_FILE_BYTES = 64 * 1024 * 1024  # the .docx itself
MAX_ENTRIES = 5_000
MAX_PART_BYTES = 48 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts read, unpacked
MAX_RATIO = 200  # unpacked / packed size of one entry (text compresses ~10x)
_RATIO_FLOOR = 1024 * 1024  # small parts may compress better than the ratio without harm

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, remove_comments=True, remove_pis=True
)


class UnreadableDocument(InputError):
    """A file that is not a readable, reasonably sized .docx (exit 1, with what was wrong)."""

    def __init__(self, path, message: str):
        super().__init__([Problem(str(path), "", message)])


def read_package(path: Path, wanted=None) -> dict[str, bytes]:
    """The parts of the .docx at ``path`` (all, or those ``wanted(name)`` accepts), read within the limits above."""
    path = Path(path)
    return unpack(read_regular(path, MAX_FILE_BYTES), path, wanted)


def check_regular(path: Path, limit: int) -> None:
    """UnreadableDocument unless ``path`` is a regular file of at most ``limit`` bytes (a FIFO
    would block the reader, a device never end)."""
    try:
        info = path.stat()
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot read the file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableDocument(path, "not a regular file (a folder, device, pipe or socket cannot be reviewed)")
    if info.st_size > limit:
        raise UnreadableDocument(path, f"the file is larger than {limit >> 20} MB")


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (``check_regular``), read at most that far."""
    check_regular(path, limit)
    try:
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise UnreadableDocument(path, f"cannot read the file: {exc.strerror or exc}") from None


def unpack(data: bytes, source, wanted=None) -> dict[str, bytes]:
    parts: dict[str, bytes] = {}
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            entries = zf.infolist()
            if len(entries) > MAX_ENTRIES:
                raise UnreadableDocument(source, f"the package has more than {MAX_ENTRIES} parts")
            for entry in entries:
                if wanted is not None and not wanted(entry.filename):
                    continue
                if entry.flag_bits & 0x1:
                    raise UnreadableDocument(source, f"{entry.filename} is encrypted; save the document unprotected")
                part = _read_entry(zf, entry, source)
                total += len(part)
                if total > MAX_TOTAL_BYTES:
                    raise UnreadableDocument(source, f"the package unpacks to more than {MAX_TOTAL_BYTES >> 20} MB")
                parts[entry.filename] = part
    except UnreadableDocument:
        raise
    except NotImplementedError:
        raise UnreadableDocument(
            source, "the package uses a compression method Word does not (e.g. Deflate64)"
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, RuntimeError, zlib.error):
        raise UnreadableDocument(source, "not a readable .docx (corrupt or not a zip package)") from None
    if MAIN_PART not in parts and (wanted is None or wanted(MAIN_PART)):
        raise UnreadableDocument(source, "not a Word document (no word/document.xml)")
    return parts


def _read_entry(zf: zipfile.ZipFile, entry: zipfile.ZipInfo, source) -> bytes:
    limit = min(MAX_PART_BYTES, max(_RATIO_FLOOR, entry.compress_size * MAX_RATIO))
    with zf.open(entry) as fh:
        part = fh.read(limit + 1)  # sizes counted as read, not taken from the (forgeable) headers
    if len(part) > limit:
        why = "a zip bomb?" if limit < MAX_PART_BYTES else f"over {MAX_PART_BYTES >> 20} MB"
        raise UnreadableDocument(source, f"{entry.filename} unpacks to too much data ({why})")
    return part


def parse_xml(data: bytes, part: str, source) -> etree._Element:
    """A part's XML tree: no entities, no DTD, no network, depth within libxml2's default limit."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise UnreadableDocument(source, f"{part} is not well-formed XML ({exc.msg})") from None
