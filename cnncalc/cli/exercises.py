"""`cnncalc exercise`: exercises for a class. A template (a spec with `vary:`) and a roster give
a variant per student with handout and key; `--drill size|padding|params` writes a numbered
problem sheet of single-layer questions and its key with the working."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from .shared import _ONE_LINE, app, emit, guarded, say


class ExerciseFormat(str, Enum):
    md = "md"
    html = "html"


@app.command(context_settings=_ONE_LINE)
@guarded
def exercise(
    template: Optional[Path] = typer.Argument(None, help="A spec with `vary:` (a template), for a variant per student (docs/exercises.md).", show_default=False),
    roster: Optional[Path] = typer.Option(None, "--roster", help="With a template: the class roster, a CSV as an LMS exports it (names in the column `student`, else `name`, else the first column).", show_default=False),
    drill: Optional[str] = typer.Option(None, "--drill", help="A single-layer drill instead of a template: size (output size for n, f, p, s), padding (p for 'same'), or params (a conv or dense layer's parameters).", show_default=False),
    count: str = typer.Option("20", "--count", help="Problems in the drill (at most 200)."),
    seed: str = typer.Option("0", "--seed", help="The draw: the same seed (and roster) gives the same files, byte for byte; another seed, others."),
    output: Optional[str] = typer.Option(None, "-o", "--output", help="Folder to write into: a drill's handout.md and key.md (default: both on stdout); a template's variants.csv and a folder per student (spec.yaml, handout.md, key.md).", show_default=False),
    fmt: ExerciseFormat = typer.Option(ExerciseFormat.md, "--format", "-F", help="With a template: md, or html to add printable handout.html and key.html."),
    exact: bool = typer.Option(False, "--exact", help="With a template: hand out only variants in which every window division is exact (no layer drops rows)."),
    share: bool = typer.Option(False, "--share", help="With a template: if there are fewer valid variants than students, let students share them (default: refused, saying how many)."),
    keep: Optional[Path] = typer.Option(None, "--keep", help="With a template: an earlier run's variants.csv; the students it lists keep their variants and folders, the others are drawn.", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace files the folder already holds."),
) -> None:
    """Exercises for a class: a variant of a template for each student with its handout and key,
    or a numbered drill sheet and its key with the working.

    A template's variants are drawn from the seed and each student's name (SHA-256): no two
    students share one while the valid ones last, and a variant in which a layer is invalid is
    never handed out. --drill size: the output size floor((n + 2p - f)/s) + 1; --drill padding:
    the p that keeps the size ('same', stride 1, odd f); --drill params: (f*f*n_c_prev + 1)*n_c
    of a convolution, n_in*units + units of a dense layer.

    Example: cnncalc exercise template.yaml --roster roster.csv --seed 7 -o hw3

    Example: cnncalc exercise --drill size --count 20 --seed 7 -o drill/
    """
    from .. import size_syntax as P
    from ..errors import ArgumentError

    if drill is None:
        if template is None:
            raise ArgumentError("give a template spec or --drill size|padding|params; e.g. cnncalc exercise "
                                "template.yaml --roster roster.csv --seed 7 -o hw3")
        return _variants(template, roster, P.one(seed, "--seed", "7", minimum=0), output, fmt, exact, share, force, keep)
    if template is not None:
        raise ArgumentError(f"--drill makes its own problems; leave out the template {template}")
    _drill(drill, count, seed, output, force)


def _variants(template, roster, seed: int, output, fmt, exact: bool, share: bool, force: bool, keep) -> None:
    """A variant of the template per student of the roster, written to the output folder."""
    from .. import api
    from ..errors import ArgumentError

    missing = [flag for flag, value in (("--roster", roster), ("-o", output)) if value is None]
    if missing:
        raise ArgumentError(f"a template needs {' and '.join(missing)}: e.g. cnncalc exercise {template} "
                            "--roster roster.csv --seed 7 -o hw3")
    made = api.exercise(template, roster, seed, exact=exact, share=share, html=fmt is ExerciseFormat.html, keep=keep)
    api.write_exercise(made, output, force)
    variants = len({tuple(v.values()) for v in made.variants})
    say(f"wrote {output}: {len(made.students)} students, {variants} different variants, "
        f"{len(made.files)} files (variants.csv lists who has which)")


def _drill(kind: str, count: str, seed: str, output, force: bool) -> None:
    """A numbered drill sheet and its key, on stdout or into the output folder."""
    from .. import api, size_syntax as P

    d = api.drill(kind.strip().lower(), P.one(count, "--count", "20"), P.one(seed, "--seed", "7", minimum=0))
    if output is None:
        emit(d.sheet() + "\n" + d.key())
        return
    from ..files import write_files
    written = write_files(output, {"handout.md": d.sheet(), "key.md": d.key()}, force=force)
    say(f"wrote {', '.join(written)}")
