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

ROOT = Path(__file__).resolve().parent.parents[1]
CORPUS = ROOT / "tests" / "check_corpus"
ZOO = ROOT / "architectures"
HOMEWORK = ZOO / "lenet_homework.yaml"


@pytest.fixture
def klass(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("keras3_lenet.txt", "german.csv", "carried_pool.md", "torchsummary_lenet.txt",
                 "notes_table.tsv", "unreadable.txt"):
        shutil.copy(CORPUS / name, folder / name)
    shutil.copy(CORPUS / "german.csv", folder / "=HYPERLINK(1).csv")   # a name that is a formula
    (folder / "binary.md").write_bytes(b"\x00\x01\x02|")
    (folder / ".hidden.md").write_text("ignored")
    return folder


def test_gradebook_and_class_summary(klass, tmp_path, cli):
    out = tmp_path / "grades.csv"
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", out)
    assert r.code == 1, r.err          # two students unreadable: they need attention
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw   # UTF-8 with BOM, as Excel expects
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    by = {row["student"]: row for row in rows}
    assert len(rows) == 8 and ".hidden" not in by
    assert list(rows[0]) == ["student", "files", "score", "right", "carried", "wrong", "unanswered", "status", "note"]
    assert by["keras3_lenet"]["score"] == "100.0" and by["keras3_lenet"]["wrong"] == "0"
    assert by["keras3_lenet"]["status"] == "graded" and by["keras3_lenet"]["files"] == "keras3_lenet.txt"
    assert by["carried_pool"]["wrong"] == "1" and by["carried_pool"]["carried"] == "6"
    assert by["german"]["wrong"] == "1" and by["german"]["right"] == "22"
    assert by["'=HYPERLINK(1)"]["wrong"] == "1"                  # defused: a leading '
    assert by["unreadable"]["status"].startswith("unreadable: ") and "names no graded column" in by["unreadable"]["status"]
    assert by["unreadable"]["score"] == "" and "is a binary file" in by["binary"]["status"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]   # written atomically
    assert "8 students against LeNet homework: 6 graded, 2 unreadable (not averaged in)" in r.out
    # the notes' slip and the torchsummary one: CONV2 without its input channels, 2 students
    assert "- 2 students: CONV2, # parameters: input channels left out" in r.out
    assert "Skipped (not submissions): .hidden.md (hidden file)" in r.out
    assert all(len(line) <= 80 for line in r.out.splitlines() if not line.startswith("Gradebook: "))


def test_gradebook_json_and_refusals(klass, tmp_path, cli):
    out = tmp_path / "g.csv"
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", out, "--format", "json")
    doc = json.loads(r.out)
    assert doc["students"] == 8 and doc["unreadable"] == 2 and doc["graded"] == 6
    assert doc["common_mistakes"][0]["students"] >= 2
    report = api.check_class(klass, HOMEWORK, workers=1)
    assert doc == {"gradebook": str(out), **report.to_dict()} and report.to_csv() == out.read_bytes().decode("utf-8")
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", out)
    assert r.code == 2 and "exists; add --force" in r.err       # never replaced without --force
    assert cli("check", klass, "--spec", HOMEWORK, "--gradebook", out, "--force").out == report.text() + f"Gradebook: {out}\n"
    r = cli("check", klass, "--spec", HOMEWORK)
    assert r.code == 2 and "add --gradebook" in r.err
    r = cli("check", CORPUS / "german.csv", "--spec", HOMEWORK, "--gradebook", out)
    assert r.code == 2 and "is not a folder" in r.err
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", HOMEWORK, "--force")
    assert r.code == 2 and "is the input file" in r.err
    r = cli("check", klass, "--spec", HOMEWORK, "--gradebook", klass / "g.csv")
    assert r.code == 2 and "inside" in r.err and not (klass / "g.csv").exists()


def lms_folder(root: Path, key: str) -> Path:
    """A class as Moodle and Canvas export it, with a lock file, a hidden file, a student who
    handed in two files and one who handed in another network's table (`key`)."""
    folder = root / "export"
    ada = folder / "Ada Lovelace_12345_assignsubmission_file_"
    alan = folder / "Alan Turing_23456_assignsubmission_file_"
    for d in (ada, alan / "sub"):
        d.mkdir(parents=True)
    shutil.copy(CORPUS / "carried_pool.md", ada / "answers.md")
    (ada / ".~lock.answers.md#").write_text("lock")
    shutil.copy(CORPUS / "german.csv", alan / "a.csv")
    shutil.copy(CORPUS / "notes_table.tsv", alan / "sub" / "b.tsv")
    shutil.copy(CORPUS / "keras3_lenet.txt", folder / "hoppergrace_34567_98765_summary.txt")
    shutil.copy(CORPUS / "keras3_lenet.txt", folder / "~$summary.docx")
    (folder / "vgg.md").write_text(key)
    (folder / ".DS_Store").write_bytes(b"\0")
    return folder


def test_an_lms_export(tmp_path, cli):
    folder = lms_folder(tmp_path, cli("summary", ZOO / "alexnet.yaml", "--format", "markdown").out)
    out, fb = tmp_path / "g.csv", tmp_path / "feedback"
    before = sorted(p.name for p in folder.rglob("*"))
    r = cli("check", folder, "--spec", HOMEWORK, "--gradebook", out, "--format", "json")
    doc = json.loads(r.out)
    assert r.code == 1 and [s["student"] for s in doc["rows"]] == ["Ada Lovelace", "Alan Turing", "hoppergrace", "vgg"]
    r = cli("check", folder, "--spec", HOMEWORK, "--gradebook", out, "--feedback", fb, "--force")
    assert r.code == 1
    rows = {row["student"]: row for row in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))}
    assert rows["Ada Lovelace"]["status"] == "graded" and rows["Ada Lovelace"]["files"] == "answers.md"
    assert rows["Alan Turing"]["status"].startswith("needs attention: several candidate files (a.csv, b.tsv)")
    assert rows["hoppergrace"]["score"] == "100.0"
    assert rows["vgg"]["status"].startswith("needs attention") and "fits AlexNet" in rows["vgg"]["note"]
    assert "Needs attention:" in r.out and "- Alan Turing: several candidate files" in r.out
    skipped = r.out.split("Skipped (not submissions): ")[1]
    assert ".DS_Store (hidden file)" in skipped and "~$summary.docx (lock file)" in skipped
    assert ".~lock.answers.md# (lock file)" in skipped
    assert sorted(p.name for p in folder.rglob("*")) == before      # nothing written into the class folder
    ada = (fb / "Ada_Lovelace.md").read_text()
    assert "score 95.7%" in ada and "## Mistakes" in ada and "## Carried forward" in ada and "the +1 left out" in ada
    r = cli("check", folder, "--spec", HOMEWORK, "--gradebook", tmp_path / "other.csv", "--feedback", fb)
    assert r.code == 2 and "add --force" in r.err
    assert "Mistakes by type:" in cli("check", folder, "--spec", HOMEWORK, "--gradebook", out, "--force").out


def test_gradescope_results(cli):
    r = cli("check", CORPUS / "carried_pool.md", "--spec", HOMEWORK, "--format", "gradescope")
    doc = json.loads(r.out)
    # 22 of the 23 cells the handout asks (95.7%, the terminal's score): POOL1's one wrong cell, 2 of its 3
    assert r.code == 1 and doc["score"] == 22 and doc["max_score"] == 23 and len(doc["tests"]) == 8
    assert all({"name", "score", "max_score", "output"} <= set(t) for t in doc["tests"])
    pool1 = next(t for t in doc["tests"] if t["name"] == "POOL1")
    assert pool1["score"] == 2 and pool1["max_score"] == 3 and "carried" in pool1["output"]
    assert sum(t["max_score"] for t in doc["tests"]) == doc["max_score"]


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
