"""The interview by keyboard alone, counting Tabs (#26), in Debian's Chromium: on every step the skip
link comes first, then the questions in the order the form shows them, one Tab each (a date is one
stop, whatever its inner segments), then Back and Next; Enter on Next, or in a text field, goes to the
next step. And a tab whose session was replaced (a matter opened in another tab) is told so."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

from test_web_browser import browser, new_page, server, wait_saved  # noqa: E402,F401
from test_web_browser_intake import open_example, step_ids, type_answer  # noqa: E402
from web_answers import CA_STEPS  # noqa: E402

# How an element is named in the Tab order: a field by its name (a box or a button with its value).
KEY = (
    "e => !e || e === document.body ? 'body' : (e.name ? e.name + (e.type === 'checkbox' || e.tagName === 'BUTTON' ? "
    "'=' + e.value : '') : (e.id ? '#' + e.id : '.' + e.className))"
)
FOCUSABLE_IN_FORM = (
    f"() => Array.from(document.querySelectorAll('#step-form input, #step-form select, #step-form textarea, "
    f"#step-form button, #step-form a[href], #step-form summary')).filter(e => e.tabIndex >= 0 && "
    f"!e.disabled && e.type !== 'hidden' && e.getClientRects().length > 0).map({KEY})"
)
NEXT = "action=next"


def focused(page) -> str:
    return page.evaluate(f"({KEY})(document.activeElement)")


def tab_through_step(page, answers: dict, typed: set) -> list[str]:
    """From the top of the page: Tab to the skip link, Enter, then Tab stop by stop to Next, typing
    each answer not typed yet when its field has the focus. The stops, in order (a field met again
    at once, as a date's segments are, counts once). Stops early, on the field, at "add:" buttons
    the answers need."""
    page.keyboard.press("Tab")
    assert focused(page) == ".skip", "the skip link is the first Tab stop"
    page.keyboard.press("Enter")
    assert focused(page) == "#questions"
    stops: list[str] = []
    while len(stops) < 120:
        page.keyboard.press("Tab")
        key = focused(page)
        if stops and stops[-1] == key:
            continue
        stops.append(key)
        if (
            key == NEXT
            or key.startswith("action=add:")
            and any(key[11:] + "[1]" in n and n not in typed for n in answers)
        ):
            return stops
        name, _, value = key.partition("=")
        wanted = answers.get(name)
        if isinstance(wanted, list) and value in wanted and key not in typed:
            page.keyboard.press("Space")
            typed.add(key)
        elif isinstance(wanted, str) and name not in typed:
            type_answer_here(page, wanted)
            typed.add(name)
    raise AssertionError(f"Next never reached by Tab: {stops[-10:]}")


def type_answer_here(page, value: str) -> None:
    """The focused field answered from the keyboard (type_answer without moving the focus)."""
    name = page.evaluate("document.activeElement.name")
    before = page.evaluate("document.activeElement")
    type_answer(page, name, value)
    assert page.evaluate("document.activeElement") == before


def test_every_step_in_a_predictable_tab_order_and_enter_moves_on(server, browser):
    context, page = new_page(browser, viewport={"width": 1280, "height": 1000})
    page.goto(server + "/")
    tabs = 0
    while focused(page) != "#new-deal":
        page.keyboard.press("Tab")
        tabs += 1
        assert tabs < 40
    with page.expect_navigation():
        page.keyboard.press("Enter")
    counts = {}
    ids = step_ids()
    for index, step_id in enumerate(ids):
        page.wait_for_url(f"**/step/{step_id}")
        answers, typed = CA_STEPS.get(step_id, {}), set()
        stops = tab_through_step(page, answers, typed)
        while stops[-1].startswith("action=add:"):  # a second member: Enter on "Add member", then on from the top
            with page.expect_navigation():
                page.keyboard.press("Enter")
            stops = tab_through_step(page, answers, typed)
        expected = page.evaluate(FOCUSABLE_IN_FORM)
        assert stops == expected[: expected.index(NEXT) + 1], step_id  # the form's own order, nothing skipped or added
        assert stops[0] not in ("action=back", NEXT), step_id  # the first Tab: the step's first question
        assert {n for n in answers if not isinstance(answers[n], list)} <= typed, (step_id, set(answers) - typed)
        counts[step_id] = len(stops)
        wait_saved(page) if answers else None
        if step_id == "brand":  # Enter in a text field is Next too
            page.keyboard.press("Shift+Tab")
            while not focused(page).startswith("brand"):
                page.keyboard.press("Shift+Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        following = ids[index + 1] if index + 1 < len(ids) else "review"
        assert page.url.split("?")[0].endswith("/" + following), (step_id, page.url)
    page.wait_for_url("**/review")
    assert "Glow Aesthetics" in page.locator("#answers").inner_text()
    print("Tab stops from the questions' heading to Next, per step:", counts)
    assert counts["deal"] <= 12 and counts["practice"] <= 30
    context.close()


def test_a_tab_whose_session_was_replaced_is_told_and_saves_nothing(server, browser):
    context, first = new_page(browser)
    base = open_example(first, server)
    second = context.new_page()
    second.goto(server + "/")
    with second.expect_navigation():
        second.click("#new-deal")  # a new matter: the browser's session id is replaced
    first.locator('[name="deal.name"]').fill("Typed In The Old Tab")
    first.locator("#errors").wait_for()
    assert "session has ended" in first.locator("#errors").inner_text()
    assert "Typed In The Old Tab" not in first.request.get(base + "/deal.yaml").text()
    context.close()
