"""`cnncalc export` without any framework: golden files of the generated code, determinism,
names, and the errors for what a framework cannot express. (Running the code: see
export/test_torch_runs.py and export/test_keras_runs.py.)

Regenerate the golden files on purpose with: CNNCALC_REGEN_GOLDEN=1 python -m pytest tests/export/test_code.py
"""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from cnncalc import infer, load_spec, parse_spec
from cnncalc.export import ExportError, class_name, export, export_code, identifier
from cnncalc.kinds import KINDS
from tests.conftest import ZOO

GOLDEN = Path(__file__).parent.parent / "golden" / "export"
REGEN = os.environ.get("CNNCALC_REGEN_GOLDEN") == "1"
# (spec, framework): zoo specs and the specs kept next to the golden files
GOLDEN_CASES = [
    (ZOO / "lenet5.yaml", "pytorch"), (ZOO / "lenet5.yaml", "keras"),
    (ZOO / "mobilenet_v1.yaml", "pytorch"), (ZOO / "mobilenet_v1.yaml", "keras"),
    (ZOO / "alexnet_torchvision.yaml", "pytorch"),
    (GOLDEN / "kinds.yaml", "pytorch"), (GOLDEN / "kinds.yaml", "keras"),
    (GOLDEN / "text.yaml", "pytorch"), (GOLDEN / "text.yaml", "keras"),
    (GOLDEN / "branched.yaml", "pytorch"), (GOLDEN / "branched.yaml", "keras"),
    (ZOO / "unet_small.yaml", "pytorch"), (ZOO / "unet_small.yaml", "keras"),
]
BRANCH_KINDS = {"add", "concat", "multiply", "upsample2d"}


def summary_of(path: Path):
    if path.name in ("branched.yaml", "unet_small.yaml") and not BRANCH_KINDS <= set(KINDS) \
            or not path.exists():
        pytest.skip("branch kinds (add, concat, ...) not in this checkout")
    return infer(load_spec(str(path)))


@pytest.mark.parametrize("path,to", GOLDEN_CASES, ids=lambda v: getattr(v, "stem", v))
def test_golden(path, to):
    code = export_code(summary_of(path), to)
    golden = GOLDEN / f"{path.stem}_{to}.py"
    if REGEN:
        golden.write_text(code)
    assert code == golden.read_text(), f"regenerate with CNNCALC_REGEN_GOLDEN=1 if the change is meant"


@pytest.mark.parametrize("path,to", GOLDEN_CASES, ids=lambda v: getattr(v, "stem", v))
def test_code_is_formatted_and_imports_only_the_framework(path, to):
    code = export_code(summary_of(path), to)
    tree = ast.parse(code)
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == ({"torch"} if to == "pytorch" else {"keras"})
    assert max(len(line) for line in code.splitlines()) <= 99
    assert code.endswith("\n") and not code.endswith("\n\n") and "\t" not in code
    assert all(line == line.rstrip() for line in code.splitlines())
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert (class_name(load_spec(str(path)).name) if to == "pytorch" else "build_model") in names


@pytest.mark.parametrize("to", ["pytorch", "keras"])
def test_deterministic_across_processes(proc, to):
    runs = [proc("export", GOLDEN / "kinds.yaml", "--to", to, env={"PYTHONHASHSEED": seed})
            for seed in ("1", "2")]
    assert runs[0].code == runs[1].code == 0
    assert runs[0].out == runs[1].out == export_code(infer(load_spec(str(GOLDEN / "kinds.yaml"))), to)


def test_every_kind_has_a_translation_in_each_table():
    assert all(not getattr(cls.to_torch, "pending", False) and not getattr(cls.to_keras, "pending", False)
               for cls in KINDS.values())



