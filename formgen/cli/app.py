"""The formgen command line: parse, call the library, print, exit.

Exit codes: 0 ok, 1 bad input, 2 usage, 3 compliance (``--strict``, or an error finding of review or scan).
Every message starts with ``formgen:`` once, added here. ``--json`` output: see output.py.
"""

from __future__ import annotations

import os

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..settings import Settings, using
from .helpview import NewcomerOrder
from .lines import counts, generate_lines, pdf_line, validate_lines, verdict
from .output import JSON_FORMAT, echo_json, findings_json, problems_json
from .arguments import default_out_name, state_argument
from .scanview import AsOfOpt, ReviewFiles, ReviewOut, StateOpt
from .starter import placeholder_lines, placeholders_json, placeholders_left

app = typer.Typer(
    cls=NewcomerOrder,
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Draft first-pass MSO / medical-practice formation packets from a deal file.\n\n"
    "Examples:\n\n"
    "  formgen init deal.yaml\n\n"
    "  formgen validate examples/ca_medspa.yaml\n\n"
    "  formgen generate examples/ca_medspa.yaml -o out/glow\n\n"
    "  formgen regenerate out/glow --deal examples/ca_medspa.yaml\n\n"
    "  formgen explain examples/ca_medspa.yaml\n\n"
    "  formgen states CA\n\n"
    "  formgen review their_msa.docx --state CA -o review/",
)

