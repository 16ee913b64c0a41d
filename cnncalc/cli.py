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
    spec: Path = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False),
    fmt: Format = typer.Option(Format.table, "--format", "-F", help="table, json, csv or markdown."),
    dtype: str = typer.Option("float32", "--dtype", help="Bytes per value for memory: float32, float16, bfloat16, float64, int8."),
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
    columns: Optional[str] = typer.Option(
        None, "--columns", show_default=False,
        help="Comma-separated columns (table, csv, markdown), like torchinfo's col_names: index, name, "
             "kind, hyper, output_shape, activation_size, params, macs, flops, rf, rf_jump, rf_start, "
             "param_bytes, activation_bytes, training_bytes, params_share, macs_share; 'all'; "
             "'+macs_share' adds to the default set (#, name, kind, hyper, output shape, params, MACs, RF); "
             "'course': the notes' three-column table (Layer, Activation shape, Activation size, "
             "# parameters), as markdown (or csv with --format csv)."),
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

    Course table: cnncalc summary architectures/lenet_homework.yaml --format markdown --columns course (add --blank for a worksheet)
    """
    from . import metrics as M
    from . import render
    from .infer import infer
    from .spec import load_spec

    course = columns is not None and columns.strip().lower() == "course"
    cols = render.DEFAULT_COLUMNS if columns is None or course else render.parse_columns(columns)
    n = M.parse_batch(batch)
    M.compute_options(n, optimizer, flops_convention)  # bad option values fail before the spec is read
    result = infer(load_spec(str(spec)), dtype=dtype)
    if blank or course:
        if fmt is Format.json or (blank and columns is not None and not course):
            raise ArgumentError("--blank and --columns course print the course table (Layer, Activation shape, "
                                "Activation size, # parameters); use --format markdown or csv, without other --columns")
        emit(render.to_course_csv(result, blank) if fmt is Format.csv else render.to_course_markdown(result, blank))
        return
    ms = M.compute(result, batch=n, optimizer=optimizer, flops_convention=flops_convention)
    if fmt is Format.table:
        from rich.console import Console
        Console(width=width).print(render.table(result, cols, ms))
    else:
        emit(render.render(result, fmt.value, cols, metrics=ms))


class AnswersFormat(str, Enum):
    md = "md"
    csv = "csv"
    tsv = "tsv"
    yaml = "yaml"


class CheckFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
@guarded
def check(
    answers: str = typer.Argument(..., help="The student's table: Markdown, CSV, TSV or YAML (`-` for stdin).", show_default=False),
    spec: Path = typer.Option(..., "--spec", "-s", help="YAML spec of the network the table is about.", show_default=False),
    fmt: CheckFormat = typer.Option(CheckFormat.table, "--format", "-F", help="table (for people) or json (one entry per cell)."),
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
    emit(report_json(report) if fmt is CheckFormat.json else report_text(report))
    if not report.ok:
        raise typer.Exit(1)


class ExecFormat(str, Enum):
    table = "table"
    json = "json"


@app.command()
@guarded
def verify(
    spec: Path = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False),
    batch: int = typer.Option(1, "--batch", "-b", help="Batch size of the random input."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random weights and input."),
    fmt: ExecFormat = typer.Option(ExecFormat.table, "--format", "-F", help="table or json."),
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
) -> None:
    """Run the network in NumPy with random weights of the inferred shapes and compare, per
    layer, the inferred and executed output shapes and the weight counts. Exit 1 on any
    disagreement.

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
    if fmt is ExecFormat.json:
        emit(json.dumps({"name": loaded.name, "input": list(loaded.input), "batch": batch, "seed": seed,
                         "layers": rows, "agree": not bad, "disagreements": len(bad),
                         "seconds": round(result.seconds, 4)}, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        from .layers import fmt_shape
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
        console.print(f"{verdict}; {result.seconds:.2f} s", markup=False)
    if bad:
        raise typer.Exit(1)


def _emit_grid(result, fmt: "ExecFormat") -> None:
    import json

    from . import grids
    if fmt is ExecFormat.json:
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
    fmt: ExecFormat = typer.Option(ExecFormat.table, "--format", "-F", help="table or json."),
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
    fmt: ExecFormat = typer.Option(ExecFormat.table, "--format", "-F", help="table or json."),
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
    fmt: ExecFormat = typer.Option(ExecFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """The convolution weight matrix (Toeplitz form) of a 1-D kernel: rows = floor((n - f)/s) + 1,
    n columns; checks that matrix @ x equals the sliding computation.

    Example: cnncalc conv-matrix -n 8 -f 3 -s 2
    """
    import json

    from . import grids
    ker = grids.parse_matrix(kernel, "--kernel") if kernel is not None else None
    sig = grids.parse_matrix(signal, "--signal") if signal is not None else None
    d = grids.conv_matrix(n, f, stride, ker, sig)
    emit(json.dumps(d, indent=2) + "\n" if fmt is ExecFormat.json else grids.matrix_text(d))
    if not d["equal"]:
        raise typer.Exit(1)


def main() -> None:
    app()
