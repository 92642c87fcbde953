"""Unit tests of the pure core: no packet, no file written, no subprocess. Each names the stage it
pins: markup parsing and typesetting, number words, state-layer merge, planning, list numbering,
column sizing, bookmarks."""

from __future__ import annotations

import io
import zipfile

import pytest
from lxml import etree

from conftest import EXAMPLES
from formgen.drafting.assemble import bookmark_for
from formgen.drafting.context import number_words, words
from formgen.markup import BOLD_CLOSE, BOLD_OPEN, library_prose, parse_body, protect, restore, typeset
from formgen.inputs.library import Library
from formgen.inputs.states import merge_layers
from formgen.word.ooxml import bookmark_labels
from formgen.word.sections import ListNumbering
from formgen.word.tables import column_widths
from formgen.word.wordml import W_DECL


# -- markup: a clause body in our own light syntax, to paragraphs --------------------------------


def test_markup_parses_each_paragraph_kind():
    body = (
        '**Fees.** MSO shall pay the "Management Fee" within 30 days.\n\n- first item\n- second item\n\n'
        "!! check the amount\n\n## Schedule\n\n| Task | Party |\n|---|---|\n| Billing | MSO |\n\n"
        "@sign | MSO | Ann Lee | Manager | MSO: | a Texas limited liability company"
    )
    paras = parse_body(body)
    assert [p.kind for p in paras] == ["text", "item", "item", "note", "heading", "table", "sign"]
    fees = paras[0]
    assert fees.caption == "Fees." and fees.text.startswith("MSO shall pay the \u201c")
    assert f"{BOLD_OPEN}Management Fee{BOLD_CLOSE}" in fees.text  # a defined term, bold where defined
    assert "30\u00a0days" in fees.text  # a number keeps its unit on the line
    assert paras[5].rows == [["Task", "Party"], ["Billing", "MSO"]]
    assert paras[6].rows == [["MSO", "Ann Lee", "Manager", "MSO:", "a Texas limited liability company"]]


def test_typesetting_curls_quotes_and_writes_dates_out_but_never_touches_values():
    value = protect('Smith\'s "Clinic" 2026-01-01')
    text = typeset(f'The Parties\' "Agreement" of 2027-03-01 names {value}.')
    assert "Parties\u2019 \u201c" in text and "March\u00a01,\u00a02027" in text
    assert 'Smith\'s "Clinic" 2026-01-01' in restore(text)  # the value as typed
    assert library_prose("from 2026-01-01 (not 2026-13-01)") == "from January\u00a01,\u00a02026 (not 2026-13-01)"
    assert (
        library_prose('MSOs are "noticing entities"; the Board\'s rule')
        == "MSOs are \u201cnoticing entities\u201d; the Board\u2019s rule"
    )


@pytest.mark.parametrize(
    "n, expected",
    [
        (0, "zero"),
        (7, "seven"),
        (15, "fifteen"),
        (30, "thirty"),
        (42, "forty-two"),
        (90, "ninety"),
        (100, "one hundred"),
        (180, "one hundred eighty"),
        (365, "three hundred sixty-five"),
    ],
)
def test_number_words(n, expected):
    assert number_words(n) == expected
    assert words(n) == f"{expected} ({n})"


# -- state rules: a state's file layered over the default ----------------------------------------


def test_state_layer_merges_keyed_lists_item_by_item():
    base = {
        "summary": "default",
        "clause_rules": [{"tag": "fee:a", "action": "replace"}, {"tag": "fee:b", "action": "warn"}],
        "checklist": [{"id": "ein", "task": "EIN"}, {"id": "annual_reports", "task": "SOS report"}],
        "entity_forms": [{"form": "pc"}, {"form": "pllc"}],
    }
    top = {
        "summary": "Texas",
        "clause_rules": [{"tag": "fee:b", "action": "remove"}, {"tag": "fee:c", "action": "warn"}],
        "checklist": [{"id": "annual_reports", "task": "franchise tax report"}, {"id": "ein", "drop": True}],
        "entity_forms": [{"form": "pa"}],
    }
    merged = merge_layers(base, top)
    assert merged["summary"] == "Texas"
    assert merged["clause_rules"] == [
        {"tag": "fee:a", "action": "replace"},
        {"tag": "fee:b", "action": "remove"},
        {"tag": "fee:c", "action": "warn"},
    ]
    assert merged["checklist"] == [{"id": "annual_reports", "task": "franchise tax report"}]  # ein dropped
    assert merged["entity_forms"] == [{"form": "pa"}]  # a state lists its own forms in full
    assert base["clause_rules"][1]["action"] == "warn"  # the default is not changed


# -- planning: which clauses a document gets, and why ---------------------------------------------


def test_planning_replaces_the_percentage_fee_and_says_why():
    from formgen.drafting.drafts import start_drafting
    from formgen.drafting.validation import check

    deal, rules, _ = check(EXAMPLES / "ca_medspa.yaml", "conservative", Library.shipped())
    drafting = start_drafting(deal, rules, Library.shipped())
    msa = next(spec for spec in drafting.specs if spec.name == "msa")
    plan = drafting.draft(msa).plan
    decisions = {d.clause_id: d for d in plan.decisions}
    fee = decisions["msa.fee.percentage_of_revenue"]
    assert not fee.included and "replaced under the California rule on fee:percentage_of_revenue" in fee.reason
    kept = [c.id for c in plan.clauses]
    assert "msa.fee.fmv_replacement" in kept and "msa.fee.percentage_of_revenue" not in kept
    assert "msa.fee.hourly" not in kept and "condition not met" in decisions["msa.fee.hourly"].reason
    # the rule's drafting note sits where the replacement is
    assert any("percentage" in note for note in plan.notes_before["msa.fee.fmv_replacement"])


