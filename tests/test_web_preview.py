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
        r = c.get(c.path("/preview/msa.docx"))
        assert r.status_code == 200 and 'id="pages"' in r.text
        [folder] = preview_folders(app)
        assert folder.startswith("msa-")  # the requested document only
        pages = r.text.count("/preview/msa.docx/page/")
        assert pages > 3 and c.get(c.path(f"/preview/msa.docx/page/{pages}")).content[:4] == b"\x89PNG"
        made = [p.stat().st_mtime_ns for p in sorted(app.state.store.matters_root.glob(f"*/preview/{folder}/*"))]

        # The same document again: the kept pages, not a new conversion.
        assert c.get(c.path("/preview/msa.docx")).text.count("/preview/msa.docx/page/") == pages
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
        [changed] = preview_folders(app)
        assert changed.startswith("msa-") and changed != folder
    finally:
        shutdown()


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
