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
from formgen.inputs.library import Library  # noqa: E402
from formgen.web.app import COOKIE, create_app  # noqa: E402
from formgen.web.live import sentence  # noqa: E402
from formgen.web.serve import is_loopback  # noqa: E402

pytestmark = pytest.mark.slow  # slow tier: the web intake's whole workflows

EPOCH = "1700000000"
ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return create_app(drafts_dir=tmp_path / "drafts")


class Browser(TestClient):
    """A test client that remembers the matter it is in (``base``, e.g. /m/<id>)."""

    base = ""

    def token(self) -> str:
        page = self.get(self.base + "/step/deal" if self.base else "/").text
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    def submit(self, path, data=None, files=None, token=None):
        """POST with the CSRF token in the query, as the app's forms do."""
        url = (
            (self.base + path)
            if path.startswith(("/step", "/api", "/generate", "/duplicate", "/rename", "/delete"))
            else path
        )
        r = self.post(f"{url}?csrf={token or self.token()}", data=data or {}, files=files)
        found = re.search(r"(/m/[A-Za-z0-9_-]+)/", str(r.url))
        if found and r.status_code == 200:
            self.base = found.group(1)
        return r

    def path(self, rest: str) -> str:
        return self.base + rest


def client(app) -> Browser:
    return Browser(app, follow_redirects=True, base_url=ORIGIN)


def csrf(c: Browser) -> str:
    return c.token()


def post_step(c, step, answers, action="next"):
    return c.submit(f"/step/{step}", {**answers, "action": action})


def start_matter(c) -> None:
    r = c.submit("/new")
    assert r.status_code == 200 and "/step/deal" in str(r.url)


# Boxes the form shows ticked (their default is true): a browser submits them, so the client must.
TICKED_BY_DEFAULT = {"deal": {"deal.provider_non_compete": "true"}}


def complete_ca(c) -> None:
    start_matter(c)
    for step, answers in CA_STEPS.items():
        r = post_step(c, step, {**answers, **TICKED_BY_DEFAULT.get(step, {})})
        assert r.status_code == 200
        assert "checked=1" not in str(r.url), (step, r.text[r.text.find('id="errors"') :][:500])


def upload(c, route, field, name, data, content_type="application/octet-stream"):
    return c.submit(route, files={field: (name, data, content_type)})


def test_start_page_makes_no_session_and_a_matter_does(app):
    c = client(app)
    r = c.get("/")
    assert r.status_code == 200
    assert "New deal" in r.text and "Open a deal file" in r.text and "Open an existing packet" in r.text
    assert "set-cookie" not in r.headers  # no session until a matter is started
    assert "default-src 'self'" in r.headers["content-security-policy"]
    r = c.submit("/new")
    cookie = r.history[0].headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "max-age=" in cookie.lower()
    assert len(app.state.store.matters()) == 1 and app.state.store.session_count() == 1


def test_every_post_needs_the_csrf_token(app):
    c = client(app)
    start_matter(c)
    assert c.post("/new").status_code == 403
    assert c.post("/new", data={"csrf": c.token()}).status_code == 403  # in the body is too late: never read
    assert c.post("/new?csrf=" + "0" * 64).status_code == 403
    assert (
        c.post(c.path("/api/check/deal"), data={"deal.name": "X"}, headers={"X-CSRF-Token": "bad"}).status_code == 403
    )
    other = client(app)  # another session's token is not this one's
    start_matter(other)
    assert c.post(c.path("/step/deal") + "?csrf=" + other.token(), data={"deal.name": "X"}).status_code == 403
    # a start page's token starts a matter but does not change one
    start = re.search(r'content="(start-[^"]+)"', client(app).get("/").text).group(1)
    assert c.post(c.path("/step/deal") + "?csrf=" + start, data={"deal.name": "X"}).status_code == 403
    assert c.post("/new?csrf=" + start).status_code == 200
    assert c.submit("/new").status_code == 200


