"""The summary as CSV or Markdown, and the course's three-column table (instructors' answer keys
and worksheets). Formats only: every number comes from infer."""
from __future__ import annotations

import csv
import io
import re

from ..errors import visible
from ..infer import LayerResult, Summary
from ..shapes import fmt_shape
from ..metrics import given
from .json_doc import to_json
from .table import DEFAULT_COLUMNS, HEADERS, NUMERIC, hyper_text, num, table_text, text_rows, totals_lines, with_inputs


_NUMBER = re.compile(r"-?\d+(\.\d+)?(x-?\d+(\.\d+)?)*")  # 12, -3, 0.25, -1x-2 (per axis)


def defuse(cell: str) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a
    leading ' (OWASP's rule for CSV injection). Plain numbers, a negative RF start among them,
    stay numbers."""
    if cell and cell[0] in "=+-@\t\r" and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def to_csv(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None) -> str:
    return "".join(iter_csv(summary, columns, metrics))


def iter_csv(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None):
    """to_csv's text in pieces of 1,000 rows, so a 100,000-layer table is never one string."""
    columns = with_inputs(summary, columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.value for c in columns])
    rows = text_rows(summary, columns, metrics, plain=True)
    for i, row in enumerate(rows, 1):
        writer.writerow([defuse(cell.replace(",", "") if c in NUMERIC else cell) for c, cell in zip(columns, row)])
        if i % 1000 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def to_markdown(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None) -> str:
    columns = with_inputs(summary, columns)
    head = [HEADERS[c] for c in columns]
    lines = [f"**{summary.spec.name}**: input {fmt_shape(summary.spec.input)}", "",
             "| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if c in NUMERIC else "---" for c in columns) + "|"]
    metrics = given(metrics)
    lines += ["| " + " | ".join(row) + " |" for row in text_rows(summary, columns, metrics)]
    lines += [""] + [f"- {line}" for line in totals_lines(summary, metrics)]
    return "\n".join(lines) + "\n"


def render(summary: Summary, fmt: str, columns=DEFAULT_COLUMNS, width: int = 120, metrics=None) -> str:
    if fmt == "json":
        return to_json(summary, metrics)
    if fmt == "csv":
        return to_csv(summary, columns, metrics)
    if fmt == "markdown":
        return to_markdown(summary, columns, metrics)
    return table_text(summary, columns, width, metrics)


# -- the course's three-column table (instructors' answer keys and worksheets) --------------
COURSE_HEADERS = ("Layer", "Activation shape", "Activation size", "# parameters")


def folded(layer) -> bool:
    """Layers a course table leaves out: flatten, dropout and stand-alone activations, which
    learn nothing and which the notes fold into the row before or after them (the kind's COURSE_ROW)."""
    return not layer.COURSE_ROW


def course_label(r: LayerResult) -> str:
    """`CONV1 (f=5, s=1, p=0)`: the layer's name with its hyper-parameters, as the notes write it."""
    hyper = hyper_text(r)
    return f"{r.layer.name} ({', '.join(hyper.split())})" if hyper else r.layer.name


def course_rows(summary: Summary, blank: bool = False) -> list[list[str]]:
    """Input first, then every layer a course table shows; empty value cells when `blank`."""
    rows = [["Input", fmt_shape(summary.spec.input), num(summary.totals.input_size), "0"]]
    rows += [[course_label(r), fmt_shape(r.output_shape), num(r.activation_size), num(r.params)]
             for r in summary.layers if not folded(r.layer)]
    if blank:  # the input shape is given; everything else is the student's to fill in
        return [[row[0], row[1] if i == 0 else "", "", ""] for i, row in enumerate(rows)]
    return rows


def to_course_markdown(summary: Summary, blank: bool = False) -> str:
    """The notes' homework table: Activation shape, Activation size, # parameters per layer."""
    rows = course_rows(summary, blank)
    widths = [max(len(r[i]) for r in [list(COURSE_HEADERS), *rows]) for i in range(4)]
    widths = [max(w, 3) for w in widths]

    def line(cells, right=False):
        return "| " + " | ".join(c.ljust(w) if i < 2 or not right else c.rjust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"
    title = f"**{summary.spec.name}**: input {fmt_shape(summary.spec.input)}"
    lines = [title + (" (fill in the empty cells)" if blank else ""), "", line(COURSE_HEADERS),
             "|" + "|".join(("-" * (w + 2)) if i < 2 else ("-" * (w + 1) + ":")
                            for i, w in enumerate(widths)) + "|"]
    lines += [line(r, right=True) for r in rows]
    if not blank:
        lines += ["", f"Total params: {num(summary.totals.params)}"]
    return "\n".join(lines) + "\n"


def to_course_csv(summary: Summary, blank: bool = False) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COURSE_HEADERS)
    for row in course_rows(summary, blank):
        writer.writerow([defuse(visible(row[0])), row[1], row[2].replace(",", ""), row[3].replace(",", "")])
    return out.getvalue()
