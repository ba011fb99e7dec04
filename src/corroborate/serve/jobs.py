"""Reports added through the server, analyzed in the background.

A request that adds reports (:meth:`Jobs.submit`) writes what it was given into a folder of its
own (a JSONL record for text or HTML, the uploaded files as they came, the URLs as a list) and
queues a job. One worker thread takes the jobs in turn: each is a run into the store
(:func:`corroborate.stores.run.run_into_store`), so its reports are analyzed, linked into the
stored incidents, the incidents they touch reconciled, and everything stored in one transaction,
taking turns with any ``corroborate run --db`` on the same database. The models are loaded
once, when the server starts.

The job's state (queued, running, done, failed), its reports and their incidents, and the errors
that named an input are kept in memory (the last :data:`KEEP` jobs) for ``GET /api/jobs/{id}``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import re
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from corroborate.settings import Settings
from corroborate.stores.sql import SqlStore

log = logging.getLogger(__name__)

#: A job links its reports against the incidents of the stored reports that best match each one
#: (this many per report, by full-text search), not against the whole store: see
#: :func:`corroborate.stores.run.run_into_store`.
NEARBY = 200
#: Jobs remembered for ``GET /api/jobs/{id}``.
KEEP = 1000
#: Jobs that may wait at once; a request beyond is refused (429, Retry-After) rather than queued without end.
MAX_QUEUED = 200

JobStatus = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    """One request's reports, as they go through the pipeline."""

    id: str
    inputs: list[str]
    status: JobStatus = "queued"
    submitted: datetime = field(default_factory=lambda: datetime.now(UTC))
    started: datetime | None = None
    finished: datetime | None = None
    reports: list[str] = field(default_factory=list)
    incidents: dict[str, str | None] = field(default_factory=dict)
    added: int = 0
    versioned: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def when(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {"id": self.id, "status": self.status, "inputs": self.inputs, "submitted": when(self.submitted),
                "started": when(self.started), "finished": when(self.finished),
                "reports": [{"id": rid, "incident": self.incidents.get(rid),
                             "href": f"/api/reports/{rid}"} for rid in self.reports],
                "added": self.added, "versioned": self.versioned, "unchanged": self.unchanged, "errors": self.errors}


class QueueFull(RuntimeError):
    """More jobs wait than :data:`MAX_QUEUED`."""


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, fallback: str = "upload") -> str:
    """A file name that is only that: no folders, no leading dots, letters, digits, ``._-``."""
    base = _SAFE_NAME.sub("-", Path(name.replace("\\", "/")).name).strip(".-")[:120]
    return base or fallback


