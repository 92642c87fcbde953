"""Precision and recall of `formgen review` on the labelled corpus (tests/fixtures/review/), per
category and overall, on a typed-numbered and a Word-numbered document; plus timings.

    python benchmarks/review.py [--errors]

Prints "ratio" lines: `ratio <name> <value>`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from formgen.scan.categories import CATEGORIES
from formgen.scan.corpus import load_corpus, score_typed, score_word

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    clauses = load_corpus(ROOT / "tests" / "fixtures" / "review")
    look_alikes = sum(not c.labels for c in clauses)
    print(f"corpus: {len(clauses)} clauses, {look_alikes} compliant look-alikes")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        typed = score_typed(clauses)
        word = score_word(clauses, Path(tmp) / "corpus.docx")
        elapsed = time.perf_counter() - started
    for name, result in (("typed", typed), ("word", word)):
        for category in CATEGORIES:
            precision, recall = result.ratios(category)
            print(f"ratio {name}.{category}.precision {precision:.3f}")
            print(f"ratio {name}.{category}.recall {recall:.3f}")
        precision, recall = result.ratios()
        print(f"ratio {name}.overall.precision {precision:.3f}")
        print(f"ratio {name}.overall.recall {recall:.3f}")
        print(f"ratio {name}.section_misplaced {result.misplaced}")
    print(f"seconds both documents {elapsed:.2f}")
    holdout = score_typed(load_corpus(ROOT / "tests" / "fixtures" / "review", ("holdout.yaml",)))
    precision, recall = holdout.ratios()
    print(f"ratio holdout.overall.precision {precision:.3f}")
    print(f"ratio holdout.overall.recall {recall:.3f}")
    if "--errors" in sys.argv:
        for kind, category, text in typed.errors + [("holdout " + k, c, t) for k, c, t in holdout.errors]:
            print(f"{kind} {category}: {text}")


if __name__ == "__main__":
    main()
