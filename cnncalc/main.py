"""The `cnncalc` command's entry point.

`cnncalc summary FILE`, the main job with no options, and `cnncalc summary FILE --format json`
(`-F json`), what scripts and benchmarks run, are answered here without importing typer (a third
of that run's time); every other command line, and anything this path cannot finish itself,
goes to the typer app in cnncalc.cli. tests/cli/test_fast_path.py holds the two to the same
output, errors and exit statuses.
"""
from __future__ import annotations

import sys


def main() -> None:
    argv = sys.argv[1:]
    json = tuple(argv[2:]) in _JSON
    if len(argv) >= 2 and argv[0] == "summary" and argv[1] and not argv[1].startswith("-") and (len(argv) == 2 or json):
        code = summary(argv[1], "json" if json else "table")
        if code is not None:
            sys.exit(code)
    from .cli import main as cli_main
    cli_main()


_JSON = {("--format", "json"), ("-F", "json"), ("--format=json",)}  # the spellings of --format json


def summary(path: str, fmt: str = "table") -> int | None:
    """`cnncalc summary PATH`'s table (or JSON document) on stdout, or its one-line error on
    stderr; the exit status, or None to leave the run to the full CLI (rich's layout, a bug to
    report)."""
    import warnings
    from pathlib import Path

    from . import api
    from .errors import CnncalcError
    from .render import table
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = api.load(str(Path(path)))  # as typer's Path argument reads it
            s = api.summarize(spec)
            if fmt == "json":
                from .errors import terminal
                from .render.json_doc import iter_json
                pieces = map(terminal, iter_json(s.result, s.metrics))  # as cli/shared.emit prints it
            else:
                pieces = table.terminal_table(s.result, table.DEFAULT_COLUMNS, s.metrics, None)
    except CnncalcError as e:
        sys.stderr.write(e.one_line() + "\n")
        return e.exit_code
    except KeyboardInterrupt:  # as the full CLI says it
        sys.stderr.write("cnncalc: interrupted\n")
        return 130
    except Exception:  # RecursionError, a bug: the full CLI runs it again and says so
        return None
    if pieces is None:
        return None
    try:
        for piece in pieces:
            sys.stdout.write(piece)
        sys.stdout.flush()
    except BrokenPipeError:
        from .errors import reader_gone
        return reader_gone()
    except Exception as e:  # a bug while the JSON streams: what cli/shared.guarded says of one
        from .errors import visible
        sys.stderr.write(visible(f"cnncalc: internal error ({type(e).__name__}: {e}); please report it "
                                 "with the command and spec that caused it") + "\n")
        return 3
    if spec.template is not None:  # as cli/shared.load says it
        from .errors import visible
        sys.stderr.write(visible(spec.template.note()) + "\n")
    return 0
