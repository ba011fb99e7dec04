"""Self-generated base-model text, for training and measuring the deep detector (the dev data
hold only chat-model text).

Each sample: the first sentences of a human-written article (about :data:`PROMPT_WORDS`
words, whole sentences), continued by the small language model of
:mod:`corroborate.assess.likelihood` as plain text completion (no chat template: the model
continues the article as a base model would), :data:`NEW_TOKENS` new tokens at most. The
sample's text is the prompt and its continuation, as a machine-extended article would read.

Articles: GVA (one report per incident) and llmfake's human news items (one per
``dataset:news_id``), each assigned to the held-out part by its corpus's unit
(:mod:`corroborate.splits`), so a held-out article's continuation is held out too. Sampling
alternates between pure sampling (temperature 1) and a common setting (temperature 0.8,
top-p 0.95); each sample has its own seed (its index): the file is reproducible on one machine
(one thread). A continuation of fewer than :data:`MIN_NEW_WORDS` words is dropped.

    python -m corroborate.assess.continuations OUT.jsonl [SHARED_DATA] [--processes N] [--limit N]

Nothing generated here is shipped or committed: the texts hold the dev articles' first
sentences. ``make train-detector-deep`` writes them under ``bench/out/``.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import zlib
from functools import lru_cache
from pathlib import Path

from corroborate.splits import gva_key, held_out, llmfake_key

PROMPT_WORDS = 40
NEW_TOKENS = 160
MIN_NEW_WORDS = 50
#: articles per source and part: (GVA train, GVA held-out, llmfake train, llmfake held-out)
PER_PART = {("gva", False): 200, ("gva", True): 70, ("llmfake", False): 100, ("llmfake", True): 40}
SETTINGS = ({"temperature": 1.0, "top_p": 1.0, "top_k": 0}, {"temperature": 0.8, "top_p": 0.95, "top_k": 0})
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”']))\s+")


def prompt_of(text: str) -> str | None:
    """The article's first whole sentences, ``PROMPT_WORDS`` words or just over (None: too short, or
    no sentence end within twice that: a page's menu or list of links rather than its article)."""
    text = " ".join(text.split())
    out, words = [], 0
    for sentence in _SENTENCE_END.split(text):
        out.append(sentence)
        words += len(sentence.split())
        if words >= PROMPT_WORDS:
            return " ".join(out) if words <= 2 * PROMPT_WORDS else None  # longer: a page's link list, not sentences
    return None


def articles(shared: Path) -> list[dict]:
    """{source, key, held_out, prompt}: the articles to continue, in a fixed order (by crc32 of
    their key within each source and part, so the choice does not depend on file order)."""
    chosen: list[dict] = []
    gva: dict[str, str] = {}
    for line in (shared / "gva" / "reports.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row.get("text") and str(row["incident_id"]) not in gva and prompt_of(row["text"]):
            gva[str(row["incident_id"])] = row["text"]
    humans: dict[str, str] = {}
    csv.field_size_limit(10**9)
    for path in sorted((shared / "llmfake").glob("*.csv")):
        dataset = path.name.split("__")[0]
        for row in csv.DictReader(path.open(encoding="utf-8")):
            if row.get("news_id") and row.get("news_text"):
                key = llmfake_key(dataset, row["news_id"])
                if key not in humans and prompt_of(row["news_text"]) and len(row["news_text"].split()) >= 120:
                    humans[key] = row["news_text"]
    for source, found, unit in (("gva", gva, gva_key), ("llmfake", humans, str)):
        for part in (False, True):
            keys = sorted((k for k in found if held_out(unit(k)) == part), key=lambda k: (zlib.crc32(f"continue:{k}".encode()), k))
            for key in keys[: PER_PART[(source, part)]]:
                chosen.append({"source": source, "key": key, "held_out": part, "prompt": prompt_of(found[key])})
    return chosen


def continue_one(llm, prompt: str, index: int) -> str:
    setting = SETTINGS[index % len(SETTINGS)]
    llm.reset()
    out = llm.create_completion(prompt, max_tokens=NEW_TOKENS, seed=index, repeat_penalty=1.0, min_p=0.0, **setting)
    return out["choices"][0]["text"]


@lru_cache(maxsize=1)
def load_generator():
    """The language model of :mod:`corroborate.assess.likelihood`, with room for a prompt and its
    continuation and without every position's logits."""
    from corroborate.assess.likelihood import open_model

    return open_model(n_ctx=512)


def _one(task: tuple[int, dict]) -> dict | None:
    index, article = task
    new = continue_one(load_generator(), article["prompt"], index)
    if len(new.split()) < MIN_NEW_WORDS:
        return None
    text = article["prompt"] + new if new[:1].isspace() else article["prompt"] + " " + new
    return {**article, "index": index, "setting": SETTINGS[index % len(SETTINGS)], "continuation": new, "text": text}


def main(argv: list[str] | None = None) -> None:
    from multiprocessing import Pool

    args = list(sys.argv[1:] if argv is None else argv)
    options = {}
    for name in ("--processes", "--limit"):
        if name in args:
            k = args.index(name)
            options[name] = int(args[k + 1])
            del args[k : k + 2]
    out = Path(args[0])
    shared = Path(args[1]) if len(args) > 1 else Path(__file__).resolve().parents[4] / "shared" / "data"
    todo = list(enumerate(articles(shared)))[: options.get("--limit")]
    out.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    with out.open("w", encoding="utf-8") as handle, Pool(options.get("--processes", 1)) as pool:
        for done, row in enumerate(pool.imap(_one, todo), 1):  # in order: the file is the same for any number of processes
            if row is not None:
                kept += 1
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                handle.flush()
            if done % 20 == 0:
                print(f"{done}/{len(todo)} continued, {kept} kept", file=sys.stderr, flush=True)
    print(f"wrote {kept} continuations of {len(todo)} articles to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
