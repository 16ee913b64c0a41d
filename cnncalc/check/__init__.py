"""Grade a student's table of activation shapes, sizes and parameters against a spec.

read_answers -> AnswerTable (read.py: Markdown, CSV/TSV or YAML; loose headers; cells as written)
check_table  -> Report (grade.py): one Verdict per given cell, rows matched to layers
                (match.py), rows that match no layer, layers with no row.
render/check.py formats it as text and JSON.

The expected values come from `infer`. A wrong cell is explained by re-computing the layer
with one deliberate error at a time (diagnoses.py; each kind names the kind-specific ones that apply in its DIAGNOSES): a modified layer
(`dataclasses.replace(layer, bias=False)`, a one-channel input, ...) or a formula from
`formulas` called with the wrong argument. A diagnosis is given only when that re-computation
gives exactly the student's number, so it is a fact about the arithmetic, not a guess.
"""
from .diagnoses import MISTAKES, Context, diagnose  # noqa: F401
from .grade import Report, Verdict, check_table  # noqa: F401
from .match import label_key, match_rows  # noqa: F401
from .read import (AnswerError, AnswerTable, Row, header_key, parse_answers, parse_int,  # noqa: F401
                   parse_shape, read_answers)
