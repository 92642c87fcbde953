"""Every jurisdiction: its rules load, and a packet for a deal there builds and is compliant."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

import formgen
from conftest import EXAMPLES, run_cli
from formgen.inputs.deal import JURISDICTIONS
from formgen.word.ooxml import docx_text
from formgen.scan.scanner import scan_text
from formgen.markup import library_prose
from formgen.drafting.packet import memo_citation
from formgen.inputs.library import Library

pytestmark = pytest.mark.slow  # slow tier: a packet for each of the 51 jurisdictions


def deal_for(code: str, tmp_path: Path) -> Path:
    """The CA example moved to ``code``: the practice takes that state's first entity form and suffix."""
    rules = Library.shipped().state(code)
    form = rules.entity_forms[0]
    data = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text())
    data["deal"]["state"] = code
    data["mso"]["formation_state"] = code
    practice = data["practice"]
    practice.update(
        entity_type=form.form.value, formation_state=code, name=f"Glow Aesthetic Medicine {form.suffixes[0]}"
    )
    practice["owners"][0]["license"]["state"] = code
    path = tmp_path / f"{code.lower()}_deal.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_all_51_jurisdictions_have_a_rules_file():
    result = run_cli("states")
    assert result.returncode == 0, result.stderr
    for code in JURISDICTIONS:
        assert f"\n{code} " in result.stdout
    assert "51 jurisdictions" in result.stdout


@pytest.mark.parametrize("code", sorted(JURISDICTIONS))
def test_packet_builds_and_complies_in(code, tmp_path):
    from docx import Document

    rules = Library.shipped().state(code)
    packet = formgen.build(deal_for(code, tmp_path))
    if not rules.researched:
        assert any(f.rule == "state.not_researched" for f in packet.findings)
    for doc in packet.documents:
        Document(io.BytesIO(doc.data))  # every document opens
        text = docx_text(doc.data)  # and prints no machinery: template syntax, straight quotes, "P.A.."
        for leak in ("{{", "{%", '"', ".."):
            assert leak not in text.replace("...", ""), f"{code} {doc.spec.filename}: prints {leak!r}"
    msa = next(d for d in packet.documents if d.spec.name == "msa")
    msa_text = docx_text(msa.data)
    if rules.fee_treatment("percentage_of_revenue") == "forbidden":
        assert scan_text(msa_text) == [], f"{code}: a revenue-based fee survived in the MSA"
        # the finding's severity follows the law: an error only where the law prohibits the term
        fee_rule = rules.rule_for_tag("fee:percentage_of_revenue")
        expected = "error" if fee_rule.law == "prohibited" else "warning"
        assert fee_rule.severity == expected, f"{code}: severity {fee_rule.severity} but the law is {fee_rule.law}"
        assert any(f.rule == "fee.percentage_of_revenue" and f.severity == expected for f in packet.findings)
    else:
        assert scan_text(msa_text), f"{code}: the kept percentage fee should be visible to the scanner"
        assert any(f.rule == "fee.percentage_of_revenue" and f.severity == "warning" for f in packet.findings)
    memo = " ".join(docx_text(next(d for d in packet.documents if d.spec.name == "compliance_memo").data).split())
    for _, rule in rules.in_force(
        packet.deal.deal.effective_date
    ).all_rules():  # a rule no longer in force is not cited
        if rule.citation:  # as the memo prints it: no web site names, its ISO dates written out
            cited = " ".join(library_prose(memo_citation(rule.citation)).split())
            assert cited in memo, f"{code}: memo misses citation {rule.citation!r}"
