"""Frozen layers (`trainable: false`) are frozen in both exports: Keras' trainable=False and
torch's requires_grad_(False); each framework then counts as trainable what summary does
(Keras' trainable_weights, torch's parameters that require a gradient)."""
from __future__ import annotations

import os
import re

import pytest

from cnncalc import infer, parse_spec
from cnncalc.export import export

FROZEN = """input: [8, 8, 3]
layers:
  - conv2d: {filters: 4, kernel: 3, trainable: false}
  - batchnorm: {trainable: false}
  - relu
  - depthwise_conv2d: {kernel: 3, trainable: false}
  - conv2d: {filters: 5, kernel: 3, activation: relu}
  - batchnorm
  - flatten
  - dense: 3
"""


def test_the_exports_say_which_layers_are_frozen():
    s = infer(parse_spec(FROZEN))
    keras_code, torch_code = export(s, "keras").code, export(s, "pytorch").code
    assert len(re.findall(r"trainable=False\s*\)\(", keras_code)) == 3
    assert torch_code.count(".requires_grad_(False)") == 3
    line = f"3 layers, 168 parameters; trainable: {s.totals.trainable_params:,}."
    assert line in keras_code and line in torch_code
    plain = infer(parse_spec(FROZEN.replace(", trainable: false", "").replace("{trainable: false}", "")))
    assert "trainable=False" not in export(plain, "keras").code
    assert "requires_grad_" not in export(plain, "pytorch").code


def _run(code: str, name: str):
    ns: dict = {"__name__": "exported"}
    exec(compile(code, "exported.py", "exec"), ns)
    return ns[name]


def test_each_framework_counts_the_trainable_parameters_summary_counts():
    torch = pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    s = infer(parse_spec(FROZEN))
    kex, tex = export(s, "keras"), export(s, "pytorch")
    kmodel = _run(kex.code, "build_model")()
    size = lambda ws: sum(int(w.numpy().size) for w in ws)
    assert (size(kmodel.trainable_weights), kmodel.count_params()) == (s.totals.trainable_params, s.totals.params)
    tmodel = _run(tex.code, tex.class_name)()
    assert sum(p.numel() for p in tmodel.parameters() if p.requires_grad) == s.totals.trainable_params
    assert isinstance(tmodel, torch.nn.Module)
