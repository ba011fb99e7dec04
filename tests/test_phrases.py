"""The trie form of a phrase list matches exactly what the plain longest-first alternation matches."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.assess.detector import stock_phrases
from corroborate.phrases import alternation, longest_first

# a small alphabet, so that phrases share prefixes and texts contain them often
_PHRASE = st.text(alphabet="abAB -'", min_size=1, max_size=6)
_TEXT = st.text(alphabet="abAB -'.x", max_size=60)
# the wrappers the project uses around a phrase list
_WRAPPERS = (r"\b(?:{})\b", r"(?<![\w-])(?:{})(?![\w-])", r"(?<![\w.-])(?:{})(?![\w-])", "(?:{})")


def _spans(pattern: str, text: str, flags: int) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text, flags)]


@settings(max_examples=400, deadline=None)
@given(st.lists(_PHRASE, min_size=1, max_size=8), st.lists(_TEXT, min_size=1, max_size=4), st.booleans())
def test_trie_matches_the_plain_alternation(phrases, texts, ignorecase):
    flags = re.IGNORECASE if ignorecase else 0
    for wrapper in _WRAPPERS:
        plain = wrapper.format(longest_first(phrases))
        trie = wrapper.format(alternation(phrases, ignorecase=ignorecase))
        for text in texts + [" ".join(phrases), "".join(phrases)]:
            assert _spans(trie, text, flags) == _spans(plain, text, flags), (phrases, text, wrapper)


def test_shared_prefixes_are_factored():
    assert alternation(["a pivotal moment", "a pivotal", "amid"]) == r"a(?:\ pivotal(?:\ moment)?|mid)"
    # the longer phrase wins where both fit, the shorter where the longer runs into a word
    pattern = re.compile(r"\b(?:" + alternation(["a pivotal moment", "a pivotal"]) + r")\b")
    assert [m.group(0) for m in pattern.finditer("a pivotal moment; a pivotal momentum")] == ["a pivotal moment", "a pivotal"]


def test_case_variants_share_a_branch_when_ignoring_case():
    # with separate branches, "Ab c" would be tried first and win over the longer "ab c d"
    phrases = ["Ab c", "ab c d"]
    pattern = r"(?<![\w-])(?:{})(?![\w-])"
    text = "x ab c d y"
    expected = _spans(pattern.format(longest_first(phrases)), text, re.IGNORECASE)
    assert expected == [(2, 8)]
    assert _spans(pattern.format(alternation(phrases, ignorecase=True)), text, re.IGNORECASE) == expected


def test_the_shipped_stock_phrases_give_the_same_matches():
    text = ("In the wake of the attack, it is important to note that the community stands in solidarity. "
            "A pivotal moment, a testament to resilience, sending shockwaves far-reaching; In Conclusion, unwavering.")
    plain = _spans(r"\b(?:" + longest_first(stock_phrases()) + r")\b", text, re.IGNORECASE)
    assert len(plain) >= 8
    assert _spans(r"\b(?:" + alternation(stock_phrases(), ignorecase=True) + r")\b", text, re.IGNORECASE) == plain
