"""The public API gives exactly what the CLI prints."""
from __future__ import annotations

import json

import pytest

import cnncalc
from cnncalc.render.fit import fit  # the CLI fits working text to the terminal (COLUMNS)
from tests.conftest import ROOT, ZOO

SPECS = sorted(ZOO.glob("*.yaml"))


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_summarize_to_dict_is_the_cli_json(cli, path):
    run = cli("summary", path, "--format", "json")
    assert run.code == 0
    assert json.dumps(cnncalc.summarize(path).to_dict(), indent=2) + "\n" == run.out


def test_summarize_options_match_the_cli(cli):
    path = ZOO / "resnet18.yaml"
    run = cli("summary", path, "--format", "json", "--batch", "4", "--optimizer", "adam", "--flops-convention", "full")
    s = cnncalc.summarize(path, batch=4, optimizer="adam", flops_convention="full")
    assert s.to_dict() == json.loads(run.out)


def test_summary_attributes_and_html():
    s = cnncalc.summarize(str(ZOO / "lenet5.yaml"))
    assert s.totals.params == 61_706 and len(s.layers) == len(s.metrics.layers)
    html = s._repr_html_()
    assert html.count("<tr>") == len(s.layers) + 2  # header, input row, one per layer
    assert "61,706" in html


def test_load_text_and_input_override():
    text = "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: 8, kernel: 3}\n"
    spec = cnncalc.load(text, input=(28, 28, 3))
    assert spec.input == (28, 28, 3)
    assert cnncalc.summarize(spec).layers[0].output_shape == (28 - 3 + 1, 28 - 3 + 1, 8)


def test_errors_are_named_exceptions():
    with pytest.raises(cnncalc.SpecError):
        cnncalc.load("input: [8, 8, 3]\nlayers:\n  - convv2d: {filters: 2, kernel: 3}\n")
    with pytest.raises(cnncalc.ShapeError):
        cnncalc.summarize(cnncalc.load("input: [2, 2, 3]\nlayers:\n  - conv2d: {filters: 2, kernel: 3}\n"))


def test_import_is_light():
    import subprocess
    import sys
    code = "import sys, cnncalc; sys.exit(any(m in sys.modules for m in ('numpy', 'yaml', 'rich', 'typer')))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


# -- every command's computation is an API call: the API's answer is the CLI's JSON ---------------

@pytest.mark.parametrize("args, call", [
    (("size", "32", "-f", "5", "-s", "2"), lambda: cnncalc.solve_size(32, 5, 2)),
    (("size", "224x224", "-f", "3", "-p", "same", "-s", "2"),
     lambda: cnncalc.solve_size("224x224", 3, 2, "same")),
    (("size", "7", "-f", "3", "-s", "2", "-p", "3,4"), lambda: cnncalc.solve_size(7, 3, 2, [(3, 4)])),
    (("size", "5", "-f", "2", "-s", "2", "--ceil"), lambda: cnncalc.solve_size(5, 2, 2, mode="ceil")),
    (("size", "4", "-f", "3", "-s", "2", "-p", "1", "--transposed", "--output-padding", "1"),
     lambda: cnncalc.solve_size(4, 3, 2, 1, mode="transposed", output_padding=1)),
])
def test_solve_size_is_the_cli_json_and_text(cli, args, call):
    run = cli(*args, "--format", "json")
    assert run.code == 0 and json.loads(run.out) == call().to_dict()
    assert cli(*args).out == fit(call().text())


def test_strict_error_is_the_cli_refusal(cli):
    run = cli("size", "32", "-f", "5", "-s", "2", "--strict")
    problem = cnncalc.strict_error(cnncalc.solve_size(32, 5, 2))
    assert run.code == 1 and run.err == f"cnncalc: {problem}\n"
    assert cnncalc.strict_error(cnncalc.solve_size(32, 4, 2)) is None  # (32 - 4)/2 = 14 exactly


@pytest.mark.parametrize("args, call, params", [
    (("layer", "conv", "--input", "32x32x3", "--filters", "10", "-f", "3"),
     lambda: cnncalc.solve_layer("conv", "32x32x3", filters=10, kernel=3), (3*3*3 + 1) * 10),
    (("layer", "pool", "--input", "143x143x64", "-f", "3", "-s", "2"),
     lambda: cnncalc.solve_layer("maxpool", "143x143x64", kernel=3, stride=2), 0),
    (("layer", "dense", "--input", "400", "--units", "120"),
     lambda: cnncalc.solve_layer("dense", "400", units=120), 400*120 + 120),
])
def test_solve_layer_is_the_cli_json_and_text(cli, args, call, params):
    run = cli(*args, "--format", "json")
    assert run.code == 0 and json.loads(run.out) == call().to_dict()
    assert cli(*args).out == fit(call().text())
    assert call().params == params


@pytest.mark.parametrize("args, call", [
    (("solve", "padding", "-n", "6", "-f", "3", "-s", "2"), lambda: cnncalc.solve_padding(6, 3, 2)),
    (("solve", "kernel", "-n", "288", "--out", "143", "-s", "2"), lambda: cnncalc.solve_kernel(288, 143, 2)),
    (("solve", "stride", "-n", "5", "-f", "3", "-p", "1", "--out", "3"),
     lambda: cnncalc.solve_stride(5, 3, 3, (1, 1))),
])
def test_solvers_are_the_cli_json_and_text(cli, args, call):
    run = cli(*args, "--format", "json")
    assert run.code == 0 and json.loads(run.out) == call().to_dict()
    assert cli(*args).out == fit(call().text())


