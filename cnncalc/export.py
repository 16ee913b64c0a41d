"""Export a spec to PyTorch or Keras 3 source code, generated from the inferred Summary.

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
from typing import Callable

from . import formulas as Fm
from .errors import CnncalcError
from .infer import LayerResult, Summary
from .kinds import AXIS_NAMES, fmt_shape

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
    words = re.findall(r"[0-9A-Za-z]+", spec_name)
    out = "".join(w[0].upper() + w[1:] for w in words) or "Model"
    return "Net" + out if out[0].isdigit() else out


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
    return repr(round(float(x), 12))


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
    """Top-level comma-separated pieces of an argument list."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
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
    from .errors import ShapeError
    try:
        return compute()
    except ShapeError:
        return None


def refuse(message: str):
    raise ExportError(message)


def nonnegative(r: LayerResult, producers: dict[str, LayerResult | None]) -> bool:
    """True when the layer's input is known >= 0 (it comes from relu, relu6, sigmoid, softmax,
    or a layer with such an activation, possibly through pooling, padding, upsampling or dropout)."""
    src = producers.get(r.layer.name)
    seen = 0
    while src is not None and seen < 1000:
        seen += 1
        kind = src.layer.kind
        act = getattr(src.layer, "activation", None)
        if kind in ("relu", "relu6", "sigmoid", "softmax", "hard_sigmoid", "softplus") or \
                act in ("relu", "relu6", "sigmoid", "softmax", "hard_sigmoid", "softplus"):
            return True
        if kind.startswith(("maxpool", "avgpool", "zeropad", "upsample")) or kind == "dropout":
            src = producers.get(src.layer.name)
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
    "LayerNormChannels": '''class LayerNormChannels(nn.LayerNorm):
    """Keras' LayerNormalization(axis=-1): normalise over the channels at each position; the
    channels are dim 1 here, so they go last for nn.LayerNorm and back."""

    def forward(self, x):
        if x.dim() <= 2:
            return super().forward(x)
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)''',
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


