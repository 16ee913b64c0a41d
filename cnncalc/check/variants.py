"""Grading by variant (`cnncalc check DIR --spec TEMPLATE --roster variants.csv --gradebook
g.csv`): each student's submission against their own variant of the template, as `cnncalc
exercise` handed it out (variants.csv: `student`, `folder`, then a column per varied name).

A submission is its student's when the student's name or folder is its file or folder name
(or is in it), as Moodle and Canvas name them (lms.py reads those names). A submission that
fits a classmate's variant clearly better than its student's own is flagged: that is how
copied answers show. A student with no submission is listed as missing; a submission that is
no roster student's needs attention.
"""
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass

from ..errors import ArgumentError, CnncalcError, read_text
from ..exercises.roster import clean as _clean
from .classbook import ClassReport, Graded, Student, grade_file

MAX_ROSTER_ROWS = 10_000   # students one variants.csv may list
RIVALS = 3                 # classmates' variants each submission is graded against (the closest by its numbers)
MIN_KEY = 4                # a name or folder shorter than this must equal the file's name, not be in it


@dataclass(frozen=True)
class Assigned:
    """A roster line: the student, their folder, their variant (name -> choice), its line."""
    name: str
    folder: str
    values: tuple[tuple[str, str], ...]
    line: int

    @property
    def label(self) -> str:
        """`n=28,k1=4`, as --vary takes it."""
        return ",".join(f"{n}={v}" for n, v in self.values)


def _header(header: list[str], names: tuple[str, ...], path: str) -> tuple[int, int | None, list[int]]:
    """(student column, folder column or None, the column of each varied name)."""
    words = [_clean(h).casefold() for h in header]
    if "student" not in words:
        raise ArgumentError("the roster has no `student` column; give the variants.csv `cnncalc exercise` "
                            f"wrote (columns student, folder, {', '.join(names)})", path=path, line=1, col=1)
    given = [w for w in words if w not in ("student", "folder")]
    unknown = [_clean(h) for h, w in zip(header, words) if w in given and w not in (n.casefold() for n in names)]
    if unknown:
        raise ArgumentError(f"the roster's column `{unknown[0]}` is not a name the template varies "
                            f"({', '.join(names)}); give the variants.csv of this template", path=path, line=1)
    missing = [n for n in names if n.casefold() not in words]
    if missing:
        raise ArgumentError(f"the roster has no column for `{missing[0]}`, which the template varies; give the "
                            "variants.csv `cnncalc exercise` wrote for this template", path=path, line=1)
    folder = words.index("folder") if "folder" in words else None
    return words.index("student"), folder, [words.index(n.casefold()) for n in names]


def read_variants(path: str, template) -> list[Assigned]:
    """The roster's students with their variants, each value a choice of the template; an
    empty roster, a student listed twice or a value that is no choice is one line."""
    text = read_text(path, ArgumentError, "a roster CSV", "the variants.csv `cnncalc exercise` wrote")
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    out: list[Assigned] = []
    seen: dict[str, int] = {}
    try:
        header = next(rows, None)
        if header is None:
            raise ArgumentError("the roster is empty; give the variants.csv `cnncalc exercise` wrote", path=path)
        who, folder, columns = _header(header, template.names, path)
        for row in rows:
            cell = lambda k: _clean(row[k]) if k is not None and k < len(row) else ""  # noqa: E731
            name = cell(who)
            if not name:
                continue
            if len(out) >= MAX_ROSTER_ROWS:
                raise ArgumentError(f"the roster lists more than {MAX_ROSTER_ROWS:,} students", path=path,
                                    line=rows.line_num)
            if name.casefold() in seen:
                raise ArgumentError(f"`{name}` is listed twice (lines {seen[name.casefold()]} and {rows.line_num}); "
                                    "each student has one variant", path=path, line=rows.line_num, col=1)
            values = tuple((n, cell(k)) for n, k in zip(template.names, columns))
            for (n, v), choices in zip(values, template.choices):
                if v not in choices:
                    raise ArgumentError(f"{name}: {n}={v or '(empty)'} is not a choice of the template's `{n}` "
                                        f"({', '.join(choices)})", path=path, line=rows.line_num)
            seen[name.casefold()] = rows.line_num
            out.append(Assigned(name, cell(folder), values, rows.line_num))
    except csv.Error as e:
        raise ArgumentError(f"the roster is not readable CSV: {e}", path=path, line=rows.line_num) from None
    if not out:
        raise ArgumentError("the roster lists no students (a header and no names under it)", path=path)
    return out


# ---- whose submission is it ------------------------------------------------------------------

