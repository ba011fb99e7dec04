"""The web UI: server-rendered pages (Jinja2, autoescaped: article text is hostile), htmx from
the package for the live filter and the job page, no inline script, no request to another origin.

Pages: ``/`` (incidents: filter, search, sort), ``/incidents/{id}`` (facts with their quotes, the
derivation graph, the timeline and toll chart, corrections), ``/reports/{id}`` (the text with its
highlights, its signals), ``/outlets``, ``/add`` (paste, upload, URLs) and ``/jobs/{id}``,
``/login``. Every form carries the CSRF token (:mod:`corroborate.serve.security`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Annotated, Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from corroborate import __version__
from corroborate.records import CONTRACT_VERSION, Incident, Report
from corroborate.render import html as page
from corroborate.render import view
from corroborate.serve.api import (
    ISO_DATE,
    SORT_PATTERN,
    AnnotationIn,
    Status,
    annotate,
    check_length,
    check_url,
    parse_form,
    read_files,
)
from corroborate.serve.security import CSRF_COOKIE, CSRF_FIELD, SESSION_COOKIE, new_csrf
from corroborate.stores import browse

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

COLUMNS = (("title", "incident"), ("date", "date"), (None, "location"), (None, "type"), ("killed", "killed"),
           ("injured", "injured"), ("reports", "reports"), ("outlets", "outlets"),
           ("independent", "independent sources"), ("status", "status"))


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("corroborate.serve", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(
        fact_range=view.fact_range, fact_value=view.fact_value, fact_sources=view.fact_sources,
        provenance_note=view.provenance_note, both_sides=view.both_sides, quote=page.quote,
        status_counts=view.status_counts, status_meaning=view.STATUS_MEANING, status_order=view.STATUS_ORDER,
        derivation_graph=view.derivation_graph, derivation_svg=page.derivation_svg, node_label=view.node_label,
        member_text=view.member_text, edge_text=view.edge_text, in_context=page.in_context, span_id=page.span_id,
        timeline=page.timeline, toll_chart=page.toll_chart, signal_rows=view.signal_rows, machine_note=view.machine_note,
        evidence_by_signal=page.evidence_by_signal, plural=view.plural, version=__version__, honest_title=honest_title,
        contract=CONTRACT_VERSION, quote_link=quote_link, sentence=sentence, csrf_field=CSRF_FIELD)
    return env


def quote_link(report_id: str, start: int, end: int) -> str:
    """Where a quote opens its report: at the span, marked."""
    return f"/reports/{_path(report_id)}?{urlencode({'span': f'{start}-{end}'})}#{page.span_id(report_id, start, end)}"


_BOUNDARY = re.compile(r"[.!?][\"”’)]*\s+|\n+")
SENTENCE_CHARS = 300


def sentence(report: Report, start: int, end: int) -> Markup:
    """The sentence(s) around ``text[start:end]``, the span marked: from the end of the previous
    sentence to the end of the last one the span touches, reaching at most :data:`SENTENCE_CHARS`
    on each side (then cut at a word, with "…")."""
    text = report.text
    if not 0 <= start <= end <= len(text):
        return Markup('<span class="muted">(the report is not stored)</span>')
    low = max(0, start - SENTENCE_CHARS)
    left = low
    for match in _BOUNDARY.finditer(text, low, start):
        left = match.end()
    cut_left = left == low and low > 0
    if cut_left:
        space = text.find(" ", low, start)
        left = space + 1 if space != -1 else low
    high = min(len(text), end + SENTENCE_CHARS)
    found = _BOUNDARY.search(text, end, high)
    if found:
        right = found.start() + len(found.group().rstrip())
    else:
        space = text.rfind(" ", end, high) if high < len(text) else -1
        right = space if space != -1 else high
    return Markup('{}{}<mark class="quote">{}</mark>{}{}').format(
        "…" if cut_left else "", text[left:start], text[start:end], text[end:right],
        "…" if not found and right < len(text) else "")


def _path(ident: str) -> str:
    from urllib.parse import quote

    return quote(ident, safe="")


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """A page, with the CSRF cookie set when the visitor has none yet."""
    token = request.cookies.get(CSRF_COOKIE) or new_csrf()
    guard = request.app.state.guard
    context.update(request=request, csrf=token, can_write=guard.signed_in(request), writable=guard.writable,
                   path=_path)
    body = _environment().get_template(template).render(**context)
    response = HTMLResponse(body, status_code=status, headers=headers)
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def error_page(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> HTMLResponse:
    return render(request, "error.html", status=status, headers=headers, status_code=status, message=message)


# -- incidents ----------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    q: Annotated[str | None, Query(max_length=500)] = None,
    since: Annotated[str | None, Query(pattern=ISO_DATE + "|^$")] = None,
    until: Annotated[str | None, Query(pattern=ISO_DATE + "|^$")] = None,
    place: Annotated[str | None, Query(max_length=200)] = None,
    type: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(pattern="^(" + "|".join(get_args(Status)) + ")?$")] = None,
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    sort: Annotated[str, Query(pattern=SORT_PATTERN)] = "-date",
    page_number: Annotated[int, Query(alias="page", ge=1, le=200_000)] = 1,
) -> HTMLResponse:
    store = request.app.state.store
    where = browse.IncidentFilter(q=q or None, since=since or None, until=until or None, place=place or None,
                                  type=type or None, status=status or None, outlet=outlet or None)
    found = browse.find_incidents(store, where, sort=sort, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE)
    params = {k: v for k, v in {"q": q, "since": since, "until": until, "place": place, "type": type,
                                "status": status, "outlet": outlet}.items() if v}

    def link(**change: Any) -> str:
        query = {**params, "sort": sort, **change}
        return "/?" + urlencode({k: v for k, v in query.items() if v not in (None, "", 1)})

    def sort_link(key: str) -> str:
        if sort in (key, "-" + key):
            return link(sort=key if sort.startswith("-") else "-" + key, page=None)
        return link(sort=key if key in ("title", "status") else "-" + key, page=None)

    pages = max(1, -(-found.total // PAGE_SIZE))
    return render(request, "incidents.html", found=found, where=where, sort=sort, columns=COLUMNS, link=link,
                  sort_link=sort_link, page_number=page_number, pages=pages,
                  types=browse.incident_types(store), outlets=[o.name for o in browse.outlets(store)],
                  statuses=view.STATUS_ORDER, filtered=bool(params))


def honest_title(title: str | None, tolls: dict[str, int | None], kind: str | None, location: str | None) -> str:
    """``title``, unless it states a toll the reconciled ``tolls`` (killed, injured) contradict:
    then one made from the incident's type and place ("Armed assault in Eastgate Market")."""
    from corroborate.incidents.reconcile import title_tolls

    values = {slot: value for slot, value in tolls.items() if value is not None}
    if title and all(stated == {values[slot]} for slot, stated in title_tolls(title).items() if slot in values):
        return title
    words = (kind or "incident").replace("_", " ")
    words = words[:1].upper() + words[1:]
    return f"{words} in {location}" if location else words


