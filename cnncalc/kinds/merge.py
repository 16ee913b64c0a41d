"""Merges of two or more inputs: add, multiply, subtract, maximum, minimum, average, concat."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from ..codetext import Part, keras_axis, torch_dim
from ..errors import ShapeError
from ..formulas import product
from .base import (Axis, AXIS_NAMES, Layer, Shape, arg, explain_params, fmt_shape, numpy_ops,
                   no_params, no_weights)
from .backward import no_weight_shapes
from .measure import no_macs, rf_merged, zero_flops


TORCH_MERGE = '''class Merge(nn.Module):
    """Keras' element-wise merges, broadcast by NumPy's rules over the channels-last axes: an
    input of lower rank gains size-1 axes after its channels, (N, C) -> (N, C, 1, 1)."""

    def __init__(self, op):
        super().__init__()
        self.op = op

    def forward(self, *xs):
        rank = max(x.dim() for x in xs)
        xs = [x.reshape(*x.shape[:2], *(1,) * (rank - x.dim()), *x.shape[2:]) for x in xs]
        if self.op == "subtract":
            return xs[0] - xs[1]
        out = xs[0]
        for x in xs[1:]:
            if self.op in ("add", "average"):
                out = out + x
            elif self.op == "multiply":
                out = out * x
            else:
                out = torch.maximum(out, x) if self.op == "maximum" else torch.minimum(out, x)
        return out / len(xs) if self.op == "average" else out'''


def _source(layer: Layer, i: int) -> str:
    """How a merge layer names its i-th input in messages: the source layer's name."""
    refs = layer.inputs or ()
    return f"`{refs[i]}`" if i < len(refs) else f"input {i + 1}"


def _axis_names(rank: int) -> tuple[str, ...]:
    return (*AXIS_NAMES.get(rank - 1, tuple(f"axis {i + 1}" for i in range(rank - 1))), "C") if rank > 1 else ("n",)


