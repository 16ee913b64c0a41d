"""Branching networks: merge and upsample kinds, graph errors, the "Connected to" column, JSON inputs."""
from __future__ import annotations

import json

import pytest

from cnncalc import infer, parse_spec
from tests.conftest import ZOO


def out_shapes(text: str) -> dict[str, tuple]:
    return {r.layer.name: r.output_shape for r in infer(parse_spec(text)).layers}


def error_line(cli, spec_file, text: str) -> tuple[int, str]:
    """(exit code, the one stderr line with the file's directory cut off)."""
    path = spec_file(text)
    r = cli("summary", path)
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    return r.code, r.err.strip().replace(str(path.parent) + "/", "")


TWO = """input: [8, 8, 3]
layers:
  - conv2d: {filters: 4, kernel: 3, padding: 1, name: a}
  - conv2d: {filters: 4, kernel: 1, inputs: input, name: b}
"""


@pytest.mark.parametrize("merge, expected", [
    ("add: {inputs: [a, b]}", (8, 8, 4)),
    ("Add: {inputs: [a, b]}", (8, 8, 4)),
    ("multiply: {inputs: [a, b]}", (8, 8, 4)),
    ("Multiply: {inputs: [b, a]}", (8, 8, 4)),
    ("concat: {inputs: [a, b]}", (8, 8, 4 + 4)),
    ("concat: {inputs: [a, b, input]}", (8, 8, 4 + 4 + 3)),
    ("Concatenate: {inputs: [a, b], axis: -1}", (8, 8, 4 + 4)),
    ("concat: {inputs: [a, b], axis: 3}", (8, 8, 4 + 4)),           # Keras counts the batch as axis 0
    ("concat: {inputs: [a, b], axis: 1}", (8 + 8, 8, 4)),           # H
    ("cat: {inputs: [a, b], axis: -2}", (8, 8 + 8, 4)),             # W
])
def test_merge_shapes(merge, expected):
    shapes = out_shapes(TWO + f"  - {merge}\n")
    assert list(shapes.values())[-1] == expected


@pytest.mark.parametrize("kind, input, factor, expected", [
    ("upsample2d", [7, 7, 16], 2, (7*2, 7*2, 16)),
    ("UpSampling2D", [7, 5, 16], [2, 3], (7*2, 5*3, 16)),
    ("upsample1d", [10, 4], 4, (10*4, 4)),
    ("UpSampling1D", [10, 4], 1, (10, 4)),
    ("upsample3d", [2, 3, 4, 8], [1, 2, 3], (2*1, 3*2, 4*3, 8)),
    ("Upsample", [5, 5, 3], 3, (5*3, 5*3, 3)),                         # torch: the dimension from the input
    ("upsample", [5, 3], 2, (5*2, 3)),
])
def test_upsample(kind, input, factor, expected):
    factor_text = f"scale_factor: {factor}" if kind == "Upsample" else f"factor: {factor}"
    r = infer(parse_spec(f"input: {input}\nlayers:\n  - {kind}: {{{factor_text}}}\n")).layers[0]
    assert (r.output_shape, r.params) == (expected, 0)


def test_upsample_size_is_refused_as_ambiguous(cli, spec_file):
    code, err = error_line(cli, spec_file, "input: [4, 4, 3]\nlayers:\n  - upsample2d: {size: 2}\n")
    assert code == 2
    assert err == ("spec.yaml:3:24: layer 1 (up_sampling2d, upsample2d): `size` is ambiguous: Keras "
                   "UpSampling2D(size=2) means the factor, torch Upsample(size=56) the output size; "
                   "write `factor: 2` (the output is n*factor)")


