"""A non-compete rule that changed on a date is a law change like any other dated rule: `formgen impact`
finds the packets of the state it covers whose arrangements predate it, says by when it reaches them
(the renewal on or after its effective date), and points at the MSA's covenant and the memo's analysis."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import formgen
from conftest import EXAMPLES, run_cli
from formgen.inputs.law_changes import law_changes
from formgen.inputs.library import Library
from formgen.word.ooxml import docx_text
from test_law import with_changes

TEXAS = Library.shipped().state("TX")  # owner and provider covenant entries dated 2025-09-01 (S.B. 1318)


def covenant_changes(start: dt.date, initial_years: int = 5, renewal_years: int = 1):
    return [c for c in law_changes(TEXAS, start, initial_years, renewal_years) if c.section == "noncompete"]


def test_a_dated_covenant_entry_reaches_an_arrangement_made_before_it():
    changes = covenant_changes(dt.date(2024, 6, 1))
    assert {c.key for c in changes} == {"owner", "provider"}
    owner = next(c for c in changes if c.key == "owner")
    assert owner.effective == dt.date(2025, 9, 1)
    assert owner.deadline == dt.date(2029, 6, 1) and owner.basis == "applies on the renewal of the term"
    assert "15.50" in owner.citation and "five miles" in owner.requires and owner.verified is False
    assert owner.label == "non-compete rule (owner covenant, limited)"


def test_an_arrangement_made_under_the_new_covenant_law_is_not_reached():
    assert covenant_changes(dt.date(2025, 9, 1)) == [] and covenant_changes(dt.date(2027, 1, 1)) == []


def test_a_term_that_ends_before_the_change_is_not_reached():
    assert covenant_changes(dt.date(2020, 1, 1), initial_years=5, renewal_years=0) == []


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_impact_names_the_texas_packet_that_predates_sb_1318(tmp_path):
    deals = tmp_path / "deals"
    deals.mkdir()
    with_changes(EXAMPLES / "tx_medspa.yaml", deals / "tx_old.yaml", deal__effective_date="2024-06-01")
    with_changes(EXAMPLES / "tx_medspa.yaml", deals / "tx_new.yaml", deal__effective_date="2027-01-01")
    formgen.batch(deals, tmp_path / "out", jobs=1)
    result = run_cli("impact", str(tmp_path / "out"), "--as-of", "2026-12-07", "--json")
    assert result.returncode == 0, result.stderr
    report = {r["packet"]: r for r in json.loads(result.stdout)}
    assert "tx_new" not in report
    owner = next(c for c in report["tx_old"]["changes"] if c["section"] == "noncompete" and c["key"] == "owner")
    assert owner["deadline"] == "2029-06-01" and owner["status"] == "in force"
    covenant = next(a for a in owner["affects"] if a["clause"] == "msa.covenants.non_compete")
    assert covenant["document"] == "msa.docx" and covenant["section"].startswith("Section ")
    numbered = docx_text((tmp_path / "out" / "tx_old" / "msa.docx").read_bytes(), numbered=True)
    assert f"\n{covenant['section'].removeprefix('Section ')}\tNon-Competition." in numbered
    assert any(a["document"] == "compliance_memo.docx" for a in owner["affects"])
    provider = next(c for c in report["tx_old"]["changes"] if c["section"] == "noncompete" and c["key"] == "provider")
    assert [a["document"] for a in provider["affects"]] == ["compliance_memo.docx"]
    lines = run_cli("impact", str(tmp_path / "out"), "--as-of", "2026-12-07").stdout
    assert "non-compete rule (owner covenant, limited)" in lines and "revise msa.docx Section" in lines
