"""Readers: formats, metadata, and one clear error per bad input."""

from __future__ import annotations

import json

import pytest
from helpers import DEMO

from corroborate.records import InputError
from corroborate.sources import readers
from corroborate.sources.readers import (
    RawDoc,
    ReadOptions,
    Skipped,
    iter_inputs,
    normalize_date,
    split_headline,
)


def _read(*paths):
    return list(iter_inputs(paths))


def test_txt_takes_headline_and_id_from_file(tmp_path):
    path = tmp_path / "story-1.txt"
    path.write_text("Fire at the pier\n\nA fire broke out on Sunday.\n\nNo one was hurt.\n", encoding="utf-8")
    [doc] = _read(path)
    assert isinstance(doc, RawDoc)
    assert doc.id == "story-1"
    assert doc.title == "Fire at the pier"
    assert doc.text.strip().startswith("A fire broke out on Sunday.")
    assert doc.origin == str(path)


def test_headline_needs_a_blank_line_and_no_sentence_end():
    assert split_headline("A sentence that ends.\n\nBody.") == (None, "A sentence that ends.\n\nBody.")
    assert split_headline("No blank line\nBody.")[0] is None
    assert split_headline("Headline\n\nBody.")[0] == "Headline"


def test_html_page_metadata_via_trafilatura():
    [doc] = _read(DEMO / "halvard-herald.html")
    assert doc.id == "halvard-herald"
    assert doc.source == "The Halvard Herald"
    assert doc.byline == "Lena Marsh"
    assert doc.published == "2026-03-14T18:05:00+00:00"
    assert doc.url == "https://halvardherald.example/news/2026/03/14/eastgate-market-attack"
    assert "At least 12 people were killed" in doc.text
    assert "Most read" not in doc.text  # the aside is not article text


