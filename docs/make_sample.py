"""Make docs/sample/: the Texas example's packet as a PDF, a picture of its first pages, and a
screenshot of the web intake, for the README. Run it whenever the documents change
(tests/test_readme.py fails until you do):

    .venv/bin/python docs/make_sample.py               # packet PDF and page pictures (LibreOffice, poppler)
    .venv/bin/python docs/make_sample.py --screenshot  # also the web intake (Chromium, the web extra)

The same inputs give the same .docx bytes; docs/sample/documents.json records their sha256 so a
test can tell when the sample is out of date without running LibreOffice.
"""

from __future__ import annotations

import re
import argparse
import hashlib
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "docs" / "sample"
DEAL = ROOT / "examples" / "tx_medspa.yaml"
PDF_NAME = "lone-star-aesthetics-packet.pdf"
PAGES = {"msa": 1, "compliance_memo": 1}  # document -> page pictured
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def document_hashes(packet) -> dict[str, str]:
    """file name -> sha256 of each .docx the example's packet holds (built in memory)."""
    return {doc.spec.filename: hashlib.sha256(doc.data).hexdigest() for doc in packet.documents}


def make_packet() -> None:
    import formgen

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "packet"
        formgen.generate(DEAL, out, pdf=True)
        shutil.copyfile(out / "packet.pdf", SAMPLE / PDF_NAME)
        for name, page in PAGES.items():
            stem = SAMPLE / f"{name}-page{page}"
            subprocess.run(
                [
                    "pdftoppm",
                    "-png",
                    "-r",
                    "60",
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(out / f"{name}.pdf"),
                    str(stem),
                ],
                check=True,
            )
        (SAMPLE / "documents.json").write_text(
            json.dumps(
                # the documents as built (with --pdf the MSA's table of contents also gets its page numbers)
                {"deal": DEAL.relative_to(ROOT).as_posix(), "documents": document_hashes(formgen.build(DEAL))},
                indent=2,
            )
            + "\n"
        )


def make_screenshot() -> None:
    """The web intake's fee step for the California example: its rule shown as you choose."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from formgen.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as drafts:
        server = uvicorn.Server(
            uvicorn.Config(create_app(drafts_dir=Path(drafts)), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
                page.goto(f"http://127.0.0.1:{port}/")
                page.set_input_files("#deal-file", str(ROOT / "examples" / "ca_medspa.yaml"))
                page.click("#open-deal")
                page.wait_for_url(re.compile(r".*/m/[A-Za-z0-9_-]+/.*"))
                matter = re.search(r"/m/[A-Za-z0-9_-]+", page.url).group(0)  # the opened deal is a new matter
                page.goto(f"http://127.0.0.1:{port}{matter}/step/fees")
                page.screenshot(path=str(SAMPLE / "web-intake.png"))
                browser.close()
        finally:
            server.should_exit = True
            thread.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--screenshot", action="store_true", help="also screenshot the web intake")
    args = parser.parse_args()
    SAMPLE.mkdir(parents=True, exist_ok=True)
    make_packet()
    if args.screenshot:
        make_screenshot()
    for path in sorted(SAMPLE.iterdir()):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    sys.exit(main())
