"""Answer tables as students write them: Markdown, CSV/TSV or YAML, loose headers, cells as written."""
from __future__ import annotations

import ast
import bisect
import functools
import re
from dataclasses import dataclass, replace

import yaml

from ..errors import decode, read_input
from ..kinds import Shape, normal
from . import forms, markup
from .columns import COLUMN_NAMES, COLUMN_TITLES, COLUMNS, header_key, split_cells  # noqa: F401
from .layouts import aligned_grid, keras3_grid, kind_of_text, rejoin_numbers, sniff_delimiter, tab_grid, torch_grid
from .forms import AnswerError, Source
from .numbers import Count, Style, read_count

BLANKS = {"", "-", "--", "—", "–", "?", "??", "...", "…", "_", "tbd", "n/a", "na"}
INPUT_WORDS = {"input", "inputs", "inputlayer", "inputimage", "image", "img", "x", "a0", "data", "in",
               "eingabe", "entrée", "entree", "entrada", "ingresso"}
TOTAL_WORDS = {"total", "totals", "sum", "totalparams", "totalparameters", "gesamt", "summe", "somme"}


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """One row as the student wrote it: its label, its cells by column key, its line (1-based)."""
    label: str
    cells: dict[str, str]
    line: int | None = None


@dataclass(frozen=True)
class AnswerTable:
    path: str
    rows: tuple[Row, ...]
    headers: dict[str, str]            # column key -> header as written
    ignored: tuple[str, ...] = ()      # headers that name no graded column
    has_labels: bool = True
    form: str = ""                     # how it was read: md, csv, tsv, yaml, aligned, keras3, ...
    others: tuple[str, ...] = ()       # cells of the columns not graded (their number style counts)


def read_answers(path: str, fmt: str | None = None) -> AnswerTable:
    """Read a table of answers from a file (`-` for stdin), chosen by its bytes (a notebook, an
    .xlsx workbook, a PDF with text, or text), then for text by `fmt` (md, csv, tsv, yaml, html,
    latex, rst, ...) or None to decide by the extension, then by the text."""
    data = read_input(path, AnswerError, "a table of answers", "the student's table (Markdown, CSV or YAML)")
    kind = forms.kind_of_bytes(data)
    fmt = fmt.lower() if fmt else None
    if kind not in ("text", "utf-16"):
        forms.forced(fmt, kind, False, path)
    if kind == "zip":
        from .office import xlsx_grid
        grid, form = xlsx_grid(data, path)
        return parse_grid(grid, path, form)
    if kind == "pdf":
        from .office import pdf_text
        return _first_table([Source(pdf_text(data, path), None, "pdf")], path, "PDF")
    if kind not in ("text", "utf-16"):
        forms.refuse(data, path)
    text = forms.utf16(data, path) if kind == "utf-16" else decode(data, path, AnswerError)
    notebook = forms.looks_like_notebook(text)
    forms.forced(fmt, kind, notebook, path)
    if notebook:
        cells = forms.notebook_texts(text, path)
        return _first_table([c for c in cells if "markdown" in c.form] + [c for c in cells if "markdown" not in c.form],
                            path, "Jupyter notebook")
    return parse_answers(text, path, fmt)


def _first_table(sources: list[Source], path: str, what: str) -> AnswerTable:
    """The first of the candidate texts that reads as a table."""
    first = None
    for src in sources:
        try:
            return replace(parse_answers(src.text, path, src.fmt), form=src.form)
        except AnswerError as e:
            first = first or e
    if first is not None and len(sources) == 1:
        raise first
    raise AnswerError(f"is a {what} with no table of answers: no cell holds a table naming Activation shape, "
                      "Activation size or # parameters, and no output is a model.summary()", path=path)


def parse_grid(grid: list[tuple[int, list[str]]], path: str, form: str) -> AnswerTable:
    """A grid read from a structured file (a workbook): (line, cells) for the header and each row."""
    try:
        return replace(_table_from_grid(grid, path), form=form)
    except AnswerError as e:
        raise e.located(path=path) from None


FORMATS = {"md": "md", "markdown": "md", "csv": "csv", "tsv": "tsv", "tab": "tsv", "txt": None,
           "text": None, "yaml": "yaml", "yml": "yaml", "aligned": "aligned", "summary": "summary",
           "keras3": "summary", "keras2": "summary", "torchinfo": "summary", "org": "md", "html": "html",
           "htm": "html", "xhtml": "html", "tex": "latex", "latex": "latex", "rst": "rst", "rest": "rst", "ipynb": None,
           "torchsummary": "summary", "csv-semicolon": "csv"}
