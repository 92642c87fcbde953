"""The web intake in a real browser: Debian's Chromium driven by Playwright against
`formgen serve`'s app on loopback. Screenshots of each step go to $FORMGEN_WEB_SHOTS (default: a
temporary folder) so a person can look at them."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
sync_api = pytest.importorskip("playwright.sync_api")

from conftest import EXAMPLES  # noqa: E402
from web_answers import CA_STEPS, PACKET_FILES  # noqa: E402

from formgen.inputs.library import Library  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Slow tier: Chromium.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed (tests/run.sh installs it)"),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from formgen.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(drafts_dir=tmp_path_factory.mktemp("drafts"))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:  # launch() gives Chromium a fresh temporary profile
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("FORMGEN_WEB_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)

    def shot(page, name: str) -> None:
        # The window is tall enough for a whole step: a full-page capture would resize the view
        # and Chromium restores the scroll position late, moving the button under the next click.
        page.screenshot(path=str(folder / f"{name}.png"))

    return shot


def new_page(browser, **options):
    # bypass_csp: the app's Content-Security-Policy would stop an injected script on its own; the
    # tests turn it off so that they show escaping alone keeps a party name inert (and so that
    # Playwright's wait_for_function may evaluate its expression).
    options.setdefault("viewport", {"width": 1280, "height": 2800})
    context = browser.new_context(accept_downloads=True, bypass_csp=True, **options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return context, page


def fill(page, answers: dict) -> None:
    """Type the answers as a person would, then wait until the last autosave is stored."""
    for name, value in answers.items():
        box = page.locator(f'[name="{name}"]')
        if isinstance(value, list):
            for v in value:
                page.locator(f'input[name="{name}"][value="{v}"]').check()
        elif box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value)
        else:
            box.fill(value)
    if page.locator("#saved").count():
        wait_saved(page)


def matter(page) -> str:
    """The matter's address (…/m/<id>) of the page shown."""
    return re.match(r"^(.*/m/[^/]+)", page.url).group(1)


def wait_saved(page) -> None:
    page.wait_for_function("document.getElementById('saved').textContent === 'Saved'")


