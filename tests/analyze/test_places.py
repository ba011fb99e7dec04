"""The offline gazetteer and the place resolver (issue 15), on the real shipped gazetteer."""

from __future__ import annotations

import gzip
import json
import shutil
from importlib import resources

import pytest
from helpers import GVA

from corroborate.analyze import places
from corroborate.analyze.places import PlaceContext, dateline, most_specific, resolve
from corroborate.learned import ModelIntegrityError
from corroborate.records import Place


def test_gazetteer_file_is_small_and_checked():
    raw = resources.files("corroborate.analyze").joinpath(places.NAME).read_bytes()
    assert len(raw) < 5_000_000
    g = places.load_gazetteer()
    assert g.regions[("US", "NC")].name == "North Carolina"
    assert g.state_abbr["nc"].name == "North Carolina"  # "N.C."
    assert g.state_abbr["calif"].name == "California"
    assert {e.admin1 for e in g.counties["greene"]} >= {"NC", "OH", "TN"}


def test_tampered_gazetteer_is_refused(tmp_path):
    src = resources.files("corroborate.analyze").joinpath(places.NAME)
    good = tmp_path / "places.tsv.gz"
    good.write_bytes(src.read_bytes())
    assert places.load_gazetteer(good).countries["FR"].name == "France"
    text = gzip.decompress(good.read_bytes()).decode("utf-8").replace("\tRocky Mount\t", "\tRocky Mountain\t")
    bad = tmp_path / "tampered.tsv.gz"
    bad.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    with pytest.raises(ModelIntegrityError, match="sha256"):
        places.load_gazetteer(bad)
    truncated = tmp_path / "truncated.tsv.gz"
    shutil.copyfile(good, truncated)
    truncated.write_bytes(good.read_bytes()[:-10])
    with pytest.raises(ModelIntegrityError):
        places.load_gazetteer(truncated)


def test_dateline_ap_style():
    text = "ROCKY MOUNT, N.C. (AP) — Police say a man was shot."
    start, end, place = dateline(text)
    assert (start, end) == (0, 11)
    assert text[start:end] == "ROCKY MOUNT"
    assert place.kind == "city"
    assert place.city == "Rocky Mount"
    assert place.region == "North Carolina"
    assert place.country == "United States"
    assert place.geonameid == 4488762


@pytest.mark.parametrize(
    ("text", "words", "city", "region"),
    [
        ("CHICAGO — Two men were wounded.", "CHICAGO", "Chicago", "Illinois"),
        ("NEW ORLEANS (WWL) -- A man was shot.", "NEW ORLEANS", "New Orleans", "Louisiana"),
        ("Elgin, Ill. — Five people were shot.", "Elgin", "Elgin", "Illinois"),
        ("Boy shot in the arm\n\nJACKSON, Tenn — A boy was shot.", "JACKSON", "Jackson", "Tennessee"),
        ("SPRINGFIELD, Mass. (AP) - A woman was hurt.", "SPRINGFIELD", "Springfield", "Massachusetts"),
    ],
)
def test_dateline_forms(text, words, city, region):
    start, end, place = dateline(text)
    assert text[start:end] == words
    assert (place.city, place.region, place.country) == (city, region, "United States")


def test_dateline_county():
    text = "ANDERSON Co., S.C. (WSPA) – One woman was hurt."
    start, end, place = dateline(text)
    assert text[start:end] == "ANDERSON Co."
    assert (place.kind, place.county, place.region) == ("county", "Anderson County", "South Carolina")


@pytest.mark.parametrize(
    "text",
    [
        "Police said a man was shot on Tuesday - and later died.",
        "UPDATE: 8/18/16 5:25 p.m. -\n\nPolice were called to a home.",
        "The victim, John Smith - a father of two - died.",
        "Springfield police said - without naming him - that a man was arrested.",
        "Breaking - a shooting in a mall.",
    ],
)
def test_no_dateline_in_ordinary_sentences(text):
    assert dateline(text) is None


def test_street_takes_the_city_of_the_dateline():
    text = "NEW ORLEANS (WWL) -- A man was shot on Canal Street late Sunday."
    ctx = PlaceContext.from_text(text, ["Canal Street"])
    p = resolve("Canal Street", context=ctx)
    assert (p.kind, p.name, p.city, p.region, p.country) == ("street", "Canal Street", "New Orleans", "Louisiana", "United States")
    block = resolve("300 block of North Street", context=ctx)
    assert (block.kind, block.city) == ("street", "New Orleans")


