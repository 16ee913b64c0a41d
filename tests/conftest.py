"""Shared fixtures: run the CLI in-process (fast) or as a real process (exit codes, stderr); and
the checks several test files share."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ZOO = ROOT / "architectures"


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
    layer (tests/test_export_equivalence.py), and `verify` runs it in NumPy."""
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    from cnncalc import api, infer, parse_spec
    from tests.test_export_equivalence import compare
    compare(infer(parse_spec(text)))
    assert api.verify(parse_spec(text)).agree
