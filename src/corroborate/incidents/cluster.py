"""Group reports into incidents: blocking, a learned pair linker, average linkage.

Candidates come from blocking, never from all pairs:

- a shared *key*: a place, facility, organization, person or group named in the report
  (normalized); a resolved city in the same week; one of the report's rarest content words in
  the same season. Keys so common that they name no incident (held by more than
  ``MAX_BLOCK`` reports) block nothing;
- MinHash LSH over word 3-gram shingles (``datasketch``), for reports that tell
  the same story in other words.

The pairs are kept as one sorted array of codes, and their features computed a chunk at a time
with array operations (:class:`corroborate.incidents.link.PairData`).

Each candidate pair is scored by the learned linker (:mod:`corroborate.incidents.link`): a
calibrated probability that the two reports tell one incident, from text similarity (shingle
Jaccard and containment, TF-IDF cosine, and with ``--embeddings`` the cosine of the leads),
IDF-weighted overlap of places, organizations and people, resolved cities and states, event and
publication dates, tolls, event types and relevance, and victims' and suspects' names. Groups
form by greedy average linkage over those probabilities (:func:`group`), with the two
thresholds the model file carries (chosen on out-of-fold scores of the training part).

The IDF of names is smoothed with a notional background of ``IDF_PRIOR`` reports, so that in a
small batch every name counts about the same, and in a large one a shared rare name ("Crocus
City Hall") counts for much more than a shared common one ("Chicago").
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from corroborate.lang import en
from corroborate.records import Report

if TYPE_CHECKING:
    import numpy as np

PLACE_LABELS = {"GPE", "LOC", "FAC"}
ACTOR_LABELS = {"ORG", "PERSON", "NORP", "EVENT"}
MAX_BLOCK = 200
NUM_PERM = 64
LSH_THRESHOLD = 0.3
IDF_PRIOR = 1000
LEAD_CHARS = 600
#: a report's content-word vector keeps its most frequent words, at most this many
MAX_TERMS = 128
TERM_BITS = 22
OTHER_TOLLS = ("arrested", "kidnapped", "missing", "displaced")
#: candidate pairs scored at a time (a run never holds every pair's feature row)
SCORE_CHUNK = 50_000
#: a pair less likely than this to be one incident is kept as no pair at all (it counts 0 in
#: average linkage, like a pair blocking never proposed): most candidates, so a large run keeps few
MIN_PROBABILITY = 0.01
#: rare content words per report used as block keys
RARE_TERMS = 8
#: days a rare-word key spans (:func:`_rare_keys`)
RARE_WINDOW = 180
#: candidate pairs with at least this shingle Jaccard, published at most this many days apart, are
#: near-copies, checked for reuse across incidents (a pickup follows its source within days; a
#: story retold a year on is a new report)
NEAR_COPY = 0.5
NEAR_COPY_DAYS = 30
_WORD = re.compile(r"[a-z0-9]+")
_CONTENT = re.compile(r"[a-z][a-z'-]+")
_NUMBER = re.compile(r"\d+(?:[.,:-]\d+)*")
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_KEY_NOISE = re.compile(r"[\n()\[\]]")


@dataclass(slots=True)
class Features:
    """What clustering needs of one report: computed as soon as the report is analyzed (in the
    worker that analyzed it), so that a long run keeps these, not its reports, in memory."""

    places: set[str]
    orgs: set[str]
    persons: set[str]
    shingles: set[str] | None  # None once signed
    day: date | None  # the event's date
    published: date | None = None
    size: int = 0  # the number of shingles
    terms: Any = field(default=None, repr=False)  # (word ids, counts): the content words
    cities: frozenset = frozenset()  # "city|region|country" of the resolved places
    regions: frozenset = frozenset()  # "region|country"
    killed: tuple | None = None  # the values the report's killed and injured tolls allow: (low, high)
    injured: tuple | None = None
    others: dict = field(default_factory=dict)  # the other tolls (arrested, kidnapped, missing, displaced)
    kind: str | None = None  # the incident type
    relevance: float | None = None  # the incident relevance probability
    victims: frozenset = frozenset()  # surnames of the named victims
    suspects: frozenset = frozenset()  # surnames of the named perpetrators and suspects
    numbers: frozenset = frozenset()  # the figures the text states ("31-24", "9:30", "3")
    years: frozenset = frozenset()  # the years it names
    minhash: Any = field(default=None, repr=False)
    vector: object = field(default=None, repr=False)
    lead: str | None = field(default=None, repr=False)  # kept for the embedder (``--embeddings``)

    @property
    def keys(self) -> set[str]:
        return self.places | self.orgs | self.persons


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _day(report: Report) -> date | None:
    return next((d for d in (_date(e.date) for e in report.events) if d is not None), None)


def _terms(text: str):
    """The report's content words (not spaCy stop words), hashed, with their counts: its
    ``MAX_TERMS`` most frequent ones, ties to the smaller id."""
    import zlib

    import numpy as np

    stop = en.stop_words()
    counts: dict[int, int] = defaultdict(int)
    for word in _CONTENT.findall(text.lower()):
        if len(word) > 2 and word not in stop:
            counts[zlib.crc32(word.encode("utf8")) >> (32 - TERM_BITS)] += 1
    kept = sorted(sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS])
    return (np.fromiter((k for k, _ in kept), dtype=np.int32, count=len(kept)),
            np.fromiter((c for _, c in kept), dtype=np.float32, count=len(kept)))


def _surname(name: str) -> str:
    return name.lower().replace("’", "'").split()[-1].removesuffix("'s")


def _roles(report: Report) -> tuple[frozenset, frozenset, frozenset, frozenset]:
    """(cities, regions, victims' surnames, suspects' surnames) of the report's events."""
    cities, regions, victims, suspects = set(), set(), set(), set()
    for event in report.events:
        for item in event.locations:
            place = item.place
            if place is not None and place.region:
                regions.add(f"{place.region}|{place.country}")
                if place.city:
                    cities.add(f"{place.city}|{place.region}|{place.country}")
        for item in event.victims:
            if item.name:
                victims.add(_surname(item.name))
        for item in event.perpetrator_individuals:
            if item.name:
                suspects.add(_surname(item.name))
    return frozenset(cities), frozenset(regions), frozenset(victims), frozenset(suspects)


