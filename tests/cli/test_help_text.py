"""--version; every docs/ path a --help names exists; install hints print literally."""
from __future__ import annotations

import re

import typer

from cnncalc.cli import app
from cnncalc.version import __version__
from tests.conftest import ROOT


def helps(cli):
    """The --help text of every command and subcommand."""
    def walk(cmd, path):
        yield path, cli(*path, "--help").out
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])
    return list(walk(typer.main.get_command(app), []))


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and r.out == f"cnncalc {__version__}\n"


def test_every_docs_path_in_help_exists(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # a path never split across lines
    named = {(" ".join(p), m) for p, text in helps(cli) for m in re.findall(r"docs/[\w./-]+?\.md", text)}
    missing = [(cmd, path) for cmd, path in named if not (ROOT / path).exists()]
    assert not missing, missing


def test_install_hint_is_literal(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    assert "pip install 'cnncalc[onnx]'" in cli("import", "--help").out  # not eaten as rich markup