@dataclass(frozen=True, kw_only=True)
class Merge(Layer):
    """Element-wise merge of two or more inputs: add, multiply, subtract (two inputs), maximum,
    minimum, average (Keras Add, Multiply, Subtract, Maximum, Minimum, Average).

    Shape: the inputs broadcast by NumPy's rules over the non-batch axes, channels last: each
    size equal or 1, and an input of lower rank is aligned at the channels ((C,) and (1, 1, C)
    with (H, W, C) give (H, W, C): squeeze-and-excitation). Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("add", "multiply", "subtract", "maximum", "minimum", "average")
    STEMS: ClassVar[dict[str, str]] = {k: k for k in ("add", "multiply", "subtract", "maximum", "minimum", "average")}
    ALIASES: ClassVar[dict[str, str]] = {"mul": "multiply", "sub": "subtract", "max": "maximum",
                                         "min": "minimum", "mean": "average"}
    KERAS: ClassVar[dict[str, tuple]] = {"Merge": (("Add", "Multiply", "Subtract", "Maximum", "Minimum", "Average"), ())}
    TORCH: ClassVar[dict[str, tuple]] = {"F.add": ({"add": "add"}, ("input", "other", "alpha")),
                         "F.mul": ({"mul": "multiply"}, ("input", "other"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Merge": ({"Add": "add", "Mul": "multiply"}, ())}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "Merge", TORCH_MERGE),)
    DIAGRAM: ClassVar[str] = "merge"  # the diagram's colour category
    SYMBOLS: ClassVar[dict[str, str]] = {"add": "+", "multiply": "\u00d7", "subtract": "\u2212",
                                         "maximum": "max", "minimum": "min", "average": "avg"}  # the merge circle
    MULTI_INPUT: ClassVar[bool] = True

    @classmethod
    def from_helper(cls, framework, helper, args):
        return args["op"], {}

    def _check_count(self, shapes: tuple[Shape, ...]) -> None:
        if len(shapes) < 2:
            raise ShapeError(f"{self.kind} merges two or more inputs but got {len(shapes)}; "
                             "list them, e.g. `inputs: [conv3, shortcut]`", arg="inputs")
        if self.kind == "subtract" and len(shapes) != 2:
            raise ShapeError(f"subtract takes exactly two inputs (the first minus the second), got "
                             f"{len(shapes)}; list two, e.g. `inputs: [a, b]`", arg="inputs")

    def output_shape(self, shapes: tuple[Shape, ...]) -> Shape:
        self._check_count(shapes)
        rank = max(len(s) for s in shapes)
        padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
        out = []
        for k in range(rank):
            ref = next((i for i, p in enumerate(padded) if p[k] != 1), 0)
            size = padded[ref][k]
            for i, p in enumerate(padded):
                if p[k] not in (1, size):
                    raise ShapeError(
                        f"{self.kind} cannot broadcast {_source(self, ref)} {fmt_shape(shapes[ref])} with "
                        f"{_source(self, i)} {fmt_shape(shapes[i])}: {_axis_names(rank)[k]} is {size} vs "
                        f"{p[k]}, and NumPy's rule needs each size equal or 1; make them match "
                        "(e.g. a 1x1 conv with the right stride and filters on the shortcut)", arg="inputs")
            out.append(size)
        return tuple(out)

    params = no_params

    def axes(self, shapes) -> tuple[Axis, ...]:
        return ()

    def hyper(self, shapes) -> dict[str, Any]:
        return {}

    macs = no_macs

    def flops(self, r) -> int:
        """k inputs: k-1 operations per output value (average: k, the k-1 sums and one scaling)."""
        k = len(r.input_shapes)
        return (k if self.kind == "average" else k - 1) * product(r.output_shape)

    rf = rf_merged

    make_weights = no_weights

    def forward(self, xs, w, r):
        np = numpy_ops().np
        rank = max(v.ndim for v in xs)  # a lower rank gains axes after the batch: (N, C) -> (N, 1, 1, C)
        xs = [v.reshape(v.shape[:1] + (1,) * (rank - v.ndim) + v.shape[1:]) for v in xs]
        if self.kind == "subtract":
            return xs[0] - xs[1]
        op = {"add": np.add, "multiply": np.multiply, "average": np.add, "maximum": np.maximum,
              "minimum": np.minimum}[self.kind]
        out = xs[0]
        for v in xs[1:]:
            out = op(out, v)
        out = out * (1 / len(xs)) if self.kind == "average" else out
        return np.ascontiguousarray(out, dtype=xs[0].dtype)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, xs, w, r, out, g):
        """add: every input gets G; subtract: G and -G; average: G/k; multiply: G times the
        product of the others; maximum, minimum: G to the input that won, halved on a tie (torch's
        rule, input by input as forward folds them). An input that was broadcast gets G summed
        over the axes it grew."""
        k, rank = len(xs), g.ndim
        full = [x.reshape(x.shape[:1] + (1,) * (rank - x.ndim) + x.shape[1:]) for x in xs]
        if self.kind in ("maximum", "minimum"):
            grads = self._extremum_grads(full, g)
        else:
            grads = []
            for i in range(k):
                if self.kind == "multiply":
                    gi = g
                    for j, v in enumerate(full):
                        if j != i:
                            gi = gi * v
                else:
                    gi = g / k if self.kind == "average" else (-g if self.kind == "subtract" and i == 1 else g.copy())
                grads.append(gi)
        back = []
        for x, v, gi in zip(xs, full, grads):
            grown = tuple(a for a in range(1, rank) if v.shape[a] == 1 and g.shape[a] != 1)
            gi = gi.sum(axis=grown, keepdims=True) if grown else gi
            back.append(gi.reshape(x.shape))
        return tuple(back), {}

    def _extremum_grads(self, full, g):
        """torch.maximum's backward (minimum's mirrored) through the fold out = op(out, x_i):
        the gradient goes to the larger of the two, half to each when they are equal."""
        np = numpy_ops().np
        op, loses = (np.maximum, np.less) if self.kind == "maximum" else (np.minimum, np.greater)
        accs = [full[0]]
        for v in full[1:-1]:
            accs.append(op(accs[-1], v))
        grads, up = [None] * len(full), g
        for i in range(len(full) - 1, 0, -1):
            acc, v = accs[i - 1], full[i]
            shared = np.where(acc == v, up / 2, up)
            grads[i] = np.where(loses(v, acc), 0.0, shared)
            up = np.where(loses(acc, v), 0.0, shared)
        grads[0] = up
        return grads

    weight_shapes = no_weight_shapes

    def to_torch(self, r, ctx) -> list:
        if self.kind in ("add", "multiply") and len({len(s) for s in r.input_shapes}) == 1:
            helper = {"add": "Add", "multiply": "Multiply"}[self.kind]
            ctx.helpers.add(helper)
            return [Part(f"{helper}()")]
        ctx.helper(self, "torch")
        return [Part(f"Merge({self.kind!r})")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.{self.kind.capitalize()}()")]

    explain = explain_params

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes


@dataclass(frozen=True, kw_only=True)
class Concat(Merge):
    """Concatenation along one axis (Keras Concatenate, torch.cat); channels by default.

    `axis` counts as Keras does, with the batch as axis 0: -1 (the default) and rank are the
    channels, 1 is H (or L). torch.cat(dim=1) on NCHW tensors is `axis: -1` here.
    Shape: the inputs' shapes with their `axis` sizes summed; every other size must match.
    Params: 0.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("concat",)
    STEMS: ClassVar[dict[str, str]] = {"concat": "concatenate"}
    ALIASES: ClassVar[dict[str, str]] = {"concatenate": "concat", "cat": "concat"}
    KERAS: ClassVar[dict[str, tuple]] = {"Concatenate": (("Concatenate",), ("axis",))}
    TORCH: ClassVar[dict[str, tuple]] = {"F.cat": (("cat", "concat", "concatenate"), ("tensors", "dim"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Concat": (("Concat",), ("axis",))}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    DIAGRAM: ClassVar[str] = "merge"  # the diagram's colour category
    SYMBOLS: ClassVar[dict[str, str]] = {"concat": "\u2016"}  # drawn in the merge circle
    axis: int = arg(-1, type="int", main=True, keras="axis")

    def _axis(self, shape: Shape) -> int:
        """The position of `axis` in a batch-less shape."""
        rank = len(shape)
        pos = self.axis - 1 if self.axis > 0 else rank + self.axis
        if self.axis == 0 or not 0 <= pos < rank:
            raise ShapeError(f"axis {self.axis} is not an axis of the inputs {fmt_shape(shape)} "
                             f"(axis 0 is the batch); use 1 to {rank} or -1 to -{rank}, -1 for channels",
                             arg="axis")
        return pos

    def output_shape(self, shapes: tuple[Shape, ...]) -> Shape:
        self._check_count(shapes)
        first = shapes[0]
        pos = self._axis(first)
        names = (*AXIS_NAMES.get(len(first) - 1, ()), "C") if len(first) > 1 else ("n",)
        for i, shape in enumerate(shapes[1:], start=1):
            if len(shape) != len(first):
                raise ShapeError(
                    f"concat needs inputs of one rank, but {_source(self, 0)} gives {fmt_shape(first)} "
                    f"and {_source(self, i)} gives {fmt_shape(shape)}", arg="inputs")
            for k, (a, b) in enumerate(zip(first, shape)):
                if k != pos and a != b:
                    raise ShapeError(
                        f"concat along axis {self.axis} ({names[pos]}) needs every other size to match, "
                        f"but {_source(self, 0)} gives {fmt_shape(first)} and {_source(self, i)} gives "
                        f"{fmt_shape(shape)} ({names[k]} {a} vs {b}); crop, pad or resample one of them",
                        arg="inputs")
        return tuple(sum(s[k] for s in shapes) if k == pos else n for k, n in enumerate(first))

    def hyper(self, shapes) -> dict[str, Any]:
        return {"axis": self.axis} if self.axis != -1 else {}

    macs = no_macs

    flops = zero_flops  # data movement

    rf = rf_merged

    make_weights = no_weights

    def forward(self, xs, w, r):
        # `axis` counts as Keras does, batch = axis 0, -1 = channels: the arrays' own numbering
        return numpy_ops().np.concatenate(xs, axis=self.axis)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, xs, w, r, out, g):
        """Each input gets its own slice of G back."""
        np = numpy_ops().np
        cuts = np.cumsum([v.shape[self.axis] for v in xs])[:-1]
        return tuple(np.split(g, cuts, axis=self.axis)), {}

    def to_torch(self, r, ctx) -> list:
        ctx.helpers.add("Concat")
        dim = torch_dim(r)
        return [Part(f"Concat(dim={dim})" if dim != 1 else "Concat()", comment="dim 1: channels" if dim == 1 else "")]

    def to_keras(self, r, ctx) -> list:
        axis = keras_axis(r)
        return [Part(f"layers.Concatenate(axis={axis})" if axis != -1 else "layers.Concatenate()")]

    def explain(self, r) -> list[str]:
        """The concatenated axis is the sum of the inputs'."""
        out = r.output_shape
        pos = self._axis(out)
        name = (*X._axis_names(len(out) - 1), "C")[pos] if len(out) > 1 else "n"
        return [f"{name}: out = {' + '.join(str(s[pos]) for s in r.input_shapes)} = {out[pos]}"] + X.params_lines(r)

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

