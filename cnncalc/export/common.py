"""What the exporters share: names, literals, the statement layout. The helpers the kinds'
`to_torch` / `to_keras` facets build their ops with are cnncalc.codetext (re-exported here).

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

from ..codetext import (TORCH_INTERPOLATION, ExportError, Part, call, concat_position, dims_of, ints,  # noqa: F401
                        keras_axis, keras_no_stride_dilation, keras_pairs, keras_transposed_crops, kwargs, num,
                        pad_text, per_axis_ops, refuse, torch_dim, torch_pad, tuple_text, upsample_factor,
                        upsample_mode)
from ..results import LayerResult
from ..spelling import Names  # noqa: F401 (every spec layer's own name is reserved before a helper is named)

FRAMEWORKS = ("pytorch", "keras")


LINE = 99  # longest generated line


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


# -- literals and layout --------------------------------------------------------------------
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


def nonnegative(r: LayerResult, source) -> bool:
    """True when the layer's input is known >= 0 (it comes from relu, relu6, sigmoid, softmax,
    or a layer with such an activation, possibly through pooling, padding, upsampling or dropout).
    `source(r)` is the layer r reads first (None: the network input)."""
    src = source(r)
    seen = 0
    while src is not None and seen < 1000:
        seen += 1
        if src.layer.nonnegative_output():
            return True
        if src.layer.SIGN_KEPT:
            src = source(src)
            continue
        return False
    return False


# -- PyTorch helper classes -------------------------------------------------------------------
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
