"""The summary as a table: its columns, cells and totals lines, drawn by rich or (render.terminal)
without it, and the plain-text `summary --explain` table. Formats only: every number comes from infer."""
from __future__ import annotations

import io
from enum import Enum
from typing import Any, Callable

from ..errors import visible
from ..infer import LayerResult, Summary
from ..shapes import fmt_shape
from ..metrics import given

MIB = 1 << 20  # MiB means 2^20 bytes


class Column(str, Enum):
    """Per-layer columns; HEADERS gives each its one header (torchinfo's col_names)."""
    INDEX = "index"
    NAME = "name"
    KIND = "kind"
    HYPER = "hyper"
    OUTPUT_SHAPE = "output_shape"
    ACTIVATION_SIZE = "activation_size"
    PARAMS = "params"
    MACS = "macs"
    FLOPS = "flops"
    RF = "rf"
    RF_JUMP = "rf_jump"
    RF_START = "rf_start"
    PARAM_BYTES = "param_bytes"
    ACTIVATION_BYTES = "activation_bytes"
    TRAINING_BYTES = "training_bytes"
    PARAMS_SHARE = "params_share"
    MACS_SHARE = "macs_share"
    INPUTS = "inputs"


HEADERS = {
    Column.INDEX: "#", Column.NAME: "Name", Column.KIND: "Kind", Column.HYPER: "Hyper-params",
    Column.OUTPUT_SHAPE: "Output shape", Column.ACTIVATION_SIZE: "Activations", Column.PARAMS: "Params",
    Column.INPUTS: "Connected to",
}
HEADERS.update({
    Column.MACS: "MACs", Column.FLOPS: "FLOPs", Column.RF: "RF", Column.RF_JUMP: "Jump",
    Column.RF_START: "RF start", Column.PARAM_BYTES: "Param mem", Column.ACTIVATION_BYTES: "Act mem",
    Column.TRAINING_BYTES: "Train mem", Column.PARAMS_SHARE: "Params share", Column.MACS_SHARE: "MACs share",
})
NUMERIC = {Column.INDEX, Column.ACTIVATION_SIZE, Column.PARAMS}
NUMERIC |= {Column.MACS, Column.FLOPS, Column.RF, Column.RF_JUMP, Column.RF_START, Column.PARAM_BYTES,
            Column.ACTIVATION_BYTES, Column.TRAINING_BYTES}
# Readable at 100 characters for VGG-16: activations, FLOPs, memory and bars via --columns.
DEFAULT_COLUMNS = (Column.INDEX, Column.NAME, Column.KIND, Column.HYPER, Column.OUTPUT_SHAPE,
                   Column.ACTIVATION_SIZE, Column.PARAMS, Column.MACS, Column.RF)


def num(n: int) -> str:
    return f"{n:,}"


def mib(nbytes: int) -> str:
    """Bytes in binary units (KiB = 2^10, MiB = 2^20, GiB = 2^30 bytes), two decimals."""
    for unit, size in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if nbytes >= size:
            return f"{nbytes / size:,.2f} {unit}"
    return f"{nbytes} B"


def _axes(values: tuple) -> str:
    """(5, 5) -> '5'; (5, 3) -> '5x3'."""
    return str(values[0]) if len(set(values)) == 1 else "x".join(str(v) for v in values)


def _pads(pairs: tuple, mode: Any) -> str:
    if all(b == a for b, a in pairs):
        text = _axes(tuple(b for b, _ in pairs))
    elif len(set(pairs)) == 1:
        text = f"({pairs[0][0]},{pairs[0][1]})"
    else:
        text = "x".join(f"({b},{a})" for b, a in pairs)
    return f"{mode}{text if text.startswith('(') else '(' + text + ')'}" if mode in ("same", "causal") else text


def hyper_text(r: LayerResult) -> str:
    """The course's notation: f=3 s=1 p=1, then d=, g=, m= where they are not 1."""
    parts = []
    for key, value in r.hyper.items():
        if key == "p" and isinstance(value, str):
            parts.append(f"p={value}")
        elif key == "p":
            parts.append(f"p={_pads(value, getattr(r.layer, 'padding', None))}")
        elif key == "ceil":
            parts.append("ceil")
        elif isinstance(value, tuple):
            parts.append(f"{key}={_axes(value)}")
        else:
            parts.append(f"{key}={value}")
    return " ".join(parts)


CELLS: dict[Column, Callable[[LayerResult], Any]] = {
    Column.INDEX: lambda r: r.layer.index,
    Column.NAME: lambda r: r.layer.name,
    Column.KIND: lambda r: r.layer.kind,
    Column.HYPER: hyper_text,
    Column.OUTPUT_SHAPE: lambda r: fmt_shape(r.output_shape),
    Column.ACTIVATION_SIZE: lambda r: r.activation_size,
    Column.PARAMS: lambda r: r.params,
    Column.INPUTS: lambda r: ", ".join(r.sources),
}


