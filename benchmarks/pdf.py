"""Time PDF conversion: one soffice call per document, one call per packet, and the persistent
converter (one LibreOffice kept running, driven through UNO), for one packet; then a portfolio of
N deals with `formgen batch --pdf` against N sequential `formgen generate --pdf` runs.

    python benchmarks/pdf.py [DEAL] [--repeat N] [--deals 20] [--no-portfolio]

Each per-packet figure is the median of --repeat interleaved runs:
  1. per-document: one `soffice --convert-to pdf` call per document, each with a brand-new
     profile (a cold user running the command per file);
  2. one call per packet: ONE soffice process for every document, with a copy of the cached
     ready profile (formgen's fallback where LibreOffice's Python bridge is missing);
  3. one persistent converter: the packet's documents through one LibreOffice kept running;
  4. persistent (formgen): what `generate --pdf` does, the documents shared between the
     converters formgen runs side by side (FORMGEN_PDF_CONVERTERS, default one per core up to
     two), already running (what every packet after the first of a batch, or a preview server,
     pays); their start-up is printed separately.
Prints `ratio per-document/persistent: X` (wall time, target >= 8), the same ratio in CPU
seconds used by LibreOffice (which a busy machine does not change: on a shared machine the wall
times mostly measure the wait for a core), and `ratio sequential/batch: X`.
Exit status 0 when the per-document/persistent target is met, else 1.
"""

from __future__ import annotations

import argparse
import os
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
from formgen.pdf.packet import write_documents  # noqa: E402
from formgen.pdf.persistent import (  # noqa: E402
    PersistentConverter,
    convert_documents,
    converter_count,
    converters,
    shutdown,
    uno_python,
)
from formgen.pdf.soffice import (  # noqa: E402
    _pdf_filter,
    convert_to_pdf,
    soffice_command,
    soffice_path,
    soffice_version,
)

TARGET_RATIO = 8.0


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


def children_cpu() -> float:
    """CPU seconds of the finished child processes (soffice calls and their soffice.bin)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def group_cpu(pgid: int) -> float:
    """CPU seconds so far of the running processes in process group ``pgid`` (the persistent LibreOffice)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def packet_figures(deal: str, repeat: int) -> dict:
    """Seconds (medians and runs) of the three ways to convert one packet's documents."""
    soffice = soffice_path()
    python = uno_python()
    if python is None:
        raise SystemExit(
            "no Python with LibreOffice's uno module (apt-get install python3-uno): "
            "the persistent converter cannot be measured"
        )
    packet = build(deal)
    methods = ["per_doc", "single", "persistent1", "persistent"]
    runs: dict[str, list[float]] = {m: [] for m in methods}
    cpu: dict[str, float] = {m: 0.0 for m in methods}
    with tempfile.TemporaryDirectory(prefix="formgen-bench-") as tmp:
        work = Path(tmp)
        docx = write_documents(packet, work / "docx")
        convert_to_pdf(docx[:1], work / "warm-up")  # makes the cached profile if there is none yet
        conv = PersistentConverter(python, soffice)
        pool_size = converter_count()
        try:
            start = timed(conv.convert, docx[:1], work / "start")  # start-up + one document
            convert_documents(docx[:pool_size], work / "start-pool")  # starts formgen's converters
            offices = lambda: [conv.office_pid] + [c.office_pid for c in converters(pool_size)]  # noqa: E731
            for i in range(repeat):
                for method in methods[i % 4 :] + methods[: i % 4]:
                    out = work / f"{method}-{i}"
                    out.mkdir()
                    before = children_cpu(), sum(group_cpu(pid) for pid in offices())
                    if method == "per_doc":
                        runs[method].append(timed(one_call_per_document, soffice, docx, out))
                    elif method == "single":
                        runs[method].append(timed(convert_to_pdf, docx, out))
                    elif method == "persistent1":
                        runs[method].append(timed(conv.convert, docx, out))
                    else:
                        runs[method].append(timed(convert_documents, docx, out))
                    cpu[method] += (children_cpu() - before[0]) + (sum(group_cpu(pid) for pid in offices()) - before[1])
        finally:
            conv.close()
            shutdown()
        pages = sum(len(PdfReader(work / "persistent-0" / f"{p.stem}.pdf").pages) for p in docx)
    return {
        "runs": runs,
        "cpu": {k: v / repeat for k, v in cpu.items()},
        "start": start,
        "converters": pool_size,
        "documents": len(docx),
        "pages": pages,
        "soffice": soffice,
        "version": soffice_version(soffice),
    }


