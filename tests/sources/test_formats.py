"""Every format newsrooms have (issue 14): encodings, CSV, JSON, gzip, standard input, WARC,
field names and --map, dates, wrong JSON types, ids, deep HTML, skipped files, relative origins.

Every input is a real file written by the test, or made by the format's own library (warcio,
gzip, csv, trafilatura)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import sys

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from corroborate.records import InputError
from corroborate.sources.fields import FIELD_NAMES
from corroborate.sources.readers import (
    RawDoc,
    ReadOptions,
    Skipped,
    iter_inputs,
    normalize_date,
    parse_field_map,
    read_stdin,
)

BODY = "Police said three people were killed and two were hurt when a fire broke out at the market on Sunday."
PAGE = ("<html><head><title>{title}</title>{head}</head><body><nav>Home | World</nav><article><p>{body}</p>"
        "<p>The fire service said the blaze started in a food stall shortly after dawn.</p></article></body></html>")


def _read(*paths, **options):
    return list(iter_inputs(paths, ReadOptions(**options)))


def _docs(items):
    return {i.id: i for i in items if isinstance(i, RawDoc)}


def _errors(items):
    return {i.input: i.message for i in items if isinstance(i, InputError)}


# ----------------------------------------------------------------------------------- encodings


CAFE = "Caf\xe9 attack: he said \u201cthree were killed\u201d \u2014 police."
RUSSIAN = "Три человека погибли в результате пожара на рынке в Москве, сообщила полиция. " * 3


@pytest.mark.parametrize(
    ("data", "text", "encoding"),
    [
        (CAFE.encode("utf-8"), CAFE, "utf-8"),
        (CAFE.encode("utf-8-sig"), CAFE, "utf-8"),
        (CAFE.encode("cp1252"), CAFE, "cp1252"),
        ("Caf\xe9 attack".encode("latin-1"), "Caf\xe9 attack", "cp1252"),  # Latin-1 is read as its superset
        (("Le caf\xe9 a \xe9t\xe9 attaqu\xe9 \xe0 Paris, selon la pr\xe9fecture. " * 4).encode("latin-1"),
         "Le caf\xe9 a \xe9t\xe9 attaqu\xe9 \xe0 Paris, selon la pr\xe9fecture. " * 4, "cp1252"),
        (CAFE.encode("utf-16"), CAFE, "utf-16-le"),  # with a BOM (little-endian here)
        (b"\xfe\xff" + CAFE.encode("utf-16-be"), CAFE, "utf-16-be"),
        (CAFE.encode("utf-16-le"), CAFE, "utf-16-le"),  # no BOM
        (CAFE.encode("utf-16-be"), CAFE, "utf-16-be"),
        (RUSSIAN.encode("cp1251"), RUSSIAN, "cp1251"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "latin-1-short", "latin-1", "utf-16-bom", "utf-16-be-bom",
         "utf-16-le", "utf-16-be", "cp1251"],
)
def test_text_in_any_encoding_is_read_and_the_encoding_kept(tmp_path, data, text, encoding):
    path = tmp_path / "story.txt"
    path.write_bytes(data)
    [doc] = _read(path)
    assert isinstance(doc, RawDoc), doc
    assert doc.text == text
    assert doc.encoding == encoding


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", bytes(range(256)) * 8, b"\x7fELF\x02\x01\x01" + bytes(100),
     bytes([1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15, 16]) * 50],
    ids=["png", "all-bytes", "elf", "control-characters"],
)
def test_binary_files_are_still_refused(tmp_path, data):
    path = tmp_path / "image.txt"
    path.write_bytes(data)
    [error] = _read(path)
    assert isinstance(error, InputError)
    assert error.input == str(path)
    assert error.message.startswith("binary file")


def test_html_by_its_meta_charset_or_as_windows_1252(tmp_path):
    declared = tmp_path / "declared.html"
    declared.write_bytes(PAGE.format(title="Caf\xe9 fire", head='<meta charset="iso-8859-1">',
                                     body=f"\u201c{BODY}\u201d").encode("cp1252"))
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes(PAGE.format(title="Caf\xe9 fire", head="", body=f"Caf\xe9 owners said: {BODY}").encode("cp1252"))
    utf16 = tmp_path / "utf16.html"
    utf16.write_bytes(PAGE.format(title="Caf\xe9 fire", head="", body=BODY).encode("utf-16"))
    docs = _docs(_read(declared, undeclared, utf16))
    assert docs["declared"].encoding == "cp1252"  # iso-8859-1 is read as windows-1252, as browsers do
    assert f"\u201c{BODY}\u201d" in docs["declared"].text
    assert docs["declared"].title == "Caf\xe9 fire"
    assert docs["undeclared"].encoding == "cp1252"
    assert f"Caf\xe9 owners said: {BODY}" in docs["undeclared"].text
    assert docs["utf16"].encoding == "utf-16-le"
    assert BODY in docs["utf16"].text


def test_jsonl_csv_and_json_in_other_encodings(tmp_path):
    utf16 = tmp_path / "utf16.jsonl"
    utf16.write_bytes("".join(json.dumps({"id": f"u{k}", "text": CAFE}, ensure_ascii=False) + "\n" for k in range(3)).encode("utf-16"))
    mixed = tmp_path / "mixed.jsonl"  # one line pasted from a Windows file
    mixed.write_bytes(json.dumps({"id": "m1", "text": CAFE}, ensure_ascii=False).encode("utf-8") + b"\n"
                      + json.dumps({"id": "m2", "text": CAFE}, ensure_ascii=False).encode("cp1252") + b"\n")
    excel = tmp_path / "excel.csv"  # Excel's "CSV" in Europe: windows-1252, semicolons
    excel.write_bytes(f"Id;Title;Text\nx1;Caf\xe9 fire;{CAFE}\n".encode("cp1252"))
    array = tmp_path / "array.json"
    array.write_bytes(json.dumps([{"id": "j1", "text": CAFE}], ensure_ascii=False).encode("utf-16"))
    docs = _docs(_read(utf16, mixed, excel, array))
    assert [(k, docs[k].text, docs[k].encoding) for k in ("u0", "u2", "m1", "m2", "x1", "j1")] == [
        ("u0", CAFE, "utf-16-le"), ("u2", CAFE, "utf-16-le"), ("m1", CAFE, "utf-8"), ("m2", CAFE, "cp1252"),
        ("x1", CAFE, "cp1252"), ("j1", CAFE, "utf-16-le"),
    ]
    assert docs["x1"].title == "Caf\xe9 fire"


def test_the_encoding_reaches_the_report_and_bad_dates_become_warnings(tmp_path):
    from corroborate.pipeline import run

    path = tmp_path / "windows.txt"
    path.write_bytes(f"Market fire\n\n{BODY} The caf\xe9 owner said the fire spread quickly.\n".encode("cp1252"))
    records = tmp_path / "batch.jsonl"
    records.write_text(json.dumps({"id": "late", "text": BODY, "published": "the day before"}) + "\n", encoding="utf-8")
    result = run([path, records])
    reports = {r.id: r for r in result.reports}
    assert reports["windows"].encoding == "cp1252"
    assert "caf\xe9 owner" in reports["windows"].text
    assert reports["late"].encoding == "utf-8" and reports["late"].published is None
    assert [(w.input, w.message) for w in result.warnings if w.input.startswith(str(records))] == [
        (f"{records}:1", "'published' could not be read as a date: 'the day before'")]
    assert not result.errors


# ----------------------------------------------------------------------------------------- CSV


def test_csv_rows_are_reports(tmp_path):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "headline", "body", "pubdate", "link", "outlet", "author"])
        writer.writerow(["a1", "Market fire", f"{BODY}\n\nSecond paragraph, with a comma.", "Mon, 06 May 2024 10:00:00 GMT",
                         "https://www.herald.example/fire", "The Herald", "Lena Marsh"])
        writer.writerow(["", "No id", "Two men were arrested on Friday.", "May 6, 2024", "", "", ""])
        writer.writerow([])
        writer.writerow(["a3", "No text", "", "", "", "", ""])
    items = _read(path)
    docs, errors = _docs(items), _errors(items)
    assert list(docs) == ["a1", "export/2"]  # a row without an id: <file id>/<data row>
    a1 = docs["a1"]
    assert (a1.title, a1.text, a1.published, a1.url, a1.source, a1.byline, a1.origin, a1.encoding) == (
        "Market fire", f"{BODY}\n\nSecond paragraph, with a comma.", "2024-05-06T10:00:00+00:00",
        "https://www.herald.example/fire", "The Herald", "Lena Marsh", f"{path}:2", "utf-8")
    assert (docs["export/2"].published, docs["export/2"].origin) == ("2024-05-06", f"{path}:5")  # the quoted text spans 3 lines
    assert list(errors) == [f"{path}:7"]
    assert errors[f"{path}:7"].startswith("no text: none of 'text'")


def test_csv_delimiters_tsv_header_case_and_long_fields(tmp_path):
    long_text = "The fire spread along the market. " * 6000  # 204,000 characters: over csv's default field limit
    semi = tmp_path / "semi.csv"
    semi.write_text(f"ID;Title;Text\ns1;Fire;{long_text}\n", encoding="utf-8")
    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("doc_id\tcontent\tdate\nt1\tTwo were hurt, police said.\t2024-05-06\n", encoding="utf-8")
    docs = _docs(_read(semi, tabs))
    assert (docs["s1"].title, docs["s1"].text) == ("Fire", long_text)
    assert (docs["t1"].text, docs["t1"].published) == ("Two were hurt, police said.", "2024-05-06")


def test_a_csv_without_a_text_column_is_one_error(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("name,age\nAnn,34\nBob,40\n", encoding="utf-8")
    [error] = _read(path)
    assert error.input == str(path)
    assert error.message == "no text column: the header has 'name', 'age'; name the text column with --map text=COLUMN"


# ---------------------------------------------------------------------------------------- JSON


def test_json_array_object_and_list_under_a_key(tmp_path):
    array = tmp_path / "array.json"
    array.write_text(json.dumps([{"id": "a", "text": BODY}, {"text": "Two were hurt."}, "not an object",
                                 {"id": "c", "title": "no text"}]), encoding="utf-8")
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"headline": "One", "maintext": BODY}), encoding="utf-8")
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"status": "ok", "articles": [{"id": "w1", "body": BODY}]}), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "x", "text": "y"},', encoding="utf-8")
    scalar = tmp_path / "scalar.json"
    scalar.write_text("42", encoding="utf-8")
    items = _read(array, single, wrapped, broken, scalar)
    docs, errors = _docs(items), _errors(items)
    assert list(docs) == ["a", "array/2", "single", "w1"]
    assert (docs["array/2"].origin, docs["single"].origin, docs["single"].title) == (f"{array}:2", str(single), "One")
    assert errors == {
        f"{array}:3": "expected a JSON object, got string",
        f"{array}:4": errors[f"{array}:4"],
        str(broken): "malformed JSON (Expecting value at line 1, column 27)",
        str(scalar): "expected a JSON array of objects or an object, got number",
    }
    assert errors[f"{array}:4"].startswith("no text")


def test_trafilatura_and_news_please_output_are_read(tmp_path):
    import trafilatura

    html = PAGE.format(title="Market fire kills three",
                       head='<meta property="og:site_name" content="The Herald"><meta name="author" content="Lena Marsh">'
                            '<meta property="article:published_time" content="2024-05-06T10:00:00+00:00">',
                       body=BODY)
    exported = json.loads(trafilatura.extract(html, output_format="json", with_metadata=True,
                                              url="https://herald.example/news/fire"))
    news_please = {"title": "Ferry fire", "maintext": "The ferry caught fire on Sunday, the coast guard said.",
                   "date_publish": "2024-05-06 10:00:00", "authors": ["Ann Lee", "Bo Park"],
                   "source_domain": "coast.example", "url": "https://coast.example/ferry", "language": "en"}
    path = tmp_path / "exports.jsonl"
    path.write_text(json.dumps(exported) + "\n" + json.dumps(news_please) + "\n", encoding="utf-8")
    traf, news = _read(path)
    assert traf.id == exported["fingerprint"]  # trafilatura's id is null unless set; its fingerprint names the text
    assert (traf.title, traf.url, traf.source, traf.byline, traf.published) == (
        "Market fire kills three", "https://herald.example/news/fire", "The Herald", "Lena Marsh", "2024-05-06")
    assert BODY in traf.text
    assert (news.id, news.title, news.published, news.byline, news.source, news.url) == (
        "exports/2", "Ferry fire", "2024-05-06T10:00:00", "Ann Lee, Bo Park", "coast.example", "https://coast.example/ferry")


# ------------------------------------------------------------------------------- field names, --map


def _field_value(ours):
    return {"published": "2024-05-06", "url": "https://www.example.org/a"}.get(ours, f"value of {ours}")


@pytest.mark.parametrize(("ours", "theirs"), [(o, t) for o, names in FIELD_NAMES.items() for t in names if o not in ("text", "html")])
def test_every_usual_field_name_is_read(tmp_path, ours, theirs):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({theirs: _field_value(ours), "body": BODY}) + "\n", encoding="utf-8")
    [doc] = _read(path)
    assert getattr(doc, "byline" if ours == "byline" else ours) == _field_value(ours)


@pytest.mark.parametrize("theirs", FIELD_NAMES["text"] + FIELD_NAMES["html"])
def test_every_usual_text_field_name_is_read(tmp_path, theirs):
    path = tmp_path / "r.jsonl"
    value = f"<article><p>{BODY}</p></article>" if theirs in FIELD_NAMES["html"] else BODY
    path.write_text(json.dumps({"id": "x", theirs: value}) + "\n", encoding="utf-8")
    [doc] = _read(path)
    assert doc.text.strip() == BODY


def test_the_field_map_wins_over_the_usual_names(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": "x", "slug": "story-7", "text": "Short headline text", "body": BODY,
                                "when": "2024-05-06", "date": "2020-01-01"}) + "\n", encoding="utf-8")
    [doc] = _read(path, field_map=parse_field_map("id=slug, title=text,text=body,published=when"))
    assert (doc.id, doc.title, doc.text, doc.published) == ("story-7", "Short headline text", BODY, "2024-05-06")
    [doc] = _read(path)
    assert (doc.id, doc.title, doc.text, doc.published) == ("x", None, "Short headline text", "2020-01-01")  # the usual names


def test_parse_field_map():
    assert parse_field_map("text=body,published=pubdate") == {"text": "body", "published": "pubdate"}
    assert parse_field_map(" text = Story Text ,") == {"text": "Story Text"}
    for spec, message in [
        ("text", "bad field mapping 'text': expected FIELD=NAME, e.g. text=body"),
        ("text=", "bad field mapping 'text=': expected FIELD=NAME, e.g. text=body"),
        ("=body", "bad field mapping '=body': expected FIELD=NAME, e.g. text=body"),
        ("body=text", "unknown field 'body' in 'body=text': the fields are id, text, html, title, published, url, source, byline"),
        ("text=a,text=b", "field 'text' is mapped twice"),
        (" , ", "empty field mapping: expected FIELD=NAME[,FIELD=NAME...], e.g. text=body"),
    ]:
        with pytest.raises(ValueError) as caught:
            parse_field_map(spec)
        assert str(caught.value) == message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", ["Fire"], "'title' must be a string, got a list"),
        ("headline", {"main": "Fire"}, "'headline' must be a string, got an object"),
        ("source", 7, "'source' must be a string, got a number"),
        ("url", True, "'url' must be a string, got a boolean"),
        ("byline", ["Ann", 3], "'byline' must be a string or a list of strings"),
        ("author", {"name": "Ann"}, "'author' must be a string, got an object"),
        ("published", ["2024-05-06"], "'published' must be a string or a number, got a list"),
        ("date", False, "'date' must be a string or a number, got a boolean"),
        ("id", ["a"], "'id' must be a string or a number, got a list"),
        ("id", True, "'id' must be a string or a number, got a boolean"),
        ("text", 12, "'text' must be a string, got a number"),
    ],
)
def test_wrong_json_types_are_refused_naming_the_field(tmp_path, field, value, message):
    path = tmp_path / "r.jsonl"
    record = {"id": "x", "body": BODY, field: value}
    path.write_text(json.dumps({"id": "ok", "text": BODY}) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    ok, error = _read(path)
    assert ok.id == "ok"
    assert (error.input, error.message) == (f"{path}:2", message)


# ---------------------------------------------------------------------------------------- ids


@pytest.mark.parametrize("bad", ["a\x00b", "a\x1fb", "line\nbreak", "del\x7f", "c1\x85", "tab\tid"])
def test_an_id_with_a_control_character_is_refused(tmp_path, bad):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"id": bad, "text": BODY}) + "\n" + json.dumps({"id": "fine", "text": BODY}) + "\n", encoding="utf-8")
    error, fine = _read(path)
    assert fine.id == "fine"
    assert error.input == f"{path}:1"
    assert error.message.startswith(f"the id {bad!r} holds the control character ")


def test_a_file_name_with_a_control_character_is_refused_naming_the_file(tmp_path):
    (tmp_path / "in").mkdir()
    bad = tmp_path / "in" / "bad\x01name.txt"
    bad.write_text(BODY, encoding="utf-8")
    (tmp_path / "in" / "good.txt").write_text(BODY, encoding="utf-8")
    items = _read(tmp_path / "in")
    assert _errors(items) == {str(bad): "the file's name holds the control character '\\x01', which an id cannot hold; rename the file"}
    assert list(_docs(items)) == ["good"]


# -------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06", "2024-05-06"),
        ("2024-05-06T10:00:00Z", "2024-05-06T10:00:00+00:00"),
        ("2024-05-06 10:00:00+02:00", "2024-05-06T10:00:00+02:00"),
        ("2026-03-14T18:05:00+0000", "2026-03-14T18:05:00+00:00"),
        ("Mon, 06 May 2024 10:00:00 GMT", "2024-05-06T10:00:00+00:00"),
        ("Mon, 06 May 2024 10:00:00 -0400", "2024-05-06T10:00:00-04:00"),
        ("May 6, 2024", "2024-05-06"),
        ("6 May 2024", "2024-05-06"),
        ("Tuesday, 7 May 2024, 3:15 PM EDT", "2024-05-07T15:15:00-04:00"),
        ("6. Mai 2024", "2024-05-06"),
        (1714989600, "2024-05-06T10:00:00+00:00"),
        ("1714989600", "2024-05-06T10:00:00+00:00"),
        (1714989600123, "2024-05-06T10:00:00+00:00"),  # milliseconds
        (20240506, "2024-05-06"),
        ("yesterday", None),
        ("not a date at all", None),
        ("May 2024", None),  # no day: not a publication date
        (float("nan"), None),
        (1e300, None),
        (10**400, None),
        ("", None),
    ],
)
def test_published_in_any_common_form(value, expected):
    assert normalize_date(value) == expected


# ---------------------------------------------------------------------------------------- gzip


def test_gzipped_files_of_every_kind(tmp_path, monkeypatch):
    with gzip.open(tmp_path / "story.txt.gz", "wt", encoding="utf-8") as handle:
        handle.write(f"Market fire\n\n{BODY}\n")
    with gzip.open(tmp_path / "page.html.gz", "wb") as handle:
        handle.write(PAGE.format(title="Ferry fire", head="", body=CAFE).encode("cp1252"))
    with gzip.open(tmp_path / "rows.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        handle.write(f"id,text\nc1,{BODY}\n")
    with gzip.open(tmp_path / "one.json.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "j1", "text": BODY}))
    # JSONL is streamed: a .jsonl.gz far larger than the whole-document limit is read
    with gzip.open(tmp_path / "many.jsonl.gz", "wt", encoding="utf-8") as handle:
        for k in range(200):
            handle.write(json.dumps({"id": f"l{k}", "text": BODY}) + "\n")
    items = _read(tmp_path, max_doc_bytes=2000)
    docs = _docs(items)
    assert not _errors(items)
    assert sorted(docs) == sorted(["story", "page", "c1", "j1"] + [f"l{k}" for k in range(200)])
    assert (docs["story"].title, docs["story"].origin) == ("Market fire", str(tmp_path / "story.txt.gz"))
    assert (docs["page"].title, docs["page"].encoding) == ("Ferry fire", "cp1252")
    assert docs["l199"].origin == f"{tmp_path / 'many.jsonl.gz'}:200"


def test_bad_gzip_files_give_one_error_each(tmp_path, monkeypatch):
    (tmp_path / "fake.txt.gz").write_bytes(b"this is not gzip at all")
    data = b"".join(json.dumps({"id": f"l{k}", "text": hashlib.sha256(str(k).encode()).hexdigest()}).encode() + b"\n"
                    for k in range(400))
    compressed = gzip.compress(data)
    (tmp_path / "cut.jsonl.gz").write_bytes(compressed[: len(compressed) // 2])
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"a " * 100_000))
    items = _read(tmp_path, max_doc_bytes=1000)
    errors = _errors(items)
    assert errors[str(tmp_path / "fake.txt.gz")].startswith("not a valid gzip file")
    assert errors[str(tmp_path / "cut.jsonl.gz")] == "truncated gzip file (it ends before its end marker)"
    assert errors[str(tmp_path / "bomb.txt.gz")] == "too large once decompressed (more than 1,000 bytes; the limit is 1,000)"
    assert 0 < len(_docs(items)) < 400  # the lines before the cut are kept
    assert items.index(next(i for i in items if isinstance(i, InputError) and i.input.endswith("cut.jsonl.gz"))) > 0


def test_feeds_are_dispatched_to_the_feed_reader(tmp_path):
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>Herald</title>'
           b"<item><title>Market fire</title><guid isPermaLink=\"false\">item-1</guid>"
           b"<description>" + BODY.encode() + b"</description></item></channel></rss>")
    (tmp_path / "news.rss").write_bytes(rss)
    with gzip.open(tmp_path / "feed.xml.gz", "wb") as handle:
        handle.write(rss)
    items = _read(tmp_path)
    assert not [i for i in items if isinstance(i, (InputError, Skipped))]
    assert len(items) == 2 and all(BODY in doc.text for doc in items)


# --------------------------------------------------------------------------------------- stdin


def test_stdin_as_jsonl_or_as_one_text(monkeypatch):
    jsonl = json.dumps({"id": "s1", "text": BODY}) + "\n\n" + json.dumps({"text": "Two were hurt."}) + "\n{broken\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(jsonl.encode())))
    items = list(iter_inputs(["-"]))
    assert [(type(i).__name__, getattr(i, "id", None), getattr(i, "origin", getattr(i, "input", None))) for i in items] == [
        ("RawDoc", "s1", "-:1"), ("RawDoc", "stdin/3", "-:3"), ("InputError", None, "-:4")]
    text = f"Market fire\n\n{BODY}\n{{not json}}\n"
    [doc] = read_stdin(ReadOptions(), io.BytesIO(text.encode("cp1252")))
    assert (doc.id, doc.origin, doc.title, doc.text.strip(), doc.encoding) == ("stdin", "-", "Market fire", f"{BODY}\n{{not json}}", "utf-8")
    [doc] = read_stdin(ReadOptions(), io.BytesIO(CAFE.encode("utf-16")))
    assert (doc.text, doc.encoding) == (CAFE, "utf-16-le")
    [doc] = read_stdin(ReadOptions(), io.BytesIO(json.dumps({"id": "w", "text": CAFE}, ensure_ascii=False).encode("utf-16")))
    assert (doc.id, doc.origin, doc.text, doc.encoding) == ("w", "-:1", CAFE, "utf-16-le")  # PowerShell's pipes
    [error] = read_stdin(ReadOptions(), io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    assert (error.input, error.message) == ("-", "binary file (contains NUL bytes), not text")
    [error] = read_stdin(ReadOptions(), io.BytesIO(b" \n\n"))
    assert (error.input, error.message) == ("-", "empty input")


# ---------------------------------------------------------------------------------------- WARC


def _warc(path, gz):
    """A crawl as warcio writes it: warcinfo, then request/response pairs of HTML pages (UTF-8, and
    windows-1252 by its HTTP header), a 404, an image, a redirect, and a revisit."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "corroborate tests"}))
        responses = [
            ("https://herald.example/fire", "200 OK", "text/html; charset=utf-8",
             PAGE.format(title="Market fire", head="", body=BODY).encode()),
            ("https://herald.example/missing", "404 Not Found", "text/html", b"<html><body>Not found</body></html>"),
            ("https://herald.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00"),
            ("https://herald.example/old", "301 Moved Permanently", "text/html", b""),
            ("https://herald.example/caf\xe9", "200 OK", "application/xhtml+xml; charset=windows-1252",
             PAGE.format(title="Caf\xe9 fire", body=f"\u201c{BODY}\u201d",
                         head='<meta property="article:published_time" content="2024-05-05T08:00:00+00:00">').encode("cp1252")),
        ]
        for url, status, ctype, body in responses:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "herald.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                          warc_headers_dict={"WARC-Date": "2024-05-06T10:00:00Z"}))
        writer.write_record(writer.create_revisit_record("https://herald.example/fire", digest="sha1:AAAA",
                                                         refers_to_uri="https://herald.example/fire", refers_to_date="2024-05-06T10:00:00Z"))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_html_responses_are_reports(tmp_path, name):
    path = tmp_path / name
    _warc(path, gz=name.endswith(".gz"))
    items = _read(path)
    assert all(isinstance(i, RawDoc) for i in items), items  # other records are passed over silently
    fire, cafe = items
    assert (fire.id, fire.url, fire.title, fire.source, fire.encoding) == (
        "crawl/3", "https://herald.example/fire", "Market fire", "herald.example", "utf-8")
    assert (cafe.id, cafe.title, cafe.encoding) == ("crawl/11", "Caf\xe9 fire", "cp1252")
    # the page's own date of publication; else the record's capture date (WARC-Date)
    assert (cafe.published, fire.published) == ("2024-05-05T08:00:00+00:00", "2024-05-06T10:00:00+00:00")
    assert f"\u201c{BODY}\u201d" in cafe.text
    for doc in (fire, cafe):  # the origin's offset is the record's: warcio reads it back from there
        where, offset = doc.origin.rsplit("@", 1)
        assert where == str(path)
        with path.open("rb") as handle:
            handle.seek(int(offset))
            record = next(iter(ArchiveIterator(handle)))
            assert record.rec_headers.get_header("WARC-Target-URI") == doc.url


