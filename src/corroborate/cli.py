"""The ``corroborate`` command: a thin shell over :func:`corroborate.pipeline.run`."""

from __future__ import annotations

import json
import time

_STARTED = time.perf_counter()  # as near the start of the process as this module gets

from typing import Annotated

import typer
from rich.console import Console

from corroborate import __version__

app = typer.Typer(
    help="Turn news reports about real-world incidents into reconciled, source-traced incident records.",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corroborate {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool | None, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """corroborate: reconcile news reports into incident records."""


#: Exit codes: 0 done; 1 done, but some inputs were bad; 2 nothing done (a usage error, nothing to
#: read, --out refused or not writable); 3 a worker process died; 130 interrupted (Ctrl-C); 143 terminated.
EXIT_OK, EXIT_BAD_INPUTS, EXIT_USAGE, EXIT_WORKER, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 3, 130, 143


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled as Ctrl-C is: nothing half-written is left."""


#: the signals received (SIGINT, SIGTERM): a KeyboardInterrupt raised while Python runs a
#: finalizer or a callback is printed and dropped ("Exception ignored in ..."), so the run also
#: checks this list at each report and before it commits (:func:`_check_signals`)
_RECEIVED: list[int] = []


def _on_sigterm(number, _frame) -> None:
    _RECEIVED.append(number)
    raise _Terminated


def _on_sigint(number, _frame) -> None:
    _RECEIVED.append(number)
    raise KeyboardInterrupt


def _check_signals() -> None:
    """Raise what a signal received earlier should have raised, if it was lost on the way."""
    import signal

    if _RECEIVED:
        raise _Terminated if _RECEIVED[0] == signal.SIGTERM else KeyboardInterrupt


def _fail(message: str, code: int = EXIT_USAGE):
    from rich.markup import escape

    err.print(f"error: {escape(message)}")
    raise typer.Exit(code)


def _skipped_summary(skipped) -> str:
    """``3 skipped (2 unsupported file type, 1 too large)``, most frequent reason first."""
    from collections import Counter

    reasons = Counter(item.reason for item in skipped)
    return f"{len(skipped)} skipped ({', '.join(f'{n} {reason}' for reason, n in reasons.most_common())})"


def _output_error(exc: OSError, staging) -> bool:
    """Whether ``exc`` came from writing the outputs (a full disk, a file too large, ...)."""
    import errno

    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS):
        return True
    names = [n for n in (exc.filename, exc.filename2) if n]
    return staging is not None and any(str(n).startswith(str(staging)) for n in names)


@app.command()
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(
            help="Report files (.txt, .html, .jsonl, .json, .csv, .rss, .atom, .xml, .warc, and any of these .gz), "
            "folders (read recursively), http(s) URLs (pages, feeds, sitemaps), or - for standard input.",
            metavar="INPUT",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        str | None,
        typer.Option("--out", "-o", metavar="DIR", show_default=False,
                     help="Output directory (created if missing; replaced whole at the end of a run). Needed unless --db is given."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", metavar="URL", show_default=False,
                     help="Also keep the reports and incidents in a store: sqlite:///path.db or postgresql://user@host/db. "
                          "The stored incidents are this run's previous run; the same report again adds nothing, the same id "
                          "with other content is a new version."),
    ] = None,
    urls: Annotated[
        str | None,
        typer.Option("--urls", metavar="FILE", help="Also read the URLs listed in FILE, one a line.", show_default=False),
    ] = None,
    fetch_links: Annotated[
        bool, typer.Option("--fetch-links", help="Feeds: fetch each item's page instead of the text the feed carries.")
    ] = False,
    field_map: Annotated[
        str | None,
        typer.Option("--map", metavar="SPEC", help="Take report fields from other field names of the input records, e.g. text=body,published=pubdate.",
                     show_default=False),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out even if it holds files that are not corroborate outputs (they are deleted).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; errors and the summary only.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also name every skipped file and why.")] = False,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            metavar="DIR",
            help="Output directory of an earlier run (it may be --out itself): its reports are kept, its incidents keep "
            "their ids, and the new reports join them or form new incidents.",
            show_default=False,
        ),
    ] = None,
    embeddings: Annotated[
        bool,
        typer.Option(
            "--embeddings/--no-embeddings",
            help="Also compare reports and sentences by meaning (all-MiniLM-L6-v2, offline; needs the 'embed' extra). "
            "Better grouping and claim alignment; on the GVA dev set it takes 1.8 times as long.",
        ),
    ] = False,
    deep_detect: Annotated[
        bool,
        typer.Option(
            "--deep-detect",
            help="Score the machine-written likelihood with a small language model too (SmolLM2-135M, offline; needs "
            "the 'deep' extra): it also finds text from base language models, which the default style model misses. "
            "Each report's signals say which model scored it. Costs several times the rest of a run (README, Benchmarks).",
        ),
    ] = False,
    reconcile_all: Annotated[
        bool,
        typer.Option(
            "--reconcile-all",
            help="With --previous or --db: reconcile every earlier incident again, not only those the new reports "
            "touch (the others are kept as they were when the same corroborate, models and --embeddings made them). "
            "Also CORROBORATE_RECONCILE=all.",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes for the per-report work (parse, extraction, signals); default: all cores. "
            "The output is the same for any number. Inputs of 32 reports or fewer run in one process.",
            show_default=False,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="local|ray",
            help="Where the work runs: 'local' (this machine's processes) or 'ray' (Ray tasks: the per-report work, "
            "the linking and the reconciliation; the 'ray' extra). The output is the same.",
        ),
    ] = "local",
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address",
            metavar="ADDR",
            help="--engine ray: the cluster to join ('auto', 'host:6379' or 'ray://host:10001'); default: start a Ray "
            "on this machine with all its cores. Also CORROBORATE_RAY_ADDRESS.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read reports, analyze them, group them into incidents and write the outputs to --out:
    reports.jsonl, incidents.jsonl, sources.jsonl (one line per outlet), report.md and report.html.

    The outputs are written into a new folder beside --out, swapped in for it when complete: if the
    run stops (an error, Ctrl-C, killed), --out holds the complete previous outputs, never a mix.

    A bad input (unreadable, binary, empty, malformed JSON, no text, a URL that cannot be fetched) is reported on
    stderr, one line each, and skipped; the rest of the batch still runs. Exit code: 0 done; 1 some
    inputs were bad; 2 nothing done (nothing to read, a usage error, --out refused or not writable);
    3 a worker process died; 130 interrupted.

    Inputs are streamed: memory stays bounded however many reports there are.
    """
    import signal

    from rich.markup import escape

    items = list(inputs or [])
    if out is None and db is None:
        _fail("give --out DIR, --db URL, or both")
    if db is not None and previous is not None:
        _fail("--previous and --db: the store is the previous run; give one of them")
    if engine not in ("local", "ray"):
        _fail(f"--engine {engine}: one of local, ray")
    if ray_address is not None and engine != "ray":
        _fail("--ray-address needs --engine ray")
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
        signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread (a test runner): SIGTERM keeps its default
        pass
    kind = "missing"
    staged = None
    try:
        if not items and urls is None:
            _fail("no input given: name files, folders, URLs or - (standard input), or give --urls FILE")
        options = _read_options(field_map, fetch_links)
        if urls is not None:
            items += _url_list(urls)
            if not items:
                _fail(f"--urls {urls}: no URL in the file")
        from corroborate.render import OutputError, StagedOutput, check_out

        try:
            kind = check_out(out, force=force, inputs=items) if out is not None else "none"
            with StagedOutput(out) if out is not None else _Scratch() as staged:
                result, n_workers, stored = _run(items, staged, options, quiet=quiet, verbose=verbose, previous=previous,
                                                 embeddings=embeddings, workers=workers, kind=kind, db=db,
                                                 reconcile_all=reconcile_all, engine=engine, ray_address=ray_address,
                                                 deep_detect=deep_detect)
        except OutputError as exc:
            _fail(str(exc))
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, _Terminated)
        if staged is not None and staged.committed:
            kept = f"the new outputs were written to {out}/"
        elif out is None:
            kept = "nothing stored: the store is as it was"
        elif kind == "output":
            kept = f"no output written; {out}/ holds the previous outputs"
        else:
            kept = f"no output written; {out} is unchanged"
        err.print(f"{'terminated' if terminated else 'interrupted'}: {escape(kept)}")
        raise typer.Exit(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED) from None
    elapsed = time.perf_counter() - _STARTED
    new_reports = len(result.reports) - result.previous
    carried = f" (+{result.previous} from {'the store' if db else '--previous'})" if result.previous else ""
    where = f"outputs in {escape(out.rstrip('/'))}/" if out is not None else "no output folder"
    if stored is not None:
        where += (f"; stored in {escape(db or '')}: {len(stored.added)} added, {len(stored.versioned)} new versions, "
                  f"{len(stored.unchanged)} unchanged (not analyzed again)")
    skipped = f", {_skipped_summary(result.skipped)}" if result.skipped else ""
    first = f", first report after {result.first_report_at - _STARTED:.1f} s" if result.first_report_at else ""
    touched = (f" ({result.reconciled} reconciled, {result.kept} untouched kept as they were)"
               if result.previous else "")
    err.print(
        f"{new_reports} reports ({result.words:,} words){carried} -> {len(result.incidents)} incidents{touched} "
        f"in {elapsed:.1f} s "
        f"({n_workers} {'Ray ' if engine == 'ray' else ''}worker{'s' if n_workers > 1 else ''}{first}); "
        f"{len(result.errors)} bad inputs, {len(result.warnings)} warnings{escape(skipped)}; {where}"
    )
    raise typer.Exit(result.exit_code)


def _read_options(field_map: str | None, fetch_links: bool):
    """The reading options (the limits from :class:`corroborate.settings.Settings`, that is the
    environment); a bad ``--map`` is one clear error (exit 2)."""
    from pydantic import ValidationError

    from corroborate.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        _fail(f"a CORROBORATE_* setting in the environment is not valid: {exc.errors()[0]['msg']} "
              f"({'.'.join(str(part) for part in exc.errors()[0]['loc'])})")
    mapping: dict[str, str] = {}
    if field_map is not None:
        from corroborate.sources import readers

        try:
            mapping = readers.parse_field_map(field_map)
        except ValueError as exc:
            _fail(f"--map {field_map}: {exc}")
    return settings.read_options(field_map=mapping, fetch_links=fetch_links)


def _url_list(path: str) -> list[str]:
    """The URLs listed in ``--urls FILE``; a file that cannot be read is one clear error (exit 2)."""
    from corroborate.sources.readers import BadInput
    from corroborate.sources.web import read_url_list

    try:
        return list(read_url_list(path))
    except BadInput as exc:  # its message names the file (and the line)
        _fail(f"--urls: {exc}")
    except OSError as exc:
        _fail(f"--urls {path}: cannot read: {exc.strerror or exc}")
    except ValueError as exc:  # web.UrlListError: its message names the file and the line
        _fail(f"--urls {exc}")
    return []


class _Scratch:
    """Where a run with --db and no --out stages its outputs: a temporary folder, removed at the end."""

    committed = False

    def __enter__(self):
        import tempfile
        from pathlib import Path

        self._tmp = tempfile.TemporaryDirectory(prefix="corroborate-run-")
        self.path = self.out = Path(self._tmp.name)
        return self

    def __exit__(self, *exc) -> None:
        self._tmp.cleanup()

    def commit(self, engine: str | None = None) -> None:
        pass


def _run(items: list[str], staged, options, *, quiet: bool, verbose: bool, previous: str | None, embeddings: bool,
         workers: int | None, kind: str, db: str | None = None, reconcile_all: bool = False, engine: str = "local",
         ray_address: str | None = None, deep_detect: bool = False):
    """The run into ``staged`` (a :class:`corroborate.render.StagedOutput`, or :class:`_Scratch` with --db
    alone), swapped in for --out when it wrote something, and with ``db`` stored; returns the result,
    the number of processes and what was stored (None without ``db``)."""
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from corroborate.analyze.embed import EmbeddingsUnavailable
    from corroborate.assess.likelihood import DeepUnavailable
    from corroborate.executors import WorkerError
    from corroborate.executors.ray import RayUnavailable
    from corroborate.pipeline import PreviousRunError, stream
    from corroborate.render import write_documents
    from corroborate.settings import plan_workers
    from corroborate.sources import estimate_total
    from corroborate.steps import prepare, tune_gc

    out = str(staged.out)
    unchanged = f"{out}/ holds the previous outputs" if kind == "output" else f"{out} is unchanged"
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,  # a bar only where one is seen
    )
    with progress:
        total = estimate_total(items)
        task = progress.add_task("analyzing reports", total=total or None)
        n_workers = plan_workers(workers, total) if engine == "local" else workers or 0  # 0: Ray says

        def on_error(error) -> None:
            progress.console.print(f"error: {escape(str(error))}")
            progress.advance(task)

        def on_warning(warning) -> None:
            if not quiet:
                progress.console.print(f"warning: {escape(str(warning))}")

        def on_report(_id: str) -> None:
            _check_signals()
            progress.advance(task)

        def on_stage(stage: str) -> None:
            _check_signals()
            progress.update(task, description=stage)

        def stop(message: str, code: int = EXIT_USAGE):
            progress.stop()
            _fail(message, code)

        stored = None
        try:
            store = _open_store(db, stop) if db is not None else None
            settings = _settings(reconcile_all, engine, ray_address, deep_detect)
            if n_workers == 1:
                prepare(signatures=False, deep=settings.deep_detect)  # the models are loaded here, then the collector tuned
            else:
                tune_gc()  # this process only reads, clusters and writes; the workers load the model
            arguments = {
                "workers": n_workers or None,
                "settings": settings,
                "on_report": on_report,
                "on_stage": on_stage,
                "on_error": on_error,
                "on_warning": on_warning,
                "embeddings": embeddings,
                "options": options,
            }
            if store is not None:
                from corroborate.stores.run import run_into_store

                stored = run_into_store(items, store, staged.path, **arguments)
                result = stored.result
            else:
                result = stream(items, staged.path, previous=previous, **arguments)
            n_workers = result.workers or n_workers
            if verbose:
                for item in result.skipped:
                    progress.console.print(f"skipped: {escape(str(item.path))}: {escape(item.reason)}")
            if not result.reports and not result.errors:
                # nothing to read at all (an empty folder, or one of unsupported files only): not a run of nothing
                from corroborate.sources.readers import SUPPORTED

                where = ", ".join(items)
                what = _skipped_summary(result.skipped).replace(" skipped (", " files, all skipped (") if result.skipped else "no report found"
                stop(f"no reports to read in {where}: {what}; corroborate reads {', '.join(sorted(SUPPORTED))} files; "
                     f"nothing written, {unchanged}")
            if kind != "none":
                progress.update(task, description="writing report.md and report.html")
                write_documents(result, staged.path)
            for store in (result.reports, result.incidents):
                getattr(store, "close", lambda: None)()
            _check_signals()
            staged.commit(result.engine)
        except PreviousRunError as exc:
            stop(f"--previous: {exc}")
        except EmbeddingsUnavailable as exc:
            stop(f"--embeddings: {exc}")
        except DeepUnavailable as exc:
            stop(f"{exc}; nothing written, {unchanged}")
        except RayUnavailable as exc:
            stop(f"--engine ray: {exc}; nothing written, {unchanged}")
        except WorkerError as exc:
            if engine == "ray":
                stop(f"{exc}; no output written, {unchanged}", EXIT_WORKER)
            stop(f"a worker process died (killed, or out of memory); no output written, {unchanged}. "
                 "Run again with fewer --workers, or --workers 1 to see which input causes it.", EXIT_WORKER)
        except OSError as exc:
            if _output_error(exc, staged.path):
                stop(f"cannot write outputs to {out}: {exc.strerror or exc}; nothing written, {unchanged}")
            stop(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
    return result, n_workers, stored


def _settings(reconcile_all: bool, engine: str, ray_address: str | None, deep_detect: bool = False):
    """The run's settings: the environment's, with what the options set."""
    from corroborate.settings import Settings

    chosen: dict = {"reconcile": "all"} if reconcile_all else {}
    if deep_detect:
        chosen["deep_detect"] = True
    if engine == "ray":
        chosen["executor"] = "ray"
        if ray_address is not None:
            chosen["ray_address"] = ray_address
    return Settings(**chosen)


def _open_store(url: str, stop):
    """The store at ``url``, its schema created or checked; a bad URL or database is one clear error."""
    from corroborate.stores import StoreError, open_store

    try:
        return open_store(url)
    except StoreError as exc:
        stop(f"--db: {exc}")


@app.command()
def watch(
    feeds: Annotated[
        list[str] | None,
        typer.Argument(help="Feed or sitemap URLs (http, https) to poll.", metavar="FEED_URL", show_default=False),
    ] = None,
    db: Annotated[str | None, typer.Option("--db", metavar="URL", show_default=False,
                                           help="The store: sqlite:///path.db or postgresql://user@host/db.")] = None,
    urls: Annotated[
        str | None,
        typer.Option("--urls", metavar="FILE", help="Also poll the URLs listed in FILE, one a line.", show_default=False),
    ] = None,
    every: Annotated[str, typer.Option("--every", metavar="PERIOD", help="Time between cycles: 30s, 10m, 1h.")] = "10m",
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit (for cron).")] = False,
    field_map: Annotated[
        str | None, typer.Option("--map", metavar="SPEC", help="As run --map.", show_default=False)] = None,
    fetch_links: Annotated[
        bool, typer.Option("--fetch-links", help="Fetch each item's page instead of the text the feed carries (as run "
                                                 "--fetch-links): every item of a changed feed is fetched again.")
    ] = False,
) -> None:
    """Poll feeds and sitemaps, and run their new items into the store, every --every.

    Each feed is fetched with If-None-Match / If-Modified-Since (its ETag and Last-Modified are
    kept in the store): 304 Not Modified runs nothing. Items already stored with the same content
    are not analyzed again. A feed that fails is polled again after a growing delay (30 s,
    doubling, at most 1 h); the others go on. One line per cycle on stderr.

    Stops on Ctrl-C or SIGTERM: a cycle cut short stores nothing, and its feeds are fetched again
    at the next start. Exit code: 0 (SIGTERM, or --once with every feed read); 1 --once and a feed
    failed; 2 a usage error; 130 Ctrl-C.
    """
    import signal

    from rich.markup import escape

    from corroborate.sources.readers import is_url
    from corroborate.stores import StoreError
    from corroborate.stores.watch import cycle, parse_every, watch_fetcher

    if db is None:
        _fail("give --db URL: watch keeps what it reads in a store")
    try:
        period = parse_every(every)
    except ValueError as exc:
        _fail(f"--every: {exc}")
    items = list(dict.fromkeys(feeds or []))
    if urls is not None:
        items += [url for url in _url_list(urls) if url not in items]
    if not items:
        _fail("no feed given: name feed or sitemap URLs, or give --urls FILE")
    for item in items:
        if not is_url(item):
            _fail(f"not an http(s) URL: {item} (watch polls feeds and sitemaps on the web)")
    options = _read_options(field_map, fetch_links)
    try:  # a signal is noted, and acted on at the next report, stage or tick of the wait between cycles
        signal.signal(signal.SIGTERM, lambda number, _frame: _RECEIVED.append(number))
        signal.signal(signal.SIGINT, lambda number, _frame: _RECEIVED.append(number))
    except ValueError:  # not the main thread
        pass
    store = _open_store(str(db), _fail)
    fetcher = watch_fetcher()
    cycles, completed, totals = 0, 0, [0, 0, 0]
    failed_last = False

    def on_failure(url: str, message: str, state) -> None:
        wait = (state.next_poll - state.last_polled).total_seconds() if state.next_poll and state.last_polled else 0
        err.print(f"error: {escape(url)}: {escape(message)} (failed {state.failures} time"
                  f"{'s' if state.failures > 1 else ''} in a row; next poll in {wait:.0f} s)")

    def on_error(error) -> None:
        err.print(f"error: {escape(str(error))}")

    def checked(_value) -> None:
        _check_signals()

    try:
        with store, fetcher:
            while True:
                started = time.monotonic()
                cycles += 1
                try:
                    done = cycle(store, items, fetcher=fetcher, options=options, on_failure=on_failure,
                                 on_report=checked, on_stage=checked, on_error=on_error)
                except StoreError as exc:
                    err.print(f"error: cycle {cycles}: {escape(str(exc))}")
                    failed_last = True
                else:
                    totals = [totals[0] + done.added, totals[1] + done.versioned, totals[2] + done.polled]
                    failed_last = bool(done.failed)
                    err.print(f"cycle {cycles}: {escape(done.summary())}")
                completed = cycles
                _check_signals()
                if once:
                    break
                while time.monotonic() - started < period:
                    time.sleep(min(0.2, max(0.0, period - (time.monotonic() - started))))
                    _check_signals()
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, _Terminated)
        cut = f"; cycle {cycles} was cut short and stored nothing" if completed < cycles else ""
        err.print(f"{'terminated' if terminated else 'interrupted'} after {completed} cycles: {totals[2]} feeds polled, "
                  f"{totals[0]} reports added, {totals[1]} new versions{cut}")
        raise typer.Exit(EXIT_OK if terminated else EXIT_INTERRUPTED) from None
    raise typer.Exit(EXIT_BAD_INPUTS if failed_last else EXIT_OK)


