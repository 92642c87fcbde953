"""Time from the browser's "generate" click to a downloadable packet, against `formgen generate`.

    python benchmarks/web.py [--runs 3]

Serves the web intake with uvicorn on loopback (as `formgen serve` does), opens
examples/ca_medspa.yaml in a session, then times POST /generate (following its redirect to the
packet page) plus GET /packet.zip: that is what a person waits for between the click and the
download. The same deal goes through `formgen generate` (a new process, as a user runs it) in
the same run, DOCX only and with --pdf. Prints the median of --runs for each and the ratio
web / CLI; the web has no process start-up to pay, so a ratio near or below 1 is expected.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEAL = REPO_ROOT / "examples" / "ca_medspa.yaml"


def serve(drafts: Path):
    import uvicorn

    from formgen.web.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(drafts_dir=drafts), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def web_session(base: str):
    """An httpx client inside a new matter opened from the example deal (its base URL is the
    matter's), and the matter's CSRF token."""
    try:
        import httpx
    except ImportError:  # the test extra installs it under this name
        import httpx2 as httpx

    def token_of(page: str) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)

    client = httpx.Client(base_url=base, follow_redirects=True, timeout=600)
    start = token_of(client.get("/").text)
    r = client.post(f"/open?csrf={start}", files={"deal": ("ca_medspa.yaml", DEAL.read_bytes())})
    r.raise_for_status()
    matter = re.search(r"(/m/[A-Za-z0-9_-]+)/", str(r.url)).group(1)
    client.base_url = base + matter
    return client, token_of(r.text)


def time_web(client, token: str, pdf: bool) -> float:
    start = time.perf_counter()
    r = client.post(f"/generate?csrf={token}", data={"csrf": token, **({"pdf": "1"} if pdf else {})})
    r.raise_for_status()
    z = client.get("/packet.zip")
    z.raise_for_status()
    elapsed = time.perf_counter() - start
    assert z.content[:2] == b"PK" and (b"packet.pdf" in z.content) == pdf
    return elapsed


def time_cli(out: Path, pdf: bool) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "formgen", "generate", str(DEAL), "-o", str(out), *(["--pdf"] if pdf else [])],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(Path(tmp) / "drafts")
        client, token = web_session(base)
        time_web(client, token, False)  # warm: first import of the drafting modules
        print(f"CA deal ({DEAL.name}), median of {args.runs} runs")
        for pdf in (False, True):
            web = statistics.median(time_web(client, token, pdf) for _ in range(args.runs))
            cli = statistics.median(time_cli(Path(tmp) / f"cli{i}", pdf) for i in range(args.runs))
            label = "DOCX + PDF" if pdf else "DOCX only "
            print(f"  {label}  web click->zip {web:6.2f} s   formgen generate {cli:6.2f} s")
            print(f"ratio {'pdf' if pdf else 'docx'} web/cli {web / cli:.2f}")
        server.should_exit = True


if __name__ == "__main__":
    main()
