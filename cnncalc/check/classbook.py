"""A whole class: every submission in a folder graded (in worker processes), a gradebook CSV
and the class summary (the most common mistakes and how many students made each)."""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..errors import CnncalcError
from ..files import inside
from ..infer import Summary
from .read import read_answers


@dataclass(frozen=True)
class Graded:
    """One submission: its counts, or why it could not be read; its mistakes as
    (row label, column, diagnosis) for the class summary."""
    file: str
    right: int = 0
    asked: int = 0
    wrong: int = 0
    carried: int = 0
    unanswered: int = 0
    unreadable: str = ""
    mistakes: tuple[tuple[str, str, str], ...] = ()
    percent: float | None = None       # the report's score; None when unreadable
    note: str = ""                     # e.g. the table fits another network better
    unmatched: int = 0                 # rows that match no layer: the table was read in part
    feedback: str = ""                 # the Markdown sent back (when asked for)

    @property
    def score(self) -> float | None:
        """The score as a fraction (the report's definition), None when unreadable."""
        return None if self.percent is None else self.percent / 100


@dataclass(frozen=True)
class Student:
    """One student's row: their files graded; the best-scoring readable one counts. Graded by
    variant (check/variants.py): the student's `variant`, and a `flag` when the row needs a
    look (a classmate's variant fits better; no roster student matches the files)."""
    name: str
    files: tuple[Graded, ...]
    variant: str = ""
    flag: str = ""

    @property
    def graded(self) -> Graded | None:
        readable = [g for g in self.files if not g.unreadable]
        return max(readable, key=lambda g: g.percent or 0) if readable else None

    @property
    def status(self) -> str:
        """`graded`, `unreadable: why` or `needs attention: why`."""
        best = self.graded
        if best is None and self.flag:
            return f"needs attention: {self.flag}"
        if not self.files and self.variant:
            return "missing: no submission is this student's (by name or folder)"
        if best is None:
            why = self.files[0].unreadable if self.files else "no file handed in"
            return f"unreadable: {why}"
        whys = []
        if len(self.files) > 1:
            whys.append(f"several candidate files ({', '.join(g.file for g in self.files)}); "
                        f"the best, {best.file}, is graded")
        if best.unmatched:
            whys.append(f"half read: {best.unmatched} row{'s' if best.unmatched != 1 else ''} "
                        "match no layer")
        if best.note:
            whys.append(f"another network: {best.note}")
        if self.flag:
            whys.append(self.flag)
        return "needs attention: " + "; ".join(whys) if whys else "graded"


def mistake_type(diagnosis: str) -> str:
    """The kind of a mistake, across layers: the diagnosis up to its first colon."""
    if not diagnosis or diagnosis.startswith("no known mistake"):
        return "no known mistake gives the value"
    return diagnosis.split(":")[0].strip()