def test_jsonl_fields_and_source_from_url_domain(tmp_path):
    path = tmp_path / "batch.jsonl"
    lines = [
        {"id": "a", "text": "Two people were hurt.", "title": "T", "published": "2024-03-22", "source": "Wire"},
        {"id": 7, "text": "Body.", "url": "https://www.example.org/x"},
        {"id": "h", "html": "<html><body><article><p>Police said the fire started in the engine room of the ferry on Sunday morning.</p></article></body></html>"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    a, b, h = _read(path)
    assert (a.id, a.title, a.published, a.source, a.origin) == ("a", "T", "2024-03-22", "Wire", f"{path}:1")
    assert (b.id, b.source) == ("7", "example.org")
    assert "engine room" in h.text


def test_directory_is_read_recursively_and_unsupported_files_are_reported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.txt").write_text("One killed in crash.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("# not a report", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    items = _read(tmp_path)
    assert [type(i) for i in items] == [Skipped, RawDoc]
    assert items[0].path.endswith("notes.md") and items[1].id == "sub/one"  # the path under the folder


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n ", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        ("random.txt", bytes(range(256)) * 4, "binary file"),
        ("page.html", b"<html><head><title>x</title></head><body></body></html>", "no article text found in the HTML"),
        ("notes.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
    ],
)
def test_bad_files_give_one_error_naming_the_input(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    [error] = _read(path)
    assert isinstance(error, InputError)
    assert error.input == str(path)
    assert message in error.message


def test_missing_path_is_an_error(tmp_path):
    [error] = _read(tmp_path / "nope.txt")
    assert error.message == "no such file or directory"


def test_too_large_file_is_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 100, encoding="utf-8")
    [error] = iter_inputs([path], ReadOptions(max_doc_bytes=100))
    assert error.message == "too large (500 bytes; the limit is 100)"


def test_the_limits_are_settings(tmp_path, monkeypatch):
    """``CORROBORATE_MAX_TEXT_CHARS`` (a Settings field) sets the limit a run reads with."""
    import subprocess
    import sys
    from pathlib import Path

    from corroborate.settings import Settings

    (tmp_path / "short.txt").write_text("A fire broke out at the pier on Sunday.", encoding="utf-8")
    (tmp_path / "long.txt").write_text("A fire broke out at the pier on Sunday. " * 10, encoding="utf-8")
    monkeypatch.setenv("CORROBORATE_MAX_TEXT_CHARS", "100")
    options = Settings().read_options()
    assert (options.max_text_chars, options.max_doc_bytes) == (100, readers.MAX_DOC_BYTES)
    items = list(iter_inputs([tmp_path], options))
    assert [(type(i).__name__, getattr(i, "message", "")) for i in items] == [
        ("InputError", "text too long (400 characters; the limit is 100)"), ("RawDoc", "")]
    cli = str(Path(sys.executable).with_name("corroborate"))
    proc = subprocess.run([cli, "run", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet"], capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 1 and "long.txt: text too long (400 characters; the limit is 100)" in proc.stderr
    monkeypatch.setenv("CORROBORATE_MAX_TEXT_CHARS", "0")
    bad = subprocess.run([cli, "run", str(tmp_path), "--out", str(tmp_path / "out2"), "--quiet"], capture_output=True,
                         text=True, timeout=300, check=False)
    assert bad.returncode == 2 and "CORROBORATE_* setting in the environment is not valid" in bad.stderr


def test_bad_jsonl_lines_do_not_stop_the_file(tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "ok1", "text": "Three were hurt."}\n'
        b'{"id": "broken", "text": \n'
        b'[1, 2]\n'
        b'{"text": "no id"}\n'
        b'{"id": "notext", "title": "only a title"}\n'
        b'{"id": "baddate", "text": "x", "published": "not a date at all"}\n'
        b"\n"
        b'{"id": "ok2", "html": "<article><p>Police said two men were arrested after the shooting on Main Street on Friday night.</p></article>"}\n'
    )
    items = _read(path)
    docs = {i.id: i for i in items if isinstance(i, RawDoc)}
    errors = {i.input: i.message for i in items if isinstance(i, InputError)}
    assert list(docs) == ["ok1", "mixed/4", "baddate", "ok2"]  # a record without an id: <file id>/<line>
    assert docs["mixed/4"].text == "no id"
    assert docs["baddate"].published is None
    assert docs["baddate"].warnings == ["'published' could not be read as a date: 'not a date at all'"]
    assert errors == {
        f"{path}:2": "malformed JSON (Expecting value at column 25)",
        f"{path}:3": "expected a JSON object, got array",
        f"{path}:5": "no text: none of 'text', 'maintext', 'body', 'content', 'article', 'raw_text', 'html', 'raw_html' holds any",
    }


def test_normalize_date():
    assert normalize_date("2024-03-22") == "2024-03-22"
    assert normalize_date("2024-03-22T18:05:00Z") == "2024-03-22T18:05:00+00:00"
    assert normalize_date("2026-03-14T18:05:00+0000") == "2026-03-14T18:05:00+00:00"
    assert normalize_date("yesterday-ish") is None


PAGE = "<html><head><title>{t}</title></head><body><article><p>{t}. Police said two people were hurt on Sunday.</p></article></body></html>"


def test_same_named_files_in_subfolders_keep_their_relative_paths_as_ids(tmp_path):
    # wget's layout: every site's page is index.html
    for site in ("abc13.com", "wsbtv.com/news"):
        (tmp_path / site).mkdir(parents=True)
        (tmp_path / site / "index.html").write_text(PAGE.format(t=f"Shooting reported by {site}"), encoding="utf-8")
    (tmp_path / "story.txt").write_text("A fire broke out at the pier on Sunday.\n", encoding="utf-8")
    (tmp_path / "story.html").write_text(PAGE.format(t="Fire at the pier"), encoding="utf-8")
    docs = _read(tmp_path)
    assert all(isinstance(d, RawDoc) for d in docs)
    assert sorted(d.id for d in docs) == ["abc13.com/index", "story.html", "story.txt", "wsbtv.com/news/index"]


def test_an_id_two_input_folders_would_share_is_prefixed_with_the_folder_name(tmp_path):
    for day in ("monday", "tuesday"):
        (tmp_path / day).mkdir()
        (tmp_path / day / "report.txt").write_text(f"A fire broke out on {day}.\n", encoding="utf-8")
    (tmp_path / "tuesday" / "other.txt").write_text("Two people were hurt.\n", encoding="utf-8")
    single = tmp_path / "single.txt"
    single.write_text("One man was arrested.\n", encoding="utf-8")
    docs = _read(tmp_path / "monday", tmp_path / "tuesday", single)
    assert [d.id for d in docs] == ["monday/report", "other", "tuesday/report", "single"]


def test_a_folder_of_same_named_pages_runs_as_one_report_each(tmp_path):
    from corroborate.pipeline import run

    for k in range(3):
        (tmp_path / f"site{k}").mkdir()
        (tmp_path / f"site{k}" / "index.html").write_text(PAGE.format(t=f"Shooting {k}"), encoding="utf-8")
    result = run([tmp_path])
    assert sorted(r.id for r in result.reports) == ["site0/index", "site1/index", "site2/index"]
    assert not result.errors


def test_a_text_over_the_length_limit_is_one_clear_error_and_one_at_the_limit_is_read(tmp_path):
    sentence = "The council met on Tuesday to discuss the budget. "  # 50 characters
    at_limit = sentence * (readers.MAX_TEXT_CHARS // len(sentence))
    assert len(at_limit) == readers.MAX_TEXT_CHARS == 2_000_000
    (tmp_path / "long.txt").write_text(at_limit, encoding="utf-8")
    (tmp_path / "longer.txt").write_text(at_limit + "More.", encoding="utf-8")
    items = {getattr(i, "id", None) or i.input: i for i in _read(tmp_path / "long.txt", tmp_path / "longer.txt")}
    assert isinstance(items["long"], RawDoc) and len(items["long"].text) == 2_000_000
    error = items[str(tmp_path / "longer.txt")]
    assert isinstance(error, InputError)
    assert error.message == "text too long (2,000,005 characters; the limit is 2,000,000)"


def test_the_headline_is_cut_from_the_text_only_when_it_is_the_first_line(tmp_path):
    body = "<p>Cafe owner said two people were hurt in the fire on Monday night.</p><p>The street was closed.</p>"
    (tmp_path / "own-line.html").write_text(f"<html><head><title>Fire on Main Street</title></head><body><article>"
                                            f"<h1>Fire on Main Street</h1>{body}</article></body></html>", encoding="utf-8")
    (tmp_path / "prefix.html").write_text(f"<html><head><title>Cafe</title></head><body><article>{body}</article></body></html>",
                                          encoding="utf-8")
    own, prefix = _read(tmp_path / "own-line.html", tmp_path / "prefix.html")
    assert own.text.startswith("Cafe owner said") and own.title == "Fire on Main Street"
    assert prefix.text.startswith("Cafe owner said")  # a title that is only the text's first word stays in it
