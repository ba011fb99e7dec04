"""Raw spaCy baseline: the same model and components corroborate loads, ``nlp.pipe`` over the
same texts. Prints one JSON line: words, seconds (pipe only, model loaded), load seconds, peak RSS."""

from __future__ import annotations

import json
import resource
import sys
import time


def main(path: str) -> None:
    started = time.perf_counter()
    import spacy

    from corroborate.analyze.nlp import EXCLUDE, model_dir

    nlp = spacy.load(model_dir(), exclude=list(EXCLUDE))
    loaded = time.perf_counter()
    texts = [json.loads(line).get("text") or "" for line in open(path, encoding="utf-8") if line.strip()]
    texts = [t for t in texts if t.strip()]
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    seconds = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"words": words, "seconds": seconds, "load_seconds": loaded - started, "rss_mb": rss_mb}))


if __name__ == "__main__":
    main(sys.argv[1])
