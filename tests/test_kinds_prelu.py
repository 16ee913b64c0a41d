"""PReLU with Keras' shared_axes and torch's num_parameters (issue 15)."""
from __future__ import annotations

import os

import pytest

from cnncalc import CnncalcError, infer, parse_spec


def prelu(args: str) -> str:
    return f"input: [5, 5, 4]\nlayers:\n  - conv2d: {{filters: 4, kernel: 1}}\n  - prelu{': ' + args if args else ''}\n"


@pytest.mark.parametrize("args, keras_kwargs, params", [
    ("", {}, 5*5*4),                                          # Keras' default: a slope per value
    ("{shared_axes: [1, 2]}", {"shared_axes": [1, 2]}, 4),    # one per channel
    ("{shared_axes: [1, 2, 3]}", {"shared_axes": [1, 2, 3]}, 1),
    ("{shared_axes: [3]}", {"shared_axes": [3]}, 5*5),
])
def test_keras_counts(args, keras_kwargs, params):
    r = infer(parse_spec(prelu(args))).layers[1]
    assert r.params == params
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    layer = keras.layers.PReLU(**keras_kwargs)
    layer.build((None, 5, 5, 4))
    assert layer.count_params() == params


@pytest.mark.parametrize("n, params", [(1, 1), (4, 4)])
def test_torch_num_parameters(n, params):
    r = infer(parse_spec(prelu(f"{{num_parameters: {n}}}"))).layers[1]
    assert r.params == params
    torch = pytest.importorskip("torch")
    assert sum(p.numel() for p in torch.nn.PReLU(n).parameters()) == params


@pytest.mark.parametrize("args", ["{shared_axes: [1, 2]}", "{num_parameters: 1}"])
def test_exports_compute_the_same_and_verify(args):
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from cnncalc import api
    from tests.test_export_equivalence import compare
    compare(infer(parse_spec(prelu(args))))
    assert api.verify(parse_spec(prelu(args))).agree


def test_torch_export_refuses_a_slope_per_value():
    from cnncalc.export import ExportError, export
    with pytest.raises(ExportError) as e:
        export(infer(parse_spec(prelu(""))), "pytorch")
    assert "one slope or one per channel" in str(e.value)


@pytest.mark.parametrize("args, words", [
    ("{shared_axes: [0]}", "shared_axes must be at least 1, got 0"),
    ("{shared_axes: [4]}", "names axis 4, but the input (5, 5, 4) has axes 1 to 3"),
    ("{num_parameters: 3}", "must be 1 or the channels, 4"),
    ("{num_parameters: 4, shared_axes: [1]}", "not both"),
])
def test_mistakes(args, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(prelu(args), "s.yaml"))
    assert words in str(e.value)