db_app = typer.Typer(help="The store: create or upgrade its schema, reset it, or say what it holds.", no_args_is_help=True,
                     rich_markup_mode=None)
app.add_typer(db_app, name="db")
DB_OPTION = typer.Option("--db", metavar="URL", help="sqlite:///path.db or postgresql://user@host/db")


@db_app.command("upgrade")
def db_upgrade(db: Annotated[str, DB_OPTION]) -> None:
    """Create the store's tables, or bring them to this version's schema (Alembic migrations)."""
    from corroborate.stores import StoreError, open_store

    try:
        with open_store(db, check=False) as store:
            before = store.revision()
            store.upgrade()
            err.print(f"{store.url}: schema {before or 'none'} -> {store.revision()}")
    except StoreError as exc:
        _fail(str(exc))


@db_app.command("reset")
def db_reset(db: Annotated[str, DB_OPTION],
             yes: Annotated[bool, typer.Option("--yes", help="Yes, delete everything corroborate stored there.")] = False) -> None:
    """Delete every report, incident and run in the store, and create its tables afresh."""
    from corroborate.stores import StoreError, open_store

    if not yes:
        _fail("db reset deletes everything corroborate stored in the database: add --yes to do it")
    try:
        with open_store(db, check=False) as store:
            store.reset()
            err.print(f"{store.url}: reset, schema {store.revision()}")
    except StoreError as exc:
        _fail(str(exc))