@pytest.mark.parametrize("to", ["pytorch", "keras"])
def test_a_kind_without_a_translation_is_an_error_naming_the_layer(to):
    """A new kind whose export facets are still placeholders leaves the exporter importable and
    refuses that one layer."""
    import dataclasses

    from cnncalc.kinds import Activation
    from cnncalc.kinds.base import pending

    class Untranslated(Activation):
        to_torch = pending("Untranslated.to_torch")
        to_keras = pending("Untranslated.to_keras")

    s = one_layer("[4, 4, 3]", "relu: {name: r}")
    L = s.layers[0].layer
    new = Untranslated(**{f.name: getattr(L, f.name) for f in dataclasses.fields(L) if f.init})
    s = dataclasses.replace(s, layers=(dataclasses.replace(s.layers[0], layer=new),))
    with pytest.raises(ExportError, match=r"^net\.yaml:3:5: layer 1 \(r, relu\): .*no translation for the kind `relu` yet"):
        export(s, to)


def test_a_branch_reads_the_layer_it_names_not_the_one_before():
    """Keras may zero-pad a max pool only when its input is >= 0: the pool reads the relu `a`
    (by infer's input positions), not the linear conv `b` written just before it."""
    text = """input: [8, 8, 3]
layers:
  - conv2d: {filters: 4, kernel: 1, activation: relu, name: a}
  - conv2d: {filters: 4, kernel: 1, name: b}
  - maxpool2d: {kernel: 3, stride: 2, padding: 1, inputs: a, name: p}
  - maxpool2d: {kernel: 3, stride: 2, padding: 1, inputs: b, name: q}
  - add: {inputs: [p, q]}
"""
    with pytest.raises(ExportError, match=r"layer 4 \(q, maxpool2d\): Keras cannot pad max pooling"):
        export(infer(parse_spec(text, "net.yaml")), "keras")
    ex = export(infer(parse_spec(text.replace("1, name: b", "1, activation: relu, name: b"), "net.yaml")), "keras")
    assert ex.ops["p"] == ("p_pad", "p") and ex.ops["q"] == ("q_pad", "q")
    assert "    p = layers.ZeroPadding2D(((1, 1), (1, 1)), name=\"p_pad\")(a)" in ex.code.splitlines()

@pytest.mark.parametrize("name,expected", [
    ("conv1", "conv1"), ("features.0", "features_0"), ("stem/conv", "stem_conv"),
    ("block 1-a", "block_1_a"), ("1st", "layer_1st"), ("_hidden", "layer__hidden"),
    ("class", "class_"), ("forward", "forward_"), ("training", "training_"), ("x", "x_"),
    ("nn", "nn_"), ("état", "layer__tat"),
])
def test_identifier(name, expected):
    assert identifier(name) == expected and expected.isidentifier()


@pytest.mark.parametrize("name,expected", [
    ("VGG-16", "VGG16"), ("LeNet-5", "LeNet5"), ("MobileNet v1", "MobileNetV1"),
    ("AlexNet (original, 227)", "AlexNetOriginal227"), ("1-D signal classifier", "Net1DSignalClassifier"),
    ("---", "Model"),
])
def test_class_name(name, expected):
    assert class_name(name) == expected


def test_names_stay_unique_when_helpers_collide():
    text = """input: [8, 8, 3]
layers:
  - conv2d: {filters: 4, kernel: 3, stride: 2, padding: same, activation: relu, name: c}
  - relu: {name: c_act}
  - zeropad2d: {padding: 1, name: c_pad}
"""
    ex = export(infer(parse_spec(text)), "pytorch")
    assert ex.ops == {"c": ("c_pad_2", "c", "c_act_2"), "c_act": ("c_act",), "c_pad": ("c_pad",)}
    assert ex.outputs == {"c": "c_act_2", "c_act": "c_act", "c_pad": "c_pad"}


def one_layer(inp: str, layer: str):
    return infer(parse_spec(f"input: {inp}\nlayers:\n  - {layer}\n", "net.yaml"))


