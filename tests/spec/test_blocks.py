"""Reusable parameterised blocks: expansion, naming, parameters, `repeat`/`first`/`when`, errors."""
from __future__ import annotations

import pytest

from cnncalc import infer, parse_spec
from cnncalc.blockexpr import evaluate

RES = """input: [8, 8, 4]
blocks:
  res:
    params: {filters: 4, stride: 1, project: false}
    layers:
      - conv2d: {filters: $filters, kernel: 3, stride: $stride, padding: 1, name: conv1}
      - relu: {name: relu1}
      - conv2d: {filters: $filters, kernel: 3, padding: 1, name: conv2}
      - conv2d: {filters: $filters, kernel: 1, stride: $stride, inputs: in, name: proj, when: $project}
      - add: {inputs: [conv2, proj], name: add}
layers:
"""


def names(text: str) -> list[str]:
    return [layer.name for layer in parse_spec(text).layers]


def layers(text: str) -> dict:
    return {layer.name: layer for layer in parse_spec(text).layers}


def error_line(cli, spec_file, text: str) -> tuple[int, str]:
    path = spec_file(text)
    r = cli("summary", path)
    assert "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1, r.err
    return r.code, r.err.strip().replace(str(path.parent) + "/", "")


@pytest.mark.parametrize("use, expected", [
    ("- res: {name: s}", ["s.conv1", "s.relu1", "s.conv2", "s.add"]),
    ("- res", ["res_1.conv1", "res_1.relu1", "res_1.conv2", "res_1.add"]),
    ("- res: {name: s, repeat: 2}", [f"s.block{k}.{n}" for k in (1, 2) for n in ("conv1", "relu1", "conv2", "add")]),
    ("- res: {name: s, repeat: 1, first: {project: true}}", ["s.block1.conv1", "s.block1.relu1", "s.block1.conv2",
                                                             "s.block1.proj", "s.block1.add"]),
    ("- res: {name: s, repeat: 2, first: {project: true}}",
     ["s.block1.conv1", "s.block1.relu1", "s.block1.conv2", "s.block1.proj", "s.block1.add",
      "s.block2.conv1", "s.block2.relu1", "s.block2.conv2", "s.block2.add"]),
    ("- res\n  - res", [f"res_{k}.{n}" for k in (1, 2) for n in ("conv1", "relu1", "conv2", "add")]),
])
def test_expansion_names(use, expected):
    assert names(RES + "  " + use + "\n") == expected


def test_block_inputs_are_local_and_in_is_the_block_input():
    ls = layers(RES + "  - relu: {name: pre}\n  - res: {name: s, repeat: 2, first: {project: true, stride: 2}}\n")
    assert ls["s.block1.conv1"].inputs is None                       # reads `pre`, the layer above
    assert ls["s.block1.proj"].inputs == ("pre",)                     # `in`
    assert ls["s.block1.add"].inputs == ("s.block1.conv2", "s.block1.proj")
    assert ls["s.block2.add"].inputs == ("s.block2.conv2", "s.block1.add")  # proj left out: its input


