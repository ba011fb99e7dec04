"""Counts of people affected: category, value, bounds and hedge.

Rules over spaCy tokens and the dependency-free token order, with lexicons in
``lang/en/counts.json``:

1. A quantity is a run of number tokens ("93", "eleven", "twenty-one",
   "1.5 million"), a vague amount ("dozens", "hundreds", "tens of thousands"),
   or a zero ("no one", "nobody", "no deaths").
2. Dates, times, money, percentages, ordinals, ages ("12-year-old", "aged 32"),
   durations and addresses are not counts.
3. The hedge comes from the words before the number ("at least", "more than",
   "up to", "about", ...), or a range ("between 30 and 40", "30 to 40").
4. The category is the nearest category keyword in the same clause: first
   after the number ("93 people dead"), then before it ("death toll rose to 133").
   "Held" is an arrest only of people, with custody words by it ("two men were held
   on charges"; not "held two special elections", "held in high esteem").
5. Every count is kept, with its ``modality``, ``scope`` and learned ``toll``
   (:mod:`corroborate.analyze.tolls`): reconciliation takes only asserted tolls of the
   report's own incident.
"""

from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache
from typing import cast

from spacy.tokens import Doc, Token

from corroborate.analyze.docinfo import info
from corroborate.lang import en
from corroborate.records import Count, CountCategory, Hedge

NON_COUNT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "ORDINAL", "QUANTITY"}
#: the word lists of the rules (``lang/en/counts.json``; the keyword lexicons are read by :func:`lexicon`)
_LEX = en.load("counts")
_WORDS: dict[str, int] = dict(_LEX["number_words"])
_SCALES: dict[str, int] = dict(_LEX["scales"])
_ZERO_SUBJECTS = {tuple(words) for words in _LEX["zero_subjects"]}
_CALENDAR = set(_LEX["calendar_words"])
#: a number right after one of these is no count ("No. 5", "aged 32", "Route 9")
_NOT_COUNTS_BEFORE = set(_LEX["not_counts_before"])
#: words that may stand between a category keyword and its number ("killed at least 5")
_KEYWORD_FILLERS = set(_LEX["keyword_fillers"])
#: what "held" holds to be an arrest (besides person nouns and names)
_PEOPLE_PRONOUNS = set(_LEX["people_pronouns"])
#: "4 of them were arrested": a part of a count already given
_PARTITIVE = set(_LEX["partitive_words"])
#: "The death toll rose to 133": verbs whose subject names what the number counts.
_TOLL_VERBS = set(_LEX["toll_verbs"])
#: A keyword that is a complement of the governing verb must lie this close to the counted noun.
MAX_COMPLEMENT_DISTANCE = 5
_CLAUSE_STOP = {";", ":", "(", ")", "—", "–"}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    data = en.load("counts")
    keyword_category = {}
    for category, words in data["categories"].items():
        for word in words:
            keyword_category[word] = category
    for word in data["shot"]:
        keyword_category[word] = "shot"
    hedges = []
    for hedge, phrases in data["hedges"].items():
        for phrase in phrases:
            hedges.append((tuple(phrase.split()), hedge, phrase in data["strict"]))
    hedges.sort(key=lambda item: -len(item[0]))
    vague = {tuple(key.split()): spec for key, spec in data["vague"].items()}
    return {
        "keyword_category": keyword_category,
        "person_nouns": set(data["person_nouns"]),
        "hedges": hedges,
        "vague": sorted(vague.items(), key=lambda item: -len(item[0])),
        "not_after": set(data["not_counts_after"]),
        "margin": data["about_margin"],
        "singular_person_nouns": set(data["singular_person_nouns"]),
        "custody_only": set(data["custody_only"]),
        "custody_context": set(data["custody_context"]),
        "perpetrator_nouns": set(data["perpetrator_nouns"]),
        "self_harm": tuple(data["self_harm"]),
        "perpetrator_death": tuple(data["perpetrator_death"]),
    }


