"""``corroborate serve`` under load (issue 19): a store of 10,000 incidents, the latency of
``/api/incidents`` with filters under 20 concurrent clients, the time Chromium takes to open an
incident page, and the time from ``POST /api/reports`` until the report is served in its incident.

    python bench/serve.py [GVA_OUTPUT_DIR] [--backend sqlite|postgresql|both] [--seconds S]

The store: the GVA dev run's reports and incidents (``bench/out/gva`` from ``make bench``, or a run
made here), copied under new ids until there are 10,000 incidents or more (each copy of an
incident with its own copies of its reports, its date moved a year per copy, so that filters and
full-text search see 8 times the GVA dev store). The server is the real command, one uvicorn
process; the load comes from another process on 127.0.0.1 (asyncio and httpx, 20 clients, each
sending its next request when the last one is answered), mixing the filters of the UI: search
words, status, place, type, outlet, date range, sort keys and pages.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GVA = REPO.parent / "shared" / "data" / "gva" / "reports.jsonl"
CLI = str(Path(sys.executable).with_name("corroborate"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET = 10_000
CLIENTS = 20
WORDS = ("shooting", "police", "killed", "wounded", "suspect", "arrested", "teen", "officer", "gun", "victim",
         "hospital", "night", "car", "home", "store", "park", "party", "street", "man", "woman")


def gva_output(folder: Path | None) -> Path:
    """A GVA dev run's output folder: ``folder``, ``bench/out/gva``, or one made now."""
    for candidate in (folder, HERE / "out" / "gva"):
        if candidate and (candidate / "incidents.jsonl").is_file():
            return candidate
    out = Path(tempfile.mkdtemp(prefix="corroborate-bench-serve-")) / "gva"
    subprocess.run([CLI, "run", str(GVA), "--out", str(out), "--quiet"], check=False)
    return out