FORMS = ("md", "csv", "tsv", "yaml", "aligned", "summary", "html", "latex", "rst")
MARKUP = {"html": markup.html_grid, "latex": markup.latex_grid, "rst": markup.rst_grid}


def sniff(text: str) -> str:
    if kind_of_text(text):
        return "summary"
    if re.search(r"<table\b", text, re.I):
        return "html"
    if re.search(r"\\begin\{(tabular|longtable)", text):
        return "latex"
    if re.search(r"^\s*\+-+\+", text, re.M) or re.search(r"^\s*={2,}(\s+={2,})+\s*$", text, re.M):
        return "rst"
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if any(ln.lstrip().startswith("|") and ln.count("|") >= 3 for ln in lines):
        return "md"
    if lines and (lines[0].lstrip().startswith("- ") or re.match(r"^[^,;|\t]*:\s*(\{|$)", lines[0])):
        return "yaml"
    for ln in lines[:40]:  # the header: the first line naming a graded column
        for sep in ("\t", ";", ",", "|"):
            cells = [c for c in split_cells(ln, sep) if c]
            if len(cells) >= 2 and any(header_key(c) in COLUMNS for c in cells):
                return {"\t": "tsv", "|": "csv"}.get(sep, "csv")
        if aligned_grid(ln):
            return "aligned"
    if any("\t" in ln for ln in lines):
        return "tsv"
    return "csv"


def parse_answers(text: str, path: str = "<answers>", fmt: str | None = None) -> AnswerTable:
    """Parse answer text; errors carry path and line."""
    if fmt is None:
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        fmt = FORMATS.get(ext) or sniff(text)
    semicolon = fmt is not None and fmt.lower() == "csv-semicolon"  # LibreOffice's `;` CSV
    fmt = FORMATS.get(fmt.lower(), fmt.lower()) if fmt else fmt
    if fmt not in FORMS:
        raise AnswerError(f"unknown answers format `{fmt}`; use md, csv, tsv, yaml, aligned, summary, html, "
                          "latex or rst", path=path)
    if fmt == "md" and kind_of_text(text) and not re.search(r"^\s*\|.*\|.*\|", text, re.M):
        fmt = "summary"  # a model.summary() pasted into a .md file
    lines = text.count("\n") + (not text.endswith("\n"))
    if lines > MAX_ANSWER_LINES:  # each row is matched against every layer: bounded before the work
        raise AnswerError(f"has {lines:,} lines, more than the {MAX_ANSWER_LINES:,} an answer table may have "
                          "(a table of the largest zoo network, pasted as a Keras summary, has about "
                          "2,500); hand in the table alone", path=path)
    if not text.strip():
        raise AnswerError("is empty; it should hold a table with a layer column and any of "
                          "activation shape, activation size, # parameters", path=path)
    try:
        if fmt == "yaml":
            return _yaml_table(text, path)
        form = fmt
        if fmt == "summary":
            form = kind_of_text(text) or "aligned"
            grid = keras3_grid(text) if form == "keras3" else torch_grid(text, form) \
                if form.startswith("torch") else aligned_grid(text)
            if len(grid) < 2:
                raise AnswerError(f"reads as a pasted {form} summary but has no layer rows; paste the "
                                  "whole table with its header")
        elif fmt == "aligned":
            grid = aligned_grid(text)
            if not grid:
                raise AnswerError("has no table: no line names a graded column (Activation shape, "
                                  "Activation size, # parameters) with columns 2+ spaces apart")
        elif fmt in MARKUP:
            grid = MARKUP[fmt](text)
        else:
            grid = _markdown_grid(text) if fmt == "md" else _delimited_grid(text, fmt, ";" if semicolon else None)
        return replace(_table_from_grid(grid, path), form=form)
    except AnswerError as e:
        raise e.located(path=path) from None


