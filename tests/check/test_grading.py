"""The homework checker: reading tables, matching rows, grading cells, diagnosing mistakes."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from cnncalc import infer, load_spec, parse_spec
from cnncalc.check import (AnswerError, check_table, header_key, label_key, parse_answers, parse_int,
                           parse_shape, read_answers)
from tests.conftest import ROOT, ZOO

DATA = ROOT / "tests" / "data"
HOMEWORK = ZOO / "lenet_homework.yaml"
HEADER = "| Layer | Activation shape | Activation size | # parameters |\n|---|---|---|---|\n"


def lenet():
    return infer(load_spec(str(HOMEWORK)))


def grade(text: str, summary=None, fmt: str = "md"):
    return check_table(parse_answers(text, "answers." + fmt, fmt), summary or lenet())


def cell(report, layer: str, column: str):
    found = [v for v in report.verdicts if v.layer == layer and v.column == column]
    assert len(found) == 1, report.verdicts
    return found[0]


# -- the course notes' homework table (seeds/002 L502-510) -------------------------------------
# seeds_examples.md C.3/C.4: the five parameter cells are wrong, everything else is right.
NOTES_WRONG = [
    ("CONV1", 208, (5*5*3 + 1)*8, "input channels left out: (5*5 + 1)*8 = 208"),
    ("CONV2", 416, (5*5*8 + 1)*16, "input channels left out: (5*5 + 1)*16 = 416"),
    ("FC3", 48_001, 400*120 + 120, "one bias for the whole layer instead of one per unit: 400*120 + 1 = 48,001"),
    ("FC4", 10_081, 120*84 + 84, "one bias for the whole layer instead of one per unit: 120*84 + 1 = 10,081"),
    ("Softmax", 841, 84*10 + 10, "one bias for the whole layer instead of one per unit: 84*10 + 1 = 841"),
]


@pytest.mark.parametrize("name", ["lenet_homework_notes.tsv", "lenet_homework_notes.md"])
def test_notes_table_every_wrong_cell_caught_and_diagnosed(name):
    report = check_table(read_answers(str(DATA / name)), lenet())
    assert len(report.verdicts) == 8 * 3 and not report.unmatched and not report.missing
    assert report.optional == ("flatten",)
    wrong = {(v.layer, v.column): v for v in report.wrong}
    assert set(wrong) == {(layer, "params") for layer, *_ in NOTES_WRONG}
    for layer, given, expected, diagnosis in NOTES_WRONG:
        v = wrong[(layer, "params")]
        assert parse_int(v.given) == given and v.expected == expected
        assert v.diagnosis.startswith(diagnosis), v.diagnosis
    assert sum(e for _, _, e, _ in NOTES_WRONG) == 62_958  # seeds_examples.md C.3 total


def test_notes_table_cli_exit_1_and_text(main):
    r = main("check", DATA / "lenet_homework_notes.tsv", "--spec", HOMEWORK)
    assert r.code == 1 and r.err == ""
    assert "score 78.3%: 18 of 23 cells right, 5 wrong" in r.out
    assert "208 ✗ 608" in r.out and "formula: (5*5*3 + 1)*8 = 608" in r.out
    assert "likely mistake: input channels left out: (5*5 + 1)*8 = 208" in r.out


def test_correct_table_exit_0(cli):
    r = cli("check", DATA / "lenet_homework_correct.csv", "--spec", HOMEWORK)
    assert r.code == 0, r.out
    assert "score 100%: 23 of 23 cells right, 0 wrong" in r.out


def test_json_per_cell(cli):
    r = cli("check", DATA / "lenet_homework_notes.md", "--spec", HOMEWORK, "--format", "json")
    assert r.code == 1
    doc = json.loads(r.out)
    assert doc["wrong"] == 5 and doc["graded"] == 24 and doc["ok"] is False
    for c in doc["cells"]:
        assert {"layer", "column", "given", "expected", "correct", "diagnosis"} <= set(c)
    conv1 = next(c for c in doc["cells"] if c["layer"] == "CONV1" and c["column"] == "params")
    assert conv1["given"] == "208 ←" and conv1["expected"] == 608 and conv1["correct"] is False
    assert conv1["diagnosis"].startswith("input channels left out")
    shape = next(c for c in doc["cells"] if c["layer"] == "FC3" and c["column"] == "activation_shape")
    assert shape["expected"] == [120] and shape["correct"] is True and shape["diagnosis"] is None


# -- one test per known mistake ----------------------------------------------------------------
CONV_NET = """input: [32, 32, 3]
layers:
  - conv2d: {{filters: 8, kernel: {f}, stride: {s}, padding: {p}, dilation: {d}, name: CONV1}}
