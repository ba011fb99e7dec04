"""Train the role extractor (:mod:`corroborate.analyze.roles`): ``make train-roles``.

Data, training parts only (:mod:`corroborate.splits`; the held-out documents and incidents are
never read here):

- **MUC-4** (``data/muc4/train.jsonl`` and ``dev.jsonl``, documents not held out): every
  occurrence of every mention of each template's PerpInd, PerpOrg, Victim, Target and Weapon
  fillers, as whole tokens; overlaps keep the longer mention. The texts are lowercased.
- **GVA** (``data/gva``, incidents not held out), distant supervision: in each report, a person
  that spaCy's ``ner`` finds is labelled ``VICTIM`` or ``PERP_IND`` when its name matches a
  named participant of the report's incident (same surname, and the same first name when the
  mention has one), ``O`` when it matches none; every other token is left *missing* (not
  "no role"), since GVA names only people. Each report is used twice: as written and
  lowercased, so that the model reads both forms.

Method: spaCy's transition-based NER with its own ``tok2vec``, shaped as ``en_core_web_sm``'s
``ner`` and started from its weights, fine-tuned with Adam, dropout 0.1, fixed seeds; the epoch
kept is the one with the best F1 on a fixed tenth of the training documents (by hash), never
on held-out data. Usage::

    python -m corroborate.analyze.train_roles ../shared/data [--out FILE] [--epochs N]
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import time
import warnings
import zlib
from importlib import resources
from pathlib import Path
from typing import Any, cast

from corroborate.analyze import roles
from corroborate.learned import out_option, record_sha256
from corroborate.splits import gva_key, held_out, muc4_key

MUC_ROLES = {"PerpInd": "PERP_IND", "PerpOrg": "PERP_ORG", "Victim": "VICTIM", "Target": "TARGET", "Weapon": "WEAPON"}
SEED = 13
EPOCHS = 12
BATCH = 16


def _validation(key: str) -> bool:
    """A fixed tenth of the training documents, for choosing the epoch (never held-out data)."""
    return zlib.crc32(("roles-validation:" + key).encode("utf-8")) % 10 == 0


def muc4_examples(muc_dir: Path) -> list[tuple[str, str, list[tuple[int, int, str]]]]:
    """(key, text, char spans with labels) for the MUC-4 documents not held out."""
    out = []
    for name in ("train.jsonl", "dev.jsonl"):
        for line in (muc_dir / name).open(encoding="utf-8"):
            doc = json.loads(line)
            if held_out(muc4_key(doc["docid"])):
                continue
            text = doc["doctext"]
            spans = []
            for template in doc["templates"]:
                for role, label in MUC_ROLES.items():
                    for entity in template.get(role, []):
                        for mention, _offset in entity:
                            mention = mention.strip()
                            if not mention:
                                continue
                            for m in re.finditer(r"(?<!\w)" + re.escape(mention) + r"(?!\w)", text):
                                spans.append((m.start(), m.end(), label))
            out.append((doc["docid"], text, _non_overlapping(spans)))
    return out


def _non_overlapping(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest first, then earliest; a span overlapping a kept one is dropped."""
    kept: list[tuple[int, int, str]] = []
    for start, end, label in sorted(set(spans), key=lambda s: (-(s[1] - s[0]), s[0], s[2])):
        if all(end <= k[0] or start >= k[1] for k in kept):
            kept.append((start, end, label))
    return sorted(kept)


def _name_tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"[A-Za-z][A-Za-z'\-]*", name.lower()) if len(t) > 1 and t not in {"jr", "sr", "ii", "iii"}]


def gva_people(gva_dir: Path) -> dict[str, list[tuple[list[str], str]]]:
    """Named participants of each training incident: (name tokens, label)."""
    people: dict[str, list[tuple[list[str], str]]] = {}
    for line in (gva_dir / "incidents.jsonl").open(encoding="utf-8"):
        incident = json.loads(line)
        if held_out(gva_key(incident["incident_id"])):
            continue
        named = []
        for p in incident.get("participants", []):
            name = (p.get("Name") or "").strip()
            kind = (p.get("Type") or "").strip()
            tokens = _name_tokens(name)
            if tokens and kind in {"Victim", "Subject-Suspect"}:
                named.append((tokens, "VICTIM" if kind == "Victim" else "PERP_IND"))
        people[incident["incident_id"]] = named
    return people


def _match(ent_tokens: list[str], named: list[tuple[list[str], str]]) -> str | None:
    """The label of the participant this PERSON mention names: "O" for none, None when two
    participants of different roles fit (left missing)."""
    if not ent_tokens:
        return None
    labels = set()
    for tokens, label in named:
        if ent_tokens[-1] != tokens[-1]:
            continue
        if len(ent_tokens) > 1 and ent_tokens[0] != tokens[0]:
            continue
        labels.add(label)
    if not labels:
        return "O"
    return labels.pop() if len(labels) == 1 else None


