"""Jacobian shapes of one layer: why backpropagation never forms the Jacobian (the notes' point).

The sizes of d out/d in and d out/d weights, in numbers and bytes, against the gradients
actually formed. Pure Python: the weight layouts are the kinds' own (`weight_shapes`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import CnncalcError
from ..formulas import product


def weight_shapes(r, order: str = "torch") -> dict[str, tuple[int, ...]]:
    """The trainable arrays of a layer and their shapes, in torch's layout (the executor's) or
    Keras'; a layer whose arrays do not add up to its trainable count gives that count as one
    flat vector `params` (never a wrong shape)."""
    L = r.layer
    shapes = {k: tuple(s) for k, s in L.weight_shapes(r, order).items() if k not in L.BUFFERS}
    if sum(product(s) for s in shapes.values()) != r.trainable_params:
        return {"params": (r.trainable_params,)} if r.trainable_params else {}
    return shapes


def _numbers(n: int) -> str:
    return f"{n:,} number{'s' if n != 1 else ''}"


@dataclass(frozen=True)
class Jacobians:
    """The Jacobians of one layer: `entries` one per variable (each input, each trainable
    array) with the shape of d out / d it, its matrix, elements and bytes, and the gradient
    backprop really forms in its place."""
    layer: str
    kind: str
    output_shape: tuple[int, ...]
    dtype_bytes: int
    entries: tuple[dict[str, Any], ...]
    structure: str | None = None   # what d out/d in looks like (diagonal, blocks), from the kind

    @property
    def elements(self) -> int:
        return sum(e["elements"] for e in self.entries)

    @property
    def gradient_elements(self) -> int:
        return sum(e["gradient_elements"] for e in self.entries)

    def why(self) -> str:
        total, formed, b = self.elements, self.gradient_elements, self.dtype_bytes
        return (f"the Jacobians hold {total:,} numbers ({total * b:,} bytes); backprop never forms "
                f"them: it multiplies the upstream gradient ({product(self.output_shape):,} numbers) through the "
                f"layer and keeps only the gradients, {formed:,} numbers ({formed * b:,} bytes)")

    def to_dict(self) -> dict[str, Any]:
        """`layer ... --jacobian --format json`'s `jacobian` field."""
        b = self.dtype_bytes
        return {"layer": self.layer, "kind": self.kind, "output_shape": list(self.output_shape), "dtype_bytes": b,
                "jacobians": [dict(e) for e in self.entries], "jacobian_elements": self.elements,
                "jacobian_bytes": self.elements * b, "gradient_elements": self.gradient_elements,
                "gradient_bytes": self.gradient_elements * b, "why": self.why(),
                **({"structure": self.structure} if self.structure else {})}

    def text(self) -> str:
        lines = [f"Jacobians of {self.layer} ({self.kind}), output {tuple(self.output_shape)}, "
                 f"{self.dtype_bytes} bytes a number:"]
        for e in self.entries:
            lines.append(f"  {e['of']}: {tuple(e['shape'])} = {e['matrix'][0]:,} x {e['matrix'][1]:,} = "
                         f"{_numbers(e['elements'])}, {e['bytes']:,} bytes (the gradient itself: "
                         f"{tuple(e['gradient_shape'])}, {_numbers(e['gradient_elements'])})")
        if self.structure:
            lines.append(f"  d out / d input is {self.structure}")
        lines.append(f"  {self.why()}")
        return "\n".join(lines) + "\n"


def jacobian_shapes(r, dtype_bytes: int = 4) -> Jacobians:
    """The shapes of d out / d in (one per input) and d out / d weights of one layer
    (infer.LayerResult), their element counts and bytes, against the gradient backprop really
    forms (a vector-Jacobian product: the shape of what it differentiates by). Shapes are
    (*output, *wrt), numerator layout; the notes write the matrices transposed (denominator
    layout: rows = the variable, columns = the output)."""
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
    return Jacobians(r.layer.name, r.layer.kind, out, dtype_bytes, tuple(entries), r.layer.jacobian_structure(r))
