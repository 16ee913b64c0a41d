"""cnncalc check DIR --spec SPEC --gradebook out.csv: a whole class, one unreadable file
never stopping the rest; the gradebook CSV defused and written atomically."""
from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from cnncalc import api
from cnncalc.check.classbook import grade_folder

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "check_corpus"
HOMEWORK = ROOT / "architectures" / "lenet_homework.yaml"


@pytest.fixture
def klass(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("keras3_lenet.txt", "german.csv", "carried_pool.md", "torchsummary_lenet.txt",
                 "notes_table.tsv", "unreadable.txt"):
        shutil.copy(CORPUS / name, folder / name)
    shutil.copy(CORPUS / "german.csv", folder / "=HYPERLINK(1).csv")   # a name that is a formula
    (folder / "binary.md").write_bytes(b"\xff\xfe\x00|")
    (folder / ".hidden.md").write_text("ignored")
    return folder


def test_gradebook_and_class_summary(klass, tmp_path, cli):
    out = tmp_path / "grades.csv"
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", out)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    by = {row["file"]: row for row in rows}
    assert len(rows) == 8 and ".hidden.md" not in by
    assert list(rows[0]) == ["file", "score", "right", "carried", "wrong", "unanswered", "asked", "unreadable"]
    assert by["keras3_lenet.txt"]["score"] == "100.0" and by["keras3_lenet.txt"]["wrong"] == "0"
    assert by["carried_pool.md"]["wrong"] == "1" and by["carried_pool.md"]["carried"] == "6"
    assert by["german.csv"]["wrong"] == "1" and by["german.csv"]["right"] == "22"
    assert by["'=HYPERLINK(1).csv"]["wrong"] == "1"                  # defused: a leading '
    assert "names no graded column" in by["unreadable.txt"]["unreadable"] and by["unreadable.txt"]["score"] == ""
    assert "not UTF-8" in by["binary.md"]["unreadable"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]   # written atomically
    assert "8 submissions against LeNet homework: 6 graded, 2 unreadable" in r.out
    # the notes' slip and the torchsummary one: CONV2 without its input channels, 2 students
    assert "- 2 students: CONV2, # parameters: input channels left out" in r.out
    assert all(len(line) <= 80 for line in r.out.splitlines() if not line.startswith("Gradebook: "))


def test_gradebook_json_and_refusals(klass, tmp_path, cli):
    out = tmp_path / "g.csv"
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", out, "--format", "json")
    doc = json.loads(r.out)
    assert doc["submissions"] == 8 and doc["unreadable"] == 2
    assert doc["common_mistakes"][0]["students"] >= 2
    report = api.check_class(klass, HOMEWORK, workers=1)
    assert doc == {"gradebook": str(out), **report.to_dict()} and report.to_csv() == out.read_text()
    assert cli("check", klass, "--spec", HOMEWORK, "--gradebook", out).out == report.text() + f"Gradebook: {out}\n"
    r = cli("check", klass, "--spec", HOMEWORK)
    assert r.code == 2 and "add --gradebook" in r.err
    r = cli("check", CORPUS / "german.csv", "--spec", HOMEWORK, "--gradebook", out)
    assert r.code == 2 and "is not a folder" in r.err
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", HOMEWORK)
    assert r.code == 2 and "is the input file" in r.err


def test_processes_grade_as_one_process(klass):
    summary = api.infer(str(HOMEWORK))
    for i in range(60):  # enough files for the worker pool
        shutil.copy(CORPUS / "swiss.csv", klass / f"s{i:02d}.csv")
    one = grade_folder(str(klass), summary, workers=1)
    two = grade_folder(str(klass), summary, workers=2)
    assert one.to_csv() == two.to_csv()
    assert one.common()[0][1] == 60 + 1  # Softmax 841: the 60 swiss copies and the notes table


def test_strict_counts_carried_cells(tmp_path, cli):
    r = cli("check", CORPUS / "carried_pool.md", "--spec", HOMEWORK)
    assert r.code == 1 and "score 95.7%: 16 of 23 cells right, 1 wrong, 6 carried" in r.out
    assert "Carried forward" in r.out and "--strict counts them" in r.out
    r = cli("check", CORPUS / "carried_pool.md", "--spec", HOMEWORK, "--strict", "--format", "json")
    doc = json.loads(r.out)
    assert doc["wrong"] == 7 and doc["strict"] is True
    statuses = {c["status"] for c in doc["cells"]}
    assert statuses == {"right", "wrong", "carried"}
    assert all({"row", "column", "given", "expected", "correct", "status", "diagnosis", "matched_by"} <= set(c)
               for c in doc["cells"])


def test_verbose_lists_the_other_explanations(cli):
    quiet = cli("check", CORPUS / "notes_table.tsv", "--spec", HOMEWORK).out
    loud = cli("check", CORPUS / "notes_table.tsv", "--spec", HOMEWORK, "--verbose").out
    assert "    or: " not in quiet
    assert "    or: as if the input had 1 channels: (5*5*1 + 1)*8 = 208" in loud
    keras = cli("check", CORPUS / "keras2_lenet.txt", "--spec", HOMEWORK).out
    assert "- dense (Dense), # parameters: 48001 is wrong" in keras   # the student's own label
