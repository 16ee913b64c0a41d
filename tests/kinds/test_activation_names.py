"""Every activation name works both as a layer and as a layer's `activation:` argument."""
import pytest

from cnncalc import infer, parse_spec
from cnncalc.kinds import ACTIVATIONS


@pytest.mark.parametrize("name", [*ACTIVATIONS, "ReLU", "LeakyReLU", "identity", "none", "Linear"])
def test_activation_argument(name):
    s = infer(parse_spec(f"input: [8, 8, 3]\nlayers:\n  - conv2d: {{filters: 4, kernel: 3, activation: {name}}}\n"))
    assert s.layers[0].output_shape == (8 - 3 + 1, 8 - 3 + 1, 4)
    assert s.layers[0].params == 3*3*3*4 + 4


@pytest.mark.parametrize("name", [a for a in ACTIVATIONS if a != "linear"])
def test_activation_layer(name):
    s = infer(parse_spec(f"input: [8, 8, 3]\nlayers:\n  - {name}\n"))
    assert (s.layers[0].layer.kind, s.layers[0].output_shape, s.layers[0].params) == (name, (8, 8, 3), 0)


def test_linear_as_a_layer_is_torch_linear():
    # As a layer kind `Linear` is PyTorch's fully connected layer (dense), not the identity.
    s = infer(parse_spec("input: [12]\nlayers:\n  - Linear: 5\n"))
    assert (s.layers[0].layer.kind, s.layers[0].params) == ("dense", 12*5 + 5)
