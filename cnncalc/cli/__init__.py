"""The `cnncalc` command: parse arguments, call the library, render, map errors to exit codes
(cli/shared.py). Each command module registers its commands on the shared typer app."""
from __future__ import annotations

import sys

import typer

from . import network, working, grids, imports, gradients, exercises  # noqa: F401 (registered on `app` in this order)
from .shared import GLOSSARY, OLD_SPELLINGS, SHORT_LONG, _usage_line, app  # noqa: F401
from ..errors import visible


def _only(name: str):
    """The commands typer needs to build for `cnncalc NAME ...`: typer turns every registered
    command into a click command on each call (about 10 ms for all of them), so a run of one
    command registers that one alone. An unknown name keeps them all, for click's suggestions."""
    commands = [c for c in app.registered_commands
                if (c.name or c.callback.__name__.replace("_", "-")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    return (commands, groups) if commands or groups else (app.registered_commands, app.registered_groups)


def main() -> None:
    if not sys.argv[1:]:
        app()  # no arguments: typer prints the help
        return
    saved = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = _only(sys.argv[1])
    try:
        code = app(standalone_mode=False)
    except (KeyboardInterrupt, typer.Abort):  # click turns Ctrl-C into Abort
        typer.echo("cnncalc: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # typer vendors click: its UsageError is matched by what it offers
        if not (hasattr(e, "format_message") and getattr(e, "exit_code", None) == 2):
            typer.echo(visible(f"cnncalc: internal error ({type(e).__name__}: {e}); please report it"), err=True)
            sys.exit(3)
        typer.echo(visible(_usage_line(e)), err=True)
        sys.exit(2)
    finally:
        app.registered_commands, app.registered_groups = saved
    sys.exit(code if isinstance(code, int) else 0)
