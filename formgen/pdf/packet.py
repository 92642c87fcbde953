"""PDF output: LibreOffice converts the .docx files, pypdf binds them into ``packet.pdf``.

One ``soffice`` process converts every document of a packet (and the cover) in a single call,
with a throw-away user profile of its own, so two runs at once never share LibreOffice state.
That profile is copied from a ready one cached in ~/.cache/formgen (made by the first run), which
spares LibreOffice the restart and self-tests it does on a brand-new profile.

``packet.pdf`` = a cover page (deal, parties, state, effective date, table of contents with the
page each document starts on) + every document; one bookmark per document with its articles
(taken from the document PDF's own outline) beneath it; page labels per document ("MSA-1", ...);
title / subject / author / keywords metadata; opens with the bookmarks panel. Unless ``final``,
every page of every PDF carries a diagonal, light grey "DRAFT" watermark (real, extractable text).

The cover is laid out by LibreOffice from a small .docx made here (so any name prints in a real
font), converted in the same call as the documents. The page numbers of its table of contents
are not known until the documents are converted, so they are stamped onto the converted cover
afterwards (digits in the standard Times-Roman font, right-aligned in the table's page columns).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FormgenError, ToolMissingError

if TYPE_CHECKING:  # pragma: no cover
    from pypdf import PdfReader, PdfWriter

    from ..drafting.packet import BuiltDocument, Packet

PACKET_PDF = "packet.pdf"
COVER_STEM = "_formgen_cover"
SOFFICE_NAMES = ("soffice", "libreoffice")
INSTALL_COMMAND = ("apt-get install -y libreoffice-writer-nogui fonts-liberation2 "
                   "fonts-crosextra-carlito fonts-crosextra-caladea")
MAC_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
DEFAULT_TIMEOUT = 120.0  # seconds for the LibreOffice start, plus PER_DOCUMENT_TIMEOUT per file
PER_DOCUMENT_TIMEOUT = 30.0



# --------------------------------------------------------------------------- LibreOffice


def _missing_message(looked_for: str, docx_note: str) -> str:
    return (f"formgen: --pdf needs LibreOffice, which was not found ({looked_for}). {docx_note}"
            f"Install LibreOffice and the fonts the documents use, then run the command again:\n"
            f"  sudo {INSTALL_COMMAND}\n"
            f"(macOS: brew install --cask libreoffice; elsewhere see https://www.libreoffice.org/download/). "
            f"If it is installed outside PATH, set FORMGEN_SOFFICE to the soffice program.")


def soffice_path(*, docx_note: str = "") -> Path:
    """The LibreOffice program: $FORMGEN_SOFFICE, else soffice / libreoffice on PATH.

    Raises ToolMissingError (exit 1) with install instructions when there is none.
    """
    configured = os.environ.get("FORMGEN_SOFFICE", "").strip()
    if configured:
        found = shutil.which(configured)
        if found:
            return Path(found)
        raise ToolMissingError(_missing_message(f"FORMGEN_SOFFICE={configured!r} is not an executable program",
                                                docx_note))
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    if MAC_SOFFICE.is_file() and os.access(MAC_SOFFICE, os.X_OK):
        return MAC_SOFFICE
    raise ToolMissingError(_missing_message("no soffice or libreoffice on PATH, FORMGEN_SOFFICE unset", docx_note))


@lru_cache(maxsize=8)
def _version_text(soffice: Path) -> str:
    try:
        return subprocess.run([str(soffice), "--version"], capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL).stdout.strip()
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


def soffice_command(soffice: Path, profile_dir: Path, out_dir: Path, docx_paths: Sequence[Path],
                    convert_to: str = "pdf") -> list[str]:
    return [str(soffice), "--headless", "--norestore", "--nolockcheck", "--nologo", "--nodefault",
            f"-env:UserInstallation={Path(profile_dir).resolve().as_uri()}",
            "--convert-to", convert_to, "--outdir", str(Path(out_dir).resolve()),
            *[str(Path(p).resolve()) for p in docx_paths]]


def _env_timeout() -> float | None:
    value = os.environ.get("FORMGEN_PDF_TIMEOUT", "").strip()
    try:
        return float(value) if value and float(value) > 0 else None
    except ValueError:
        raise FormgenError(f"formgen: FORMGEN_PDF_TIMEOUT={value!r} is not a number of seconds") from None


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()


def convert_to_pdf(docx_paths: Sequence[str | Path], out_dir: str | Path, *, timeout: float | None = None,
                   soffice: Path | None = None) -> list[Path]:
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
        timeout = _env_timeout() or DEFAULT_TIMEOUT + PER_DOCUMENT_TIMEOUT * len(paths)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{s}.pdf" for s in stems]
    for t in targets:
        t.unlink(missing_ok=True)  # so a stale PDF is never taken for a fresh one

    template = _profile_template(soffice)
    returncode, detail, seeded = _run_soffice(soffice, paths, out_dir, targets, timeout, template)
    missing = [p for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size > 0)]
    if seeded and len(missing) == len(paths):
        # Nothing converted with the cached profile: drop it and try once more from scratch.
        shutil.rmtree(template, ignore_errors=True)
        returncode, detail, _ = _run_soffice(soffice, paths, out_dir, targets, timeout, template)
        missing = [p for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size > 0)]
    if missing:
        raise FormgenError(f"formgen: LibreOffice could not convert {', '.join(p.name for p in missing)} to PDF "
                           f"(exit {returncode}): {detail or 'no message'}")
    return targets


def _profile_template(soffice: Path) -> Path | None:
    """Where a ready LibreOffice profile is cached for this soffice (None: caching is off).

    A brand-new profile makes LibreOffice start twice (it restarts itself after creating it) and
    run its graphics self-tests; copying a ready one into each run's own temporary folder skips
    that and keeps runs independent. FORMGEN_LO_PROFILE_CACHE=0 turns it off.
    """
    if os.environ.get("FORMGEN_LO_PROFILE_CACHE", "1").strip().lower() in ("0", "no", "false", "off"):
        return None
    import hashlib

    try:
        real = Path(soffice).resolve()
        stamp = f"{real}|{real.stat().st_mtime_ns}|{_version_text(soffice)}"
    except OSError:
        return None
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except (RuntimeError, KeyError):  # no home folder
        return None
    return base / "formgen" / f"libreoffice-profile-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}"


def _store_template(profile: Path, template: Path) -> None:
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


def _run_soffice(soffice: Path, paths: list[Path], out_dir: Path, targets: list[Path], timeout: float,
                 template: Path | None) -> tuple[int, str, bool]:
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
        cmd = soffice_command(soffice, profile, out_dir, paths, _pdf_filter(soffice))
        env = {**os.environ, "HOME": os.environ.get("HOME") or str(root)}
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env=env, start_new_session=True)
        except OSError as exc:
            raise ToolMissingError(_missing_message(f"{soffice} cannot be run: {exc.strerror or exc}", "")) from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.communicate()
            pending = [p.name for p, t in zip(paths, targets) if not (t.is_file() and t.stat().st_size)]
            raise FormgenError(f"formgen: LibreOffice did not finish converting to PDF within {timeout:.0f} s "
                               f"(not converted: {', '.join(pending)}); set FORMGEN_PDF_TIMEOUT (seconds) "
                               "to allow longer") from None
        except BaseException:  # Ctrl-C and the like: never leave LibreOffice running
            _kill_group(proc)
            raise
        if template is not None and not seeded and proc.returncode == 0:
            _store_template(profile, template)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    text = (stderr or b"").decode("utf-8", "replace").strip() or (stdout or b"").decode("utf-8", "replace").strip()
    detail = " | ".join(line for line in text.splitlines()[-5:] if "javaldx" not in line)
    return proc.returncode, detail, seeded


# --------------------------------------------------------------------------- watermark and stamps


def _font(base: str):
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject(base),
                             NameObject("/Encoding"): NameObject("/WinAnsiEncoding")})


def _overlay_page(width: float, height: float, content: str, fonts: dict[str, str], alpha: float | None = None):
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
    return _overlay_page(width, height, _watermark_content(round(width, 2), round(height, 2)),
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


# --------------------------------------------------------------------------- the cover


@dataclass(frozen=True)
class TocEntry:
    number: int
    title: str
    detail: str  # second, smaller line: the PDF file name and its page labels


# Cover table geometry (inches): columns of the contents table, cell padding.
TOC_WIDTHS = (0.45, 4.15, 0.8, 1.1)
CELL_PAD = 0.08
TOC_FONT_SIZE = 11


def document_label(spec, deal) -> str:
    """The document's name in bookmarks and the contents: its title, plus "of <entity>" for governing documents."""
    return spec.label(deal)


