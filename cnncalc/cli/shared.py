"""What the `cnncalc` commands share: the typer app they register on, its options and formats,
and the mapping of errors to one line and an exit status.

Exit status: 0 success, 1 a well-formed "no" (no solution, a wrong answer, a disagreement),
2 bad input (spec, file or argument), 3 an internal error (a bug: please report it), 141 the
output's reader went away (`| head`), as a shell reports SIGPIPE.
"""
from __future__ import annotations

import sys
from enum import Enum

import typer
import typer.core

from ..errors import CnncalcError, terminal, visible

# Old short spellings kept where the command has no other use for them: each short flag
# declared means one thing everywhere (tests/cli/test_grammar.py), these are rewritten first.
OLD_SPELLINGS: dict[str, dict[str, str]] = {
    "check": {"-s": "--spec"}, "conv": {"-k": "--kernel"}, "conv-matrix": {"-k": "--kernel"},
    "solve padding": {"-o": "--out"}, "solve kernel": {"-o": "--out"}, "solve stride": {"-o": "--out"}}

# What each short flag means, the same in every command (the end of `cnncalc --help`).
GLOSSARY = {
    "-n": ("--input", "input size: 6, 6x6, 32x32x3"),
    "-i": ("--input", "input shape; conv/pool: --image"),
    "-f": ("--kernel", "kernel or window (conv: the values)"),
    "-s": ("--stride", "stride s"),
    "-p": ("--padding", "padding p, before,after, same/valid"),
    "-d": ("--dilation", "dilation d"),
    "-k": ("--filters", "number of filters"),
    "-g": ("--groups", "groups g"),
    "-u": ("--units", "units of a dense layer"),
    "-x": ("--signal", "conv-matrix's input values"),
    "-b": ("--batch", "batch size"),
    "-t": ("--to", "export to pytorch or keras"),
    "-c": ("--chart", "the chart of plot"),
    "-o": ("--output", "output file (solve: --out)"),
    "-F": ("--format", "table, json, csv, markdown"),
    "-v": ("--verbose", "every explanation (check)"),
}
SHORT_LONG = {"-i": ("--input", "--image")}  # one meaning, two long names


def glossary_text() -> str:
    """Two flags a line, each meaning the same in every command."""
    cells = [f"{short} {what}" for short, (_, what) in GLOSSARY.items()]
    rows = [f"{a:<38} {b}".rstrip() for a, b in zip(cells[::2], cells[1::2] + [""])]
    return "Flags (the same meaning in every command):\n\n" + "\n\n".join(rows)


class _Group(typer.core.TyperGroup):
    """Rewrites a command's old short spellings (OLD_SPELLINGS) before click parses them."""

    def resolve_command(self, ctx, args):
        name, cmd, rest = super().resolve_command(ctx, args)
        old = OLD_SPELLINGS.get(name if ctx.parent is None else f"{ctx.info_name} {name}", {})
        if old:
            rest = [old.get(a, a) for a in rest]
        return name, cmd, rest


SizeGroup = _Group


