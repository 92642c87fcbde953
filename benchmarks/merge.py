"""Time the three-way merge per document and count the paragraph pairs it aligns.

    python benchmarks/merge.py [DEAL ...] [--repeat N]

For each example deal (default: every examples/*_medspa.yaml) every document of the packet is
built (base), edited as a lawyer would with python-docx (a sentence added to a paragraph in the
middle, a word of another made bold), and built again after a change of terms that reaches
every document (the effective date moves by a month; theirs). Then ``merge_documents(base,
ours, theirs)`` runs --repeat times per document. Printed per document: paragraphs, aligned
pairs (base-ours plus base-theirs), formgen changes merged, conflicts, median milliseconds;
then the totals and a ratio line: merge time per document / formgen's build time per document.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import docx  # noqa: E402

from formgen import build  # noqa: E402
from formgen.word.merge import merge_documents  # noqa: E402


def lawyer_edit(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p for p in document.paragraphs if len(p.text) > 80]
    if len(paragraphs) >= 2:
        paragraphs[len(paragraphs) // 2].add_run(" Counsel added this sentence.")
        run = paragraphs[len(paragraphs) // 3].runs[-1]
        words = run.text.split(" ")
        run.text = " ".join(words[:-1]) + " "
        paragraphs[len(paragraphs) // 3].add_run(words[-1]).bold = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deals", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    deals = args.deals or sorted((REPO_ROOT / "examples").glob("*_medspa.yaml"))
    times, pairs, build_times = [], [], []
    print(f"{'document':45} {'paras':>5} {'pairs':>5} {'merged':>6} {'confl':>5} {'ms':>7}")
    for deal in deals:
        start = time.perf_counter()
        base = build(deal)
        build_times.append((time.perf_counter() - start) / len(base.documents))
        with tempfile.TemporaryDirectory() as tmp:
            moved = Path(tmp) / deal.name
            moved.write_text(deal.read_text().replace("effective_date: 2027-01-01", "effective_date: 2027-02-01"))
            theirs = {d.spec.filename: d.data for d in build(moved).documents}
        for doc in base.documents:
            ours = lawyer_edit(doc.data)
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                merged = merge_documents(doc.data, ours, theirs[doc.spec.filename])
                runs.append(time.perf_counter() - start)
            report = merged.report
            times.append(statistics.median(runs))
            pairs.append(report["pairs"])
            print(
                f"{deal.stem + '/' + doc.spec.filename:45} {report['paragraphs']['base']:>5} {report['pairs']:>5} "
                f"{len(report['merged']):>6} {len(report['conflicts']):>5} {times[-1] * 1000:>7.1f}"
            )
    print(
        f"documents: {len(times)}; merge time per document: median {statistics.median(times) * 1000:.1f} ms, "
        f"max {max(times) * 1000:.1f} ms; aligned pairs per merge: median {statistics.median(pairs):.0f}, "
        f"max {max(pairs)}"
    )
    print(
        f"ratio: merge time / build time per document = {statistics.median(times) / statistics.median(build_times):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