def label_prefixes(packet: "Packet") -> dict[str, str]:
    out: dict[str, str] = {}
    for doc in packet.documents:
        name = doc.spec.name
        prefix = doc.spec.label_prefix
        base, n = prefix, 2
        while prefix in out.values():
            prefix, n = f"{base}{n}", n + 1
        out[name] = prefix
    return out


def _long_date(value) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def build_cover_docx(packet: "Packet", entries: list[TocEntry], *, final: bool) -> bytes:
    """The cover and contents page as .docx (page columns left empty: stamped after conversion)."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt, RGBColor

    from .._version import __version__

    deal = packet.deal
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))

    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(TOC_FONT_SIZE)
    rfonts = normal.element.get_or_add_rPr().find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        normal.element.get_or_add_rPr().append(rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    grey = RGBColor(0x59, 0x59, 0x59)

    def fill(p, text, *, bold=False, italic=False, size=None, color=None, align=None, before=0, after=0,
             spacing=None):
        """Spacing and alignment on paragraph ``p``, and ``text`` in one formatted run."""
        p.paragraph_format.space_before, p.paragraph_format.space_after = Pt(before), Pt(after)
        if align is not None:
            p.alignment = align
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
            if color is not None:
                run.font.color.rgb = color
            if spacing:
                rpr = run._r.get_or_add_rPr()
                sp = OxmlElement("w:spacing")
                sp.set(qn("w:val"), str(spacing))
                rpr.append(sp)
        return p

    def para(text="", **style):
        return fill(doc.add_paragraph(), text, **style)

    def bottom_rule(p):
        ppr = p._p.get_or_add_pPr()
        bdr = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "4"), ("w:color", "808080")):
            bottom.set(qn(k), v)
        bdr.append(bottom)
        ppr.append(bdr)

    def table_props(table, widths, borders: bool):
        tbl = table._tbl
        tblpr = tbl.tblPr
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblpr.append(layout)
        tblw = tblpr.find(qn("w:tblW"))
        if tblw is None:
            tblw = OxmlElement("w:tblW")
            tblpr.append(tblw)
        tblw.set(qn("w:w"), str(int(sum(widths) * 1440)))
        tblw.set(qn("w:type"), "dxa")
        mar = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:w"), str(int(CELL_PAD * 1440)))
            el.set(qn("w:type"), "dxa")
            mar.append(el)
        tblpr.append(mar)
        tblb = OxmlElement("w:tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{side}")
            visible = borders and side in ("top", "bottom", "insideH")
            el.set(qn("w:val"), "single" if visible else "nil")
            if visible:
                el.set(qn("w:sz"), "4")
                el.set(qn("w:color"), "A6A6A6")
            tblb.append(el)
        tblpr.append(tblb)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for column, w in zip(table.columns, widths):
            column.width = Inches(w)  # the grid: what LibreOffice lays the columns out by
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Inches(w)

    def cell_text(cell, text, *, before=3, after=3, **style):
        p = cell.paragraphs[0] if not cell.paragraphs[0].text and len(cell.paragraphs) == 1 else cell.add_paragraph()
        return fill(p, text, before=before, after=after, **style)

    center = WD_ALIGN_PARAGRAPH.CENTER
    para("Formation Packet", size=12, color=grey, align=center, before=12, after=8)
    name_len = len(deal.deal.name)
    para(deal.deal.name, size=24 if name_len <= 40 else 18 if name_len <= 90 else 14, bold=True, align=center,
         after=6)
    para(f"{deal.mso.name} and {deal.practice.name}", size=13, align=center, after=4)
    if not final:
        para("Draft for attorney review. Not for signature.", size=10, italic=True, color=grey, align=center)

    title = para("", before=22, after=6)
    bottom_rule(title)
    run = title.add_run("The parties")
    run.bold, run.font.size = True, Pt(12)
    rules = packet.rules
    facts = [
        ("Management company (MSO)", deal.mso.name),
        ("Medical practice", deal.practice.name),
        ("State", f"{rules.name} ({rules.code})"),
        ("Effective date", _long_date(deal.deal.effective_date)),
    ]
    table = doc.add_table(rows=len(facts), cols=2)
    widths = (2.4, 4.1)
    table_props(table, widths, borders=False)
    for row, (label, value) in zip(table.rows, facts):
        cell_text(row.cells[0], label, bold=True, before=2, after=2)
        cell_text(row.cells[1], value, before=2, after=2)

    title = para("", before=20, after=4)
    bottom_rule(title)
    run = title.add_run("Contents")
    run.bold, run.font.size = True, Pt(12)
    toc = doc.add_table(rows=1 + len(entries), cols=4)
    table_props(toc, TOC_WIDTHS, borders=True)
    right = WD_ALIGN_PARAGRAPH.RIGHT
    head = toc.rows[0]
    for cell, text, align in zip(head.cells, ("No.", "Document", "Pages", "Starts on page"), (None, None, right, right)):
        cell_text(cell, text, bold=True, size=10, color=grey, align=align)
    trpr = head._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:tblHeader"))
    for row, entry in zip(toc.rows[1:], entries):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        cell_text(row.cells[0], f"{entry.number}.")
        cell_text(row.cells[1], entry.title, bold=True, after=0)
        cell_text(row.cells[1], entry.detail, size=9, color=grey, before=1, after=3)
        cell_text(row.cells[2], "", align=right)
        cell_text(row.cells[3], "", align=right)

    para("Page numbers count the pages of this packet.pdf from this cover (page 1). In a PDF viewer each "
         "document's pages are also labelled with its own prefix (for example MSA-1), and the bookmarks "
         "panel lists every document and its articles. Each document is also supplied as its own PDF and "
         ".docx file.", size=9, color=grey, before=10)
    para(f"Prepared with formgen {__version__}.", size=9, color=grey, before=4)

    props = doc.core_properties
    props.author, props.title = "formgen", f"{deal.deal.name}: Formation Packet"
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


_MARKER = re.compile(r"^\s*(\d+)\.\s*$")


def _toc_anchors(reader: "PdfReader", count: int) -> dict[int, tuple[int, float, float]]:
    """{row number: (cover page index, x of the "N." text, baseline y)} for the contents rows."""
    found: dict[int, tuple[int, float, float]] = {}
    for index, page in enumerate(reader.pages):
        hits: list[tuple[int, float, float]] = []
        in_table = [False]  # markers count only after the contents header ("No."), repeated on every page

        def visit(text, cm, tm, font_dict, font_size, hits=hits, in_table=in_table):
            if (text or "").strip() == "No.":
                in_table[0] = True
                return
            match = _MARKER.match(text or "") if in_table[0] else None
            if match:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                hits.append((int(match.group(1)), x, y))

        page.extract_text(visitor_text=visit)
        for number, x, y in hits:
            if 1 <= number <= count and number not in found:
                found[number] = (index, x, y)
    # The numbers sit in the first column: keep those aligned with the leftmost one.
    if found:
        left = min(x for _, x, _ in found.values())
        found = {n: v for n, v in found.items() if abs(v[1] - left) < 3}
    return found


def _digits_width(text: str, size: float) -> float:
    return len(text) * 0.5 * size  # Times-Roman: every digit is 500/1000 em


def stamp_cover_numbers(writer: "PdfWriter", reader: "PdfReader", rows: list[tuple[int, int]]) -> None:
    """Write each contents row's (page count, start page) into the converted cover's empty columns."""
    anchors = _toc_anchors(reader, len(rows))
    missing = [n for n in range(1, len(rows) + 1) if n not in anchors]
    if missing:
        raise FormgenError(f"formgen: could not find the contents rows {missing} on the converted cover page "
                           "to print their page numbers (a formgen bug; the document PDFs are fine)")
    pad = CELL_PAD * 72
    per_page: dict[int, list[str]] = {}
    for number, (pages, start) in enumerate(rows, start=1):
        index, x, y = anchors[number]
        col_left = x - pad  # the "N." text starts one cell padding inside the first column
        edges = [col_left + sum(TOC_WIDTHS[: k + 1]) * 72 - pad for k in range(len(TOC_WIDTHS))]
        ops = per_page.setdefault(index, [])
        for text, right_edge in ((str(pages), edges[2]), (str(start), edges[3])):
            ops.append(f"BT /FgNum {TOC_FONT_SIZE} Tf {right_edge - _digits_width(text, TOC_FONT_SIZE):.2f} "
                       f"{y:.2f} Td ({text}) Tj ET")
    for index, ops in per_page.items():
        page = writer.pages[index]
        box = page.mediabox
        overlay = _overlay_page(float(box.width), float(box.height), "q 0 g\n" + "\n".join(ops) + "\nQ\n",
                                {"FgNum": "/Times-Roman"})
        page.merge_page(overlay, over=True)
        page.compress_content_streams()


# --------------------------------------------------------------------------- write_pdfs


_EXHIBIT_MARK = re.compile(r"^EXHIBIT ([A-Z])$")


def write_documents(packet: "Packet", folder: Path) -> list[Path]:
    """The packet's .docx files written into ``folder`` (created), in packet order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc in packet.documents:
        path = folder / doc.spec.filename
        path.write_bytes(doc.data)
        paths.append(path)
    return paths