def _toll(report: Report, category: str) -> tuple[float, float] | None:
    """The values the report's claim for ``category`` states: "at least 40" is 40 to infinity,
    "three" is 3 to 3."""
    from corroborate.incidents.reconcile import best_claim

    claim = best_claim(report, category)
    if claim is None:
        return None
    low = claim.low if claim.low is not None else cast(int, claim.value)
    return float(low), float(claim.high) if claim.high is not None else math.inf


def normalize_key(text: str) -> str | None:
    """"The Eastgate Market's" -> "eastgate market"; None for fragments that name nothing."""
    if _KEY_NOISE.search(text):
        return None
    key = " ".join(text.lower().replace("’", "'").removesuffix("'s").split())
    key = key.removeprefix("the ")
    return key if len(key) > 1 else None


def features(report: Report, *, keep_lead: bool = False) -> Features:
    """The report's clustering features (then :func:`signatures` replaces the shingles by a
    MinHash); ``keep_lead``: keep :func:`lead` for the embedder."""
    outlets = {s.lower() for s in report.cited_sources}
    places, actors, persons = set(), set(), set()
    for entity in report.entities:
        key = normalize_key(entity.text)
        if key is None or key in outlets:
            continue
        if entity.label in PLACE_LABELS:
            places.add(key)
        elif entity.label in ACTOR_LABELS:
            actors.add(key)
            if entity.label == "PERSON":
                persons.add(key)
    # "Okonjo" after "Maria Okonjo" is the same person
    actors -= {p for p in persons if " " not in p and any(q.endswith(" " + p) for q in persons)}
    words = _WORD.findall(((report.title or "") + " " + report.text).lower())
    shingles = {" ".join(words[i : i + 3]) for i in range(max(len(words) - 2, 0))}
    # interned: the same names recur across reports, and a long run keeps every report's features
    cities, regions, victims, suspects = _roles(report)
    numbers = frozenset(sys.intern(n) for n in _NUMBER.findall(report.text))
    assessed = report.incident
    kind = (assessed.type if assessed is not None else None) or next((e.type for e in report.events), None)
    return Features(places={sys.intern(k) for k in places}, orgs={sys.intern(k) for k in actors - persons},
                    persons={sys.intern(k) for k in actors & persons}, shingles=shingles, day=_day(report),
                    published=_date(report.published), size=len(shingles), terms=_terms(report.text),
                    cities=cities, regions=regions, killed=_toll(report, "killed"), injured=_toll(report, "injured"),
                    others={c: v for c in OTHER_TOLLS if (v := _toll(report, c)) is not None},
                    kind=kind, relevance=assessed.probability if assessed is not None else None,
                    victims=victims, suspects=suspects, numbers=numbers,
                    years=frozenset(n for n in numbers if _YEAR.match(n)), lead=lead(report) if keep_lead else None)


