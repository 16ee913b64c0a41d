"""Single-layer drills (`cnncalc exercise --drill size|padding|params`): the notes' exercises,
numbered problems drawn from a seed, and the key with each answer's working.

- size: the output size of an n x n input, f x f kernel, padding p, stride s
  (floor((n + 2p - f)/s) + 1);
- padding: the padding p that keeps the output n x n ('same') at stride 1, odd f: p = (f-1)/2;
- params: the parameters of a convolution layer, (f*f*n_c_prev + 1)*n_c, or of a dense layer,
  n_in*units + units.

Every number and working line comes from the solvers (solve.size, solve.padding, solve.layer),
so the key is what `cnncalc size`, `solve padding` and `layer` print. The draws are sha256 of
the drill, the seed and a counter: the same seed gives the same problems on every machine and
Python (never hash()). A drawn problem that repeats an earlier one is drawn again.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from ..errors import ArgumentError
from ..solve import layer as solve_layer
from ..solve import padding as solve_padding
from ..solve import size as solve_size

DRILLS = ("size", "padding", "params")
MAX_COUNT = 200                  # problems in one drill
MAX_SEED = 10 ** 18 - 1          # a seed has at most 18 digits, as every number on the command line
TRIES_PER_PROBLEM = 50           # draws per wanted problem before the drill says it has run out

# What the problems are drawn from: the sizes of the notes' examples and exercises.
SIZE_N = (*range(5, 65), 96, 100, 112, 128, 224, 227, 256)
SIZE_F = (1, 2, 3, 3, 3, 4, 5, 5, 7, 11)
SIZE_S = (1, 1, 1, 2, 2, 3, 4)
SAME_N = (*range(5, 65), 96, 100, 112, 128, 224, 256)
SAME_F = (1, 3, 3, 5, 5, 7, 9, 11)
CONV_N = (28, 32, 56, 64, 112, 224)
CONV_C = (1, 3, 3, 6, 16, 32, 64, 128, 256)
CONV_F = (1, 3, 3, 3, 5, 5, 7)
CONV_K = (6, 8, 10, 16, 32, 64, 96, 128, 256, 512)
DENSE_IN = (84, 120, 256, 400, 512, 784, 1024, 2048, 4096, 9216, 25088)
DENSE_UNITS = (10, 84, 100, 120, 128, 256, 500, 1000, 4096)


@dataclass(frozen=True)
class Problem:
    """One numbered problem: the question, the answer as the key prints it, the drawn values
    (`values`, by name) and the working lines, from the solver that answers it."""
    number: int
    question: str
    answer: str
    values: tuple[tuple[str, Any], ...]
    working: tuple[str, ...]


@dataclass(frozen=True)
class Drill:
    """A drill's problems, in order. `sheet()` is the handout, `key()` the key with the working."""
    drill: str
    seed: int
    title: str
    task: str
    problems: tuple[Problem, ...]

    def sheet(self) -> str:
        from ..render.drills import sheet_markdown
        return sheet_markdown(self)

    def key(self) -> str:
        from ..render.drills import key_markdown
        return key_markdown(self)

    def to_dict(self) -> dict[str, Any]:
        from ..render.drills import drill_dict
        return drill_dict(self)


