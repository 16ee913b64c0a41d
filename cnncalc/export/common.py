"""What the exporters share: names, literals, the statement layout, and the helpers the kinds'
`to_torch` / `to_keras` facets build their ops with.

Each spec layer becomes one or more framework ops: the *main* op carries the layer's name (and
its weights); helper ops before it (explicit padding) or after it (an activation, a crop) get
the name plus a suffix (`conv1_pad`, `conv1_act`). `Export.outputs` maps every spec layer to
the op whose output is the layer's output; the tests hook those ops.

Names: PyTorch attributes (and, in branched graphs, the tensor variables of both exports) are
the layer names with every character other than ASCII letters, digits and `_` replaced by `_`
(`features.0` -> `features_0`); a name starting with a digit or `_` gets a `layer_` prefix; a
Python keyword or builtin (`class`, `sum`), an `nn.Module` attribute (`train`, `forward`) or a
name the generated code uses itself (`x`, `torch`, `nn`, ...) gets a trailing `_`; a clash gets
`_2`, `_3`.
Keras layer names keep the spec's names, except `/` (Keras refuses it) and `.` (its torch
backend refuses it), which become `_`.

What a framework cannot express exactly is an ExportError naming the layer, never code that
computes something else. Sizes come from the layer's own geometry (`layer.axes(inp)`) and the
results of `infer`; nothing here re-derives a shape formula except the framework-to-framework
translations (documented where they are).
"""
from __future__ import annotations

import builtins
import keyword
import re
import textwrap
from dataclasses import dataclass

from .. import formulas as Fm
from ..errors import CnncalcError
from ..infer import LayerResult
from ..kinds import AXIS_NAMES, fmt_shape  # noqa: F401 (fmt_shape: for the kinds' facets)

FRAMEWORKS = ("pytorch", "keras")


LINE = 99  # longest generated line


class ExportError(CnncalcError):
    """A valid spec the chosen framework cannot express exactly (a well-formed "no")."""
    exit_code = 1


@dataclass(frozen=True)
class Part:
    """One framework op of a spec layer. `role` "main" carries the layer's name."""
    code: str
    role: str = "main"
    comment: str = ""


@dataclass(frozen=True)
class Export:
    code: str
    class_name: str
    outputs: dict[str, str]            # spec layer name -> op giving the layer's output
    ops: dict[str, tuple[str, ...]]    # spec layer name -> all its ops, in order
    main: dict[str, str]               # spec layer name -> the op carrying its name and weights


# -- names ------------------------------------------------------------------------------------
TORCH_MODULE_ATTRS = frozenset((
    "T_destination", "add_module", "apply", "bfloat16", "buffers", "call_super_init", "children",
    "compile", "cpu", "cuda", "double", "dump_patches", "eval", "extra_repr", "float", "forward",
    "get_buffer", "get_extra_state", "get_parameter", "get_submodule", "half", "ipu",
    "load_state_dict", "modules", "mtia", "named_buffers", "named_children", "named_modules",
    "named_parameters", "parameters", "register_backward_hook", "register_buffer",
    "register_forward_hook", "register_forward_pre_hook", "register_full_backward_hook",
    "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
    "register_load_state_dict_pre_hook", "register_module", "register_parameter",
    "register_state_dict_post_hook", "register_state_dict_pre_hook", "requires_grad_",
    "set_extra_state", "set_submodule", "share_memory", "state_dict", "to", "to_empty", "train",
    "training", "type", "xpu", "zero_grad",
))  # dir(torch.nn.Module) in torch 2.13, plus the `training` flag


RESERVED = frozenset(("x", "inputs", "outputs", "model", "self", "torch", "nn", "keras", "layers",
                      "build_model", *(n for n in dir(builtins) if n.islower() and n[0] != "_")))


def identifier(name: str) -> str:
    """A layer name as a Python identifier (see the module docstring for the rules)."""
    out = re.sub(r"[^0-9A-Za-z_]", "_", name)
    if not out or out[0].isdigit() or out[0] == "_":
        out = "layer_" + out
    if keyword.iskeyword(out) or out in TORCH_MODULE_ATTRS or out in RESERVED:
        out += "_"
    return out


def keras_name(name: str) -> str:
    """A layer name Keras accepts on every backend: `/` (Keras) and `.` (torch) become `_`."""
    return name.replace("/", "_").replace(".", "_")


