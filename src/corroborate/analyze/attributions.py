"""Attributions (who said what) and the outlets a report cites.

A cue is a speech verb with a subject ("Watson said", "officials say") or an
"according to X" phrase. Each cue becomes one :class:`Attribution`:

- **direct** when a quotation in the cue's sentence (or running into it) is not
  itself the cue's clause: "“…,” Watson said", "he wrote: “…”";
- **indirect** otherwise; the content is the verb's clausal complement
  ("Russia has said it believes …") or, for "according to X", the sentence.

Pronoun speakers ("he added") resolve to the last named speaker. A quote
reported "according to" an outlet, whose own text names a speaker
("“Watson said …,” according to CNN"), records that speaker with ``via`` set
to the outlet. Lexicons live in ``lang/en/attributions.json`` and
``lang/en/outlets.json``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import cast

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from corroborate.analyze.docinfo import info
from corroborate.lang import en
from corroborate.phrases import alternation
from corroborate.records import Attribution, SpeakerType

_QUOTE_RE = re.compile(r"“[^”]{1,5000}”|\"[^\"\n]{1,5000}\"|„[^“”]{1,5000}[“”]")
_NAMED_ENTS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    attr, outlets = en.load("attributions"), en.load("outlets")
    forms = {form: name for name, surface in outlets["outlets"].items() for form in surface}
    pattern = alternation(forms)
    cued = {form: name for name, surface in outlets["platform_cued"].items() for form in surface}
    return {
        "cues": set(attr["cue_verbs"]),
        "core_cues": set(attr["core_cue_verbs"]),
        "outlet_heads": set(outlets["outlet_heads"]),
        "unnamed": set(attr["unnamed_heads"]),
        "org_heads": set(attr["organization_heads"]),
        "pronouns": set(attr["pronouns"]),
        "titles": set(attr["titles"]),
        "outlet_forms": forms,
        "outlet_re": re.compile(rf"(?<![\w.-])(?:{pattern})(?![\w-])"),
        "cued_forms": cued,
        "cued_re": re.compile(r"(?<![\w.-])(?:" + "|".join(re.escape(f) for f in cued) + r")(?![\w-])"),
        "platform_cues": [c.lower() for c in outlets["platform_cues"]],
        "citation_cues": [c.lower() for c in outlets["citation_cues"]],
    }


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Character spans of quotations, quote marks included."""
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def outlet_name(phrase: str) -> str | None:
    """The canonical outlet name if ``phrase`` is (or ends with) a known outlet."""
    lex = lexicon()
    for match in lex["outlet_re"].finditer(phrase):
        if match.end() == len(phrase.rstrip(" .,")):
            return lex["outlet_forms"][match.group(0)]
    return None


