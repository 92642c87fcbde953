"""Request handlers: thin, like the CLI's commands; the work is in the library and the
sibling modules (interview, answers, drafts, live, packetfiles)."""

from __future__ import annotations

import json
import re
import shutil

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ..api import build
from ..errors import FormgenError, InputError
from . import answers, interview, live, packetfiles
from .app import MAX_UPLOAD, checked_form, csrf_failed, render

DEAL_SUFFIXES = (".yaml", ".yml", ".json")
MISSING = "is required but missing"
ORIGIN_FILE = "packet-origin"  # "upload" when the packet came from the user: answers regenerate it


def _store(request: Request):
    return request.app.state.store


def _sid(request: Request) -> str:
    return request.state.sid


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _deal_name(data) -> str:
    name = answers.value_at(data, "deal.name")
    return name if isinstance(name, str) and name.strip() else "Untitled deal"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "deal"


async def _upload(form, field: str) -> tuple[str, bytes] | None:
    item = form.get(field)
    if item is None or isinstance(item, str) or not item.filename:
        return None
    data = await item.read(MAX_UPLOAD + 1)
    return item.filename.replace("\\", "/").rsplit("/", 1)[-1][:100], data


# ---------------------------------------------------------------- start page


async def start(request: Request, error: list | None = None, status: int = 200):
    store, sid = _store(request), _sid(request)
    data = store.load(sid) if store.has_draft(sid) else None
    return render(request, "start.html", status, has_draft=data is not None,
                  deal_name=_deal_name(data) if data is not None else "", errors=error or [],
                  has_packet=(store.packet_dir(sid) / "manifest.json").is_file(), first=interview.steps()[0].id)


async def new_deal(request: Request):
    if await checked_form(request) is None:
        return csrf_failed()
    store, sid = _store(request), _sid(request)
    store.reset(sid)
    (store.root / sid / ORIGIN_FILE).unlink(missing_ok=True)
    store.save(sid, {})
    return _see(f"/step/{interview.steps()[0].id}")


async def open_deal(request: Request):
    """A deal file uploaded: refused with the CLI's message when it does not parse; kept as
    written (comments and all) when it does, its problems shown beside the fields."""
    form = await checked_form(request)
    if form is None:
        return csrf_failed()
    upload = await _upload(form, "deal")
    if upload is None:
        return await start(request, ["Choose a deal file (.yaml, .yml or .json) first."], 400)
    name, data = upload
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DEAL_SUFFIXES:
        return await start(request, [f"{name}: is not a deal file; upload a .yaml, .yml or .json file"], 400)
    if len(data) > MAX_UPLOAD:
        return await start(request, [f"{name}: is larger than 4 MB; a deal file is a few kilobytes"], 400)
    store, sid = _store(request), _sid(request)
    check = store.scratch(sid, "upload") / f"deal{suffix}"  # fixed name: the user's name is only shown
    check.write_bytes(data)
    problems, _ = await run_in_threadpool(live.problems, check, name)
    whole_file = [p for p in problems if not p.path]
    if whole_file:
        return await start(request, [str(p) for p in whole_file], 400)
    text = data.decode("utf-8")
    store.reset(sid)
    (store.root / sid / ORIGIN_FILE).unlink(missing_ok=True)
    if suffix == ".json":
        store.save(sid, json.loads(text))
    else:
        store.save_text(sid, text)
    return _see(f"/step/{interview.steps()[0].id}?checked=1")


async def open_packet(request: Request):
    form = await checked_form(request)
    if form is None:
        return csrf_failed()
    upload = await _upload(form, "packet")
    if upload is None or not upload[0].lower().endswith(".zip") or len(upload[1]) > MAX_UPLOAD:
        return await start(request, ["Choose the packet's .zip file (at most 4 MB), as formgen's download made it."], 400)
    store, sid = _store(request), _sid(request)
    try:
        validated = packetfiles.open_packet_zip(upload[1], store.packet_dir(sid), upload[0])
    except InputError as exc:
        return await start(request, [str(p) for p in exc.problems], 400)
    store.save(sid, validated)
    (store.root / sid / ORIGIN_FILE).write_text("upload")
    return _see("/packet")


# ---------------------------------------------------------------- interview