def _stream(drill: str, seed: int) -> Iterator[int]:
    """64-bit numbers from sha256("cnncalc drill DRILL SEED COUNTER")."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"cnncalc drill {drill} {seed} {counter}".encode()).digest()
        for i in range(0, 32, 8):
            yield int.from_bytes(digest[i:i + 8], "big")
        counter += 1


def _picker(stream: Iterator[int]) -> Callable[[tuple], Any]:
    return lambda choices: choices[next(stream) % len(choices)]


def _a(n: int, capital: bool = False) -> str:
    """The article before a size read aloud: 'a 5x5', 'an 8x8', 'an 11x11'."""
    word = "an" if str(n).startswith("8") or str(n) in ("11", "18") else "a"
    return word.capitalize() if capital else word


def _size(pick) -> Problem | None:
    n, f, s = pick(SIZE_N), pick(SIZE_F), pick(SIZE_S)
    p = pick(tuple(range(f // 2 + 1)))  # padding at most half the kernel, as the notes use it
    if f > n + 2 * p or s > f:  # the window must fit; a stride past the kernel skips input
        return None
    answer = solve_size((n,), (f,), (s,), ((p, p),))
    axis = answer.axes[0]
    return Problem(0, f"{_a(n, True)} {n}x{n} input, {_a(f)} {f}x{f} kernel, padding {p}, stride {s}: the output size?",
                   f"{axis.output}x{axis.output}", (("n", n), ("f", f), ("p", p), ("s", s), ("out", axis.output)),
                   (f"out = {axis.working}", axis.note))


def _padding(pick) -> Problem | None:
    n, f = pick(SAME_N), pick(SAME_F)
    if f > n:
        return None
    answer = solve_padding(n, f, 1)
    first = answer.solutions[0]
    return Problem(0, f"{_a(n, True)} {n}x{n} input and {_a(f)} {f}x{f} kernel at stride 1: the padding p per side "
                      f"that keeps the output {n}x{n} ('same')?",
                   f"p = {first.value}", (("n", n), ("f", f), ("p", first.value)),
                   (answer.formula, f"check: out = {first.working}"))


def _params(pick) -> Problem:
    if pick((True, True, False)):
        n, c, f, k = pick(CONV_N), pick(CONV_C), pick(CONV_F), pick(CONV_K)
        answer = solve_layer("conv", (n, n, c), filters=k, kernel=f)
        return Problem(0, f"A convolution layer of {k} filters of {f}x{f} on {_a(n)} {n}x{n}x{c} input: "
                          "how many parameters (weights and biases)?",
                       f"{answer.params:,}", (("layer", "conv"), ("n", n), ("c", c), ("f", f), ("k", k),
                                               ("params", answer.params)),
                       (f"params = {answer.params_text}",
                        f"each filter: {f}*{f}*{c} weights + 1 bias; {k} filters"))
    n_in, units = pick(DENSE_IN), pick(DENSE_UNITS)
    answer = solve_layer("dense", (n_in,), units=units)
    return Problem(0, f"A dense (fully connected) layer of {units:,} units on {n_in:,} input values: "
                      "how many parameters (weights and biases)?",
                   f"{answer.params:,}", (("layer", "dense"), ("n_in", n_in), ("units", units),
                                           ("params", answer.params)),
                   (f"params = {answer.params_text}", f"{n_in:,} weights per unit + 1 bias; {units} units"))


_MAKERS = {"size": _size, "padding": _padding, "params": _params}
_TITLES = {
    "size": ("Output size", "For each problem, give the output size (height x width) of the "
             "convolution: an n x n input, an f x f kernel, p rows of zero padding on each side, stride s."),
    "padding": ("Padding for 'same'", "For each problem, give the zero padding p on each side that "
                "keeps the output as large as the input (stride 1)."),
    "params": ("Parameters of a layer", "For each problem, give the number of trainable parameters "
               "(weights and biases) of the layer."),
}


def check_request(drill: str, count: int, seed: int) -> None:
    """Refuse, before any work, an unknown drill, a count outside 1..MAX_COUNT, a negative seed."""
    if drill not in DRILLS:
        raise ArgumentError(f"--drill `{drill}` is not a drill; use one of {', '.join(DRILLS)}, "
                            "e.g. --drill size")
    if not 1 <= count <= MAX_COUNT:
        raise ArgumentError(f"--count {count} is outside 1..{MAX_COUNT}, the problems one drill holds; "
                            "e.g. --count 20")
    if not 0 <= seed <= MAX_SEED:
        raise ArgumentError(f"--seed {seed} is outside 0..{MAX_SEED:,}; e.g. --seed 1")


def drill(drill: str, count: int = 20, seed: int = 0) -> Drill:
    """`count` distinct problems of `drill` (size, padding or params) drawn from `seed`."""
    check_request(drill, count, seed)
    pick, make = _picker(_stream(drill, seed)), _MAKERS[drill]
    problems: list[Problem] = []
    seen: set = set()
    for _ in range(count * TRIES_PER_PROBLEM):
        if len(problems) == count:
            break
        p = make(pick)
        if p is None or p.values in seen:
            continue
        seen.add(p.values)
        problems.append(Problem(len(problems) + 1, p.question, p.answer, p.values, p.working))
    if len(problems) < count:
        raise ArgumentError(f"the {drill} drill found {len(problems)} distinct problems in "
                            f"{count * TRIES_PER_PROBLEM:,} draws, fewer than --count {count}; "
                            f"use --count {len(problems)} or less")
    title, task = _TITLES[drill]
    return Drill(drill, seed, title, task, tuple(problems))