@pytest.mark.parametrize("text, message", [
    # unknown reference
    (TWO + "  - add: {inputs: [a, bb]}\n",
     "spec.yaml:5:19: layer 3 (add, add): inputs names `bb`, which is no layer's name or id; did you mean `b`?"),
    (TWO + "  - add: {inputs: [a, zzz]}\n",
     "spec.yaml:5:19: layer 3 (add, add): inputs names `zzz`, which is no layer's name or id; "
     "the layers above it are `input`, `a`, `b`"),
    ("input: [8, 8, 3]\nlayers:\n" + "".join(f"  - relu: {{name: r{i}}}\n" for i in range(5)) + "  - add: {inputs: [r4, zzz]}\n",
     "spec.yaml:8:19: layer 6 (add, add): inputs names `zzz`, which is no layer's name or id; "
     "the layers above it are ..., `r2`, `r3`, `r4`"),
    # a forward reference, and a cycle
    ("input: [8, 8, 3]\nlayers:\n  - relu: {inputs: c, name: a}\n  - relu: {name: b}\n  - relu: {inputs: input, name: c}\n"
     "  - add: {inputs: [b, c]}\n",
     "spec.yaml:3:20: layer 1 (a, relu): inputs names `c`, layer 3 (c) below it: a layer can only read "
     "layers above it; move `a` below `c`"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {inputs: c, name: a}\n  - relu: {name: b}\n  - relu: {name: c}\n",
     "spec.yaml:3:20: layer 1 (a, relu): inputs names `c`, layer 3 (c) below it, which depends on this layer: "
     "a cycle (`a` reads `c` reads `b` reads `a`); a layer can only read layers above it"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {inputs: a, name: a}\n",
     "spec.yaml:3:20: layer 1 (a, relu): inputs names `a`, this layer itself: a layer cannot read its own "
     "output (a cycle); name a layer above it"),
    # mismatched add: both shapes, both sources
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, padding: 1, name: a}\n"
     "  - conv2d: {filters: 8, kernel: 3, stride: 2, padding: 1, name: b}\n  - add: {inputs: [a, b]}\n",
     "spec.yaml:5:19: layer 3 (add, add): add cannot broadcast `a` (8, 8, 4) with `b` "
     "(4, 4, 8): H is 8 vs 4, and NumPy's rule needs each size equal or 1; make them match (e.g. a 1x1 conv with "
     "the right stride and filters on the shortcut)"),
    # concat of different spatial sizes
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, padding: 1, name: a}\n"
     "  - maxpool2d: {kernel: 2, name: b}\n  - concat: {inputs: [a, b], name: cat}\n",
     "spec.yaml:5:22: layer 3 (cat, concat): concat along axis -1 (C) needs every other size to match, but "
     "`a` gives (8, 8, 4) and `b` gives (4, 4, 4) (H 8 vs 4); crop, pad or resample one of them"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: a}\n  - flatten: {name: b}\n  - concat: {inputs: [a, b]}\n",
     "spec.yaml:5:22: layer 3 (concatenate, concat): concat needs inputs of one rank, but `a` gives (8, 8, 3) "
     "and `b` gives (192,)"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: a}\n  - concat: {inputs: [input, a], axis: 4}\n",
     "spec.yaml:4:40: layer 2 (concatenate, concat): axis 4 is not an axis of the inputs (8, 8, 3) (axis 0 is "
     "the batch); use 1 to 3 or -1 to -3, -1 for channels"),
    # an unused branch
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: a}\n  - conv2d: {filters: 4, kernel: 1, name: side}\n"
     "  - relu: {inputs: a, name: b}\n",
     "spec.yaml:4:5: layer 2 (side, conv2d): nothing reads the output of `side`: the next layer, layer 3 (b), "
     "reads `a` instead, and only the last layer may be left unread; feed `side` into a later layer's "
     "`inputs` (an `add` or `concat`) or remove it"),
    # a merge with one input, a plain layer with two
    ("input: [8, 8, 3]\nlayers:\n  - relu\n  - add\n",
     "spec.yaml:4:5: layer 2 (add, add): add merges two or more inputs but got 1; list them, "
     "e.g. `inputs: [conv3, shortcut]`"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: a}\n  - relu: {inputs: [a, input]}\n",
     "spec.yaml:4:20: layer 2 (re_lu, relu): relu takes one input, got 2; merge them first with `add` or `concat`"),
    # ids
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: a, id: x}\n  - relu: {name: b, id: x}\n",
     "spec.yaml:4:5: layer 2 (b, relu): id `x` is already the name or id of layer 1 (a); give each layer its own id"),
])
def test_graph_errors(cli, spec_file, text, message):
    assert error_line(cli, spec_file, text) == (2, message)


def test_graph_error_from_the_command_line(main, spec_file):
    r = main("summary", spec_file(TWO + "  - add: {inputs: [a, c]}\n"))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert "layer 3 (add, add): inputs names `c`" in r.err


def test_ids_stay_as_written_and_sources_are_names():
    s = parse_spec("input: [8, 8, 3]\nlayers:\n  - relu: {name: a, id: x}\n  - relu: {name: b}\n"
                   "  - add: {inputs: [x, b]}\n")
    assert s.layers[2].inputs == ("x", "b")
    assert infer(s).layers[2].sources == ("a", "b")


RESIDUAL = """input: [8, 8, 4]
layers:
  - conv2d: {filters: 4, kernel: 3, padding: 1, name: conv}
  - relu: {name: act}
  - add: {inputs: [act, input], name: add}
"""


def test_connected_to_only_when_branching(cli, spec_file):
    chain = cli("summary", ZOO / "vgg16.yaml", "--width", "200")
    assert chain.code == 0 and "Connected to" not in chain.out
    res = cli("summary", spec_file(RESIDUAL), "--width", "200")
    assert res.code == 0 and "Connected to" in res.out
    row = next(line for line in res.out.splitlines() if line.strip().startswith("3 "))
    assert row.rstrip().endswith("act, input")


@pytest.mark.parametrize("fmt, header", [("csv", "inputs"), ("markdown", "Connected to")])
def test_connected_to_in_csv_and_markdown(cli, spec_file, fmt, header):
    r = cli("summary", spec_file(RESIDUAL), "--format", fmt, "--columns", "default")
    assert r.code == 0 and header in r.out.splitlines()[0 if fmt == "csv" else 2]
    assert header not in cli("summary", ZOO / "lenet5.yaml", "--format", fmt).out


