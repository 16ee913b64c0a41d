"""Commands that work one window or layer by hand: size, layer, solve."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .shared import VARY_OPT, _FMT_HELP, _ONE_LINE, CLASS_OPT, SPEC_ARG, KindGroup, SizeGroup, TextFormat, _show, app, guarded, load, say

SIZE_ARG = typer.Argument(None, help="Input size n, as -n: 6, 6x6 or 32x32x3 (the spatial size).", show_default=False)


@app.command(context_settings=_ONE_LINE)
@guarded
def size(
    n: Optional[str] = typer.Argument(None, help="Input size: 32 (one axis), 6x8 (H×W), 32x32x3 (H×W×C: the window slides on 32×32), 8x8x8x3 (D×H×W×C); or -n.", show_default=False),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f (one, or one per axis: 3x5)."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding p per side; before,after (3,4); per axis 1x2; valid (0); same: the size kept at stride 1, TensorFlow's ceil(n/s) at stride s."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    n_opt: Optional[str] = typer.Option(None, "-n", "--input", help="The input size, as the positional N.", show_default=False),
    ceil: bool = typer.Option(False, "--ceil", help="PyTorch ceil_mode rule (pooling)."),
    transposed: bool = typer.Option(False, "--transposed", help="Transposed convolution (PyTorch ConvTranspose)."),
    output_padding: str = typer.Option("0", "--output-padding", help="Extra rows of a transposed conv (< s)."),
    strict: bool = typer.Option(False, "--strict", help="A division that is not exact is a 'no' (exit 1)."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Output size of one conv/pool window, with the formula and the rows the floor drops.

    Example: cnncalc size 32 -f 5 -s 2 -p 0   ->   floor((32 + 2*0 - 5)/2) + 1 = 14

    With --strict a division that is not exact prints why on stderr and exits 1
    (bad arguments exit 2).
    """
    from .. import size_syntax as P
    from .. import api
    from ..errors import ArgumentError

    if ceil and transposed:
        raise ArgumentError("--ceil and --transposed do not combine; choose one")
    ns = P.positional(n, n_opt, "-n")
    if ns is None:
        raise ArgumentError("the input size N is required; e.g. cnncalc size 32 -f 5 -s 2")
    mode = "transposed" if transposed else "ceil" if ceil else "floor"
    answer = api.solve_size(ns, P.sizes(kernel, "-f", "3"), P.sizes(stride, "-s", "2"), P.padding(pad),
                            P.sizes(dilation, "-d", "1"), mode=mode,
                            output_padding=P.sizes(output_padding, "--output-padding", "1", minimum=0))
    problem = api.strict_error(answer) if strict and not transposed else None
    if problem:
        say(f"cnncalc: {problem}")
        raise typer.Exit(1)
    _show(fmt, answer.to_dict(), answer.text())


layer_app = typer.Typer(no_args_is_help=True, cls=KindGroup, help="One layer's output shape, activations, parameters, weight shapes and MACs, with the working: conv, pool, dense, or any kind of docs/kinds.md (relu, softmax, batchnorm, flatten, conv1d, ...).\n\nExample: cnncalc layer conv --input 32x32x3 --filters 10 -f 3\n\nExample: cnncalc layer relu --input 5 --jacobian")
app.add_typer(layer_app, name="layer")


JACOBIAN_OPT = typer.Option(False, "--jacobian", help="Also the shapes and sizes of d out/d in and d out/d weights, which backprop never forms.")
LAYER_INPUT = ("--input", "-i")
INPUT_HELP = "Input size: 6x6 is H×W with one channel, 32x32x3 H×W×C, 8x8x8x3 D×H×W×C; 400 a vector (a 1-D kind: a length)."


def _answer(word: str, text: str | None, args: dict, texts: dict | None = None):
    """The layer `word` on the input `text`, read by the one size grammar for the dimension the
    word asks for (api.solve_layer), the reading said on the answer's first line."""
    from .. import api
    from ..errors import ArgumentError
    if text is None:
        raise ArgumentError("--input is required; e.g. --input 32x32x3 (H×W×C)")
    return api.solve_layer(word, text, texts=texts, **{k: v for k, v in args.items() if v is not None})


def _show_layer(fmt: TextFormat, answer, jacobian: bool) -> None:
    from .. import api
    data, text = answer.to_dict(), answer.text()
    if jacobian:
        j = api.jacobian(answer)
        data["jacobian"], text = j.to_dict(), text + j.text()
    _show(fmt, data, text)