class KindGroup(_Group):
    """`cnncalc layer WORD ...`: a word that is not one of its commands is a kind of the
    registry, run by the generic `layer kind WORD` command (relu, softmax, batchnorm, ...)."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["kind", *args]
        return super().resolve_command(ctx, args)

app = typer.Typer(epilog="GLOSSARY",
    name="cnncalc", add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, cls=_Group,
    help="Exact shapes, parameters and compute of convolutional networks from a short YAML spec.",
)


def _version(value: bool) -> None:
    if value:
        from ..version import __version__
        typer.echo(f"cnncalc {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print cnncalc's version and exit.")) -> None:
    """Exact shapes, parameters and compute of convolutional networks from a short YAML spec."""


# Options several commands share, declared once.
SPEC_ARG = typer.Argument(..., help="YAML spec file (e.g. architectures/vgg16.yaml), or a model file: PyTorch or Keras source .py, .keras, Keras .json, .onnx.", show_default=False)
INPUT_OPT = typer.Option(None, "--input", help="Override the input shape, channels last: 32x32x3 (HxWxC), 100x1 (LxC); the spatial sizes alone (32x32) keep the channels.", show_default=False)
CLASS_OPT = typer.Option(None, "--class", help="The model to read from a Python file: a class or a module-level model (default: the file's only model; with several, refused).", show_default=False)
VARY_OPT = typer.Option(None, "--vary", help="A template's variant: name=choice pairs, e.g. n=32,k1=8 (default: the first choice of each `vary:` name).", show_default=False)
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
    typer.echo(error.one_line(), err=True)
    raise typer.Exit(error.exit_code)


def guarded(fn):
    """Run a command body: library errors become one line and exit 2, bugs one line and exit 3."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        import warnings
        NOTES.clear()
        try:
            with warnings.catch_warnings():  # numpy's and matplotlib's never reach the terminal
                warnings.simplefilter("ignore")
                result = fn(*args, **kwargs)
            for note in NOTES:  # after the output, and only when the command succeeded
                say(note)
            return result
        except CnncalcError as e:
            fail(e)
        except typer.Exit as e:
            if getattr(e, "exit_code", 0) in (0, 1):  # a well-formed "no" has its output too
                for note in NOTES:
                    say(note)
            raise
        except (typer.Abort, KeyboardInterrupt):
            raise
        except BrokenPipeError:
            from ..errors import reader_gone
            raise typer.Exit(reader_gone())
        except RecursionError:
            from pathlib import Path
            files = [str(v) for v in (*args, *kwargs.values()) if isinstance(v, Path)]
            where = f"{files[0]}: " if files else "cnncalc: "
            typer.echo(visible(f"{where}the input nests deeper than Python's recursion limit allows; write it "
                               "with less nesting"), err=True)
            raise typer.Exit(2)
        except Exception as e:  # a bug; still one line, never a traceback
            typer.echo(visible(f"cnncalc: internal error ({type(e).__name__}: {e}); please report it "
                               "with the command and spec that caused it"), err=True)
            raise typer.Exit(3)
    return wrapper


NOTES: list[str] = []  # what a command says on stderr once it has succeeded


def load(path, input_shape: str | None, class_name: str | None, vary: str | None = None):
    """The spec a command works on: a YAML spec or a model file, with --input, --class and
    --vary (a template says so on stderr when the command is done: how many variants, which
    one this is)."""
    from .. import api
    spec = api.load(str(path), input=input_shape, class_name=class_name, vary=vary)
    if spec.template is not None:
        NOTES.append(spec.template.note())
    return spec


def emit(text: str, styled: bool = False) -> None:
    """Print on stdout through the one terminal escaper (errors.terminal): no name, label or
    file name from the input reaches the terminal as an escape sequence, a bidi control or a
    line separator. `styled`: the summary table's own ANSI styles, its cells escaped already."""
    sys.stdout.write(text if styled else terminal(text))


def fitted(text: str, width: int | None = None) -> str:
    """Working text with every line at most the terminal's width (COLUMNS), wrapped at operators."""
    from ..render.fit import fit
    return fit(text, width)


def say(text: str) -> None:
    """One line on stderr (wrote ..., a note), through the same escaper."""
    typer.echo(visible(text), err=True)


# ---- solvers and "show your work" (issue 3) -------------------------------------------------


_FMT_HELP = "table (the working, as text) or json."
_ONE_LINE = {"ignore_unknown_options": True}  # `-5` reaches our own check, not click's usage box


def _show(fmt: "TextFormat", data, text: str, ok: bool = True) -> None:
    """Print the answer; a well-formed "no" (no solution) exits 1."""
    from ..render.solutions import to_json
    emit(to_json(data) if fmt is TextFormat.json else fitted(text))
    if not ok:
        raise typer.Exit(1)


def _usage_line(error) -> str:
    """typer's boxed usage error as one line: `cnncalc: what is wrong; see cnncalc CMD --help`."""
    names, ctx = [], getattr(error, "ctx", None)
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    # a group run with no command (`cnncalc layer`) has printed its help, and click's message is empty
    what = error.format_message().replace("Value error, ", "").rstrip(".") or "Missing command"
    see = f"see `cnncalc {' '.join([*reversed(names), '--help'])}`"
    return f"cnncalc: {what} {see[0].upper() + see[1:]}" if what.endswith("?") else f"cnncalc: {what}; {see}"


app.info.epilog = glossary_text()
