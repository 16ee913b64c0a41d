"""Every command of the README and docs/ fits a terminal 80 characters wide (COLUMNS=80)."""
from __future__ import annotations

import shlex

import pytest

from tests.test_docs import commands, in_tmp  # noqa: F401  (in_tmp is a fixture)

WIDTH = 80
# Output that is machine-readable, where wrapping would break it: the data formats (JSON, CSV,
# YAML, Markdown tables, Gradescope's JSON), generated code (export --to) and the spec YAML that
# import writes. Every other command must fit 80 columns.
DATA_FORMATS = {"json", "csv", "yaml", "markdown", "gradescope"}


def exemption(words: list[str]) -> str | None:
    """Why this command's output may be wider than 80 columns, or None."""
    for flag in ("--format", "-F"):
        if flag in words and words[words.index(flag) + 1] in DATA_FORMATS:
            return f"{flag} {words[words.index(flag) + 1]}: a data format"
    if words[1] == "export":
        return "export: Python code"
    if words[1] == "import":
        return "import: a YAML spec"
    if "--width" in words and int(words[words.index("--width") + 1]) > WIDTH:
        return "--width wider than 80 asked for"
    return None


@pytest.mark.parametrize("line, output", list(commands()))
def test_docs_commands_fit_80_columns(line, output, in_tmp, main80):  # noqa: F811
    words = shlex.split(line.split(" # ")[0].split(" > ")[0])
    why = exemption(words)
    if why:
        pytest.skip(why)
    run = main80(*words[1:])
    wide = [x for x in run.out.splitlines() if len(x) > WIDTH]
    assert not wide, f"{line}: {len(wide)} lines over {WIDTH}, e.g. {wide[0]!r} ({len(wide[0])})"


def test_hidden_columns_said_in_one_line(main80):
    out = main80("summary", "architectures/vgg16.yaml").out.splitlines()
    assert "Hidden to fit 80: RF, Hyper-params, MACs (--width 111 or --columns shows them)." in out
    assert max(map(len, out)) <= WIDTH


def test_totals_wrap_at_the_terminal_not_the_narrow_table(main80):
    out = [x.rstrip() for x in main80("summary", "architectures/vgg16.yaml", "--columns", "name,params").out.splitlines()]
    table = max(len(x) for x in out[:5])
    assert table < 40 and max(map(len, out)) <= WIDTH
    assert "Activations (all layer outputs, batch 1): 15,112,168 values, 57.65 MiB" in out  # 70 wide, one line
    assert "FLOPs (2macs: 2 x MACs): 30,940,528,640 (30.94 G)" in out


def test_explain_honours_width(main80):
    for width in (60, 100):
        out = main80("summary", "architectures/lenet5.yaml", "--explain", "--width", str(width)).out.splitlines()
        assert max(map(len, out)) <= width


def test_fit_wraps_at_operators():
    from cnncalc.render.fit import fit
    line = "params 241.04 KiB + gradients 241.04 KiB + optimizer state 0 B + activations 33.18 KiB = 515.26 KiB"
    lines = fit(line, 60).splitlines()
    assert all(len(x) <= 60 for x in lines) and len(lines) >= 2
    assert lines[1].lstrip().startswith(("+", "="))  # the operator opens the continued line
    assert " ".join(x.strip() for x in lines) == line


def test_asked_columns_too_wide_are_hidden_not_cut(main80):
    """--columns all at 80: numbers are never cut; the columns that do not fit are named."""
    out = main80("summary", "architectures/vgg16.yaml", "--columns", "all").out
    lines = out.splitlines()
    assert max(map(len, lines)) <= WIDTH
    assert "173,408,256" in out  # block1_conv1's FLOPs, whole
    assert any(x.startswith("Hidden to fit 80: ") for x in lines)
