"""The web intake as a person uses it (#26), in Debian's Chromium: Enter means Next on every
step and loses nothing, state errors on their own step with focus on them, a keyboard-only
interview with typed money, the matters list, a reopened packet with PDFs, a server that goes
away and comes back, and axe-core's accessibility check at 1280 and 390 px. Screenshots of the
matters list, a step with an error and the review page go to $FORMGEN_WEB_SHOTS."""

from __future__ import annotations

import os
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("starlette")
uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

from conftest import EXAMPLES  # noqa: E402
from test_web_browser import browser, matter, new_page, server, shots, wait_saved  # noqa: E402,F401
from web_answers import CA_STEPS  # noqa: E402

from formgen.web import interview  # noqa: E402

AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
TEXT_INPUTS = 'form#step-form input[type="text"]:not([disabled]), form#step-form input[type="date"]:not([disabled])'


def open_example(page, server_url: str, example: str = "ca_medspa.yaml") -> str:
    page.goto(server_url + "/")
    page.set_input_files("#deal-file", str(EXAMPLES / example))
    page.click("#open-deal")
    page.wait_for_url("**/step/deal**")
    return matter(page)


def deal_data(page, base: str, tmp_path: Path) -> dict:
    """The matter's deal as the CLI reads it (an unticked box saved as false reads as its default)."""
    from formgen.inputs.deal import load_deal

    path = tmp_path / "deal.yaml"
    path.write_text(page.request.get(base + "/deal.yaml").text(), encoding="utf-8")
    return load_deal(path).model_dump()


def step_ids() -> list[str]:
    return [s.id for s in interview.steps()]


def test_enter_in_every_text_field_keeps_all_data_and_moves_to_the_next_step(server, browser, tmp_path):
    context, page = new_page(browser)
    base = open_example(page, server)
    before = deal_data(page, base, tmp_path)
    ids = step_ids()
    pressed = 0
    for index, step_id in enumerate(ids):
        page.goto(f"{base}/step/{step_id}")
        names = page.locator(TEXT_INPUTS).evaluate_all("els => els.filter(e => e.offsetParent).map(e => e.name)")
        for name in names:
            page.goto(f"{base}/step/{step_id}")
            page.locator(f'[name="{name}"]').focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            following = ids[index + 1] if index + 1 < len(ids) else "review"
            assert page.url.split("?")[0].endswith(f"/{following}") or page.url.endswith("/review"), (name, page.url)
            pressed += 1
    assert pressed >= 30
    assert deal_data(page, base, tmp_path) == before  # nothing blanked, nothing removed
    context.close()


def test_an_np_owner_in_new_york_is_an_error_on_the_practice_step(server, browser, shots):
    context, page = new_page(browser)
    page.goto(server + "/")
    page.click("#new-deal")
    page.wait_for_url("**/step/deal")
    page.locator('[name="deal.name"]').fill("Empire Glow")
    page.locator('[name="deal.state"]').select_option("NY")
    page.locator('[name="deal.effective_date"]').fill("2027-01-01")
    wait_saved(page)
    page.click("#next")
    page.wait_for_url("**/step/mso")
    for name, value in CA_STEPS["mso"].items():
        if "members[1]" in name:
            continue
        box = page.locator(f'[name="{name}"]')
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option("NY" if name.endswith("formation_state") else value)
        else:
            box.fill("100" if name.endswith("percent") else value)
    wait_saved(page)
    page.click("#next")
    page.wait_for_url("**/step/practice")
    page.locator('[name="practice.name"]').fill("Empire Glow Medical, PLLC")
    page.locator('[name="practice.entity_type"]').select_option("pllc")
    page.locator('[name="practice.address"]').fill("1 Main Street, New York, NY 10001")
    page.locator('[name="practice.owners[0].name"]').fill("Lee Park, N.P.")
    page.locator('[name="practice.owners[0].license.type"]').select_option("NP")
    page.locator('[name="practice.owners[0].license.number"]').fill("NP-1")
    page.locator('[name="practice.owners[0].percent"]').fill("100")
    page.locator('[name="practice.medical_director"]').fill("Lee Park, N.P.")
    page.locator('[name="practice.signatory.name"]').fill("Lee Park, N.P.")
    page.locator('[name="practice.signatory.title"]').fill("President")
    wait_saved(page)
    error = page.locator('[data-error-for="practice.owners[0].license.type"]')
    assert "may not own any part of a New York medical practice" in error.inner_text()  # while typing
    with page.expect_navigation():
        page.click("#next")
    assert "/step/practice" in page.url  # Next is blocked
    assert page.evaluate("document.activeElement.name") == "practice.owners[0].license.type"
    assert page.evaluate("document.activeElement.getAttribute('aria-invalid')") == "true"
    described = page.evaluate("document.activeElement.getAttribute('aria-describedby')")
    assert "f-practice-owners-0-license-type-error" in described
    assert page.locator("#errors[role=alert]").inner_text() == "Please fix 1 answer marked below."
    assert "⚠" in page.locator("nav.steps li.current").inner_text()
    error.scroll_into_view_if_needed()
    shots(page, "web-step-error")
    # the banner follows the answers: fixed, it goes
    page.locator('[name="practice.owners[0].license.type"]').select_option("MD")
    page.locator('[name="practice.owners[0].name"]').fill("Lee Park, M.D.")
    wait_saved(page)
    assert page.locator("#errors").is_hidden()
    context.close()


