"""Rendered output: golden files of the table, the JSON schema, CSV and Markdown sanity.

The tables are compared with tests/golden/<net>_w<width>.txt (fixed width, no colour, trailing
spaces stripped). After an intended change to the table, regenerate them on purpose with

    CNNCALC_REGEN=1 python -m pytest tests/render/test_goldens.py

and review the diff (`git diff tests/golden/`) before committing.
"""
from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from cnncalc.metrics import compute
from cnncalc import infer, load_spec, parse_spec
from cnncalc.render import formats, json_doc, table
from tests.conftest import ZOO

GOLDEN = Path(__file__).parent.parent / "golden"
REGEN = os.environ.get("CNNCALC_REGEN") == "1"
NETS = ("lenet5", "vgg16", "mobilenet_v1")


def summary(net: str):
    return infer(load_spec(str(ZOO / f"{net}.yaml")))


@pytest.mark.parametrize("width", [100, 120])
@pytest.mark.parametrize("net", NETS)
def test_table_golden(net, width):
    s = summary(net)
    text = table.table_text(s, width=width, metrics=compute(s))
    path = GOLDEN / f"{net}_w{width}.txt"
    if REGEN:
        path.write_text(text)
    assert text == path.read_text(), f"table changed; if intended: CNNCALC_REGEN=1 pytest {__file__}"
    assert "\x1b[" not in text
    assert all(len(line) <= width for line in text.splitlines())


def test_table_shows_same_split():
    # MobileNet conv1: 224 -> 112 with f=3 s=2: total padding (112-1)*2 + 3 - 224 = 1, the odd row
    # at the end: same(0,1); a stride-1 'same' 3x3 pads one on each side: same(1)
    s = summary("mobilenet_v1")
    text = table.table_text(s, width=160, metrics=compute(s))
    row = next(line for line in text.splitlines() if " conv1 " in line)
    assert "p=same(0,1)" in row and "(112, 112, 32)" in row
    row = next(line for line in text.splitlines() if " conv_dw_1 " in line)
    assert "p=same(1)" in row


@pytest.mark.parametrize("layer, hyper", [
    ("conv2d: {filters: 4, kernel: 3}", "f=3 s=1 p=0"),
    ("conv2d: {filters: 4, kernel: 3, stride: 2, padding: same}", "f=3 s=2 p=same(0,1)"),
    ("conv2d: {filters: 4, kernel: [3, 5], padding: [1, 2]}", "f=3x5 s=1 p=1x2"),
    ("conv2d: {filters: 4, kernel: 3, padding: [[0, 1], [1, 0]]}", "f=3 s=1 p=(0,1)x(1,0)"),
    ("conv2d: {filters: 4, kernel: 3, dilation: 2, groups: 2}", "f=3 s=1 p=0 d=2 g=2"),
    ("maxpool2d: {kernel: 3, stride: 2, ceil_mode: true}", "f=3 s=2 p=0 ceil"),
    ("depthwise_conv2d: {kernel: 3, depth_multiplier: 2}", "f=3 s=1 p=0 m=2"),
    # Keras transposed modes have an output rule, not explicit padding rows: shown as written
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2, padding: same}", "f=3 s=2 p=same"),
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2, padding: valid}", "f=3 s=2 p=valid"),
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2, padding: 1, output_padding: 1}", "f=3 s=2 p=1 op=1"),
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2, output_padding: [0, 0]}", "f=3 s=2 p=0"),
    ("conv_transpose2d: {filters: 4, kernel: 3, stride: 2, output_padding: [0, 1]}", "f=3 s=2 p=0 op=0x1"),
    ("dense: 7", None),
])
def test_hyper_text(layer, hyper):
    text = "input: [8, 8, 4]\nlayers:\n  - " + layer + "\n" if hyper else "input: [8]\nlayers:\n  - dense: 7\n"
    r = infer(parse_spec(text)).layers[0]
    assert table.hyper_text(r) == (hyper or "units=7")


def test_cli_width_matches_golden(cli):
    r = cli("summary", ZOO / "lenet5.yaml", "--width", "100")
    assert r.code == 0
    assert "\n".join(line.rstrip() for line in r.out.splitlines()) + "\n" == (GOLDEN / "lenet5_w100.txt").read_text()