@pytest.mark.parametrize("to,inp,layer,message", [
    ("keras", "[9, 9, 3]", "lrn: {size: 5}",
     "net.yaml:3:5: layer 1 (lrn, lrn): Keras has no local response normalisation layer"),
    ("keras", "[9, 9, 3]", "conv2d: {filters: 2, kernel: 3, stride: 2, dilation: 2}",
     "Keras refuses strides > 1 together with dilation > 1 (stride 2, dilation 2)"),
    ("keras", "[9, 9, 4]", "conv_transpose2d: {filters: 4, kernel: 3, groups: 2}",
     "Keras transposed convolutions have no groups (groups 2)"),
    ("keras", "[9, 9, 3]", "conv_transpose2d: {filters: 4, kernel: 3, stride: 1, dilation: 2, output_padding: 1}",
     "Keras needs output_padding < stride, got output_padding 1 with stride 1"),
    ("keras", "[9, 9, 3]", "maxpool2d: {kernel: 3, dilation: 2}", "Keras pooling has no dilation"),
    ("keras", "[8, 8, 3]", "maxpool2d: {kernel: 3, stride: 2, padding: 1, ceil_mode: true}",
     "ceil_mode gives output (5, 5) where floor gives (4, 4)"),
    ("keras", "[8, 8, 3]", "maxpool2d: {kernel: 3, stride: 2, padding: 1}",
     "Keras cannot pad max pooling with -inf by [(1, 1), (1, 1)]"),
    ("keras", "[8, 8, 3]", "avgpool2d: {kernel: 3, stride: 2, padding: 1, count_include_pad: false}",
     "Keras cannot exclude the padding [(1, 1), (1, 1)] from the average"),
    ("keras", "[10, 10, 3]", "adaptive_avgpool2d: {output: 3}", "Keras has no adaptive pooling"),
    ("pytorch", "[7, 7, 3]", "avgpool2d: {kernel: 2, stride: 1, padding: same}",
     "PyTorch cannot express Keras 'same' average pooling with padding [(0, 1), (0, 1)]"),
])
def test_inexpressible_layers_are_errors_naming_the_layer(to, inp, layer, message):
    with pytest.raises(ExportError) as info:
        export(one_layer(inp, layer), to)
    assert message in str(info.value)
    assert str(info.value).startswith("net.yaml:3:5: layer 1 (")
    assert info.value.exit_code == 1


def test_cli_writes_file(cli, tmp_path):
    out = tmp_path / "lenet.py"
    r = cli("export", ZOO / "lenet5.yaml", "--to", "pytorch", "-o", out)
    assert r.code == 0 and r.out == "" and f"wrote {out}" in r.err
    assert out.read_text() == export_code(infer(load_spec(str(ZOO / "lenet5.yaml"))), "pytorch")


def test_cli_refusal_is_one_line_exit_1(main):
    r = main("export", ZOO / "alexnet.yaml", "--to", "keras")
    assert r.code == 1 and "Traceback" not in r.err and r.out == ""
    assert r.err.strip().splitlines() == [
        f"{ZOO / 'alexnet.yaml'}:9:5: layer 2 (norm1, lrn): Keras has no local response normalisation "
        "layer; export to pytorch, or remove it (modern re-implementations of AlexNet drop it or use "
        "batchnorm)"]


@pytest.mark.parametrize("args,code,text", [
    (["--to", "tensorflow"], 2, "tensorflow"),
    ([], 2, "--to"),
    (["--to", "keras", "-o", "/nonexistent-dir/x.py"], 2, "cannot write /nonexistent-dir/x.py"),
])
def test_cli_bad_arguments(main, args, code, text):
    r = main("export", ZOO / "lenet5.yaml", *args)
    assert r.code == code and "Traceback" not in r.err and text in r.err


def test_bad_spec_is_exit_2(main, spec_file):
    r = main("export", spec_file("input: [5, 5, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 7}\n"), "--to", "pytorch")
    assert r.code == 2 and "Traceback" not in r.err and "spec.yaml:3:5: layer 1" in r.err


def test_help_has_an_example(cli):
    r = cli("export", "--help")
    assert r.code == 0 and "Example: cnncalc export" in r.out and "--to" in r.out


def test_goldens_are_black_formatted():
    black = pytest.importorskip("black")  # not a dependency; checked where it is installed
    mode = black.Mode(line_length=99)
    for path in sorted(GOLDEN.glob("*.py")):
        code = path.read_text()
        assert black.format_str(code, mode=mode) == code, path.name
