"""Every command of the README and docs/ fits a terminal 80 characters wide (COLUMNS=80)."""
from __future__ import annotations

import shlex

import pytest

from tests.test_docs import commands, in_tmp  # noqa: F401  (in_tmp is a fixture)

WIDTH = 80


@pytest.mark.parametrize("line, output", list(commands()))
def test_docs_commands_fit_80_columns(line, output, in_tmp, cli, monkeypatch):  # noqa: F811
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    words = shlex.split(line.split(" # ")[0].split(" > ")[0])
    if {"--width", "--format", "-F", "--to"} & set(words) or words[1] == "import":
        pytest.skip("a width, a data format, a spec or source code asked for")
    run = cli(*words[1:])
    wide = [x for x in run.out.splitlines() if len(x) > WIDTH]
    assert not wide, f"{line}: {len(wide)} lines over {WIDTH}, e.g. {wide[0]!r} ({len(wide[0])})"


def test_fit_wraps_at_operators():
    from cnncalc.render.fit import fit
    line = "params 241.04 KiB + gradients 241.04 KiB + optimizer state 0 B + activations 33.18 KiB = 515.26 KiB"
    lines = fit(line, 60).splitlines()
    assert all(len(x) <= 60 for x in lines) and len(lines) >= 2
    assert lines[1].lstrip().startswith(("+", "="))  # the operator opens the continued line
    assert " ".join(x.strip() for x in lines) == line
