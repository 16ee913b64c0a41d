"""The base of every layer kind: the descriptor fields and the facets a kind declares. The
shapes and window geometry the kinds share live in `cnncalc.shapes` (a ground-floor module).

A kind is one frozen dataclass in one module of `cnncalc.kinds`, and it declares every facet in
FACETS (the completeness test in tests/kinds/test_registry.py walks the registry and fails on a gap):

  shape      output_shape(inp) -> Shape            (docstring: its `Shape:` formula)
  params     params(inp) -> (trainable, non-trainable)
  macs       macs(r) -> int | None                 (r: results.LayerResult; None = unknown)
  flops      flops(r) -> int | None                (every operation: the `full` convention)
  rf         rf(r, ins) -> receptive field         (ins: the inputs' fields, metrics.AxisRF)
  weights    make_weights(r, rng, dtype) -> dict   (NumPy arrays, the spec's layout)
  forward    forward(x, w, r) -> array             (NumPy, batch first, channels last)
  backward   backward(x, w, r, out, g) -> (dL/dx, {name: dL/d array})   (kinds/backward.py)
  layouts    weight_shapes(r, order) -> {name: shape}   (make_weights' arrays; order "torch" or "keras")
  torch      to_torch(r, ctx) -> list[Part]        (codetext.Part)
  keras      to_keras(r, ctx) -> list[Part]
  explain    explain(r) -> list[str]               (the working, numbers plugged in)
  diagnoses  DIAGNOSES: tuple of checker mistakes that apply (check.diagnoses)

A facet that does not apply is declared as such, never left out: a shared implementation
bound by name (`params = no_params`), a metric that returns None (unknown, never 0), or an
export that refuses with the reason. Kind modules import the ground floor (shapes, results,
codetext, spelling, explain, formulas, errors) at the top; NumPy comes through `numpy_ops()`
inside the facets that use it, so `cnncalc summary` never loads it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

from .. import explain as X
from .. import formulas as F
from ..errors import CnncalcError, ShapeError
from ..results import infer_layer
from ..shapes import (AXIS_NAMES, Axis, Shape, check_channels, conv_spatial, fmt_shape,  # noqa: F401
                      kind_dims, per_axis, resolve_padding, spatial_dims, window_error, window_hyper)
from ..spelling import argument





ACTIVATIONS = (
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
    "hardswish", "hard_sigmoid", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
    "softsign",
)
NONNEGATIVE_ACTIVATIONS = ("relu", "relu6", "sigmoid", "softmax", "hard_sigmoid", "softplus")  # output >= 0
VECTOR_ACTIVATIONS = ("softmax", "log_softmax")  # need the whole vector, not one value
ELEMENTWISE_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in VECTOR_ACTIVATIONS)


def arg(default: Any = dataclasses.MISSING, *, type: str = "int", main: bool = False,
        keras: str | None = None, torch: str | None = None):
    """Declare a spec argument. `type` drives coercion in spec.py: int, size (>= 1), nonneg,
    ints (int or one per axis), nonneg_ints, padding, bool, float, floats (a float or one per
    channel), rate, str, activation.
    `keras` and `torch` are the frameworks' spellings of it (for docs/kinds.md and readers)."""
    meta = {"type": type, "main": main, "keras": keras, "torch": torch}
    if default is dataclasses.MISSING:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


FACETS: dict[str, str] = {
    "shape": "output_shape", "params": "params", "macs": "macs", "flops": "flops", "rf": "rf",
    "weights": "make_weights", "forward": "forward", "backward": "backward", "layouts": "weight_shapes",
    "torch": "to_torch", "keras": "to_keras",
    "explain": "explain", "diagnoses": "DIAGNOSES",
}


class MissingFacet(NotImplementedError):
    """A kind was asked for a facet it does not declare: a bug, caught by tests/kinds/test_registry.py."""


def pending(where: str):
    """The placeholder of a facet not declared yet; calling it is a bug."""
    def missing(self, *args, **kwargs):
        raise MissingFacet(f"{where} is not declared")
    missing.pending = True
    return missing


def unchanged_shape(self, inp: Shape) -> Shape:
    """Shape: unchanged (element-wise layers)."""
    return inp


def padded_shape(self, inp: Shape) -> Shape:
    """Shape: each spatial axis n + before + after (the padding kinds), channels unchanged."""
    return (*(F.padded(a.n, a.pad) for a in self.axes(inp)), inp[-1])


def padding_hyper(self, inp: Shape) -> dict:
    """Hyper-parameters of a padding kind: p, the (before, after) pair of each axis."""
    return {"p": tuple(a.pad for a in self.axes(inp))}


def no_params(self, inp: Shape) -> tuple[int, int]:
    """Params: 0 (nothing learned)."""
    return (0, 0)


