"""Reflection and replication padding (cnncalc/kinds/padding.py), the worked example of
docs/adding-a-kind.md: counts, the NumPy forward and backward against torch's (golden numbers
from tests/golden/make_edge_pad.py, and torch live), the exports, and the readers (torch
source, ONNX files torch exported)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import cnncalc
from cnncalc import CnncalcError

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "edge_pad.json").read_text())["cases"]
NET = ("input: [8, 8, 3]\nlayers:\n  - reflectpad2d: [[1, 2], [2, 1]]\n  - conv2d: {filters: 4, kernel: 3}\n"
       "  - replicatepad2d: 2\n  - global_avgpool\n  - dense: 2\n")


def one(layer: str, inp) -> str:
    return f"input: {list(inp)}\nlayers:\n  - {layer}\n"


@pytest.mark.parametrize("layer, inp, out", [
    ("reflectpad1d: 2", (10, 3), (10 + 2 + 2, 3)),
    ("reflectionpad1d: [[0, 3]]", (10, 3), (10 + 0 + 3, 3)),
    ("reflectpad2d: 1", (32, 32, 16), (32 + 1 + 1, 32 + 1 + 1, 16)),
    ("replicatepad2d: [[1, 2], [3, 4]]", (5, 6, 2), (5 + 1 + 2, 6 + 3 + 4, 2)),
    ("replicationpad3d: 2", (1, 1, 1, 4), (1 + 2 + 2, 1 + 2 + 2, 1 + 2 + 2, 4)),
])
def test_shape_params_macs(layer, inp, out):
    s = cnncalc.summarize(cnncalc.load(one(layer, inp)), flops_convention="full")
    r, m = s.layers[0], s.metrics.layers[0]
    assert (r.output_shape, r.params, m.macs, m.flops) == (out, 0, 0, 0)


def test_receptive_field_is_zero_paddings():
    """A border value copies one input value: the field grows by nothing, and starts p earlier."""
    def rf(layer):
        return cnncalc.summarize(cnncalc.load(
            f"input: [16, 16, 1]\nlayers:\n  - {layer}\n  - conv2d: {{filters: 1, kernel: 3}}\n")).metrics.layers[-1].rf
    assert rf("reflectpad2d: 2") == rf("replicatepad2d: 2") == rf("zeropad2d: 2")


def test_working():
    s = cnncalc.summarize(cnncalc.load(one("reflectpad2d: [[1, 2], [2, 1]]", (8, 8, 3))))
    assert cnncalc.working(s)[0] == ["H: out = 8 + 1 + 2 = 11", "W: out = 8 + 2 + 1 = 11",
                                     "new values: input values, mirrored about the edge; params = 0"]


def test_reflecting_as_far_as_the_input_is_refused():
    with pytest.raises(CnncalcError, match=r"reflecting W = 4 by \(4, 0\) needs each pad < 4"):
        cnncalc.summarize(cnncalc.load(one("reflectpad2d: [[0, 0], [4, 0]]", (4, 4, 1))))
    assert cnncalc.summarize(cnncalc.load(one("replicatepad2d: [[0, 0], [9, 0]]", (4, 4, 1)))).layers[0].output_shape \
        == (4, 4 + 9, 1)


def test_verify_and_backprop():
    import numpy as np
    assert cnncalc.verify(cnncalc.load(NET)).agree
    x = np.random.default_rng(1).standard_normal((8, 8, 3)).tolist()
    b = cnncalc.backprop(cnncalc.load(NET), x, [0.5, -0.5])
    assert np.shape(b.input_grad)[-3:] == (8, 8, 3)


def test_exports():
    code = cnncalc.export_code(cnncalc.load(NET), "pytorch")
    assert "nn.ReflectionPad2d((2, 1, 1, 2))" in code and "nn.ReplicationPad2d((2, 2, 2, 2))" in code
    with pytest.raises(CnncalcError, match="Keras has no reflection padding layer"):
        cnncalc.export_code(cnncalc.load(NET), "keras")


TORCH_SOURCE = '''import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ReflectionPad2d((2, 1, 1, 2))
        self.conv = nn.Conv2d(3, 4, 3)
        self.edge = nn.ReplicationPad2d(1)

    def forward(self, x):
        x = self.edge(self.conv(self.pad(x)))
        return F.pad(x, (1, 1, 0, 2), mode="reflect")
'''


def test_read_from_torch_source(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(TORCH_SOURCE)
    s = cnncalc.summarize(cnncalc.import_model(path, input=(8, 8, 3)))
    assert [(r.layer.kind, r.output_shape) for r in s.layers] == [
        ("reflectpad2d", (8 + 1 + 2, 8 + 2 + 1, 3)), ("conv2d", (9, 9, 4)),
        ("replicatepad2d", (9 + 2, 9 + 2, 4)), ("reflectpad2d", (11 + 0 + 2, 11 + 1 + 1, 4))]


@pytest.mark.parametrize("case", GOLDEN, ids=[c["layer"] for c in GOLDEN])
def test_forward_and_backward_match_torch_golden(case):
    """The NumPy forward and the kind's backward against torch 2.13's numbers."""
    import numpy as np

    from cnncalc.executor import run_layer
    from cnncalc.infer import infer_layer
    layer = cnncalc.load(one(case["layer"], case["input"])).layers[0]
    x = np.arange(np.prod(case["input"]), dtype=np.float64).reshape(1, *case["input"])
    y, w = run_layer(layer, x)
    r = infer_layer(layer, (tuple(case["input"]),))
    assert list(r.output_shape) == case["output_shape"]
    np.testing.assert_array_equal(y[0], case["output"])
    g = np.arange(1, y.size + 1, dtype=np.float64).reshape(y.shape)
    dx, dw = layer.backward(x, w, r, y, g)
    assert dw == {}
    np.testing.assert_array_equal(dx[0], case["input_grad"])


@pytest.mark.parametrize("case", GOLDEN, ids=[c["layer"] for c in GOLDEN])
def test_forward_and_backward_match_torch_live(case):
    """On a random input and gradient, torch's module and autograd give the same numbers."""
    torch = pytest.importorskip("torch")
    import numpy as np

    from cnncalc.executor import run_layer
    from cnncalc.infer import infer_layer
    layer = cnncalc.load(one(case["layer"], case["input"])).layers[0]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, *case["input"]))
    y, w = run_layer(layer, x)
    g = rng.standard_normal(y.shape)
    dx, _ = layer.backward(x, w, infer_layer(layer, (tuple(case["input"]),)), y, g)
    cls = "Reflection" if layer.kind.startswith("reflect") else "Replication"
    module = getattr(torch.nn, f"{cls}Pad{len(case['input']) - 1}d")(
        tuple(v for a in reversed(infer_layer(layer, (tuple(case["input"]),)).axes) for v in a.pad))
    last = [0, x.ndim - 1, *range(1, x.ndim - 1)]
    back = [0, *range(2, x.ndim), 1]
    tx = torch.tensor(x).permute(*last).contiguous().requires_grad_(True)
    ty = module(tx).permute(*back)
    (ty * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ty.detach().numpy(), y, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tx.grad.permute(*back).numpy(), dx, rtol=0, atol=1e-12)