def _step_or_404(step_id: str):
    step = interview.step(step_id)
    if step is None:
        raise FormgenError(f"no step {step_id}")
    return step


def _step_context(request: Request, step, data, show_missing: bool) -> dict:
    store, sid = _store(request), _sid(request)
    problems, _ = live.problems(store.deal_path(sid)) if store.has_draft(sid) else ([], [])
    errors = live.by_field(problems, step.sections)
    if not show_missing:
        errors = {k: [m for m in v if m != MISSING] for k, v in errors.items()}
        errors = {k: v for k, v in errors.items() if v}
    steps = interview.steps()
    index = steps.index(step)
    return {"step": step, "steps": steps, "index": index, "data": data, "errors": errors,
            "live": live.live_info(data), "value_at": answers.value_at, "shown": answers.shown,
            "deal_name": _deal_name(data), "default_state": answers.value_at(data, "deal.state") or "",
            "only_for_basis": interview.ONLY_FOR_BASIS}


async def show_step(request: Request):
    step = interview.step(request.path_params["step_id"])
    if step is None:
        return Response("No such step.", status_code=404)
    store, sid = _store(request), _sid(request)
    data = store.load(sid)
    context = await run_in_threadpool(_step_context, request, step, data, request.query_params.get("checked") == "1")
    return render(request, "step.html", **context)


async def post_step(request: Request):
    step = interview.step(request.path_params["step_id"])
    form = await checked_form(request)
    if form is None:
        return csrf_failed()
    if step is None:
        return Response("No such step.", status_code=404)
    store, sid = _store(request), _sid(request)
    data = store.load(sid)
    answers.apply_step(data, step, form)
    action = form.get("action") or "next"
    steps = interview.steps()
    index = steps.index(step)
    groups = {f.path: f for f in interview.all_fields(step.fields) if f.kind == "group"}
    target = f"/step/{step.id}"
    if action.startswith("add:") and action[4:] in groups:
        answers.group_add(data, action[4:], groups[action[4:]])
    elif action.startswith("remove:"):
        path, _, number = action[7:].rpartition(":")
        if path in groups and number.isdigit():
            answers.group_remove(data, path, int(number))
    elif action == "back":
        target = f"/step/{steps[max(index - 1, 0)].id}"
    elif action.startswith("goto:") and interview.step(action[5:]):
        target = f"/step/{action[5:]}"
    store.save(sid, data)
    if action == "next":
        problems, _ = await run_in_threadpool(live.problems, store.deal_path(sid))
        if live.by_field(problems, step.sections):
            return _see(f"/step/{step.id}?checked=1#errors")
        target = f"/step/{steps[index + 1].id}" if index + 1 < len(steps) else "/review"
    return _see(target)


async def check(request: Request):
    """Autosave one step's answers and return the problems and live rules (JSON)."""
    form = await checked_form(request)
    if form is None:
        return csrf_failed()
    step = interview.step(request.path_params["step_id"])
    if step is None:
        return JSONResponse({"error": "no such step"}, status_code=404)
    store, sid = _store(request), _sid(request)
    data = store.load(sid)
    answers.apply_step(data, step, form)
    store.save(sid, data)
    context = await run_in_threadpool(_step_context, request, step, data, form.get("_all") == "1")
    env = request.app.state.templates
    panel = env.get_template("live.html").render(**context)
    rules = context["live"]["rules"]
    forms = [[f.form.value, f.label] for f in rules.entity_forms] if rules else []
    return JSONResponse({"saved": True, "problems": context["errors"], "live_html": panel, "entity_forms": forms})


async def state_api(request: Request):
    rules = live.state_rules(request.path_params["code"])
    if rules is None:
        return JSONResponse({"error": "not a US state or DC; use a two-letter code such as CA"}, status_code=404)
    return JSONResponse(live.state_json(rules))


# ---------------------------------------------------------------- review and packet


def _review_context(request: Request) -> dict:
    store, sid = _store(request), _sid(request)
    path = store.deal_path(sid)
    data = store.load(sid)
    problems, _ = live.problems(path) if store.has_draft(sid) else ([], [])
    context = {"deal_name": _deal_name(data), "problems": problems, "packet": None, "steps": interview.steps(),
               "has_soffice": shutil.which("soffice") is not None or shutil.which("libreoffice") is not None,
               "step_of": _step_of}
    if store.has_draft(sid) and not problems:
        try:
            context["packet"] = build(path)
        except FormgenError as exc:
            context["build_error"] = str(exc)
    return context


