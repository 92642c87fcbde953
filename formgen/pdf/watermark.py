"""The DRAFT watermark: the word drawn as filled outlines (not text), so it shows on every page
but is never extracted with the body text (pdftotext, copy and paste, search) and needs no font.

The outlines are Liberation Sans Bold's glyphs for "DRAFT" (SIL Open Font License 1.1), in
1/1000 em, converted from the TrueType quadratic curves to PDF cubic ones. They are drawn in one
form XObject per page size, shared by every page and marked as a watermark artifact; each page
gets it through two tiny content streams around its own (no page content is re-parsed).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, NameObject

if TYPE_CHECKING:  # pragma: no cover
    from pypdf import PdfWriter

DRAFT_ADVANCE = 3388.2  # "DRAFT" set width, 1/1000 em
DRAFT_CAP_HEIGHT = 688.0
WATERMARK_GREY = 0.55
WATERMARK_ALPHA = 0.28
DRAFT_PATH = (
    "680.2 349.1 m 680.2 278.2 666.3 216.2 638.4 163.3 c 610.6 110.4 571.2 70 520.3 42 c 469.3 14 411 "
    "0 345.2 0 c 66.9 0 l 66.9 688 l 315.9 688 l 431.8 688 521.5 658.8 585 600.3 c 648.4 541.9 680.2 "
    "458.2 680.2 349.1 c h 535.2 349.1 m 535.2 423 516 479.4 477.5 518.3 c 439.1 557.2 384.3 576.7 "
    "313 576.7 c 210.9 576.7 l 210.9 111.3 l 333 111.3 l 394.9 111.3 444 132.6 480.5 175.3 c 516.9 "
    "217.9 535.2 275.9 535.2 349.1 c h 1261.7 0 m 1102.1 261.2 l 933.1 261.2 l 933.1 0 l 789.1 0 l "
    "789.1 688 l 1132.8 688 l 1214.8 688 1278.2 670.3 1322.8 635 c 1367.4 599.7 1389.6 549 1389.6 "
    "482.9 c 1389.6 434.7 1376 393.1 1348.6 358.2 c 1321.3 323.2 1284.3 300.1 1237.8 289.1 c 1423.8 0 "
    "l 1261.7 0 l h 1244.6 477.1 m 1244.6 543.1 1202.3 576.2 1117.7 576.2 c 933.1 576.2 l 933.1 373 l "
    "1121.6 373 l 1161.9 373 1192.5 382.2 1213.4 400.4 c 1234.2 418.6 1244.6 444.2 1244.6 477.1 c h "
    "1997.6 0 m 1936.5 175.8 l 1674.3 175.8 l 1613.3 0 l 1469.2 0 l 1720.2 688 l 1890.1 688 l 2140.1 "
    "0 l 1997.6 0 l h 1805.2 582 m 1802.2 571.3 l 1799 559.6 1795.1 546.2 1790.5 531.2 c 1786 516.3 "
    "1758 433.9 1706.5 284.2 c 1904.3 284.2 l 1836.4 481.9 l 1815.4 548.3 l 1805.2 582 l h 2377.4 "
    "576.7 m 2377.4 363.8 l 2729.5 363.8 l 2729.5 252.4 l 2377.4 252.4 l 2377.4 0 l 2233.4 0 l 2233.4 "
    "688 l 2740.7 688 l 2740.7 576.7 l 2377.4 576.7 l h 3154.8 576.7 m 3154.8 0 l 3010.7 0 l 3010.7 "
    "576.7 l 2788.6 576.7 l 2788.6 688 l 3377.4 688 l 3377.4 576.7 l 3154.8 576.7 l h "
)


def _watermark_ops(width: float, height: float) -> str:
    """Operators drawing a light grey "DRAFT" centred on the page along its rising diagonal."""
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    size = round(min(width, height) * 0.26, 1)
    scale = size / 1000
    text_w = size * DRAFT_ADVANCE / 1000
    half_cap = size * DRAFT_CAP_HEIGHT / 1000 / 2
    x0 = width / 2 - cos * text_w / 2 + sin * half_cap
    y0 = height / 2 - sin * text_w / 2 - cos * half_cap
    return (
        f"q /FgWmGs gs {WATERMARK_GREY} g {cos * scale:.6f} {sin * scale:.6f} {-sin * scale:.6f} "
        f"{cos * scale:.6f} {x0:.2f} {y0:.2f} cm {DRAFT_PATH}f Q\n"
    )


def _stream(writer: "PdfWriter", data: bytes, extra: dict | None = None):

    stream = DecodedStreamObject()
    stream.set_data(data)
    stream.update(extra or {})
    return writer._add_object(stream.flate_encode())


def _form(writer: "PdfWriter", width: float, height: float):
    """A form XObject with the watermark for a page of this size (and its translucency)."""
    state = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/ExtGState"),
            NameObject("/ca"): FloatObject(WATERMARK_ALPHA),
            NameObject("/CA"): FloatObject(WATERMARK_ALPHA),
        }
    )
    resources = DictionaryObject(
        {NameObject("/ExtGState"): DictionaryObject({NameObject("/FgWmGs"): writer._add_object(state)})}
    )
    return _stream(
        writer,
        _watermark_ops(width, height).encode("ascii"),
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in (0, 0, width, height)),
            NameObject("/Resources"): resources,
        },
    )


def add_watermark(writer: "PdfWriter") -> None:
    """Draw the DRAFT watermark on every page of ``writer``, over the page's own content."""
    forms: dict[tuple[float, float], tuple[str, object]] = {}
    closings: dict[tuple, object] = {}
    opening = _stream(writer, b"q\n")
    for page in writer.pages:
        box = page.mediabox
        size = (round(float(box.width), 2), round(float(box.height), 2))
        if size not in forms:
            forms[size] = (f"/FgWm{len(forms)}", _form(writer, *size))
        name, form = forms[size]
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject()).get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        xobjects[NameObject(name)] = form
        place = (name, round(float(box.left), 2), round(float(box.bottom), 2))
        if place not in closings:
            closings[place] = _stream(
                writer,
                (
                    f"Q\n/Artifact <</Type /Pagination /Subtype /Watermark>> BDC "
                    f"q 1 0 0 1 {place[1]:.2f} {place[2]:.2f} cm {name} Do Q EMC\n"
                ).encode("ascii"),
            )
        closing = closings[place]
        contents = page.get("/Contents")
        if contents is None:
            parts = []
        elif isinstance(contents.get_object(), ArrayObject):
            parts = list(contents.get_object())
        else:
            parts = [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *parts, closing])
