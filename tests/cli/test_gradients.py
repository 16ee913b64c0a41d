"""`cnncalc grad`, `backprop`, `conv --bias/--activation/--show-padded`, `layer --jacobian`:
the notes' worked examples through the command line, JSON shapes and one-line errors. The
numbers themselves are checked against torch autograd in tests/gradients/test_conv.py and gradients/test_network.py."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

NOTES_1D = ROOT / "docs" / "examples" / "notes_1d.yaml"
NOTES_WEIGHTS = ROOT / "docs" / "examples" / "notes_1d_weights.json"
X3 = "1 2 3; 4 5 6; 7 8 9"


def as_json(run) -> dict:
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_grad_notes_3x3_image_2x2_kernel_all_ones_upstream(cli):
    d = as_json(cli("grad", "--image", X3, "--kernel", "1 0; 0 -1", "--format", "json"))
    assert d["Z"] == [[1 - 5, 2 - 6], [4 - 8, 5 - 9]]
    assert d["dL_dK"] == [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]]  # X cross-correlated with G = ones
    assert d["dL_dX"] == [[1, 1, 0], [1, 0, -1], [0, -1, -1]]     # G (padded) with K rotated 180 degrees
    assert d["dL_db"] == 4


def test_grad_at_works_one_cell(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines, unwrapped
    run = cli("grad", "--image", X3, "--kernel", "1 0; 0 -1", "--at", "dK:0,0")
    assert run.code == 0
    assert "dL/dK[0,0] = X[0,0]*G[0,0] + X[0,1]*G[0,1] + X[1,0]*G[1,0] + X[1,1]*G[1,1] = 1*1 + 2*1 + 4*1 + 5*1 = 12" in run.out
    assert as_json(cli("grad", "--image", X3, "--kernel", "1 0; 0 -1", "--at", "db", "-F", "json"))["at"].endswith("= 4")


def test_grad_stride_shows_the_dilated_upstream(cli):
    d = as_json(cli("grad", "--image", "1 2 3 4 5; 6 7 8 9 10; 1 1 1 1 1; 2 2 2 2 2; 0 1 0 1 0",
                    "--kernel", "1 1; 1 1", "-s", "2", "--upstream", "1 2; 3 4", "-F", "json"))
    assert d["upstream_dilated"] == [[1, 0, 2], [0, 0, 0], [3, 0, 4]]


def test_grad_several_filters(cli):
    d = as_json(cli("grad", "--image", "1 2; 3 4", "--kernel", "1", "--kernel", "2", "--bias", "0 1", "-F", "json"))
    assert d["Z"] == [[[1, 2], [3, 4]], [[3, 5], [7, 9]]]
    assert d["dL_db"] == [4, 4]


@pytest.mark.parametrize("args, words", [
    (["--image", X3, "--kernel", "1 0; 0 1", "--upstream", "1 2 3"], "upstream"),
    (["--image", "1 2; 3", "--kernel", "1"], "row"),
    (["--image", X3, "--kernel", "1 0; 0 1", "--at", "dQ:0,0"], "--at"),
    (["--image", X3, "--kernel", "1 0; 0 1", "-s", "0"], "stride"),
])
def test_grad_mistakes_are_one_line(cli, args, words):
    run = cli("grad", *args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and words in run.err, run.err


def test_backprop_notes_tiny_1d_network(cli):
    d = as_json(cli("backprop", NOTES_1D, "--input", "1 3 2 0 1", "--target", "6", "--weights", NOTES_WEIGHTS,
                    "--format", "json"))
    a1 = [5, 2, 1, 4, 0]
    a2 = 1*5 - 2*2 + 3*1 + 1*4 + 2*0
    assert d["loss"] == (a2 - 6) ** 2
    assert d["gradients"]["a2"]["weight"] == [[2 * (a2 - 6) * v for v in a1]]
    assert d["gradients"]["z1"]["weight"] == [[[36, 4, 0]]]
    assert set(d) >= {"loss", "outputs", "gradients"}
    text = cli("backprop", NOTES_1D, "--input", "1 3 2 0 1", "--target", "6", "--weights", NOTES_WEIGHTS)
    assert "loss (mse) = 4" in text.out


def test_backprop_draws_weights_from_the_seed(cli):
    a = as_json(cli("backprop", NOTES_1D, "--input", "1 3 2 0 1", "--target", "6", "--seed", "3", "-F", "json"))
    b = as_json(cli("backprop", NOTES_1D, "--input", "1 3 2 0 1", "--target", "6", "--seed", "3", "-F", "json"))
    assert a == b and a["weights"]["z1"]["weight"] != [[[1, -1, 2]]]


@pytest.mark.parametrize("args, words", [
    (["--input", "1 2", "--target", "6"], "(5, 1)"),
    (["--input", "1 3 2 0 1", "--target", "6 7"], "one target per output"),
    (["--input", "1 3 2 0 1", "--target", "6", "--weights", ROOT / "docs" / "examples" / "notes_1d.yaml"], "not JSON"),
])
def test_backprop_mistakes_are_one_line(cli, args, words):
    run = cli("backprop", NOTES_1D, *args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and words in run.err, run.err


def test_backprop_weights_missing_a_layer_show_the_layout(cli, tmp_path):
    w = tmp_path / "w.json"
    w.write_text('{"z1": {"weight": [[[1, -1, 2]]]}}')
    run = cli("backprop", NOTES_1D, "--input", "1 3 2 0 1", "--target", "6", "--weights", w)
    assert run.code == 2 and '"a2"' in run.err and "(units, n_in)" in run.err


def test_conv_bias_activation_and_padded_grid(cli):
    d = as_json(cli("conv", "--image", "1 2; 3 4", "--kernel", "1 -1; -1 1", "-p", "1", "--bias", "-1",
                    "--activation", "relu", "--show-padded", "-F", "json"))
    assert d["padded"] == [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]
    z = [[1 - 1, -1 + 2 - 1, -2 - 1], [-1 + 3 - 1, 1 - 2 - 3 + 4 - 1, 2 - 4 - 1], [-3 - 1, 3 - 4 - 1, 4 - 1]]
    assert d["output"] == z and d["bias"] == -1
    assert d["activated"] == [[max(v, 0) for v in row] for row in z]
    text = cli("conv", "--image", "1 2; 3 4", "--kernel", "1 -1; -1 1", "--bias", "0.5", "--activation", "sigmoid").out
    assert "output Z (1x1)" in text and "+ bias 0.5" in text and "A = sigmoid(Z), element-wise:" in text


@pytest.mark.parametrize("args, words", [
    (["--activation", "softmax"], "element-wise"),
    (["--bias", "nan"], "finite"),
])
def test_conv_bias_activation_mistakes(cli, args, words):
    run = cli("conv", "--image", "1 2; 3 4", "--kernel", "1", *args)
    assert run.code == 2 and words in run.err, run.err


@pytest.mark.parametrize("args, rows", [
    (["conv", "--input", "6x6x1", "--filters", "1", "-f", "3"],
     [("input", [4, 4, 1, 6, 6, 1], 4*4 * 6*6), ("weight", [4, 4, 1, 1, 1, 3, 3], 4*4 * 3*3), ("bias", [4, 4, 1, 1], 4*4)]),
    (["dense", "--input", "400", "--units", "120"],
     [("input", [120, 400], 120 * 400), ("weight", [120, 120, 400], 120 * 120*400), ("bias", [120, 120], 120 * 120)]),
    (["pool", "--input", "4x4x2", "-f", "2"], [("input", [2, 2, 2, 4, 4, 2], 2*2*2 * 4*4*2)]),
])
def test_layer_jacobian_shapes(cli, args, rows):
    d = as_json(cli("layer", *args, "--jacobian", "-F", "json"))["jacobian"]
    assert [(e["wrt"], e["shape"], e["elements"]) for e in d["jacobians"]] == rows
    assert d["jacobian_bytes"] == 4 * sum(n for _, _, n in rows)
    assert "never forms" in cli("layer", *args, "--jacobian").out