def test_solve_input_is_the_cli_json_and_text(cli):
    run = cli("solve", "input", ZOO / "vgg16.yaml", "--input", "225x225x3", "--format", "json")
    a = cnncalc.solve_input(ZOO / "vgg16.yaml", given=(225, 225, 3))
    assert json.loads(run.out) == a.to_dict()
    assert cli("solve", "input", ZOO / "vgg16.yaml", "--input", "225x225x3").out == fit(a.text())


VERTICAL = "3 0 1 2; 1 5 8 9; 2 7 2 5; 0 1 3 1"


@pytest.mark.parametrize("args, call", [
    (("conv", "--image", VERTICAL, "--kernel", "vertical_edge", "--at", "0,1"),
     lambda: cnncalc.convolve(VERTICAL, "vertical_edge", at=(0, 1))),
    (("conv", "--image", VERTICAL, "--kernel", "1 0 -1; 1 0 -1; 1 0 -1", "--flip", "-p", "1"),
     lambda: cnncalc.convolve([[3, 0, 1, 2], [1, 5, 8, 9], [2, 7, 2, 5], [0, 1, 3, 1]],
                              [[1, 0, -1]] * 3, flip=True, padding=1)),
    (("conv", "--image", "1 2 3 4 5", "--kernel", "1 0 -1"), lambda: cnncalc.convolve([1, 2, 3, 4, 5], [1, 0, -1])),
    (("pool", "--image", VERTICAL, "-f", "2", "--op", "avg", "--at", "1,0"),
     lambda: cnncalc.pool(VERTICAL, 2, op="avg", at="1,0")),
])
def test_grids_are_the_cli_json_and_text(cli, args, call):
    run = cli(*args, "--format", "json")
    assert run.code == 0 and json.loads(run.out) == call().to_dict()
    assert cli(*args).out == fit(call().text())


def test_convolve_values():
    out = cnncalc.convolve(VERTICAL, "vertical_edge").output
    assert out.shape == ((4 - 3)//1 + 1, (4 - 3)//1 + 1)
    assert out[0, 0] == (3 + 1 + 2) - (1 + 8 + 2)  # the left column minus the right one


def test_conv_matrix_is_the_cli_json(cli):
    run = cli("conv-matrix", "-n", "8", "-f", "3", "-s", "2", "--kernel", "1 2 3", "--format", "json")
    d = cnncalc.conv_matrix(8, stride=2, kernel=[1, 2, 3])
    assert json.loads(run.out) == d and d["rows"] == (8 - 3)//2 + 1 and d["equal"]


def test_report_html_from_a_path_is_the_cli_file(cli, tmp_path):
    out = tmp_path / "lenet5.html"
    assert cli("report", ZOO / "lenet5.yaml", "-o", out, "--no-charts").code == 0
    html, notes = cnncalc.report_html(ZOO / "lenet5.yaml", charts=False)
    assert html == out.read_text() and notes == []


def test_check_table_grades_a_read_table():
    from cnncalc.check import read_answers
    answers = ROOT / "examples" / "lenet_homework_answers.md"
    report = cnncalc.check_table(read_answers(str(answers)), cnncalc.infer(ZOO / "lenet_homework.yaml"))
    assert report == cnncalc.check_answers(str(answers), ZOO / "lenet_homework.yaml")


def test_a_check_report_is_the_cli_json_and_text(cli):
    answers, spec = ROOT / "examples" / "lenet_homework_answers.md", ZOO / "lenet_homework.yaml"
    report = cnncalc.check_answers(str(answers), spec)
    assert json.loads(cli("check", answers, "--spec", spec, "--format", "json").out) == report.to_dict()
    assert cli("check", answers, "--spec", spec).out == report.text()
    assert cli("check", answers, "--spec", spec, "-v").out == report.text(verbose=True)


def test_summary_options_check_before_reading():
    assert cnncalc.summary_options("32", "Adam", "FULL") == (32, "adam", "full")
    with pytest.raises(cnncalc.ArgumentError, match="--batch"):
        cnncalc.summary_options("0")
    with pytest.raises(cnncalc.ArgumentError, match="optimizer"):
        cnncalc.summary_options(1, "lion")


# -- the CLI parses, calls the API and renders: it imports nothing that computes -----------------
CLI_MAY_IMPORT = {
    "..": {"api", "size_syntax"},                            # the API; reading the size syntax
    "..render": None, "..render.check": None, "..render.grids": None, "..render.solutions": None,  # renderers
    "..render.fit": None, "..version": None,                 # fitting text to the terminal; the version
    "..errors": None, "..files": None,                       # any name: errors, reading and writing
    ".": None, ".shared": None,
}


def cli_imports():
    import ast
    for path in sorted((ROOT / "cnncalc" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                module = "." * node.level + (node.module or "")
                for alias in node.names:
                    yield pytest.param(module, alias.name, id=f"{path.name}:{node.lineno}:{module}:{alias.name}")


@pytest.mark.parametrize("module, name", list(cli_imports()))
def test_cli_imports_only_the_api_and_renderers(module, name):
    allowed = CLI_MAY_IMPORT.get(module, set())
    assert allowed is None or name in allowed, \
        f"cnncalc/cli imports {name} from {module}: call it through cnncalc.api (the CLI only parses, calls, renders)"


def test_a_verification_is_the_cli_json_and_text(cli):
    v = cnncalc.verify(ZOO / "lenet5.yaml")
    doc = json.loads(cli("verify", ZOO / "lenet5.yaml", "--format", "json").out)
    untimed = lambda d: {**d, "seconds": 0, "layers": [{**r, "ms": 0} for r in d["layers"]]}  # noqa: E731
    assert untimed(doc) == untimed(v.to_dict())
    text = v.text(width=100)
    assert "inferred vs executed" in text and "all 8 layers agree; weights 61,706 = params 61,706" in text
    assert all(len(line) <= 100 for line in text.splitlines())