def class_name(spec_name: str) -> str:
    """CamelCase of the spec's name: 'VGG-16' -> 'VGG16', 'MobileNet v1' -> 'MobileNetV1'."""
    import builtins
    import keyword
    words = re.findall(r"[0-9A-Za-z]+", spec_name)
    out = "".join(w[0].upper() + w[1:] for w in words) or "Model"
    taken = out[0].isdigit() or keyword.iskeyword(out) or hasattr(builtins, out) or out in TORCH_HELPERS
    return "Net" + out if taken else out


class Names:
    """Unique names: every spec layer's own name is reserved before any helper is named."""

    def __init__(self, reserved):
        self.used = set(reserved)

    def take(self, base: str) -> str:
        name, k = base, 2
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


# -- small formatting helpers ---------------------------------------------------------------
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


def str_literal(text: str) -> str:
    """User text as a Python string literal: repr(), double-quoted where that is the same string
    (black's style). The only way a name from the spec reaches generated code."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text:
        literal = '"' + literal[1:-1] + '"'
    return literal


def prose(text: str, limit: int = 80) -> str:
    """User text for a docstring or comment: printable characters only, and no quote or
    backslash (they could end the docstring or start an escape); at most `limit` characters."""
    out = "".join(c if c.isprintable() and c not in "\\\"'" else "?" for c in text)
    return out if len(out) <= limit else out[:limit - 3] + "..."


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


def split_args(text: str) -> list[str]:
    """Top-level comma-separated pieces of an argument list, read with Python's tokenizer so a
    comma or bracket inside a string literal (a user's layer name) never splits it."""
    import io
    import tokenize
    out, depth, start = [], 0, 0
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type != tokenize.OP:
            continue
        if tok.string in "([{":
            depth += 1
        elif tok.string in ")]}":
            depth -= 1
        elif tok.string == "," and depth == 0:
            out.append(text[start:tok.start[1]].strip())
            start = tok.end[1]
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def statement(indent: str, head: str, expr: str, comment: str = "", tail: str = "") -> list[str]:
    """`head` + `expr` (a call) + `tail`; the comment goes above when the line would be too
    long, and the call's arguments one per line when it still does not fit."""
    line = f"{indent}{head}{expr}{tail}"
    if comment and len(line) + 2 + len(comment) + 2 <= LINE:
        return [f"{line}  # {comment}"]
    lines = [f"{indent}# {c}" for c in textwrap.wrap(comment, LINE - len(indent) - 2)] if comment else []
    if len(line) <= LINE or "(" not in expr or not expr.endswith(")"):
        return lines + [line]
    first = f"{indent}{head}{expr}{tail[:1]}"
    if tail and len(first) <= LINE:  # black splits the last brackets first: `x = f(a)(` ... `)`
        inner = tail[1:-1]
        if len(indent) + 4 + len(inner) <= LINE or not inner.startswith("["):
            return lines + [first, f"{indent}    {inner}", f"{indent})"]
        return lines + [first, f"{indent}    ["] + [f"{indent}        {a}," for a in split_args(inner[1:-1])] \
            + [f"{indent}    ]", f"{indent})"]
    fn, inner = expr[:expr.index("(")], expr[expr.index("(") + 1:-1]
    lines.append(f"{indent}{head}{fn}(")
    if len(indent) + 4 + len(inner) <= LINE:  # black's first choice: the arguments on one line
        lines.append(f"{indent}    {inner}")
    else:
        lines += [f"{indent}    {a}," for a in split_args(inner)]
    lines.append(f"{indent}){tail}")
    return lines


# -- shared geometry -------------------------------------------------------------------------
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


def _try(compute):
    """The value, or None where the arithmetic has no valid answer (no window fits)."""
    from ..errors import ShapeError
    try:
        return compute()
    except ShapeError:
        return None


def refuse(message: str):
    raise ExportError(message)


def nonnegative(r: LayerResult, source) -> bool:
    """True when the layer's input is known >= 0 (it comes from relu, relu6, sigmoid, softmax,
    or a layer with such an activation, possibly through pooling, padding, upsampling or dropout).
    `source(r)` is the layer r reads first (None: the network input)."""
    src = source(r)
    seen = 0
    while src is not None and seen < 1000:
        seen += 1
        kind = src.layer.kind
        act = getattr(src.layer, "activation", None)
        if kind in ("relu", "relu6", "sigmoid", "softmax", "hard_sigmoid", "softplus") or \
                act in ("relu", "relu6", "sigmoid", "softmax", "hard_sigmoid", "softplus"):
            return True
        if kind.startswith(("maxpool", "avgpool", "zeropad", "upsample")) or kind == "dropout":
            src = source(src)
            continue
        return False
    return False


# -- PyTorch -----------------------------------------------------------------------------------
TORCH_ACTS = {
    "linear": "nn.Identity()", "relu": "nn.ReLU()", "relu6": "nn.ReLU6()", "elu": "nn.ELU()",
    "selu": "nn.SELU()", "gelu": "nn.GELU()", "silu": "nn.SiLU()", "swish": "nn.SiLU()",
    "mish": "nn.Mish()", "hardswish": "nn.Hardswish()", "hard_sigmoid": "nn.Hardsigmoid()",
    "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()", "softmax": "nn.Softmax(dim=1)",
    "log_softmax": "nn.LogSoftmax(dim=1)", "softplus": "nn.Softplus()", "softsign": "nn.Softsign()",
}


LEAKY_DEFAULT = 0.01  # PyTorch's LeakyReLU slope; written out in both exports so they agree


TORCH_HELPERS = {
    "ChannelsFirst": '''class ChannelsFirst(nn.Module):
    """(N, L, C) -> (N, C, L): nn.Embedding puts channels last; the next layers want them first."""

    def forward(self, x):
        return x.transpose(1, 2)''',
    "Add": '''class Add(nn.Module):
    """Element-wise sum of the inputs (a residual connection)."""

    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out''',
    "Multiply": '''class Multiply(nn.Module):
    """Element-wise product of the inputs."""

    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out * x
        return out''',
    "ReshapeChannelsLast": '''class ReshapeChannelsLast(nn.Module):
    """Keras' Reshape: reshape the channels-last order, (N, C, *S) -> (N, *S, C) -> target,
    then put the channels first again."""

    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        if x.dim() > 2:
            x = x.movedim(1, -1)
        x = x.reshape(x.shape[0], *self.shape)
        return x.movedim(-1, 1) if x.dim() > 2 else x''',
    "Concat": '''class Concat(nn.Module):
    """Concatenation of the inputs along `dim` (1: channels)."""

    def __init__(self, dim=1):
        super().__init__()
        self.dim = dim

    def forward(self, *xs):
        return torch.cat(xs, dim=self.dim)''',
}


def torch_act(name: str | None, slope: float | None = None) -> str | None:
    if name is None:
        return None
    if name == "leaky_relu":
        return f"nn.LeakyReLU({num(LEAKY_DEFAULT if slope is None else slope)})"
    return TORCH_ACTS[name]


def torch_fused_act(r: LayerResult) -> list[Part]:
    act = getattr(r.layer, "activation", None)
    return [] if act in (None, "linear") else [Part(torch_act(act), "act")]


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


def separable_parts(r: LayerResult) -> tuple[LayerResult, LayerResult]:
    """A separable conv as two convs: depthwise (groups = C, C*m filters, no bias) with the
    layer's geometry, then pointwise 1x1 to `filters` with the bias and the activation."""
    from ..infer import infer_layer
    from ..kinds import Conv
    L, d = r.layer, dims_of(r)
    c, m = r.input_shape[-1], L.depth_multiplier
    common = dict(kind=f"conv{d}d", name=L.name, index=L.index)
    dw = Conv(**common, filters=c * m, kernel=L.kernel, stride=L.stride, padding=L.padding,
              dilation=L.dilation, groups=c, bias=False)
    rd = infer_layer(dw, (r.input_shape,))
    pw = Conv(**common, filters=L.filters, kernel=1, bias=L.bias, activation=L.activation)
    return rd, infer_layer(pw, (rd.output_shape,))


# -- Keras -------------------------------------------------------------------------------------
KERAS_ACTS = {a: a for a in ("linear", "relu", "relu6", "elu", "selu", "gelu", "silu", "mish",
                             "hard_sigmoid", "sigmoid", "tanh", "softmax", "log_softmax",
                             "softplus", "softsign")}


KERAS_ACTS.update(swish="silu", hardswish="hard_swish")


def keras_fused_act(r: LayerResult) -> tuple[str, list[Part]]:
    """(activation= keyword text, extra parts): leaky_relu needs its own layer for its slope."""
    act = getattr(r.layer, "activation", None)
    if act in (None, "linear"):
        return "", []
    if act == "leaky_relu":
        return "", [Part(f"layers.LeakyReLU(negative_slope={num(LEAKY_DEFAULT)})", "act")]
    return f'activation="{KERAS_ACTS[act]}"', []


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
