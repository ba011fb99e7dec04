"""Per-report work in batches: clean, parse, analyze, assess, and the clustering features.

One function, :func:`analyze_batch`, does all the per-report work of a run. It runs in
this process (``--workers 1``) or in a pool of worker processes (:func:`analyze_stream`
with ``workers > 1``), each of which loads and verifies the spaCy model once. Batches are
cut the same way in both cases and results come back in input order, so the output is
identical whatever the number of workers (``tests/test_workers.py`` checks it).

What crosses the process boundary is small: the raw documents go out, and each report
comes back as its JSON line plus its clustering features (a MinHash signature and a few
name sets), never as a spaCy ``Doc``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess

from corroborate.ingest.readers import RawDoc
from corroborate.records import InputError, Report

#: Documents per batch, and characters per batch. spaCy's memory grows with the batch (the
#: parser's activations for every token in it): over the GVA dev texts, batches of 64 took
#: raw spaCy to 760 MB, 16 to 440 MB and 8 to 380 MB, at the same speed. The character budget
#: keeps a batch of long documents as small as a batch of short ones; one document longer
#: than the budget makes a batch of its own.
BATCH_SIZE = 16
BATCH_CHARS = 40_000
#: Batches handed to the pool ahead of the one being collected, per worker: enough to keep
#: every worker busy, few enough to keep the memory of the run bounded.
AHEAD_PER_WORKER = 2
#: Seconds between checks that every worker is still alive, while a batch is awaited.
WATCH_SECONDS = 1.0


@dataclass
class Analyzed:
    """One report after the per-report stages, ready for the incidents stage and the writers."""

    id: str
    line: str  # the report as a JSON line (``Report.model_dump_json()``)
    features: object  # corroborate.incidents.cluster.Features; None for a report that joins no incident
    words: int
    outlet: str
    source: str | None = None  # the report's own ``source`` field
    signals: tuple | None = None  # corroborate.assess.sources.signal_values, None without signals
    warning: InputError | None = None


class WorkerError(RuntimeError):
    """A worker process died (killed, out of memory) or the pool could not start one."""


@dataclass
class Failed:
    """A report whose analysis raised: reported as a bad input, the rest of the batch goes on."""

    error: InputError


#: Inputs of this many reports or fewer run in one process: starting a worker (a process
#: that imports spaCy and loads the model) costs more than such a run gains from it.
POOL_MIN_REPORTS = 2 * BATCH_SIZE


def plan_workers(requested: int | None, total: int) -> int:
    """How many processes a run of about ``total`` reports gets when ``requested`` (None: all cores)."""
    if total <= POOL_MIN_REPORTS:
        return 1
    return max(1, min(requested or default_workers(), total // BATCH_SIZE))


def default_workers() -> int:
    """All the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def to_report(raw: RawDoc) -> Report:
    """Clean a raw document into a report (the clean stage)."""
    from corroborate.ingest.clean import clean_text

    cleaned = clean_text(raw.text)
    return Report(
        id=raw.id,
        title=raw.title,
        source=raw.source,
        url=raw.url,
        published=raw.published,
        byline=raw.byline or cleaned.byline,
        text=cleaned.text,
        removed=cleaned.removed,
        origin=raw.origin,
        encoding=raw.encoding,
    )


def _warning(report: Report) -> InputError | None:
    """A report kept but not analyzed: no text left, or not in a language the extractors read."""
    from corroborate.analyze import is_analyzed_language

    if not report.text:
        return InputError(
            input=report.origin,
            message=f"no article text left after removing {len(report.removed)} boilerplate line(s); kept with its title and the removed lines",
        )
    if not is_analyzed_language(report.language):
        return InputError(
            input=report.origin,
            message=f"the text is in language '{report.language}', not English: kept whole, but not analyzed (no counts, events or incident)",
        )
    return None


def analyze_batch(raws: list[RawDoc], keep_lead: bool = False, sign: bool = True) -> list[Analyzed | Failed]:
    """Every per-report stage for one batch, in order. A document whose analysis raises
    becomes a :class:`Failed` (one clear error naming the input); the others are kept.

    ``sign``: replace the features' shingles by their MinHash signature here (in a worker);
    otherwise the caller does it (see :func:`corroborate.pipeline.stream`)."""
    from corroborate.analyze import analyze_doc, takes_part
    from corroborate.analyze.nlp import load_nlp, parse, parse_all, renew_if_grown
    from corroborate.assess import assess_report
    from corroborate.assess.sources import outlet_of, signal_values
    from corroborate.incidents.cluster import features, pack, signatures

    nlp = load_nlp()
    reports = [to_report(raw) for raw in raws]
    out: list[Analyzed | Failed] = []
    try:
        docs = list(parse_all([r.text for r in reports], nlp))  # a long text in chunks (analyze.nlp.CHUNK_CHARS)
    except Exception:  # one bad document: parse the others one by one
        docs = []
        for report in reports:
            try:
                docs.append(parse(report.text, nlp))
            except Exception as exc:  # noqa: BLE001 - reported as this input's error
                docs.append(exc)
    feats = []
    for report, doc in zip(reports, docs):
        try:
            if isinstance(doc, Exception):
                raise doc
            analyzed = assess_report(analyze_doc(report, doc), doc)
            feat = features(analyzed, keep_lead=keep_lead) if takes_part(analyzed) else None
        except Exception as exc:  # noqa: BLE001
            out.append(Failed(InputError(input=report.origin, message=f"analysis failed: {type(exc).__name__}: {exc}")))
            continue
        if feat is not None:
            feats.append(feat)
        out.append(Analyzed(id=analyzed.id, line=analyzed.model_dump_json(), features=feat, words=len(analyzed.text.split()),
                            outlet=outlet_of(analyzed), source=analyzed.source,
                            signals=signal_values(analyzed),
                            warning=_warning(analyzed)))
    docs = doc = None  # the old vocabulary must not be needed by a Doc when it is renewed
    renew_if_grown()  # a long run's memory stays flat however many distinct words its reports hold
    if sign:
        signatures(feats)
        pack(feats)
    return out