def lead(report: Report) -> str:
    """What the embedding of a report reads: its title and the start of its text."""
    return ((report.title + ". ") if report.title else "") + report.text[:LEAD_CHARS]


def _embed(feats: list[Features], embedder, chunk: int = 1000) -> None:
    for begin in range(0, len(feats), chunk):
        part = feats[begin : begin + chunk]
        if any(f.lead is None for f in part):
            raise ValueError("features computed without keep_lead=True cannot be embedded")
        vectors = embedder.encode([f.lead for f in part])
        for feat, vector in zip(part, vectors):
            feat.vector = vector
            feat.lead = None


def signatures(feats: list[Features], chunk: int = 1000) -> None:
    """MinHash each report's shingles, a chunk at a time, then drop the shingles: only the
    signatures are needed afterwards, and the shingle sets are most of the memory. The
    signatures are kept lean (hash values and seed, without the permutations)."""
    from datasketch import LeanMinHash, MinHash

    for begin in range(0, len(feats), chunk):
        part = [f for f in feats[begin : begin + chunk] if f.minhash is None]
        encoded = [[s.encode("utf8") for s in cast("set[str]", f.shingles)] or [b"\x00empty"] for f in part]
        for feat, hashed in zip(part, MinHash.bulk(encoded, num_perm=NUM_PERM, seed=1)):
            feat.minhash = LeanMinHash(hashed)
            feat.shingles = None


def pack(feats: list[Features]) -> None:
    """Replace each signature by (seed, scheme, hash values): what a worker process sends back.
    Unpickling it needs numpy only, so a run's main process imports datasketch (and SciPy,
    about 55 MB) only when it clusters, after the workers are gone."""
    for feat in feats:
        if feat.minhash is not None and not isinstance(feat.minhash, tuple):
            feat.minhash = (feat.minhash.seed, feat.minhash.scheme, feat.minhash.hashvalues)


def _unpack(feats: list[Features]) -> None:
    from datasketch import LeanMinHash

    for feat in feats:
        if isinstance(feat.minhash, tuple):
            seed, scheme, values = feat.minhash
            feat.minhash = LeanMinHash(seed=seed, hashvalues=values, scheme=scheme)


def _week_keys(feat: Features) -> list[str]:
    """A resolved city with the week of the event (else of publication), twice, on weeks offset
    by half a week: two reports of one city a day or two apart share at least one."""
    day = feat.day or feat.published
    if day is None:
        return []
    n = day.toordinal()
    return [f"{city}@{w}" for city in feat.cities for w in (f"a{n // 7}", f"b{(n + 3) // 7}")]


def _rare_terms(feats: list[Features], df: tuple | None = None) -> list[list[int]]:
    """Each report's ``RARE_TERMS`` rarest content words held by at least one other report of the
    run (a street, a surname the tagger missed): ties to the smaller id. ``df``: the run's
    :func:`~corroborate.incidents.link.term_counts`."""
    import numpy as np

    from corroborate.incidents.link import term_counts

    vocab, counts = df if df is not None else term_counts(feats)
    out = []
    for feat in feats:
        terms = feat.terms[0]
        held = counts[np.searchsorted(vocab, terms)]
        keep = held >= 2
        order = np.lexsort((terms[keep], held[keep]))[:RARE_TERMS]
        out.append([int(t) for t in terms[keep][order]])
    return out


def _rare_keys(feat: Features, terms: list[int]) -> list:
    """A rare word with the ``RARE_WINDOW`` days of the event (else of publication), on two
    windows offset by half: a street or a surname ties two reports of one season, not of any
    year. (On the GVA training part: 16% fewer candidate pairs, one same-incident pair of
    1,194 lost.) A report without a date keeps its words without a window."""
    day = feat.day or feat.published
    if day is None:
        return list(terms)
    n = day.toordinal()
    windows = (f"a{n // RARE_WINDOW}", f"b{(n + RARE_WINDOW // 2) // RARE_WINDOW}")
    return [(term, window) for term in terms for window in windows]


