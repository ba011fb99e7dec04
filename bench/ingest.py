"""Reading speed: pages per second for HTML files, a WARC archive and JSONL, reading stage only.

The pages are built from the GVA dev texts (their words, in a news page with a header, a
navigation bar, share buttons, related links and a footer, about 5 KB each), written as
``.html`` files in folders named like a wget crawl, then as one gzipped WARC of HTTP
responses (written with warcio, as a crawler writes one), then as JSONL of texts. Each is
read with :func:`corroborate.sources.readers.iter_inputs` (trafilatura does the HTML), best
of ``repeat`` runs, in this process. Analysis is not included: its speed is the main table's.

Run alone: ``.venv/bin/python bench/ingest.py [N]`` (N pages, default 300).
"""

from __future__ import annotations

import html
import io
import json
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GVA = HERE.parent.parent / "shared" / "data" / "gva" / "reports.jsonl"

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Daily Bench</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}T09:30:00-05:00">
<link rel="canonical" href="{url}"></head>
<body><header><a href="/">Daily Bench</a><nav><ul>{nav}</ul></nav></header>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
<main><article><h1>{title}</h1><p class="byline">By Staff Reporter</p>
{paragraphs}
</article>
<aside><h2>Related stories</h2><ul>{related}</ul></aside></main>
<footer><p>Copyright 2026 Daily Bench. All rights reserved.</p><p>Privacy policy | Terms of use | Contact us</p></footer>
</body></html>"""


def pages(n: int) -> list[tuple[str, str, bytes]]:
    """(folder, url, page bytes) for ``n`` pages made of GVA dev texts."""
    records = []
    with GVA.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("text", "").strip():
                records.append(record)
            if len(records) == n:
                break
    nav = "".join(f'<li><a href="/section/{s}">{s.title()}</a></li>' for s in ("news", "sports", "weather", "opinion", "video"))
    out = []
    for i, record in enumerate(records):
        paragraphs = "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in record["text"].split("\n") if p.strip())
        related = "".join(f'<li><a href="/story/{i}-{k}">Another story number {k} about the town</a></li>' for k in range(8))
        url = f"https://site{i % 7}.example.com/news/{i}/index.html"
        page = PAGE.format(title=html.escape(record.get("title") or f"Story {i}"), published=record.get("published") or "2024-05-06",
                           url=url, nav=nav, paragraphs=paragraphs, related=related)
        out.append((f"site{i % 7}.example.com/news/{i}", url, page.encode("utf-8")))
    return out


def write_warc(items: list[tuple[str, str, bytes]], path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for _, url, body in items:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))


def timed(inputs: list[Path], repeat: int) -> tuple[float, int, int]:
    """Best seconds of ``repeat`` reads, documents read, errors."""
    from corroborate.sources.readers import RawDoc, iter_inputs

    best, docs, errors = float("inf"), 0, 0
    for _ in range(repeat):
        started = time.perf_counter()
        items = list(iter_inputs(inputs))
        best = min(best, time.perf_counter() - started)
        docs = sum(isinstance(i, RawDoc) for i in items)
        errors = len(items) - docs
    return best, docs, errors


def table(n: int = 300, repeat: int = 2) -> list[str]:
    if not GVA.is_file():
        return [f"reading speed: skipped ({GVA} is absent)"]
    items = pages(n)
    lines = ["| reading (no analysis) | pages | MB | seconds | pages/s | not read |", "|---|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="corroborate-bench-ingest-") as tmp:
        root = Path(tmp)
        crawl = root / "crawl"
        for folder, _, body in items:
            (crawl / folder).mkdir(parents=True, exist_ok=True)
            (crawl / folder / "index.html").write_bytes(body)
        write_warc(items, root / "crawl.warc.gz")
        with (root / "texts.jsonl").open("w", encoding="utf-8") as handle:
            for i, (_, url, body) in enumerate(items):
                handle.write(json.dumps({"id": str(i), "url": url, "html": body.decode("utf-8")}) + "\n")
        html_mb = sum(len(b) for _, _, b in items) / 1e6
        for label, inputs, size in (
            ("HTML files (a wget-style crawl folder)", [crawl], html_mb),
            ("WARC.gz of HTTP responses", [root / "crawl.warc.gz"], (root / "crawl.warc.gz").stat().st_size / 1e6),
            ("JSONL with an `html` field", [root / "texts.jsonl"], (root / "texts.jsonl").stat().st_size / 1e6),
        ):
            seconds, docs, errors = timed(inputs, repeat)
            lines.append(f"| {label} | {docs:,} | {size:.1f} | {seconds:.2f} | {docs / seconds:,.0f} | {errors} |")
    return lines


if __name__ == "__main__":
    print("\n".join(table(int(sys.argv[1]) if len(sys.argv) > 1 else 300)))
