"""The REST API under ``/api`` (OpenAPI 3.1 at ``/openapi.json``, docs at ``/docs``).

Reads need nothing; writes (``POST``) go through :class:`corroborate.serve.security.Guard`.
Reports and incidents are given in the output contract (:mod:`corroborate.records`); an
incident also carries the annotations about it, beside its facts and never in them.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from corroborate.records import Incident, Report
from corroborate.stores import browse

router = APIRouter(prefix="/api", tags=["api"])

Status = Literal["corroborated", "discrepant", "conflicting", "single_source"]
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
SORT_PATTERN = "^-?(" + "|".join(browse.INCIDENT_SORTS) + ")$"
ID = Annotated[str, Path(min_length=1, max_length=500)]

class Problem(BaseModel):
    """An error: what went wrong, in one sentence."""

    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {404: {"description": "Not found", "model": Problem}}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "The request cannot be read", "model": Problem},
    401: {"description": "The admin token is needed", "model": Problem},
    403: {"description": "Read-only server, another site, or a stale CSRF token", "model": Problem},
    413: {"description": "Too large", "model": Problem},
    422: {"description": "The request does not fit the schema (too many files, a field too long, ...)"},
    415: {"description": "Neither JSON nor a form", "model": Problem},
    429: {"description": "Too many writes: see Retry-After", "model": Problem},
}


class IncidentSummary(browse.IncidentRow):
    """An incident as a row of the list; its record is at ``href``."""

    href: str


class Page(BaseModel):
    total: int = Field(description="how many match in all")
    limit: int
    offset: int
    next: str | None = Field(description="the next page, or null on the last")


class IncidentList(Page):
    items: list[IncidentSummary]


class AnnotationOut(BaseModel):
    """An analyst's correction, stored beside the machine's reading."""

    id: int
    kind: Literal["merge", "split", "wrong", "set"]
    incident: str
    other_incident: str | None = Field(description="merge: the incident this one is the same as")
    report: str | None = Field(description="split: the report that is not about this incident")
    fact: int | None = Field(description="wrong, set: the fact's index in the incident's facts")
    slot: str | None = Field(description="wrong, set: the fact's slot when annotated")
    value: int | str | None = Field(description="set: the value the analyst gives")
    note: str | None
    author: str
    created_at: datetime


class IncidentDetail(Incident):
    """The incident in the output contract, with the annotations about it."""

    model_config = ConfigDict(extra="forbid", title="IncidentDetail")
    annotations: list[AnnotationOut] = Field(default_factory=list)


class ReportSummary(browse.ReportRow):
    """A report as a row of the list; its record is at ``href``."""

    href: str


class ReportList(Page):
    items: list[ReportSummary]


class Outlet(browse.OutletRow):
    """An outlet; its incidents are at ``href``."""

    href: str = Field(description="its incidents")


class AddReport(BaseModel):
    """One report to add: its ``text``, its ``html`` page, or a ``url`` to fetch (exactly one)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["text"]}, {"required": ["html"]}, {"required": ["url"]}]})
    id: str = Field(default=None, min_length=1, max_length=300,  # type: ignore[assignment]
                    description="its id; without one, an id made from the text (the same text, the same id)")
    text: str = Field(default=None, min_length=1)  # type: ignore[assignment]
    html: str = Field(default=None, min_length=1)  # type: ignore[assignment]
    url: str = Field(default=None, min_length=8, max_length=2000,  # type: ignore[assignment]
                     pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/\S*)?$", description="http(s) URL of a public page")
    title: str = Field(default=None, max_length=1000)  # type: ignore[assignment]
    published: str = Field(default=None, max_length=64, description="ISO 8601 date or date-time")  # type: ignore[assignment]
    source: str = Field(default=None, max_length=300, description="outlet name or domain")  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_body(self) -> AddReport:
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, html and url")
        if self.url is not None:
            check_url(self.url)
        return self


def check_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url[:200]!r}")
    return url.strip()


class JobReport(BaseModel):
    id: str
    incident: str | None = Field(description="the incident it joined, or null (not an incident report)")
    href: str