def candidate_pairs(feats: list[Features], df: tuple | None = None):
    """Pairs (i < j) that share a block key or fall in one LSH bucket, as two index arrays, in
    order. The keys: a named place, organization or person; a resolved city in the same week
    (:func:`_week_keys`); a rare content word in the same season (:func:`_rare_terms`,
    :func:`_rare_keys`). A key held by more than ``MAX_BLOCK`` reports names no incident and
    blocks nothing."""
    import numpy as np
    from datasketch import MinHashLSH

    n = len(feats)
    blocks: dict[object, list[int]] = defaultdict(list)
    for i, (feat, rare) in enumerate(zip(feats, _rare_terms(feats, df))):
        for key in feat.keys:
            blocks[key].append(i)
        for key in _week_keys(feat):
            blocks[key].append(i)
        for key in _rare_keys(feat, rare):
            blocks[key].append(i)
    codes = _Codes()  # pair (i, j) as i * n + j
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            m = np.asarray(members, dtype=np.int64)
            a, b = np.triu_indices(len(m), 1)
            codes.add(m[a] * n + m[b])
    del blocks
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
    for i, feat in enumerate(feats):
        found = lsh.query(feat.minhash)
        if found:
            codes.add(np.asarray(found, dtype=np.int64) * n + i)
        lsh.insert(i, feat.minhash)
    pairs = codes.done()
    return pairs // max(n, 1), pairs % max(n, 1)


class _Codes:
    """A growing set of int64 codes, kept as one sorted array without repeats (a pair costs 8
    bytes, not a Python tuple in a set). New codes wait until they are as many as those kept (and
    at least ``batch``), then are sorted in: each code is sorted a few times, not once per batch."""

    def __init__(self, batch: int = 1_000_000):
        self.kept: Any = None
        self.pending: list = []
        self.waiting = 0
        self.batch = batch

    def add(self, codes) -> None:
        self.pending.append(codes)
        self.waiting += len(codes)
        if self.waiting >= max(self.batch, 0 if self.kept is None else len(self.kept)):
            self._flush()

    def _flush(self) -> None:
        import numpy as np

        parts = self.pending if self.kept is None else [self.kept, *self.pending]
        codes = np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        first = np.ones(len(codes), dtype=bool)
        np.not_equal(codes[1:], codes[:-1], out=first[1:])
        self.kept, self.pending, self.waiting = codes[first], [], 0

    def done(self):
        self._flush()
        return self.kept


def cluster(reports: list[Report], fixed: list[list[int]] | None = None, embedder=None) -> list[list[int]]:
    """:func:`cluster_features` over the :func:`features` of the reports that take part in
    incidents (:func:`corroborate.analyze.takes_part`); the others are in no group."""
    from corroborate.analyze import takes_part

    members = [i for i, r in enumerate(reports) if takes_part(r)]
    return cluster_members([features(reports[i], keep_lead=embedder is not None) for i in members], members, fixed, embedder)


def cluster_members(feats: list[Features], members: list[int], fixed: list[list[int]] | None = None,
                    embedder=None, stats: dict | None = None) -> list[list[int]]:
    """:func:`cluster_features` over the features of some of a run's reports: ``feats[k]`` is
    the report at index ``members[k]`` (increasing). ``fixed`` and the groups returned hold
    those indices (and so do ``stats["near_copies"]``); a report not among ``members`` is in no group."""
    local = {i: k for k, i in enumerate(members)}
    fixed = [group for group in ([local[i] for i in group if i in local] for group in fixed or []) if group]
    groups = [[members[k] for k in group] for group in cluster_features(feats, fixed, embedder, stats=stats)]
    if stats is not None:
        stats["near_copies"] = [(members[i], members[j]) for i, j in stats.get("near_copies", [])]
    return groups


def _prepared(feats: list[Features], fixed: list[list[int]] | None, embedder):
    """Sign (and embed) the features; the candidate pairs (in order, as two index arrays) that
    need a decision, and the run's :class:`~corroborate.incidents.link.PairData`. Pairs of two
    reports that ``fixed`` groups already hold are settled and left out."""
    import numpy as np

    from corroborate.incidents.link import PairData, term_counts

    signatures(feats)
    _unpack(feats)
    if embedder is not None:
        _embed(feats, embedder)
    df = term_counts(feats)
    a, b = candidate_pairs(feats, df)
    old = np.zeros(len(feats), dtype=bool)
    old[[i for group in fixed or [] for i in group]] = True
    keep = ~(old[a] & old[b])
    data = PairData(feats, IDF_PRIOR, embedded=embedder is not None, df=df, other_tolls=OTHER_TOLLS)
    return a[keep], b[keep], data


