"""The corpus of submissions as students hand them in (tests/check_corpus/): each file is graded
and compared with the grading a teacher wrote by hand next to it (NAME.expect.yaml: the form it
is read as, the counts of right / wrong / carried / unanswered cells (asked cells no row gives included), the score, the status and diagnosis
keyword of chosen cells, how rows were matched, the one-line other-network note)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cnncalc import api
from cnncalc.check import read_answers
from cnncalc.check.grade import check_table
from cnncalc.check.other_networks import better_fit
from cnncalc.check.read import AnswerError

ROOT = Path(__file__).resolve().parent.parents[1]
CORPUS = ROOT / "tests" / "check_corpus"
CASES = sorted(CORPUS.glob("*.expect.yaml"))


def _submission(expect: Path) -> Path:
    stem = expect.name[:-len(".expect.yaml")]
    found = [p for p in CORPUS.iterdir() if p.is_file() and p.name != expect.name
             and p.name.split(".")[0] == stem and not p.name.endswith(".expect.yaml")]
    assert len(found) == 1, f"{expect.name}: no single submission named {stem}.*"
    return found[0]


def test_the_corpus_is_big_enough():
    forms = {yaml.safe_load(p.read_text()).get("form") for p in CASES}
    assert len(CASES) >= 30
    assert {"keras3", "keras2", "torchinfo", "tsv", "csv", "md", "aligned", "yaml"} <= forms


def _label(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("expect", CASES, ids=[p.name[:-len(".expect.yaml")] for p in CASES])
def test_graded_as_a_teacher_would(expect):
    want = yaml.safe_load(expect.read_text(encoding="utf-8"))
    path = _submission(expect)
    spec = api.infer(str(ROOT / want["spec"]) if not want["spec"].startswith("specs/")
                     else str(CORPUS / want["spec"]))
    if "error" in want:
        with pytest.raises(AnswerError) as e:
            check_table(read_answers(str(path)), spec)
        assert want["error"] in str(e.value)
        return
    table = read_answers(str(path))
    if "form" in want:
        assert table.form == want["form"]
    report = check_table(table, spec, strict=want.get("strict", False))
    states = [v.state for v in report.verdicts]
    got = {k: states.count(k) for k in ("right", "wrong", "carried", "unanswered")}
    if report.strict:
        got["wrong"] += got.pop("carried")
        got["carried"] = 0
    assert got == want["counts"], [(v.row, v.column, v.state, v.diagnosis) for v in report.verdicts
                                   if v.state != "right"]
    assert len(report.wrong) == want["counts"]["wrong"]
    assert report.score == want["score"]
    for cell in want.get("cells", []):
        found = [v for v in report.verdicts if _label(v.row) == cell["row"] and v.column == cell["column"]]
        assert found, f"no cell {cell['row']} / {cell['column']}: rows are {sorted({_label(v.row) for v in report.verdicts})}"
        v = found[0]
        assert v.state == cell["status"], (cell, v.diagnosis)
        if "diagnosis" in cell:
            assert cell["diagnosis"] in (v.diagnosis or ""), v.diagnosis
        if "matched_by" in cell:
            assert v.matched_by == cell["matched_by"]
    for row, how in want.get("matched_by", {}).items():
        assert {v.matched_by for v in report.verdicts if _label(v.row) == row} == {how}, row
    assert len(report.unmatched) == want.get("unmatched", 0), report.unmatched
    assert sum(v.ambiguous for v in report.verdicts) == want.get("ambiguous", 0)
    if "parts" in want:
        assert len(report.parts) == want["parts"]
    note = better_fit(report)
    assert (want["note"] in note) if want.get("note") else note == "", note
    text = report.text(verbose=True)
    assert all(len(line) <= 80 for line in text.splitlines()[1:]), "the report is wider than 80 columns"
