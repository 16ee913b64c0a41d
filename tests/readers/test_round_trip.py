"""Every zoo spec exported to PyTorch and Keras source reads back to the same shapes,
parameters and MACs."""
from __future__ import annotations

import os

import pytest

from cnncalc.infer import infer
from cnncalc.metrics import compute
from cnncalc.readers import load_model
from cnncalc.spec import load_spec

from tests.conftest import zoo

from .common import ZOO, write


def _roundtrip(spec_path, to, tmp_path):
    from cnncalc.export import export_code  # lazily: the export package is being restructured
    from cnncalc.export.common import ExportError
    original = infer(load_spec(spec_path))
    try:
        code = export_code(original, to)
    except ExportError as e:
        pytest.skip(f"{to} export refuses it: {e}")
    path = write(tmp_path, f"model_{to}.py", code)
    back = infer(load_model(path, input=original.spec.input))
    a, b = compute(original), compute(back)
    assert (back.totals.params, back.totals.trainable_params, back.totals.non_trainable_params) == \
        (original.totals.params, original.totals.trainable_params, original.totals.non_trainable_params)
    assert back.output_shape == original.output_shape
    assert b.totals.macs == a.totals.macs
    # layer by layer: the layers holding weights, in order, with their MACs (helpers such as a
    # padding or an activation become layers of their own, without weights)
    weighted = lambda s, m: [(r.params, x.macs) for r, x in zip(s.layers, m.layers) if r.params]  # noqa: E731
    assert weighted(back, b) == weighted(original, a)
    return original, back


@pytest.mark.parametrize("spec_path", zoo(ZOO), ids=lambda p: os.path.basename(p)[:-5])
def test_pytorch_export_reads_back_to_the_same_summary(spec_path, tmp_path):
    _roundtrip(spec_path, "pytorch", tmp_path)


@pytest.mark.parametrize("spec_path", zoo(ZOO), ids=lambda p: os.path.basename(p)[:-5])
def test_keras_export_reads_back_to_the_same_summary(spec_path, tmp_path):
    original, back = _roundtrip(spec_path, "keras", tmp_path)
    # Keras keeps every layer name (helpers add a suffix)
    names = {r.layer.name for r in back.layers}
    assert {r.layer.name.replace("/", "_").replace(".", "_") for r in original.layers} <= names
