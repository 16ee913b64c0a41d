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


WINDOWS = """input: [32, 32, 4]
layers:
  - maxpool2d: {kernel: 3, stride: 2, padding: same}
  - avgpool2d: {kernel: 2, ceil_mode: true}
  - depthwise_conv2d: {kernel: 3, depth_multiplier: 2}
  - conv_transpose2d: {filters: 3, kernel: 3, stride: 2, padding: 1}
  - drop_path: 0.1
  - flatten
  - dense: 5
"""


@pytest.mark.parametrize("i, shape, params", [
    (0, "ceil(32/2) = 16 ('same') for H and W; channels 4 as in the input -> (16, 16, 4)",
     "0: max pooling learns nothing"),
    (1, "ceil((16 + 2*0 - 2)/2) + 1 = 8 for H and W; channels 4 as in the input -> (8, 8, 4)",
     "0: average pooling learns nothing"),
    (2, "floor((8 + 2*0 - 3)/1) + 1 = 6 for H and W; 4*2 channels -> (6, 6, 8)", f"3*3*4*2 + 8 = {3*3*4*2 + 8}"),
    (3, f"(6-1)*2 - 2*1 + 3 + 0 = {(6 - 1)*2 - 2 + 3} for H and W; 3 filters -> (11, 11, 3)",
     f"3*3*8*3 + 3 = {3*3*8*3 + 3}"),
    (4, "the same as its input (11, 11, 3)", "0: drop_path learns nothing"),
    (5, f"11*11*3 = {11*11*3} -> (363,)", "0: flatten learns nothing"),
    (6, "one value per unit: 5 units -> (5,)", f"363*5 + 5 = {363*5 + 5:,}"),
])
def test_each_kind_writes_its_working(i, shape, params):
    from cnncalc.check.text import shape_formula
    s = api.infer(api.load(WINDOWS))
    assert (shape_formula(s.layers[i]), params_formula(s.layers[i])) == (shape, params)


def test_kind_labels_answer_for_subkinds():
    """A `Dropout` row names a drop_path layer (a kind that specialises dropout), and the
    course's family words come from the kinds' LABELS."""
    from cnncalc.check.match import families
    s = api.infer(api.load(WINDOWS))
    assert s.layers[4].layer.is_kind("dropout") and not s.layers[4].layer.COURSE_ROW
    assert not s.layers[2].layer.is_kind("dropout")
    assert {"conv", "c", "fc", "pool", "s", "bn", "sepconv"} <= families()