@dataclass(frozen=True)
class ClassReport:
    spec: str
    students: tuple[Student, ...]
    skipped: tuple[tuple[str, str], ...] = ()     # (name, why): lock and hidden files

    @property
    def graded(self) -> tuple[Graded, ...]:
        return tuple(s.graded for s in self.students if s.graded is not None)

    @property
    def mean(self) -> float | None:
        """The graded students' mean score (percent, one decimal), None if none was graded."""
        graded = self.graded
        return round(sum(g.percent or 0 for g in graded) / len(graded), 1) if graded else None

    def common(self, limit: int = 10) -> list[tuple[tuple[str, str, str], int]]:
        """The mistakes most students made, most common first (each student counted once)."""
        counts = Counter(m for g in self.graded for m in set(g.mistakes))
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def by_type(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """(mistake type, students who made it, the layers it was made on), most students first."""
        students: dict[str, set[int]] = {}
        layers: dict[str, set[str]] = {}
        for i, g in enumerate(self.graded):
            for layer, _, why in g.mistakes:
                students.setdefault(mistake_type(why), set()).add(i)
                layers.setdefault(mistake_type(why), set()).add(layer)
        return sorted(((t, len(n), tuple(sorted(layers[t]))) for t, n in students.items()),
                      key=lambda x: (-x[1], x[0]))

    @property
    def attention(self) -> tuple[Student, ...]:
        """Students whose row is not simply `graded`: unreadable or needing a look."""
        return tuple(s for s in self.students if s.status != "graded")

    def to_dict(self) -> dict[str, Any]:
        """Submissions, unreadable files and the common mistakes (`check DIR --format json`)."""
        from ..render.check import class_dict
        return class_dict(self)

    def text(self, width: int = 80) -> str:
        """The class summary for people: counts, unreadable files, the most common mistakes."""
        from ..render.check import class_text
        return class_text(self, width)

    def to_csv(self) -> str:
        """The gradebook: one row per submission, text cells defused against spreadsheet formulas."""
        from ..render.check import gradebook_csv
        return gradebook_csv(self)


def grade_file(path: str, summary: Summary, strict: bool = False, feedback: bool = False) -> Graded:
    """Grade one submission; any error reading it becomes its `unreadable` reason. A low score
    is checked against the zoo (the note); `feedback` keeps the Markdown to send back."""
    from .grade import check_table
    from .other_networks import better_fit
    name = os.path.basename(path)
    if os.path.islink(path) and not inside(path, os.path.dirname(path)):
        return Graded(name, unreadable=f"a symbolic link to {os.path.realpath(path)}, outside the class folder; "
                                       "not graded (copy the file in if it is this student's)")
    try:
        report = check_table(read_answers(path), summary, strict)
    except CnncalcError as e:
        return Graded(name, unreadable=" ".join(str(e).split()))
    except (OSError, UnicodeError, ValueError, RecursionError) as e:  # never stop the class
        return Graded(name, unreadable=f"{type(e).__name__}: {e}")
    except Exception as e:  # a bug on one file: recorded (please report it), the class goes on
        return Graded(name, unreadable=f"internal error ({type(e).__name__}: {e}); please report it")
    asked = report.asked
    wrong = report.wrong
    mistakes = tuple((v.layer, v.column, v.diagnosis or "") for v in wrong)
    note = better_fit(report) if report.score < 50 else ""
    if feedback:
        from dataclasses import replace
        text = replace(report, note=note).feedback()
    return Graded(name, sum(v.state == "right" for v in asked), len(asked),
                  sum(v.state == "wrong" or strict and v.state == "carried" for v in asked),
                  0 if strict else sum(v.state == "carried" for v in asked), len(report.unanswered),
                  mistakes=mistakes, percent=report.score, note=note, unmatched=len(report.unmatched),
                  feedback=text if feedback else "")


_SUMMARY: Summary | None = None


def _init(summary: Summary) -> None:
    global _SUMMARY
    _SUMMARY = summary


def _grade_many(job: tuple[list[str], bool, bool]) -> list[Graded]:
    paths, strict, feedback = job
    return [grade_file(p, _SUMMARY, strict, feedback) for p in paths]


def grade_folder(folder: str, summary: Summary, strict: bool = False, workers: int | None = None,
                 feedback: bool = False) -> ClassReport:
    """Grade every student of `folder` (lms.collect: Moodle folders, Canvas prefixes, plain
    files); `workers` processes (default: the CPUs, at most 8; 1 grades in this process)."""
    from .lms import collect
    subs, skipped = collect(folder)
    paths = [p for s in subs for p in s.files]
    if workers is None:
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < 50:
        done = [grade_file(p, summary, strict, feedback) for p in paths]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        ctx = multiprocessing.get_context(method)
        size = max(1, len(paths) // (workers * 4))
        jobs = [(paths[i:i + size], strict, feedback) for i in range(0, len(paths), size)]
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(summary,)) as pool:
            done = [g for batch in pool.map(_grade_many, jobs) for g in batch]
    it = iter(done)
    students = tuple(Student(s.student, tuple(next(it) for _ in s.files)) for s in subs)
    return ClassReport(summary.spec.name, students, tuple(skipped))