def test_json_inputs_per_layer(cli, spec_file):
    doc = json.loads(cli("summary", spec_file(RESIDUAL), "--format", "json").out)
    assert [layer["inputs"] for layer in doc["layers"]] == [["input"], ["conv"], ["act", "input"]]
    chain = json.loads(cli("summary", ZOO / "lenet5.yaml", "--format", "json").out)["layers"]
    assert chain[0]["inputs"] == ["input"]
    assert all(b["inputs"] == [a["name"]] for a, b in zip(chain, chain[1:]))


def test_residual_params_and_totals():
    s = infer(parse_spec(RESIDUAL))
    assert [r.params for r in s.layers] == [3*3*4*4 + 4, 0, 0]
    assert s.layers[2].input_shapes == ((8, 8, 4), (8, 8, 4))


def _rf_at_last(text: str) -> tuple[int, ...]:
    from cnncalc.metrics import compute
    return tuple(a.size for a in compute(infer(parse_spec(text))).layers[-1].rf)


def _chain(layers: list[str]) -> str:
    return "input: [32, 32, 4]\nlayers:\n" + "".join(f"  - {x}\n" for x in layers or ["relu"])


C3 = "conv2d: {filters: 4, kernel: 3, padding: 1}"
C7 = "conv2d: {filters: 4, kernel: 7, padding: 3}"
C5D2 = "conv2d: {filters: 4, kernel: 5, padding: 4, dilation: 2}"
POOL = "maxpool2d: {kernel: 2, padding: 0}"


@pytest.mark.parametrize("main, shortcut, rf", [
    ([C3, C3], [], 1 + 2 + 2),                            # identity shortcut: the conv path wins
    ([C3], [C7], 7),                                      # the shortcut's window is the larger
    ([C3, C3, C3], [C7], max(1 + 3*2, 7)),                # a tie
    ([C3, C3, C3, C3], [C7], 1 + 4*2),
    ([C5D2], [C3, C3], 1 + 2*(5 - 1)),                    # dilated: 9 against 5
    ([POOL, C3], [POOL], 2 + 2*2),                        # after a pool a step is 2 inputs
])
def test_receptive_field_through_a_residual_add_is_the_max_over_paths(main, shortcut, rf):
    body = "".join(f"  - {x[:-1]}, name: main{i + 1}}}\n" for i, x in enumerate(main))
    side = "".join(f"  - {x[:-1]}, inputs: {'input' if i == 0 else 's' + str(i)}, name: s{i + 1}}}\n"
                   for i, x in enumerate(shortcut))
    last_main = f"main{len(main)}"
    sources = f"[{last_main}, {'s' + str(len(shortcut)) if shortcut else 'input'}]"
    text = f"input: [32, 32, 4]\nlayers:\n{body}{side}  - add: {{inputs: {sources}}}\n"
    got = _rf_at_last(text)
    assert got == (rf, rf)
    assert got[0] == max(_rf_at_last(_chain(main))[0], _rf_at_last(_chain(shortcut))[0])


def test_receptive_field_through_blocks_and_concat():
    # Inception-like: 1x1, 3x3 and 5x5 (as 3x3 twice) branches of the same input, concatenated
    text = """input: [32, 32, 4]
blocks:
  mix:
    layers:
      - conv2d: {filters: 2, kernel: 1, name: b1}
      - conv2d: {filters: 2, kernel: 3, padding: 1, inputs: in, name: b2}
      - conv2d: {filters: 2, kernel: 3, padding: 1, inputs: in, name: b3a}
      - conv2d: {filters: 2, kernel: 3, padding: 1, name: b3}
      - concat: {inputs: [b1, b2, b3]}
layers:
  - mix: {repeat: 2}
"""
    assert _rf_at_last(text) == (1 + 2*2 + 2*2, 1 + 2*2 + 2*2)


def test_connected_to_can_be_chosen_with_columns(cli):
    r = cli("summary", ZOO / "vgg16.yaml", "--columns", "name,inputs", "--format", "csv")
    assert r.code == 0 and r.out.splitlines()[:3] == ["name,inputs", "input,", "block1_conv1,input"]


@pytest.mark.parametrize("text, name, lines", [
    (TWO + "  - concat: {inputs: [a, b, input], name: cat}\n", "cat", ["C: out = 4 + 4 + 3 = 11"]),
    (TWO + "  - concat: {inputs: [a, b], axis: 1, name: cat}\n", "cat", ["H: out = 8 + 8 = 16"]),
    ("input: [7, 5, 3]\nlayers:\n  - upsample2d: {factor: [2, 3], name: up}\n", "up",
     ["H: out = 7*2 = 14", "W: out = 5*3 = 15"]),
    ("input: [7, 7, 3]\nlayers:\n  - UpSampling2D: {factor: 2, name: up}\n", "up", ["H and W: out = 7*2 = 14"]),
])
def test_explain_concat_and_upsample(text, name, lines):
    from cnncalc.explain import layer_lines
    r = next(r for r in infer(parse_spec(text)).layers if r.layer.name == name)
    assert layer_lines(r) == lines
