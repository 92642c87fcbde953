"""Time a portfolio: full build, no-op regeneration, and regeneration after one state file changes.

    python benchmarks/portfolio.py [--deals 200] [--jobs N] [--state TX] [--pdf] [--growth 100] [--keep]

Works on a temporary copy of the repository (formgen/, clauses/, templates/,
state_overrides/), so the state file it edits is the copy's, never the repo's. It writes
``--deals`` deal files spread over every jurisdiction (each deal uses its state's first
entity form and first name suffix, a licence type the state lets own the practice, and
varied names, fees, fee bases, services, terms and dates), then runs ``formgen batch`` as a
user would (a separate process, all cores) three times:

1. full build of every packet;
2. the same command again: nothing changed, every deal must be skipped;
3. after editing one state's override file (its summary, which the compliance memo prints):
   only that state's deals may be rebuilt.

Prints the three times, the time per deal and the peak memory (resident set of the largest
process of the batch: the parent, a worker, or with --pdf a worker's LibreOffice), and the
ratio no-op / full (target <= 0.05). ``--pdf`` makes every batch write the PDFs too (one
persistent LibreOffice per worker). ``--growth N`` first builds the first N deals alone and
prints how the time per deal grows from N to all (1.0 = linear). Exit status 0 when every check
and the target hold, else 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
COPY_DIRS = ("formgen", "clauses", "templates", "state_overrides")
TARGET_RATIO = 0.05

FIRST = [
    "Glow",
    "Radiant",
    "Luma",
    "Aura",
    "Velvet",
    "Harbor",
    "Summit",
    "Cedar",
    "Willow",
    "Bloom",
    "Serene",
    "Coastal",
    "Prairie",
    "Juniper",
    "Lotus",
    "Silver",
    "Golden",
    "Azure",
    "Ivy",
    "Maple",
]
SECOND = ["Skin", "Aesthetics", "Derma", "Renewal", "Beauty", "Wellness", "Laser", "Face", "Contour", "Youth"]
PEOPLE = [
    "Maya Chen",
    "Daniel Okafor",
    "Priya Raman",
    "Luis Ortega",
    "Hannah Weiss",
    "Omar Haddad",
    "Grace Kim",
    "Samuel Reyes",
    "Ava Thompson",
    "Noah Patel",
    "Elena Petrova",
    "Marcus Bell",
]
SERVICES = [
    "administrative",
    "payroll_hr",
    "marketing",
    "office_space_equipment",
    "scheduling_front_desk",
    "billing_collections",
    "vendor_supply",
    "it_systems",
    "bookkeeping_reporting",
    "staff_training",
]


def copy_repo(dest: Path) -> Path:
    for name in COPY_DIRS:
        shutil.copytree(REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def fee_for(i: int) -> dict:
    basis = ["fixed_monthly", "cost_plus", "hourly", "per_procedure", "fixed_monthly", "percentage_of_revenue"][i % 6]
    amount = {
        "fixed_monthly": ("monthly_amount", 18000 + 250 * i),
        "cost_plus": ("cost_plus_markup_percent", 8 + i % 12),
        "hourly": ("hourly_rate", 120 + i),
        "per_procedure": ("per_procedure_amount", 40 + i % 60),
        "percentage_of_revenue": ("percent_of_revenue", 8 + i % 10),
    }[basis]
    return {"basis": basis, amount[0]: amount[1], "fmv_review": "annual" if i % 3 else "biennial"}


def make_deal(i: int, code: str, rules, fee: dict) -> dict:
    brand = f"{FIRST[i % len(FIRST)]} {SECOND[(i // len(FIRST)) % len(SECOND)]} {i:03d}"
    form = rules.entity_forms[0]
    licence = rules.ownership.owner_license_types[0].value
    doctor = PEOPLE[i % len(PEOPLE)]
    investor = PEOPLE[(i + 5) % len(PEOPLE)]
    title = f"{doctor}, {'D.O.' if licence == 'DO' else 'M.D.'}"
    services = SERVICES[: 4 + i % 7]
    address = f"{100 + i} Main Street, Suite {200 + i % 50}, Springfield, {code} {10000 + i:05d}"
    deal = {
        "deal": {
            "name": brand,
            "state": code,
            "effective_date": (dt.date(2027, 1, 1) + dt.timedelta(days=7 * (i % 40))).isoformat(),
            "offers_iv_therapy": i % 4 == 0,
        },
        "mso": {
            "name": f"{brand} Management, LLC",
            "entity_type": "llc",
            "formation_state": code,
            "address": address,
            "members": [
                {"name": investor, "percent": 60, "capital_contribution": 100000 + 1000 * i},
                {
                    "name": f"{FIRST[(i + 3) % len(FIRST)]} Capital Partners, LLC",
                    "percent": 40,
                    "capital_contribution": 50000,
                },
            ],
            "signatory": {"name": investor, "title": "Managing Member"},
        },
        "practice": {
            "name": f"{brand} Medical, {form.suffixes[0]}",
            "entity_type": form.form.value,
            "formation_state": code,
            "address": address.replace("Suite", "Unit"),
            "owners": [
                {"name": title, "license": {"type": licence, "state": code, "number": f"L{i:06d}"}, "percent": 100}
            ],
            "medical_director": title,
            "signatory": {"name": title, "title": "President"},
        },
        "services": services,
        "fees": fee,
        "term": {"initial_years": 2 + i % 5, "renewal_years": 1, "termination_without_cause_days": 60 + 30 * (i % 6)},
    }
    if i % 2:
        deal["dispute_resolution"] = {"method": "courts", "venue": f"Springfield County, {rules.name}"}
    return deal


def write_portfolio(folder: Path, count: int) -> tuple[Counter, int]:
    """``count`` valid deal files in ``folder``; returns (deals per state, deals that needed a fixed fee)."""
    import yaml

    import formgen
    from formgen.inputs.deal import JURISDICTIONS
    from formgen.errors import InputError
    from formgen.inputs.library import Library

    folder.mkdir(parents=True)
    codes = sorted(JURISDICTIONS)
    per_state: Counter = Counter()
    fallbacks = 0
    i = 0
    while sum(per_state.values()) < count:
        code = codes[i % len(codes)]
        rules = Library.shipped().state(code)
        path = folder / f"{code.lower()}_{i:03d}.yaml"
        for fee in (fee_for(i), {"basis": "fixed_monthly", "monthly_amount": 20000 + 100 * i}):
            path.write_text(yaml.safe_dump(make_deal(i, code, rules, fee), sort_keys=False), encoding="utf-8")
            try:
                formgen.validate(path)
                per_state[code] += 1
                break
            except InputError:
                fallbacks += 1
        else:
            path.unlink()
        i += 1
        if i > count * 3:
            raise SystemExit(f"could not write {count} valid deals (got {sum(per_state.values())})")
    return per_state, fallbacks


PEAK_MB: list[float] = []  # peak resident set of each run_batch, MB


def run_batch(repo: Path, deals: Path, out: Path, jobs: int | None, pdf: bool = False) -> tuple[float, dict]:
    """Seconds and the --json result of one `formgen batch`; its peak memory goes to PEAK_MB."""
    env = {**os.environ, "PYTHONPATH": str(repo)}
    cmd = [sys.executable, "-m", "formgen.cli.app", "batch", str(deals), "-o", str(out), "--json"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    if pdf:
        cmd.append("--pdf")
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True, cwd=repo, env=env)
        # wait4: the rusage of the batch and every process it waited for (workers, LibreOffice).
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read()
    PEAK_MB.append(usage.ru_maxrss / 1024)
    if proc.returncode not in (0, 1) or not output.strip().startswith("{"):
        raise SystemExit(f"formgen batch failed ({proc.returncode}):\n{errors}\n{output[:2000]}")
    return seconds, json.loads(output)


def growth(repo: Path, deals: Path, tmp: Path, count: int, jobs: int | None, pdf: bool) -> float:
    """Seconds per deal of a full build of the first ``count`` deals alone."""
    subset = tmp / f"deals-first-{count}"
    subset.mkdir()
    for path in sorted(deals.iterdir())[:count]:
        shutil.copy(path, subset / path.name)
    seconds, result = run_batch(repo, subset, tmp / f"out-first-{count}", jobs, pdf)
    built = result["counts"]["built"]
    print(f"first {built} deals alone:  {seconds:7.2f} s  {seconds / built:.3f} s a deal  peak {PEAK_MB[-1]:.0f} MB")
    return seconds / built


def edit_state_file(path: Path) -> None:
    """A real change: the state's summary (printed in every compliance memo of that state)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["summary"] = data["summary"].rstrip() + " (Summary revised for the portfolio benchmark.)"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per core)")
    parser.add_argument("--state", default="TX", help="the state whose override file is edited")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print its path")
    parser.add_argument("--pdf", action="store_true", help="batch --pdf: PDFs too")
    parser.add_argument("--growth", type=int, default=0, help="also build the first N deals alone, for growth")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="formgen-portfolio-"))
    try:
        repo = copy_repo(tmp / "repo")
        sys.path.insert(0, str(repo))  # this process validates deals against the copy's rules
        deals, out = tmp / "deals", tmp / "out"
        per_state, fallbacks = write_portfolio(deals, args.deals)
        total = sum(per_state.values())
        print(
            f"portfolio: {total} deals in {len(per_state)} jurisdictions "
            f"({fallbacks} deal(s) fell back to a fixed fee to validate); jobs: {args.jobs or os.cpu_count()}"
        )

        ok = True
        small = growth(repo, deals, tmp, args.growth, args.jobs, args.pdf) if args.growth else None
        full, first = run_batch(repo, deals, out, args.jobs, args.pdf)
        print(
            f"full build:            {full:7.2f} s  {full / total:.3f} s a deal  peak {PEAK_MB[-1]:.0f} MB  "
            f"{first['counts']}"
        )
        if small:
            print(f"ratio per-deal time {total}/{args.growth} deals: {full / total / small:.2f}  (1.0 = linear)")
        ok &= first["counts"]["built"] == total

        noop, second = run_batch(repo, deals, out, args.jobs, args.pdf)
        print(f"no-op regeneration:    {noop:7.2f} s  {second['counts']}")
        ok &= second["counts"]["skipped"] == total

        code = args.state.upper()
        edit_state_file(repo / "state_overrides" / f"{code}.yaml")
        changed, third = run_batch(repo, deals, out, args.jobs, args.pdf)
        rebuilt = sorted(d["name"] for d in third["deals"] if d["status"] in ("regenerated", "unchanged", "built"))
        expected = sorted(p.stem for p in deals.iterdir() if p.stem.startswith(code.lower() + "_"))
        print(f"after editing {code}.yaml: {changed:7.2f} s  {third['counts']}")
        print(f"  rebuilt: {', '.join(rebuilt) or '(none)'}")
        docs = Counter(doc for d in third["deals"] for doc in d["documents"])
        print(f"  documents rewritten: {dict(docs) or '(none)'}")
        if rebuilt != expected:
            print(f"  UNEXPECTED: only {code}'s deals ({', '.join(expected)}) should have been rebuilt")
            ok = False
        ok &= third["counts"]["failed"] == 0

        ratio = noop / full
        print(
            f"ratio no-op / full:    {ratio:7.4f}  (target <= {TARGET_RATIO}) {'ok' if ratio <= TARGET_RATIO else 'MISSED'}"
        )
        ok &= ratio <= TARGET_RATIO
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