def _markdown_grid(text: str) -> list[tuple[int, list[str]]]:
    """The first pipe table: (line, cells) for the header and every row, separator dropped."""
    grid: list[tuple[int, list[str]]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s.startswith("|"):
            if grid and any(header_key(c) in COLUMNS for c in grid[0][1]):
                break  # the table ended
            grid = []
            continue
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", s.strip("|"))]
        if all(re.fullmatch(r"[:+]?-{2,}[-+:]*", c) for c in cells if c) and any(cells):  # org: |---+---|
            continue
        grid.append((lineno, cells))
    if not grid:
        raise AnswerError("has no Markdown table (lines starting with `|`); write "
                          "`| Layer | Activation shape | Activation size | # parameters |`")
    return grid


def _delimited_grid(text: str, fmt: str, sep: str | None = None) -> list[tuple[int, list[str]]]:
    lines = list(enumerate(text.splitlines(), start=1))
    if fmt == "tsv":
        # the notes' table sits among prose: take the first block of tab-separated lines
        block: list[tuple[int, str]] = []
        for lineno, line in lines:
            if "\t" in line:
                block.append((lineno, line))
            elif block and line.strip():
                break
        lines = block
    else:
        lines = [(n, ln) for n, ln in lines if ln.strip()]
        # free text before the table: start at the first line naming a graded column
        for i, (_, ln) in enumerate(lines):
            if any(header_key(c) in COLUMNS for sep in ";,\t|" for c in split_cells(ln, sep)
                   if len(split_cells(ln, sep)) >= 2):
                sideways = [len(cells) for sep in ";,\t|" if len(cells := split_cells(ln, sep)) >= 2
                            and header_key(cells[0]) in COLUMNS]
                if i and sideways and len(split_cells(lines[i - 1][1], sniff_delimiter([ln]))) == sideways[0]:
                    i -= 1  # a table written sideways: its first line holds the layers
                lines = lines[i:]
                break
    if not lines:
        raise AnswerError("has no rows")
    if fmt == "tsv":
        return tab_grid(lines)
    sep = sep or sniff_delimiter([ln for _, ln in lines])
    grid = [(n, split_cells(ln, sep)) for n, ln in lines]
    width = len(grid[0][1])
    out = [grid[0]]
    for n, cells in grid[1:]:
        if len(cells) > width and sep == ",":
            cells = rejoin_numbers(cells, width)
        if len(cells) > width and all(not c for c in cells[width:]):
            cells = cells[:width]
        if len(cells) < 2 and out and len(out) > 1 and not re.search(r"\d", "".join(cells)):
            break  # prose after the table
        out.append((n, cells))
    return out


def transposed(grid: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]] | None:
    """A table written sideways (layers as columns, quantities as rows) turned upright; each
    layer's row keeps the header's line."""
    rest = [c for _, c in grid[1:] if any(c)]
    if not rest or len(grid[0][1]) < 3 or not all(len(c) >= 2 and len(c[0]) <= 40 and header_key(c[0]) in COLUMNS
                                                  for c in rest):
        return None
    width = max(len(c) for _, c in grid)
    cols = [c + [""] * (width - len(c)) for _, c in grid]
    head = [cols[0][0] or "Layer"] + [c[0] for c in cols[1:]]
    return [(grid[0][0], head)] + [(grid[0][0], [c[j] for c in cols]) for j in range(1, width)]


def _headerless(grid: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]] | None:
    """A table pasted without its header (the notes' `block1_conv1 (Conv2D) (224, 224, 64)`):
    the first column is the label, a column of shapes (two or more numbers) is the shape."""
    width = len(grid[0][1])
    if width < 2 or len(grid) < 3 or any(len(c) != width for _, c in grid):
        return None
    shape_cols = [j for j in range(1, width)
                  if all(re.fullmatch(r"\(?\[?\s*(None,\s*)?\d+(\s*[,x×]\s*\d+)+\s*\]?\)?", c[j].strip())
                         for _, c in grid)]
    if len(shape_cols) != 1:
        return None
    header = ["Layer"] + ["Output shape" if j == shape_cols[0] else f"column {j + 1}" for j in range(1, width)]
    return [(grid[0][0], header)] + grid


