"""The document preview in a real browser (issue 31): Chromium under the app's own
Content-Security-Policy, a real LibreOffice. The page is shown at once, says what is being done
in a live region, and shows the pages as they are drawn."""

from __future__ import annotations

import pytest

pytest.importorskip("starlette")
pytest.importorskip("playwright.sync_api")

from conftest import EXAMPLES  # noqa: E402
from test_web_browser import browser, matter, server, shots  # noqa: E402, F401 - the module's fixtures
from test_web_preview import needs_libreoffice  # noqa: E402

pytestmark = [pytest.mark.slow, needs_libreoffice]

# Every text the progress line shows, in order, from the moment the page is parsed.
RECORD_PROGRESS = """
window.progressSeen = [];
document.addEventListener("DOMContentLoaded", function () {
  var line = document.getElementById("preview-progress");
  if (!line) return;
  var note = function () {
    var seen = window.progressSeen;
    if (seen[seen.length - 1] !== line.textContent) seen.push(line.textContent);
  };
  note();
  new MutationObserver(note).observe(line, { childList: true, characterData: true, subtree: true });
});
"""


def test_the_preview_says_what_it_is_doing_and_shows_the_pages_as_they_are_drawn(server, browser, shots):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 1400})  # the app's CSP stays on
    context.add_init_script(RECORD_PROGRESS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server + "/")
    page.set_input_files("#deal-file", str(EXAMPLES / "ca_medspa.yaml"))
    with page.expect_navigation():
        page.click("#open-deal")
    page.goto(matter(page) + "/review")
    page.click("#generate")
    page.wait_for_url("**/packet", timeout=300_000)

    page.click('a[href$="/preview/msa.docx"]')
    page.wait_for_url("**/preview/msa.docx")  # answered at once, before LibreOffice has converted
    progress = page.locator("#preview-progress")
    assert progress.get_attribute("role") == "status" and progress.get_attribute("aria-live") == "polite"
    page.locator("#pages img").first.wait_for(timeout=180_000)  # the first page, alone at first
    shots(page, "15-preview-first-page")
    page.locator('#pages[aria-busy="false"]').wait_for(timeout=180_000)
    shots(page, "16-preview-all-pages")

    seen = page.evaluate("window.progressSeen")
    total = page.locator("#pages img").count()
    assert total > 3, seen
    assert seen[0] in (
        "Converting the document with LibreOffice…",
        "Waiting for LibreOffice, which is converting another document…",
    ), seen
    assert any(text.startswith(f"Page 1 of {total} shown") for text in seen), seen  # before the whole PDF
    assert seen[-1] == f"All {total} pages shown." == progress.inner_text()
    first = page.locator("#pages img").first
    assert first.get_attribute("alt") == f"msa.docx page 1 of {total}"
    assert first.evaluate("img => img.complete && img.naturalWidth > 500")  # drawn, not a broken image
    last = page.locator("#pages img").last
    last.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 500", arg=last.element_handle())
    assert last.get_attribute("src").endswith(f"/preview/msa.docx/page/{total}")

    # Unchanged, the same page again shows every page at once, with nothing left to follow.
    page.reload()
    assert page.locator("#pages img").count() == total
    assert page.locator("#pages").get_attribute("aria-busy") == "false"
    assert progress.inner_text() == f"All {total} pages shown."
    context.close()