LAYER_KEYS = {"index", "name", "kind", "output_shape", "activation_size", "params", "trainable_params",
              "non_trainable_params"}
TOTAL_KEYS = {"params", "trainable_params", "non_trainable_params", "activation_size"}


@pytest.mark.parametrize("net", NETS)
def test_json_schema(net, cli):
    r = cli("summary", ZOO / f"{net}.yaml", "--format", "json")
    doc = json.loads(r.out)
    s = summary(net)
    # the stable keys the issue lists; more may be added, none removed
    assert {"name", "input", "layers", "totals"} <= set(doc)
    assert doc["input"] == list(s.spec.input) and doc["name"] == s.spec.name
    assert len(doc["layers"]) == len(s.layers)
    for row, res in zip(doc["layers"], s.layers):
        assert LAYER_KEYS <= set(row)
        assert row["index"] == res.layer.index and row["name"] == res.layer.name
        assert row["output_shape"] == list(res.output_shape)  # channels last, as the spec
        assert row["params"] == row["trainable_params"] + row["non_trainable_params"] == res.params
        assert row["activation_size"] == res.activation_size
    assert TOTAL_KEYS <= set(doc["totals"])
    t = doc["totals"]
    assert t["params"] == sum(row["params"] for row in doc["layers"]) == s.totals.params
    assert t["activation_size"] == sum(row["activation_size"] for row in doc["layers"])
    assert t["params"] == t["trainable_params"] + t["non_trainable_params"]


def test_json_memory_in_bytes(cli):
    doc = json.loads(cli("summary", ZOO / "vgg16.yaml", "--format", "json").out)
    assert doc["totals"]["param_bytes"] == 138_357_544 * 4 and doc["dtype"] == "float32"


@pytest.mark.parametrize("net", NETS)
def test_csv(net, cli):
    r = cli("summary", ZOO / f"{net}.yaml", "--format", "csv")
    rows = list(csv.reader(io.StringIO(r.out)))
    s = summary(net)
    head = rows[0]
    assert head[:3] == ["index", "name", "kind"] and "params" in head and "output_shape" in head
    assert len(rows) == 1 + 1 + len(s.layers)  # header, input row, one per layer
    assert all(len(row) == len(head) for row in rows)
    params = [int(row[head.index("params")]) for row in rows[2:]]
    assert params == [res.params for res in s.layers]
    if "activation_size" in head:  # not a default column since the metrics columns came in
        acts = [int(row[head.index("activation_size")]) for row in rows[2:]]
        assert acts == [res.activation_size for res in s.layers]


@pytest.mark.parametrize("net", NETS)
def test_markdown(net, cli):
    r = cli("summary", ZOO / f"{net}.yaml", "--format", "markdown", "--columns", "default")
    s = summary(net)
    table = [line for line in r.out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + 1 + len(s.layers)  # header, rule, input row, layers
    assert len({line.count("|") for line in table}) == 1
    assert set(table[1]) <= set("|-:")
    assert f"Total params: {s.totals.params:,}" in r.out
    assert "\x1b[" not in r.out


@pytest.mark.parametrize("call", [
    lambda s: table.table_text(s),
    lambda s: json_doc.to_dict(s),
    lambda s: formats.to_csv(s),
    lambda s: formats.to_markdown(s),
    lambda s: table.explained_text(s, [[] for _ in s.layers]),
])
def test_renderers_format_metrics_they_are_given(call, monkeypatch):
    """A renderer never computes metrics: without them it refuses, and it never calls compute."""
    import cnncalc
    import cnncalc.metrics
    s = infer(load_spec(str(ZOO / "lenet5.yaml")))
    with pytest.raises(TypeError, match="pass metrics="):
        call(s)
    given, expected = compute(s), cnncalc.summarize(ZOO / "lenet5.yaml").text()
    monkeypatch.setattr(cnncalc.metrics, "compute", lambda *a, **k: pytest.fail("render computed metrics"))
    assert table.table_text(s, metrics=given) == expected


def test_dead_tables_are_gone():
    assert not any(hasattr(m, "METRIC_COLUMNS") or hasattr(m, "FORMATS") for m in (table, formats, json_doc))
