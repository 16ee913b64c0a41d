"""The `cnncalc` command: parse arguments, call the library, render, map errors to exit codes.

Exit status: 0 success, 1 a well-formed "no" (no solution, a wrong answer, a disagreement),
2 bad input (spec, file or argument), 3 an internal error (a bug: please report it).
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .errors import ArgumentError, CnncalcError

app = typer.Typer(
    name="cnncalc", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Exact shapes, parameters and compute of convolutional networks from a short YAML spec.",
)


@app.callback()
def _root() -> None:
    """Exact shapes, parameters and compute of convolutional networks from a short YAML spec."""


# Options several commands share, declared once.
SPEC_ARG = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False)
DTYPE_OPT = typer.Option("float32", "--dtype", help="Bytes per value for memory: float32, float16, bfloat16, float64, int8.")


class TextFormat(str, Enum):
    """--format of the commands that print working or grids: text for people, or JSON."""
    table = "table"
    json = "json"


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def fail(error: CnncalcError) -> None:
    """One line on stderr, the error's exit status."""
    typer.echo(f"cnncalc: {error}" if error.path is None else str(error), err=True)
    raise typer.Exit(error.exit_code)


def guarded(fn):
    """Run a command body: library errors become one line and exit 2, bugs one line and exit 3."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CnncalcError as e:
            fail(e)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except RecursionError:
            typer.echo("cnncalc: the input nests too deeply to read", err=True)
            raise typer.Exit(2)
        except Exception as e:  # a bug; still one line, never a traceback
            typer.echo(f"cnncalc: internal error ({type(e).__name__}: {e}); please report it "
                       "with the command and spec that caused it", err=True)
            raise typer.Exit(3)
    return wrapper


def emit(text: str) -> None:
    sys.stdout.write(text)


@app.command()
@guarded
def summary(
    spec: Path = SPEC_ARG,
    fmt: Format = typer.Option(Format.table, "--format", "-F", help="table, json, csv or markdown."),
    dtype: str = DTYPE_OPT,
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
    explain: bool = typer.Option(False, "--explain", help="Under each row, the shape and parameter formulas with the numbers (table or json)."),
    columns: Optional[str] = typer.Option(
        None, "--columns", show_default=False,
        help="Comma-separated columns (table, csv, markdown), like torchinfo's col_names: index, name, "
             "kind, hyper, output_shape, activation_size, params, macs, flops, rf, rf_jump, rf_start, "
             "param_bytes, activation_bytes, training_bytes, params_share, macs_share; 'all'; "
             "'+macs_share' adds to the default set (#, name, kind, hyper, output shape, activations, params, "
             "MACs, RF); 'course': the notes' three-column table (Layer, Activation shape, Activation size, "
             "# parameters), what --format markdown prints when --columns is not given."),
    flops_convention: str = typer.Option(
        "2macs", "--flops-convention", help="FLOPs as 2macs (2 x MACs), macs (= MACs, as fvcore/ptflops "
        "print them) or full (every op: bias, batchnorm, pooling, activations, as torch-scan counts)."),
    batch: str = typer.Option("1", "--batch", help="Samples per forward pass, for MACs, FLOPs and activation memory."),
    optimizer: str = typer.Option(
        "sgd", "--optimizer", help="Optimizer state in the training-memory estimate: sgd (none), "
        "momentum (1 x params), adam (2 x params); also nesterov, rmsprop, adagrad, adamw."),
    blank: bool = typer.Option(False, "--blank", help="The course table (--columns course) with empty cells, as a worksheet: markdown, or csv with --format csv."),
) -> None:
    """Per-layer output shape, parameters, MACs, receptive field and memory, with totals.

    Example: cnncalc summary architectures/vgg16.yaml --columns +flops,training_bytes --batch 32 --optimizer adam

    Course table: cnncalc summary architectures/lenet_homework.yaml --format markdown (add --blank for a worksheet; --columns all for every column)
    """
    from . import metrics as M
    from . import render
    from .infer import infer
    from .spec import load_spec

    # markdown without --columns is the course's table, as homework sheets print it
    course = (columns.strip().lower() == "course") if columns is not None else fmt is Format.markdown
    cols = render.DEFAULT_COLUMNS if columns is None or course else render.parse_columns(columns)
    n = M.parse_batch(batch)
    M.compute_options(n, optimizer, flops_convention)  # bad option values fail before the spec is read
    if width is not None and width < 40:
        raise ArgumentError(f"--width {width} is too narrow for the table; use at least 40, "
                            "or leave it out for the terminal's width")
    result = infer(load_spec(str(spec)), dtype=dtype)
    if blank or course:
        if fmt is Format.json or (blank and columns is not None and not course):
            raise ArgumentError("--blank and --columns course print the course table (Layer, Activation shape, "
                                "Activation size, # parameters); use --format markdown or csv, without other --columns")
        emit(render.to_course_csv(result, blank) if fmt is Format.csv else render.to_course_markdown(result, blank))
        return
    ms = M.compute(result, batch=n, optimizer=optimizer, flops_convention=flops_convention)
    if explain:
        return _explained(result, fmt, cols, ms)
    if fmt is Format.table:
        from rich.console import Console
        console = Console(width=width)
        console.print(render.table(result, cols, ms, width=console.width))
    else:
        emit(render.render(result, fmt.value, cols, metrics=ms))


class AnswersFormat(str, Enum):
    md = "md"
    csv = "csv"
    tsv = "tsv"
    yaml = "yaml"


@app.command()
@guarded
def check(
    answers: str = typer.Argument(..., help="The student's table: Markdown, CSV, TSV or YAML (`-` for stdin).", show_default=False),
    spec: Path = typer.Option(..., "--spec", "-s", help="YAML spec of the network the table is about.", show_default=False),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table (for people) or json (one entry per cell)."),
    read_as: Optional[AnswersFormat] = typer.Option(None, "--as", help="Read ANSWERS as md, csv, tsv or yaml (default: by extension, then by content)."),
) -> None:
    """Grade a filled-in table of activation shapes, sizes and # parameters against a spec.

    Each wrong cell gets the correct value, the formula with the numbers, and the mistake that gives exactly the student's number.

    Exit status: 0 every given cell right; 1 a wrong cell or a row that matches no layer; 2 unreadable input.

    Example: cnncalc check answers.md --spec architectures/lenet_homework.yaml
    """
    from .check import check_table, read_answers, report_json, report_text
    from .infer import infer
    from .spec import load_spec

    table = read_answers(answers, read_as.value if read_as else None)
    report = check_table(table, infer(load_spec(str(spec))))
    emit(report_json(report) if fmt is TextFormat.json else report_text(report))
    if not report.ok:
        raise typer.Exit(1)


def _explained(result, fmt: Format, columns, metrics) -> None:
    """summary --explain: the working of every layer (explain.layer_lines) under its row."""
    import json

    from . import render
    from .errors import ArgumentError
    from .explain import layer_lines

    working = [layer_lines(r) for r in result.layers]
    if fmt is Format.table:
        emit(render.explained_text(result, working, columns, metrics))
    elif fmt is Format.json:
        doc = render.to_dict(result, metrics)
        for row, lines in zip(doc["layers"], working):
            row["explain"] = lines
        emit(json.dumps(doc, indent=2) + "\n")
    else:
        raise ArgumentError(f"--explain works with --format table or json, not {fmt.value}")


# ---- solvers and "show your work" (issue 3) -------------------------------------------------


_FMT_HELP = "table (the working, as text) or json."
_ONE_LINE = {"ignore_unknown_options": True}  # `-5` reaches our own check, not click's usage box


def _show(fmt: "TextFormat", data, text: str, ok: bool = True) -> None:
    """Print the answer; a well-formed "no" (no solution) exits 1."""
    from . import answers as A
    emit(A.to_json(data) if fmt is TextFormat.json else text)
    if not ok:
        raise typer.Exit(1)


@app.command(context_settings=_ONE_LINE)
@guarded
def size(
    n: Optional[str] = typer.Argument(None, help="Input size per spatial axis: 32, 224x224 or 6x8.", show_default=False),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f (one, or one per axis: 3x5)."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding p per side; before,after (3,4); per axis 1x2; same; valid."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
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
    from . import answers as A
    from .errors import ArgumentError
    from .solve import size as solve_size, strict_error

    if ceil and transposed:
        raise ArgumentError("--ceil and --transposed do not combine; choose one")
    ns = A.sizes(n, "the input size N", "cnncalc size 32 -f 5 -s 2")
    answer = solve_size(ns, A.sizes(kernel, "-f", "3"), A.sizes(stride, "-s", "2"), A.padding(pad),
                        A.sizes(dilation, "-d", "1"), "transposed" if transposed else "ceil" if ceil else "floor",
                        A.sizes(output_padding, "--output-padding", "1", minimum=0))
    problem = strict_error(answer) if strict and not transposed else None
    if problem:
        typer.echo(f"cnncalc: {problem}", err=True)
        raise typer.Exit(1)
    _show(fmt, A.size_dict(answer), A.size_text(answer))


layer_app = typer.Typer(no_args_is_help=True, help="One layer's output shape, activations, parameters and MACs, with the working.\n\nExample: cnncalc layer conv --input 32x32x3 --filters 10 -f 3")
app.add_typer(layer_app, name="layer")


@layer_app.command("conv", context_settings=_ONE_LINE)
@guarded
def layer_conv(
    input: Optional[str] = typer.Option(None, "--input", "-i", help="Input shape, channels last: 32x32x3 (H x W x C) or 100x1 (L x C)."),
    filters: Optional[str] = typer.Option(None, "--filters", "-k", help="Number of filters (output channels)."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size: 3, or per axis 3x5."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride: 1, or per axis."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side, before,after (3,4), per axis 1x2, same or valid."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation."),
    groups: str = typer.Option("1", "--groups", "-g", help="Groups (C_in and filters must divide)."),
    no_bias: bool = typer.Option(False, "--no-bias", help="No bias terms."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """A convolution layer: shape, activations, parameters and MACs, each with its formula.

    Example: cnncalc layer conv --input 32x32x3 --filters 10 -f 3   ->   params (3*3*3 + 1)*10 = 280
    """
    from . import answers as A
    from .solve import layer as solve_layer

    answer = solve_layer("conv", A.sizes(input, "--input"), filters=A.one(filters, "--filters", "10"),
                         kernel=_axes_arg(A.sizes(kernel, "-f", "3")), stride=_axes_arg(A.sizes(stride, "-s", "1")),
                         padding=_pad_arg(A.padding(pad)), dilation=_axes_arg(A.sizes(dilation, "-d", "1")),
                         groups=A.one(groups, "--groups", "1"), bias=not no_bias)
    _show(fmt, A.layer_dict(answer), A.layer_text(answer))


@layer_app.command("pool", context_settings=_ONE_LINE)
@guarded
def layer_pool(
    input: Optional[str] = typer.Option(None, "--input", "-i", help="Input shape, channels last: 143x143x64."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Window size: 2, or per axis."),
    stride: Optional[str] = typer.Option(None, "-s", "--stride", help="Stride (default: the window size)."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side (PyTorch allows at most f//2), or same."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation (max pooling only)."),
    ceil: bool = typer.Option(False, "--ceil", help="PyTorch ceil_mode rule."),
    avg: bool = typer.Option(False, "--avg", help="Average pooling instead of max pooling."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """A max (or --avg) pooling layer: shape and activations, with the formula; 0 parameters.

    Example: cnncalc layer pool --input 143x143x64 -f 3 -s 2   ->   floor((143 + 2*0 - 3)/2) + 1 = 71
    """
    from . import answers as A
    from .solve import layer as solve_layer

    answer = solve_layer("avgpool" if avg else "maxpool", A.sizes(input, "--input", "143x143x64"),
                         kernel=_axes_arg(A.sizes(kernel, "-f", "2")),
                         stride=None if stride is None else _axes_arg(A.sizes(stride, "-s", "2")),
                         padding=_pad_arg(A.padding(pad)), dilation=_axes_arg(A.sizes(dilation, "-d", "1")),
                         ceil_mode=ceil)
    _show(fmt, A.layer_dict(answer), A.layer_text(answer))


@layer_app.command("dense", context_settings=_ONE_LINE)
@guarded
def layer_dense(
    input: Optional[str] = typer.Option(None, "--input", "-i", help="Input size, 400 (or a shape, which is flattened: 5x5x16)."),
    units: Optional[str] = typer.Option(None, "--units", "-u", help="Number of units."),
    no_bias: bool = typer.Option(False, "--no-bias", help="No bias terms."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """A fully connected layer: parameters n_in*units + units and MACs, with the numbers.

    Example: cnncalc layer dense --input 400 --units 120   ->   400*120 + 120 = 48,120
    """
    from . import answers as A
    from .solve import layer as solve_layer

    answer = solve_layer("dense", A.sizes(input, "--input", "400"), units=A.one(units, "--units", "120"),
                         bias=not no_bias)
    _show(fmt, A.layer_dict(answer), A.layer_text(answer))


def _axes_arg(values: tuple[int, ...]):
    return values[0] if len(values) == 1 else values


def _pad_arg(pads):
    if isinstance(pads, str):
        return pads
    pads = tuple(p[0] if p[0] == p[1] else p for p in pads)
    return pads[0] if len(pads) == 1 else pads


solve_app = typer.Typer(no_args_is_help=True, help="Inverse problems: the padding, kernel, stride or input size that gives an output.\n\nExample: cnncalc solve padding -n 6 -f 3 -s 2")
app.add_typer(solve_app, name="solve")


@solve_app.command("padding", context_settings=_ONE_LINE)
@guarded
def solve_padding(
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis)."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Target output size (default: n, 'same')."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Padding that gives a target output (default: output = input), every integer answer.

    Example: cnncalc solve padding -n 6 -f 3 -s 2   ->   p = 3.5: p=4 (drops a padded row) or (3, 4) exactly
    """
    from . import answers as A
    from .solve import padding as solve_pad

    a = solve_pad(A.one(n, "-n", "6"), A.one(kernel, "-f", "3"), A.one(stride, "-s", "2"),
                  A.one(dilation, "-d", "1"), A.one(out, "--out", "6", required=False))
    _show(fmt, A.answer_dict(a), A.answer_text(a), a.solved)


