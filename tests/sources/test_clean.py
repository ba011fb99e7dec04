"""Tests for corroborate.sources.clean: furniture removal, trailing sections, bylines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.lang import en
from corroborate.sources.clean import (
    Cleaned,
    clean_text,
    furniture_name,
    top_level_alternatives,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
_skip_without_shared = pytest.mark.skipif(
    not SHARED.exists(), reason="../shared (seed reports) is not present beside the repo"
)


def needs_shared(test):
    return pytest.mark.shared(_skip_without_shared(test))

BODY = [
    "Police said two men were arrested on Friday after a shooting at a downtown bar.",
    "The victim, a 34-year-old man, was taken to a hospital in stable condition.",
    "Witnesses told reporters that an argument broke out shortly before midnight.",
    "Detectives are asking anyone with information to call the tip line.",
]
POLICY = (
    "We have no tolerance for comments containing violence, racism, profanity, vulgarity, "
    "doxing, or discourteous behavior. Thank you for partnering with us to maintain "
    "fruitful conversation."
)


def input_lines(raw: str) -> list[str]:
    return [ln.strip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def assert_accounted(raw: str, result: Cleaned) -> None:
    """Every input line is kept, removed, the byline line, or blank; kept lines are verbatim."""
    lines = input_lines(raw)
    kept = result.text.split("\n")
    for ln in lines:
        assert (
            not ln
            or ln in kept
            or ln in result.removed
            or (result.byline is not None and result.byline in ln)
        ), ln
    for ln in kept:
        assert ln == "" or ln in lines, ln
    it = iter(lines)  # removed lines come in document order
    assert all(any(r == ln for ln in it) for r in result.removed)
    assert "\n\n\n" not in result.text
    assert result.text == result.text.strip()


def test_patterns_file_is_documented_data_and_examples_match():
    spec = en.load("boilerplate")
    assert spec["_doc"]
    names = [p["name"] for p in spec["line_patterns"]]
    assert len(names) == len(set(names))
    assert set(spec["section_headings"]) <= set(names)
    assert set(spec["section_after"]) <= set(names)
    for p in spec["line_patterns"]:
        assert p["examples"], p["name"]
        for example in p["examples"]:
            assert furniture_name(example) == p["name"], example


def _plain_furniture_name(line: str) -> str | None:
    """furniture_name as the patterns file states it: each whole pattern searched in turn."""
    line = line.strip()
    for p in en.load("boilerplate")["line_patterns"]:
        if (p.get("max_len") is None or len(line) <= p["max_len"]) and re.search(p["pattern"], line, re.IGNORECASE):
            return p["name"]
    return None


def test_patterns_split_at_top_level_bars_only():
    assert top_level_alternatives(r"^a|b(c|d)|[|^]e|\|f|[]|]g|[^]|]h") == ["^a", "b(c|d)", "[|^]e", r"\|f", "[]|]g", "[^]|]h"]
    spec = en.load("boilerplate")
    for p in spec["line_patterns"]:
        parts = top_level_alternatives(p["pattern"])
        assert "|".join(parts) == p["pattern"]
        for part in parts:
            re.compile(part)  # each alternative is a whole regex: no bar inside a group was cut


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([ex for p in en.load("boilerplate")["line_patterns"] for ex in p["examples"]]),
       st.text(alphabet="ab .:|-©{}*", max_size=12), st.text(alphabet="ab .:|-©{}*", max_size=12))
def test_split_patterns_name_the_same_lines_as_the_whole_patterns(example, before, after):
    for line in (example, before + example, example + after, before + example + after, before + after):
        assert furniture_name(line) == _plain_furniture_name(line)


def test_comment_policy_removed_and_kept_in_removed():
    raw = "\n\n".join(BODY + [POLICY])
    result = clean_text(raw)
    assert "We have no tolerance" not in result.text
    assert POLICY in result.removed
    assert result.text == "\n\n".join(BODY)
    assert_accounted(raw, result)


def test_latest_articles_and_trailing_links_removed():
    links = ["Man charged in robbery of corner store", "Storm knocks out power to 5,000 homes"]
    raw = "\n\n".join(BODY + ["Latest Articles"] + links)
    result = clean_text(raw)
    assert result.text == "\n\n".join(BODY)
    assert result.removed == ["Latest Articles", *links]
    assert_accounted(raw, result)


def test_heading_early_in_text_removes_only_the_heading():
    raw = "\n\n".join(["Related Stories"] + BODY)
    result = clean_text(raw)
    assert result.removed == ["Related Stories"]
    assert result.text == "\n\n".join(BODY)


def test_late_heading_followed_by_prose_removes_only_the_heading():
    raw = "\n\n".join(BODY + ["More Stories:", "No one has been arrested in the case."])
    result = clean_text(raw)
    assert result.removed == ["More Stories:"]
    assert result.text.endswith("No one has been arrested in the case.")


def test_heading_after_comment_policy_cuts_everything_after():
    tail = ["Trending", "Police say the suspect fled on foot.", "Another story here."]
    raw = "\n\n".join(BODY[:1] + [POLICY] + tail + BODY[1:])
    result = clean_text(raw)
    assert result.text == BODY[0]
    assert result.removed == [POLICY, *tail, *BODY[1:]]


def test_byline_vivek_saxena_before_comment_policy():
    raw = "\n\n".join(["Shooting at downtown bar"] + BODY + ["Vivek Saxena", POLICY, "Latest Articles"])
    result = clean_text(raw)
    assert result.byline == "Vivek Saxena"
    assert "Vivek Saxena" not in result.text
    assert "Vivek Saxena" not in result.removed
    assert result.removed == [POLICY, "Latest Articles"]
    assert_accounted(raw, result)


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("By Jane Doe", "Jane Doe"),
        ("By Jane Doe, Staff Writer", "Jane Doe"),
        ("BY: Jane Doe", "Jane Doe"),
        ("By Ann Poe and John Roe", "Ann Poe and John Roe"),
        ("By Mary-Ann O'Neil, Example Times", "Mary-Ann O'Neil"),
    ],
)
def test_by_line_at_top_is_extracted(line, byline):
    raw = "\n".join(["Shooting at downtown bar", line, ""] + BODY)
    result = clean_text(raw)
    assert result.byline == byline
    assert line not in result.text
    assert result.text == "Shooting at downtown bar\n\n" + "\n".join(BODY)
    assert_accounted(raw, result)


@pytest.mark.parametrize(
    "line",
    [
        "Smith",  # one word
        "By the end of the day, John Roe was dead.",  # a sentence
        "Gunman Kills Three In Bar",  # headline-like (non-name words)
        "JOHN ROE",  # all capitals, bare
        "Detective Roe",  # bare name of someone the text is about (see below)
    ],
)
def test_non_bylines_are_not_taken(line):
    body = BODY + ["Roe said he heard shots."]
    raw = "\n\n".join(body + [line])
    result = clean_text(raw)
    assert result.byline is None
    assert result.text.endswith(line)


def test_title_line_is_never_a_bare_byline_and_only_one_byline():
    raw = "\n\n".join(["Jane Doe"] + BODY + ["By John Roe", "Ann Poe"])
    result = clean_text(raw)
    assert result.byline == "John Roe"
    assert result.text.startswith("Jane Doe\n\n")
    assert result.text.endswith("Ann Poe")


@pytest.mark.parametrize(
    "sentence",
    [
        "She shared a photo of the suspect with police, who plan to print flyers.",
        "Share prices of the gun maker fell 5% after the shooting.",
        "Photo radar cameras caught the car speeding away.",
        "Print shop owner Dan Roe said he heard three shots.",
        "Follow the suspect on foot, officers were told.",
        "Copies of the photo were shared widely on Facebook and Twitter, police said.",
    ],
)
def test_article_sentences_with_furniture_words_survive(sentence):
    raw = "\n\n".join(BODY + [sentence])
    result = clean_text(raw)
    assert sentence in result.text.split("\n")
    assert result.removed == []


@pytest.mark.parametrize(
    "line",
    [
        "Share on Facebook", "Share on X", "Tweet", "Email this article", "Print",
        "Image credit, Example Embassy Moscow", "Image credit: Example Agency", "Photo: Example Agency",
        "(Photo by Jane Roe/Getty Images)", "Getty Images", "Copyright 2014 Example TV. All rights reserved.",
        "© 2016 Example Media", "Posted: Friday, January 31, 2014 10:21 AM EST", "Updated: 01/26/2015 10:24 PM",
        "Click here to sign up", "Sign up for our newsletter", "Advertisement", "Read more",
        "Follow us on Twitter", "We use cookies to give you the best experience. Accept cookies",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "Copyright 2016 The Associated Press. All rights reserved.", "Comments", "Loading...",
        "Skip to content", "Please verify you are a human", "Please complete the security check to continue",
        "Are you a robot?", "A friend wanted you to see this item", "Most Read", "Recommended",
        "Related Articles",
    ],
)
def test_furniture_lines_are_removed(line):
    raw = "\n\n".join([BODY[0], line, BODY[1]])
    result = clean_text(raw)
    assert result.removed == [line]
    assert result.text == f"{BODY[0]}\n\n{BODY[1]}"


def test_line_endings_whitespace_and_blank_lines():
    raw = "\r\n\r\n  First para, line one.  \r\nline two\t\r\r\r\n \n\t\nSecond para.\n\n\n\n"
    result = clean_text(raw)
    assert result.text == "First para, line one.\nline two\n\nSecond para."
    assert result.removed == [] and result.byline is None
    assert clean_text("") == Cleaned("", [], None)
    assert clean_text("\n \r\n\t") == Cleaned("", [], None)


def test_removed_blank_lines_collapse_around_furniture():
    raw = f"{BODY[0]}\n\n\nShare on Facebook\n\n\n{BODY[1]}\nAdvertisement\n{BODY[2]}"
    result = clean_text(raw)
    assert result.text == f"{BODY[0]}\n\n{BODY[1]}\n{BODY[2]}"
    assert result.removed == ["Share on Facebook", "Advertisement"]


POOL = [
    "Vivek Saxena", "By Jane Doe", "By Jane Doe, Staff Writer", "Latest Articles", "Related Stories",
    POLICY, "Share on Facebook", "Photo: Example", "Advertisement", "Trending", "More from Example News",
    "Jane Doe", "By:", "By , and", "  ", "", *BODY,
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.text(max_size=60), st.sampled_from(POOL)), max_size=25),
    st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\n \n"]),
)
def test_property_nothing_is_lost(parts, sep):
    raw = sep.join(parts)
    result = clean_text(raw)
    assert_accounted(raw, result)
    if result.byline is not None:
        assert result.byline.strip() and "\n" not in result.byline


@given(st.text())
def test_property_arbitrary_text(raw):
    assert_accounted(raw, clean_text(raw))


# --- seed reports (../shared) -------------------------------------------------

CROCUS = SHARED / "examples" / "crocus"


@needs_shared
def test_crocus_000_policy_latest_articles_and_byline():
    raw = (CROCUS / "000_ead4086a80b785d6.txt").read_text(encoding="utf-8")
    result = clean_text(raw)
    assert "We have no tolerance for comments" not in result.text
    assert any(r.startswith("We have no tolerance for comments containing") for r in result.removed)
    assert "Latest Articles" not in result.text
    assert "Latest Articles" in result.removed
    assert result.byline == "Vivek Saxena"
    assert "Vivek Saxena" not in result.text
    assert "As of early Saturday morning EST, 11 suspects had been arrested." in result.text
    assert len(result.removed) == 2
    assert_accounted(raw, result)


@needs_shared
def test_crocus_004_image_credit_removed():
    raw = (CROCUS / "004_2dcd09881312b001.txt").read_text(encoding="utf-8")
    result = clean_text(raw)
    assert "Image credit, UK Russia Embassy Moscow" in result.removed
    assert "Image credit" not in result.text
    assert result.removed == ["Image credit, UK Russia Embassy Moscow"]
    assert_accounted(raw, result)


# --- GVA scraped local news (../shared/data/gva) --------------------------------

GVA = SHARED / "data" / "gva" / "reports.jsonl"
# Furniture lines seen in many GVA reports: each must be removed wherever it occurs.
GVA_FURNITURE = [
    "Please enable Javascript to watch this video",
    "Advertisement",
    "Your notification has been saved.",
    "Email notifications are only sent once a day, and only if there are new matching items.",
    "For more neighborhood news, listen to DNAinfo Radio here:",
    "Like this: Like Loading...",
    "Share this: Facebook",
    "© 2016 Cox Media Group.",
    ("Copyright 2016 The Associated Press. All rights reserved. This material may not be published, "
     "broadcast, rewritten or redistributed."),
    "Stay Up To Date, Follow KDKA On Twitter",
    "You must enter the characters with black color that stand out from the other characters",
    "Read more top trending stories on wsoctv.com:",
    "TRENDING STORIES:",
]
# Real article sentences that recur across GVA reports: each must be kept wherever it occurs.
GVA_CONTENT = [
    "No arrests have been made.",
    "The investigation is ongoing.",
    "The shooting remains under investigation.",
    "No one was in custody.",
]


@pytest.fixture(scope="module")
def gva():
    if not GVA.exists():
        pytest.skip("../shared (seed reports) is not present beside the repo")
    docs = [json.loads(line)["text"] or "" for line in GVA.open(encoding="utf-8")]
    return [(raw, clean_text(raw)) for raw in docs]


@needs_shared
def test_gva_share_removed_is_small_and_nothing_lost(gva):
    total = sum(len(ln) for raw, _ in gva for ln in input_lines(raw))
    removed = sum(len(r) for _, res in gva for r in res.removed)
    n_removed = sum(len(res.removed) for _, res in gva)
    # Measured: 2,373 reports, ~2,060 lines and ~2.6% of characters removed.
    assert 0.01 < removed / total < 0.05
    assert 1500 < n_removed < 3000
    for raw, res in gva:
        assert_accounted(raw, res)


@needs_shared
def test_gva_lines_named_as_by_the_whole_patterns(gva):
    lines = {ln for raw, _ in gva for ln in input_lines(raw) if ln}
    named = {ln: furniture_name(ln) for ln in lines}
    assert sum(1 for name in named.values() if name) > 1000
    assert named == {ln: _plain_furniture_name(ln) for ln in lines}


@needs_shared
def test_gva_heavy_losses_only_on_furniture_pages(gva):
    # Reports that lose >60% of their characters are scrape failures (video playlists, login
    # widgets, paywalls): what survives is a stub, and every removed line is named furniture.
    heavy = 0
    for raw, res in gva:
        chars = sum(len(ln) for ln in input_lines(raw))
        if chars and sum(map(len, res.removed)) > 0.6 * chars:
            heavy += 1
            assert len(res.text) < 300, res.text[:300]
            assert all(furniture_name(r) for r in res.removed)
    assert heavy < 0.06 * len(gva)  # measured: 116 of 2,373


@needs_shared
def test_gva_known_furniture_removed_and_known_content_kept(gva):
    seen = dict.fromkeys(GVA_FURNITURE + GVA_CONTENT, 0)
    for raw, res in gva:
        kept = set(res.text.split("\n"))
        for ln in input_lines(raw):
            if ln in seen:
                seen[ln] += 1
                if ln in GVA_FURNITURE:
                    assert ln in res.removed and ln not in kept
                else:
                    assert ln in kept
    assert all(seen.values()), seen  # every listed line really occurs in the data


@needs_shared
def test_gva_removed_lines_are_not_article_prose(gva):
    # A removed line that reads like reporting ("..., police said.") would be a false positive.
    said = re.compile(r"\b(said|says|told)\b[^.]*\.[\"”]?$")
    suspicious = [r for _, res in gva for r in res.removed if said.search(r)]
    assert suspicious == []


def test_demo_boilerplate_padded_report_is_cleaned():
    from helpers import DEMO

    raw = (DEMO / "coastline-daily.txt").read_text(encoding="utf-8")
    cleaned = clean_text(raw.split("\n\n", 1)[1])  # the readers take the headline off first
    assert cleaned.byline == "Jonas Whitfield"
    for furniture in ("Share on Facebook", "Email this article", "Latest Articles", "A friend wanted you to see this item",
                      "Please verify you are a human to continue reading"):
        assert furniture in cleaned.removed
        assert furniture not in cleaned.text
    assert any(line.startswith("We have no tolerance for comments") for line in cleaned.removed)
    assert "tolerance" not in cleaned.text
    assert "15 people were killed and 38 were injured" in cleaned.text
