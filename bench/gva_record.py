"""GVA dev: the incident record's place, date and people against GVA's coders.

Each gold incident with at least one report in the run's output is mapped to the predicted
incident that holds most of its reports (as in ``gva_incidents.py``); an incident none of whose
reports joined one has no record, and counts as wrong.

- **city right**: the record's place (``Incident.place``: its ``city``, ``county`` or ``name``)
  names the gold ``city_or_county``. GVA writes "Elgin", "Jackson County", "Greene (county)"
  (a county), "New York (Queens)" (either name is right); "St." reads as "Saint", a leading
  "The" and a trailing "City" are dropped ("New York City" is GVA's "New York").
- **date right**: ``Incident.date`` is the gold day.
- **named people**: gold participants with a name (Type Victim -> ``victim`` facts, Subject-Suspect
  -> ``suspect`` facts). A gold person is found when a fact of its slot has the same surname
  and, when both give one, the same first name. Precision is over the facts that give a name
  (``Fact.value`` with a capitalised word, not a description like "a 12-year-old boy").

``part``: ``held_out`` (the figure to quote), ``train`` or ``all``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from gva_counts import PARTS
from gva_incidents import matched

_MONTHS = {m: i for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"), 1)}


def gold_day(text: str) -> str | None:
    m = re.match(r"([A-Za-z]+) (\d{1,2}), (\d{4})", text.strip())
    if not m or m.group(1).lower() not in _MONTHS:
        return None
    return f"{int(m.group(3)):04d}-{_MONTHS[m.group(1).lower()]:02d}-{int(m.group(2)):02d}"


def norm_place(name: str) -> str:
    """Lowercase, "St."/"Ste." as "saint"/"sainte", no leading "the" (GeoNames writes "St. Louis"
    and "The Bronx", GVA "Saint Louis" and "Bronx")."""
    name = re.sub(r"\bst\.?\s", "saint ", name.strip().lower())
    name = re.sub(r"\bste\.?\s", "sainte ", name)
    return name.removeprefix("the ").strip().removesuffix(" city")


def city_names(gold: str) -> set[str]:
    """The names a gold ``city_or_county`` accepts, normalized (:func:`norm_place`)."""
    gold = gold.strip()
    names = set()
    m = re.match(r"(.+?)\s*\((.+)\)$", gold)
    if m:
        if m.group(2).strip().lower() == "county":
            names.add(f"{m.group(1).strip()} county".lower())
        else:
            names |= {m.group(1).strip().lower(), m.group(2).strip().lower()}
    else:
        names.add(gold.lower())
    return {norm_place(n) for n in names}


def name_tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"[a-z][a-z'\-]*", name.lower()) if len(t) > 1 and t not in {"jr", "sr", "ii", "iii"}]


def same_person(predicted: str, gold: str) -> bool:
    p, g = name_tokens(predicted), name_tokens(gold)
    if not p or not g or p[-1] != g[-1]:
        return False
    return len(p) == 1 or p[0] == g[0]


def is_name(value: object) -> bool:
    if not isinstance(value, str) or not value:
        return False
    first = value.split()[0]
    return first[:1].isupper() and first.lower() not in {"a", "an", "the", "two", "three", "one", "his", "her", "their", "police"}


def evaluate(incidents_path: Path, gva_dir: Path, part: str = "all") -> dict:
    city = date = total = 0
    found = {"victim": [0, 0], "suspect": [0, 0]}  # [found, gold named]
    named = {"victim": [0, 0], "suspect": [0, 0]}  # [right, given]
    for g, record in matched(incidents_path, gva_dir, part):
        total += 1
        place = record.get("place") or {}
        given = {norm_place(str(place.get(k) or "")) for k in ("city", "county", "name")} - {""}
        city += bool(given & city_names(g["city_or_county"]))
        date += record.get("date") is not None and record.get("date") == gold_day(g["date"])
        for slot, kind in (("victim", "Victim"), ("suspect", "Subject-Suspect")):
            people = [(p.get("Name") or "").strip() for p in g.get("participants", []) if (p.get("Type") or "").strip() == kind]
            people = [p for p in people if name_tokens(p)]
            facts = [f["value"] for f in record.get("facts", []) if f["slot"] == slot and is_name(f["value"])]
            found[slot][1] += len(people)
            found[slot][0] += sum(any(same_person(v, p) for v in facts) for p in people)
            named[slot][1] += len(facts)
            named[slot][0] += sum(any(same_person(v, p) for p in people) for v in facts)
    return {"incidents": total, "city": (city, total), "date": (date, total),
            "recall": {k: tuple(v) for k, v in found.items()}, "precision": {k: tuple(v) for k, v in named.items()}}


def _ratio(pair) -> str:
    return f"{pair[0]}/{pair[1]} = {pair[0] / max(pair[1], 1):.3f}"


if __name__ == "__main__":
    for part in ("held_out", "train"):
        r = evaluate(Path(sys.argv[1]), Path(sys.argv[2]), part)
        print(f"{PARTS[part]}: {r['incidents']} incidents")
        print(f"  city right {_ratio(r['city'])}; date right {_ratio(r['date'])}")
        for slot in ("victim", "suspect"):
            print(f"  named {slot}s: recall {_ratio(r['recall'][slot])}, precision {_ratio(r['precision'][slot])}")
