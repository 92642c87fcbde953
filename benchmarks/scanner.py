"""Measure the text scanner on real contract clauses (CUAD fee spans).

    python benchmarks/scanner.py [--data PATH] [--verbose] [--half all|dev|holdout]

Recall is the share of ``core_positive`` spans flagged; the false-positive rate
is the share of ``negative`` spans flagged. Targets: recall >= 0.90 and
false-positive rate <= 0.05. The figures are also given for two halves split by
contract (near-identical clauses of one contract stay in one half), so rules
tuned on the "dev" half can be checked on the "holdout" half. Exit status 0
when the targets are met on the whole set, else 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from formgen.scan.scanner import scan_text  # noqa: E402

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data" / "cuad_fee_spans.jsonl"
TARGET_RECALL = 0.90
TARGET_FP_RATE = 0.05
SCORED_LABELS = ("core_positive", "negative")


def half_of(contract: str) -> str:
    """A stable split by contract name: about half the contracts are "dev", the rest "holdout"."""
    return "dev" if hashlib.sha256(contract.encode("utf-8")).digest()[0] % 2 == 0 else "holdout"


def load_spans(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(spans: list[dict]) -> dict:
    positives = [s for s in spans if s["label"] == "core_positive"]
    negatives = [s for s in spans if s["label"] == "negative"]
    missed = [s for s in positives if not s["flagged"]]
    false_hits = [s for s in negatives if s["flagged"]]
    recall = (len(positives) - len(missed)) / len(positives) if positives else 0.0
    fp_rate = len(false_hits) / len(negatives) if negatives else 0.0
    return {
        "positives": len(positives),
        "flagged_positives": len(positives) - len(missed),
        "negatives": len(negatives),
        "flagged_negatives": len(false_hits),
        "recall": recall,
        "fp_rate": fp_rate,
        "missed": missed,
        "false_hits": false_hits,
    }


def report_line(name: str, result: dict) -> str:
    return (
        f"{name:<8} recall {result['recall']:.3f} ({result['flagged_positives']}/{result['positives']} core_positive flagged)"
        f"   false-positive rate {result['fp_rate']:.3f} ({result['flagged_negatives']}/{result['negatives']} negative flagged)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"spans file (default {DEFAULT_DATA})")
    parser.add_argument("--verbose", action="store_true", help="print missed positives and false hits")
    parser.add_argument("--half", choices=("all", "dev", "holdout"), default="all", help="examples from this half only")
    parser.add_argument("--examples", type=int, default=10, help="how many examples of each kind with --verbose")
    args = parser.parse_args(argv)

    if not args.data.is_file():
        print(f"error: no data file at {args.data} (pass --data PATH)", file=sys.stderr)
        return 2
    spans = load_spans(args.data)
    for span in spans:
        span["half"] = half_of(span["contract"])
        span["flagged"] = bool(scan_text(span["text"])) if span["label"] in SCORED_LABELS else None

    overall = score(spans)
    print(f"data: {args.data}")
    print(report_line("all", overall))
    for half in ("dev", "holdout"):
        print(report_line(half, score([s for s in spans if s["half"] == half])))
    for label in ("broad_positive", "ambiguous"):  # unscored, for information
        group = [s for s in spans if s["label"] == label]
        flagged = sum(bool(scan_text(s["text"])) for s in group)
        print(f"(unscored) {label}: {flagged}/{len(group)} flagged")

    recall_ok = overall["recall"] >= TARGET_RECALL
    fp_ok = overall["fp_rate"] <= TARGET_FP_RATE
    print(
        f"targets: recall >= {TARGET_RECALL:.2f} {'MET' if recall_ok else 'NOT MET'}; "
        f"false-positive rate <= {TARGET_FP_RATE:.2f} {'MET' if fp_ok else 'NOT MET'}"
    )

    if args.verbose:
        chosen = overall if args.half == "all" else score([s for s in spans if s["half"] == args.half])
        for title, group in (("missed core_positive", chosen["missed"]), ("flagged negative", chosen["false_hits"])):
            print(f"\n{title} ({len(group)}, showing up to {args.examples}):")
            for span in group[: args.examples]:
                print(f"- [{span['half']}] {span['text'][:300]}")
    return 0 if recall_ok and fp_ok else 1


if __name__ == "__main__":
    sys.exit(main())
