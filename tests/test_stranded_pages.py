"""No stranded pages: every document of the CA, TX, NY and FL packets is rendered by LibreOffice and
each page is read back (poppler's word boxes). A page fails when it holds only a heading, when it
starts inside a signature block, when a lead-in ending in ":" is its last line and the first item
is on the next page, or when it is more than 60% blank though neither the last page of its document
nor followed by a forced break (an exhibit, a signature page)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import formgen
from conftest import EXAMPLES

# Slow tier: LibreOffice.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        not (shutil.which("soffice") and shutil.which("pdftotext")),
        reason="needs LibreOffice and poppler-utils (tests/run.sh installs them)",
    ),
]

XHTML = "{http://www.w3.org/1999/xhtml}"
MARGIN = 72.0  # the template's one-inch margins, in points
SIGNATURE_LINE = re.compile(r"^(By:|Name:|Title:|Date:|_{5,})")
FORCED_BREAK = ("EXHIBIT", "IN WITNESS", "SCHEDULE", "ANNEX", "CERTIFICATE")
ITEM = re.compile(r"^\(?[a-z0-9]{1,3}\)")


def page_lines(pdf: Path) -> list[tuple[float, list[tuple[float, str]]]]:
    """Per page: its height and its body lines (bottom y, text), running header and footer left out."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", xml))
    pages = []
    for page in root.iter(f"{XHTML}page"):
        height = float(page.get("height"))
        lines = []
        for line in page.iter(f"{XHTML}line"):
            top, bottom = float(line.get("yMin")), float(line.get("yMax"))
            text = " ".join(w.text or "" for w in line.iter(f"{XHTML}word")).strip()
            if top >= MARGIN - 12 and bottom <= height - MARGIN + 22 and text != "DRAFT":
                lines.append((bottom, text))
        pages.append((height, sorted(lines)))
    return pages


def stranded(pdf: Path) -> list[str]:
    found = []
    pages = page_lines(pdf)
    for k, (height, lines) in enumerate(pages):
        last = k == len(pages) - 1
        body = [text for _, text in lines]
        following = [text for _, text in pages[k + 1][1]] if not last else []
        where = f"{pdf.name} page {k + 1}"
        if not body:
            found.append(f"{where}: blank")
            continue
        if not last and len(body) <= 2 and all(t.isupper() for t in body):
            found.append(f"{where}: only a heading {body}")
        if SIGNATURE_LINE.match(body[0]):
            found.append(f"{where}: starts inside a signature block ({body[0]!r})")
        if following and body[-1].endswith(":") and ITEM.match(following[0]):
            found.append(f"{where}: the lead-in {body[-1][-50:]!r} is parted from its first item")
        filled = (lines[-1][0] - MARGIN) / (height - 2 * MARGIN)
        if not last and k > 0 and filled < 0.4 and not (following and following[0].startswith(FORCED_BREAK)):
            found.append(f"{where}: {filled:.0%} filled, the next page starts {following[0][:40]!r}")
    return found


@pytest.mark.parametrize("state", ["ca", "tx", "ny", "fl"])
def test_no_stranded_pages(state, tmp_path):
    out = tmp_path / state
    formgen.generate(EXAMPLES / f"{state}_medspa.yaml", out, pdf=True)
    pdfs = sorted(p for p in out.glob("*.pdf") if p.name != "packet.pdf")
    assert len(pdfs) >= 12
    problems = [problem for pdf in pdfs for problem in stranded(pdf)]
    assert not problems, "\n".join(problems)
