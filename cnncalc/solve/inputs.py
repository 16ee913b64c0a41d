"""`solve input`: the input sizes of a whole network for which every division is exact.

Each axis is scanned on its own where the network's leading chain allows it (a walk of
formulas.conv_out per window), the rest by inferring the network at each size, every layer's
result kept by its input shapes so a repeated one costs nothing; a scan larger than
MAX_SCAN_STEPS is refused before it starts, with the --max that fits.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError, CnncalcError
from ..infer import infer
from ..results import infer_layer
from ..shapes import AXIS_NAMES, fmt_shape
from .inverse import positive

MAX_SCAN = 1 << 16  # solve input scans at most this many sizes per axis
MAX_SCAN_STEPS = 4_000_000  # sizes x layers x scanned axes: about 30 s where no layer's result repeats


@dataclass(frozen=True)
class Drop:
    """A layer whose division is not exact on one axis, for one input."""
    layer: str
    axis: str
    dropped: int
    working: str
    note: str


@dataclass(frozen=True)
class InputAnswer:
    question: str
    formula: str
    axis: str                          # "H=W" (scanned together) or one axis name
    exact_sizes: tuple[int, ...]
    smallest: int | None
    max_size: int
    given: tuple[int, ...]
    given_drops: tuple[Drop, ...]
    given_error: str | None = None
    per_axis: tuple["InputAnswer", ...] = ()

    @property
    def solved(self) -> bool:
        if self.per_axis:
            return all(a.solved for a in self.per_axis)
        return bool(self.exact_sizes)

    def to_dict(self) -> dict[str, Any]:
        """The answer as `--format json` prints it."""
        from ..render.solutions import input_dict
        return input_dict(self)

    def text(self) -> str:
        """The answer as the command prints it."""
        from ..render.solutions import input_text
        return input_text(self)


def dropped_rows(summary) -> list[Drop]:
    """Every (layer, axis) whose window division leaves rows unread or overhangs (ceil_mode)."""
    out = []
    for r in summary.layers:
        if not r.layer.FLOORS or not r.axes:
            continue
        dims = len(r.axes)
        names = AXIS_NAMES.get(dims, tuple(str(i) for i in range(dims)))
        for i, a in enumerate(r.axes):
            over = F.effective_kernel(a.f, a.d) > F.padded(a.n, a.pad)  # ceil_mode's overhanging window
            rem = 0 if over else F.dropped(a.n, a.f, a.s, a.pad, a.d)
            if rem or over:
                ceil = getattr(r.layer, "ceil_mode", False)
                work = X.ceil_text(a, r.output_shape[i]) if ceil else X.conv_text(a, r.output_shape[i])
                note = (f"the window ({F.effective_kernel(a.f, a.d)}) is larger than the padded input "
                        f"({F.padded(a.n, a.pad)}); ceil_mode still keeps one window") if over else X.division_note(a)
                out.append(Drop(r.layer.label, names[i], 0 if ceil else rem, work, note))
    return out


def _try(spec, shape, memo: dict | None = None):
    try:
        return infer(dataclasses.replace(spec, input=shape), memo=memo), None
    except CnncalcError as e:
        return None, str(e)


def _plan(spec, summary, dims: int):
    """The scan's shortcut for a chain: the longest first run of layers that act on each spatial
    axis alone, with a window whose kernel, stride and padding do not depend on the size (the
    kind's scan_step says "window": conv and pooling with fixed padding, conv's 'same' at stride
    1, no ceil_mode) or that keep the shape ("keep").
    Per axis, each run of stride-1 windows is one shift (its total and its lowest partial sum:
    the size must stay >= 1); a strided window stays one step. Returns (steps per axis, k):
    layers k.. run one by one for each distinct size they receive; None when not a chain."""
    results = summary.layers
    if any(r.inputs != (i - 1,) for i, r in enumerate(results)):
        return None
    steps: list[list] = [[] for _ in range(dims)]
    k = 0
    for r in results:
        step = r.layer.scan_step(r)
        if step == "keep":
            k += 1
            continue
        if not (step == "window" and len(r.axes) == dims
                and len(r.input_shape) == dims + 1 and len(r.output_shape) == dims + 1
                and all(r.output_shape[i] == F.conv_out(a.n, a.f, a.s, a.pad, a.d) for i, a in enumerate(r.axes))):
            break
        for i, a in enumerate(r.axes):
            if a.s > 1:
                steps[i].append(a)
                continue
            shift = F.conv_out(F.effective_kernel(a.f, a.d), a.f, 1, a.pad, a.d) - F.effective_kernel(a.f, a.d)
            if steps[i] and isinstance(steps[i][-1], tuple):
                total, low = steps[i][-1]
                steps[i][-1] = (total + shift, min(low, total + shift))
            else:
                steps[i].append((shift, shift))
        k += 1
    return steps, k


def _walk(steps: list, n: int) -> tuple[int | None, bool]:
    """One axis through the planned steps: (its size after them or None if a window does not
    fit, every division exact)."""
    exact = True
    for step in steps:
        if isinstance(step, tuple):
            total, low = step
            if n + low < 1:  # some stride-1 window of the run is larger than its padded input
                return None, exact
            n += total
            continue
        a = step
        try:
            out = F.conv_out(n, a.f, a.s, a.pad, a.d)
        except CnncalcError:
            return None, exact
        if F.dropped(n, a.f, a.s, a.pad, a.d):
            exact = False
        n = out
    return n, exact


def _scan_planned(spec, summary, plan, base, which, label, max_size, memo):
    """Sizes 1..max_size of the axes `which` through the planned prefix, then layers k.. one by
    one, once per distinct shape they receive: (exact sizes, smallest accepted)."""
    from types import SimpleNamespace
    steps, k = plan
    start = summary.layers[k - 1].output_shape if k else base
    rest, seen = spec.layers[k:], {}
    exact, smallest = [], None
    for n in range(1, max_size + 1):
        shape, ok = list(start), True
        for i in which:
            size, fine = _walk(steps[i], n)
            if size is None:
                break
            shape[i] = size
            ok = ok and fine
        else:
            shape = tuple(shape)
            if shape not in seen:
                results, inp = [], shape
                try:
                    for j, layer in enumerate(rest, k):
                        if (j, inp) not in memo:
                            memo[j, inp] = infer_layer(layer, (inp,))
                        results.append(memo[j, inp])
                        inp = results[-1].output_shape
                    seen[shape] = not any(d.axis in label.split("=") for d in dropped_rows(SimpleNamespace(layers=results)))
                except CnncalcError:
                    seen[shape] = None
            if seen[shape] is None:
                continue
            if smallest is None:
                smallest = n
            if ok and seen[shape]:
                exact.append(n)
    return exact, smallest


def input_sizes(spec, max_size: int = 2048, given: tuple[int, ...] | None = None) -> InputAnswer:
    """Input sizes (1..max_size) for which every window division is exact, the smallest input
    the network accepts, and for `given` (default: the spec's input) the layers that drop rows.

    A square input (all spatial sizes equal) is scanned as n x n; otherwise each spatial axis
    is scanned on its own with the others kept at the spec's sizes. A chain's first layers are
    walked per axis on the sizes alone (`_plan`); the rest run once per distinct shape."""
    positive(max=max_size)
    if max_size > MAX_SCAN:
        raise ArgumentError(f"--max {max_size} is too many sizes to scan (each runs the whole network); "
                            f"use --max {MAX_SCAN} or less")
    base = spec.input if given is None else given
    if len(spec.input) < 2:
        raise ArgumentError(f"the input {fmt_shape(spec.input)} has no spatial axis to solve for")
    if len(base) != len(spec.input):
        raise ArgumentError(f"--input {fmt_shape(base)} has {len(base)} values but the spec's input "
                            f"{fmt_shape(spec.input)} has {len(spec.input)}; keep the channels, e.g. "
                            f"--input {'x'.join(map(str, spec.input))}")
    dims = len(base) - 1
    scanned = 1 if len(set(base[:-1])) == 1 else dims
    summary, err = _try(spec, base)
    plan = _plan(spec, summary, dims) if summary else None
    run = len(spec.layers) - (plan[1] if plan else 0)  # layers run once per candidate size
    steps = max_size * run * scanned
    if steps > MAX_SCAN_STEPS:
        fits = max(1, MAX_SCAN_STEPS // (run * scanned))
        raise ArgumentError(f"scanning {max_size:,} sizes{' per axis' if scanned > 1 else ''} through "
                            f"{run:,} layers is {steps:,} layer steps, more than the "
                            f"{MAX_SCAN_STEPS:,} a scan may take (about 30 s); use --max {fits:,} or less")
    names = AXIS_NAMES.get(dims, tuple(str(i) for i in range(dims)))
    drops = tuple(dropped_rows(summary)) if summary else ()
    if scanned == 1:
        scans = [("=".join(names), tuple(range(dims)))]
    else:
        scans = [(names[i], (i,)) for i in range(dims)]
    answers, memo = [], {}
    for label, which in scans:
        if plan:
            exact, smallest = _scan_planned(spec, summary, plan, base, which, label, max_size, memo)
        else:
            exact, smallest = [], None
            for n in range(1, max_size + 1):
                shape = tuple(n if i in which else v for i, v in enumerate(base))
                s, _ = _try(spec, shape, memo)
                if s is None:
                    continue
                if smallest is None:
                    smallest = n
                if not any(d.axis in label.split("=") for d in dropped_rows(s)):
                    exact.append(n)
        answers.append(InputAnswer(
            f"input sizes {label} = 1..{max_size} of {spec.name} for which every division is exact",
            "every conv/pool layer: (n + p_before + p_after - d*(f-1) - 1) mod s = 0",
            label, tuple(exact), smallest, max_size, base, drops, err))
    if len(answers) == 1:
        return answers[0]
    first = answers[0]
    return dataclasses.replace(first, question=f"input sizes per axis of {spec.name} for which every "
                               "division is exact", axis="per axis", exact_sizes=(),
                               smallest=None, per_axis=tuple(answers))
