"""The trained role extractor, through the real pipeline (real spaCy model and shipped weights)."""

from __future__ import annotations

from corroborate.records import Report
from corroborate.steps import analyze_reports


def _event(text: str, published: str | None = "2024-05-06"):
    [report] = analyze_reports([Report(id="t", text=text, origin="test", published=published)])
    assert report.events, "no event found"
    for event in report.events:
        for field in ("perpetrator_organizations", "perpetrator_individuals", "victims", "targets", "weapons", "locations"):
            for item in getattr(event, field):
                assert report.text[item.start:item.end] == item.text
    return report.events[0]


def test_the_model_runs_in_the_pipeline(nlp):
    from corroborate.analyze import roles

    assert roles.NAME in nlp.pipe_names
    assert nlp.pipe_names.index(roles.NAME) < nlp.pipe_names.index("ner")
    doc = nlp("Gunmen shot and killed Maria Lopez, 32, outside a bar in Memphis on Saturday night, police said.")
    assert doc.ents, "spaCy's own entities are still found"
    assert {s.label_ for s in doc.spans["roles"]} <= set(roles.LABELS)


def test_named_suspects_not_the_word_suspects_and_the_victim_is_no_suspect():
    event = _event(
        "Police arrested two suspects, Marcus Reed, 22, and Tyrell Banks, 19, on Monday in the shooting "
        "death of Keisha Moore, 31, who was shot outside her home in Memphis on Saturday. The suspects "
        "were charged with first-degree murder."
    )
    suspects = {p.name: p for p in event.perpetrator_individuals}
    assert set(suspects) == {"Marcus Reed", "Tyrell Banks"}  # not "suspects", the word
    assert suspects["Marcus Reed"].status == "arrested" and suspects["Marcus Reed"].age == 22
    victims = {v.name: v for v in event.victims}
    assert set(victims) == {"Keisha Moore"}
    assert (victims["Keisha Moore"].harm, victims["Keisha Moore"].age) == ("killed", 31)
    assert event.date == "2024-05-04"  # "on Saturday", resolved against the Monday publication


def test_a_named_suspect_is_never_a_victim_and_the_dateline_places_the_street():
    event = _event(
        "ELGIN, Ill. (AP) — Andrew Williams, 32, was shot and killed Saturday night outside a bar on "
        "Main Street, police said. Police arrested Henry Jackson, 19, on Sunday and charged him with "
        "first-degree murder. Jackson used a handgun, police said."
    )
    assert [(p.name, p.status, p.age) for p in event.perpetrator_individuals] == [("Henry Jackson", "charged", 19)]
    assert not any("Jackson" in v.text for v in event.victims)  # "Jackson used a handgun": one person, one role
    assert not any("Williams" in p.text for p in event.perpetrator_individuals)
    place = event.locations[0].place
    assert (place.name, place.kind, place.city, place.region, place.country) == ("Main Street", "street", "Elgin", "Illinois", "United States")