def portfolio_figures(deals: int, jobs: int) -> tuple[float, float]:
    """(seconds of `batch --pdf` over ``deals`` deals, seconds of as many sequential `generate --pdf`)."""
    examples = sorted((REPO_ROOT / "examples").glob("*.yaml"))
    cli = [sys.executable, "-m", "formgen.cli.app"]
    with tempfile.TemporaryDirectory(prefix="formgen-bench-portfolio-") as tmp:
        work = Path(tmp)
        (work / "deals").mkdir()
        for i in range(deals):
            shutil.copy(examples[i % len(examples)], work / "deals" / f"deal_{i:03d}.yaml")
        started = time.perf_counter()
        subprocess.run(
            [*cli, "batch", str(work / "deals"), "-o", str(work / "batch"), "--pdf", "-j", str(jobs)],
            check=True,
            capture_output=True,
            cwd=REPO_ROOT,
        )
        batch = time.perf_counter() - started
        started = time.perf_counter()
        for path in sorted((work / "deals").iterdir()):
            subprocess.run(
                [*cli, "generate", str(path), "-o", str(work / "seq" / path.stem), "--pdf"],
                check=True,
                capture_output=True,
                cwd=REPO_ROOT,
            )
        sequential = time.perf_counter() - started
        made = len(list((work / "batch").glob("*/packet.pdf")))
        if made != deals:
            raise SystemExit(f"batch --pdf made {made} packets of {deals}")
    return batch, sequential


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("deal", nargs="?", default=str(REPO_ROOT / "examples" / "ca_medspa.yaml"))
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; the median is reported")
    parser.add_argument("--deals", type=int, default=20, help="deals in the portfolio comparison")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="batch workers")
    parser.add_argument("--no-portfolio", action="store_true", help="skip the batch / sequential comparison")
    args = parser.parse_args(argv)

    fig = packet_figures(args.deal, args.repeat)
    med = {k: statistics.median(v) for k, v in fig["runs"].items()}
    runs = lambda xs: ", ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    row = "  {:<62} {:>8}   {}"
    vtext = ".".join(map(str, fig["version"])) if fig["version"] else "unknown version"
    print(
        f"PDF conversion of {args.deal}: {fig['documents']} documents, {fig['pages']} pages; "
        f"LibreOffice {vtext} ({fig['soffice']}); median of {args.repeat} interleaved run(s)"
    )
    print(
        row.format(
            f"per-document soffice calls ({fig['documents']} calls, new profiles)",
            f"{med['per_doc']:.2f} s",
            f"runs: {runs(fig['runs']['per_doc'])}",
        )
    )
    print(
        row.format(
            "one soffice call per packet (cached profile)",
            f"{med['single']:.2f} s",
            f"runs: {runs(fig['runs']['single'])}",
        )
    )
    print(
        row.format(
            "one persistent converter (running)",
            f"{med['persistent1']:.2f} s",
            f"runs: {runs(fig['runs']['persistent1'])}; {med['persistent1'] / fig['documents']:.3f} s a document",
        )
    )
    print(
        row.format(
            f"persistent, as formgen runs it ({fig['converters']} converter(s) side by side)",
            f"{med['persistent']:.2f} s",
            f"runs: {runs(fig['runs']['persistent'])}",
        )
    )
    print(row.format("persistent converter start-up + first document", f"{fig['start']:.2f} s", "once per process"))
    ratio = med["per_doc"] / med["persistent"]
    print(f"ratio per-packet-call/persistent: {med['single'] / med['persistent']:.2f}")
    print(f"ratio per-document/one-persistent-converter: {med['per_doc'] / med['persistent1']:.2f}")
    print(
        f"ratio per-document/persistent: {ratio:.2f}   (target >= {TARGET_RATIO:.0f}: "
        f"{'met' if ratio >= TARGET_RATIO else 'NOT met'})"
    )
    c = fig["cpu"]
    print(
        f"  LibreOffice CPU seconds a packet (mean): per-document {c['per_doc']:.2f}, one call {c['single']:.2f}, "
        f"one persistent {c['persistent1']:.2f}, formgen's persistent {c['persistent']:.2f}"
    )
    print(f"ratio per-document/persistent (CPU): {c['per_doc'] / max(c['persistent'], 1e-9):.2f}")
    if not args.no_portfolio:
        batch, sequential = portfolio_figures(args.deals, args.jobs)
        print(
            row.format(
                f"batch --pdf, {args.deals} deals, {args.jobs} worker(s)",
                f"{batch:.1f} s",
                f"{batch / args.deals:.2f} s a deal",
            )
        )
        print(
            row.format(
                f"{args.deals} sequential generate --pdf runs",
                f"{sequential:.1f} s",
                f"{sequential / args.deals:.2f} s a deal",
            )
        )
        print(f"ratio sequential/batch: {sequential / batch:.2f}")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
