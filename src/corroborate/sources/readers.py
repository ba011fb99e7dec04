"""Read report inputs: files of every format newsrooms have, directories, standard input.

=====================  ======================================================================
suffix                 read as
=====================  ======================================================================
``.txt``               one report (a first line that looks like a headline is its title)
``.html`` ``.htm``     one report: main text and metadata by trafilatura
``.jsonl``             one report per line, streamed (:mod:`.tabular`, field names :mod:`.fields`)
``.json``              an array of objects (one report each), or one object
``.csv`` ``.tsv``      one report per row under a header row, streamed
``.warc``              one report per HTML page archived (:mod:`.warc`)
``.rss`` ``.atom``     a feed or sitemap (:func:`corroborate.sources.feeds.read_xml`)
``.xml``
``<any above>.gz``     the same, decompressed as it is read (``.warc.gz`` by warcio itself)
=====================  ======================================================================

Each input yields :class:`RawDoc` records or :class:`~corroborate.records.InputError`
records (a file in a directory that is not read: :class:`Skipped`); a bad input never stops
the batch. Text in any encoding is decoded (:mod:`.decode`) and the encoding kept. JSONL and
CSV files are streamed, so their size is not bounded by memory.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import sys
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast
from urllib.parse import urlparse

from corroborate.records import InputError
from corroborate.settings import Settings
from corroborate.sources.dates import normalize_date
from corroborate.sources.decode import BadInput, decode_text
from corroborate.sources.fields import control_character, parse_field_map  # noqa: F401 (parse_field_map: for the CLI)

if TYPE_CHECKING:
    from trafilatura.settings import Document

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
JSON_SUFFIXES = {".json"}
CSV_SUFFIXES = {".csv", ".tsv"}
WARC_SUFFIXES = {".warc"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
GZIP_SUFFIX = ".gz"
#: formats whose file holds one report, named by the file (:func:`file_ids`)
DOC_FORMATS = TEXT_SUFFIXES | HTML_SUFFIXES
#: formats whose file holds records: a record without its own id is ``<file id>/<n>``
RECORD_FORMATS = JSONL_SUFFIXES | JSON_SUFFIXES | CSV_SUFFIXES | WARC_SUFFIXES | FEED_SUFFIXES
FORMATS = DOC_FORMATS | RECORD_FORMATS
#: every suffix read (a ``.gz`` file is read when the name before it has a suffix of FORMATS)
SUPPORTED = FORMATS | {GZIP_SUFFIX}

#: The default limits, those of :class:`corroborate.settings.Settings` (``CORROBORATE_MAX_DOC_BYTES``, ...),
#: which a run passes on in its :class:`ReadOptions`: a single .txt/.html file, JSONL line or CSV
#: field larger than MAX_DOC_BYTES is refused; a .json or feed file (read whole) larger than
#: MAX_FILE_BYTES; one text longer than MAX_TEXT_CHARS (refused, not truncated; a long text is
#: parsed in chunks, :mod:`corroborate.analyze.nlp`).
MAX_DOC_BYTES: int = Settings.model_fields["max_doc_bytes"].default
MAX_FILE_BYTES: int = Settings.model_fields["max_file_bytes"].default
MAX_TEXT_CHARS: int = Settings.model_fields["max_text_chars"].default


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
    #: the limits (:class:`corroborate.settings.Settings` sets them: ``CORROBORATE_MAX_TEXT_CHARS``, ...)
    max_doc_bytes: int = MAX_DOC_BYTES
    max_file_bytes: int = MAX_FILE_BYTES
    max_text_chars: int = MAX_TEXT_CHARS


def is_url(item: str | os.PathLike) -> bool:
    return isinstance(item, str) and item.lower().startswith(("http://", "https://"))


def is_output_folder(path: Path) -> bool:
    """A folder a corroborate run wrote (its marker file): never read back as input."""
    return (path / OUTPUT_MARKER).is_file()


def folder_files(path: Path) -> list[Path]:
    """The files a run reads in folder ``path``, recursively, in order: hidden files and files in
    hidden folders or in corroborate output folders (:func:`is_output_folder`) are left out."""
    outputs = {marker.parent for marker in path.rglob(OUTPUT_MARKER)}
    return [p for p in sorted(path.rglob("*")) if p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and not outputs.intersection(p.parents)]


class Prefetched(os.PathLike):
    """An input already read, such as a feed that ``corroborate watch`` polled: its documents
    (and errors), given out again each time the input is read. ``str()`` is its name (the URL)."""

    def __init__(self, name: str, docs: list[RawDoc | InputError]) -> None:
        self.name = name
        self.docs = list(docs)

    def __str__(self) -> str:
        return self.name

    def __fspath__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"Prefetched({self.name!r}, {len(self.docs)} documents)"


class Stdin(os.PathLike):
    """Standard input, copied once to a temporary file so that it can be read more than once (a
    run into a store reads its inputs twice). ``str()`` is ``-``, and it reads as ``-`` does:
    the same ids and origins."""

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self.copy = tempfile.TemporaryFile()  # noqa: SIM115 (kept open until close(): read again by each pass)
        shutil.copyfileobj(stream if stream is not None else sys.stdin.buffer, self.copy)

    def rewound(self) -> BinaryIO:
        self.copy.seek(0)
        return self.copy

    def close(self) -> None:
        self.copy.close()

    def __str__(self) -> str:
        return "-"

    def __fspath__(self) -> str:
        return "-"


def iter_inputs(inputs: Iterable[str | os.PathLike], options: ReadOptions | None = None) -> Iterator[RawDoc | InputError | Skipped]:
    """Yield raw documents, errors and skipped files from files, directories, URLs and ``-``
    (standard input), in order.

    Ids of ``.txt`` and ``.html`` files (:func:`file_ids`): a file found in a directory is named by
    its path relative to that directory, without the extension (``abc13.com/index``); a file given
    directly keeps its stem. A record of a JSONL, JSON or CSV file keeps its own id, else is named
    ``<file id>/<n>`` (its line, row or position); a WARC page is ``<file id>/<record number>``.
    An origin names the input as it was given (a relative path stays relative)."""
    options = options or ReadOptions()
    listed: list[tuple[str, list[Path] | None]] = []
    prefetched: dict[str, Prefetched] = {}
    stdin: Stdin | None = None
    for item in inputs:
        if isinstance(item, Stdin):
            stdin = item
        if isinstance(item, Prefetched):
            prefetched[str(item)] = item
            listed.append((str(item), None))
            continue
        if is_url(item) or str(item) == "-":
            listed.append((str(item), None))
            continue
        path = Path(item)
        if path.is_dir():
            listed.append((str(item), folder_files(path)))
        else:
            listed.append((str(item), None))
    local = [(item, children) for item, children in listed if not (item in prefetched or is_url(item) or item == "-")]
    ids = {**file_ids(local, formats=RECORD_FORMATS), **file_ids(local)}
    for item, children in listed:
        if item in prefetched:
            yield from prefetched[item].docs
            continue
        if is_url(item):
            from corroborate.sources.web import read_url

            yield from read_url(item, options)
            continue
        if item == "-":
            yield from read_stdin(options, stdin.rewound() if stdin is not None else None)
            continue
        path = Path(item)
        if children is not None:
            for child in children:
                if file_format(child) is not None:
                    yield from _read_file(child, ids.get(child), options)
                else:
                    yield Skipped(str(child), f"unsupported file type {_suffix_label(child)}")
        elif path.exists():
            yield from _read_file(path, ids.get(path), options)
        else:
            yield InputError(input=str(path), message="no such file or directory")


def read_stdin(options: ReadOptions, stream: BinaryIO | None = None) -> Iterator[RawDoc | InputError]:
    """``-``: standard input, as JSONL when every non-empty line starts with ``{`` (and one of them
    is a JSON object), else as one text report with the id ``stdin``. Origins: ``-`` for the text,
    ``-:<line>`` for JSONL lines; a JSONL record without an id is ``stdin/<line>``.

    The input is copied to a temporary file first (in memory up to 10 MB), since its kind is known
    only once it is all read."""
    from corroborate.sources.decode import text_lines
    from corroborate.sources.tabular import _json_object, read_jsonl

    stream = stream if stream is not None else sys.stdin.buffer
    with tempfile.SpooledTemporaryFile(max_size=options.max_doc_bytes) as spool:
        shutil.copyfileobj(stream, spool)
        size = spool.tell()
        spool.seek(0)
        jsonl, any_object = True, False
        try:
            for _, line, _ in text_lines(spool):  # type: ignore[arg-type]
                if isinstance(line, BadInput):
                    continue
                line = line.strip()
                if not line:
                    continue
                if not line.startswith("{"):
                    jsonl = False
                    break
                if not any_object:
                    try:
                        any_object = isinstance(_json_object(line), dict)
                    except BadInput:
                        pass
        except BadInput:  # binary: read as a text, which says so
            jsonl = False
        spool.seek(0)
        if jsonl and any_object:
            yield from read_jsonl(spool, origin="-", base_id="stdin", options=options)  # type: ignore[arg-type]
            return
        try:
            if size > options.max_doc_bytes:
                raise BadInput(f"too large ({size:,} bytes; the limit is {options.max_doc_bytes:,}); JSONL has no such limit")
            data = spool.read()
            if not data.strip():
                raise BadInput("empty input")
            yield _text_doc(data, doc_id="stdin", origin="-", max_chars=options.max_text_chars)
        except BadInput as exc:
            yield InputError(input="-", message=str(exc))


def file_format(path: Path) -> tuple[str, bool] | None:
    """(format suffix, gzip-compressed) of a file corroborate reads, else None:
    ``story.txt`` -> (".txt", False), ``reports.jsonl.gz`` -> (".jsonl", True)."""
    suffix = path.suffix.lower()
    compressed = suffix == GZIP_SUFFIX
    if compressed:
        suffix = Path(path.stem).suffix.lower()
    return (suffix, compressed) if suffix in FORMATS else None


def _suffix_label(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == GZIP_SUFFIX and Path(path.stem).suffix:
        suffix = Path(path.stem).suffix.lower() + suffix
    return f"'{suffix}'" if suffix else "(no extension)"


def file_ids(listed: list[tuple[str, list[Path] | None]], formats: set[str] = DOC_FORMATS) -> dict[Path, str]:
    """The id of each ``.txt`` / ``.html`` file (of each file of ``formats``: the files of records
    name their records without ids by it), for input arguments listed as (argument, the files found
    under it, or None for a file given directly). The extension of a gzipped file is both of its
    suffixes (``story.txt.gz``).

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
        if keep_suffix:
            return rel.as_posix()
        if rel.suffix.lower() == GZIP_SUFFIX:
            rel = rel.with_suffix("")
        return rel.with_suffix("").as_posix()

    per_argument: list[tuple[str, dict[Path, str]]] = []
    for item, children in listed:
        files = children if children is not None else [Path(item)]
        files = [f for f in files if (fmt := file_format(f)) is not None and fmt[0] in formats]
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


def _read_file(path: Path, doc_id: str | None, options: ReadOptions) -> Iterator[RawDoc | InputError]:
    fmt = file_format(path)
    origin = str(path)
    try:
        if fmt is None:
            raise BadInput(f"unsupported file type {_suffix_label(path)}; expected {_expected()}")
        suffix, compressed = fmt
        doc_id = doc_id or Path(path.name.removesuffix(GZIP_SUFFIX) if compressed else path.name).stem
        bad = control_character(doc_id)
        if bad:
            raise BadInput(f"the file's name holds the control character {bad!r}, which an id cannot hold; rename the file")
        if suffix in WARC_SUFFIXES:
            from corroborate.sources.warc import read_warc

            yield from read_warc(path, base_id=doc_id, options=options)
        elif suffix in JSONL_SUFFIXES | CSV_SUFFIXES:
            from corroborate.sources.tabular import read_csv, read_jsonl

            with _open(path, compressed) as stream:
                if suffix in JSONL_SUFFIXES:
                    yield from read_jsonl(stream, origin=origin, base_id=doc_id, options=options)
                else:
                    yield from read_csv(stream, origin=origin, base_id=doc_id, options=options,
                                        delimiter="\t" if suffix == ".tsv" else None)
        elif suffix in JSON_SUFFIXES:
            from corroborate.sources.tabular import read_json

            yield from read_json(_read_bytes(path, compressed, options.max_file_bytes), origin=origin, base_id=doc_id, options=options)
        elif suffix in FEED_SUFFIXES:
            data = _read_bytes(path, compressed, options.max_file_bytes)
            try:
                from corroborate.sources.feeds import read_xml
            except ModuleNotFoundError as exc:
                if exc.name != "corroborate.sources.feeds":
                    raise
                raise BadInput("reading RSS/Atom feeds is not available in this version") from None
            yield from read_xml(data, origin=origin, doc_id=doc_id, options=options)
        elif suffix in TEXT_SUFFIXES:
            yield _text_doc(_read_bytes(path, compressed, options.max_doc_bytes), doc_id=doc_id, origin=origin,
                            max_chars=options.max_text_chars)
        else:
            yield html_to_doc(_read_bytes(path, compressed, options.max_doc_bytes), doc_id=doc_id, origin=origin,
                              max_chars=options.max_text_chars)
    except BadInput as exc:
        yield InputError(input=origin, message=str(exc))
    except (gzip.BadGzipFile, zlib.error) as exc:
        yield InputError(input=origin, message=f"not a valid gzip file ({exc})")
    except EOFError:
        yield InputError(input=origin, message="truncated gzip file (it ends before its end marker)")
    except OSError as exc:
        yield InputError(input=origin, message=f"cannot read: {exc.strerror or exc}")


def _expected() -> str:
    return ", ".join(sorted(FORMATS)) + " (or any of these gzipped, .gz)"


def _open(path: Path, compressed: bool) -> BinaryIO:
    return gzip.open(path, "rb") if compressed else path.open("rb")  # type: ignore[return-value]


def _read_bytes(path: Path, compressed: bool = False, limit: int | None = None) -> bytes:
    """A whole file (decompressed), refused when larger than ``limit`` (:data:`MAX_DOC_BYTES`)."""
    limit = MAX_DOC_BYTES if limit is None else limit
    if compressed:
        with gzip.open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise BadInput(f"too large once decompressed (more than {limit:,} bytes; the limit is {limit:,})")
    else:
        size = path.stat().st_size
        if size > limit:
            raise BadInput(f"too large ({size:,} bytes; the limit is {limit:,})")
        data = path.read_bytes()
    if not data.strip():
        raise BadInput("empty file")
    return data


def checked_text(text: str, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``text``, or :class:`BadInput` if it is blank or longer than ``max_chars``
    (:attr:`ReadOptions.max_text_chars`)."""
    if not text.strip():
        raise BadInput("no text")
    if len(text) > max_chars:
        raise BadInput(f"text too long ({len(text):,} characters; the limit is {max_chars:,})")
    return text


def _text_doc(data: bytes, *, doc_id: str, origin: str, max_chars: int = MAX_TEXT_CHARS) -> RawDoc:
    text, encoding = decode_text(data)
    title, body = split_headline(checked_text(text, max_chars))
    return RawDoc(id=doc_id, origin=origin, text=body, title=title, encoding=encoding)


def split_headline(text: str) -> tuple[str | None, str]:
    """Take a plain-text scrape's first line as its headline when it looks like one.

    A headline is a first non-empty line of at most 200 characters, followed by a
    blank line, that does not end like a sentence.
    """
    stripped = text.lstrip()
    first, sep, rest = stripped.partition("\n")
    first = first.strip()
    if sep and rest.startswith(("\n", "\r\n")) and 0 < len(first) <= 200 and not first.endswith((".", ":", ",", ";")) and rest.strip():
        return first, rest
    return None, text


def html_to_doc(html: bytes | str, *, doc_id: str, origin: str, url: str | None = None,
                charset: str | None = None, max_chars: int = MAX_TEXT_CHARS) -> RawDoc:
    """Extract main text and metadata from an HTML page with trafilatura.

    Bytes are decoded by :func:`decode_html` (``charset``: the HTTP header's, if any) and the
    encoding is kept on the document. The page is parsed by lxml with libxml2's depth limit
    lifted from 255 to 2,048 elements (``huge_tree``); a page nested deeper still is parsed again
    without its layout wrappers (div, span, section, font, center)."""
    encoding = None
    if isinstance(html, bytes):
        html, encoding = decode_html(html, charset)
    if "<html" not in html[:2000].lower():
        html = f"<html><body>{html}</body></html>"  # a fragment ("<article><p>…"), as JSONL often holds
    tree = _deep_tree(html)
    if tree is not None and html.count("<") > _DEPTH_LIMIT and _depth(tree) >= _DEPTH_LIMIT:
        tree = _deep_tree(_WRAPPERS.sub(" ", html))  # deeper than libxml2 reads: flatten the layout wrappers
    extracted = _extract(tree if tree is not None else html, url)
    if extracted is None:
        raise BadInput("no article text found in the HTML (malformed page, or not an article)")
    text = checked_text(extracted.text, max_chars)
    title = extracted.title or None
    if title and text.startswith(title) and text[len(title):len(title) + 1] in ("", "\n"):  # the headline's own line
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
        encoding=encoding,
    )


#: libxml2's nesting limit with ``huge_tree`` (2,048 elements), less a margin
_DEPTH_LIMIT = 2000


def _depth(tree) -> int:
    """How deep the parsed page nests (elements from the root to the deepest one)."""
    depth = {tree: 0}
    deepest = 0
    for element in tree.iterdescendants():
        level = depth[element.getparent()] + 1
        depth[element] = level
        deepest = max(deepest, level)
    return deepest


_WRAPPERS = re.compile(r"</?(?:div|span|section|font|center)\b[^>]*>", re.IGNORECASE)


def _extract(html, url: str | None):
    """trafilatura's extraction of a page (a string or a parsed tree), or None when it finds no text."""
    import logging

    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    if html is None:
        return None
    # trafilatura logs its own parse failures; corroborate reports one clear error per input instead
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    extracted = cast("Document | None", trafilatura.bare_extraction(  # a Document: as_dict is not set
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"original_date": True, "extensive_search": False, "outputformat": "%Y-%m-%dT%H:%M:%S%z"},
    ))
    if extracted is None or not (extracted.text or "").strip():
        return None
    return extracted


def _deep_tree(html: str):
    """The page parsed by lxml with libxml2's depth limit lifted (``huge_tree``), or None."""
    from lxml import etree
    from lxml.html import HTMLParser, document_fromstring

    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                        remove_pis=True, huge_tree=True)
    try:
        return document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


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


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes, charset: str | None = None) -> tuple[str, str]:
    """Decode a page; returns (text, encoding name). A byte-order mark or UTF-16 wins, then
    UTF-8, then ``charset`` (an HTTP header's), then the page's own ``<meta charset>``, then
    charset-normalizer's guess (:func:`corroborate.sources.decode.decode_text`)."""
    declared = charset
    if not declared:
        match = _CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", "ignore") if match else None
    try:
        return decode_text(data, declared=declared)
    except BadInput as exc:
        raise BadInput(str(exc).replace("not text", "not HTML")) from None


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url).hostname or ""
    if host == "web.archive.org":  # web-archive captures: the archived page's own host
        inner = url.split("/http", 1)
        if len(inner) == 2:
            return domain_of("http" + inner[1])
    return host.removeprefix("www.") or None
