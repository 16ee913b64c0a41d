"""Summary reads everything import writes: each real file of the corpus (counts.json) imported to
YAML, that YAML read by summary, gives the numbers the file itself gives (total and trainable
parameters, MACs, output shape), frozen layers included."""
from __future__ import annotations

import os

import pytest

from cnncalc.infer import infer
from cnncalc.metrics import compute
from cnncalc.readers import read_model
from cnncalc.spec import parse_spec

from .common import CORPUS, COUNTS, summary_of


def numbers(s):
    return (s.totals.params, s.totals.trainable_params, s.output_shape, compute(s).totals.macs)


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_the_imported_yaml_gives_the_files_numbers(name):
    if name.endswith(".onnx"):
        pytest.importorskip("onnx")
    entry = COUNTS[name]
    path = os.path.join(CORPUS, name.split(":")[0])
    kw = {"input": tuple(entry["input"]) if "input" in entry else None, "class_name": entry.get("class")}
    text = read_model(path, **kw)
    assert numbers(infer(parse_spec(text, "imported.yaml"))) == numbers(summary_of(path, **kw))
