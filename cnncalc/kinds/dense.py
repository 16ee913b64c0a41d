"""Dense (fully connected) and embedding layers."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import explain as X
from .. import formulas as F
from ..codetext import Part, call, kwargs
from .activation import keras_fused_act, torch_fused_act
from .base import BIAS_DIAGNOSES, Layer, Shape, arg, check_channels, fmt_shape, numpy_ops
from .backward import no_backward
from .measure import AxisRF, no_macs, rf_global, rf_same, weighted_flops, zero_flops

TORCH_LINEAR_LAST = '''class LinearChannelsLast(nn.Linear):
    """Keras' Dense on a feature map acts on the channels at each position: move them last for
    nn.Linear and back, (N, C, *S) -> (N, *S, C) -> (N, units, *S)."""

    def forward(self, x):
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)'''



@dataclass(frozen=True, kw_only=True)
class Dense(Layer):
    """Fully connected (Keras Dense, PyTorch Linear), on the last axis of its input: a flat
    input (n,), or each position of a feature map (..., C), as Keras' Dense and torch's Linear
    on channels-last values do (ConvNeXt's pointwise layers).

    Shape: (units,), or (..., units). Params: n_in * units + units (bias), n_in the last axis.
    """
    NAMES: ClassVar[tuple[str, ...]] = ("dense",)
    STEMS: ClassVar[dict[str, str]] = {"dense": "dense"}
    ALIASES: ClassVar[dict[str, str]] = {"linear": "dense", "fullyconnected": "dense", "fc": "dense"}
    KERAS: ClassVar[dict[str, tuple]] = {"Dense": (("Dense",), ("units", "activation", "use_bias"))}
    TORCH: ClassVar[dict[str, tuple]] = {"Linear": (("Linear",), ("in_features", "out_features", "bias", "device", "dtype"))}
    ONNX: ClassVar[dict[str, tuple]] = {"Gemm": (("Gemm",), ("alpha", "beta", "transA", "transB")), "MatMul": (("MatMul",), ())}
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = (("torch", "LinearChannelsLast", TORCH_LINEAR_LAST),)
    DIAGRAM: ClassVar[str] = "dense"  # the diagram's colour category
    units: int = arg(type="size", main=True, keras="units", torch="out_features")
    bias: bool = arg(True, type="bool", keras="use_bias", torch="bias")
    activation: str | None = arg(None, type="activation", keras="activation")
    in_features: int | None = arg(None, type="size", torch="in_features")

    def output_shape(self, inp: Shape) -> Shape:
        check_channels(self, self.in_features, inp[-1], "in_features")
        return (*inp[:-1], self.units)

    def params(self, inp: Shape) -> tuple[int, int]:
        return (F.dense_params(inp[-1], self.units, self.bias), 0)

    def hyper(self, inp: Shape) -> dict[str, Any]:
        return {"units": self.units}

    def macs(self, r) -> int:
        """in * units weights, each used once per position: prod(leading axes) * in * units."""
        return F.product(r.input_shape) * self.units

    def flops(self, r) -> int | None:
        return weighted_flops(r, self.macs(r), dot=True)

    def rf(self, r, ins):
        """Flat: every output reads every unit. On a feature map: per position, as a 1x1 conv."""
        return rf_global(self, r, ins) if len(r.input_shape) == 1 else rf_same(self, r, ins)

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (units, n_in) and bias (units,), torch's layout."""
        K = numpy_ops()
        n = r.input_shape[-1]
        w = {"weight": K.uniform(rng, (self.units, n), n, dtype)}
        if self.bias:
            w["bias"] = K.uniform(rng, (self.units,), 2, dtype) * 0.1
        return w

    def forward(self, x, w, r):
        y = x @ w["weight"].T
        if "bias" in w:
            y += w["bias"]
        return numpy_ops().activate(self.activation, y, inplace=True)

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    def backward(self, x, w, r, out, g):
        """Z = X W^T + b: dW = G^T X, db = sum of G, dX = G W."""
        x2 = x.reshape(-1, x.shape[-1])  # on a feature map: every position is a row
        g2 = g.reshape(-1, g.shape[-1])
        grads = {"weight": g2.T @ x2}
        if "bias" in w:
            grads["bias"] = g2.sum(axis=0)
        return g @ w["weight"], grads

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """weight (units, n_in), Keras (n_in, units); bias (units,)."""
        from .backward import layout
        n = r.input_shape[-1]
        shapes = {"weight": layout(order, (self.units, n), (n, self.units))}
        if self.bias:
            shapes["bias"] = (self.units,)
        return shapes

    def weight_axes(self, r, order: str = "torch") -> dict[str, str]:
        from .backward import layout
        return {"weight": layout(order, "(units, n_in)", "(n_in, units)"), "bias": "(units,)"}

    def to_torch(self, r, ctx) -> list:
        L = r.layer
        args = kwargs(("bias", "False", L.bias))
        cls = "nn.Linear"
        if len(r.input_shape) > 1:
            ctx.helper(self, "torch")
            cls = "LinearChannelsLast"
        return [Part(call(cls, str(r.input_shape[-1]), str(L.units), args))] + torch_fused_act(r)

    def to_keras(self, r, ctx) -> list:
        act, post = keras_fused_act(r)
        return [Part(call("layers.Dense", str(r.layer.units), kwargs(("use_bias", "False", r.layer.bias)), act))] + post

    def explain(self, r) -> list[str]:
        lines = ["params = " + X.dense_params_text(r.input_shape[-1], self.units, self.bias, r.params)]
        if len(r.input_shape) > 1:
            lines.append(f"on the last axis at each of {'*'.join(map(str, r.input_shape[:-1]))} positions: "
                         f"MACs = {'*'.join(map(str, r.input_shape))}*{self.units} = {X.num(self.macs(r))}")
        return lines

    def note(self, r) -> tuple[str, str] | None:
        """Dense on a feature map is valid (Keras' Dense and torch's Linear act on the last
        axis) but in a student's spec almost always a missing flatten."""
        inp = r.input_shape
        if len(inp) < 2:
            return None
        c, flat = inp[-1], F.product(inp)
        per = "(C+1)*units" if self.bias else "C*units"
        about = (f"dense on a feature map acts on its last axis C at each position, as Keras' Dense and "
                 f"torch's Linear do: output (..., units), params {per}; a `flatten` before it is the "
                 "usual intent")
        flat_params = F.dense_params(flat, self.units, self.bias)
        return about, (f"layer {self.index} ({self.name}) on {fmt_shape(inp)} gives {fmt_shape(r.output_shape)}, "
                       f"params {X.dense_params_text(c, self.units, self.bias, r.params)} "
                       f"(after a flatten: {X.dense_params_text(flat, self.units, self.bias, flat_params)})")

    DIAGNOSES = ("weight_shape", *BIAS_DIAGNOSES, "dense_mistakes", "carried_size", "dense_other_count")

    # -- the checker (cnncalc/check): this kind as a course table sees it --
    NUMBERED: ClassVar[bool] = True
    LABELS: ClassVar[tuple[str, ...]] = ("fc", "dense", "f", "linear", "fullyconnected")
    BIAS_OF: ClassVar[str] = "unit"

    def course_shape_text(self, r) -> str | None:
        return f"one value per unit: {self.units} units"

    def weight_shapes_taken(self, r) -> tuple[tuple[str, Shape], ...]:
        n, u = r.input_shape[0], self.units
        return (("weight matrix", (n, u)), ("weight matrix", (u, n)))

    ALONE_FLATTENS: ClassVar[bool] = True

    def alone_working(self, r, macs: int | None) -> tuple[str, str]:
        return (X.dense_params_text(r.input_shape[0], self.units, self.bias, r.params),
                f"{r.input_shape[0]}*{self.units} = {X.num(macs)}")


@dataclass(frozen=True, kw_only=True)
class Embedding(Layer):
    """Token embedding on an input of token ids (L,). Shape: (L, dim). Params: vocab * dim."""
    NAMES: ClassVar[tuple[str, ...]] = ("embedding",)
    STEMS: ClassVar[dict[str, str]] = {"embedding": "embedding"}
    INDEX_INPUT: ClassVar[bool] = True
    ALIASES: ClassVar[dict[str, str]] = {}
    KERAS: ClassVar[dict[str, tuple]] = {"Embedding": (("Embedding",), ("input_dim", "output_dim"))}
    TORCH: ClassVar[dict[str, tuple]] = {"Embedding": (("Embedding",), (
        "num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse",
        "_weight", "_freeze", "device", "dtype"))}
    DIAGRAM: ClassVar[str] = "dense"  # the diagram's colour category
    vocab: int = arg(type="size", keras="input_dim", torch="num_embeddings")
    dim: int = arg(type="size", keras="output_dim", torch="embedding_dim")

    def random_input(self, rng, shape: tuple[int, ...], dtype):
        return rng.integers(0, self.vocab, size=shape)

    def output_shape(self, inp: Shape) -> Shape:
        self.check_rank(inp, 1)
        return (inp[0], self.dim)

    def params(self, inp: Shape) -> tuple[int, int]:
        return (self.vocab * self.dim, 0)

    macs = no_macs

    flops = zero_flops  # a lookup

    def rf(self, r, ins):
        """Token ids (L,) become (L, dim): the sequence becomes a spatial axis, one token a unit."""
        return (AxisRF(size=1, jump=1, start=0, n=r.output_shape[0]),)

    def make_weights(self, r, rng, dtype) -> dict:
        """weight (vocab, dim)."""
        return {"weight": rng.standard_normal((self.vocab, self.dim)).astype(dtype)}

    def forward(self, x, w, r):
        return w["weight"][x.astype(numpy_ops().np.intp)]

    # -- gradients (cnncalc/gradients): the backward pass and the weight layouts

    backward = no_backward("token ids have no gradient")

    def weight_shapes(self, r, order: str = "torch") -> dict[str, Shape]:
        """weight (vocab, dim) in both."""
        return {"weight": (self.vocab, self.dim)}

    def to_torch(self, r, ctx) -> list:
        ctx.helpers.add("ChannelsFirst")
        return [Part(f"nn.Embedding({r.layer.vocab}, {r.layer.dim})"),
                Part("ChannelsFirst()", "cf", "(N, L, C) -> (N, C, L)")]

    def to_keras(self, r, ctx) -> list:
        return [Part(f"layers.Embedding({r.layer.vocab}, {r.layer.dim})")]

    def explain(self, r) -> list[str]:
        return [f"params = {self.vocab}*{self.dim} = {X.num(r.params)}"]

    DIAGNOSES = ()  # the generic ones: carried values, neighbours, sizes