DealArg = Annotated[Path, typer.Argument(help="The deal file (.yaml, .yml or .json).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (stable; see README 'JSON output').")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Any error finding: write nothing, exit 3.")]
POLICY_HELP = (
    "conservative (default): remove or replace terms whose lawfulness is conditional or unsettled; "
    "permissive: keep them where the law permits, with a note."
)


def _policy(value: str) -> str:
    if value not in ("conservative", "permissive"):
        raise typer.BadParameter(f"'{value}' is not a policy; use conservative or permissive")
    return value


PolicyOpt = Annotated[str, typer.Option("--policy", help=POLICY_HELP, callback=_policy)]


def _esign(value: str) -> str:
    if value not in ("none", "docusign", "dropbox-sign"):
        raise typer.BadParameter(f"'{value}' is not an e-signature service; use none, docusign or dropbox-sign")
    return value


def _message(exc: Exception) -> str:
    from ..errors import InputError  # lazy: only the command that runs loads its modules

    if isinstance(exc, InputError):
        from ..counts import plural  # lazy: only the command that runs loads its modules

        return f"{plural(len(exc.problems), 'problem')}:\n{exc}"
    return str(exc).removeprefix("formgen: ")  # a few library messages still carry it


def _run(func, *args, as_json: bool = False, **kwargs):
    from ..errors import FormgenError  # lazy: only the command that runs loads its modules

    try:
        return func(*args, **kwargs)
    except FormgenError as exc:
        if as_json:
            echo_json(problems_json(exc))
        typer.echo(f"formgen: {_message(exc)}", err=True)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        typer.echo("formgen: interrupted; nothing was replaced", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug: one line, traceback only on request
        if os.environ.get("FORMGEN_DEBUG"):
            raise
        typer.echo(f"formgen: internal error: {type(exc).__name__}: {exc} (set FORMGEN_DEBUG=1 for details)", err=True)
        raise typer.Exit(1) from None


def _tell_waiting(message: str) -> None:
    """Another command holds the packet's lock: say so on stderr while waiting for it."""
    typer.echo(f"formgen: {message}", err=True)


def _version(value: bool) -> None:
    if value:
        from .._version import __version__  # lazy: only the command that runs loads its modules

        typer.echo(f"formgen {__version__}")
        raise typer.Exit()


@app.callback()
def use_library(
    ctx: typer.Context,
    version: Annotated[
        Optional[bool],
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Print formgen's version and exit."),
    ] = None,
    library: Annotated[
        Optional[Path],
        typer.Option(
            "--library",
            help="A folder holding clauses/, states/ "
            "(or state_overrides/) and templates/: a firm's own library. "
            "Also FORMGEN_LIBRARY.",
        ),
    ] = None,
    clauses: Annotated[
        Optional[Path], typer.Option("--clauses", help="A clause library folder (default: shipped).")
    ] = None,
    states: Annotated[Optional[Path], typer.Option("--states", help="A state rules folder (default: shipped).")] = None,
    templates: Annotated[
        Optional[Path], typer.Option("--templates", help="A Word templates folder (default: shipped).")
    ] = None,
) -> None:
    """Draft first-pass MSO / medical-practice formation packets from a deal file."""
    from .environment import library_from  # lazy: only the command that runs loads its modules

    # The machine's settings (LibreOffice, SOURCE_DATE_EPOCH, the cache) hold until the command ends.
    ctx.with_resource(using(_run(Settings.from_environment, os.environ)))
    ctx.obj = library_from(os.environ, library=library, clauses=clauses, states=states, templates=templates)


def _library(ctx: typer.Context):
    """The library this command drafts from (built from the options and environment by the callback)."""
    return ctx.find_root().obj


def _strict_exit(findings, strict: bool) -> None:
    if strict and any(f.severity == "error" for f in findings):
        raise typer.Exit(3)


@app.command()
def validate(
    ctx: typer.Context,
    deal: DealArg,
    strict: StrictOpt = False,
    policy: PolicyOpt = "conservative",
    as_json: JsonOpt = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Compute afresh, not reusing the answer for unchanged inputs.")
    ] = False,
) -> None:
    """Run every check generate runs (deal, state, clause and fee rules) without writing.

    Reports the same findings, with the same severities, that generate records; exit 1 for bad
    input, 3 with --strict when there is an error finding, else 0. A plain run reuses the answer
    when the deal, formgen and its library are unchanged (FORMGEN_NO_CACHE=1 turns that off).
    Example: formgen validate examples/ca_medspa.yaml
    """
    from ..api import validate as _validate  # lazy: only the command that runs loads its modules

    del no_cache  # only a plain `formgen validate DEAL` (fast.py) reuses answers; here it is always fresh
    parsed, rules, findings = _run(_validate, deal, policy=policy, library=_library(ctx), as_json=as_json)
    if as_json:
        echo_json(
            {
                "format": JSON_FORMAT,
                "ok": not (strict and counts(findings)["error"]),
                "deal": str(deal),
                "state": rules.code,
                "state_name": rules.name,
                "counts": counts(findings),
                "summary": verdict(findings, strict),
                "findings": findings_json(findings),
                "placeholders": placeholders_json(deal),
            }
        )
    else:
        for line in validate_lines(deal, parsed.deal.name, rules, findings, strict):
            typer.echo(line)
    _strict_exit(findings, strict)


@app.command()
def generate(
    ctx: typer.Context,
    deal: DealArg,
    out: Annotated[
        Optional[Path],
        typer.Option(
            "-o", "--out", help="Output folder: new, empty, or a packet formgen wrote (default: out/<deal name>)."
        ),
    ] = None,
    strict: StrictOpt = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write even where documents were edited by hand or "
            "files are not formgen's: they are kept (edited documents as "
            "<name>.edited-<hash>.docx).",
        ),
    ] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write a PDF of each document and packet.pdf.")] = False,
    final: Annotated[bool, typer.Option("--final", help="With --pdf: no DRAFT watermark.")] = False,
    policy: PolicyOpt = "conservative",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each finding's whole text and citation.")
    ] = False,
    as_json: JsonOpt = False,
    esign: Annotated[
        str,
        typer.Option(
            "--esign",
            callback=_esign,
            help="none (default), docusign or dropbox-sign: put that service's "
            "anchor text (white, 1-point) on every signature, date and initials "
            "line of the signature packets (closing/).",
        ),
    ] = "none",
) -> None:
    """Build the packet: every document as .docx, the closing set (closing/), compliance.json and manifest.json.

    Writes only into a new or empty folder or a packet formgen wrote; stops (exit 1, naming the
    files) where a document was edited by hand or a file is not formgen's, unless --force.
    Prints one line per finding (--verbose: the whole text); the memo and compliance.json hold them all.
    Example: formgen generate examples/ca_medspa.yaml -o out/glow
    """
    from ..api import generate as _generate  # lazy: only the command that runs loads its modules

    if out is None:
        out = Path("out") / _run(default_out_name, deal, as_json=as_json)
    packet = _run(
        _generate,
        deal,
        out,
        library=_library(ctx),
        strict=strict,
        pdf=pdf,
        final=final,
        force=force,
        policy=policy,
        on_wait=_tell_waiting,
        esign=esign,
        as_json=as_json,
    )
    if as_json:
        echo_json(
            {
                "format": JSON_FORMAT,
                "ok": True,
                "deal": str(deal),
                "out": str(out),
                "state": packet.rules.code,
                "documents": [d.spec.filename for d in packet.documents],
                "pdf": pdf,
                "kept": packet.kept,
                "counts": counts(packet.findings),
                "summary": verdict(packet.findings, strict),
                "findings": findings_json(packet.findings),
                "placeholders": placeholders_json(deal),
            }
        )
        return
    for line in generate_lines(packet, out, pdf=pdf, final=final, verbose=verbose, esign=esign):
        typer.echo(line)
    for line in placeholder_lines(deal, placeholders_left(deal)):
        typer.echo(line)


