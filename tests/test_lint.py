"""`formgen lint`: the shipped library passes, and each rule catches a broken fixture library.

Fixture libraries live in tests/fixtures/lint/ (see its README.txt); each is a clause folder
assembled against examples/oh_medspa.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import EXAMPLES, run_cli, variant
from formgen.lint import (
    assemble_documents,
    check_attributes,
    check_cross_refs,
    check_documents,
    check_fields,
    check_library,
    check_tags,
    check_templates,
    check_terms,
    context_names,
    cross_ref_problems,
    known_tags,
    term_problems,
)

from formgen.inputs.library import Library

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lint"
DEAL = EXAMPLES / "oh_medspa.yaml"


def fixture(name: str) -> Library:
    """The shipped library with a fixture's clauses in place of the shipped ones."""
    shipped = Library.shipped()
    return Library(FIXTURES / name, shipped.states_dir, shipped.templates_dir, shipped.examples_dir)


def library(name: str) -> Library:
    """A fixture library whose clauses load."""
    lib, problems = check_library(fixture(name))
    assert lib is not None, problems
    return fixture(name)


def clauses(name: str):
    return library(name).clauses


def messages(problems) -> str:
    return "\n".join(str(p) for p in problems)


def document_problems(name: str):
    documents, failed = assemble_documents(DEAL, library(name))
    assert not failed, messages(failed)
    return check_terms(documents), check_cross_refs(documents)


# ------------------------------------------------------------------ the shipped library


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_shipped_library_passes_lint():
    result = run_cli("lint")
    assert result.returncode == 0, result.stderr
    assert "consistent" in result.stdout


def test_lint_of_a_broken_library_returns_its_problems():
    """lint() over a fixture library (the CLI always lints clauses/): each problem names its file."""
    from formgen.lint import lint

    problems = lint(fixture("front_matter"))
    assert len(problems) >= 5
    assert all(p.file and p.message for p in problems)


# ------------------------------------------------------------------ a clean fixture passes every rule


def test_clean_fixture_passes_every_rule():
    lib = clauses("good")
    assert check_tags(lib, known_tags(FIXTURES / "good" / "tags.yaml")) == []
    assert check_fields(lib, context_names(Library.shipped())) == []
    assert check_attributes(lib) == []
    terms, refs = document_problems("good")
    assert terms == [] and refs == []


# ------------------------------------------------------------------ (a) fields


def test_unknown_context_name_is_caught():
    problems = check_fields(clauses("fields"), context_names(Library.shipped()))
    assert any("uses 'counsel_name'" in p.message and p.path == "body" for p in problems), messages(problems)


def test_misspelt_deal_fields_are_caught_in_body_and_conditions():
    problems = check_attributes(clauses("fields"))
    text = messages(problems)
    assert "reads 'mso.signatory.nmae', but mso.signatory has no field 'nmae'" in text
    assert "reads 'mso.adress'" in text
    assert "reads 'financing.loan_limt'" in text  # every deal section is checked (the one list: the model's)
    assert any(p.path == "conditions" and "practice.medical_directr" in p.message for p in problems)
    body = [p for p in problems if p.path == "body"]
    assert all(p.line == 9 for p in body), "the clause file line of the misspelt field"
    # loop variables (member.name) and real fields (mso.members) are not flagged
    assert "reads 'member." not in text and "reads 'mso.members" not in text


# ------------------------------------------------------------------ (b) defined terms


def test_defined_terms_rules_catch_the_broken_fixture():
    terms, _ = document_problems("terms")
    text = messages(terms)
    assert '"Practice" is defined 2 times (quoted in msa.preamble, msa.broken_terms)' in text
    assert '"Manager" is defined but never used' in text
    assert '"Business Records" is defined but never used' in text
    assert '"Notice Address" is quoted like a defined term but never defined' in text
    assert len(terms) == 4, text


@pytest.mark.parametrize(
    "sentence",
    [
        'This Agreement (this "Agreement") binds MSO ("MSO") under the Agreement and MSO.',
        'The parties are each a "Party" and together the "Parties"; each Party and the Parties agree.',
        '"Term" means the period. The Term ends.',
        'The fee (the "Fee", which includes taxes) is due. The Fee is fixed.',
        'Each account (together, the "Practice Account") is kept. The Practice Account is closed.',
        'Each Member contributes cash (with every later contribution, its "Capital Contributions"). Capital Contributions earn nothing.',
        'Either party (the "Disclosing Party" or "Receiving Party") keeps it. A Disclosing Party or Receiving Party must.',
        '"Including" means including without limitation.',
    ],
)
def test_definition_forms_are_recognised(sentence):
    assert term_problems([sentence], "x.docx") == []


