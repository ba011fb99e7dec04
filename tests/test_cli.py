"""The command line, run as a user runs it: the installed ``corroborate`` entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEMO

from corroborate import __version__
from corroborate.analyze import embed
from corroborate.sources.readers import OUTPUT_MARKER

CLI = str(Path(sys.executable).with_name("corroborate"))


def corroborate(*args, cwd=None):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


def test_version():
    proc = corroborate("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"corroborate {__version__}"


def test_run_help_names_the_contract():
    proc = corroborate("run", "--help")
    assert proc.returncode == 0
    for word in ("--out", "reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.html"):
        assert word in proc.stdout


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    (root / "good.txt").write_text("Fire at the pier\n\nA fire broke out on the ferry on Sunday. Three crew members were hurt, the fire chief said.\n", encoding="utf-8")
    (root / "empty.txt").write_bytes(b"")
    (root / "blob.txt").write_bytes(b"\x00\x01\x02binary")
    (root / "dup").mkdir()
    (root / "dup" / "good.txt").write_text("Another report with the same id.", encoding="utf-8")
    (root / "lines.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Police said two people were injured in a stabbing on Friday."}) + "\n"
        + '{"id": "j2", "text": oops}\n'
        + json.dumps({"id": "j3"}) + "\n"
        + json.dumps({"id": "j1", "text": "A second record with the id j1."}) + "\n",
        encoding="utf-8",
    )
    out = root / "out"
    return root, out, corroborate("run", root / "good.txt", root / "empty.txt", root / "blob.txt", root / "dup", root / "lines.jsonl", "--out", out)


def test_bad_inputs_give_one_error_line_each_and_exit_1(bad_batch):
    root, _, proc = bad_batch
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert proc.returncode == 1
    # (how each bad input is worded is tested in tests/sources; here: one line each, naming it, in order)
    assert [e for i, e in enumerate(errors) if i != 3] == [
        f"error: {root / 'empty.txt'}: empty file",
        f"error: {root / 'blob.txt'}: binary file (contains NUL bytes), not text",
        f"error: {root / 'lines.jsonl'}:2: malformed JSON (Expecting value at column 22)",
        f"error: {root / 'lines.jsonl'}:4: duplicate id 'j1': already read from {root / 'lines.jsonl'}:1",
    ]
    assert errors[3].startswith(f"error: {root / 'lines.jsonl'}:3: ") and "text" in errors[3]


def test_good_inputs_are_complete_despite_bad_ones(bad_batch):
    _, out, proc = bad_batch
    reports = [json.loads(line) for line in (out / "reports.jsonl").read_text().splitlines()]
    # good.txt given directly and dup/good.txt in a folder would both be "good": each takes its folder's name
    assert [r["id"] for r in reports] == [f"{out.parent.name}/good", "dup/good", "j1"]
    assert reports[0]["title"] == "Fire at the pier"
    assert any(c["category"] == "injured" and c["value"] == 3 for c in reports[0]["counts"])
    assert {p.name for p in out.iterdir()} == {"reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html",
                                               OUTPUT_MARKER}
    assert "3 reports" in proc.stderr.splitlines()[-1] and "5 bad inputs" in proc.stderr.splitlines()[-1]


def test_demo_run_exits_0_with_summary(tmp_path):
    proc = corroborate("run", DEMO, "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("6 reports") and "2 incidents" in last and "0 bad inputs" in last


def test_out_must_be_a_directory(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    proc = corroborate("run", DEMO, "--out", target)
    assert proc.returncode == 2
    assert "is not a directory" in proc.stderr


def test_previous_run_must_be_an_output_directory(tmp_path):
    proc = corroborate("run", DEMO / "wire.jsonl", "--previous", tmp_path / "missing", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == f"error: --previous: {tmp_path / 'missing'} is not the output of an earlier run: reports.jsonl is missing"


@pytest.mark.skipif(not embed.available(), reason="the optional 'embed' extra is not installed")
def test_embeddings_flag_marks_semantic_alignment(tmp_path):
    proc = corroborate("run", DEMO, "--out", tmp_path / "out", "--embeddings", "--quiet")
    assert proc.returncode == 0, proc.stderr
    incidents = [json.loads(line) for line in (tmp_path / "out" / "incidents.jsonl").open(encoding="utf-8")]
    assert len(incidents) == 2
    assert {i["alignment"] for i in incidents} == {"lexical+semantic"}


def test_a_run_whose_reports_make_no_incident_writes_every_output(tmp_path):
    from test_gates import CALM, GERMAN

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "calm.txt").write_text(CALM, encoding="utf-8")
    (tmp_path / "in" / "radweg.txt").write_text(GERMAN, encoding="utf-8")
    proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "2 reports" in proc.stderr and "0 incidents" in proc.stderr
    assert "radweg.txt: the text is in language 'de'" in proc.stderr  # the warning names the input
    out = tmp_path / "out"
    assert (out / "incidents.jsonl").read_text(encoding="utf-8") == ""
    assert [json.loads(line)["id"] for line in (out / "reports.jsonl").open(encoding="utf-8")] == ["calm", "radweg"]
    assert "## Not incident reports" in (out / "report.md").read_text(encoding="utf-8")


def test_an_empty_folder_is_one_clear_error_and_exit_2(tmp_path):
    (tmp_path / "in").mkdir()
    proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: no reports to read in {tmp_path / 'in'}: no report found; corroborate reads ")
    assert lines[0].endswith(f"; nothing written, {tmp_path / 'out'} is unchanged")
    assert os.listdir(tmp_path) == ["in"]  # exit 2: nothing written


def test_a_missing_path_is_a_bad_input_without_traceback(tmp_path):
    proc = corroborate("run", tmp_path / "nope", "--out", tmp_path / "out")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"error: {tmp_path / 'nope'}: no such file or directory" in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--engine", "spark"], "error: --engine spark: one of local, ray"),
    (["--ray-address", "auto"], "error: --ray-address needs --engine ray"),
    (["--engine", "ray", "--ray-address", "head:notaport"],
     "error: --engine ray: head:notaport: not an address (host:port, ray://host:port or auto); nothing written, {out} is unchanged"),
])
def test_a_bad_engine_option_is_one_clear_error_before_any_work(tmp_path, args, message):
    out = tmp_path / "out"
    proc = corroborate("run", DEMO, "--out", out, *args)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [message.format(out=out)]
    assert not out.exists()
