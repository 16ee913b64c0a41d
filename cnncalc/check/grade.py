"""Grading: one Verdict per given cell, and the Report."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any


from .. import formulas as F
from ..infer import Summary
from ..kinds import fmt_shape
from ..render.table import num
from .diagnoses import Context, diagnose, in_bytes, memory_size
from .match import PART, _name, match_rows_by
from .numbers import Count, Style, file_style, read_bytes
from .columns import asked_columns
from .read import COLUMNS, COLUMN_NAMES, AnswerTable, Row, clean, is_blank, parse_count, parse_shape, same_shape
from .text import params_formula, shape_formula, size_formula


# -- grading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """One cell: given (graded) or asked and not given (`unanswered`, `correct` None). `asked`:
    the handout asks for it (a course-table row); extra rows and the Total row are not scored."""
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
    status: str = ""                   # right, wrong, carried or unanswered
    matched_by: str = ""               # name, keras, torch, label, order or total
    ambiguous: bool = False            # the number's reading was a guess (3.072 in a `.`-decimal file)
    asked: bool = True                 # counted in the score

    @property
    def state(self) -> str:
        return self.status or ("unanswered" if self.correct is None else "right" if self.correct else "wrong")

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "row": self.row, "line": self.line,
                "column": COLUMN_NAMES[self.column], "given": self.given,
                "expected": list(self.expected) if isinstance(self.expected, tuple) else self.expected,
                "correct": self.correct, "status": self.state, "formula": self.formula,
                "diagnosis": self.diagnosis, "also": list(self.also), "matched_by": self.matched_by,
                "ambiguous": self.ambiguous, "asked": self.asked}


@dataclass(frozen=True)
class Report:
    summary: Summary
    table: AnswerTable
    verdicts: tuple[Verdict, ...]
    unmatched: tuple[tuple[Row, str], ...]
    missing: tuple[str, ...]           # layers a course table shows, with no row
    optional: tuple[str, ...] = ()     # folded layers (flatten, dropout, activations) with no row
    by_position: bool = False          # rows matched by their order, not by their labels
    strict: bool = False               # carried cells count as wrong
    parts: tuple[Row, ...] = ()        # rows of a layer's piece (a ReLU after a conv): not graded
    note: str = ""                     # e.g. the table fits another network better

    @property
    def wrong(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.state == "wrong" or self.strict and v.state == "carried")

    @property
    def carried(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.state == "carried")

    @property
    def given(self) -> tuple[Verdict, ...]:
        """The cells of the table's rows (an asked cell no row gives has no `matched_by`)."""
        return tuple(v for v in self.verdicts if v.matched_by)

    @property
    def asked(self) -> tuple[Verdict, ...]:
        """The cells the handout asks for: the course table's rows (Input included), answered or not."""
        return tuple(v for v in self.verdicts if v.asked)

    @property
    def unanswered(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.asked and v.state == "unanswered")

    @property
    def earned(self) -> int:
        """Asked cells that earn their mark: right, or carried unless `strict`."""
        return sum(v.state == "right" or v.state == "carried" and not self.strict for v in self.asked)

    @property
    def score(self) -> float:
        """(right + carried) / asked cells, in percent; `strict` counts carried cells as wrong."""
        asked = len(self.asked)
        return round(100 * self.earned / asked, 1) if asked else 0.0

    @property
    def ok(self) -> bool:
        """Every asked cell right (or carried, without `strict`), no given cell wrong, every row
        matched to a layer."""
        return not self.wrong and not self.unanswered and not self.unmatched

    def to_dict(self) -> dict[str, Any]:
        """The report as `cnncalc check --format json` prints it."""
        from ..render.check import report_dict
        return report_dict(self)

    def gradescope(self) -> str:
        """Gradescope's autograder results.json (`cnncalc check --format gradescope`)."""
        from ..render.feedback import gradescope_json
        return gradescope_json(self)

    def feedback(self) -> str:
        """The Markdown sent back to the student (`cnncalc check DIR --feedback DIR`)."""
        from ..render.feedback import feedback_markdown
        return feedback_markdown(self)

    def text(self, verbose: bool = False) -> str:
        """The report as `cnncalc check` prints it; `verbose` explains every cell."""
        from ..render.check import report_text
        return report_text(self, verbose)


def _expected(summary: Summary, pos: int) -> dict[str, tuple[Any, str]]:
    if pos == 0:
        shape = summary.spec.input
        return {"shape": (shape, "the input"), "size": (F.product(shape), size_formula(shape)),
                "params": (0, "0: the input learns nothing")}
    r = summary.layers[pos - 1]
    return {"shape": (r.output_shape, shape_formula(r)),
            "size": (r.activation_size, size_formula(r.output_shape)),
            "params": (r.params, params_formula(r))}


