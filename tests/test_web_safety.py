"""The web intake against a hostile page (#26): DNS rebinding (Host), sessions, CSRF before the
body, body limits on the bytes received, packet zips (budget, ratio, damage, linked content), a
stale tab, removals only by name, and a fuzz of every route: nothing answers 500."""

from __future__ import annotations

import io
import json
import os
import re
import time
import zipfile
from urllib.parse import quote

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient  # noqa: E402
from test_web import ORIGIN, Browser, client, complete_ca, post_step, start_matter, upload  # noqa: E402
from web_answers import CA_STEPS  # noqa: E402

from conftest import EXAMPLES  # noqa: E402
from formgen.web import packetfiles  # noqa: E402
from formgen.web.app import COOKIE, create_app  # noqa: E402
from formgen.web.drafts import SESSION_IDLE  # noqa: E402

EPOCH = "1700000000"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return create_app(drafts_dir=tmp_path / "drafts")


def sessions(app) -> int:
    return app.state.store.session_count()


# ---------------------------------------------------------------- Host, sessions, CSRF, limits


def test_a_foreign_host_header_gets_421(app):
    rebind = TestClient(app, base_url="http://rebind.attacker.example")
    for r in (rebind.get("/"), rebind.get("/api/state/CA"), rebind.post("/new"), rebind.get("/static/app.js")):
        assert r.status_code == 421
        assert 'csrf-token" content="start' not in r.text
    assert TestClient(app, base_url="http://127.0.0.1:8000").get("/").status_code == 200
    assert TestClient(app, base_url="http://localhost:9").get("/").status_code == 200
    assert TestClient(app, base_url="http://[::1]:8000").get("/").status_code == 200
    assert TestClient(app, base_url="http://127.0.0.1.attacker.example").get("/").status_code == 421
    served = create_app(drafts_dir=app.state.store.root, host="intake.lan")  # formgen serve --host intake.lan
    assert TestClient(served, base_url="http://intake.lan:8000").get("/").status_code == 200
    assert TestClient(served, base_url="http://other.lan:8000").get("/").status_code == 421
    everywhere = create_app(drafts_dir=app.state.store.root, host="0.0.0.0")  # reached by the machine's addresses
    assert TestClient(everywhere, base_url="http://192.0.2.7:8000").get("/").status_code == 200
    assert TestClient(everywhere, base_url="http://rebind.attacker.example:8000").get("/").status_code == 421


def test_every_response_carries_the_security_headers_refusals_included(app):
    """One place sets them: the guard's own refusals (421, 403, 413) and the app's pages alike."""
    local = TestClient(app, base_url=ORIGIN)
    start_token = re.search(r'name="csrf-token" content="([^"]+)"', local.get("/").text).group(1)
    answers = {
        "page": local.get("/"),
        "static": local.get("/static/app.css"),
        "404": local.get("/no-such-page"),
        "421": TestClient(app, base_url="http://rebind.attacker.example").get("/"),
        "403": local.post("/new?csrf=forged"),
        "413": local.post("/new?csrf=" + start_token, content=b"x" * (3 * 1024 * 1024)),
    }
    assert [r.status_code for r in answers.values()] == [200, 200, 404, 421, 403, 413]
    for name, r in answers.items():
        assert r.headers["x-content-type-options"] == "nosniff", name
        assert r.headers["x-frame-options"] == "SAMEORIGIN", name
        assert "frame-ancestors 'self'" in r.headers["content-security-policy"], name
        assert len(r.headers.get_list("content-security-policy")) == 1, name


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_cookieless_requests_create_no_session(app):
    c = TestClient(app, base_url=ORIGIN)
    for i in range(300):
        c.cookies.clear()
        path = ("/static/app.css", "/static/app.js", f"/no-such-page-{i}", "/", "/m/" + "x" * 32 + "/step/deal")[i % 5]
        assert c.get(path).status_code in (200, 404)
    assert sessions(app) == 0
    assert [p for p in app.state.store.root.iterdir() if p.name not in ("matters", "sessions", ".secret")] == []


