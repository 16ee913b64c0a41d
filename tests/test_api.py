"""The public API gives exactly what the CLI prints."""
from __future__ import annotations

import json

import pytest

import cnncalc
from tests.conftest import ZOO

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