@db_app.command("status")
def db_status(db: Annotated[str, DB_OPTION]) -> None:
    """The schema version, how many reports and incidents are stored, and runs that did not finish."""
    from corroborate.stores import StoreError, open_store

    try:
        with open_store(db, create=False) as store:
            typer.echo(f"{store.url}: schema {store.revision()}, {store.count_reports()} reports, "
                       f"{store.count_incidents()} incidents")
            for run in store.stale_runs():
                typer.echo(f"run {run.id} started {run.started_at} did not finish (status {run.status})")
    except StoreError as exc:
        _fail(str(exc))


EXPORT_FORMATS = ("jsonl", "csv", "parquet", "datasette")


@app.command()
def export(
    db: Annotated[str, DB_OPTION],
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Output directory (replaced whole, as run --out).")],
    format: Annotated[str, typer.Option("--format", "-f", help=f"One of {', '.join(EXPORT_FORMATS)}.")] = "jsonl",
    force: Annotated[bool, typer.Option("--force", help="Replace --out even if it holds files that are not corroborate outputs.")] = False,
) -> None:
    """Write what the store holds: jsonl (exactly the files run --out writes for the same reports:
    reports.jsonl, incidents.jsonl, sources.jsonl, report.md, report.html), csv or parquet (flat
    tables joinable by id), or datasette (a SQLite file with datasette metadata)."""
    from corroborate.render import OutputError, StagedOutput, check_out
    from corroborate.stores import StoreError, open_store

    if format not in EXPORT_FORMATS:
        _fail(f"--format {format}: one of {', '.join(EXPORT_FORMATS)}")
    try:
        check_out(out, force=force)
        with open_store(db, create=False) as store, StagedOutput(out) as staged:
            written = _export(store, staged.path, format)
            staged.commit()
    except (StoreError, OutputError) as exc:
        _fail(str(exc))
    err.print(f"exported {written} from {store.url} as {format}; outputs in {out.rstrip('/')}/")