def type_answer(page, name: str, value: str) -> None:
    """Keyboard only: the field is focused (as Tab would), then typed into."""
    box = page.locator(f'[name="{name}"]').first
    box.focus()
    tag = box.evaluate("e => e.tagName + ':' + e.type")
    if tag.startswith("SELECT"):
        label = box.evaluate("(e, v) => [...e.options].find(o => o.value === v).text", value)
        page.keyboard.type(label)
    elif tag == "INPUT:checkbox":
        page.keyboard.press("Space")
    elif tag == "INPUT:date":
        year, month, day = value.split("-")
        page.keyboard.type(month + day + year)
    else:
        page.keyboard.press("Control+A")
        page.keyboard.type(value)


def test_a_keyboard_only_interview_with_typed_money(server, browser, shots):
    context, page = new_page(browser, viewport={"width": 1280, "height": 1000})
    page.goto(server + "/")
    tabs = 0
    while page.evaluate("document.activeElement.id") != "new-deal" and tabs < 40:
        page.keyboard.press("Tab")
        tabs += 1
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/step/deal")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"  # the skip link comes first
    page.keyboard.press("Enter")
    for _ in range(6):  # then the first question is a few Tabs away, not 14
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "deal.name":
            break
    assert page.evaluate("document.activeElement.name") == "deal.name"
    answers = {**CA_STEPS, "mso": {**CA_STEPS["mso"], "mso.members[0].capital_contribution": "$150,000"}}
    for step_id in step_ids():
        given = answers.get(step_id, {})
        if step_id == "mso":
            for name, value in given.items():
                if "members[1]" not in name:
                    type_answer(page, name, value)
            page.get_by_role("button", name="Add member").focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            given = {k: v for k, v in given.items() if "members[1]" in k}
        for name, value in given.items():
            for v in value if isinstance(value, list) else [value]:
                if isinstance(value, list):
                    page.locator(f'input[name="{name}"][value="{v}"]').focus()
                    page.keyboard.press("Space")
                else:
                    type_answer(page, name, v)
        wait_saved(page) if given else None
        page.locator("#next").focus()  # as Tab from the last answer would
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "checked=1" not in page.url, (step_id, page.locator("#errors").inner_text())
    page.wait_for_url("**/review")
    assert "$150,000" in page.locator("#answers").inner_text()
    assert "capital_contribution: 150000" in page.request.get(matter(page) + "/deal.yaml").text()  # the number it is
    page.locator("#findings").wait_for()
    shots(page, "web-review")
    context.close()