def _step_of(path: str) -> str:
    head = path.split(".")[0].split("[")[0]
    return next((s.id for s in interview.steps() if head in s.sections), interview.steps()[0].id)


async def review(request: Request):
    context = await run_in_threadpool(_review_context, request)
    return render(request, "review.html", **context)


async def generate(request: Request):
    form = await checked_form(request)
    if form is None:
        return csrf_failed()
    store, sid = _store(request), _sid(request)
    regen = (store.root / sid / ORIGIN_FILE).is_file() and (store.packet_dir(sid) / "manifest.json").is_file()
    try:
        if regen:
            await run_in_threadpool(packetfiles.regenerate, store.deal_path(sid), store.packet_dir(sid))
        else:
            await run_in_threadpool(packetfiles.generate, store.deal_path(sid), store.packet_dir(sid),
                                    pdf=form.get("pdf") == "1")
    except FormgenError as exc:
        context = await run_in_threadpool(_review_context, request)
        return render(request, "review.html", 400, generate_error=str(exc), **context)
    return _see("/packet")


async def packet_page(request: Request):
    store, sid = _store(request), _sid(request)
    files = packetfiles.listing(store.packet_dir(sid))
    changes = files.get("changes.md")
    compliance = json.loads(files["compliance.json"].read_text(encoding="utf-8")) if "compliance.json" in files else {}
    return render(request, "packet.html", files=list(files), deal_name=_deal_name(store.load(sid)),
                  findings=compliance.get("findings", []),
                  changes=changes.read_text(encoding="utf-8") if changes else "",
                  uploaded=(store.root / sid / ORIGIN_FILE).is_file())


async def packet_zip(request: Request):
    store, sid = _store(request), _sid(request)
    folder = store.packet_dir(sid)
    if not (folder / "manifest.json").is_file():
        return Response("No packet yet: generate it from the review page.", status_code=404)
    data = await run_in_threadpool(packetfiles.zip_bytes, folder)
    name = _slug(_deal_name(store.load(sid))) + "_packet.zip"
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _packet_path(request: Request, name: str):
    store, sid = _store(request), _sid(request)
    return packetfiles.listing(store.packet_dir(sid)).get(name)  # looked up, never joined


async def packet_file(request: Request):
    path = _packet_path(request, request.path_params["name"])
    if path is None:
        return Response("No such file in the packet.", status_code=404)
    inline = path.suffix in (".pdf", ".md", ".json")
    return FileResponse(path, filename=path.name, content_disposition_type="inline" if inline else "attachment")


async def preview(request: Request):
    name = request.path_params["name"]
    path = _packet_path(request, name)
    if path is None or path.suffix != ".docx":
        return Response("No such document in the packet.", status_code=404)
    work = _store(request).scratch(_sid(request), "preview")
    pages = await run_in_threadpool(packetfiles.preview_pages, path, work)
    return render(request, "preview.html", doc_name=name, deal_name=_deal_name(_store(request).load(_sid(request))),
                  pdf_name=f"{path.stem}.pdf" if path.with_suffix(".pdf").is_file() else "", pages=None if isinstance(pages, str) else len(pages),
                  text=pages if isinstance(pages, str) else "")


async def preview_page(request: Request):
    path = _packet_path(request, request.path_params["name"])
    if path is None:
        return Response("No such document.", status_code=404)
    pngs = sorted(_store(request).scratch(_sid(request), "preview").glob(f"{path.stem}-*.png"))
    page = request.path_params["page"]
    if not 1 <= page <= len(pngs):
        return Response("No such page.", status_code=404)
    return FileResponse(pngs[page - 1], media_type="image/png")


async def deal_yaml(request: Request):
    store, sid = _store(request), _sid(request)
    if not store.has_draft(sid):
        return Response("No draft yet.", status_code=404)
    name = _slug(_deal_name(store.load(sid))) + ".yaml"
    return FileResponse(store.deal_path(sid), media_type="application/yaml", filename=name)
