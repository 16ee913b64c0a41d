"""Jacobian shapes of one layer: why backpropagation never forms the Jacobian (the notes' point).

The sizes of d out/d in and d out/d weights, in numbers and bytes, against the gradients
actually formed. Pure Python.
"""
from __future__ import annotations

from typing import Any

from ..errors import CnncalcError


# ---------------------------------------------------------------- Jacobian shapes

def weight_shapes(r) -> dict[str, tuple[int, ...]]:
    """The trainable arrays of a layer and their shapes, in the executor's (torch's) layouts;
    a kind without a known layout gives its trainable count as one flat vector `params`."""
    from ..formulas import product
    from ..kinds import BatchNorm, Conv, ConvTranspose, Dense, DepthwiseConv, Embedding, SeparableConv
    L, out = r.layer, r.output_shape
    fs = tuple(a.f for a in r.axes)
    c_in = r.input_shape[-1] if r.input_shapes and r.input_shape else 0
    shapes: dict[str, tuple[int, ...]] = {}
    if isinstance(L, Conv):
        shapes = {"weight": (out[-1], c_in // L.groups, *fs)}
    elif isinstance(L, DepthwiseConv):
        shapes = {"weight": (out[-1], 1, *fs)}
    elif isinstance(L, ConvTranspose):
        shapes = {"weight": (c_in, out[-1] // L.groups, *fs)}
    elif isinstance(L, SeparableConv):
        cm = c_in * L.depth_multiplier
        shapes = {"depthwise": (cm, 1, *fs), "pointwise": (out[-1], cm, *(1,) * len(fs))}
    elif isinstance(L, Dense):
        shapes = {"weight": (L.units, r.input_shape[0])}
    elif isinstance(L, Embedding):
        shapes = {"weight": (L.vocab, L.dim)}
    elif isinstance(L, BatchNorm):
        shapes = {"gamma": (c_in,), "beta": (c_in,)} if L.affine else {}
    elif r.trainable_params:
        return {"params": (r.trainable_params,)}
    if getattr(L, "bias", False) and not isinstance(L, BatchNorm):
        shapes["bias"] = (out[-1],)
    if sum(product(s) for s in shapes.values()) != r.trainable_params:  # a layout this table does not know
        return {"params": (r.trainable_params,)} if r.trainable_params else {}
    return shapes


def jacobian_shapes(r, dtype_bytes: int = 4) -> dict[str, Any]:
    """The shapes of d out / d in (one per input) and d out / d weights of one layer
    (infer.LayerResult), their element counts and bytes, against the gradient backprop really
    forms (a vector-Jacobian product: the shape of what it differentiates by). Shapes are
    (*output, *wrt), numerator layout; the notes write the matrices transposed (denominator
    layout: rows = the variable, columns = the output)."""
    from ..formulas import product
    if isinstance(dtype_bytes, bool) or not isinstance(dtype_bytes, int) or dtype_bytes < 1:
        raise CnncalcError(f"dtype_bytes {dtype_bytes!r} must be a whole number of bytes, 1 or more; e.g. 4 for float32")
    out = tuple(r.output_shape)
    n_out = product(out)
    rows = []
    sources = r.sources or ("input",) * len(r.input_shapes)
    for k, (shape, src) in enumerate(zip(r.input_shapes, sources)):
        rows.append(("input" if len(r.input_shapes) == 1 else f"input {k} ({src})", tuple(shape)))
    rows += list(weight_shapes(r).items())
    entries = []
    for wrt, shape in rows:
        n_in = product(shape)
        entries.append({"wrt": wrt, "of": f"d out / d {wrt}", "shape": [*out, *shape],
                        "matrix": [n_out, n_in], "elements": n_out * n_in, "bytes": n_out * n_in * dtype_bytes,
                        "gradient_shape": list(shape), "gradient_elements": n_in,
                        "gradient_bytes": n_in * dtype_bytes})
    total = sum(e["elements"] for e in entries)
    formed = sum(e["gradient_elements"] for e in entries)
    return {"layer": r.layer.name, "kind": r.layer.kind, "output_shape": list(out), "dtype_bytes": dtype_bytes,
            "jacobians": entries, "jacobian_elements": total, "jacobian_bytes": total * dtype_bytes,
            "gradient_elements": formed, "gradient_bytes": formed * dtype_bytes,
            "why": (f"the Jacobians hold {total:,} numbers ({total * dtype_bytes:,} bytes); backprop never forms "
                    f"them: it multiplies the upstream gradient ({n_out:,} numbers) through the layer and keeps "
                    f"only the gradients, {formed:,} numbers ({formed * dtype_bytes:,} bytes)")}


def _numbers(n: int) -> str:
    return f"{n:,} number{'s' if n != 1 else ''}"


def jacobian_text(d: dict[str, Any]) -> str:
    lines = [f"Jacobians of {d['layer']} ({d['kind']}), output {tuple(d['output_shape'])}, "
             f"{d['dtype_bytes']} bytes a number:"]
    for e in d["jacobians"]:
        lines.append(f"  {e['of']}: {tuple(e['shape'])} = {e['matrix'][0]:,} x {e['matrix'][1]:,} = "
                     f"{_numbers(e['elements'])}, {e['bytes']:,} bytes (the gradient itself: "
                     f"{tuple(e['gradient_shape'])}, {_numbers(e['gradient_elements'])})")
    lines.append(f"  {d['why']}")
    return "\n".join(lines) + "\n"
