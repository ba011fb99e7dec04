"""The ``corroborate`` command: a thin shell over :func:`corroborate.pipeline.run`."""

from __future__ import annotations

import time

_STARTED = time.perf_counter()  # as near the start of the process as this module gets

from pathlib import Path  # noqa: E402
from typing import Annotated, Optional  # noqa: E402

import typer  # noqa: E402
from rich.console import Console  # noqa: E402

from corroborate import __version__  # noqa: E402

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
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """corroborate: reconcile news reports into incident records."""


@app.command()
def run(
    inputs: Annotated[
        list[Path],
        typer.Argument(
            help="Report files (.txt, .html, .htm, .jsonl) and directories (read recursively).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (created if missing).")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; errors and the summary only.")] = False,
    previous: Annotated[
        Optional[Path],
        typer.Option(
            "--previous",
            help="Output directory of an earlier run: its reports are kept, its incidents keep their ids, "
            "and the new reports join them or form new incidents.",
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
    workers: Annotated[
        Optional[int],
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes for the per-report work (parse, extraction, signals); default: all cores. "
            "The output is the same for any number. Inputs of 32 reports or fewer run in one process.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read reports, analyze them, group them into incidents and write the outputs to --out:
    reports.jsonl, incidents.jsonl, sources.jsonl (one line per outlet), report.md and report.html.

    A bad input (unreadable, binary, empty, not UTF-8, malformed JSON, no text) is reported on
    stderr, one line each, and skipped; the rest of the batch still runs. The exit code is 1 if
    any input was bad, 2 if there was nothing to read at all (an empty folder), 0 otherwise.

    Inputs are streamed: memory stays bounded however many reports there are.
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from corroborate.analyze.embed import EmbeddingsUnavailable
    from corroborate.pipeline import PreviousRunError, estimate_total, stream
    from corroborate.report import write_documents
    from corroborate.workers import WorkerError, plan_workers, prepare, tune_gc

    started = _STARTED
    if out.exists() and not out.is_dir():
        err.print(f"error: --out {escape(str(out))} exists and is not a directory")
        raise typer.Exit(2)
    progress = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet,
    )
    with progress:
        total = estimate_total(inputs)
        task = progress.add_task("analyzing reports", total=total or None)
        n_workers = plan_workers(workers, total)
        if n_workers == 1:
            prepare(signatures=False)  # the model is loaded here, then the collector tuned
        else:
            tune_gc()  # this process only reads, clusters and writes; the workers load the model

        def on_error(error) -> None:
            progress.console.print(f"error: {escape(str(error))}")
            progress.advance(task)

        def on_warning(warning) -> None:
            if not quiet:
                progress.console.print(f"warning: {escape(str(warning))}")

        try:
            result = stream(
                inputs,
                out,
                workers=n_workers,
                on_report=lambda _id: progress.advance(task),
                on_stage=lambda stage: progress.update(task, description=stage),
                on_error=on_error,
                on_warning=on_warning,
                previous=previous,
                embeddings=embeddings,
            )
        except PreviousRunError as exc:
            progress.stop()
            err.print(f"error: --previous: {escape(str(exc))}")
            raise typer.Exit(2) from None
        except EmbeddingsUnavailable as exc:
            progress.stop()
            err.print(f"error: --embeddings: {escape(str(exc))}")
            raise typer.Exit(2) from None
        except WorkerError:
            progress.stop()
            err.print(f"error: a worker process died (killed, or out of memory); no output was written to {escape(str(out))}/. "
                      "Run again with fewer --workers, or --workers 1 to see which input causes it.")
            raise typer.Exit(3) from None
        progress.update(task, description="writing report.md and report.html")
        write_documents(result, out)
    elapsed = time.perf_counter() - started
    new_reports = len(result.reports) - result.previous
    carried = f" (+{result.previous} from --previous)" if result.previous else ""
    skipped = f", {len(result.skipped)} unsupported files skipped" if result.skipped else ""
    first = f", first report after {result.first_report_at - started:.1f} s" if result.first_report_at else ""
    err.print(
        f"{new_reports} reports ({result.words:,} words){carried} -> {len(result.incidents)} incidents in {elapsed:.1f} s "
        f"({n_workers} worker{'s' if n_workers > 1 else ''}{first}); "
        f"{len(result.errors)} bad inputs, {len(result.warnings)} warnings{skipped}; outputs in {escape(str(out))}/"
    )
    if not result.reports and not result.errors:
        # nothing to read at all (an empty folder, or one of unsupported files only): not a run of nothing
        where = ", ".join(str(i) for i in inputs)
        what = f"only unsupported files ({len(result.skipped)})" if result.skipped else "no report found"
        err.print(f"error: no reports to read in {escape(where)}: {what}; corroborate reads .txt, .html, .htm and .jsonl")
        raise typer.Exit(2)
    raise typer.Exit(result.exit_code)


def main() -> None:
    app(prog_name="corroborate")


if __name__ == "__main__":
    main()
