"""`cnncalc exercise`: exercises for a class. `--drill size|padding|params` writes a numbered
problem sheet of single-layer questions and its key with the working."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .shared import _ONE_LINE, app, emit, guarded, say


@app.command(context_settings=_ONE_LINE)
@guarded
def exercise(
    template: Optional[Path] = typer.Argument(None, help="A spec with `vary:` (a template), for a variant per student.", show_default=False),
    drill: Optional[str] = typer.Option(None, "--drill", help="A single-layer drill instead of a template: size (output size for n, f, p, s), padding (p for 'same'), or params (a conv or dense layer's parameters).", show_default=False),
    count: str = typer.Option("20", "--count", help="Problems in the drill (at most 200)."),
    seed: str = typer.Option("0", "--seed", help="The draw: the same seed gives the same problems, byte for byte."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Folder to write handout.md (the problems) and key.md (answers with working) into; default: both on stdout.", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace files the folder already holds."),
) -> None:
    """Exercises for a class: a numbered drill sheet and its key with the working.

    --drill size: the output size floor((n + 2p - f)/s) + 1; --drill padding: the p that keeps
    the size ('same', stride 1, odd f); --drill params: (f*f*n_c_prev + 1)*n_c of a convolution,
    n_in*units + units of a dense layer. Every problem is valid and the drill has no repeats.

    Example: cnncalc exercise --drill size --count 20 --seed 7 -o drill/
    """
    from .. import size_syntax as P
    from ..errors import ArgumentError
    from ..exercises.drills import MAX_COUNT, drill as make_drill

    if drill is None:
        if template is None:
            raise ArgumentError("give a template spec or --drill size|padding|params; "
                                "e.g. cnncalc exercise --drill size --count 20 --seed 7")
        raise ArgumentError(f"{template}: variants from a template are not available in this version; "
                            "use --drill size|padding|params")
    if template is not None:
        raise ArgumentError(f"--drill makes its own problems; leave out the template {template}")
    n = P.one(count, "--count", "20")
    if n > MAX_COUNT:  # before any draw
        raise ArgumentError(f"--count {n} is more than the {MAX_COUNT} problems one drill holds; e.g. --count 20")
    d = make_drill(drill.strip().lower(), n, P.one(seed, "--seed", "7", minimum=0))
    if output is None:
        emit(d.sheet() + "\n" + d.key())
        return
    from ..files import write_files
    written = write_files(output, {"handout.md": d.sheet(), "key.md": d.key()}, force=force)
    say(f"wrote {', '.join(written)}")
