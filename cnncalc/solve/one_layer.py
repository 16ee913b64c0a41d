"""`cnncalc layer` (api.solve_layer): one layer of any kind alone on an input, its output shape,
activations, parameters and MACs with the working. The kind builds and explains itself: its
explain facet gives the shape working, `alone_working` the parameter and MAC working."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError, CnncalcError
from ..kinds import KIND_ALIASES, KINDS, Layer
from ..results import infer_layer
from ..shapes import fmt_shape
from ..spelling import normal
from .inverse import positive


@dataclass(frozen=True)
class LayerAnswer:
    question: str
    layer: Layer
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    shape_lines: tuple[str, ...]
    activation_size: int
    activation_text: str
    params: int
    params_text: str
    macs: int | None
    macs_text: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The answer as `--format json` prints it."""
        from ..render.solutions import layer_dict
        return layer_dict(self)

    def text(self) -> str:
        """The answer as the command prints it."""
        from ..render.solutions import layer_text
        return layer_text(self)


def _kind(word: str, dims: int | None) -> str | None:
    """The registry's name for `word` on an input with `dims` spatial axes: a name without its
    dimension takes the input's (conv -> conv2d, maxpool -> maxpool2d) where the registry has it;
    a kind's own name before another kind's spelling (`linear` is the activation, not nn.Linear)."""
    words = ([f"{word}{dims}d"] if dims is not None else []) + [word]
    return next((w for w in words if w in KINDS), None) or next(
        (KIND_ALIASES[normal(w)] for w in words if normal(w) in KIND_ALIASES), None)


def layer(kind: str, input_shape: tuple[int, ...], **args: Any) -> LayerAnswer:
    """Build the layer (any kind of the registry, with its spec arguments), ask it for its
    shape, parameters and MACs, and show the working. A merge gets the input on both inputs."""
    from ..metrics import layer_macs

    positive(**{f"input[{i}]": v for i, v in enumerate(input_shape)})
    name = _kind(kind, None) or _kind(kind, 1)
    if name is None:
        raise ArgumentError(f"unknown layer kind `{kind}`; use a kind of docs/kinds.md, e.g. conv, maxpool, "
                            "avgpool or dense")
    cls = KINDS[name]
    notes: list[str] = []
    inp = tuple(input_shape)
    if cls.ALONE_FLATTENS and len(inp) > 1:
        notes.append(f"the input {fmt_shape(inp)} is flattened first: "
                     f"{'*'.join(map(str, inp))} = {X.num(F.product(inp))}")
        inp = (F.product(inp),)
    dims = len(inp) - 1
    if dims < 1 and _kind(kind, 1) not in (None, _kind(kind, None)):  # a kind that comes per dimension
        raise ArgumentError(f"--input {fmt_shape(inp)} has no spatial axis; give spatial sizes "
                            "and channels, e.g. --input 32x32x3 (H x W x C) or 100x1 (L x C)")
    name = _kind(kind, dims) or name
    try:
        desc: Layer = KINDS[name](kind=name, name=kind, index=1, **args)
    except TypeError:
        raise ArgumentError(f"{name} takes {', '.join(KINDS[name].spec_args()) or 'no arguments'}; "
                            f"got {', '.join(args) or 'none'}") from None
    inputs = (inp, inp) if desc.MULTI_INPUT else (inp,)
    if len(inputs) > 1:
        notes.append(f"both inputs of the {name} are {fmt_shape(inp)}")
    try:
        result = infer_layer(desc, inputs)
    except CnncalcError as e:
        e.layer = f"{desc.kind} on {fmt_shape(inp)}"
        raise
    out, act = result.output_shape, result.activation_size
    shape_lines = tuple(line for line in X.layer_lines(result) if not line.startswith("params ="))
    act_text = X.num(act) if len(out) == 1 else f"{'*'.join(map(str, out))} = {X.num(act)}"
    macs = layer_macs(result)  # metrics.py: the same count `summary` shows
    params_text, macs_text = desc.alone_working(result, macs)
    return LayerAnswer(f"{desc.kind} on {fmt_shape(inp)}", desc, inp, out, shape_lines, act, act_text,
                       result.params, params_text, macs, macs_text, tuple(notes))
