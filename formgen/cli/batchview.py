"""``formgen batch``: the progress bar, the summary or JSON, and the exit code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from ..counts import plural
from ..folder.batch import STATUSES, BatchResult
from .output import JSON_FORMAT, echo_json
from .texttable import text_table


def packet_errors(out: str) -> int:
    """Error findings recorded in a packet's compliance.json (0 when it cannot be read)."""
    try:
        findings = json.loads((Path(out) / "compliance.json").read_text(encoding="utf-8"))["findings"]
        return sum(f.get("severity") == "error" for f in findings)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def run_batch(
    deals: Path, out: Path, *, library, jobs: int, force: bool, pdf: bool, strict: bool, as_json: bool, runner
) -> None:
    from ..folder.batch import batch as _batch  # lazy: only the command that runs loads its modules

    show_progress = not as_json and sys.stderr.isatty()  # quiet when stderr is not a terminal
    bars = []

    def progress(done: int, total: int, result) -> None:
        if not show_progress:
            return
        if not bars:
            bars.append(typer.progressbar(length=total, label="packets", file=sys.stderr))
            bars[0].__enter__()
        bars[0].update(1)

    try:
        result = runner(
            _batch, deals, out, library, jobs=jobs or None, force=force, pdf=pdf, on_progress=progress, as_json=as_json
        )
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    errors = {r.name: packet_errors(r.out) for r in result.results if r.status != "failed"}
    with_errors = sorted(name for name, n in errors.items() if n)
    if as_json:
        echo_json({"format": JSON_FORMAT, **result.to_dict(), "with_error_findings": with_errors})
    else:
        typer.echo(summary_table(result))
        if with_errors:
            typer.echo(f"error findings (terms replaced or removed) in: {', '.join(with_errors)}")
    if result.failed:
        raise typer.Exit(1)
    raise typer.Exit(3 if strict and with_errors else 0)


def summary_table(result: BatchResult) -> str:
    rows = [("deal", "status", "detail")]
    for r in result.results:
        detail = r.detail.splitlines()
        rows.append((r.name, r.status, (detail[0] if detail else "") + (" …" if len(detail) > 1 else "")))
    lines = text_table(rows)
    counts = ", ".join(f"{result.count(s)} {s}" for s in STATUSES)
    lines.append(f"{plural(len(result.results), 'deal')} in {result.seconds:.1f}s: {counts}")
    for r in result.failed:
        lines.append(f"\nfailed: {r.deal}\n" + "\n".join(f"  {line}" for line in r.detail.splitlines()))
    return "\n".join(lines)
