"""People and group aliases in the incident record: victim and suspect facts, merged by name."""

from __future__ import annotations

from helpers import fact

from corroborate.incidents.people import aliases, group_key, group_keys, normalize_group
from corroborate.incidents.reconcile import reconcile
from corroborate.records import Event, Report, RoleItem


def item(text, phrase, **fields):
    start = text.index(phrase)
    return RoleItem(text=phrase, start=start, end=start + len(phrase), **fields)


def report(rid, text, victims=(), suspects=(), orgs=(), published=None):
    """``victims``/``suspects``: (phrase, fields); ``orgs``: (phrase, status)."""
    event = Event(
        type="shooting",
        victims=[item(text, p, **f) for p, f in victims],
        perpetrator_individuals=[item(text, p, **f) for p, f in suspects],
        perpetrator_organizations=[item(text, p, status=s) for p, s in orgs],
    )
    return Report(id=rid, text=text, origin=rid, events=[event], published=published)


def facts(incident, slot):
    return [f for f in incident.facts if f.slot == slot]


def check_provenance(incident, reports):
    texts = {r.id: r.text for r in reports}
    for f in (f for f in incident.facts if f.slot in {"perpetrator", "victim", "suspect"}):
        assert f.support, f
        for p in f.support + f.dissent:
            assert texts[p.report][p.start : p.end] == p.text


# --- groups ---


def test_aliases_merge_into_one_isis_fact():
    reports = [
        report("a", "ISIS claimed the attack on Friday.", orgs=[("ISIS", "claimed")]),
        report("b", "The Islamic State group said it carried out the attack.", orgs=[("Islamic State group", "claimed")]),
        report("c", "Daesh claimed responsibility, a statement said.", orgs=[("Daesh", "claimed")]),
        report("d", "Officials blamed ISIL for the bombing.", orgs=[("ISIL", "accused")]),
        report("e", "ISIS said its fighters attacked the hall.", orgs=[("ISIS", "claimed")]),
    ]
    incident = reconcile(reports)
    [f] = facts(incident, "perpetrator")
    assert (f.value, f.qualifier, f.status, len(f.support)) == ("ISIS", "claimed", "corroborated", 5)
    check_provenance(incident, reports)


def test_group_names_normalize():
    assert normalize_group("The Islamic State group") == normalize_group("Islamic State") == "islamicstate"
    assert group_key("al-Qa'ida") == group_key("Al Qaeda") == group_key("al-Qaeda") == "al-Qaeda"
    assert group_key("Sendero Luminoso") == group_key("the Shining Path") == "Shining Path"
    assert group_key("Farabundo Marti National Liberation Front") == group_key("FMLN") == "FMLN"
    assert group_key("Black Tide Front") != group_key("Free Coast Movement")
    assert all(value for value in aliases().values())


def test_an_acronym_joins_its_full_name_in_the_same_incident():
    keys = group_keys(["Movimiento Revolucionario Tupac Amaru", "MRTA", "Red Hand Brigade", "RHB", "XYZ"])
    assert keys["MRTA"] == keys["Movimiento Revolucionario Tupac Amaru"]
    assert keys["RHB"] == keys["Red Hand Brigade"]
    assert keys["XYZ"] != keys["RHB"]


# --- people ---


def test_name_variants_are_one_victim_with_three_supports():
    reports = [
        report("a", "Andrew J. Williams, 32, was shot and killed on North Street.",
               victims=[("Andrew J. Williams", {"name": "Andrew J. Williams", "age": 32, "harm": "killed"})]),
        report("b", "Police named the victim as Andrew Williams of Elgin.",
               victims=[("Andrew Williams", {"name": "Andrew Williams", "gender": "male"})]),
        report("c", "Williams died at the scene, police said.", victims=[("Williams", {"name": "Williams", "harm": "killed"})]),
    ]
    incident = reconcile(reports)
    [f] = facts(incident, "victim")
    assert (f.value, f.qualifier, f.age, f.gender, f.status) == ("Andrew J. Williams", "killed", 32, "male", "corroborated")
    assert [p.report for p in f.support] == ["a", "b", "c"]
    check_provenance(incident, reports)


def test_contradicting_ages_stay_two_people():
    reports = [
        report("a", "Maria Lopez, 32, was wounded in the attack.", victims=[("Maria Lopez", {"name": "Maria Lopez", "age": 32, "harm": "injured"})]),
        report("b", "Maria Lopez, 45, was wounded as well.", victims=[("Maria Lopez", {"name": "Maria Lopez", "age": 45, "harm": "injured"})]),
    ]
    found = facts(reconcile(reports), "victim")
    assert sorted(f.age for f in found) == [32, 45]
    assert all(f.status == "single_source" for f in found)


def test_different_first_names_or_genders_stay_apart():
    reports = [
        report("a", "John Smith and Mary Smith were shot.", victims=[
            ("John Smith", {"name": "John Smith", "harm": "harmed"}), ("Mary Smith", {"name": "Mary Smith", "harm": "harmed"})]),
        report("b", "Smith, a man of 40, was injured.", victims=[("Smith", {"name": "Smith", "gender": "male", "age": 40, "harm": "injured"})]),
    ]
    found = facts(reconcile(reports), "victim")
    assert {f.value for f in found} == {"John Smith", "Mary Smith", "Smith"}