def test_a_malformed_warc_is_one_error_naming_the_record_offset(tmp_path):
    good = tmp_path / "good.warc"
    _warc(good, gz=False)
    data = good.read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: data.index(b"Caf\xe9 fire") - 50])
    second = data.index(b"WARC/1.0", 10)
    garbled = tmp_path / "garbled.warc"
    garbled.write_bytes(data[:second] + b"WARC/1.0\r\nWARC-Type: response\r\n\r\nnot a record" + data[second:])
    other = tmp_path / "other.warc.gz"
    other.write_bytes(gzip.compress(b"<html>not an archive</html>"))
    items = _read(cut, garbled, other)
    errors = _errors(items)
    assert errors[str(cut)].startswith("malformed WARC record 11 at byte offset ")
    assert errors[str(cut)].endswith("shorter than its Content-Length (truncated, or a wrong length); the rest of the file is not read")
    assert errors[str(garbled)].startswith(f"malformed WARC record 2 at byte offset {second}: unreadable record (")
    assert errors[str(garbled)].endswith("; the rest of the file is not read")
    assert errors[str(other)] == "not a WARC file (it does not start with 'WARC/')"
    assert [d.id for d in items if isinstance(d, RawDoc)] == ["cut/3"]  # the pages before the cut are kept


# ---------------------------------------------------------------------------------- deep HTML


