"""Remove page furniture (share bars, credits, comment policies, link lists) from scraped text.

Nothing is lost silently: each removed line is kept verbatim in :attr:`Cleaned.removed`,
and a byline is kept in :attr:`Cleaned.byline`. Kept lines are never altered beyond
stripping surrounding whitespace, so offsets into :attr:`Cleaned.text` can serve as
provenance. The patterns are data: ``lang/en/boilerplate.json`` (its ``_doc`` explains them).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from corroborate.lang import en

_BY = re.compile(r"by:?\s+", re.IGNORECASE)
_TOKEN = r"(?:[A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’-][^\W\d_]+)*\.?)"  # "Jane", "O'Neil", "J.", "Jr."
_NAME = re.compile(rf"{_TOKEN}(?:\s+{_TOKEN}){{1,3}}")  # 2-4 tokens
_NAME_SEP = re.compile(r"\s*(?:,|&|\band\b)\s*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
_WORD = re.compile(r"[\w'’-]+")


@dataclass
class Cleaned:
    text: str  # the cleaned body
    removed: list[str] = field(default_factory=list)  # removed lines, verbatim, in order
    byline: str | None = None  # e.g. "Vivek Saxena" (without a leading "By ")


@dataclass(frozen=True)
class _Rules:
    # (name, anchored, floating, max_len): see _split_anchored
    lines: tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None, int | None], ...]
    sections: frozenset[str]
    section_after: frozenset[str]
    non_name_words: frozenset[str]


def top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at its top-level ``|`` (not inside a group or a character class, not
    escaped): ``"|".join(result) == pattern``."""
    parts, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)  # a "]" first in a class is a literal
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts


def _split_anchored(pattern: str) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """The alternatives of ``pattern`` that start with ``^``, for ``match`` (tried at the start of
    the line only), and the others, for ``search``. A line matches the pattern exactly when one of
    the two matches it; searching the whole alternation tried every ``^`` branch at every position
    of every line, which made cleaning a tenth of a run's time beyond spaCy."""
    parts = top_level_alternatives(pattern)
    anchored = [p for p in parts if p.startswith("^")]
    floating = [p for p in parts if not p.startswith("^")]
    compiled = [re.compile("|".join(group), re.IGNORECASE) if group else None for group in (anchored, floating)]
    return compiled[0], compiled[1]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    spec = en.load("boilerplate")
    return _Rules(
        lines=tuple(
            (p["name"], *_split_anchored(p["pattern"]), p.get("max_len"))
            for p in spec["line_patterns"]
        ),
        sections=frozenset(spec["section_headings"]),
        section_after=frozenset(spec["section_after"]),
        non_name_words=frozenset(spec["non_name_words"]),
    )


def furniture_name(line: str) -> str | None:
    """Name of the first furniture pattern matching ``line`` (stripped), or None."""
    line = line.strip()
    for name, anchored, floating, max_len in _rules().lines:
        if (max_len is None or len(line) <= max_len) and (
            (anchored is not None and anchored.match(line)) or (floating is not None and floating.search(line))
        ):
            return name
    return None


def _link_list(lines: list[str], names: list[str | None]) -> bool:
    """True if the non-furniture lines look like a list of headlines (links), not prose."""
    lines = [ln for ln, name in zip(lines, names) if ln and not name]
    prose = sum(1 for ln in lines if len(ln) > 200 or _SENTENCE_END.search(ln))
    return prose * 4 <= len(lines)


def _trailing_cut(lines: list[str], names: list[str | None]) -> int:
    """Index where a trailing link section starts, or len(lines) if there is none."""
    rules = _rules()
    total = sum(len(ln) + 1 for ln in lines)
    offset, after_policy = 0, False
    for i, (line, name) in enumerate(zip(lines, names)):
        if name in rules.sections and (
            after_policy or (offset >= total * 2 / 3 and _link_list(lines[i + 1 :], names[i + 1 :]))
        ):
            return i
        after_policy = after_policy or name in rules.section_after
        offset += len(line) + 1
    return len(lines)


def _byline(line: str, bare_ok: bool, counts: Counter[str]) -> str | None:
    """The name(s) in a byline line such as "By Jane Doe, Staff Writer", or None.
    ``counts``: the words of the whole text, to tell a bare name from someone the text is about."""
    prefix = _BY.match(line)
    if (prefix is None and not bare_ok) or len(line) > 100:
        return None
    rest, non_name = line[prefix.end() if prefix else 0 :], _rules().non_name_words
    names_end = pos = 0
    for part in _NAME_SEP.split(rest):  # "Jane Doe, John Roe and Ann Poe, Staff Writers"
        pos = rest.index(part, pos)
        if not _NAME.fullmatch(part) or (names_end and set(_WORD.findall(part.lower())) & non_name):
            break
        names_end = pos = pos + len(part)
    names, tail = rest[:names_end], rest[names_end:].lstrip(" ,")
    last = names.rsplit(None, 1)[-1] if names else ""
    if not names or len(tail) > 40 or _SENTENCE_END.search(tail):
        return None
    if last.endswith(".") and len(last) > 3:
        return None  # a sentence; a final "Jr." or "J." is no sentence end
    if prefix is None:  # bare name: the whole line, name-like, not someone the text is about
        words = _WORD.findall(names.lower())
        own = Counter(_WORD.findall(line.lower()))
        if tail or names.isupper() or set(words) & non_name or any(counts[w] > own[w] for w in words[1:]):
            return None  # the surname also stands elsewhere in the text: someone the text is about
    return names


def _find_byline(kept: list[int], lines: list[str]) -> tuple[int, str] | None:
    """Look in the first 3 and the last 2 kept lines, "By ..." lines first; not the title."""
    text = [i for i in kept if lines[i]]
    spots = [(i, k > 0) for k, i in enumerate(text[:3])] + [(i, True) for i in reversed(text[-2:])]
    counts = Counter(w for i in text for w in _WORD.findall(lines[i].lower()))
    for bare in (False, True):
        for i, bare_ok in spots:
            name = _byline(lines[i], bare and bare_ok, counts)
            if name:
                return i, name
    return None


def clean_text(raw: str) -> Cleaned:
    """Split furniture from body; see the module docstring."""
    lines = [ln.strip() for ln in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    names = [furniture_name(ln) if ln else None for ln in lines]
    cut = _trailing_cut(lines, names)
    gone = {i for i, (ln, nm) in enumerate(zip(lines, names)) if ln and (nm or i >= cut)}
    kept = [i for i in range(len(lines)) if i not in gone]
    found = _find_byline(kept, lines)
    byline_at, byline = found if found else (None, None)
    out: list[str] = []
    for i in kept:
        if i == byline_at or (not lines[i] and (not out or not out[-1])):
            continue
        out.append(lines[i])
    while out and not out[-1]:
        out.pop()
    return Cleaned("\n".join(out), [lines[i] for i in sorted(gone)], byline)
