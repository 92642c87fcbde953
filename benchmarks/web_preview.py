"""In a browser: how long a document preview takes, and generate with PDFs from the web against the CLI.

    python benchmarks/web_preview.py [--runs 5] [--generate-runs 3]

Serves the web intake as ``formgen serve`` does (uvicorn on loopback, the persistent LibreOffice
started with the server and kept warm), opens examples/ca_medspa.yaml, generates the packet
(DOCX), then in Chromium (playwright) clicks the MSA's "Preview" link on the packet page and
times the click until the first page image has loaded. Its kept page images are removed before
each run, so every run converts the document (the warm converter, then pdftoppm); the first run
is left out of the median. The same click with the page images kept is printed beside it.
Then generate with PDFs: POST /generate with the PDF box plus GET /packet.zip (benchmarks/web.py)
against ``formgen generate --pdf`` (a new process, as a user runs it), each the median of
--generate-runs. Prints "preview" and "ratio" lines. Targets: preview of the MSA <= 1.5 s,
web/CLI with PDFs <= 1.3. The machine may be shared: say so with the numbers.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from web import time_cli, time_web, web_session  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PREVIEW_TARGET, GENERATE_TARGET = 1.5, 1.3


def serve_warm(drafts: Path):
    """The app as ``formgen serve`` runs it, on a free loopback port."""
    import uvicorn

    from formgen.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(drafts_dir=drafts, warm_pdf=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, app, f"http://127.0.0.1:{port}"


def wait_warm(timeout: float = 180) -> float:
    """Seconds until every converter the server keeps runs."""
    from formgen.pdf.persistent import converter_count, converters

    start = time.perf_counter()
    while not all(c.alive for c in converters(converter_count())):
        if time.perf_counter() - start > timeout:
            raise SystemExit("LibreOffice was not started with the server")
        time.sleep(0.1)
    return time.perf_counter() - start


def time_preview(page, packet_url: str) -> float:
    page.goto(packet_url, timeout=120_000)
    start = time.perf_counter()
    page.click('a[href$="/preview/msa.docx"]', no_wait_after=True)
    page.wait_for_function(
        "() => { const img = document.querySelector('#pages img');"
        " return img && img.complete && img.naturalWidth > 0; }",
        timeout=120_000,
    )
    return time.perf_counter() - start


def main() -> int:
    from playwright import sync_api

    from formgen.web.app import COOKIE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed previews after the first")
    parser.add_argument("--generate-runs", type=int, default=3)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="formgen-bench-web-") as tmp:
        drafts = Path(tmp) / "drafts"
        server, app, base = serve_warm(drafts)
        print(f"server up; LibreOffice warm after {wait_warm():.1f} s (started with the server)")
        client, token = web_session(base)
        client.post(f"/generate?csrf={token}", data={"csrf": token}).raise_for_status()
        packet_url = str(client.get("/packet").url)

        def forget_pages() -> None:
            for folder in drafts.rglob("preview"):
                for kept in folder.glob("msa-*"):
                    shutil.rmtree(kept)

        with sync_api.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = browser.new_context()
            context.add_cookies([{"name": COOKIE, "value": client.cookies[COOKIE], "url": base}])
            page = context.new_page()
            fresh = []
            for _ in range(args.runs + 1):
                forget_pages()
                fresh.append(time_preview(page, packet_url))
            kept = [time_preview(page, packet_url) for _ in range(args.runs)]
            browser.close()
        median = statistics.median(fresh[1:])
        ok &= median <= PREVIEW_TARGET
        print(
            f"preview of msa.docx, click to first page shown, median of {args.runs} after the first "
            f"(first {fresh[0]:.2f} s; runs {', '.join(f'{t:.2f}' for t in fresh[1:])})"
        )
        print(
            f"preview msa converted: {median:.2f} s   (target <= {PREVIEW_TARGET} s: "
            f"{'met' if median <= PREVIEW_TARGET else 'MISSED'})"
        )
        print(f"preview msa kept pages: {statistics.median(kept):.2f} s")

        web = statistics.median(time_web(client, token, True) for _ in range(args.generate_runs))
        cli = statistics.median(time_cli(Path(tmp) / f"cli{i}", True) for i in range(args.generate_runs))
        ok &= web / cli <= GENERATE_TARGET
        print(
            f"generate with PDFs, median of {args.generate_runs}: web click->zip {web:.2f} s, "
            f"formgen generate --pdf {cli:.2f} s"
        )
        print(
            f"ratio pdf web/cli {web / cli:.2f}   (target <= {GENERATE_TARGET}: "
            f"{'met' if web / cli <= GENERATE_TARGET else 'MISSED'})"
        )
        server.should_exit = True
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
