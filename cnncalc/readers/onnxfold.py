"""Small constant subgraphs folded to their values, as torch's TorchScript exporter writes the
pads of a Pad: ConstantOfShape, Concat, Reshape, Slice, Transpose, Cast of constants. Values
are flat lists in row-major order with their dims; at most MAX_VALUES of them, else not folded."""
from __future__ import annotations

import itertools
import math

MAX_VALUES = 65_536
OPS = ("ConstantOfShape", "Reshape", "Slice", "Transpose", "Cast")
INTEGER_TYPES = (2, 3, 4, 5, 6, 7, 12, 13)  # ONNX's uint8 .. int64, uint32, uint64


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _strides(dims) -> list[int]:
    out, step = [], 1
    for d in reversed(dims):
        out.append(step)
        step *= d
    return out[::-1]


def _gather(data, dims, ranges, axes_of) -> list:
    """data at every output index (product of ranges); output axis i reads input axis axes_of[i]."""
    strides = _strides(dims)
    return [data[sum(c * strides[ax] for c, ax in zip(cell, axes_of))] for cell in itertools.product(*ranges)]


def fold(op: str, ins: list, dims: tuple[int, ...], attrs: dict, fill: list | None):
    """(values, dims) of the op on constant inputs (ins[0] of shape dims), or None when it is not
    a small constant computation this folds."""
    data = ins[0]
    if not isinstance(data, list) or not all(_number(v) for v in data):
        return None
    if op == "ConstantOfShape":
        if not all(isinstance(v, int) and v >= 0 for v in data) or math.prod(data) > MAX_VALUES:
            return None
        return (fill[:1] or [0.0]) * math.prod(data), tuple(data)
    if op == "Cast":
        return ([int(v) for v in data] if attrs.get("to") in INTEGER_TYPES else [float(v) for v in data]), dims
    if op == "Transpose":
        perm = list(attrs.get("perm", range(len(dims) - 1, -1, -1)))
        if sorted(perm) != list(range(len(dims))):
            return None
        return _gather(data, dims, [range(dims[p]) for p in perm], perm), tuple(dims[p] for p in perm)
    if op == "Reshape":
        shape = ins[1] if len(ins) > 1 else None
        if not isinstance(shape, list) or not all(isinstance(v, int) for v in shape) or shape.count(-1) > 1:
            return None
        shape = [dims[i] if v == 0 and i < len(dims) else v for i, v in enumerate(shape)]
        known = math.prod(v for v in shape if v != -1)
        if known <= 0 or len(data) % known:
            return None
        shape = [len(data) // known if v == -1 else v for v in shape]
        return (data, tuple(shape)) if math.prod(shape) == len(data) else None
    if op == "Slice":
        starts, ends = (ins[i] if len(ins) > i else None for i in (1, 2))
        axes = ins[3] if len(ins) > 3 and ins[3] is not None else list(range(len(starts or [])))
        steps = ins[4] if len(ins) > 4 and ins[4] is not None else [1] * len(axes)
        if not all(isinstance(x, list) and len(x) == len(axes) and all(isinstance(v, int) for v in x)
                   for x in (starts, ends, axes, steps)) or 0 in steps:
            return None
        ranges = [range(d) for d in dims]
        for s, e, ax, st in zip(starts, ends, axes, steps):
            if not -len(dims) <= ax < len(dims):
                return None
            ranges[ax] = range(*slice(s, e, st).indices(dims[ax]))
        return _gather(data, dims, ranges, range(len(dims))), tuple(len(r) for r in ranges)
    return None