def parse_number(words: list[str]) -> int | None:
    """Parse "93", "1,200", "eleven", "twenty-one", "three hundred", "1.5 million" to an int."""
    total: float
    total, current, seen = 0, 0.0, False
    for raw in words:
        for word in re.split(r"-", raw.lower()) if not re.fullmatch(r"[\d.,]+", raw) else [raw]:
            if not word or word == "and":
                continue
            if re.fullmatch(r"\d{1,3}(,\d{3})+|\d+(\.\d+)?", word):
                current += float(word.replace(",", ""))
            elif word in _WORDS:
                current += _WORDS[word]
            elif word in _SCALES:
                scale = _SCALES[word]
                if scale == 100:
                    current = (current or 1) * 100
                else:
                    total += (current or 1) * scale
                    current = 0
            else:
                return None
            seen = True
    if not seen:
        return None
    value = total + current
    return int(value) if value == int(value) else None


def _is_number_token(token: Token) -> bool:
    return _is_number_word(token.lower_)


def _next_content(doc: Doc, i: int) -> Token | None:
    """The token after ``i``, skipping hyphens ("12-year-old" is tokenized 12 - year - old)."""
    j = i + 1
    while j < len(doc) and doc[j].text in {"-", "‐", "–"}:
        j += 1
    return doc[j] if j < len(doc) else None


_NUMERIC = re.compile(r"\d{1,3}(,\d{3})+|\d+(\.\d+)?")
_NUMBER_WORDS = set(_WORDS) | set(_SCALES)


@lru_cache(maxsize=65536)  # asked of every token; the words repeat
def _is_number_word(lower: str) -> bool:
    if lower[:1].isdigit():
        return bool(_NUMERIC.fullmatch(lower))
    return bool(lower) and all(part in _NUMBER_WORDS for part in lower.split("-"))


def _quantities(doc: Doc, lex: dict):
    """Yield (start_token, end_token_exclusive, value, low, high, vague) for each quantity."""
    lowers = info(doc).lowers
    n = len(lowers)
    vague_first = {key[0] for key, _ in lex["vague"]}
    zero_first = {key[0] for key in _ZERO_SUBJECTS}
    i = 0
    while i < n:
        word = lowers[i]
        if word in vague_first or word in zero_first:
            window = tuple(lowers[i : i + 4])
            match = next(((key, spec) for key, spec in lex["vague"] if window[: len(key)] == key), None)
            if match is not None:
                key, spec = match
                after = lowers[i + len(key)] if i + len(key) < n else None
                if after is None or after not in lex["not_after"]:  # "a few days" is no count
                    yield i, i + len(key), spec["value"], spec["low"], spec["high"], True
                    i += len(key)
                    continue
            zero = next((key for key in _ZERO_SUBJECTS if window[: len(key)] == key), None)
            if zero is not None:
                # "no one", "nobody": the quantity is the phrase; "no deaths": the keyword follows it
                end = i + 1 if len(zero) == 2 and zero[1] in lex["keyword_category"] else i + len(zero)
                if end < n and lowers[end] == "else":  # "no one else was hurt": nobody besides those counted
                    i = end + 1
                    continue
                yield i, end, 0, 0, 0, False
                i = end
                continue
        if _is_number_word(word):
            j = i + 1
            while j < n:
                if _is_number_word(lowers[j]):
                    j += 1
                elif j + 1 < n and lowers[j + 1] in _WORDS and (
                    (lowers[j] == "-" and lowers[j - 1] in _WORDS)  # twenty - one
                    or (lowers[j] == "and" and lowers[j - 1] in _SCALES)  # hundred and five
                ):
                    j += 2
                else:
                    break
            value = parse_number([t.text for t in doc[i:j]])
            if value is not None:
                yield i, j, value, value, value, False
            i = j
            continue
        i += 1