def t_conv(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    pads = [a.pad for a in axes]
    parts: list[Part] = []
    depthwise = L.kind == "depthwise_conv2d"
    notes = ["depthwise: groups = C"] if depthwise else []
    if all(b == a for b, a in pads):
        padding = ints(b for b, _ in pads)
        if L.padding == "same" and any(b for b, _ in pads):
            notes.append(f"'same': {padding} on each side")
    else:
        if L.padding == "same":
            what = ("'same' with stride > 1: " if any(a.s > 1 for a in axes) else "'same': ") + \
                f"TF pads {pad_text(pads)} (before, after)"
        elif L.padding == "causal":
            what = f"Keras 'causal': d*(f-1) = {pads[0][0]} zeros before, none after"
        else:
            what = f"asymmetric padding {pad_text(pads)} (before, after)"
        parts.append(Part(f"nn.ZeroPad{d}d({torch_pad(pads)})", "pad", what))
        padding = "0"
    c_in = r.input_shape[-1]
    c_out = r.output_shape[-1]
    groups = c_in if depthwise else L.groups
    args = kwargs(("kernel_size", ints(a.f for a in axes), False),
                  ("stride", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                  ("padding", padding, padding == "0"),
                  ("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                  ("groups", str(groups), groups == 1),
                  ("bias", "False", L.bias))
    parts.append(Part(call(f"nn.Conv{d}d", str(c_in), str(c_out), args), comment="; ".join(notes)))
    return parts + torch_fused_act(r)


def t_conv_transpose(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    ops = per_axis_ops(r)
    pad, out_pad, post = [], [], []
    for a, op in zip(axes, ops):
        if isinstance(L.padding, str):
            cb, ca = keras_transposed_crops(a, L.padding, op)
            natural = (a.n - 1) * a.s + Fm.effective_kernel(a.f, a.d)
        else:
            cb, ca = a.pad
            natural = (a.n - 1) * a.s + Fm.effective_kernel(a.f, a.d) + (op or 0)
            if cb == ca:
                pad.append(cb), out_pad.append(op or 0), post.append((0, 0))
                continue
            m = min(cb, ca)
            pad.append(m), out_pad.append(op or 0), post.append((m - cb, m - ca))
            continue
        # Keras modes: crop (cb, ca) off the natural size, through torch's padding and
        # output_padding where they can say it, else an explicit crop (negative padding)
        if cb == ca >= 0:
            pad.append(cb), out_pad.append(0), post.append((0, 0))
        elif cb >= 0 and 0 < cb - ca < max(a.s, a.d):
            pad.append(cb), out_pad.append(cb - ca), post.append((0, 0))
        else:
            pad.append(0), out_pad.append(0), post.append((-cb, -ca))
        assert natural - cb - ca == r.output_shape[len(pad) - 1]
    args = kwargs(("kernel_size", ints(a.f for a in axes), False),
                  ("stride", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                  ("padding", ints(pad), not any(pad)),
                  ("output_padding", ints(out_pad), not any(out_pad)),
                  ("groups", str(L.groups), L.groups == 1),
                  ("bias", "False", L.bias),
                  ("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)))
    comment = f"Keras '{L.padding}'" if isinstance(L.padding, str) else ""
    parts = [Part(call(f"nn.ConvTranspose{d}d", str(r.input_shape[-1]), str(L.filters), args),
                  comment=comment)]
    if any(b or a for b, a in post):
        what = "negative padding crops" if all(b <= 0 and a <= 0 for b, a in post) else \
            "negative padding crops, positive pads"
        parts.append(Part(f"nn.ZeroPad{d}d({torch_pad(post)})", "crop", what))
    return parts + torch_fused_act(r)


def t_pool(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    is_max = L.kind.startswith("max")
    cls = f"nn.MaxPool{d}d" if is_max else f"nn.AvgPool{d}d"
    pads = [a.pad for a in axes]
    out = r.output_shape[:-1]
    parts: list[Part] = []
    ceil, include = L.ceil_mode, getattr(L, "count_include_pad", True)
    k = ints(a.f for a in axes)
    strides = ints(a.s for a in axes)
    stride_default = all(a.s == a.f for a in axes)
    if L.padding == "same":
        sym = all(b == a for b, a in pads)
        if is_max and not sym:
            parts.append(Part(f"nn.ConstantPad{d}d({torch_pad(pads)}, float(\"-inf\"))", "pad",
                              "Keras 'same' max pooling pads with -inf, the odd row at the end"))
            padding, ceil = "0", False
        elif sym:
            padding, ceil, include = ints(b for b, _ in pads), False, False
        else:
            # torch pads symmetrically: the `before` side, and ceil_mode gives the last window,
            # which reads the input only (count_include_pad=False divides by what it reads)
            befores = [b for b, _ in pads]
            got = _try(lambda: tuple(Fm.pool_out(a.n, a.f, a.s, (b, b), a.d, True)
                                     for a, b in zip(axes, befores)))
            if got != tuple(out):
                refuse(f"PyTorch cannot express Keras 'same' average pooling with padding "
                       f"{pads} (before, after per axis): its padding is symmetric; "
                       "use explicit padding or max pooling")
            padding, ceil, include = ints(befores), True, False
        comment = "Keras 'same': padding excluded from the average" if not is_max and padding != "0" \
            or (not is_max and ceil) else ""
    elif all(b == a for b, a in pads):
        padding, comment = ints(b for b, _ in pads), ""
    else:
        pre_n = [Fm.padded(a.n, a.pad) for a in axes]
        got = _try(lambda: tuple(Fm.pool_out(n, a.f, a.s, (0, 0), a.d, ceil) for n, a in zip(pre_n, axes)))
        if got != tuple(out) or (not is_max and not include):
            refuse(f"PyTorch pooling pads symmetrically; the asymmetric padding {pads} "
                   f"{'with count_include_pad: false ' if not include and not is_max else ''}"
                   "cannot be expressed exactly; use symmetric padding")
        fill = 'float("-inf")' if is_max else "0.0"
        parts.append(Part(f"nn.ConstantPad{d}d({torch_pad(pads)}, {fill})", "pad",
                          f"asymmetric padding {pad_text(pads)} (before, after)"))
        padding, comment = "0", ""
    pairs = [("kernel_size", k, False), ("stride", strides, stride_default),
             ("padding", padding, padding == "0")]
    if is_max:
        pairs.append(("dilation", ints(a.d for a in axes), all(a.d == 1 for a in axes)))
    pairs.append(("ceil_mode", "True", not ceil))
    if not is_max:
        pairs.append(("count_include_pad", "False", include or padding == "0"))
    parts.append(Part(call(cls, kwargs(*pairs)), comment=comment))
    return parts


def t_global_pool(r: LayerResult, ctx) -> list[Part]:
    d = dims_of(r)
    kind = "Avg" if r.layer.kind == "global_avgpool" else "Max"
    pool = f"nn.Adaptive{kind}Pool{d}d(1)"
    if r.layer.keepdims:
        return [Part(pool)]
    return [Part(pool), Part("nn.Flatten()", "flat")]


def t_adaptive(r: LayerResult, ctx) -> list[Part]:
    kind = "Avg" if "avg" in r.layer.kind else "Max"
    return [Part(f"nn.Adaptive{kind}Pool{dims_of(r)}d({ints(r.output_shape[:-1])})")]


def t_flatten(r: LayerResult, ctx) -> list[Part]:
    comment = ""
    if len(r.input_shape) > 1:
        axes = ", ".join(AXIS_NAMES.get(len(r.input_shape) - 1, ("...",)))
        comment = f"torch flattens (C, {axes}), Keras ({axes}, C): same count, other order"
    return [Part("nn.Flatten()", comment=comment)]


def t_dense(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("bias", "False", L.bias))
    return [Part(call("nn.Linear", str(r.input_shape[0]), str(L.units), args))] + torch_fused_act(r)


def t_dropout(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"nn.Dropout({num(r.layer.rate)})")]


def t_batchnorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    d = max(len(r.input_shape) - 1, 1)  # (n,) and (L, C) -> BatchNorm1d
    args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("momentum", num(L.momentum), L.momentum == 0.1),
                  ("affine", "False", L.affine))
    return [Part(call(f"nn.BatchNorm{d}d", str(r.input_shape[-1]), args))]


def t_zeropad(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"nn.ZeroPad{dims_of(r)}d({torch_pad(a.pad for a in r.axes)})")]


def t_lrn(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("alpha", num(L.alpha), L.alpha == 1e-4), ("beta", num(L.beta), L.beta == 0.75),
                  ("k", num(L.k), L.k == 1.0))
    return [Part(call("nn.LocalResponseNorm", str(L.size), args))]


def t_embedding(r: LayerResult, ctx) -> list[Part]:
    ctx.helpers.add("ChannelsFirst")
    return [Part(f"nn.Embedding({r.layer.vocab}, {r.layer.dim})"),
            Part("ChannelsFirst()", "cf", "(N, L, C) -> (N, C, L)")]


def t_activation(r: LayerResult, ctx) -> list[Part]:
    return [Part(torch_act(r.layer.kind, getattr(r.layer, "negative_slope", None)))]


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


def t_add(r: LayerResult, ctx) -> list[Part]:
    ctx.helpers.add("Add")
    return [Part("Add()")]


def t_multiply(r: LayerResult, ctx) -> list[Part]:
    ctx.helpers.add("Multiply")
    return [Part("Multiply()")]


def t_concat(r: LayerResult, ctx) -> list[Part]:
    ctx.helpers.add("Concat")
    dim = torch_dim(r)
    return [Part(f"Concat(dim={dim})" if dim != 1 else "Concat()", comment="dim 1: channels" if dim == 1 else "")]


def upsample_factor(r: LayerResult) -> tuple[int, ...]:
    """Per-axis factor, from the shapes infer computed (out / in)."""
    return tuple(o // i for o, i in zip(r.output_shape[:-1], r.input_shape[:-1]))


def upsample_mode(r: LayerResult) -> str:
    return getattr(r.layer, "mode", None) or "nearest"


TORCH_INTERPOLATION = {("nearest", d): "nearest" for d in (1, 2, 3)}
TORCH_INTERPOLATION.update({("bilinear", 1): "linear", ("bilinear", 2): "bilinear",
                            ("bilinear", 3): "trilinear"})


def t_upsample(r: LayerResult, ctx) -> list[Part]:
    mode = TORCH_INTERPOLATION.get((upsample_mode(r), dims_of(r)))
    if mode is None:
        refuse(f"the PyTorch export knows nearest and bilinear upsampling, not `{upsample_mode(r)}`")
    f = upsample_factor(r)
    sf = str(float(f[0])) if len(set(f)) == 1 else "(" + ", ".join(str(float(v)) for v in f) + ")"
    return [Part(f'nn.Upsample(scale_factor={sf}, mode="{mode}")')]


def separable_parts(r: LayerResult) -> tuple[LayerResult, LayerResult]:
    """A separable conv as two convs: depthwise (groups = C, C*m filters, no bias) with the
    layer's geometry, then pointwise 1x1 to `filters` with the bias and the activation."""
    from .infer import infer_layer
    from .kinds import Conv
    L, d = r.layer, dims_of(r)
    c, m = r.input_shape[-1], L.depth_multiplier
    common = dict(kind=f"conv{d}d", name=L.name, index=L.index)
    dw = Conv(**common, filters=c * m, kernel=L.kernel, stride=L.stride, padding=L.padding,
              dilation=L.dilation, groups=c, bias=False)
    rd = infer_layer(dw, (r.input_shape,))
    pw = Conv(**common, filters=L.filters, kernel=1, bias=L.bias, activation=L.activation)
    return rd, infer_layer(pw, (rd.output_shape,))


def t_separable(r: LayerResult, ctx) -> list[Part]:
    rd, rp = separable_parts(r)
    dw = [Part(p.code, "dw" if p.role == "main" else p.role, p.comment or
               ("depthwise: groups = C" if p.role == "main" else "")) for p in t_conv(rd, ctx)]
    pw = t_conv(rp, ctx)
    return dw + [Part(pw[0].code, comment="pointwise 1x1, with the bias")] + pw[1:]


def t_reshape(r: LayerResult, ctx) -> list[Part]:
    from .kinds import ACTIVATIONS
    src = ctx.producers.get(r.layer.name)
    while src is not None and src.layer.kind in ("dropout", *ACTIVATIONS):
        src = ctx.producers.get(src.layer.name)
    if src is not None and src.layer.kind == "flatten" and len(src.input_shape) > 1:
        refuse(f"this reshape reads `{src.layer.name}`, a flatten of {fmt_shape(src.input_shape)}: nn.Flatten "
               "orders the values (C, ...) where Keras orders them (..., C), so the reshape would move "
               "them elsewhere in PyTorch; reshape the unflattened tensor instead (drop the flatten)")
    ctx.helpers.add("ReshapeChannelsLast")
    return [Part(f"ReshapeChannelsLast({', '.join(map(str, r.output_shape))})",
                 comment="in Keras' channels-last order")]


def t_layernorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    ctx.helpers.add("LayerNormChannels")
    args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("elementwise_affine", "False", L.affine))
    return [Part(call("LayerNormChannels", str(r.input_shape[-1]), args), comment="over the channels")]


def t_groupnorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("eps", num(L.epsilon), L.epsilon == 1e-5), ("affine", "False", L.affine))
    return [Part(call("nn.GroupNorm", str(L.groups), str(r.input_shape[-1]), args))]


def t_cropping(r: LayerResult, ctx) -> list[Part]:
    crops = r.layer.crops(r.input_shape)
    return [Part(f"nn.ZeroPad{dims_of(r)}d({torch_pad((-b, -a) for b, a in crops)})",
                 comment="negative padding crops")]


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


def k_conv(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    if L.kind != "depthwise_conv2d":  # Keras' DepthwiseConv2D takes both
        keras_no_stride_dilation(axes)
    parts: list[Part] = []
    pads = [a.pad for a in axes]
    if L.padding == "causal":
        padding = '"causal"'
    elif L.padding == "same" or all(a.pad == Fm.same_padding(a.n, a.f, a.s, a.d) for a in axes) \
            and any(b or a for b, a in pads):
        padding = '"same"'  # explicit padding equal to Keras' 'same' rows is 'same'
    else:
        padding = '"valid"'
        if any(b or a for b, a in pads):
            parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad"))
    depthwise = L.kind == "depthwise_conv2d"
    act, post = keras_fused_act(r)
    common = [("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
              ("padding", padding, padding == '"valid"')]
    if depthwise:
        m = L.depth_multiplier
        args = kwargs(*common, ("depth_multiplier", str(m), m == 1),
                      ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                      ("use_bias", "False", L.bias))
        parts.append(Part(call("layers.DepthwiseConv2D", ints(a.f for a in axes), args, act)))
    else:
        args = kwargs(*common, ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                      ("groups", str(L.groups), L.groups == 1), ("use_bias", "False", L.bias))
        parts.append(Part(call(f"layers.Conv{d}D", str(L.filters), ints(a.f for a in axes), args, act)))
    return parts + post


def k_conv_transpose(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    if L.groups != 1:
        refuse(f"Keras transposed convolutions have no groups (groups {L.groups}); export to pytorch")
    keras_no_stride_dilation(axes)
    ops = per_axis_ops(r)
    act, post = keras_fused_act(r)
    crop = []
    if isinstance(L.padding, str):
        padding, out_pad = f'"{L.padding}"', None if ops[0] is None else ops
    else:
        padding, out_pad = '"valid"', tuple(op or 0 for op in ops)
        crop = [a.pad for a in axes]
    if out_pad is not None:
        for a, op in zip(axes, out_pad):
            if op >= a.s:
                refuse(f"Keras needs output_padding < stride, got output_padding {op} with stride "
                       f"{a.s} (PyTorch also accepts output_padding < dilation); export to pytorch")
    args = kwargs(("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                  ("padding", padding, padding == '"valid"'),
                  ("output_padding", ints(out_pad) if out_pad is not None else "", out_pad is None),
                  ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                  ("use_bias", "False", L.bias))
    comment = "PyTorch-style padding: valid, then crop" if crop and any(b or a for b, a in crop) else ""
    parts = [Part(call(f"layers.Conv{d}DTranspose", str(L.filters), ints(a.f for a in axes), args, act),
                  comment=comment)]
    if crop and any(b or a for b, a in crop):
        parts.append(Part(f"layers.Cropping{d}D({keras_pairs(crop)})", "crop"))
    return parts + post


def k_pool(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    is_max = L.kind.startswith("max")
    cls = f"layers.MaxPooling{d}D" if is_max else f"layers.AveragePooling{d}D"
    if any(a.d > 1 for a in axes):
        refuse(f"Keras pooling has no dilation (dilation {ints(a.d for a in axes)}); export to pytorch")
    pads = [a.pad for a in axes]
    out = tuple(r.output_shape[:-1])
    include = getattr(L, "count_include_pad", True)
    floor_out = _try(lambda: tuple(Fm.pool_out(a.n, a.f, a.s, a.pad, a.d, False) for a in axes)) \
        if L.padding != "same" else out
    ceil_effect = out != floor_out
    zero = all(b == 0 and a == 0 for b, a in pads)
    parts: list[Part] = []
    comment = ""
    same_ok = all(Fm.same_out(a.n, a.s) == o and Fm.same_padding(a.n, a.f, a.s)[0] == a.pad[0]
                  for a, o in zip(axes, out)) and (is_max or not include or zero)
    if L.padding == "same":
        padding = '"same"'
    elif zero and not ceil_effect:
        padding = '"valid"'
    elif same_ok:
        padding = '"same"'
        comment = (f"ceil_mode: Keras 'same' gives the same windows" if ceil_effect
                   else "Keras 'same' pads these same rows")
    elif not ceil_effect and not is_max and include:
        parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad",
                          "count_include_pad: the zeros count in the average"))
        padding = '"valid"'
    elif not ceil_effect and is_max and ctx.nonneg(r):
        parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad",
                          "zero padding = torch's -inf here: the input is >= 0"))
        padding = '"valid"'
    elif ceil_effect:
        floor = fmt_shape(floor_out) if floor_out else "no output"
        refuse(f"ceil_mode gives output {fmt_shape(out)} where floor gives {floor}, "
               "and no Keras padding mode reads the same windows; export to pytorch or drop ceil_mode")
    elif is_max:
        refuse(f"Keras cannot pad max pooling with -inf by {pads} (before, after per axis) and the "
               "input may be negative, so zero padding would change the result; export to pytorch "
               "or put a relu before it")
    else:
        refuse(f"Keras cannot exclude the padding {pads} from the average "
               "(count_include_pad: false); export to pytorch")
    args = kwargs(("strides", ints(a.s for a in axes), all(a.s == a.f for a in axes)),
                  ("padding", padding, padding == '"valid"'))
    parts.append(Part(call(cls, ints(a.f for a in axes), args), comment=comment))
    return parts


def k_global_pool(r: LayerResult, ctx) -> list[Part]:
    kind = "Average" if r.layer.kind == "global_avgpool" else "Max"
    args = "keepdims=True" if r.layer.keepdims else ""
    return [Part(call(f"layers.Global{kind}Pooling{dims_of(r)}D", args))]


def k_adaptive(r: LayerResult, ctx) -> list[Part]:
    ns, outs = r.input_shape[:-1], r.output_shape[:-1]
    if any(n % o for n, o in zip(ns, outs)):
        refuse(f"Keras has no adaptive pooling; it equals plain pooling only when the output "
               f"{fmt_shape(outs)} divides the input {fmt_shape(ns)}; export to pytorch")
    kind = "Average" if "avg" in r.layer.kind else "Max"
    k = ints(n // o for n, o in zip(ns, outs))
    return [Part(f"layers.{kind}Pooling{dims_of(r)}D({k})", comment="adaptive, as plain pooling")]


def k_flatten(r: LayerResult, ctx) -> list[Part]:
    return [Part("layers.Flatten()")]


def k_dense(r: LayerResult, ctx) -> list[Part]:
    act, post = keras_fused_act(r)
    return [Part(call("layers.Dense", str(r.layer.units), kwargs(("use_bias", "False", r.layer.bias)), act))] + post


def k_dropout(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"layers.Dropout({num(r.layer.rate)})")]


def k_batchnorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("momentum", num(1 - L.momentum), False), ("epsilon", num(L.epsilon), False),
                  ("center", "False", L.affine), ("scale", "False", L.affine))
    return [Part(call("layers.BatchNormalization", args))]


def k_zeropad(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"layers.ZeroPadding{dims_of(r)}D({keras_pairs(a.pad for a in r.axes)})")]


def k_lrn(r: LayerResult, ctx) -> list[Part]:
    refuse("Keras has no local response normalisation layer; export to pytorch, or remove it "
           "(modern re-implementations of AlexNet drop it or use batchnorm)")


def k_embedding(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"layers.Embedding({r.layer.vocab}, {r.layer.dim})")]


def k_activation(r: LayerResult, ctx) -> list[Part]:
    kind = r.layer.kind
    if kind == "leaky_relu":
        slope = getattr(r.layer, "negative_slope", None)
        return [Part(f"layers.LeakyReLU(negative_slope={num(LEAKY_DEFAULT if slope is None else slope)})")]
    return [Part(f'layers.Activation("{KERAS_ACTS[kind]}")')]


def keras_axis(r: LayerResult) -> int:
    rank, pos = len(r.input_shapes[0]), concat_position(r)
    return -1 if pos == rank - 1 else pos + 1


def k_add(r: LayerResult, ctx) -> list[Part]:
    return [Part("layers.Add()")]


def k_multiply(r: LayerResult, ctx) -> list[Part]:
    return [Part("layers.Multiply()")]


def k_concat(r: LayerResult, ctx) -> list[Part]:
    axis = keras_axis(r)
    return [Part(f"layers.Concatenate(axis={axis})" if axis != -1 else "layers.Concatenate()")]


def k_upsample(r: LayerResult, ctx) -> list[Part]:
    mode, d = upsample_mode(r), dims_of(r)
    f = ints(upsample_factor(r))
    if mode == "nearest":
        return [Part(f"layers.UpSampling{d}D({f})")]
    if mode == "bilinear" and d == 2:
        return [Part(f'layers.UpSampling2D({f}, interpolation="bilinear")')]
    refuse(f"Keras UpSampling{d}D has no `{mode}` interpolation; export to pytorch")


def k_separable(r: LayerResult, ctx) -> list[Part]:
    L, d, axes = r.layer, dims_of(r), r.axes
    keras_no_stride_dilation(axes)
    parts: list[Part] = []
    pads = [a.pad for a in axes]
    if L.padding in ("causal", "same"):
        padding = f'"{L.padding}"'
    else:
        padding = '"valid"'
        if any(b or a for b, a in pads):
            parts.append(Part(f"layers.ZeroPadding{d}D({keras_pairs(pads)})", "pad"))
    act, post = keras_fused_act(r)
    m = L.depth_multiplier
    args = kwargs(("strides", ints(a.s for a in axes), all(a.s == 1 for a in axes)),
                  ("padding", padding, padding == '"valid"'),
                  ("depth_multiplier", str(m), m == 1),
                  ("dilation_rate", ints(a.d for a in axes), all(a.d == 1 for a in axes)),
                  ("use_bias", "False", L.bias))
    parts.append(Part(call(f"layers.SeparableConv{d}D", str(L.filters), ints(a.f for a in axes), args, act)))
    return parts + post


def k_reshape(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"layers.Reshape({tuple_text(r.output_shape)})")]


def k_layernorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("epsilon", num(L.epsilon), False), ("center", "False", L.affine), ("scale", "False", L.affine))
    return [Part(call("layers.LayerNormalization", args))]


