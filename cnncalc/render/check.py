"""A graded answer table (check.Report) as text and JSON, and a graded class (ClassReport) as
text, JSON and the gradebook CSV. Formatting only: the reports call these."""
from __future__ import annotations

import csv
import io
import json
import re
import textwrap
from typing import TYPE_CHECKING, Any

from ..check.columns import COLUMNS, COLUMN_TITLES
from ..check.read import MARKS
from ..shapes import fmt_shape
from .formats import defuse
from .table import num

if TYPE_CHECKING:  # the reports call these renderers: their modules are not imported here
    from ..check.classbook import ClassReport
    from ..check.grade import Report, Verdict


# -- the report as text and JSON (formatting only) -------------------------------------------
def report_dict(report: Report) -> dict[str, Any]:
    return {
        "spec": report.summary.spec.name, "answers": report.table.path,
        "ok": report.ok,
        "score": report.score,
        "asked": len(report.asked),
        "right": sum(v.state == "right" for v in report.asked),
        "graded": sum(v.correct is not None for v in report.verdicts),
        "wrong": len(report.wrong),
        "carried": len(report.carried),
        "unanswered": len(report.unanswered),
        "strict": report.strict,
        "form": report.table.form,
        "ambiguous": sum(v.ambiguous for v in report.verdicts),
        "note": report.note or None,
        "part_rows": [{"row": r.label, "line": r.line} for r in report.parts],
        "cells": [v.to_dict() for v in report.verdicts],
        "rows": _rows(report),
        "unmatched_rows": [{"row": r.label, "line": r.line, "reason": why} for r, why in report.unmatched],
        "layers_without_row": list(report.missing),
        "optional_layers_without_row": list(report.optional),
        "ignored_columns": list(report.table.ignored),
        "matched_by_position": report.by_position,
    }


def _rows(report: Report) -> list[dict[str, Any]]:
    """Each row as written, the layer it was matched to and how (name, keras, torch, label,
    order, total), or null when it matches none."""
    seen: dict[tuple[str, int | None], dict[str, Any]] = {}
    for v in report.verdicts:
        seen.setdefault((v.row, v.line), {"row": v.row, "line": v.line, "layer": v.layer,
                                          "matched_by": v.matched_by})
    out = []
    for r in report.table.rows:
        got = seen.get((r.label, r.line))
        part = any(p is r for p in report.parts)
        out.append(got or {"row": r.label, "line": r.line, "layer": None,
                           "matched_by": "part" if part else None})
    return out


def report_json(report: Report) -> str:
    """The report as JSON; a character a terminal would act on is a \\u escape, not raw."""
    text = json.dumps(report_dict(report), indent=2, ensure_ascii=False)
    return _RUNS.sub(lambda m: "".join(c if c.isprintable() else json.dumps(c)[1:-1] for c in m.group()),
                     text) + "\n"


_RUNS = re.compile(r"[^\n -~]+")


def _shown(text: str) -> str:
    """The cell as written, without the arrows and check marks students add."""
    return " ".join(MARKS.sub("", text).split())


def _cell_text(v: Verdict) -> str:
    if v.correct is None:
        return ""
    shown = _shown(v.given) + ("?" if v.ambiguous else "")
    if v.correct:
        return f"{shown} ✓"
    want = fmt_shape(v.expected) if isinstance(v.expected, tuple) else num(v.expected)
    return f"{shown} {'↪' if v.state == 'carried' else '✗'} {want}"


WIDTH = 80


def _fit(rows: list[list[str]], width: int = WIDTH) -> list[int]:
    """Column widths, the widest column cut until the table fits `width`."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    while sum(widths) + 2 * (len(widths) - 1) > width and max(widths) > 8:
        widths[widths.index(max(widths))] -= 1
    return widths


def _cut(text: str, w: int) -> str:
    return text if len(text) <= w else text[:w - 1] + "…"


def _wrapped(text: str, indent: str, width: int = WIDTH) -> list[str]:
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_on_hyphens=False, break_long_words=True) or [indent]


def _label(v: Verdict) -> str:
    """The student's row label as written (the spec's name when the row has none)."""
    return " ".join(MARKS.sub("", v.row).split()) or v.layer


def _some(names: tuple[str, ...], limit: int = 12) -> str:
    more = f", ... ({len(names) - limit} more; --format json lists all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def percent(score: float) -> str:
    """79.2 -> '79.2%', 100.0 -> '100%'."""
    return f"{score:g}%"


def score_line(report: Report) -> str:
    """`score 79.2%: 19 of 24 cells right, 5 wrong`: the asked cells' counts, which add up."""
    asked = report.asked
    count = lambda state: sum(v.state == state for v in asked)  # noqa: E731
    carried = 0 if report.strict else count("carried")
    wrong = count("wrong") + (count("carried") if report.strict else 0)
    return (f"score {percent(report.score)}: {count('right')} of {len(asked)} cells right, {wrong} wrong"
            + (f", {carried} carried" if carried else "")
            + (f", {count('unanswered')} unanswered" if count("unanswered") else ""))