def _excluded(doc: Doc, start: int, end: int, value: int, lex: dict) -> bool:
    first, nxt = doc[start], _next_content(doc, end - 1)
    prev = doc[start - 1] if start > 0 else None
    kw, persons = lex["keyword_category"], lex["person_nouns"]
    next_is_people = nxt is not None and (nxt.lower_ in persons or nxt.lower_ in kw)
    if nxt is not None and nxt.lower_ in lex["not_after"]:
        return True
    if first.ent_type_ in {"DATE", "TIME"}:
        # NER tags "between 30 and 40 people" and "rose to 21 on Sunday" as DATE: only calendar words next to the number make a date
        neighbours = [t for t in (prev, doc[end] if end < len(doc) else None) if t is not None and t.ent_iob_ != "O" and t.ent_type_ == first.ent_type_]
        if any(t.lower_.rstrip(".,") in _CALENDAR for t in neighbours):
            return True
    elif first.ent_type_ in NON_COUNT_ENTS and not next_is_people:
        return True  # money, percentages, measures
    if prev is not None and prev.lower_ in _NOT_COUNTS_BEFORE:
        return True
    if first.like_num and 1800 <= value <= 2100 and (not next_is_people or _year_before_noun(doc, start, end)):
        return True  # a year: "in 1884", "the 2015 death of"
    if nxt is not None and nxt.is_title and nxt.ent_type_ != "NORP" and not next_is_people:
        return True  # an address: "300 North Street"
    return nxt is not None and re.fullmatch(r"[-/:.]\d+", nxt.text or "") is not None  # phone numbers, times, fractions


def _year_before_noun(doc: Doc, start: int, end: int) -> bool:
    """"the 2015 death of ...", "his 2009 killing": four digits, no comma, that the tagger calls a
    date or that stand between a determiner or possessive and a singular noun: a year, not a
    count ("the 2,000 deaths")."""
    first = doc[start]
    if end - start != 1 or re.fullmatch(r"\d{4}", first.text) is None:
        return False
    if first.ent_type_ == "DATE":
        return True
    prev = doc[start - 1] if start > 0 else None
    noun = first.head
    return (prev is not None and prev.dep_ in {"det", "poss"} and prev.head.i == noun.i == end
            and first.dep_ == "nummod" and not noun.lower_.endswith("s"))


def _range_end(doc: Doc, end: int) -> int | None:
    """If a range continues after ``end`` ("30 and 40", "30 to 40"), the token after it."""
    if end + 1 < len(doc) and doc[end].lower_ in {"to", "and", "-", "–", "or"} and _is_number_token(doc[end + 1]):
        k = end + 1
        while k < len(doc) and _is_number_token(doc[k]):
            k += 1
        return k
    return None


_UNIT_DEPS = {"nummod", "quantmod", "compound", "amod", "nmod", "appos"}
_VERB_CHILD_DEPS = {"oprd", "acomp", "xcomp", "attr", "advmod", "nsubj", "nsubjpass", "dobj"}


