"""Formula text with the user's numbers plugged in: "floor((32 + 2*0 - 5)/2) + 1 = 14".

These functions only describe arithmetic; the values they print come from formulas.py and
layers.py (passed in, never recomputed here), so the text and the numbers cannot disagree.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import formulas as F
from .errors import ArgumentError
from .shapes import AXIS_NAMES, Axis


def num(n: int) -> str:
    """1792 -> '1,792' (the course writes thousands with commas)."""
    return f"{n:,}"


def ratio(a: int, b: int) -> str:
    """An exact quotient for display: 27/2 -> '13.5', 7/3 -> '2.33', 8/2 -> '4'."""
    q = Fraction(a, b)
    if q.denominator == 1:
        return str(q.numerator)
    return f"{float(q):.2f}".rstrip("0").rstrip(".")


def fraction(a: int, b: int) -> str:
    """27/2 -> '27/2 = 13.5'; 8/2 -> '8/2 = 4'."""
    return f"{a}/{b} = {ratio(a, b)}"


def rows(k: int, what: str = "row") -> str:
    return f"{k} {what}" + ("" if k == 1 else "s")


def pad_terms(pad: F.Pad, as_2p: bool = True) -> str:
    """' + 2*1' for a symmetric pad (the course's 2p), ' + 0 + 1' for (before, after)."""
    if as_2p and pad[0] == pad[1]:
        return f" + 2*{pad[0]}"
    return f" + {pad[0]} + {pad[1]}"


def span_terms(f: int, d: int) -> str:
    """' - 3' for an undilated kernel, ' - (2*(3-1) + 1)' for a dilated one."""
    return f" - {f}" if d == 1 else f" - ({d}*({f}-1) + 1)"


def window_numerator(n: int, f: int, pad: F.Pad, d: int = 1, as_2p: bool = True) -> str:
    """'32 + 2*0 - 5': the padded input minus the (dilated) kernel span."""
    return f"{n}{pad_terms(pad, as_2p)}{span_terms(f, d)}"


def conv_text(a: Axis, out: int, as_2p: bool = True) -> str:
    """'floor((32 + 2*0 - 5)/2) + 1 = 14' (PyTorch Conv, pooling without ceil_mode)."""
    return f"floor(({window_numerator(a.n, a.f, a.pad, a.d, as_2p)})/{a.s}) + 1 = {out}"


def ceil_text(a: Axis, out: int, as_2p: bool = True) -> str:
    """PyTorch ceil_mode: 'ceil((32 + 2*0 - 5)/2) + 1 = 15', noting the last-window rule."""
    text = f"ceil(({window_numerator(a.n, a.f, a.pad, a.d, as_2p)})/{a.s}) + 1"
    top = F.padded(a.n, a.pad) - F.effective_kernel(a.f, a.d)
    if F.ceil_div(top, a.s) + 1 != out:  # the window that would start in the right padding
        return f"{text} - 1 = {out} (the last window would start in the padding, so it is dropped)"
    return f"{text} = {out}"


def same_text(n: int, s: int, out: int) -> str:
    """TensorFlow/Keras 'same': 'ceil(224/2) = 112'."""
    return f"ceil({n}/{s}) = {out}"


def same_note(a: Axis) -> str:
    """What padding 'same' means on this axis: at stride 1 it keeps the size (the notes' "same",
    output = input); at stride s it is TensorFlow's rule, out = ceil(n/s), with the padding that
    gives it, the odd row after."""
    before, after = a.pad
    total = before + after
    split = f"p = {before}" if before == after else f"padding ({before}, {after}), the odd row after"
    if a.s == 1:
        return f"same at stride 1 keeps the size, out = n = {a.n} (the notes' same): {split}"
    out = F.same_out(a.n, a.s)
    span = F.effective_kernel(a.f, a.d)
    return (f"same at stride {a.s} is TensorFlow's rule out = ceil(n/s) = ceil({a.n}/{a.s}) = {out}, "
            f"not n: {split} (total max(({out}-1)*{a.s} + {span} - {a.n}, 0) = {total})")


def same_notes(axes: tuple[Axis, ...], names: tuple[str, ...]) -> list[str]:
    """same_note for each axis, one line when every axis says the same."""
    notes = [same_note(a) for a in axes]
    if len(set(notes)) <= 1:
        return notes[:1]
    return [f"{name}: {note}" for name, note in zip(names, notes)]


def transposed_text(a: Axis, output_padding: int, out: int) -> str:
    """'(16-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 32' (PyTorch ConvTranspose)."""
    op = f" + {output_padding}" if output_padding else ""
    return (f"({a.n}-1)*{a.s} - {a.pad[0]} - {a.pad[1]} + {a.d}*({a.f}-1){op} + 1 = {out}")


def keras_transposed_text(a: Axis, mode: str, out: int, output_padding: int | None) -> str:
    span = F.effective_kernel(a.f, a.d)
    if output_padding is None:
        if mode == "same":
            return f"{a.n}*{a.s} = {out} (Keras 'same')"
        return f"{a.n}*{a.s} + max({span} - {a.s}, 0) = {out} (Keras 'valid')"
    pad = span // 2 if mode == "same" else 0
    return f"({a.n}-1)*{a.s} + {span} - 2*{pad} + {output_padding} = {out} (Keras '{mode}')"


def division_note(a: Axis) -> str:
    """How the floor treats the division: exact, or which rows it leaves unread."""
    top = F.padded(a.n, a.pad) - F.effective_kernel(a.f, a.d)
    r = F.dropped(a.n, a.f, a.s, a.pad, a.d)
    if r == 0:
        return f"{fraction(top, a.s)} is exact: every row is read"
    return f"{fraction(top, a.s)} is not an integer: the floor leaves {unread_text(r, a.pad)} unread"


def unread_text(r: int, pad: F.Pad) -> str:
    """'1 input row' / '1 padded row' / '2 rows (1 input, 1 padded)' at the end of the axis."""
    padding = min(r, pad[1])
    real = r - padding
    if padding == 0 or real == 0:
        what = "input row" if padding == 0 else "padded row"
        return f"the last {what}" if r == 1 else f"the last {rows(r, what)}"
    return f"the last {rows(r)} ({real} input, {padding} padded)"


def strict_message(a: Axis, as_2p: bool = True, ceil_mode: bool = False) -> str:
    """The --strict refusal: '5, f=3, p=1, s=3: (5 + 2*1 - 3)/3 = 4/3 = 1.33 is not an integer'."""
    top = F.padded(a.n, a.pad) - F.effective_kernel(a.f, a.d)
    p = a.pad[0] if a.pad[0] == a.pad[1] else f"({a.pad[0]},{a.pad[1]})"
    d = f", d={a.d}" if a.d != 1 else ""
    if ceil_mode:
        rule = f"ceil_mode gives {F.pool_out(a.n, a.f, a.s, a.pad, a.d, ceil_mode=True)}"
    else:
        rule = (f"the floor rule gives {F.conv_out(a.n, a.f, a.s, a.pad, a.d)} and leaves "
                f"{unread_text(top % a.s, a.pad)} unread")
    return (f"{a.n}, f={a.f}, p={p}, s={a.s}{d}: ({window_numerator(a.n, a.f, a.pad, a.d, as_2p)})/{a.s} "
            f"= {fraction(top, a.s)} is not an integer, so neither is the output "
            f"{top}/{a.s} + 1 = {top + a.s}/{a.s}; {rule}")


# ---- parameters and multiply-accumulates --------------------------------------------------

def kernel_product(fs: tuple[int, ...]) -> str:
    return "*".join(str(f) for f in fs)


def conv_params_text(fs: tuple[int, ...], c_in: int, c_out: int, groups: int, bias: bool,
                     value: int) -> str:
    """'3*3*3*64 + 64 = 1,792'; grouped: '3*3*(64/2)*128 + 128'."""
    cin = str(c_in) if groups == 1 else f"({c_in}/{groups})"
    b = f" + {c_out}" if bias else ""
    return f"{kernel_product(fs)}*{cin}*{c_out}{b} = {num(value)}"


def conv_params_course_text(fs: tuple[int, ...], c_in: int, c_out: int, value: int) -> str:
    """The course's form, one bias per filter: '(3*3*3 + 1)*10 = 280'."""
    return f"({kernel_product(fs)}*{c_in} + 1)*{c_out} = {num(value)}"


def dense_params_text(n_in: int, units: int, bias: bool, value: int) -> str:
    """'400*120 + 120 = 48,120' (one bias per unit, not one per layer)."""
    return f"{n_in}*{units}{f' + {units}' if bias else ''} = {num(value)}"


def conv_macs_text(out_shape: tuple[int, ...], fs: tuple[int, ...], c_in: int, groups: int,
                   value: int) -> str:
    """'30*30*10 * (3*3*3) = 243,000': every output value costs one f*f*C_in/g dot product."""
    cin = str(c_in) if groups == 1 else f"({c_in}/{groups})"
    return f"{'*'.join(map(str, out_shape))} * ({kernel_product(fs)}*{cin}) = {num(value)}"


# ---- summary --explain: the working under each row ---------------------------------------

def _axis_names(dims: int) -> tuple[str, ...]:
    return AXIS_NAMES.get(dims, tuple(str(i) for i in range(dims)))


def _per_axis(texts: list[str], dims: int) -> list[str]:
    """One line when every axis has the same working, else one line per axis."""
    if len(set(texts)) == 1:
        names = _axis_names(dims)
        label = f"{', '.join(names[:-1])} and {names[-1]}" if dims > 1 else names[0]
        return [f"{label}: out = {texts[0]}"]
    return [f"{name}: out = {t}" for name, t in zip(_axis_names(dims), texts)]


def layer_lines(r: Any) -> list[str]:
    """The shape and parameter working of one infer.LayerResult, numbers plugged in: the
    layer kind's `explain` facet."""
    return r.layer.explain(r)


def window_lines(r: Any) -> list[str]:
    """A sliding window's output sizes (conv, depthwise, separable, pooling), with the causal
    zeros and a note where the floor drops rows."""
    padding = getattr(r.layer, "padding", None)
    lines = []
    if padding == "causal":
        lines.append("causal: " + ", ".join(f"d*(f-1) = {a.d}*({a.f}-1) = {a.pad[0]} zeros before"
                                            for a in r.axes))
    lines += per_axis_lines([conv_text(a, o, not isinstance(padding, str)) for a, o in zip(r.axes, r.output_shape)])
    notes = [division_note(a) for a in r.axes if F.dropped(a.n, a.f, a.s, a.pad, a.d)]
    return lines + [f"note: {n}" for n in dict.fromkeys(notes)]


def per_axis_lines(texts: list[str]) -> list[str]:
    """`out = ...` per spatial axis: one line when every axis has the same working."""
    return _per_axis(texts, len(texts))


def params_lines(r: Any) -> list[str]:
    """The parameter total alone, for kinds with no formula worth spelling out."""
    return [f"params = {num(r.params)}"] if r.params else []


# ---- the checker's working of a cell, in the course's notation ---------------------------

def course_axis_text(a: Axis, out: int, rule: str = "floor", same: bool = False) -> str:
    """One spatial axis as the course writes it: 'floor((32 + 2*0 - 5)/1) + 1 = 28' (rule
    'floor', noted ('same') when `same`), 'ceil((...)/2) + 1 = 15' ('ceil', PyTorch's
    ceil_mode) or 'ceil(224/2) = 112 ('same')' ('same', TensorFlow's rule)."""
    if rule == "same":
        return f"ceil({a.n}/{a.s}) = {out} ('same')"
    span = f"{a.f}" if a.d == 1 else f"{a.d}*({a.f}-1)+1"
    pad = f"2*{a.pad[0]}" if a.pad[0] == a.pad[1] else f"{a.pad[0]} + {a.pad[1]}"
    return f"{rule}(({a.n} + {pad} - {span})/{a.s}) + 1 = {out}" + (" ('same')" if same else "")


def course_transposed_text(a: Axis, out: int) -> str:
    """A transposed convolution's axis: '(16-1)*2 - 2*1 + 3 + 1 = 32', the last term the
    output padding."""
    pad = f"2*{a.pad[0]}" if a.pad[0] == a.pad[1] else f"{a.pad[0]} + {a.pad[1]}"
    span = f"{a.f}" if a.d == 1 else f"{a.d}*({a.f}-1)+1"
    extra = out - ((a.n - 1) * a.s - sum(a.pad) + F.effective_kernel(a.f, a.d))
    return f"({a.n}-1)*{a.s} - {pad} + {span} + {extra} = {out}"


def course_window_text(texts: list[str], channels: str) -> str:
    """A window layer's output: its axes ('... = 28 for H and W', or 'H: ...; W: ...' when
    they differ) and its channels: '...; 8 filters'."""
    names = AXIS_NAMES.get(len(texts), ())
    if len(set(texts)) == 1:
        axes = texts[0] + (f" for {' and '.join(names)}" if len(texts) > 1 else "")
    else:
        axes = "; ".join(f"{n}: {t}" for n, t in zip(names, texts))
    return f"{axes}; {channels}"


def worked_padding(padding: int | str, shape: tuple[int, ...], f: tuple[int, ...], stride: int,
                 what: str) -> tuple[int, list[str]]:
    """The padding per side of a worked grid: p, 'valid' (0) or 'same' (at stride 1 the size kept,
    at stride s TensorFlow's out = ceil(n/s)), with the note saying which. A grid is padded alike
    on every side, so a 'same' that pads one row more after (TensorFlow's split) is refused."""
    if not isinstance(padding, str):
        return padding, []
    if padding == "valid":
        return 0, []
    if padding != "same":
        raise ArgumentError(f"padding {padding!r} is not p, same or valid; e.g. -p 1")
    if not f:
        raise ArgumentError("-p same needs the kernel's size: give --kernel too, or -p 1")
    if stride < 1:
        raise ArgumentError(f"stride {stride} must be at least 1; use -s 1 or more")
    pads = [F.same_padding(n, k, stride) for n, k in zip(shape, f)]
    axes = tuple(Axis(n, k, stride, pad) for n, k, pad in zip(shape, f, pads))
    if len(set(pads)) > 1 or pads[0][0] != pads[0][1]:
        splits = ", ".join(f"({a}, {b})" for a, b in pads)
        uneven = next(((a, b) for a, b in pads if a != b), None)
        why = "one row more after than before" if uneven else "a different padding on each axis"
        a, b = uneven or (min(min(pads)), max(max(pads)))
        raise ArgumentError(f"-p same with {what} at stride {stride} pads {splits} (before, after): "
                            f"{same_notes(axes[:1], ('',))[0].split(': ', 1)[0]}, {why}; a worked grid "
                            f"is padded alike on every side: give -p {a} or -p {b}")
    names = ("L",) if len(shape) == 1 else ("rows", "columns")
    return pads[0][0], same_notes(axes, names)