def test_matters_list_and_a_second_matter(server, browser, shots):
    context, page = new_page(browser, viewport={"width": 1280, "height": 900})
    open_example(page, server)
    page.goto(server + "/")
    count = page.locator("#matters-table tbody tr").count()
    page.click("#new-deal")
    page.wait_for_url("**/step/deal")
    page.locator('[name="deal.name"]').fill("Second Spa")
    wait_saved(page)
    page.goto(server + "/")
    assert page.locator("#matters-table tbody tr").count() == count + 1
    assert page.locator("a.open-matter", has_text="Second Spa").count() == 1
    assert page.locator("a.open-matter", has_text="Glow Aesthetics").count() >= 1
    shots(page, "web-matters")
    context.close()


def test_a_packet_made_with_pdfs_reopens(server, browser, tmp_path):
    from formgen.api import generate
    from formgen.web.packetfiles import listing

    generate(EXAMPLES / "ca_medspa.yaml", tmp_path / "glow")
    packet = tmp_path / "glow_packet.zip"
    with zipfile.ZipFile(packet, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, path in listing(tmp_path / "glow", hidden=True).items():
            zf.writestr(name, path.read_bytes())
        for name in ("msa.pdf", "bylaws.pdf", "compliance_memo.pdf"):
            zf.writestr(name, os.urandom(1_200_000))  # PDFs barely pack
    assert packet.stat().st_size > 3_400_000
    context, page = new_page(browser)
    page.goto(server + "/")
    page.set_input_files("#packet-file", str(packet))
    page.click("#open-packet")
    page.wait_for_url("**/packet")
    assert page.locator("#regenerate").count() == 1
    assert page.locator('a[href$="/packet/file/msa.pdf"]').count() == 1
    context.close()


def test_an_unreachable_server_keeps_what_was_typed(browser, tmp_path):
    from formgen.web.app import create_app

    app = create_app(drafts_dir=tmp_path / "drafts")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def start():
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=srv.run, daemon=True).start()
        deadline = time.monotonic() + 20
        while not srv.started:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        return srv

    srv = start()
    context, page = new_page(browser)
    page.goto(f"http://127.0.0.1:{port}/")
    page.click("#new-deal")
    page.wait_for_url("**/step/deal")
    srv.should_exit = True
    while srv.started and not srv.should_exit:
        time.sleep(0.05)
    time.sleep(1.0)
    page.locator('[name="deal.name"]').fill("Typed While Down")
    page.click("#next")
    page.locator("#offline").wait_for()
    assert "cannot be reached" in page.locator("#offline").inner_text()
    assert "/step/deal" in page.url and page.locator('[name="deal.name"]').input_value() == "Typed While Down"
    srv = start()  # back: the autosave retries and stores it
    wait_saved_long(page)
    page.reload()
    assert page.locator('[name="deal.name"]').input_value() == "Typed While Down"
    srv.should_exit = True
    context.close()


def wait_saved_long(page) -> None:
    page.wait_for_function("document.getElementById('saved').textContent === 'Saved'", timeout=30_000)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (tests/run.sh installs it from npm)")
@pytest.mark.parametrize("width", [1280, 390])
def test_axe_finds_no_serious_violation(server, browser, shots, width):
    context, page = new_page(browser, viewport={"width": width, "height": 900})
    base = open_example(page, server)
    pages = {
        "matters": server + "/",
        "deal": base + "/step/deal",
        "mso": base + "/step/mso",
        "practice-error": base + "/step/practice?checked=1",
        "services": base + "/step/services",
        "review": base + "/review",
    }
    page.goto(base + "/step/practice")
    page.locator('[name="practice.owners[0].percent"]').fill("60")
    wait_saved(page)
    found = {}
    for name, url in pages.items():
        page.goto(url)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
            ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
        )
        if result:
            found[name] = result
        if width == 390:
            shots(page, f"web-390-{name}")
    assert found == {}
    if width == 390:  # the steps and the rules panel fold away above the form
        page.goto(base + "/step/fees")
        assert page.locator("#live-box").evaluate("e => e.open") is False
        top = page.locator("#step-form").bounding_box()["y"]
        assert top < 900, top
    context.close()