def display_title(incident: Incident) -> str:
    """The incident's title as the UI shows it (:func:`honest_title`), from the same columns the
    list shows (:func:`~corroborate.stores.sql.incident_columns`)."""
    from corroborate.stores.sql import incident_columns

    columns = incident_columns(incident)
    return honest_title(incident.title, {"killed": columns["killed"], "injured": columns["injured"]}, columns["type"],
                        incident.location)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str) -> HTMLResponse:
    store = request.app.state.store
    incident = store.incident(incident_id)
    if incident is None:
        raise HTTPException(404, f"no incident {incident_id!r}")
    by_id = _reports(store, incident)
    notes = browse.annotations_of(store, incident_id)
    by_fact: dict[int, list] = {}
    for note in notes:
        if note.fact is not None and note.incident == incident_id:
            by_fact.setdefault(note.fact, []).append(note)
    others = [n for n in notes if n.fact is None]
    return render(request, "incident.html", inc=incident, title=display_title(incident), by_id=by_id,
                  fact_notes=by_fact, other_notes=others, counts=view.incident_counts(incident, by_id))


class _Missing(dict):
    """Reports an incident names that the store lacks stand in as empty reports."""

    def __missing__(self, key: str) -> Report:
        return Report(id=key, text="", origin="(not stored)")


def _reports(store, incident: Incident) -> dict[str, Report]:
    found = _Missing()
    for rid in incident.reports:
        report = store.report(rid)
        if report is not None:
            found[rid] = report
    return found


@router.post("/incidents/{incident_id}/annotations")
def annotate_form(
    request: Request, incident_id: str,
    kind: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=200)] = "",
    other_incident: Annotated[str | None, Form(max_length=500)] = None,
    report: Annotated[str | None, Form(max_length=500)] = None,
    fact: Annotated[int | None, Form(ge=0, le=10_000)] = None,
    value: Annotated[str | None, Form(max_length=500)] = None,
    note: Annotated[str | None, Form(max_length=2000)] = None,
    author: Annotated[str | None, Form(max_length=200)] = None,
) -> Response:
    who = request.app.state.guard.require_write(request, form_token=csrf, form=True)
    given = value.strip() if value else ""
    typed: int | str | None = None
    if given:
        typed = int(given) if given.lstrip("-").isdigit() and len(given) < 12 else given
    try:
        body = AnnotationIn(kind=kind, incident=incident_id, other_incident=(other_incident or "").strip() or None,  # type: ignore[arg-type]
                            report=report or None, fact=fact, value=typed, note=note or None, author=author or None)
    except ValueError as exc:
        raise HTTPException(422, str(exc).splitlines()[-1] if str(exc) else "invalid annotation") from exc
    annotate(request, body, who)
    return RedirectResponse(f"/incidents/{_path(incident_id)}#corrections", status_code=303)


