"""The trained role extractor: who did what to whom, with what.

A spaCy transition-based entity recognizer, shaped as ``en_core_web_sm``'s own ``ner`` (its own
hash-embedding CNN ``tok2vec`` and state network), whose ``tok2vec`` starts from that ``ner``'s
weights and is fine-tuned. It labels five roles:

| label | role |
|---|---|
| ``PERP_IND`` | an individual perpetrator or suspect ("the gunman", "Andrew Williams") |
| ``PERP_ORG`` | a perpetrator organization ("the FMLN", "Islamic State") |
| ``VICTIM`` | a person harmed ("a 12-year-old boy", "Marcus Holt") |
| ``TARGET`` | a thing attacked ("the Crocus City Hall", "a bus") |
| ``WEAPON`` | a weapon ("an AK-47", "improvised explosive devices") |

It is trained by ``make train-roles`` (:mod:`corroborate.analyze.train_roles`) on MUC-4 and on
GVA's named participants found in their reports (distant supervision), the training parts
only. The component writes its spans to ``doc.spans["roles"]``, never to ``doc.ents``: it runs
before spaCy's own ``ner``, which still finds the named entities. The weights ship as one file,
``data/roles.bin``, checked against its sha256 at load (:mod:`corroborate.learned`).
"""

from __future__ import annotations

from typing import cast

from corroborate.lang import en
from corroborate.learned import checked_bytes

#: the component's name in the pipeline, and the key of ``doc.spans`` it writes
NAME = "corroborate_roles"
SPANS_KEY = "roles"
LABELS = ("PERP_IND", "PERP_ORG", "VICTIM", "TARGET", "WEAPON")
MODEL_FILE = "data/roles.bin"
PACKAGE = "corroborate.analyze"

#: the model: spaCy's NER architecture with its own ``tok2vec``, shaped as ``en_core_web_sm``'s
#: ``ner`` (whose ``tok2vec`` weights it starts from; see :mod:`corroborate.analyze.train_roles`)
MODEL_CONFIG = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": 96,
            "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
            "rows": [5000, 1000, 2500, 2500],
            "include_static_vectors": False,
        },
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 96, "depth": 4, "window_size": 1, "maxout_pieces": 3},
    },
}


def register() -> None:
    """Register the ``corroborate_roles`` factory with spaCy (once)."""
    from spacy.language import Language
    from spacy.pipeline.ner import EntityRecognizer

    if NAME in Language.factories:
        return

    class RoleRecognizer(EntityRecognizer):
        """spaCy's entity recognizer, writing its spans to ``doc.spans["roles"]``: the named
        entities ``doc.ents`` stay for spaCy's ``ner`` to find."""

        def set_annotations(self, docs, states_or_beams):
            super().set_annotations(docs, states_or_beams)
            for doc in docs:
                doc.spans[SPANS_KEY] = list(doc.ents)
                doc.set_ents([], default="missing")

    @Language.factory(NAME, default_config={"model": MODEL_CONFIG})
    def make_roles(nlp, name, model):
        return RoleRecognizer(nlp.vocab, model, name=name)


def model_bytes() -> bytes:
    """The shipped weights, after checking their sha256."""
    return checked_bytes(PACKAGE, MODEL_FILE, rebuild="make train-roles")


def add_to(nlp, weights: bytes | None = None) -> None:
    """Add the trained role extractor to a loaded ``en_core_web_sm`` pipeline, after its
    ``tok2vec`` and before its ``ner``."""
    register()
    before = "ner" if "ner" in nlp.pipe_names else None
    pipe = nlp.add_pipe(NAME, before=before) if before else nlp.add_pipe(NAME)
    pipe.from_bytes(weights if weights is not None else model_bytes())


def role_spans(doc) -> list:
    """The role spans the model found in a parsed doc (empty for a doc parsed without it)."""
    return list(doc.spans[SPANS_KEY]) if SPANS_KEY in doc.spans else []


#: role label -> the ``Event`` field its items fill
FIELDS = {
    "PERP_ORG": "perpetrator_organizations",
    "PERP_IND": "perpetrator_individuals",
    "VICTIM": "victims",
    "TARGET": "targets",
    "WEAPON": "weapons",
}
#: the words of the rules (``lang/en/roles.json``)
_LEX = en.load("roles")
_LEADING = set(_LEX["leading_words"])


def key(text: str) -> str:
    words = text.lower().split()
    while len(words) > 1 and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


def _person_key(text: str) -> str | None:
    """A capitalised name's surname ("Andrew J. Williams" -> "williams"), else None."""
    words = [w for w in text.replace("’", "'").split() if w[:1].isalpha()]
    if not words or not all(w[0].isupper() for w in words):
        return None
    return words[-1].lower().removesuffix("'s")


def proper_name(text: str) -> str | None:
    """``text`` when it reads as a person's full name (two to four capitalised words, "Marcus
    Reed"), for a person filler spaCy's ``ner`` did not tag PERSON; else None."""
    words = text.split()
    if not 2 <= len(words) <= 4 or not all(w[:1].isupper() and w[1:2].islower() for w in words if w[:1].isalpha()):
        return None
    return text if key(text).split()[-1] not in PERP_NOUNS | _VICTIM_NOUNS else None


#: nouns that name a person's role when a name stands in apposition to them ("two suspects,
#: Marcus Reed and Tyrell Banks"; "the victim, Keisha Moore")
PERP_NOUNS = set(_LEX["perpetrator_nouns"])
_VICTIM_NOUNS = set(_LEX["victim_nouns"])
#: verbs whose object (or passive subject) is a suspect: "police arrested X", "X was charged"
_SUSPECT_VERBS = set(_LEX["suspect_verbs"])


