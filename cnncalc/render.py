"""Summaries as a rich table, JSON, CSV or Markdown. Formats only: every number comes from infer."""
from __future__ import annotations

import csv
import io
import json
from enum import Enum
from typing import Any, Callable

from .infer import LayerResult, Summary
from .layers import fmt_shape

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
    INPUTS = "inputs"


HEADERS = {
    Column.INDEX: "#", Column.NAME: "Name", Column.KIND: "Kind", Column.HYPER: "Hyper-params",
    Column.OUTPUT_SHAPE: "Output shape", Column.ACTIVATION_SIZE: "Activations", Column.PARAMS: "Params",
    Column.INPUTS: "Connected to",
}
NUMERIC = {Column.INDEX, Column.ACTIVATION_SIZE, Column.PARAMS}
DEFAULT_COLUMNS = tuple(c for c in Column if c is not Column.INPUTS)  # INPUTS: see with_inputs
FORMATS = ("table", "json", "csv", "markdown")


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
    return f"same{text if text.startswith('(') else '(' + text + ')'}" if mode == "same" else text


def hyper_text(r: LayerResult) -> str:
    """The course's notation: f=3 s=1 p=1, then d=, g=, m= where they are not 1."""
    parts = []
    for key, value in r.hyper.items():
        if key == "p":
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
    """The columns plus "Connected to" when the network branches (Keras's `Connected to`)."""
    from .graph import branches

    columns = tuple(columns)
    if Column.INPUTS in columns or not branches(summary.spec.layers):
        return columns
    return (*columns, Column.INPUTS)


def _input_row(summary: Summary, columns) -> list[str]:
    values = {Column.INDEX: "0", Column.NAME: "input", Column.KIND: "input",
              Column.OUTPUT_SHAPE: fmt_shape(summary.spec.input),
              Column.ACTIVATION_SIZE: num(summary.totals.input_size), Column.PARAMS: "0"}
    return [values.get(c, "") for c in columns]


def text_rows(summary: Summary, columns=DEFAULT_COLUMNS) -> list[list[str]]:
    """Every cell as display text, the input first."""
    rows = [_input_row(summary, columns)]
    for r in summary.layers:
        rows.append([num(v) if isinstance(v, int) and c in NUMERIC and c is not Column.INDEX else str(v)
                     for c, v in ((c, CELLS[c](r)) for c in columns)])
    return rows


def totals_lines(summary: Summary) -> list[str]:
    t = summary.totals
    return [
        f"Total params: {num(t.params)}",
        f"Trainable params: {num(t.trainable_params)}",
        f"Non-trainable params: {num(t.non_trainable_params)}",
        f"Input size: {num(t.input_size)} values, {mib(t.input_size * t.bytes_per_value)}",
        f"Activations (all layer outputs, batch 1): {num(t.activation_size)} values, "
        f"{mib(t.activation_bytes)}",
        f"Params size: {mib(t.param_bytes)}",
        f"Memory figures are {t.dtype} ({t.bytes_per_value} bytes a value); KiB/MiB/GiB = 2^10/2^20/2^30 bytes.",
    ]


def table(summary: Summary, columns=DEFAULT_COLUMNS):
    """A rich Table (imported here so json/csv output never loads rich)."""
    from rich.table import Table
    from rich import box

    spec = summary.spec
    columns = with_inputs(summary, columns)
    tab = Table(title=f"{spec.name}: input {fmt_shape(spec.input)}", box=box.SIMPLE_HEAD,
                caption="\n".join(totals_lines(summary)), caption_justify="left")
    for c in columns:
        tab.add_column(HEADERS[c], justify="right" if c in NUMERIC else "left",
                       overflow="fold", no_wrap=c is Column.OUTPUT_SHAPE)
    for row in text_rows(summary, columns):
        tab.add_row(*row)
    return tab


def table_text(summary: Summary, columns=DEFAULT_COLUMNS, width: int = 120) -> str:
    """The table as plain text at a fixed width, no colour: what golden files hold."""
    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None, force_terminal=False,
            legacy_windows=False).print(table(summary, columns))
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


def _hyper_json(r: LayerResult) -> dict[str, Any]:
    def plain(v):
        return [plain(x) for x in v] if isinstance(v, tuple) else v
    return {k: plain(v) for k, v in r.hyper.items()}


def to_dict(summary: Summary) -> dict[str, Any]:
    """The stable JSON document: shapes channels last, memory in bytes."""
    t = summary.totals
    return {
        "name": summary.spec.name,
        "input": list(summary.spec.input),
        "dtype": t.dtype,
        "layers": [{
            "index": r.layer.index, "name": r.layer.name, "kind": r.layer.kind,
            "input_shape": list(r.input_shape), "output_shape": list(r.output_shape),
            "hyper": _hyper_json(r), "activation_size": r.activation_size, "params": r.params,
            "trainable_params": r.trainable_params, "non_trainable_params": r.non_trainable_params,
            "inputs": list(r.sources),
        } for r in summary.layers],
        "totals": {
            "params": t.params, "trainable_params": t.trainable_params,
            "non_trainable_params": t.non_trainable_params, "input_size": t.input_size,
            "activation_size": t.activation_size, "param_bytes": t.param_bytes,
            "activation_bytes": t.activation_bytes, "output_shape": list(summary.output_shape),
        },
    }


def to_json(summary: Summary) -> str:
    return json.dumps(to_dict(summary), indent=2) + "\n"


def to_csv(summary: Summary, columns=DEFAULT_COLUMNS) -> str:
    columns = with_inputs(summary, columns)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.value for c in columns])
    rows = text_rows(summary, columns)
    for row in rows:
        writer.writerow([cell.replace(",", "") if c in NUMERIC else cell for c, cell in zip(columns, row)])
    return out.getvalue()


def to_markdown(summary: Summary, columns=DEFAULT_COLUMNS) -> str:
    columns = with_inputs(summary, columns)
    head = [HEADERS[c] for c in columns]
    lines = [f"**{summary.spec.name}**: input {fmt_shape(summary.spec.input)}", "",
             "| " + " | ".join(head) + " |",
             "|" + "|".join("---:" if c in NUMERIC else "---" for c in columns) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in text_rows(summary, columns)]
    lines += [""] + [f"- {line}" for line in totals_lines(summary)]
    return "\n".join(lines) + "\n"


def render(summary: Summary, fmt: str, columns=DEFAULT_COLUMNS, width: int = 120) -> str:
    if fmt == "json":
        return to_json(summary)
    if fmt == "csv":
        return to_csv(summary, columns)
    if fmt == "markdown":
        return to_markdown(summary, columns)
    return table_text(summary, columns, width)
