"""What goes back to a student: the Markdown feedback of one graded table (`check DIR
--feedback DIR`), and Gradescope's autograder results.json (`check FILE --format gradescope`).
Formatting only."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..check.columns import COLUMN_TITLES
from ..shapes import fmt_shape
from .check import score_line
from .table import num

if TYPE_CHECKING:
    from ..check.grade import Report, Verdict


def _want(v: Verdict) -> str:
    return fmt_shape(v.expected) if isinstance(v.expected, tuple) else num(v.expected)


def _md(text: str) -> str:
    """A cell's text in a Markdown table: one line, no pipe, no backtick markup."""
    return " ".join(str(text).split()).replace("|", "\\|").replace("`", "'")


STATUS = {"right": "right", "carried": "carried (right for your earlier row)", "wrong": "wrong",
          "unanswered": "unanswered"}


def feedback_markdown(report: Report) -> str:
    """The student's cells with their status, then each mistake with its diagnosis and working."""
    lines = [f"# {report.summary.spec.name}: your table", "",
             f"File: `{_md(report.table.path.rsplit('/', 1)[-1])}`; {score_line(report)}.", "",
             "| Layer | Column | Your answer | Status | Correct |", "|---|---|---|---|---|"]
    for v in report.verdicts:
        if v.asked or v.state != "unanswered":
            lines.append(f"| {_md(v.row or v.layer)} | {COLUMN_TITLES[v.column]} | {_md(v.given)} | "
                         f"{STATUS[v.state]} | {_md(_want(v))} |")
    for title, state in (("Mistakes", "wrong"), ("Carried forward", "carried")):
        cells = [v for v in report.verdicts if v.state == state]
        if cells:
            lines += ["", f"## {title}", ""]
            for v in cells:
                lines += [f"- **{_md(v.row or v.layer)}, {COLUMN_TITLES[v.column]}**: you wrote "
                          f"{_md(v.given)}; correct: {_md(_want(v))}",
                          f"  - working: {_md(v.formula)}",
                          f"  - {'likely mistake' if state == 'wrong' else 'why'}: {_md(v.diagnosis or '')}"]
    if report.unanswered:
        lines += ["", "## Unanswered", "",
                  ", ".join(f"{v.layer} {COLUMN_TITLES[v.column]}" for v in report.unanswered)]
    if report.note:
        lines += ["", report.note]
    return "\n".join(lines) + "\n"


def gradescope_json(report: Report) -> str:
    """Gradescope's autograder results.json: the score out of the asked cells, one test per
    course row (its asked cells) with the row's cells and their working as output."""
    tests = []
    rows: dict[str, list[Verdict]] = {}
    for v in report.asked:
        rows.setdefault(v.layer, []).append(v)
    for layer, cells in rows.items():
        earned = sum(v.state == "right" or v.state == "carried" and not report.strict for v in cells)
        out = []
        for v in cells:
            out.append(f"{COLUMN_TITLES[v.column]}: {v.given or '(unanswered)'}: {v.state}"
                       + ("" if v.state == "right" else f"; correct: {_want(v)} ({v.formula})")
                       + (f"; {v.diagnosis}" if v.state in ("wrong", "carried") and v.diagnosis else ""))
        tests.append({"name": (cells[0].row or layer) if cells[0].row else layer, "score": earned,
                      "max_score": len(cells), "output": "\n".join(out)})
    doc = {"score": report.earned, "max_score": len(report.asked),
           "output": score_line(report) + (f"\n{report.note}" if report.note else ""),
           "visibility": "visible", "tests": tests}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