def report_text(report: Report, verbose: bool = False) -> str:
    """The table as the student wrote it, each cell marked, then every wrong cell explained."""
    cols = [c for c in COLUMNS if c in report.table.headers]
    by_row: dict[tuple[str, int | None], dict[str, Verdict]] = {}
    for v in report.verdicts:
        by_row.setdefault((v.row, v.line), {})[v.column] = v
    head = ["Layer"] + [report.table.headers[c] for c in cols]
    rows = []
    unmatched = {id(r) for r, _ in report.unmatched}
    for row in report.table.rows:
        cells = by_row.get((row.label, row.line), {})
        label = " ".join(row.label.split()) or "?"
        if id(row) in unmatched:
            rows.append([label] + [" ".join(row.cells.get(c, "").split()) + " ?" for c in cols])
        else:
            rows.append([label] + [_cell_text(cells[c]) if c in cells else "" for c in cols])
    widths = _fit([head, *rows])
    fmt_row = lambda r: "  ".join(_cut(c, w).ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    wrong, carried = report.wrong, () if report.strict else report.carried
    counts = f"against {report.summary.spec.name}: {score_line(report)}"
    top = f"{report.table.path} {counts}"
    lines = [*([top] if len(top) <= WIDTH else [report.table.path, *_wrapped(counts, "")]), "",
             fmt_row(head), fmt_row(["-" * w for w in widths]), *map(fmt_row, rows)]
    for title, cells, what in (("Wrong cells:", wrong, "is wrong"),
                               ("Carried forward (right for your own wrong earlier row; not counted "
                                "wrong, --strict counts them):", carried, "is carried")):
        if not cells:
            continue
        lines += ["", *_wrapped(title, "")]
        for v in cells:
            want = fmt_shape(v.expected) if isinstance(v.expected, tuple) else num(v.expected)
            lines += _wrapped(f"- {_label(v)}, {COLUMN_TITLES[v.column]}: {_shown(v.given)} {what}; "
                              f"correct: {want}", "")
            lines += _wrapped(f"formula: {v.formula}", "    ")
            lines += _wrapped(f"{'likely mistake' if v.state == 'wrong' else 'why'}: {v.diagnosis}", "    ")
            for other in v.also if verbose else ():
                lines += _wrapped(f"or: {other}", "    ")
    if report.unmatched:
        lines += ["", "Rows that match no layer (not graded):"]
        for r, why in report.unmatched:
            lines += _wrapped(f"- line {r.line}: {why}", "")
    blanks = report.unanswered
    if report.missing or blanks:
        lines += [""]
        if report.missing:
            lines += _wrapped(f"Layers with no row: {_some(report.missing)}", "")
        if blanks:
            lines += _wrapped("Unanswered: " + _some(tuple(f"{v.layer} {COLUMN_TITLES[v.column]}" for v in blanks)), "")
    if report.optional:
        lines += _wrapped(f"Not in the table (fine, a course table folds them): {_some(report.optional)}", "")
    if report.by_position:
        lines += _wrapped("Rows were matched to layers by their order: no label names a layer "
                          "(use the layer names, Input, or course labels like CONV1 to match by name)", "")
    if report.table.ignored:
        lines += _wrapped(f"Columns not graded: {', '.join(report.table.ignored)}", "")
    vague = [v for v in report.verdicts if v.ambiguous]
    if vague:
        lines += _wrapped("Ambiguous numbers (marked ?), read by this file's style and the count "
                          "they must be: " + ", ".join(f"{_label(v)} {_shown(v.given)}" for v in vague), "")
    methods = {}
    for v in report.verdicts:
        if v.matched_by not in ("", "name", "total"):
            methods.setdefault(v.matched_by, set()).add((v.row, v.line))
    if methods and not report.by_position:
        lines += _wrapped("Rows matched by " + ", ".join(
            f"{MATCHED[m]} ({len(r)})" for m, r in methods.items()) + "; the others by name", "")
    if report.parts:
        lines += _wrapped(f"Rows of a piece of a layer (not graded): {_some(tuple(_shown(r.label) for r in report.parts))}", "")
    if report.note:
        lines += _wrapped(report.note, "")
    lines.append(f"Total params of {report.summary.spec.name}: {num(report.summary.totals.params)}")
    return "\n".join(lines) + "\n"


MATCHED = {"keras": "Keras default name", "torch": "torch module path", "label": "course or kind label",
           "order": "order"}


# -- a class: every submission graded ---------------------------------------------------------
def class_dict(report: ClassReport) -> dict[str, Any]:
    graded = report.graded
    return {"students": len(report.students), "graded": len(graded),
            "unreadable": sum(s.status.startswith("unreadable") for s in report.students),
            **({"missing": [s.name for s in report.students if s.status.startswith("missing")]}
               if _by_variant(report) else {}),
            "needs_attention": [{"student": s.name, "status": s.status} for s in report.attention],
            "mean_score": report.mean, "rows": [_row(s) for s in report.students],
            "mistakes_by_type": [{"mistake": t, "students": n, "layers": list(layers)}
                                 for t, n, layers in report.by_type()],
            "common_mistakes": [{"row": r, "column": c, "diagnosis": d, "students": n}
                                for (r, c, d), n in report.common()],
            "skipped": [{"file": f, "why": why} for f, why in report.skipped]}


GRADEBOOK = ("student", "files", "score", "right", "carried", "wrong", "unanswered", "status", "note")


def _by_variant(report: ClassReport) -> bool:
    """Graded by variant: the gradebook has a `variant` column."""
    return any(s.variant for s in report.students)


def _row(s) -> dict[str, Any]:
    g = s.graded
    row = {"student": s.name, "files": "; ".join(f.file for f in s.files),
           "score": None if g is None else g.percent, "right": g and g.right, "carried": g and g.carried,
           "wrong": g and g.wrong, "unanswered": g and g.unanswered, "status": s.status,
           "note": "; ".join(n for n in (g.note if g else "", s.flag) if n)}
    if s.variant:
        row["variant"] = s.variant
    return row


def gradebook_csv(report: ClassReport) -> str:
    """One row per student (GRADEBOOK's columns), UTF-8 with a byte-order mark as Excel expects;
    every text cell defused against spreadsheet formulas; an unreadable row's numbers empty."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    columns = GRADEBOOK[:1] + ("variant",) + GRADEBOOK[1:] if _by_variant(report) else GRADEBOOK
    w.writerow(columns)
    for s in report.students:
        row = {"variant": "", **_row(s)}
        w.writerow([defuse(str(row[c])) if isinstance(row[c], str) else
                    "" if row[c] is None else f"{row[c]:.1f}" if c == "score" else row[c] for c in columns])
    return "\ufeff" + out.getvalue()


def class_text(report: ClassReport, width: int = 80) -> str:
    """The class summary: counts, mistakes by type, who needs attention, what was skipped."""
    wrap = lambda text: textwrap.wrap(text, width, subsequent_indent="    ")  # noqa: E731
    graded = report.graded
    bad = [s for s in report.students if s.graded is None and s.status.startswith("unreadable")]
    missing = [s for s in report.students if s.status.startswith("missing")]
    mean = report.mean
    against = f"their variants of {report.spec}" if _by_variant(report) else report.spec
    lines = wrap(f"{len(report.students)} students against {against}: {len(graded)} graded, "
                 f"{len(bad)} unreadable{f', {len(missing)} missing' if missing else ''} (not averaged in); mean score of the graded "
                 f"{'-' if mean is None else percent(mean)}, "
                 f"{sum(not g.wrong and not g.unanswered for g in graded)} with every asked cell right")
    kinds = report.by_type()
    if kinds:
        lines += ["", "Mistakes by type:"]
        for kind, n, layers in kinds[:12]:
            lines += wrap(f"- {kind}: {n} student{'s' if n != 1 else ''} ({', '.join(layers)})")
    common = report.common()
    if common:
        lines += ["", "Most common mistakes:"]
        for (row, column, why), n in common:
            lines += wrap(f"- {n} student{'s' if n != 1 else ''}: {row}, {COLUMN_TITLES[column]}: {why}")
    attention = [s for s in report.attention if s.status.startswith("needs attention")]
    for title, students in (("Needs attention:", attention), ("Unreadable (not graded):", bad),
                            ("Missing (no submission):", missing)):
        if students:
            lines += ["", title]
            for s in students[:20]:
                lines += wrap(f"- {s.name}: {s.status.split(': ', 1)[1]}")
            if len(students) > 20:
                lines.append(f"  ... and {len(students) - 20} more (the gradebook lists all)")
    if report.skipped:
        lines += ["", *wrap("Skipped (not submissions): " + ", ".join(f"{f} ({why})" for f, why in report.skipped))]
    return "\n".join(lines) + "\n"