def exhibit_titles(doc: "BuiltDocument") -> dict[str, str]:
    """{"A": "SCHEDULE OF SERVICES", ...}: the exhibits' titles, in order, from the document's plan."""
    import string

    name = doc.spec.name
    titles = [c.meta.title_in(name) for c in doc.plan.clauses if c.meta.kind_in(name) == "exhibit"]
    return {string.ascii_uppercase[i]: t.upper() for i, t in enumerate(titles[:26]) if t}


def _outline_children(reader: "PdfReader", items, offset: int, writer: "PdfWriter", parent,
                      exhibits: dict[str, str]) -> None:
    """Copy an outline (LibreOffice's, from the Heading styles) into ``writer`` under ``parent``.

    A bare "EXHIBIT A" entry gets the exhibit's title ("EXHIBIT A. SCHEDULE OF SERVICES"), as
    articles carry theirs ("ARTICLE 1. DEFINITIONS").
    """
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _outline_children(reader, item, offset, writer, last, exhibits)
            continue
        try:
            page = reader.get_destination_page_number(item)
        except Exception:  # noqa: BLE001 - an entry we cannot place is left out, not fatal
            page = -1
        title = " ".join(str(getattr(item, "title", "") or "").split())
        if page is None or page < 0 or not title:
            last = None
            continue
        exhibit = _EXHIBIT_MARK.match(title)
        if exhibit and exhibits.get(exhibit.group(1)):
            title = f"{title}. {exhibits[exhibit.group(1)]}"
        last = writer.add_outline_item(title, offset + page, parent=parent, is_open=False)


