"""Channel split (`split` / `chunk`, parts read as ID.0, ID.1) and channel_shuffle (issue 15):
ShuffleNetV2's plumbing, against torch's chunk and nn.ChannelShuffle."""
from __future__ import annotations

import pytest

from cnncalc import CnncalcError, infer, parse_spec
from tests.conftest import exports_agree

SHUFFLE_UNIT = """
input: [8, 8, 16]
layers:
  - split: {sections: 2, id: parts}
  - conv2d: {filters: 8, kernel: 1, inputs: parts.1, name: branch}
  - concat: {inputs: [parts.0, branch]}
  - channel_shuffle: 2
  - chunk: {sizes: [4, 12], id: c}
  - concat: {inputs: [c.1, c.0]}
"""


def test_parts_and_shapes():
    s = infer(parse_spec(SHUFFLE_UNIT))
    assert [(r.layer.name, r.output_shape) for r in s.layers if r.layer.kind == "channel_slice"] == [
        ("parts.0", (8, 8, 16 // 2)), ("parts.1", (8, 8, 16 // 2)), ("c.0", (8, 8, 4)), ("c.1", (8, 8, 12))]
    assert s.totals.params == 8*8 + 8
    assert all(r.params == 0 for r in s.layers if r.layer.kind in ("channel_slice", "channel_shuffle"))


def test_shuffle_equals_torch():
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    s = infer(parse_spec("input: [3, 3, 12]\nlayers:\n  - channel_shuffle: 3\n"))
    r = s.layers[0]
    x = np.arange(2 * 3 * 3 * 12, dtype=np.float32).reshape(2, 3, 3, 12)
    ours = r.layer.forward(x, {}, r)
    theirs = torch.nn.ChannelShuffle(3)(torch.from_numpy(np.moveaxis(x, -1, 1).copy())).numpy()
    np.testing.assert_array_equal(ours, np.moveaxis(theirs, 1, -1))


def test_split_equals_torch_chunk():
    torch = pytest.importorskip("torch")
    np = pytest.importorskip("numpy")
    s = infer(parse_spec("input: [2, 2, 6]\nlayers:\n  - split: {sizes: [1, 5], id: p}\n  - concat: {inputs: [p.1, p.0]}\n"))
    x = np.arange(24, dtype=np.float32).reshape(1, 2, 2, 6)
    a, b = (r.layer.forward(x, {}, r) for r in s.layers[:2])
    ta, tb = torch.split(torch.from_numpy(np.moveaxis(x, -1, 1).copy()), [1, 5], dim=1)
    np.testing.assert_array_equal(a, np.moveaxis(ta.numpy(), 1, -1))
    np.testing.assert_array_equal(b, np.moveaxis(tb.numpy(), 1, -1))


@pytest.mark.parametrize("text, words", [
    ("input: [4, 4, 6]\nlayers:\n  - split: {sections: 4, id: p}\n  - concat: {inputs: [p.0, p.1, p.2, p.3]}\n",
     "needs channels divisible by 4, but the input has 6"),
    ("input: [4, 4, 6]\nlayers:\n  - split: {sizes: [2, 3], id: p}\n  - concat: {inputs: [p.0, p.1]}\n",
     "add up to 5 but the input has 6 channels"),
    ("input: [4, 4, 6]\nlayers:\n  - channel_shuffle: 4\n", "channel_shuffle with 4 groups needs channels divisible by 4"),
    ("input: [4, 4, 6]\nlayers:\n  - split: {sections: 2, sizes: [3, 3]}\n", "one of `sections: 2`"),
    ("input: [4, 4, 6]\nlayers:\n  - split: {sections: 2, axis: 1}\n", "works on the channels"),
    ("input: [4, 4, 6]\nlayers:\n  - split: {sections: 2, id: p}\n  - relu: {inputs: p.1}\n", "nothing reads the output of `p.0`"),
])
def test_mistakes_are_one_line(text, words):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(text, "s.yaml"))
    assert words in str(e.value) and str(e.value).startswith("s.yaml:"), str(e.value)


def test_exports_compute_the_same_and_verify():
    exports_agree(SHUFFLE_UNIT)
