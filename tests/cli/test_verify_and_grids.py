"""`cnncalc verify`, `conv`, `pool`, `conv-matrix`: worked numbers, JSON grids, one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cnncalc import executor
from tests.conftest import ROOT, ZOO

LONELY_7X7 = "0 0 0 0 0 0 0; 0 1 0 1 0 0 0; 0 1 0 1 0 1 0; 0 1 1 1 0 0 0; 0 1 0 1 0 1 0; 0 1 0 1 0 1 0; 0 0 0 0 0 0 0"
HOMEWORK_6X6 = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"
POOL_4X4 = "12 8 0 30; 20 12 0 8; 23 40 0 21; 108 32 22 12"
POOL_6X6 = "0 0 0 0 0 0; 0 0 0 0 1 0; 0 0 0 0 0 0; 0 1 0 0 0 0; 0 0 0 0 0 0; 0 0 0 0 0 0"


def as_json(run) -> dict:
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_cli_and_summary_leave_numpy_out():
    code = ("import sys; from typer.testing import CliRunner; from cnncalc.cli import app; "
            f"r = CliRunner().invoke(app, ['summary', {str(ZOO / 'vgg16.yaml')!r}]); "
            "print(r.exit_code, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": ""}).stdout.split()
    assert out == ["0", "False"]


@pytest.mark.parametrize("command", ["verify", "conv", "pool", "conv-matrix"])
def test_help_has_an_example(cli, command):
    r = cli(command, "--help")
    assert r.code == 0 and "Example: cnncalc " + command in r.out


# ---------------------------------------------------------------- verify

def test_verify_json_per_layer(cli):
    d = as_json(cli("verify", ZOO / "lenet_homework.yaml", "--format", "json", "--batch", "2"))
    assert d["agree"] and d["batch"] == 2 and d["disagreements"] == 0
    conv1 = d["layers"][0]
    # (32 - 5)//1 + 1 = 28; (5*5*3 + 1)*8 = 608 (seeds 002 homework table, corrected)
    assert conv1["inferred_shape"] == conv1["executed_shape"] == [(32 - 5) // 1 + 1] * 2 + [8]
    assert conv1["weights"] == conv1["params"] == 5 * 5 * 3 * 8 + 8
    assert sum(r["weights"] for r in d["layers"]) == d["weights"] == d["params"] == 62_958


def test_verify_table(cli):
    r = cli("verify", ZOO / "signal1d.yaml", "--width", "140")
    assert r.code == 0 and "all 6 layers agree" in r.out and "(23, 32)" in r.out


def test_verify_disagreement_exits_1(cli, monkeypatch):
    from cnncalc.kinds import Flatten
    monkeypatch.setattr(Flatten, "forward", lambda layer, x, w, r: x)  # a broken flatten
    r = cli("verify", ZOO / "lenet5.yaml", "--width", "140")
    assert r.code == 1 and "DISAGREE" in r.out and "disagree" in r.out
    d = json.loads(cli("verify", ZOO / "lenet5.yaml", "--format", "json").out)
    flat = next(row for row in d["layers"] if row["kind"] == "flatten")
    assert not flat["agree"] and flat["executed_shape"] == [5, 5, 16] and flat["inferred_shape"] == [5 * 5 * 16]


def test_verify_bad_batch_and_missing_file(main):
    r = main("verify", ZOO / "lenet5.yaml", "--batch", "0")
    assert r.code == 2 and "Traceback" not in r.err and "--batch 0" in r.err
    r = main("verify", "nope.yaml")
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


# ---------------------------------------------------------------- conv

def test_conv_lonely_one(cli):
    # seeds 003:L196-200 "After convolution", recomputed identical (seeds_examples.md D4)
    d = as_json(cli("conv", "--image", LONELY_7X7, "--kernel", "lonely", "--at", "1,4", "-F", "json"))
    assert d["output"] == [[0, -4, 0, -3, -1], [-2, -7, -2, -4, 1], [-2, -5, -2, -5, -2],
                           [-2, -7, -2, -5, 0], [0, -4, 0, -4, 0]]
    assert d["kernel"] == [[-1, -1, -1], [-1, 1, -1], [-1, -1, -1]] and len(d["input"]) == 7
    assert d["at"]["products"] == [[0, 0, 0], [0, 1, 0], [0, 0, 0]] and d["at"]["value"] == 1


def test_conv_at_shows_products_and_sum(cli):
    r = cli("conv", "--image", HOMEWORK_6X6, "--kernel", "vertical_edge", "--at", "0,0")
    # 3+1+2 - (1+8+2) = -5, the canonical first cell (seeds_examples.md D2)
    assert r.code == 0 and "out[0,0] = 3*1 + 0*0 + 1*(-1) + 1*1 + 5*0 + 8*(-1) + 2*1 + 7*0 + 2*(-1) = -5" in r.out


@pytest.mark.parametrize("kernel, first_row", [
    ("vertical_edge", [-5, -4, 0, 8]), ("prewitt_x", [-5, -4, 0, 8]), ("horizontal_edge", [-7, -11, 2, 4]),
    ("sobel_x", [-12, -8, 5, 16]), ("scharr_x", [-64, -40, 35, 80]),  # seeds_examples.md D2
    ("identity", [5, 8, 9, 3]),  # the 4x4 centre of the image
])
def test_conv_named_kernels(cli, kernel, first_row):
    d = as_json(cli("conv", "-i", HOMEWORK_6X6, "-k", kernel, "-F", "json"))
    assert d["output"][0] == first_row and d["kernel_name"] == kernel


def test_flip_is_true_convolution(cli):
    xc = as_json(cli("conv", "-i", HOMEWORK_6X6, "-k", "sobel_x", "-F", "json"))["output"]
    cv = as_json(cli("conv", "-i", HOMEWORK_6X6, "-k", "sobel_x", "--flip", "-F", "json"))
    assert cv["output"] == [[-v for v in row] for row in xc] and cv["mode"].startswith("convolution")
    # an asymmetric kernel shows the difference: flipped [[1,2],[3,4]] is [[4,3],[2,1]]
    d = as_json(cli("conv", "-i", "1 0; 0 0", "-k", "1 2; 3 4", "--flip", "-F", "json"))
    assert d["output"] == [[4]]


@pytest.mark.parametrize("signal, expected", [
    ("0 0 1 0", [-1, 1]),  # seeds 003:L168 with the filter read as (-1, 1, -1) (seeds_examples.md D6)
    ("1 0 1", [-2]),
])
def test_conv_1d_lonely(cli, signal, expected):
    d = as_json(cli("conv", "-i", signal, "-k", "-1 1 -1", "-F", "json"))
    assert d["dims"] == 1 and d["output"] == expected and d["input"] == [int(v) for v in signal.split()]


def test_conv_stride_padding_and_sizes(cli):
    # 5x5 image, f=3, p=1, s=2: (5 + 2*1 - 3)//2 + 1 = 3 (seeds 001 Ex1)
    d = as_json(cli("conv", "-i", "; ".join(["1 1 1 1 1"] * 5), "-k", "box_blur", "-s", "2", "-p", "1", "-F", "json"))
    assert d["output_shape"] == [(5 + 2 * 1 - 3) // 2 + 1] * 2
    assert d["output"][1][1] == pytest.approx(1.0) and d["output"][0][0] == pytest.approx(4 / 9)


def test_conv_reads_files(cli, tmp_path):
    csv = tmp_path / "img.csv"
    csv.write_text("1,2,3\n4,5,6\n7,8,9\n")
    ker = tmp_path / "k.txt"
    ker.write_text("# a 2x2 kernel\n1 0\n0 -1\n")
    d = as_json(cli("conv", "-i", csv, "-k", ker, "-F", "json"))
    assert d["output"] == [[1 - 5, 2 - 6], [4 - 8, 5 - 9]]


@pytest.mark.parametrize("args, message", [
    (["-i", "1 0 1; 0 1", "-k", "sobel_x"], "row 2 has 2 values but row 1 has 3"),
    (["-i", "1 x 1", "-k", "sobel_x"], "`x` is not a number"),
    (["-i", "1 0; 0 1", "-k", "sobel_x"], "kernel 3 is larger than the padded input 2+0+0 = 2"),
    (["-i", "", "-k", "sobel_x"], "--image is empty"),
    (["-i", " ; ", "-k", "sobel_x"], "--image is empty"),
    (["-i", "1 2; 3 4", "-k", "sobelx"], "did you mean sobel_x"),
    (["-i", "1 2; 3 4", "-k", "1 1; 1 1", "--at", "1,0"], "row 1 is outside the output (0 to 0)"),
    (["-i", "1 2; 3 4", "-k", "1", "--at", "x"], "--at 'x' is not i,j"),
    (["-i", "1 2; 3 4", "-k", "1", "-s", "0"], "stride 0 must be at least 1"),
    (["-i", "[[1, 2], [3]]", "-k", "1"], "row 2 has 1 value but row 1 has 2"),
    (["-i", "missing.csv", "-k", "1"], "--image 'missing.csv': no such file"),
    (["-i", "1 2; 3 4", "-k", "kernels/k.txt"], "--kernel 'kernels/k.txt': no such file"),
])
def test_conv_bad_input_is_one_line(cli, args, message):
    r = cli("conv", *args)
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert message in r.err and r.err.startswith("cnncalc: ")


# ---------------------------------------------------------------- pool

def test_pool_4x4(cli):
    # seeds 000:L190-199
    d = as_json(cli("pool", "-i", POOL_4X4, "-f", "2", "-s", "2", "--at", "1,0", "-F", "json"))
    assert d["output"] == [[20, 30], [108, 22]] and d["at"]["window"] == [[23, 40], [108, 32]]
    assert d["at"]["value"] == 108


@pytest.mark.parametrize("s, expected", [
    (1, [[0, 0, 1, 1], [1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]),  # seeds 003:L330-338
    (3, [[0, 1], [1, 0]]),                                          # seeds 003:L374-381
])
def test_pool_6x6(cli, s, expected):
    assert as_json(cli("pool", "-i", POOL_6X6, "-f", "3", "-s", str(s), "-F", "json"))["output"] == expected


def test_pool_avg_text(cli):
    r = cli("pool", "-i", POOL_4X4, "--op", "avg", "--at", "0,0")
    assert r.code == 0 and "out[0,0] = (12 + 8 + 20 + 12) / 4 = 13" in r.out


def test_conv_bad_input_from_the_command_line(main):
    r = main("conv", "-i", "1 0 1; 0 1", "-k", "sobel_x")
    assert r.code == 2 and r.err == "cnncalc: --image row 2 has 2 values but row 1 has 3; every row needs the same number of values\n"


def test_pool_bad_padding(cli):
    r = cli("pool", "-i", POOL_4X4, "-f", "2", "-p", "2")
    assert r.code == 2 and "Traceback" not in r.err and "more than half the pool size 2" in r.err


# ---------------------------------------------------------------- conv-matrix

def test_conv_matrix_stride_2(cli):
    # seeds 001:L84, n=8, k=3, s=2: floor((8 - 3)/2) + 1 = 3 rows; w=[1,2,3], x=0..7 -> [8, 20, 32]
    d = as_json(cli("conv-matrix", "-n", "8", "-f", "3", "-s", "2", "-F", "json"))
    assert d["rows"] == (8 - 3) // 2 + 1 and d["cols"] == 8
    assert d["symbolic"][1] == ["0", "0", "w0", "w1", "w2", "0", "0", "0"]
    assert d["product"] == d["sliding"] == d["output"] == [8, 20, 32] and d["equal"]
    assert d["input"] == list(range(8)) and d["kernel"] == [1, 2, 3]


@pytest.mark.parametrize("n, f, s, rows", [
    (8, 3, 1, 8 - 3 + 1), (7, 3, 2, (7 - 3) // 2 + 1), (9, 3, 2, (9 - 3) // 2 + 1), (10, 3, 3, (10 - 3) // 3 + 1),
])
def test_conv_matrix_rows(cli, n, f, s, rows):
    # seeds_examples.md A11: the notes' (n - k + 1)/s is wrong for s > 1
    d = as_json(cli("conv-matrix", "-n", str(n), "-f", str(f), "-s", str(s), "-F", "json"))
    assert d["rows"] == rows and d["equal"]


def test_conv_matrix_given_kernel_and_text(cli):
    r = cli("conv-matrix", "-n", "5", "-k", "-1 1 -1", "-x", "0 0 1 0 1")
    assert r.code == 0 and "3 rows" in r.out and "matrix @ x = -1 1 -2" in r.out and "equal" in r.out


def test_conv_matrix_bad(main):
    r = main("conv-matrix", "-n", "2", "-f", "3")
    assert r.code == 2 and "Traceback" not in r.err and "larger than" in r.err


def test_conv_text_shows_fractions(cli):
    r = cli("conv", "-i", "1 2 3; 4 5 6; 7 8 9", "-k", "box_blur", "-p", "1", "--at", "0,0")
    # (1 + 2 + 4 + 5)/9 = 12/9 = 4/3
    assert r.code == 0 and "+ 5*(1/9) = 4/3" in r.out and "8/3 13/3 28/9" in r.out
