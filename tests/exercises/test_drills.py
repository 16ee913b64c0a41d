"""Single-layer drills (`cnncalc exercise --drill`): the same seed gives the same bytes, every
problem is valid and distinct, and every answer equals the notes' formula computed here, apart
from the solvers that wrote the key."""
from __future__ import annotations

import pytest

from cnncalc.exercises.drills import DRILLS, MAX_COUNT, drill
from tests.conftest import one_line_error

SEEDS = range(6)


def expected(values: dict) -> tuple[str, int]:
    """The answer by the notes' formulas, with nothing from cnncalc: (what is asked, the number)."""
    if "out" in values:
        n, f, p, s = values["n"], values["f"], values["p"], values["s"]
        return "out", (n + 2 * p - f) // s + 1
    if "params" not in values:
        return "p", (values["f"] - 1) // 2
    if values["layer"] == "conv":
        return "params", (values["f"] * values["f"] * values["c"] + 1) * values["k"]
    return "params", values["n_in"] * values["units"] + values["units"]


@pytest.mark.parametrize("kind", DRILLS)
def test_same_seed_same_bytes_other_seed_other_problems(kind):
    one, again, other = drill(kind, 20, 7), drill(kind, 20, 7), drill(kind, 20, 8)
    assert (one.sheet(), one.key()) == (again.sheet(), again.key())
    assert [p.values for p in one.problems] != [p.values for p in other.problems]
    assert drill(kind, 5, 7).problems == one.problems[:5]  # a longer drill starts the same


def test_draws_are_sha256_not_hash():
    """Pinned problems: a change of the draw (or Python's hash()) would change them."""
    assert [dict(p.values) for p in drill("size", 2, 7).problems] == [
        {"n": 227, "f": 5, "p": 0, "s": 2, "out": 112}, {"n": 59, "f": 5, "p": 1, "s": 4, "out": 15}]
    assert dict(drill("params", 1, 7).problems[0].values) == {
        "layer": "dense", "n_in": 4096, "units": 120, "params": 4096 * 120 + 120}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", DRILLS)
def test_every_problem_is_valid_distinct_and_right(kind, seed):
    d = drill(kind, MAX_COUNT, seed)
    assert [p.number for p in d.problems] == list(range(1, MAX_COUNT + 1))
    assert len({p.values for p in d.problems}) == MAX_COUNT
    for p in d.problems:
        v = dict(p.values)
        what, answer = expected(v)
        assert v[what] == answer, p
        assert p.answer == {"out": f"{answer}x{answer}", "p": f"p = {answer}", "params": f"{answer:,}"}[what]
        assert any(w.endswith(f"= {answer:,}") for w in p.working), p.working  # the working ends on it
        if what == "out":
            assert v["f"] <= v["n"] + 2 * v["p"]  # the window fits the padded input
        if what == "p":
            assert v["f"] % 2 == 1 and v["f"] <= v["n"]
            assert v["n"] + 2 * answer - v["f"] + 1 == v["n"]  # 'same' at stride 1


def test_the_key_holds_the_solvers_working():
    key = drill("size", 1, 7).key()
    assert "out = floor((227 + 2*0 - 5)/2) + 1 = 112" in key and "**112x112**" in key
    key = drill("padding", 1, 7).key()
    assert "p = (n*s - n + f - s)/2 = (224*1 - 224 + 5 - 1)/2 = 4/2 = 2" in key
    assert "(5*5*3 + 1)*32 = 2,432" in drill("params", 2, 7).key()
    sheet = drill("size", 3, 7).sheet()
    assert "112" not in sheet and sheet.count("Answer: ____") == 3
    assert all(len(line) <= 80 for text in (sheet, drill("params", 20, 1).key()) for line in text.splitlines())


@pytest.mark.parametrize("call, words", [
    (lambda: drill("stride", 5, 1), ("--drill `stride`", "size, padding, params")),
    (lambda: drill("size", 0, 1), ("--count 0", f"1..{MAX_COUNT}")),
    (lambda: drill("size", MAX_COUNT + 1, 1), (f"--count {MAX_COUNT + 1}",)),
    (lambda: drill("size", 5, -1), ("--seed -1",)),
])
def test_bad_requests_are_one_line(call, words):
    one_line_error(call, *words)


def test_cli_writes_the_sheet_and_key_byte_identical(main, tmp_path):
    for folder in ("a", "b"):
        run = main("exercise", "--drill", "params", "--count", "20", "--seed", "3", "-o", tmp_path / folder)
        assert run.code == 0, run.err
    for name in ("handout.md", "key.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "key.md").read_text() == drill("params", 20, 3).key()
    run = main("exercise", "--drill", "size", "--count", "3", "--seed", "3")
    assert run.out == drill("size", 3, 3).sheet() + "\n" + drill("size", 3, 3).key()


def test_cli_refuses_to_overwrite_without_force(main, tmp_path):
    assert main("exercise", "--drill", "size", "-o", tmp_path).code == 0
    before = (tmp_path / "key.md").read_bytes()
    run = main("exercise", "--drill", "size", "--seed", "1", "-o", tmp_path)
    assert run.code == 2 and len(run.err.splitlines()) == 1 and "--force" in run.err
    assert (tmp_path / "key.md").read_bytes() == before
    assert main("exercise", "--drill", "size", "--seed", "1", "-o", tmp_path, "--force").code == 0
    assert (tmp_path / "key.md").read_bytes() != before


@pytest.mark.parametrize("args", [
    ("--drill", "strides"), ("--drill", "size", "--count", "0"), ("--drill", "size", "--count", "9" * 40),
    ("--drill", "size", "--count", "2.5"), ("--drill", "size", "--seed", "-3"), ("--drill", "size", "--seed", "x"),
    (), ("--drill", "size", "-o", "/dev/null"),
])
def test_cli_bad_input_one_line_exit_2(main, args):
    run = main("exercise", *args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and run.out == "", run.err
