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
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
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


def candidate_pairs(feats: list[Features], df: tuple | None = None, executor=None, hashes=None):
    """Pairs (i < j) that share a block key or an LSH band, as two index arrays, in order. The
    keys: a named place, organization or person; a resolved city in the same week
    (:func:`_week_keys`); a rare content word in the same season (:func:`_rare_terms`,
    :func:`_rare_keys`). A key held by more than ``MAX_BLOCK`` reports names no incident and
    blocks nothing. The LSH bands are those of ``datasketch``'s ``MinHashLSH`` at
    ``LSH_THRESHOLD`` (two reports whose MinHash signatures agree on every row of one band).

    Done as a map and a reduce over ``executor`` (:mod:`corroborate.executors`; None: in this
    process): each shard of ``SHARD`` reports gives its keys (128-bit digests; a band is its own
    exact values), cut into partitions by key; each partition is sorted by key, and each block
    gives its pairs. Any shard size and number of partitions give the same pairs. ``hashes``: the
    signatures' hash values as one array (:class:`~corroborate.incidents.link.PairData` has them)."""
    import numpy as np

    from corroborate.executors import LocalExecutor
    from corroborate.incidents.link import term_counts

    executor = executor or LocalExecutor()
    n = len(feats)
    if hashes is None:
        hashes = np.stack([f.minhash.hashvalues for f in feats]) if feats else np.zeros((0, NUM_PERM), np.uint64)
    partitions = 1 if executor.workers <= 1 else 4 * executor.workers
    keys = partial(_shard_keys, df=executor.share(df if df is not None else term_counts(feats)), partitions=partitions)
    shards = ([(begin, [_key_input(f) for f in feats[begin : begin + SHARD]], hashes[begin : begin + SHARD])]
              for begin in range(0, n, SHARD))
    parts: list[list] = [[] for _ in range(partitions)]
    for (cut,) in executor.map(keys, shards):
        for k, part in enumerate(cut):
            parts[k].append(part)
    found = [codes for (codes,) in executor.map(partial(_block_pairs, n=n), ([part] for part in parts))]
    del parts
    pairs = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
    return pairs // max(n, 1), pairs % max(n, 1)


#: reports whose keys one task computes (:func:`candidate_pairs`)
SHARD = 20_000
_BLOCK, _BAND = 0, 1  # key kinds: a block key (blocks at most MAX_BLOCK reports) and an LSH band (no limit)


def _key_input(feat: Features) -> tuple:
    """What a report's keys are made of: its names, its cities and day, its content words."""
    return feat.keys, feat.cities, feat.day or feat.published, feat.terms[0]


def _shard_keys(batch: list[tuple], df, partitions: int) -> list[list]:
    """One shard's keys: (kind, digest high, digest low, position) arrays, one tuple per partition."""
    import numpy as np

    from corroborate.executors import shared

    (begin, inputs, hashes), = batch
    df = shared(df)
    ghost = [Features(places=set(), orgs=set(), persons=set(), shingles=None, day=day, cities=cities, terms=(terms,))
             for _, cities, day, terms in inputs]
    digests, owners = [], []
    for k, ((names, _, _, _), feat, rare) in enumerate(zip(inputs, ghost, _rare_terms(ghost, df))):
        for key in (*names, *_week_keys(feat), *_rare_keys(feat, rare)):
            digests.append(_digest(key))
            owners.append(begin + k)
    blocks = np.frombuffer(b"".join(digests), dtype=np.uint64).reshape(-1, 2)
    kind = np.full(len(blocks), _BLOCK, dtype=np.uint8)
    position = np.asarray(owners, dtype=np.int64)
    high, low, band_position = _bands(hashes, begin)
    kind = np.concatenate([kind, np.full(len(high), _BAND, dtype=np.uint8)])
    high, low = np.concatenate([blocks[:, 0], high]), np.concatenate([blocks[:, 1], low])
    position = np.concatenate([position, band_position])
    part = low % np.uint64(partitions)
    return [[(kind[m], high[m], low[m], position[m]) for m in (part == np.uint64(p) for p in range(partitions))]]


