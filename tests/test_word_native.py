"""Word-native documents: list numbering, REF fields to bookmarks, a TOC field, rows that hold
together, redlines that show only real changes; checked in the XML and in LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

import formgen
from conftest import EXAMPLES, convert_with_libreoffice, soffice
from formgen.word.fields import TOC_PAGES_PENDING
from formgen.word.ooxml import read_package
from formgen.word.redline import paragraphs_text
from formgen.word.wordml import W

NS = {"w": W}
TYPED_NUMBER = re.compile(r"^\s*(?:ARTICLE\s+\d+|\d+\.\d+|\([a-z]{1,2}\))(?:\s|\.|$)")
SYSTEM_PYTHON = "/usr/bin/python3"


def q(tag: str) -> str:
    return f"{{{W}}}{tag}"


def part(path: Path, name: str = "word/document.xml") -> etree._Element:
    return etree.fromstring(read_package(path.read_bytes())[name])


def style(p: etree._Element) -> str:
    s = p.find("w:pPr/w:pStyle", NS)
    return "" if s is None else s.get(q("val"))


def text(p: etree._Element) -> str:
    return "".join("\t" if t.tag == q("tab") else t.text or "" for t in p.iter(q("t"), q("tab")))


@pytest.fixture(scope="module")
def ny(packets) -> Path:
    return packets["ny_medspa"]  # the session's NY packet (read only)


@pytest.fixture(scope="module")
def msa(ny) -> etree._Element:
    return part(ny / "msa.docx")


def test_sections_and_items_are_word_lists_with_no_typed_numbers(ny, msa):
    paragraphs = list(msa.iter(q("p")))
    by_style = {name: [p for p in paragraphs if style(p) == name] for name in ("Article", "Section", "Item")}
    assert len(by_style["Article"]) > 20 and len(by_style["Section"]) > 80 and len(by_style["Item"]) > 30
    for p in paragraphs:
        assert not TYPED_NUMBER.match(text(p)), text(p)
    # The styles carry the numbering, linked to one multilevel list in the numbering part.
    styles = part(ny / "msa.docx", "word/styles.xml")
    numbering = part(ny / "msa.docx", "word/numbering.xml")
    for name, level in (("Article", "0"), ("Section", "1")):
        num_pr = styles.xpath(f"w:style[@w:styleId='{name}']/w:pPr/w:numPr", namespaces=NS)[0]
        assert num_pr.find("w:ilvl", NS).get(q("val")) == level
        lvl = numbering.xpath(f".//w:lvl[w:pStyle/@w:val='{name}']", namespaces=NS)[0]
        assert lvl.get(q("ilvl")) == level
    # Every run of lettered items is its own list instance, restarting at (a).
    item_nums = [p.find("w:pPr/w:numPr/w:numId", NS).get(q("val")) for p in by_style["Item"]]
    instances = {n.get(q("numId")): n for n in numbering.findall("w:num", NS)}
    assert len(set(item_nums)) > 8
    for num_id in set(item_nums):
        assert instances[num_id].find("w:lvlOverride/w:startOverride", NS).get(q("val")) == "1"


def test_cross_references_are_ref_fields_to_bookmarks(msa):
    bookmarks = {b.get(q("name")) for b in msa.iter(q("bookmarkStart"))}
    instructions = [" ".join(i.text.split()) for i in msa.iter(q("instrText"))]
    refs = [i for i in instructions if i.startswith("REF ")]
    assert len(refs) > 40
    for ref in refs:
        name = ref.split()[1]
        assert name.startswith("_Ref") and name in bookmarks, ref
    # No reference is typed: every "Section 4.2" / "Article 5" in the text is a field's result.
    for p in msa.iter(q("p")):
        plain = "".join(t.text or "" for t in p.iter(q("t")) if not _in_field_result(t))
        assert not re.search(r"\b(?:Section|Article)\s\d+(?:\.\d+)?\b", plain), plain


def _in_field_result(t: etree._Element) -> bool:
    """Whether the text element sits between a field's separator and its end."""
    run = t.getparent()
    depth = 0
    for previous in run.itersiblings(preceding=True):
        fld = previous.find("w:fldChar", NS)
        if fld is not None:
            kind = fld.get(q("fldCharType"))
            if kind == "end":
                depth -= 1
            elif kind == "separate":
                depth += 1
    return depth > 0