# -- reports ------------------------------------------------------------------------------------
@router.get("/reports/{report_id:path}", response_class=HTMLResponse)
def report_page(request: Request, report_id: str,
                span: Annotated[str | None, Query(pattern=r"^\d{1,9}-\d{1,9}$")] = None) -> HTMLResponse:
    store = request.app.state.store
    report = store.report(report_id)
    if report is None:
        raise HTTPException(404, f"no report {report_id!r}")
    incident_id = store.incident_of([report_id]).get(report_id)
    incident = store.incident(incident_id) if incident_id else None
    wanted: list[tuple[int, int]] = []
    if span:
        start, end = (int(x) for x in span.split("-"))
        if 0 <= start < end <= len(report.text):
            wanted.append((start, end))
    provenance = [p for f in (incident.facts if incident else []) for p in f.support + f.dissent if p.report == report_id]
    anchors = wanted + [a for a in page.choose_anchors(provenance)
                        if not any(a[0] < e and s < a[1] for s, e in wanted)]
    anchors.sort()
    return render(request, "report.html", r=report, text=page.render_text(report, anchors), incident=incident,
                  incident_title=display_title(incident) if incident else None, versions=store.versions(report_id))


# -- outlets ------------------------------------------------------------------------------------
@router.get("/outlets", response_class=HTMLResponse)
def outlets_page(request: Request) -> HTMLResponse:
    rows = browse.outlets(request.app.state.store)
    return render(request, "outlets.html", outlets=rows, link=lambda name: "/?" + urlencode({"outlet": name}))


# -- adding reports -----------------------------------------------------------------------------
@router.get("/add", response_class=HTMLResponse)
def add_page(request: Request) -> HTMLResponse:
    return render(request, "add.html", settings=request.app.state.settings)


@router.post("/add")
async def add_form(request: Request) -> Response:
    """The add page's three forms: ``how`` is ``text`` (pasted), ``files`` (uploads) or ``urls``."""
    from corroborate.serve.jobs import QueueFull

    settings, jobs = request.app.state.settings, request.app.state.jobs
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    check_length(request, settings.max_upload_bytes, slack=64 * 1024)  # the form's other fields
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await parse_form(request, settings)
    else:
        raise HTTPException(400, "send the add form")
    csrf = form.get(CSRF_FIELD)
    request.app.state.guard.require_write(request, form_token=csrf if isinstance(csrf, str) else "", form=True)
    how = form.get("how")
    try:
        if how == "text":
            text = str(form.get("text") or "").strip()
            if not text:
                raise HTTPException(422, "paste the report's text")
            record = {"text": text, **{name: (str(form.get(name) or "").strip() or None)
                                        for name in ("id", "title", "published", "source")}}
            job = jobs.submit_record(record)
        elif how == "files":
            job = jobs.submit_files(await read_files(request, settings))
        elif how == "urls":
            lines = [line.strip() for line in str(form.get("urls") or "").splitlines() if line.strip()]
            if not lines or len(lines) > settings.max_upload_files:
                raise HTTPException(422, f"give 1 to {settings.max_upload_files} URLs, one a line")
            try:
                urls = [check_url(line) for line in lines]
            except ValueError as exc:
                raise HTTPException(422, str(exc)) from exc
            job = jobs.submit_urls(urls)
        else:
            raise HTTPException(422, "choose text, files or URLs")
    except QueueFull as exc:  # as a rate limit: the client may try again later
        raise HTTPException(429, str(exc), headers={"Retry-After": "30"}) from exc
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r}")
    return render(request, "job.html", job=job, waiting=request.app.state.jobs.waiting())


# -- signing in ---------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", failed=False)


@router.post("/login")
def login(request: Request, token: Annotated[str, Form(max_length=500)],
          csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    guard = request.app.state.guard
    guard.check_form(request, csrf)
    if not guard.check_token(token):
        return render(request, "login.html", status=401, failed=True)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, guard.session_value(), httponly=True, samesite="strict", path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
    request.app.state.guard.check_form(request, csrf)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


__all__ = ["Markup", "router"]