def k_groupnorm(r: LayerResult, ctx) -> list[Part]:
    L = r.layer
    args = kwargs(("groups", str(L.groups), False), ("epsilon", num(L.epsilon), False),
                  ("center", "False", L.affine), ("scale", "False", L.affine))
    return [Part(call("layers.GroupNormalization", args))]


def k_cropping(r: LayerResult, ctx) -> list[Part]:
    return [Part(f"layers.Cropping{dims_of(r)}D({keras_pairs(r.layer.crops(r.input_shape))})")]


def _kind_table(conv, tconv, pool, gpool, adaptive, flatten, dense, dropout, bn, zeropad, lrn,
                embedding, act, add, multiply, concat, upsample, more=None) -> dict[str, Callable]:
    """kind -> translator, through the layer registry (layers.KINDS): one entry per class,
    with `add` and `multiply` (one class, Merge) told apart by kind."""
    from . import kinds as L
    by_class = {L.Conv: conv, L.DepthwiseConv: conv, L.ConvTranspose: tconv, L.Pool: pool,
                L.GlobalPool: gpool, L.AdaptivePool: adaptive, L.Flatten: flatten, L.Dense: dense,
                L.Dropout: dropout, L.BatchNorm: bn, L.ZeroPad: zeropad, L.LRN: lrn,
                L.Embedding: embedding, L.Activation: act, L.Concat: concat, L.Upsample: upsample,
                **(more or {})}
    by_kind = {"add": add, "multiply": multiply}
    return {kind: by_kind.get(kind) or by_class[cls] for kind, cls in L.KINDS.items()}


