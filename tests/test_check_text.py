"""The checker's working of a cell comes from the kind: batchnorm without gamma is 3C, not 4C."""
from __future__ import annotations

import pytest

from cnncalc import api
from cnncalc.check.text import params_formula

SPEC = """input: [8, 8, 4]
layers:
  - conv2d: {filters: 6, kernel: 3}
  - batchnorm: {scale: false}
  - batchnorm
  - layernorm
  - layer_scale: {init: 0.1}
  - dense: 5
"""


@pytest.mark.parametrize("i, text", [
    (0, "(3*3*4 + 1)*6 = 222"),
    (1, "3*6 = 18 (6 trainable beta; 12 moving mean, variance)"),
    (2, "4*6 = 24 (12 trainable gamma, beta; 12 moving mean, variance)"),
    (3, "2*6 = 12 (gamma, beta per channel)"),
    (5, "6*5 + 5 = 35"),
])
def test_params_working(i, text):
    s = api.infer(api.load(SPEC))
    assert params_formula(s.layers[i]) == text