@pytest.mark.parametrize("depth", [254, 1000])
def test_deeply_nested_html_still_gives_its_text(tmp_path, depth):
    path = tmp_path / "deep.html"
    path.write_text(PAGE.format(title="Deep", head="", body=BODY).replace("<article>", "<div>" * depth + "<article>")
                    .replace("</article>", "</article>" + "</div>" * depth), encoding="utf-8")
    [doc] = _read(path)
    assert isinstance(doc, RawDoc), doc
    assert BODY in doc.text


# ----------------------------------------------------------------------------- directories, origins


def test_every_format_is_read_from_a_folder_and_others_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "b.csv").write_text(f"text\n{BODY}\n", encoding="utf-8")
    (tmp_path / "c.json").write_text(json.dumps({"text": BODY}), encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": BODY}) + "\n", encoding="utf-8")
    _warc(tmp_path / "e.warc.gz", gz=True)
    (tmp_path / "f.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "g.pdf.gz").write_bytes(gzip.compress(b"%PDF-1.4"))
    (tmp_path / "README").write_text("notes", encoding="utf-8")
    items = _read(tmp_path)
    skipped = {i.path: i.reason for i in items if isinstance(i, Skipped)}
    assert skipped == {str(tmp_path / "f.pdf"): "unsupported file type '.pdf'",
                       str(tmp_path / "g.pdf.gz"): "unsupported file type '.pdf.gz'",
                       str(tmp_path / "README"): "unsupported file type (no extension)"}
    assert sorted(_docs(items)) == ["a", "b/1", "c", "d/1", "e/11", "e/3"]
    [error] = _read(tmp_path / "f.pdf")
    assert error.message.startswith("unsupported file type '.pdf'; expected .atom, .csv, .htm, .html, .json, .jsonl, ")


def test_origins_name_relative_inputs_as_given(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(BODY, encoding="utf-8")
    (folder / "b.jsonl").write_text(json.dumps({"text": BODY}) + "\n[1]\n", encoding="utf-8")
    (folder / "c.csv").write_text(f"text\n{BODY}\n", encoding="utf-8")
    (folder / "d.html").write_text("<html><body></body></html>", encoding="utf-8")
    (folder / "e.pdf").write_bytes(b"%PDF")
    _warc(folder / "f.warc", gz=False)
    items = _read("in", "in/a.txt", "in/missing.txt")
    named = [getattr(i, "origin", None) or getattr(i, "input", None) or i.path for i in items]
    assert len(named) == 10
    for name in named:
        assert name.startswith("in/") and str(tmp_path) not in name, name