def test_backprop_matches_torch_autograd():
    """The network's loss and input gradient, through both paddings, equal torch autograd's on
    the exported model with the same weights."""
    torch = pytest.importorskip("torch")
    import numpy as np
    x = np.random.default_rng(1).standard_normal((8, 8, 3))
    b = cnncalc.backprop(cnncalc.load(NET), x.tolist(), [0.5, -0.5]).to_dict()
    ns: dict = {}
    exec(compile(cnncalc.export_code(cnncalc.load(NET), "pytorch"), "<export>", "exec"), ns)
    model = next(v for v in ns.values() if isinstance(v, type) and issubclass(v, torch.nn.Module)
                 and not v.__module__.startswith("torch"))().double()
    for name, arrays in b["weights"].items():
        for key, value in arrays.items():
            getattr(getattr(model, name), key).data = torch.tensor(value, dtype=torch.float64)
    tx = torch.tensor(x).permute(2, 0, 1)[None].requires_grad_(True)
    loss = ((model(tx)[0] - torch.tensor([0.5, -0.5], dtype=torch.float64)) ** 2).mean()
    loss.backward()
    assert b["loss"] == pytest.approx(loss.item(), rel=1e-9)
    np.testing.assert_allclose(tx.grad[0].permute(1, 2, 0).numpy(), b["input_gradient"], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dynamo", [False, True])
def test_read_from_onnx_torch_exported(tmp_path, dynamo):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnx")
    if dynamo:
        pytest.importorskip("onnxscript")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.pad = torch.nn.ReflectionPad2d((2, 1, 1, 2))
            self.conv = torch.nn.Conv2d(3, 4, 3)
            self.edge = torch.nn.ReplicationPad2d(1)

        def forward(self, x):
            return self.edge(self.conv(self.pad(x)))

    path = tmp_path / "net.onnx"
    torch.onnx.export(Net().eval(), (torch.zeros(1, 3, 8, 8),), str(path), dynamo=dynamo)
    s = cnncalc.summarize(cnncalc.import_model(path))
    assert [(r.layer.kind, r.output_shape) for r in s.layers] == [
        ("reflectpad2d", (8 + 1 + 2, 8 + 2 + 1, 3)), ("conv2d", (9, 9, 4)), ("replicatepad2d", (9 + 2, 9 + 2, 4))]
