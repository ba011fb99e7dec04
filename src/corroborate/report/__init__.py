"""The report stage: the output files of ``corroborate run``.

``reports.jsonl``, ``incidents.jsonl`` and ``sources.jsonl`` (one JSON object per
line, validated by ``schemas/*.schema.json``), ``report.md`` and ``report.html``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from corroborate.report.html import PAGES_DIR, render_html, render_pages
from corroborate.report.jsonl import write_jsonl
from corroborate.report.markdown import render_markdown

OUTPUT_FILES = ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html")


def write_outputs(result, out_dir: str | Path) -> list[Path]:
    """Write the outputs of ``result`` into ``out_dir`` (created if needed)."""
    from corroborate.assess.sources import aggregate

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "reports.jsonl", result.reports)
    write_jsonl(out / "incidents.jsonl", result.incidents)
    sources = aggregate(result.reports, result.incidents)
    write_jsonl(out / "sources.jsonl", sources)
    (out / "report.md").write_text(render_markdown(result, sources), encoding="utf-8")
    (out / "report.html").write_text(render_html(result, sources), encoding="utf-8")
    pages = render_pages(result)  # a large run: the reports' texts, a page per 500 reports
    if (out / PAGES_DIR).is_dir():
        shutil.rmtree(out / PAGES_DIR)  # pages of an earlier run into the same directory
    if pages:
        (out / PAGES_DIR).mkdir(exist_ok=True)
        for name, html in pages.items():
            (out / PAGES_DIR / name).write_text(html, encoding="utf-8")
    return [out / name for name in OUTPUT_FILES]
