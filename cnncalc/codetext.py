"""Code text for the kinds' `to_torch` / `to_keras` facets: the op (`Part`) a layer becomes,
literals, argument lists, per-axis padding text, the activation spellings of both frameworks.
Ground floor (imports formulas, errors, shapes, results); the export engine (names, layout,
the plan) is cnncalc.export.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import formulas as Fm
from .errors import CnncalcError, ShapeError
from .results import LayerResult
from .shapes import AXIS_NAMES


class ExportError(CnncalcError):
    """A valid spec the chosen framework cannot express exactly (a well-formed "no")."""
    exit_code = 1


@dataclass(frozen=True)
class Part:
    """One framework op of a spec layer. `role` "main" carries the layer's name."""
    code: str
    role: str = "main"
    comment: str = ""


def ints(values) -> str:
    """(3, 3) -> '3'; (3, 1) -> '(3, 1)'."""
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else "(" + ", ".join(map(str, values)) + ")"


def num(x: float) -> str:
    """A float literal; inf and nan have none (the spec reader refuses them: this is the guard)."""
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise ExportError(f"{x} has no Python literal; give a finite number")
    return repr(round(x, 12))


def exact_num(x: float) -> str:
    """The float literal that reads back as exactly `x` (a Rescaling's 1/255), guarded as num."""
    num(x)
    return repr(float(x))


def kwargs(*pairs) -> str:
    """'a=1, b=2' from (name, value-text, is_default) triples, leaving out the defaults."""
    return ", ".join(f"{k}={v}" for k, v, default in pairs if not default)


def call(fn: str, *args: str) -> str:
    return f"{fn}({', '.join(a for a in args if a)})"


def torch_pad(pairs) -> str:
    """Per-axis (before, after) pairs in spec order -> torch's F.pad tuple, last axis first."""
    flat = [v for b, a in reversed(tuple(pairs)) for v in (b, a)]
    return "(" + ", ".join(map(str, flat)) + ")"


def keras_pairs(pairs) -> str:
    pairs = tuple(pairs)
    if len(pairs) == 1:
        return f"({pairs[0][0]}, {pairs[0][1]})"
    return "(" + ", ".join(f"({b}, {a})" for b, a in pairs) + ")"


def dims_of(r: LayerResult) -> int:
    return len(r.input_shape) - 1


def keras_transposed_crops(a, mode: str, op: int | None) -> tuple[int, int]:
    """Keras' transposed padding (its torch backend's rule, backend_utils) as the crop
    (before, after) of the natural output (n-1)*s + d*(f-1) + 1; a negative crop pads.

    valid: left = span-1, right = span-1 + (op if given else max(span, s) - span);
    same:  pad_len = s + span - 2 (or span + span%2 - 2 + op), left = min(ceil(pad_len/2), span-1).
    """
    span = Fm.effective_kernel(a.f, a.d)
    if mode == "valid":
        left, right = span - 1, span - 1 + (max(span, a.s) - span if op is None else op)
    else:
        pad_len = a.s + span - 2 if op is None else span + span % 2 - 2 + op
        left = min(pad_len // 2 + pad_len % 2, span - 1)
        right = pad_len - left
    return span - 1 - left, span - 1 - right


def per_axis_ops(r: LayerResult) -> tuple:
    op = r.layer.output_padding
    n = len(r.axes)
    return (op,) * n if op is None or isinstance(op, int) else tuple(op)


def try_value(compute):
    """The value, or None where the arithmetic has no valid answer (no window fits)."""
    try:
        return compute()
    except ShapeError:
        return None


def refuse(message: str):
    raise ExportError(message)


def pad_text(pads) -> str:
    """'(0, 1) on H and W' or '(0, 1) on H, (1, 1) on W': (before, after) per axis."""
    pads = tuple(tuple(p) for p in pads)
    names = AXIS_NAMES.get(len(pads), tuple(str(i) for i in range(len(pads))))
    if len(set(pads)) == 1:
        return f"({pads[0][0]}, {pads[0][1]}) on {' and '.join(names)}"
    return ", ".join(f"({b}, {a}) on {n}" for (b, a), n in zip(pads, names))


def concat_position(r: LayerResult) -> int:
    """The concat axis as a position in the batch-less channels-last shape. The spec counts
    `axis` as Keras does, with the batch as axis 0: -1 is the channels, 1 is H (or L)."""
    axis = getattr(r.layer, "axis", -1)
    rank = len(r.input_shapes[0])
    return axis - 1 if axis > 0 else rank + axis


def torch_dim(r: LayerResult) -> int:
    """The concat axis as a torch dim (batch first, channels at 1)."""
    rank, pos = len(r.input_shapes[0]), concat_position(r)
    return 1 if pos == rank - 1 else pos + 2


def upsample_factor(r: LayerResult) -> tuple[int, ...]:
    """Per-axis factor, from the shapes infer computed (out / in)."""
    return tuple(o // i for o, i in zip(r.output_shape[:-1], r.input_shape[:-1]))


def upsample_mode(r: LayerResult) -> str:
    return getattr(r.layer, "mode", None) or "nearest"


TORCH_INTERPOLATION = {("nearest", d): "nearest" for d in (1, 2, 3)}


TORCH_INTERPOLATION.update({("bilinear", 1): "linear", ("bilinear", 2): "bilinear",
                            ("bilinear", 3): "trilinear"})


def keras_no_stride_dilation(axes) -> None:
    if any(a.s > 1 for a in axes) and any(a.d > 1 for a in axes):
        refuse(f"Keras refuses strides > 1 together with dilation > 1 (stride "
               f"{ints(a.s for a in axes)}, dilation {ints(a.d for a in axes)}); "
               "export to pytorch, or use stride 1 or dilation 1")


def keras_axis(r: LayerResult) -> int:
    rank, pos = len(r.input_shapes[0]), concat_position(r)
    return -1 if pos == rank - 1 else pos + 1


def tuple_text(values) -> str:
    values = tuple(values)
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"