def _norm(text: str) -> str:
    """Letters and digits only, accents and case aside: `Zoë O'Brien` and `zoe-obrien` agree."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def _keys(a: Assigned) -> set[str]:
    """What a submission's name may be for this student: the name, the folder, and Canvas'
    form (last name first, `lovelaceada`, with or without the middle names)."""
    words = a.name.replace(",", " ").split()
    last_first = ("".join(words[-1:] + words[:-1]), "".join(words[-1:] + words[:1]))
    keys = {_norm(a.name), _norm(a.folder), *map(_norm, last_first)}
    return {k for k in keys if k}


def owner(name: str, roster: list[Assigned], keys: list[set[str]]) -> tuple[int | None, str]:
    """(the roster index whose student `name` is, or None with why): an equal name or folder
    first, else the longest one inside `name`; two students equally likely is no match."""
    got = _norm(name)
    equal = [i for i, k in enumerate(keys) if got in k]
    if len(equal) == 1:
        return equal[0], ""
    inside = [(max(len(k) for k in ks if k in got), i) for i, ks in enumerate(keys)
              if any(len(k) >= MIN_KEY and k in got for k in ks)] if not equal else []
    best = [i for n, i in inside if n == max(inside)[0]] if inside else equal
    if len(best) == 1:
        return best[0], ""
    if best:
        names = ", ".join(roster[i].name for i in best[:3])
        return None, f"its name fits several students ({names}); rename it after one"
    return None, "matches no student of the roster (by name or folder); rename it after its student's folder"


# ---- a classmate's variant that fits better -----------------------------------------------------

_NUMBER = re.compile(r"\d[\d,]*")


def _numbers(cells) -> set[int]:
    return {int(m.group().replace(",", "")) for c in cells for m in _NUMBER.finditer(c) if m.group().replace(",", "")}


def _fingerprint(summary) -> set[int]:
    """The numbers of a variant's filled course table."""
    from ..render.formats import course_rows
    return _numbers(cell for row in course_rows(summary, False) for cell in row[1:])


def _misses(report) -> int:
    """Cells wrong or left empty, and rows that match no layer."""
    return len(report.wrong) + len(report.unanswered) + len(report.unmatched)


def better_variant(path: str, own: str, roster: list[Assigned], summaries: dict, prints: dict,
                   strict: bool) -> str:
    """'fits the variant of NAME (...)' when the table in `path` scores higher against a
    classmate's variant than against `own` and is either all right there or misses at least 2
    cells fewer. Only the RIVALS variants whose numbers the table shares most are graded."""
    from .grade import check_table
    from .read import read_answers
    try:
        table = read_answers(path)
        mine = check_table(table, summaries[own], strict)
    except CnncalcError:
        return ""
    given = _numbers(v for row in table.rows for v in row.cells.values())
    if not given or mine.ok:
        return ""
    rivals = sorted((label for label in summaries if label != own),
                    key=lambda label: (-len(given & prints[label]), label))[:RIVALS]
    best, best_report = None, mine
    for label in rivals:
        try:
            other = check_table(table, summaries[label], strict)
        except CnncalcError:
            continue
        if other.score > best_report.score and (other.ok or _misses(other) + 2 <= _misses(mine)):
            best, best_report = label, other
    if best is None:
        return ""
    names = [a.name for a in roster if a.label == best]
    who = names[0] + (f" (and {len(names) - 1} more with it)" if len(names) > 1 else "")
    return (f"fits the variant of {who} ({best}): {best_report.score:g}% against it, "
            f"{mine.score:g}% against their own ({own})")


# ---- the class ---------------------------------------------------------------------------------

def grade_by_variant(folder: str, template_text: str, template_path: str, roster_path: str,
                     strict: bool = False, feedback: bool = False) -> ClassReport:
    """Every roster student graded against their own variant (lms.collect finds the
    submissions); the missing, the unmatched and the better fits flagged."""
    from ..infer import infer
    from ..spec import compose, parse_root, parse_spec
    from .lms import collect
    base = parse_spec(template_text, template_path)  # every choice checked once, here
    if base.template is None:
        raise ArgumentError(f"--roster grades each student against their variant of a template, but "
                            f"{template_path} declares no `vary:`; leave --roster out", path=template_path)
    roster = read_variants(roster_path, base.template)
    root, summaries = compose(template_text, template_path), {}
    for a in roster:
        if a.label not in summaries:
            summaries[a.label] = infer(parse_root(root, template_path, dict(a.values)))
    prints = {label: _fingerprint(s) for label, s in summaries.items()}
    subs, skipped = collect(folder)
    keys = [_keys(a) for a in roster]
    files: dict[int, list[str]] = {}
    strays = []
    for sub in subs:
        i, why = owner(sub.student, roster, keys)
        if i is None:
            strays.append(Student(sub.student, tuple(Graded(os.path.basename(p), unreadable="not graded")
                                                     for p in sub.files), flag=why))
        else:
            files.setdefault(i, []).extend(sub.files)
    students = []
    for i, a in enumerate(roster):
        paths = files.get(i, [])
        graded = tuple(grade_file(p, summaries[a.label], strict, feedback) for p in paths)
        student = Student(a.name, graded, variant=a.label)
        best = student.graded
        if best is not None:
            path = paths[graded.index(best)]
            flag = better_variant(path, a.label, [r for r in roster if r is not a], summaries, prints, strict)
            student = Student(a.name, graded, variant=a.label, flag=flag)
        students.append(student)
    return ClassReport(base.name, tuple(students + strays), tuple(skipped))
