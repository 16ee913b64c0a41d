"""Every working line of `conv` and `pool --at` is an equation that holds as printed: the
bias, the activation and the padded zeros are among its terms (checked by evaluating it)."""
from __future__ import annotations

import ast
import math
import operator
import re

import numpy as np
from hypothesis import given, settings, strategies as st

from cnncalc import api
from cnncalc.ops import activate

OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def value(text: str) -> float:
    """The arithmetic of a printed line (numbers, + - * /, parentheses, max(...))."""
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.BinOp):
            return OPS[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.Call) and node.func.id == "max":
            return max(ev(a) for a in node.args)
        raise AssertionError(f"unexpected {ast.dump(node)} in {text!r}")
    return ev(ast.parse(text.replace("-inf", "(-1e308)"), mode="eval"))


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=2e-6, abs_tol=2e-6)  # printed values keep 6 significant digits


def check_working(text: str, result) -> None:
    lines = [ln for ln in text.splitlines() if re.match(r"^(out|Z|A)\[", ln)]
    assert lines, text
    for line in lines:
        head, _, rest = line.partition(" = ")
        expr, _, printed = rest.rpartition(" = ")
        if head.startswith("A["):
            name, z = re.fullmatch(r"(\w+)\((.*)\)", expr).groups()
            want = float(activate(name, np.array([value(z)]))[0])
            assert close(want, value(printed)), line
            assert close(value(printed), float(result.activated[result.cell.index])), line
        else:
            assert close(value(expr), value(printed)), line
            assert close(value(printed), float(result.output[result.cell.index])), line


grids = st.integers(1, 5).flatmap(lambda h: st.integers(1, 5).flatmap(
    lambda w: st.lists(st.lists(st.integers(-9, 9), min_size=w, max_size=w), min_size=h, max_size=h)))


@settings(max_examples=60, deadline=None)
@given(image=grids, kernel=grids, data=st.data(), stride=st.integers(1, 2), padding=st.integers(0, 2),
       bias=st.one_of(st.none(), st.integers(-20, 20).map(lambda q: q / 4)),
       activation=st.sampled_from([None, "relu", "sigmoid", "tanh", "leaky_relu"]), flat=st.booleans())
def test_conv_working_line_holds(image, kernel, data, stride, padding, bias, activation, flat):
    if flat:  # one row: a 1-D signal
        image, kernel = image[:1], kernel[:1]
    if len(kernel) > len(image) + 2 * padding or len(kernel[0]) > len(image[0]) + 2 * padding:
        return
    r = api.convolve(image, kernel, stride=stride, padding=padding, bias=bias, activation=activation)
    at = tuple(data.draw(st.integers(0, n - 1)) for n in r.output.shape)
    r = api.convolve(image, kernel, stride=stride, padding=padding, bias=bias, activation=activation,
                     at=",".join(map(str, at)))
    check_working(r.text(), r)


@settings(max_examples=40, deadline=None)
@given(image=grids, data=st.data(), size=st.integers(1, 3), padding=st.integers(0, 1),
       op=st.sampled_from(["max", "avg"]))
def test_pool_working_line_holds(image, data, size, padding, op):
    if size > min(len(image), len(image[0])) or 2 * padding > size:
        return
    r = api.pool(image, size, padding=padding, op=op)
    at = tuple(data.draw(st.integers(0, n - 1)) for n in r.output.shape)
    r = api.pool(image, size, padding=padding, op=op, at=",".join(map(str, at)))
    check_working(r.text(), r)


def test_cli_prints_the_bias_and_the_activation(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # whole working lines, unwrapped
    r = cli("conv", "--image", "3 0 1 2; 1 5 8 9; 2 7 2 5; 0 1 3 1", "--kernel", "vertical_edge",
            "--at", "0,1", "--bias", "0.5", "--activation", "relu")
    # window [[0,1,2],[5,8,9],[7,2,5]] against columns 1, 0, -1: (0+5+7) - (2+9+5) = -4; + 0.5 = -3.5
    assert "Z[0,1] = 0*1 + 1*0 + 2*(-1) + 5*1 + 8*0 + 9*(-1) + 7*1 + 2*0 + 5*(-1) + 0.5 = -3.5" in r.out
    assert "A[0,1] = relu(-3.5) = 0" in r.out
    r = cli("conv", "--image", "3 0 1 2 5 6", "--kernel", "1 0 -1", "--at", "0", "-p", "1", "--bias", "-1")
    assert "Z[0] = 0*1 + 3*0 + 0*(-1) + (-1) = -1" in r.out  # the padded zero is a term