def _category(doc: Doc, start: int, end: int, lex: dict) -> tuple[str, int] | None:
    """The category keyword tied to the quantity ``doc[start:end]``, and its token index.

    In order: the unit noun itself ("93 deaths"); a keyword right after the
    quantity or its noun ("hundreds injured", "one fatally"); the governing verb
    and its complements ("93 people dead", "11 suspects had been arrested",
    "the death toll rose to 133"); a keyword right before the quantity
    ("wounding hundreds", "killing 12").
    """
    kw = lex["keyword_category"]
    last = doc[end - 1]
    stop = _range_end(doc, end) or end
    unit = last
    if last.dep_ in _UNIT_DEPS and stop <= last.head.i <= stop + 3:
        unit = last.head
    elif stop < len(doc) and doc[stop].lower_ in lex["person_nouns"]:
        unit = doc[stop]
    meta = info(doc)
    k = meta.sent_of[last.i]
    sent = meta.sents[k]

    def found(tok: Token):
        if tok.lower_ not in kw or meta.sent_of[tok.i] != k:
            return None
        if tok.lower_ in lex["custody_only"] and not _in_custody(doc, tok, unit, lex):
            return None  # "held two special elections", "is held in high esteem"
        return _resolve_shot(doc, tok.i, kw[tok.lower_]), tok.i

    if unit is not last and (hit := found(unit)):
        return hit
    for tok in doc[max(stop, unit.i + 1) : min(sent.end, max(stop, unit.i + 1) + 3)]:
        if tok.is_punct and tok.text != "-" or _is_number_token(tok) or tok.lower_ in _CONJUNCTIONS:
            break  # "killed 49 people and injured 53": "injured" belongs to the next figure
        if hit := found(tok):
            return hit
    for child in unit.children:
        if child.dep_ in {"acl", "amod", "relcl"} and (hit := found(child)):
            return hit
    governor = unit
    object_of = None
    if governor.dep_ == "pobj":  # "rose to 133": the preposition's head governs
        governor = object_of = governor.head
    verb = governor.head
    # a figure after a preposition is not the count of a harm word it hangs from ("dead at 5",
    # "killed in 2 attacks"); "the toll rose to 133" goes through the toll verb's subject below
    if (verb is not governor and meta.sent_of[verb.i] == k and abs(verb.i - unit.i) <= MAX_COMPLEMENT_DISTANCE + 1
            and object_of is None and (hit := found(verb))):
        return hit
    if verb is not governor and meta.sent_of[verb.i] == k:
        for child in verb.children:
            if child is governor:
                continue
            if (child.dep_ in _VERB_CHILD_DEPS - {"nsubj", "nsubjpass"} and object_of is None
                    and abs(child.i - unit.i) <= MAX_COMPLEMENT_DISTANCE and (hit := found(child))):
                return hit
            if child.dep_ in {"nsubj", "nsubjpass"} and verb.lower_ in _TOLL_VERBS:
                for tok in [child, *(g for g in child.children if g.dep_ == "compound")]:
                    if hit := found(tok):
                        return hit
        if verb.dep_ == "xcomp" and verb.lower_ in _TOLL_VERBS and meta.sent_of[verb.head.i] == k:
            # "the death toll is expected to rise to 50": the subject is the governing verb's
            for child in verb.head.children:
                if child.dep_ in {"nsubj", "nsubjpass"}:
                    for tok in [child, *(g for g in child.children if g.dep_ == "compound")]:
                        if hit := found(tok):
                            return hit
    crossed = False  # passed "and" / "or" on the way back
    for j in range(start - 1, max(sent.start, start - 3) - 1, -1):
        tok = doc[j]
        if tok.is_punct or _is_number_token(tok):
            break
        if hit := found(tok):
            if crossed and _has_own_number(doc, tok, before=start):
                return None  # "two people were killed and four others were in the hospital"
            return hit
        if tok.lower_ == "at" and (j + 1 >= len(doc) or doc[j + 1].lower_ != "least"):
            break  # "pronounced dead at 5 at the scene": a time, not "at least"
        if tok.lower_ not in _KEYWORD_FILLERS:
            break
        crossed = crossed or tok.lower_ in _CONJUNCTIONS
    return None


def _in_custody(doc: Doc, keyword: Token, held: Token | None, lex: dict) -> bool:
    """"Held" is an arrest only of people, in custody: "two men were held on charges", "police
    held two suspects", not "the state held two special elections" or "is held in high esteem".

    ``held`` is what is held (the counted noun, the number itself, or a singular person);
    the clause must name custody (jail, charges, bail, police, ...) within a few words."""
    if held is not None and held.i != keyword.i:
        person = (held.lower_ in lex["person_nouns"] or held.lower_ in lex["singular_person_nouns"]
                  or held.ent_type_ == "PERSON" or held.lower_ in _PEOPLE_PRONOUNS
                  or (_is_number_token(held) and held.dep_ in {"nsubj", "nsubjpass", "dobj"}))
        if not person:
            return False
    meta = info(doc)
    k = meta.sent_of[keyword.i]
    sent = meta.sents[k]
    lowers = meta.lowers
    near = lowers[max(sent.start, keyword.i - 4) : min(sent.end, keyword.i + 9)]
    return any(word in lex["custody_context"] for word in near)