def text_id(text: str) -> str:
    """The id a report added without one gets: the same text, the same id (so that adding it
    again is ``unchanged``, not a second report)."""
    return "web-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Jobs:
    """The queue and its worker (see the module's description)."""

    def __init__(self, store: SqlStore, settings: Settings, *, warm: bool = True) -> None:
        self.store = store
        self.settings = settings.model_copy(update={"executor": "local"})
        self._root = Path(tempfile.mkdtemp(prefix="corroborate-serve-"))
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._folders: dict[str, Path] = {}
        self._inputs: dict[str, list[str]] = {}  # of the jobs not yet finished
        self._lock = threading.Lock()
        self.ready = threading.Event()
        self._warm = warm
        self._thread = threading.Thread(target=self._work, name="corroborate-jobs", daemon=True)
        self._thread.start()

    # -- submitting -----------------------------------------------------------------------
    def folder(self) -> tuple[str, Path]:
        """A new job id and the folder its inputs go in."""
        ident = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(4)
        path = self._root / ident
        path.mkdir()
        return ident, path

    def submit_record(self, record: dict[str, Any]) -> Job:
        """Queue one report given as fields (``text`` or ``html``, ``id``, ``title``, ``published``,
        ``source``, ``url``); a report without ``id`` gets :func:`text_id`."""
        ident, path = self.folder()
        body = record.get("text") or record.get("html") or ""
        record = {k: v for k, v in record.items() if v not in (None, "")}
        record.setdefault("id", text_id(body))
        with (path / "submitted.jsonl").open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        return self._queue_job(ident, path, [str(path / "submitted.jsonl")], [f"report {record['id']}"])

    def submit_files(self, files: list[tuple[str, bytes]]) -> Job:
        """Queue uploaded files (name, content); each is read by its suffix as ``corroborate run``
        would (a JSONL or CSV file may hold many reports)."""
        ident, path = self.folder()
        inputs, names = [], []
        for k, (name, data) in enumerate(files):
            folder = path / f"{k:03d}"
            folder.mkdir()
            target = folder / safe_name(name)
            target.write_bytes(data)
            inputs.append(str(target))
            names.append(f"file {safe_name(name)}")
        return self._queue_job(ident, path, inputs, names)

    def submit_urls(self, urls: list[str]) -> Job:
        """Queue URLs to fetch (through the address guard: no private addresses, robots.txt)."""
        ident, path = self.folder()
        return self._queue_job(ident, path, list(urls), [f"url {u}" for u in urls])

    def _queue_job(self, ident: str, path: Path, inputs: list[str], names: list[str]) -> Job:
        if self._queue.qsize() >= MAX_QUEUED:
            shutil.rmtree(path, ignore_errors=True)
            raise QueueFull(f"{MAX_QUEUED} jobs are waiting already: try again in a while")
        job = Job(id=ident, inputs=names)
        with self._lock:
            self._jobs[ident] = job
            self._folders[ident] = path
            self._inputs[ident] = inputs
            while len(self._jobs) > KEEP:
                self._jobs.popitem(last=False)
        self._queue.put(job)
        return job

    def get(self, ident: str) -> Job | None:
        with self._lock:
            return self._jobs.get(ident)

    def waiting(self) -> int:
        return self._queue.qsize()

    # -- working --------------------------------------------------------------------------
    def _work(self) -> None:
        if self._warm:
            try:
                from corroborate.analyze.places import gazetteer
                from corroborate.steps import prepare

                prepare(signatures=True)
                gazetteer()  # loaded on the first place otherwise (a second)
            except Exception:  # a model that does not load fails each job with its message
                log.exception("loading the models failed")
        self.ready.set()
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._run(job)
            except Exception as exc:  # the job fails with the message; the server goes on
                log.exception("job %s failed", job.id)
                job.errors.append(f"{exc.__class__.__name__}: {exc}")
                job.status = "failed"
            finally:
                job.finished = datetime.now(UTC)
                shutil.rmtree(self._folders.pop(job.id, self._root / job.id), ignore_errors=True)
                self._inputs.pop(job.id, None)
                from corroborate.analyze.nlp import renew_if_grown

                renew_if_grown()

    def _run(self, job: Job) -> None:
        from corroborate.stores.run import run_into_store

        job.status, job.started = "running", datetime.now(UTC)
        errors: list[str] = []
        with tempfile.TemporaryDirectory(prefix="out-", dir=self._root) as out:
            done = run_into_store(self._inputs[job.id], self.store, out, nearby=NEARBY,
                                  options=self.settings.read_options(), settings=self.settings, workers=1,
                                  on_error=lambda error: errors.append(_message(error, self._root)))
        ids = list(dict.fromkeys([*done.added, *done.versioned, *done.unchanged]))
        job.reports, job.errors = ids, errors
        job.incidents = {rid: None for rid in ids} | self.store.incident_of(ids)
        job.added, job.versioned, job.unchanged = len(done.added), len(done.versioned), len(done.unchanged)
        job.status = "done" if ids or not errors else "failed"

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after the job it is on (queued jobs are dropped), and remove the folders."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join(timeout)
        shutil.rmtree(self._root, ignore_errors=True)


def _message(error: Any, root: Path) -> str:
    """An input error as one line, its temporary folder left out of the name."""
    text = str(error)
    return re.sub(re.escape(str(root)) + r"/[^/]+/(\d{3}/)?", "", text)
