"""Inverse problems of one window (`solve padding`, `solve kernel`, `solve stride`): every
integer answer, or why there is none.

Each solver is a pure function returning a frozen `Answer`: the question in words, the formula
with the numbers plugged in, and every solution marked exact (the division leaves no rows
unread) or not (the floor drops `dropped` rows at the end of the axis). Sizes come from
formulas.py and the kinds; this module only inverts them by search over their few candidates.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError
from ..shapes import Axis

MAX_LISTED = 20  # a stride range longer than this is summarised, not listed


@dataclass(frozen=True)
class Solution:
    """One answer: `value` of `quantity` gives `output`; `dropped` rows are never read."""
    quantity: str              # "padding", "kernel", "stride" or "input"
    value: Any                 # int, or (before, after) for an asymmetric padding
    output: int
    exact: bool
    dropped: int
    working: str               # the forward formula with this value plugged in
    note: str = ""


@dataclass(frozen=True)
class Answer:
    """A solver's reply. No solutions means "no": `reason` says why."""
    question: str
    formula: str
    solutions: tuple[Solution, ...]
    notes: tuple[str, ...] = ()
    reason: str | None = None
    tf_same: Solution | None = None   # what TensorFlow/Keras padding='same' gives instead

    @property
    def solved(self) -> bool:
        return bool(self.solutions)

    def to_dict(self) -> dict[str, Any]:
        """The answer as `--format json` prints it."""
        from ..render.solutions import answer_dict
        return answer_dict(self)

    def text(self) -> str:
        """The answer as the command prints it."""
        from ..render.solutions import answer_text
        return answer_text(self)


def positive(**values: int | None) -> None:
    """Every given size must be an integer >= 1 (padding is checked with `nonnegative`)."""
    for name, v in values.items():
        if v is not None and v < 1:
            raise ArgumentError(f"{name} must be a positive integer, got {v}; e.g. {name}=1")


def nonnegative(**values: int) -> None:
    for name, v in values.items():
        if v < 0:
            raise ArgumentError(f"{name} must be 0 or more, got {v}; padding adds zero rows")


def _pad_text(pad: F.Pad) -> str:
    return str(pad[0]) if pad[0] == pad[1] else f"({pad[0]}, {pad[1]})"


def _solution(quantity: str, value: Any, n: int, f: int, s: int, pad: F.Pad, d: int,
              note: str = "") -> Solution:
    """Evaluate one candidate with the library's own formula."""
    a = Axis(n, f, s, pad, d)
    out = F.conv_out(n, f, s, pad, d)
    r = F.dropped(n, f, s, pad, d)
    working = X.conv_text(a, out)
    if r:
        note = (note + "; " if note else "") + f"the floor leaves {X.unread_text(r, pad)} unread"
    return Solution(quantity, value, out, r == 0, r, working, note)


# ---- padding ------------------------------------------------------------------------------