def with_inputs(summary: Summary, columns) -> tuple:
    """The default columns gain "Connected to" (Keras's name) when the network branches."""
    from ..graph import branches

    columns = tuple(columns)
    if columns != DEFAULT_COLUMNS or not branches(summary.spec.layers):
        return columns
    return (*columns, Column.INPUTS)


UNKNOWN = "?"  # a metric cnncalc has no formula for: never shown as 0
BYTE_COLUMNS = {Column.PARAM_BYTES, Column.ACTIVATION_BYTES, Column.TRAINING_BYTES}
SHARE_COLUMNS = {Column.PARAMS_SHARE, Column.MACS_SHARE}


def _rf(key: str):
    return lambda m: None if m.rf is None else tuple(getattr(x, key) for x in m.rf)


METRIC_CELLS: dict[Column, Callable[[Any], Any]] = {
    Column.MACS: lambda m: m.macs,
    Column.FLOPS: lambda m: m.flops,
    Column.RF: _rf("size"),
    Column.RF_JUMP: _rf("jump"),
    Column.RF_START: _rf("start"),
    Column.PARAM_BYTES: lambda m: m.memory.params,
    Column.ACTIVATION_BYTES: lambda m: m.memory.activations,
    Column.TRAINING_BYTES: lambda m: m.memory.training,
    Column.PARAMS_SHARE: lambda m: m.params_share,
    Column.MACS_SHARE: lambda m: m.macs_share,
}


def bar(share: float, width: int = 6) -> str:
    """A share in 0..1 as a bar of eighth blocks and a percentage: '███▍   57.1%'."""
    full, part = divmod(round(share * width * 8), 8)
    text = "█" * full + ("" if part == 0 else " ▏▎▍▌▋▊▉"[part])
    return f"{text:<{width}} {share:6.1%}"


def metric_text(c: Column, value: Any, plain: bool = False) -> str:
    """One metric cell. `plain` (CSV): bare integers, bytes, fractions; unknown is empty."""
    if value is None:
        return "" if plain else UNKNOWN
    if c in SHARE_COLUMNS:
        return f"{value:.6f}" if plain else bar(value)
    if isinstance(value, tuple):  # per-axis receptive field figures
        return _axes(value) if value else ("" if plain else "-")
    if c in BYTE_COLUMNS and not plain:
        return mib(value)
    return str(value) if plain else num(value)


def si(n: int) -> str:
    """15,470,264,320 -> '15.47 G' (decimal prefixes, as the published figures use)."""
    for unit, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= size:
            return f"{n / size:.2f} {unit}"
    return str(n)


def _input_row(summary: Summary, columns, metrics=None, plain: bool = False) -> list[str]:
    values = {Column.INDEX: "0", Column.NAME: "input", Column.KIND: "input",
              Column.OUTPUT_SHAPE: fmt_shape(summary.spec.input),
              Column.ACTIVATION_SIZE: num(summary.totals.input_size), Column.PARAMS: "0"}
    if metrics is not None:
        from ..metrics import input_rf
        rf = input_rf(summary.spec.input)
        values.update({c: metric_text(c, tuple(getattr(x, k) for x in rf), plain) for c, k in
                       ((Column.RF, "size"), (Column.RF_JUMP, "jump"), (Column.RF_START, "start"))})
        values[Column.ACTIVATION_BYTES] = metric_text(Column.ACTIVATION_BYTES, metrics.totals.input_bytes, plain)
    return [values.get(c, "") for c in columns]


def _cell(c: Column, r: LayerResult, m, plain: bool) -> str:
    if c in METRIC_CELLS:
        return metric_text(c, METRIC_CELLS[c](m), plain)
    v = CELLS[c](r)
    return num(v) if isinstance(v, int) and c in NUMERIC and c is not Column.INDEX else str(v)


def text_rows(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None, plain: bool = False) -> list[list[str]]:
    """Every cell as display text, the input first."""
    if any(c in METRIC_CELLS for c in columns):
        metrics = given(metrics)
    rows = [_input_row(summary, columns, metrics, plain)]
    for i, r in enumerate(summary.layers):
        m = metrics.layers[i] if metrics is not None else None
        rows.append([visible(_cell(c, r, m, plain)) for c in columns])  # names: escapes shown escaped
    return rows