def _resolve_shot(doc: Doc, j: int, category: str) -> str:
    if category != "shot":
        return category
    before = doc[j - 1].lower_ if j > 0 else ""
    after = " ".join(t.lower_ for t in doc[j + 1 : j + 3])
    if before == "fatally" or after.startswith(("dead", "and killed", "to death", "fatally")):
        return "killed"
    return "other"


def _below(value: int, margin: float) -> int:
    return math.floor(round(value * (1 - margin), 6))


def _above(value: int, margin: float) -> int:
    return math.ceil(round(value * (1 + margin), 6))


def _hedge(doc: Doc, start: int, end: int, value: int, lex: dict):
    """Return (hedge, low, high, span_start_token, span_end_token) for a plain number."""
    n = len(doc)
    # ranges: "between 30 and 40", "30 to 40", "30-40"
    if k := _range_end(doc, end):
        upper = parse_number([t.text for t in doc[end + 1 : k]])
        if upper is not None and upper > value:
            begin = start - 1 if start > 0 and doc[start - 1].lower_ in {"between", "from"} else start
            return "range", value, upper, begin, k
    lowered = [t.lower_ for t in doc[max(0, start - 3) : start]]
    for phrase, hedge, strict in lex["hedges"]:
        if tuple(lowered[-len(phrase):]) == phrase and len(lowered) >= len(phrase):
            begin = start - len(phrase)
            if phrase == ("over",) and begin > 0 and doc[begin - 1].lower_ == "all":
                continue  # "when it was all over, one person was killed"
            margin = lex["margin"]
            if hedge == "at_least":
                return hedge, value + 1 if strict else value, None, begin, end
            if hedge == "at_most":
                if phrase[-1] in {"nearly", "almost", "to"} and phrase != ("up", "to"):  # nearly / close to
                    return hedge, _below(value, margin), value, begin, end
                return hedge, None, value - 1 if strict else value, begin, end
            return hedge, _below(value, margin), _above(value, margin), begin, end
    if end + 1 < n and doc[end].lower_ == "or" and doc[end + 1].lower_ == "so":
        margin = lex["margin"]
        return "about", _below(value, margin), _above(value, margin), start, end + 2
    return "exact", value, value, start, end


def extract_counts(doc: Doc) -> list[Count]:
    """All counts of people affected in ``doc`` (a parsed report text), each with its
    ``modality``, ``scope`` and learned ``toll`` (:mod:`corroborate.analyze.tolls`)."""
    from corroborate.analyze import tolls

    counts, anchors = candidates(doc)
    tolls.annotate(doc, counts, anchors)
    _mark_perpetrator(doc, counts)
    return counts


def _mark_perpetrator(doc: Doc, counts: list[Count]) -> None:
    """Set ``with_perpetrator`` on killed counts, in place (lexicons in ``lang/en/counts.json``).

    True: "three people are dead, including the gunman" ("including" or "among them" before a
    perpetrator noun after the figure), or a count of the perpetrator ("the suspected shooter is
    dead"). False: the count's sentence says the perpetrator died ("killed two people before killing
    himself", "a gunman who was shot and killed after a rampage that left two others dead"). None
    otherwise."""
    lex = lexicon()
    meta = info(doc)
    perps = lex["perpetrator_nouns"]
    ends = [s.end_char for s in meta.sents]
    for count in counts:
        if count.category != "killed" or count.value is None:
            continue
        k = min(bisect.bisect_right(ends, count.start), len(meta.sents) - 1)
        sent = meta.sents[k]
        words = re.findall(r"[\w'-]+", meta.text[count.end : sent.end_char].lower())
        after = " ".join(words)
        whole = " ".join(re.findall(r"[\w'-]+", meta.text_of(sent).lower()))
        own = set(re.findall(r"[\w'-]+", count.text.lower()))
        if any(f"{lead} {p}" in after for lead in ("including the", "including", "among them the", "among them") for p in perps) or (own & perps):
            count.with_perpetrator = True
        elif any(re.search(rf"\b{re.escape(w)}\b", whole) for w in lex["self_harm"]) or any(
                re.search(rf"\b{p}\b(?: \w+){{0,4}} (?:{'|'.join(map(re.escape, lex['perpetrator_death']))})\b", whole) for p in perps):
            count.with_perpetrator = False