def test_ca_interview_to_packet_matches_formgen_generate(app, tmp_path, machine_settings):
    c = client(app)
    complete_ca(c)
    review = c.get(c.path("/review"))
    rule = Library.shipped().state("CA").rule_for_tag("fee:percentage_of_revenue")
    assert " ".join(rule.message.split()) in html.unescape(review.text)
    assert rule.citation in html.unescape(review.text)
    assert "Left out" in review.text and "Included" in review.text
    r = c.submit("/generate")
    assert r.status_code == 200 and str(r.url).endswith("/packet")
    zipped = c.get(c.path("/packet.zip"))
    assert zipped.headers["content-type"] == "application/zip"
    files = {
        i.filename: zipfile.ZipFile(io.BytesIO(zipped.content)).read(i)
        for i in zipfile.ZipFile(io.BytesIO(zipped.content)).infolist()
    }
    assert {n for n in files if not n.startswith(".formgen/")} == PACKET_FILES
    # the deal file the interview wrote round-trips: the CLI on it writes the same documents
    deal = tmp_path / "glow.yaml"
    deal.write_bytes(c.get(c.path("/deal.yaml")).content)
    out = tmp_path / "cli"
    result = run_cli(
        "generate", str(deal), "-o", str(out), env={**__import__("os").environ, "SOURCE_DATE_EPOCH": EPOCH}
    )
    assert result.returncode == 0, result.stderr
    for name in DOCUMENTS:
        assert (out / name).read_bytes() == files[name], name
    # and equals the shipped example's packet (the same deal, written by hand), less the filing
    # facts (formation:) the interview does not ask for yet
    import yaml

    by_hand = yaml.safe_load((EXAMPLES / "ca_medspa.yaml").read_text())
    by_hand.pop("formation")
    for owner in by_hand["practice"]["owners"]:  # the closing facts web_answers.py does not give either
        for key in ("address", "consideration"):
            owner.pop(key, None)
        owner["license"].pop("expires", None)
    for member in by_hand["mso"]["members"]:
        member.pop("signatory", None)
    (tmp_path / "glow_by_hand.yaml").write_text(yaml.safe_dump(by_hand, sort_keys=False))
    example = tmp_path / "example"
    machine_settings()  # the app's SOURCE_DATE_EPOCH, as the CLI above had it
    api.generate(tmp_path / "glow_by_hand.yaml", example)
    assert all((example / n).read_bytes() == files[n] for n in DOCUMENTS if n != "compliance.json")


def test_live_check_shows_state_rules_and_fee_finding(app):
    c = client(app)
    start_matter(c)
    post_step(c, "deal", CA_STEPS["deal"])
    r = c.post(
        c.path("/api/check/fees"),
        data={"fees.basis": "percentage_of_revenue", "fees.percent_of_revenue": "15"},
        headers={"X-CSRF-Token": csrf(c)},
    )
    body = r.json()
    assert body["saved"] is True
    rule = Library.shipped().state("CA").rule_for_tag("fee:percentage_of_revenue")
    live = html.unescape(body["live_html"])
    assert " ".join(rule.message.split()) in live and rule.replacement in live and rule.citation in live
    r = c.post(
        c.path("/api/check/fees"),
        data={"fees.basis": "fixed_monthly", "fees.monthly_amount": "20000"},
        headers={"X-CSRF-Token": csrf(c)},
    )
    assert "no rule against this fee basis" in r.json()["live_html"]
    state = c.get("/api/state/CA").json()
    assert {f["form"] for f in state["entity_forms"]} == {"medical_corporation", "professional_corporation"}
    assert state["fees"]["percentage_of_revenue"]["action"] == "replace"
    assert c.get("/api/state/ZZ").status_code == 404
    # the practice step offers only the forms California allows, and shows the designations
    page = c.get(c.path("/step/practice")).text
    assert 'value="pllc"' not in page and 'value="medical_corporation"' in page
    assert "Who may own the practice" in page
    r = c.post(
        c.path("/api/check/practice"),
        data={**CA_STEPS["practice"], "practice.name": "Glow Aesthetics LLC"},
        headers={"X-CSRF-Token": csrf(c)},
    )
    assert "does not end with one of these designations" in r.json()["live_html"]
    r = c.post(c.path("/api/check/practice"), data=CA_STEPS["practice"], headers={"X-CSRF-Token": csrf(c)})
    assert "carries a designation California accepts" in r.json()["live_html"]


