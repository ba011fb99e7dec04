"""Raw model baseline: the models corroborate runs, each timed alone over the same texts.

- spaCy: the same model and components corroborate loads, ``nlp.pipe`` over the texts;
- each learned model on its own inputs, over the same texts: the language identifier
  (py3langid), incident relevance (on the text, title and parse), the count toll model (on
  each parsed text's count candidates, found by the rules before it and not timed), and the
  machine-written detector; and the trained role extractor (its own ``tok2vec`` and state
  network, on the texts already tokenized).

Prints one JSON line: words, seconds (spaCy's pipe only, model loaded), each model's seconds
(``models``), load seconds, peak RSS. The bench compares corroborate end to end with the sum:
the raw speed of all the models it runs.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main(path: str) -> None:
    started = time.perf_counter()
    import spacy

    from corroborate.analyze import language, relevance, tolls
    from corroborate.analyze.counts import candidates
    from corroborate.analyze.nlp import EXCLUDE, model_dir
    from corroborate.assess import detector

    nlp = spacy.load(model_dir(), exclude=list(EXCLUDE))
    loaded = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    rows = [(r.get("text") or "", r.get("title")) for r in rows]
    rows = [(t, title) for t, title in rows if t.strip()]
    texts = [t for t, _ in rows]
    words = sum(len(t.split()) for t in texts)
    # the learned models load (and are checked) before timing, as in a run
    relevance.load_model(), tolls.load_model(), detector.load_model(), language.detect("warm up the language model")
    models = {"relevance": 0.0, "tolls": 0.0}
    spacy_seconds = 0.0
    clock = time.perf_counter()
    for (text, title), doc in zip(rows, nlp.pipe(texts, batch_size=64)):
        now = time.perf_counter()
        spacy_seconds += now - clock
        a = time.perf_counter()
        relevance.assess(text, title, doc=doc)
        b = time.perf_counter()
        counts, anchors = candidates(doc)  # the rules before the toll model: not timed
        c = time.perf_counter()
        tolls.annotate(doc, counts, anchors)
        d = time.perf_counter()
        models["relevance"] += b - a
        models["tolls"] += d - c
        clock = time.perf_counter()
    from corroborate.analyze import roles

    alone = spacy.load(model_dir(), exclude=[*EXCLUDE, "tok2vec", "parser", "ner"])
    roles.add_to(alone)
    tokenized = [alone.make_doc(text) for text in texts]  # tokenizing is in spaCy's time already
    a = time.perf_counter()
    for _ in alone.get_pipe(roles.NAME).pipe(tokenized, batch_size=64):
        pass
    models["roles"] = time.perf_counter() - a
    del tokenized
    for name, fn in (("language", language.detect), ("detector", detector.score)):
        a = time.perf_counter()
        for text in texts:
            fn(text)
        models[name] = time.perf_counter() - a
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"words": words, "seconds": spacy_seconds, "models": models, "load_seconds": loaded - started, "rss_mb": rss_mb}))


if __name__ == "__main__":
    main(sys.argv[1])