def _more_torch() -> dict:
    from . import kinds as L
    return {L.SeparableConv: t_separable, L.Reshape: t_reshape, L.Cropping: t_cropping,
            L.LayerNorm: t_layernorm, L.GroupNorm: t_groupnorm}


def _more_keras() -> dict:
    from . import kinds as L
    return {L.SeparableConv: k_separable, L.Reshape: k_reshape, L.Cropping: k_cropping,
            L.LayerNorm: k_layernorm, L.GroupNorm: k_groupnorm}


# One table per framework: kind -> translator (LayerResult, context) -> parts.
TORCH = _kind_table(t_conv, t_conv_transpose, t_pool, t_global_pool, t_adaptive, t_flatten,
                    t_dense, t_dropout, t_batchnorm, t_zeropad, t_lrn, t_embedding, t_activation,
                    t_add, t_multiply, t_concat, t_upsample, more=_more_torch())
KERAS = _kind_table(k_conv, k_conv_transpose, k_pool, k_global_pool, k_adaptive, k_flatten,
                    k_dense, k_dropout, k_batchnorm, k_zeropad, k_lrn, k_embedding, k_activation,
                    k_add, k_multiply, k_concat, k_upsample, more=_more_keras())
TABLES = {"pytorch": TORCH, "keras": KERAS}


