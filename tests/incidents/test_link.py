"""The learned pair linker: its exported trees, and the decisions it must get right.

The three stories below are this project's own writing. Each pair is analyzed by the real
pipeline (spaCy, the role model, the relevance classifier) and scored by the shipped linker.
"""

from __future__ import annotations

import numpy as np
import pytest

import corroborate
from corroborate.incidents import link
from corroborate.incidents.cluster import cluster_features, features, scored_pairs

SALON = """Riverside salon marks 40 years on Main Street

RIVERBEND, Ohio -- Clara Jennings opened her hair salon on Main Street in 1984 with two chairs and a
borrowed dryer. On Saturday, dozens of longtime customers crowded into the shop to celebrate its
fortieth anniversary with cake, music and free trims for children. Jennings, 71, said she has no plans
to retire. "My customers are my family," she said. The salon now employs six stylists and has expanded
into the storefront next door, which once housed a shoe repair shop.
"""

VOTERS = """Riverbend voters weigh school levy in Tuesday election

RIVERBEND, Ohio -- Voters in Riverbend will decide on Tuesday whether to approve a property tax levy
that would raise about $4 million a year for the city's schools. Supporters say the money would repair
aging buildings and restore bus routes cut last year. Opponents, led by the Riverbend Taxpayers
Association, argue that homeowners already pay too much. Polls open at 6:30 a.m. at the county's
twelve precincts, election officials said.
"""

SHOOTING_ONE = """Man killed in shooting outside Riverbend bar

RIVERBEND, Ohio -- A 34-year-old man was shot and killed outside the Blue Anchor bar on Dock Street
early Sunday, police said. Officers found Marcus Dell with a gunshot wound to the chest shortly after
1 a.m.; he died at Riverbend General Hospital. Police Chief Ellen Ruiz said detectives were looking
for a man seen running toward the river. No arrests have been made.
"""

SHOOTING_ONE_OTHER_WORDS = """Police hunt gunman after fatal Dock Street shooting

Riverbend detectives are searching for the person who fatally shot Marcus Dell, 34, in front of a
bar in the city's waterfront district on Sunday morning. Dell was taken to Riverbend General Hospital,
where he was pronounced dead, according to Chief Ellen Ruiz. Witnesses told officers they heard a
single shot at about 1 a.m. and saw a man flee on foot toward the river.
"""

SHOOTING_NEXT_WEEK = """Woman wounded in Riverbend drive-by shooting

RIVERBEND, Ohio -- A 22-year-old woman was wounded Sunday night when someone fired several shots
from a passing car on Elm Avenue, police said. Tanya Brooks was hit in the leg and taken to Riverbend
General Hospital in stable condition. Police Chief Ellen Ruiz said investigators had recovered shell
casings and were reviewing camera footage. No arrests have been made.
"""


def _run(tmp_path, stories: dict[str, tuple[str, str]]):
    """Each story as a JSONL line with a publication date, run through ``corroborate.run``."""
    import json

    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": text, "published": day}) + "\n"
                            for k, (text, day) in stories.items()), encoding="utf-8")
    return corroborate.run([path], workers=1)


def _linked(result) -> list[list[str]]:
    """The reports grouped by the linker alone, whatever the relevance gate says."""
    feats = [features(r) for r in result.reports]
    return [[result.reports[i].id for i in g] for g in cluster_features(feats)]


def test_two_calm_articles_on_different_subjects_are_never_one_incident(tmp_path):
    result = _run(tmp_path, {"salon": (SALON, "2024-05-04"), "voters": (VOTERS, "2024-05-04")})
    assert not any({"salon", "voters"} <= set(i.reports) for i in result.incidents)
    assert _linked(result) == [["salon"], ["voters"]]


def test_two_shootings_in_one_city_a_week_apart_with_different_victims_are_two_incidents(tmp_path):
    result = _run(tmp_path, {"dell": (SHOOTING_ONE, "2024-05-05"), "brooks": (SHOOTING_NEXT_WEEK, "2024-05-12")})
    assert sorted(sorted(i.reports) for i in result.incidents) == [["brooks"], ["dell"]]


def test_one_shooting_told_by_two_outlets_in_other_words_is_one_incident(tmp_path):
    result = _run(tmp_path, {"herald": (SHOOTING_ONE, "2024-05-05"), "wire": (SHOOTING_ONE_OTHER_WORDS, "2024-05-05")})
    assert [sorted(i.reports) for i in result.incidents] == [["herald", "wire"]]
    feats = [features(r) for r in result.reports]
    pairs, matrix = scored_pairs(feats)
    probability = link.load_linker().lexical.probability(matrix)
    assert pairs == [(0, 1)] and probability[0] > 0.5, (pairs, probability)


@pytest.mark.parametrize("leaves", [7, 15, 31, 63])
def test_exported_trees_score_as_scikit_learn_does(leaves):
    """The node tables the model file holds, evaluated with numpy (leaf bitmasks of 8 to 64
    bits), give scikit-learn's own decision function, missing values and values equal to a
    threshold included."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    from corroborate.incidents.train_linker import export

    rng = np.random.default_rng(3)
    x = rng.normal(size=(600, len(link.FEATURES)))
    x[rng.random(x.shape) < 0.2] = np.nan
    y = (np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 5]) - np.isnan(x[:, 9]) > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=leaves, min_samples_leaf=5,
                                           random_state=0).fit(x, y)
    data = export(model, list(link.FEATURES), (1.0, 0.0), (0.5, 0.4))
    scorer = link.Scorer(data)
    assert scorer.forest.dtype == {7: np.uint8, 15: np.uint16, 31: np.uint32, 63: np.uint64}[leaves]
    for k, tree in enumerate(scorer.trees[:100]):  # rows that sit exactly on thresholds
        inner = np.flatnonzero(~tree.leaf)
        x[k, tree.feature[inner]] = tree.threshold[inner]
    assert np.allclose(scorer.margin(x), model.decision_function(x))
    assert np.allclose(scorer.probability(x), model.predict_proba(x)[:, 1])


def test_the_shipped_linker_is_calibrated_and_thresholded():
    linker = link.load_linker()
    for scorer in (linker.lexical, linker.embedding):
        assert 0.0 < scorer.link_threshold <= scorer.pair_threshold < 1.0
        assert scorer.features == [f for f in link.FEATURES if scorer is linker.embedding or f != "lead_cosine"]
    assert "lead_cosine" not in linker.lexical.features


@pytest.mark.parametrize("name", ["jaccard", "tfidf", "places", "same_city"])
def test_more_shared_evidence_never_lowers_the_probability(name):
    """The monotonic constraints hold in the shipped model: raising a similarity feature, all
    else equal, does not lower the probability."""
    scorer = link.load_linker().lexical
    rows = np.full((11, len(link.FEATURES)), np.nan)
    rows[:, link.COLUMN["tfidf"]] = 0.3
    rows[:, link.COLUMN["jaccard"]] = 0.05
    rows[:, link.COLUMN[name]] = np.linspace(0, 1, 11)
    probability = scorer.probability(rows)
    assert np.all(np.diff(probability) >= -1e-12), probability
