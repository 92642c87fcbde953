"""The Starlette application: sessions, CSRF, templates and the route table.

Each browser gets a random session id in an HttpOnly, SameSite=Strict cookie; its drafts live
in a server-side folder named by that id (formgen/web/drafts.py). Every state-changing request
(POST) must carry the session's CSRF token, as a form field ``csrf`` or an ``X-CSRF-Token``
header; the templates autoescape every value.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .drafts import DraftStore

HERE = Path(__file__).parent
COOKIE = "formgen_session"
COOKIE_AGE = 30 * 24 * 3600
MAX_UPLOAD = 4 * 1024 * 1024  # a deal file is a few KB; a packet zip about 2 MB with its closing set


class SessionMiddleware(BaseHTTPMiddleware):
    """Attach the session id (a new one when the cookie is missing or unknown); refuse oversized
    bodies and POSTs from a browser with no session."""

    async def dispatch(self, request: Request, call_next):
        store: DraftStore = request.app.state.store
        sid = request.cookies.get(COOKIE)
        fresh = store.folder(sid) is None
        if fresh:
            sid = store.new_session()
        request.state.sid = sid
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            length = int(request.headers.get("content-length") or 0)
            if length > MAX_UPLOAD + 64 * 1024:
                return PlainTextResponse("The upload is too large (at most 4 MB).", status_code=413)
            if fresh:  # a POST without a known session cannot carry its CSRF token
                return csrf_failed()
        response = await call_next(request)
        if fresh:
            response.set_cookie(COOKIE, sid, max_age=COOKIE_AGE, httponly=True, samesite="strict")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Content-Security-Policy",
                                    "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-ancestors 'self'")
        return response


def csrf_failed() -> PlainTextResponse:
    return PlainTextResponse("The form expired or did not come from this page (CSRF check failed). "
                             "Reload the page and try again.", status_code=403)


async def checked_form(request: Request):
    """The POSTed form after the CSRF check (form field ``csrf`` or header ``X-CSRF-Token``);
    None when the check fails."""
    form = await request.form(max_part_size=MAX_UPLOAD)
    token = request.headers.get("x-csrf-token") or form.get("csrf")
    store: DraftStore = request.app.state.store
    return form if store.csrf_ok(request.state.sid, token if isinstance(token, str) else None) else None


def templates() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(["html", "xml"], default=True), trim_blocks=True,
                      lstrip_blocks=True)
    return env


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    sid = request.state.sid
    context.setdefault("csrf", request.app.state.store.csrf_token(sid))
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def create_app(drafts_dir: str | Path | None = None, library: str | Path | None = None) -> Starlette:
    """The web intake. ``library``: a formgen library folder (clauses/, state_overrides/,
    templates/), as FORMGEN_LIBRARY sets it for the CLI."""
    import os

    from . import routes

    if library is not None:
        os.environ["FORMGEN_LIBRARY"] = str(Path(library).resolve())
    app = Starlette(
        routes=[
            Route("/", routes.start),
            Route("/new", routes.new_deal, methods=["POST"]),
            Route("/open", routes.open_deal, methods=["POST"]),
            Route("/open-packet", routes.open_packet, methods=["POST"]),
            Route("/step/{step_id}", routes.show_step),
            Route("/step/{step_id}", routes.post_step, methods=["POST"]),
            Route("/api/check/{step_id}", routes.check, methods=["POST"]),
            Route("/api/state/{code}", routes.state_api),
            Route("/review", routes.review),
            Route("/generate", routes.generate, methods=["POST"]),
            Route("/packet", routes.packet_page),
            Route("/packet.zip", routes.packet_zip),
            Route("/packet/file/{name:path}", routes.packet_file),
            Route("/preview/{name:path}/page/{page:int}", routes.preview_page),
            Route("/preview/{name:path}", routes.preview),
            Route("/deal.yaml", routes.deal_yaml),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[Middleware(SessionMiddleware)],
    )
    app.state.store = DraftStore(Path(drafts_dir) if drafts_dir else None)
    app.state.templates = templates()
    return app