def gva_examples(gva_dir: Path, nlp) -> list[tuple[str, str, list[str]]]:
    """(key, doc, BILUO tags with "-" for missing) for the GVA training reports that name a
    participant, cased; the lowercased copies are made by :func:`build`."""
    from spacy.training import offsets_to_biluo_tags

    people = gva_people(gva_dir)
    reports = []
    for line in (gva_dir / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        if obj["incident_id"] in people and people[obj["incident_id"]] and obj.get("text"):
            reports.append(obj)
    out = []
    ner = nlp.get_pipe("ner")
    for obj in reports:
        doc = ner(nlp.make_doc(obj["text"][:20000]))
        spans, persons = [], []
        for ent in doc.ents:
            if ent.label_ != "PERSON":
                continue
            label = _match(_name_tokens(ent.text), people[obj["incident_id"]])
            if label is None:
                continue
            persons.append(ent)
            if label != "O":
                spans.append((ent.start_char, ent.end_char, label))
        if not any(label != "O" for *_, label in spans):
            continue
        tags = ["-"] * len(doc)
        for ent in persons:
            for i in range(ent.start, ent.end):
                tags[i] = "O"
        for tag_i, tag in enumerate(offsets_to_biluo_tags(doc, spans)):
            if tag != "O":
                tags[tag_i] = tag
        out.append((f"gva:{obj['id']}", obj["text"][:20000], tags))
    return out


def build(data_dir: Path, nlp) -> tuple[list, list]:
    """Training and validation examples (spaCy ``Example`` objects)."""
    from spacy.training import Example, offsets_to_biluo_tags

    train: list[Example]
    valid: list[Example]
    train, valid = [], []

    def add(key: str, text: str, tags: list[str]) -> None:
        words_doc = nlp.make_doc(text)
        words = [t.text for t in words_doc]
        spaces = [bool(t.whitespace_) for t in words_doc]
        example = Example.from_dict(words_doc, {"words": words, "spaces": spaces, "entities": tags})
        example.reference.user_data["kind"] = key.split(":")[0]
        (valid if _validation(key) else train).append(example)

    for key, text, spans in muc4_examples(data_dir / "muc4"):
        doc = nlp.make_doc(text)
        tags = offsets_to_biluo_tags(doc, spans)  # a mention that does not align to tokens: "-", missing
        add(f"muc4:{key}", text, tags)
    for key, text, tags in gva_examples(data_dir / "gva", nlp):
        add(key, text, tags)
        lowered = text.lower()
        if len(nlp.make_doc(lowered)) == len(tags):
            add(key + ":lower", lowered, tags)
    return train, valid


def _f1(pipe, examples) -> dict:
    """Span F1 of ``pipe`` against the examples' labelled spans (missing tokens ignored)."""
    tp = fp = fn = 0
    docs = list(pipe.pipe([eg.predicted.copy() for eg in examples], batch_size=64))
    for doc, eg in zip(docs, examples):
        gold = {(s.start, s.end, s.label_) for s in eg.reference.ents}
        known = {i for i, t in enumerate(eg.reference) if t.ent_iob_ != ""}
        pred = {(s.start, s.end, s.label_) for s in doc.spans.get(roles.SPANS_KEY, []) if all(i in known for i in range(s.start, s.end))}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0}


def train(data_dir: Path, out: Path | None = None, epochs: int = EPOCHS) -> Path:
    import spacy
    from spacy.util import fix_random_seed, minibatch

    from corroborate.analyze.nlp import verify_model

    started = time.perf_counter()
    fix_random_seed(SEED)
    nlp = spacy.load(verify_model(), exclude=["tagger", "attribute_ruler", "lemmatizer", "parser"])
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W030\]")  # a MUC-4 mention that does not align to tokens: left missing
        examples, valid = build(data_dir, nlp)
    kinds = {k: sum(1 for eg in examples + valid if eg.reference.user_data.get("kind") == k) for k in ("muc4", "gva")}
    print(f"{kinds}: {len(examples)} training documents, {len(valid)} validation; {time.perf_counter() - started:.0f} s", flush=True)
    roles.register()
    pipe: Any = nlp.add_pipe(roles.NAME, before="ner")  # a trainable pipe (spaCy types add_pipe's result as a callable)
    pipe.initialize(lambda: examples, nlp=nlp)
    # start from the vectors en_core_web_sm's ner learned (same shapes): names, places, titles
    pipe.model.get_ref("tok2vec").from_bytes(cast(Any, nlp.get_pipe("ner")).model.get_ref("tok2vec").to_bytes())
    optimizer = pipe.create_optimizer() if hasattr(pipe, "create_optimizer") else nlp.resume_training()
    rng = random.Random(SEED)
    best, best_bytes = -1.0, b""
    for epoch in range(epochs):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=BATCH):
            pipe.update(batch, drop=0.1, sgd=optimizer, losses=losses)
        score = _f1(pipe, valid)
        print(f"epoch {epoch + 1}: loss {losses.get(roles.NAME, 0):.0f}, validation {score}, {time.perf_counter() - started:.0f} s", flush=True)
        if score["f1"] > best:
            best, best_bytes = score["f1"], pipe.to_bytes()
    target = out or Path(str(resources.files(roles.PACKAGE).joinpath(roles.MODEL_FILE)))
    target.write_bytes(best_bytes)
    if out is None:
        record_sha256(roles.PACKAGE, roles.MODEL_FILE, hashlib.sha256(best_bytes).hexdigest())
    print(f"wrote {target} ({len(best_bytes) / 1e6:.1f} MB), best validation F1 {best}; {time.perf_counter() - started:.0f} s")
    return target


def main(argv: list[str]) -> None:
    argv, out = out_option(argv)
    epochs = EPOCHS
    if "--epochs" in argv:
        k = argv.index("--epochs")
        epochs = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2 :]
    data_dir = Path(argv[0]) if argv else Path("../shared/data")
    train(data_dir, out, epochs)


if __name__ == "__main__":
    main(sys.argv[1:])
