"""Grade a student's table of activation shapes, sizes and parameters against a spec.

read_answers -> AnswerTable (Markdown, CSV/TSV or YAML; loose headers; cells as written)
check_table  -> Report: one Verdict per given cell, rows matched to layers, rows that match
                no layer, layers with no row.

The expected values come from `infer`. A wrong cell is explained by re-computing the layer
with one deliberate error at a time (the table MISTAKES below lists them): a modified layer
(`dataclasses.replace(layer, bias=False)`, a one-channel input, ...) or a formula from
`formulas` called with the wrong argument. A diagnosis is given only when that re-computation
gives exactly the student's number, so it is a fact about the arithmetic, not a guess.
"""
from __future__ import annotations

import ast
import dataclasses
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import yaml

from . import formulas as F
from .errors import CnncalcError, read_text
from .infer import LayerResult, Summary, infer_layer
from .kinds import (Activation, BatchNorm, Conv, ConvTranspose, Dense, DepthwiseConv, Dropout,
                     Flatten, GlobalPool, Pool, Shape, fmt_shape, normal)
from .kinds import GroupNorm, LayerNorm, SeparableConv
from .render import folded, num

COLUMNS = ("shape", "size", "params")
COLUMN_NAMES = {"shape": "activation_shape", "size": "activation_size", "params": "params"}
COLUMN_TITLES = {"shape": "Activation shape", "size": "Activation size", "params": "# parameters"}
BLANKS = {"", "-", "--", "—", "–", "?", "??", "...", "…", "_", "tbd", "n/a", "na"}
INPUT_WORDS = {"input", "inputs", "inputlayer", "inputimage", "image", "img", "x", "a0", "data", "in"}
TOTAL_WORDS = {"total", "totals", "sum", "totalparams", "totalparameters"}


class AnswerError(CnncalcError):
    """The answers file cannot be read as a table (exit status 2)."""


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


def header_key(text: str) -> str | None:
    """'# parameters', 'Params', '#params' -> 'params'; 'Activation Size' -> 'size';
    'Output shape' -> 'shape'; '', 'Layer', 'Name' -> 'layer'; anything else None."""
    word = re.sub(r"[^a-z0-9]", "", text.lower())
    if "shape" in word or "dim" in word or word in ("output", "outputs", "out"):
        return "shape"
    if "param" in word or word in ("weights", "learnable", "nparams"):
        return "params"
    if "size" in word or word.startswith("activation") or word in ("numel", "elements", "neurons"):
        return "size"
    if word in ("", "index", "no", "nr", "type", "kind") or "layer" in word or "name" in word:
        return "layer"
    return None


def read_answers(path: str, fmt: str | None = None) -> AnswerTable:
    """Read a table of answers from a file (`-` for stdin). `fmt`: md, csv, tsv, yaml or None
    to decide by the extension, then by the text."""
    text = read_text(path, AnswerError, "a table of answers",
                     "the student's table (Markdown, CSV or YAML)")
    return parse_answers(text, path, fmt)


FORMATS = {"md": "md", "markdown": "md", "csv": "csv", "tsv": "tsv", "tab": "tsv", "txt": None,
           "yaml": "yaml", "yml": "yaml"}


def sniff(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if any(ln.lstrip().startswith("|") for ln in lines):
        return "md"
    if any("\t" in ln for ln in lines):
        return "tsv"
    if lines and (lines[0].lstrip().startswith("- ") or re.match(r"^[^,|]*:\s*(\{|$)", lines[0])):
        return "yaml"
    return "csv"


def parse_answers(text: str, path: str = "<answers>", fmt: str | None = None) -> AnswerTable:
    """Parse answer text; errors carry path and line."""
    if fmt is None:
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        fmt = FORMATS.get(ext) or sniff(text)
    fmt = FORMATS.get(fmt.lower(), fmt.lower()) if fmt else fmt
    if fmt not in ("md", "csv", "tsv", "yaml"):
        raise AnswerError(f"unknown answers format `{fmt}`; use md, csv, tsv or yaml", path=path)
    if not text.strip():
        raise AnswerError("is empty; it should hold a table with a layer column and any of "
                          "activation shape, activation size, # parameters", path=path)
    try:
        if fmt == "yaml":
            return _yaml_table(text, path)
        grid = _markdown_grid(text) if fmt == "md" else _delimited_grid(text, fmt)
        return _table_from_grid(grid, path)
    except AnswerError as e:
        raise e.located(path=path) from None


def _split_cells(line: str, sep: str) -> list[str]:
    """Split on `sep` outside quotes, parentheses and brackets: `CONV1,(28,28,8),6272`."""
    cells, cur, depth, quote = [], [], 0, False
    for ch in line:
        if ch == '"':
            quote = not quote
            continue
        if not quote:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(depth - 1, 0)
            elif ch == sep and depth == 0:
                cells.append("".join(cur))
                cur = []
                continue
        cur.append(ch)
    cells.append("".join(cur))
    return [c.strip() for c in cells]


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
        if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c) and any(cells):
            continue
        grid.append((lineno, cells))
    if not grid:
        raise AnswerError("has no Markdown table (lines starting with `|`); write "
                          "`| Layer | Activation shape | Activation size | # parameters |`")
    return grid


