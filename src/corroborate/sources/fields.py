"""Records (a JSONL line, a JSON object, a CSV row) to raw documents: field names, types, ids.

Each of our fields is read from the first of its usual names that the record has
(:data:`FIELD_NAMES`); ``--map our=theirs`` (:func:`parse_field_map`) names it instead.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from corroborate.sources.dates import normalize_date
from corroborate.sources.decode import BadInput

#: our field -> the names it is read from, first found wins (news-please, trafilatura, common exports)
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "id": ("id", "news_id", "doc_id", "fingerprint"),
    "text": ("text", "maintext", "body", "content", "article", "raw_text"),
    "html": ("html", "raw_html"),
    "title": ("title", "headline"),
    "published": ("published", "date_publish", "date", "pubdate", "published_at", "datePublished", "publish_date"),
    "url": ("url", "link", "source_url"),
    "source": ("source", "source_domain", "sitename", "source-hostname", "hostname", "outlet"),
    "byline": ("byline", "author", "authors"),
}


def parse_field_map(spec: str) -> dict[str, str]:
    """``"text=body,published=pubdate"`` -> ``{"text": "body", "published": "pubdate"}``.

    Raises ValueError with a message naming the bad part: not ``field=name``, an empty name, a
    field corroborate does not read, or a field given twice."""
    out: dict[str, str] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        ours, sep, theirs = part.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise ValueError(f"bad field mapping {part!r}: expected FIELD=NAME, e.g. text=body")
        if ours not in FIELD_NAMES:
            raise ValueError(f"unknown field {ours!r} in {part!r}: the fields are {', '.join(FIELD_NAMES)}")
        if ours in out:
            raise ValueError(f"field {ours!r} is mapped twice")
        out[ours] = theirs
    if not out:
        raise ValueError("empty field mapping: expected FIELD=NAME[,FIELD=NAME...], e.g. text=body")
    return out


def names_for(field_map: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Our field -> the names to read it from: the mapped name alone, else the usual names not
    claimed by another field's mapping."""
    claimed = set(field_map.values())
    return {ours: (field_map[ours],) if ours in field_map else tuple(n for n in names if n not in claimed)
            for ours, names in FIELD_NAMES.items()}


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _lookup(obj: Mapping[str, Any], names: tuple[str, ...], folded: dict[str, str] | None) -> tuple[int, str, Any] | None:
    """(position in ``names``, the record's key, its value) for the first name present with a
    value; exact keys first, then keys differing in case (CSV headers such as ``Title``)."""
    for index, name in enumerate(names):
        if name in obj and obj[name] not in (None, ""):
            return index, name, obj[name]
    if folded:
        for index, name in enumerate(names):
            key = folded.get(name.lower())
            if key is not None and obj[key] not in (None, ""):
                return index, key, obj[key]
    return None


def control_character(text: str) -> str | None:
    """The first control character (C0, DEL, C1) or line or paragraph separator in ``text``, if any."""
    return next((ch for ch in text if unicodedata.category(ch) in ("Cc", "Zl", "Zp")), None)


def check_id(doc_id: str) -> str:
    """Refuse an id holding a control character (:func:`control_character`)."""
    bad = control_character(doc_id)
    if bad:
        raise BadInput(f"the id {doc_id!r} holds the control character {bad!r}; an id must be printable")
    return doc_id


def _string(key: str, value: Any) -> str | None:
    if not isinstance(value, str):
        raise BadInput(f"{key!r} must be a string, got {_type_name(value)}")
    return value.strip() or None


def record_to_doc(obj: Mapping[str, Any], *, where: str, fallback_id: str, field_map: Mapping[str, str] | None = None,
                  encoding: str | None = None, max_chars: int | None = None):
    """A :class:`~corroborate.sources.readers.RawDoc` from one record, or :class:`BadInput`.

    The id is the record's own (a string or a number), else ``fallback_id`` (the file's id and the
    record's position). Text comes from the text field, else from the HTML field through
    trafilatura. title, url, source and byline must be strings (``authors`` may be a list of
    strings, joined with ", "); published a string or a number (epoch seconds). A published value
    that cannot be read as a date is dropped with a warning on the document; the report is kept."""
    from corroborate.sources.readers import (
        MAX_TEXT_CHARS,
        RawDoc,
        checked_text,
        domain_of,
        html_to_doc,
    )

    max_chars = MAX_TEXT_CHARS if max_chars is None else max_chars

    names = names_for(field_map or {})
    folded = {key.lower(): key for key in obj if isinstance(key, str)} if any(isinstance(k, str) and k != k.lower() for k in obj) else None

    def get(ours: str, skip: int = 0) -> tuple[str, Any] | None:
        found = _lookup(obj, names[ours][skip:], folded)
        return None if found is None else found[1:]

    found = get("id")
    doc_id = fallback_id
    if found is not None:
        key, value = found
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise BadInput(f"{key!r} must be a string or a number, got {_type_name(value)}")
        doc_id = check_id(str(value)).strip(" ") or fallback_id

    meta: dict[str, str | None] = {}
    for ours in ("title", "url", "source"):
        found = get(ours)
        meta[ours] = _string(*found) if found else None
    source = meta["source"]
    if source and source.lower().startswith(("http://", "https://")):
        # trafilatura's JSON names the page's URL "source" (and the site "source-hostname")
        meta["url"] = meta["url"] or source
        index = _lookup(obj, names["source"], folded)[0]  # type: ignore[index]
        later = get("source", skip=index + 1)
        meta["source"] = _string(*later) if later else None
    found = get("byline")
    meta["byline"] = None
    if found is not None:
        key, value = found
        if isinstance(value, list):
            if not all(isinstance(item, str) for item in value):
                raise BadInput(f"{key!r} must be a string or a list of strings")
            meta["byline"] = ", ".join(item.strip() for item in value if item.strip()) or None
        else:
            meta["byline"] = _string(key, value)

    text_found, html_found = get("text"), get("html")
    for found in (text_found, html_found):
        if found is not None and not isinstance(found[1], str):
            raise BadInput(f"{found[0]!r} must be a string, got {_type_name(found[1])}")
    if text_found and text_found[1].strip():
        doc = RawDoc(id=doc_id, origin=where, text=checked_text(text_found[1], max_chars))
    elif html_found and html_found[1].strip():
        doc = html_to_doc(html_found[1], doc_id=doc_id, origin=where, url=meta["url"], max_chars=max_chars)
    else:
        wanted = names["text"] + names["html"]
        raise BadInput(f"no text: none of {', '.join(repr(n) for n in wanted)} holds any")
    doc.encoding = encoding
    doc.title = meta["title"] or doc.title
    doc.url = meta["url"] or doc.url
    doc.source = meta["source"] or doc.source or domain_of(doc.url)
    doc.byline = meta["byline"] or doc.byline

    found = get("published")
    if found is not None:
        key, value = found
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise BadInput(f"{key!r} must be a string or a number, got {_type_name(value)}")
        published = normalize_date(value)
        if published is None:
            doc.warnings.append(f"{key!r} could not be read as a date: {str(value)[:60]!r}")
        else:
            doc.published = published
    return doc
