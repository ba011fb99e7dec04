"""Synthetic news at scale: copies of analyzed reports that tell *other* incidents the same way.

Copy k of the corpus (its k-th *generation*) is the corpus retold later, elsewhere, by other
people, in partly other words:

- dates move by k times the corpus's span of days: each generation is as dense in time as the
  corpus, so a date-bound blocking key (a city in a week, a rare word in a season) holds as many
  reports at any size;
- each resolved place (city, region, country) becomes another place of the corpus;
- every word of a name (named entities, victims' and suspects' names) takes the generation's
  suffix ("Okonjo" -> "Okonjoqb"): names are new in each generation, as they are per incident;
- a share of the words (``REPLACED``: content words, that is not spaCy stop words, of 3+
  letters; other words; figures) become another word of their kind of about the same frequency
  in the corpus.

Each mapping is the generation's, not the report's (every report that said "Chicago" now says
"Tulsa"), so reports of one incident in the corpus still tell one incident in each copy, while two
copies of one report share few word 3-grams: on the GVA dev reports, copies k and k' have a
shingle Jaccard of 0.04 (median; 0.07 at the 90th percentile, none of 13,000 pairs at 0.3), and
LSH at threshold 0.3 would propose about 0.3% of them (two reports of different incidents of the
corpus: median 0.001).
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from corroborate.lang.en import stop_words
from corroborate.records import Place, Report

#: the share of the corpus's words that a generation replaces, by kind
REPLACED = {"content": 0.45, "other": 0.2, "number": 0.5}
#: a word is replaced by one of the BIN words of its kind nearest it in frequency rank
BIN = 200
#: entity labels that are not names (reworded like the rest of the text)
NOT_NAMES = {"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"}
_TOKEN = re.compile(r"[A-Za-z]+|[0-9]+")
_LETTERS = re.compile(r"[A-Za-z]+")


def _place_key(place: Place) -> tuple:
    return place.city, place.region, place.country


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _shifted(value: str | None, days: int) -> str | None:
    day = _date(value)
    try:
        return (day + timedelta(days=days)).isoformat() + value[10:] if day and value else value
    except OverflowError:
        return value


def _letters(k: int) -> str:
    """k in base 26, in letters (a digit would add a figure to the text)."""
    return (_letters(k // 26) if k >= 26 else "") + chr(97 + k % 26)


class Variation:
    """What the copies of ``reports`` draw on: the corpus's words by kind and frequency, its
    resolved places and its span of days."""

    def __init__(self, reports: list[Report], seed: int = 20):
        self.reports, self.seed = reports, seed
        stop = stop_words()
        words = Counter(w for r in reports for w in _TOKEN.findall(f"{r.title or ''} {r.text}".lower()))
        self.vocabulary = defaultdict(list)  # kind -> words, most frequent first
        for w in sorted(words, key=lambda w: (-words[w], w)):
            self.vocabulary["number" if w.isdigit() else "content" if len(w) > 2 and w not in stop else "other"].append(w)
        places = {_place_key(i.place): i.place for r in reports for e in r.events for i in e.locations if i.place and i.place.region}
        self.places = [places[key] for key in sorted(places, key=str)]
        days = sorted(d for r in reports if (d := _date(r.published)))
        self.span = (days[-1] - days[0]).days + 1 if days else 365

    def copies(self, k: int) -> list[Report]:
        """Generation ``k`` of the corpus (0: the reports themselves)."""
        if k == 0:
            return list(self.reports)
        rng = random.Random(f"{self.seed}/{k}")
        words = {}
        for kind, vocabulary in sorted(self.vocabulary.items()):
            for rank, word in enumerate(vocabulary):
                if rng.random() < REPLACED[kind]:
                    low = rank - rank % BIN
                    words[word] = vocabulary[rng.randrange(low, min(low + BIN, len(vocabulary)))]
        places = dict(zip(map(_place_key, self.places), rng.sample(self.places, len(self.places))))
        return [self._copy(r, k, "q" + _letters(k), words, places) for r in self.reports]

    def _copy(self, report: Report, k: int, tag: str, words: dict, places: dict) -> Report:
        def rename(name: str) -> str:
            return _LETTERS.sub(lambda m: m.group() + tag, name)

        def reword(text: str) -> str:
            def one(m: re.Match) -> str:
                new = words.get(m.group().lower())
                return m.group() if new is None else new.capitalize() if m.group()[0].isupper() else new
            return _TOKEN.sub(one, text)

        def item(it):
            update = {"name": rename(it.name)} if it.name else {}
            if it.place is not None:
                update["place"] = places.get(_place_key(it.place), it.place)
            return it.model_copy(update=update) if update else it

        # the text, entity by entity: the entities' spans still slice it
        outlets = {s.lower() for s in report.cited_sources}
        pieces, entities, renamed, at, length = [], [], {}, 0, 0
        for e in sorted(report.entities, key=lambda e: e.start):
            if e.start < at:  # overlapping: kept as it is
                entities.append(e)
                continue
            gap = reword(report.text[at : e.start])
            if e.text.lower() in outlets:
                new = e.text
            elif e.label in NOT_NAMES:
                new = reword(e.text)
            else:
                new = renamed[e.text] = rename(e.text)
            pieces += [gap, new]
            start, length, at = length + len(gap), length + len(gap) + len(new), e.end
            entities.append(e.model_copy(update={"text": new, "start": start, "end": length}))
        pieces.append(reword(report.text[at:]))
        title = report.title
        for old in sorted(renamed, key=len, reverse=True) if title else ():
            title = title.replace(old, renamed[old])
        days = k * self.span
        roles = ("locations", "victims", "perpetrator_individuals")
        events = [e.model_copy(update={"date": _shifted(e.date, days), **{r: [item(i) for i in getattr(e, r)] for r in roles}})
                  for e in report.events]
        return report.model_copy(update={
            "id": f"{report.id}~{k}", "title": reword(title) if title else title, "published": _shifted(report.published, days),
            "text": "".join(pieces), "entities": entities, "events": events})


def variations(reports: list[Report], n: int, seed: int = 20) -> Iterator[Report]:
    """``n`` reports: ``reports`` first, then copy 1 of each, copy 2 of each, ... (copy k of a
    report: id ``f"{report.id}~{k}"``)."""
    variation = Variation(reports, seed)
    k = 0
    while n > 0 and reports:
        yield from variation.copies(k)[:n]
        n -= len(reports)
        k += 1
