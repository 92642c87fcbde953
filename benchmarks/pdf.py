"""Time PDF conversion of a full packet: formgen's single LibreOffice call vs one call per document.

    python benchmarks/pdf.py [DEAL] [--repeat N]

Builds the packet's .docx files (formgen.build, written to a temporary folder), then times:
  1. formgen's converter: ONE `soffice --convert-to pdf` process for every document, with its
     own temporary user profile copied from the cached ready one (exactly what
     `formgen generate --pdf` does);
  2. the naive way: one `soffice --convert-to pdf` call per document, each with its own brand-new
     profile, as a cold user running the command per file would;
and prints both, their ratio (target: formgen at least 4x faster), and for reference
  3. one call per document, each with a copy of the cached profile (the share of the gain that
     comes from the single call alone), and the time of the whole `write_pdfs` step (cover +
     conversion + watermark + packet.pdf).
Each figure is the median of --repeat runs, interleaved. Exit status 0 when the target is met, else 1.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from pypdf import PdfReader  # noqa: E402

from formgen import build  # noqa: E402
from formgen.pdf.packet import (  # noqa: E402
    _pdf_filter,
    _profile_template,
    convert_to_pdf,
    soffice_command,
    soffice_path,
    soffice_version,
    write_documents,
    write_pdfs,
)

TARGET_RATIO = 4.0


def one_call_per_document(soffice: Path, docx: list[Path], out_dir: Path, template: Path | None = None) -> None:
    """One soffice call per file, each with its own new profile (or a copy of ``template``)."""
    for path in docx:
        profile = Path(tempfile.mkdtemp(prefix="formgen-bench-profile-"))
        if template is not None:
            shutil.rmtree(profile)
            shutil.copytree(template, profile)
        try:
            cmd = soffice_command(soffice, profile, out_dir, [path], _pdf_filter(soffice))
            subprocess.run(cmd, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=300)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        if not (out_dir / f"{path.stem}.pdf").is_file():
            raise SystemExit(f"per-document call did not convert {path.name}")


def timed(func, *args) -> float:
    start = time.perf_counter()
    func(*args)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("deal", nargs="?", default=str(REPO_ROOT / "examples" / "ca_medspa.yaml"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; the median is reported")
    args = parser.parse_args(argv)

    soffice = soffice_path()
    version = soffice_version(soffice)
    packet = build(args.deal)
    with tempfile.TemporaryDirectory(prefix="formgen-bench-") as tmp:
        work = Path(tmp)
        docx = write_documents(packet, work / "docx")

        convert_to_pdf(docx[:1], work / "warm-up")  # makes the cached profile if there is none yet
        template = _profile_template(soffice)
        if template is not None and not template.is_dir():
            template = None
        single, per_doc, per_doc_warm, whole = [], [], [], []
        for i in range(args.repeat):
            # Rotate the order so no method always runs first (with warmer OS caches).
            methods = ["single", "per_doc", "per_doc_warm"]
            for method in methods[i % 3:] + methods[: i % 3]:
                out = work / f"{method}-{i}"
                if method == "single":
                    single.append(timed(convert_to_pdf, docx, out))
                elif method == "per_doc":
                    out.mkdir()
                    per_doc.append(timed(one_call_per_document, soffice, docx, out))
                elif template is not None:
                    out.mkdir()
                    per_doc_warm.append(timed(one_call_per_document, soffice, docx, out, template))
            whole.append(timed(write_pdfs, packet, work / f"packet-{i}"))
        pages = sum(len(PdfReader(work / "single-0" / f"{p.stem}.pdf").pages) for p in docx)

    s, p, w = statistics.median(single), statistics.median(per_doc), statistics.median(whole)
    ratio = p / s
    vtext = ".".join(map(str, version)) if version else "unknown version"
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    row = "  {:<64} {:>7}   {}"
    print(f"PDF conversion of {args.deal}: {len(docx)} documents, {pages} pages; LibreOffice {vtext} ({soffice})")
    print(f"median of {args.repeat} interleaved run(s) each:")
    print(row.format("formgen converter (1 soffice call for all documents)", f"{s:.2f} s", f"runs: {runs(single)}"))
    print(row.format(f"one soffice call per document ({len(docx)} calls, new profiles)", f"{p:.2f} s",
                     f"runs: {runs(per_doc)}"))
    print(row.format("ratio, per-document / formgen", f"{ratio:.2f}x",
                     f"target >= {TARGET_RATIO:.0f}x: {'met' if ratio >= TARGET_RATIO else 'NOT met'}"))
    if per_doc_warm:
        pw = statistics.median(per_doc_warm)
        print("for reference:")
        print(row.format("one call per document, each with a ready profile copy", f"{pw:.2f} s",
                         f"runs: {runs(per_doc_warm)}; {pw / s:.2f}x formgen (the single call alone)"))
    print(row.format(f"whole write_pdfs (cover + {len(docx)} documents, watermark, packet.pdf)", f"{w:.2f} s",
                     f"runs: {runs(whole)}"))
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