def test_first_overrides_only_the_first_copy():
    s = infer(parse_spec(RES + "  - res: {name: s, filters: 8, repeat: 3, first: {stride: 2, project: true}}\n"))
    shapes = {r.layer.name: r.output_shape for r in s.layers}
    assert shapes["s.block1.conv1"] == ((8 + 2*1 - 3)//2 + 1, 4, 8)
    assert shapes["s.block3.add"] == (4, 4, 8)
    params = {r.layer.name: r.params for r in s.layers}
    assert params["s.block1.conv1"] == 3*3*4*8 + 8 and params["s.block2.conv1"] == 3*3*8*8 + 8
    assert params["s.block1.proj"] == 1*1*4*8 + 8


def test_use_name_and_id_stand_for_the_block_output():
    ls = layers(RES + "  - res: {name: s, id: trunk}\n  - relu: {name: r}\n  - add: {inputs: [s, r]}\n"
                      "  - add: {inputs: [trunk, add]}\n")
    assert ls["add"].inputs == ("s.add", "r")
    assert ls["add_1"].inputs == ("s.add", "add")


def test_use_inputs_feed_the_block():
    ls = layers(RES + "  - relu: {name: a}\n  - relu: {name: b}\n  - res: {name: s, inputs: a}\n"
                      "  - add: {inputs: [s, b]}\n")
    assert ls["s.conv1"].inputs == ("a",)
    assert ls["s.add"].inputs == ("s.conv2", "a")


def test_parameters_pass_references_and_nest():
    text = """input: [8, 8, 4]
blocks:
  cbr:
    params: {filters: ~}
    layers:
      - conv2d: {filters: $filters, kernel: 3, padding: 1, bias: false, name: conv}
      - batchnorm: {name: bn}
      - relu: {name: relu}
  merge:
    params: {filters: ~, skip: ~}
    layers:
      - cbr: {filters: $filters, name: a}
      - cbr: {filters: $filters*2, name: b}
      - concat: {inputs: [$skip, b], name: cat}
layers:
  - relu: {name: stem}
  - merge: {filters: 3, skip: stem, name: m}
"""
    s = infer(parse_spec(text))
    by = {r.layer.name: r for r in s.layers}
    assert list(by) == ["stem", "m.a.conv", "m.a.bn", "m.a.relu", "m.b.conv", "m.b.bn", "m.b.relu", "m.cat"]
    assert by["m.cat"].sources == ("stem", "m.b.relu")
    assert by["m.cat"].output_shape == (8, 8, 4 + 3*2)
    assert by["m.b.conv"].params == 3*3*3*(3*2)


@pytest.mark.parametrize("text, value", [
    ("$f*4", 64*4), ("$f * 4 + 1", 64*4 + 1), ("($f + 1)//2", (64 + 1)//2), ("$f % 3", 64 % 3),
    ("-$f", -64), ("$f - $g*2", 64 - 3*2), ("2*($f - $g)*(1 + 1)", 2*(64 - 3)*2), ("$f//$g", 64//3),
    ("((($g)))", 3), ("+7", 7),
])
def test_evaluate(text, value):
    assert evaluate(text, {"f": 64, "g": 3}.__getitem__) == value


@pytest.mark.parametrize("text, why", [
    ("$f / 2", "cannot read `/` at character 4; `/` is not whole-number division, use `//`"),
    ("$f ** 2", "has `*` where a number belongs"),
    ("$f +", "ends too early"),
    ("($f", "has a `(` without its `)`"),
    ("$f 2", "has `2` where an operator belongs"),
    ("$f // 0", "divides by zero"),
    ("__import__('os')", "names `__import__`, which is no function here (they are min, max, make_divisible); "
                         "a parameter is written `$__import__`"),
    ("$f.__class__", "cannot read `.` at character 3"),
    ("1.5*$f", "cannot read `.` at character 2"),
    ("9" * 201, "is longer than 200 characters"),
])
def test_evaluate_refuses(text, why):
    with pytest.raises(ValueError) as e:
        evaluate(text, {"f": 64}.__getitem__)
    assert str(e.value) == why


BAD = """input: [8, 8, 3]
blocks:
  res:
    params: {filters: ~, stride: 1}
    layers:
      - conv2d: {filters: $filters, kernel: 3, stride: $stride, padding: 1, name: conv}
"""


@pytest.mark.parametrize("text, message", [
    # an unknown parameter: the definition line, and the use that expanded it
    (BAD.replace("$filters,", "$filtrs,") + "layers:\n  - res: {filters: 8}\n",
     "spec.yaml:6:27: layer 1 in block res used at line 8: unknown parameter `$filtrs` in block res; "
     "did you mean `filters`? (its parameters are $filters, $stride)"),
    # wrong block arguments
    (BAD + "layers:\n  - res: {filter: 8}\n",
     "spec.yaml:8:11: layer 1 (block res): unknown argument `filter` for block res; did you mean `filters`? "
     "(res takes filters, stride, name, id, inputs, repeat, first)"),
    (BAD + "layers:\n  - res: {stride: 2}\n",
     "spec.yaml:8:5: layer 1 (block res): block res needs `filters` (no default), e.g. `- res: {filters: 64}`"),
    (BAD + "layers:\n  - res: 8\n",
     "spec.yaml:8:10: layer 1 (block res): a block takes named arguments, e.g. `- res: {filters: ..., stride: ...}`"),
    (BAD + "layers:\n  - res: {filters: 8, first: {strid: 2}}\n",
     "spec.yaml:8:31: layer 1 (block res): `first` sets parameters, and block res has no `strid`; did you mean "
     "`stride`? (it takes filters, stride)"),
    (BAD + "layers:\n  - res: {filters: 8, repeat: 0}\n",
     "spec.yaml:8:31: layer 1: repeat must be at least 1, got 0"),
    (BAD + "layers:\n  - res: {filters: 0, name: s}\n",
     "spec.yaml:8:20: layer 1 (conv, conv2d) in block res used at line 8: filters must be at least 1, got 0"),
    (BAD + "layers:\n  - rse: {filters: 8}\n",
     "spec.yaml:8:5: layer 1: unknown layer kind or block `rse`; did you mean `res`?"),
    # recursion between blocks
    ("input: [8, 8, 3]\nblocks:\n  a:\n    layers:\n      - b\n  b:\n    layers:\n      - relu\n      - a\n"
     "layers:\n  - a\n",
     "spec.yaml:9:9: layer 2 (block a) in block b used at line 5, in block a used at line 11: block `a` uses "
     "itself (a -> b -> a); blocks cannot be recursive"),
    # parameters outside blocks, bad expressions, bad definitions
    ("input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: $filters, kernel: 3}\n",
     "spec.yaml:3:23: layer 1: `$filters` is a block parameter, but this layer is in no block; write the value "
     "itself, define the layer in `blocks:`, or declare the name under `vary:` (a template)"),
    (BAD.replace("$filters,", "$filters / 2,") + "layers:\n  - res: {filters: 8}\n",
     "spec.yaml:6:27: layer 1 in block res used at line 8: the expression `$filters / 2` cannot read `/` at "
     "character 10; `/` is not whole-number division, use `//`; write whole-number arithmetic such as "
     "`$filters*4` or `($c + 1)//2`"),
    (BAD.replace("$filters,", "$filters*2,") + "layers:\n  - res: {filters: 2.5}\n",
     "spec.yaml:8:20: layer 1 in block res used at line 8: $filters must be a whole number, not 2.5"),
    (BAD.replace("  res:", "  conv2d:") + "layers:\n  - relu\n",
     "spec.yaml:3:3: block name `conv2d` is already a layer kind (conv2d); give the block another name"),
    (BAD.replace("{filters: ~, stride: 1}", "{filters: ~, repeat: 1}") + "layers:\n  - relu\n",
     "spec.yaml:4:26: `repeat` cannot be a parameter: every block use takes it (name, id, inputs, repeat, "
     "first, when); rename the parameter"),
    (BAD.replace("    layers:", "    layer:") + "layers:\n  - relu\n",
     "spec.yaml:5:5: unknown key `layer` in block `res`; did you mean `layers`? (a block takes params and layers)"),
    # references inside a block
    (BAD.replace("name: conv}", "name: conv}\n      - add: {inputs: [conv, cnv]}") + "layers:\n  - res: {filters: 3}\n",
     "spec.yaml:7:23: layer 2 (res_1.add, add) in block res used at line 9: inputs names `cnv`, which is no "
     "layer of block res above it; did you mean `conv`? (it can read `in`, `conv`, or a layer above the block "
     "by its full name)"),
    (BAD.replace("name: conv}", "name: conv}\n      - add: {inputs: [conv, in]}") + "layers:\n  - res: {filters: 8}\n",
     "spec.yaml:7:23: layer 2 (res_1.add, add) in block res used at line 9: add cannot broadcast "
     "`res_1.conv` (8, 8, 8) with `input` (8, 8, 3): C is 8 vs 3, and NumPy's rule needs each size equal or 1; "
     "make them match (e.g. a 1x1 conv with the right stride and filters on the shortcut)"),
    # names
    (BAD + "layers:\n  - relu: {name: s}\n  - res: {filters: 8, name: s}\n",
     "spec.yaml:9:5: layer 2 (block res): the name `s` is already used; give each block use its own name"),
    (BAD + "layers:\n  - res: {filters: 8, name: s}\n  - relu: {name: s.conv}\n",
     "spec.yaml:9:5: layer 2 (s.conv, relu): the name `s.conv` is already used by layer 1; give each layer its "
     "own name"),
])
def test_block_errors(cli, spec_file, text, message):
    code, err = error_line(cli, spec_file, text)
    # a message from the core reader may grow a hint after `;` (the position and text before stay)
    assert code == 2 and (err == message or err.startswith(message + ";")), err


def test_shape_error_inside_a_block_names_definition_and_use(cli, spec_file):
    code, err = error_line(cli, spec_file, BAD + "layers:\n  - maxpool2d: 4\n  - res: {filters: 8, name: s}\n"
                                                 "  - conv2d: {filters: 1, kernel: 5}\n")
    assert code == 2
    assert err.startswith("spec.yaml:10:5: layer 3 (conv2d, conv2d): on axis H")
    code, err = error_line(cli, spec_file, BAD.replace("padding: 1", "padding: 0") +
                           "layers:\n  - maxpool2d: 4\n  - res: {filters: 8, name: s}\n")
    assert err.startswith("spec.yaml:6:9: layer 2 (s.conv, conv2d) in block res used at line 9: on axis H "
                          "of input (2, 2, 3): kernel 3 is larger than the padded input")


def test_expansion_limit(cli, spec_file, monkeypatch):
    text = BAD.replace("name: conv}", "name: conv}\n      - res: {filters: 3, repeat: 1000}") + \
        "layers:\n  - res: {filters: 3}\n"
    code, err = error_line(cli, spec_file, text)
    assert code == 2 and "blocks cannot be recursive" in err
    monkeypatch.setattr("cnncalc.spec.MAX_LAYERS", 1000)
    wide = ("input: [4]\nblocks:\n  a:\n    layers:\n      - relu\n  b:\n    layers:\n      - a: {repeat: 100}\n"
            "layers:\n  - b: {repeat: 11}\n")
    code, err = error_line(cli, spec_file, wide)
    assert code == 2 and "the blocks expand to more than 1,000 layers; use fewer `repeat`s" in err


def test_when_false_leaves_the_layer_out():
    text = RES + "  - res: {name: s}\n"
    assert "s.proj" not in names(text)
    assert "s.proj" in names(RES + "  - res: {name: s, project: true}\n")


def test_plain_specs_are_unchanged():
    from tests.conftest import ZOO
    from cnncalc import load_spec
    s = load_spec(str(ZOO / "vgg16.yaml"))
    assert all(layer.inputs is None and layer.via is None for layer in s.layers)


@pytest.mark.parametrize("text, message", [
    ("input: [8, 8, 3]\nlayers:\n  - relu: {name: input}\n",
     "spec.yaml:3:5: layer 1 (input, relu): `input` cannot be a layer's name: it stands for the network input; "
     "choose another name"),
    ("input: [8, 8, 3]\nlayers:\n  - relu: {inputs: in}\n",
     "spec.yaml:3:20: layer 1 (re_lu, relu): inputs names `in`, which is no layer's name or id; `in` is a "
     "block's input and means something only inside `blocks:`"),
    (BAD + "layers:\n  - res: {filters: 3, inputs: [input, input]}\n",
     "spec.yaml:8:31: layer 1 (block res): a block reads one input (`in` inside it), but this use lists 2; "
     "pass other sources as parameters, e.g. `skip: enc2`"),
    (BAD.replace("{filters: ~, stride: 1}", "{filters: ~, stride: [1, 2]}").replace("$stride", "$stride*2")
     + "layers:\n  - res: {filters: 3}\n",
     "spec.yaml:4:34: layer 1 in block res used at line 8: $stride must be an integer, not a list"),
    (BAD.replace("name: conv}", "name: conv, when: 3}") + "layers:\n  - res: {filters: 3}\n",
     "spec.yaml:6:95: layer 1 in block res used at line 8: when must be true or false, not 3"),
])
def test_more_reference_and_parameter_errors(cli, spec_file, text, message):
    assert error_line(cli, spec_file, text) == (2, message)


FRAGMENTS = [
    "- relu", "- res", "- res: {filters: 2}", "- res: {repeat: 2, first: {project: true}}",
    "- res: {filters: $filters}", "- add: {inputs: [in, conv2]}", "- add: {inputs: [s, input]}",
    "- conv2d: {filters: 4, kernel: 1, inputs: in, when: $project}", "- concat: {inputs: [input, relu1]}",
    "- res: {name: s, stride: 2}", "- upsample2d: 2", "- maxpool2d: 2", "- conv2d: {filters: $filters*2, kernel: 1}",
    "- relu: {when: false, name: q}", "- add: {inputs: [q, input]}", "- res: {inputs: s}", "- res: {filters: 0}",
]


def test_random_block_specs_never_crash():
    """Random mixes of block and layer fragments: a result or one clean error, never a bug."""
    from hypothesis import given, settings, strategies as st
    from cnncalc import CnncalcError

    @settings(max_examples=80, derandomize=True, deadline=None)
    @given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4),
           st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=5))
    def run(inside, top):
        text = RES.replace("      - add: {inputs: [conv2, proj], name: add}\n",
                           "".join(f"      {f}\n" for f in inside)) + "".join(f"  {f}\n" for f in top)
        try:
            infer(parse_spec(text))
        except CnncalcError as e:
            assert str(e).count("\n") == 0
    run()


