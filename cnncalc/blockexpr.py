"""Block expressions (`$filters*4`, `$make_divisible(in.channels*6, 8)`, `$stride == 1`): whole
numbers over the block's parameters and input shape, read by a small recursive-descent parser,
never `eval` (cnncalc/blocks.py substitutes them; docs/spec.md "Networks that branch")."""
from __future__ import annotations

import re
from typing import Any

MAX_EXPR = 200  # characters
SHAPE_WORDS = ("channels", "h", "w")  # in.channels, in.h, in.w: the block's input shape
_TOKEN = re.compile(r"\s*(?:\$(?!in\.)([A-Za-z_]\w*)|(\d+)|(//|==|!=|<=|>=|[-+*%()<>,])|(?!in\.)([A-Za-z_]\w*)"
                    r"|\$?(in\.[A-Za-z_]\w*))")
FUNCTIONS = ("min", "max", "make_divisible")
COMPARISONS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
               "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def make_divisible(v: int, divisor: int) -> int:
    """MobileNet's and EfficientNet's channel rounding (torchvision's _make_divisible): the
    nearest multiple of `divisor`, at least `divisor`, and never below 90% of v."""
    if divisor < 1:
        raise ValueError(f"make_divisible's divisor {divisor} must be at least 1")
    new = max(divisor, (2 * v + divisor) // 2 // divisor * divisor)  # int(v + divisor / 2) // d * d
    return new + divisor if 10 * new < 9 * v else new


def evaluate(text: str, lookup) -> int | bool:
    """A whole-number expression over `$name`s and `in.channels`, `in.h`, `in.w`: integers, + - * // % and parentheses, the
    functions min, max and make_divisible(v, 8), and one comparison (== != < <= > >=), which
    gives a boolean (for `when:`).

    A tiny recursive-descent parser; `lookup(name)` gives a parameter's integer value.
    """
    p = _Parser(tokenize(text), lookup)
    value = p.expr()
    if p.peek()[0] == "op" and p.peek()[1] in COMPARISONS:
        value = COMPARISONS[p.take()[1]](value, p.expr())
    if p.peek()[0] != "end":
        raise ValueError(f"has `{p.peek()[1]}` where an operator belongs")
    return value


def tokenize(text: str) -> list[tuple[str, Any]]:
    """(kind, value) tokens: fn, param, int, op, and a last ("end", None)."""
    if len(text) > MAX_EXPR:
        raise ValueError(f"is longer than {MAX_EXPR} characters")
    tokens: list[tuple[str, Any]] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        m = _TOKEN.match(text, pos)
        if not m:
            at = len(text) - len(text[pos:].lstrip())
            why = "; `/` is not whole-number division, use `//`" if text[at] == "/" else ""
            raise ValueError(f"cannot read `{text[at]}` at character {at + 1}{why}")
        if m.group(1) in FUNCTIONS and text[m.end():].lstrip().startswith("("):
            tokens.append(("fn", m.group(1)))  # `$max(...)`: a value that starts with a function
        elif m.group(1) or m.group(5):
            tokens.append(("param", m.group(1) or m.group(5)))
        elif m.group(2):
            tokens.append(("int", int(m.group(2))))
        elif m.group(4):
            if m.group(4) not in FUNCTIONS:
                raise ValueError(f"names `{m.group(4)}`, which is no function here (they are "
                                 f"{', '.join(FUNCTIONS)}); a parameter is written `${m.group(4)}`")
            tokens.append(("fn", m.group(4)))
        else:
            tokens.append(("op", m.group(3)))
        pos = m.end()
    tokens.append(("end", None))
    return tokens


class _Parser:
    """expr := term (+|- term)*; term := factor (*|//|% factor)*; factor := -factor | int |
    param | fn(expr, ...) | (expr)."""

    def __init__(self, tokens: list[tuple[str, Any]], lookup):
        self.tokens, self.i, self.lookup = tokens, 0, lookup

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.i]

    def take(self) -> tuple[str, Any]:
        self.i += 1
        return self.tokens[self.i - 1]

    def expr(self) -> int:
        value = self.term()
        while self.peek() in (("op", "+"), ("op", "-")):
            op = self.take()[1]
            value = value + self.term() if op == "+" else value - self.term()
        return value

    def term(self) -> int:
        value = self.factor()
        while self.peek() in (("op", "*"), ("op", "//"), ("op", "%")):
            op = self.take()[1]
            right = self.factor()
            if op == "*":
                value *= right
            elif right == 0:
                raise ValueError("divides by zero")
            else:
                value = value // right if op == "//" else value % right
            if abs(value) > 1 << 40:
                raise ValueError("is absurdly large")
        return value

    def factor(self) -> int:
        kind, value = self.take()
        if (kind, value) in (("op", "-"), ("op", "+")):
            inner = self.factor()
            return -inner if value == "-" else inner
        if kind == "int":
            return value
        if kind == "param":
            return self.lookup(value)
        if kind == "fn":
            return self.call(value)
        if (kind, value) == ("op", "("):
            inner = self.expr()
            if self.take() != ("op", ")"):
                raise ValueError("has a `(` without its `)`")
            return inner
        raise ValueError("ends too early" if kind == "end" else f"has `{value}` where a number belongs")

    def call(self, name: str) -> int:
        if self.take() != ("op", "("):
            raise ValueError(f"names {name} without its arguments: write {name}(a, b)")
        args = [self.expr()]
        while self.peek() == ("op", ","):
            self.take()
            args.append(self.expr())
        if self.take() != ("op", ")"):
            raise ValueError(f"has a `{name}(` without its `)`")
        if name == "make_divisible":
            if len(args) != 2:
                raise ValueError(f"calls make_divisible with {len(args)} arguments; write make_divisible($c*6, 8)")
            return make_divisible(*args)
        return (min if name == "min" else max)(args)