def test_sessions_expire_are_pruned_and_a_planted_id_is_never_adopted(app):
    a = client(app)
    start_matter(a)
    sid = a.cookies.get(COOKIE)
    planted = Browser(app, follow_redirects=True, base_url=ORIGIN)
    planted.cookies.set(COOKIE, "P" * 43, domain="127.0.0.1")  # an id this server never made
    r = planted.submit("/new")
    assert planted.cookies.get(COOKIE, domain="127.0.0.1") != "P" * 43 and r.status_code == 200
    old = time.time() - SESSION_IDLE - 60
    os.utime(app.state.store.sessions_root / sid, (old, old))
    assert (
        a.post(a.path("/step/deal") + "?csrf=" + app.state.store.csrf_token(sid), data={"deal.name": "X"}).status_code
        == 403
    )
    assert not (app.state.store.sessions_root / sid).exists()  # expired on use
    other = client(app)
    os.utime(app.state.store.sessions_root / planted.cookies.get(COOKIE, domain="127.0.0.1"), (old, old))
    start_matter(other)  # a new session prunes the expired ones
    assert sessions(app) == 1
    assert len(app.state.store.matters()) == 3  # the matters stay: the data folder owns them


def test_a_new_session_id_when_a_matter_is_started_or_opened_and_the_old_one_is_refused(app, tmp_path):
    store = app.state.store
    c = client(app)
    start_matter(c)
    ids = [c.cookies.get(COOKIE)]
    first_matter = c.base
    c.submit("/new")  # a second matter started
    ids.append(c.cookies.get(COOKIE))
    c.get(first_matter + "/")  # the first opened again, as the matters list links it
    ids.append(c.cookies.get(COOKIE))
    c.submit("/open", files={"deal": ("ca.yaml", (EXAMPLES / "ca_medspa.yaml").read_bytes(), "application/yaml")})
    ids.append(c.cookies.get(COOKIE))
    assert len(set(ids)) == 4 and store.session_count() == 1
    for old in ids[:-1]:
        assert not store.session_ok(old)
        stale = TestClient(app, base_url=ORIGIN, cookies={COOKIE: old})
        r = stale.post(first_matter + "/step/deal?csrf=" + store.csrf_token(old), data={"deal.name": "Hijacked"})
        assert r.status_code == 403  # the old id and its token are refused
    assert "Hijacked" not in store.deal_path(first_matter.split("/")[-1]).read_text()
    assert post_step(c, "deal", {"deal.name": "Still Mine"}).status_code == 200  # the new one works
    # an id fixed in the browser beforehand (made by this server for someone else) is worth nothing once a matter opens
    attacker = client(app)
    start_matter(attacker)
    known = attacker.cookies.get(COOKIE)
    victim = Browser(app, follow_redirects=True, base_url=ORIGIN)
    victim.cookies.set(COOKIE, known, domain="127.0.0.1")
    victim.get(first_matter + "/")
    assert victim.cookies.get(COOKIE, domain="127.0.0.1") != known and not store.session_ok(known)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_csrf_is_checked_before_the_body_and_the_limit_counts_bytes_received(app):
    c = client(app)
    start_matter(c)
    token = c.token()
    big = b"x" * (3 * 1024 * 1024)
    r = c.post(
        c.path("/step/deal") + "?csrf=bad", content=big, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 403  # refused before the 3 MB were read

    def chunks(total):  # no Content-Length: sent chunked
        for _ in range(total // 65536):
            yield b"a" * 65536

    r = c.post(
        c.path("/step/deal") + "?csrf=" + token,
        content=chunks(3 * 1024 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413 and "too large" in r.text
    r = c.post(
        "/open-packet?csrf=" + token,
        content=chunks(51 * 1024 * 1024),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert r.status_code == 413


# ---------------------------------------------------------------- packet zips


def zipped(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def packet_dir(packets):
    return packets["ca_medspa"]  # the session's CA packet (read only)


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_packet_with_pdfs_of_several_megabytes_reopens(app, packet_dir):
    files = {name: path.read_bytes() for name, path in packetfiles.listing(packet_dir, hidden=True).items()}
    for name in [n for n in files if n.endswith(".docx") and "/" not in n][:3]:
        files[name[:-5] + ".pdf"] = os.urandom(1_200_000)  # PDFs pack at about 1:1
    data = zipped(files)
    assert len(data) > 3_400_000
    c = client(app)
    r = upload(c, "/open-packet", "packet", "glow_packet.zip", data)
    assert r.status_code == 200 and r.url.path.endswith("/packet"), r.text[:500]
    assert "Regenerate this packet" in r.text


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_zip_bomb_and_an_overbudget_zip_are_refused_with_a_message(app, packet_dir, monkeypatch):
    c = client(app)
    manifest = (packet_dir / "manifest.json").read_bytes()
    bomb = zipped({"manifest.json": manifest, "msa.pdf": bytes(190 * 1024 * 1024)})
    assert len(bomb) < 1_000_000
    r = upload(c, "/open-packet", "packet", "bomb.zip", bomb)
    assert r.status_code == 400 and "times its packed size" in r.text
    monkeypatch.setattr(packetfiles, "MAX_UNPACKED", 4 * 1024 * 1024)
    text = b"".join(b"%08d clause text for the budget test\n" % i for i in range(150_000))  # ~6 MB, packs ~1:5
    r = upload(c, "/open-packet", "packet", "big.zip", zipped({"manifest.json": manifest, "notes.md": text}))
    assert r.status_code == 400 and "unpacks to more than 4 MB" in r.text
    assert app.state.store.matters() == []  # nothing kept of a refused upload


def damaged_zips(manifest: bytes) -> dict[str, bytes]:
    good = zipped({"manifest.json": manifest})
    lying = bytearray(good)
    at = lying.find(b"PK\x01\x02")  # central directory: claim a smaller size than the data
    lying[at + 24 : at + 28] = (5).to_bytes(4, "little")
    encrypted = bytearray(good)
    encrypted[6] |= 1
    encrypted[encrypted.find(b"PK\x01\x02") + 8] |= 1
    crc = bytearray(good)
    crc[30 + len("manifest.json") + 2] ^= 0xFF  # corrupt the packed data
    nested = json.dumps({"deal": {"validated": {}}}).encode()
    deep = b'{"deal": {"validated": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"
    return {
        "size mismatch": bytes(lying),
        "encrypted flag": bytes(encrypted),
        "corrupt data": bytes(crc),
        "deeply nested manifest": zipped({"manifest.json": deep}),
        "no deal": zipped({"manifest.json": nested}),
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "stored bomb": zipped({"manifest.json": b"{" * 10}),
    }


def test_damaged_zips_get_the_apps_error_page(app, packet_dir):
    c = client(app)
    for why, data in damaged_zips((packet_dir / "manifest.json").read_bytes()).items():
        r = upload(c, "/open-packet", "packet", "p.zip", data)
        assert r.status_code == 400, (why, r.status_code)
        assert "That could not be done" in r.text, why


def linked_docx(docx: bytes, target: str = "file:///etc/formgen-secret.png") -> bytes:
    """The document with a picture linked (not embedded) to a local file, as an attacker would."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    (
                        b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                        b'relationships/image" Target="'
                        + target.encode()
                        + b'" TargetMode="External"/></Relationships>'
                    ),
                )
            zf.writestr(info, data)
    return out.getvalue()


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_docx_linking_a_local_file_is_refused_and_never_previewed(app, packet_dir):
    files = {name: path.read_bytes() for name, path in packetfiles.listing(packet_dir, hidden=True).items()}
    files["msa.docx"] = linked_docx(files["msa.docx"])
    c = client(app)
    r = upload(c, "/open-packet", "packet", "evil.zip", zipped(files))
    assert r.status_code == 400 and "msa.docx loads content from outside the document" in r.text
    assert "file:///etc/formgen-secret.png" in r.text
    # a document that got into a packet folder some other way is shown as text, never rendered
    complete_ca(c)
    folder = app.state.store.packet_dir(c.base.rsplit("/", 1)[-1])
    folder.mkdir()
    (folder / "msa.docx").write_bytes(files["msa.docx"])
    assert packetfiles.external_content((folder / "msa.docx").read_bytes())
    r = c.get(c.path("/preview/msa.docx"))
    assert r.status_code == 200 and 'id="text-preview"' in r.text and "<img" not in r.text.split("<main", 1)[1]
    # field codes that include a file are caught too, split across runs or not
    fielded = files["nda.docx"] if "nda.docx" in files else files["msa.docx"]
    assert packetfiles.external_content(_with_field(packet_dir / "msa.docx"))
    assert not packetfiles.external_content((packet_dir / "msa.docx").read_bytes())
    del fielded


def _with_field(path) -> bytes:
    source = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(
                    b"</w:body>",
                    b'<w:p><w:r><w:instrText xml:space="preserve"> INCLUDE</w:instrText></w:r>'
                    b'<w:r><w:instrText>PICTURE "C:\\\\secret.png" \\d</w:instrText></w:r></w:p></w:body>',
                )
            zf.writestr(info, data)
    return out.getvalue()


# ---------------------------------------------------------------- stale tabs, removals, undo


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_a_stale_tab_is_told_not_obeyed(app):
    c = client(app)
    complete_ca(c)
    mid = c.base.rsplit("/", 1)[-1]
    seen = str(app.state.store.version(mid))
    two = {
        **CA_STEPS["practice"],
        "practice.owners[1].name": "Lee Park, M.D.",
        "practice.owners[1].license.type": "MD",
        "practice.owners[1].license.number": "B1",
        "practice.owners[1].percent": "10",
        "practice.owners[0].percent": "90",
    }
    r = c.post(c.path("/api/check/practice"), data={**two, "_version": seen}, headers={"X-CSRF-Token": c.token()})
    assert r.status_code == 200 and r.json()["version"] == int(seen) + 1
    # the other tab still shows the version before: its autosave and its Next are refused
    r = c.post(
        c.path("/api/check/practice"),
        data={**CA_STEPS["practice"], "_version": seen},
        headers={"X-CSRF-Token": c.token()},
    )
    assert r.status_code == 409 and r.json()["stale"] is True and "another tab" in r.json()["message"]
    r = post_step(c, "practice", {**CA_STEPS["practice"], "_version": seen})
    assert "stale=1" in str(r.url) and "changed in another tab or window" in r.text
    assert "Lee Park" in c.get(c.path("/deal.yaml")).text


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_removal_only_by_name_and_undo(app):
    c = client(app)
    complete_ca(c)
    for action in (
        "remove:",
        "remove:practice.owners",
        "remove:practice.owners:\u00b9",
        "remove:practice.owners:" + "9" * 5001,
        "remove:mso.members:0",
        "remove:practice.owners:-1",
    ):
        r = post_step(c, "practice", CA_STEPS["practice"], action=action)
        assert r.status_code == 400 if action != "remove:practice.owners:-1" else r.status_code in (400, 200), action
        assert r.status_code != 500
    assert "Maya Chen" in c.get(c.path("/deal.yaml")).text
    r = post_step(c, "practice", CA_STEPS["practice"], action="remove:practice.owners:0")
    assert "Removed owner 1 (Maya Chen, M.D.)" in r.text and 'id="undo"' in r.text
    assert "A123456" not in c.get(c.path("/deal.yaml")).text
    r = post_step(c, "practice", {}, action="undo")
    deal = c.get(c.path("/deal.yaml")).text
    assert "Maya Chen, M.D." in deal and "A123456" in deal and "Daniel Chen" in deal


@pytest.mark.slow  # slow tier: over half a second of CPU (whole packets or workflows)
def test_the_first_button_of_every_step_is_next(app):
    """Enter in a field presses the form's first submit button: on every step it is Next, and
    every Remove comes after the fields it removes."""
    c = client(app)
    complete_ca(c)
    from formgen.web import interview

    for step in interview.steps():
        page = c.get(c.path(f"/step/{step.id}")).text
        form = page[page.index('<form method="post" action="/m/') :]
        first = re.search(r"<button\b[^>]*>", form).group(0)
        assert 'value="next"' in first and 'type="submit"' in first, step.id
        for remove in re.finditer(r'value="remove:([^:"]+):(\d+)"', form):
            field = form.rfind(f'name="{remove.group(1)}[{remove.group(2)}]', 0, remove.start())
            assert field != -1, (step.id, remove.group(0))


# ---------------------------------------------------------------- fuzz


HOSTILE = [
    "9" * 5001,
    "\u00b2",
    "$" + "9" * 4400,
    "\u0661\u0662",
    "-1",
    "1e999999",
    "NaN",
    "../../etc/passwd",
    "\x00",
    "{",
]


@pytest.mark.slow  # every route with every hostile value
def test_no_route_answers_500_to_hostile_values(app, packet_dir):
    c = client(app)
    c.raise_server_exceptions = False
    c._transport.raise_server_exceptions = False
    complete_ca(c)
    c.submit("/generate")
    from formgen.web import interview

    token = c.token()
    statuses = {}

    def note(route, r):
        statuses.setdefault(r.status_code, []).append(route)

    fields = [f.path.replace("[]", "[0]") for f in interview.all_fields() if f.kind not in ("group", "object")]
    for value in HOSTILE:
        token = c.token()  # opening a deal below starts a matter, which gives the browser a new session
        for step in interview.steps() if value in HOSTILE[:2] else ():  # every field of every step, twice
            form = {f: value for f in fields if f.split(".")[0].split("[")[0] in step.sections}
            note(
                "step",
                c.post(
                    c.path(f"/step/{step.id}") + f"?csrf={token}",
                    data={**form, "action": "next"},
                    follow_redirects=False,
                ),
            )
            note(
                "check",
                c.post(
                    c.path(f"/api/check/{step.id}"),
                    data={**form, "_version": value, "_all": "1"},
                    headers={"X-CSRF-Token": token},
                ),
            )
        for action in (f"remove:{value}", f"add:{value}", f"goto:{value}", value, f"remove:practice.owners:{value}"):
            note(
                "action",
                c.post(c.path("/step/practice") + f"?csrf={token}", data={"action": action}, follow_redirects=False),
            )
        note("index", c.post(c.path("/step/mso") + f"?csrf={token}", data={f"mso.members[{value}].name": "x"}))
        quoted = quote(value, safe="")
        for route in (
            f"/step/{quoted}",
            f"/preview/{quoted}",
            f"/preview/msa.docx/page/{quoted}",
            f"/packet/file/{quoted}",
        ):
            note(route, c.get(c.path(route)))
        note("state", c.get(f"/api/state/{quoted}"))
        note("matter", c.get(f"/m/{quoted}/step/deal"))
        note("rename", c.post(c.path("/rename") + f"?csrf={token}", data={"name": value}))
        note(
            "contract",
            c.post(
                c.path("/contract") + f"?csrf={token}",
                data={"state": value, "as_of": value},
                files={"contract": (f"{value[:60]}.docx", b"PK\x03\x04" + value.encode(errors="replace"))},
            ),
        )
        note(
            "contract-state",
            c.post(
                c.path("/contract") + f"?csrf={token}",
                data={"state": "CA", "as_of": value},
                files={"contract": ("c.txt", f"Section 1.1. {value}".encode(errors="replace"))},
            ),
        )
        for route in ("/contract", "/contract/review_memo.docx", "/contract/redline.docx"):
            note(route, c.get(c.path(route)))
        note(
            "open",
            upload(
                c,
                "/open",
                "deal",
                "d.yaml",
                f"deal: {{name: x, state: {value}, effective_date: {value}}}\n"
                f"mso: {{members: [{{percent: {value}}}]}}".encode(),
            ),
        )
        note("open-json", upload(c, "/open", "deal", "d.json", json.dumps({"deal": value}).encode()))
        note("cookie", TestClient(app, base_url=ORIGIN).get("/", headers=[(b"cookie", f"{COOKIE}={value}".encode())]))
        c.submit(
            "/step/deal",
            {
                "deal.name": "Glow Aesthetics",
                "deal.state": "CA",
                "deal.effective_date": "2027-01-01",
                "action": "goto:deal",
            },
        )
    token = c.token()
    for data in damaged_zips((packet_dir / "manifest.json").read_bytes()).values():
        note("open-packet", upload(c, "/open-packet", "packet", "p.zip", data))
    note(
        "bad multipart",
        c.post(
            "/open?csrf=" + token, content=b"--x\r\nbroken", headers={"content-type": "multipart/form-data; boundary=x"}
        ),
    )
    note(
        "bad length",
        c.post(
            c.path("/step/deal") + f"?csrf={token}", content=b"a=1", headers=[(b"content-length", "\u00b2".encode())]
        ),
    )
    note("not allowed", c.delete("/"))
    note("generate", c.post(c.path("/generate") + f"?csrf={token}", data={"pdf": "\u00b2"}))
    assert 500 not in statuses, statuses[500][:10]
    assert set(statuses) <= {200, 303, 400, 403, 404, 405, 409, 413}, {k: v[:3] for k, v in statuses.items()}
