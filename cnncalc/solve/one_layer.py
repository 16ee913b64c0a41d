"""`cnncalc layer` (api.solve_layer): one layer of any kind alone on an input, its output shape,
activations, parameters and MACs with the working. The kind builds and explains itself: its
explain facet gives the shape working, `alone_working` the parameter and MAC working."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError, CnncalcError
from ..gradients.jacobian import weight_shapes
from ..kinds import KIND_ALIASES, KINDS, Layer
from ..results import infer_layer
from ..shapes import AXIS_NAMES, fmt_shape
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
    read: str = ""                 # how the command line's size was read ("input 6×6×1 (H×W×C)")
    weights: tuple[tuple[str, dict[str, tuple[int, ...]], dict[str, str]], ...] = ()  # per layout

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


# The command line's options for the arguments most kinds share (`cnncalc layer`); any other
# argument is `--arg name=value`. An example value for each.
_FLAGS = {"filters": ("--filters", "10"), "kernel": ("-f", "3"), "units": ("--units", "120"),
          "stride": ("-s", "2"), "padding": ("-p", "1"), "groups": ("--groups", "2")}


def _flag(arg: str, example: bool = False) -> str:
    flag, value = _FLAGS.get(arg, (f"--arg {arg}", "..."))
    return flag if not example else f"{flag} {value}" if arg in _FLAGS else f"--arg {arg}=..."


def _required(f) -> bool:
    import dataclasses
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def asked_dims(word: str) -> int | None:
    """The spatial dimension a kind word asks for itself (conv1d -> 1, Conv2D -> 2), or None
    when the input decides (conv, maxpool, dense, relu)."""
    w = normal(word)
    return next((d for d in (1, 2, 3) if f"{d}d" in w), None)


def _layouts(desc: Layer, result) -> tuple:
    """The trainable arrays' shapes in PyTorch's and Keras' order, with what each axis is."""
    if not result.trainable_params:
        return ()
    return tuple((order, weight_shapes(result, order), desc.weight_axes(result, order))
                 for order in ("torch", "keras"))


def layer(kind: str, input_shape: tuple[int, ...], **args: Any) -> LayerAnswer:
    """Build the layer (any kind of the registry, with its spec arguments), ask it for its
    shape, parameters and MACs, and show the working. A merge gets the input on both inputs."""
    return layer_with_texts(kind, input_shape, {}, **args)


def layer_with_texts(kind: str, input_shape: tuple[int, ...], texts: dict[str, str], **args: Any) -> LayerAnswer:
    """`layer`, with more spec arguments as the command line gives them (`--arg rate=0.5`):
    `texts` maps each name (any spelling the spec takes) to its text, read as the spec reads it."""
    from ..metrics import layer_macs
    from ..spec import layer_argument

    positive(**{f"input[{i}]": v for i, v in enumerate(input_shape)})
    name = _kind(kind, None) or _kind(kind, 1)
    if name is None:
        from ..spec import _suggest_kind
        raise ArgumentError(f"unknown layer kind `{kind}`{_suggest_kind(kind)} (docs/kinds.md lists every kind)")
    cls = KINDS[name]
    notes: list[str] = []
    inp = tuple(input_shape)
    if cls.ALONE_FLATTENS and len(inp) > 1:
        notes.append(f"the input {fmt_shape(inp)} is flattened first: "
                     f"{'*'.join(map(str, inp))} = {X.num(F.product(inp))}")
        inp = (F.product(inp),)
    dims = len(inp) - 1
    if dims < 1 and _kind(kind, 1) not in (None, _kind(kind, None)):  # a kind that comes per dimension
        raise ArgumentError(f"--input {fmt_shape(inp)} has no spatial axis; give an image, e.g. --input "
                            f"{inp[0]}x{inp[0]} (H×W, one channel) or {inp[0]}x{inp[0]}x3 (H×W×C), or ask for "
                            f"a 1-D layer: {kind}1d --input {inp[0]} (a length, one channel)")
    name = _kind(kind, dims) or name
    for word, text in texts.items():
        arg_name, value = layer_argument(KINDS[name], word, text, name)
        if arg_name in args:
            raise ArgumentError(f"{arg_name} is given twice (--arg {word}={text} and its own option); give it once")
        args[arg_name] = value
    unknown = [a for a in args if a not in KINDS[name].spec_args()]
    if unknown:
        raise ArgumentError(f"{name} takes {', '.join(KINDS[name].spec_args()) or 'no arguments'}, "
                            f"not {', '.join(unknown)}")
    missing = [a for a, f in KINDS[name].spec_args().items() if a not in args and _required(f)]
    if missing:
        raise ArgumentError(f"{_flag(missing[0])} is required for {name}"
                            f"{' (and ' + ', '.join(map(_flag, missing[1:])) + ')' if missing[1:] else ''}; "
                            f"e.g. {_flag(missing[0], True)}")
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
    if args.get("padding") == "same" and desc.FLOORS and result.axes:
        notes += X.same_notes(tuple(result.axes), AXIS_NAMES.get(len(result.axes), ("L",)))
    return LayerAnswer(f"{desc.kind} on {fmt_shape(inp)}", desc, inp, out, shape_lines, act, act_text,
                       result.params, params_text, macs, macs_text, tuple(notes),
                       weights=_layouts(desc, result))
