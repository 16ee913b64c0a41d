"""The arithmetic of each expected cell, written out with the numbers: the layer's kind writes
its own working (its explain facet and `course_*_text`), this module only frames it."""
from __future__ import annotations


from .. import formulas as F
from ..infer import LayerResult
from ..kinds import Shape, fmt_shape
from ..render.table import num


def shape_formula(r: LayerResult) -> str:
    inp, out = r.input_shape, r.output_shape
    working = r.layer.course_shape_text(r)
    if working is not None:
        return f"{working} -> {fmt_shape(out)}"
    if out == inp:
        return f"the same as its input {fmt_shape(inp)}"
    return fmt_shape(out)


def size_formula(shape: Shape) -> str:
    n = F.product(shape)
    return f"{'*'.join(map(str, shape))} = {num(n)}" if len(shape) > 1 else num(n)


def _kv(r: LayerResult) -> str:
    return "*".join(str(a.f) for a in r.axes)


def params_formula(r: LayerResult) -> str:
    layer = r.layer
    own = layer.course_params_text(r)
    if own is not None:
        return own
    if r.params == 0:
        return f"0: {layer.what()} learns nothing"
    # the kind's own working, from its explain facet ("params = 3*64 = 192 (...)")
    line = next((x for x in layer.explain(r) if x.startswith("params = ")), None)
    return line[len("params = "):] if line else num(r.params)
