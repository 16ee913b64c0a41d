"""Formula text with the user's numbers plugged in: "floor((32 + 2*0 - 5)/2) + 1 = 14".

These functions only describe arithmetic; the values they print come from formulas.py and
layers.py (passed in, never recomputed here), so the text and the numbers cannot disagree.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import formulas as F
from .kinds import AXIS_NAMES, Axis


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
    """The shape and parameter working of one infer.LayerResult, numbers plugged in."""
    from .kinds import (BatchNorm, Concat, Conv, ConvTranspose, Dense, DepthwiseConv, Embedding,
                         Flatten, Pool, Upsample, ZeroPad)
    from .kinds import Cropping, GroupNorm, LayerNorm, Reshape, SeparableConv

    layer, out = r.layer, r.output_shape
    inp = r.input_shapes[0] if len(r.input_shapes) == 1 else None
    lines: list[str] = []
    axes = r.axes
    padding = getattr(layer, "padding", None)
    as_2p = not isinstance(padding, str)
    if isinstance(layer, ConvTranspose):
        from .kinds import per_axis
        ops = per_axis(layer, "output_padding", layer.output_padding, len(axes))
        if isinstance(padding, str):
            texts = [keras_transposed_text(a, padding, o, op) for a, o, op in zip(axes, out, ops)]
        else:
            texts = [transposed_text(a, op or 0, o) for a, o, op in zip(axes, out, ops)]
        lines += _per_axis(texts, len(axes))
    elif isinstance(layer, Pool) and padding == "same":
        lines += _per_axis([same_text(a.n, a.s, o) for a, o in zip(axes, out)], len(axes))
    elif isinstance(layer, Pool) and layer.ceil_mode:
        lines += _per_axis([ceil_text(a, o, as_2p) for a, o in zip(axes, out)], len(axes))
    elif isinstance(layer, (Conv, DepthwiseConv, Pool, SeparableConv)):
        if padding == "causal":
            lines.append("causal: " + ", ".join(f"d*(f-1) = {a.d}*({a.f}-1) = {a.pad[0]} zeros before"
                                                for a in axes))
        lines += _per_axis([conv_text(a, o, as_2p) for a, o in zip(axes, out)], len(axes))
        notes = [division_note(a) for a in axes if F.dropped(a.n, a.f, a.s, a.pad, a.d)]
        lines += [f"note: {n}" for n in dict.fromkeys(notes)]
    elif isinstance(layer, ZeroPad):
        lines += _per_axis([f"{a.n} + {a.pad[0]} + {a.pad[1]} = {o}" for a, o in zip(axes, out)],
                           len(axes))
    elif isinstance(layer, Cropping) and inp is not None:
        crops = layer.crops(inp)
        lines += _per_axis([f"{n} - {b} - {a} = {o}" for n, (b, a), o in zip(inp, crops, out)], len(crops))
    elif isinstance(layer, Reshape) and inp is not None:
        free = [i for i, v in enumerate(layer.target) if v == -1]
        if free:
            known = "*".join(str(v) for v in layer.target if v != -1) or "1"
            lines.append(f"-1 = {'*'.join(map(str, inp))} / ({known}) = {out[free[0]]}")
        lines.append(f"values: {'*'.join(map(str, out))} = {'*'.join(map(str, inp))} = {num(F.product(inp))}")
    elif isinstance(layer, Flatten) and inp is not None:
        lines.append(f"out = {'*'.join(map(str, inp))} = {num(out[0])}")
    elif isinstance(layer, Concat):  # issue 7: the concatenated axis is the sum of the inputs'
        pos = layer._axis(out)
        name = (*_axis_names(len(out) - 1), "C")[pos] if len(out) > 1 else "n"
        lines.append(f"{name}: out = {' + '.join(str(s[pos]) for s in r.input_shapes)} = {out[pos]}")
    elif isinstance(layer, Upsample) and inp is not None:
        texts = [f"{n}*{f} = {o}" for n, f, o in zip(inp, r.hyper["factor"], out)]
        lines += _per_axis(texts, len(texts))

    total = r.params
    if inp is None:
        if total:
            lines.append(f"params = {num(total)}")
        return lines
    if isinstance(layer, Conv):
        fs = tuple(a.f for a in axes)
        lines.append("params = " + conv_params_text(fs, inp[-1], out[-1], layer.groups, layer.bias, total))
    elif isinstance(layer, DepthwiseConv):
        kp, c, m = kernel_product(tuple(a.f for a in axes)), inp[-1], layer.depth_multiplier
        b = f" + {c}*{m}" if layer.bias else ""
        lines.append(f"params = {kp}*{c}*{m}{b} = {num(total)} (one {kp} filter per input channel)")
    elif isinstance(layer, ConvTranspose):
        fs = tuple(a.f for a in axes)
        cout = str(layer.filters) if layer.groups == 1 else f"({layer.filters}/{layer.groups})"
        b = f" + {layer.filters}" if layer.bias else ""
        lines.append(f"params = {kernel_product(fs)}*{inp[-1]}*{cout}{b} = {num(total)}")
    elif isinstance(layer, Dense):
        lines.append("params = " + dense_params_text(inp[0], layer.units, layer.bias, total))
    elif isinstance(layer, BatchNorm):
        c = inp[-1]
        lines.append(f"params = {'4' if layer.affine else '2'}*{c} = {num(total)} "
                     f"({r.trainable_params:,} trainable gamma, beta; {r.non_trainable_params:,} "
                     "moving mean, variance)")
    elif isinstance(layer, SeparableConv):
        kp, c, m = kernel_product(tuple(a.f for a in axes)), inp[-1], layer.depth_multiplier
        b = f" + {out[-1]}" if layer.bias else ""
        lines.append(f"params = {kp}*{c}*{m} + {c}*{m}*{out[-1]}{b} = {num(total)} "
                     "(depthwise, pointwise 1x1, bias)")
    elif isinstance(layer, (LayerNorm, GroupNorm)) and total:
        lines.append(f"params = 2*{inp[-1]} = {num(total)} (gamma, beta per channel)")
    elif isinstance(layer, Embedding):
        lines.append(f"params = {layer.vocab}*{layer.dim} = {num(total)}")
    elif total:
        lines.append(f"params = {num(total)}")
    return lines