def test_left_out_layers_count_towards_the_expansion_limit(cli, spec_file, monkeypatch):
    monkeypatch.setattr("cnncalc.blocks.MAX_ITEMS", 2000)
    text = ("input: [4]\nblocks:\n  a:\n    layers:\n      - relu: {when: false}\n  b:\n    layers:\n"
            "      - a: {repeat: 100}\nlayers:\n  - b: {repeat: 1000}\n")
    code, err = error_line(cli, spec_file, text)
    assert code == 2 and "the blocks expand to more than 2,000 items; use fewer `repeat`s" in err


def test_block_error_from_the_command_line(main, spec_file):
    r = main("summary", spec_file(BAD.replace("$filters,", "$filters*,") + "layers:\n  - res: {filters: 8}\n"))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert "spec.yaml:6:27: layer 1 in block res used at line 8: the expression `$filters*` ends too early" in r.err


@pytest.mark.parametrize("text, value", [
    ("min($a, 3)", min(10, 3)), ("max($a, 3, 12)", 12), ("make_divisible($a*6, 8)", 64),
    ("make_divisible(37, 8)", 40), ("make_divisible(3, 8)", 8), ("make_divisible(10, 8)", 16),
    ("$a > 1", True), ("$a == 10", True), ("$a*2 != 20", False), ("$a <= 9", False),
])
def test_expression_functions_and_comparisons(text, value):
    """make_divisible as torchvision's _make_divisible: 60 -> 64, 37 -> 40, 3 -> 8 (at least the
    divisor), 10 -> 16 (8 would be under 90% of 10)."""
    from cnncalc.blockexpr import evaluate
    assert evaluate(text, {"a": 10}.__getitem__) == value


