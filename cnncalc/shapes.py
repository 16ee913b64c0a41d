"""Shapes and sliding-window geometry: the vocabulary every kind shares (ground floor: imports
only formulas and errors).

Shapes are channels-last tuples without the batch axis: (H, W, C) for 2-D, (L, C) for 1-D,
(D, H, W, C) for 3-D, (n,) when flat. The arithmetic itself lives in `formulas`. The helpers
taking a `layer` read only its descriptor fields (kind, padding, CAUSAL_OK, check_rank).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import formulas as F
from .errors import ShapeError

if TYPE_CHECKING:
    from .kinds.base import Layer

Shape = tuple[int, ...]


AXIS_NAMES = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}


@dataclass(frozen=True, slots=True)  # one per layer: no __dict__
class Axis:
    """One spatial axis of a sliding window: kernel f, stride s, padding (before, after), dilation d."""
    n: int
    f: int
    s: int
    pad: F.Pad
    d: int = 1


def fmt_shape(shape: Shape) -> str:
    return "(" + ", ".join(str(v) for v in shape) + ("," if len(shape) == 1 else "") + ")"


def per_axis(layer: Layer, argname: str, value, dims: int) -> tuple:
    """Expand an int (same on every axis) or check a list has one entry per spatial axis."""
    if value is None or isinstance(value, int) or isinstance(value, str):
        return (value,) * dims
    if len(value) != dims:
        raise ShapeError(
            f"{argname} {list(value)} has {len(value)} entries but the input has {dims} "
            f"spatial axes ({', '.join(AXIS_NAMES[dims])}); give one int or {dims} entries", arg=argname)
    return tuple(value)


def resolve_padding(layer: Layer, padding, dims: int, ns, fs, ss, ds) -> tuple[F.Pad, ...]:
    """Per-axis (before, after) pairs from int / list / pairs / 'valid' / 'same' / 'causal'
    (Keras Conv1D: d*(f-1) zeros before, none after)."""
    if padding == "causal":
        zeros = [[d * (f - 1), 0] for f, d in zip(fs, ds)]
        if dims != 1 or not layer.CAUSAL_OK:
            raise ShapeError(f"'causal' padding is for 1-D convolutions only (Keras Conv1D; its "
                             f"SeparableConv1D and pooling refuse it), not {layer.kind} on {dims} spatial "
                             f"axes; write the zeros d*(f-1) before as pairs, e.g. padding: {zeros}",
                             arg="padding")
        return tuple((d * (f - 1), 0) for f, d in zip(fs, ds))
    if padding == "same":
        return tuple(F.same_padding(n, f, s, d) for n, f, s, d in zip(ns, fs, ss, ds))
    if padding == "valid":
        return ((0, 0),) * dims
    out = []
    for p in per_axis(layer, "padding", padding, dims):
        out.append(tuple(p) if isinstance(p, tuple) else (p, p))
    return tuple(out)


def spatial_dims(layer: Layer, inp: Shape, dims: int | None) -> int:
    """Spatial axes a window layer works on: fixed by its kind (conv2d -> 2) or by the input."""
    if dims is None:
        if len(inp) not in (2, 3, 4):
            raise ShapeError(f"needs an input of rank 2, 3 or 4 (spatial axes + channels) but got {fmt_shape(inp)}")
        return len(inp) - 1
    layer.check_rank(inp, dims + 1)
    return dims


def kind_dims(kind: str) -> int | None:
    """The spatial dimension a kind name carries: conv2d -> 2, conv -> None."""
    for ch in kind:
        if ch in "123":
            return int(ch)
    return None


def check_channels(layer: Layer, given: int | None, actual: int, argname: str) -> None:
    if given is not None and given != actual:
        raise ShapeError(f"{argname} is {given} but the input has {actual} channels; "
                         f"set {argname}: {actual} or remove it", arg=argname)


def window_error(layer: Layer, inp: Shape, axis: int, err: ShapeError) -> ShapeError:
    dims = len(inp) - 1
    name = AXIS_NAMES[dims][axis] if dims in AXIS_NAMES else str(axis)
    return ShapeError(f"on axis {name} of input {fmt_shape(inp)}: {err.message}", arg=err.arg)


def conv_spatial(layer: Layer, inp: Shape, axes: tuple[Axis, ...], keras_same_rule: bool = True) -> tuple[int, ...]:
    """Spatial output sizes of a convolution (formulas.conv_out on each axis). Keras refuses
    'same' with both stride > 1 and dilation > 1 in Conv and SeparableConv (not Depthwise)."""
    if keras_same_rule and layer.padding == "same" and any(a.s > 1 and a.d > 1 for a in axes):
        raise ShapeError("'same' padding with both stride > 1 and dilation > 1 is refused "
                         "by Keras; use stride 1 or explicit padding", arg="padding")
    out = []
    for i, a in enumerate(axes):
        try:
            out.append(F.conv_out(a.n, a.f, a.s, a.pad, a.d))
        except ShapeError as e:
            raise window_error(layer, inp, i, e) from None
    return tuple(out)


def window_hyper(axes: tuple[Axis, ...], **extra) -> dict[str, Any]:
    out: dict[str, Any] = {"f": tuple(a.f for a in axes), "s": tuple(a.s for a in axes),
                           "p": tuple(a.pad for a in axes)}
    if any(a.d != 1 for a in axes):
        out["d"] = tuple(a.d for a in axes)
    out.update({k: v for k, v in extra.items() if v is not None})
    return out