# -- the graph and the code --------------------------------------------------------------------
class _Context:
    def __init__(self, producers):
        self.helpers: set[str] = set()
        self.producers = producers

    def nonneg(self, r: LayerResult) -> bool:
        return nonnegative(r, self.producers)


def _graph(summary: Summary) -> list[tuple[LayerResult, tuple[str | None, ...]]]:
    """Each layer with the names of the layers it reads (None: the model input)."""
    by_ref: dict[str, str | None] = {"input": None}
    previous: str | None = None
    out = []
    for r in summary.layers:
        L = r.layer
        if getattr(r, "sources", ()):
            refs = tuple(None if s == "input" else s for s in r.sources)
        else:
            refs = (previous,) if L.inputs is None else tuple(by_ref[ref] for ref in L.inputs)
        out.append((r, refs))
        by_ref[L.name] = L.name
        if L.id is not None:
            by_ref[L.id] = L.name
        previous = L.name
    return out


def _is_chain(graph) -> bool:
    previous = None
    for r, refs in graph:
        if refs != (previous,):
            return False
        previous = r.layer.name
    return True


def _plan(summary: Summary, to: str):
    if to not in TABLES:
        raise ExportError(f"unknown framework `{to}`; use one of {', '.join(FRAMEWORKS)}")
    table = TABLES[to]
    graph = _graph(summary)
    producers = {}
    results = {r.layer.name: r for r, _ in graph}
    for r, refs in graph:
        producers[r.layer.name] = results[refs[0]] if refs and refs[0] is not None else None
    ctx = _Context(producers)
    planned = []
    label = {"pytorch": "PyTorch", "keras": "Keras"}[to]
    for r, refs in graph:
        L = r.layer
        try:
            fn = table.get(L.kind)
            if fn is None:
                refuse(f"the {label} export has no translation for the kind `{L.kind}` yet")
            parts = fn(r, ctx)
        except CnncalcError as e:
            raise e.located(layer=L.label, line=L.line, col=L.col, path=summary.spec.path) from None
        planned.append((r, refs, parts))
    return planned, ctx, _is_chain(graph)


