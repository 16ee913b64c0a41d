"""The size, layer, solve and summary --explain commands: output, JSON shape, exit codes
(0 answer, 1 a well-formed "no", 2 bad arguments), one-line errors, never a traceback."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ZOO


def ok(run):
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    return run


# ---- size ---------------------------------------------------------------------------------

def test_size_32_5_2(cli):
    r = ok(cli("size", "32", "-f", "5", "-s", "2", "-p", "0"))
    assert "floor((32 + 2*0 - 5)/2) + 1 = 14" in r.out
    assert "27/2 = 13.5 is not an integer: the floor leaves the last input row unread" in r.out


def test_size_json(cli):
    d = json.loads(ok(cli("size", "32", "-f", "5", "-s", "2", "--format", "json")).out)
    assert d["output"] == [14] and d["exact"] is False
    assert d["axes"][0] == {"axis": "n", "n": 32, "f": 5, "s": 2, "p": [0, 0], "d": 1, "output": 14,
                            "exact": False, "dropped": 1,
                            "working": "floor((32 + 2*0 - 5)/2) + 1 = 14",
                            "note": "27/2 = 13.5 is not an integer: the floor leaves the last input row unread"}


@pytest.mark.parametrize("args,expect", [
    (["32", "-f", "5", "-s", "2", "--ceil"], "ceil((32 + 2*0 - 5)/2) + 1 = 15"),            # A1's ceiling: 15, not 14
    (["16", "-f", "3", "-s", "2", "-p", "1", "--transposed", "--output-padding", "1"],
     "(16-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 32"),
    (["10", "-f", "3", "-d", "2"], "floor((10 + 2*0 - (2*(3-1) + 1))/1) + 1 = 6"),
    (["6x8", "-f", "3", "-s", "2", "-p", "1"], "output: 3x4"),
    (["6", "-f", "3", "-s", "2", "-p", "3,4"], "floor((6 + 3 + 4 - 3)/2) + 1 = 6"),
    (["224", "-f", "3", "-s", "2", "-p", "same"], "floor((224 + 0 + 1 - 3)/2) + 1 = 112"),
    (["143", "-f", "3", "-s", "2"], "floor((143 + 2*0 - 3)/2) + 1 = 71"),                   # A7 (A8's formula: 70.5)
])
def test_size_options(cli, args, expect):
    assert expect in ok(cli("size", *args)).out


def test_size_strict_exact_is_0(cli):
    r = ok(cli("size", "5", "-f", "3", "-p", "1", "-s", "2", "--strict"))   # A4 Ex1a: (5+2-3)/2 = 2
    assert "floor((5 + 2*1 - 3)/2) + 1 = 3" in r.out


def test_size_strict_not_exact_is_1_with_the_arithmetic(main):
    # A5 Ex1b (001:L213): "not possible" -- the division is 4/3, the output 7/3 (not the notes' 4/3)
    r = main("size", "5", "-f", "3", "-p", "1", "-s", "3", "--strict")
    assert r.code == 1 and r.out == "" and "Traceback" not in r.err
    assert r.err.startswith("cnncalc: 5, f=3, p=1, s=3: (5 + 2*1 - 3)/3 = 4/3 = 1.33 is not an integer")
    assert "7/3" in r.err and len(r.err.strip().splitlines()) == 1


# ---- layer --------------------------------------------------------------------------------

def test_layer_conv_280(cli):
    r = ok(cli("layer", "conv", "--input", "32x32x3", "--filters", "10", "-f", "3"))
    assert "output shape: (30, 30, 10)" in r.out
    assert "params: (3*3*3 + 1)*10 = 280" in r.out
    assert "activations: 30*30*10 = 9,000" in r.out
    assert "MACs: 30*30*10 * (3*3*3) = 243,000" in r.out


def test_layer_conv_json(cli):
    d = json.loads(ok(cli("layer", "conv", "--input", "112x112x64", "--filters", "128", "-f", "3",
                          "-p", "1", "--format", "json")).out)
    # B3 (000:L260): 128 x (3x3) x 64 + 128 = 73,856
    assert d["params"] == 128 * (3*3) * 64 + 128 == 73_856
    assert d["output_shape"] == [112, 112, 128] and d["kind"] == "conv2d"
    assert d["macs"] == 112*112*128 * (3*3*64)
    assert set(d) >= {"question", "shape_working", "params_working", "macs_working", "activation_size"}


@pytest.mark.parametrize("args,expect", [
    (["conv", "--input", "5x5x3", "--filters", "2", "-f", "3", "-p", "1", "-s", "2"], "(3, 3, 2)"),  # A4
    (["conv", "--input", "5x5x3", "--filters", "2", "-f", "3", "-p", "1", "-s", "3"], "(2, 2, 2)"),  # A5: floor
    (["conv", "--input", "227x227x3", "--filters", "96", "-f", "11", "-s", "4"], "= 34,944"),       # B10 (not 34444)
    (["conv", "--input", "27x27x96", "--filters", "256", "-f", "5", "-p", "2", "--groups", "2"], "= 307,456"),
    (["conv1d", "--input", "100x1", "--filters", "16", "-f", "3"], "(98, 16)"),                      # 1-D: L×C
    (["conv1d", "--input", "100", "--filters", "16", "-f", "3"], "(98, 16)"),                        # a length
    (["conv", "--input", "32x28x3", "--filters", "4", "-f", "5x3", "-s", "1x2"], "(28, 13, 4)"),    # non-square
    (["pool", "--input", "143x143x64", "-f", "3", "-s", "2"], "(71, 71, 64)"),                      # A7
    (["pool", "--input", "6x6x1", "-f", "3", "-s", "3"], "(2, 2, 1)"),                              # A28
    (["pool", "--input", "5x5x1", "-f", "2", "--ceil"], "(3, 3, 1)"),
    (["pool", "--input", "6x6x1", "-f", "2", "--avg"], "avgpool2d"),
    (["dense", "--input", "400", "--units", "120"], "400*120 + 120 = 48,120"),                     # C: not 48,001
    (["dense", "--input", "7x7x512", "--units", "4096"], "25088*4096 + 4096 = 102,764,544"),         # B5/B6
])
def test_layer_table(cli, args, expect):
    assert expect in ok(cli("layer", *args)).out


# ---- solve --------------------------------------------------------------------------------

def test_solve_padding_homework2(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines, unwrapped
    r = ok(cli("solve", "padding", "-n", "6", "-f", "3", "-s", "2"))
    assert "p = (n*s - n + f - s)/2 = (6*2 - 6 + 3 - 2)/2 = 7/2 = 3.5" in r.out
    assert "floor((6 + 2*4 - 3)/2) + 1 = 6" in r.out and "(3, 4)" in r.out
    assert "gives floor((6 + 2*3 - 3)/2) + 1 = 5, not 6" in r.out      # the floor the notes' L334 takes
    assert "ceil(6/2) = 3" in r.out


def test_solve_padding_json_shape(cli):
    d = json.loads(ok(cli("solve", "padding", "-n", "6", "-f", "3", "-s", "2", "--format", "json")).out)
    assert set(d) >= {"question", "formula", "solutions", "tensorflow_same"}
    sols = {json.dumps(s["padding"]): s for s in d["solutions"]}
    assert sols["[3, 4]"]["exact"] is True and sols["[3, 4]"]["output"] == 6
    assert sols["4"]["exact"] is False and sols["4"]["dropped"] == 1 and sols["4"]["output"] == 6
    assert d["tensorflow_same"]["padding"] == [0, 1] and d["tensorflow_same"]["output"] == 3


def test_solve_padding_same_stride1(cli):
    d = json.loads(ok(cli("solve", "padding", "-n", "6", "-f", "3", "--format", "json")).out)
    assert [s["padding"] for s in d["solutions"]] == [1]     # A14: P = (f-1)/2 = 1


def test_solve_padding_target(cli):
    d = json.loads(ok(cli("solve", "padding", "-n", "10", "-f", "3", "-s", "2", "--out", "5", "-F", "json")).out)
    assert {json.dumps(s["padding"]) for s in d["solutions"]} == {"1", "[0, 1]"}


def test_solve_kernel_288_143(cli):
    r = ok(cli("solve", "kernel", "-n", "288", "--out", "143", "-s", "2", "-p", "0"))
    assert "f = n + 2p - (out-1)*s = 288 + 2*0 - (143-1)*2 = 4" in r.out
    d = json.loads(ok(cli("solve", "kernel", "-n", "288", "--out", "143", "-s", "2", "--format", "json")).out)
    assert [(s["kernel"], s["exact"], s["output"]) for s in d["solutions"]] == [(4, True, 143), (3, False, 143)]
    assert 2 not in [s["kernel"] for s in d["solutions"]]    # 001:L221's F=2 gives 144


def test_solve_stride(cli):
    d = json.loads(ok(cli("solve", "stride", "-n", "5", "-f", "3", "-p", "1", "--out", "3", "-F", "json")).out)
    assert [(s["stride"], s["exact"]) for s in d["solutions"]] == [(2, True)]


@pytest.mark.parametrize("args,reason", [
    (["stride", "-n", "10", "-f", "3", "--out", "5"], "stride 1 gives 8 and stride 2 gives 4"),
    (["kernel", "-n", "10", "--out", "20"], "needs at least (20-1)*1 + 1 = 20 padded rows"),
    (["padding", "-n", "10", "-f", "3", "-s", "2", "--out", "3"], "padding only makes it larger"),
])
def test_solve_no_solution_is_exit_1_with_the_reason(cli, args, reason, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines, unwrapped
    r = cli("solve", *args)
    assert r.code == 1 and "no solution: " in r.out and reason in r.out and "Traceback" not in r.err
    d = json.loads(cli("solve", *args, "--format", "json").out)
    assert d["solutions"] == [] and reason in d["reason"]


def test_solve_input_vgg16(cli):
    r = ok(cli("solve", "input", ZOO / "vgg16.yaml", "--max", "256"))
    assert "exact for 32, 64, 96, ..., 256 (every multiple of 32)" in r.out
    assert "smallest accepted 32" in r.out
    assert "input 224x224x3: every division is exact" in r.out


def test_solve_input_first_drop(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines, unwrapped
    r = ok(cli("solve", "input", ZOO / "vgg16.yaml", "--max", "64", "--input", "225x225x3"))
    assert "first layer that drops rows: layer 3 (block1_pool, maxpool2d)" in r.out
    d = json.loads(ok(cli("solve", "input", ZOO / "vgg16.yaml", "--max", "64", "--input", "225x225x3",
                          "--format", "json")).out)
    assert d["given"]["first_drop"]["layer"] == "layer 3 (block1_pool, maxpool2d)"
    assert d["given"]["exact"] is False
    assert [s["input"] for s in d["solutions"]] == [32, 64] and d["smallest"] == {"H=W": 32}


def test_solve_input_given_input_not_accepted(cli):
    r = ok(cli("solve", "input", ZOO / "vgg16.yaml", "--max", "40", "--input", "16x16x3"))
    assert "input 16x16x3: not accepted: " in r.out and "block5_pool" in r.out


def test_solve_input_none_exact_is_1(cli, spec_file):
    path = spec_file("input: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 1, kernel: 3, stride: 2}\n"
                     "  - conv2d: {filters: 1, kernel: 2, stride: 2}\n")
    assert cli("solve", "input", path, "--max", "4").code == 1


# ---- summary --explain -----------------------------------------------------------------

def test_summary_explain_table(cli):
    r = ok(cli("summary", ZOO / "vgg16.yaml", "--explain"))
    assert "H and W: out = floor((224 + 1 + 1 - 3)/1) + 1 = 224" in r.out
    assert "params = 3*3*3*64 + 64 = 1,792" in r.out
    assert "params = 25088*4096 + 4096 = 102,764,544" in r.out
    assert "Total params: 138,357,544" in r.out
    lines = r.out.splitlines()
    row = next(i for i, line in enumerate(lines) if "block1_conv1" in line)
    assert "out = floor((224" in lines[row + 1]      # the working sits under its row


def test_summary_explain_json(cli):
    d = json.loads(ok(cli("summary", ZOO / "lenet_homework.yaml", "--explain", "--format", "json")).out)
    assert d["layers"][0]["explain"] == ["H and W: out = floor((32 + 2*0 - 5)/1) + 1 = 28",
                                         "params = 5*5*3*8 + 8 = 608"]
    assert d["totals"]["params"] == 62_958


def test_summary_explain_csv_is_refused(cli):
    r = cli("summary", ZOO / "vgg16.yaml", "--explain", "--format", "csv")
    assert r.code == 2 and "--explain works with --format table or json" in r.err


def test_summary_without_explain_is_unchanged(cli):
    assert "floor(" not in ok(cli("summary", ZOO / "vgg16.yaml")).out


# ---- bad arguments: one line, exit 2, never a traceback ------------------------------------

BAD = [
    (["size", "0", "-f", "3"], "the input size N 0 must be positive"),
    (["size", "-5", "-f", "3"], "the input size N -5 must be positive"),
    (["size", "3.5", "-f", "3"], "is not an integer"),
    (["size", "abc", "-f", "3"], "is not a whole number"),
    (["size", "32"], "-f is required"),
    (["size"], "the input size N is required"),
    (["size", "32", "-f", "0"], "-f 0 must be positive"),
    (["size", "32", "-f", "3", "-s", "-2"], "-s -2 must be positive"),
    (["size", "32", "-f", "3", "-p", "-1"], "-p -1 must be at least 0"),
    (["size", "32", "-f", "40"], "larger than the padded input"),
    (["size", "32", "-f", "3x3x3x3"], "-f has 4 values but the input has 1 axes"),
    (["size", "32", "-f", "3", "--ceil", "--transposed"], "do not combine"),
    (["size", "8", "-f", "3", "-s", "2", "--transposed", "--output-padding", "2"], "output_padding 2 must be smaller"),
    (["layer", "conv", "--filters", "10", "-f", "3"], "--input is required"),
    (["layer", "conv", "--input", "32x32x3", "-f", "3"], "--filters is required"),
    (["layer", "conv", "--input", "32x32x3", "--filters", "0", "-f", "3"], "--filters 0 must be positive"),
    (["layer", "conv", "--input", "32x32x0", "--filters", "2", "-f", "3"], "--input 0 must be positive"),
    (["layer", "conv", "--input", "32", "--filters", "2", "-f", "3"], "no spatial axis"),
    (["layer", "conv", "--input", "5x5x3", "--filters", "2", "-f", "7"], "kernel 7 is larger than the padded input"),
    (["layer", "conv", "--input", "5x5x3", "--filters", "4", "-f", "3", "--groups", "2"], "groups 2 does not divide"),
    (["layer", "pool", "--input", "5x5x3", "-f", "2", "-p", "2"], "more than half the kernel"),
    (["layer", "dense", "--input", "400"], "--units is required"),
    (["solve", "padding", "-n", "6"], "-f is required"),
    (["solve", "padding", "-n", "0", "-f", "3"], "-n 0 must be positive"),
    (["solve", "padding", "-n", "6", "-f", "3", "--out", "-1"], "--out -1 must be positive"),
    (["solve", "padding", "-n", "6x8", "-f", "3"], "one axis at a time"),
    (["solve", "kernel", "-n", "288", "--out", "0"], "--out 0 must be positive"),
    (["solve", "kernel", "-n", "288", "--out", "1.5"], "is not an integer"),
    (["solve", "stride", "-n", "3", "-f", "5", "--out", "1"], "larger than the padded input"),
    (["solve", "stride", "-n", "5", "-f", "3", "--out", "2", "-p", "same"], "is not a size here"),
    (["solve", "input", "no_such_file.yaml"], "no such file"),
    (["solve", "input", str(ZOO / "vgg16.yaml"), "--input", "1x224x224x3"], "give all 3 (channels last) or the 2 spatial sizes"),
    (["solve", "input", str(ZOO / "vgg16.yaml"), "--max", "0"], "--max 0 must be positive"),
    (["solve", "input", str(ZOO / "vgg16.yaml"), "--max", "1000000"], "too many sizes to scan"),
]


@pytest.mark.parametrize("args,message", BAD)
def test_bad_arguments_are_one_line_exit_2(cli, args, message):
    r = cli(*args)
    assert r.code == 2, (r.out, r.err)
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert r.err.startswith("no_such_file.yaml: " if "no such file" in message else "cnncalc: ")
    assert message in r.err


@pytest.mark.parametrize("args", [["size", "-5", "-f", "3"], ["solve", "kernel", "-n", "x", "--out", "3"],
                                  ["layer", "pool", "--input", "2x2x1", "-f", "3"]])
def test_bad_arguments_from_the_command_line(main, args):
    r = main(*args)
    assert r.code == 2 and "Traceback" not in r.err and r.err.startswith("cnncalc: ")
    assert len(r.err.strip().splitlines()) == 1


# ---- help: every new command has an example ----------------------------------------------

@pytest.mark.parametrize("command", [["size"], ["layer", "conv"], ["layer", "pool"], ["layer", "dense"],
                                     ["solve", "padding"], ["solve", "kernel"], ["solve", "stride"],
                                     ["solve", "input"], ["summary"]])
def test_help_has_an_example(cli, command):
    r = ok(cli(*command, "--help"))
    assert "Example: cnncalc" in r.out


def test_groups_help(cli):
    assert "conv" in ok(cli("layer", "--help")).out and "padding" in ok(cli("solve", "--help")).out