def test_errors_beside_fields_carry_the_loaders_message(app, tmp_path):
    c = client(app)
    complete_ca(c)
    bad = {**CA_STEPS["practice"], "practice.owners[0].percent": "60", "practice.owners[0].license.number": ""}
    r = post_step(c, "practice", bad)
    assert "checked=1" in str(r.url)  # Next stays on the step
    deal = tmp_path / "d.yaml"
    deal.write_bytes(c.get(c.path("/deal.yaml")).content)
    with pytest.raises(InputError) as info:
        api.validate(deal)
    for problem in info.value.problems:
        block = re.search(r'data-error-for="' + re.escape(problem.path) + r'"[^>]*>(.*?)</div>', r.text, re.S)
        assert block, problem.path
        assert html.escape(sentence(problem.message)) in block.group(1)  # the loader's message, as a sentence


def test_add_and_remove_an_owner(app):
    c = client(app)
    complete_ca(c)
    r = post_step(c, "practice", CA_STEPS["practice"], action="add:practice.owners")
    assert 'name="practice.owners[1].name"' in r.text
    two = {
        **CA_STEPS["practice"],
        "practice.owners[1].name": "Lee Park, N.P.",
        "practice.owners[1].license.type": "NP",
        "practice.owners[1].license.state": "CA",
        "practice.owners[1].license.number": "NP1",
        "practice.owners[1].percent": "10",
        "practice.owners[0].percent": "90",
    }
    post_step(c, "practice", two, action="goto:practice")
    assert "Lee Park" in c.get(c.path("/deal.yaml")).text
    r = post_step(c, "practice", two, action="remove:practice.owners:1")
    assert 'name="practice.owners[1].name"' not in r.text
    assert "Lee Park" not in c.get(c.path("/deal.yaml")).text


