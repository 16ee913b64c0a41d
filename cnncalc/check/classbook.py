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

    @property
    def score(self) -> float | None:
        """The score as a fraction (the report's definition), None when unreadable."""
        return None if self.percent is None else self.percent / 100


@dataclass(frozen=True)
class ClassReport:
    spec: str
    students: tuple[Graded, ...]

    def common(self, limit: int = 10) -> list[tuple[tuple[str, str, str], int]]:
        """The mistakes most students made, most common first (each student counted once)."""
        counts = Counter(m for g in self.students for m in set(g.mistakes))
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

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


def grade_file(path: str, summary: Summary, strict: bool = False) -> Graded:
    """Grade one submission; any error reading it becomes its `unreadable` reason."""
    from .grade import check_table
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
    return Graded(name, sum(v.state == "right" for v in asked), len(asked),
                  sum(v.state == "wrong" or strict and v.state == "carried" for v in asked),
                  0 if strict else sum(v.state == "carried" for v in asked), len(report.unanswered),
                  mistakes=mistakes, percent=report.score)


_SUMMARY: Summary | None = None


def _init(summary: Summary) -> None:
    global _SUMMARY
    _SUMMARY = summary


def _grade_many(job: tuple[list[str], bool]) -> list[Graded]:
    paths, strict = job
    return [grade_file(p, _SUMMARY, strict) for p in paths]


def submissions(folder: str) -> list[str]:
    """Every visible entry in `folder` but its subfolders, sorted by name: a symbolic link out of
    the folder, a FIFO or a device is listed, and grade_file says why it is not graded."""
    try:
        names = sorted(n for n in os.listdir(folder) if not n.startswith("."))
    except OSError as e:
        raise CnncalcError(f"cannot list {folder}: {e.strerror}; give a folder of submissions") from None
    return [os.path.join(folder, n) for n in names if not os.path.isdir(os.path.join(folder, n))]


def grade_folder(folder: str, summary: Summary, strict: bool = False, workers: int | None = None) -> ClassReport:
    """Grade every submission in `folder`; `workers` processes (default: the CPUs, at most 8;
    1 grades in this process)."""
    paths = submissions(folder)
    if workers is None:
        workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < 50:
        return ClassReport(summary.spec.name, tuple(grade_file(p, summary, strict) for p in paths))
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    ctx = multiprocessing.get_context(method)
    size = max(1, len(paths) // (workers * 4))
    jobs = [(paths[i:i + size], strict) for i in range(0, len(paths), size)]
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init, initargs=(summary,)) as pool:
        done = [g for batch in pool.map(_grade_many, jobs) for g in batch]
    return ClassReport(summary.spec.name, tuple(done))