def _table_from_grid(grid: list[tuple[int, list[str]]], path: str) -> AnswerTable:
    head_line, header = grid[0]
    keys = [header_key(h) for h in header]
    if not any(k in COLUMNS for k in keys) and (turned := transposed(grid)):
        grid = turned
        head_line, header = grid[0]
        keys = [header_key(h) for h in header]
    if len(grid) == 1 and len([c for c in header if c]) == 1:
        raise AnswerError(f"holds only the text `{header[0][:60]}`, no table; {forms.HAND_IN}", line=head_line)
    if not any(k in COLUMNS for k in keys) and (guessed := _headerless(grid)):
        grid = guessed
        head_line, header = grid[0]
        keys = [header_key(h) for h in header]
    if not any(k in COLUMNS for k in keys):
        raise AnswerError(f"the header `{' | '.join(header)}` names no graded column; name them like "
                          "`Activation shape`, `Activation size`, `# parameters`", line=head_line)
    headers: dict[str, str] = {}
    layer_col = None
    named = [i for i, (k, h) in enumerate(zip(keys, header)) if k == "layer" and re.search(r"(?i)layer|name", h)]
    for i, (k, h) in enumerate(zip(keys, header)):
        if k == "layer":
            layer_col = i if layer_col is None else layer_col
        elif k in COLUMNS:
            if k in headers:
                raise AnswerError(f"two columns are read as {COLUMN_TITLES[k]}: `{headers[k]}` and "
                                  f"`{h}`; keep one", line=head_line)
            headers[k] = h
    if named:
        layer_col = named[0]  # `| # | Layer | ...`: the names, not the row numbers
    if layer_col is None and keys[0] is None:
        layer_col = 0  # an unrecognised first header: the labels
    ignored = tuple(h for i, (k, h) in enumerate(zip(keys, header)) if k is None and i != layer_col)
    rows = []
    for lineno, cells in grid[1:]:
        if not any(cells):
            continue
        if len(cells) > len(header):
            extra = ", ".join(cells[len(header):])
            raise AnswerError(f"the row has {len(cells)} cells but the header has {len(header)} "
                              f"(extra: {extra}); quote cells that hold the separator, e.g. \"6,272\"",
                              line=lineno)
        cells = cells + [""] * (len(header) - len(cells))
        label = cells[layer_col] if layer_col is not None else ""
        rows.append(Row(label, {k: c for k, c in zip(keys, cells) if k in COLUMNS}, lineno))
    if not rows:
        raise AnswerError("the table has a header but no rows", line=head_line)
    others = tuple(c for _, cells in grid[1:] for i, c in enumerate(cells[:len(keys)])
                   if keys[i] is None and i != layer_col and c)
    return AnswerTable(path, tuple(rows), headers, ignored, layer_col is not None, others=others)