@pytest.mark.parametrize("text, words", [("eval(1)", "no function"), ("min(1", "without its `)`"),
                                         ("make_divisible(1)", "with 1 arguments")])
def test_expression_function_mistakes(text, words):
    from cnncalc.blockexpr import evaluate
    with pytest.raises(ValueError) as e:
        evaluate(text, {}.__getitem__)
    assert words in str(e.value)


SE_BLOCK = """
input: [8, 8, 16]
blocks:
  se:
    layers:
      - global_avgpool2d: {keepdims: true}
      - conv2d:
          filters: $max(in.channels//4, 8)
          kernel: 1
          activation: relu
      - conv2d: {filters: $in.channels, kernel: 1, activation: sigmoid, name: gate}
      - multiply: {inputs: [in, gate]}
  unit:
    layers:
      - conv2d: {filters: $in.channels*2, kernel: 3, padding: 1, name: conv}
      - se: {name: se}
      - conv2d: {filters: $in.channels*2, kernel: 1, inputs: se.gate, name: tap}
      - add: {inputs: [se, tap]}
layers:
  - conv2d: {filters: 24, kernel: 3}
  - unit: {name: u}
"""


def test_block_expressions_read_the_input_shape_and_nested_names():
    from cnncalc import infer, parse_spec
    s = infer(parse_spec(SE_BLOCK))
    by = {r.layer.name: r for r in s.layers}
    assert by["u.conv"].output_shape == (6, 6, 24 * 2)
    assert by["u.se.conv2d"].output_shape == (1, 1, max(48 // 4, 8))
    assert by["u.se.gate"].output_shape == (1, 1, 48)
    assert by["u.tap"].sources == ("u.se.gate",)


@pytest.mark.parametrize("text, message", [
    ("input: [8, 8, 4]\nlayers:\n  - conv2d: {filters: 4, kernel: 1}\n"
     "  - split: {sections: 2, id: sp, when: false}\n  - add: {inputs: [sp.0, sp.1]}\n",
     "spec.yaml:5:19: layer 2 (add, add): inputs names `sp.0`, a part of `sp`, which `when: false` left out "
     "(line 4); leave out what reads it too (`when:` on the reader), or keep `sp`"),
    (SE_BLOCK.replace("- se: {name: se}", "- se: {name: se, when: false}"),
     "spec.yaml:17:62: layer 3 (u.tap, conv2d) in block unit used at line 21: inputs names `se.gate`, a part of "
     "`se`, which `when: false` left out (line 16); leave out what reads it too (`when:` on the reader), or keep `se`"),
])
def test_a_reference_into_what_when_left_out_is_a_dangling_input(cli, spec_file, text, message):
    assert error_line(cli, spec_file, text) == (2, message)


def test_when_removes_a_whole_branch_and_the_graph_relinks_as_written():
    """An SE branch (a nested block use) left out: the add reads the block's main path."""
    s = infer(parse_spec(SE_BLOCK.replace("- se: {name: se}", "- se: {name: se, when: false}")
                         .replace("inputs: se.gate, ", "")))
    by = {r.layer.name: r for r in s.layers}
    assert not [n for n in by if ".se." in n]
    assert by["u.add"].sources == ("u.conv", "u.tap")


def test_the_keras_activation_layer_takes_its_activation_from_a_parameter():
    s = infer(parse_spec("input: [8, 8, 3]\nblocks:\n  b:\n    params: {act: relu}\n    layers:\n"
                         "      - conv2d: {filters: 4, kernel: 1}\n      - activation: {activation: $act, name: a}\n"
                         "layers:\n  - b: {act: hardswish, name: x}\n  - b: {name: y}\n  - activation: tanh\n"))
    assert [(r.layer.name, r.layer.kind) for r in s.layers if r.layer.kind != "conv2d"] == \
        [("x.a", "hardswish"), ("y.a", "relu"), ("activation", "tanh")]


@pytest.mark.parametrize("text, message", [
    ("input: [8, 8, 3]\nlayers:\n  - activation: dense\n",
     "spec.yaml:3:17: layer 1: `dense` is not an activation"),
    ("input: [8, 8, 3]\nlayers:\n  - activation: {name: x}\n",
     "spec.yaml:3:5: layer 1: an activation layer names its activation, e.g. `- activation: relu`"),
])
def test_the_activation_layer_refuses_what_is_no_activation(cli, spec_file, text, message):
    code, err = error_line(cli, spec_file, text)
    assert code == 2 and err.startswith(message)