def _parse(column: str, text: str, style: Style = Style(), expected: Any = None):
    """A shape, or a Count; a ValueError saying why the cell cannot be read."""
    try:
        return parse_shape(text) if column == "shape" else parse_count(text, style, expected)
    except ValueError as e:
        return e


def _value(got):
    return got.value if isinstance(got, Count) else got


CARRIED = ("carried forward", "consistent with your shape")


def check_table(table: AnswerTable, summary: Summary, strict: bool = False) -> Report:
    """Grade every given cell of `table` against `summary`; `strict` counts carried cells wrong."""
    matches3 = match_rows_by(table, summary)
    matches = [(p, w) for p, w, _ in matches3]
    style = file_style([t for row in table.rows for c, t in row.cells.items() if c != "shape"] + list(table.others))
    parsed: dict[int, dict[str, Any]] = {}
    given_by_position: dict[int, dict[str, Any]] = {}
    for row, (pos, _) in zip(table.rows, matches):
        if pos is not None:
            expected = _expected(summary, pos)
            parsed[pos] = {c: _parse(c, t, style, expected[c][0]) for c, t in row.cells.items() if not is_blank(t)}
            given_by_position[pos] = {c: _value(v) for c, v in parsed[pos].items()}
    verdicts: list[Verdict] = []
    unmatched: list[tuple[Row, str]] = []
    parts: list[Row] = []
    for row, (pos, why, how) in zip(table.rows, matches3):
        if pos is None:
            if why == "total":
                verdicts += _grade_total(row, table, summary, matches, style)
            elif why == PART:
                parts.append(row)
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
                          given=text, expected=value, formula=formula, matched_by=how)
            if is_blank(text):
                verdicts.append(Verdict(correct=None, diagnosis="blank", status="unanswered", **common))
                continue
            cell = parsed[pos][column]
            got = given_by_position[pos][column]
            if isinstance(got, ValueError):
                verdicts.append(Verdict(correct=False, diagnosis=_unread(got, column, text, value, summary, style),
                                        status="wrong", **common))
                continue
            vague = isinstance(cell, Count) and cell.ambiguous
            right = same_shape(got, value) if column == "shape" else cell.matches(value)
            if right:
                verdicts.append(Verdict(correct=True, status="right", ambiguous=vague, **common))
                continue
            reasons = diagnose(column, got, ctx) if ctx else _input_reasons(column, got, summary,
                                                                            given_by_position.get(0, {}))
            carried = [r for r in reasons if r.startswith(CARRIED)]
            if carried:
                reasons = carried[:1] + [r for r in reasons if r != carried[0]]
            verdicts.append(Verdict(correct=False, diagnosis=reasons[0] if reasons else
                                    "no known mistake gives this value; compare with the formula"
                                    + _axes_hint(got, value, column),
                                    also=tuple(reasons[1:]), status="carried" if carried else "wrong",
                                    ambiguous=vague, **common))
    rows_for = {p for p, _ in matches if p is not None}
    course = [0] + [i for i, r in enumerate(summary.layers, 1) if r.layer.COURSE_ROW]
    missing = tuple(_name(summary, p) for p in course if p not in rows_for)
    verdicts = _asked(verdicts, summary, table, course, rows_for)
    optional = tuple(r.layer.name for i, r in enumerate(summary.layers, 1)
                     if not r.layer.COURSE_ROW and i not in rows_for)
    by_position = bool(matches) and all(why == "by position" for _, why in matches)
    return Report(summary, table, tuple(verdicts), tuple(unmatched), missing, optional, by_position,
                  strict, tuple(parts))


def _asked(verdicts: list[Verdict], summary: Summary, table: AnswerTable, course: list[int],
           rows_for: set[int]) -> list[Verdict]:
    """Mark the cells the handout does not ask for (extra rows, Total, the Input shape it gives:
    only a wrong one counts) and add an `unanswered` cell for each asked one no row gives. A
    pasted framework summary asks for the columns it prints, and for its Input row if it has one."""
    columns = asked_columns(table.form, table.headers)
    cells = [(p, c) for p in course if p or 0 in rows_for or columns == COLUMNS
             for c in columns if p or c != "shape"]
    asked = {(_name(summary, p), c) for p, c in cells}
    wrong_input = [v for v in verdicts if v.layer == "input" and v.column == "shape" and v.correct is False]
    asked |= {("input", "shape")} if wrong_input and (0 in rows_for) else set()
    out = [v if v.matched_by != "total" and (v.layer, v.column) in asked else replace(v, asked=False)
           for v in verdicts]
    given = {(v.layer, v.column) for v in verdicts}
    for p, c in cells:
        if (_name(summary, p), c) not in given:
            value, formula = _expected(summary, p)[c]
            out.append(Verdict(layer=_name(summary, p), row="", line=None, column=c, given="",
                               expected=value, correct=None, formula=formula, status="unanswered",
                               diagnosis="no row for this layer" if p not in rows_for else
                               "no such column in the table"))
    return out


