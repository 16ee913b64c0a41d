"""The report as text and JSON (formatting only)."""
from __future__ import annotations

import json
from typing import Any


from ..kinds import fmt_shape
from ..render import num
from .grade import Report, Verdict
from .read import COLUMNS, COLUMN_TITLES, MARKS


# -- the report as text and JSON (formatting only) -------------------------------------------
def report_dict(report: Report) -> dict[str, Any]:
    return {
        "spec": report.summary.spec.name, "answers": report.table.path,
        "ok": report.ok,
        "graded": sum(v.correct is not None for v in report.verdicts),
        "wrong": len(report.wrong),
        "cells": [v.to_dict() for v in report.verdicts],
        "unmatched_rows": [{"row": r.label, "line": r.line, "reason": why} for r, why in report.unmatched],
        "layers_without_row": list(report.missing),
        "optional_layers_without_row": list(report.optional),
        "ignored_columns": list(report.table.ignored),
        "matched_by_position": report.by_position,
    }


def report_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"


def _shown(text: str) -> str:
    """The cell as written, without the arrows and check marks students add."""
    return " ".join(MARKS.sub("", text).split())


def _cell_text(v: Verdict) -> str:
    if v.correct is None:
        return ""
    shown = _shown(v.given)
    if v.correct:
        return f"{shown} ✓"
    want = fmt_shape(v.expected) if isinstance(v.expected, tuple) else num(v.expected)
    return f"{shown} ✗ {want}"


def _some(names: tuple[str, ...], limit: int = 12) -> str:
    more = f", ... ({len(names) - limit} more; --format json lists all)" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def report_text(report: Report) -> str:
    """The table as the student wrote it, each cell marked, then every wrong cell explained."""
    cols = [c for c in COLUMNS if c in report.table.headers]
    by_row: dict[tuple[str, int | None], dict[str, Verdict]] = {}
    for v in report.verdicts:
        by_row.setdefault((v.row, v.line), {})[v.column] = v
    head = ["Layer"] + [report.table.headers[c] for c in cols]
    rows = []
    for row in report.table.rows:
        cells = by_row.get((row.label, row.line), {})
        label = " ".join(row.label.split()) or "?"
        if any(r is row for r, _ in report.unmatched):
            rows.append([label] + [" ".join(row.cells.get(c, "").split()) + " ?" for c in cols])
        else:
            rows.append([label] + [_cell_text(cells[c]) if c in cells else "" for c in cols])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    fmt_row = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    graded = sum(v.correct is not None for v in report.verdicts)
    wrong = report.wrong
    lines = [f"{report.table.path} against {report.summary.spec.name}: "
             f"{graded - len(wrong)} of {graded} cells right, {len(wrong)} wrong", "",
             fmt_row(head), fmt_row(["-" * w for w in widths]), *map(fmt_row, rows)]
    if wrong:
        lines += ["", "Wrong cells:"]
        for v in wrong:
            title = COLUMN_TITLES[v.column]
            want = fmt_shape(v.expected) if isinstance(v.expected, tuple) else num(v.expected)
            lines.append(f"- {v.layer}, {title}: {_shown(v.given)} is wrong; correct: {want}")
            lines.append(f"    formula: {v.formula}")
            lines.append(f"    likely mistake: {v.diagnosis}")
            for other in v.also[:2]:
                lines.append(f"    or: {other}")
    if report.unmatched:
        lines += ["", "Rows that match no layer (not graded):"]
        lines += [f"- line {r.line}: {why}" for r, why in report.unmatched]
    blanks = [v for v in report.verdicts if v.correct is None]
    if report.missing or blanks:
        lines += [""]
        if report.missing:
            lines.append(f"Layers with no row: {_some(report.missing)}")
        if blanks:
            lines.append("Blank cells: " + ", ".join(f"{v.layer} {COLUMN_TITLES[v.column]}" for v in blanks))
    if report.optional:
        lines.append(f"Not in the table (fine, a course table folds them): {_some(report.optional)}")
    if report.by_position:
        lines.append("Rows were matched to layers by their order: no label names a layer "
                     "(use the layer names, Input, or course labels like CONV1 to match by name)")
    if report.table.ignored:
        lines.append(f"Columns not graded: {', '.join(report.table.ignored)}")
    lines.append(f"Total params of {report.summary.spec.name}: {num(report.summary.totals.params)}")
    return "\n".join(lines) + "\n"