def _inside(pos: int, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The span of ``spans`` (in text order, none overlapping another: :func:`find_quotes`)
    that holds ``pos`` strictly inside it, if any: only the last one starting before ``pos`` can."""
    k = bisect_left(spans, (pos,)) - 1
    if k >= 0 and spans[k][1] > pos:
        return spans[k]
    return None


def _speaker_phrase(token: Token, lex: dict) -> tuple[str, str]:
    """The speaker's name as written, without titles, and its type."""
    doc = token.doc
    subtree = list(token.subtree)
    lo, hi = subtree[0].i, subtree[-1].i + 1
    # a clause on the speaker is not the speaker: "the prosecutor's office, which charged Gregory Lyle"
    clauses = [c for c in token.rights if c.dep_ in {"relcl", "acl"}]
    if clauses:
        hi = min(hi, min(next(c.subtree).i for c in clauses))
    # the entity the head word belongs to, else a person named inside the subject phrase
    meta = info(doc)
    ent = meta.ent_at.get(token.i)
    if ent is not None and ent.label_ not in _NAMED_ENTS:
        ent = None
    ent = ent or next((e for e in meta.ents_from(lo, hi) if e.label_ == "PERSON" and e.end <= hi), None)
    if ent is not None:
        outlet = outlet_name(ent.text)
        if outlet:
            return outlet, "outlet"
        name = ent.text.removeprefix("the ")
        if ent.label_ == "ORG" and ent[-1].text.lower() in lex["outlet_heads"]:
            return name, "outlet"  # an outlet not on the list: "the Norvanian News Agency"
        if ent.label_ == "PERSON":
            return _without_titles(list(ent), lex) or name, "person"
        return name, "organization"
    left = [t for t in token.lefts if t.dep_ in {"det", "amod", "compound", "poss", "nummod"}]
    start = left[0].i if left else token.i
    end = token.i + 1
    of = [c for c in token.rights if c.dep_ == "prep" and c.lower_ == "of"]
    if of and token.lower_ in lex["titles"]:  # "the head of the country's Federal Security Service"
        end = list(of[0].subtree)[-1].i + 1
        if any(e.label_ in {"ORG", "GPE", "NORP"} for e in meta.ents_from(token.i, end) if e.end <= end):
            return doc[start:end].text, "organization"
    phrase = doc[start:end].text
    outlet = outlet_name(phrase)
    if outlet:
        return outlet, "outlet"
    head = token.lower_
    if head in lex["pronouns"]:
        return phrase, "pronoun"
    if token.is_title and head not in lex["unnamed"] | lex["org_heads"]:
        # a name the NER missed: "Podolyak wrote", "Mayor Ana Ruiz said" (not a lone sentence-initial word)
        words = [t for t in doc[start:end] if t.dep_ != "det"]
        name = _without_titles(words, lex)
        if name and all(w[:1].isupper() for w in name.split()) and (len(words) > 1 or not token.is_sent_start):
            return name, "person"
    if head in lex["org_heads"] and head not in {"agency"}:
        return phrase, "organization"
    return phrase, "unnamed"


def _without_titles(tokens: list[Token], lex: dict) -> str:
    """"Russian Security Council Deputy Chairman Dmitry Medvedev" -> "Dmitry Medvedev"."""
    words = [t for t in tokens]
    while len(words) > 1 and words[0].lower_ in lex["titles"]:
        words = words[1:]
    if not words:
        return ""
    return words[0].doc[words[0].i : words[-1].i + 1].text


def _subject(cue: Token, quotes: list[tuple[int, int]] | None = None) -> Token | None:
    """The cue verb's subject. A subject parsed inside a quotation while the verb is outside it
    is a parse error ("“…,” he added."): then the word right before or after the verb is used."""
    for child in cue.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            if quotes and _inside(child.idx, quotes) and not _inside(cue.idx, quotes):
                break
            return child
    else:
        return None
    for near in (cue.i - 1, cue.i + 1):
        if 0 <= near < len(cue.doc):
            tok = cue.doc[near]
            if not _inside(tok.idx, quotes) and (tok.lower_ in {"he", "she", "they", "we", "i"} or tok.ent_type_ in _NAMED_ENTS):
                return tok
    return None


def _according_to(sent: SpacySpan) -> list[tuple[Token, Token]]:
    """(the 'according' token, the head of its object) pairs in a sentence."""
    pairs = []
    doc = sent.doc
    lowers = info(doc).lowers  # tok.lower_ of each token, without making the tokens
    for i in range(sent.start, sent.end):
        if lowers[i] == "according" and i + 1 < sent.end and lowers[i + 1] == "to":
            objs = [c for c in doc[i + 1].children if c.dep_ == "pobj"]
            if objs:
                pairs.append((doc[i], objs[0]))
    return pairs


def _span_text(doc: Doc, start: int, end: int) -> tuple[int, int]:
    text = info(doc).text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _content(cue: Token, sent: SpacySpan, exclude: tuple[int, int] | None) -> str:
    comp = [c for c in cue.children if c.dep_ in {"ccomp", "xcomp"}]
    if comp:
        toks = list(comp[0].subtree)
        return cue.doc[toks[0].i : toks[-1].i + 1].text
    text = info(sent.doc).text_of(sent)
    if exclude:
        a, b = exclude[0] - sent.start_char, exclude[1] - sent.start_char
        text = (text[:a] + text[b:]).strip(" ,.")
    return text


def extract_attributions(doc: Doc) -> tuple[list[Attribution], list[str]]:
    """Attributions and cited outlets of a parsed report."""
    lex = lexicon()
    meta = info(doc)
    text = meta.text
    quotes = find_quotes(text)
    quote_ends = [q[1] for q in quotes]  # in text order, as the quotations are
    found: list[Attribution] = []
    last_named: dict[str, str] = {}
    people: set[str] = set()
    for sent in meta.sents:
        according = _according_to(sent)
        via = None
        for acc, obj in according:
            name, kind = _speaker_phrase(obj, lex)
            if kind == "outlet":
                via = name
        # speech verbs inside a quotation belong to the quoted text, not to this report's attributions
        items: list[tuple[Token, Token, str]] = [
            (tok, subj, "verb")
            for i in range(sent.start, sent.end)
            if meta.lowers[i] in lex["cues"]
            and not _inside((tok := doc[i]).idx, quotes) and (subj := _subject(tok, quotes)) is not None
        ]
        items += [(acc, obj, "according") for acc, obj in according if not _inside(acc.idx, quotes)]
        # the quotations overlapping the sentence
        around = quotes[bisect_right(quote_ends, sent.start_char) : bisect_left(quotes, (sent.end_char,))]
        for cue, subj, kind_of_cue in items:
            # quotations this cue introduces or closes: overlapping its sentence, not containing it
            near = [q for q in around if not (q[0] < cue.idx < q[1])]
            if kind_of_cue == "verb" and cue.lower_ not in lex["core_cues"] and not near and not any(
                c.dep_ == "ccomp" for c in cue.children
            ):
                continue  # "ISIS claimed responsibility" is an event role, not a statement
            speaker: str | None
            speaker, stype = _speaker_phrase(subj, lex)
            if stype == "pronoun":
                key = "person" if subj.lower_ in {"he", "she", "i"} else "organization"
                speaker = last_named.get(key) or last_named.get("any")
                stype = key if speaker else "unnamed"
                if speaker is None:
                    speaker = subj.text
            elif stype != "unnamed":
                if stype == "organization" and any(p.endswith(" " + speaker) for p in people):
                    stype = "person"  # "Brandt" after "Dr. Ilse Brandt"
                if stype == "person":
                    people.add(speaker)
                last_named[stype if stype == "person" else "organization"] = speaker
                last_named["any"] = speaker
            quote = min(near, key=lambda q: abs(q[0] - cue.idx)) if near else None
            if quote:
                start, end = min(quote[0], sent.start_char), max(quote[1], sent.end_char)
                content = text[quote[0] + 1 : quote[1] - 1].strip()
                direct = True
            else:
                start, end = sent.start_char, sent.end_char
                content = _content(cue, sent, _according_span(cue) if kind_of_cue == "according" else None)
                direct = False
            if kind_of_cue == "according" and via == speaker and quote:
                # "“Watson said …,” according to CNN": a named speaker inside the quote takes precedence
                inner = _inner_speaker(doc, quote, lex)
                if inner:
                    speaker, stype = inner
                    last_named["any"] = speaker
            start, end = _span_text(doc, start, end)
            cue_text = "according to" if kind_of_cue == "according" else cue.text
            found.append(
                Attribution(
                    speaker=speaker,
                    speaker_type=cast(SpeakerType, stype),
                    cue=cue_text,
                    content=content,
                    direct=direct,
                    via=via if via and via != speaker else None,
                    text=text[start:end],
                    start=start,
                    end=end,
                )
            )
    return _dedupe(found), cited_sources(doc, found)


def _according_span(tok: Token) -> tuple[int, int]:
    """Character span of an "according to X" phrase."""
    obj = [c for c in tok.nbor(1).children if c.dep_ == "pobj"]
    last = list(obj[0].subtree)[-1] if obj else tok.nbor(1)
    return tok.idx, last.idx + len(last.text)


def _inner_speaker(doc: Doc, quote: tuple[int, int], lex: dict) -> tuple[str, str] | None:
    span: SpacySpan | list[Token] = doc.char_span(quote[0], quote[1], alignment_mode="expand") or []
    for tok in list(span)[:20]:  # the quoted report opens with its speaker: "“Watson said …"
        if tok.lower_ in lex["cues"] and (subj := _subject(tok)) is not None:
            name, kind = _speaker_phrase(subj, lex)
            if kind in {"person", "organization"}:
                return name, kind
    return None


def _dedupe(items: list[Attribution]) -> list[Attribution]:
    """One attribution per span: a quote closed by both "X said" and "according to CNN" is one
    statement by X, reported via CNN."""
    by_span: dict[tuple[int, int], int] = {}
    out: list[Attribution] = []
    for item in items:
        key = (item.start, item.end)
        if key not in by_span:
            by_span[key] = len(out)
            out.append(item)
            continue
        prior = out[by_span[key]]
        if prior.speaker_type == "outlet" and item.speaker_type != "outlet":
            out[by_span[key]] = item.model_copy(update={"via": item.via or prior.speaker})
        elif item.speaker_type == "outlet" and prior.via is None and prior.speaker != item.speaker:
            out[by_span[key]] = prior.model_copy(update={"via": item.speaker})
    return out


def cited_sources(doc: Doc, attributions: list[Attribution]) -> list[str]:
    """Outlets, agencies and platforms cited as sources, in order of first citation."""
    lex = lexicon()
    cited: list[str] = []

    def add(name: str | None) -> None:
        if name and name not in cited:
            cited.append(name)

    for item in attributions:
        if item.speaker_type == "outlet":
            add(item.speaker)
        add(item.via)
    meta = info(doc)
    for sent in meta.sents:
        sent_text = meta.text_of(sent)
        lowered = sent_text.lower()
        if not any(cue in lowered for cue in lex["citation_cues"]):
            continue
        for match in lex["outlet_re"].finditer(sent_text):
            add(lex["outlet_forms"][match.group(0)])
        for match in lex["cued_re"].finditer(sent_text):
            before = lowered[max(0, match.start() - 45) : match.start()]
            after = lowered[match.end() : match.end() + 30]
            if any(cue in before for cue in lex["platform_cues"]) or "formerly" in after:
                add(lex["cued_forms"][match.group(0)])
    return cited