@app.command()
def explain(ctx: typer.Context, deal: DealArg, policy: PolicyOpt = "conservative", as_json: JsonOpt = False) -> None:
    """Say why each clause is in each document, or was left out or replaced, in a sentence.

    --json gives each clause's id, version and the planner's own reason.
    Example: formgen explain examples/ca_medspa.yaml
    """
    from ..api import plan  # lazy: only the command that runs loads its modules
    from .explainview import explain_json, explain_lines  # lazy: only the command that runs loads its modules

    packet = _run(plan, deal, policy=policy, library=_library(ctx), as_json=as_json)
    if as_json:
        echo_json(explain_json(packet, deal))
        return
    for line in explain_lines(packet, packet.library.clauses):
        typer.echo(line)


@app.command()
def states(
    ctx: typer.Context,
    code: Annotated[
        Optional[str],
        typer.Argument(help="A two-letter code or a state's name (OR, Oregon) for one jurisdiction in full."),
    ] = None,
    sources: Annotated[
        bool, typer.Option("--sources", help="Also print each rule's research notes and the source read.")
    ] = False,
) -> None:
    """List every jurisdiction's rules, or show one in full with citations.

    Examples: formgen states    formgen states OR    formgen states Texas    formgen states FL --sources
    """
    from .statesview import show_state, states_table  # lazy: only the command that runs loads its modules

    if code:
        code = _run(state_argument, code)
    typer.echo(_run(show_state, _library(ctx), code, sources) if code else _run(states_table, _library(ctx)))


@app.command()
def schema(
    markdown: Annotated[
        bool,
        typer.Option(
            "--markdown", help="A field reference to read: one table per section, what each field takes and means."
        ),
    ] = False,
) -> None:
    """Print the deal file's fields: JSON Schema for editors, or --markdown for people.

    Example: formgen schema > deal.schema.json, then start the deal file with
    # yaml-language-server: $schema=deal.schema.json
    Example: formgen schema --markdown > deal-fields.md
    """
    from ..inputs.deal_schema import deal_json_schema  # lazy: only the command that runs loads its modules

    import json  # lazy: only the command that runs loads its modules

    if markdown:
        from .schemaview import schema_markdown  # lazy: only the command that runs loads its modules

        typer.echo(schema_markdown(deal_json_schema()), nl=False)
        return
    typer.echo(json.dumps(deal_json_schema(), indent=2, sort_keys=True, ensure_ascii=False))


@app.command()
def init(
    deal: Annotated[Path, typer.Argument(help="The deal file to create (.yaml).")] = Path("deal.yaml"),
) -> None:
    """Start a deal file from a commented template (and schema/deal.schema.json for editors).

    Never overwrites: an existing file is left alone and the command exits 1.
    Example: formgen init glow.yaml
    """
    from .starter import write_starter  # lazy: only the command that runs loads its modules

    written = _run(write_starter, deal)
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"next: replace the values marked placeholder in {deal}, then formgen validate {deal}")


@app.command()
def review(
    ctx: typer.Context,
    files: ReviewFiles,
    state: StateOpt,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    out: ReviewOut = None,
) -> None:
    """Review contracts formgen did not write against the state's control and fee rules, section by section.

    Severity follows the state's law as of --as-of. Exit 0 when no error finding, 3 when one exists.
    Example: formgen review their_msa.docx --state CA --as-of 2026-06-01 -o review/"""
    from .reviewview import run_review  # lazy: only the command that runs loads its modules

    run_review(files, state, library=_library(ctx), as_of=as_of, as_json=as_json, out=out, runner=_run)