def test_opened_deal_keeps_its_comments_after_answers_change(app):
    c = client(app)
    text = (EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8")
    r = upload(c, "/open", "deal", "ca_medspa.yaml", text.encode())
    assert r.status_code == 200 and "/step/deal" in str(r.url)
    post_step(c, "fees", {"fees.basis": "fixed_monthly", "fees.monthly_amount": "25000", "fees.fmv_review": "annual"})
    saved = c.get(c.path("/deal.yaml")).text
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
    message = line[line.index("is not valid YAML") :]
    assert "is not valid YAML" in message and message in html.unescape(r.text)
    assert upload(c, "/open", "deal", "notes.txt", b"deal: {}").status_code == 400
    assert upload(c, "/open", "deal", "big.yaml", b"#" * (3 * 1024 * 1024)).status_code in (400, 413)
    assert upload(c, "/open-packet", "packet", "x.zip", b"not a zip").status_code == 400


def test_matters_are_reached_only_by_their_id_and_paths_never_come_from_the_request(app):
    a = client(app)
    complete_ca(a)
    a.submit("/generate")
    b = client(app)
    assert b.get("/m/" + "A" * 32 + "/deal.yaml").status_code == 404
    assert b.get("/m/../deal.yaml").status_code == 404
    forged = client(app)
    forged.cookies.set(COOKIE, "../" + a.cookies.get(COOKIE))
    assert forged.post(a.path("/step/deal") + "?csrf=" + a.token(), data={"deal.name": "X"}).status_code == 403
    for name in (
        "..%2Fdeal.yaml",
        "..%2F..%2F.secret",
        "%2Fetc%2Fpasswd",
        "redlines%2F..%2F..%2Fdeal.yaml",
        "redlines/%2E%2E/%2E%2E/deal.yaml",
        "..%2F..%2F..%2F.secret",
    ):
        assert a.get(a.path(f"/packet/file/{name}")).status_code == 404
        assert a.get(a.path(f"/preview/{name}")).status_code == 404
    assert a.get(a.path("/packet/file/msa.docx")).status_code == 200


def test_party_name_is_escaped(app):
    c = client(app)
    start_matter(c)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    post_step(c, "deal", {**CA_STEPS["deal"], "deal.name": attack}, action="goto:mso")
    post_step(c, "mso", {**CA_STEPS["mso"], "mso.members[0].name": attack}, action="goto:mso")
    for page in (c.get(c.path("/step/mso")).text, c.get("/").text, c.get(c.path("/review")).text):
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(" in page


def test_existing_packet_regenerates_with_changes_and_redlines(app):
    c = client(app)
    complete_ca(c)
    c.submit("/generate")
    packet = c.get(c.path("/packet.zip")).content
    fresh = client(app)
    r = upload(fresh, "/open-packet", "packet", "glow_packet.zip", packet)
    assert r.status_code == 200 and "Regenerate this packet" in r.text
    post_step(fresh, "term", {**CA_STEPS["term"], "term.initial_years": "7"})
    r = fresh.submit("/generate")
    assert "What changed (changes.md)" in r.text and "term.initial_years" in r.text
    assert "redlines/msa.redline.docx" in r.text
    assert fresh.get(fresh.path("/packet/file/redlines/msa.redline.docx")).status_code == 200


def test_text_preview_without_libreoffice(app, monkeypatch):
    c = client(app)
    complete_ca(c)
    c.submit("/generate")
    monkeypatch.setenv("FORMGEN_SOFFICE", "/nonexistent/soffice")
    monkeypatch.setenv("PATH", "/nonexistent")
    r = c.get(c.path("/preview/msa.docx"))
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


NY_PRACTICE = {
    "practice.name": "Empire Glow Medical, PLLC",
    "practice.entity_type": "pllc",
    "practice.formation_state": "NY",
    "practice.address": "1 Main Street, New York, NY 10001",
    "practice.owners[0].name": "Lee Park, N.P.",
    "practice.owners[0].license.type": "NP",
    "practice.owners[0].license.state": "NY",
    "practice.owners[0].license.number": "NP-1",
    "practice.owners[0].percent": "100",
    "practice.medical_director": "Lee Park, N.P.",
    "practice.signatory.name": "Lee Park, N.P.",
    "practice.signatory.title": "President",
}


def test_state_errors_block_next_on_their_own_step(app):
    """An NP owner in New York and members summing to 90: errors on the step that asks, before any
    later step is answered (as `formgen validate` says once everything is filled)."""
    c = client(app)
    start_matter(c)
    post_step(c, "deal", {"deal.name": "Empire Glow", "deal.state": "NY", "deal.effective_date": "2027-01-01"})
    r = post_step(c, "mso", {**CA_STEPS["mso"], "mso.formation_state": "NY", "mso.members[0].percent": "50"})
    assert r.url.path.endswith("/step/mso") and "checked=1" in str(r.url)
    assert "Membership percents sum to 90 (50 + 40); they must sum to exactly 100" in html.unescape(r.text)
    post_step(c, "mso", {**CA_STEPS["mso"], "mso.formation_state": "NY"})
    r = post_step(c, "practice", NY_PRACTICE)
    assert r.url.path.endswith("/step/practice")
    block = re.search(r'data-error-for="practice.owners\[0\].license.type"[^>]*>(.*?)</div>', r.text, re.S).group(1)
    assert "may not own any part of a New York medical practice" in html.unescape(block)
    assert re.search(r'<select id="f-practice-owners-0-license-type"[^>]*aria-invalid="true"', r.text)
    assert re.search(r'<li class="error current"><a href="[^"]+/step/practice"', r.text)  # the pill: ⚠
    assert re.search(r'<li class="done"><a href="[^"]+/step/mso"', r.text)  # and ✓
    # the autosave says it as the owner is typed in
    r = c.post(c.path("/api/check/practice"), data=NY_PRACTICE, headers={"X-CSRF-Token": c.token()})
    assert any("New York" in m for m in r.json()["problems"]["practice.owners[0].license.type"])
    fixed = {**NY_PRACTICE, "practice.owners[0].license.type": "MD", "practice.owners[0].name": "Lee Park, M.D."}
    assert post_step(c, "practice", fixed).url.path.endswith("/step/services")


def test_money_and_percent_as_people_type_them(app, tmp_path):
    c = client(app)
    complete_ca(c)
    r = post_step(
        c,
        "mso",
        {
            **CA_STEPS["mso"],
            "mso.members[0].capital_contribution": "$150,000",
            "mso.members[1].capital_contribution": "35,000",
        },
    )
    assert r.url.path.endswith("/step/practice")
    r = post_step(
        c,
        "fees",
        {"fees.basis": "percentage_of_revenue", "fees.percent_of_revenue": "10 %", "fees.fmv_review": "annual"},
    )
    assert r.url.path.endswith("/step/term")
    deal = tmp_path / "typed.yaml"
    deal.write_bytes(c.get(c.path("/deal.yaml")).content)
    validated = api.load_deal(deal)  # the CLI reads the same file the same way
    assert [m.capital_contribution for m in validated.mso.members] == [150000, 35000]
    assert validated.fees.percent_of_revenue == 10
    r = post_step(c, "fees", {"fees.basis": "fixed_monthly", "fees.monthly_amount": "10%", "fees.fmv_review": "annual"})
    assert "checked=1" in str(r.url) and "Enter a number, e.g. 150,000, $150,000 or 10%." in html.unescape(r.text)


def test_review_shows_every_answer_with_edit_links_back_to_review(app):
    c = client(app)
    complete_ca(c)
    r = c.get(c.path("/review"))
    page = html.unescape(r.text)
    for text in (
        "Glow Aesthetics",
        "Glow Management, LLC",
        "Dana Ruiz",
        "Harbor Street Capital, LLC",
        "60%",
        "$150,000",
        "Maya Chen, M.D.",
        "A123456",
        "MD (physician)",
        "Professional corporation (PC)",
        "Percentage of revenue",
        "Payroll and HR",
        "Arbitration",
        "Every year",
    ):
        assert text in page, text
    assert "percentage_of_revenue" not in page.split('id="answers"')[1].split("</div>")[0]  # option names, not codes
    edit = re.search(r'href="([^"]+/step/fees\?from=review)"', r.text).group(1)
    step = c.get(edit.replace("&amp;", "&"))
    assert "Back to review" in step.text and 'name="_from" value="review"' in step.text
    r = c.submit(
        "/step/fees",
        {
            "fees.basis": "fixed_monthly",
            "fees.monthly_amount": "20,000",
            "fees.fmv_review": "annual",
            "_from": "review",
            "action": "next",
        },
    )
    assert r.url.path.endswith("/review") and "Fixed monthly fee" in r.text


def test_review_problems_name_fields_in_words(app):
    c = client(app)
    start_matter(c)
    post_step(c, "deal", CA_STEPS["deal"])
    page = re.sub(r"<[^>]+>", "", html.unescape(c.get(c.path("/review")).text))
    assert "MSO: This answer is needed." in page and "Term: This answer is needed." in page
    assert "list should have at least" not in page and "(got list)" not in page


def test_matters_list_keeps_every_draft(app):
    c = client(app)
    complete_ca(c)
    first = c.base
    start_matter(c)  # a second matter: the first stays
    post_step(c, "deal", {**CA_STEPS["deal"], "deal.name": "Second Spa"}, action="goto:deal")
    upload(c, "/open", "deal", "ca.yaml", (EXAMPLES / "ca_medspa.yaml").read_bytes())
    listing = client(app).get("/")  # any browser on the machine sees them
    names = re.findall(r'class="open-matter" href="[^"]+">([^<]+)<', listing.text)
    assert sorted(names) == ["Glow Aesthetics", "Glow Aesthetics", "Second Spa"]
    assert c.get(first + "/deal.yaml").status_code == 200
    other = client(app)
    start = other.token()
    r = other.post(first + "/duplicate?csrf=" + start)
    assert r.status_code == 200 and "Glow Aesthetics (copy)" in r.text
    r = other.post(first + "/rename?csrf=" + start, data={"name": "Glow — signed"})
    assert "Glow — signed" in html.unescape(r.text)
    r = other.get(first + "/delete")
    assert "cannot be undone" in r.text and "Delete this matter" in r.text
    other.post(first + "/delete?csrf=" + start)  # without the confirmation field: nothing goes
    assert c.get(first + "/deal.yaml").status_code == 200
    r = other.post(first + "/delete?csrf=" + start, data={"confirm": "yes"})
    assert r.status_code == 200 and c.get(first + "/deal.yaml").status_code == 404
    assert len(app.state.store.matters()) == 3


def test_the_cli_reads_typed_money_and_percent_the_same_way(tmp_path):
    text = (EXAMPLES / "ca_medspa.yaml").read_text(encoding="utf-8")
    text = text.replace("capital_contribution: 150000", 'capital_contribution: "$150,000"')
    text = text.replace("percent_of_revenue: 15 ", 'percent_of_revenue: "15 %"')
    deal = tmp_path / "typed.yaml"
    deal.write_text(text, encoding="utf-8")
    result = run_cli("validate", str(deal))
    assert result.returncode == 0, result.stderr
    loaded = api.load_deal(deal)
    assert loaded.mso.members[0].capital_contribution == 150000 and loaded.fees.percent_of_revenue == 15
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace('"15 %"', '"$15"'), encoding="utf-8")
    assert run_cli("validate", str(bad)).returncode != 0  # a dollar sign is no percent


def test_drafts_of_the_old_one_per_browser_layout_become_matters(tmp_path):
    root = tmp_path / "drafts"
    old = root / ("S" * 43)
    old.mkdir(parents=True)
    (old / "deal.yaml").write_text("deal: {name: Old Draft}\n", encoding="utf-8")
    (root / ("E" * 43)).mkdir()  # an empty session folder of the old layout
    app = create_app(drafts_dir=root)
    assert [m.name for m in app.state.store.matters()] == ["Old Draft"]
    assert not (root / ("E" * 43)).exists()


def test_the_formation_step_has_curated_help_for_every_field():
    """#23: the filing facts get help written for people (not the model's docstrings), per entity."""
    from formgen.inputs.deal import deal_json_schema
    from formgen.web import interview

    step = interview.step("formation")
    fields = list(interview.all_fields(step.fields))
    assert len(fields) >= 20 and step.title == "Filing facts (optional)"
    described = {}
    for f in fields:
        assert f.help and f.help == interview.HELP.get(f.path), f.path
        described[f.path] = f.help
    assert "management company's charter" in described["formation.mso.organizer"]
    assert "practice's charter" in described["formation.practice.organizer"]
    model = deal_json_schema()["$defs"]["EntityFiling"]["properties"]["organizer"].get("description", "")
    assert described["formation.mso.organizer"] != model


def test_an_entity_form_spelled_as_a_deal_file_may_spell_it_is_the_form_it_names(app):
    """The NY example says `entity_type: pc`: the step shows the professional corporation chosen and
    its designations, not "Pc (not allowed in New York)"."""
    c = client(app)
    r = upload(c, "/open", "deal", "ny.yaml", (EXAMPLES / "ny_medspa.yaml").read_bytes())
    assert r.status_code == 200
    page = c.get(c.path("/step/practice")).text
    assert re.search(r'<option value="professional_corporation" selected>', page)
    assert "not allowed in New York" not in page and 'id="live-designations"' in page


def test_the_legacy_iv_flag_is_iv_therapy_ticked_on_the_clinical_team_step(app, tmp_path):
    """TX's deal file says ``offers_iv_therapy: true`` and lists no treatments; its packet has the IV
    protocol, so the interview shows IV therapy ticked, asks the fact once, and saving any step
    keeps it (the flag was dropped by the deal step's save before)."""
    c = client(app)
    text = (EXAMPLES / "tx_medspa.yaml").read_text(encoding="utf-8")
    assert upload(c, "/open", "deal", "tx_medspa.yaml", text.encode()).status_code == 200
    clinical = c.get(c.path("/step/clinical")).text
    assert re.search(r'<input[^>]*value="iv_therapy"[^>]*checked', clinical)
    assert not re.search(r'<input[^>]*value="fillers"[^>]*checked', clinical)
    deal_step = c.get(c.path("/step/deal")).text
    assert 'name="deal.offers_iv_therapy"' not in deal_step
    form = {"deal.name": "Lone Star Glow", "deal.state": "TX", "deal.effective_date": "2027-01-01"}
    post_step(c, "deal", {**form, **TICKED_BY_DEFAULT["deal"]})
    saved = c.get(c.path("/deal.yaml")).text
    assert "iv_therapy" in saved and "offers_iv_therapy" not in saved
    (tmp_path / "saved.yaml").write_text(saved, encoding="utf-8")
    planned = {d.spec.name for d in api.plan(tmp_path / "saved.yaml").documents}
    assert "treatment_protocols" in planned
    post_step(c, "clinical", {})  # IV therapy unticked: the clinic no longer offers it
    saved = c.get(c.path("/deal.yaml")).text
    assert "iv_therapy" not in saved