def fill(db: str, source: Path) -> tuple[int, int]:
    """Copy the run's records into ``db`` until it holds :data:`TARGET` incidents; (reports, incidents)."""
    from corroborate.records import Incident, Report
    from corroborate.stores import open_store

    reports = {json.loads(line)["id"]: line for line in (source / "reports.jsonl").open(encoding="utf-8")}
    incidents = [line for line in (source / "incidents.jsonl").open(encoding="utf-8")]
    copies = -(-TARGET // len(incidents))
    n_reports = n_incidents = 0
    from corroborate.corpus.previous import engine

    with open_store(db) as store:
        run_id = store.begin_run(["bench/serve.py: the GVA dev run, copied"])
        for k in range(copies):
            batch_reports, batch_incidents = [], []
            for line in incidents:
                record = json.loads(line)
                members = []
                for rid in record["reports"]:
                    report = json.loads(reports[rid])
                    report["id"] = f"{rid}~{k}" if k else rid
                    members.append(report["id"])
                    text = json.dumps(report, ensure_ascii=False)
                    batch_reports.append((Report.model_validate_json(text), text))
                record["id"] = f"{record['id']}~{k}" if k else record["id"]
                record["reports"] = members
                if k and record.get("date"):
                    record["date"] = f"{int(record['date'][:4]) - k:04d}{record['date'][4:]}"
                for fact in record["facts"]:
                    for p in fact["support"] + fact["dissent"]:
                        p["report"] = f"{p['report']}~{k}" if k else p["report"]
                for p in record.get("single_source_claims", []):
                    p["report"] = f"{p['report']}~{k}" if k else p["report"]
                record["source_groups"] = [[f"{r}~{k}" if k else r for r in group] for group in record.get("source_groups", [])]
                text = json.dumps(record, ensure_ascii=False)
                batch_incidents.append((Incident.model_validate_json(text), text))
            for start in range(0, len(batch_reports), 2000):
                store.add_reports(batch_reports[start:start + 2000])
            store.save([], [], batch_incidents, run_id=run_id, engine=engine(False))  # as a run --db records it
            n_reports += len(batch_reports)
            n_incidents += len(batch_incidents)
        store.finish_run(run_id, "done", n_reports, 0, 0)
    return n_reports, n_incidents


def queries(api: str, seed: int = 7) -> list[str]:
    """The filtered requests the clients send, in a fixed random order."""
    rng = random.Random(seed)
    response = httpx.get(f"{api}/api/outlets", timeout=60).json()
    outlets = [o["name"] for o in response if o["name"] != "(unknown)"][:50]
    places = ["chicago", "texas", "ohio", "florida", "california", "new york", "georgia", "detroit", "houston", "memphis"]
    made = []
    for _ in range(2000):
        params: dict[str, str] = {}
        kind = rng.randrange(6)
        if kind == 0:
            params["q"] = " ".join(rng.sample(WORDS, rng.choice((1, 2))))
        elif kind == 1:
            params["status"] = rng.choice(("corroborated", "discrepant", "conflicting", "single_source"))
        elif kind == 2:
            params["place"] = rng.choice(places)
        elif kind == 3:
            params["outlet"] = rng.choice(outlets)
        elif kind == 4:
            year = rng.randrange(2010, 2024)
            params["since"], params["until"] = f"{year}-01-01", f"{year}-06-30"
        else:
            params["type"] = "armed_assault"
        if rng.random() < 0.5:
            params["sort"] = rng.choice(("-date", "date", "-killed", "-reports", "title", "status", "-independent"))
        if rng.random() < 0.3:
            params["offset"] = str(50 * rng.randrange(1, 5))
        made.append(f"{api}/api/incidents?" + str(httpx.QueryParams(params)))
    return made


async def _load(urls: list[str], seconds: float, clients: int) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    position = 0

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal position, errors
        while time.perf_counter() < deadline:
            url = urls[position % len(urls)]
            position += 1
            started = time.perf_counter()
            try:
                response = await http.get(url)
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors


def load(api: str, seconds: float) -> dict:
    """20 clients on ``/api/incidents`` for ``seconds``, after a warm-up pass."""
    urls = queries(api)
    asyncio.run(_load(urls[:40], 3, CLIENTS))  # warm-up: connections, caches, the first queries
    latencies, errors = asyncio.run(_load(urls, seconds, CLIENTS))
    latencies.sort()

    def at(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {"requests": len(latencies), "errors": errors, "per_s": len(latencies) / seconds,
            "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99)}


def page_times(api: str, n: int = 20) -> dict:
    """Chromium (Debian's, headless) opening ``n`` incident pages, the largest first: navigation
    start to the load event, median and slowest."""
    from playwright.sync_api import sync_playwright

    ids = [i["id"] for i in httpx.get(f"{api}/api/incidents", params={"sort": "-reports", "limit": n}, timeout=60).json()["items"]]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--headless"])
        page = browser.new_page()
        page.goto(f"{api}/incidents/{ids[-1]}")  # warm-up
        times = []
        for ident in ids:
            started = time.perf_counter()
            page.goto(f"{api}/incidents/{ident}", wait_until="load")
            times.append(time.perf_counter() - started)
        largest = httpx.get(f"{api}/api/incidents/{ids[0]}", timeout=60).json()
        browser.close()
    return {"pages": len(times), "median_ms": 1000 * statistics.median(times), "max_ms": 1000 * max(times),
            "largest_reports": len(largest["reports"])}


def add_times(api: str, source: Path, n: int = 5) -> dict:
    """``POST /api/reports`` of ``n`` GVA reports under new ids (each one a copy of a stored
    report's text, so it joins that report's incident): seconds until the job is done and the
    incident record lists the report."""
    lines = [json.loads(line) for line in (source / "reports.jsonl").open(encoding="utf-8")]
    rng = random.Random(3)
    picked = rng.sample([r for r in lines if len(r["text"]) > 600], n)
    times, joined = [], 0
    for k, report in enumerate(picked):
        body = {"id": f"bench-add-{secrets.token_hex(3)}-{k}", "text": report["text"], "title": report.get("title"),
                "source": "Bench Wire", "published": report.get("published")}
        started = time.perf_counter()
        job = httpx.post(f"{api}/api/reports", json={k: v for k, v in body.items() if v}, timeout=60).json()
        while job["status"] in ("queued", "running"):
            time.sleep(0.05)
            job = httpx.get(f"{api}{job['href']}", timeout=60).json()
        incident = job["reports"][0]["incident"] if job["reports"] else None
        if incident and body["id"] in httpx.get(f"{api}/api/incidents/{incident}", timeout=60).json()["reports"]:
            joined += 1
        times.append(time.perf_counter() - started)
    return {"adds": n, "joined": joined, "median_s": statistics.median(times), "max_s": max(times)}


def _pg_database() -> tuple[str, str]:
    import psycopg

    name = f"corroborate_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench(db: str, source: Path, seconds: float) -> dict:
    started = time.perf_counter()
    n_reports, n_incidents = fill(db, source)
    filled = time.perf_counter() - started
    port = 8900 + random.randrange(90)
    api = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CORROBORATE_")}
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen([CLI, "serve", "--db", db, "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{api}/api/incidents?limit=1", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            time.sleep(3)  # the job worker loads the models
            result = {"reports": n_reports, "incidents": n_incidents, "fill_s": filled, "load": load(api, seconds),
                      "pages": page_times(api), "adds": add_times(api, source)}
        finally:
            server.terminate()
            server.wait(timeout=30)
    return result


def report(name: str, r: dict) -> None:
    lo, pg, ad = r["load"], r["pages"], r["adds"]
    print(f"{name}: {r['reports']:,} reports, {r['incidents']:,} incidents (filled in {r['fill_s']:.0f} s)")
    print(f"  /api/incidents with filters, {CLIENTS} clients: {lo['requests']:,} requests, {lo['per_s']:.0f}/s, "
          f"p50 {lo['p50_ms']:.0f} ms, p95 {lo['p95_ms']:.0f} ms, p99 {lo['p99_ms']:.0f} ms, {lo['errors']} errors")
    print(f"  incident page in Chromium (navigation to load, {pg['pages']} largest incidents, the largest "
          f"{pg['largest_reports']} reports): median {pg['median_ms']:.0f} ms, slowest {pg['max_ms']:.0f} ms")
    print(f"  POST /api/reports until served in its incident: median {ad['median_s']:.1f} s, slowest {ad['max_s']:.1f} s "
          f"({ad['joined']} of {ad['adds']} joined the incident of the report they copy)")


def main(argv: list[str]) -> None:
    options, positional, rest = {}, [], list(argv)
    while rest:
        arg = rest.pop(0)
        if arg.startswith("--"):
            options[arg] = rest.pop(0)
        else:
            positional.append(arg)
    backend, seconds = options.get("--backend", "both"), float(options.get("--seconds", "30"))
    folder = Path(positional[0]) if positional else None
    source = gva_output(folder)
    with tempfile.TemporaryDirectory(prefix="corroborate-bench-serve-") as tmp:
        if backend in ("sqlite", "both"):
            report("SQLite", bench(f"sqlite:///{Path(tmp) / 'serve.db'}", source, seconds))
        if backend in ("postgresql", "both"):
            name, url = _pg_database()
            try:
                report("PostgreSQL", bench(url, source, seconds))
            finally:
                _drop(name)


if __name__ == "__main__":
    main(sys.argv[1:])
