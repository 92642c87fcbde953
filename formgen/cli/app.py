"""The formgen command line: parse, call the library, print, exit.

Exit codes: 0 ok, 1 bad input, 2 usage, 3 compliance (``--strict`` or scan hits).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Draft first-pass MSO / medical-practice formation packets from a deal file.\n\n"
         "Examples:\n\n"
         "  formgen validate examples/ca_medspa.yaml\n\n"
         "  formgen generate examples/ca_medspa.yaml -o out/glow\n\n"
         "  formgen explain examples/ca_medspa.yaml\n\n"
         "  formgen states CA\n\n"
         "  formgen scan out/glow/msa.docx --state CA --json",
)

from .fast import finding_lines, validate_lines


def _show_version(value: bool) -> None:
    if value:
        from .._version import __version__

        typer.echo(f"formgen {__version__}")
        raise typer.Exit()


@app.callback()
def use_library(
    version: bool = typer.Option(False, "--version", help="Print formgen's version and exit.",
                                 callback=_show_version, is_eager=True),
    library: Optional[Path] = typer.Option(None, "--library", help="A folder holding clauses/, states/ "
                                           "(or state_overrides/) and templates/: a firm's own library. "
                                           "Also FORMGEN_LIBRARY."),
    clauses: Optional[Path] = typer.Option(None, "--clauses", help="A clause library folder (default: shipped)."),
    states: Optional[Path] = typer.Option(None, "--states", help="A state rules folder (default: shipped)."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="A Word templates folder (default: shipped)."),
) -> None:
    """Draft first-pass MSO / medical-practice formation packets from a deal file."""
    from ..library import use_library as _use

    _use(library=library, clauses=clauses, states=states, templates=templates)
POLICY_HELP = ("conservative (default): remove or replace terms whose lawfulness is conditional or unsettled; "
               "permissive: keep them where the law permits, with a note.")


def _policy(value: str) -> str:
    if value not in ("conservative", "permissive"):
        raise typer.BadParameter(f"'{value}' is not a policy; use conservative or permissive")
    return value


def _fail(exc: Exception) -> None:
    from ..errors import FormgenError, InputError

    if isinstance(exc, InputError):
        typer.echo(f"formgen: {len(exc.problems)} problem(s):", err=True)
    typer.echo(str(exc) if isinstance(exc, FormgenError) else f"formgen: {exc}", err=True)
    raise typer.Exit(getattr(exc, "exit_code", 1))


def _run(func, *args, **kwargs):
    from ..errors import FormgenError

    try:
        return func(*args, **kwargs)
    except FormgenError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        typer.echo("formgen: interrupted; nothing was replaced", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug: one line, traceback only on request
        if os.environ.get("FORMGEN_DEBUG"):
            raise
        typer.echo(f"formgen: internal error: {type(exc).__name__}: {exc} (set FORMGEN_DEBUG=1 for details)", err=True)
        raise typer.Exit(1) from None


def _print_findings(findings) -> None:
    for line in finding_lines(findings):
        typer.echo(line)


@app.command()
def validate(deal: Path = typer.Argument(..., help="The deal file (.yaml, .yml or .json)."),
             policy: str = typer.Option("conservative", "--policy", help=POLICY_HELP, callback=_policy)) -> None:
    """Check a deal file and the state's rules on ownership, entity form and name.

    Example: formgen validate examples/ca_medspa.yaml
    """
    from ..api import validate as _validate

    parsed, rules, findings = _run(_validate, deal, policy=policy)
    for line in validate_lines(deal, rules, findings):
        typer.echo(line)


@app.command()
def generate(
    deal: Path = typer.Argument(..., help="The deal file."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder (replaced atomically)."),
    strict: bool = typer.Option(False, "--strict", help="Any error finding: write nothing, exit 3."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write a PDF of each document and packet.pdf."),
    final: bool = typer.Option(False, "--final", help="With --pdf: no DRAFT watermark."),
    policy: str = typer.Option("conservative", "--policy", help=POLICY_HELP, callback=_policy),
) -> None:
    """Build the packet: every document as .docx, compliance.json and manifest.json.

    Example: formgen generate examples/ca_medspa.yaml -o out/glow
    """
    from ..api import generate as _generate

    packet = _run(_generate, deal, out, strict=strict, pdf=pdf, final=final, policy=policy)
    typer.echo(f"wrote {len(packet.documents)} documents to {out}/ for {packet.deal.deal.name} ({packet.rules.code})")
    for doc in packet.documents:
        typer.echo(f"  {doc.spec.filename}")
    counts = {s: sum(f.severity == s for f in packet.findings) for s in ("error", "warning", "info")}
    typer.echo(f"findings: {counts['error']} error, {counts['warning']} warning, {counts['info']} info "
               f"(details: {out}/compliance.json and compliance_memo.docx)")
    _print_findings([f for f in packet.findings if f.severity != "info"])
    if pdf:
        typer.echo(f"wrote a PDF of each document and {out}/packet.pdf" + ("" if final else " (DRAFT watermark)"))


@app.command()
def explain(deal: Path = typer.Argument(..., help="The deal file."),
            policy: str = typer.Option("conservative", "--policy", help=POLICY_HELP, callback=_policy)) -> None:
    """Show each document's clauses and why each is there, or was left out or replaced.

    Example: formgen explain examples/ca_medspa.yaml
    """
    from ..api import build

    packet = _run(build, deal, policy=policy)
    rules = packet.rules
    typer.echo(f"{packet.deal.deal.name}: {rules.name} rules ({', '.join(rules.source_files)}) in force on "
               f"{packet.deal.deal.effective_date.isoformat()}, {rules.policy} drafting policy")
    for line in rules.timeline:
        typer.echo(f"  dated rule {line}")
    for doc in packet.documents:
        typer.echo(f"\n{doc.spec.filename}")
        citations = {c.id: c.meta.citations for c in doc.plan.clauses}
        for d in doc.plan.decisions:
            mark = "+" if d.included else "-"
            cites = f" [implements: {'; '.join(citations[d.clause_id])}]" if citations.get(d.clause_id) else ""
            typer.echo(f"  {mark} {d.clause_id}@{d.version}: {d.reason}{cites}")


@app.command()
def states(code: Optional[str] = typer.Argument(None, help="A two-letter code for one jurisdiction in full.")) -> None:
    """List every jurisdiction's rules, or show one in full with citations.

    Examples: formgen states    formgen states OR
    """
    from .statesview import show_state, states_table

    typer.echo(_run(show_state, code) if code else _run(states_table))


@app.command()
def schema() -> None:
    """Print the JSON Schema of the deal file (for editor completion and validation).

    Example: formgen schema > deal.schema.json
    """
    from ..inputs.deal import deal_json_schema

    typer.echo(json.dumps(deal_json_schema(), indent=2, sort_keys=True))


@app.command()
def scan(
    files: list[Path] = typer.Argument(..., help=".docx or .txt files."),
    state: str = typer.Option("XX", "--state", help="The state whose rules set severity and citation."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Scan documents for payments computed from revenue, collections, income, profits or volume.

    Exit 0 when clean, 3 when something is found.
    Example: formgen scan out/glow/msa.docx --state CA --json
    """
    from ..scan.scanner import scan_files
    from ..inputs.states import load_state

    severity, citation = "error", ""  # no state named: report as the strictest state would
    if state.upper() != "XX":
        severity, rule = _run(load_state, state.upper()).scan_policy()
        citation = rule.citation
    results = _run(scan_files, files, severity=severity, citation=citation)
    hits = sum(len(r["findings"]) for r in results)
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for r in results:
            typer.echo(f"{r['file']}: {len(r['findings'])} finding(s)")
            for m in r["findings"]:
                typer.echo(f"  {m['severity']} {m['rule']} @{m['start']}-{m['end']}: {m['matched']}")
    raise typer.Exit(3 if hits else 0)