def memo_axes(axes):
    """A layer's `axes` kept for its last input shape: output_shape, params, hyper and infer
    each ask for them (a one-entry memo beside the frozen fields; equality ignores it)."""
    def memo(self, inp):
        got = self.__dict__.get("_axes_memo")
        if got is not None and got[0] == inp:
            return got[1]
        out = axes(self, inp)
        object.__setattr__(self, "_axes_memo", (inp, out))
        return out
    memo.__doc__, memo.__name__, memo.__qualname__ = axes.__doc__, axes.__name__, axes.__qualname__
    return memo


_SPEC_ARGS: dict[type, Mapping[str, dataclasses.Field]] = {}  # Layer.spec_args, per class


@dataclass(frozen=True, kw_only=True)
class Layer:
    """Common descriptor fields. `index` is 1-based; `line`/`col` locate it in the spec."""
    kind: str
    name: str
    index: int
    id: str | None = None
    inputs: tuple[str, ...] | None = None
    trainable: bool = True  # false: its weights are frozen (Keras' trainable=False), all non-trainable
    line: int | None = None
    col: int | None = None
    marks: Mapping[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    via: str | None = field(default=None, compare=False, repr=False)  # "in block b used at line 40"

    RANK: ClassVar[int | None] = None  # required input rank, None for any
    MULTI_INPUT: ClassVar[bool] = False         # takes the tuple of its inputs (merges)
    NAMES: ClassVar[tuple[str, ...]] = ()       # the kind names this class declares
    ALIASES: ClassVar[dict[str, str]] = {}      # Keras / torch spellings (normalised) -> a name
    # The frameworks' spellings the readers recognise as this kind, as Keras keeps get_config and
    # from_config in the layer: a group (the reader's handler for it) -> (names, keywords). The
    # names are Keras classes, torch.nn classes or functions (group "F.*": F.x, torch.x, x.x()),
    # or ONNX ops, as a tuple or as {name: kind name}; the keywords are the constructor's (or
    # function's) parameters in order, keyword-only ones after "*", or the ONNX attributes read.
    # Only the class's own declarations count (a subclass declares its own).
    KERAS: ClassVar[dict[str, tuple]] = {}
    TORCH: ClassVar[dict[str, tuple]] = {}
    ONNX: ClassVar[dict[str, tuple]] = {}
    CAUSAL_OK: ClassVar[bool] = False           # takes `padding: causal` (Keras Conv1D)
    FLOORS: ClassVar[bool] = False              # its output size floors (n + p - span)/s: it can drop rows
    DIAGRAM: ClassVar[str] = "other"            # colour category in the diagram (diagram.COLOURS)
    COURSE_ROW: ClassVar[bool] = True           # a row of the course table (False: folded into a neighbour)
    SYMBOLS: ClassVar[dict[str, str]] = {}      # merges: the sign drawn for each kind name
    # The helper classes its exports write where the framework has no such layer, as
    # (framework "torch" or "keras", class name, source); the readers read a class whose source
    # is exactly one of these back as this kind (from_helper), the round trip export -> import.
    HELPERS: ClassVar[tuple[tuple[str, str, str], ...]] = ()
    BUFFERS: ClassVar[tuple[str, ...]] = ()     # arrays make_weights draws that are not trained (running statistics)
    # The default name of an unnamed layer, per kind name: Keras' (its class in snake case, as
    # `keras.layers.MaxPooling2D((2, 2)).name` gives: max_pooling2d), else the kind's own word.
    # `{d}` stands for the spatial dimensions of a kind that takes them from the input
    # (global_avgpool: global_average_pooling{d}d), read from the spec's input.
    STEMS: ClassVar[dict[str, str]] = {}

    @classmethod
    def stem(cls, kind: str, dims: int) -> str:
        """The default name of an unnamed `kind` layer before Keras numbers it (conv2d, conv2d_1)."""
        return cls.STEMS.get(kind, kind).format(d=dims)

    @classmethod
    def holds_weights(cls) -> bool:
        """Whether a layer of this kind can have weights (its make_weights makes some): what a
        reader asks before it keeps a frozen layer's trainable=False or refuses a shared layer."""
        return cls.make_weights is not no_weights

    @classmethod
    def from_helper(cls, framework: str, helper: str, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(kind, spec arguments) of a call of one of its HELPERS, given its arguments by the
        parameter names of the helper's constructor: those the spec reads as this kind's
        arguments (`eps`, `out_features`) are kept, the others (channels, sizes the layer
        infers) dropped."""
        return cls.NAMES[0], {k: v for k, v in args.items() if argument(k, cls.spec_args()) in cls.spec_args()}

    @property
    def label(self) -> str:
        return f"layer {self.index} ({self.name}, {self.kind})" + (f" {self.via}" if self.via else "")

    @classmethod
    def spec_args(cls) -> Mapping[str, dataclasses.Field]:
        got = _SPEC_ARGS.get(cls)
        if got is None:  # once per class: a 100,000-layer spec asks 100,000 times
            base = {f.name for f in dataclasses.fields(Layer)}
            got = _SPEC_ARGS[cls] = MappingProxyType({f.name: f for f in dataclasses.fields(cls) if f.name not in base})
        return got

    @classmethod
    def main_arg(cls) -> str | None:
        return next((n for n, f in cls.spec_args().items() if f.metadata.get("main")), None)

    def check_rank(self, inp: Shape, rank: int | None) -> None:
        if rank is not None and len(inp) != rank:
            want = {1: "a flat (n,)", 2: "(L, C)", 3: "(H, W, C)", 4: "(D, H, W, C)"}[rank]
            hint = ""
            if len(inp) > rank == 1:
                hint = "; add a `flatten` (or `global_avgpool`) layer before it"
            elif rank > 1 and self.kind[-2:] in ("1d", "2d", "3d") and 2 <= len(inp) <= 4:
                hint = f"; for a {fmt_shape(inp)} input use {self.kind[:-2]}{len(inp) - 1}d"
            elif len(inp) < rank:
                hint = "; check the input rank or remove the `flatten` before it"
            raise ShapeError(f"needs {want} input but got {fmt_shape(inp)}{hint}")

    output_shape = pending("output_shape")
    params = pending("params")
    macs = pending("macs")
    flops = pending("flops")
    rf = pending("rf")
    make_weights = pending("make_weights")
    forward = pending("forward")
    backward = pending("backward")
    weight_shapes = pending("weight_shapes")
    to_torch = pending("to_torch")
    to_keras = pending("to_keras")
    explain = pending("explain")
    DIAGNOSES: ClassVar[tuple | None] = None  # None: not declared

    def backward_refusal(self) -> str | None:
        """Why backprop cannot differentiate this layer (its kind's backward is a refusal), or None."""
        reason = getattr(type(self).backward, "refusal", None)
        if reason is None:
            return None
        from .backward import SUPPORTED
        return f"backprop has no backward pass for `{self.kind}` ({reason}); it works {SUPPORTED}"

    def fused_activation(self) -> str | None:
        """The activation applied to the layer's own output (its `activation:`), None when none or linear."""
        act = getattr(self, "activation", None)
        return None if act in (None, "linear") else act

    def final_activation(self) -> str | None:
        """The activation the layer's output last went through (an activation layer: itself)."""
        return self.fused_activation()

    def weight_axes(self, r, order: str = "torch") -> dict[str, str]:
        """What each array's axes are, for messages ("(units, n_in)"); {} where nothing is said."""
        return {}

    def axes(self, inp: Shape) -> tuple[Axis, ...]:
        """Sliding-window geometry per spatial axis; empty for layers without a window."""
        return ()

    def hyper(self, inp: Shape) -> dict[str, Any]:
        """Hyper-parameters worth showing, in the course's notation."""
        return {}

    # -- the checker's questions (cnncalc/check): the layer as a course table sees it --------
    NUMBERED: ClassVar[bool] = False          # counted in the course's numbers (CONV1, POOL1, CONV2, FC3)
    LABELS: ClassVar[tuple[str, ...]] = ()    # course-table words naming it, normalised (conv, fc, pool)
    FLATTENS: ClassVar[bool] = False          # turns a map into the flat input of a dense layer
    BIAS_OF: ClassVar[str] = "filter"         # what each of its biases belongs to, in the checker's words

    def what(self) -> str:
        """The layer in words, for the checker's sentences: 'max pooling has no parameters'."""
        return self.kind

    def is_kind(self, name: str) -> bool:
        """Is it a `name` layer, or a kind that specialises it (a drop_path is a dropout)?"""
        return any(name in vars(c).get("NAMES", ()) for c in type(self).__mro__)

    def labelled_by_activation(self, word: str) -> bool:
        """Does a row labelled `word` stand for its fused activation (LeNet's `Softmax` row is
        the last dense layer's softmax)?"""
        return word == "softmax" and getattr(self, "activation", None) == "softmax"

    def course_shape_text(self, r) -> str | None:
        """The working of its output shape, numbers plugged in, without the shape itself;
        None when the shape needs none (the checker says 'the same as its input')."""
        return None

    def course_params_text(self, r) -> str | None:
        """The working of its parameter count where the course writes it otherwise than the
        explain facet's `params = ...` line; None to use that line."""
        return None

    def weight_shapes_taken(self, r) -> tuple[tuple[str, Shape], ...]:
        """Shapes of its weights a student may give for its activation: (what, shape)."""
        return ()

    def note(self, r) -> tuple[str, str] | None:
        """A remark on the layer as the spec uses it, printed under the summary (stdout, not an
        error): (what it is about, said once for every layer it concerns; this layer's numbers),
        or None when there is nothing to say."""
        return None

    def recount(self, inputs: tuple[Shape, ...], **changes):
        """The layer with some spec arguments changed (a student's slip: `bias=False`,
        `stride=1`, `padding=0`) on `inputs`, as a results.LayerResult; None when no such layer
        can be computed."""
        try:
            return infer_layer(dataclasses.replace(self, **changes), inputs)
        except (CnncalcError, ZeroDivisionError, ValueError, TypeError):
            return None

    def shape_if_ceil(self, r) -> Shape | None:
        """The output if its size were rounded up instead of down; None when it does not round
        down a division (no window, a padding rule, ceil_mode)."""
        return None

    # -- what the executor and the exports ask ------------------------------------------------
    INDEX_INPUT: ClassVar[bool] = False   # its input is token indexes (embedding), not values
    STATS_BUFFERS: ClassVar[bool] = False  # its non-trainable parameters are torch buffers (moving statistics)
    SIGN_KEPT: ClassVar[bool] = False     # its output is >= 0 wherever its input is (pooling, padding, dropout)

    def nonnegative_output(self) -> bool:
        """Is its output >= 0 whatever its input (a fused relu, sigmoid, softmax, ...)?"""
        return getattr(self, "activation", None) in NONNEGATIVE_ACTIVATIONS

    def random_input(self, rng, shape: tuple[int, ...], dtype):
        """A random batch for a network that starts with this layer (numpy's Generator `rng`)."""
        return rng.standard_normal(shape).astype(dtype)

    # -- the layer alone (`cnncalc layer`, api.solve_layer) and `solve input`'s scan --------
    ALONE_FLATTENS: ClassVar[bool] = False  # alone, a multi-axis input is flattened first (the course's dense)

    def alone_working(self, r, macs: int | None) -> tuple[str, str]:
        """(params, MACs) working of the layer alone on its input, numbers plugged in: by default
        the `params = ...` line of its explain facet and the MAC count."""
        params = next((line[len("params = "):] for line in self.explain(r) if line.startswith("params = ")), None)
        if params is None:
            params = X.num(r.params) if r.params else "0 (nothing learned)"
        return params, "unknown (cnncalc has no MAC formula for this kind)" if macs is None else X.num(macs)

    def jacobian_structure(self, r) -> str | None:
        """What d out/d in looks like beyond its shape (diagonal, blocks), for `layer --jacobian`;
        None when nothing is said."""
        return None

    def scan_step(self, r) -> str | None:
        """How `solve input` walks this layer on each spatial axis alone: "keep" (it passes every
        size through), "window" (formulas.conv_out with a kernel, stride and padding that do not
        depend on the size), or None (the scan infers it at each size)."""
        return None


def keeps_sizes(self, r) -> str | None:
    """scan_step of the element-wise kinds: "keep" where the output shape is the input's."""
    return "keep" if r.output_shape == r.input_shape else None


def numpy_ops():
    """The executor's NumPy operations (cnncalc.ops), imported on first use: the `forward` and
    `make_weights` facets call it, so `import cnncalc.kinds` never imports numpy."""
    from .. import ops as K
    return K



def no_weights(self, r, rng, dtype) -> dict:
    """Weights: none (nothing learned)."""
    return {}


def identity_forward(self, x, w, r):
    """Forward: the input unchanged (dropout and friends at inference)."""
    return x


def explain_params(self, r) -> list[str]:
    """Explain: only the parameter total (activations, merges, global pooling, dropout, LRN)."""
    return X.params_lines(r)


def ceil_shape(r) -> Shape | None:
    """A window layer's output with ceil((n + 2p - f)/s) + 1 on every axis instead of the floor;
    None when an axis has no output."""
    # floor((n + s - 1 + 2p - f)/s) + 1 = ceil((n + 2p - f)/s) + 1: conv_out with n + s - 1
    try:
        return (*(F.conv_out(a.n + a.s - 1, a.f, a.s, a.pad, a.d) for a in r.axes), r.output_shape[-1])
    except (CnncalcError, ZeroDivisionError, ValueError, TypeError):
        return None


# The checker's kind-specific diagnoses (cnncalc/check), by name: a kind lists those that apply.
WINDOW_DIAGNOSES = ("ceil_for_floor", "plus_one_left_out", "padding_forgotten", "stride_ignored",
                    "dilation_ignored")
BIAS_DIAGNOSES = ("bias_mistakes",)