def _named_as(span) -> str | None:
    """``PERP_IND`` or ``VICTIM`` when the parse says which the named person is: a name in
    apposition to (or joined to a name in apposition to) a suspect or victim noun, or the object
    of an arrest or charge verb; else None."""
    token = span.root
    for _ in range(4):
        if token.dep_ in {"appos", "conj"} and token.head is not token:
            token = token.head
            if token.lower_ in PERP_NOUNS:
                return "PERP_IND"
            if token.lower_ in _VICTIM_NOUNS:
                return "VICTIM"
            continue
        break
    if token.dep_ in {"dobj", "nsubjpass"} and token.head.lemma_.lower() in _SUSPECT_VERBS:
        return "PERP_IND"
    return None


def model_items(doc, tokens: set[int] | None = None) -> dict[str, list]:
    """The model's role fillers in ``doc`` (within ``tokens``, when given), as
    :class:`~corroborate.records.RoleItem` lists keyed by ``Event`` field, each in text order
    and without repeats: a mention that repeats an earlier one ("Williams" after "Andrew
    Williams", "the gunman" twice) is dropped. A named person the model labels both victim and
    perpetrator in different sentences takes the role most of their mentions have (victim on a
    tie): one person is never both."""
    from collections import Counter

    from corroborate.analyze.docinfo import info
    from corroborate.records import RoleItem

    text = info(doc).text
    spans = [s for s in role_spans(doc) if (tokens is None or s.start in tokens) and s.label_ in FIELDS]
    votes: dict[str, Counter] = {}
    for span in spans:
        if span.label_ in {"VICTIM", "PERP_IND"}:
            name_key = _person_key(span.text)
            if name_key:  # a full name weighs twice a bare surname ("Henry Jackson" over "Jackson")
                votes.setdefault(name_key, Counter())[span.label_] += 2 if len(span) > 1 else 1
    for span in spans:  # the parse overrules the model where it names the role outright
        name_key = _person_key(span.text) if span.label_ in {"VICTIM", "PERP_IND"} else None
        said = _named_as(span) if name_key else None
        if said is not None:
            votes[cast(str, name_key)][said] += 10  # said is None without a name_key
    role_of = {k: ("VICTIM" if c["VICTIM"] >= c["PERP_IND"] else "PERP_IND") for k, c in votes.items()}
    out: dict[str, list] = {field: [] for field in FIELDS.values()}
    seen: dict[str, list[str]] = {field: [] for field in FIELDS.values()}
    for span in spans:
        label = span.label_
        if label in {"VICTIM", "PERP_IND"}:
            label = role_of.get(_person_key(span.text) or "", label)
        field = FIELDS[label]
        start = span[0].idx
        end = span[-1].idx + len(span[-1].text)
        mention = key(text[start:end])
        earlier = seen[field]
        if any(mention == k or (" " not in mention and k.split()[-1] == mention) for k in earlier):
            continue
        earlier.append(mention)
        out[field].append(RoleItem(text=text[start:end], start=start, end=end, source="model"))
    return out


#: where each role's fillers come from when the model has run: "model", "rules", or "union"
#: (the rules' items first, with their status, then the model's that no rule item repeats).
#: Chosen on the validation tenth of the MUC-4 training documents (never the held-out part):
#: F1 model / rules / union there was perpetrator individuals 0.143 / 0.274 / 0.258,
#: organizations 0.286 / 0.300 / 0.318, targets 0.381 / 0.325 / 0.439, victims 0.434 / 0.206 /
#: 0.304, weapons 0.314 / 0.373 / 0.400. Individuals take the union, not the rules alone: the
#: model is what finds named suspects in cased news (GVA), which MUC-4 has none of.
POLICY = {
    "perpetrator_organizations": "union",
    "perpetrator_individuals": "union",
    "victims": "model",
    "targets": "union",
    "weapons": "union",
}


def combine(field: str, rule_items: list, model: list) -> list:
    """One role's fillers from the rules' items and the model's (see :data:`POLICY`)."""
    policy = POLICY[field]
    if policy == "rules":
        return list(rule_items)
    if policy == "model":
        return list(model)
    out = []
    for rule in rule_items:
        # a rule's span that holds model spans ("two suspects, Marcus Reed, 22, and Tyrell
        # Banks") gives way to them, with its status
        held = [m for m in model if rule.start <= m.start and m.end <= rule.end and (m.start, m.end) != (rule.start, rule.end)]
        out += [m.model_copy(update={"status": rule.status}) for m in held] if held else [rule]
    for item in model:
        # a model span that holds a rule's ("improvised explosive devices" around "explosive
        # devices") replaces it, keeping the rule's status
        inside = [k for k, o in enumerate(out) if item.start <= o.start and o.end <= item.end and (o.start, o.end) != (item.start, item.end)]
        if len(inside) == 1 and not any(item.start < o.end and o.start < item.end for k, o in enumerate(out) if k != inside[0]):
            out[inside[0]] = item.model_copy(update={"status": out[inside[0]].status})
            continue
        if any(item.start == o.start and item.end == o.end for o in out):
            continue
        k = key(item.text)
        if any(k == e or k in e.split() or e in k.split() for e in (key(o.text) for o in out)):
            continue
        if any(item.start < o.end and o.start < item.end for o in out):
            continue
        out.append(item)
    return out