def padding(n: int, f: int, s: int = 1, d: int = 1, out: int | None = None) -> Answer:
    """Padding that makes an n-row axis give `out` rows (default out = n, the course's "same").

    Exact p = ((out-1)*s + d*(f-1) + 1 - n)/2; with out = n, d = 1 that is the course's
    p = (n*s - n + f - s)/2. Lists every symmetric p reaching `out` under the floor rule,
    the exact asymmetric split when the total is odd, and TensorFlow's 'same' for contrast.
    """
    positive(n=n, f=f, s=s, d=d, out=out)
    target = n if out is None else out
    span = F.effective_kernel(f, d)
    need = (target - 1) * s + span - n  # total padding that makes the division exact
    kern = str(f) if d == 1 else f"({d}*({f}-1) + 1)"
    if out is None and d == 1:
        formula = f"p = (n*s - n + f - s)/2 = ({n}*{s} - {n} + {f} - {s})/2"
    else:
        formula = f"p = ((out-1)*s + {'f' if d == 1 else 'd*(f-1) + 1'} - n)/2 = (({target}-1)*{s} + {kern} - {n})/2"
    formula += f" = {X.fraction(need, 2)}"
    dil = f", d={d}" if d != 1 else ""
    question = f"padding p so that n={n}, f={f}, s={s}{dil} gives an output of {target}"
    tf = _tf_same(n, f, s, d)
    lo, hi = max(need, 0), need + s - 1  # every total padding whose floor reaches the target
    if hi < 0:
        least = F.conv_out(n, f, s, (0, 0), d)
        return Answer(question, formula, (), reason=(
            f"even with no padding the output is {X.conv_text(Axis(n, f, s, (0, 0), d), least)}, "
            f"more than {target}, and padding only makes it larger; use a larger kernel or stride"),
            tf_same=tf)
    first, last = -(-lo // 2), hi // 2
    pads = list(range(first, last + 1)) if last - first < MAX_LISTED else [*range(first, first + MAX_LISTED - 1), last]
    sols = [_solution("padding", p, n, f, s, (p, p), d) for p in pads]
    if need % 2 and need > 0:
        split = (need // 2, need - need // 2)
        sols.append(_solution("padding", split, n, f, s, split, d,
                              note="the odd row after, as TensorFlow places it"))
    sols.sort(key=lambda sol: (not sol.exact, sol.dropped))
    notes = [f"every p from {first} to {last} gives {target}; {len(pads)} of them are listed"] \
        if len(pads) < last - first + 1 else []
    low = need // 2  # the exact p rounded down
    if need > 0 and need % 2 and n + 2 * low >= span:  # rounding down never reaches the target
        got = F.conv_out(n, f, s, (low, low), d)
        notes.append(f"p = {low} (rounding {X.ratio(need, 2)} down) gives "
                     f"{X.conv_text(Axis(n, f, s, (low, low), d), got)}, not {target}: round up")
    if need < 0:
        notes.append(f"the exact p is negative: with no padding the floor already gives {target}, "
                     f"leaving {X.rows(-need)} unread")
    if not any(isinstance(sol.value, int) for sol in sols):
        notes.append(f"no symmetric padding gives {target}; use the split padding")
    over = [sol for sol in sols if max(_pair(sol.value)) > f // 2]
    if over:
        notes.append(f"for a pooling layer: PyTorch refuses padding above f//2 = {f // 2}")
    if tf.output != target:
        notes.append(f"TensorFlow/Keras padding='same' keeps ceil(n/s) = {tf.output} rows, not {target}")
    return Answer(question, formula, tuple(sols), tuple(notes), tf_same=tf)


def _pair(value) -> F.Pad:
    return value if isinstance(value, tuple) else (value, value)


def _tf_same(n: int, f: int, s: int, d: int) -> Solution:
    pad = F.same_padding(n, f, s, d)
    out = F.same_out(n, s)
    r = F.dropped(n, f, s, pad, d)
    total = pad[0] + pad[1]
    working = (f"out = {X.same_text(n, s, out)}; total padding max(({out}-1)*{s} + "
               f"{F.effective_kernel(f, d)} - {n}, 0) = {total}, split {pad}")
    return Solution("padding", pad, out, r == 0, r, working, "TensorFlow/Keras padding='same'")


# ---- kernel -------------------------------------------------------------------------------

def kernel(n: int, out: int, s: int = 1, pad: F.Pad = (0, 0), d: int = 1) -> Answer:
    """Kernel sizes f giving `out` from n rows: span d*(f-1)+1 = n + 2p - (out-1)*s - r, r < s.

    r = 0 is the exact solution; each r > 0 is a kernel the floor also accepts, leaving r
    rows unread.
    """
    positive(n=n, out=out, s=s, d=d)
    nonnegative(p=min(pad))
    room = F.padded(n, pad) - (out - 1) * s  # the span plus the rows the floor drops
    p = X.pad_terms(pad)
    lhs = "f" if d == 1 else "d*(f-1) + 1"
    formula = f"{lhs} = n + 2p - (out-1)*s = {n}{p} - ({out}-1)*{s} = {room}"
    if d != 1:
        formula += f", so f = ({room} - 1)/{d} + 1 = {X.ratio(room - 1 + d, d)}"
    dil = f", d={d}" if d != 1 else ""
    question = f"kernel f so that n={n}, p={_pad_text(pad)}, s={s}{dil} gives an output of {out}"
    # spans room - r for r = 0 .. s-1 that are at least 1 and 1 more than a multiple of d,
    # without a loop over s (a stride of 10^12 is one line, not a hang)
    spans = range(room - (room - 1) % d, max(1, room - s + 1) - 1, -d)
    shown = spans if len(spans) <= MAX_LISTED else [*spans[:MAX_LISTED - 1], spans[-1]]
    sols = [_solution("kernel", (span - 1) // d + 1, n, (span - 1) // d + 1, s, pad, d) for span in shown]
    if not sols:
        if room < 1:
            reason = (f"an output of {out} needs at least ({out}-1)*{s} + 1 = {(out - 1) * s + 1} "
                      f"padded rows but there are {F.padded(n, pad)}; use a smaller stride or more padding")
        else:
            reason = (f"the span d*(f-1)+1 must be one of {room - s + 1}..{room}, and none is "
                      f"1 more than a multiple of d={d}; change the dilation or the padding")
        return Answer(question, formula, (), reason=reason)
    notes = ()
    if not sols[0].exact:
        notes = ("no kernel divides exactly; every listed one drops rows",)
    if len(shown) < len(spans):
        notes += (f"{len(spans):,} kernels give {out}; {len(shown)} of them are listed",)
    return Answer(question, formula, tuple(sols), notes)


# ---- stride -------------------------------------------------------------------------------

def stride(n: int, out: int, f: int, pad: F.Pad = (0, 0), d: int = 1) -> Answer:
    """Strides s giving `out`: floor(L/s) = out - 1 with L = n + 2p - d*(f-1) - 1.

    Exact: s = L/(out-1). Under the floor every s in (L/out, L/(out-1)] works.
    """
    positive(n=n, out=out, f=f, d=d)
    nonnegative(p=min(pad))
    F.conv_out(n, f, 1, pad, d)  # the kernel must fit: same refusal as the summary
    span = F.effective_kernel(f, d)
    L = F.padded(n, pad) - span
    num = X.window_numerator(n, f, pad, d)
    dil = f", d={d}" if d != 1 else ""
    question = f"stride s so that n={n}, f={f}, p={_pad_text(pad)}{dil} gives an output of {out}"
    if out == 1:
        formula = f"out = 1 needs floor(({num})/s) = 0, i.e. s > {L}"
        first = L + 1 if L else 1
        note = "any stride gives 1" if L == 0 else f"every stride from {L + 1} up gives 1"
        sol = _solution("stride", first, n, f, first, pad, d, note=note)
        return Answer(question, formula, (sol,))
    formula = f"s = (n + 2p - f)/(out - 1) = ({num})/({out}-1) = {X.fraction(L, out - 1)}"
    lo, hi = L // out + 1, L // (out - 1)
    if lo > hi:
        if hi < 1:
            reason = (f"even stride 1 gives only {X.conv_text(Axis(n, f, 1, pad, d), L + 1)}; "
                      "use a smaller kernel or more padding")
        else:
            a, b = F.conv_out(n, f, hi, pad, d), F.conv_out(n, f, hi + 1, pad, d)
            reason = (f"stride {hi} gives {a} and stride {hi + 1} gives {b}: no integer stride "
                      f"gives {out}; change the padding or the kernel")
        return Answer(question, formula, (), reason=reason)
    notes = []
    if hi - lo + 1 > MAX_LISTED:  # a summarised range, never a listing of every stride
        strides = [*range(lo, lo + MAX_LISTED - 1), hi]
        notes.append(f"every stride from {lo} to {hi} gives {out}; {len(strides)} of them are listed")
    else:
        strides = list(range(lo, hi + 1))
    sols = sorted((_solution("stride", s, n, f, s, pad, d) for s in strides),
                  key=lambda sol: (not sol.exact, sol.value))
    return Answer(question, formula, tuple(sols), tuple(notes))