def _name_ops(planned, base_of) -> tuple[dict[str, list[tuple[str, Part]]], dict[str, str]]:
    """Op names: each layer's main op gets base_of(layer name); helpers get `<base>_<role>`."""
    bases = {}
    names = Names(())
    for r, _, _ in planned:
        bases[r.layer.name] = names.take(base_of(r.layer.name))
    named = {}
    for r, _, parts in planned:
        base = bases[r.layer.name]
        named[r.layer.name] = [(base if p.role == "main" else names.take(f"{base}_{p.role}"), p)
                               for p in parts]
    return named, bases


def _input(summary: Summary, to: str) -> tuple[tuple[int, ...], bool]:
    """The framework's input shape with a batch of 1, and whether it holds token ids."""
    inp = summary.spec.input
    ids = any(r.layer.kind == "embedding" and refs == (None,) for r, refs in _graph(summary))
    if to == "pytorch":
        return ((1, *inp) if len(inp) == 1 else (1, inp[-1], *inp[:-1])), ids
    return (1, *inp), ids


def tuple_text(values) -> str:
    values = tuple(values)
    return "(" + ", ".join(map(str, values)) + ("," if len(values) == 1 else "") + ")"


def _counts(summary: Summary) -> tuple[int, int]:
    """(every parameter as Keras counts it, batchnorm's moving statistics)."""
    t = summary.totals
    return t.params, sum(r.non_trainable_params for r in summary.layers if r.layer.kind == "batchnorm")


