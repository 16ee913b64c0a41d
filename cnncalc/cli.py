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


class Framework(str, Enum):
    pytorch = "pytorch"
    keras = "keras"


@app.command()
@guarded
def export(
    spec: Path = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False),
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


def main() -> None:
    app()
