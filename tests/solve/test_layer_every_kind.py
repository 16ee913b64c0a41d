"""`cnncalc layer` (api.solve_layer) works for every kind of the registry, and gives the numbers
a one-layer spec's summary gives."""
import dataclasses
import json

import pytest

import cnncalc
from cnncalc.kinds import KIND_ALIASES, KINDS
from cnncalc.metrics import layer_macs
from cnncalc.shapes import kind_dims
from cnncalc.spec import parse_spec
from cnncalc.spelling import normal

# A value for each argument some kind requires; the rest keep their defaults.
REQUIRED = {"filters": 2, "kernel": 3, "units": 5, "output": 2, "groups": 2, "cropping": 1, "vocab": 10,
            "dim": 3, "scale": 0.5, "target": [16, 16], "padding": 1}
EXTRA = {"channel_slice": {"start": 0, "stop": 2}, "groupnorm": {"groups": 2}, "permute": {"dims": [2, 1, 3]}}  # arguments that are optional one by one


def _required(name: str) -> dict:
    fields = KINDS[name].spec_args().values()
    return {**{f.name: REQUIRED[f.name] for f in fields
               if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING},
            **EXTRA.get(name, {})}


def _input(name: str) -> tuple[int, ...]:
    if name == "embedding":
        return (6,)  # token indexes
    return (8,) * (kind_dims(name) or 2) + (4,)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_solve_layer_takes_every_kind_and_agrees_with_summary(name):
    args = _required(name)
    a = cnncalc.solve_layer(name, _input(name), **args)
    inputs = "{inputs: [input, input]}" if getattr(KINDS[name], "MULTI_INPUT", False) else "{}"
    body = json.dumps(args) if args else inputs
    if args and inputs != "{}":
        body = body[:-1] + ", \"inputs\": [\"input\", \"input\"]}"
    assert KINDS[a.layer.kind] is KINDS[name]  # conv -> conv2d on an (H, W, C) input
    if KIND_ALIASES[normal(name)] == name:  # (a spec reads `- linear` as nn.Linear's dense)
        spec = parse_spec(f"input: {list(a.input_shape)}\nlayers:\n  - {name}: {body}\n")
        r = cnncalc.infer(spec).layers[0]
        assert (a.output_shape, a.params, a.macs) == (r.output_shape, r.params, layer_macs(r))
    assert a.params_text and a.macs_text and a.activation_text


def test_a_kind_name_without_its_dimension_takes_the_inputs():
    assert cnncalc.solve_layer("maxpool", (9, 4), kernel=3).layer.kind == "maxpool1d"
    assert cnncalc.solve_layer("conv_transpose", (5, 5, 5, 2), filters=1, kernel=2).layer.kind == "conv_transpose3d"


def test_an_unknown_kind_or_argument_is_an_argument_error():
    with pytest.raises(cnncalc.ArgumentError, match="unknown layer kind `convolution3`"):
        cnncalc.solve_layer("convolution3", (8, 8, 3))
    with pytest.raises(cnncalc.ArgumentError, match="dense takes units"):
        cnncalc.solve_layer("dense", (8,), unit=3)