def test_ca_interview_from_scratch_to_packet(server, browser, shots, tmp_path):
    context, page = new_page(browser)
    page.goto(server + "/")
    shots(page, "01-start")
    page.click("#new-deal")
    page.wait_for_url("**/step/deal")
    fill(page, CA_STEPS["deal"])
    page.locator("#live").get_by_text("California rules").wait_for()
    assert "Professional Corporation" in page.locator("#live").inner_text()  # the designations, live
    shots(page, "02-deal")
    page.click("#next")
    page.wait_for_url("**/step/mso")
    fill(page, {k: v for k, v in CA_STEPS["mso"].items() if "members[1]" not in k})
    with page.expect_navigation():
        page.click("button.add")  # a second member
    page.locator('[name="mso.members[1].name"]').wait_for()
    fill(page, {k: v for k, v in CA_STEPS["mso"].items() if "members[1]" in k})
    shots(page, "03-mso")
    page.click("#next")
    page.wait_for_url("**/step/practice")
    options = page.locator('[name="practice.entity_type"] option').evaluate_all("os => os.map(o => o.value)")
    assert set(options) == {"", "medical_corporation", "professional_corporation"}  # CA's forms only
    fill(page, CA_STEPS["practice"])
    page.locator("#live-designations").wait_for()
    page.locator("#live-name.ok").wait_for()  # "Glow Medical Corporation" ends with a CA designation
    shots(page, "04-practice")
    page.click("#next")
    page.wait_for_url("**/step/services")
    fill(page, CA_STEPS["services"])
    shots(page, "05-services")
    page.click("#next")
    page.wait_for_url("**/step/fees")
    page.locator('[name="fees.basis"]').select_option("percentage_of_revenue")
    rule = Library.shipped().state("CA").rule_for_tag("fee:percentage_of_revenue")
    finding = page.locator("#live-fee")
    finding.get_by_text(rule.replacement, exact=False).wait_for()  # before anything is generated
    assert " ".join(rule.message.split()) in finding.inner_text()
    page.locator('[name="fees.percent_of_revenue"]').fill("15")
    wait_saved(page)
    shots(page, "06-fees-live-finding")
    page.click("#next")
    page.wait_for_url("**/step/term")
    fill(page, CA_STEPS["term"])
    shots(page, "07-term")
    page.click("#next")
    # the clinical team is left empty; succession, posture, financing and premises keep their
    # defaults (the example's terms)
    for step_id in ("clinical", "succession", "posture", "financing", "premises"):
        page.wait_for_url(f"**/step/{step_id}")
        page.click("#next")
    page.wait_for_url("**/step/brand")
    fill(page, CA_STEPS["brand"])
    page.click("#next")
    from formgen.web.interview import steps

    ids = [s.id for s in steps()]
    for step_id in ids[ids.index("formation") :]:  # filing facts, treatments, clinicians: optional, left blank
        page.wait_for_url(f"**/step/{step_id}")
        page.click("#next")
    page.wait_for_url("**/review")
    assert " ".join(rule.message.split()) in page.locator("#findings").inner_text()
    shots(page, "08-review")
    page.click("#generate")
    page.wait_for_url("**/packet")
    shots(page, "09-packet")
    with page.expect_download() as info:
        page.click("#download")
    target = tmp_path / "packet.zip"
    info.value.save_as(target)
    names = set(zipfile.ZipFile(target).namelist())
    assert {n for n in names if not n.startswith(".formgen/")} == PACKET_FILES  # and formgen's merge bases
    msa = zipfile.ZipFile(target).read("msa.docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(msa)).paragraphs)
    assert "Glow Management, LLC" in text and "fair market value" in text.lower()
    with page.expect_navigation(timeout=180_000):  # the first preview starts LibreOffice
        page.click('a[href$="/preview/msa.docx"]', no_wait_after=True)
    page.wait_for_url("**/preview/msa.docx")
    page.locator("#pages img, #text-preview").first.wait_for()
    shots(page, "10-preview")
    context.close()


def test_resume_from_the_matters_list_and_from_the_saved_file(server, browser, shots, tmp_path):
    context, page = new_page(browser)
    page.goto(server + "/")
    page.click("#new-deal")
    page.wait_for_url("**/step/deal")
    page.locator('[name="deal.name"]').fill("Half Done Spa")
    wait_saved(page)  # autosaved while typing; no button pressed
    with page.expect_download() as info:
        page.evaluate(
            "(href) => { const a = document.createElement('a'); a.href = href; a.download = ''; "
            "document.body.appendChild(a); a.click(); }",
            matter(page) + "/deal.yaml",
        )
    saved = tmp_path / "half.yaml"
    info.value.save_as(saved)
    context.close()  # the browser is closed mid-interview

    context, page = new_page(browser)  # another browser on the machine: the matters list has it
    page.goto(server + "/")
    assert "Half Done Spa" in page.locator("#matters").inner_text()
    shots(page, "11-resume")
    page.locator("a.open-matter", has_text="Half Done Spa").first.click()
    page.wait_for_url("**/step/deal")
    assert page.locator('[name="deal.name"]').input_value() == "Half Done Spa"
    context.close()

    context, page = new_page(browser)  # open the saved deal file: a new matter beside the first
    page.goto(server + "/")
    before = page.locator("a.open-matter", has_text="Half Done Spa").count()
    page.set_input_files("#deal-file", str(saved))
    page.click("#open-deal")
    page.wait_for_url("**/step/deal**")
    assert page.locator('[name="deal.name"]').input_value() == "Half Done Spa"
    page.goto(server + "/")
    assert page.locator("a.open-matter", has_text="Half Done Spa").count() == before + 1
    context.close()


def test_add_and_remove_an_owner(server, browser, shots):
    context, page = new_page(browser)
    page.goto(server + "/")
    page.set_input_files("#deal-file", str(EXAMPLES / "ca_medspa.yaml"))
    page.click("#open-deal")
    page.wait_for_url("**/step/deal**")
    page.goto(matter(page) + "/step/practice")
    with page.expect_navigation():
        page.get_by_role("button", name="Add owner").click()
    page.locator('[name="practice.owners[1].name"]').fill("Lee Park, N.P.")
    page.locator('[name="practice.owners[1].license.type"]').select_option("NP")
    page.locator('[name="practice.owners[1].license.number"]').fill("NP-1")
    page.locator('[name="practice.owners[1].percent"]').fill("10")
    page.locator('[name="practice.owners[0].percent"]').fill("90")
    wait_saved(page)
    assert "90% of 100%" in page.locator("#live-tally").inner_text()
    shots(page, "12-two-owners")
    page.locator('[name="practice.owners[1].percent"]').fill("20")  # 110 in all
    with page.expect_navigation():
        page.click("#next")
    error = page.locator('[data-error-for="practice.owners"]')
    assert "percents sum to 110 (90 + 20); they must sum to exactly 100" in error.inner_text()  # the loader's words
    assert page.url.endswith("/step/practice?checked=1")
    assert page.evaluate("document.activeElement.name") in ("practice.owners[0].percent", "practice.owners[1].percent")
    shots(page, "12b-error-beside-field")
    with page.expect_navigation():
        page.get_by_role("button", name="Remove owner 2").click()
    assert page.locator('[name="practice.owners[1].name"]').count() == 0
    assert page.locator('[name="practice.owners[0].name"]').input_value() == "Maya Chen, M.D."
    context.close()


def test_xss_in_a_party_name_renders_as_text(server, browser, shots):
    context, page = new_page(browser)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server + "/")
    page.set_input_files("#deal-file", str(EXAMPLES / "ca_medspa.yaml"))
    page.click("#open-deal")
    page.wait_for_url("**/step/deal**")
    base = matter(page)
    page.goto(base + "/step/deal")
    page.locator('[name="deal.name"]').fill(XSS)
    wait_saved(page)
    page.goto(base + "/step/mso")
    page.locator('[name="mso.members[0].name"]').fill(XSS)
    page.locator('[name="mso.signatory.name"]').fill(XSS)
    wait_saved(page)
    page.reload()
    page.goto(base + "/review")
    assert page.locator("header .deal").inner_text() == XSS  # shown as text
    page.goto(base + "/step/mso")
    assert page.locator('[name="mso.members[0].name"]').input_value() == XSS
    assert page.evaluate("() => window.pwned === undefined")
    assert page.locator("img[src=x]").count() == 0
    shots(page, "13-xss-as-text")
    assert dialogs == []
    context.close()


def test_existing_packet_regenerated_with_changes(server, browser, shots, tmp_path):
    from formgen.api import generate
    from formgen.web.packetfiles import zip_bytes

    generate(EXAMPLES / "ca_medspa.yaml", tmp_path / "glow")
    packet = tmp_path / "glow_packet.zip"
    packet.write_bytes(zip_bytes(tmp_path / "glow"))
    context, page = new_page(browser)
    page.goto(server + "/")
    page.set_input_files("#packet-file", str(packet))
    page.click("#open-packet")
    page.wait_for_url("**/packet")
    base = matter(page)
    page.goto(base + "/step/term")
    page.locator('[name="term.initial_years"]').fill("7")
    wait_saved(page)
    page.goto(base + "/packet")
    page.click("#regenerate")
    page.wait_for_url("**/packet")
    changes = page.locator("#changes").inner_text()
    assert "term.initial_years" in changes and "5" in changes and "7" in changes
    assert page.locator('a[href$="/packet/file/redlines/msa.redline.docx"]').count() == 1
    shots(page, "14-regenerated")
    context.close()