def candidates(doc: Doc) -> tuple[list[Count], list[tuple[int, int]]]:
    """The counts of ``doc`` before their toll is judged, and for each its anchor: the token
    index of its quantity (or counted person) and of its category keyword."""
    lex = lexicon()
    text = info(doc).text
    counts: list[Count] = []
    anchors: list[tuple[int, int]] = []
    consumed = 0  # the upper end of a range is part of the range, not a count of its own
    for start, end, value, low, high, vague in _quantities(doc, lex):
        if start < consumed:
            continue
        if not vague and value and _excluded(doc, start, end, value, lex):
            continue
        if start > 0 and doc[start - 1].lower_ in {"including", "includes", "include"}:
            continue  # nested: "11 people, including 4 suspected ..." counts 11, not 15
        if start >= 2 and doc[start - 1].lower_ == "the" and doc[start - 2].lower_ == "of" and start >= 3 and _is_number_token(doc[start - 3]):
            continue  # "4 of the 11": the 11 refers back to a count already made
        nxt = doc[end] if end < len(doc) else None
        small_word = not doc[start].text[0].isdigit() and not vague
        found = _category(doc, start, end, lex)
        if found is None:
            continue
        category, kw_index = found
        partitive = end + 1 < len(doc) and doc[end].lower_ == "of" and doc[end + 1].lower_ in _PARTITIVE
        if partitive and any(c.category == category for c in counts):
            continue  # "11 were arrested ... 4 of them were arrested": a subset, not more arrests        # Number words ("one", "two") and zeros must sit right by their noun or keyword: "one of the" is not a count.
        if small_word and doc[start].lower_ == "one" and nxt is not None and nxt.lower_ == "of" and kw_index < start:
            continue  # "killing one of the ..." is rarely a count
        hedge: Hedge
        if vague:
            hedge, span_start, span_end = "vague", start, end
            if start >= 2 and tuple(t.lower_ for t in doc[start - 2 : start]) in {("at", "least"), ("more", "than")}:
                span_start = start - 2
        else:
            hedge, low, high, span_start, span_end = _hedge(doc, start, end, value, lex)
        if hedge == "exact" and (joined := _conjoined_people(doc, end, lex)) is not None:
            added, joined_end = joined  # "five young men and a woman were shot": 6
            value, low, high = value + added, value + added, value + added
            span_end = max(span_end, joined_end)
        if span_end < len(doc) and doc[span_end].lower_ in lex["person_nouns"]:
            span_end += 1  # "arrested 11 people"
        if kw_index >= span_end:
            span_end = kw_index + 1
        else:
            span_start = min(span_start, kw_index)
        if hedge == "range":
            consumed = span_end
        # the loop's names shadow the first count's on purpose: the coordinated ones take their place
        for category, span_start, span_end, kw_at in [(category, span_start, span_end, kw_index), *_coordinated(doc, kw_index, category, span_start, span_end, lex)]:  # noqa: B020
            char_start = doc[span_start].idx
            last = doc[span_end - 1]
            char_end = last.idx + len(last.text)
            counts.append(
                Count(
                    category=category,
                    value=value,
                    low=low,
                    high=high,
                    hedge=hedge,
                    text=text[char_start:char_end],
                    start=char_start,
                    end=char_end,
                )
            )
            anchors.append((start, kw_at))
    for count, anchor in _singular_counts(doc, lex, counts):
        counts.append(count)
        anchors.append(anchor)
    return _shot_split(counts, anchors, text)


_SINGULAR_DETS = set(_LEX["singular_determiners"])


