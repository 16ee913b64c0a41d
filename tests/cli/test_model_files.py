"""Model files on the command line: `cnncalc import`, and every spec command reading .py, .keras,
Keras JSON and .onnx files with --input and --class (docs/models.md)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, ZOO

BLITZ = ROOT / "docs" / "examples" / "blitz_net.py"
READERS = ROOT / "tests" / "readers"
BLITZ_PARAMS = (5*5*3*6 + 6) + (5*5*6*16 + 16) + (16*5*5*120 + 120) + (120*84 + 84) + (84*10 + 10)  # 62,006

TWO_CLASSES = '''
import torch.nn as nn

class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)

    def forward(self, x):
        return self.conv(x)

class Big(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 8, 5)

    def forward(self, x):
        return self.conv(x)
'''


def totals(run) -> dict:
    assert run.code == 0, run.err
    return json.loads(run.out)["totals"]


def test_import_writes_a_spec_that_summarizes_the_same(cli, tmp_path):
    run = cli("import", BLITZ, "--input", "32x32x3")
    assert run.code == 0, run.err
    assert run.out.startswith("# Read by `cnncalc import` from ") and "name: conv1" in run.out
    (tmp_path / "blitz.yaml").write_text(run.out)
    assert totals(cli("summary", tmp_path / "blitz.yaml", "--format", "json"))["params"] == BLITZ_PARAMS
    assert totals(cli("summary", BLITZ, "--input", "32x32", "--format", "json"))["params"] == BLITZ_PARAMS


def test_import_to_a_file_never_replaces_the_model(cli, tmp_path):
    model = tmp_path / "net.py"
    model.write_text(BLITZ.read_text())
    run = cli("import", model, "--input", "32x32x3", "-o", tmp_path / "net.yaml")
    assert run.code == 0 and (tmp_path / "net.yaml").read_text().startswith("# Read by")
    run = cli("import", model, "--input", "32x32x3", "-o", model)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert model.read_text() == BLITZ.read_text()


@pytest.mark.parametrize("command, extra", [
    ("summary", ["--format", "json"]),
    ("verify", ["--format", "json"]),
    ("export", ["--to", "pytorch"]),
    ("export", ["--to", "keras"]),
    ("report", ["-o", "-", "--no-charts"]),
    ("plot", ["-o", "-"]),
    ("solve input", ["--max", "64"]),
])
def test_every_spec_command_reads_a_model_file(cli, tmp_path, monkeypatch, command, extra):
    monkeypatch.chdir(tmp_path)
    run = cli(*command.split(), BLITZ, "--input", "32x32x3", *extra)
    assert run.code in (0, 1), run.err
    assert run.out


def test_check_reads_a_model_file_as_its_spec(cli, tmp_path):
    (tmp_path / "answers.md").write_text("| Layer | # parameters |\n|---|---|\n| conv1 | 456 |\n| conv2 | 2416 |\n")
    run = cli("check", tmp_path / "answers.md", "--spec", BLITZ, "--input", "32x32")
    # the two cells given are right; the handout's other cells are unanswered (exit 1, not an error)
    assert run.code in (0, 1) and not run.err, (run.out, run.err)
    assert run.out.count("\u2713") == 2 and "\u2717" not in run.out and "Total params of Net: 62,006" in run.out


@pytest.mark.parametrize("given, want", [
    ("64x64x3", ((64 - 4)//2 - 4)//2),     # the whole shape
    ("64x64", ((64 - 4)//2 - 4)//2),       # the spatial sizes keep the channels
])
def test_input_overrides_a_yaml_spec(cli, given, want):
    d = json.loads(cli("summary", ZOO / "lenet5.yaml", "--input", given, "--format", "json").out)
    assert d["input"][:2] == [64, 64]
    assert d["layers"][3]["output_shape"][0] == want


@pytest.mark.parametrize("args, words", [
    (["summary", ZOO / "lenet5.yaml", "--input", "1x32x32x1"], "give all 3"),
    (["summary", ZOO / "lenet5.yaml", "--input", "0x32x1"], "--input"),
    (["summary", ZOO / "lenet5.yaml", "--class", "Net"], "leave --class out"),
    (["summary", BLITZ], "give it with --input, e.g. --input 32x32"),
    (["summary", BLITZ, "--input", "32x32", "--class", "Nope"], "Nope"),
    (["import", ZOO / "lenet5.yaml"], "is not a model file"),
    (["import", ROOT / "nothing_here.py"], "nothing_here.py"),
])
def test_model_mistakes_are_one_line(cli, args, words):
    run = cli(*args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and words in run.err, run.err


def test_class_picks_one_of_several(cli, tmp_path):
    (tmp_path / "two.py").write_text(TWO_CLASSES)
    big = totals(cli("summary", tmp_path / "two.py", "--input", "28x28", "--class", "Big", "--format", "json"))
    small = totals(cli("summary", tmp_path / "two.py", "--input", "28x28", "--class", "Small", "--format", "json"))
    assert big["params"] == 5*5*1*8 + 8 and small["params"] == 3*3*1*4 + 4
    run = cli("summary", tmp_path / "two.py", "--input", "28x28")   # several: never a guess
    assert run.code == 2 and "defines 2 models (Small, Big)" in run.err and "pass --class NAME" in run.err


@pytest.mark.parametrize("name", ["mnist_convnet.keras", "mobilenet.json", "small_resnet.onnx", "blitz_cnn.py"])
def test_saved_models_summarize_to_the_frameworks_count(cli, name):
    """tests/readers/counts.json: the frameworks' own counts, with their source and version."""
    if name.endswith(".onnx"):
        pytest.importorskip("onnx")
    want = json.loads((READERS / "counts.json").read_text())[name]
    size = "x".join(map(str, want["input"])) if "input" in want else None
    run = cli("summary", READERS / name, *(["--input", size] if size else []), "--format", "json")
    assert totals(run)["params"] == want["params"]


def test_round_trip_through_export_and_import(cli, tmp_path):
    """The library's round trip over the whole zoo is in tests/readers/test_round_trip.py; this is the CLI's."""
    want = json.loads(cli("summary", ZOO / "resnet18.yaml", "--format", "json").out)
    for to in ("pytorch", "keras"):
        assert cli("export", ZOO / "resnet18.yaml", "--to", to, "-o", tmp_path / f"r18_{to}.py").code == 0
        got = json.loads(cli("summary", tmp_path / f"r18_{to}.py", "--input", "224x224x3", "--format", "json").out)
        for key in ("params", "trainable_params", "macs"):
            assert got["totals"][key] == want["totals"][key], key
        assert got["layers"][-1]["output_shape"] == want["layers"][-1]["output_shape"]
