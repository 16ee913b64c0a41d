"""Exercises for a class (`cnncalc exercise`): a variant of a template for each student, with
its handout and key; single-layer drills (drills.py).

    exercise = make("template.yaml", "roster.csv", seed=7)
    write(exercise, "out")   # out/variants.csv, out/FOLDER/{spec.yaml, handout.md, key.md}

The same template, roster and seed give the same files, byte for byte (roster.py: names and
folders; variants.py: the draw; handouts.py: the files).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..errors import ArgumentError, SpecError, read_text, visible
from ..files import write_files
from ..render.formats import defuse
from ..spec import compose, template_of
from . import handouts
from .roster import Student, read_kept, read_roster, with_folders
from .variants import Variants, assign, label


@dataclass(frozen=True)
class Exercise:
    """Who gets which variant, and every file to write (path under the output folder -> text)."""
    names: tuple[str, ...]  # the template's vary names
    students: tuple[Student, ...]
    variants: tuple[dict[str, str], ...]  # each student's choices, in roster order
    files: dict[str, str]
    inputs: tuple[str, ...] = ()


def load_template(path: str, exact: bool = False) -> Variants:
    """The template's variants, each choice checked; a plain spec is refused."""
    text = read_text(path, SpecError, "a YAML template", "a spec with `vary:`, e.g. docs/exercises.md's template.yaml")
    root = compose(text, path)
    template = template_of(root, path)
    if template is None:
        raise SpecError("is no template: it declares no `vary:`, so every student would get the same "
                        "network; add e.g. `vary: {n: [28, 32, 36]}` and use `$n`", path=path, line=1, col=1)
    return Variants(root, path, template, exact)


def make(template: str, roster: str, seed: int, *, exact: bool = False, share: bool = False,
         html: bool = False, keep: str | None = None) -> Exercise:
    """A variant per student of the roster, drawn from `seed`, and each one's files; the
    students an earlier variants.csv (`keep`) lists keep their variant and folder."""
    variants = load_template(template, exact)
    roster_students = read_roster(roster)
    kept = _kept(variants, keep, {s.key for s in roster_students}) if keep else {}
    students = with_folders(roster_students, {k: folder for k, (folder, _) in kept.items()})
    drawn = assign(variants, students, str(seed), share, {k: index for k, (_, index) in kept.items()})
    files: dict[str, str] = {}
    chosen = []
    for s in students:
        values = variants.template.variant(drawn[s.key])
        chosen.append(values)
        summary, name = variants.summary(drawn[s.key]), label(values)
        spec_text = handouts.plain_spec(summary, name)
        files[f"{s.folder}/spec.yaml"] = spec_text
        files[f"{s.folder}/handout.md"] = handouts.handout_md(summary, s.name, spec_text)
        files[f"{s.folder}/key.md"] = handouts.key_md(summary, s.name, name)
        if html:
            files[f"{s.folder}/handout.html"] = handouts.handout_html(summary, s.name, spec_text)
            files[f"{s.folder}/key.html"] = handouts.key_html(summary, s.name, name)
    names = variants.template.names
    files = {"variants.csv": table(names, students, chosen), **files}
    return Exercise(names, tuple(students), tuple(chosen), files, (template, roster, *([keep] if keep else [])))


def _kept(variants: Variants, path: str, students: set[str]) -> dict[str, tuple[str, int]]:
    """The roster's students an earlier variants.csv lists: key -> (folder, variant index),
    each variant still one of the template's and valid."""
    out = {}
    for key, (folder, values, line) in read_kept(path, variants.template.names).items():
        if key not in students:
            continue  # left the class
        try:
            index = variants.template.index(values)
        except ValueError:
            raise ArgumentError(f"{label(values)} is no variant of the template (its choices changed?); "
                                "keep only rows of this template", path=path, line=line, col=1) from None
        if any(folder == f for f, _ in out.values()):
            raise ArgumentError(f"the folder {folder} is listed twice; give each student their own",
                                path=path, line=line, col=1)
        if variants.summary(index) is None:
            raise ArgumentError(f"the variant {label(values)} is not valid ({variants.why(index)})",
                                path=path, line=line, col=1)
        out[key] = (folder, index)
    return out


def table(names, students, chosen) -> str:
    """variants.csv: student, folder, then one column per vary name."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["student", "folder", *names])
    for s, values in zip(students, chosen):
        w.writerow([defuse(visible(s.name)), s.folder, *(defuse(values[n]) for n in names)])
    return out.getvalue()


def write(exercise: Exercise, folder: str, force: bool = False) -> list[str]:
    """Write the files under `folder` (files.write_files: files already there are refused,
    all named, unless `force`). Returns the paths written."""
    return write_files(folder, exercise.files, exercise.inputs, force)