def _export(store, folder, format: str) -> str:
    """Write the store into ``folder`` in ``format``; says how many records."""
    from corroborate.pipeline import Result
    from corroborate.records import Incident, Report
    from corroborate.render import write_documents
    from corroborate.spill import JsonlSpill
    from corroborate.stores.browse import iter_annotations

    reports = JsonlSpill(folder / "reports.jsonl", Report, keep=lambda r: r.source)
    for line in store.report_lines():
        report = Report.model_validate_json(line)
        reports.append_line(line, report.id, report.source)
    incidents = JsonlSpill(folder / "incidents.jsonl", Incident)
    for line in store.incident_lines():
        incidents.append_line(line, Incident.model_validate_json(line).id)
    for kept in (reports, incidents):
        kept.close()
    result = Result(reports=reports, incidents=incidents)
    notes = list(iter_annotations(store))
    if format == "jsonl":
        write_documents(result, folder)
        with (folder / "annotations.jsonl").open("w", encoding="utf-8") as handle:
            for note in notes:
                handle.write(json.dumps(note.as_dict(), ensure_ascii=False, sort_keys=True) + "\n")
    else:
        from corroborate.render import export as render
        from corroborate.render.tables import annotation_rows

        render(format, folder, reports, incidents, list(annotation_rows(notes)))
        for name in ("reports.jsonl", "incidents.jsonl"):
            (folder / name).unlink()
    return f"{len(reports)} reports, {len(incidents)} incidents and {len(notes)} annotations"


