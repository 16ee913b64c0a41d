"""What each student's folder holds: the variant as a plain spec (spec.yaml), the handout (the
network and the blank course table, as `summary --format markdown --blank` prints it) and the
key (the filled table and each cell's working, the numbers `check` grades with); as printable
HTML too. Formatting only: every number comes from infer, every working from the kinds."""
from __future__ import annotations

import dataclasses
import html

from ..errors import visible
from ..check.text import params_formula, shape_formula, size_formula
from ..infer import infer
from ..readers.common import Node, drop, write
from ..render.formats import COURSE_HEADERS, course_label, course_rows, folded, to_course_markdown
from ..spec import parse_spec

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|#"})


def md(text: str) -> str:
    """Text shown as itself in Markdown: one line, its markup characters escaped."""
    return visible(" ".join(str(text).split())).translate(_MD_SPECIAL)


def code(text: str) -> str:
    """Text for a Markdown code span: one line, no backtick."""
    return " ".join(str(text).split()).replace("`", "'")


def _arguments(layer) -> dict:
    """A layer's spec arguments that differ from their defaults (`trainable: false` kept)."""
    defaults, args = {}, {}
    for name, f in layer.spec_args().items():
        args[name] = getattr(layer, name)
        if f.default is not dataclasses.MISSING:
            defaults[name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            defaults[name] = f.default_factory()
    args = drop(args, **defaults)
    return args if layer.trainable else {**args, "trainable": False}


def plain_spec(summary, variant: str) -> str:
    """The variant as a spec with no `vary:` and no blocks: one layer a line, checked by
    reading it back to the same shapes and parameters."""
    nodes = [Node(r.layer.kind, _arguments(r.layer), r.layer.name, tuple(r.sources)) for r in summary.layers]
    spec = summary.spec
    text = write(nodes, spec.input, name=spec.name, source=spec.path, what="",
                 header=(f"The variant {variant} of the template {spec.path.rsplit('/', 1)[-1]}.",
                         "Written by `cnncalc exercise`: the network of this exercise.")).text
    again = infer(parse_spec(text, "spec.yaml"))
    mine = [(r.layer.name, r.output_shape, r.params) for r in summary.layers]
    if [(r.layer.name, r.output_shape, r.params) for r in again.layers] != mine:
        raise RuntimeError(f"the written spec of variant {variant} reads back to other numbers")
    return text


def working(summary) -> list[tuple[str, list[tuple[str, str]]]]:
    """(row label, [(column, working)]) for every row of the course table under the input."""
    return [(course_label(r), list(zip(COURSE_HEADERS[1:], (shape_formula(r), size_formula(r.output_shape),
                                                             params_formula(r)))))
            for r in summary.layers if not folded(r.layer)]


def handout_md(summary, student: str, spec_text: str) -> str:
    return (f"# {md(summary.spec.name)}: exercise\n\nStudent: {md(student)}\n\n"
            "Fill in the table for this network (also in spec.yaml):\n\n"
            f"```yaml\n{spec_text}```\n\n{to_course_markdown(summary, blank=True)}")


def key_md(summary, student: str, variant: str) -> str:
    lines = [f"# {md(summary.spec.name)}: answer key", "", f"Student: {md(student)} (variant {md(variant)})", "",
             to_course_markdown(summary).rstrip("\n"), "", "## Working", ""]
    for row, cells in working(summary):
        lines += [f"**{md(row)}**", ""] + [f"- {column}: `{code(text)}`" for column, text in cells] + [""]
    return "\n".join(lines)


_CSS = ("body{font-family:sans-serif;max-width:50em;margin:2em auto}table{border-collapse:collapse}"
        "th,td{border:1px solid #444;padding:.3em .6em;text-align:left}td.n{text-align:right;min-width:6em}"
        "td{height:1.6em}pre{background:#f4f4f4;padding:.6em}@media print{body{margin:0}pre{background:none}}")


def _page(title: str, body: list[str]) -> str:
    e = html.escape
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _table(rows: list[list[str]]) -> str:
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in COURSE_HEADERS)
    cells = ("<td>{}</td>", "<td>{}</td>", '<td class="n">{}</td>', '<td class="n">{}</td>')
    body = "".join("<tr>" + "".join(cells[i].format(e(c)) for i, c in enumerate(row)) + "</tr>\n" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}</table>"


def handout_html(summary, student: str, spec_text: str) -> str:
    e, name = html.escape, summary.spec.name
    return _page(f"{name}: exercise", [f"<h1>{e(name)}: exercise</h1>", f"<p>Student: {e(visible(student))}</p>",
                                       "<p>Fill in the table for this network:</p>", f"<pre>{e(spec_text)}</pre>",
                                       _table(course_rows(summary, blank=True))])


def key_html(summary, student: str, variant: str) -> str:
    e, name = html.escape, summary.spec.name
    body = [f"<h1>{e(name)}: answer key</h1>", f"<p>Student: {e(visible(student))} (variant {e(variant)})</p>",
            _table(course_rows(summary)), "<h2>Working</h2>"]
    for row, cells in working(summary):
        body += [f"<h3>{e(row)}</h3>", "<ul>" + "".join(f"<li>{e(c)}: {e(t)}</li>" for c, t in cells) + "</ul>"]
    return _page(f"{name}: answer key", body)
