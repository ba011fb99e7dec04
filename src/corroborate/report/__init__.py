"""The report stage: the four output files of ``corroborate run``.

``reports.jsonl`` and ``incidents.jsonl`` (one JSON object per line, validated
by ``schema/*.schema.json``), ``report.md`` and ``report.html``.
"""

from __future__ import annotations

from pathlib import Path

from corroborate.report.html import render_html
from corroborate.report.jsonl import write_jsonl
from corroborate.report.markdown import render_markdown

OUTPUT_FILES = ("reports.jsonl", "incidents.jsonl", "report.md", "report.html")


def write_outputs(result, out_dir: str | Path) -> list[Path]:
    """Write the four outputs of ``result`` into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_jsonl(out / "reports.jsonl", result.reports)
    write_jsonl(out / "incidents.jsonl", result.incidents)
    (out / "report.md").write_text(render_markdown(result), encoding="utf-8")
    (out / "report.html").write_text(render_html(result), encoding="utf-8")
    return [out / name for name in OUTPUT_FILES]
