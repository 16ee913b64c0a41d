"""Issue 15's kinds against the frameworks' own layers: tests/golden/modern_kinds.json
(tests/golden/make_modern_kinds.py: Keras 3.15.1 and torch 2.13.0 CPU). Each case is a cnncalc
layer on an input; cnncalc gives the framework's output shape and parameters (Keras:
count_params() and the trainable part; torch: parameters() and running statistics), refuses
what the framework refuses, and its NumPy forward pass gives the framework's values."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnncalc import CnncalcError, parse_spec
from cnncalc.infer import infer_layer

GOLDEN = json.loads((Path(__file__).parent.parent / "golden" / "modern_kinds.json").read_text())
CASES = GOLDEN["cases"]


def _layer(text: str):
    return parse_spec(f"input: [4, 4, 3]\nlayers:\n  - {text}\n").layers[0]


def _ramp(np, shape):
    n = int(np.prod(shape))
    return (0.1 * (np.arange(n) - n / 2)).reshape(shape).astype("float32")


def _weights(np, layer, c: int):
    """The weights the framework starts from, where the case's values depend on them."""
    if layer.kind == "layer_scale":
        return {"gamma": np.full(c, layer.init, dtype="float32")}
    if layer.kind == "normalization" and layer.mean is None:  # not adapted: mean 0, variance 1
        return {"mean": np.zeros(c, "float32"), "variance": np.ones(c, "float32"), "count": np.array(0, "float32")}
    return {}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['framework']}-{c['layer']}-{c['input']}")
def test_shape_params_and_refusals(case):
    layer = _layer(case["layer"])
    shapes = tuple(tuple(s) for s in case["input"]) if isinstance(case["input"][0], list) else (tuple(case["input"]),)
    if "error" in case:
        with pytest.raises(CnncalcError):
            infer_layer(layer, shapes)
        return
    r = infer_layer(layer, shapes)
    assert list(r.output_shape) == case["output_shape"]
    if case["framework"] == "keras":
        assert (r.params, r.trainable_params) == (case["params"], case["trainable"])
    else:
        assert (r.trainable_params, r.non_trainable_params) == (case["params"], case["buffers"])


@pytest.mark.parametrize("case", [c for c in CASES if "y" in c], ids=lambda c: f"{c['framework']}-{c['layer']}")
def test_values(case):
    np = pytest.importorskip("numpy")
    from cnncalc.executor import run_layer
    layer = _layer(case["layer"])
    multi = isinstance(case["input"][0], list)
    x = tuple(_ramp(np, (1, *s)) for s in case["input"]) if multi else _ramp(np, (1, *case["input"]))
    c = (case["input"][0] if multi else case["input"])[-1]
    y, _ = run_layer(layer, x, _weights(np, layer, c) or None)
    np.testing.assert_allclose(y.ravel(), case["y"], atol=2e-5, rtol=1e-5)
