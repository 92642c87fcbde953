"""Request handlers: thin, like the CLI's commands; the work is in the library and the
sibling modules (interview, answers, drafts, live, packetfiles)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from ..api import build
from ..errors import FormgenError, InputError
from ..inputs.deal import JURISDICTIONS, PRACTICE_ENTITY_ALIASES
from . import answers, contracts, interview, live, packetfiles, review as review_model
from .app import MAX_CONTRACT, MAX_FORM, MAX_UPLOAD, body_limit, render
from .preview import page_image, text_preview

DEAL_SUFFIXES = (".yaml", ".yml", ".json")
ORIGIN_FILE = "packet-origin"  # "upload" when the packet came from the user: answers regenerate it
GROUP_INDEX = re.compile(r"^[0-9]{1,4}$")


def _store(request: Request):
    return request.app.state.store


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _deal_name(data) -> str:
    name = answers.value_at(data, "deal.name")
    return name if isinstance(name, str) and name.strip() else "Untitled deal"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60] or "deal"


def _ensure_session(request: Request) -> None:
    """A session for this browser from now on (a matter's page is being shown)."""
    if request.state.sid is None:
        request.state.sid = request.state.new_sid = _store(request).new_session()


def _rotate_session(request: Request) -> None:
    """A new session id as a matter is started or opened; the old one is refused from now on."""
    request.state.sid = request.state.new_sid = _store(request).rotate_session(request.state.sid)


def _matter(request: Request, *, opening: bool = False) -> str:
    """The matter the URL names; 404 for any other id. Its pages make the browser's session;
    ``opening`` it (its own address, as the matters list links it) gives the browser a new one."""
    mid = request.path_params.get("mid")
    if _store(request).folder(mid) is None:
        raise HTTPException(404, "No such matter: it may have been deleted. The matters list shows those there are.")
    (_rotate_session if opening else _ensure_session)(request)
    return mid


def _base(mid: str) -> str:
    return f"/m/{mid}"


async def _form(request: Request):
    """The POSTed form (its CSRF token was checked before the body was read)."""
    try:
        return await request.form(max_part_size=body_limit(request.url.path), max_files=2, max_fields=2000)
    except (MultiPartException, ValueError, KeyError, UnicodeDecodeError) as exc:
        raise HTTPException(400, f"The form could not be read ({exc}). Reload the page and try again.") from None


async def _upload(form, field: str, limit: int) -> tuple[str, bytes] | None:
    item = form.get(field)
    if item is None or isinstance(item, str) or not item.filename:
        return None
    data = await item.read(limit + 1)
    return item.filename.replace("\\", "/").rsplit("/", 1)[-1][:100], data


async def not_found(request: Request, exc: HTTPException):
    return render(
        request,
        "error.html",
        404,
        status=404,
        message=exc.detail if exc.detail != "Not Found" else "There is no such page.",
    )


async def not_allowed(request: Request, exc: HTTPException):
    return render(request, "error.html", 405, status=405, message="That address does not take this kind of request.")


async def bad_request(request: Request, exc: HTTPException):
    return render(request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail)


# ---------------------------------------------------------------- matters list


def _matters(store) -> list:
    """The matters list; a matter holding only a reviewed contract is named after it."""
    matters = store.matters()
    for m in matters:
        contract = contracts.kept(store.folder(m.id)) if not store.has_draft(m.id) else None
        if contract is not None:
            m.name, m.state = f"Review of {contract.name}", contract.state
    return matters


async def start(request: Request, error: list | None = None, status: int = 200):
    matters = await run_in_threadpool(_matters, _store(request))
    return render(
        request,
        "start.html",
        status,
        matters=matters,
        errors=error or [],
        states=JURISDICTIONS,
        today=dt.date.today().isoformat(),
    )


async def new_deal(request: Request):
    store = _store(request)
    _rotate_session(request)
    mid = store.new_matter()
    store.save(mid, {})
    return _see(f"{_base(mid)}/step/{interview.steps()[0].id}")


async def open_deal(request: Request):
    """A deal file uploaded: refused with the CLI's message when it does not parse; kept as
    written (comments and all) in a new matter when it does, its problems shown beside the fields."""
    form = await _form(request)
    upload = await _upload(form, "deal", MAX_FORM)
    if upload is None:
        return await start(request, ["Choose a deal file (.yaml, .yml or .json) first."], 400)
    name, data = upload
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in DEAL_SUFFIXES:
        return await start(request, [f"{name}: is not a deal file; upload a .yaml, .yml or .json file"], 400)
    if len(data) > MAX_FORM:
        return await start(request, [f"{name}: is larger than 2 MB; a deal file is a few kilobytes"], 400)
    store = _store(request)
    checked = await run_in_threadpool(live.check_upload, request.app.state.library, data, suffix, name, store.root)
    if isinstance(checked, list):
        return await start(request, checked, 400)
    _rotate_session(request)
    mid = store.new_matter()
    if suffix == ".json":
        store.save(mid, checked)
    else:
        store.save_text(mid, data.decode("utf-8"))
    return _see(f"{_base(mid)}/step/{interview.steps()[0].id}?checked=1")


async def open_packet(request: Request):
    form = await _form(request)
    upload = await _upload(form, "packet", MAX_UPLOAD)
    if upload is None or not upload[0].lower().endswith(".zip") or len(upload[1]) > MAX_UPLOAD:
        return await start(
            request, ["Choose the packet's .zip file (at most 50 MB), as formgen's download made it."], 400
        )
    store = _store(request)
    mid = store.new_matter()
    try:
        validated = await run_in_threadpool(packetfiles.open_packet_zip, upload[1], store.packet_dir(mid), upload[0])
    except InputError as exc:
        store.delete(mid)
        return await start(request, [str(p) for p in exc.problems], 400)
    _rotate_session(request)
    store.save(mid, validated)
    (store.folder(mid) / ORIGIN_FILE).write_text("upload")
    return _see(f"{_base(mid)}/packet")


async def matter_home(request: Request):
    """A matter opened (from the matters list, or any browser): the browser gets a new session id."""
    mid = _matter(request, opening=True)
    store = _store(request)
    if not store.has_draft(mid) and contracts.kept(store.folder(mid)) is not None:
        return _see(f"{_base(mid)}/contract")
    return _see(f"{_base(mid)}/step/{interview.steps()[0].id}")


async def duplicate(request: Request):
    mid = _matter(request)
    store = _store(request)
    copy = store.duplicate(mid)
    data = store.load(copy)
    if isinstance(data.get("deal"), dict):
        data["deal"]["name"] = f"{_deal_name(data)} (copy)"
        store.save(copy, data)
    return _see("/#matters")


async def rename(request: Request):
    mid = _matter(request)
    form = await _form(request)
    name = form.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return await start(request, ["Give the matter a name (at most 200 characters)."], 400)
    store = _store(request)
    data = store.load(mid)
    if not isinstance(data.get("deal"), dict):
        data["deal"] = {}
    data["deal"]["name"] = name.strip()
    store.save(mid, data)
    return _see("/#matters")


async def confirm_delete(request: Request):
    mid = _matter(request)
    data = _store(request).load(mid)
    return render(
        request,
        "delete.html",
        base=_base(mid),
        deal_name=_deal_name(data),
        has_packet=(_store(request).packet_dir(mid) / "manifest.json").is_file(),
    )


async def delete(request: Request):
    mid = _matter(request)
    form = await _form(request)
    if form.get("confirm") != "yes":
        return _see(f"{_base(mid)}/delete")
    _store(request).delete(mid)
    return _see("/#matters")


# ---------------------------------------------------------------- interview


def _step_context(request: Request, mid: str, step, data, show_missing: bool) -> dict:
    store = _store(request)
    errors = live.step_errors(
        request.app.state.library, data, step, store.scratch(mid, "check"), show_missing=show_missing
    )
    steps = interview.steps()
    return {
        "step": step,
        "steps": steps,
        "index": steps.index(step),
        "data": data,
        "errors": errors,
        "live": live.live_info(request.app.state.library, data),
        "value_at": answers.value_at,
        "shown": answers.shown,
        "deal_name": _deal_name(data),
        "default_state": answers.value_at(data, "deal.state") or "",
        "only_for_basis": interview.ONLY_FOR_BASIS,
        "canonical_forms": interview.CANONICAL_ENTITY_FORMS,
        "entity_aliases": PRACTICE_ENTITY_ALIASES,
        "base": _base(mid),
        "version": store.version(mid),
        "status": review_model.step_status(request.app.state.library, data, store.scratch(mid, "check")),
    }


def _step(request: Request):
    step = interview.step(request.path_params["step_id"])
    if step is None:
        raise HTTPException(404, "There is no such step in the interview.")
    return step


def _draft(store, mid: str):
    """The matter's draft as the interview asks it (see answers.as_the_interview_asks)."""
    data = store.load(mid)
    answers.as_the_interview_asks(data)
    return data


async def show_step(request: Request):
    mid = _matter(request)
    step = _step(request)
    store = _store(request)
    data = _draft(store, mid)
    query = request.query_params
    context = await run_in_threadpool(_step_context, request, mid, step, data, query.get("checked") == "1")
    undo = store.take_undo(mid, peek=True) if query.get("removed") == "1" else None
    return render(
        request,
        "step.html",
        undo=undo,
        stale=query.get("stale") == "1",
        from_review=query.get("from") == "review",
        **context,
    )


def _stale(form, store, mid) -> bool:
    sent = form.get("_version")
    return isinstance(sent, str) and sent != str(store.version(mid))


async def post_step(request: Request):
    mid = _matter(request)
    step = _step(request)
    form = await _form(request)
    store = _store(request)
    base = _base(mid)
    if _stale(form, store, mid):
        return _see(f"{base}/step/{step.id}?stale=1")
    data = _draft(store, mid)
    answers.apply_step(data, step, form)
    action = form.get("action") or "next"
    action = action if isinstance(action, str) else "next"
    steps = interview.steps()
    index = steps.index(step)
    groups = {f.path: f for f in interview.all_fields(step.fields) if f.kind == "group"}
    target = f"{base}/step/{step.id}"
    back_to_review = form.get("_from") == "review"
    if action.startswith("add:") and action[4:] in groups:
        answers.group_add(data, action[4:], groups[action[4:]])
    elif action.startswith("remove:"):
        path, _, number = action[7:].rpartition(":")
        if path not in groups or not GROUP_INDEX.match(number):
            raise HTTPException(400, "Nothing was removed: the form did not name what to remove.")
        removed = answers.group_remove(data, path, int(number))
        if removed is not None:
            store.keep_undo(
                mid,
                {
                    "step": step.id,
                    "path": path,
                    "index": int(number),
                    "item": removed,
                    "label": f"{groups[path].label.rstrip('s')} {int(number) + 1}",
                    "name": answers.item_name(removed),
                },
            )
            target += "?removed=1"
    elif action == "undo":
        record = store.take_undo(mid)
        if record and record.get("step") == step.id and record.get("path") in groups:
            answers.group_insert(data, record["path"], record.get("index"), record.get("item"))
    elif action == "back":
        target = f"{base}/step/{steps[max(index - 1, 0)].id}"
    elif action.startswith("goto:") and interview.step(action[5:]):
        target = f"{base}/step/{action[5:]}"
    elif action == "review":
        target = f"{base}/review"
    store.save(mid, data)
    if action in ("next", "review"):
        errors = await run_in_threadpool(
            live.step_errors, request.app.state.library, data, step, store.scratch(mid, "check"), show_missing=True
        )
        if errors:
            return _see(f"{base}/step/{step.id}?checked=1" + ("&from=review" if back_to_review else ""))
        if action == "next":
            target = (
                f"{base}/review" if back_to_review or index + 1 >= len(steps) else f"{base}/step/{steps[index + 1].id}"
            )
    return _see(target)


async def check(request: Request):
    """Autosave one step's answers and return the problems and live rules (JSON)."""
    mid = _matter(request)
    step = _step(request)
    form = await _form(request)
    store = _store(request)
    if _stale(form, store, mid):
        return JSONResponse(
            {
                "saved": False,
                "stale": True,
                "version": store.version(mid),
                "message": "This matter was changed in another tab or window: this page no longer "
                "shows its latest answers, so what you typed here was not saved. Copy what "
                "you need, then reload the page.",
            },
            status_code=409,
        )
    data = _draft(store, mid)
    answers.apply_step(data, step, form)
    version = store.save(mid, data)
    context = await run_in_threadpool(_step_context, request, mid, step, data, form.get("_all") == "1")
    env = request.app.state.templates
    panel = env.get_template("live.html").render(**context)
    rules = context["live"]["rules"]
    forms = [[f.form.value, f.label] for f in rules.entity_forms] if rules else []
    return JSONResponse(
        {"saved": True, "version": version, "problems": context["errors"], "live_html": panel, "entity_forms": forms}
    )


async def state_api(request: Request):
    rules = live.state_rules(request.app.state.library, request.path_params["code"])
    if rules is None:
        return JSONResponse({"error": "not a US state or DC; use a two-letter code such as CA"}, status_code=404)
    return JSONResponse(live.state_json(request.app.state.library, rules))


# ---------------------------------------------------------------- review and packet


def _review_context(request: Request, mid: str) -> dict:
    store = _store(request)
    path = store.deal_path(mid)
    data = store.load(mid)
    problems, _ = live.problems(request.app.state.library, path) if store.has_draft(mid) else ([], [])
    context = {
        "deal_name": _deal_name(data),
        "problems": [live.plain(p) for p in problems],
        "packet": None,
        "steps": interview.steps(),
        "base": _base(mid),
        "has_soffice": shutil.which("soffice") is not None or shutil.which("libreoffice") is not None,
        "step_of": review_model.step_of,
        "answers": review_model.answers(data),
        "status": review_model.step_status(request.app.state.library, data, store.scratch(mid, "check")),
    }
    if store.has_draft(mid) and not problems:
        try:
            context["packet"] = build(path)
        except FormgenError as exc:
            context["build_error"] = str(exc)
    return context


async def review(request: Request):
    mid = _matter(request)
    context = await run_in_threadpool(_review_context, request, mid)
    return render(request, "review.html", **context)


async def generate(request: Request):
    mid = _matter(request)
    form = await _form(request)
    store = _store(request)
    regen = (store.folder(mid) / ORIGIN_FILE).is_file() and (store.packet_dir(mid) / "manifest.json").is_file()
    try:
        if regen:
            await run_in_threadpool(
                packetfiles.regenerate, request.app.state.library, store.deal_path(mid), store.packet_dir(mid)
            )
        else:
            await run_in_threadpool(
                packetfiles.generate,
                request.app.state.library,
                store.deal_path(mid),
                store.packet_dir(mid),
                pdf=form.get("pdf") == "1",
            )
    except FormgenError as exc:
        context = await run_in_threadpool(_review_context, request, mid)
        return render(request, "review.html", 400, generate_error=str(exc), **context)
    if request.app.state.warm_converters is not None and form.get("pdf") != "1":
        await run_in_threadpool(_prepare_previews, request, mid)
    return _see(f"{_base(mid)}/packet")


def _prepare_previews(request: Request, mid: str) -> None:
    """Start making the packet's previews now (a server keeping LibreOffice warm): the preview
    clicked on the packet page then finds its document converted or under way."""
    store = _store(request)
    documents = [p for p in packetfiles.listing(store.packet_dir(mid)).values() if p.suffix == ".docx"]
    request.app.state.previews.prepare(documents, store.scratch(mid, "preview"))


async def packet_page(request: Request):
    mid = _matter(request)
    store = _store(request)
    files = packetfiles.listing(store.packet_dir(mid))
    changes = files.get("changes.md")
    try:
        compliance = (
            json.loads(files["compliance.json"].read_text(encoding="utf-8")) if "compliance.json" in files else {}
        )
    except ValueError:
        compliance = {}
    findings = compliance.get("findings", []) if isinstance(compliance, dict) else []
    return render(
        request,
        "packet.html",
        files=list(files),
        deal_name=_deal_name(store.load(mid)),
        findings=[f for f in findings if isinstance(f, dict)],
        base=_base(mid),
        changes=changes.read_text(encoding="utf-8", errors="replace") if changes else "",
        uploaded=(store.folder(mid) / ORIGIN_FILE).is_file(),
        closing=await run_in_threadpool(packetfiles.closing, store.packet_dir(mid)),
    )


async def packet_zip(request: Request):
    mid = _matter(request)
    store = _store(request)
    folder = store.packet_dir(mid)
    if not (folder / "manifest.json").is_file():
        raise HTTPException(404, "No packet yet: generate it from the review page.")
    data = await run_in_threadpool(packetfiles.zip_bytes, folder)
    name = _slug(_deal_name(store.load(mid))) + "_packet.zip"
    return Response(
        data, media_type="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _packet_path(request: Request, mid: str, name: str):
    return packetfiles.listing(_store(request).packet_dir(mid)).get(name)  # looked up, never joined


async def packet_file(request: Request):
    mid = _matter(request)
    path = _packet_path(request, mid, request.path_params["name"])
    if path is None:
        raise HTTPException(404, "There is no such file in the packet.")
    inline = path.suffix in (".pdf", ".md", ".json")
    return FileResponse(path, filename=path.name, content_disposition_type="inline" if inline else "attachment")


def _preview_of(request: Request):
    """The packet document the URL names and the making of its preview (started if it is not)."""
    mid = _matter(request)
    path = _packet_path(request, mid, request.path_params["name"])
    if path is None or path.suffix != ".docx":
        raise HTTPException(404, "There is no such document in the packet.")
    return mid, path, request.app.state.previews.show(path, _store(request).scratch(mid, "preview"))


async def preview(request: Request):
    mid, path, made = await run_in_threadpool(_preview_of, request)
    store = _store(request)
    text = await run_in_threadpool(text_preview, path) if made.state == "text" else ""
    return render(
        request,
        "preview.html",
        doc_name=request.path_params["name"],
        deal_name=_deal_name(store.load(mid)),
        base=_base(mid),
        pdf_name=f"{path.stem}.pdf" if path.with_suffix(".pdf").is_file() else "",
        status=made.status(),
        text=text,
    )


async def preview_status(request: Request):
    """The making of the preview once it has moved on from version ``v`` (long polled by the page)."""
    _, _, made = await run_in_threadpool(_preview_of, request)
    seen = request.query_params.get("v", "")
    seen_version = int(seen) if GROUP_INDEX.match(seen) else -1
    status = await run_in_threadpool(request.app.state.previews.wait, made, seen_version)
    return JSONResponse(status, headers={"Cache-Control": "no-store"})


async def preview_page(request: Request):
    page = request.path_params["page"]
    if not GROUP_INDEX.match(page):
        raise HTTPException(404, "There is no such document page.")
    mid = _matter(request)
    path = _packet_path(request, mid, request.path_params["name"])
    if path is None or path.suffix != ".docx":
        raise HTTPException(404, "There is no such document in the packet.")
    folder = await run_in_threadpool(request.app.state.previews.folder, path, _store(request).scratch(mid, "preview"))
    image = page_image(folder, int(page))
    if not image.is_file():
        raise HTTPException(404, "There is no such page (yet).")
    return FileResponse(image, media_type="image/jpeg")


async def deal_yaml(request: Request):
    mid = _matter(request)
    store = _store(request)
    if not store.has_draft(mid):
        raise HTTPException(404, "This matter has no answers yet.")
    name = _slug(_deal_name(store.load(mid))) + ".yaml"
    return FileResponse(store.deal_path(mid), media_type="application/yaml", filename=name)


# ---------------------------------------------------------------- review a contract (formgen review)


async def _review_upload(request: Request, mid: str, form) -> list[str] | None:
    """Review the uploaded contract and keep it in the matter; the problems, as sentences, when it
    cannot be (nothing kept then)."""
    upload = await _upload(form, "contract", MAX_CONTRACT)
    state, as_of = form.get("state"), form.get("as_of")
    problems = []
    if upload is None:
        problems.append(f"Choose the contract to review ({', '.join(contracts.SUFFIXES)}).")
    elif len(upload[1]) > MAX_CONTRACT:
        problems.append(f"{upload[0]}: is larger than {MAX_CONTRACT >> 20} MB.")
    if not isinstance(state, str) or state.upper() not in JURISDICTIONS:
        problems.append("Choose the state whose law governs the practice.")
    on = contracts.parse_date(as_of) if as_of else dt.date.today()
    if on is None:
        problems.append("Give the date of the rules as year-month-day, or leave it blank for today.")
    if problems:
        return problems
    try:
        await run_in_threadpool(
            contracts.keep,
            _store(request).folder(mid),
            upload[0],
            upload[1],
            state.upper(),
            on,
            request.app.state.library,
        )
    except InputError as exc:
        return [str(p) for p in exc.problems]
    return None


async def review_contract_start(request: Request):
    """From the matters list: a new matter holding the reviewed contract."""
    form = await _form(request)
    store = _store(request)
    mid = store.new_matter()
    problems = await _review_upload(request, mid, form)
    if problems:
        store.delete(mid)
        return await start(request, problems, 400)
    _rotate_session(request)
    return _see(f"{_base(mid)}/contract")


def _contract_context(request: Request, mid: str) -> dict:
    store = _store(request)
    data = store.load(mid)
    contract = contracts.kept(store.folder(mid))
    found = error = None
    if contract is not None:
        try:
            found = contracts.review_kept(contract, request.app.state.library)
        except InputError as exc:
            error = [str(p) for p in exc.problems]
    state = contract.state if contract else (answers.value_at(data, "deal.state") or "")
    return {
        "deal_name": _deal_name(data) if store.has_draft(mid) else "",
        "base": _base(mid),
        "contract": contract,
        "review": found,
        "sections": contracts.by_section(found) if found else [],
        "errors": error or [],
        "captions": contracts.CAPTIONS,
        "states": JURISDICTIONS,
        "state": str(state).upper(),
        "as_of": (contract.as_of if contract else dt.date.today()).isoformat(),
        "has_redline": bool(found and found.findings and contract.path.suffix == ".docx"),
    }


async def contract_page(request: Request):
    mid = _matter(request)
    context = await run_in_threadpool(_contract_context, request, mid)
    return render(request, "contract.html", **context)


async def contract_review(request: Request):
    mid = _matter(request)
    form = await _form(request)
    problems = await _review_upload(request, mid, form)
    if problems:
        context = await run_in_threadpool(_contract_context, request, mid)
        return render(request, "contract.html", 400, **{**context, "errors": problems})
    return _see(f"{_base(mid)}/contract")


def _reviewed(request: Request, mid: str):
    contract = contracts.kept(_store(request).folder(mid))
    if contract is None:
        raise HTTPException(404, "No contract has been reviewed in this matter yet.")
    try:
        return contract, contracts.review_kept(contract, request.app.state.library)
    except InputError as exc:
        raise HTTPException(400, "; ".join(str(p) for p in exc.problems)) from None


def _stem(name: str) -> str:
    return _slug(name.rsplit(".", 1)[0])


async def contract_memo(request: Request):
    mid = _matter(request)
    contract, found = await run_in_threadpool(_reviewed, request, mid)
    data = await run_in_threadpool(contracts.memo, found)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{_stem(contract.name)}_review_memo.docx"'},
    )


async def contract_redline(request: Request):
    mid = _matter(request)
    contract, found = await run_in_threadpool(_reviewed, request, mid)
    data = await run_in_threadpool(contracts.redline, contract, found)
    if data is None:
        raise HTTPException(404, "No redline: the review found nothing to mark, or the contract is not a .docx.")
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{_stem(contract.name)}.redline.docx"'},
    )
