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

from .errors import CnncalcError

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
) -> None:
    """Per-layer output shape, activation size and parameters, with totals.

    Example: cnncalc summary architectures/vgg16.yaml --format json
    """
    from . import render
    from .infer import infer
    from .spec import load_spec

    result = infer(load_spec(str(spec)), dtype=dtype)
    if fmt is Format.table:
        from rich.console import Console
        Console(width=width).print(render.table(result))
    else:
        emit(render.render(result, fmt.value))


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
    spec: Path = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="HTML file to write (default: the spec's name with .html, here)."),
    dtype: str = typer.Option("float32", "--dtype", help="Bytes per value for memory: float32, float16, bfloat16, float64, int8."),
    charts: bool = typer.Option(True, "--charts/--no-charts", help="Include the matplotlib charts (needs cnncalc[plot])."),
) -> None:
    """One self-contained HTML report: diagram, per-layer charts, table, totals and the spec.

    Without matplotlib the report has the diagram, table, totals and spec, and says what to
    install for the charts (pip install 'cnncalc[plot]').

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
    spec: Path = typer.Argument(..., help="YAML spec file, e.g. architectures/vgg16.yaml", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="Picture to write: .svg or .png.", show_default=False),
    chart: Chart = typer.Option(Chart.diagram, "--chart", "-c", help="diagram, params, macs, activations, or all charts side by side."),
    dtype: str = typer.Option("float32", "--dtype", help="Bytes per value (noted on the activations chart)."),
) -> None:
    """Write one picture: the architecture diagram or a per-layer chart.

    The diagram as .svg needs nothing extra; charts and .png need matplotlib
    (pip install 'cnncalc[plot]').

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
    app()