"""


def conv(f=5, s=1, p=0, d=1):
    return infer(parse_spec(CONV_NET.format(f=f, s=s, p=p, d=d)))


# (net, layer, column, the student's cell, a phrase the diagnosis must contain)
DIAGNOSES = [
    # parameters
    (None, "CONV1", "params", "208", "input channels left out: (5*5 + 1)*8 = 208"),
    (None, "CONV1", "params", f"{5*5*3*8 + 1}", "one bias for the whole layer instead of one per filter"),
    (None, "CONV1", "params", f"{5*5*3*8}", "bias forgotten: 5*5*3*8 = 600"),
    (None, "CONV1", "params", f"{5*5*8}", "input channels and biases left out: 5*5*8 = 200"),
    (None, "CONV1", "params", f"{5*5*8 + 1}", "input channels left out and one bias"),
    (None, "CONV1", "params", f"{(5*5*8 + 1)*8}", "own 8 filters taken as its input channels"),
    (None, "CONV1", "params", f"{5*5*3 + 1}", "one filter counted instead of 8"),
    (None, "CONV1", "params", f"{(5*3 + 1)*8}", "kernel counted as 5 instead of 5*5"),
    (None, "CONV1", "params", f"{32*32*3*28*28*8 + 28*28*8}", "counted as fully connected"),
    (None, "CONV1", "params", f"{28*28*8}", "that is the activation size"),
    (None, "CONV1", "params", "456", "as if the layer had 6 filters: (5*5*3 + 1)*6 = 456"),  # seeds 002:L499
    (None, "CONV1", "params", f"{(5*5*4 + 1)*8}", "as if the input had 4 channels"),
    (None, "FC3", "params", f"{(401 + 1)*120}", "as if the input had 401 values"),
    (None, "FC3", "params", f"{400*100 + 100}", "as if the layer had 100 units"),
    (None, "FC3", "params", "48,001", "400*120 + 1 = 48,001"),
    (None, "FC3", "params", f"{400*120}", "bias forgotten: 400*120 = 48,000"),
    (None, "FC3", "params", f"{16*120 + 120}", "only the channels (16) taken as the input"),
    (None, "FC3", "params", f"{5*5*120 + 120}", "only H*W"),
    (None, "FC3", "params", f"{1600*120 + 120}", "the size of CONV2 (10, 10, 16) = 1,600 taken as the input"),
    (None, "FC4", "params", f"{400*120 + 120}", "that is the number of parameters of FC3 (the row above)"),
    (None, "POOL1", "params", f"{(2*2*8 + 1)*8}", "counted a conv with 8 filters: (2*2*8 + 1)*8 = 264"),
    (None, "POOL1", "params", "7", "max pooling has no parameters"),
    (None, "POOL1", "params", f"{2*2 + 1}", "one window and a bias: 2*2 + 1 = 5"),
    (None, "Input", "params", "1", "the input has no parameters"),
    # shapes
    (None, "CONV1", "shape", "(8, 28, 28)", "channels first (8, 28, 28)"),
    (None, "CONV1", "shape", "28x8x28", "H/W/C order swapped"),
    (None, "CONV1", "shape", "(27,27,8)", "the +1 left out: (32 + 2*0 - 5)/1 = 27"),
    (None, "CONV1", "shape", "(28,28,3)", "kept the input's 3 channels"),
    (None, "CONV1", "shape", "(32,32,3)", "that is the input's shape"),
    (None, "CONV1", "shape", "(5,5,3,8)", "shape of the filters"),
    (None, "FC3", "shape", "(400,120)", "shape of the weight matrix (400, 120)"),
    (None, "POOL1", "shape", "(28,28,8)", "of CONV1 (the row above)"),
    (None, "Input", "shape", "(3,32,32)", "channels first (3, 32, 32)"),
    (None, "Input", "shape", "(32,3,32)", "H/W/C order swapped"),
    (conv(f=5, s=2), "CONV1", "shape", "(15,15,8)", "ceil instead of floor: ceil((32 + 2*0 - 5)/2) + 1 = 15"),
    (conv(f=3, p=1), "CONV1", "shape", "(30,30,8)", "padding forgotten"),
    (conv(f=3, p=2), "CONV1", "shape", "(32,32,8)", "padding counted on one side only"),
    (conv(f=3, s=2), "CONV1", "shape", "(30,30,8)", "stride ignored"),
    (conv(f=3, s=2, p="same"), "CONV1", "shape", "(32,32,8)", "'same' padding keeps the size only at stride 1"),
    (conv(f=3, d=2), "CONV1", "shape", "(30,30,8)", "dilation ignored"),
    # sizes
    (None, "CONV1", "size", f"{28*28}", "channels left out: 28*28 = 784"),
    (None, "CONV1", "size", "6,722", "the size is not the product of the shape: 28*28*8 = 6,272"),
    (None, "CONV1", "size", f"{5*5*3*8 + 8}", "that is the number of parameters"),
    (None, "POOL1", "size", "6272", "size of CONV1 (the row above)"),
    (None, "Input", "size", f"{32*32}", "channels left out"),
    (conv(f=5, s=2), "CONV1", "size", f"{15*15*8}", "ceil instead of floor"),
]


@pytest.mark.parametrize("net, layer, column, given, phrase", DIAGNOSES)
def test_each_known_mistake(net, layer, column, given, phrase):
    right = {"shape": "(28, 28, 8)", "size": "6272", "params": "608"}
    cells = {c: right[c] if (c == "size" and column == "size" and layer == "CONV1") else "" for c in right}
    if column == "size" and layer == "CONV1" and net is None:
        cells["shape"] = "(28,28,8)"  # the size cells are judged next to a right shape
    cells[column] = given
    text = HEADER + f"| {layer} | {cells['shape']} | {cells['size']} | {cells['params']} |\n"
    v = cell(grade(text, net), "input" if layer == "Input" else layer, column)
    assert v.correct is False
    assert phrase in v.diagnosis, v.diagnosis


def test_size_consistent_with_a_wrong_shape():
    v = cell(grade(HEADER + f"| CONV1 | (27,27,8) | {27*27*8} | |\n"), "CONV1", "size")
    assert v.diagnosis.startswith("consistent with your shape (27, 27, 8), which is wrong")


def test_pool_ceil_instead_of_floor():
    net = infer(parse_spec("input: [7, 7, 3]\nlayers:\n  - maxpool2d: {kernel: 2, name: P}\n"))
    v = cell(grade(HEADER + "| P | (4,4,3) | | |\n", net), "P", "shape")
    assert "ceil instead of floor" in v.diagnosis and v.expected == ((7 - 2)//2 + 1, (7 - 2)//2 + 1, 3)


def test_carried_forward_shape_and_params():
    text = HEADER + ("| POOL1 | (14,14,8) | | |\n| CONV2 | (10,10,16) | | |\n"
                     f"| POOL2 | (4,4,16) | {4*4*16} | |\n| FC3 | | | {4*4*16*120 + 120} |\n")
    report = grade(text)
    v = cell(report, "FC3", "params")
    assert v.diagnosis.startswith("carried forward from your wrong input"), v.diagnosis
    text = HEADER + "| CONV1 | (27,27,8) | | |\n| POOL1 | (13,13,8) | | |\n"
    v = cell(grade(text), "POOL1", "shape")
    assert v.diagnosis.startswith("carried forward from your wrong input shape (27, 27, 8)")


def test_batchnorm_and_groups():
    net = infer(parse_spec("input: [8, 8, 16]\nlayers:\n  - conv2d: {filters: 32, kernel: 3, groups: 4, name: G}\n"
                           "  - batchnorm: {name: BN}\n"))
    report = grade(HEADER + f"| G | | | {3*3*16*32 + 32} |\n| BN | | | {2*32} |\n", net)
    assert "groups ignored" in cell(report, "G", "params").diagnosis
    assert "only gamma and beta counted" in cell(report, "BN", "params").diagnosis


def test_unknown_mistake_is_said_plainly():
    report = grade(HEADER + "| CONV1 | (11,11,8) | | 12345 |\n")
    v = cell(report, "CONV1", "params")
    assert v.diagnosis.startswith("no known mistake gives this value")
    assert v.formula == "(5*5*3 + 1)*8 = 608"
    v = cell(report, "CONV1", "shape")
    assert v.diagnosis.endswith("(H, W wrong; C right)")
    assert v.formula == "floor((32 + 2*0 - 5)/1) + 1 = 28 for H and W; 8 filters -> (28, 28, 8)"


def test_total_row():
    rows = "".join(f"| {n} | | | {g} |\n" for n, g, _, _ in NOTES_WRONG)
    own = 208 + 416 + 48_001 + 10_081 + 841
    report = grade(HEADER + rows + f"| Total | | | {own:,} |\n")
    v = cell(report, "total", "params")
    assert v.expected == 62_958 and "the sum of your parameter column" in v.diagnosis
    assert cell(grade(HEADER + "| **Total** | | | 62,958 |\n"), "total", "params").correct is True


# -- reading -----------------------------------------------------------------------------------
@pytest.mark.parametrize("header, key", [
    ("# parameters", "params"), ("Params", "params"), ("#params", "params"), ("Parameters", "params"),
    ("Number of parameters", "params"), ("Activation Size", "size"), ("activation size", "size"),
    ("Activations", "size"), ("Size", "size"), ("Activation shape", "shape"), ("Output Shape", "shape"),
    ("shape", "shape"), ("Dimensions", "shape"), ("", "layer"), ("Layer", "layer"), ("Layer name", "layer"),
    ("Notes", None),
])
def test_loose_headers(header, key):
    assert header_key(header) == key


@pytest.mark.parametrize("text, value", [
    ("6,272", 6272), ("6272", 6272), ("6 272", 6272), ("48_120", 48120), ("3,072 $a^{(0)}$", 3072),
    ("208 ←", 208), ("**608**", 608), ("(5*5*3 + 1)*8", (5*5*3 + 1)*8), ("(5×5×3+1)×8 = 608", 608),
    ("$(5 \\times 5 \\times 3 + 1) * 8$", 608), ("28*28*8", 6272), ("0", 0), ("1,234,567", 1234567),
])
def test_parse_int(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize("text, shape", [
    ("(28,28,8)", (28, 28, 8)), ("28x28x8", (28, 28, 8)), ("28×28×8", (28, 28, 8)), ("28 x 28 x 8", (28, 28, 8)),
    ("[28, 28, 8]", (28, 28, 8)), ("(None, 28, 28, 8)", (28, 28, 8)), ("(120,1)", (120, 1)), ("(120,)", (120,)),
    ("120", (120,)),
])
def test_parse_shape(text, shape):
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["six", "12.5", "(28,28,8", "(" * 300 + "1" + ")" * 300, "2**99", "7/2"])
def test_unreadable_cell_is_a_wrong_cell(text):
    v = cell(grade(HEADER + f"| CONV1 | | {text} | |\n"), "CONV1", "size")
    assert v.correct is False and ("cannot read" in v.diagnosis or "not a whole number" in v.diagnosis)


FORMATS = {
    "md": HEADER + "| CONV1 (f=5, s=1) | (28,28,8) | 6,272 | 208 |\n",
    "csv": 'layer,activation shape,activation size,params\nCONV1 (f=5, s=1),(28,28,8),"6,272",208\n',
    "tsv": "\tActivation shape\tActivation Size\t# parameters\nCONV1 (f=5, s=1)\t(28,28,8)\t6,272\t208 ←\n",
    "yaml": "- {layer: CONV1, shape: [28, 28, 8], size: 6272, params: 208}\n",
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_input_format(fmt, tmp_path, cli):
    path = tmp_path / f"answers.{fmt}"
    path.write_text(FORMATS[fmt])
    report = check_table(read_answers(str(path)), lenet())
    assert [(v.layer, v.column, v.correct) for v in report.given] == [
        ("CONV1", "shape", True), ("CONV1", "size", True), ("CONV1", "params", False)]
    assert len(report.asked) == 23 and len(report.unanswered) == 20 and report.score == 8.7
    assert "Input" not in report.missing and "POOL1" in report.missing
    # sniffing without an extension, and --as
    plain = tmp_path / "answers"
    plain.write_text(FORMATS[fmt])
    assert cli("check", plain, "--spec", HOMEWORK).code == 1
    assert cli("check", "-", "--spec", HOMEWORK, "--as", fmt, input=FORMATS[fmt]).code == 1


def test_yaml_mapping_and_semicolon_csv():
    text = ("student: A. Student\nanswers:\n  CONV1: {shape: 28x28x8, '# parameters': 608}\n"
            "  POOL1: {shape: [14, 14, 8]}\n")
    report = grade(text, fmt="yaml")
    assert all(v.correct for v in report.given) and len(report.given) == 3
    report = grade("Layer;Shape;Params\nCONV1;(28,28,8);6,272\n", fmt="csv")
    assert cell(report, "CONV1", "params").diagnosis == "that is the activation size, not the number of parameters"


# -- matching rows to layers -------------------------------------------------------------------
UNNAMED = """input: [32, 32, 3]
layers:
  - conv2d: {filters: 8, kernel: 5}
  - maxpool2d: 2
  - conv2d: {filters: 16, kernel: 5}
  - maxpool2d: 2
  - flatten
  - dense: 120
  - dense: 84
  - dense: {units: 10, activation: softmax}
