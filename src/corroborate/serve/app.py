"""The application: one FastAPI app serving the web UI (``/``) and the REST API (``/api``) over
one store. :func:`create_app` builds it; :func:`serve` runs it on uvicorn."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from corroborate import __version__
from corroborate.serve.security import (
    HEADERS,
    ConfigError,
    Guard,
    is_loopback,
    read_token,
)
from corroborate.settings import Settings
from corroborate.stores import open_store

log = logging.getLogger(__name__)

DESCRIPTION = """Reconciled, source-traced incident records from many news reports.

Reads are open. Writes (adding reports, annotations) need `Authorization: Bearer TOKEN` when the
server has a token (`CORROBORATE_TOKEN`); without one the server is read-only, unless it listens
on 127.0.0.1 only, where clients on that machine may write."""


def create_app(db: str, settings: Settings | None = None, *, host: str = "127.0.0.1", warm: bool = True) -> FastAPI:
    """The app over the store at ``db`` (its schema must be at head: ``corroborate db upgrade``).
    ``host``: the address the server listens on (writes without a token only on loopback).
    ``warm``: load the models when the app starts, not on the first added report.
    Raises :class:`~corroborate.stores.StoreError` or
    :class:`~corroborate.serve.security.ConfigError` for a store or a setting that cannot work."""
    from corroborate.serve import api, ui
    from corroborate.serve.jobs import Jobs

    settings = settings or Settings()
    guard = Guard(read_token(settings), is_loopback(host), settings.write_rate)
    store = open_store(db, create=True)
    _import_shared()
    jobs = Jobs(store, settings, warm=warm)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            jobs.close()
            store.close()

    app = FastAPI(title="corroborate", version=__version__, description=DESCRIPTION, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json", lifespan=lifespan)
    app.state.store, app.state.guard, app.state.settings, app.state.jobs = store, guard, settings, jobs

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:  # every method of the path, not only its first route's
            headers["Allow"] = ", ".join(_allowed(app, request))
        if _wants_html(request):
            return ui.error_page(request, exc.status_code, str(exc.detail), headers)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            schema["paths"]["/api/reports"]["post"]["requestBody"] = api.add_body(settings.max_upload_files)
            # writes: the admin token as a bearer token (/docs gets an Authorize button); without a
            # token on the server, loopback clients write without one
            schema.setdefault("components", {})["securitySchemes"] = {
                "adminToken": {"type": "http", "scheme": "bearer",
                               "description": "CORROBORATE_TOKEN; not needed on a server without one, from 127.0.0.1"}}
            for path in ("/api/reports", "/api/annotations"):
                schema["paths"][path]["post"]["security"] = [{"adminToken": []}, {}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        if _wants_html(request):
            return ui.error_page(request, 422, "; ".join(_short(e) for e in exc.errors()))
        return JSONResponse({"detail": _jsonable(exc.errors())}, status_code=422)

    app.mount("/static", StaticFiles(directory=str(files("corroborate.serve") / "static")), name="static")
    app.include_router(api.router)
    app.include_router(ui.router)

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    return app


def _import_shared() -> None:
    """Import, in this thread and before the job thread starts, what both the pages and the jobs
    import: spaCy's extension modules fail when two threads import them at once (a ``KeyError:
    'spacy'`` from a page that reads a title's toll while the job thread loads the models)."""
    import spacy  # noqa: F401

    import corroborate.analyze.counts
    import corroborate.incidents.reconcile  # noqa: F401


DOCS_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>corroborate API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script><script src="/static/docs.js"></script></body></html>
"""


def _allowed(app: FastAPI, request: Request) -> list[str]:
    """The methods of every route whose path matches the request's: the app's own and its
    routers' (an included router is one opaque route of the app's)."""
    from corroborate.serve import api, ui

    methods: set[str] = set()
    for route in [*app.router.routes, *api.router.routes, *ui.router.routes]:
        regex, route_methods = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and route_methods and regex.match(request.url.path):
            methods.update(route_methods)
    return sorted(methods)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and request.url.path != "/openapi.json"


def _short(error: dict) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())[1:])
    return f"{where}: {error.get('msg', '')}" if where else str(error.get("msg", ""))


def _jsonable(errors: Any) -> Any:
    import json

    return json.loads(json.dumps(errors, default=str))


def serve(db: str, *, host: str = "127.0.0.1", port: int = 8000, settings: Settings | None = None,
          log_level: str = "info", on_ready: Any = None) -> None:
    """Run the app on uvicorn until interrupted. ``on_ready()`` is called once the store is open
    and the address free. Raises :class:`~corroborate.serve.security.ConfigError` when the address
    cannot be listened on (as :func:`create_app` does for a bad setting or store)."""
    import socket

    import uvicorn

    app = create_app(db, settings, host=host)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:  # one clear error, not uvicorn's exit code 3
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            app.state.jobs.close()
            app.state.store.close()
            raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    if on_ready is not None:
        on_ready()
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False, server_header=False)
