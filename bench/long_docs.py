"""Peak memory and time of ``corroborate run`` on one long document (200k, 500k, 1M characters).

The document is made of distinct report texts, one after another, a blank line between
them: the GVA dev texts from ../shared when present, else the demo texts in examples/demo
(repeated, with a numbered line before each copy, once the distinct texts run out). Each text
is cleaned first (its page furniture removed, as a run would), so that the run's cleaning
keeps the document whole: the table's "analyzed" column is the length of the text the run
analyzed. Each size is one ``.txt`` file, analyzed alone by ``corroborate run FILE --workers 1``
in its own process; peak RSS is the whole process tree's (:func:`memory.measure`).

Run alone: ``.venv/bin/python bench/long_docs.py [CHARS ...]``; prints a markdown table.
Sizes above the readers' limits are run with the limits raised for the measurement only
(``CORROBORATE_MAX_TEXT_CHARS`` and ``CORROBORATE_MAX_DOC_BYTES`` in the child's environment).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GVA = REPO.parent / "shared" / "data" / "gva" / "reports.jsonl"
DEMO = REPO / "examples" / "demo"
OUT = HERE / "out" / "long_docs"
SIZES = (200_000, 500_000, 1_000_000, 2_000_000)  # the last: the limit on one text

sys.path.insert(0, str(HERE))
import memory

CLI = str(Path(sys.executable).with_name("corroborate"))


def source_texts() -> list[str]:
    """Distinct cleaned report texts: GVA's if present, else the demo's."""
    from corroborate.sources.clean import clean_text

    raw: list[str] = []
    if GVA.is_file():
        with GVA.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    raw.append(json.loads(line).get("text") or "")
                except ValueError:
                    continue
    else:
        from corroborate.sources import iter_inputs
        from corroborate.sources.readers import RawDoc

        raw = [item.text for item in iter_inputs([DEMO]) if isinstance(item, RawDoc)]
    texts: list[str] = []
    seen: set[str] = set()
    for text in raw:
        text = clean_text(text).text.strip()
        if len(text) > 200 and text not in seen:
            seen.add(text)
            texts.append(text)
    return texts


def long_text(chars: int, texts: list[str] | None = None) -> str:
    """About ``chars`` characters (never more) of whole paragraphs of the source texts."""
    texts = texts or source_texts()
    parts: list[str] = []
    used, copy = 0, 0
    while used < chars:
        for text in texts:
            part = f"Part {copy + 1}.\n\n{text}" if copy else text  # repeats of a small source differ
            if used + len(part) + 2 > chars:
                cut = text.rfind("\n\n", 0, chars - used - 2)
                if cut > 0:
                    parts.append(text[:cut])
                used = chars
                break
            parts.append(part)
            used += len(part) + 2
        copy += 1
    return "\n\n".join(parts)


def measure(chars: int, texts: list[str] | None = None, workers: int = 1) -> dict:
    """``corroborate run`` over one document of about ``chars`` characters."""
    OUT.mkdir(parents=True, exist_ok=True)
    text = long_text(chars, texts)
    path = OUT / f"long-{chars}.txt"
    path.write_text(text, encoding="utf-8")
    args = [CLI, "run", str(path), "--out", str(OUT / f"out-{chars}"), "--quiet", "--workers", str(workers)]
    # the readers' limits raised for the largest sizes (Settings, from the environment the child inherits)
    os.environ["CORROBORATE_MAX_TEXT_CHARS"] = str(max(2_000_000, len(text)))
    os.environ["CORROBORATE_MAX_DOC_BYTES"] = str(max(10 * 1024 * 1024, 4 * len(text)))
    res = memory.measure(args)
    if res["code"] != 0:
        sys.exit(f"corroborate failed on {chars:,} characters ({res['code']}):\n{res['stderr']}")
    with (OUT / f"out-{chars}" / "reports.jsonl").open(encoding="utf-8") as handle:
        analyzed = json.loads(handle.readline())["text"]
    return {"chars": len(text), "analyzed": len(analyzed), "words": len(analyzed.split()), "seconds": res["seconds"],
            "rss_mb": res["tree_mb"]}


def main(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    texts = source_texts()
    print("| one document: characters | analyzed (after cleaning) | words | seconds | peak RSS MB |")
    print("|---:|---:|---:|---:|---:|")
    rows = []
    for chars in sizes:
        row = measure(chars, texts)
        rows.append(row)
        print(f"| {row['chars']:,} | {row['analyzed']:,} | {row['words']:,} | {row['seconds']:.1f} | {row['rss_mb']:.0f} |",
              flush=True)
    return rows


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