def test_street_of_a_named_city_and_state():
    text = "Five people were shot in Elgin early Sunday, police in Illinois said. It happened in the 300 block of North Street."
    ctx = PlaceContext.from_text(text, ["Elgin", "Illinois", "300 block of North Street"])
    assert ctx.regions["IL"] >= 1
    p = resolve("300 block of North Street", context=ctx)
    assert (p.kind, p.city, p.region) == ("street", "Elgin", "Illinois")
    elgin = resolve("Elgin", context=ctx)
    assert (elgin.kind, elgin.city, elgin.region) == ("city", "Elgin", "Illinois")


def test_springfield_follows_the_state_in_context():
    il = PlaceContext.from_text("A man was shot in Springfield, the Illinois State Police said.", ["Springfield"])
    ma = PlaceContext.from_text("A man was shot in Springfield, Massachusetts police said.", ["Springfield"])
    assert resolve("Springfield", context=il).region == "Illinois"
    assert resolve("Springfield", context=ma).region == "Massachusetts"
    assert resolve("Springfield, Mass.").region == "Massachusetts"
    # no context: the most populous Springfield
    assert resolve("Springfield").region == "Missouri"


def test_common_words_and_phrases_do_not_resolve_alone():
    assert resolve("Canal") is None
    assert resolve("Pandora's box") is None
    assert resolve("Pandora") is None
    assert resolve("Police") is None
    ohio = PlaceContext.from_text("A girl was shot in Pandora, Ohio.", ["Pandora", "Ohio"])
    assert resolve("Pandora", context=ohio).region == "Ohio"


def test_county_regions_and_countries():
    p = resolve("Greene County, N.C.")
    assert (p.kind, p.county, p.region, p.country) == ("county", "Greene County", "North Carolina", "United States")
    assert resolve("Greene County") is None  # fourteen states have one
    nc = PlaceContext.from_text("Deputies in North Carolina said.", [])
    assert resolve("Greene County", context=nc).region == "North Carolina"
    assert resolve("Cuyahoga County").region == "Ohio"  # only one
    assert (resolve("Illinois").kind, resolve("Illinois").region) == ("region", "Illinois")
    fr = resolve("France")
    assert (fr.kind, fr.country) == ("country", "France")
    assert resolve("St. Louis").city == resolve("Saint Louis").city == "St. Louis"


def test_most_specific_fills_the_street_with_its_city():
    street = Place(name="North Street", kind="street")
    city = resolve("Elgin, Ill.")
    state = resolve("Illinois")
    best = most_specific([state, street, city])
    # a street without a city of its own is not placed in one; the city stands
    assert (best.kind, best.city, best.region) == ("city", "Elgin", "Illinois")
    ctx = PlaceContext.from_text("Elgin, Ill. — Five people were shot on North Street.", ["North Street"])
    street = resolve("North Street", context=ctx)
    best = most_specific([state, city, street])
    assert (best.kind, best.name, best.city, best.region, best.country) == ("street", "North Street", "Elgin", "Illinois", "United States")
    assert best.lat == city.lat


def test_most_specific_follows_the_city_named_most():
    chicago, elgin = resolve("Chicago"), resolve("Elgin, Ill.")
    assert most_specific([elgin, chicago, chicago]).city == "Chicago"
    assert most_specific([elgin, chicago]).city == "Elgin"  # a tie: the first
    assert most_specific([]) is None
    assert most_specific([resolve("Illinois")]).region == "Illinois"


@pytest.mark.skipif(not GVA.exists(), reason="../shared (GVA dev data) is not present beside the repo")
def test_gva_datelines_resolve_in_the_gold_state():
    """Every dateline of the GVA training reports that resolves is in the incident's gold state
    (real reports; the held-out part is not read)."""
    from corroborate.splits import gva_key, held_out

    incidents = {}
    for line in (GVA / "incidents.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        incidents[d["incident_id"]] = d
    found = right = 0
    for line in (GVA / "reports.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        if held_out(gva_key(r["incident_id"])):
            continue
        dl = dateline(r["text"])
        if dl is None:
            continue
        start, end, place = dl
        assert r["text"][start:end].strip() == r["text"][start:end]
        found += 1
        right += place.region == incidents[r["incident_id"]]["state"]
    assert found > 300
    assert right / found > 0.95