def metric_lines(summary: Summary, metrics=None) -> list[str]:
    """Totals of the metrics, each with its definition and convention."""
    from ..metrics import CONVENTION_LABELS
    ms = given(metrics)
    t, mem = ms.totals, ms.totals.memory

    def count(value, unknown) -> str:
        if value is None:
            more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
            return f"unknown (no formula for {unknown[0]}{more})"
        return f"{num(value)} ({si(value)})"
    return [
        f"MACs (batch {ms.batch}): {count(t.macs, t.unknown_macs)}, multiply-accumulates of "
        "weights, no bias",
        f"FLOPs ({ms.flops_convention}: {CONVENTION_LABELS[ms.flops_convention]}): "
        f"{count(t.flops, t.unknown_flops)}",
        f"Training memory estimate (batch {ms.batch}, {ms.optimizer}): params {mib(mem.params)} + "
        f"gradients {mib(mem.gradients)} + optimizer state {mib(mem.optimizer)} + activations "
        f"{mib(mem.activations)} = {mib(mem.training)}, plus the input batch {mib(t.input_bytes)}",
    ]


def totals_lines(summary: Summary, metrics=None) -> list[str]:
    t = summary.totals
    lines = [
        f"Total params: {num(t.params)}",
        f"Trainable params: {num(t.trainable_params)}",
        f"Non-trainable params: {num(t.non_trainable_params)}",
        f"Input size: {num(t.input_size)} values, {mib(t.input_bytes)}",
        f"Activations (all layer outputs, batch 1): {num(t.activation_size)} values, "
        f"{mib(t.activation_bytes)}",
        f"Params size: {mib(t.param_bytes)}",
        f"Memory figures are {t.dtype} ({t.bytes_per_value} bytes a value); KiB/MiB/GiB = 2^10/2^20/2^30 bytes.",
    ]
    return lines[:-1] + metric_lines(summary, metrics) + lines[-1:] + [f"Note: {n}" for n in summary.notes()]


# A table wider than the screen leaves out these columns, first to last, then any other but the
# index and the name from the right (numbers are never cut or wrapped), saying which.
FIT_ORDER = (Column.RF, Column.INPUTS, Column.HYPER, Column.MACS, Column.KIND, Column.ACTIVATION_SIZE)
NAME_FOLDED = 16  # when nothing else fits, names fold to this width before more columns go


def need(widest: dict, columns) -> int:
    """The width a table of these columns takes, `widest` their widest cells: rich's SIMPLE_HEAD
    box has one edge space each side, and between two columns one divider space plus one
    collapsed padding space."""
    return sum(widest[c] for c in columns) + 2 * (len(columns) - 1) + 2


def fit(columns: tuple, rows: list[list[str]], width: int) -> tuple[tuple, list, int]:
    """The columns whose widest cells fit in `width` characters, those left out, and the width
    every column needs."""
    widest = {c: max(len(HEADERS[c]), *(len(r[i]) for r in rows)) for i, c in enumerate(columns)}
    kept, hidden = list(columns), []

    def drop(order, widths) -> None:
        for c in order:
            if need(widths, kept) <= width:
                return
            if c in kept:
                kept.remove(c)
                hidden.append(c)
    drop(FIT_ORDER, widest)
    if Column.NAME in widest:  # rich folds a long name; any other cell is cut, so its column goes
        widest_folded = {**widest, Column.NAME: min(widest[Column.NAME], NAME_FOLDED)}
    else:
        widest_folded = widest
    drop([c for c in reversed(kept) if c not in (Column.INDEX, Column.NAME)], widest_folded)
    return tuple(kept), hidden, need(widest, columns)


def table_parts(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None, width: int | None = None):
    """The table's title, columns, rows and caption lines. With `width`, the default columns
    are fitted to it (see FIT_ORDER) and the caption says what was left out."""
    spec = summary.spec
    columns = with_inputs(summary, columns)
    metrics = given(metrics)
    rows = text_rows(summary, columns, metrics)
    caption = totals_lines(summary, metrics)
    if width is not None:
        kept, hidden, full = fit(columns, rows, width)
        if hidden:
            rows = [[r[columns.index(c)] for c in kept] for r in rows]
            columns = kept
            caption.append(f"Hidden to fit {width}: {', '.join(HEADERS[c] for c in hidden)} "
                           f"(--width {full} or --columns shows them).")
    return f"{visible(spec.name)}: input {fmt_shape(spec.input)}", columns, rows, caption