class JobOut(BaseModel):
    """Reports being added: ``status`` is queued, running, done or failed; ``reports`` (once done)
    lists each with its incident."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    inputs: list[str]
    submitted: datetime
    started: datetime | None
    finished: datetime | None
    reports: list[JobReport]
    added: int
    versioned: int
    unchanged: int
    errors: list[str]
    href: str


class AnnotationIn(BaseModel):
    """A correction: ``merge`` (``other_incident``), ``split`` (``report``), ``wrong`` (``fact``)
    or ``set`` (``fact`` and ``value``)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["merge", "split", "wrong", "set"]
    incident: str = Field(min_length=1, max_length=500)
    other_incident: str | None = Field(default=None, max_length=500)
    report: str | None = Field(default=None, max_length=500)
    fact: int | None = Field(default=None, ge=0, le=10_000)
    value: int | str | None = Field(default=None, description="set: the value (a number, or text up to 500 characters)")
    note: str | None = Field(default=None, max_length=2000)
    author: str | None = Field(default=None, max_length=200, description="who (shown with the annotation)")

    @model_validator(mode="after")
    def _short_value(self) -> AnnotationIn:
        if isinstance(self.value, str) and len(self.value) > 500:
            raise ValueError("value: at most 500 characters")
        return self


def _next(request: Request, total: int, limit: int, offset: int) -> str | None:
    if offset + limit >= total:
        return None
    query = dict(request.query_params)
    query["offset"] = str(offset + limit)
    return f"{request.url.path}?{urlencode(query)}"


def _store(request: Request):
    return request.app.state.store


