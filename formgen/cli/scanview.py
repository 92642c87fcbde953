"""``formgen scan``: files or folders in, hits by section out, exit 3 when something is found."""

from __future__ import annotations

from pathlib import Path

import typer

from .arguments import state_argument

from ..counts import plural
from .output import docx_line_sections, echo_json, section_at


def scan_targets(paths: list[Path]) -> list[Path]:
    """Folders stand for the .docx and .txt files directly in them (Word's ~$ lock files skipped)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix.lower() in (".docx", ".txt") and p.is_file()
                          and not p.name.startswith(("~$", ".")))
        else:
            out.append(path)
    return out


def _add_sections(path: Path, text: str, hits: list[dict]) -> None:
    """Each hit's "section": from the Word numbering styles, else a number typed in the text."""
    lines = None
    if path.suffix.lower() == ".docx":
        try:
            lines = docx_line_sections(path.read_bytes(), text)
        except Exception:  # noqa: BLE001 - already read once by the scanner; a label is a nicety
            lines = None
    for hit in hits:
        typed = section_at(text, hit["start"])
        hit["section"] = (lines[text.count("\n", 0, hit["start"])] if lines else "") or typed


def run_scan(files: list[Path], state: str, *, as_json: bool, runner) -> None:
    from ..inputs.states import load_state
    from ..scan.scanner import extract_text, scan_files

    severity, citation = "error", ""  # no state named: report as the strictest state would
    if state.upper() != "XX":
        severity, rule = runner(load_state, runner(state_argument, state)).scan_policy()  # TX or Texas
        citation = rule.citation
    targets = scan_targets(files)
    if not targets:
        typer.echo(f"formgen: no .docx or .txt files in {', '.join(map(str, files))}", err=True)
        raise typer.Exit(1)
    results = runner(scan_files, targets, severity=severity, citation=citation)
    for result, path in zip(results, targets):
        if result["findings"]:
            _add_sections(path, extract_text(path), result["findings"])
    hits = sum(len(r["findings"]) for r in results)
    if as_json:
        echo_json(results)
    else:
        for r in results:
            typer.echo(f"{r['file']}: {plural(len(r['findings']), 'finding')}")
            for m in r["findings"]:
                where = m["section"] or f"characters {m['start']}-{m['end']}"
                typer.echo(f"  {m['severity']} {m['rule']} in {where}: {m['matched']}")
    raise typer.Exit(3 if hits else 0)
