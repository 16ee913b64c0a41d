"""Shared fixtures: run the CLI in-process (fast) or as a real process (exit codes, stderr); the
checks several test files share; and how the whole suite runs (docs/testing.md): on every core
when pytest-xdist is installed, with fewer hypothesis examples under `-m "not slow"`."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "architectures"
FAST_EXAMPLES = 25  # the most examples a hypothesis property tries in the fast run
# Small networks of each shape (chain, 1-D, transposed, residual, U-Net) that zoo-wide loops keep in
# the fast run; the rest of the zoo runs in the full suite.
FAST_ZOO = ("alexnet", "dcgan_generator", "lenet5", "lenet_homework", "resnet18", "signal1d", "unet_small", "vgg16")


def zoo(names, fast=FAST_ZOO) -> list:
    """`names` (network names, file names or paths) as parameters, those not in `fast` marked slow."""
    return [n if Path(str(n)).stem in fast else pytest.param(n, marks=pytest.mark.slow) for n in names]


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The whole suite (no paths named) runs on every core, as `-n auto` would; `-n 0` or
    `-p no:xdist` runs it in one process, and naming test files runs them in one process."""
    if (config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and config.option.numprocesses is None and config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.option.collectonly and not config.option.usepdb):
        config.option.numprocesses = "auto"


def fast_run(config) -> bool:
    return "not slow" in " ".join((config.option.markexpr or "").split())


def pytest_collection_modifyitems(config, items):
    """Under `-m "not slow"` a hypothesis property tries at most FAST_EXAMPLES examples; the full
    suite tries the number its @settings names."""
    if not fast_run(config):
        return
    from hypothesis import settings
    for item in items:
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is not None and chosen.max_examples > FAST_EXAMPLES:
            test._hypothesis_internal_use_settings = settings(chosen, max_examples=FAST_EXAMPLES)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli():
    """cli("summary", path, "--format", "json") -> Run, in-process through typer's runner."""
    from typer.testing import CliRunner
    from cnncalc.cli import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Run:
        result = runner.invoke(app, [str(a) for a in args], input=input)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)
    return run


def _in_process(monkeypatch, columns: str):
    from typer.testing import CliRunner
    from cnncalc import main as entry

    def run(*args: str, input: str | None = None) -> Run:
        monkeypatch.setattr(sys, "argv", ["cnncalc", *map(str, args)])
        with CliRunner().isolation(input=input, env={"COLUMNS": columns}) as (out, err, _):
            try:
                entry.main()
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else int(e.code is not None)
            sys.stdout.flush()
            sys.stderr.flush()
            return Run(code, out.getvalue().decode(), err.getvalue().decode())
    return run


@pytest.fixture
def main(monkeypatch):
    """main("summary", path) -> Run, as `python -m cnncalc` runs it (cnncalc.main.main: the
    summary fast path, one-line usage errors, the exit status) but in this process, with the
    real process's COLUMNS=120. `proc` is for what only a process shows."""
    return _in_process(monkeypatch, "120")


@pytest.fixture
def main80(monkeypatch):
    """`main` in a terminal of 80 columns, as a student's."""
    return _in_process(monkeypatch, "80")


@pytest.fixture
def proc():
    """proc("summary", path) -> Run, as `python -m cnncalc` in a real process."""
    def run(*args: str, input: str | None = None, env: dict | None = None) -> Run:
        environ = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", **(env or {})}
        p = subprocess.run([sys.executable, "-m", "cnncalc", *map(str, args)], capture_output=True,
                           text=True, input=input, env=environ, timeout=120)
        return Run(p.returncode, p.stdout, p.stderr)
    return run


@pytest.fixture
def spec_file(tmp_path):
    """spec_file("input: [5, 5, 3]\\nlayers: ...") -> path of a file with that text."""
    def make(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path
    return make


def one_line_error(call, *words) -> str:
    """call() raises a CnncalcError of one line holding every one of `words`; its text."""
    from cnncalc import CnncalcError
    with pytest.raises(CnncalcError) as e:
        call()
    text = str(e.value)
    assert "\n" not in text
    for w in words:
        assert w in text, text
    return text


def exports_agree(text: str) -> None:
    """The spec's torch and Keras exports build and compute the same on copied weights, layer by
    layer (tests/export/test_torch_keras_agree.py), and `verify` runs it in NumPy."""
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from cnncalc import api, infer, parse_spec
    from tests.export.test_torch_keras_agree import compare
    compare(infer(parse_spec(text)))
    assert api.verify(parse_spec(text)).agree