def _source_name(summary: Summary) -> str:
    return summary.spec.path.replace("\\", "/").rsplit("/", 1)[-1]


def _renames(names: dict[str, str]) -> list[str]:
    """Docstring lines: the renaming rule with an example, and each rename it does not explain."""
    simple = {k: re.sub(r"[^0-9A-Za-z_]", "_", k) for k in names}
    lines = []
    example = next((k for k, v in names.items() if k != v and simple[k] == v), None)
    if example:
        lines.append("Characters other than letters, digits and _ in layer names become _ "
                     f"({example} -> {names[example]}).")
    others = [f"{k} -> {v}" for k, v in names.items() if simple[k] != v]
    if others:
        line = "Also renamed (keywords, module attributes, clashes):"
        for p in others:
            if len(line) + len(p) + 2 > 92:
                lines.append(line)
                line = "   "
            line += f" {p},"
        lines.append(line.rstrip(","))
    return lines


def export(summary: Summary, to: str) -> Export:
    """Generate `to` ("pytorch" or "keras") source for the summary's spec."""
    planned, ctx, chain = _plan(summary, to)
    if to == "pytorch":
        return _torch_code(summary, planned, ctx, chain)
    return _keras_code(summary, planned, ctx, chain)


def export_code(summary: Summary, to: str) -> str:
    return export(summary, to).code


def _torch_code(summary: Summary, planned, ctx, chain) -> Export:
    spec = summary.spec
    cls = class_name(spec.name)
    named, bases = _name_ops(planned, identifier)
    shape, ids = _input(summary, "pytorch")
    total, bn_stats = _counts(summary)
    out_shape = summary.output_shape
    torch_out = (1, *out_shape) if len(out_shape) == 1 else (1, out_shape[-1], *out_shape[:-1])
    n_in = "(N, " + ", ".join(map(str, shape[1:])) + ")"
    n_out = "(N, " + ", ".join(map(str, torch_out[1:])) + ")"
    doc = [f'"""{spec.name} as a PyTorch nn.Module.', "",
           f"Generated by `cnncalc export {_source_name(summary)} --to pytorch`.",
           f"Input: {fmt_shape(spec.input)} in the spec (channels last); this model takes {n_in}"
           + (" token ids (int64)." if ids else "."),
           f"Output: {fmt_shape(out_shape)} in the spec; here {n_out}.",
           f"Parameters: {total:,} as `cnncalc summary` counts them (Keras' count)."]
    if bn_stats:
        doc.append(f"PyTorch's parameters() shows {total - bn_stats:,}: batchnorm's {bn_stats:,} "
                   "running means and variances are buffers.")
    doc += ["", "Run this file to build the model and print its output shape on zeros; import it",
            f"for the class: `from <this module> import {cls}; model = {cls}()`.",
            "Each spec layer is the attribute of its name; helpers (padding, activation) add a",
            "suffix (`_pad`, `_act`, ...)."]
    doc += _renames(bases)
    doc.append('"""')
    lines = doc + ["", "import torch", "from torch import nn", "", ""]
    for h in TORCH_HELPERS:
        if h in ctx.helpers:
            lines += TORCH_HELPERS[h].split("\n") + ["", ""]
    lines += [f"class {cls}(nn.Module):",
              f'    """{spec.name}: input {n_in}, output {n_out}."""', "",
              "    def __init__(self):", "        super().__init__()"]
    for r, _, _ in planned:
        for name, part in named[r.layer.name]:
            lines += statement("        ", f"self.{name} = ", part.code, part.comment)
    lines += ["", "    def forward(self, x):"]
    for r, refs, _ in planned:
        ops = named[r.layer.name]
        if chain:
            for name, _ in ops:
                lines.append(f"        x = self.{name}(x)")
            continue
        var = bases[r.layer.name]
        args = ", ".join("x" if ref is None else bases[ref] for ref in refs)
        for i, (name, _) in enumerate(ops):
            lines += statement("        ", f"{var} = ", f"self.{name}({args if i == 0 else var})")
    last = "x" if chain else bases[planned[-1][0].layer.name]
    lines.append(f"        return {last}")
    dtype = ", dtype=torch.long" if ids else ""
    lines += ["", "", 'if __name__ == "__main__":',
              f"    model = {cls}().eval()",
              f"    x = torch.zeros({tuple_text(shape)}{dtype})",
              "    with torch.no_grad():",
              "        y = model(x)",
              '    print("output shape:", tuple(y.shape))',
              '    print("parameters:", sum(p.numel() for p in model.parameters()))']
    return _result(lines, cls, planned, named)