def test_toc_field_filled_in_with_the_articles_and_exhibits(msa):
    instructions = [i.text.strip() for i in msa.iter(q("instrText"))]
    assert any(i.startswith("TOC ") for i in instructions)
    entries = [text(p) for p in msa.iter(q("p")) if style(p) == "TOC1"]
    articles = [text(p) for p in msa.iter(q("p")) if style(p) == "Article"]
    exhibits = [text(p) for p in msa.iter(q("p")) if style(p) == "ExhibitHeading"]
    assert [e.split("\t")[1] for e in entries[: len(articles)]] == articles
    assert [e.split("\t")[0] for e in entries[len(articles) :]] == [x.title().replace(" ", "\u00a0") for x in exhibits]
    assert entries[0].startswith("Article\u00a01\t") and len(exhibits) == 3
    # built without LibreOffice, the field result says where the page numbers come from
    assert TOC_PAGES_PENDING in [text(p) for p in msa.iter(q("p"))]


def test_toc_pages_fill_in_the_field_result_deterministically(msa):
    from formgen.word.fields import set_toc_pages

    xml = etree.tostring(msa)
    pages = {f"Article\u00a0{n}": n + 1 for n in range(1, 25)} | {
        "Exhibit\u00a0A": 40,
        "Exhibit\u00a0B": 41,
        "Exhibit\u00a0C": 42,
    }
    once = set_toc_pages(xml, pages)
    assert set_toc_pages(set_toc_pages(xml, {k: 1 for k in pages}), pages) == once, "same pages, same bytes"
    root = etree.fromstring(once)
    entries = [text(p) for p in root.iter(q("p")) if style(p) == "TOC1"]
    assert entries[0].endswith("\t2") and entries[-1].endswith("\t42")
    assert TOC_PAGES_PENDING not in [text(p) for p in root.iter(q("p"))]
    kinds = [f.get(q("fldCharType")) for f in root.iter(q("fldChar"))]
    assert kinds.count("begin") == kinds.count("end")  # the TOC field still closes


def test_defined_terms_bold_at_their_definition(msa):
    bold_terms = {text(r) for r in msa.iter(q("r")) if r.find("w:rPr/w:b", NS) is not None}
    assert {"Agreement", "Effective Date", "Affiliate", "Management Fee"} <= bold_terms


def test_pages_hold_together(ny):
    for name in ("msa", "responsibility_schedule", "baa"):
        root = part(ny / f"{name}.docx")
        rows = list(root.iter(q("tr")))
        assert rows and all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows), name
    root = part(ny / "msa.docx")
    headers = [t for t in root.iter(q("tbl")) if len(t.findall("w:tr", NS)) > 2]
    assert all(t.find("w:tr/w:trPr/w:tblHeader", NS) is not None for t in headers if len(t.find("w:tblGrid", NS)) > 1)
    styles = part(ny / "msa.docx", "word/styles.xml")
    lead = styles.xpath("w:style[@w:styleId='SignatureLead']/w:pPr", namespaces=NS)[0]
    assert lead.find("w:keepNext", NS) is not None and lead.find("w:keepLines", NS) is not None
    body = root.find("w:body", NS)
    paragraphs = list(body)
    witness = next(i for i, p in enumerate(paragraphs) if text(p).startswith("IN WITNESS WHEREOF"))
    assert style(paragraphs[witness]) == "SignatureLead" and paragraphs[witness + 1].tag == q("tbl")
    # every paragraph of the signature blocks keeps with the next; the legend follows them
    blocks = paragraphs[witness + 1]
    assert all(p.find("w:pPr/w:keepNext", NS) is not None for p in blocks.iter(q("p")))
    assert text(paragraphs[witness + 2]) == "[Signature page to Management Services Agreement]"
    for s in styles.xpath("w:style[@w:type='paragraph']", namespaces=NS):
        if s.get(q("styleId")) in ("Normal", "BodyText", "Section", "Item", "Article", "Heading1"):
            assert s.find("w:pPr/w:widowControl", NS) is not None, s.get(q("styleId"))