#: Allocations between two young-generation garbage collections (Python's default is 700).
#: Parsing allocates millions of short-lived objects that reference counting frees; with the
#: default, the collector ran often enough to take 2% of a run, and 0.6% with this.
GC_THRESHOLD = 10_000


def tune_gc() -> None:
    """Move what is loaded so far (the model, above all) out of the collector's view, and
    collect less often. For the ``corroborate`` command and its workers, not for library use."""
    import gc

    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)


def prepare(*, signatures: bool = True) -> None:
    """Load and verify the model and the other data once, then :func:`tune_gc`. ``signatures``:
    also import datasketch (half a second), which a one-process run defers until it is needed."""
    from corroborate.analyze import language, relevance, tolls
    from corroborate.analyze.nlp import load_nlp
    from corroborate.assess.detector import load_model

    load_nlp()
    load_model()
    relevance.load_model()
    tolls.load_model()
    language.detect("Models are loaded and checked once, before the first report.")
    if signatures:
        import datasketch  # noqa: F401
    tune_gc()


def _worker_start() -> None:
    """A pool worker's start: die with the main process (if it is killed, its workers must not
    linger holding a model each), then :func:`prepare`."""
    import signal

    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass  # not Linux: the pool's own shutdown still ends the workers of a run that ends normally
    if os.getppid() == 1:  # the main process died before the line above ran
        os._exit(1)
    prepare()


def batched(items: Iterable, size: int, chars: int | None = None) -> Iterator[list]:
    """Batches of at most ``size`` items, after a ramp of 1, 2, 4, ... (the first report is done
    soon after start-up, and every worker soon has work), and with ``chars``, of at most that
    many characters of ``item.text`` (but never empty)."""
    batch: list = []
    used, step = 0, 1
    for item in items:
        length = len(item.text) if chars is not None else 0
        if batch and (len(batch) >= step or (chars is not None and used + length > chars)):
            yield batch
            batch, used, step = [], 0, min(2 * step, size)
        batch.append(item)
        used += length
    if batch:
        yield batch


def analyze_stream(raws: Iterable[RawDoc], *, workers: int = 1, keep_lead: bool = False,
                   batch_size: int = BATCH_SIZE, batch_chars: int = BATCH_CHARS) -> Iterator[Analyzed | Failed]:
    """:func:`analyze_batch` over ``raws``, in input order, on ``workers`` processes.

    With one worker everything runs in this process, and the features come unsigned (the
    caller signs them in chunks, so that a small run never imports datasketch before its
    first report is out). With more, a pool of spawned processes
    (each loads the model once) takes batches while this process reads the next inputs; at
    most ``AHEAD_PER_WORKER`` batches per worker are in flight, so memory stays bounded.
    """
    batches = batched(raws, batch_size, batch_chars)
    if workers <= 1:
        for batch in batches:
            yield from analyze_batch(batch, keep_lead, sign=False)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as Pending
    from concurrent.futures.process import BrokenProcessPool

    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_quiet_spawn_context(), initializer=_worker_start)
    pending: deque = deque()
    seen: set = set()

    def pool_processes() -> set:
        return set(multiprocessing.active_children()) - others

    def collect() -> list:
        future = pending.popleft()
        while True:
            try:
                return future.result(timeout=WATCH_SECONDS)
            except BrokenProcessPool as exc:
                raise WorkerError(str(exc)) from exc
            except Pending:
                # The pool itself notices a dead worker and fails every pending batch, except
                # when the worker dies while the pool starts another (CPython's executor then
                # may leave a batch pending for ever): so look for ourselves too. Workers
                # never end on their own while work is pending.
                alive = pool_processes()
                if not alive or seen - alive:
                    raise WorkerError("a worker process died") from None
                seen.update(alive)

    try:
        for batch in batches:
            try:
                pending.append(pool.submit(analyze_batch, batch, keep_lead))
            except (BrokenProcessPool, OSError) as exc:  # a worker died while the pool started it
                raise WorkerError(f"could not hand work to a worker process: {exc}") from exc
            while len(pending) > AHEAD_PER_WORKER * workers:
                yield from collect()
        while pending:
            yield from collect()
    except (WorkerError, KeyboardInterrupt):
        # A worker the pool started while another died is neither stopped nor told to stop by
        # the pool: it would wait for work for ever, and the pool's shutdown with it. On Ctrl-C,
        # the batches in progress are not waited for.
        _stop(pool_processes())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class _QuietProcess(SpawnProcess):
    """A spawned worker started with SIGINT blocked: Ctrl-C reaches the whole process group, and
    only the main process must act on it (stop the workers, say what was kept, exit 130); a worker
    that took it too would print a ``KeyboardInterrupt`` traceback. The blocked mask is inherited
    across the spawn's exec; the main process stops the workers with SIGTERM, which stays
    unblocked. (Module level: the pool pickles the process object.)"""

    def start(self) -> None:
        import signal

        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            super().start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _QuietSpawnContext(SpawnContext):
    Process = _QuietProcess


def _quiet_spawn_context() -> SpawnContext:
    """The "spawn" context, its workers started with SIGINT blocked (:class:`_QuietProcess`)."""
    return _QuietSpawnContext()


def _stop(processes: Iterable) -> None:
    """Terminate worker processes and wait for them (kill those that do not end at once)."""
    processes = list(processes)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