"""


def test_course_labels_on_an_unnamed_spec():
    # Andrew Ng's numbering: a pool shares its conv's number, FC3 is the first dense layer
    report = check_table(read_answers(str(DATA / "lenet_homework_notes.md")), infer(parse_spec(UNNAMED)))
    assert not report.unmatched and not report.missing
    assert [v.layer for v in report.wrong] == ["conv2d", "conv2d_1", "dense", "dense_1", "dense_2"]


@pytest.mark.parametrize("labels, layers", [
    (["C1", "S2", "C3", "S4", "F6"], ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "dense_1"]),
    (["conv1", "pool1", "conv2", "pool2", "fc1", "fc2", "fc3"],
     ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1", "dense", "dense_1", "dense_2"]),
    (["0", "1", "layer 2", "6"], ["input", "conv2d", "max_pooling2d", "dense"]),
    (["image", "Conv2D_1", "flatten", "Output"], ["input", "conv2d_1", "flatten", "dense_2"]),
])
def test_numbering_schemes(labels, layers):
    text = HEADER + "".join(f"| {label} | | | 0 |\n" for label in labels)
    report = check_table(parse_answers(text, "a.md"), infer(parse_spec(UNNAMED)))
    assert not report.unmatched, report.unmatched
    assert [v.layer for v in report.given if v.column == "params"] == layers


def test_unmatched_rows_and_missing_layers_are_reported(cli, tmp_path):
    text = HEADER + "| CONV1 | (28,28,8) | | |\n| CONV3 | (1,1,1) | | |\n| Banana | | 1 | |\n| conv1 | | | 608 |\n"
    report = grade(text)
    assert [why.split(":")[0] for _, why in report.unmatched] == [
        "`CONV3` names no layer", "`Banana` names no layer; use a layer name (CONV1, POOL1, CONV2, ...), an index, Input or a course label like CONV1",
        "a second row for CONV1 (the first is `CONV1`)"]
    assert report.missing == ("input", "POOL1", "CONV2", "POOL2", "FC3", "FC4", "Softmax")
    assert not report.ok
    path = tmp_path / "a.md"
    path.write_text(text)
    r = cli("check", path, "--spec", HOMEWORK)
    assert r.code == 1 and "Rows that match no layer" in r.out and "Layers with no row: input, POOL1" in r.out


def test_ambiguous_kind_and_positional_rows():
    report = check_table(parse_answers(HEADER + "| fc | | | 0 |\n", "a.md"), infer(parse_spec(UNNAMED)))
    assert "could be any of 3 layers" in report.unmatched[0][1]
    rows = "\n".join(["shape,size", "32x32x3,3072", "28x28x8,6272", "14x14x8,1568", "10x10x16,1600",
                      "5x5x16,400", "120,120", "84,84", "10,10"])
    report = grade(rows, fmt="csv")
    assert len(report.verdicts) == 24 and len(report.unanswered) == 8 and not report.ok and report.score == 65.2
    report = grade("shape\n(1,2,3)\n", fmt="csv")
    assert "no layer column" in report.unmatched[0][1]


def test_blank_cells_are_unanswered():
    report = grade(HEADER + "| CONV1 | ? | | ___ |\n")
    assert all(v.correct is None and v.state == "unanswered" for v in report.verdicts)
    assert len(report.asked) == 23 and report.score == 0 and not report.ok


# -- malformed input: one line, exit 2, never a traceback --------------------------------------
MALFORMED = [
    ("empty.md", "", "is empty"),
    ("prose.md", "just some text\n", "has no Markdown table"),
    ("noheader.md", "| a | b |\n|---|---|\n| 1 | 2 |\n", "names no graded column"),
    ("norows.md", "| Layer | Params |\n|---|---|\n", "has a header but no rows"),
    ("extra.csv", "Layer,Params\nCONV1,6,27,2\n", "the row has 4 cells but the header has 2"),
    ("twice.csv", "Layer,Params,# parameters\nCONV1,1,2\n", "two columns are read as # parameters"),
    ("bad.yaml", "- {layer: CONV1, params: [1, 2\n", "YAML syntax error"),
    ("scalar.yaml", "42\n", "a YAML table must be a list of rows"),
    ("nested.yaml", "- {layer: CONV1, params: {a: 1}}\n", "a cell must be a number"),
    ("novalues.yaml", "- {layer: CONV1, colour: red}\n", "names no graded value"),
]


@pytest.mark.parametrize("name, text, message", MALFORMED)
def test_malformed_answers(name, text, message, tmp_path, cli):
    path = tmp_path / name
    path.write_text(text)
    r = cli("check", path, "--spec", HOMEWORK)
    assert r.code == 2 and "Traceback" not in r.err and r.out == ""
    assert len(r.err.strip().splitlines()) == 1 and message in r.err and str(path) in r.err


def test_malformed_from_the_command_line(tmp_path, main):
    path = tmp_path / "bad.yaml"
    path.write_text("- {layer: CONV1, params: [1, 2\n")
    r = main("check", path, "--spec", HOMEWORK)
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1
    assert r.err.startswith(f"{path}:2:1: YAML syntax error")


def test_malformed_files(tmp_path, cli):
    binary = tmp_path / "b.md"
    binary.write_bytes(b"\x00\x01\x02|")
    latin = tmp_path / "latin.md"
    latin.write_bytes("| Layer | # parameters |\n| Entrée | 0 |\n".encode("latin-1"))
    for args, message in [((tmp_path / "missing.md",), "no such file"), ((tmp_path,), "is a directory"),
                          ((binary,), "is a binary file"), ((latin,), "is not UTF-8")]:
        r = cli("check", *args, "--spec", HOMEWORK)
        assert r.code == 2 and message in r.err and len(r.err.strip().splitlines()) == 1
    assert cli("check", DATA / "lenet_homework_notes.md").code == 2  # --spec is required


def test_error_carries_the_line(tmp_path, cli):
    path = tmp_path / "a.csv"
    path.write_text("Layer,Params\nCONV1,608\nFC3,48,12,0\n")
    r = cli("check", path, "--spec", HOMEWORK)
    assert r.code == 2 and f"{path}:3: the row has 4 cells" in r.err


# -- the course table for instructors ----------------------------------------------------------
def test_summary_markdown_is_the_course_table(cli):
    r = cli("summary", HOMEWORK, "--format", "markdown", "--columns", "course")
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[2].split("|")[1:5] == [" Layer                 ", " Activation shape ", " Activation size ", " # parameters "]
    assert "| Input                 | (32, 32, 3)      |           3,072 |            0 |" in lines
    assert any(line.startswith("| CONV1 (f=5, s=1, p=0) | (28, 28, 8)") and line.endswith("608 |") for line in lines)
    assert "flatten" not in r.out and "Total params: 62,958" in r.out


def test_answer_key_round_trip(cli, tmp_path):
    key = tmp_path / "key.md"
    key.write_text(cli("summary", HOMEWORK, "--format", "markdown", "--columns", "course").out)
    r = cli("check", key, "--spec", HOMEWORK)
    assert r.code == 0 and "score 100%: 23 of 23 cells right" in r.out
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(cli("summary", HOMEWORK, "--format", "csv", "--columns", "course").out)
    assert cli("check", sheet, "--spec", HOMEWORK).code == 0


@pytest.mark.parametrize("spec", sorted(ZOO.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_zoo_answer_key_grades_as_right(spec, cli, tmp_path):
    key = tmp_path / "key.md"
    key.write_text(cli("summary", spec, "--format", "markdown", "--columns", "course").out)
    r = cli("check", key, "--spec", spec)
    assert r.code == 0 and ", 0 wrong" in r.out and "Layers with no row" not in r.out, r.out


def test_blank_worksheet(cli, tmp_path):
    r = cli("summary", HOMEWORK, "--format", "markdown", "--blank")
    assert r.code == 0 and "608" not in r.out and "(fill in the empty cells)" in r.out
    assert "| Input                 | (32, 32, 3)      |                 |              |" in r.out
    assert "| FC3 (units=120)       |                  |                 |              |" in r.out
    sheet = tmp_path / "sheet.md"
    sheet.write_text(r.out)
    r = cli("check", sheet, "--spec", HOMEWORK)
    assert r.code == 1 and "score 0%" in r.out and "Unanswered:" in r.out


def test_course_markdown_is_the_default_and_json_refuses_blank(cli):
    r = cli("summary", HOMEWORK, "--format", "markdown")  # issue 4: the course's table
    assert r.code == 0 and "| CONV1 (f=5, s=1, p=0) |" in r.out and "Hyper-params" not in r.out
    r = cli("summary", HOMEWORK, "--format", "markdown", "--columns", "default")
    assert r.code == 0 and "Hyper-params" in r.out and "flatten" in r.out
    r = cli("summary", HOMEWORK, "--columns", "course")  # the terminal gets the markdown table
    assert r.code == 0 and "| CONV1 (f=5, s=1, p=0) |" in r.out
    r = cli("summary", HOMEWORK, "--format", "markdown", "--columns", "name,params", "--blank")
    assert r.code == 2 and "without other --columns" in r.err
    r = cli("summary", HOMEWORK, "--format", "json", "--blank")
    assert r.code == 2 and "use --format markdown or csv" in r.err


def test_check_help_has_an_example(cli):
    r = cli("check", "--help")
    assert r.code == 0 and "Example: cnncalc check answers.md --spec" in r.out


def test_label_key():
    assert [label_key(t) for t in ["CONV1 (f=5, s=1)", "Input:", "**FC3**", "POOL 2", "conv_1",
                                   "block1_conv1 (f=3, s=1, p=same(1))"]] == [
        "conv1", "input", "fc3", "pool2", "conv1", "block1conv1"]


def test_row_numbers_column_beside_names():
    text = "| # | Layer | Params |\n|---|---|---|\n| 1 | Input | 0 |\n| 2 | CONV1 | 608 |\n"
    report = grade(text)
    assert [v.layer for v in report.given] == ["input", "CONV1"] and not report.ok
    assert report.score == 8.7 and len(report.unanswered) == 21


TEXT = st.text(alphabet=st.sampled_from(list("|,;\t\n:-_ ()[]{}x×*=$#\"'abcCONVPOL1234567890")), max_size=200)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(text=TEXT, fmt=st.sampled_from(["md", "csv", "tsv", "yaml"]))
def test_any_text_is_graded_or_refused_cleanly(text, fmt):
    """Whatever the file holds: a report, or an AnswerError (exit 2), never another exception."""
    try:
        table = parse_answers(text, "a." + fmt, fmt)
    except AnswerError:
        return
    check_table(table, lenet())


@settings(max_examples=150, deadline=None, derandomize=True)
@given(cells=st.lists(st.text(alphabet=st.sampled_from(list("0123456789,.x×*()+-= $?")), max_size=12),
                      min_size=3, max_size=3),
       label=st.sampled_from(["Input", "CONV1", "POOL1", "CONV2", "POOL2", "flatten", "FC3", "Softmax", "total"]))
def test_any_cell_is_graded(cells, label):
    text = HEADER + f"| {label} | " + " | ".join(c.replace("|", "") for c in cells) + " |\n"
    report = grade(text)
    assert all(v.correct in (True, False, None) for v in report.verdicts)


def test_rows_matched_by_order_when_no_label_names_a_layer(cli, tmp_path):
    labels = ["image", "conv 5x5, 8 filters", "max pool", "conv 5x5, 16 filters", "max pool",
              "dense 120", "dense 84", "softmax 10"]
    params = [0, 608, 0, 3216, 0, 48_120, 10_164, 841]
    text = HEADER + "".join(f"| {label} | | | {p} |\n" for label, p in zip(labels, params))
    report = grade(text)
    assert report.by_position and not report.unmatched
    assert [v.layer for v in report.wrong] == ["Softmax"]
    path = tmp_path / "a.md"
    path.write_text(text)
    r = cli("check", path, "--spec", HOMEWORK)
    assert r.code == 1 and "matched to layers by their order" in r.out


def test_summary_csv_worksheet(cli):
    r = cli("summary", HOMEWORK, "--format", "csv", "--blank")
    assert r.code == 0
    assert r.out.splitlines()[:3] == ["Layer,Activation shape,Activation size,# parameters",
                                      'Input,"(32, 32, 3)",,', '"CONV1 (f=5, s=1, p=0)",,,']
