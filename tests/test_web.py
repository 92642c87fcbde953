"""The web intake over HTTP (Starlette's test client against the real app, real files, real
library calls): the CA interview, live rules, errors beside fields with the loader's messages,
save/resume with comments kept, the packet zip equal to `formgen generate`, and the safety rules."""

from __future__ import annotations

import html
import io
import re
import zipfile

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient  # noqa: E402

from conftest import EXAMPLES, run_cli  # noqa: E402
from web_answers import CA_STEPS, DOCUMENTS, PACKET_FILES  # noqa: E402

from formgen import api  # noqa: E402
from formgen.errors import InputError  # noqa: E402
from formgen.inputs.states import load_state  # noqa: E402
from formgen.web.app import COOKIE, create_app  # noqa: E402
from formgen.web.serve import is_loopback  # noqa: E402

EPOCH = "1700000000"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return create_app(drafts_dir=tmp_path / "drafts")


def client(app) -> TestClient:
    c = TestClient(app, follow_redirects=True)
    c.get("/")
    return c


def csrf(c: TestClient) -> str:
    return re.search(r'name="csrf-token" content="([0-9a-f]+)"', c.get("/").text).group(1)


def post_step(c, step, answers, action="next"):
    return c.post(f"/step/{step}", data={**answers, "csrf": csrf(c), "action": action})


# Boxes the form shows ticked (their default is true): a browser submits them, so the client must.
TICKED_BY_DEFAULT = {"deal": {"deal.provider_non_compete": "true"}}


def complete_ca(c) -> None:
    assert c.post("/new", data={"csrf": csrf(c)}).status_code == 200
    for step, answers in CA_STEPS.items():
        r = post_step(c, step, {**answers, **TICKED_BY_DEFAULT.get(step, {})})
        assert r.status_code == 200
        assert "checked=1" not in str(r.url), (step, r.text[r.text.find('id="errors"'):][:500])


def upload(c, route, field, name, data, content_type="application/octet-stream"):
    return c.post(route, data={"csrf": csrf(c)}, files={field: (name, data, content_type)})


def test_start_page_cookie_and_headers(app):
    c = TestClient(app)
    r = c.get("/")
    assert r.status_code == 200
    assert "New deal" in r.text and "Open a deal file" in r.text and "Open an existing packet" in r.text
    cookie = r.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_every_post_needs_the_csrf_token(app):
    c = client(app)
    assert c.post("/new").status_code == 403
    assert c.post("/new", data={"csrf": "0" * 64}).status_code == 403
    assert c.post("/api/check/deal", data={"deal.name": "X"}, headers={"X-CSRF-Token": "bad"}).status_code == 403
    other = client(app)  # another session's token is not this one's
    assert c.post("/new", data={"csrf": csrf(other)}).status_code == 403
    assert c.post("/new", data={"csrf": csrf(c)}).status_code == 200


def test_ca_interview_to_packet_matches_formgen_generate(app, tmp_path):
    c = client(app)
    complete_ca(c)
    review = c.get("/review")
    rule = load_state("CA").rule_for_tag("fee:percentage_of_revenue")
    assert " ".join(rule.message.split()) in html.unescape(review.text)
    assert rule.citation in html.unescape(review.text)
    assert "Left out" in review.text and "Included" in review.text
    r = c.post("/generate", data={"csrf": csrf(c)})
    assert r.status_code == 200 and str(r.url).endswith("/packet")
    zipped = c.get("/packet.zip")
    assert zipped.headers["content-type"] == "application/zip"
    files = {i.filename: zipfile.ZipFile(io.BytesIO(zipped.content)).read(i) for i in
             zipfile.ZipFile(io.BytesIO(zipped.content)).infolist()}
    assert {n for n in files if not n.startswith(".formgen/")} == PACKET_FILES
    # the deal file the interview wrote round-trips: the CLI on it writes the same documents
    deal = tmp_path / "glow.yaml"
    deal.write_bytes(c.get("/deal.yaml").content)
    out = tmp_path / "cli"
    result = run_cli("generate", str(deal), "-o", str(out), env={**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH})
    assert result.returncode == 0, result.stderr
    for name in DOCUMENTS:
        assert (out / name).read_bytes() == files[name], name
    # and equals the shipped example's packet (the same deal, written by hand)
    example = tmp_path / "example"
    api.generate(EXAMPLES / "ca_medspa.yaml", example)
    assert all((example / n).read_bytes() == files[n] for n in DOCUMENTS if n != "compliance.json")