def _conjoined_people(doc: Doc, end: int, lex: dict) -> tuple[int, int] | None:
    """People joined by "and" to the counted noun: "five young men and a woman" (1 more), "two men
    and two women" (2 more). Returns (people added, token index after the last of them), or None
    when nothing is joined or a joined noun has no figure of its own ("two men and women")."""
    last = doc[end - 1]
    noun = last.head
    persons, singular = lex["person_nouns"], lex["singular_person_nouns"]
    if last.dep_ != "nummod" or noun.i < end - 1 or noun.lower_ not in persons:
        return None
    added, stop, frontier = 0, noun.i + 1, [noun]
    while frontier:
        joined = [c for t in frontier for c in t.children if c.dep_ == "conj" and c.i - noun.i <= 10]
        for person in joined:
            if person.lower_ not in persons and person.lower_ not in singular:
                return None
            figures = [c for c in person.children if c.dep_ == "nummod" and _is_number_token(c)]
            if figures:
                n = parse_number([figures[0].text])
            elif any(c.dep_ == "det" and c.lower_ in {"a", "an", "another", "one"} for c in person.children):
                n = 1
            else:
                return None
            if n is None:
                return None
            added += n
            stop = max(stop, person.i + 1)
        frontier = joined
    return (added, stop) if added else None


def _coordinated(doc: Doc, kw_index: int, category: str, span_start: int, span_end: int, lex: dict):
    """"killing and wounding hundreds": the keyword coordinated with the found one, of another
    category, takes the same quantity; its span covers both keywords."""
    kw = lex["keyword_category"]
    keyword = doc[kw_index]
    partners = [c for c in keyword.children if c.dep_ == "conj"]
    if keyword.dep_ == "conj":
        partners.append(keyword.head)
    for other in partners:
        other_category = _resolve_shot(doc, other.i, kw[other.lower_]) if other.lower_ in kw else None
        if other_category and other_category not in {category, "other"} and abs(other.i - kw_index) <= 3:
            if _has_own_number(doc, other):
                continue  # "killed 49 and injured 53": "killed" has its own figure
            yield other_category, min(span_start, other.i), max(span_end, other.i + 1), other.i


def _has_own_number(doc: Doc, keyword: Token, before: int | None = None) -> bool:
    """A number among the keyword's children, right after it ("injured 53", "killed one") or right
    before it ("two people were killed and three injured"). ``before``: only numbers before this
    token index count."""
    limit = len(doc) if before is None else before
    if keyword.i > 0 and _is_number_token(doc[keyword.i - 1]) and doc[keyword.i - 1].head.i == keyword.i:
        return True
    if any(_is_number_token(child) or any(_is_number_token(g) for g in child.children if g.dep_ == "nummod")
           for child in keyword.children if keyword.i < child.i < limit):
        return True
    if any(_is_number_token(child) and child.i < limit for child in keyword.subtree if child.dep_ == "nummod"):
        return True  # "two people were killed": the number of the keyword's subject
    return any(_is_number_token(tok) for tok in doc[keyword.i + 1 : min(keyword.i + 3, limit)])


_CONJUNCTIONS = set(_LEX["conjunctions"])
_OBJECT_HARM = set(_LEX["object_harm_verbs"])