def test_a_surname_alone_joins_the_person_its_own_report_names():
    reports = [
        report("a", "John Smith and Mary Smith were shot. Smith died.", victims=[
            ("John Smith", {"name": "John Smith"}), ("Mary Smith", {"name": "Mary Smith"}), ("Smith", {"name": "Smith", "harm": "killed"})]),
    ]
    found = facts(reconcile(reports), "victim")
    assert {f.value for f in found} == {"John Smith", "Mary Smith", "Smith"}  # ambiguous: stays apart
    reports = [
        report("a", "John Smith was shot. Smith died.", victims=[("John Smith", {"name": "John Smith"}), ("Smith", {"name": "Smith", "harm": "killed"})]),
        report("b", "Mary Smith was hurt.", victims=[("Mary Smith", {"name": "Mary Smith", "harm": "injured"})]),
        report("c", "Smith was taken to hospital.", victims=[("Smith", {"name": "Smith"})]),
    ]
    found = {f.value: f for f in facts(reconcile(reports), "victim")}
    assert [p.text for p in found["John Smith"].support] == ["John Smith", "Smith"]
    assert "Smith" in found  # report c's Smith fits both: a person of its own


def test_described_people_merge_only_on_clear_agreement():
    reports = [
        report("a", "A 12-year-old boy was shot and killed.", victims=[("12-year-old boy", {"age": 12, "gender": "male", "harm": "killed"})]),
        report("b", "The boy, 12, died at the hospital.", victims=[("boy", {"age": 12, "gender": "male", "harm": "killed"})]),
        report("c", "A man was wounded.", victims=[("man", {"gender": "male", "harm": "injured"})]),
        report("d", "Another man was hurt.", victims=[("man", {"gender": "male", "harm": "injured"})]),
        report("e", "Several people were hurt and the victim was taken away.", victims=[("people", {"harm": "injured"}), ("victim", {})]),
    ]
    incident = reconcile(reports)
    found = facts(incident, "victim")
    boy = next(f for f in found if f.age == 12)
    assert (boy.value, boy.status, [p.report for p in boy.support]) == ("12-year-old boy", "corroborated", ["a", "b"])
    assert sorted(f.value for f in found) == ["12-year-old boy", "man", "man"]  # "a man" twice: no age, no merge
    check_provenance(incident, reports)


def test_a_described_victim_joins_a_named_one_of_the_same_age_and_gender():
    reports = [
        report("a", "Keisha Brown, 19, a student, was killed.", victims=[("Keisha Brown", {"name": "Keisha Brown", "age": 19, "gender": "female", "harm": "killed"})]),
        report("b", "A 19-year-old woman was killed overnight.", victims=[("19-year-old woman", {"age": 19, "gender": "female", "harm": "killed"})]),
    ]
    [f] = facts(reconcile(reports), "victim")
    assert (f.value, f.status, len(f.support)) == ("Keisha Brown", "corroborated", 2)


def test_an_early_injury_revised_to_a_death_is_discrepant():
    reports = [
        report("a", "Tom Reed was wounded.", victims=[("Tom Reed", {"name": "Tom Reed", "harm": "injured"})], published="2024-01-01"),
        report("b", "Tom Reed died of his wounds.", victims=[("Tom Reed", {"name": "Tom Reed", "harm": "killed"})], published="2024-01-03"),
    ]
    f = fact(reconcile(reports), "victim")
    assert (f.qualifier, f.status, f.revised) == ("killed", "discrepant", True)


def test_suspect_facts_take_the_most_advanced_status():
    reports = [
        report("a", "Police are searching for Dale Cooper, 25.", suspects=[("Dale Cooper", {"name": "Dale Cooper", "age": 25, "status": "at_large"})]),
        report("b", "Cooper was arrested and charged with murder.", suspects=[("Cooper", {"name": "Cooper", "status": "charged"})]),
        report("c", "Gunmen fled.", suspects=[("Gunmen", {"status": "suspected"})]),
    ]
    incident = reconcile(reports)
    [f] = facts(incident, "suspect")
    assert (f.value, f.qualifier, f.age, f.status) == ("Dale Cooper", "charged", 25, "corroborated")
    check_provenance(incident, reports)


def test_a_victim_who_was_killed_is_never_also_a_suspect():
    """Victim wins when a report says the person was killed or injured and none says they were
    arrested, charged, or died as the perpetrator; the suspect mentions become dissent."""
    reports = [
        report("a", "Ray Hall was shot and killed.", victims=[("Ray Hall", {"name": "Ray Hall", "harm": "killed"})]),
        report("b", "Ray Hall opened fire, a witness said.", suspects=[("Ray Hall", {"name": "Ray Hall", "status": "suspected"})]),
    ]
    incident = reconcile(reports)
    assert facts(incident, "suspect") == []
    [f] = facts(incident, "victim")
    assert ([p.report for p in f.support], [p.report for p in f.dissent]) == (["a"], ["b"])
    check_provenance(incident, reports)


def test_an_arrested_person_is_a_suspect_not_a_victim():
    reports = [
        report("a", "Ray Hall was injured in the exchange.", victims=[("Ray Hall", {"name": "Ray Hall", "harm": "injured"})]),
        report("b", "Ray Hall was arrested at the scene.", suspects=[("Ray Hall", {"name": "Ray Hall", "status": "arrested"})]),
    ]
    incident = reconcile(reports)
    assert facts(incident, "victim") == []
    f = fact(incident, "suspect")
    assert (f.value, f.qualifier, [p.report for p in f.dissent]) == ("Ray Hall", "arrested", ["a"])


def test_items_without_person_attributes_fall_back_to_full_names():
    """Before the extractor fills name/age/gender, a capitalized full name is still a person."""
    reports = [
        report("a", "Andrew Williams was shot.", victims=[("Andrew Williams", {})]),
        report("b", "Gunmen shot civilians and Andrew Williams.", victims=[("civilians", {}), ("Andrew Williams", {})]),
    ]
    [f] = facts(reconcile(reports), "victim")
    assert (f.value, f.status) == ("Andrew Williams", "corroborated")
