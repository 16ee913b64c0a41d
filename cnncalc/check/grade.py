"""Grading: one Verdict per given cell, and the Report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


from .. import formulas as F
from ..infer import Summary
from ..kinds import fmt_shape
from ..render import folded, num
from .diagnoses import Context, diagnose
from .match import _name, match_rows
from .read import COLUMNS, COLUMN_NAMES, AnswerTable, Row, is_blank, parse_int, parse_shape, same_shape
from .text import params_formula, shape_formula, size_formula


# -- grading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """One graded cell. `correct` is None for a blank cell (not graded)."""
    layer: str
    row: str
    line: int | None
    column: str
    given: str
    expected: Any
    correct: bool | None
    formula: str
    diagnosis: str | None = None
    also: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "row": self.row, "line": self.line,
                "column": COLUMN_NAMES[self.column], "given": self.given,
                "expected": list(self.expected) if isinstance(self.expected, tuple) else self.expected,
                "correct": self.correct, "formula": self.formula, "diagnosis": self.diagnosis,
                "also": list(self.also)}


@dataclass(frozen=True)
class Report:
    summary: Summary
    table: AnswerTable
    verdicts: tuple[Verdict, ...]
    unmatched: tuple[tuple[Row, str], ...]
    missing: tuple[str, ...]           # layers a course table shows, with no row
    optional: tuple[str, ...] = ()     # folded layers (flatten, dropout, activations) with no row
    by_position: bool = False          # rows matched by their order, not by their labels

    @property
    def wrong(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.correct is False)

    @property
    def ok(self) -> bool:
        """Every given cell right and every row matched to a layer."""
        return not self.wrong and not self.unmatched


def _expected(summary: Summary, pos: int) -> dict[str, tuple[Any, str]]:
    if pos == 0:
        shape = summary.spec.input
        return {"shape": (shape, "the input"), "size": (F.product(shape), size_formula(shape)),
                "params": (0, "0: the input learns nothing")}
    r = summary.layers[pos - 1]
    return {"shape": (r.output_shape, shape_formula(r)),
            "size": (r.activation_size, size_formula(r.output_shape)),
            "params": (r.params, params_formula(r))}


def _parse(column: str, text: str):
    try:
        return parse_shape(text) if column == "shape" else parse_int(text)
    except ValueError as e:
        return e


def check_table(table: AnswerTable, summary: Summary) -> Report:
    """Grade every given cell of `table` against `summary`."""
    matches = match_rows(table, summary)
    given_by_position: dict[int, dict[str, Any]] = {}
    for row, (pos, _) in zip(table.rows, matches):
        if pos is not None:
            given_by_position[pos] = {c: _parse(c, t) for c, t in row.cells.items() if not is_blank(t)}
    verdicts: list[Verdict] = []
    unmatched: list[tuple[Row, str]] = []
    for row, (pos, why) in zip(table.rows, matches):
        if pos is None:
            if why == "total":
                verdicts += _grade_total(row, table, summary, matches)
            else:
                unmatched.append((row, why))
            continue
        expected = _expected(summary, pos)
        ctx = Context(summary.layers[pos - 1], pos, summary, given_by_position[pos], given_by_position) \
            if pos else None
        for column in COLUMNS:
            if column not in row.cells:
                continue
            text = row.cells[column]
            value, formula = expected[column]
            common = dict(layer=_name(summary, pos), row=row.label, line=row.line, column=column,
                          given=text, expected=value, formula=formula)
            if is_blank(text):
                verdicts.append(Verdict(correct=None, diagnosis="blank", **common))
                continue
            got = given_by_position[pos][column]
            if isinstance(got, ValueError):
                verdicts.append(Verdict(correct=False, diagnosis=str(got), **common))
                continue
            right = same_shape(got, value) if column == "shape" else got == value
            if right:
                verdicts.append(Verdict(correct=True, **common))
                continue
            reasons = diagnose(column, got, ctx) if ctx else _input_reasons(column, got, summary)
            verdicts.append(Verdict(correct=False, diagnosis=reasons[0] if reasons else
                                    "no known mistake gives this value; compare with the formula"
                                    + _axes_hint(got, value, column),
                                    also=tuple(reasons[1:]), **common))
    rows_for = {p for p, _ in matches if p is not None}
    missing = tuple(_name(summary, p) for p in [0] + [i for i, r in enumerate(summary.layers, 1)
                                                       if not folded(r.layer)] if p not in rows_for)
    optional = tuple(r.layer.name for i, r in enumerate(summary.layers, 1)
                     if folded(r.layer) and i not in rows_for)
    by_position = bool(matches) and all(why == "by position" for _, why in matches)
    return Report(summary, table, tuple(verdicts), tuple(unmatched), missing, optional, by_position)


def _axes_hint(got: Any, expected: Any, column: str) -> str:
    """Which entries of a wrong shape are right: `(H, W wrong; C right)`."""
    if column != "shape" or len(got) != len(expected) or len(expected) < 2:
        return ""
    names = {2: ("L", "C"), 3: ("H", "W", "C"), 4: ("D", "H", "W", "C")}[len(expected)]
    bad = [n for n, g, e in zip(names, got, expected) if g != e]
    good = [n for n in names if n not in bad]
    return f" ({', '.join(bad)} wrong; {', '.join(good)} right)" if good else ""


def _input_reasons(column: str, got: Any, summary: Summary) -> list[str]:
    shape = summary.spec.input
    if column == "shape" and len(shape) > 1 and got == (shape[-1], *shape[:-1]):
        return [f"channels first {fmt_shape(got)}: the course and cnncalc write channels last (H, W, C) = {fmt_shape(shape)}"]
    if column == "shape" and sorted(got) == sorted(shape):
        return [f"H/W/C order swapped: the spec's input is {fmt_shape(shape)} (channels last)"]
    if column == "params":
        return ["the input has no parameters: 0"]
    if column == "size" and len(shape) > 1 and got == F.product(shape[:-1]):
        return [f"channels left out: the size counts every channel: {size_formula(shape)}"]
    return []


def _grade_total(row: Row, table: AnswerTable, summary: Summary, matches) -> list[Verdict]:
    """A `Total` row: its parameter cell against the spec's total; other cells are not graded."""
    text = row.cells.get("params", "")
    if is_blank(text):
        return []
    total = summary.totals.params
    parts = [r.params for r in summary.layers if r.params]
    formula = " + ".join(num(p) for p in parts) + f" = {num(total)}" if len(parts) > 1 else num(total)
    common = dict(layer="total", row=row.label, line=row.line, column="params", given=text,
                  expected=total, formula=formula)
    got = _parse("params", text)
    if isinstance(got, ValueError):
        return [Verdict(correct=False, diagnosis=str(got), **common)]
    if got == total:
        return [Verdict(correct=True, **common)]
    own = 0
    for r, (pos, _) in zip(table.rows, matches):
        if pos is not None and not is_blank(r.cells.get("params", "")):
            v = _parse("params", r.cells["params"])
            own += v if isinstance(v, int) else 0
    why = (f"the sum of your parameter column ({num(own)}), which has wrong cells" if got == own
           else "no known mistake gives this value; compare with the formula")
    return [Verdict(correct=False, diagnosis=why, **common)]

