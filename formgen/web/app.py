"""The Starlette application: the request guard, templates and the route table.

The server has no login: the browser is the attack surface. ``Guard`` (an ASGI middleware) runs
before any handler and before any body is read:
- the Host header must be a loopback name or the host ``formgen serve`` was told to listen on
  (a DNS-rebinding page gets 421);
- the session cookie is honoured only when this server made the session and it has not expired;
  no session is made here (only when a matter is started or opened, by the routes);
- every POST carries its CSRF token in the ``X-CSRF-Token`` header or the ``csrf`` query
  parameter of the form's action, checked before the body is read: the session's token, or on
  the start page's forms a signed start token;
- the body is read up to its route's limit, counting the bytes received (chunked or not).
The templates autoescape every value.
"""

from __future__ import annotations

import ipaddress
import os
import re
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..inputs.library import Library
from ..settings import Settings, using
from .drafts import SESSION_IDLE, DraftStore
from .preview import PreviewMaker, WarmConverters

HERE = Path(__file__).parent
COOKIE = "formgen_session"
MAX_FORM = 2 * 1024 * 1024  # a step's answers or a deal file: a few KB
MAX_UPLOAD = 50 * 1024 * 1024  # a packet zip with its PDFs: a few MB
MAX_CONTRACT = 25 * 1024 * 1024  # a contract to review, pictures and all: a few MB
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
# POSTs the matters list makes, with no session needed: start, open, and the list's own actions.
STARTING = re.compile(r"^/(new|open|open-packet|review-contract|m/[A-Za-z0-9_-]{1,64}/(duplicate|rename|delete))$")
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'self'; frame-ancestors 'self'; form-action 'self'",
    ),
]


def body_limit(path: str) -> int:
    if path == "/open-packet":
        return MAX_UPLOAD
    return MAX_CONTRACT if path == "/review-contract" or path.endswith("/contract") else MAX_FORM