def test_live_check_shows_state_rules_and_fee_finding(app):
    c = client(app)
    c.post("/new", data={"csrf": csrf(c)})
    post_step(c, "deal", CA_STEPS["deal"])
    r = c.post("/api/check/fees", data={"fees.basis": "percentage_of_revenue", "fees.percent_of_revenue": "15"},
               headers={"X-CSRF-Token": csrf(c)})
    body = r.json()
    assert body["saved"] is True
    rule = load_state("CA").rule_for_tag("fee:percentage_of_revenue")
    live = html.unescape(body["live_html"])
    assert " ".join(rule.message.split()) in live and rule.replacement in live and rule.citation in live
    r = c.post("/api/check/fees", data={"fees.basis": "fixed_monthly", "fees.monthly_amount": "20000"},
               headers={"X-CSRF-Token": csrf(c)})
    assert "no rule against this fee basis" in r.json()["live_html"]
    state = c.get("/api/state/CA").json()
    assert {f["form"] for f in state["entity_forms"]} == {"medical_corporation", "professional_corporation"}
    assert state["fees"]["percentage_of_revenue"]["action"] == "replace"
    assert c.get("/api/state/ZZ").status_code == 404
    # the practice step offers only the forms California allows, and shows the designations
    page = c.get("/step/practice").text
    assert 'value="pllc"' not in page and 'value="medical_corporation"' in page
    assert "Who may own the practice" in page
    r = c.post("/api/check/practice", data={**CA_STEPS["practice"], "practice.name": "Glow Aesthetics LLC"},
               headers={"X-CSRF-Token": csrf(c)})
    assert "does not end with one of these designations" in r.json()["live_html"]
    r = c.post("/api/check/practice", data=CA_STEPS["practice"], headers={"X-CSRF-Token": csrf(c)})
    assert "carries a designation California accepts" in r.json()["live_html"]


def test_errors_beside_fields_carry_the_loaders_message(app, tmp_path):
    c = client(app)
    complete_ca(c)
    bad = {**CA_STEPS["practice"], "practice.owners[0].percent": "60", "practice.owners[0].license.number": ""}
    r = post_step(c, "practice", bad)
    assert "checked=1" in str(r.url)  # Next stays on the step
    deal = tmp_path / "d.yaml"
    deal.write_bytes(c.get("/deal.yaml").content)
    with pytest.raises(InputError) as info:
        api.validate(deal)
    for problem in info.value.problems:
        block = re.search(r'data-error-for="' + re.escape(problem.path) + r'">(.*?)</div>', r.text, re.S)
        assert block, problem.path
        assert problem.message.replace("'", "&#39;") in block.group(1)


def test_add_and_remove_an_owner(app):
    c = client(app)
    complete_ca(c)
    r = post_step(c, "practice", CA_STEPS["practice"], action="add:practice.owners")
    assert 'name="practice.owners[1].name"' in r.text
    two = {**CA_STEPS["practice"], "practice.owners[1].name": "Lee Park, N.P.", "practice.owners[1].license.type": "NP",
           "practice.owners[1].license.state": "CA", "practice.owners[1].license.number": "NP1",
           "practice.owners[1].percent": "10", "practice.owners[0].percent": "90"}
    post_step(c, "practice", two, action="goto:practice")
    assert "Lee Park" in c.get("/deal.yaml").text
    r = post_step(c, "practice", two, action="remove:practice.owners:1")
    assert 'name="practice.owners[1].name"' not in r.text
    assert "Lee Park" not in c.get("/deal.yaml").text


