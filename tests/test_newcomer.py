"""The newcomer's path (issue 27): every error of a deal file in one pass, YAML mistakes explained,
state names read as codes, and a starter that validates clean but warns about its placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from formgen.inputs.library import Library
from conftest import EXAMPLES, run_cli

TX = EXAMPLES / "tx_medspa.yaml"


def tx_with(tmp_path: Path, *edits: tuple[str, str], name: str = "deal.yaml") -> Path:
    text = TX.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_of(path: Path) -> list:
    from formgen.errors import InputError
    import formgen

    with pytest.raises(InputError) as caught:
        formgen.validate(path)
    return caught.value.problems


def test_five_mistakes_are_reported_in_one_pass(tmp_path):
    deal = tx_with(
        tmp_path,
        ("effective_date: 2027-01-01", "effective_date: 03/01/2027"),  # a date not in ISO form
        ("  address: 2100 West Loop South, Suite 500", "  adress: 2100 West Loop South, Suite 500"),
        ("percent: 30, capital", "percent: 20, capital"),  # members sum to 90
        (
            "  entity_type: pllc                 # Texas: a PA or PLLC\n  formation_state: TX",
            "  entity_type: pllc                 # Texas: a PA or PLLC\n  formation_state: Texsa",
        ),
        ("{type: PA, state: TX, number: PA09876,", "{type: NP, state: TX, number: PA09876,"),
    )
    found = {(p.line, p.path): p.message for p in problems_of(deal)}
    assert set(found) == {
        (8, "deal.effective_date"),
        (13, "mso.adress"),
        (14, "mso.members"),
        (23, "practice.formation_state"),
        (33, "practice.owners[1].license.type"),
    }, found
    assert "write 2027-03-01" in found[(8, "deal.effective_date")]
    assert "did you mean 'address'" in found[(13, "mso.adress")]
    assert "sum to 90" in found[(14, "mso.members")]
    assert "did you mean TX (Texas)" in found[(23, "practice.formation_state")]
    assert "holds an NP license" in found[(33, "practice.owners[1].license.type")]
    result = run_cli("validate", str(deal))  # the same, as the user sees it: one run, five lines
    assert result.returncode == 1 and "5 problems" in result.stderr
    assert f"{deal}:33: practice.owners[1].license.type:" in result.stderr


def test_a_stand_in_value_never_makes_a_problem_of_its_own(tmp_path):
    """A bad fee basis is replaced by a stand-in to check the rest; the fee field rule, which reads
    the basis, must not then complain about the amount the file gave."""
    deal = tx_with(
        tmp_path, ("basis: cost_plus", "basis: cost_plus_fee"), ("percent: 30, capital", "percent: 20, capital")
    )
    paths = [p.path for p in problems_of(deal)]
    assert paths == ["mso.members", "fees.basis"]


def test_state_names_are_read_as_codes(tmp_path):
    from formgen.inputs.deal_loader import load_deal

    deal = load_deal(
        tx_with(
            tmp_path,
            ("state: TX\n  offers", "state: Texas\n  offers"),
            (
                "  formation_state: TX\n  address: 2100 West Loop South, Suite 510",
                "  formation_state: texas\n  address: 2100 West Loop South, Suite 510",
            ),
        )
    )
    assert deal.deal.state == "TX" and deal.practice.formation_state == "TX"
    result = run_cli("states", "Texas")
    assert result.returncode == 0 and "Texas (TX)" in result.stdout, result.stderr
    result = run_cli("states", "Texsa")
    assert result.returncode == 1 and "did you mean TX (Texas)" in result.stderr


@pytest.mark.parametrize(
    "text, hint",
    [
        ("deal:\n  name: X\n   state: CA\n", "line 3 starts after 3 spaces but the line above after 2"),
        ("deal:\n\tname: X\n", "line 2 holds a tab; YAML indents with spaces only"),
        ("deal:\n  name: X: Y\n", "a value holding ': ' must be in quotes: name: \"X: Y\""),
    ],
)
def test_yaml_mistakes_say_what_to_change(text, hint):
    from formgen.errors import InputError
    from formgen.inputs.deal_loader import parse_text

    with pytest.raises(InputError) as caught:
        parse_text(text, "deal.yaml")
    assert hint in str(caught.value)


def test_a_missing_texas_pllc_designation_is_an_error_on_its_line(tmp_path):
    deal = tx_with(tmp_path, ("name: Lone Star Aesthetic Medicine, PLLC", "name: Lone Star Aesthetic Medicine"))
    [problem] = problems_of(deal)
    line = next(
        n for n, text in enumerate(deal.read_text().splitlines(), 1) if "name: Lone Star Aesthetic Medicine" in text
    )
    assert (problem.line, problem.path) == (line, "practice.name") and "PLLC" in problem.message


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_starter_validates_clean_with_a_placeholder_warning_and_batch_builds_it(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    deal = deals / "new.yaml"
    result = run_cli("init", str(deal))
    assert result.returncode == 0, result.stderr
    assert (deals / "schema" / "deal.schema.json").exists() and not (deals / "deal.schema.json").exists()
    result = run_cli("validate", str(deal))
    assert result.returncode == 0, result.stderr
    assert ": no errors" in result.stdout and "ERROR" not in result.stdout
    assert "non_compete_provider" not in result.stdout  # the starter never asks for a provider non-compete
    assert "WARN  placeholder:" in result.stdout and "deal.name (line 8)" in result.stdout
    report = json.loads(run_cli("validate", str(deal), "--json").stdout)
    assert report["counts"]["error"] == 0 and {"path": "deal.name", "line": 8} in [
        {k: p[k] for k in ("path", "line")} for p in report["placeholders"]
    ]
    # a replaced value is no longer a placeholder
    deal.write_text(deal.read_text().replace("name: Example Aesthetics", "name: Harbor Aesthetics"))
    assert "deal.name (line 8)" not in run_cli("validate", str(deal)).stdout
    (deals / "old.schema.json").write_text("{}")  # any editor schema beside the deals is not a deal
    result = run_cli("batch", str(deals), "-o", str(tmp_path / "out"), "-j", "1", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [d["deal"] for d in json.loads(result.stdout)["deals"]] == [str(deal)]


# ---------------------------------------------------------------- output in a lawyer's words


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_explain_speaks_in_sentences_and_json_keeps_the_machine_form():
    result = run_cli("explain", str(EXAMPLES / "ca_medspa.yaml"))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "==" not in text and "and not" not in text and "service_ids" not in text
    assert "Fixed Monthly Fee: left out because the fee is not a fixed monthly amount." in text
    assert (
        "Non-Competition: left out and replaced by “Protection of Confidential Information and Trade Secrets”: "
        "California law prohibits it" in text
    )
    data = json.loads(run_cli("explain", str(EXAMPLES / "ca_medspa.yaml"), "--json").stdout)
    reasons = [c["reason"] for d in data["documents"] for c in d["clauses"]]
    assert "condition not met: fee_basis == 'fixed_monthly' and not fee_replaced_from" in reasons


def test_every_shipped_clause_condition_has_words():
    from formgen.cli.explainview import CONDITION_WORDS, condition_words
    from formgen.inputs.library import Library

    conditions = {c for clause in Library.shipped().clauses.clauses.values() for c in clause.meta.conditions}
    for condition in conditions:
        for holds in (True, False):
            assert "“" not in condition_words(condition, holds), f"no words for {condition!r}"
    assert set(CONDITION_WORDS) <= conditions  # no words kept for a condition the library dropped


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_explain_names_a_dated_required_clause_only_where_it_is_drafted(tmp_path):
    without_iv = tx_with(tmp_path, ("offers_iv_therapy: true", "offers_iv_therapy: false"))
    text = run_cli("explain", str(without_iv)).stdout
    assert "Elective Intravenous Therapy" not in text.split("\n\n")[0]
    assert "Elective Intravenous Therapy" in run_cli("explain", str(TX)).stdout.split("\n\n")[0]


def test_help_lists_commands_in_a_newcomers_order_with_whole_descriptions():
    text = run_cli("--help").stdout
    commands = text.split("Commands:")[1]
    order = [line.split()[0] for line in commands.splitlines() if line.startswith("  ") and not line.startswith("   ")]
    assert order[:4] == ["init", "validate", "generate", "explain"]
    assert "…" not in commands and "..." not in commands


def test_schema_markdown_is_a_field_reference():
    text = run_cli("schema", "--markdown").stdout
    assert text.startswith("# The deal file")
    assert "| `deal.state` | state: two-letter code or name (CA, TX, Texas) | required |" in text
    assert "## `practice.owners[]`" in text and "| `fees.basis` | one of: `fixed_monthly`" in text


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_generate_without_o_writes_to_out_deal_name_one_line_per_finding(tmp_path):
    deal = tmp_path / "glow.yaml"
    deal.write_text((EXAMPLES / "ca_medspa.yaml").read_text())
    result = run_cli("generate", str(deal), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "glow-aesthetics" / "msa.docx").exists()
    findings = [line for line in result.stdout.splitlines() if line.startswith(("  ERROR", "  WARN"))]
    assert (
        "  ERROR covenant.non_compete_provider (msa): msa.covenants.non_compete replaced by "
        "msa.covenants.confidentiality_only" in findings
    )
    assert all(len(line) < 160 for line in findings), findings
    verbose = run_cli("generate", str(deal), "-o", str(tmp_path / "v"), "--verbose").stdout
    assert "16600" in verbose and "16600" not in result.stdout


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_impact_within_lists_only_what_falls_due_in_the_window(tmp_path):
    import datetime as dt

    import formgen
    from formgen.folder.impact import impact

    deal = tmp_path / "or_old.yaml"
    deal.write_text(
        (EXAMPLES / "or_medspa.yaml").read_text().replace("effective_date: 2027-01-01", "effective_date: 2025-07-01")
    )
    formgen.generate(deal, tmp_path / "out" / "or_old")
    as_of = dt.date(2026, 12, 2)
    everything = impact(tmp_path / "out", as_of, Library.shipped())
    deadlines = sorted(c["deadline"] for r in everything for c in r.changes)
    assert deadlines and max(deadlines) >= "2029-01-01"
    soon = impact(tmp_path / "out", as_of, Library.shipped(), as_of + dt.timedelta(days=1))
    assert all(c["deadline"] <= "2026-12-03" for r in soon for c in r.changes)


def test_the_starter_shows_the_optional_filing_facts_commented_out_and_they_validate(tmp_path):
    """#23: `formgen init`'s file lists every `formation:` field, commented out with a line of help;
    uncommented as written, they are a valid deal."""
    from formgen.cli.starter import starter_text
    from formgen.inputs.deal import deal_json_schema, load_deal

    text = starter_text()
    block = text[text.index("# formation:") :]
    listed = set(re.findall(r"^#\s+([a-z_]+):", block, re.M))
    defs = deal_json_schema()["$defs"]
    fields = {*defs["Formation"]["properties"], *defs["EntityFiling"]["properties"]}
    assert fields <= listed, fields - listed
    first = {}
    for line in block.splitlines()[1:]:
        key = re.match(r"^#\s+([a-z_]+):", line)
        if key:
            first.setdefault(key.group(1), line)
    assert all("  # " in line for line in first.values()), first  # each field, where it first shows: a line of help
    deal = tmp_path / "filled.yaml"
    deal.write_text(text[: text.index("# formation:")] + re.sub(r"^# ", "", block, flags=re.M), encoding="utf-8")
    loaded = load_deal(deal)
    assert loaded.formation.practice.registered_agent == "Example Agent Services, Inc."
    assert loaded.formation.mso.organizer == "Alex Example" and loaded.formation.authorized_shares == 1000
