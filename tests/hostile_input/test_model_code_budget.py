"""A model file's evaluator (readers/pyexpr.py, pysource.py) on code made to break it: every
value that can grow is checked against one budget of size and steps, what Python refuses is one
line at the expression, and nothing hostile reaches an internal error, a hang or Python's own
advice. In-process with hypothesis; the memory and time attacks also as processes under a
2 GiB address-space limit."""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError
from cnncalc.readers import read_model

ROOT = Path(__file__).resolve().parent.parent.parent
FUZZ = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))

MODEL = """import torch.nn as nn
{pre}
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, {channels}, 3)

    def forward(self, x):
        return self.conv(x)
"""

# (code before the class, the conv's channels, words the one-line error holds)
ATTACKS = {
    "square": ("n = 3\nfor i in range(40):\n    n = n * n", "8", ["more than 1,000 digits", ":4:"]),
    "string-doubled": ("s = 'ab'\nfor i in range(60):\n    s = s + s", "8", ["100,000", ":4:"]),
    "list-doubled": ("s = [1]\nfor i in range(60):\n    s += s", "8", ["100,000", ":4:"]),
    "string-times": ("s = 'a' * 10**12", "8", ["1,000,000,000,000", ":2:"]),
    "times-twice": ("s = 'a' * 100000\ns = s * 100000", "8", ["100,000", ":3:"]),
    "comprehension": ("s = [[1] * 90000 for i in range(90000)]", "8", ["steps", ":2:"]),
    "nested-comprehension": ("s = [[j for j in range(99999)] for i in range(99999)]", "8", ["steps"]),
    "format-width": ("s = f'{1:99999999}'", "8", ["100,000", ":2:"]),
    "format-nested-width": ("w = 99999999\ns = f'{1:>{w}}'", "8", ["100,000", ":3:"]),
    "power": ("s = 2 ** 64 ** 2", "8", ["too large", ":2:"]),
    "int-inf": ("w = int(float('inf'))", "w", ["w", "cannot convert float infinity"]),
    "round-inf": ("w = round(1e308 * 10)", "w", ["w", "infinity"]),
    "nan-channels": ("w = float('nan')", "w", ["not a finite number", ":6:"]),
    "inf-literal": ("w = 1e999", "w", ["not a finite number"]),
    "big-literal": ("w = " + "9" * 4400, "w", ["4,300 digits", ":2:"]),
    "big-text": ("w = int('9' * 5000)", "w", ["4,300 digits"]),
    "compare": ("w = 8 if 1 < 'a' else 4", "w", ["not supported", "w"]),
    "slice-zero": ("w = len('ab'[::0])", "w", ["step 0"]),
    "unhashable": ("w = {[1]: 2}[0]", "w", ["unhashable"]),
    "unhashable-in": ("w = 8 if [1] in {1: 2} else 4", "w", ["unhashable"]),
    "in-int": ("w = 8 if 1 in 3 else 4", "w", ["not iterable"]),
}


def _model(tmp_path, pre: str, channels: str) -> Path:
    path = tmp_path / "net.py"
    path.write_text(MODEL.format(pre=pre, channels=channels))
    return path


@pytest.mark.parametrize("name", list(ATTACKS))
def test_growth_and_python_refusals_are_one_line(name, tmp_path):
    pre, channels, words = ATTACKS[name]
    path = _model(tmp_path, pre, channels)
    with pytest.raises(CnncalcError) as e:
        read_model(str(path), input=(32, 32, 3))
    text = str(e.value)
    assert text.startswith(f"{path}:"), text
    assert "\n" not in text and "set_int_max_str_digits" not in text, text
    for w in words:
        assert w in text, text


def test_a_limit_at_module_level_is_the_error(tmp_path):
    """A budget reached at module level is not passed over as an unknown value: the error says it."""
    path = tmp_path / "net.py"
    path.write_text("import torch.nn as nn\nsizes = [1] * 200000\n"
                    "model = nn.Sequential(nn.Conv2d(3, 8, 3))\n")
    with pytest.raises(CnncalcError, match=r"net\.py:2:9: a list of 200,000 items"):
        read_model(str(path), input=(32, 32, 3))


def test_the_reason_of_an_unknown_name_is_kept(tmp_path):
    path = _model(tmp_path, "w = int('x')", "w")
    with pytest.raises(CnncalcError, match=r"computed at line 2 .*invalid literal"):
        read_model(str(path), input=(32, 32, 3))


def test_growth_within_the_budget_is_still_read(tmp_path):
    pre = ("names = ['a'] * 3 + ['b']\nw = len(names * 2) + sum([i for i in range(3)])\n"
           "s = ''\nfor n in names:\n    s = s + n\nw = w + len(s) - 4 + len(f'{w:>5}')")
    text = read_model(str(_model(tmp_path, pre, "w")), input=(32, 32, 3))
    assert "filters: 16" in text


LEAF = st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(
    ["'ab'", "[1, 2]", "(1,)", "{1: 2}", "1.5", "1e308", "float('nan')", "float('inf')", "None", "True",
     "''", "[[1]]", "range(3)", "'%s'"]))
OPS = ["+", "-", "*", "/", "//", "%", "**", "<", "==", "in", "and", "or"]


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(LEAF)
    kind = draw(st.sampled_from(["binop", "call", "index", "fstring", "comp"]))
    a, b = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    if kind == "binop":
        return f"({a} {draw(st.sampled_from(OPS))} {b})"
    if kind == "call":
        fn = draw(st.sampled_from(["int", "float", "str", "len", "list", "tuple", "dict", "sum", "max", "min",
                                   "sorted", "abs", "round", "range", "zip", "enumerate", "reversed"]))
        return f"{fn}({a})" if draw(st.booleans()) else f"{fn}({a}, {b})"
    if kind == "index":
        return f"{a}[{b}]" if draw(st.booleans()) else f"{a}[{b}::{draw(LEAF)}]"
    if kind == "fstring":
        return f"f'{{{a}:{draw(st.sampled_from(['', '>9', '.3f', 'x', '{b}', ',']))}}}'".replace("{b}", "{" + b + "}")
    return f"[{a} for _ in range(3)]"


@FUZZ
@given(expr=expressions(), loop=st.booleans())
def test_any_expression_is_a_value_or_one_line(expr, loop, tmp_path_factory):
    pre = f"w = {expr}"
    if loop:
        pre = f"w = {expr}\nfor i in range(30):\n    w = w * w if isinstance(w, int) else w + w"
    path = _model(tmp_path_factory.mktemp("py"), pre, "w")
    try:
        read_model(str(path), input=(32, 32, 3))
    except CnncalcError as e:
        assert "\n" not in str(e) and "set_int_max_str_digits" not in str(e)


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


HUGE = {
    "tree": lambda: "import torch.nn as nn\nx = " + "1+" * 4_000_000 + "1\n",
    "square": lambda: _text("n = 3\nfor i in range(100000):\n    n = n * n"),
    "doubling": lambda: _text("s = [0]\nfor i in range(100):\n    s = s + s + s"),
    "comprehension": lambda: _text("s = [[[0] * 99999 for i in range(99999)] for j in range(99999)]"),
}


def _text(pre: str) -> str:
    return MODEL.format(pre=pre, channels="8")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(HUGE))
def test_memory_and_time_as_a_process(name, tmp_path):
    path = tmp_path / "net.py"
    path.write_text(HUGE[name]())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "cnncalc", "import", str(path), "--input", "32x32x3"],
                       capture_output=True, text=True, timeout=60, env=env, preexec_fn=_limit,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 2, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and str(path) in p.stderr, p.stderr