def test_opened_deal_keeps_its_comments_after_answers_change(app):
    c = client(app)
    text = (EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8")
    r = upload(c, "/open", "deal", "ca_medspa.yaml", text.encode())
    assert r.status_code == 200 and "/step/deal" in str(r.url)
    post_step(c, "fees", {"fees.basis": "fixed_monthly", "fees.monthly_amount": "25000", "fees.fmv_review": "annual"})
    saved = c.get("/deal.yaml").text
    assert "# Glow Aesthetics: a California med spa." in saved
    assert "# pc / pllc / pa / medical corporation: per state" in saved
    assert re.search(r"monthly_amount: 25000 +# with fixed_monthly", saved)
    assert "percent_of_revenue" not in saved and "basis: fixed_monthly" in saved
    assert saved.count("\n") >= text.count("\n") - 3


def test_malformed_upload_gets_the_clis_message(app, tmp_path):
    c = client(app)
    bad = b"deal:\n  name: [unclosed\n"
    r = upload(c, "/open", "deal", "broken.yaml", bad)
    assert r.status_code == 400
    (tmp_path / "broken.yaml").write_bytes(bad)
    cli = run_cli("validate", str(tmp_path / "broken.yaml"))
    line = cli.stderr.strip().splitlines()[-1]
    message = line[line.index("is not valid YAML"):]
    assert "is not valid YAML" in message and message in html.unescape(r.text)
    assert upload(c, "/open", "deal", "notes.txt", b"deal: {}").status_code == 400
    assert upload(c, "/open", "deal", "big.yaml", b"#" * (3 * 1024 * 1024)).status_code in (400, 413)
    assert upload(c, "/open-packet", "packet", "x.zip", b"not a zip").status_code == 400


def test_sessions_are_isolated_and_paths_never_come_from_the_request(app):
    a = client(app)
    complete_ca(a)
    a.post("/generate", data={"csrf": csrf(a)})
    b = client(app)
    assert b.get("/deal.yaml").status_code == 404
    assert "Glow" not in b.get("/").text
    assert b.get("/packet.zip").status_code == 404
    forged = TestClient(app)
    forged.cookies.set(COOKIE, "../" + a.cookies.get(COOKIE))
    assert forged.get("/deal.yaml").status_code == 404
    for name in ("..%2Fdeal.yaml", "..%2F..%2F.secret", "%2Fetc%2Fpasswd", "redlines%2F..%2F..%2Fdeal.yaml",
                 "redlines/%2E%2E/%2E%2E/deal.yaml"):
        assert a.get(f"/packet/file/{name}").status_code == 404
        assert a.get(f"/preview/{name}").status_code == 404
    assert a.get("/packet/file/msa.docx").status_code == 200


def test_party_name_is_escaped(app):
    c = client(app)
    c.post("/new", data={"csrf": csrf(c)})
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post_step(c, "deal", {**CA_STEPS["deal"], "deal.name": attack}, action="goto:mso")
    post_step(c, "mso", {**CA_STEPS["mso"], "mso.members[0].name": attack}, action="goto:mso")
    for page in (c.get("/step/mso").text, c.get("/").text, c.get("/review").text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page


def test_existing_packet_regenerates_with_changes_and_redlines(app):
    c = client(app)
    complete_ca(c)
    c.post("/generate", data={"csrf": csrf(c)})
    packet = c.get("/packet.zip").content
    fresh = client(app)
    r = upload(fresh, "/open-packet", "packet", "glow_packet.zip", packet)
    assert r.status_code == 200 and "Regenerate this packet" in r.text
    post_step(fresh, "term", {**CA_STEPS["term"], "term.initial_years": "7"})
    r = fresh.post("/generate", data={"csrf": csrf(fresh)})
    assert "What changed (changes.md)" in r.text and "term.initial_years" in r.text
    assert "redlines/msa.redline.docx" in r.text
    assert fresh.get("/packet/file/redlines/msa.redline.docx").status_code == 200


def test_text_preview_without_libreoffice(app, monkeypatch):
    c = client(app)
    complete_ca(c)
    c.post("/generate", data={"csrf": csrf(c)})
    monkeypatch.setenv("FORMGEN_SOFFICE", "/nonexistent/soffice")
    monkeypatch.setenv("PATH", "/nonexistent")
    r = c.get("/preview/msa.docx")
    assert r.status_code == 200 and "MANAGEMENT SERVICES AGREEMENT" in r.text.upper()


def test_every_field_has_help_text():
    from formgen.web import interview

    fields = list(interview.all_fields())
    assert len(fields) > 40
    assert [f.path for f in fields if not f.help] == []


def test_serve_is_loopback_by_default():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1")
    help_text = run_cli("serve", "--help").stdout
    assert "--port" in help_text and "--host" in help_text and "--library" in help_text
