"""The arithmetic of each expected cell, written out with the numbers."""
from __future__ import annotations


from .. import formulas as F
from ..infer import LayerResult
from ..kinds import (Activation, Conv, ConvTranspose, Dense, DepthwiseConv, Dropout, Flatten, GlobalPool, Pool,
                     Shape, fmt_shape)
from ..render.table import num


# -- the arithmetic, written out with the numbers --------------------------------------------
def _spatial_text(r: LayerResult) -> str:
    layer, parts = r.layer, []
    for a, o in zip(r.axes, r.output_shape):
        span = f"{a.f}" if a.d == 1 else f"{a.d}*({a.f}-1)+1"
        pad = f"2*{a.pad[0]}" if a.pad[0] == a.pad[1] else f"{a.pad[0]} + {a.pad[1]}"
        if isinstance(layer, ConvTranspose):
            if isinstance(layer.padding, str):
                parts.append(f"{o} ('{layer.padding}' transposed rule)")
            else:
                parts.append(f"({a.n}-1)*{a.s} - {pad} + {span} + {o - ((a.n - 1) * a.s - sum(a.pad) + F.effective_kernel(a.f, a.d))} = {o}")
        elif getattr(layer, "padding", None) == "same" and isinstance(layer, Pool):
            parts.append(f"ceil({a.n}/{a.s}) = {o} ('same')")
        elif getattr(layer, "ceil_mode", False):
            parts.append(f"ceil(({a.n} + {pad} - {span})/{a.s}) + 1 = {o}")
        else:
            same = " ('same')" if getattr(layer, "padding", None) == "same" else ""
            parts.append(f"floor(({a.n} + {pad} - {span})/{a.s}) + 1 = {o}{same}")
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(len(parts), ())
    if len(set(parts)) == 1:
        return parts[0] + (f" for {' and '.join(names)}" if len(parts) > 1 else "")
    return "; ".join(f"{n}: {p}" for n, p in zip(names, parts))


def shape_formula(r: LayerResult) -> str:
    layer, inp, out = r.layer, r.input_shape, r.output_shape
    if r.axes and isinstance(layer, (Conv, DepthwiseConv, ConvTranspose, Pool)):
        chans = (f"{out[-1]} filters" if isinstance(layer, (Conv, ConvTranspose))
                 else f"channels {out[-1]} as in the input" if isinstance(layer, Pool)
                 else f"{inp[-1]}*{layer.depth_multiplier} channels")
        return f"{_spatial_text(r)}; {chans} -> {fmt_shape(out)}"
    if isinstance(layer, Flatten):
        return f"{'*'.join(map(str, inp))} = {out[0]:,} -> {fmt_shape(out)}"
    if isinstance(layer, Dense):
        return f"one value per unit: {layer.units} units -> {fmt_shape(out)}"
    if isinstance(layer, GlobalPool):
        return f"one value per channel -> {fmt_shape(out)}"
    if out == inp:
        return f"the same as its input {fmt_shape(inp)}"
    return fmt_shape(out)


def size_formula(shape: Shape) -> str:
    n = F.product(shape)
    return f"{'*'.join(map(str, shape))} = {num(n)}" if len(shape) > 1 else num(n)


def _kv(r: LayerResult) -> str:
    return "*".join(str(a.f) for a in r.axes)


def params_formula(r: LayerResult) -> str:
    layer, c = r.layer, r.input_shape[-1]
    total = num(r.params)
    if isinstance(layer, Conv):
        g, k, kv = layer.groups, layer.filters, _kv(r)
        cin = f"{c}" if g == 1 else f"({c}/{g})"
        if layer.bias and g == 1:
            return f"({kv}*{c} + 1)*{k} = {total}"
        return f"{kv}*{cin}*{k}" + (f" + {k}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, DepthwiseConv):
        m = layer.depth_multiplier
        return f"{_kv(r)}*{c}*{m}" + (f" + {c * m}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, ConvTranspose):
        k = layer.filters
        out = f"{k}" if layer.groups == 1 else f"({k}/{layer.groups})"
        return f"{_kv(r)}*{c}*{out}" + (f" + {k}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, Dense):
        return f"{c}*{layer.units}" + (f" + {layer.units}" if layer.bias else "") + f" = {total}"
    if r.params == 0:
        return f"0: {_what(layer)} learns nothing"
    # any other kind: its own working, from its explain facet ("params = 3*64 = 192 (...)")
    line = next((x for x in layer.explain(r) if x.startswith("params = ")), None)
    return line[len("params = "):] if line else total


def _what(layer) -> str:
    if isinstance(layer, Pool):
        return f"{'max' if layer.kind.startswith('max') else 'average'} pooling"
    return {Flatten: "flatten", Dropout: "dropout", GlobalPool: "global pooling",
            Activation: f"the {layer.kind} activation"}.get(type(layer), layer.kind)
