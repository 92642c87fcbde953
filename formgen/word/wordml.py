"""The WordprocessingML namespace and the deterministic zip writer, once for all of formgen.

A .docx is a zip. Zip entries carry timestamps, so two saves of the same document differ;
``write_package`` fixes every timestamp (SOURCE_DATE_EPOCH when set, else 1980-01-01) and keeps
the part order, so equal parts give equal bytes.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..settings import current as current_settings

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"w": W}
W_DECL = f'xmlns:w="{W}"'  # for XML snippets parsed on their own


def q(tag: str) -> str:
    """``w:tag`` as lxml spells it."""
    return f"{{{W}}}{tag}"


FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def source_date() -> tuple[int, int, int, int, int, int]:
    """The zip timestamp to use: SOURCE_DATE_EPOCH when set (reproducible builds), else 1980-01-01."""
    t = current_settings().source_time()
    if t is None:
        return FIXED_DATE
    return max(FIXED_DATE, (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec))  # zip starts at 1980


COMPRESS_LEVEL = 6
_CACHE_MIN_BYTES = 16_384  # parts worth remembering compressed (styles.xml is ~350 kB)
_CACHE_ENTRIES = 64
_compressed: dict[bytes, bytes] = {}


class _Precompressed:
    """Stands in for zipfile's compressor: hands back deflate output computed earlier."""

    def __init__(self, data: bytes):
        self.data = data

    def compress(self, _raw: bytes) -> bytes:
        return b""

    def flush(self) -> bytes:
        return self.data


def _deflate(data: bytes) -> bytes:
    """Raw deflate of ``data`` exactly as zipfile makes it (same level, same stream)."""
    found = _compressed.get(data)
    if found is None:
        comp = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
        found = comp.compress(data) + comp.flush()
        if len(_compressed) >= _CACHE_ENTRIES:
            _compressed.pop(next(iter(_compressed)))
        _compressed[data] = found
    return found


def _write_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Write one entry; a large part seen before (the styles, theme and fonts every document of a
    packet shares) is not compressed again. The bytes are those ``writestr`` would write."""
    if len(data) < _CACHE_MIN_BYTES:
        zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
        return
    with zf.open(info, mode="w") as dest:
        if hasattr(dest, "_compressor"):  # zipfile's writer; else it simply compresses itself
            dest._compressor = _Precompressed(_deflate(data))
        dest.write(data)


def write_package(parts: dict[str, bytes]) -> bytes:
    """A zip of ``parts`` with fixed timestamps and attributes; [Content_Types].xml first."""
    names = list(parts)
    if "[Content_Types].xml" in parts:
        names.remove("[Content_Types].xml")
        names.insert(0, "[Content_Types].xml")
    date = source_date()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0  # same bytes whichever OS wrote it
            info._compresslevel = COMPRESS_LEVEL  # what writestr(compresslevel=) would set
            _write_entry(zf, info, parts[name])
    return buf.getvalue()


# The order CT_PPrBase / CT_PPr and CT_SectPr prescribe (ECMA-376 Part 1, 17.3.1.26 and 17.6.17):
# a schema-checking reader rejects a property out of its place in these sequences.
PPR_ORDER = (
    "pStyle",
    "keepNext",
    "keepLines",
    "pageBreakBefore",
    "framePr",
    "widowControl",
    "numPr",
    "suppressLineNumbers",
    "pBdr",
    "shd",
    "tabs",
    "suppressAutoHyphens",
    "kinsoku",
    "wordWrap",
    "overflowPunct",
    "topLinePunct",
    "autoSpaceDE",
    "autoSpaceDN",
    "bidi",
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)
TBLPR_ORDER = (
    "tblStyle",
    "tblpPr",
    "tblOverlap",
    "bidiVisual",
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
)
RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "ins",
    "del",
    "moveFrom",
    "moveTo",
    "rPrChange",
)


def order_properties(props, order: tuple[str, ...]) -> None:
    """Put the children of a w:pPr / w:rPr / w:tblPr element in the schema's order, dropping a repeated one
    (the last written wins, as it would have in a reader that tolerated it)."""
    rank = {q(name): i for i, name in enumerate(order)}
    last: dict[str, object] = {}
    for child in list(props):
        if child.tag in rank:
            if child.tag in last:
                props.remove(last[child.tag])
            last[child.tag] = child
    children = list(props)
    children.sort(key=lambda child: rank.get(child.tag, len(order)))  # stable: unknown ones keep their place at the end
    for child in children:
        props.append(child)