# -- numbering: Word's list labels, as a reader of the file counts them ---------------------------

W = W_DECL
NUMBERING = (
    f'<w:numbering {W}><w:abstractNum w:abstractNumId="0">'
    '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="Article %1"/></w:lvl>'
    '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl>'
    '</w:abstractNum><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
    '<w:numFmt w:val="lowerLetter"/><w:lvlText w:val="(%1)"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '<w:num w:numId="3"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/>'
    "</w:lvlOverride></w:num></w:numbering>"
)
STYLES = (
    f'<w:styles {W}><w:style w:styleId="Article"><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/>'
    '</w:numPr></w:pPr></w:style><w:style w:styleId="Section"><w:pPr><w:numPr><w:ilvl w:val="1"/>'
    '<w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>'
)


def _para(style: str = "", num: str = "", mark: str = "") -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    props += f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num}"/></w:numPr>' if num else ""
    bookmark = f'<w:bookmarkStart w:id="1" w:name="{mark}"/>' if mark else ""
    return f"<w:p><w:pPr>{props}</w:pPr>{bookmark}<w:r><w:t>x</w:t></w:r></w:p>"


def _docx(paragraphs: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", f"<w:document {W}><w:body>{''.join(paragraphs)}</w:body></w:document>")
        zf.writestr("word/numbering.xml", NUMBERING)
        zf.writestr("word/styles.xml", STYLES)
    return buffer.getvalue()


def test_list_labels_count_levels_restart_below_and_honour_start_overrides():
    paragraphs = [
        _para("Article"),
        _para("Section"),
        _para("Section"),
        _para(num="2"),
        _para(num="2"),
        _para("Article"),
        _para("Section", mark="_Ref1"),
        _para(num="3"),
        _para(num="2"),
    ]
    labels = ListNumbering(etree.fromstring(NUMBERING.encode()), etree.fromstring(STYLES.encode()))
    body = etree.fromstring(f"<w:body {W}>{''.join(paragraphs)}</w:body>")
    got = [labels.label(p)[0] for p in body]
    assert got == ["Article 1", "1.1", "1.2", "(a)", "(b)", "Article 2", "2.1", "(a)", "(c)"]
    assert bookmark_labels(_docx(paragraphs)) == {"_Ref1": "2.1"}


def test_bookmarks_are_stable_per_target():
    assert bookmark_for("msa.fee") == bookmark_for("msa.fee") != bookmark_for("msa.term")
    assert bookmark_for("msa.fee").startswith("_Ref") and len(bookmark_for("msa.fee")) == 13


# -- column sizing: room for the longest word, the rest by content --------------------------------


def test_columns_share_the_width_by_content_and_never_cut_a_word():
    rows = [
        ["Service", "Performed by", "Description"],
        ["Billing", "MSO", "Collects self-pay charges in Practice's name and deposits them daily " * 3],
        ["Clinical decisions", "Practice", "All diagnosis and treatment"],
    ]
    widths = column_widths(rows, 9360)
    assert sum(widths) <= 9360 and widths[2] > widths[0] and widths[2] > widths[1]
    assert widths[0] >= len("Clinical") * 110  # the longest word fits
    a4 = column_widths(rows, 9026)  # A4 less one-inch margins
    assert sum(a4) <= 9026


def test_an_entity_suffix_counts_only_as_a_whole_word():
    from formgen.drafting.compliance import suffix_ok

    assert suffix_ok("Glow Aesthetics, P.A.", ["P.A."]) and suffix_ok("Glow  Aesthetics,PLLC", ["PLLC"])
    assert suffix_ok("glow medical professional corporation", ["Professional Corporation"])
    assert not suffix_ok("Glow Med Spa", ["PA"]) and not suffix_ok("GlowPLLC", ["PLLC"])


def test_a_value_ending_a_sentence_with_its_own_period_takes_no_second_one():
    text = restore(typeset(f"Deposits go to the account of {protect('Coastal Aesthetic Physicians, P.A.')}."))
    assert text == "Deposits go to the account of Coastal Aesthetic Physicians, P.A."
    assert restore(typeset(f"Paid to {protect('Glow LLC')}.")) == "Paid to Glow LLC."
    assert restore(typeset(f"See {protect('Note A.')}...")) == "See Note A...."


def test_a_yearly_filing_day_must_be_a_day_of_the_year_and_yearly():
    import pydantic

    from formgen.inputs.states import ChecklistItem

    item = ChecklistItem(id="x", entity="both", task="File.", recurring="annual", annual_by="02-29")
    assert item.annual_by == "02-29"
    for bad in ({"recurring": "annual", "annual_by": "13-01"}, {"recurring": "biennial", "annual_by": "05-01"}):
        with pytest.raises(pydantic.ValidationError):
            ChecklistItem(id="x", entity="both", task="File.", **bad)
