"""Read report inputs: ``.txt``, ``.html``/``.htm``, ``.jsonl`` files and directories.

Each input yields :class:`RawDoc` records or :class:`~corroborate.records.InputError`
records; a bad input never stops the batch. Files are streamed: a JSONL file is
read line by line, so its size is not bounded by memory.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from corroborate.records import InputError

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

#: A single .txt/.html file, or a single JSONL line, larger than this is refused.
MAX_DOC_BYTES = 10 * 1024 * 1024
#: spaCy's default ``nlp.max_length``; longer texts are refused, not truncated.
MAX_TEXT_CHARS = 1_000_000


#: A folder holding this file is a corroborate output folder: never read as input.
OUTPUT_MARKER = ".corroborate-output.json"


@dataclass
class RawDoc:
    """A report as read, before cleaning."""

    id: str
    origin: str
    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    source: str | None = None
    byline: str | None = None
    encoding: str | None = None  # how the input's bytes were decoded (e.g. "utf-8", "cp1252", "utf-16")
    warnings: list[str] = field(default_factory=list)  # kept, but something was not read (a date, ...)


@dataclass
class Skipped:
    """A file found inside a directory that corroborate does not read, and why."""

    path: str
    reason: str = "unsupported file type"


@dataclass(frozen=True)
class ReadOptions:
    """How inputs are read (the ``corroborate run`` options that concern reading)."""

    #: our field name -> the input's field name (``--map text=body,published=pubdate``)
    field_map: Mapping[str, str] = field(default_factory=dict)
    #: feeds: fetch each item's page instead of taking the text the feed carries (``--fetch-links``)
    fetch_links: bool = False


class BadInput(Exception):
    """Raised by a reader for one bad input; turned into an :class:`InputError`."""


def is_url(item: str | os.PathLike) -> bool:
    return isinstance(item, str) and item.lower().startswith(("http://", "https://"))


def is_output_folder(path: Path) -> bool:
    """A folder a corroborate run wrote (its marker file): never read back as input."""
    return (path / OUTPUT_MARKER).is_file()


def iter_inputs(inputs: Iterable[str | os.PathLike], options: ReadOptions | None = None) -> Iterator[RawDoc | InputError | Skipped]:
    """Yield raw documents, errors and skipped files from files and directories, in order.

    Ids of ``.txt`` and ``.html`` files (:func:`file_ids`): a file found in a directory is named by
    its path relative to that directory, without the extension (``abc13.com/index``); a file given
    directly keeps its stem. JSONL records carry their own ids."""
    options = options or ReadOptions()
    listed: list[tuple[str, list[Path] | None]] = []
    for item in inputs:
        if is_url(item) or str(item) == "-":
            listed.append((str(item), None))
            continue
        path = Path(item)
        if path.is_dir():
            outputs = {marker.parent for marker in path.rglob(OUTPUT_MARKER)}  # corroborate output folders
            children = [p for p in sorted(path.rglob("*")) if p.is_file()
                        and not any(part.startswith(".") for part in p.relative_to(path).parts)
                        and not outputs.intersection(p.parents)]
            listed.append((str(item), children))
        else:
            listed.append((str(item), None))
    ids = file_ids([(item, children) for item, children in listed if not (is_url(item) or item == "-")])
    for item, children in listed:
        if is_url(item):
            from corroborate.ingest.web import read_url

            yield from read_url(item, options)
            continue
        if item == "-":
            yield from read_stdin(options)
            continue
        path = Path(item)
        if children is not None:
            for child in children:
                if child.suffix.lower() in SUPPORTED:
                    yield from _read_file(child, ids.get(child))
                else:
                    yield Skipped(str(child))
        elif path.exists():
            yield from _read_file(path, ids.get(path))
        else:
            yield InputError(input=str(path), message="no such file or directory")


def read_stdin(options: ReadOptions) -> Iterator[RawDoc | InputError]:
    """``-``: standard input, as JSONL or as one text."""
    yield InputError(input="-", message="reading standard input is not supported yet")


def file_ids(listed: list[tuple[str, list[Path] | None]]) -> dict[Path, str]:
    """The id of each ``.txt`` / ``.html`` file, for input arguments listed as (argument, the files
    found under it, or None for a file given directly).

    - in a directory: the path relative to it, without the extension, with "/" between parts
      (``abc13.com/index``); two files of one directory differing only in their extension keep it
      (``story.txt``, ``story.html``);
    - a file given directly: its stem;
    - an id that two input arguments would both give is prefixed with each argument's own name
      (``monday/index``, ``tuesday/index``; for a file given directly, the name of its folder).
      Ids that still collide are reported as duplicates, naming both files.
    """
    def name(f: Path, base: Path | None, keep_suffix: bool = False) -> str:
        rel = f.relative_to(base) if base is not None else Path(f.name)
        return (rel if keep_suffix else rel.with_suffix("")).as_posix()

    per_argument: list[tuple[str, dict[Path, str]]] = []
    for item, children in listed:
        files = children if children is not None else [Path(item)]
        files = [f for f in files if f.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES]
        base = Path(item) if children is not None else None
        plain = Counter(name(f, base) for f in files)
        per_argument.append((item, {f: name(f, base, keep_suffix=plain[name(f, base)] > 1) for f in files}))
    arguments_of: dict[str, set[str]] = defaultdict(set)
    for item, ids in per_argument:
        for doc_id in ids.values():
            arguments_of[doc_id].add(item)
    out: dict[Path, str] = {}
    for (item, children), (_, ids) in zip(listed, per_argument):
        # a folder's own name; a file given directly: the name of the folder it is in
        label = (Path(item).resolve().name if children is not None else Path(item).resolve().parent.name) or "input"
        for f, doc_id in ids.items():
            out[f] = f"{label}/{doc_id}" if len(arguments_of[doc_id]) > 1 else doc_id
    return out


def _read_file(path: Path, doc_id: str | None = None) -> Iterator[RawDoc | InputError]:
    suffix = path.suffix.lower()
    doc_id = doc_id or path.stem
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _read_jsonl(path)
        elif suffix in TEXT_SUFFIXES:
            yield _read_txt(path, doc_id)
        elif suffix in HTML_SUFFIXES:
            yield _read_html(path, doc_id)
        else:
            raise BadInput(f"unsupported file type '{suffix or '(none)'}'; expected .txt, .html, .htm or .jsonl")
    except BadInput as exc:
        yield InputError(input=str(path), message=str(exc))
    except OSError as exc:
        yield InputError(input=str(path), message=f"cannot read: {exc.strerror or exc}")


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_DOC_BYTES:
        raise BadInput(f"too large ({size:,} bytes; the limit is {MAX_DOC_BYTES:,})")
    data = path.read_bytes()
    if not data.strip():
        raise BadInput("empty file")
    return data


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise BadInput("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); convert it to UTF-8"
        ) from None


def _checked_text(text: str) -> str:
    if not text.strip():
        raise BadInput("no text")
    if len(text) > MAX_TEXT_CHARS:
        raise BadInput(f"text too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
    return text


def _read_txt(path: Path, doc_id: str) -> RawDoc:
    text = _checked_text(_decode(_read_bytes(path)))
    title, body = split_headline(text)
    return RawDoc(id=doc_id, origin=str(path), text=body, title=title)


def split_headline(text: str) -> tuple[str | None, str]:
    """Take a plain-text scrape's first line as its headline when it looks like one.

    A headline is a first non-empty line of at most 200 characters, followed by a
    blank line, that does not end like a sentence.
    """
    stripped = text.lstrip()
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if sep and rest.startswith(("\n", "\r\n")) and 0 < len(first) <= 200 and not first.endswith((".", ":", ",", ";")):
        if rest.strip():
            return first, rest
    return None, text


def _read_html(path: Path, doc_id: str) -> RawDoc:
    data = _read_bytes(path)
    if b"\x00" in data[:8192]:
        raise BadInput("binary file (contains NUL bytes), not HTML")
    doc = html_to_doc(data, doc_id=doc_id, origin=str(path))
    return doc


def html_to_doc(html: bytes | str, *, doc_id: str, origin: str, url: str | None = None) -> RawDoc:
    """Extract main text and metadata from an HTML page with trafilatura."""
    import logging

    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    # trafilatura logs its own parse failures; corroborate reports one clear error per input instead
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    if isinstance(html, bytes):
        html = _decode_html(html)
    if "<html" not in html[:2000].lower():
        html = f"<html><body>{html}</body></html>"  # a fragment ("<article><p>…"), as JSONL often holds
    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    )
    if extracted is None or not (extracted.text or "").strip():
        raise BadInput("no article text found in the HTML (malformed page, or not an article)")
    text = _checked_text(extracted.text)
    title = extracted.title or None
    if title and text.startswith(title):
        text = text[len(title):].lstrip("\n")
    page_url = url or extracted.url
    published = normalize_date(extracted.date)
    precise = _meta_published(html)
    if precise and (published is None or precise[:10] == published[:10]):
        published = precise  # the page's own time of publication, when trafilatura keeps only the day
    return RawDoc(
        id=doc_id,
        origin=origin,
        text=text,
        title=title,
        published=published,
        url=page_url,
        source=extracted.sitename or domain_of(page_url),
        byline=extracted.author or None,
    )


_PUBLISHED_META = re.compile(
    r"""<(?:meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|datePublished|pubdate|publish-date|sailthru\.date|parsely-pub-date|DC\.date\.issued)["'][^>]*content=["']([^"']+)["']"""
    r"""|time[^>]+datetime=["']([^"']+)["'])""",
    re.IGNORECASE,
)


