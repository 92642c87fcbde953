"""The DRAFT watermark and one-page overlays merged onto PDF pages."""

from __future__ import annotations

import math
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from pypdf import PdfWriter



def _font(base: str):
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject(base),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})


def overlay_page(width: float, height: float, content: str, fonts: dict[str, str], alpha: float | None = None):
    """A page holding ``content`` (PDF operators) with Type1 ``fonts`` {resource name: base font}.

    Built as a one-page PDF in memory and read back, so its fonts, graphics state and content are
    proper indirect objects that merge_page copies cleanly (poppler complains about direct ones).
    """
    from pypdf import PageObject, PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, FloatObject, NameObject

    writer = PdfWriter()
    page = PageObject.create_blank_page(writer, width=width, height=height)
    font_dict = DictionaryObject()
    for name, base in fonts.items():
        font_dict[NameObject(f"/{name}")] = writer._add_object(_font(base))
    resources = DictionaryObject({NameObject("/Font"): font_dict})
    if alpha is not None:
        state = DictionaryObject({NameObject("/Type"): NameObject("/ExtGState"), NameObject("/ca"): FloatObject(alpha),
                                  NameObject("/CA"): FloatObject(alpha)})
        resources[NameObject("/ExtGState")] = DictionaryObject({NameObject("/FgWmGs"): writer._add_object(state)})
    page[NameObject("/Resources")] = resources
    stream = DecodedStreamObject()
    stream.set_data(content.encode("latin-1"))
    page[NameObject("/Contents")] = writer._add_object(stream)
    writer.add_page(page)
    buf = BytesIO()
    writer.write(buf)
    return PdfReader(BytesIO(buf.getvalue())).pages[0]


# Helvetica-Bold advance widths (1/1000 em) of the watermark's letters.
_HELVETICA_BOLD = {"D": 722, "R": 722, "A": 722, "F": 611, "T": 611}
WATERMARK_TEXT = "DRAFT"


@lru_cache(maxsize=8)
def _watermark_content(width: float, height: float) -> str:
    """Operators for a light grey "DRAFT" centred on the page along its rising diagonal."""
    angle = math.atan2(height, width)
    cos, sin = math.cos(angle), math.sin(angle)
    size = round(min(width, height) * 0.26, 1)
    text_w = size * sum(_HELVETICA_BOLD[c] for c in WATERMARK_TEXT) / 1000
    half_cap = size * 0.718 / 2  # Helvetica cap height 718/1000
    x0 = width / 2 - cos * text_w / 2 + sin * half_cap
    y0 = height / 2 - sin * text_w / 2 - cos * half_cap
    return ("/Artifact <</Type /Pagination /Subtype /Watermark>> BDC\n"
            f"q /FgWmGs gs 0.55 g BT /FgWm {size} Tf {cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {x0:.2f} {y0:.2f} Tm "
            f"({WATERMARK_TEXT}) Tj ET Q\nEMC\n")


def watermark_page(width: float, height: float):
    """A one-page overlay with the diagonal DRAFT watermark for a page of this size."""
    return overlay_page(width, height, _watermark_content(round(width, 2), round(height, 2)),
                         {"FgWm": "/Helvetica-Bold"}, alpha=0.28)


def add_watermark(writer: "PdfWriter") -> None:
    """Stamp every page of ``writer`` with the DRAFT watermark (on top, translucent)."""
    cache = {}
    for page in writer.pages:
        box = page.mediabox
        key = (float(box.width), float(box.height), float(box.left), float(box.bottom))
        if key not in cache:
            from pypdf import Transformation

            cache[key] = (watermark_page(key[0], key[1]), Transformation().translate(key[2], key[3]))
        overlay, shift = cache[key]
        page.merge_transformed_page(overlay, shift, over=True)
        page.compress_content_streams()  # merging leaves the page's content uncompressed