@app.command()
def scan(
    ctx: typer.Context, files: ReviewFiles, state: StateOpt = "XX", as_of: AsOfOpt = None, as_json: JsonOpt = False
) -> None:
    """`formgen review` limited to the fee categories (percentage, per-unit and referral fees).
    Exit 0 when no error finding, 3 when one exists. Example: formgen scan out/glow --state CA --json"""
    from .reviewview import run_review  # lazy: only the command that runs loads its modules

    run_review(files, state, library=_library(ctx), as_of=as_of, as_json=as_json, out=None, runner=_run, fees_only=True)


@app.command()
def lint(
    ctx: typer.Context,
    packet: Annotated[
        Optional[Path],
        typer.Argument(
            help="A packet folder: check that its documents, as they are on disk, state shared terms the same way."
        ),
    ] = None,
    clauses: Annotated[
        Optional[Path], typer.Option("--clauses", help="A clause library folder (default: the shipped one).")
    ] = None,
    templates: Annotated[
        Optional[Path], typer.Option("--templates", help="A templates folder (default: the shipped one).")
    ] = None,
) -> None:
    """Check the clause library, the Word templates and the state rule files; or, given a packet
    folder, that its documents state the parties, the Effective Date and the succession terms alike.

    Example: formgen lint    formgen lint --clauses my_clauses/    formgen lint out/glow
    """
    from .lintview import lint_check, print_lint  # lazy: only the command that runs loads its modules

    check, passed = lint_check(packet, _library(ctx), clauses, templates)
    print_lint(_run(check), passed)


