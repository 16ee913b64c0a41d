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