def table(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None, width: int | None = None):
    """A rich Table (imported here so json/csv output never loads rich) of table_parts, with the
    totals under it as text that wraps at the console's width, not the table's."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text
    from rich import box

    title, columns, rows, caption = table_parts(summary, columns, metrics, width)
    # Text, never markup: a name is shown as written (rich's escape() gets `\[` and a trailing
    # backslash wrong); with the styles rich gives a markup title and caption
    tab = Table(title=Text(title, style="table.title"), box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for c in columns:
        tab.add_column(HEADERS[c], justify="right" if c in NUMERIC else "left", overflow="fold",
                       no_wrap=c in (Column.OUTPUT_SHAPE, Column.KIND) or c in NUMERIC or c in SHARE_COLUMNS)
    for row in rows:
        tab.add_row(*(Text(cell) for cell in row))
    return Group(tab, Text("\n".join(caption), style="table.caption"))


def plain_table(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None, width: int = 120,
                styles: bool = False) -> str | None:
    """The characters rich prints for table(...) on a console `width` wide (with its ANSI styles
    when `styles`), without rich; None where only rich can lay it out (see render.terminal)."""
    got = _plain_pieces(summary, columns, metrics, width, styles)
    return None if got is None else "".join(got)


def _plain_pieces(summary: Summary, columns, metrics, width: int, styles: bool):
    from . import terminal
    title, columns, rows, caption = table_parts(summary, columns, metrics, width)
    return terminal.pieces(title, [HEADERS[c] for c in columns], [c in NUMERIC for c in columns],
                             rows, caption, width, styles)


def terminal_table(summary: Summary, columns=DEFAULT_COLUMNS, metrics=None, width: int | None = None):
    """plain_table's pieces at the width and styling rich would pick for stdout (--width,
    COLUMNS, the terminal); None where rich must print it."""
    from . import terminal
    got = terminal.console(width)
    return None if got is None else _plain_pieces(summary, columns, metrics, *got)


def table_text(summary: Summary, columns=DEFAULT_COLUMNS, width: int = 120, metrics=None) -> str:
    """The table as plain text at a fixed width, no colour: what golden files hold."""
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False,
            legacy_windows=False).print(table(summary, columns, metrics, width))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"

def parse_columns(text: str) -> tuple[Column, ...]:
    """--columns: comma-separated column names (torchinfo's col_names); 'default' and 'all'
    stand for those sets, a leading '+' adds to the default set."""
    from ..errors import ArgumentError

    names = [w.strip().lower().replace("-", "_") for w in text.split(",") if w.strip()]
    extend = bool(names) and names[0].startswith("+")
    out: list[Column] = list(DEFAULT_COLUMNS) if extend else []
    for name in names:
        name = name.lstrip("+")
        if name in ("default", "all"):
            out += DEFAULT_COLUMNS if name == "default" else tuple(Column)
            continue
        try:
            out.append(Column(name))
        except ValueError:
            raise ArgumentError(f"unknown column '{name}' in --columns; use any of "
                                f"{', '.join(c.value for c in Column)}, 'default' or 'all'") from None
    if not out:
        raise ArgumentError("--columns is empty; give column names, e.g. --columns name,output_shape,macs")
    return tuple(dict.fromkeys(out))  # each column once, in the order first named


EXPLAIN_KEEP = ("index", "name", "output_shape", "params")  # never left out to fit the width


def explained_text(summary: Summary, working: list[list[str]], columns=DEFAULT_COLUMNS, metrics=None,
                   width: int | None = None) -> str:
    """The table as plain text with each layer's working lines (one list per layer, from
    explain.layer_lines) indented under its row: what `summary --explain` prints. Columns that do
    not fit `width` (default the terminal's) are left out, saying which; long lines wrap."""
    from .fit import fit_line, terminal_width
    metrics, width = given(metrics), terminal_width(width)
    columns, dropped = list(columns), []
    while True:
        head = [HEADERS[c] for c in columns]
        rows = text_rows(summary, columns, metrics)
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(columns))]
        spare = [c for c in columns if c not in EXPLAIN_KEEP]
        if sum(widths) + 2 * (len(widths) - 1) <= width or not spare:
            break
        dropped.insert(0, HEADERS[spare[-1]])
        columns.remove(spare[-1])

    def line(cells):
        return "  ".join(c.rjust(w) if col in NUMERIC else c.ljust(w)
                         for c, w, col in zip(cells, widths, columns)).rstrip()
    out = [f"{summary.spec.name}: input {fmt_shape(summary.spec.input)}", "", line(head),
           "-" * len(line(head)), line(rows[0])]
    for row, lines in zip(rows[1:], working):
        out.append(line(row))
        out += [f"      {text}" for text in lines]
    if dropped:
        out += ["", f"(left out to fit {width} characters: {', '.join(dropped)}; "
                    "choose with --columns, or widen with --width)"]
    out = [piece for text in out + [""] + totals_lines(summary, metrics) for piece in fit_line(text, width)]
    return "\n".join(out) + "\n"
