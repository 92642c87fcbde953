"""The web preview (issue 31): page images kept by the document's hash, only the requested
document converted, and a LibreOffice kept warm by the server, started again when it dies."""

from __future__ import annotations

import os
import shutil
import signal
import time

import pytest

pytest.importorskip("starlette")

from test_web import EPOCH, client, upload  # noqa: E402

from conftest import EXAMPLES  # noqa: E402

pytestmark = pytest.mark.slow  # drives LibreOffice
from formgen.pdf.persistent import converters, shutdown, uno_python  # noqa: E402
from formgen.web.app import create_app  # noqa: E402
from formgen.web.preview import WarmConverters  # noqa: E402


needs_libreoffice = pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice"))
    or shutil.which("pdftoppm") is None
    or uno_python() is None,
    reason="LibreOffice with its Python bridge and poppler are needed",
)


def preview_folders(app) -> list[str]:
    return sorted(p.name for p in app.state.store.matters_root.glob("*/preview/*") if p.is_dir())


def shown(c, name: str = "msa.docx", timeout: float = 180) -> dict:
    """Follow the preview's making as its page does (the long poll) until every page is drawn;
    every status seen, in order."""
    seen, version, deadline = [], -1, time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = c.get(c.path(f"/preview/{name}/status?v={version}")).json()
        if not seen or status != seen[-1]:
            seen.append(status)
        if status["state"] in ("ready", "text"):
            return seen
        version = status["version"]
    raise AssertionError(f"the preview was not made within {timeout} s: {seen[-1]}")


@needs_libreoffice
def test_pages_are_kept_by_document_hash_and_only_the_requested_document_is_converted(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("FORMGEN_PDF_CONVERTERS", "1")
    app = create_app(drafts_dir=tmp_path / "drafts")
    c = client(app)
    deal = (EXAMPLES / "ca_medspa.yaml").read_bytes()
    assert upload(c, "/open", "deal", "ca_medspa.yaml", deal).status_code == 200
    assert c.submit("/generate").status_code == 200
    try:
        r = c.get(c.path("/preview/msa.docx"))  # answered at once: the page follows the making
        assert r.status_code == 200 and 'id="pages"' in r.text and 'id="preview-progress"' in r.text
        assert 'role="status"' in r.text and "/static/preview.js" in r.text
        seen = shown(c)
        [folder] = preview_folders(app)
        assert folder.startswith("msa-")  # the requested document only
        pages = seen[-1]["pages"]
        assert seen[-1]["state"] == "ready" and seen[-1]["drawn"] == pages > 3
        assert seen[-1]["message"] == f"All {pages} pages shown."
        # The first page was shown on its own while LibreOffice made the rest of the PDF.
        assert any(s["state"] == "converting" and s["drawn"] == 1 for s in seen), seen
        assert any(s["message"].startswith("Page 1 of ") for s in seen), seen
        assert c.get(c.path(f"/preview/msa.docx/page/{pages}")).content[:3] == b"\xff\xd8\xff"  # JPEG
        assert c.get(c.path(f"/preview/msa.docx/page/{pages + 1}")).status_code == 404
        made = [p.stat().st_mtime_ns for p in sorted(app.state.store.matters_root.glob(f"*/preview/{folder}/*"))]

        # The same document again: the kept pages, all in the page, not a new conversion.
        r = c.get(c.path("/preview/msa.docx"))
        assert r.text.count("<img src=") == pages and 'aria-busy="false"' in r.text
        assert "/static/preview.js" not in r.text  # nothing to follow
        assert [
            p.stat().st_mtime_ns for p in sorted(app.state.store.matters_root.glob(f"*/preview/{folder}/*"))
        ] == made

        # A changed document: converted afresh, the old pages removed.
        other = client(app)
        edited = deal.replace(b"Glow Aesthetics", b"Lumen Aesthetics")
        assert upload(other, "/open", "deal", "ca_medspa.yaml", edited).status_code == 200
        assert other.submit("/generate").status_code == 200
        mine = app.state.store.packet_dir(c.base.rsplit("/", 1)[1]) / "msa.docx"
        shutil.copy(app.state.store.packet_dir(other.base.rsplit("/", 1)[1]) / "msa.docx", mine)
        assert c.get(c.path("/preview/msa.docx")).status_code == 200
        assert shown(c)[-1]["state"] == "ready"
        [changed] = preview_folders(app)
        assert changed.startswith("msa-") and changed != folder
    finally:
        app.state.previews.stop()
        shutdown()


@needs_libreoffice
def test_a_server_keeping_libreoffice_warm_starts_the_previews_when_the_packet_is_generated(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setenv("FORMGEN_PDF_CONVERTERS", "1")
    app = create_app(drafts_dir=tmp_path / "drafts", warm_pdf=True)
    with client(app) as c:  # runs the lifespan: LibreOffice started with the server
        assert (
            upload(c, "/open", "deal", "ca_medspa.yaml", (EXAMPLES / "ca_medspa.yaml").read_bytes()).status_code == 200
        )
        assert c.submit("/generate").status_code == 200
        making = {p.docx.name: p for p in app.state.previews.previews.values()}
        assert "msa.docx" in making and not making["msa.docx"].wanted  # made ahead, nobody asked yet
        assert "msa.docx" in {p.docx.name for p in app.state.previews.queue} or making["msa.docx"].state != "queued"
        # Asked for now, it is the one made next (or under way already), and it is shown.
        assert shown(c)[-1]["state"] == "ready"
        with app.state.previews.changed:
            app.state.previews.queue.clear()  # the others are not waited for


@needs_libreoffice
def test_the_warm_converter_is_started_again_when_it_dies(monkeypatch):
    monkeypatch.setenv("FORMGEN_PDF_CONVERTERS", "1")
    keeper = WarmConverters(interval=0.2)
    keeper.start()
    try:
        [converter] = converters(1)
        deadline = time.monotonic() + 120
        while not converter.alive and time.monotonic() < deadline:
            time.sleep(0.1)
        assert converter.alive, "LibreOffice was not started with the keeper"
        first = converter.office_pid
        os.kill(first, signal.SIGKILL)
        while (not converter.alive or converter.office_pid == first) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert converter.alive and converter.office_pid != first and keeper.restarts >= 1
    finally:
        keeper.stop()
    assert not converter.alive  # stopped with the server
