"""Exported Keras 3 code, executed: every layer's output shape and parameter count must equal
cnncalc's. Runs only where keras is installed (e.g. /work/venv-torch, torch backend)."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported; no tensorflow needed
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

from hypothesis import HealthCheck, assume, given, settings  # noqa: E402

from cnncalc import CnncalcError, infer, load_spec, parse_spec  # noqa: E402
from cnncalc.export import ExportError, export  # noqa: E402
from tests.conftest import ZOO  # noqa: E402
from tests.export.test_torch_runs import GOLDEN_SPECS, LAYER_SPECS, window_layer  # noqa: E402

ZOO_SPECS = sorted(p.name for p in ZOO.glob("*.yaml"))
# What Keras cannot express, and the layer the error must name
REFUSED = {
    "alexnet.yaml": "layer 2 (norm1, lrn): Keras has no local response normalisation layer",
}
LAYER_REFUSED = {
    "lrn: {size: 3}": "local response normalisation",
    "maxpool2d: {kernel: 3, stride: 2, padding: 1, ceil_mode: true, name: p8}": "ceil_mode",
    "maxpool2d: {kernel: 3, stride: 2, dilation: 2, ceil_mode: true}": "no dilation",
    "adaptive_maxpool2d: {output: [5, 3]}": "no adaptive pooling",
}


BIG = 2_000_000  # parameters; above this the shapes are Keras' symbolic ones (no forward pass)


def run_and_compare(summary) -> None:
    ex = export(summary, "keras")
    ns: dict = {"__name__": "exported"}
    exec(compile(ex.code, "exported.py", "exec"), ns)
    model = ns["build_model"]()
    names = list(ex.outputs)
    outputs = [model.get_layer(ex.outputs[n]).output for n in names]
    if summary.totals.params > BIG:
        ys = outputs  # symbolic tensors: (None, *shape)
    else:
        ids = any(r.layer.kind == "embedding" for r in summary.layers)
        x = np.zeros((1, *summary.spec.input), dtype="int32" if ids else "float32")
        ys = keras.Model(model.input, outputs)(x, training=False)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
    shapes = {n: tuple(int(v) for v in y.shape[1:]) for n, y in zip(names, ys)}
    for r in summary.layers:
        name = r.layer.name
        assert shapes[name] == r.output_shape, f"{name}: keras {shapes[name]} vs cnncalc {r.output_shape}"
        # Keras counts batchnorm's moving mean and variance (2C) as cnncalc does
        params = sum(model.get_layer(op).count_params() for op in ex.ops[name])
        assert params == r.params, f"{name}: keras {params} vs cnncalc {r.params}"
    assert model.count_params() == summary.totals.params


@pytest.mark.slow
@pytest.mark.parametrize("name", ZOO_SPECS)
def test_zoo(name):
    summary = infer(load_spec(str(ZOO / name)))
    if name in REFUSED:
        with pytest.raises(ExportError) as info:
            export(summary, "keras")
        assert REFUSED[name] in str(info.value) and name in str(info.value)
        return
    run_and_compare(summary)


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_golden_specs(name):
    from cnncalc.kinds import KINDS
    if name == "branched.yaml" and "add" not in KINDS:
        pytest.skip("branch kinds (add, concat, ...) not in this checkout")
    run_and_compare(infer(load_spec(str(ZOO.parent / "tests" / "golden" / "export" / name))))


@pytest.mark.parametrize("inp,layer", LAYER_SPECS)
def test_layer(inp, layer):
    summary = infer(parse_spec(f"input: {inp}\nlayers:\n  - {layer}\n"))
    if layer in LAYER_REFUSED:
        with pytest.raises(ExportError, match=LAYER_REFUSED[layer]):
            export(summary, "keras")
        return
    run_and_compare(summary)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(window_layer())
def test_sweep(text):
    try:
        summary = infer(parse_spec(text))
    except CnncalcError:
        assume(False)
    try:
        run_and_compare(summary)
    except ExportError as e:
        assert str(e).startswith("<spec>:3:5: layer 1 ("), str(e)  # refused, naming the layer