@solve_app.command("kernel", context_settings=_ONE_LINE)
@guarded
def solve_kernel(
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Target output size."),
    stride: str = typer.Option("1", "-s", "--stride", help="Stride s."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side, or before,after."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Kernel sizes that give a target output, each marked exact or not; exit 1 if none.

    Example: cnncalc solve kernel -n 288 --out 143 -s 2 -p 0   ->   f=4 exact; f=3 drops one row
    """
    from . import answers as A
    from .solve import kernel as solve_k

    a = solve_k(A.one(n, "-n", "288"), A.one(out, "--out", "143"), A.one(stride, "-s", "2"),
                A.one_pad(pad), A.one(dilation, "-d", "1"))
    _show(fmt, A.answer_dict(a), A.answer_text(a), a.solved)


@solve_app.command("stride", context_settings=_ONE_LINE)
@guarded
def solve_stride(
    n: Optional[str] = typer.Option(None, "-n", "--input", help="Input size n (one axis)."),
    out: Optional[str] = typer.Option(None, "--out", "-o", help="Target output size."),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help="Kernel size f."),
    pad: str = typer.Option("0", "-p", "--padding", help="Padding per side, or before,after."),
    dilation: str = typer.Option("1", "-d", "--dilation", help="Dilation d."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Strides that give a target output, each marked exact or not; exit 1 if none.

    Example: cnncalc solve stride -n 5 -f 3 -p 1 --out 3   ->   s=2 exact
    """
    from . import answers as A
    from .solve import stride as solve_s

    a = solve_s(A.one(n, "-n", "5"), A.one(out, "--out", "3"), A.one(kernel, "-f", "3"),
                A.one_pad(pad), A.one(dilation, "-d", "1"))
    _show(fmt, A.answer_dict(a), A.answer_text(a), a.solved)


@solve_app.command("input", context_settings=_ONE_LINE)
@guarded
def solve_input(
    spec: Path = SPEC_ARG,
    input: Optional[str] = typer.Option(None, "--input", "-i", help="Input to check (default: the spec's), e.g. 225x225x3."),
    max_size: str = typer.Option("2048", "--max", help="Largest size scanned."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help=_FMT_HELP),
) -> None:
    """Input sizes for which every layer divides exactly, and the first layer that drops rows.

    Also the smallest input the network accepts. Exit 1 if no size up to --max is exact.

    Example: cnncalc solve input architectures/vgg16.yaml --input 225x225x3
    """
    from . import answers as A
    from .solve import input_sizes
    from .spec import load_spec

    a = input_sizes(load_spec(str(spec)), A.one(max_size, "--max", "2048"),
                    A.sizes(input, "--input", required=False))
    _show(fmt, A.input_dict(a), A.input_text(a), a.solved)



class Framework(str, Enum):
    pytorch = "pytorch"
    keras = "keras"


@app.command()
@guarded
def verify(
    spec: Path = SPEC_ARG,
    batch: int = typer.Option(1, "--batch", "-b", help="Batch size of the random input."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random weights and input."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
) -> None:
    """Run the network in NumPy and compare every layer's executed shape and weights with summary's.

    Random weights of exactly the inferred shapes, one forward pass layer by layer; per layer the
    inferred and executed output shapes, the weight count and the time. Exit 1 on any disagreement.

    Example: cnncalc verify architectures/vgg16.yaml --batch 2 --format json
    """
    import json

    from .errors import ArgumentError
    from .spec import load_spec

    if batch < 1:
        raise ArgumentError(f"--batch {batch} must be at least 1; use --batch 1")
    loaded = load_spec(str(spec))
    from . import executor  # numpy: only for the commands that compute

    result = executor.verify(loaded, batch=batch, seed=seed)
    rows = [{
        "index": c.result.layer.index, "name": c.result.layer.name, "kind": c.result.layer.kind,
        "inferred_shape": list(c.result.output_shape),
        "executed_shape": None if c.executed_shape is None else list(c.executed_shape),
        "weights": c.weights, "params": c.result.params, "agree": c.agree,
        "ms": round(c.seconds * 1000, 3), **({"error": c.error} if c.error else {}),
    } for c in result.checks]
    bad = [r for r in rows if not r["agree"]]
    if fmt is TextFormat.json:
        emit(json.dumps({"name": loaded.name, "input": list(loaded.input), "batch": batch, "seed": seed,
                         "layers": rows, "agree": not bad, "disagreements": len(bad),
                         "weights": sum(r["weights"] for r in rows), "params": sum(r["params"] for r in rows),
                         "seconds": round(result.seconds, 4)}, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        from .kinds import fmt_shape
        table = Table(title=f"{loaded.name}: inferred vs executed (NumPy, batch {batch}, seed {seed})")
        for head in ("#", "Name", "Kind", "Inferred", "Executed", "Weights", "Params", "", "ms"):
            table.add_column(head, justify="right" if head in ("#", "Weights", "Params", "ms") else "left")
        for r, c in zip(rows, result.checks):
            executed = "-" if c.executed_shape is None else fmt_shape(c.executed_shape)
            table.add_row(str(r["index"]), r["name"], r["kind"], fmt_shape(c.result.output_shape), executed,
                          f"{r['weights']:,}", f"{r['params']:,}", "agree" if r["agree"] else "DISAGREE",
                          f"{r['ms']:.1f}")
        console = Console(width=width)
        console.print(table)
        for r in bad:
            if "error" in r:
                console.print(f"layer {r['index']} ({r['name']}): {r['error']}", markup=False)
        verdict = (f"all {len(rows)} layers agree" if not bad else f"{len(bad)} of {len(rows)} layers disagree")
        weights, params = sum(r["weights"] for r in rows), sum(r["params"] for r in rows)
        console.print(f"{verdict}; weights {weights:,} {'=' if weights == params else '!='} params "
                      f"{params:,}; {result.seconds:.2f} s", markup=False)
    if bad:
        raise typer.Exit(1)


def _emit_grid(result, fmt: "TextFormat") -> None:
    import json

    from . import grids
    if fmt is TextFormat.json:
        emit(json.dumps(grids.result_dict(result), indent=2) + "\n")
    else:
        emit(grids.result_text(result))


@app.command()
@guarded
def conv(
    image: str = typer.Option(..., "--image", "-i", help='Matrix inline ("1 0 1; 0 1 0; 1 1 1"), JSON, or a CSV/whitespace file; one row = a 1-D signal.', show_default=False),
    kernel: str = typer.Option(..., "--kernel", "-k", help="A named kernel (identity, sharpen, laplacian, box_blur, gaussian_blur, vertical_edge, horizontal_edge, prewitt_x/y, sobel_x/y, scharr_x/y, lonely) or a matrix like --image.", show_default=False),
    stride: int = typer.Option(1, "--stride", "-s", help="Stride."),
    padding: int = typer.Option(0, "--padding", "-p", help="Zero padding on every side."),
    flip: bool = typer.Option(False, "--flip", help="Flip the kernel (true convolution); default is cross-correlation, as PyTorch/TensorFlow."),
    at: Optional[str] = typer.Option(None, "--at", help="Show the window, element-wise products and sum for output cell i,j (0-based)."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """Cross-correlate (or with --flip convolve) an image or signal with a kernel; print the grids.

    Example: cnncalc conv --image "3 0 1 2; 1 5 8 9; 2 7 2 5; 0 1 3 1" --kernel vertical_edge --at 0,1
    """
    from . import grids
    ker, name = grids.kernel_matrix(kernel)
    img = grids.parse_matrix(image, "--image")
    _emit_grid(grids.convolve(img, ker, stride, padding, flip, at, name), fmt)


class PoolOp(str, Enum):
    max = "max"
    avg = "avg"


@app.command()
@guarded
def pool(
    image: str = typer.Option(..., "--image", "-i", help='Matrix inline ("12 8; 20 12"), JSON, or a CSV/whitespace file.', show_default=False),
    size: int = typer.Option(2, "-f", "--size", help="Pool size f (f x f windows)."),
    stride: Optional[int] = typer.Option(None, "--stride", "-s", help="Stride (default: the pool size)."),
    padding: int = typer.Option(0, "--padding", "-p", help="Padding on every side (at most f//2)."),
    op: PoolOp = typer.Option(PoolOp.max, "--op", help="max or avg."),
    at: Optional[str] = typer.Option(None, "--at", help="Show the window and its max/average for output cell i,j."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """Max or average pooling of a small matrix; print input and output grids.

    Example: cnncalc pool --image "12 8 0 30; 20 12 0 8; 23 40 0 21; 108 32 22 12" -f 2 -s 2 --at 1,0
    """
    from . import grids
    _emit_grid(grids.pool(grids.parse_matrix(image, "--image"), size, stride, padding, op.value, at), fmt)


@app.command("conv-matrix")
@guarded
def conv_matrix(
    n: int = typer.Option(..., "-n", help="Signal length (columns).", show_default=False),
    f: int = typer.Option(3, "-f", help="Kernel length (ignored when --kernel is given)."),
    stride: int = typer.Option(1, "--stride", "-s", help="Stride."),
    kernel: Optional[str] = typer.Option(None, "--kernel", "-k", help='A 1-D kernel like "1 2 3" (default: symbols w0..w(f-1), checked with 1..f).'),
    signal: Optional[str] = typer.Option(None, "--signal", "-x", help="The n input values for the check (default 0..n-1)."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """The convolution weight matrix (Toeplitz form) of a 1-D kernel, checked against sliding.

    rows = floor((n - f)/s) + 1, n columns; checks that matrix @ x equals the sliding computation.

    Example: cnncalc conv-matrix -n 8 -f 3 -s 2
    """
    import json

    from . import grids
    ker = grids.parse_matrix(kernel, "--kernel") if kernel is not None else None
    sig = grids.parse_matrix(signal, "--signal") if signal is not None else None
    d = grids.conv_matrix(n, f, stride, ker, sig)
    emit(json.dumps(d, indent=2) + "\n" if fmt is TextFormat.json else grids.matrix_text(d))
    if not d["equal"]:
        raise typer.Exit(1)


@app.command()
@guarded
def export(
    spec: Path = SPEC_ARG,
    to: Framework = typer.Option(..., "--to", "-t", help="pytorch or keras.", show_default=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the code to this file (default: stdout)."),
) -> None:
    """Generate PyTorch (nn.Module) or Keras 3 (functional) code for a spec.

    Example: cnncalc export architectures/vgg16.yaml --to pytorch -o vgg16.py
    """
    from .errors import ArgumentError
    from .export import export_code
    from .infer import infer
    from .spec import load_spec

    code = export_code(infer(load_spec(str(spec))), to.value)
    if output is None:
        emit(code)
        return
    try:
        output.write_text(code, encoding="utf-8")
    except OSError as e:
        raise ArgumentError(f"cannot write {output}: {e.strerror}; give a writable path with -o") from None
    typer.echo(f"wrote {output} ({to.value}, {code.count(chr(10))} lines)", err=True)


def _usage_line(error) -> str:
    """typer's boxed usage error as one line: `cnncalc: what is wrong; see cnncalc CMD --help`."""
    names, ctx = [], getattr(error, "ctx", None)
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    what = error.format_message().replace("Value error, ", "").rstrip(".")
    see = f"see `cnncalc {' '.join([*reversed(names), '--help'])}`"
    return f"cnncalc: {what} {see[0].upper() + see[1:]}" if what.endswith("?") else f"cnncalc: {what}; {see}"


class Chart(str, Enum):
    diagram = "diagram"
    params = "params"
    macs = "macs"
    activations = "activations"
    all = "all"


def _write(path: Path, data: bytes | str) -> None:
    """Write an output file; a path that cannot be written is a one-line error (exit 2)."""
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as e:
        raise CnncalcError(f"cannot write {path}: {e.strerror}; choose another -o path") from None


@app.command()
@guarded
def report(
    spec: Path = SPEC_ARG,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="HTML file to write (default: the spec's name with .html, here)."),
    dtype: str = DTYPE_OPT,
    charts: bool = typer.Option(True, "--charts/--no-charts", help="Include the matplotlib charts (needs cnncalc\\[plot])."),
) -> None:
    r"""One self-contained HTML report: diagram, per-layer charts, table, totals and the spec.

    Without matplotlib the report has the diagram, table, totals and spec, and says what to
    install for the charts (pip install 'cnncalc\[plot]').

    Example: cnncalc report architectures/vgg16.yaml -o vgg16.html
    """
    from . import report as rep
    from .infer import infer
    from .spec import load_spec

    result = infer(load_spec(str(spec)), dtype=dtype)
    text = spec.read_text(encoding="utf-8")
    html, notes = rep.build(result, text, charts=charts)
    out = output or Path(spec.stem + ".html")
    _write(out, html)
    for note in notes:
        typer.echo(f"cnncalc: note: {note}", err=True)
    typer.echo(f"wrote {out} ({len(html.encode()) // 1024:,} KiB)")


@app.command()
@guarded
def plot(
    spec: Path = SPEC_ARG,
    output: Path = typer.Option(..., "--output", "-o", help="Picture to write: .svg or .png.", show_default=False),
    chart: Chart = typer.Option(Chart.diagram, "--chart", "-c", help="diagram, params, macs, activations, or all charts side by side."),
    dtype: str = typer.Option("float32", "--dtype", help="Bytes per value (noted on the activations chart)."),
) -> None:
    r"""Write one picture: the architecture diagram or a per-layer chart.

    The diagram as .svg needs nothing extra; charts and .png need matplotlib
    (pip install 'cnncalc\[plot]').

    Example: cnncalc plot architectures/vgg16.yaml -o vgg16.png --chart params
    """
    from .errors import ArgumentError
    from .infer import infer
    from .spec import load_spec

    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ArgumentError(f"output {output} has suffix `{output.suffix}`; use a .svg or .png file name")
    result = infer(load_spec(str(spec)), dtype=dtype)
    if chart is Chart.diagram and fmt == "svg":
        from . import diagram
        data: bytes | str = diagram.diagram_svg(result)
    elif chart is Chart.diagram:
        from . import plot as plotting
        data = plotting.diagram_png(result)
    else:
        from . import plot as plotting
        plotting.need_matplotlib()
        data = plotting.chart_bytes(result, None if chart is Chart.all else chart.value, fmt)
    _write(output, data)
    typer.echo(f"wrote {output}")


def main() -> None:
    if not sys.argv[1:]:
        app()  # no arguments: typer prints the help
        return
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        typer.echo("cnncalc: aborted", err=True)
        sys.exit(1)
    except Exception as e:  # typer vendors click: its UsageError is matched by what it offers
        if not (hasattr(e, "format_message") and getattr(e, "exit_code", None) == 2):
            raise
        typer.echo(_usage_line(e), err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