@router.get("/incidents", response_model=IncidentList, summary="Find incidents")
def list_incidents(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description="words in its reports' text and title, or its title and place")] = None,
    since: Annotated[str | None, Query(pattern=ISO_DATE, description="on or after this date (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, Query(pattern=ISO_DATE, description="on or before this date (YYYY-MM-DD)")] = None,
    place: Annotated[str | None, Query(max_length=200, description="part of its place's name (city, region, country)")] = None,
    type: Annotated[str | None, Query(max_length=100, description="its type, e.g. armed_assault")] = None,
    status: Annotated[Status | None, Query(description="it has a fact with this status")] = None,
    outlet: Annotated[str | None, Query(max_length=300, description="one of its reports comes from this outlet")] = None,
    sort: Annotated[str, Query(pattern=SORT_PATTERN, description="a key (- before it: descending): "
                               + ", ".join(browse.INCIDENT_SORTS))] = "-date",
    limit: Annotated[int, Query(ge=1, le=browse.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> IncidentList:
    where = browse.IncidentFilter(q=q, since=since, until=until, place=place, type=type, status=status, outlet=outlet)
    page = browse.find_incidents(_store(request), where, sort=sort, limit=limit, offset=offset)
    items = [IncidentSummary(**row.model_dump(), href=f"/api/incidents/{row.id}") for row in page.items]
    return IncidentList(items=items, total=page.total, limit=page.limit, offset=page.offset,
                        next=_next(request, page.total, page.limit, page.offset))


def incident_detail(store, incident_id: str) -> IncidentDetail:
    incident = store.incident(incident_id)
    if incident is None:
        raise HTTPException(404, f"no incident {incident_id!r}")
    notes = [AnnotationOut(**a.as_dict()) for a in browse.annotations_of(store, incident_id)]
    return IncidentDetail(**incident.model_dump(), annotations=notes)


@router.get("/incidents/{incident_id}", response_model=IncidentDetail, responses=ERRORS, summary="One incident")
def get_incident(request: Request, incident_id: ID) -> IncidentDetail:
    """The incident in the output contract: its facts, each with its status, independent sources
    and the spans that support and dissent (``report``, ``start``, ``end``: the words
    ``text[start:end]`` of that report), and the analysts' annotations."""
    return incident_detail(_store(request), incident_id)


@router.get("/reports", response_model=ReportList, summary="Find reports")
def list_reports(
    request: Request,
    q: Annotated[str | None, Query(max_length=500, description="full-text search over title and text")] = None,
    outlet: Annotated[str | None, Query(max_length=300)] = None,
    incident: Annotated[str | None, Query(max_length=500, description="the reports of this incident")] = None,
    limit: Annotated[int, Query(ge=1, le=browse.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> ReportList:
    page = browse.find_reports(_store(request), q=q, outlet=outlet, incident=incident, limit=limit, offset=offset)
    items = [ReportSummary(**row.model_dump(), href=f"/api/reports/{row.id}") for row in page.items]
    return ReportList(items=items, total=page.total, limit=page.limit, offset=page.offset,
                      next=_next(request, page.total, page.limit, page.offset))


@router.get("/reports/{report_id:path}", response_model=Report, responses=ERRORS, summary="One report")
def get_report(request: Request, report_id: ID,
               version: Annotated[int | None, Query(ge=1, le=1_000_000, description="a stored version (default: current)")] = None) -> Report:
    """The report in the output contract: clean text, metadata, counts, attributions, events,
    signals, each item's span (``text[start:end]``)."""
    report = _store(request).report(report_id, version)
    if report is None:
        raise HTTPException(404, f"no report {report_id!r}" + (f" version {version}" if version else ""))
    return report


def add_body(max_files: int) -> dict[str, Any]:
    """The request body of ``POST /api/reports``: JSON, or a form of at most ``max_files`` files."""
    return {
        "required": True,
        "content": {
            "application/json": {"schema": AddReport.model_json_schema()},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "additionalProperties": False,
                "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                                        "minItems": 1, "maxItems": max_files,
                                        "description": "files read as corroborate run reads them (.txt, .html, .jsonl, "
                                                       ".csv, ...); an empty or unreadable file is one error of the job"}}}},
        },
    }


def job_out(job) -> JobOut:
    data = job.as_dict()
    return JobOut(**data, href=f"/api/jobs/{job.id}")


@router.post("/reports", status_code=202, response_model=JobOut, summary="Add reports",
             responses=WRITE_ERRORS,
             openapi_extra={"requestBody": add_body(20)})  # maxItems: the server's max_upload_files (app.openapi)
async def add_reports(request: Request) -> JSONResponse:
    """Add one report as JSON (``text``, ``html`` or ``url``, with ``id``, ``title``,
    ``published``, ``source``), or files as ``multipart/form-data`` (field ``file``, repeated). It is
    analyzed in the background, linked into the stored incidents and reconciled; the answer (202)
    is the job, whose ``href`` (also in ``Location``) tells when it is done and where each
    report went."""
    guard, settings = request.app.state.guard, request.app.state.settings
    guard.require_write(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    check_length(request, settings.max_upload_bytes)
    from corroborate.serve.jobs import QueueFull

    jobs = request.app.state.jobs
    try:
        if kind == "application/json":
            body = await _body(request, settings.max_upload_bytes)
            try:
                add = AddReport.model_validate_json(body)
            except ValidationError as exc:
                return JSONResponse({"detail": _errors(exc)}, status_code=422)
            if add.url is not None:
                job = jobs.submit_urls([add.url])
            else:
                job = jobs.submit_record(add.model_dump(exclude={"url"}) | ({"url": None}))
        elif kind == "multipart/form-data":
            files = await read_files(request, settings)
            job = jobs.submit_files(files)
        else:
            raise HTTPException(415 if kind else 400, "send application/json or multipart/form-data")
    except QueueFull as exc:  # as a rate limit: the client may try again later
        raise HTTPException(429, str(exc), headers={"Retry-After": "30"}) from exc
    out = job_out(job)
    return JSONResponse(out.model_dump(mode="json"), status_code=202, headers={"Location": out.href})


def check_length(request: Request, limit: int, slack: int = 0) -> None:
    """413 when the request says it is longer than ``limit`` (plus ``slack``) bytes."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + slack:
        raise HTTPException(413, f"the request is larger than {limit} bytes")


async def _body(request: Request, limit: int) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the request is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def parse_form(request: Request, settings) -> Any:
    """The request's form, within the count and size limits (413 when over one)."""
    from starlette.exceptions import HTTPException as StarletteHTTPException

    try:
        return await request.form(max_files=settings.max_upload_files, max_fields=50,
                                  max_part_size=settings.max_upload_bytes)
    except StarletteHTTPException as exc:  # starlette's own 400 for a form over a limit
        detail = str(exc.detail).lower()
        code = 422 if "too many" in detail else 413 if any(w in detail for w in ("exceeded", "too large", "maximum")) else 400
        raise HTTPException(code, f"the form cannot be read: {exc.detail}") from exc


async def read_files(request: Request, settings, field: str = "file") -> list[tuple[str, bytes]]:
    """The uploaded files of a multipart request, within the count and size limits."""
    from starlette.datastructures import UploadFile

    form = await parse_form(request, settings)
    others = sorted({key for key in form if key not in (field, "csrf", "how")})
    if others:  # the API's form has one field; the UI's add form adds its csrf and how
        raise HTTPException(422, f"unknown form fields: {', '.join(repr(k[:40]) for k in others[:5])} (send files as {field!r})")
    files, size = [], 0
    for item in form.getlist(field):
        if not isinstance(item, UploadFile):
            continue
        data = await item.read(settings.max_upload_bytes + 1)
        size += len(data)
        if size > settings.max_upload_bytes:
            raise HTTPException(413, f"the files are larger than {settings.max_upload_bytes} bytes together")
        files.append((item.filename or "upload.txt", data))  # an empty file: the job's error, naming it
    if not files:
        raise HTTPException(400, f"no file in the form's {field!r} field")
    return files


def _errors(exc: ValidationError) -> list[dict[str, Any]]:
    return json.loads(exc.json(include_url=False, include_input=False))


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS, summary="Reports being added")
def get_job(request: Request, job_id: Annotated[str, Path(min_length=1, max_length=100)]) -> JobOut:
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id!r} (jobs are kept in memory, the last 1000)")
    return job_out(job)


@router.get("/outlets", response_model=list[Outlet], summary="The outlets")
def list_outlets(request: Request) -> list[Outlet]:
    """Every outlet of the stored reports, most reports first."""
    return [Outlet(**row.model_dump(), href="/api/incidents?" + urlencode({"outlet": row.name}))
            for row in browse.outlets(_store(request))]


@router.get("/annotations", response_model=list[AnnotationOut], summary="Annotations")
def list_annotations(request: Request,
                     incident: Annotated[str | None, Query(max_length=500, description="only those about this incident")] = None
                     ) -> list[AnnotationOut]:
    return [AnnotationOut(**a.as_dict()) for a in browse.annotations_of(_store(request), incident)]


@router.post("/annotations", status_code=201, response_model=AnnotationOut, summary="Add an annotation",
             responses={**WRITE_ERRORS, 404: {"description": "No such incident", "model": Problem},
                        409: {"description": "It does not fit the incident (no such fact or report, a merge with itself)",
                              "model": Problem}})
def add_annotation(request: Request, body: AnnotationIn) -> AnnotationOut:
    """Store a correction beside the machine's reading (which it never changes)."""
    who = request.app.state.guard.require_write(request)
    return AnnotationOut(**annotate(request, body, who).as_dict())


def annotate(request: Request, body: AnnotationIn, who: str):
    store = request.app.state.store
    if store.incident(body.incident) is None:
        raise HTTPException(404, f"no incident {body.incident!r}")
    author = f"{body.author.strip()} ({who})" if body.author and body.author.strip() else who
    try:
        return browse.add_annotation(store, kind=body.kind, incident=body.incident, author=author,
                                     other_incident=body.other_incident, report=body.report, fact=body.fact,
                                     value=body.value, note=body.note)
    except browse.AnnotationError as exc:  # valid JSON that does not fit the stored incident
        raise HTTPException(409, str(exc)) from exc
