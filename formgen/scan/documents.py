"""Reading any document a review accepts: .docx (word/sections.py: Word's numbering, headers,
footers, notes), .pdf (its text layer) and UTF-8 .txt, each as paragraphs with their sections;
and scanning such files for revenue-based pay (``scan_files``). Every input is untrusted: regular files only, sizes bounded, a clear InputError for anything else."""

from __future__ import annotations

from pathlib import Path

from pypdf.errors import PyPdfError

from ..errors import InputError, Problem
from ..word.bounded import check_regular, read_regular
from ..word.sections import Paragraph, docx_paragraphs, text_paragraphs, typed_label
from .scanner import scan_text

ALLOWED_SUFFIXES = (".docx", ".pdf", ".txt")
MAX_TEXT_BYTES = 16 * 1024 * 1024
MAX_PDF_BYTES = 64 * 1024 * 1024
MAX_PDF_PAGES = 2_000


def _problem(path: Path, message: str) -> InputError:
    return InputError([Problem(str(path), "", message)])


def read_text_file(path: Path) -> str:
    """A UTF-8 text file (a regular file of at most 16 MB)."""
    data = read_regular(path, MAX_TEXT_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _problem(path, f"not UTF-8 text (bad byte at offset {exc.start})") from None


def pdf_text(path: Path) -> str:
    """The text layer of a PDF, lines re-joined into paragraphs (a new one at a blank line or a typed
    number such as "Section 4.1."), so sentences wrapped across lines read whole."""
    check_regular(path, MAX_PDF_BYTES)
    from pypdf import PdfReader  # lazy: ~0.2 s, and only a PDF needs it (the scanner runs on every generate)

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _problem(path, "the PDF is encrypted; save an unprotected copy")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise _problem(path, f"the PDF has more than {MAX_PDF_PAGES} pages")
        lines = [line for page in reader.pages for line in (page.extract_text() or "").splitlines() + [""]]
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError, NotImplementedError):
        raise _problem(path, "not a readable PDF (corrupt, or no text layer pypdf can read)") from None
    paragraphs: list[str] = []
    for line in lines:
        if not line.strip() or typed_label(line)[0] or not paragraphs or not paragraphs[-1]:
            paragraphs.append(line.strip())
        else:
            paragraphs[-1] += " " + line.strip()
    text = "\n".join(p for p in paragraphs if p)
    if not text.strip():
        raise _problem(path, "the PDF has no text layer (a scan?); run OCR first")
    return text


def read_document(path: Path) -> list[Paragraph]:
    """The paragraphs of a .docx, .pdf or UTF-8 .txt file; InputError for anything else."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kind = f"a '{suffix}'" if suffix else "a suffix-less"
        raise _problem(path, f"cannot read {kind} file; allowed: {', '.join(ALLOWED_SUFFIXES)}")
    if suffix == ".docx":
        return docx_paragraphs(path)
    return text_paragraphs(pdf_text(path) if suffix == ".pdf" else read_text_file(path))


def extract_text(path: Path) -> str:
    """The text of a .docx (one line per paragraph as printed, Word's numbers included; body, then
    headers, footers and notes) or a UTF-8 .txt. Raises ``InputError`` for anything else."""
    path = Path(path)
    if path.suffix.lower() == ".txt":
        return read_text_file(path)
    return "\n".join(p.text for p in read_document(path))


def scan_files(paths, *, severity: str = "error", citation: str = "") -> list[dict]:
    """``[{"file": str, "findings": [match dict, ...]}]``, one entry per file in input order.

    Every file is read before anything is scanned; all unreadable files are
    reported together in one ``InputError``.
    """
    texts: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            texts.append((str(path), extract_text(Path(path))))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return [
        {"file": name, "findings": [m.to_dict() for m in scan_text(text, severity=severity, citation=citation)]}
        for name, text in texts
    ]
