"""Fuzz formgen with thousands of generated deal files and count the crashes (target 0).

    python benchmarks/fuzz.py [--count 2000] [--jobs 2] [--seed N] [--save DIR]

The generator and the checker are those of tests/test_fuzz.py (CI runs a few hundred of the
same): deals start from examples/*.yaml and are mutated (hostile names and addresses, wrong
types, missing fields, huge numbers, percents that do not sum, odd dates and codes). A crash is
any exception other than ``InputError``, a deal that takes longer than --timeout seconds
(a hang), an ``InputError`` without a message, a .docx that
python-docx cannot open, or a document that does not hold the MSO's and practice's names as
typed. Half of the deals get only text mutations, so many of them build a whole packet.

Prints how many deals were refused (InputError), how many built a packet, and the crashes,
each distinct one once with a deal that shows it (saved under --save). Exit 0 when there are
no crashes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))


def _signature(problem: str) -> str:
    """A crash's kind, without the deal-specific text (to list each distinct crash once)."""
    return problem.split(" (got ")[0].split(": ", 2)[:2][-1][:120] if problem.startswith("crash") else problem[:60]


def run_job(job: int, count: int, seed: int, timeout: int = 60) -> dict:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    import test_fuzz as fz

    outcome = Counter()
    crashes: dict[str, dict] = {}
    work = Path(tempfile.mkdtemp(prefix=f"formgen-fuzz-{job}-"))

    def hang(signum, frame):
        raise TimeoutError(f"no answer within {timeout} s (a hang)")

    signal.signal(signal.SIGALRM, hang)

    @hypothesis_seed(seed + job)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(deal=st.one_of(fz.deals(), fz.deals(mutations=[fz._text_mutation])), as_json=st.booleans())
    def one(deal, as_json):
        if outcome["deals"] >= count:
            return
        outcome["deals"] += 1
        folder = Path(tempfile.mkdtemp(dir=work))
        signal.alarm(timeout)  # a hang is a crash too
        try:
            status, problem = fz.classify_deal(deal, folder, as_json)
        finally:
            signal.alarm(0)
        outcome[status] += 1
        if problem is not None:
            entry = crashes.setdefault(_signature(problem), {"count": 0, "problem": problem, "deal": deal})
            entry["count"] += 1
        shutil.rmtree(folder, ignore_errors=True)
        if outcome["deals"] % 250 == 0:
            print(f"  job {job}: {outcome['deals']}/{count}, {outcome['crash']} crash(es)", file=sys.stderr, flush=True)

    one()
    shutil.rmtree(work, ignore_errors=True)
    return {"outcome": dict(outcome), "crashes": crashes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="generated deals in all (default 2000)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--timeout", type=int, default=60, help="seconds one deal may take before it counts as a hang")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run (printed at the start)")
    parser.add_argument(
        "--save",
        type=Path,
        default=Path(tempfile.gettempdir()) / "formgen-fuzz-crashes",
        help="folder for one deal file per distinct crash",
    )
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    per_job = [args.count // args.jobs + (1 if i < args.count % args.jobs else 0) for i in range(args.jobs)]
    print(f"fuzz: {args.count} deals, {args.jobs} job(s), seed {seed}", flush=True)

    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_job, range(args.jobs), per_job, [seed] * args.jobs, [args.timeout] * args.jobs))
    elapsed = time.perf_counter() - start

    outcome = Counter()
    crashes: dict[str, dict] = {}
    for result in results:
        outcome.update(result["outcome"])
        for key, entry in result["crashes"].items():
            if key in crashes:
                crashes[key]["count"] += entry["count"]
            else:
                crashes[key] = entry
    print(
        f"deals: {outcome['deals']}  refused with InputError: {outcome['refused']}  "
        f"built a packet: {outcome['built']}  ({elapsed:.0f} s)"
    )
    print(f"crashes: {outcome['crash']}")
    if crashes:
        args.save.mkdir(parents=True, exist_ok=True)
        for index, (_key, entry) in enumerate(sorted(crashes.items(), key=lambda kv: -kv[1]["count"])):
            saved = args.save / f"crash-{index}.json"
            saved.write_text(json.dumps(entry["deal"], default=str, ensure_ascii=True, indent=2), encoding="utf-8")
            print(f"  {entry['count']:5d} x {entry['problem'][:300]}\n          e.g. {saved}")
    return 1 if outcome["crash"] else 0


if __name__ == "__main__":
    sys.exit(main())
