"""``formgen review`` (and its fee-only alias ``formgen scan``): files or folders in, findings by section
out, optionally the review memo and redlines written to a folder; exit 3 when an error finding exists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from ..counts import plural
from ..errors import InputError, Problem
from ..scan.categories import CAPTIONS, CATEGORIES, FEE_CATEGORIES
from ..scan.review import FORMAT, Review, read_all, review_paragraphs
from .arguments import state_argument
from .output import echo_json
from .scanview import scan_targets


def parse_as_of(value: str | None) -> dt.date:
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date; use YYYY-MM-DD") from None


def write_outputs(reviews: list[Review], out: Path) -> list[Path]:
    """The memo (review_memo.docx) and, for each .docx with findings, <name>.redline.docx, in ``out``."""
    from ..scan.outputs import memo_docx, redline_docx  # lazy: python-docx costs ~0.3 s and only -o needs it

    out.mkdir(parents=True, exist_ok=True)
    written = [out / "review_memo.docx"]
    written[0].write_bytes(memo_docx(reviews))
    for review in reviews:
        source = Path(review.file)
        if source.suffix.lower() == ".docx" and review.findings:  # nothing to mark: no redline
            target = out / f"{source.stem}.redline.docx"
            target.write_bytes(redline_docx(source, review))
            written.append(target)
    return written


def run_review(
    files: list[Path],
    state: str,
    *,
    library,
    as_of: str | None,
    as_json: bool,
    out: Path | None,
    runner,
    fees_only: bool = False,
) -> None:
    categories = FEE_CATEGORIES if fees_only else CATEGORIES
    on = parse_as_of(as_of)
    targets = scan_targets(files)
    if not targets:
        runner(_nothing_to_review, files, as_json=as_json)
    paragraphs = runner(read_all, targets, as_json=as_json)  # unreadable files are reported before a bad --state
    rules = runner(library.state, runner(state_argument, state, as_json=as_json), as_json=as_json)  # TX or Texas
    clauses = runner(lambda: library.clauses, as_json=as_json)
    reviews = [
        review_paragraphs(read, file=str(path), rules=rules, as_of=on, library=clauses, categories=categories)
        for path, read in zip(targets, paragraphs)
    ]
    written = runner(write_outputs, reviews, out, as_json=as_json) if out is not None else []
    if as_json:
        echo_json(
            reviews[0].to_dict() if len(reviews) == 1 else {"format": FORMAT, "reviews": [r.to_dict() for r in reviews]}
        )
    else:
        for review in reviews:
            _print(review)
        for path in written:
            typer.echo(f"wrote {path}")
    raise typer.Exit(3 if any(f.severity == "error" for r in reviews for f in r.findings) else 0)


def _nothing_to_review(files: list[Path]) -> None:
    raise InputError([Problem(", ".join(map(str, files)), "", "no .docx or .txt files to review")])


def _print(review: Review) -> None:
    note = " (read as a memorandum)" if review.read_as == "memorandum" else ""
    typer.echo(f"{review.file}: {plural(len(review.findings), 'finding')}{note}")
    for f in review.findings:
        where = f.section or "unnumbered text"
        caption = f" ({f.caption})" if f.caption else ""
        typer.echo(f"  {f.severity} {f.category} in {where}{caption}: {CAPTIONS[f.category]}")
        typer.echo(f"    \u201c{f.quote[:300]}\u201d")
        typer.echo(f"    {f.citation}")
