"""One forward and backward pass of a small network (cnncalc/gradients/network.py): the notes' tiny 1-D
network recomputed by hand, pooling's routing, torch autograd over a hypothesis sweep and on
branched nets (skipped without torch), the committed torch goldens, and every one-line error.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from cnncalc.gradients.inputs import load_weights, parse_array
from cnncalc.gradients.network import backprop
from cnncalc.errors import CnncalcError
from cnncalc.gradients.conv import conv_grad
from cnncalc.spec import load_spec, parse_spec
from tests.conftest import ZOO, one_line_error as bad
from tests.gradients.grad_torch import BRANCHED, Picker, numbers, random_net, torch_backprop

GOLDEN = Path(__file__).parent.parent / "golden" / "torch_grad.json"

# 003:L407-421: "Regression. 1 filter: size 3 & padding; x dimension 5x1": Z1_i = W1^T X[i-1, i, i+1],
# A1 = ReLU(Z1), A2 = W2^T A1 (1x1), L = (A2 - y)^2. The notes give no numbers; here X = [1, 3, 2, 0, 1],
# W1 = [1, -1, 2], W2 = [1, -2, 3, 1, 2], y = 6, no biases (the notes have none).
EXAMPLES = Path(__file__).parent.parent.parent / "docs" / "examples"
NOTES_NET = (EXAMPLES / "notes_1d.yaml").read_text()
NOTES_WEIGHTS = json.loads((EXAMPLES / "notes_1d_weights.json").read_text())


def test_notes_tiny_1d_network():
    b = backprop(parse_spec(NOTES_NET), [1, 3, 2, 0, 1], 6, "mse", NOTES_WEIGHTS)
    d = b.to_dict()
    z1 = [0*1 + 1*-1 + 3*2, 1*1 + 3*-1 + 2*2, 3*1 + 2*-1 + 0*2, 2*1 + 0*-1 + 1*2, 0*1 + 1*-1 + 0*2]
    assert d["pre_activations"]["z1"] == [[v] for v in z1]                 # [5, 2, 1, 4, -1]
    a1 = [max(v, 0) for v in z1]
    assert d["outputs"]["z1"] == [[v] for v in a1]
    a2 = 1*5 - 2*2 + 3*1 + 1*4 + 2*0
    assert d["outputs"]["a2"] == [a2] and d["loss"] == (a2 - 6) ** 2        # (8 - 6)^2 = 4
    dl_da2 = 2 * (a2 - 6)
    assert d["gradients"]["a2"]["output"] == [dl_da2]
    assert d["gradients"]["a2"]["weight"] == [[dl_da2 * v for v in a1]]   # dL/dW2 = dL/dA2 * A1
    dl_da1 = [dl_da2 * v for v in (1, -2, 3, 1, 2)]                       # dL/dA1 = W2 dL/dA2 (5x1)
    assert d["gradients"]["z1"]["output"] == [[v] for v in dl_da1]
    dl_dz1 = [g if z > 0 else 0 for g, z in zip(dl_da1, z1)]              # dA1/dZ1: the 5x5 diagonal of ReLU'
    assert d["gradients"]["z1"]["pre_activation"] == [[v] for v in dl_dz1]
    # dL/dW1 = dZ1/dW1 (3x5: rows X0..X4, X1..X5, X2..X6, 003:L421) . dL/dZ1
    xp = [0, 1, 3, 2, 0, 1, 0]
    assert d["gradients"]["z1"]["weight"] == [[[sum(xp[i + k] * dl_dz1[i] for i in range(5)) for k in range(3)]]]
    assert d["gradients"]["z1"]["weight"] == [[[36, 4, 0]]]
    assert d["input_gradient"] == [[-12], [28], [-24], [20], [8]]
    # the same conv worked by cnncalc grad
    g = conv_grad([1, 3, 2, 0, 1], [1, -1, 2], dl_dz1, padding=1)
    assert g.dK == [36, 4, 0] and [[v] for v in g.dX] == d["input_gradient"]
    assert "L = (1/N) sum (y - t)^2 = ((8 - 6)^2) / 1 = 4" == d["loss_formula"]
    text = b.text()
    assert "loss (mse) = 4" in text and "dL/dz (through relu):" in text


def test_max_pool_routes_the_gradient_to_the_argmax():
    spec = parse_spec("input: [4, 4, 1]\nlayers:\n  - maxpool2d: 2\n  - flatten\n")
    x = [[1, 3, 2, 1], [4, 2, 0, 1], [1, 1, 5, 6], [0, 2, 7, 8]]
    b = backprop(spec, x, [3, 2, 1, 6])
    assert b.to_dict()["outputs"]["flatten"] == [4, 2, 2, 8]
    dy = [2 * (4 - 3) / 4, 2 * (2 - 2) / 4, 2 * (2 - 1) / 4, 2 * (8 - 6) / 4]
    want = np.zeros((4, 4))
    want[1, 0], want[0, 2], want[3, 1], want[3, 3] = dy  # the cells that won their windows
    np.testing.assert_array_equal(b.input_grad[..., 0], want)
    tie = backprop(spec, [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], [0, 0, 0, 0])
    assert tie.input_grad[0, 0, 0] == 2 * 1 / 4 and tie.input_grad[..., 0].sum() == 2 * 1 / 4  # the first max only


def test_average_pool_spreads_the_gradient():
    spec = parse_spec("input: [4, 1]\nlayers:\n  - avgpool1d: {kernel: 2, stride: 1}\n  - flatten\n")
    b = backprop(spec, [1, 2, 3, 4], [0, 0, 0])
    dy = [2 * 1.5 / 3, 2 * 2.5 / 3, 2 * 3.5 / 3]
    np.testing.assert_allclose(b.input_grad[:, 0], [dy[0] / 2, (dy[0] + dy[1]) / 2, (dy[1] + dy[2]) / 2, dy[2] / 2])


def test_cross_entropy_reads_softmax_outputs_or_logits():
    soft = parse_spec("input: [3]\nlayers:\n  - dense: {units: 3, activation: softmax, name: d}\n")
    logits = parse_spec("input: [3]\nlayers:\n  - dense: {units: 3, name: d}\n")
    w = {"d": {"weight": [[1, 0, 0], [0, 2, 0], [0, 0, -1]], "bias": [0, 0, 0]}}
    a = backprop(soft, [1, 1, 1], 1, "cross_entropy", w)
    b = backprop(logits, [1, 1, 1], 1, "cross_entropy", w)
    z = np.array([1.0, 2.0, -1.0])
    assert a.loss == pytest.approx(-np.log(np.exp(2) / np.exp(z).sum()), rel=1e-12) == b.loss
    np.testing.assert_allclose(a.grads[0]["pre_activation"], np.exp(z) / np.exp(z).sum() - [0, 1, 0], rtol=1e-12)
    np.testing.assert_allclose(b.grads[0]["output"], a.grads[0]["pre_activation"], rtol=1e-12)
    assert "logits" in b.loss_formula and "softmax output" in a.loss_formula


# 003:L206-228: the 5x5 image with its zero border (here: padding 1), the "lonely 1" filter, and
# "after convolution & ReLU" a single 1 where a 1 has no 1 around it (row 1, column 4)
LONELY = [[1, 0, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [1, 0, 1, 0, 1]]
LONELY_FILTER = [[-1, -1, -1], [-1, 1, -1], [-1, -1, -1]]


def test_notes_conv_with_relu_on_a_grid():
    z = conv_grad(LONELY, LONELY_FILTER, padding=1).Z
    assert z[1][4] == -(0 + 0 + 0) + 1 - (0 + 0 + 0 + 0 + 0)   # Xp rows 1-3, columns 4-6 around the 1 at X[1,4]
    assert z[0][0] == -(0 + 0 + 0 + 0 + 0 + 1 + 0 + 0) + 1       # the top-left 1 has one 1 (below it) around it
    from cnncalc import convolve  # `conv --activation relu`
    a = convolve(LONELY, LONELY_FILTER, padding=1, activation="relu").activated
    assert a.tolist() == [[max(v, 0) for v in row] for row in z] == [[0] * 5, [0, 0, 0, 0, 1], [0] * 5, [0] * 5, [0] * 5]


def test_random_weights_from_a_seed_are_shown_and_repeat():
    spec = load_spec(str(ZOO / "signal1d.yaml"))
    x = np.linspace(-1, 1, 100).reshape(100, 1).tolist()
    d1 = backprop(spec, x, 1, "bce", seed=3).to_dict()
    d2 = backprop(spec, x, 1, "bce", weights=d1["weights"]).to_dict()
    assert d1["loss"] == d2["loss"] and d1["gradients"] == d2["gradients"]
    assert json.loads(json.dumps(d1))["gradients"]["dense"]["bias"] is not None


def test_command_line_forms(tmp_path):
    assert parse_array("3") == 3.0
    assert parse_array("[[1, 2], [3, 4]]") == [[1, 2], [3, 4]]
    assert parse_array("1 2; 3 4") == [[1.0, 2.0], [3.0, 4.0]]
    path = tmp_path / "w.json"
    path.write_text(json.dumps(NOTES_WEIGHTS))
    assert load_weights(str(path)) == NOTES_WEIGHTS




NET = parse_spec(NOTES_NET)
X5 = [1, 3, 2, 0, 1]


@pytest.mark.parametrize("call, words", [
    (lambda: backprop(NET, X5, 6, "mse", {"a2": [[1, 2, 3, 4, 5]]}),
     ['--weights has no `z1` (conv1d); give "z1": {"weight": (1, 1, 3) (C_out, C_in/groups, f)}']),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "z1": {"weight": [1, -1, 2]}}),
     ["--weights `z1`.weight has shape (3,) but conv1d needs (1, 1, 3) = (C_out, C_in/groups, f) (torch's layout)"]),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "a2": [[1, 2, 3, 4, 5]] * 2}),
     ["`a2`.weight has shape (2, 5) but dense needs (1, 5) = (units, n_in)"]),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "z9": [1]}),
     ["--weights names `z9`, which is no layer with weights; the layers with weights are: z1, a2"]),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "z1": {"weight": [[[1, -1, 2]]], "bias": [0]}}),
     ["`z1` has `bias`, which conv1d does not have"]),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "z1": {"weight": [[[1, "a", 2]]]}}),
     ["`z1`.weight is not a (rectangular) nested list of numbers"]),
    (lambda: backprop(NET, X5, 6, "mse", {**NOTES_WEIGHTS, "z1": {"weight": [[[1, float("nan"), 2]]]}}),
     ["`z1`.weight has a value that is not a finite number"]),
    (lambda: backprop(parse_spec("input: [3]\nlayers:\n  - dense: {units: 2, name: d}\n"), [1, 2, 3], [0, 0], "mse",
                      {"d": [[1, 2, 3], [4, 5, 6]]}), ["`d` (dense) is a bare list but the layer has weight, bias"]),
    (lambda: backprop(NET, [1, 2, 3], 6), ["--input has shape (3,) but the spec's input is (5, 1) (L, C)"]),
    (lambda: backprop(NET, [[1, 2], [3]], 6), ["--input is not a (rectangular) nested list"]),
    (lambda: backprop(NET, X5, [1, 2]), ["--target has 2 values but the network output is (1,), 1 value"]),
    (lambda: backprop(NET, X5, 6, "hinge"), ["--loss `hinge` is not one of mse, cross_entropy, bce"]),
    (lambda: backprop(NET, X5, 6, "bce"), ["--target for bce must be between 0 and 1"]),
    (lambda: backprop(parse_spec("input: [3]\nlayers:\n  - dense: 3\n"), [1, 2, 3], 3, "cross_entropy"),
     ["--target 3 is not a class index 0 to 2"]),
    (lambda: backprop(parse_spec("input: [4, 1]\nlayers:\n  - conv1d: {filters: 2, kernel: 1}\n"), [1, 2, 3, 4], 0,
                      "cross_entropy"), ["cross_entropy needs a vector of class scores, but the network gives (4, 2)"]),
    (lambda: backprop(NET, X5, 6, seed=-1), ["--seed -1 must be a whole number, 0 or more"]),
    (lambda: backprop(load_spec(str(ZOO / "vgg16.yaml")), 0, 0),
     ["the network has", "values (input 150,528 + activations", "more than the 1,000,000"]),
    (lambda: backprop(parse_spec("input: [4, 4, 2]\nlayers:\n  - depthwise_conv2d: 3\n"), 0, 0),
     ["backprop has no backward pass for `depthwise_conv2d`"]),
    (lambda: backprop(parse_spec("input: [3]\nlayers:\n  - gelu: {approximate: tanh}\n"), [1, 2, 3], [0, 0, 0]),
     ["backprop works the exact gelu, not approximate: tanh"]),
    (lambda: backprop(parse_spec("input: [2]\nlayers:\n  - dense: {units: 1, activation: sigmoid, name: d}\n"),
                      [1, 1], 1, "bce", {"d": {"weight": [[800, 800]], "bias": [0]}}), ["is not finite"]),
])
def test_bad_input_is_one_line(call, words):
    bad(call, *words)


@pytest.mark.parametrize("text, words", [
    ("[1, 2", ["not JSON"]),
    ("[1, 2]", ["give a JSON object mapping layer names"]),
])
def test_bad_weights_file_is_one_line(tmp_path, text, words):
    path = tmp_path / "w.json"
    path.write_text(text)
    bad(lambda: load_weights(str(path)), *words)
    bad(lambda: load_weights(str(tmp_path / "missing.json")), "no such file")


# ---------------------------------------------------------------- torch

def _close(a, b, path="", tol=1e-9):
    if b is None or a is None:
        assert a is None and b is None, path
    elif isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), path
        for k, (u, v) in enumerate(zip(a, b)):
            _close(u, v, f"{path}[{k}]", tol)
    else:
        assert abs(a - b) <= tol * max(1.0, abs(b)), (path, a, b)


def compare(ours: dict, ref: dict) -> None:
    _close(ours["loss"], ref["loss"], "loss")
    _close(ours["input_gradient"], ref["input_gradient"], "input_gradient")
    for name in ref["outputs"]:
        _close(ours["outputs"][name], ref["outputs"][name], f"outputs.{name}")
        for key in ("weight", "bias", "output"):
            _close(ours["gradients"][name][key], ref["gradients"][name][key], f"gradients.{name}.{key}")


SWEEP = settings(max_examples=120, derandomize=True, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SWEEP
@given(st.data())
def test_against_torch_autograd(data):
    torch = pytest.importorskip("torch")
    text, loss = random_net(Picker(data=data))
    try:
        spec = parse_spec(text)
        from cnncalc.infer import infer
        infer(spec)
    except CnncalcError:
        assume(False)
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 32 - 1)))
    x, target, weights = numbers(rng, text, loss)
    ours = backprop(spec, x, target, loss, weights).to_dict()
    compare(ours, torch_backprop(torch, text, x, target, loss, weights))


@pytest.mark.parametrize("name", sorted(BRANCHED))
@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "bce"])
def test_branched_nets_against_torch(name, loss):
    torch = pytest.importorskip("torch")
    text = BRANCHED[name]
    for seed in range(3):
        x, target, weights = numbers(np.random.default_rng(seed), text, loss)
        ours = backprop(parse_spec(text), x, target, loss, weights).to_dict()
        compare(ours, torch_backprop(torch, text, x, target, loss, weights))


def test_hard_sigmoid_gradient_is_exactly_a_sixth():
    """relu6(x + 3) / 6 has slope 1/6 on (-3, 3). torch 2.13 computes it as float32(1/6) =
    0.1666666716337204 even in float64, so it is checked here, not in the torch sweep."""
    spec = parse_spec("input: [3]\nlayers:\n  - hard_sigmoid\n")
    b = backprop(spec, [-4, 0.5, 3], [0, 0, 0])
    y = np.array([0, 3.5 / 6, 1])
    np.testing.assert_array_equal(b.input_grad, (2 * y / 3) * [0, 1 / 6, 0])


def test_notes_network_against_torch():
    torch = pytest.importorskip("torch")
    ours = backprop(NET, X5, 6, "mse", NOTES_WEIGHTS).to_dict()
    compare(ours, torch_backprop(torch, NOTES_NET, X5, 6, "mse", {"z1": NOTES_WEIGHTS["z1"],
                                                                   "a2": {"weight": NOTES_WEIGHTS["a2"]}}))


def test_torch_goldens():
    """The committed cases (tests/golden/make_grad.py, torch 2.13.0), checked without torch."""
    data = json.loads(GOLDEN.read_text())
    assert data["source"].startswith("PyTorch 2.13.0")
    assert len(data["backprop"]) >= 20
    for case in data["backprop"]:
        ours = backprop(parse_spec(case["spec"]), case["input"], case["target"], case["loss"], case["weights"])
        compare(ours.to_dict(), case["torch"])


def test_gelu_against_torch():
    """The exact gelu (erf in float64) and its derivative Phi(z) + z phi(z), as torch computes them."""
    torch = pytest.importorskip("torch")
    text = "input: [6]\nlayers:\n  - dense: {units: 4, name: d}\n  - gelu\n  - dense: {units: 2, activation: gelu, name: o}\n"
    for seed in range(3):
        x, target, weights = numbers(np.random.default_rng(seed), text, "mse")
        ours = backprop(parse_spec(text), x, target, "mse", weights).to_dict()
        compare(ours, torch_backprop(torch, text, x, target, "mse", weights))


# every element-wise merge, broadcast inputs and exact ties (torch.maximum halves the gradient on a tie)
MERGES = """
input: [4, 4, 2]
layers:
  - conv2d: {filters: 3, kernel: 3, padding: 1, id: a}
  - conv2d: {filters: 3, kernel: 1, inputs: [input], id: b}
  - global_avgpool: {inputs: [a], id: g}
  - maximum: {inputs: [a, b, g], id: m}
  - minimum: {inputs: [m, b, m], id: n}
  - maximum: {inputs: [n, n], id: tie}
  - subtract: {inputs: [tie, g], id: s}
  - average: {inputs: [s, a, b], id: v}
  - rescaling: {scale: 0.5, offset: -1}
  - drop_path: 0.2
  - flatten
  - dense: {units: 2}
"""


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_every_merge_rescaling_and_drop_path_against_torch(loss):
    torch = pytest.importorskip("torch")
    for seed in range(3):
        x, target, weights = numbers(np.random.default_rng(seed), MERGES, loss)
        ours = backprop(parse_spec(MERGES), x, target, loss, weights).to_dict()
        compare(ours, torch_backprop(torch, MERGES, x, target, loss, weights))


def test_maximum_of_a_tie_halves_the_gradient():
    spec = parse_spec("input: [3]\nlayers:\n  - relu: {id: a}\n  - maximum: {inputs: [a, a]}\n")
    b = backprop(spec, [1, 2, 3], [0, 0, 0])
    np.testing.assert_array_equal(b.grads[0]["output"], 2 * np.array([1, 2, 3]) / 3)  # a gets both halves


def test_a_refused_kind_names_its_reason():
    spec = parse_spec("input: [4, 4, 1]\nlayers:\n  - zeropad2d: 1\n  - flatten\n")
    bad(lambda: backprop(spec, np.zeros((4, 4, 1)).tolist(), np.zeros(36).tolist()),
        "layer 1", "backprop has no backward pass for `zeropad2d` (not written yet)")
