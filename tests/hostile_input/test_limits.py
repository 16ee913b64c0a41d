"""Sizes checked before the work, and linear time where the input can be long: YAML 1.1
integers of thousands of digits, a padded pooling grid of 298 GiB, a stride of 10^12, a chain of
2,000 blocks, cells of 40,000 emphasis marks or stars, many rows. Each ends in one line (or an
answer) at once; the old expressions' results are kept where they were safe."""
from __future__ import annotations

import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError, load_spec
from cnncalc.check.read import clean, emphasis_off, trailing_off
from tests.conftest import ZOO

FUZZ = settings(max_examples=500, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
OLD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")
OLD_TRAILING = re.compile(r"(\s*(\?+|\*+|[†‡§¶¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,2}\]|\((?:\?|approx\.?|ca\.?)\)|"
                          r"(?<=\d)\s*(?:params|parameters|weights|values|units)\.?))+$", re.I)
PIECES = st.sampled_from(["*", "_", " ", "a", "1", "\n", "**", "__", "é", "?", "†", "[1]", "(approx.)", "params",
                          ".", "(ca)", "Units", "(", ")", "\t"])


@FUZZ
@given(text=st.lists(PIECES, max_size=14).map("".join))
def test_cells_are_cleaned_as_the_old_expressions_did(text):
    assert emphasis_off(text) == OLD_EMPHASIS.sub(r"\2", text)
    assert trailing_off(text.strip()) == OLD_TRAILING.sub("", text.strip())


@pytest.mark.parametrize("cell", ["_a" * 20_000, "*a" * 20_000, "*" * 20_000 + "a" + "*" * 20_000,
                                  "1" + "*" * 40_000 + "x", "_*" * 20_000, "1" + " ?" * 20_000 + "x"])
def test_a_long_cell_is_cleaned_in_linear_time(cell):
    start = time.perf_counter()
    clean(cell)
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize("number", ["0x" + "f" * 5000, "0b" + "1" * 20_000, "1" + ":59" * 3000, "0" + "7" * 5000])
def test_yaml_11_integers_are_refused_by_their_digits(number, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(f"input: [{number}, 8, 3]\nlayers:\n  - relu: {{}}\n")
    with pytest.raises(CnncalcError, match=r"s\.yaml:1:9: input has [\d,]+ digits, more than any size"):
        load_spec(str(path))


def test_a_chain_of_2000_blocks_is_refused_at_its_line(tmp_path):
    lines = ["input: [8, 8, 3]", "blocks:"]
    for i in range(2000):
        lines += [f"  b{i}:", "    layers:", f"      - b{i + 1}: {{}}" if i < 1999 else "      - relu: {}"]
    path = tmp_path / "chain.yaml"
    path.write_text("\n".join(lines) + "\nlayers:\n  - b0: {}\n")
    with pytest.raises(CnncalcError, match=r"chain\.yaml:\d+:\d+: .*blocks nest deeper than 64 levels"):
        load_spec(str(path))


def test_pooling_padding_is_sized_before_it_is_allocated(cli):
    run = cli("pool", "--image", "1 2; 3 4", "-f", "200001", "-p", "100000")
    assert run.code == 2 and "40,000,800,004 cells" in run.err


def test_solve_kernel_with_a_stride_of_10_12(cli):
    start = time.perf_counter()
    run = cli("solve", "kernel", "-n", "1000000000000", "--out", "1", "-s", "1000000000000")
    assert run.code == 0 and "1,000,000,000,000 kernels give 1; 20 of them are listed" in run.out
    assert cli("solve", "kernel", "-n", "288", "--out", "143", "-s", "1000000000000").code == 1
    assert time.perf_counter() - start < 10


def test_many_rows_are_checked_in_linear_time(tmp_path, cli):
    rows = ["Layer,Activation shape,Activation size,# parameters", "Input,32x32x3,3072,0"]
    rows += [f"CONV{i},28x28x8,6272,608" for i in range(3000)]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(rows) + "\n")
    start = time.perf_counter()
    run = cli("check", str(path), "--spec", str(ZOO / "lenet_homework.yaml"))
    assert run.code in (1, 2) and time.perf_counter() - start < 30


def test_a_100000_row_table_is_refused_before_it_is_matched(tmp_path, cli):
    rows = ["Layer,Activation shape,Activation size,# parameters"]
    rows += [f"CONV{i},28x28x8,6272,608" for i in range(100_000)]
    path = tmp_path / "rows.csv"
    path.write_text("\n".join(rows) + "\n")
    start = time.perf_counter()
    run = cli("check", str(path), "--spec", str(ZOO / "lenet_homework.yaml"))
    assert run.code == 2 and "100,001 lines, more than the 5,000" in run.err
    assert time.perf_counter() - start < 5


def test_a_keras_json_of_1_2_million_values_is_within_its_limit():
    from cnncalc.readers import keras_json
    assert keras_json.MAX_ITEMS >= 1_200_000  # a real 100,000-layer model


BIG = "9" * 5000


@pytest.mark.parametrize("args", [
    ["grad", "--image", f"[[{BIG}, 1], [1, 1]]", "--kernel", "1"],
    ["conv", "--image", f"[[{BIG}, 1], [1, 1]]", "--kernel", "1"],
    ["grad", "--image", "1/3", "--kernel", "[[1]]", "--upstream", f"[[{BIG}]]"],
    ["grad", "--image", f"[[[1]], [[{BIG}]]]", "--kernel", "1"],
])
def test_a_5000_digit_integer_in_a_json_grid_is_one_line(args, cli):
    run = cli(*args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1, run.err
    assert "not a finite number" in run.err and "set_int_max_str_digits" not in run.err
