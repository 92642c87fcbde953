"""The web intake's packet page lists the closing set (#29): by step, each document with its
signers and status, the checklist and each signer's signature packet to download, all read from
formgen.api.closing, the function under `formgen closing --json`."""

from __future__ import annotations

import html
import json
import re

import pytest

pytest.importorskip("starlette")

from test_web import client, complete_ca, upload  # noqa: E402

import formgen  # noqa: E402
from conftest import run_cli  # noqa: E402
from formgen.web.app import create_app  # noqa: E402

pytestmark = pytest.mark.slow  # slow tier: the interview and a whole packet

EPOCH = "1700000000"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    return create_app(drafts_dir=tmp_path / "drafts")


def closing_rows(page: str) -> list[tuple[str, str, str, str, str]]:
    """(item, step, document or action, signers, status) of each row of the page's closing table."""
    table = page.split('id="closing-steps"', 1)[1].split("</table>", 1)[0]
    rows = []
    for item, cells in re.findall(r'<tr class="[a-z -]+" data-item="([^"]+)">(.*?)</tr>', table, re.S):
        text = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", "", c)).split())
            for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
        rows.append((item, *text))
    return rows


def test_packet_page_lists_the_closing_set_as_formgen_closing_does(app):
    c = client(app)
    complete_ca(c)
    page = c.submit("/generate").text
    folder = app.state.store.packet_dir(c.base.rsplit("/", 1)[1])
    listed = run_cli("closing", str(folder), "--json")
    assert listed.returncode == 0, listed.stderr
    status = formgen.closing(folder)
    assert {k: v for k, v in json.loads(listed.stdout).items() if k not in ("format", "ok")} == status
    # by step, in signing order: the same items, titles, signers and status as the command's JSON
    expected = []
    for step in status["steps"]:
        for i, item in enumerate(step["items"]):
            shown_step = str(step["step"]) if i == 0 else ""
            kind = "" if item["kind"] in ("document", "closing document") else f" ({item['kind']})"
            expected.append((item["name"], shown_step, item["title"] + kind, "; ".join(item["signers"]), "Open"))
    rows = closing_rows(page)
    assert rows == expected and len(rows) > 15
    names = [r[0] for r in rows]
    assert names.index("continuity_agreement") < names.index("ownership_ledger") and "officer_certificate.mso" in names
    # the checklist and every signer's signature packet download from the page, byte for byte
    links = dict(re.findall(r'href="([^"]+/packet/file/closing/[^"]+)"[^>]*>([^<]+)<', page))
    checklist = next(href for href in links if href.endswith("/closing_checklist.docx"))
    assert c.get(checklist).content == (folder / "closing" / "closing_checklist.docx").read_bytes()
    packets = page.split('id="signature-packets"', 1)[1].split("</ul>", 1)[0]
    for p in status["signature_packets"]:
        assert f"{p['signer']}: " in html.unescape(packets)
        href = next(h for h in re.findall(r'href="([^"]+)"', packets) if h.endswith("/" + p["file"]))
        assert c.get(href).content == (folder / p["file"]).read_bytes()
    assert len(re.findall(r"<li>", packets)) == len(status["signature_packets"]) >= 3
    # an executed document shows so once mark-executed recorded it
    formgen.mark_executed(folder, ["msa", "officer_certificate.practice"], date="2027-01-15")
    rows = {r[0]: r for r in closing_rows(c.get(c.path("/packet")).text)}
    assert rows["msa"][-1] == rows["officer_certificate.practice"][-1] == "Executed 2027-01-15"
    assert rows["baa"][-1] == "Open"
    # the packet zip carries the signed copies of closing documents too: opened again, it keeps them
    fresh = client(app)
    r = upload(fresh, "/open-packet", "packet", "packet.zip", c.get(c.path("/packet.zip")).content)
    assert r.status_code == 200
    rows = {r[0]: r for r in closing_rows(r.text)}
    assert rows["officer_certificate.practice"][-1] == "Executed 2027-01-15"
    opened = app.state.store.packet_dir(fresh.base.rsplit("/", 1)[1])
    signed = opened / ".formgen" / "executed" / "closing" / "officer_certificate.practice.docx"
    assert signed.read_bytes() == (folder / "closing" / "officer_certificate.practice.docx").read_bytes()