def host_name(value: str) -> str:
    """The Host header's name without its port ("[::1]:8000" -> "::1")."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class MachineSettings:
    """Every request runs with the server's machine settings (LibreOffice, SOURCE_DATE_EPOCH, the
    cache), read once from the environment when the app is made."""

    def __init__(self, app, machine: Settings):
        self.app = app
        self.machine = machine

    async def __call__(self, scope, receive, send):
        with using(self.machine):  # sync endpoints run in threads that copy this context
            await self.app(scope, receive, send)


class Guard:
    def __init__(self, app, hosts: tuple[str, ...] = ()):
        self.app = app
        self.hosts = {*LOOPBACK_NAMES, *(host_name(h) for h in hosts if h)}
        # Listening on every address: reached by the machine's addresses, which no DNS name can
        # rebind; a name still has to be the one given to --host.
        self.any_address = bool(self.hosts & {"0.0.0.0", "::"})

    def host_ok(self, value: str) -> bool:
        name = host_name(value)
        if name in self.hosts:
            return True
        if self.any_address:
            try:
                ipaddress.ip_address(name)
                return True
            except ValueError:
                return False
        return False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        store: DraftStore = scope["app"].state.store
        headers = Headers(scope=scope)
        state = scope.setdefault("state", {})

        async def send_with_headers(message):
            """Every response, the app's and the guard's own refusals alike, leaves through here."""
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message["headers"]}
                message["headers"] = [*message["headers"], *(h for h in SECURITY_HEADERS if h[0] not in present)]
                new_sid = state.get("new_sid")
                if new_sid:
                    cookie = f"{COOKIE}={new_sid}; Max-Age={SESSION_IDLE}; Path=/; HttpOnly; SameSite=Strict"
                    message["headers"].append((b"set-cookie", cookie.encode()))
            await send(message)

        try:
            if not self.host_ok(headers.get("host", "")):
                raise Refused(421, "This server answers only to its own address (e.g. http://127.0.0.1:8000/).")
            cookie = Request(scope).cookies.get(COOKIE)
            state["sid"] = cookie if store.session_ok(cookie) else None
            if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.check_token(scope, headers, store, state["sid"])
                receive = await self.buffered(scope, headers, receive)
        except Refused as refused:
            return await error_page(scope, refused.status, refused.message)(scope, receive, send_with_headers)
        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def check_token(scope, headers: Headers, store: DraftStore, sid: str | None) -> None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = headers.get("x-csrf-token") or (query.get("csrf") or [None])[0]
        if store.csrf_ok(sid, token):
            return
        if STARTING.match(scope["path"]) and store.start_token_ok(token):
            return
        raise Refused(
            403,
            "The form expired or did not come from this page (CSRF check failed). "
            "Go back, reload the page and try again: what you typed was saved as you typed it.",
        )

    @staticmethod
    async def buffered(scope, headers: Headers, receive):
        """The body read here up to the route's limit, then handed on as one message."""
        limit = body_limit(scope["path"])
        declared = headers.get("content-length") or ""
        if declared.isascii() and declared.isdigit() and len(declared) < 15 and int(declared) > limit:
            raise Refused(413, f"The upload is too large (at most {limit // (1024 * 1024)} MB).")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refused(400, "The request ended early.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise Refused(413, f"The upload is too large (at most {limit // (1024 * 1024)} MB).")
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return replay


def error_page(scope, status: int, message: str) -> HTMLResponse:
    env: Environment = scope["app"].state.templates
    html = env.get_template("error.html").render(message=message, status=status, csrf="")
    return HTMLResponse(html, status_code=status)


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render(request: Request, name: str, status_code: int = 200, **context) -> HTMLResponse:
    env: Environment = request.app.state.templates
    context.setdefault("csrf", request.app.state.store.csrf_token(request.state.sid))
    html = env.get_template(name).render(request=request, **context)
    return HTMLResponse(html, status_code=status_code)


def create_app(
    drafts_dir: str | Path | None = None,
    library: Library | None = None,
    host: str | None = None,
    machine: Settings | None = None,
    warm_pdf: bool = False,
) -> Starlette:
    """The web intake, drafting from ``library`` (default: the one shipped with formgen).
    ``host``: the name or address the server listens on, accepted in the Host header beside the
    loopback names. ``machine``: the machine settings (default: from the environment).
    ``warm_pdf``: start LibreOffice with the server and keep it running (previews and PDFs then
    never wait for it to start; ``formgen serve`` does)."""
    from . import routes  # routes imports this module

    @asynccontextmanager
    async def lifespan(app: Starlette):
        keeper = WarmConverters() if warm_pdf else None
        if keeper is not None:
            keeper.start()
        app.state.warm_converters = keeper
        try:
            yield
        finally:
            app.state.previews.stop()
            if keeper is not None:
                keeper.stop()

    matter = [
        Route("/", routes.matter_home),
        Route("/step/{step_id}", routes.show_step),
        Route("/step/{step_id}", routes.post_step, methods=["POST"]),
        Route("/api/check/{step_id}", routes.check, methods=["POST"]),
        Route("/review", routes.review),
        Route("/generate", routes.generate, methods=["POST"]),
        Route("/packet", routes.packet_page),
        Route("/packet.zip", routes.packet_zip),
        Route("/packet/file/{name:path}", routes.packet_file),
        Route("/preview/{name:path}/page/{page}", routes.preview_page),
        Route("/preview/{name:path}/status", routes.preview_status),
        Route("/preview/{name:path}", routes.preview),
        Route("/deal.yaml", routes.deal_yaml),
        Route("/contract", routes.contract_page),
        Route("/contract", routes.contract_review, methods=["POST"]),
        Route("/contract/review_memo.docx", routes.contract_memo),
        Route("/contract/redline.docx", routes.contract_redline),
        Route("/duplicate", routes.duplicate, methods=["POST"]),
        Route("/rename", routes.rename, methods=["POST"]),
        Route("/delete", routes.confirm_delete),
        Route("/delete", routes.delete, methods=["POST"]),
    ]
    app = Starlette(
        routes=[
            Route("/", routes.start),
            Route("/new", routes.new_deal, methods=["POST"]),
            Route("/open", routes.open_deal, methods=["POST"]),
            Route("/open-packet", routes.open_packet, methods=["POST"]),
            Route("/review-contract", routes.review_contract_start, methods=["POST"]),
            Route("/api/state/{code}", routes.state_api),
            Mount("/m/{mid}", routes=matter),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ],
        middleware=[
            Middleware(MachineSettings, machine=machine or Settings.from_environment(os.environ)),
            Middleware(Guard, hosts=(host,) if host else ()),
        ],
        exception_handlers={404: routes.not_found, 405: routes.not_allowed, HTTPException: routes.bad_request},
        lifespan=lifespan,
    )
    app.state.store = DraftStore(Path(drafts_dir) if drafts_dir else None)
    app.state.library = library if library is not None else Library.shipped()
    app.state.templates = templates()
    app.state.previews = PreviewMaker()
    app.state.warm_converters = None  # set by the lifespan when it keeps LibreOffice warm
    return app