@app.command()
def regenerate(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help="A packet folder written by formgen generate (holds manifest.json).")],
    deal: Annotated[
        Optional[Path], typer.Option("--deal", help="Use this deal file instead of the recorded one.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace hand-edited files (a copy of each is kept beside it).")
    ] = False,
    no_merge: Annotated[
        bool, typer.Option("--no-merge", help="Do not merge hand-edited documents: refuse, or --force.")
    ] = False,
    author: Annotated[
        Optional[str], typer.Option("--author", help="Name on the redlines' revisions (default: your user name).")
    ] = None,
    pdf: Annotated[
        bool,
        typer.Option(
            "--pdf",
            help="Also write a PDF of each document and packet.pdf, from the "
            ".docx files the folder holds; the table of contents gets its page numbers.",
        ),
    ] = False,
    final: Annotated[bool, typer.Option("--final", help="With --pdf: no DRAFT watermark.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Rebuild only the documents whose inputs changed, with the reasons, redlines and a change summary.

    Unchanged documents keep their bytes and modification time; nothing changed: nothing is
    written. A hand-edited document formgen changes too is merged: your edits stay, formgen's
    changes are tracked changes, a paragraph both changed gets a comment. With --no-merge,
    hand-edited files that would be replaced: nothing is written and exit 1, unless --force.
    Executed documents (mark-executed) are not rewritten: an amendment is written instead.

    Example: formgen regenerate out/glow --deal examples/ca_medspa.yaml
    """
    from ..api import regenerate as _regenerate  # lazy: only the command that runs loads its modules
    from ..folder.regen import report_lines  # lazy: only the command that runs loads its modules

    result = _run(
        _regenerate,
        out,
        deal,
        library=_library(ctx),
        force=force,
        merge=not no_merge,
        author=author,
        pdf=pdf,
        final=final,
        as_json=as_json,
        on_wait=_tell_waiting,
    )
    if as_json:
        echo_json({"format": JSON_FORMAT, "ok": True, **result.to_dict(), "pdf": pdf})
        return
    for line in report_lines(result, pdf):
        typer.echo(line)
    if pdf:
        typer.echo(pdf_line(out, final))


@app.command("mark-executed")
def mark_executed(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="A packet folder written by formgen generate."),
    documents: Optional[list[str]] = typer.Argument(
        None, help="Documents signed (e.g. msa, officer_certificate.practice); default: every agreement."
    ),
    date: Optional[str] = typer.Option(None, "--date", help="Date signed, YYYY-MM-DD (default: the Effective Date)."),
) -> None:
    """Record that documents were signed (and when); the closing checklist shows them as executed,
    and regenerate then writes amendments instead of new versions.

    Example: formgen mark-executed out/glow msa --date 2027-01-15
    """
    from ..api import mark_executed as _mark  # lazy: only the command that runs loads its modules

    for record in _run(_mark, out, documents or None, date=date, library=_library(ctx), on_wait=_tell_waiting):
        typer.echo(f"  {record['file']}: executed on {record['date']}")


@app.command()
def closing(
    out: Annotated[Path, typer.Argument(help="A packet folder written by formgen generate.")], as_json: JsonOpt = False
) -> None:
    """List the closing set: each document in signing order with its signers and status, and the signature packets.

    Example: formgen closing out/glow --json
    """
    from ..api import closing as _closing  # lazy: only the command that runs loads its modules
    from ..folder.closing_status import closing_lines  # lazy: only the command that runs loads its modules

    status = _run(_closing, out, as_json=as_json)
    if as_json:
        echo_json({"format": JSON_FORMAT, "ok": True, **status})
        return
    for line in closing_lines(status):
        typer.echo(line)


@app.command()
def batch(
    ctx: typer.Context,
    deals: Annotated[Path, typer.Argument(help="A folder of deal files (*.yaml, *.yml, *.json).")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="Output folder: one packet per deal at OUT/<deal file stem>/.")
    ],
    jobs: Annotated[int, typer.Option("-j", "--jobs", help="Worker processes (0: one per core).")] = 0,
    force: Annotated[bool, typer.Option("--force", help="Replace hand-edited files (a copy of each is kept).")] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit 3 when any packet has an error finding "
            "(the packets are still written; check them with formgen validate --strict).",
        ),
    ] = False,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also write each packet's PDFs (one LibreOffice per worker, kept running).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Build or regenerate one packet per deal file, on all cores; unchanged deals are skipped.

    A deal that fails is reported and the others still run; exit 1 if any failed.
    Example: formgen batch deals/ -o out/portfolio --json
    """
    from .batchview import run_batch  # lazy: only the command that runs loads its modules

    run_batch(
        deals, out, library=_library(ctx), jobs=jobs, force=force, pdf=pdf, strict=strict, as_json=as_json, runner=_run
    )


@app.command()
def impact(
    ctx: typer.Context,
    packets: Annotated[Path, typer.Argument(help="A folder of packets (one per subfolder) or one packet.")],
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", help="Date to judge status by (YYYY-MM-DD; default today).")
    ] = None,
    within: Annotated[
        Optional[int], typer.Option("--within", help="Only changes due within this many days of --as-of.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the packets a law change reaches: what it requires, the documents affected, and by when.

    Example: formgen impact out/portfolio --as-of 2026-12-01 --within 1200
    """
    import datetime as dt  # lazy: only the command that runs loads its modules
    from dataclasses import asdict  # lazy: only the command that runs loads its modules

    from ..folder.impact import impact as _impact  # lazy: only the command that runs loads its modules
    from ..folder.impact import impact_lines  # lazy: only the command that runs loads its modules

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise typer.BadParameter(f"use YYYY-MM-DD (got {as_of})", param_hint="--as-of") from None
    horizon = day + dt.timedelta(days=within) if within is not None else None
    results = _run(_impact, packets, day, _library(ctx), horizon)
    if as_json:
        echo_json([asdict(r) for r in results])
    else:
        for line in impact_lines(results, day):
            typer.echo(line)


@app.command()
def serve(
    port: int = typer.Option(8000, "--port", help="TCP port."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (loopback by default)."),
    library: Optional[Path] = typer.Option(
        None, "--library", help="A library folder (clauses/, state_overrides/, templates/)."
    ),
    drafts: Optional[Path] = typer.Option(
        None, "--drafts", help="Where drafts are kept (default ~/.local/share/formgen/drafts)."
    ),
) -> None:
    """The web interview in a browser: the state's rules live, preview, the packet as a zip. Example: formgen serve"""
    from ..web.serve import serve as _serve  # lazy: only the command that runs loads its modules

    from .environment import library_from  # lazy: only the command that runs loads its modules

    _run(_serve, host=host, port=port, library=library_from(os.environ, library=library), drafts=drafts)


def main() -> None:
    app()  # click exits 2 on usage errors; the commands exit 0, 1 or 3 themselves


if __name__ == "__main__":
    main()