def _digest(key) -> bytes:
    """16 bytes naming a block key (a name or a city-week: text; a rare word: its id and window)."""
    if isinstance(key, str):
        data = b"s" + key.encode("utf8")
    elif isinstance(key, tuple):
        data = f"r{key[0]}|{key[1]}".encode()
    else:
        data = f"r{key}".encode()
    return hashlib.blake2b(data, digest_size=16).digest()


@lru_cache(maxsize=1)
def _band_ranges() -> list[tuple[int, int]]:
    from datasketch import MinHashLSH

    return list(MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM).hashranges)


def _bands(hashes, begin: int):
    """Each report's LSH bands as exact keys: (band number and first value, the other two values),
    hash values being under 2**32."""
    import numpy as np

    ranges = _band_ranges()
    if any(end - start > 3 for start, end in ranges):  # pragma: no cover - fixed by the constants above
        raise ValueError("LSH bands of more than 3 rows do not fit a 128-bit key")
    m = len(hashes)
    values = np.asarray(hashes, dtype=np.uint64)
    high, low = [], []
    for t, (start, end) in enumerate(ranges):
        rows = np.zeros((m, 3), dtype=np.uint64)
        rows[:, : end - start] = values[:, start:end]
        high.append((np.uint64(t) << np.uint64(32)) | rows[:, 0])
        low.append((rows[:, 1] << np.uint64(32)) | rows[:, 2])
    position = np.tile(np.arange(begin, begin + m, dtype=np.int64), len(ranges))
    return (np.concatenate(high) if high else np.zeros(0, np.uint64),
            np.concatenate(low) if low else np.zeros(0, np.uint64), position)