def _keras_code(summary: Summary, planned, ctx, chain) -> Export:
    spec = summary.spec
    cls = class_name(spec.name)
    named, _ = _name_ops(planned, keras_name)
    taken = {n for ops in named.values() for n, _ in ops}
    input_name = Names(taken).take("input")
    variables = Names(RESERVED | {"input_"})
    var = {r.layer.name: variables.take(identifier(r.layer.name)) for r, _, _ in planned}
    shape, ids = _input(summary, "keras")
    shape = tuple_text(shape[1:])
    total, bn_stats = _counts(summary)
    doc = [f'"""{spec.name} as a Keras 3 functional model.', "",
           f"Generated by `cnncalc export {_source_name(summary)} --to keras`.",
           f"Input: {fmt_shape(spec.input)} (channels last){', token ids (int32)' if ids else ''}; "
           f"output: {fmt_shape(summary.output_shape)}.",
           f"Parameters: {total:,} (model.count_params(), as `cnncalc summary` counts them)."]
    if bn_stats:
        doc += [f"Of those, {bn_stats:,} are batchnorm's moving means and variances (non-trainable).",
                "Batchnorm momentum is Keras' (1 - PyTorch's momentum in the spec)."]
    doc += ["", "Run this file (any Keras 3 backend, e.g. KERAS_BACKEND=torch) to build the model and",
            "print its summary; import it for `build_model()`, which returns the keras.Model.",
            "Each spec layer is the Keras layer of its name; helpers (padding, activation) add a",
            "suffix (`_pad`, `_act`, ...).", '"""', "",
            "import keras", "from keras import layers", "", "",
            "def build_model():",
            f'    """{spec.name}: input {fmt_shape(spec.input)}, {total:,} parameters."""']
    dtype = ', dtype="int32"' if ids else ""
    lines = doc + [f'    inputs = keras.Input(shape={shape}{dtype}, name="{input_name}")']
    for r, refs, _ in planned:
        ops = named[r.layer.name]
        if chain:
            src = "inputs" if refs == (None,) else "x"
            for name, part in ops:
                lines += statement("    ", "x = ", _keras_named(part.code, name), part.comment, f"({src})")
                src = "x"
            continue
        v = var[r.layer.name]
        srcs = ["inputs" if ref is None else var[ref] for ref in refs]
        src = srcs[0] if len(srcs) == 1 else "[" + ", ".join(srcs) + "]"
        for name, part in ops:
            lines += statement("    ", f"{v} = ", _keras_named(part.code, name), part.comment, f"({src})")
            src = v
    last = "x" if chain else var[planned[-1][0].layer.name]
    lines += [f'    return keras.Model(inputs, {last}, name="{cls}")', "", "",
              'if __name__ == "__main__":', "    model = build_model()", "    model.summary()",
              '    print("parameters:", model.count_params())']
    return _result(lines, cls, planned, named)


def _result(lines: list[str], cls: str, planned, named) -> Export:
    layers_ = [r.layer.name for r, _, _ in planned]
    return Export("\n".join(lines) + "\n", cls,
                  outputs={n: named[n][-1][0] for n in layers_},
                  ops={n: tuple(op for op, _ in named[n]) for n in layers_},
                  main={n: next(op for op, p in named[n] if p.role == "main") for n in layers_})


def _keras_named(code: str, name: str) -> str:
    """Add name="..." as the constructor's last keyword."""
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if code.endswith("()"):
        return f"{code[:-1]}name={quoted})"
    return f"{code[:-1]}, name={quoted})"