def _delimited_grid(text: str, fmt: str) -> list[tuple[int, list[str]]]:
    lines = list(enumerate(text.splitlines(), start=1))
    if fmt == "tsv":
        # the notes' table sits among prose: take the first block of tab-separated lines
        block: list[tuple[int, str]] = []
        for lineno, line in lines:
            if "\t" in line:
                block.append((lineno, line))
            elif block and line.strip():
                break
        lines, sep = block, "\t"
    else:
        lines = [(n, ln) for n, ln in lines if ln.strip()]
        head = lines[0][1] if lines else ""
        sep = ";" if head.count(";") > head.count(",") else ","
    if not lines:
        raise AnswerError("has no rows")
    if fmt == "tsv":
        return [(n, [c.strip() for c in ln.split("\t")]) for n, ln in lines]
    return [(n, _split_cells(ln, sep)) for n, ln in lines]


def _table_from_grid(grid: list[tuple[int, list[str]]], path: str) -> AnswerTable:
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
    return AnswerTable(path, tuple(rows), headers, ignored, layer_col is not None)


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
    return AnswerTable(path, tuple(rows), headers, tuple(sorted(ignored)), labelled)


# -- cells -----------------------------------------------------------------------------------
MARKS = re.compile(r"(←|→|⟵|⬅|<-+|✓|✔|✗|✘|❌|`)")
EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1(?!\w)")  # **bold**, _italic_
_INT = re.compile(r"[+-]?\d{1,3}(?:[,_\u202f\u00a0 '’]\d{3})+|[+-]?\d+")


def clean(text: str) -> str:
    """Drop arrows, check marks, Markdown emphasis and LaTeX annotations: `3,072 $a^{(0)}$`
    -> `3,072`; a cell written entirely in LaTeX keeps its content (`\\times` -> `*`)."""
    t = EMPHASIS.sub(r"\2", MARKS.sub("", text)).strip()
    bare = re.sub(r"\$[^$]*\$", "", t).strip()
    if re.search(r"\d", bare):
        t = bare
    else:
        t = t.replace("$", "")
        t = re.sub(r"\\(times|cdot)", "*", t)
        t = re.sub(r"\\left|\\right|\\,|\\;|[{}]", "", t)
    return t.strip()


def is_blank(text: str) -> bool:
    return clean(text).lower().strip(" _") in BLANKS


def parse_int(text: str) -> int:
    """`6,272`, `6272`, `6 272`, `48_120`, `(5*5*3 + 1)*8 = 608` (the value after the last `=`),
    or an integer expression `(5*5*3+1)*8`."""
    t = clean(text)
    if "=" in t:
        t = t.rsplit("=", 1)[1].strip()
    if _INT.fullmatch(t):
        return int(re.sub(r"[^\d+-]", "", t))
    expr = re.sub(r"(?<=\d)[ ,_](?=\d{3}\b)", "", t)
    expr = re.sub(r"[×xX·⋅∙]", "*", expr).replace("^", "**")
    try:
        return _eval(ast.parse(expr, mode="eval").body, text)
    except (SyntaxError, RecursionError, MemoryError):
        raise ValueError(f"cannot read `{text}` as a whole number; write e.g. 6,272 or 6272") from None


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
            return a ** b
        if isinstance(node.op, (ast.Div, ast.FloorDiv)):
            if b == 0 or a % b:
                raise ValueError(f"`{text}` is not a whole number")
            return a // b
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
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


# -- the arithmetic, written out with the numbers --------------------------------------------
def _spatial_text(r: LayerResult) -> str:
    layer, parts = r.layer, []
    for a, o in zip(r.axes, r.output_shape):
        span = f"{a.f}" if a.d == 1 else f"{a.d}*({a.f}-1)+1"
        pad = f"2*{a.pad[0]}" if a.pad[0] == a.pad[1] else f"{a.pad[0]} + {a.pad[1]}"
        if isinstance(layer, ConvTranspose):
            if isinstance(layer.padding, str):
                parts.append(f"{o} ('{layer.padding}' transposed rule)")
            else:
                parts.append(f"({a.n}-1)*{a.s} - {pad} + {span} + {o - ((a.n - 1) * a.s - sum(a.pad) + F.effective_kernel(a.f, a.d))} = {o}")
        elif getattr(layer, "padding", None) == "same" and isinstance(layer, Pool):
            parts.append(f"ceil({a.n}/{a.s}) = {o} ('same')")
        elif getattr(layer, "ceil_mode", False):
            parts.append(f"ceil(({a.n} + {pad} - {span})/{a.s}) + 1 = {o}")
        else:
            same = " ('same')" if getattr(layer, "padding", None) == "same" else ""
            parts.append(f"floor(({a.n} + {pad} - {span})/{a.s}) + 1 = {o}{same}")
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(len(parts), ())
    if len(set(parts)) == 1:
        return parts[0] + (f" for {' and '.join(names)}" if len(parts) > 1 else "")
    return "; ".join(f"{n}: {p}" for n, p in zip(names, parts))