def _yaml_table(text: str, path: str) -> AnswerTable:
    """A list of mappings (`- {layer: CONV1, shape: [28, 28, 8], params: 608}`) or a mapping
    from layer label to mapping, optionally under `answers:`/`rows:`/`table:`. Scalars are
    read as the text written (YAML does not reinterpret `6,272` or `1e3`)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise AnswerError(f"YAML syntax error: {e.problem or e.context}",
                          line=mark.line + 1 if mark else None, col=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as e:
        raise AnswerError(f"YAML error: {e}") from None
    if isinstance(root, yaml.MappingNode):
        # `answers:` (or rows/table/layers) holds the table; other keys (student: ...) are notes
        inner = [v for k, v in root.value if isinstance(k, yaml.ScalarNode)
                 and normal(str(k.value)) in ("answers", "rows", "table", "layers")]
        if len(inner) == 1 and isinstance(inner[0], (yaml.SequenceNode, yaml.MappingNode)):
            root = inner[0]

    def text_of(node) -> str:
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        if isinstance(node, yaml.SequenceNode) and all(isinstance(v, yaml.ScalarNode) for v in node.value):
            return "(" + ", ".join(v.value for v in node.value) + ")"
        raise AnswerError("a cell must be a number, a shape like [28, 28, 8] or text, not a nested "
                          "mapping", line=node.start_mark.line + 1, col=node.start_mark.column + 1)

    def row(label: str, node, line: int) -> Row:
        if not isinstance(node, yaml.MappingNode):
            raise AnswerError("each row must be a mapping like `{layer: CONV1, shape: [28, 28, 8], "
                              "size: 6272, params: 608}`", line=line, col=node.start_mark.column + 1)
        cells: dict[str, str] = {}
        for k, v in node.value:
            key = header_key(str(k.value))
            if key == "layer":
                label = text_of(v)
            elif key in COLUMNS:
                cells[key] = text_of(v)
                headers.setdefault(key, COLUMN_TITLES[key])
            else:
                ignored.add(str(k.value))
        return Row(label, cells, line)

    headers: dict[str, str] = {}
    ignored: set[str] = set()
    rows: list[Row] = []
    if isinstance(root, yaml.SequenceNode):
        rows = [row("", item, item.start_mark.line + 1) for item in root.value]
    elif isinstance(root, yaml.MappingNode):
        rows = [row(text_of(k), v, k.start_mark.line + 1) for k, v in root.value]
    else:
        raise AnswerError("a YAML table must be a list of rows or a mapping from layer to row, "
                          "e.g. `CONV1: {shape: [28, 28, 8], size: 6272, params: 608}`",
                          line=root.start_mark.line + 1 if root is not None else None)
    if not rows or not headers:
        raise AnswerError("the YAML names no graded value; give each row any of `shape`, `size`, `params`")
    labelled = any(r.label for r in rows)
    return AnswerTable(path, tuple(rows), headers, tuple(sorted(ignored)), labelled, form="yaml")


# -- cells -----------------------------------------------------------------------------------
MARKS = re.compile(r"(←|→|⟵|⬅|<-+|✓|✔|✗|✘|❌|`)")
_INT = re.compile(r"[+-]?\d{1,3}(?:[,_\u202f\u00a0 '’]\d{3})+|[+-]?\d+")


# The annotations a cell may end with (`?`, `*`, daggers, `[1]`, `(approx.)`, `params`), each
# written backwards and matched at the start of the reversed cell: one anchored match, linear
# time (the forward `(...+)+$` backtracked exponentially on a cell of 5,000 stars).
TRAILING_REVERSED = re.compile(r"(?:(?:\?+|\*+|[†‡§¶¹²³⁴⁵⁶⁷⁸⁹⁰]+|\]\d{1,2}\[|\)(?:\?|\.?xorppa|\.?ac)\(|"
                               r"\.?(?:smarap|sretemarap|sthgiew|seulav|stinu)\s*(?=\d))\s*)+", re.I)
DELIMITERS = {"*": ("**", "*"), "_": ("__", "_")}


def trailing_off(text: str) -> str:
    """The cell without the annotations it ends with."""
    m = TRAILING_REVERSED.match(text[::-1])
    return text[:len(text) - m.end()] if m else text


def emphasis_off(text: str) -> str:
    r"""Markdown emphasis (`**bold**`, `_italic_`) replaced by its content, as
    re.sub(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)", r"\2", text) does, in O(n log n): each
    opening's closing is looked up among the precomputed valid closings instead of scanned
    for (that regex took 120 s on a cell of 40,000 marks)."""
    if "*" not in text and "_" not in text:
        return text
    marks = [m.start() for m in re.finditer(r"[*_]", text)]
    if len(marks) < 2:
        return text
    n = len(text)
    space = {m.start() for m in re.finditer(r"\s", text)}
    word = {m.start() for m in re.finditer(r"\w", text)}
    newlines = [m.start() for m in re.finditer(r"\n", text)]
    closings = {d: [c for c in marks if text.startswith(d, c) and c - 1 not in space and c + len(d) not in word]
                for d in ("**", "*", "__", "_")}
    out, last, k = [], 0, 0
    while k < len(marks):
        i = marks[k]
        if i < last:
            k += 1
            continue
        for d in DELIMITERS[text[i]]:
            s = i + len(d)
            if not text.startswith(d, i) or s >= n or s in space:
                continue
            j, e = bisect.bisect_left(closings[d], s + 1), bisect.bisect_left(newlines, s)
            if j < len(closings[d]) and not (e < len(newlines) and newlines[e] < closings[d][j]):
                out += [text[last:i], text[s:closings[d][j]]]
                last = closings[d][j] + len(d)
                break
        k += 1
    return "".join(out) + text[last:]


def clean(text: str) -> str:
    """Drop arrows, check marks, Markdown emphasis and LaTeX annotations: `3,072 $a^{(0)}$`
    -> `3,072`; a cell written entirely in LaTeX keeps its content (`\\times` -> `*`).
    Trailing question marks, footnote stars and daggers go too: `608*`, `6272 ?`.
    A short cell is cleaned once however many layouts the checker tries on the table."""
    return _clean_short(text) if len(text) <= 200 else _clean(text)


def _clean(text: str) -> str:
    t = emphasis_off(MARKS.sub("", text)).strip()
    t = re.sub(r"^[~≈]\s*", "", trailing_off(t).strip())
    bare = re.sub(r"\$[^$]*\$", "", t).strip()
    if re.search(r"\d", bare):
        t = bare
    else:
        t = t.replace("$", "")
        t = re.sub(r"\\(times|cdot)", "*", t)
        t = re.sub(r"\\left|\\right|\\,|\\;|[{}]", "", t)
    return t.strip()


_clean_short = functools.lru_cache(maxsize=1 << 16)(_clean)


def is_blank(text: str) -> bool:
    return clean(text).lower().strip(" _") in BLANKS


def parse_count(text: str, style: Style = Style(), expected: int | None = None) -> Count:
    """A count in any style (numbers.py: `3.072`, `30,00,000`, `3.07M`, `6.272e3`) or an
    integer expression `(5*5*3+1)*8`; `... = 608` reads the value after the last `=`."""
    t = clean(text)
    if "=" in t:
        t = t.rsplit("=", 1)[1].strip()
    got = read_count(t, style, expected)
    return got if got is not None else Count(parse_int(t))


def parse_int(text: str) -> int:
    """`6,272`, `6272`, `6 272`, `48_120`, `(5*5*3 + 1)*8 = 608` (the value after the last `=`),
    or an integer expression `(5*5*3+1)*8`."""
    t = clean(text)
    if "=" in t:
        t = t.rsplit("=", 1)[1].strip()
    longest = max((len(run) for run in re.findall(r"\d+", t)), default=0)
    if longest > 18 or len(t) > 200:  # before int() or ast: no count needs 19 digits
        raise ValueError(f"cannot read `{text[:40]}...`: a number of {longest:,} digits (or an expression of "
                         f"{len(t):,} characters) is no count of a network; write e.g. 6,272")
    if _INT.fullmatch(t):
        return int(re.sub(r"[^\d+-]", "", t))
    expr = re.sub(r"(?<=\d)[ ,_](?=\d{3}\b)", "", t)
    expr = re.sub(r"[×xX·⋅∙]", "*", expr).replace("^", "**")
    try:
        return _eval(ast.parse(expr, mode="eval").body, text)
    except (SyntaxError, RecursionError, MemoryError):
        raise ValueError(f"cannot read `{text}` as a whole number; write e.g. 6,272 or 6272") from None


MAX_ANSWER_LINES = 5_000  # lines of an answer table
MAX_VALUE = 10 ** 18  # no count of a network reaches it


def _bounded(value: int, text: str) -> int:
    if abs(value) > MAX_VALUE:
        raise ValueError(f"cannot read `{text}`: the value has {len(str(abs(value)))} digits, beyond any count")
    return value


def _eval(node, text: str) -> int:
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        v = _eval(node.operand, text)
        return v if isinstance(node.op, ast.UAdd) else -v
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)):
        a, b = _eval(node.left, text), _eval(node.right, text)
        if isinstance(node.op, ast.Pow):
            if not 0 <= b <= 8:
                raise ValueError(f"cannot read `{text}`: only powers up to 8 are read")
            if a and len(str(abs(a))) * b > 40:  # bound the result before computing it
                raise ValueError(f"cannot read `{text}`: {a}^{b} is far beyond any count")
            return _bounded(a ** b, text)
        if isinstance(node.op, (ast.Div, ast.FloorDiv)):
            if b == 0 or a % b:
                raise ValueError(f"`{text}` is not a whole number")
            return a // b
        if isinstance(node.op, ast.Mult) and len(str(abs(a))) + len(str(abs(b))) > 40:
            raise ValueError(f"cannot read `{text}`: the product is far beyond any count")
        return _bounded({ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)], text)
    raise ValueError(f"cannot read `{text}` as a whole number; write e.g. 6,272 or 6272")


BATCH = {"none", "?", "n", "b", "batch", "-1", "m"}


def parse_shape(text: str) -> Shape:
    """`(28,28,8)`, `28x28x8`, `28×28×8`, `[28, 28, 8]`, `(None, 28, 28, 8)` -> (28, 28, 8)."""
    t = clean(text)
    if "=" in t:
        t = t.rsplit("=", 1)[1].strip()
    parts = [p for p in re.split(r"[\s,x×X*·⋅∙]+", re.sub(r"[()\[\]{}]", " ", t)) if p]
    if parts and parts[0].lower() in BATCH and len(parts) > 1:
        parts = parts[1:]
    if not parts or not all(p.isdigit() for p in parts):
        raise ValueError(f"cannot read `{text}` as a shape; write it like (28, 28, 8) or 28x28x8")
    return tuple(int(p) for p in parts)


def same_shape(given: Shape, expected: Shape) -> bool:
    """Equal, reading a flat (n,) as the column (n, 1) or row (1, n) the notes write."""
    if given == expected:
        return True
    return len(expected) == 1 and given in ((expected[0], 1), (1, expected[0]))