def _singular_counts(doc: Doc, lex: dict, found: list[Count]) -> list[tuple[Count, tuple[int, int]]]:
    """One person harmed, named without a number. The person is
    - the subject of the harm word: "a man was fatally shot", "the victim died", "he died";
    - the subject of a copula or "found" with the harm word as complement: "an adult is dead",
      "a man was found dead";
    - the object of an active harm verb: "fatally shot an armed robber", "killed his brother".
    Conjoined people add up: "a man and a woman were killed" is 2."""
    kw = lex["keyword_category"]
    singular = lex["singular_person_nouns"]
    text = info(doc).text
    covered = [(c.start, c.end) for c in found]
    out: list[tuple[Count, tuple[int, int]]] = []
    for i, low in enumerate(info(doc).lowers):
        if low not in kw and low not in _OBJECT_HARM:
            continue
        verb = doc[i]
        category = _resolve_shot(doc, i, kw.get(low, "shot"))
        if low == "lives":
            continue  # "he lives in Dallas": the verb; the noun ("claimed the lives of") has a figure or none
        if low in {"shooting", "shoots"} and category == "other":
            continue  # "the shooting" names the event; only "fatally shooting X" counts here
        if category not in {"killed", "injured", "other", "kidnapped", "missing", "arrested"}:
            continue
        holders = [verb]
        if verb.dep_ in {"acomp", "oprd", "attr", "xcomp"} and verb.head.i != verb.i:
            holders.append(verb.head)  # "is dead", "was found dead"
        if verb.dep_ == "conj" and verb.head.i != verb.i:
            holders.append(verb.head)  # "was shot and killed"
        passive = any(c.dep_ == "auxpass" for h in holders for c in h.children)
        if low in _OBJECT_HARM and not passive:
            # active "he fatally shot a robber": the subject is the shooter, the object the victim
            roles = [c for c in verb.children if c.dep_ == "dobj"]
        else:
            roles = [c for h in holders for c in h.children if c.dep_ in {"nsubj", "nsubjpass"}][:1]
        for role in roles:
            people = [t for t in [role, *(c for c in role.subtree if c.dep_ == "conj")] if _is_single_person(t, singular)]
            if not people or any(c.dep_ == "nummod" for p in people for c in p.children):
                continue
            if low in lex["custody_only"] and not _in_custody(doc, verb, people[0], lex):
                continue  # "Mark is held in high esteem"
            first = min(min(t.i for t in role.subtree), verb.i)
            last = max(max(t.i for t in role.subtree) if role.i > verb.i else verb.i, verb.i)
            start, end = doc[first].idx, doc[last].idx + len(doc[last].text)
            if end <= start or end - start > 200 or any(a < end and start < b for a, b in covered):
                continue
            covered.append((start, end))
            n = len(people)
            out.append((Count(category=cast(CountCategory, category), value=n, low=n, high=n, hedge="exact", text=text[start:end], start=start, end=end,
                              singular=True),
                        (role.i, verb.i)))
    return out


def _is_single_person(token: Token, singular: set[str]) -> bool:
    if token.ent_type_ == "PERSON" or token.lower_ in {"he", "she"}:
        return True  # a subject head inside a name, or a singular pronoun: one person
    return token.lower_ in singular and any(c.lower_ in _SINGULAR_DETS for c in token.children if c.dep_ in {"det", "poss", "nummod"})


def _shot_split(counts: list[Count], anchors: list[tuple[int, int]], text: str) -> tuple[list[Count], list[tuple[int, int]]]:
    """"Four people were shot, one fatally": 4 shot (other) and 1 killed also give 3 injured.

    Only when the report states no injured count of its own; the injured count spans the shot
    count through the killed one, and is marked ``derived`` (and ``singular`` when the shot count
    is: "she got shot" names one victim, not the toll).
    """
    if any(c.category == "injured" for c in counts):
        return counts, anchors
    shot = [c for c in counts if c.category == "other" and c.value]
    if not shot:
        return counts, anchors
    top = max(shot, key=lambda c: cast(int, c.value))
    assert top.value is not None  # shot holds only counts with a value
    killed = [c for c in counts if c.category == "killed" and c.value is not None and c.value <= top.value]
    dead = max((cast(int, c.value) for c in killed), default=0)
    if top.value - dead <= 0:
        return counts, anchors
    last = max([top, *(c for c in killed if c.value == dead)], key=lambda c: c.end) if dead else top
    start, end = min(top.start, last.start), max(top.end, last.end)
    if end - start > 300:
        start, end = top.start, top.end
    injured = top.value - dead
    return counts + [
        Count(category="injured", value=injured, low=injured, high=top.high - dead if top.high is not None else None,
              hedge=top.hedge, text=text[start:end], start=start, end=end, derived=True, singular=top.singular)
    ], anchors + [anchors[next(i for i, c in enumerate(counts) if c is top)]]