def shape_formula(r: LayerResult) -> str:
    layer, inp, out = r.layer, r.input_shape, r.output_shape
    if r.axes and isinstance(layer, (Conv, DepthwiseConv, ConvTranspose, Pool)):
        chans = (f"{out[-1]} filters" if isinstance(layer, (Conv, ConvTranspose))
                 else f"channels {out[-1]} as in the input" if isinstance(layer, Pool)
                 else f"{inp[-1]}*{layer.depth_multiplier} channels")
        return f"{_spatial_text(r)}; {chans} -> {fmt_shape(out)}"
    if isinstance(layer, Flatten):
        return f"{'*'.join(map(str, inp))} = {out[0]:,} -> {fmt_shape(out)}"
    if isinstance(layer, Dense):
        return f"one value per unit: {layer.units} units -> {fmt_shape(out)}"
    if isinstance(layer, GlobalPool):
        return f"one value per channel -> {fmt_shape(out)}"
    if out == inp:
        return f"the same as its input {fmt_shape(inp)}"
    return fmt_shape(out)


def size_formula(shape: Shape) -> str:
    n = F.product(shape)
    return f"{'*'.join(map(str, shape))} = {num(n)}" if len(shape) > 1 else num(n)


def _kv(r: LayerResult) -> str:
    return "*".join(str(a.f) for a in r.axes)


