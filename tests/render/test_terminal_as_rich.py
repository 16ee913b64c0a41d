"""The plain table formatter (cnncalc/render/terminal.py) prints exactly what rich prints, character
for character and escape code for escape code, or hands the table back to rich (None)."""
from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cnncalc import api
from cnncalc.render import table, terminal
from tests.conftest import ZOO, zoo

WIDTHS = (40, 57, 80, 100, 119, 120, 121, 160, 200)
NETS = sorted(p.stem for p in ZOO.glob("*.yaml"))


def rich_text(s, columns, width: int, styles: bool) -> str:
    from rich.console import Console
    out = io.StringIO()
    Console(file=out, width=width, force_terminal=styles, color_system="standard" if styles else None,
            legacy_windows=False, _environ={}).print(table.table(s.result, columns, s.metrics, width=width))
    return out.getvalue()


@pytest.fixture(scope="module")
def summaries():
    return {net: api.summarize(str(ZOO / f"{net}.yaml")) for net in NETS}


@pytest.mark.parametrize("styles", [False, True])
@pytest.mark.parametrize("net", zoo(NETS))
def test_the_zoo_prints_as_rich_prints_it(net, styles, summaries):
    s = summaries[net]
    plain = 0
    for width in WIDTHS:
        for columns in (table.DEFAULT_COLUMNS, table.DEFAULT_COLUMNS + (table.Column.FLOPS,)):
            text = table.plain_table(s.result, columns, s.metrics, width, styles)
            if text is not None:
                plain += 1
                assert text == rich_text(s, columns, width, styles), (net, width, columns)
    assert plain  # the fast path is taken at some width for every network


def test_vgg16_at_a_usual_width_takes_the_fast_path(summaries):
    s = summaries["vgg16"]
    assert table.plain_table(s.result, table.DEFAULT_COLUMNS, s.metrics, 120) is not None


NAMES = st.text(alphabet=st.sampled_from("ab_[]/\\ é漢\t-=xy1"), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@example(name="\\", spec_name="1", width=40).via("a trailing backslash: rich's escape() showed it twice")
@example(name="1", spec_name="\\[", width=40).via("rich's escape() dropped the backslash of \\[")
@given(name=NAMES, spec_name=NAMES, width=st.integers(40, 140))
def test_any_names_print_as_rich_prints_them_or_go_to_rich(name, spec_name, width):
    """Markup-like, wide, tab and long names: the same text as rich's, or None."""
    s = api.summarize(api.load(_yaml(spec_name, name)))
    for styles in (False, True):
        got = table.plain_table(s.result, table.DEFAULT_COLUMNS, s.metrics, width, styles)
        if got is not None:
            assert got == rich_text(s, table.DEFAULT_COLUMNS, width, styles)


def _yaml(spec_name: str, name: str) -> str:
    import json
    return (f"name: {json.dumps(spec_name)}\ninput: [8, 8, 3]\nlayers:\n"
            f"  - conv2d: {{filters: 4, kernel: 3, name: {json.dumps(name)}}}\n  - relu\n")


@pytest.mark.parametrize("text, width, lines", [
    ("a b c", 3, ["a b", "c"]),
    ("abc def", 7, ["abc def"]),
    ("abc def", 6, ["abc ", "def"]),  # rich keeps a line's trailing space within the width
    ("abc  def", 4, ["abc ", "def"]),
    ("", 10, None),
    ("abcdefghijk", 10, None),
])
def test_wrap(text, width, lines):
    assert terminal.wrap(text, width) == lines


@pytest.mark.parametrize("env, isatty, width, expected", [
    ({"COLUMNS": "100"}, False, None, (100, False)),
    ({"COLUMNS": "100"}, False, 70, (70, False)),
    ({"COLUMNS": "90"}, True, None, (90, True)),
    ({"COLUMNS": "90", "TERM": "dumb"}, True, None, None),
    ({"COLUMNS": "90", "FORCE_COLOR": "1"}, False, None, (90, True)),
    ({"COLUMNS": "90", "FORCE_COLOR": ""}, True, None, (90, False)),
    ({"COLUMNS": "90", "TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, True, None, (90, False)),
    ({"COLUMNS": "90", "JUPYTER_COLUMNS": "50"}, False, None, None),
])
def test_console_width_and_styles_as_rich_decides(env, isatty, width, expected, monkeypatch):
    for k in ("COLUMNS", "TERM", "FORCE_COLOR", "TTY_COMPATIBLE", "JUPYTER_COLUMNS", "JUPYTER_LINES"):
        monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)

    class Out(io.StringIO):
        def isatty(self):
            return isatty
    monkeypatch.setattr("sys.stdout", Out())
    assert terminal.console(width) == expected
    if expected is not None:
        from rich.console import Console
        c = Console(width=width)
        assert (c.width, c.color_system is not None) == expected
