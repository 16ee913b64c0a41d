"""Channel plumbing of ShuffleNet-style networks: a part of a channel split, and channel shuffle.

A `split` (torch's chunk / split on the channels) is not one layer: the spec reader writes one
`channel_slice` per part, named `ID.0`, `ID.1`, ..., each reading the split's input
(cnncalc/blocks.py), so every layer keeps one output.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from ..codetext import Part
from ..errors import ShapeError
from .base import Layer, Shape, arg, explain_params, numpy_ops, no_params, no_weights, unchanged_shape
from .backward import no_backward, no_weight_shapes
from .measure import no_macs, rf_same, zero_flops

SLICE_TORCH = '''class ChannelSlice(nn.Module):
    """One part of a channel split (torch.chunk / torch.split on dim 1): channels start:stop."""

    def __init__(self, start, stop):
        super().__init__()
        self.start, self.stop = start, stop

    def forward(self, x):
        return x[:, self.start:self.stop]'''

SLICE_KERAS = '''class ChannelSlice(layers.Layer):
    """One part of a channel split: channels start:stop of the last axis."""

    def __init__(self, start, stop, **kwargs):
        super().__init__(**kwargs)
        self.start, self.stop = start, stop

    def call(self, x):
        return x[..., self.start:self.stop]'''

SHUFFLE_KERAS = '''class ChannelShuffle(layers.Layer):
    """torch's nn.ChannelShuffle on channels-last values: (..., g, C/g) -> (..., C/g, g)."""

    def __init__(self, groups, **kwargs):
        super().__init__(**kwargs)
        self.groups = groups

    def call(self, x):
        shape = keras.ops.shape(x)
        c = shape[-1]
        y = keras.ops.reshape(x, (-1, *shape[1:-1], self.groups, c // self.groups))
        y = keras.ops.swapaxes(y, -1, -2)
        return keras.ops.reshape(y, (-1, *shape[1:-1], c))'''


@dataclass(frozen=True, kw_only=True)
class ChannelSlice(Layer):
    """Part `part` of a channel split into `sections` equal parts or parts of `sizes` channels.

    Shape: the input with C replaced by the part's channels. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("channel_slice",)
    STEMS: ClassVar[dict[str, str]] = {"channel_slice": "channel_slice"}  # the export's helper class ChannelSlice
    ALIASES: ClassVar[dict[str, str]] = {}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "ChannelSlice", SLICE_TORCH), ("keras", "ChannelSlice", SLICE_KERAS))
    # ONNX Split and Slice along the channels (torch.chunk / split / x[:, a:b]), each output a part
    ONNX: ClassVar[dict[str, tuple]] = {"Split": (("Split",), ("axis", "num_outputs", "split")), "Slice": (("Slice",), ())}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    part: int | None = arg(None, type="nonneg", main=True)
    sections: int | None = arg(None, type="size")
    sizes: Any = arg(None, type="ints")
    start: int | None = arg(None, type="nonneg")
    stop: int | None = arg(None, type="size")

    @classmethod
    def from_helper(cls, framework, helper, args):
        return "channel_slice", {"start": args["start"], "stop": args["stop"]}

    def bounds(self, c: int) -> tuple[int, int]:
        """(start, stop) of this part on C channels: `part` of `sections` or `sizes`, or the
        channels `start:stop` themselves (torch's x[:, start:stop], as the export writes it)."""
        if (self.start is None) != (self.stop is None) or (self.start is None) == (self.part is None):
            raise ShapeError("channel_slice takes a part (with sections or sizes), or start and stop; "
                             "e.g. `channel_slice: {start: 0, stop: 58}`", arg="part")
        if self.start is not None:
            if not self.start < self.stop <= c:
                raise ShapeError(f"channels {self.start}:{self.stop} are not a part of the input's {c}; "
                                 f"use 0 <= start < stop <= {c}", arg="start")
            return self.start, self.stop
        if self.sections is not None:
            if c % self.sections:
                raise ShapeError(f"split into {self.sections} equal parts needs channels divisible by "
                                 f"{self.sections}, but the input has {c} ({c} % {self.sections} = {c % self.sections}); "
                                 "give sizes instead, e.g. sizes: [...]", arg="sections")
            n = c // self.sections
            return self.part * n, (self.part + 1) * n
        sizes = (self.sizes,) if isinstance(self.sizes, int) else tuple(self.sizes or ())
        if sum(sizes) != c:
            raise ShapeError(f"split sizes {list(sizes)} add up to {sum(sizes)} but the input has {c} channels; "
                             f"make them add up to {c}", arg="sizes")
        return sum(sizes[:self.part]), sum(sizes[:self.part + 1])

    def output_shape(self, inp: Shape) -> Shape:
        start, stop = self.bounds(inp[-1])
        return (*inp[:-1], stop - start)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        start, stop = self.bounds(inp[-1])
        return {"channels": [start, stop]}

    params = no_params

    macs = no_macs

    flops = zero_flops  # data movement

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        start, stop = self.bounds(r.input_shape[-1])
        return numpy_ops().np.ascontiguousarray(x[..., start:stop])

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        ctx.helper(self, "torch")
        return [Part("ChannelSlice(%d, %d)" % self.bounds(r.input_shape[-1]))]

    def to_keras(self, r, ctx) -> list:
        ctx.helper(self, "keras")
        return [Part("ChannelSlice(%d, %d)" % self.bounds(r.input_shape[-1]))]

    def explain(self, r) -> list[str]:
        start, stop = self.bounds(r.input_shape[-1])
        return [f"channels {start} to {stop - 1} of {r.input_shape[-1]}: {stop - start}; params = 0"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class ChannelShuffle(Layer):
    """Channel shuffle (ShuffleNet; torch's nn.ChannelShuffle): the channels as `groups` rows of
    C/groups, read column by column.

    Shape: unchanged. Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("channel_shuffle",)
    STEMS: ClassVar[dict[str, str]] = {"channel_shuffle": "channel_shuffle"}  # the export's helper class ChannelShuffle
    ALIASES: ClassVar[dict[str, str]] = {"channelshuffle": "channel_shuffle", "shuffle": "channel_shuffle"}
    TORCH: ClassVar[dict[str, tuple]] = {"ChannelShuffle": (("ChannelShuffle",), ("groups",))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("keras", "ChannelShuffle", SHUFFLE_KERAS),)
    # ONNX: Reshape (N, g, C/g, H, W), this Transpose, Reshape back (the reader follows the pattern)
    ONNX: ClassVar[dict[str, tuple]] = {"Transpose": (("Transpose",), ("perm",))}
    DIAGRAM: ClassVar[str] = "norm"  # the diagram's colour category
    groups: int = arg(type="size", main=True, torch="groups")

    def output_shape(self, inp: Shape) -> Shape:
        if inp[-1] % self.groups:
            raise ShapeError(f"channel_shuffle with {self.groups} groups needs channels divisible by {self.groups}, "
                             f"but the input has {inp[-1]}; use a groups that divides {inp[-1]}", arg="groups")
        return unchanged_shape(self, inp)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"groups": self.groups}

    params = no_params

    macs = no_macs

    flops = zero_flops  # data movement

    rf = rf_same

    make_weights = no_weights

    def forward(self, x, w, r):
        c, g = x.shape[-1], self.groups
        y = x.reshape(*x.shape[:-1], g, c // g)
        return numpy_ops().np.ascontiguousarray(y.swapaxes(-1, -2).reshape(x.shape))

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("not written yet")

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        return [Part(f"nn.ChannelShuffle({self.groups})")]

    def to_keras(self, r, ctx) -> list:
        ctx.helper(self, "keras")
        return [Part(f"ChannelShuffle({self.groups})")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes
