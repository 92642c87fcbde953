"""The web's "Review a contract" page (#28): a contract formgen did not write, uploaded to a matter
and reviewed as `formgen review` reviews it (the same findings, sections and citations), bounded,
CSRF-protected, kept only inside the matter; in Chromium, its findings by section and axe-core's
check. A screenshot of the page goes to $FORMGEN_WEB_SHOTS."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import docx
import pytest

pytest.importorskip("starlette")

from test_web import client, start_matter  # noqa: E402

from formgen import api  # noqa: E402
from formgen.web.app import create_app  # noqa: E402

THEIR_MSA = [
    'This Management Services Agreement is made by Acme Management, LLC ("Manager") and Bright Medical, P.C. ("Practice").',
    "Section 2.1. Clinical Matters. Manager shall establish the clinical protocols for all providers.",
    "Section 2.2. Staff. Manager shall hire and terminate all physicians and nurse practitioners.",
    "Section 3.1. Fees. Practice shall pay Manager a fee equal to thirty percent (30%) of the Practice's gross collections.",
    "Section 3.2. Supplies. Manager orders supplies.",
]


def their_msa(tmp_path, lines=THEIR_MSA) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    path = tmp_path / "their_msa.docx"
    document.save(path)
    return path.read_bytes()


@pytest.fixture
def app(tmp_path):
    return create_app(drafts_dir=tmp_path / "drafts")


def review_upload(c, route, data, name="their_msa.docx", state="CA", as_of="2027-01-01", token=None):
    return c.submit(
        route,
        data={"state": state, "as_of": as_of},
        token=token,
        files={"contract": (name, data, "application/octet-stream")},
    )


def test_the_page_shows_what_formgen_review_finds_by_section_with_citations(app, tmp_path):
    data = their_msa(tmp_path)
    c = client(app)
    r = review_upload(c, "/review-contract", data)
    assert r.status_code == 200 and str(r.url).endswith("/contract")
    (tmp_path / "cli").mkdir()
    (tmp_path / "cli" / "their_msa.docx").write_bytes(data)
    expected = api.review(tmp_path / "cli" / "their_msa.docx", "CA", as_of=dt.date(2027, 1, 1))
    assert {f.category for f in expected.findings} >= {"clinical_control", "clinician_employment", "fee_percentage"}
    page = r.text
    for finding in expected.findings:  # every finding, under its section, with its citation
        block = page[page.index(f">{finding.section} {finding.caption}</h3>") :]
        block = block[: block.index("</section>")]
        assert f'data-category="{finding.category}"' in block
        assert finding.citation.replace("&", "&amp;").replace('"', "&#34;") in block
    assert f"<strong>{len(expected.findings)} findings</strong>" in page
    assert "Section 3.2" not in page  # "Manager orders supplies" is no finding
    base = re.search(r"(/m/[A-Za-z0-9_-]+)/contract", str(r.url)).group(1)
    memo = c.get(base + "/contract/review_memo.docx")
    redline = c.get(base + "/contract/redline.docx")
    assert memo.status_code == redline.status_code == 200
    assert "Contract Review Memorandum" in "\n".join(p.text for p in docx.Document(io.BytesIO(memo.content)).paragraphs)
    assert b'w:author="formgen"' in zipfile.ZipFile(io.BytesIO(redline.content)).read("word/document.xml")
    assert c.get(base + "/contract/review_memo.docx").content == memo.content  # same bytes each time
    listed = c.get("/").text
    assert "Review of their_msa.docx" in listed  # the matter is named after the contract
    assert c.get(base + "/", follow_redirects=False).headers["location"].endswith("/contract")


def test_the_upload_is_kept_only_in_the_matter_and_goes_with_it(app, tmp_path):
    root = app.state.store.root
    before = {p for p in root.rglob("*")}
    c = client(app)
    r = review_upload(c, "/review-contract", their_msa(tmp_path))
    base = re.search(r"(/m/[A-Za-z0-9_-]+)/contract", str(r.url)).group(1)
    folder = app.state.store.folder(base.split("/")[-1])
    added = {p for p in root.rglob("*")} - before
    assert all(p == folder or folder in p.parents or p.parent.name == "sessions" for p in added), added
    assert sorted(p.name for p in (folder / "contract").iterdir()) == ["contract.docx", "contract.json"]
    r = c.submit(base + "/delete", data={"confirm": "yes"})
    assert not folder.exists()


def test_bad_uploads_get_a_message_and_keep_nothing(app, tmp_path):
    c = client(app)
    start_matter(c)
    good = their_msa(tmp_path)
    assert review_upload(c, c.path("/contract"), good).status_code == 200
    folder = app.state.store.folder(c.base.split("/")[-1]) / "contract"
    kept = (folder / "contract.docx").read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document " + b" " * (60 * 1024 * 1024) + b"/>")
    cases = {
        "a zip bomb": (bomb.getvalue(), "their_msa.docx", "CA", "too much data"),
        "not a zip": (b"not a zip at all", "their_msa.docx", "CA", "not a readable .docx"),
        "another kind of file": (b"MZ", "their_msa.exe", "CA", "cannot review this kind of file"),
        "no state": (good, "their_msa.docx", "", "Choose the state"),
        "an unknown state": (good, "their_msa.docx", "ZZ", "Choose the state"),
    }
    for why, (data, name, state, message) in cases.items():
        r = review_upload(c, c.path("/contract"), data, name=name, state=state)
        assert r.status_code == 400, why
        assert message in r.text, (why, r.text[r.text.find('id="errors"') :][:400])
        assert "/tmp" not in r.text and str(app.state.store.root) not in r.text, why  # only the user's own name
    assert sorted(p.name for p in folder.iterdir()) == ["contract.docx", "contract.json"]
    assert (folder / "contract.docx").read_bytes() == kept  # the reviewed contract is untouched
    r = review_upload(c, "/review-contract", b"junk", name="x.docx")
    assert r.status_code == 400 and "not a readable .docx" in r.text
    assert len(app.state.store.matters()) == 1  # the failed start made no matter


def test_the_review_needs_the_csrf_token_and_the_size_is_bounded(app, tmp_path):
    c = client(app)
    start_matter(c)
    r = c.post(
        c.path("/contract") + "?csrf=forged", files={"contract": ("a.docx", their_msa(tmp_path))}, data={"state": "CA"}
    )
    assert r.status_code == 403
    r = c.post(
        c.path("/contract") + "?csrf=" + c.token(),
        content=b"x" * (26 * 1024 * 1024),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 413
    assert not (app.state.store.folder(c.base.split("/")[-1]) / "contract").exists()