@app.command()
def lint(
    clauses: Optional[Path] = typer.Option(None, "--clauses", help="A clause library folder (default: the shipped one)."),
    templates: Optional[Path] = typer.Option(None, "--templates", help="A templates folder (default: the shipped one)."),
) -> None:
    """Check the clause library, the Word templates and the state rule files.

    Example: formgen lint    formgen lint --clauses my_clauses/
    """
    from ..lint import lint as _lint

    options = {k: v for k, v in (("clause_dir", clauses), ("template_dir", templates)) if v is not None}
    problems = _run(_lint, **options)
    if problems:
        typer.echo(f"formgen lint: {len(problems)} problem(s):", err=True)
        for p in problems:
            typer.echo(f"- {p}", err=True)
        raise typer.Exit(1)
    typer.echo("formgen lint: clause library, templates and state rules are consistent")


@app.command()
def regenerate(
    out: Path = typer.Argument(..., help="A packet folder written by formgen generate (holds manifest.json)."),
    deal: Optional[Path] = typer.Option(None, "--deal", help="Use this deal file instead of the recorded one."),
    force: bool = typer.Option(False, "--force", help="Replace hand-edited files (a copy of each is kept beside it)."),
) -> None:
    """Rebuild only the documents whose inputs changed, with the reasons, redlines and a change summary.

    Unchanged documents keep their bytes and modification time; nothing changed: nothing is
    written. Hand-edited files that would be replaced: nothing is written and exit 1, unless --force.
    Example: formgen regenerate out/glow --deal examples/ca_medspa.yaml
    """
    from ..folder.regen import regenerate as _regenerate
    from ..folder.regen import report_lines

    result = _run(_regenerate, out, deal, force=force)
    for line in report_lines(result):
        typer.echo(line)