def test_a_longer_term_is_not_a_use_of_a_shorter_one():
    paras = [
        '"Term" means the Initial Term and each Renewal Term.',
        'Five years (the "Initial Term").',
        'One more year (each, a "Renewal Term").',
        "The Initial Term and each Renewal Term.",
    ]
    problems = term_problems(paras, "x.docx")
    assert [p.message for p in problems] == [
        '"Term" is defined but never used; use it or take the definition out (or guard it with the same condition)'
    ]


def test_quoting_a_table_heading_is_not_a_definition():
    paras = ["Function | Decides", '"Decides" names whose decision governs.']
    assert term_problems(paras, "x.docx", headings={"Decides"}) == []
    assert "never defined" in messages(term_problems(paras, "x.docx"))


def test_template_syntax_and_untypeset_quotes_and_apostrophes_on_the_page_are_caught():
    from formgen.lint.typography import check_typography

    documents, failed = assemble_documents(DEAL, library("typography"))
    assert not failed, messages(failed)
    text = messages(check_typography(documents))
    assert "prints template syntax '{{'" in text and "as required under {{ doc }}" in text
    assert "prints a straight double quote" in text and 'in "writing"' in text
    assert "prints a straight apostrophe" in text and "the other's auditors" in text
    assert len(check_typography(documents)) == 3, text
    clean, _ = assemble_documents(DEAL, library("good"))
    assert check_typography(clean) == []


def test_a_term_defined_in_another_document_must_be_defined_or_taken_where_it_is_used():
    from formgen.lint import AssembledDocument
    from formgen.lint.packet_terms import packet_term_problems

    def document(name, *paragraphs, heading=""):
        blocks = [{"kind": "subheading", "text": heading}] if heading else []
        return AssembledDocument(
            DEAL, name, blocks + [{"kind": "para", "caption": "", "text": p} for p in paragraphs], {}
        )

    bylaws = document(
        "practice_bylaws",
        'These bylaws (these "Bylaws") govern the Practice. The Bylaws bind every Shareholder (each, a "Shareholder").',
    )
    consent = document(
        "practice_consent",
        "The Bylaws in the form presented are adopted.",
        "Each Shareholder signs under HIPAA.",
        heading="Bylaws",
    )
    named = document(
        "ownership_ledger",
        "The ledger its Bylaws require. Bylaws are kept with this ledger.",
        "Record the joinder to the Bylaws (as defined in the Continuity Agreement).",
    )
    taken = document(
        "mso_consent",
        "The Bylaws apply. Capitalized terms used and not defined here have the meanings given in the Bylaws.",
    )
    problems = packet_term_problems([bylaws, consent, named, taken])
    assert [(p.file, p.message.split(" is used")[0]) for p in problems] == [
        ("practice_consent.docx", '"Bylaws"'),
        ("practice_consent.docx", '"Shareholder"'),
    ]
    assert "(1 time) but defined only in practice_bylaws.docx" in problems[0].message


@pytest.mark.parametrize(
    "stem, changes",
    [
        ("ca_medspa", {"posture": "mso"}),
        ("ca_medspa", {"posture": "practice"}),
        ("or_medspa", {"posture": "mso"}),
        ("tx_medspa", {"posture": "mso"}),
        ("ca_medspa", {"mso.manager_managed": True}),
        ("ca_medspa", {"mso.entity_type": "corporation", "mso.name": "Glow Management, Inc."}),
    ],
)
@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_clause_branches_the_examples_do_not_reach_pass_the_document_checks(tmp_path, stem, changes):
    """Postures, a manager-managed MSO and a corporate MSO draft clauses no example deal reaches:
    the same defined-term, cross-reference, typography and packet-term checks `formgen lint` runs."""
    import yaml

    from formgen.lint.packet_terms import packet_term_problems
    from formgen.lint.typography import check_typography

    data = variant(yaml.safe_load((EXAMPLES / f"{stem}.yaml").read_text()), **changes)
    deal = tmp_path / f"{stem}.yaml"
    deal.write_text(yaml.safe_dump(data, sort_keys=False))
    documents, failed = assemble_documents(deal, Library.shipped())
    problems = (
        failed
        + check_terms(documents)
        + check_cross_refs(documents)
        + check_typography(documents)
        + packet_term_problems(documents)
    )
    assert len(documents) >= 13 and problems == [], messages(problems)


# ------------------------------------------------------------------ (c) cross-references


def test_unresolved_cross_references_are_caught():
    _, refs = document_problems("crossrefs")
    text = messages(refs)
    assert "refers to Section 9.9" in text
    assert "refers to Article 12" in text
    assert "refers to Exhibit C" in text
    assert "refers to Section 2.7" in text
    assert "Section 2.1 " not in text  # exists
    assert len(refs) == 4, text


