"""``formgen serve``: run the web intake with uvicorn, on loopback unless told otherwise."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(host: str = "127.0.0.1", port: int = 8000, library=None, drafts: Path | None = None) -> None:
    try:
        import uvicorn  # lazy: the web extra may not be installed
    except ImportError:
        from ..errors import ToolMissingError  # lazy: the web extra may not be installed

        raise ToolMissingError("formgen serve needs the web extra: pip install 'formgen[web]'") from None
    from .app import create_app  # lazy: the web extra may not be installed

    if not is_loopback(host):
        print(
            f"formgen serve: warning: listening on {host}, not loopback: anyone who can reach this "
            "machine can open the drafts; there is no login",
            file=sys.stderr,
        )
    app = create_app(drafts_dir=drafts, library=library, host=host, warm_pdf=True)
    print(
        f"formgen serve: open http://{host if ':' not in host else f'[{host}]'}:{port}/ "
        f"(matters in {app.state.store.matters_root}); Ctrl+C stops",
        file=sys.stderr,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
