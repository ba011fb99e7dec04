"""Fuzzing the readers (hypothesis): whatever a file of a supported suffix holds (random bytes,
random JSON values, random HTML and XML), reading never raises, yields only documents, errors
and skipped files, and never loses a good report read with it from the same folder."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corroborate.records import InputError
from corroborate.sources.fields import FIELD_NAMES
from corroborate.sources.readers import RawDoc, Skipped, iter_inputs

SUFFIXES = [".txt", ".html", ".htm", ".jsonl", ".json", ".csv", ".tsv", ".warc", ".rss", ".atom", ".xml",
            ".txt.gz", ".jsonl.gz", ".csv.gz", ".json.gz", ".html.gz", ".xml.gz", ".warc.gz", ".gz", ".pdf"]
GOOD = "Police said three people were killed when a fire broke out at the market on Sunday."
FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
field_names = st.sampled_from([name for names in FIELD_NAMES.values() for name in names] + ["junk", ""])
records = st.dictionaries(field_names, json_values | st.text(max_size=80), max_size=6)
tags = st.sampled_from(["div", "p", "article", "span", "html", "body", "script", "title", "meta", "a", "rss", "item",
                        "channel", "feed", "entry", "description", "urlset", "url", "loc", "!DOCTYPE x [<!ENTITY a 'b'>]", "?xml"])
markup = st.lists(
    st.one_of(
        tags.map(lambda t: f"<{t}>"),
        tags.map(lambda t: f"</{t}>"),
        st.text(max_size=40),
        st.sampled_from(["&amp;", "&a;", "&#0;", "<![CDATA[x", "]]>", "<!--", "-->", "\x00", "\ufeff", "\r\n"]),
    ),
    max_size=40,
).map("".join)


def _check(name: str, data: bytes) -> None:
    """Write ``data`` as ``name`` beside a good report and read the folder and the file."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "good.txt").write_text(GOOD, encoding="utf-8")
        (folder / name).write_bytes(data)
        items = list(iter_inputs([folder, folder / name]))
        assert all(isinstance(item, (RawDoc, InputError, Skipped)) for item in items), items
        good = [item for item in items if isinstance(item, RawDoc) and item.id == "good"]
        assert len(good) == 1 and good[0].text == GOOD
        for item in items:
            if isinstance(item, RawDoc):
                assert isinstance(item.text, str) and item.text.strip()
                assert item.published is None or isinstance(item.published, str)
            elif isinstance(item, InputError):
                assert item.message


def _variants(suffix: str, data: bytes) -> bytes:
    return gzip.compress(data) if suffix.endswith(".gz") and suffix != ".gz" else data


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=600))
def test_random_bytes(suffix, data):
    _check("fuzz" + suffix, _variants(suffix, data))
    _check("raw" + suffix, data)  # bytes under a .gz name that may not be gzip at all


@FUZZ
@given(suffix=st.sampled_from([".json", ".jsonl", ".json.gz", ".jsonl.gz", ".csv"]),
       values=st.lists(json_values | records, min_size=1, max_size=5))
def test_random_json_values_and_records(suffix, values):
    if suffix.startswith(".jsonl"):
        data = "".join(json.dumps(value) + "\n" for value in values).encode()
    elif suffix.startswith(".json"):
        data = json.dumps(values if len(values) > 1 else values[0]).encode()
    else:
        keys = sorted({key for value in values if isinstance(value, dict) for key in value if "\n" not in key}) or ["text"]
        rows = [",".join(json.dumps(str(value.get(key, ""))) if isinstance(value, dict) else "" for key in keys) for value in values]
        data = ("\n".join([",".join(json.dumps(k) for k in keys), *rows]) + "\n").encode()
    _check("fuzz" + suffix, _variants(suffix, data))


@FUZZ
@given(suffix=st.sampled_from([".html", ".htm", ".xml", ".rss", ".atom", ".txt", ".html.gz", ".xml.gz"]),
       text=markup, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_random_html_and_xml(suffix, text, encoding):
    _check("fuzz" + suffix, _variants(suffix, text.encode(encoding, "replace")))


@FUZZ
@given(pages=st.lists(st.tuples(markup, st.sampled_from(["200 OK", "404 Not Found", "200 X"]),
                                st.sampled_from(["text/html", "text/html; charset=bogus", "application/xhtml+xml", "image/png", ""]),
                                st.text(max_size=30)), min_size=1, max_size=4),
       gz=st.booleans(), cut=st.floats(min_value=0, max_value=1), flip=st.integers(min_value=0, max_value=10**6))
def test_damaged_warc_archives(pages, gz, cut, flip):
    """A WARC written by warcio from random pages, cut short or with one byte changed."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    for body, status, ctype, url in pages:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://example.org/" + url, "response",
                                                      payload=io.BytesIO(body.encode("utf-8", "replace")), http_headers=headers))
    data = bytearray(out.getvalue())
    name = "crawl.warc.gz" if gz else "crawl.warc"
    _check(name, bytes(data))
    _check(name, bytes(data[: int(len(data) * cut)]))
    data[flip % len(data)] ^= 0x5A
    _check(name, bytes(data))