def test_table_width_follows_the_page(tmp_path):
    from formgen.word.tables import fit_table_columns

    xml = (
        f'<w:document xmlns:w="{W}"><w:body><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>'
        "<w:tr><w:tc><w:p><w:r><w:t>a</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>b c d</w:t></w:r></w:p></w:tc></w:tr>"
        '</w:tbl><w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:left="1134" w:right="1134"/></w:sectPr>'
        "</w:body></w:document>"
    ).encode()
    root = etree.fromstring(fit_table_columns(xml))
    widths = [int(c.get(q("w"))) for c in root.iter(q("gridCol"))]
    assert abs(sum(widths) - (11906 - 2 * 1134)) <= 2  # A4 less 2 cm margins, not Letter's 9360
    assert root.find(".//w:tr/w:trPr/w:cantSplit", NS) is not None


def test_a_row_longer_than_a_third_of_a_page_may_split():
    """A short row stays whole; a long one (a research record) may break across pages, else it leaves
    a page a third blank, or is clipped in Word when taller than a page."""
    from formgen.word.tables import SPLITTABLE_ROW_CHARS, fit_table_columns

    def row(text: str) -> str:
        return (
            f"<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>"
            f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc></w:tr>"
        )

    xml = (
        f'<w:document xmlns:w="{W}"><w:body><w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>'
        + row("short")
        + row("word " * (SPLITTABLE_ROW_CHARS // 4))
        + "</w:tbl></w:body></w:document>"
    ).encode()
    rows = etree.fromstring(fit_table_columns(xml)).findall(".//w:tr", NS)
    assert [r.find("w:trPr/w:cantSplit", NS) is not None for r in rows] == [True, False]


def revisions(redline: Path) -> list[tuple[str, str, bool]]:
    """(kind, text, inside a deleted table row) of every text revision."""
    root = part(redline)
    out = []
    for e in root.iter(q("ins"), q("del")):
        if e.getparent().tag in (q("rPr"), q("trPr")):
            continue  # paragraph marks and rows: they go with the text revisions around them
        row = next(e.iterancestors(q("tr")), None)
        in_deleted_row = row is not None and row.find("w:trPr/w:del", NS) is not None
        out.append((etree.QName(e).localname, "".join(e.itertext()), in_deleted_row))
    return out


@pytest.mark.slow  # two packets and a redline
def test_removing_a_service_redlines_only_the_removed_text(tmp_path):
    deal = tmp_path / "deal.yaml"
    shutil.copy(EXAMPLES / "ny_medspa.yaml", deal)
    out = tmp_path / "out"
    formgen.generate(deal, out)
    source = deal.read_text()
    assert "payroll_hr, marketing, " in source
    deal.write_text(source.replace("payroll_hr, marketing, ", "payroll_hr, "))
    formgen.regenerate(out, author="Jane Lawyer")
    redline = out / "redlines" / "msa.redline.docx"
    changes = revisions(redline)
    # The services section, its items, the marketing article's paragraphs, the dependent
    # reference in the compliance review, its TOC entry and its row in Exhibits A and C: no
    # renumbering (the old approach gave 342 revisions, about 140 of them numbers).
    assert 10 <= len(changes) <= 30, changes
    assert {kind for kind, _, _ in changes} == {"del"}  # a removal inserts nothing
    for _, change, in_deleted_row in changes:
        assert not re.fullmatch(r"[\s\d.()]*", change) or not change.strip(), change  # never a bare number
        # each is the marketing text itself, or a cell of the marketing row of an exhibit table
        assert in_deleted_row or re.search(r"(?i)marketing|advertising|brand|newsletters|community events", change), (
            change
        )
    root = part(redline)
    assert {e.get(q("author")) for e in root.iter(q("ins"), q("del"))} == {"Jane Lawyer"}
    first = text(root.find("w:body/w:p", NS))
    assert first.startswith("Redline: msa.docx") and "compared with" in first
    # Obligations that apply whatever the services stay: the referral-source rule and the
    # trade-name license live in articles that always apply.
    accepted = paragraphs_text(redline.read_bytes(), "accept")
    assert any("Referral Sources." in p for p in accepted) and any("Trade Names and Marks." in p for p in accepted)


def test_libreoffice_renders_numbers_and_references(ny, tmp_path, libreoffice, libreoffice_profile):
    convert_with_libreoffice(libreoffice, libreoffice_profile, ny / "msa.docx", tmp_path)
    rendered = " ".join(
        subprocess.run(
            ["pdftotext", str(tmp_path / "msa.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "ARTICLE 1 DEFINITIONS AND INTERPRETATION 1.1 Defined Terms." in rendered
    assert "4.2 Administrative Services." in rendered
    assert "(a) managing day-to-day business operations" in rendered
    assert "under Section 5.9" in rendered and "described in Article 4" in rendered


def lo_python() -> bool:
    return (
        soffice() is not None
        and subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0
    )


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(
    not Path(SYSTEM_PYTHON).exists() or not lo_python(), reason="LibreOffice's Python (uno) is not installed"
)
def test_inserting_a_section_in_libreoffice_renumbers_and_updates_references(ny, tmp_path):
    pdf = tmp_path / "edited.pdf"
    subprocess.run(
        [
            SYSTEM_PYTHON,
            str(Path(__file__).parent / "lo_edit.py"),
            str(ny / "msa.docx"),
            str(pdf),
            "Administrative Services",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    rendered = " ".join(
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    assert "4.2 Inserted Section." in rendered and "4.3 Administrative Services." in rendered
    # Billing and collections moved from 4.7 to 4.8, and the reference to it followed.
    assert "4.8 Billing and Collections." in rendered
    assert "described in Section 4.8" in rendered and "described in Section 4.7" not in rendered


def test_text_as_printed_carries_words_numbers(ny):
    from formgen.word.ooxml import docx_paragraphs
    from formgen.scan.documents import read_document

    printed = docx_paragraphs((ny / "msa.docx").read_bytes(), numbered=True)
    assert any(p.startswith("4.2\tAdministrative Services.") for p in printed)
    assert any(p.startswith("(a)\tmanaging day-to-day business operations") for p in printed)
    paragraphs = read_document(ny / "msa.docx")  # what `formgen review` reads: hits are placed by section
    assert next(p for p in paragraphs if "The Management Fee is a fixed fee" in p.text).section == "Section 12.2"


def test_typesetting_leaves_values_as_typed():
    from formgen.markup import BOLD_CLOSE, BOLD_OPEN, protect, restore, typeset

    clause = (
        'This Agreement (the "Agreement") of '
        + protect('Smith "Best" Clinic 2026-01-01')
        + " is effective 2027-01-01 and ends thirty (30) days after notice under § 5; Practice's."
    )
    out = restore(typeset(clause))
    assert f"\u201c{BOLD_OPEN}Agreement{BOLD_CLOSE}\u201d" in out
    assert 'Smith "Best" Clinic 2026-01-01' in out  # a value prints exactly as given
    assert "effective January\u00a01,\u00a02027" in out and "(30)\u00a0days" in out and "§\u00a05" in out
    assert "Practice\u2019s" in out


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_every_table_spans_the_text_width():
    """Each table's columns add up to the page's text width (a second table once inherited the
    first table's last column width and printed a letter per line)."""
    import io
    import zipfile

    from lxml import etree

    import formgen
    from formgen.word.tables import text_width
    from formgen.word.wordml import NS

    packet = formgen.build(EXAMPLES / "ca_medspa.yaml")
    for doc in packet.documents:
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(doc.data)).read("word/document.xml"))
        width = text_width(root)
        for grid in root.iter(f"{{{NS['w']}}}tblGrid"):
            cols = [int(c.get(f"{{{NS['w']}}}w")) for c in grid]
            if len(cols) > 1:
                assert abs(sum(cols) - width) <= len(cols), (doc.spec.name, cols, width)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_an_exhibit_that_is_signed_follows_its_heading_on_one_page():
    """The consent of spouse and the share certificate: their signature lead does not start a new
    page after the exhibit heading, and no "[Signature page to ...]" legend labels them."""
    packet = formgen.build(EXAMPLES / "ca_medspa.yaml")
    for name in ("continuity_agreement", "ownership_ledger"):
        root = etree.fromstring(
            read_package(next(d.data for d in packet.documents if d.spec.name == name))["word/document.xml"]
        )
        paragraphs = list(root.iter(q("p")))
        exhibit = next(k for k, p in enumerate(paragraphs) if style(p) == "ExhibitHeading")
        leads = [p for p in paragraphs[exhibit:] if style(p) == "SignatureLead"]
        assert leads and all(p.find("w:pPr/w:pageBreakBefore[@w:val='0']", NS) is not None for p in leads), name
        assert not any(text(p).startswith("[Signature page to") for p in paragraphs[exhibit:]), name
        if name == "continuity_agreement":  # the agreement's own signature page keeps its legend
            assert any(text(p).startswith("[Signature page to") for p in paragraphs[:exhibit])