@app.command()
def batch(
    deals: Path = typer.Argument(..., help="A folder of deal files (*.yaml, *.yml, *.json)."),
    out: Path = typer.Option(..., "-o", "--out", help="Output folder: one packet per deal at OUT/<deal file stem>/."),
    jobs: int = typer.Option(0, "-j", "--jobs", help="Worker processes (0: one per core)."),
    force: bool = typer.Option(False, "--force", help="Replace hand-edited files (a copy of each is kept)."),
    pdf: bool = typer.Option(False, "--pdf", help="Also write each packet's PDFs (one LibreOffice per worker, kept running)."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Build or regenerate one packet per deal file, on all cores; unchanged deals are skipped.

    A deal that fails is reported and the others still run; exit 1 if any failed.
    Example: formgen batch deals/ -o out/portfolio --json
    """
    from ..folder.batch import batch as _batch
    from ..folder.batch import summary_table

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
        result = _run(_batch, deals, out, jobs=jobs or None, force=force, pdf=pdf, on_progress=progress)
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(summary_table(result))
    raise typer.Exit(1 if result.failed else 0)


@app.command()
def impact(
    packets: Path = typer.Argument(..., help="A folder of packets (one per subfolder) or one packet."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Date to judge status by (YYYY-MM-DD; default today)."),
    within: Optional[int] = typer.Option(None, "--within", help="Only changes due within this many days of --as-of."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the packets a law change reaches: what it requires, the documents affected, and by when.

    Example: formgen impact out/portfolio --as-of 2026-12-01 --within 1200
    """
    import datetime as dt
    from dataclasses import asdict

    from ..folder.impact import impact as _impact
    from ..folder.impact import impact_lines

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"use YYYY-MM-DD (got {as_of})", param_hint="--as-of") from None
    horizon = day + dt.timedelta(days=within) if within is not None else None
    results = _run(_impact, packets, day, horizon)
    if as_json:
        typer.echo(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))
    else:
        for line in impact_lines(results, day):
            typer.echo(line)


def main() -> None:
    app()  # click exits 2 on usage errors; the commands exit 0, 1 or 3 themselves


if __name__ == "__main__":
    main()