def test_references_to_laws_and_other_documents_are_left_alone():
    targets = {"Section": {"1.1"}, "Article": {"1"}, "Exhibit": {"A"}, "Schedule": set()}
    paras = [
        "Under Section 1877 of the Social Security Act and Cal. Bus. & Prof. Code Section 2400.",
        "Section 704(b) of the Code, Treasury Regulations Section 1.704-1(b)(2)(iv), Schedule K-1.",
        "Section 1.1(a) of this Agreement and Article 1 and Exhibit A.",
    ]
    assert cross_ref_problems(paras, targets, "x.docx") == []


def test_references_into_another_document_of_the_packet_are_checked():
    targets = {"Section": {"1.1"}, "Article": {"1"}, "Exhibit": set(), "Schedule": set()}
    msa = {"Section": {"12.2"}, "Article": {"12"}, "Exhibit": {"A", "B"}, "Schedule": set()}
    paras = [
        "The fee under Section 12.2 of the Management Services Agreement, and Exhibit C to the "
        "Management Services Agreement."
    ]
    problems = cross_ref_problems(paras, targets, "x.docx", other_documents={"Management Services Agreement": msa})
    assert [p.message.split(" (")[0] for p in problems] == ["refers to Exhibit C of the Management Services Agreement"]


# ------------------------------------------------------------------ (d) templates


def _template_with_runs(path: Path, runs: list[str]) -> None:
    from docx import Document

    doc = Document()
    para = doc.add_paragraph()
    for text in runs:
        para.add_run(text)
    doc.save(path)


def test_jinja_tag_split_across_runs_is_caught(tmp_path):
    _template_with_runs(tmp_path / "document.docx", ["{{ ti", "tle }}"])
    problems = check_templates(tmp_path)
    assert any("split across Word runs" in p.message for p in problems), messages(problems)


def test_template_using_a_name_the_renderer_does_not_pass_is_caught(tmp_path):
    _template_with_runs(tmp_path / "document.docx", ["{{ counsel }}"])
    problems = check_templates(tmp_path)
    assert any("uses 'counsel'" in p.message for p in problems), messages(problems)


def test_whole_tags_pass(tmp_path):
    _template_with_runs(tmp_path / "document.docx", ["{{ title }}", " and ", "{{ subtitle }}"])
    assert check_templates(tmp_path) == []


# ------------------------------------------------------------------ (e) front matter


def test_front_matter_problems_are_caught():
    lib, problems = check_library(fixture("front_matter"))
    assert lib is None
    text = messages(problems)
    assert "010-no_version.md: version: Field required" in text
    assert "021-dup_b.md: id: 'msa.dup' is already used by" in text
    assert "030-bad_kind.md: kind: Input should be" in text
    assert "040-orphan-10-section.md: parent: a section needs a parent article" in text
    assert "050-unclosed.md: front matter is not closed" in text


def test_unknown_tag_is_caught():
    d = FIXTURES / "front_matter_tags"
    problems = check_tags(clauses("front_matter_tags"), known_tags(d / "tags.yaml"))
    assert [p.message.split(";")[0] for p in problems] == ["unknown tag 'fee:percent_of_everything'"]


def test_document_checks_report_each_problem_once_with_the_deals_it_shows_in():
    problems = check_documents(library("terms"), [DEAL, EXAMPLES / "fl_medspa.yaml"])
    twice = [p for p in problems if '"Practice" is defined 2 times' in p.message]
    assert len(twice) == 1
    assert twice[0].path == "in oh_medspa.yaml, fl_medspa.yaml" and twice[0].file == "msa.docx"


def test_order_comes_from_the_file_name_only(tmp_path):
    """A clause's order has one source: an `order:` in the front matter, or a file name without
    the number, is a lint problem naming the file."""
    import shutil

    shutil.copytree(FIXTURES / "good", tmp_path / "lib")
    article = tmp_path / "lib" / "msa" / "020-term.md"
    article.write_text(article.read_text().replace("---\n", "---\norder: 20\n", 1))
    (tmp_path / "lib" / "msa" / "030-fee.md").rename(tmp_path / "lib" / "msa" / "fee.md")
    _, problems = check_library(
        Library(
            tmp_path / "lib",
            *[Library.shipped().folders[p] for p in ("states", "templates")],
            Library.shipped().examples_dir,
        )
    )
    text = messages(problems)
    assert "020-term.md: order: is set by the file name's number" in text
    assert "fee.md: order: the file name must give the clause's order" in text