def _axes_hint(got: Any, expected: Any, column: str) -> str:
    """Which entries of a wrong shape are right: `(H, W wrong; C right)`."""
    if column != "shape" or len(got) != len(expected) or len(expected) < 2:
        return ""
    names = {2: ("L", "C"), 3: ("H", "W", "C"), 4: ("D", "H", "W", "C")}[len(expected)]
    bad = [n for n, g, e in zip(names, got, expected) if g != e]
    good = [n for n in names if n not in bad]
    return f" ({', '.join(bad)} wrong; {', '.join(good)} right)" if good else ""


def _input_reasons(column: str, got: Any, summary: Summary, given: dict | None = None) -> list[str]:
    shape = summary.spec.input
    own = (given or {}).get("shape")
    if column == "size" and isinstance(own, tuple) and own != shape and got == F.product(own):
        return [f"consistent with your shape {fmt_shape(own)}, which is wrong: the size is {size_formula(shape)}"]
    if column == "shape" and len(shape) > 1 and got == (shape[-1], *shape[:-1]):
        return [f"channels first {fmt_shape(got)}: the course and cnncalc write channels last (H, W, C) = {fmt_shape(shape)}"]
    if column == "shape" and sorted(got) == sorted(shape):
        return [f"H/W/C order swapped: the spec's input is {fmt_shape(shape)} (channels last)"]
    if column == "params":
        return ["the input has no parameters: 0"]
    if column == "size" and len(shape) > 1 and got == F.product(shape[:-1]):
        return [f"channels left out: the size counts every channel: {size_formula(shape)}"]
    return []


def _grade_total(row: Row, table: AnswerTable, summary: Summary, matches, style: Style = Style()) -> list[Verdict]:
    """A `Total` row: its parameter cell against the spec's total; other cells are not graded."""
    text = row.cells.get("params", "")
    if is_blank(text):
        return []
    total = summary.totals.params
    parts = [r.params for r in summary.layers if r.params]
    formula = " + ".join(num(p) for p in parts) + f" = {num(total)}" if len(parts) > 1 else num(total)
    common = dict(layer="total", row=row.label, line=row.line, column="params", given=text,
                  expected=total, formula=formula, matched_by="total")
    cell = _parse("params", text, style, total)
    if isinstance(cell, ValueError):
        return [Verdict(correct=False, diagnosis=_unread(cell, "params", text, total, summary, style),
                        status="wrong", **common)]
    if cell.matches(total):
        return [Verdict(correct=True, status="right", ambiguous=cell.ambiguous, **common)]
    own, shifted = 0, total
    for r, (pos, _) in zip(table.rows, matches):
        if pos is not None and not is_blank(r.cells.get("params", "")):
            v = _parse("params", r.cells["params"], style)
            own += v.value if isinstance(v, Count) else 0
            want = _expected(summary, pos)["params"][0]
            shifted += v.value - want if isinstance(v, Count) and not v.matches(want) else 0
    if cell.value == own:
        return [Verdict(correct=False, diagnosis=f"carried forward: the sum of your parameter column "
                        f"({num(own)}), which has wrong cells", status="carried", **common)]
    if cell.value == shifted != total:
        return [Verdict(correct=False, diagnosis=f"carried forward: the right total {num(total)} changed "
                        f"by your wrong parameter cells gives {num(shifted)}", status="carried", **common)]
    why = next((why for v, why in in_bytes(total, "parameters", summary) if v == cell.value),
               "no known mistake gives this value; compare with the formula")
    return [Verdict(correct=False, diagnosis=why, status="wrong", **common)]


def _unread(error: ValueError, column: str, text: str, expected: Any, summary: Summary, style: Style) -> str:
    """Why a cell that is no count or shape is wrong: a memory size (`528 MB`) says what it
    stands for; anything else, why it cannot be read."""
    size = read_bytes(clean(text), style) if column != "shape" else None
    return (memory_size(column, size, expected, summary) if size else None) or str(error)

