"""The report stage: the output files of ``corroborate run``.

``reports.jsonl``, ``incidents.jsonl`` and ``sources.jsonl`` (one JSON object per
line, validated by ``schemas/*.schema.json``), ``report.md`` and ``report.html``
(plus ``report-pages/`` for a large run). Every writer streams: a run's reports and
incidents may be :class:`corroborate.store.JsonlStore` views read back from disk, and
none of the documents is held whole in memory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from corroborate.report.html import PAGES_DIR, iter_pages, write_html
from corroborate.report.jsonl import write_jsonl
from corroborate.report.markdown import iter_markdown

OUTPUT_FILES = ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html")


def _write_lines(path: Path, chunks) -> None:
    """Write text chunks through a temporary file, renamed when complete."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            handle.write(chunk)
    os.replace(tmp, path)


def write_outputs(result, out_dir: str | Path) -> list[Path]:
    """Write every output of ``result`` into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "reports.jsonl", result.reports)
    write_jsonl(out / "incidents.jsonl", result.incidents)
    return write_documents(result, out)


def write_documents(result, out_dir: str | Path) -> list[Path]:
    """Everything but ``reports.jsonl`` and ``incidents.jsonl`` (which :func:`corroborate.pipeline.stream`
    writes as it goes): ``sources.jsonl``, ``report.md``, ``report.html`` and, for a large run,
    ``report-pages/``."""
    from corroborate.assess.sources import aggregate

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sources = result.sources if result.sources is not None else aggregate(result.reports, result.incidents)
    write_jsonl(out / "sources.jsonl", sources)
    _write_lines(out / "report.md", (line + "\n" for line in iter_markdown(result, sources)))
    write_html(result, out / "report.html", sources)
    if (out / PAGES_DIR).is_dir():
        shutil.rmtree(out / PAGES_DIR)  # pages of an earlier run into the same directory
    for name, chunks in iter_pages(result):  # a large run: incidents and reports on pages of their own
        (out / PAGES_DIR).mkdir(exist_ok=True)
        _write_lines(out / PAGES_DIR / name, chunks)
    return [out / name for name in OUTPUT_FILES]
