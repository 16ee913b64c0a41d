"""`cnncalc layer KIND` for every kind of the registry (the registry drives it: no kind is named
in the CLI), with the size read by the one grammar and said on the first line, the weight shapes
in both layouts, and --jacobian: an activation on n values has an n x n Jacobian, diagonal when
element-wise, full for softmax. All at 80 columns, as a student's terminal."""
from __future__ import annotations

import json

import pytest

import cnncalc
from cnncalc.kinds import KINDS
from cnncalc.shapes import kind_dims
from tests.solve.test_layer_every_kind import _required


def _size(name: str) -> str:
    if name == "embedding":
        return "6"
    return "x".join(["8"] * (kind_dims(name) or 2) + ["4"])


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_is_a_layer_command(main80, name):
    args = _required(name)
    flags = [f"--arg={k}={json.dumps(v)}" for k, v in args.items()]
    r = main80("layer", name, "--input", _size(name), *flags, "--format", "json")
    assert r.code == 0, r.err
    want = cnncalc.solve_layer(name, _size(name), **args).to_dict()
    assert json.loads(r.out) == want
    text = main80("layer", name, "--input", _size(name), *flags, "--jacobian")
    assert text.code == 0 and text.out.startswith("input ") and max(map(len, text.out.splitlines())) <= 80


@pytest.mark.parametrize("size, read, shape", [
    ("6x6", "input 6×6×1 (H×W×C, one channel)", "(4, 4, 1)"),
    ("6x6x3", "input 6×6×3 (H×W×C)", "(4, 4, 1)"),
    ("4x6x6x3", "input 4×6×6×3 (D×H×W×C)", "(2, 4, 4, 1)"),
])
def test_6x6_is_an_image(main80, size, read, shape):
    r = main80("layer", "conv", "--input", size, "--filters", "1", "-f", "3")
    assert r.code == 0 and r.out.splitlines()[0] == read and f"output shape: {shape}" in r.out


def test_a_2d_input_is_never_a_signal(main80):
    assert "(71, 71, 1)" in main80("layer", "pool", "--input", "143x143", "-f", "3", "-s", "2").out
    r = main80("layer", "conv", "--input", "100x1", "--filters", "16", "-f", "3")
    assert r.code == 2 and "`conv1d --input 100x1`" in r.err  # the refusal says how to ask for 1-D
    r = main80("layer", "conv1d", "--input", "100", "--filters", "16", "-f", "3")
    assert r.out.splitlines()[0] == "input 100×1 (L×C, one channel)" and "(98, 16)" in r.out


def test_one_size_for_a_2d_question_is_refused_with_the_ways_to_ask(main80):
    r = main80("layer", "conv", "--input", "6", "--filters", "1", "-f", "3")
    assert r.code == 2 and "6x6 (H×W, one channel)" in r.err and "conv1d --input 6" in r.err
    r = main80("layer", "conv2d", "--input", "6", "--filters", "1", "-f", "3")
    assert r.code == 2 and "a 2-D layer takes H×W (one channel) or H×W×C" in r.err


@pytest.mark.parametrize("act", ["relu", "sigmoid", "tanh", "leaky_relu", "elu", "gelu"])
def test_an_elementwise_activation_has_a_diagonal_jacobian(main80, act):
    r = main80("layer", act, "--input", "5", "--jacobian")
    assert r.code == 0 and r.out.splitlines()[0] == "input 5 (a vector of 5 values)"
    assert "d out / d input: (5, 5) = 5 x 5 = 25 numbers" in r.out
    assert "d out / d input is diagonal" in r.out and "only the 5 diagonal entries" in r.out


def test_softmax_has_a_full_jacobian(main80):
    r = main80("layer", "softmax", "--input", "4", "--jacobian", "--format", "json")
    j = json.loads(r.out)["jacobian"]
    assert j["jacobians"][0]["matrix"] == [4, 4] and j["structure"].startswith("full")
    r = main80("layer", "softmax", "--input", "2x2x3", "--jacobian")
    assert "block-diagonal, 4 blocks of 3 x 3" in r.out


def test_weight_shapes_in_both_layouts(main80):
    r = main80("layer", "conv", "--input", "32x32x3", "--filters", "10", "-f", "3")
    assert "weights, PyTorch: weight (10, 3, 3, 3), bias (10,)" in r.out
    assert "weights, Keras:   weight (3, 3, 3, 10), bias (10,)" in r.out
    assert "weight is (C_out, C_in/groups, f_h, f_w)" in r.out and "weight is (f_h, f_w, C_in/groups, C_out)" in r.out
    d = json.loads(main80("layer", "dense", "--input", "400", "--units", "120", "--format", "json").out)
    assert d["weight_shapes"] == {"torch": {"weight": [120, 400], "bias": [120]},
                                  "keras": {"weight": [400, 120], "bias": [120]}}
    assert "weights" not in main80("layer", "relu", "--input", "5").out  # nothing learned


def test_arguments_by_name_and_their_errors(main80):
    r = main80("layer", "leaky_relu", "--input", "3", "--arg", "negative_slope=0.2", "--format", "json")
    assert r.code == 0
    r = main80("layer", "leaky_relu", "--input", "3", "--arg", "slope=0.2")
    assert r.code == 2 and "leaky_relu has no argument `slope`" in r.err and "negative_slope" in r.err
    r = main80("layer", "dropout", "--input", "10", "--arg", "rate=2")
    assert r.code == 2 and "rate must be between 0 and 1" in r.err
    r = main80("layer", "relu", "--input", "5", "-f", "3")
    assert r.code == 2 and "relu takes negative_slope, approximate, not kernel" in r.err
    r = main80("layer", "rleu", "--input", "5")
    assert r.code == 2 and "did you mean `relu`?" in r.err
    r = main80("layer", "relu", "--input", "5", "--arg", "oops")
    assert r.code == 2 and "not name=value" in r.err
    assert main80("layer", "kind", "relu", "--input", "5").out == main80("layer", "relu", "--input", "5").out