def _block_pairs(batch: list[list], n: int) -> list:
    """One partition's pairs: its keys from every shard sorted by key, each block's pairs (i < j)
    as sorted codes i * n + j without repeats."""
    import numpy as np

    (parts,) = batch
    codes = _Codes()
    if parts:
        kind, high, low, position = (np.concatenate([p[c] for p in parts]) for c in range(4))
        order = np.lexsort((position, low, high, kind))
        kind, high, low, position = kind[order], high[order], low[order], position[order]
        start = np.flatnonzero(np.r_[True, (kind[1:] != kind[:-1]) | (high[1:] != high[:-1]) | (low[1:] != low[:-1])])
        size = np.diff(np.r_[start, len(kind)])
        useful = (size > 1) & ((kind[start] == _BAND) | (size <= MAX_BLOCK))
        for s in np.unique(size[useful]).tolist():
            first = start[useful & (size == s)]
            members = position[first[:, None] + np.arange(s)]
            a, b = np.triu_indices(s, 1)
            for chunk in range(0, len(members), max(1, 1_000_000 // len(a))):
                part = members[chunk : chunk + max(1, 1_000_000 // len(a))]
                codes.add((part[:, a] * n + part[:, b]).ravel())
    return [codes.done()]


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
                    embedder=None, stats: dict | None = None, executor=None) -> list[list[int]]:
    """:func:`cluster_features` over the features of some of a run's reports: ``feats[k]`` is
    the report at index ``members[k]`` (increasing). ``fixed`` and the groups returned hold
    those indices (and so do ``stats["near_copies"]``); a report not among ``members`` is in no group.
    ``executor``: where the work runs (see :func:`cluster_features`)."""
    local = {i: k for k, i in enumerate(members)}
    fixed = [group for group in ([local[i] for i in group if i in local] for group in fixed or []) if group]
    groups = [[members[k] for k in group]
              for group in cluster_features(feats, fixed, embedder, stats=stats, executor=executor)]
    if stats is not None:
        stats["near_copies"] = [(members[i], members[j]) for i, j in stats.get("near_copies", [])]
    return groups


def _prepared(feats: list[Features], fixed: list[list[int]] | None, embedder, executor=None):
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
    data = PairData(feats, IDF_PRIOR, embedded=embedder is not None, df=df, other_tolls=OTHER_TOLLS)
    a, b = candidate_pairs(feats, df, executor, data.hashes)
    old = np.zeros(len(feats), dtype=bool)
    old[[i for group in fixed or [] for i in group]] = True
    keep = ~(old[a] & old[b])
    return a[keep], b[keep], data


def scored_pairs(feats: list[Features], fixed: list[list[int]] | None = None, embedder=None) -> tuple[list[tuple[int, int]], np.ndarray]:
    """The candidate pairs (in order) that need a decision, and their features
    (:meth:`~corroborate.incidents.link.PairData.matrix`), all at once: for training and
    inspection (a run scores them a chunk at a time)."""
    a, b, data = _prepared(feats, fixed, embedder)
    return list(zip(a.tolist(), b.tolist())), data.matrix(a, b)


def cluster_features(feats: list[Features], fixed: list[list[int]] | None = None, embedder=None,
                     linker=None, stats: dict | None = None, executor=None) -> list[list[int]]:
    """Groups of report indices, each sorted, groups in order of their first report: the
    candidate pairs scored by the linker (``linker``, or the shipped one), ``SCORE_CHUNK`` pairs
    at a time so that the feature rows of a large run are never all in memory (pairs under
    ``MIN_PROBABILITY`` are dropped as they are scored), then :func:`group`. ``embedder`` (an
    :class:`corroborate.analyze.embed.Embedder`) adds the lead similarity, and the model variant
    that reads it. ``stats``, when given, receives the number of candidate pairs and of pairs kept,
    and the pairs whose shingle Jaccard reaches ``NEAR_COPY``, published at most ``NEAR_COPY_DAYS``
    apart (``near_copies``: near-copies, whatever their incidents, for
    :mod:`corroborate.incidents.derive`).

    ``stats["seconds"]`` times three phases: ``candidates`` (signatures, pair data, candidate
    pairs), ``scoring`` and ``grouping``.

    ``executor`` (:mod:`corroborate.executors`; None: this process) runs the candidate search
    (:func:`candidate_pairs`), the scoring of each chunk of pairs (the run's pair data shared once,
    :meth:`~corroborate.executors.Executor.share`) and, with more than one worker, the grouping of
    each connected component (:func:`group_components`): the groups are the same either way."""
    if len(feats) < 2:  # nothing to compare (and no datasketch import: a one-report run starts faster)
        return [[0]] if feats else []
    import numpy as np

    from corroborate.executors import LocalExecutor
    from corroborate.incidents.link import load_linker

    executor = executor or LocalExecutor()
    linker = linker or load_linker()
    scorer = linker.scorer(embedder is not None)
    clock = [time.perf_counter()]
    a, b, data = _prepared(feats, fixed, embedder, executor)
    clock.append(time.perf_counter())
    score = partial(_score_chunk, data=executor.share(data), linker=linker, embedded=embedder is not None)
    chunks = ([(a[begin : begin + SCORE_CHUNK], b[begin : begin + SCORE_CHUNK])] for begin in range(0, len(a), SCORE_CHUNK))
    kept: list = []
    near: list[tuple[int, int]] = []
    for ((scored, close),) in executor.map(score, chunks):
        kept.append(scored)
        near += zip(*(side.tolist() for side in close))
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    i, j, p = (np.concatenate([part[c] for part in kept] or [empty[c]]) for c in range(3))
    clock.append(time.perf_counter())
    if executor.workers > 1:
        groups = group_components(len(feats), (i, j, p), fixed, scorer.pair_threshold, scorer.link_threshold, executor)
    else:
        groups = group(len(feats), dict(zip(zip(i.tolist(), j.tolist()), p.tolist())), fixed,
                       scorer.pair_threshold, scorer.link_threshold)
    clock.append(time.perf_counter())
    if stats is not None:
        stats.update(candidate_pairs=len(a), kept_pairs=len(p), near_copies=near,
                     seconds=dict(zip(("candidates", "scoring", "grouping"), np.diff(clock).tolist())))
    return groups


def _score_chunk(batch: list[tuple], data, linker, embedded: bool) -> list[tuple]:
    """One chunk of candidate pairs scored: ((i, j, probability) of the pairs kept, (i, j) of the
    near-copies)."""
    import numpy as np

    from corroborate.executors import shared
    from corroborate.incidents.link import COLUMN

    ((i, j),) = batch
    matrix = shared(data).matrix(i, j)
    probabilities = linker.scorer(embedded).probability(matrix)
    kept = probabilities >= MIN_PROBABILITY
    with np.errstate(invalid="ignore"):  # a pair with an undated report is kept
        close = (matrix[:, COLUMN["jaccard"]] >= NEAR_COPY) & ~(matrix[:, COLUMN["published_days"]] > NEAR_COPY_DAYS)
    return [((i[kept], j[kept], probabilities[kept]), (i[close], j[close]))]


#: scored pairs per grouping task (:func:`group_components`); a component is never split
GROUP_PAIRS = 200_000


def group_components(n: int, scored: tuple, fixed: list[list[int]] | None, pair_threshold: float,
                     link_threshold: float, executor) -> list[list[int]]:
    """:func:`group`, one connected component at a time, on ``executor``: the same groups.

    Two groups merge only over a pair at or above ``pair_threshold``, and the mean that decides it
    sums pairs between those two groups alone: so the groups never leave the components that such
    pairs (and ``fixed`` groups) connect, and each component's merges, taken in the same order,
    depend on its own pairs only. ``scored``: the pairs kept, as arrays (i, j, probability)."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    i, j, p = scored
    strong = p >= pair_threshold
    links_i = [i[strong]] + [np.asarray(g[:-1], dtype=np.int64) for g in fixed or [] if len(g) > 1]
    links_j = [j[strong]] + [np.asarray(g[1:], dtype=np.int64) for g in fixed or [] if len(g) > 1]
    rows, cols = np.concatenate(links_i), np.concatenate(links_j)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n, n)).tocsr()
    _, label = connected_components(graph, directed=False)
    sizes = np.bincount(label)
    within = label[i] == label[j]
    order = np.argsort(label[i[within]], kind="stable")  # each component's pairs together, in their order
    comp_i, comp_j, comp_p = i[within][order], j[within][order], p[within][order]
    comp_of_pair = label[comp_i]
    nodes = np.argsort(label, kind="stable")  # each component's reports together, increasing
    node_start = np.r_[0, np.cumsum(sizes)]
    pair_start = np.searchsorted(comp_of_pair, np.arange(len(sizes) + 1))
    fixed_of: dict[int, list[list[int]]] = defaultdict(list)
    for g in fixed or []:
        fixed_of[int(label[g[0]])].append(g)
    tasks, batch, held = [], [], 0
    for c in np.flatnonzero(sizes > 1).tolist():
        members = nodes[node_start[c] : node_start[c + 1]]
        span = slice(pair_start[c], pair_start[c + 1])
        batch.append((members, comp_i[span], comp_j[span], comp_p[span], fixed_of.get(c, [])))
        held += span.stop - span.start
        if held >= GROUP_PAIRS:
            tasks.append(batch)
            batch, held = [], 0
    if batch:
        tasks.append(batch)
    alone = [[int(k)] for k in np.flatnonzero(sizes[label] == 1)]
    found = [g for done in executor.map(partial(_group_batch, thresholds=(pair_threshold, link_threshold)), tasks)
             for g in done]
    return sorted(alone + found, key=lambda g: g[0])


def _group_batch(batch: list[tuple], thresholds: tuple[float, float]) -> list[list[int]]:
    """:func:`group` over each component of a batch, in its reports' global indices."""
    import numpy as np

    out = []
    for members, i, j, p, fixed in batch:
        local = np.searchsorted(members, np.stack([i, j]))  # increasing: the order of pairs and ties kept
        position = {int(x): k for k, x in enumerate(members)}
        scores = dict(zip(zip(local[0].tolist(), local[1].tolist()), p.tolist()))
        groups = group(len(members), scores, [[position[x] for x in g] for g in fixed], *thresholds)
        out += [[int(members[k]) for k in g] for g in groups]
    return out


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