@app.command()
def serve(
    db: Annotated[str, typer.Option("--db", metavar="URL", help="The store: sqlite:///path.db or postgresql://user@host/db.")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Without a token, writes are allowed only on 127.0.0.1.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    token_file: Annotated[
        str | None, typer.Option("--token-file", metavar="FILE", show_default=False,
                                 help="A file whose first line is the admin token (or set CORROBORATE_TOKEN).")] = None,
) -> None:
    """Serve the web UI and the REST API over a store (FastAPI on uvicorn)."""
    from pydantic import ValidationError
    from rich.markup import escape

    from corroborate.serve.app import serve as run_server
    from corroborate.serve.security import ConfigError
    from corroborate.settings import Settings
    from corroborate.stores import StoreError, redact

    try:
        settings = Settings(token_file=token_file) if token_file else Settings()

        def ready() -> None:
            err.print(f"corroborate serve: {escape(redact(db))} on http://{host}:{port}/ (API docs at /docs)")

        run_server(db, host=host, port=port, settings=settings, on_ready=ready)
    except (StoreError, ConfigError) as exc:
        _fail(str(exc))
    except ValidationError as exc:
        _fail(f"settings: {exc.errors()[0].get('loc', ('?',))[0]}: {exc.errors()[0].get('msg')}")


def main() -> None:
    app(prog_name="corroborate")


if __name__ == "__main__":
    main()
