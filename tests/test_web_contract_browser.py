"""The "Review a contract" page (#28) in Debian's Chromium: started from the matters list, its
findings by section with a citation each, the redline downloaded, and axe-core finding no serious
violation at 1280 and 390 px. Screenshots go to $FORMGEN_WEB_SHOTS (web-contract-review-<width>.png)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
pytest.importorskip("playwright.sync_api")

from test_web_browser import browser, new_page, server  # noqa: E402,F401
from test_web_browser_intake import AXE  # noqa: E402
from test_web_contract import their_msa  # noqa: E402

SERIOUS = (
    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
    ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
)


@pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (tests/run.sh installs it from npm)")
@pytest.mark.parametrize("width", [1280, 390])
def test_review_a_contract_from_the_matters_list(server, browser, tmp_path, width):
    contract = tmp_path / "their_msa.docx"
    contract.write_bytes(their_msa(tmp_path))
    context, page = new_page(browser, viewport={"width": width, "height": 900})
    page.goto(server + "/")
    page.set_input_files(".review-card #contract-file", str(contract))
    page.select_option(".review-card #contract-state", "CA")
    page.fill(".review-card #contract-as-of", "2027-01-01")
    with page.expect_navigation():
        page.click("#start-review")
    assert page.url.endswith("/contract")
    assert page.locator(".contract-section h3").all_inner_texts() == [
        "Section 2.1 Clinical Matters",
        "Section 2.2 Staff",
        "Section 3.1 Fees",
    ]
    fee = page.locator(".contract-section", has=page.locator("h3", has_text="Section 3.1"))
    assert "thirty percent (30%)" in fee.locator("blockquote").inner_text()
    assert "650" in fee.locator(".cite").inner_text()  # Cal. Bus. & Prof. Code § 650
    assert (
        page.locator(".contract-section .finding .cite").count()
        == page.locator(".contract-section .finding").count()
        == 3
    )
    with page.expect_download() as download:
        page.click("#download-redline")
    assert download.value.suggested_filename == "their_msa.redline.docx"
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(SERIOUS) == []
    shots = Path(os.environ.get("FORMGEN_WEB_SHOTS") or tmp_path / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"web-contract-review-{width}.png"), full_page=True)
    context.close()
