"""Fold the layers of a Spec into one result per layer and the totals. Pure integer arithmetic."""
from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import CnncalcError, ShapeError
from .formulas import product
from .results import LayerResult, Spec, Summary, Totals, infer_layer  # noqa: F401 (infer_layer: this module's interface)
from .shapes import Shape, fmt_shape

if TYPE_CHECKING:
    from .kinds.base import Layer

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1, "uint8": 1, "int32": 4}
DTYPE_ALIASES = {"fp32": "float32", "fp16": "float16", "half": "float16", "bf16": "bfloat16",
                 "fp64": "float64", "double": "float64", "float": "float32"}


def dtype_bytes(dtype: str) -> tuple[str, int]:
    name = DTYPE_ALIASES.get(dtype.lower(), dtype.lower())
    if name not in DTYPE_BYTES:
        raise CnncalcError(f"unknown dtype `{dtype}`; use one of {', '.join(DTYPE_BYTES)}")
    return name, DTYPE_BYTES[name]


def infer(spec: Spec, dtype: str = "float32", memo: dict | None = None) -> Summary:
    """Shapes and parameter counts of every layer of `spec`, in order, and the totals. `memo`
    keeps each layer's result by its input shapes across calls (solve input's scan)."""
    dtype, nbytes = dtype_bytes(dtype)
    results: list[LayerResult] = []
    by_ref: dict[str, Shape] = {"input": spec.input}
    position: dict[str, int] = {"input": -1}  # reference -> index in results
    previous = spec.input
    names: dict[str, str] = {"input": "input"}  # reference -> layer name
    prev_name = "input"
    try:
        for layer in spec.layers:
            if layer.inputs is None:
                inputs = (previous,)
            else:
                try:
                    inputs = tuple(_lookup(layer, ref, by_ref) for ref in layer.inputs)
                except CnncalcError as e:
                    line, col = layer.marks.get("inputs", (layer.line, layer.col))
                    raise e.located(layer=layer.label, line=line, col=col) from None
            key = (len(results), inputs)
            result = None if memo is None else memo.get(key)
            if result is None:
                refs = layer.inputs or (prev_name,)
                result = infer_layer(layer, inputs, tuple(names.get(r, r) for r in refs),
                                     tuple(position[r] for r in refs))
                if memo is not None:
                    memo[key] = result
            prev_name = names[layer.name] = layer.name
            if layer.id is not None:
                names[layer.id] = layer.name
            results.append(result)
            previous = result.output_shape
            by_ref[layer.name] = previous
            position[layer.name] = len(results) - 1
            if layer.id is not None:
                by_ref[layer.id] = previous
                position[layer.id] = len(results) - 1
    except CnncalcError as e:
        if len(spec.input) >= 3 and spec.input[0] in (1, 3) and spec.input[-1] > 4:
            e.message += (f" (the input {fmt_shape(spec.input)} looks channels-first; "
                          "cnncalc reads channels last: [H, W, C])")
        raise e.located(path=spec.path) from None
    totals = Totals(
        params=sum(r.params for r in results),
        trainable_params=sum(r.trainable_params for r in results),
        non_trainable_params=sum(r.non_trainable_params for r in results),
        activation_size=sum(r.activation_size for r in results),
        input_size=product(spec.input), dtype=dtype, bytes_per_value=nbytes)
    return Summary(spec, tuple(results), totals)


def _lookup(layer: Layer, ref: str, by_ref: dict[str, Shape]) -> Shape:
    if ref not in by_ref:
        known = ", ".join(list(by_ref)[-5:])
        raise ShapeError(f"inputs names `{ref}`, which is no earlier layer's name or id "
                         f"(the last ones are: {known})", arg="inputs")
    return by_ref[ref]