def _metadata(writer: "PdfWriter", *, title: str, subject: str, keywords: str) -> None:
    from .._version import __version__

    writer.add_metadata({"/Title": title, "/Subject": subject, "/Author": "formgen", "/Keywords": keywords,
                         "/Creator": f"formgen {__version__} (LibreOffice, pypdf)", "/Producer": "formgen"})
    prefs = writer.create_viewer_preferences()
    prefs.display_doctitle = True


def _write_atomic(writer: "PdfWriter", path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            writer.write(fh)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_pdf(path: Path, name: str) -> "PdfReader":
    from pypdf import PdfReader

    try:
        reader = PdfReader(path)
        _ = len(reader.pages)
    except Exception as exc:  # noqa: BLE001
        raise FormgenError(f"formgen: LibreOffice wrote an unreadable PDF for {name}: {exc}") from None
    if not reader.pages:
        raise FormgenError(f"formgen: LibreOffice wrote an empty PDF for {name}")
    return reader


def write_pdfs(packet: "Packet", folder: str | Path, *, final: bool = False,
               timeout: float | None = None) -> list[Path]:
    """Write folder/<document>.pdf for every packet document and folder/packet.pdf.

    The documents are converted from the packet's own .docx bytes (the same bytes ``generate``
    writes), together with the cover, in ONE LibreOffice call. Returns the paths written: the
    document PDFs in packet order, then packet.pdf. Without LibreOffice: ToolMissingError (exit 1)
    before anything is written.
    """
    from pypdf import PdfWriter

    folder = Path(folder)
    soffice = soffice_path(docx_note="The .docx files were written; no PDF was made. ")
    deal = packet.deal
    state = packet.rules
    prefixes = label_prefixes(packet)
    labels = {doc.spec.name: document_label(doc.spec, deal) for doc in packet.documents}
    keywords = ", ".join(["formation packet", "MSO", "medical practice", state.code, state.name]
                         + ([] if final else ["draft"]))
    subject = f"Formation packet for {deal.mso.name} and {deal.practice.name} ({state.name}, {state.code})"

    entries = []
    for i, doc in enumerate(packet.documents, start=1):
        prefix = prefixes[doc.spec.name]
        entries.append(TocEntry(i, labels[doc.spec.name],
                                f"{doc.spec.name}.pdf  \u00b7  pages {prefix}-1, {prefix}-2, \u2026"))

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="formgen-pdf-") as tmp:
        work = Path(tmp)
        src = work / "docx"
        inputs = write_documents(packet, src)
        cover_docx = src / f"{COVER_STEM}.docx"
        cover_docx.write_bytes(build_cover_docx(packet, entries, final=final))
        pdfs = convert_to_pdf([cover_docx, *inputs], work / "pdf", timeout=timeout, soffice=soffice)
        cover_pdf, doc_pdfs = pdfs[0], pdfs[1:]

        readers = [_read_pdf(p, doc.spec.filename) for p, doc in zip(doc_pdfs, packet.documents)]
        cover = _read_pdf(cover_pdf, "the cover page")

        outputs: list[tuple["PdfWriter", Path]] = []  # written only once everything is built
        for doc, reader in zip(packet.documents, readers):
            w = PdfWriter()
            w.append(reader, import_outline=False)
            _outline_children(reader, reader.outline, 0, w, None, exhibit_titles(doc))
            _metadata(w, title=labels[doc.spec.name], subject=f"{deal.deal.name}: {subject}", keywords=keywords)
            if reader.outline:
                w.page_mode = "/UseOutlines"
            w.set_page_label(0, len(w.pages) - 1, style="/D", prefix=f"{prefixes[doc.spec.name]}-", start=1)
            if not final:
                add_watermark(w)
            outputs.append((w, folder / f"{doc.spec.name}.pdf"))

        packet_writer = PdfWriter()
        packet_writer.append(cover, import_outline=False)
        cover_pages = len(packet_writer.pages)
        rows: list[tuple[int, int]] = []
        starts: list[int] = []
        for reader in readers:
            starts.append(len(packet_writer.pages))
            rows.append((len(reader.pages), len(packet_writer.pages) + 1))
            packet_writer.append(reader, import_outline=False)
        stamp_cover_numbers(packet_writer, cover, rows)
        for doc, reader, start in zip(packet.documents, readers, starts):
            parent = packet_writer.add_outline_item(labels[doc.spec.name], start, is_open=False)
            _outline_children(reader, reader.outline, start, packet_writer, parent, exhibit_titles(doc))
        packet_writer.set_page_label(0, cover_pages - 1, style="/r", start=1)
        for doc, reader, start in zip(packet.documents, readers, starts):
            packet_writer.set_page_label(start, start + len(reader.pages) - 1, style="/D",
                                         prefix=f"{prefixes[doc.spec.name]}-", start=1)
        _metadata(packet_writer, title=f"{deal.deal.name}: Formation Packet", subject=subject, keywords=keywords)
        packet_writer.page_mode = "/UseOutlines"
        if not final:
            add_watermark(packet_writer)
        outputs.append((packet_writer, folder / PACKET_PDF))
        for writer, target in outputs:
            _write_atomic(writer, target)
    return [target for _, target in outputs]