def params_formula(r: LayerResult) -> str:
    layer, c = r.layer, r.input_shape[-1]
    total = num(r.params)
    if isinstance(layer, Conv):
        g, k, kv = layer.groups, layer.filters, _kv(r)
        cin = f"{c}" if g == 1 else f"({c}/{g})"
        if layer.bias and g == 1:
            return f"({kv}*{c} + 1)*{k} = {total}"
        return f"{kv}*{cin}*{k}" + (f" + {k}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, DepthwiseConv):
        m = layer.depth_multiplier
        return f"{_kv(r)}*{c}*{m}" + (f" + {c * m}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, ConvTranspose):
        k = layer.filters
        out = f"{k}" if layer.groups == 1 else f"({k}/{layer.groups})"
        return f"{_kv(r)}*{c}*{out}" + (f" + {k}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, Dense):
        return f"{c}*{layer.units}" + (f" + {layer.units}" if layer.bias else "") + f" = {total}"
    if isinstance(layer, BatchNorm):
        return (f"4*{c} = {total} (gamma, beta, moving mean, moving variance)" if layer.affine
                else f"2*{c} = {total} (moving mean and variance)")
    if r.params == 0:
        return f"0: {_what(layer)} learns nothing"
    return total


def _what(layer) -> str:
    if isinstance(layer, Pool):
        return f"{'max' if layer.kind.startswith('max') else 'average'} pooling"
    return {Flatten: "flatten", Dropout: "dropout", GlobalPool: "global pooling",
            Activation: f"the {layer.kind} activation"}.get(type(layer), layer.kind)


# -- known mistakes --------------------------------------------------------------------------
@dataclass(frozen=True)
class Context:
    """What a mistake may look at: this layer's result, every result, the student's rows."""
    result: LayerResult
    position: int                              # 1-based index into summary.layers (0: input)
    summary: Summary
    given: dict[str, Any]                      # this row's parsed cells
    given_by_position: dict[int, dict[str, Any]]

    def previous_given(self) -> dict[str, Any] | None:
        """The student's row for this layer's input (the last row above it), if any; None
        when the layer names its inputs (a branch), as the row above need not be its input."""
        if self.result.layer.inputs is not None:
            return None
        for pos in range(self.position - 1, -1, -1):
            if pos in self.given_by_position:
                return self.given_by_position[pos]
            if pos > 0 and not folded(self.summary.layers[pos - 1].layer):
                return None
        return None


Candidate = tuple[Any, str]   # (the value the mistake gives, what the student did, with numbers)
MISTAKES: dict[str, list[Callable[[Context], Iterable[Candidate]]]] = {c: [] for c in COLUMNS}
SPECIFIC: set[str] = set()  # mistakes that run only for the kinds naming them in DIAGNOSES


def mistake(column: str, specific: bool = False):
    """Register a re-computation with one deliberate error for `column`. A `specific` one
    runs only for layers whose kind lists its name in `DIAGNOSES` (cnncalc/kinds)."""
    def register(fn):
        MISTAKES[column].append(fn)
        if specific:
            SPECIFIC.add(fn.__name__)
        return fn
    return register


def applicable(column: str, ctx: Context):
    """The mistakes of `column` that apply to this layer, in the order they were registered
    (the order is the order of likelihood)."""
    own = ctx.result.layer.DIAGNOSES or ()
    return [fn for fn in MISTAKES[column] if fn.__name__ not in SPECIFIC or fn.__name__ in own]


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except (CnncalcError, ZeroDivisionError, ValueError, TypeError):
        return None


def _replace(layer, **changes):
    return dataclasses.replace(layer, **changes)


def _window(ctx: Context) -> bool:
    return isinstance(ctx.result.layer, (Conv, DepthwiseConv, Pool)) and bool(ctx.result.axes)


# shapes ---------------------------------------------------------------------------------------
@mistake("shape")
def channels_first(ctx: Context) -> Iterable[Candidate]:
    out = ctx.result.output_shape
    if len(out) >= 2:
        yield (out[-1], *out[:-1]), (f"channels first {fmt_shape((out[-1], *out[:-1]))}: the course "
                                     f"and cnncalc write channels last (H, W, C) = {fmt_shape(out)}")
        for perm in itertools.permutations(out):
            if perm != out:
                yield perm, f"H/W/C order swapped: the same numbers in the order (H, W, C) are {fmt_shape(out)}"


@mistake("shape")
def carried_shape(ctx: Context) -> Iterable[Candidate]:
    prev = ctx.previous_given()
    r = ctx.result
    if prev and isinstance(prev.get("shape"), tuple) and len(r.input_shapes) == 1 \
            and not same_shape(prev["shape"], r.input_shape) and len(r.input_shape) > 1:
        got = _safe(lambda: r.layer.output_shape(prev["shape"]))
        if got is not None:
            yield got, (f"carried forward from your wrong input shape {fmt_shape(prev['shape'])} "
                        f"(should be {fmt_shape(r.input_shape)}): this step itself is right")


@mistake("shape", specific=True)
def ceil_for_floor(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and not isinstance(getattr(layer, "padding", 0), str) and not getattr(layer, "ceil_mode", False):
        # floor((n + s - 1 + 2p - f)/s) + 1 = ceil((n + 2p - f)/s) + 1: conv_out with n + s - 1
        spatial = tuple(_safe(lambda a=a: F.conv_out(a.n + a.s - 1, a.f, a.s, a.pad, a.d)) for a in r.axes)
        if None not in spatial:
            a = r.axes[0]
            span = a.f if a.d == 1 else F.effective_kernel(a.f, a.d)
            yield (*spatial, r.output_shape[-1]), (
                f"ceil instead of floor: ceil(({a.n} + 2*{a.pad[0]} - {span})/{a.s}) + 1 = {spatial[0]}; "
                f"the output size rounds down: floor(...) + 1 = {r.output_shape[0]}")


@mistake("shape", specific=True)
def plus_one_left_out(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    if _window(ctx) and getattr(r.layer, "padding", 0) != "same":
        a, out = r.axes[0], r.output_shape
        yield (*(o - 1 for o in out[:-1]), out[-1]), (
            f"the +1 left out: ({a.n} + 2*{a.pad[0]} - {a.f})/{a.s} = {out[0] - 1}, "
            f"but the output size is floor((n + 2p - f)/s) + 1 = {out[0]}")


@mistake("shape", specific=True)
def padding_forgotten(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.pad != (0, 0) for a in r.axes):
        got = _safe(lambda: _replace(layer, padding=0).output_shape(r.input_shape))
        p = r.axes[0].pad
        yield got, (f"padding forgotten: with p = 0 the output is {fmt_shape(got) if got else 'impossible'}; "
                    f"this layer pads " + (f"{p[0]} on each side" if p[0] == p[1] else f"{p[0]} before and {p[1]} after"))
        if p[0] == p[1] and not isinstance(layer.padding, str):
            once = _safe(lambda: _replace(layer, padding=[(a.pad[0], 0) for a in r.axes]).output_shape(r.input_shape))
            yield once, f"padding counted on one side only: the formula has 2p = 2*{p[0]}"


@mistake("shape", specific=True)
def stride_ignored(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.s > 1 for a in r.axes) and getattr(layer, "padding", 0) != "same":
        got = _safe(lambda: _replace(layer, stride=1).output_shape(r.input_shape))
        yield got, f"stride ignored: with s = 1 the output is {fmt_shape(got) if got else '-'}; the stride is {r.axes[0].s}"
    if _window(ctx) and layer.padding == "same" and any(a.s > 1 for a in r.axes):
        yield (*(a.n for a in r.axes), r.output_shape[-1]), (
            f"'same' padding keeps the size only at stride 1; with stride {r.axes[0].s} the output is "
            f"ceil({r.axes[0].n}/{r.axes[0].s}) = {r.output_shape[0]}")


@mistake("shape", specific=True)
def dilation_ignored(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if _window(ctx) and any(a.d > 1 for a in r.axes):
        got = _safe(lambda: _replace(layer, dilation=1).output_shape(r.input_shape))
        a = r.axes[0]
        yield got, f"dilation ignored: a dilated kernel spans d*(f-1)+1 = {a.d}*({a.f}-1)+1 = {F.effective_kernel(a.f, a.d)}"


@mistake("shape", specific=True)
def channels_kept(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    if isinstance(r.layer, (Conv, ConvTranspose)) and r.input_shape[-1] != r.output_shape[-1]:
        yield (*r.output_shape[:-1], r.input_shape[-1]), (
            f"kept the input's {r.input_shape[-1]} channels: a conv layer outputs one channel per "
            f"filter, {r.output_shape[-1]}")


@mistake("shape", specific=True)
def weight_shape(ctx: Context) -> Iterable[Candidate]:
    r = ctx.result
    if isinstance(r.layer, Dense):
        n, u = r.input_shape[0], r.layer.units
        yield (n, u), f"that is the shape of the weight matrix ({n}, {u}); the activation is {fmt_shape(r.output_shape)}"
        yield (u, n), f"that is the shape of the weight matrix ({u}, {n}); the activation is {fmt_shape(r.output_shape)}"
    if isinstance(r.layer, Conv) and r.axes:
        w = (*(a.f for a in r.axes), r.input_shape[-1], r.layer.filters)
        yield w, f"that is the shape of the filters {fmt_shape(w)}; the activation is {fmt_shape(r.output_shape)}"


@mistake("shape")
def neighbour_shape(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.output_shape, fmt_shape, "shape")


# sizes ----------------------------------------------------------------------------------------
@mistake("size")
def size_of_given_shape(ctx: Context) -> Iterable[Candidate]:
    shape = ctx.given.get("shape")
    if isinstance(shape, tuple):
        if not same_shape(shape, ctx.result.output_shape):
            yield F.product(shape), (f"consistent with your shape {fmt_shape(shape)}, which is wrong: "
                                     f"the size is {size_formula(ctx.result.output_shape)}")


@mistake("size")
def size_from_shape_mistakes(ctx: Context) -> Iterable[Candidate]:
    for fn in applicable("shape", ctx):
        if fn in (neighbour_shape, channels_first, weight_shape):
            continue
        for shape, why in fn(ctx):
            if shape is not None and F.product(shape) != ctx.result.activation_size:
                yield F.product(shape), f"from the shape {fmt_shape(shape)}: {why}"


@mistake("size")
def channels_left_out_of_size(ctx: Context) -> Iterable[Candidate]:
    out = ctx.result.output_shape
    if len(out) >= 2 and out[-1] > 1:
        spatial = out[:-1]
        yield F.product(spatial), (f"channels left out: {'*'.join(map(str, spatial))} = {num(F.product(spatial))}; "
                                   f"the size counts every channel: {size_formula(out)}")


@mistake("size")
def size_is_params(ctx: Context) -> Iterable[Candidate]:
    if ctx.result.params:
        yield ctx.result.params, "that is the number of parameters, not the activation size"


@mistake("size")
def size_not_product(ctx: Context) -> Iterable[Candidate]:
    """Matches any value: the size is the product of the shape, and the student's is not."""
    shape = ctx.given.get("shape")
    if isinstance(shape, tuple) and same_shape(shape, ctx.result.output_shape):
        yield ANY, (f"the size is not the product of the shape: "
                    f"{size_formula(ctx.result.output_shape)}")


@mistake("size")
def neighbour_size(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.activation_size, num, "size")


# parameters -----------------------------------------------------------------------------------
@mistake("params", specific=True)
def bias_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if not isinstance(layer, (Conv, DepthwiseConv, ConvTranspose, Dense)):
        return
    right = params_formula(r)
    unit = "unit" if isinstance(layer, Dense) else "filter"
    if layer.bias:
        weights = infer_layer(_replace(layer, bias=False), r.input_shapes)
        w = weights.params
        text = params_formula(weights).rsplit(" = ", 1)[0]
        yield w + 1, (f"one bias for the whole layer instead of one per {unit}: {text} + 1 = {num(w + 1)} "
                      f"instead of {right}")
        yield w, f"bias forgotten: {text} = {num(w)}; each {unit} has its own bias: {right}"
    else:
        v = infer_layer(_replace(layer, bias=True), r.input_shapes).params
        yield v, f"biases counted, but this layer has `bias: false`: {right}"


@mistake("params", specific=True)
def conv_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if not isinstance(layer, Conv) or not r.axes:
        return
    inp, k, c, kv, right = r.input_shape, layer.filters, r.input_shape[-1], _kv(r), params_formula(r)
    one_channel = (*inp[:-1], 1)
    no_bias = _replace(layer, bias=False)
    if layer.groups == 1 and c > 1:
        v = layer.params(one_channel)[0]
        yield v, f"input channels left out: ({kv} + 1)*{k} = {num(v)} instead of {right}"
        v = no_bias.params(one_channel)[0] + 1
        yield v, f"input channels left out and one bias for the layer: {kv}*{k} + 1 = {num(v)} instead of {right}"
        v = no_bias.params(one_channel)[0]
        yield v, f"input channels and biases left out: {kv}*{k} = {num(v)} instead of {right}"
    if layer.groups != 1:
        v = _replace(layer, groups=1).params(inp)[0]
        yield v, f"groups ignored: with groups = {layer.groups} each filter sees {c}/{layer.groups} channels: {right}"
    if k != c:
        v = layer.params((*inp[:-1], k))[0]
        yield v, (f"the layer's own {k} filters taken as its input channels (the input has {c}): "
                  f"({kv}*{k} + 1)*{k} = {num(v)} instead of {right}")
    if k > 1:
        v = _replace(layer, filters=1).params(inp)[0]
        yield v, f"one filter counted instead of {k}: {num(v)} instead of {right}"
    if len(r.axes) > 1 and all(a.f > 1 for a in r.axes):
        flat = _safe(lambda: _replace(layer, kernel=[r.axes[0].f] + [1] * (len(r.axes) - 1)).params(inp)[0])
        yield flat, f"kernel counted as {r.axes[0].f} instead of {kv}: {num(flat or 0)} instead of {right}"
    v = F.dense_params(F.product(inp), F.product(r.output_shape))
    yield v, (f"counted as fully connected ({num(F.product(inp))}*{num(r.activation_size)} + "
              f"{num(r.activation_size)}); a conv shares one small filter per output channel: {right}")


@mistake("params", specific=True)
def dense_mistakes(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if not isinstance(layer, Dense):
        return
    n, u, right = r.input_shape[0], layer.units, params_formula(r)
    # the wrong earlier activation taken as the input: any earlier output (or the input image)
    earlier = [("the input", ctx.summary.spec.input)] + [
        (q.layer.name, q.output_shape) for q in ctx.summary.layers[:ctx.position - 1]]
    for name, shape in earlier:
        m = F.product(shape)
        if m != n:
            v = layer.params((m,))[0]
            yield v, (f"the size of {name} {fmt_shape(shape)} = {num(m)} taken as the input instead of "
                      f"{num(n)}: {m}*{u} + {u} = {num(v)} instead of {right}")
    src = _flatten_source(ctx)
    if src is not None and len(src) >= 2:
        for part, what in ((src[-1], "only the channels"), (F.product(src[:-1]), "only H*W, not the channels")):
            if part != n:
                v = layer.params((part,))[0]
                yield v, (f"{what} ({part}) taken as the input instead of {'*'.join(map(str, src))} = {n}: "
                          f"{part}*{u} + {u} = {num(v)} instead of {right}")


def _flatten_source(ctx: Context) -> Shape | None:
    """The (H, W, C) map a dense layer's flat input came from."""
    if ctx.result.layer.inputs is not None:
        return None
    for q in reversed(ctx.summary.layers[:ctx.position - 1]):
        if isinstance(q.layer, Flatten):
            return q.input_shape
        if not folded(q.layer):
            return None
    return None


@mistake("params")
def carried_params(ctx: Context) -> Iterable[Candidate]:
    prev = ctx.previous_given()
    r = ctx.result
    if not prev or len(r.input_shapes) != 1 or not r.params:
        return
    shapes = []
    shape = prev.get("shape")
    if isinstance(shape, tuple) and not (same_shape(shape, r.input_shape) or
                                         (len(r.input_shape) == 1 and F.product(shape) == r.input_shape[0])):
        shapes.append((shape if len(r.input_shape) != 1 else (F.product(shape),), fmt_shape(shape)))
    if isinstance(r.layer, Dense) and isinstance(prev.get("size"), int) and prev["size"] != r.input_shape[0]:
        shapes.append(((prev["size"],), f"size {num(prev['size'])}"))
    for shape, shown in shapes:
        got = _safe(lambda: r.layer.params(shape)[0])
        if got is not None:
            yield got, f"carried forward from your wrong input {shown}: this step itself is right; {params_formula(r)}"


@mistake("params", specific=True)
def other_count(ctx: Context) -> Iterable[Candidate]:
    """Solve the student's number for the filters, units or input channels it implies: the
    notes' own 6-filter CONV1 (456) graded against 8 filters gives 'as if 6 filters'."""
    r, layer, g = ctx.result, ctx.result.layer, ctx.given.get("params")
    if not isinstance(g, int) or g <= 0 or not getattr(layer, "bias", False) or not r.params:
        return
    if isinstance(layer, Conv) and layer.groups == 1 and r.axes:
        kv, c, k = F.product(a.f for a in r.axes), r.input_shape[-1], layer.filters
        if g % (kv * c + 1) == 0 and g // (kv * c + 1) != k:
            k2 = g // (kv * c + 1)
            yield _replace(layer, filters=k2).params(r.input_shape)[0], (
                f"as if the layer had {k2} filters: ({_kv(r)}*{c} + 1)*{k2} = {num(g)}; it has {k}: {params_formula(r)}")
        if g % k == 0 and (g // k - 1) % kv == 0 and (c2 := (g // k - 1) // kv) not in (c, 0):
            yield layer.params((*r.input_shape[:-1], c2))[0], (
                f"as if the input had {c2} channels: ({_kv(r)}*{c2} + 1)*{k} = {num(g)}; it has {c}: {params_formula(r)}")
    if isinstance(layer, Dense):
        n, u = r.input_shape[0], layer.units
        if g % u == 0 and (n2 := g // u - 1) not in (n, 0):
            yield layer.params((n2,))[0], (
                f"as if the input had {num(n2)} values: {n2}*{u} + {u} = {num(g)}; it has {num(n)}: {params_formula(r)}")
        if g % (n + 1) == 0 and (u2 := g // (n + 1)) != u:
            yield _replace(layer, units=u2).params(r.input_shape)[0], (
                f"as if the layer had {u2} units: {n}*{u2} + {u2} = {num(g)}; it has {u}: {params_formula(r)}")


@mistake("params")
def params_on_parameter_free(ctx: Context) -> Iterable[Candidate]:
    r, layer = ctx.result, ctx.result.layer
    if r.params != 0:
        return
    c = r.input_shape[-1]
    if isinstance(layer, Pool) and r.axes:
        kv = F.product(a.f for a in r.axes)
        k = _kv(r)
        for v, how in ((F.conv_params(kv, c, c), f"a conv with {c} filters: ({k}*{c} + 1)*{c}"),
                       (F.conv_params(kv, 1, c), f"{c} windows with a bias each: ({k} + 1)*{c}"),
                       (F.conv_params(kv, 1, c, bias=False), f"{c} windows: {k}*{c}"),
                       (F.conv_params(kv, 1, 1), f"one window and a bias: {k} + 1"),
                       (F.conv_params(kv, 1, 1, bias=False), f"one window: {k}")):
            yield v, f"counted {how} = {num(v)}, but {_what(layer)} learns nothing: 0 parameters"
    yield ANY, f"{_what(layer)} has no parameters: it learns nothing, so 0"


@mistake("params", specific=True)
def batchnorm_convention(ctx: Context) -> Iterable[Candidate]:
    layer = ctx.result.layer
    if isinstance(layer, BatchNorm) and layer.affine:
        c = ctx.result.input_shape[-1]
        yield 2 * c, (f"only gamma and beta counted (2*{c}, what PyTorch's parameters() shows); "
                      f"cnncalc counts as Keras does, with the moving mean and variance: 4*{c} = {num(4 * c)}")


@mistake("params")
def params_is_size(ctx: Context) -> Iterable[Candidate]:
    if ctx.result.activation_size != ctx.result.params:
        yield ctx.result.activation_size, "that is the activation size, not the number of parameters"


@mistake("params")
def neighbour_params(ctx: Context) -> Iterable[Candidate]:
    yield from _neighbours(ctx, lambda r: r.params, num, "number of parameters")


ANY = object()  # a candidate that matches every wrong value (rules, not re-computations)


def _neighbours(ctx: Context, value, show, what: str) -> Iterable[Candidate]:
    layers = ctx.summary.layers
    own = value(ctx.result)
    for step, where in ((-1, "the row above"), (1, "the row below")):
        pos = ctx.position + step
        while 1 <= pos <= len(layers) and folded(layers[pos - 1].layer):
            pos += step
        if 1 <= pos <= len(layers):
            v = value(layers[pos - 1])
            if v != own:
                yield v, f"that is the {what} of {layers[pos - 1].layer.name} ({where}): {show(v)}"
        elif pos == 0 and what == "shape":
            v = ctx.summary.spec.input
            if v != own:
                yield v, f"that is the input's shape {fmt_shape(v)}, not this layer's output"
        elif pos == 0 and what == "size":
            v = ctx.summary.totals.input_size
            if v != own:
                yield v, f"that is the input's size {num(v)}, not this layer's output"


def diagnose(column: str, given: Any, ctx: Context) -> list[str]:
    """Every known mistake that gives exactly `given`, most likely first."""
    found: list[str] = []
    rules: list[str] = []  # statements that hold for any wrong value: only when nothing exact does
    for fn in applicable(column, ctx):
        for value, why in fn(ctx):
            if value is ANY:
                rules.append(why)
            elif value is not None and (same_shape(given, value) if column == "shape" else given == value) \
                    and why not in found:
                found.append(why)
                if column == "shape":
                    break  # one reading per shape mistake: channels first, not also "order swapped"
    return found or rules


# -- matching rows to layers -----------------------------------------------------------------
FAMILIES = {
    "conv": (Conv, DepthwiseConv, ConvTranspose), "convolution": (Conv, DepthwiseConv, ConvTranspose),
    "c": (Conv,), "dwconv": (DepthwiseConv,), "deconv": (ConvTranspose,),
    "pool": (Pool, GlobalPool), "maxpool": (Pool, GlobalPool), "avgpool": (Pool, GlobalPool),
    "mp": (Pool,), "s": (Pool,), "subsampling": (Pool,), "p": (Pool,),
    "fc": (Dense,), "dense": (Dense,), "f": (Dense,), "linear": (Dense,), "fullyconnected": (Dense,),
    "bn": (BatchNorm,), "batchnorm": (BatchNorm,),
}
FAMILIES["conv"] += (SeparableConv,)  # more-kinds: separable convs count as convolutions
FAMILIES["convolution"] += (SeparableConv,)
FAMILIES.update(sepconv=(SeparableConv,), separableconv=(SeparableConv,), ln=(LayerNorm,),
                layernorm=(LayerNorm,), gn=(GroupNorm,), groupnorm=(GroupNorm,))


def label_key(label: str) -> str:
    """`CONV1 (f=5, s=1)` -> 'conv1'; `Input:` -> 'input'; `**FC3**` -> 'fc3'."""
    t = clean(label)
    while re.search(r"\([^()]*\)|\[[^\[\]]*\]", t):  # innermost first: (f=3, p=same(1))
        t = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", t)
    return normal(re.sub(r"[\s:.#]", "", t))


def _numbering(summary: Summary, scheme: str) -> dict[tuple[str, int], int]:
    """(family word, number) -> position, for one way of numbering layers in a course table.

    'kind': the n-th layer of its family (CONV1, CONV2, POOL1, FC1); 'course': Andrew Ng's
    layer number, which counts conv and dense layers and gives a pool the number of the conv
    before it (CONV1, POOL1, CONV2, POOL2, FC3, FC4); 'position': the row number (LeNet's C1,
    S2, C3, S4, F6; one-letter labels only)."""
    table: dict[tuple[str, int], int] = {}
    counts: dict[str, int] = {}
    weighted, row = 0, 0
    for pos, r in enumerate(summary.layers, start=1):
        if folded(r.layer):
            continue
        row += 1
        if isinstance(r.layer, (Conv, DepthwiseConv, ConvTranspose, Dense)):
            weighted += 1
        for word, classes in FAMILIES.items():
            if isinstance(r.layer, classes):
                counts[word] = counts.get(word, 0) + 1
                n = {"kind": counts[word], "course": weighted, "position": row}[scheme]
                table.setdefault((word, n), pos)
    return table


def match_rows(table: AnswerTable, summary: Summary) -> list[tuple[int | None, str]]:
    """For each row: (position, '') with position 0 for the input and i for summary.layers[i-1],
    or (None, why it matches no layer). Names and ids first, then 'input', an index, a
    course label (the numbering that explains most rows wins), a kind named once."""
    layers = summary.layers
    names: dict[str, int] = {}
    for pos, r in enumerate(layers, start=1):
        names.setdefault(label_key(r.layer.name), pos)  # `features.0`, `block1_conv1`: as labels are read
        if r.layer.id:
            names.setdefault(label_key(r.layer.id), pos)
    course = [pos for pos, r in enumerate(layers, start=1) if not folded(r.layer)]
    positional = _by_position(table, course)
    if not table.has_labels:
        return positional or [(None, f"the table has no layer column, and its {len(table.rows)} rows "
                                     f"are not the {len(course) + 1} rows of the course table "
                                     f"(Input and {len(course)} layers)")] * len(table.rows)

    keys = [label_key(r.label) for r in table.rows]
    found: list[int | None] = [None] * len(keys)
    why = [""] * len(keys)
    for i, key in enumerate(keys):
        if key in names:
            found[i] = names[key]
        elif key in INPUT_WORDS:
            found[i] = 0
        elif re.fullmatch(r"(layer|l)?\d+", key):
            pos = int(re.sub(r"\D", "", key))
            if pos <= len(layers):
                found[i] = pos
            else:
                why[i] = f"there is no layer {pos}: the spec has {len(layers)} layers"
    labelled = {i: m for i, k in enumerate(keys) if found[i] is None and not why[i]
                and (m := re.fullmatch(r"([a-z]+?)(\d+)", k)) and m.group(1) in FAMILIES}
    best: dict[int, int] = {}
    for scheme in ("course", "kind", "position"):
        numbering = _numbering(summary, scheme)
        got = {i: numbering[(m.group(1), int(m.group(2)))] for i, m in labelled.items()
               if (m.group(1), int(m.group(2))) in numbering and (scheme != "position" or len(m.group(1)) == 1)}
        taken = set(p for p in found if p is not None)
        if len(set(got.values())) == len(got) and not taken & set(got.values()) and len(got) > len(best):
            best = got
    for i, pos in best.items():
        found[i] = pos
    for i, key in enumerate(keys):
        if found[i] is not None or why[i]:
            continue
        if key in TOTAL_WORDS:
            why[i] = "total"
            continue
        if not key:
            why[i] = "the row has no layer label"
            continue
        kind = _kind_of(key)
        if kind is not None:
            cands = [pos for pos, r in enumerate(layers, start=1)
                     if isinstance(r.layer, kind) or (key == "softmax" and getattr(r.layer, "activation", None) == "softmax")
                     if pos not in found]
            if len(cands) == 1:
                found[i] = cands[0]
                continue
            if len(cands) > 1:
                why[i] = (f"`{table.rows[i].label}` could be any of {len(cands)} layers "
                          f"({', '.join(layers[p - 1].layer.name for p in cands[:4])}); number it or use the name")
                continue
        if key in ("output", "out", "prediction", "predictions", "logits") and course and course[-1] not in found:
            found[i] = course[-1]
            continue
        if i in labelled:
            why[i] = f"`{table.rows[i].label}` names no layer: the spec has " + _families_text(summary)
        else:
            why[i] = (f"`{table.rows[i].label}` names no layer; use a layer name "
                      f"({', '.join(r.layer.name for r in layers[:3])}{', ...' if len(layers) > 3 else ''}), "
                      "an index, Input or a course label like CONV1")
    if positional and all(p is None or (i == 0 and p == positional[0][0]) for i, p in enumerate(found)) \
            and not any(k in TOTAL_WORDS for k in keys):
        return positional  # no label names a layer, but the rows are the course table's, in order
    seen: dict[int, int] = {}
    for i, pos in enumerate(found):
        if pos is None:
            continue
        if pos in seen:
            why[i] = f"a second row for {_name(summary, pos)} (the first is `{table.rows[seen[pos]].label}`)"
            found[i] = None
        else:
            seen[pos] = i
    return [(p, w) for p, w in zip(found, why)]


def _by_position(table: AnswerTable, course: list[int]) -> list[tuple[int | None, str]] | None:
    """Rows taken in order as the course table's: with or without the Input row."""
    for want in ([0] + course, course):
        if len(table.rows) == len(want):
            return [(p, "by position") for p in want]
    return None


def _kind_of(key: str):
    from .kinds import KIND_ALIASES, KINDS
    if key in FAMILIES:
        return FAMILIES[key]
    if key in KIND_ALIASES:
        return KINDS[KIND_ALIASES[key]]
    return None


def _families_text(summary: Summary) -> str:
    counts: dict[str, int] = {}
    for r in summary.layers:
        if not folded(r.layer):
            counts[r.layer.kind] = counts.get(r.layer.kind, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def _name(summary: Summary, pos: int) -> str:
    return "input" if pos == 0 else summary.layers[pos - 1].layer.name


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


def check(answers_path: str, summary: Summary, fmt: str | None = None) -> Report:
    """Read a table of answers and grade it against `summary` (the result of `infer`)."""
    return check_table(read_answers(answers_path, fmt), summary)


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