def _meta_published(html: str) -> str | None:
    """The publication time a page declares (``article:published_time``, ``<time datetime>``), if it has a time."""
    for match in _PUBLISHED_META.finditer(html[:200_000]):
        value = normalize_date(match.group(1) or match.group(2))
        if value and "T" in value:
            return value
    return None


def _decode_html(data: bytes) -> str:
    """Decode a page as UTF-8, else by its declared charset, else as cp1252 (the web's usual fallback)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        declared = re.search(rb"""charset=["']?([\w-]+)""", data[:4096])
        for encoding in ([declared.group(1).decode("ascii", "ignore")] if declared else []) + ["cp1252"]:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
        raise BadInput("cannot decode the page: not UTF-8 and no usable charset") from None


def _read_jsonl(path: Path) -> Iterator[RawDoc | InputError]:
    with path.open("rb") as handle:
        for lineno, line in enumerate(handle, start=1):
            where = f"{path}:{lineno}"
            if not line.strip():
                continue
            try:
                yield _jsonl_doc(line, where)
            except BadInput as exc:
                yield InputError(input=where, message=str(exc))


def _jsonl_doc(line: bytes, where: str) -> RawDoc:
    if len(line) > MAX_DOC_BYTES:
        raise BadInput(f"line too large ({len(line):,} bytes; the limit is {MAX_DOC_BYTES:,})")
    try:
        obj = json.loads(line.strip())
    except UnicodeDecodeError:
        raise BadInput("not valid UTF-8; convert the file to UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadInput(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise BadInput(f"expected a JSON object, got {type(obj).__name__}")
    doc_id = obj.get("id")
    if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()) or isinstance(doc_id, (dict, list, bool)):
        raise BadInput("missing 'id' (a non-empty string or number)")
    doc_id = str(doc_id).strip()
    meta = {key: _opt_str(obj, key) for key in ("title", "url", "source", "byline")}
    text, html = obj.get("text"), obj.get("html")
    if isinstance(text, str) and text.strip():
        doc = RawDoc(id=doc_id, origin=where, text=_checked_text(text))
    elif isinstance(html, str) and html.strip():
        doc = html_to_doc(html, doc_id=doc_id, origin=where, url=meta["url"])
    else:
        raise BadInput("neither 'text' nor 'html' holds any text")
    doc.title = meta["title"] or doc.title
    doc.url = meta["url"] or doc.url
    doc.source = meta["source"] or doc.source or domain_of(doc.url)
    doc.byline = meta["byline"] or doc.byline
    if obj.get("published") is not None:
        published = normalize_date(str(obj["published"]))
        if published is None:
            raise BadInput(f"'published' is not an ISO date: {str(obj['published'])[:40]!r}")
        doc.published = published
    return doc


def _opt_str(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def normalize_date(value: str | None) -> str | None:
    """Return an ISO 8601 date (``YYYY-MM-DD``) or date-time, or None if unparseable."""
    if not value:
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            return None
    if len(value) == 10 or (parsed.hour == parsed.minute == parsed.second == 0 and parsed.tzinfo is None):
        return parsed.date().isoformat()
    return parsed.isoformat()


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    if host == "web.archive.org":  # web-archive captures: the archived page's own host
        inner = url.split("/http", 1)
        if len(inner) == 2:
            return domain_of("http" + inner[1])
    return host.removeprefix("www.") or None