@layer_app.command("pool", context_settings=_ONE_LINE)
@guarded
def layer_pool(
    input: Optional[str] = typer.Option(None, *LAYER_INPUT, help=INPUT_HELP),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Window size: 2, or per axis."),
    stride: Optional[str] = typer.Option(None, "-s", "--stride", help="Stride (default: the window size)."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side (PyTorch allows at most f//2), or same."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation (max pooling only)."),
    ceil: bool = typer.Option(False, "--ceil", help="PyTorch ceil_mode rule."),
    avg: bool = typer.Option(False, "--avg", help="Average pooling instead of max pooling."),
    jacobian: bool = JACOBIAN_OPT,
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """A max (or --avg) pooling layer: shape and activations, with the formula; 0 parameters.

    Example: cnncalc layer pool --input 143x143x64 -f 3 -s 2   ->   floor((143 + 2*0 - 3)/2) + 1 = 71
    """
    from .. import size_syntax as P

    answer = _answer("avgpool" if avg else "maxpool", input, dict(
                     kernel=_axes_arg(P.sizes(kernel, "-f", "2")),
                     stride=None if stride is None else _axes_arg(P.sizes(stride, "-s", "2")),
                     padding=_pad_arg(P.padding(pad)), dilation=_axes_arg(P.sizes(dilation, "-d", "1")),
                     ceil_mode=ceil))
    _show_layer(fmt, answer, jacobian)


@layer_app.command("kind", context_settings=_ONE_LINE)
@guarded
def layer_kind(
    kind: str = typer.Argument(..., metavar="KIND", help="A kind of docs/kinds.md (relu, softmax, batchnorm, flatten, conv1d, maxpool, depthwise_conv2d, ...); `layer KIND` is short for `layer kind KIND`.", show_default=False),
    input: Optional[str] = typer.Option(None, *LAYER_INPUT, help=INPUT_HELP + " Dense flattens a shape first."),
    filters: Optional[str] = typer.Option(None, "--filters", "-k", help="Number of filters (output channels of a conv kind).", show_default=False),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel or window size f: 3, or per axis 3x5.", show_default=False),
    stride: Optional[str] = typer.Option(None, "-s", "--stride", help="Stride s (a window kind).", show_default=False),
    pad: Optional[str] = typer.Option(None, "-p", "--padding", help="Padding per side, before,after (3,4), per axis 1x2, same or valid.", show_default=False),
    dilation: Optional[str] = typer.Option(None, "-d", "--dilation", help="Dilation d.", show_default=False),
    groups: Optional[str] = typer.Option(None, "--groups", "-g", help="Groups (a conv kind).", show_default=False),
    units: Optional[str] = typer.Option(None, "--units", "-u", help="Units (dense).", show_default=False),
    no_bias: bool = typer.Option(False, "--no-bias", help="No bias terms (conv, dense)."),
    ceil: bool = typer.Option(False, "--ceil", help="PyTorch ceil_mode rule (pooling)."),
    texts: list[str] = typer.Option([], "--arg", help="Any argument of the kind as the spec names it, name=value: --arg negative_slope=0.1, --arg rate=0.5 (repeat for more).", show_default=False),
    jacobian: bool = JACOBIAN_OPT,
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Any kind alone (conv, dense, relu, softmax, batchnorm, flatten, conv1d, ...), with the working.

    Its shape, activations, parameters, weight shapes (PyTorch's and Keras' order) and MACs, each with its formula; --jacobian adds d out/d in and d out/d weights (n x n for an activation on n values: diagonal when element-wise, full for softmax). Other arguments: --arg name=value.

    Example: cnncalc layer conv --input 32x32x3 --filters 10 -f 3   ->   280 params

    Example: cnncalc layer dense --input 400 --units 120   ->   48,120 params

    Example: cnncalc layer relu --input 5 --jacobian   ->   5 x 5, diagonal

    Example: cnncalc layer leaky_relu --input 8 --arg negative_slope=0.2
    """
    from .. import size_syntax as P
    from ..errors import ArgumentError

    pairs = {}
    for t in texts:
        word, eq, value = t.partition("=")
        if not eq or not word.strip():
            raise ArgumentError(f"--arg `{t}` is not name=value; e.g. --arg negative_slope=0.1")
        pairs[word.strip()] = value
    args = dict(filters=P.one(filters, "--filters", "10", required=False), units=P.one(units, "--units", "10", required=False),
                kernel=_maybe(kernel, lambda t: _axes_arg(P.sizes(t, "-f", "3"))),
                stride=_maybe(stride, lambda t: _axes_arg(P.sizes(t, "-s", "1"))),
                padding=_maybe(pad, lambda t: _pad_arg(P.padding(t))),
                dilation=_maybe(dilation, lambda t: _axes_arg(P.sizes(t, "-d", "1"))),
                groups=P.one(groups, "--groups", "1", required=False),
                bias=False if no_bias else None, ceil_mode=True if ceil else None)
    _show_layer(fmt, _answer(kind, input, args, pairs), jacobian)


def _maybe(text: str | None, read):
    return None if text is None else read(text)


def _axes_arg(values: tuple[int, ...]):
    return values[0] if len(values) == 1 else values


def _pad_arg(pads):
    if isinstance(pads, str):
        return pads
    pads = tuple(p[0] if p[0] == p[1] else p for p in pads)
    return pads[0] if len(pads) == 1 else pads


solve_app = typer.Typer(no_args_is_help=True, cls=SizeGroup, help="Inverse problems: the padding, kernel, stride or input size that gives an output.\n\nExample: cnncalc solve padding -n 6 -f 3 -s 2")
app.add_typer(solve_app, name="solve")


@solve_app.command("padding", context_settings=_ONE_LINE)
@guarded
def solve_padding(
    size_arg: Optional[str] = SIZE_ARG,
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis; a square 6x6 (H×W) or 6x6x3 (H×W×C) gives its side)."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    out: Optional[str] = typer.Option(None, "--out", help="Target output size (default: n, 'same')."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Padding that gives a target output (default: output = input), every integer answer.

    Example: cnncalc solve padding -n 6 -f 3 -s 2   ->   p = 3.5: p=4 (drops a padded row) or (3, 4) exactly
    """
    from .. import size_syntax as P
    from .. import api

    n_read = P.axis(P.positional(size_arg, n, "-n"), "-n", "6")
    a = api.solve_padding(n_read[0], P.one(kernel, "-f", "3"), P.one(stride, "-s", "2"),
                          P.one(dilation, "-d", "1"), P.one(out, "--out", "6", required=False))
    _show_read(fmt, a, n_read[1])


@solve_app.command("kernel", context_settings=_ONE_LINE)
@guarded
def solve_kernel(
    size_arg: Optional[str] = SIZE_ARG,
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis; a square 6x6 (H×W) or 6x6x3 (H×W×C) gives its side)."),
    out: Optional[str] = typer.Option(None, "--out", help="Target output size."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side, or before,after."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Kernel sizes that give a target output, each marked exact or not; exit 1 if none.

    Example: cnncalc solve kernel -n 288 --out 143 -s 2 -p 0   ->   f=4 exact; f=3 drops one row
    """
    from .. import size_syntax as P
    from .. import api

    n_read = P.axis(P.positional(size_arg, n, "-n"), "-n", "288")
    a = api.solve_kernel(n_read[0], P.one(out, "--out", "143"), P.one(stride, "-s", "2"),
                         P.one_pad(pad), P.one(dilation, "-d", "1"))
    _show_read(fmt, a, n_read[1])


@solve_app.command("stride", context_settings=_ONE_LINE)
@guarded
def solve_stride(
    size_arg: Optional[str] = SIZE_ARG,
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis; a square 6x6 (H×W) or 6x6x3 (H×W×C) gives its side)."),
    out: Optional[str] = typer.Option(None, "--out", help="Target output size."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side, or before,after."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Strides that give a target output, each marked exact or not; exit 1 if none.

    Example: cnncalc solve stride -n 5 -f 3 -p 1 --out 3   ->   s=2 exact
    """
    from .. import size_syntax as P
    from .. import api

    n_read = P.axis(P.positional(size_arg, n, "-n"), "-n", "5")
    a = api.solve_stride(n_read[0], P.one(out, "--out", "3"), P.one(kernel, "-f", "3"),
                         P.one_pad(pad), P.one(dilation, "-d", "1"))
    _show_read(fmt, a, n_read[1])


def _show_read(fmt: TextFormat, a, read: str) -> None:
    """A solver's answer, with how its size was read on the first line (JSON: input_read)."""
    data = a.to_dict()
    if read:
        data["input_read"] = read
    _show(fmt, data, (read + "\n" if read else "") + a.text(), a.solved)


@solve_app.command("input", context_settings=_ONE_LINE)
@guarded
def solve_input(
    spec: Path = SPEC_ARG,
    input: Optional[str] = typer.Option(None, "--input", "-i", help="Input to check (default: the spec's), e.g. 225x225x3."),
    max_size: str = typer.Option("2048", "--max", help="Largest size scanned."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    """Input sizes for which every layer divides exactly, and the first layer that drops rows.

    Also the smallest input the network accepts. Exit 1 if no size up to --max is exact.

    Example: cnncalc solve input architectures/vgg16.yaml --input 225x225x3
    """
    from .. import size_syntax as P
    from .. import api

    net = load(spec, input, class_name, vary)
    a = api.solve_input(net, max_size=P.one(max_size, "--max", "2048"), given=None if input is None else net.input)
    _show(fmt, a.to_dict(), a.text(), a.solved)