def scored_pairs(feats: list[Features], fixed: list[list[int]] | None = None, embedder=None) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The candidate pairs (in order) that need a decision, and their features
    (:meth:`~corroborate.incidents.link.PairData.matrix`), all at once: for training and
    inspection (a run scores them a chunk at a time)."""
    a, b, data = _prepared(feats, fixed, embedder)
    return list(zip(a.tolist(), b.tolist())), data.matrix(a, b)


def cluster_features(feats: list[Features], fixed: list[list[int]] | None = None, embedder=None,
                     linker=None, stats: dict | None = None) -> list[list[int]]:
    """Groups of report indices, each sorted, groups in order of their first report: the
    candidate pairs scored by the linker (``linker``, or the shipped one), ``SCORE_CHUNK`` pairs
    at a time so that the feature rows of a large run are never all in memory (pairs under
    ``MIN_PROBABILITY`` are dropped as they are scored), then :func:`group`. ``embedder`` (an
    :class:`corroborate.analyze.embed.Embedder`) adds the lead similarity, and the model variant
    that reads it. ``stats``, when given, receives the number of candidate pairs and of pairs kept,
    and the pairs whose shingle Jaccard reaches ``NEAR_COPY``, published at most ``NEAR_COPY_DAYS``
    apart (``near_copies``: near-copies, whatever their incidents, for
    :mod:`corroborate.incidents.derive`)."""
    if len(feats) < 2:  # nothing to compare (and no datasketch import: a one-report run starts faster)
        return [[0]] if feats else []
    import numpy as np

    from corroborate.incidents.link import COLUMN, load_linker

    linker = linker or load_linker()
    scorer = linker.scorer(embedder is not None)
    a, b, data = _prepared(feats, fixed, embedder)
    scores: dict[tuple[int, int], float] = {}
    near: list[tuple[int, int]] = []
    jaccard, published = COLUMN["jaccard"], COLUMN["published_days"]
    for begin in range(0, len(a), SCORE_CHUNK):
        i, j = a[begin : begin + SCORE_CHUNK], b[begin : begin + SCORE_CHUNK]
        matrix = data.matrix(i, j)
        probabilities = scorer.probability(matrix)
        kept = probabilities >= MIN_PROBABILITY
        scores.update(zip(zip(i[kept].tolist(), j[kept].tolist()), probabilities[kept].tolist()))
        with np.errstate(invalid="ignore"):  # a pair with an undated report is kept
            close = (matrix[:, jaccard] >= NEAR_COPY) & ~(matrix[:, published] > NEAR_COPY_DAYS)
        near += zip(i[close].tolist(), j[close].tolist())
    if stats is not None:
        stats.update(candidate_pairs=len(a), kept_pairs=len(scores), near_copies=near)
    return group(len(feats), scores, fixed, scorer.pair_threshold, scorer.link_threshold)


def group(n: int, scores: dict[tuple[int, int], float], fixed: list[list[int]] | None,
          pair_threshold: float, link_threshold: float) -> list[list[int]]:
    """Greedy average linkage over scored pairs of ``n`` reports.

    ``fixed`` holds groups from an earlier run (``--previous``): they start merged, two of
    them never merge, and pairs inside or between them are not scored again, so adding
    reports costs what the new reports cost, not a re-clustering from scratch.

    Pairs are taken from the highest probability down (while at or above ``pair_threshold``),
    and two groups merge only when the mean probability over all their cross pairs (pairs
    never scored, and pairs under ``MIN_PROBABILITY``, count as 0) reaches ``link_threshold``.
    Single linkage would chain a topic's similar-but-different events into one incident.
    """
    scores = {pair: p for pair, p in scores.items() if p >= MIN_PROBABILITY}
    parent = list(range(n))
    size = [1] * n
    settled = [False] * n
    between: dict[int, dict[int, float]] = defaultdict(dict)  # group -> other group -> summed scores
    for (i, j), score in scores.items():
        between[i][j] = between[j][i] = score

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def merge(a: int, b: int) -> int:
        if size[a] < size[b] or (size[a] == size[b] and b < a):
            a, b = b, a
        parent[b] = a
        size[a] += size[b]
        settled[a] = settled[a] or settled[b]
        for other, total in between.pop(b, {}).items():
            if other != a:
                between[a][other] = between[a].get(other, 0.0) + total
                between[other][a] = between[other].get(a, 0.0) + total
                between[other].pop(b, None)
        between[a].pop(b, None)
        return a

    for members in fixed or []:
        for i in members:
            settled[i] = True
        for i in members[1:]:
            a, b = find(members[0]), find(i)
            if a != b:
                merge(a, b)
    for (i, j), score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        if score < pair_threshold:
            break
        a, b = find(i), find(j)
        if a == b or (settled[a] and settled[b]):
            continue  # two incidents of an earlier run stay apart
        if between[a].get(b, 0.0) / (size[a] * size[b]) < link_threshold:
            continue
        merge(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def incident_id(first_report_id: str) -> str:
    """A stable incident id, derived from the id of the incident's first report."""
    return "inc-" + hashlib.sha1(first_report_id.encode("utf8")).hexdigest()[:12]
