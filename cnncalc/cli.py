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


def _fast_summary(argv: list[str]) -> bool:
    """Run `cnncalc summary FILE [options]` without typer's parameter parsing.

    typer 0.29 converts every parameter through a pydantic TypeAdapter, which imports pydantic
    and builds the adapters: about half of `cnncalc summary`'s start-up. This path reads the
    options from `summary`'s own signature (so new options are picked up) and calls the same
    command body; anything it does not fully understand (help, other commands, a repeated,
    missing or invalid value, an unusual type) returns False and typer handles it as usual.
    """
    if len(argv) < 2 or argv[0] != "summary":
        return False
    import inspect
    import re
    import typing
    from enum import Enum

    from typer.models import ArgumentInfo

    hints = typing.get_type_hints(summary)
    values: dict = {}
    by_flag: dict = {}
    positional: list[str] = []
    for p in inspect.signature(summary).parameters.values():
        info = p.default
        values[p.name] = getattr(info, "default", None)
        if isinstance(info, ArgumentInfo):
            positional.append(p.name)
        else:
            for flag in info.param_decls or (f"--{p.name.replace('_', '-')}",):
                by_flag[flag] = p.name

    def convert(name: str, text: str):
        kind = hints.get(name)
        if typing.get_origin(kind) is typing.Union:
            kind = next((a for a in typing.get_args(kind) if a is not type(None)), None)
        if kind is str:
            return text
        if kind is Path:
            return Path(text)
        if kind is int and re.fullmatch(r"[0-9]+", text):
            return int(text)
        if isinstance(kind, type) and issubclass(kind, Enum):
            return next((m for m in kind if m.value == text), ValueError)
        return ValueError

    seen: set = set()
    i = 1
    while i < len(argv):
        word = argv[i]
        flag, eq, text = word.partition("=")
        name = by_flag.get(flag if eq and flag.startswith("--") else word)
        if name is not None and hints.get(name) is bool:
            if eq:
                return False
            value = True
        elif name is not None and (eq or i + 1 < len(argv)):
            if not eq:
                text, i = argv[i + 1], i + 1
            value = convert(name, text)
        elif not word.startswith("-") and positional and positional[0] not in seen:
            name = positional[0]
            value = convert(name, word)
        else:
            return False
        if value is ValueError or name in seen:
            return False
        seen.add(name)
        if name in positional:
            positional.remove(name)
        values[name] = value
        i += 1
    if positional:  # a required argument is missing: typer says so
        return False
    try:
        summary(**values)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    return True


def _usage_line(error) -> str:
    """typer's boxed usage error as one line: `cnncalc: what is wrong; see cnncalc CMD --help`."""
    names, ctx = [], getattr(error, "ctx", None)
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    what = error.format_message().replace("Value error, ", "").rstrip(".")
    see = f"see `cnncalc {' '.join([*reversed(names), '--help'])}`"
    return f"cnncalc: {what} {see[0].upper() + see[1:]}" if what.endswith("?") else f"cnncalc: {what}; {see}"


def main() -> None:
    if _fast_summary(sys.argv[1:]):
        return
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
