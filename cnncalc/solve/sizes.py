"""`solve size`: the output size of one window per axis, the forward question with the working
(floor, PyTorch's ceil_mode, or transposed)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError
from ..shapes import AXIS_NAMES, Axis
from .inverse import nonnegative, positive


@dataclass(frozen=True)
class AxisSize:
    name: str
    axis: Axis
    output: int
    exact: bool
    dropped: int
    working: str
    note: str = ""


@dataclass(frozen=True)
class SizeAnswer:
    question: str
    formula: str
    mode: str                      # "floor", "ceil" or "transposed"
    axes: tuple[AxisSize, ...]
    notes: tuple[str, ...] = ()    # what -p same means here
    read: str = ""                 # how the command line's size was read ("input 32×32×3 (H×W×C) ...")

    @property
    def output(self) -> tuple[int, ...]:
        return tuple(a.output for a in self.axes)

    @property
    def exact(self) -> bool:
        return all(a.exact for a in self.axes)

    def to_dict(self) -> dict[str, Any]:
        """The answer as `--format json` prints it."""
        from ..render.solutions import size_dict
        return size_dict(self)

    def text(self) -> str:
        """The answer as the command prints it."""
        from ..render.solutions import size_text
        return size_text(self)


def per_axis(name: str, values: tuple, dims: int) -> tuple:
    if len(values) == 1:
        return values * dims
    if len(values) != dims:
        raise ArgumentError(f"{name} has {len(values)} values but the input has {dims} axes; "
                            f"give one value or {dims} joined by 'x'")
    return values


def size(ns: tuple[int, ...], fs: tuple[int, ...], ss: tuple[int, ...] = (1,),
         pads: tuple[F.Pad, ...] | str = ((0, 0),), ds: tuple[int, ...] = (1,),
         mode: str = "floor", output_padding: tuple[int, ...] = (0,)) -> SizeAnswer:
    """Output size per axis with the working: floor (PyTorch Conv, pooling), ceil (PyTorch
    ceil_mode) or transposed (PyTorch ConvTranspose). pads may be 'same' (TensorFlow's)."""
    dims = len(ns)
    positive(**{f"n[{i}]": v for i, v in enumerate(ns)})
    fs, ss, ds = per_axis("-f", fs, dims), per_axis("-s", ss, dims), per_axis("-d", ds, dims)
    for i in range(dims):
        positive(f=fs[i], s=ss[i], d=ds[i])
    same = pads == "same"
    if pads in ("same", "valid"):
        if mode == "transposed":
            raise ArgumentError(f"-p {pads} is not defined here for --transposed; give padding sizes")
        pads = tuple((F.same_padding(n, f, s, d) if pads == "same" else (0, 0))
                     for n, f, s, d in zip(ns, fs, ss, ds))
    pads = per_axis("-p", tuple(pads), dims)
    ops = per_axis("--output-padding", tuple(output_padding), dims)
    for pad in pads:
        nonnegative(p=min(pad))
    names = AXIS_NAMES.get(dims, tuple(str(i) for i in range(dims))) if dims > 1 else ("n",)
    axes = []
    for name, n, f, s, pad, d, op in zip(names, ns, fs, ss, pads, ds, ops):
        a = Axis(n, f, s, pad, d)
        if mode == "transposed":
            out = F.transposed_out(n, f, s, pad, d, op)
            axes.append(AxisSize(name, a, out, True, 0, X.transposed_text(a, op, out)))
            continue
        r = F.dropped(n, f, s, pad, d) if F.effective_kernel(f, d) <= F.padded(n, pad) else 0
        if mode == "ceil":
            out = F.pool_out(n, f, s, pad, d, ceil_mode=True)
            work = X.ceil_text(a, out)
            over = F.effective_kernel(f, d) - F.padded(n, pad)
            if over > 0:  # PyTorch still gives 1 window when it overhangs by less than a stride
                note = (f"the window ({F.effective_kernel(f, d)}) is {over} larger than the padded input "
                        f"({F.padded(n, pad)}); ceil_mode still keeps one window (without it: refused)")
                axes.append(AxisSize(name, a, out, False, 0, work, note))
                continue
            floor_out = F.conv_out(n, f, s, pad, d)
            if r and out == floor_out:
                note = f"{X.division_note(a)} (ceil_mode removed the window that starts in the padding)"
                axes.append(AxisSize(name, a, out, False, r, work, note))
            elif r:
                note = (f"{X.fraction(F.padded(n, pad) - F.effective_kernel(f, d), s)} is not an "
                        f"integer: ceil_mode keeps a last window that runs {s - r} row"
                        f"{'s' if s - r != 1 else ''} past the padded input (floor would give {floor_out})")
                axes.append(AxisSize(name, a, out, False, 0, work, note))
            else:
                axes.append(AxisSize(name, a, out, True, 0, work, X.division_note(a)))
            continue
        out = F.conv_out(n, f, s, pad, d)
        axes.append(AxisSize(name, a, out, r == 0, r, X.conv_text(a, out), X.division_note(a)))
    formula = {
        "floor": "out = floor((n + 2p - f)/s) + 1",
        "ceil": "out = ceil((n + 2p - f)/s) + 1, minus 1 if the last window would start in the right padding (PyTorch ceil_mode)",
        "transposed": "out = (n-1)*s - 2p + d*(f-1) + output_padding + 1 (PyTorch ConvTranspose)",
    }[mode]
    if mode != "transposed" and any(d != 1 for d in ds):
        formula = formula.replace("- f)", "- d*(f-1) - 1)")
    shape = "x".join(map(str, ns))
    question = f"output size of a {'transposed ' if mode == 'transposed' else ''}window on {shape}"
    notes = X.same_notes(tuple(a.axis for a in axes), names) if same else []
    return SizeAnswer(question, formula, mode, tuple(axes), tuple(notes))


def strict_error(answer: SizeAnswer) -> str | None:
    """The --strict refusal for the first axis whose division is not exact, else None."""
    for a in answer.axes:
        if not a.exact:
            return X.strict_message(a.axis, ceil_mode=answer.mode == "ceil")
    return None
