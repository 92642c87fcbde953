"""How long the commands people wait on take, against the bare imports of a docxtpl-based tool.

    python benchmarks/commands.py [--deal examples/ca_medspa.yaml] [--runs 7] [--build-runs 5]

1. Commands: the median wall time (``--runs`` interleaved runs after one warm-up each) of
   ``formgen validate`` after an edit (the deal file changes every run, so the answer cache
   misses; the library is unchanged), ``formgen explain DEAL`` (unchanged, and after an edit),
   ``formgen schema`` and ``formgen states TX``, each a new process, against
   ``python -c "import docxtpl, pydantic, typer, pypdf"`` timed in the same rounds.
   Targets: validate after an edit <= 1.0, explain <= 1.0, schema <= 0.6, states <= 0.6.
   explain, schema and states reuse an unchanged answer (cli/answer_cache.py); their computed
   times (FORMGEN_NO_CACHE=1, or explain after an edit) are printed too.
2. Build: ``formgen.build(deal)`` in process against bare docxtpl rendering the same templates
   with the same contexts (benchmarks/packet.py's measure). Target <= 0.8.

Prints the measured times and one "ratio" line per target. The machine may be shared: the
ratios, measured side by side, move less than the times. Exit status 0 when every target is met.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

TARGETS = {"validate after an edit": 1.0, "explain": 1.0, "explain after an edit": 1.0, "schema": 0.6, "states TX": 0.6}
# Printed beside them: the same commands computing their answer (the first run, or any change of
# formgen or the library), since explain, schema and states reuse an unchanged answer.
COLD = ("schema, computed", "states TX, computed")
BUILD_TARGET = 0.8
BARE_IMPORTS = [sys.executable, "-c", "import docxtpl, pydantic, typer, pypdf"]


def formgen() -> list[str]:
    return [sys.executable, "-m", "formgen"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], env: dict, before=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``cmd``."""
    if before is not None:
        before()
    cpu, start = children_cpu(), time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, cwd=REPO_ROOT, env=env)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.decode()[-800:]}")
    return elapsed, children_cpu() - cpu


def command_figures(deal: Path, runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each command and of the bare imports, interleaved round by round."""
    work = Path(tempfile.mkdtemp(prefix="formgen-bench-commands-"))
    # Bytecode is written as an installed wheel's is (pip compiles it); a shell with
    # PYTHONDONTWRITEBYTECODE set would otherwise compile formgen from source on every run.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {
        "FORMGEN_CACHE_DIR": str(work / "cache")
    }
    no_cache = {**env, "FORMGEN_NO_CACHE": "1"}
    edited, explained = work / deal.name, work / f"explained-{deal.name}"
    original = deal.read_text(encoding="utf-8")
    edits = iter(range(10**6))

    def edit() -> None:  # a comment that changes each run: new bytes, the same deal
        edited.write_text(f"{original}\n# edit {next(edits)}\n", encoding="utf-8")

    def edit_explained() -> None:
        explained.write_text(f"{original}\n# edit {next(edits)}\n", encoding="utf-8")

    cases = {
        "bare imports": (BARE_IMPORTS, None, env),
        "validate after an edit": ([*formgen(), "validate", str(edited)], edit, env),
        "explain": ([*formgen(), "explain", str(deal)], None, env),
        "explain after an edit": ([*formgen(), "explain", str(explained)], edit_explained, env),
        "schema": ([*formgen(), "schema"], None, env),
        "states TX": ([*formgen(), "states", "TX"], None, env),
        "schema, computed": ([*formgen(), "schema"], None, no_cache),
        "states TX, computed": ([*formgen(), "states", "TX"], None, no_cache),
    }
    try:
        for cmd, before, run_env in cases.values():
            run(cmd, run_env, before)  # warm-up: bytecode, the answer and compiled-template caches
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (cmd, before, run_env) in cases.items():
                times[name].append(run(cmd, run_env, before))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for name, t in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deal", type=Path, default=REPO_ROOT / "examples" / "ca_medspa.yaml")
    parser.add_argument("--runs", type=int, default=7, help="interleaved rounds of the commands")
    parser.add_argument("--build-runs", type=int, default=5, help="timed packet builds (0: skip the build)")
    args = parser.parse_args(argv)
    deal = args.deal.resolve()

    figures = command_figures(deal, args.runs)
    bare, bare_cpu = figures["bare imports"]
    print(
        f"commands: median of {args.runs} interleaved runs, each a new process ({deal.name}); "
        f"wall time, and CPU time (user + system, which a busy machine changes less)"
    )
    imports = 'python -c "import docxtpl, pydantic, typer, pypdf"'
    print(f"  {imports:<52} {bare * 1000:8.1f} ms wall {bare_cpu * 1000:8.1f} ms CPU")
    ok = True
    for name in (*TARGETS, *COLD):
        wall, cpu = figures[name]
        print(f"  {'formgen ' + name:<52} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU")
    for name, target in TARGETS.items():
        ratio, cpu_ratio = figures[name][0] / bare, figures[name][1] / bare_cpu
        ok &= ratio <= target
        print(
            f"ratio {name}/imports: {ratio:.2f}   (target <= {target}: {'met' if ratio <= target else 'MISSED'}; "
            f"CPU ratio {cpu_ratio:.2f})"
        )
    for name in COLD:
        print(f"ratio {name}/imports: {figures[name][0] / bare:.2f}   (CPU ratio {figures[name][1] / bare_cpu:.2f})")

    if args.build_runs:
        from packet import packet_figures

        packet = packet_figures(deal, args.build_runs)
        print(
            f"build: {packet['documents']} documents, median of {args.build_runs} runs: formgen.build "
            f"{packet['formgen'] * 1000:.1f} ms, bare docxtpl {packet['docxtpl'] * 1000:.1f} ms"
        )
        ok &= packet["ratio"] <= BUILD_TARGET
        print(
            f"ratio build/docxtpl: {packet['ratio']:.2f}   (target <= {BUILD_TARGET}: "
            f"{'met' if packet['ratio'] <= BUILD_TARGET else 'MISSED'})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
