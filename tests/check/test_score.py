"""The score: (right + carried) / the cells the handout asks for (docs/checker.md, "The score").
A blank or missing cell is unanswered and earns nothing; extra rows cost nothing; --strict
counts carried cells as wrong; the exit status follows the asked cells."""
from __future__ import annotations

import json
import re

from tests.conftest import ZOO

HOMEWORK = ZOO / "lenet_homework.yaml"
ALEXNET = ZOO / "alexnet.yaml"


def key(cli, spec=HOMEWORK) -> str:
    return cli("summary", spec, "--format", "markdown", "--columns", "course").out


def graded(cli, tmp_path, text: str, spec=HOMEWORK, *more: str):
    path = tmp_path / "answers.md"
    path.write_text(text, encoding="utf-8")
    r = cli("check", path, "--spec", spec, "--format", "json", *more)
    return r.code, json.loads(r.out)


def test_the_answer_key_scores_100_and_exits_0(cli, tmp_path):
    code, doc = graded(cli, tmp_path, key(cli))
    assert code == 0 and doc["score"] == 100.0 and doc["asked"] == 23 and doc["right"] == 23
    assert {c["status"] for c in doc["cells"] if c["asked"]} == {"right"}


def test_a_blank_worksheet_scores_0(cli, tmp_path):
    sheet = cli("summary", HOMEWORK, "--format", "markdown", "--blank").out
    code, doc = graded(cli, tmp_path, sheet)
    assert code == 1 and doc["score"] == 0.0 and doc["unanswered"] == 23 and not doc["ok"]
    asked = [c for c in doc["cells"] if c["asked"]]
    assert len(asked) == 23 and {c["status"] for c in asked} == {"unanswered"}
    # the Input shape the worksheet prints is given, not asked
    assert [c["status"] for c in doc["cells"] if not c["asked"]] == ["right"]
    r = cli("check", tmp_path / "answers.md", "--spec", HOMEWORK)
    assert "score 0%: 0 of 23 cells right, 0 wrong, 23 unanswered" in r.out and "Unanswered: input" in r.out


def blank_columns(text: str, keep: int) -> str:
    """The key with only the first `keep` graded columns filled."""
    out = []
    for line in text.splitlines():
        cells = line.split("|")
        if len(cells) == 6 and re.match(r"\s*[\d(]", cells[2]):
            cells = cells[:2 + keep] + [" "] * (3 - keep) + cells[5:]
        out.append("|".join(cells))
    return "\n".join(out) + "\n"


def test_only_the_shape_column_filled(cli, tmp_path):
    code, doc = graded(cli, tmp_path, blank_columns(key(cli), 1))
    # 7 layer shapes right (the Input shape is given); 16 sizes and parameter counts unanswered
    assert code == 1 and doc["right"] == 7 and doc["unanswered"] == 16 and doc["score"] == round(100 * 7 / 23, 1)


def test_a_missing_row_costs_its_cells(cli, tmp_path):
    text = "\n".join(line for line in key(cli).splitlines() if not line.startswith("| FC4"))
    code, doc = graded(cli, tmp_path, text)
    assert code == 1 and doc["unanswered"] == 3 and doc["score"] == round(100 * (23 - 3) / 23, 1)
    assert doc["layers_without_row"] == ["FC4"]
    missing = [c for c in doc["cells"] if c["layer"] == "FC4"]
    assert [c["status"] for c in missing] == ["unanswered"] * 3 and all(c["row"] == "" for c in missing)


def test_extra_rows_cost_nothing(cli, tmp_path):
    text = key(cli).replace("| FC3", "| flatten | (400,) | 400 | 0 |\n| FC3", 1)
    code, doc = graded(cli, tmp_path, text)
    assert code == 0 and doc["score"] == 100.0 and doc["asked"] == 23
    assert [c["asked"] for c in doc["cells"] if c["layer"] == "flatten"] == [False] * 3


def test_one_early_slip_carried_scores_above_fourteen_wrong_cells(cli, tmp_path):
    """AlexNet with conv2's padding forgotten: one wrong cell, the rest of the table is right for
    the student's own shape (carried). It scores above a student with 14 wrong cells."""
    slipped = tmp_path / "slip.yaml"
    slipped.write_text(ALEXNET.read_text().replace("padding: 2, activation: relu, name: conv2",
                                                   "activation: relu, name: conv2"))
    code, doc = graded(cli, tmp_path, key(cli, slipped), ALEXNET)
    assert code == 1 and doc["asked"] == 41 and doc["wrong"] == 1 and doc["carried"] == 14
    assert doc["score"] == round(100 * (41 - 1) / 41, 1)  # right + carried over asked
    code, strict = graded(cli, tmp_path, key(cli, slipped), ALEXNET, "--strict")
    assert strict["score"] == round(100 * (41 - 15) / 41, 1) and strict["wrong"] == 15
    # 14 parameter and size cells off by one
    lines, wrong = [], 0
    for line in key(cli, ALEXNET).splitlines():
        cells = line.split("|")
        if len(cells) == 6 and wrong < 14 and re.match(r"\s*[\d,]+\s*$", cells[3]) and "Input" not in cells[1]:
            for i in (3, 4):
                if wrong < 14:
                    cells[i] = " " + str(int(cells[i].replace(",", "")) + 1) + " "
                    wrong += 1
        lines.append("|".join(cells))
    code, other = graded(cli, tmp_path, "\n".join(lines) + "\n", ALEXNET)
    assert code == 1 and other["wrong"] == 14 and other["score"] == round(100 * (41 - 14) / 41, 1) < doc["score"]


def test_a_table_of_another_network(cli, tmp_path):
    code, doc = graded(cli, tmp_path, key(cli, ALEXNET), HOMEWORK)
    # the Input row and every row after it are wrong or carried from the student's own input
    assert code == 1 and doc["score"] == 41.7 and doc["unanswered"] == 9
    assert doc["note"] == "This table fits AlexNet (original, 227) better than LeNet homework."
