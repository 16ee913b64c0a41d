"""Every committed framework case through cnncalc: output shape and parameters, or a refusal.

tests/golden/torch_layers.json comes from PyTorch 2.13.0 CPU (tests/golden/make_torch_layers.py,
seed 20240613); tests/golden/keras_same.json from Keras 3.15.1 on the torch backend
(tests/golden/make_keras_same.py, seed 20240614). Refused cases carry `error` (the framework's
first line); cnncalc must refuse them too, with its own wording, so only "refused or not" is
compared. Reading the JSON needs only the stdlib.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cnncalc import CnncalcError, ShapeError, infer, parse_spec

GOLDEN = Path(__file__).parent.parent / "golden"


def _cases(name: str):
    data = json.loads((GOLDEN / name).read_text())
    return [pytest.param(c, id=f"{name.split('.')[0]}-{i}-{c['kind']}") for i, c in enumerate(data["cases"])]


def spec_text(case: dict) -> str:
    """The case as the YAML a user would write: one layer on the given input."""
    return yaml.safe_dump({"input": case["input"], "layers": [{case["kind"]: case["args"]}]},
                          default_flow_style=None, sort_keys=False)


def run(case: dict):
    return infer(parse_spec(spec_text(case), "case.yaml")).layers[0]


@pytest.mark.parametrize("case", _cases("torch_layers.json") + _cases("keras_same.json"))
def test_case(case):
    if "error" in case:
        with pytest.raises(ShapeError):
            run(case)
    else:
        r = run(case)
        assert (list(r.output_shape), r.params) == (case["output_shape"], case["params"])


def test_files_are_large_enough():
    # the generators' own counts (see /work/notes/torch_env.md): a truncated file fails loudly
    torch_cases = json.loads((GOLDEN / "torch_layers.json").read_text())["cases"]
    keras_cases = json.loads((GOLDEN / "keras_same.json").read_text())["cases"]
    assert (len(torch_cases), sum("error" in c for c in torch_cases)) == (421, 112)
    assert (len(keras_cases), sum("error" in c for c in keras_cases)) == (119, 16)


def test_keras_batchnorm_counts_4c():
    # Keras BatchNormalization.count_params() is 4*C: gamma, beta trainable, moving mean and
    # variance non-trainable; cnncalc follows Keras (torch would show 2*C parameters + 2*C buffers)
    cases = [c for c in json.loads((GOLDEN / "keras_same.json").read_text())["cases"]
             if c["kind"] == "batchnorm"]
    assert cases
    for c in cases:
        r = run(c)
        channels = c["input"][-1]
        assert (r.params, r.trainable_params, r.non_trainable_params) == (4 * channels, 2 * channels, 2 * channels)


def test_refusal_is_a_cnncalc_error_with_position():
    case = {"kind": "conv2d", "input": [4, 4, 3], "args": {"filters": 4, "kernel": 5}}
    with pytest.raises(CnncalcError) as e:
        run(case)
    assert str(e.value).startswith("case.yaml:3:")
