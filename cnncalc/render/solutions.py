"""Solver and calculator answers as plain text or JSON. Layout only: every number and every
formula string comes from solve/ and explain.py; each answer's to_dict() and text() call these."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..shapes import fmt_shape

if TYPE_CHECKING:  # the results call these renderers: their modules are not imported here
    from ..solve import Answer, InputAnswer, LayerAnswer, SizeAnswer, Solution


# ---- JSON ---------------------------------------------------------------------------------

def _plain(v: Any) -> Any:
    return [_plain(x) for x in v] if isinstance(v, tuple) else v


def solution_dict(s: Solution) -> dict[str, Any]:
    return {s.quantity: _plain(s.value), "output": s.output, "exact": s.exact, "dropped": s.dropped,
            "working": s.working, "note": s.note}


def answer_dict(a: Answer) -> dict[str, Any]:
    d = {"question": a.question, "formula": a.formula,
         "solutions": [solution_dict(s) for s in a.solutions], "notes": list(a.notes),
         "reason": a.reason}
    if a.tf_same is not None:
        d["tensorflow_same"] = solution_dict(a.tf_same)
    return d


def size_dict(a: SizeAnswer) -> dict[str, Any]:
    return {"question": a.question, "formula": a.formula, "mode": a.mode,
            "output": list(a.output), "exact": a.exact,
            "axes": [{"axis": x.name, "n": x.axis.n, "f": x.axis.f, "s": x.axis.s,
                      "p": list(x.axis.pad), "d": x.axis.d, "output": x.output, "exact": x.exact,
                      "dropped": x.dropped, "working": x.working, "note": x.note} for x in a.axes],
            **({"notes": list(a.notes)} if a.notes else {}), **({"input_read": a.read} if a.read else {})}


def layer_dict(a: LayerAnswer) -> dict[str, Any]:
    return {"question": a.question, "kind": a.layer.kind, "input_shape": list(a.input_shape),
            "output_shape": list(a.output_shape), "shape_working": list(a.shape_lines),
            "activation_size": a.activation_size, "activation_working": a.activation_text,
            "params": a.params, "params_working": a.params_text,
            "macs": a.macs, "macs_working": a.macs_text, "notes": list(a.notes),
            **({"input_read": a.read} if a.read else {}),
            **({"weight_shapes": {order: {k: list(v) for k, v in shapes.items()} for order, shapes, _ in a.weights}}
               if a.weights else {})}


def _drop_dict(d) -> dict[str, Any]:
    return {"layer": d.layer, "axis": d.axis, "dropped": d.dropped, "working": d.working, "note": d.note}


def input_dict(a: InputAnswer) -> dict[str, Any]:
    d: dict[str, Any] = {"question": a.question, "formula": a.formula, "max": a.max_size}
    scans = a.per_axis or (a,)
    d["solutions"] = [{"input": n, "axis": s.axis, "exact": True} for s in scans for n in s.exact_sizes]
    d["smallest"] = {s.axis: s.smallest for s in scans}
    d["given"] = {"input": list(a.given), "error": a.given_error,
                  "exact": a.given_error is None and not a.given_drops,
                  "first_drop": _drop_dict(a.given_drops[0]) if a.given_drops else None,
                  "drops": [_drop_dict(x) for x in a.given_drops]}
    return d


def to_json(d: dict[str, Any]) -> str:
    return json.dumps(d, indent=2) + "\n"


# ---- text ---------------------------------------------------------------------------------

def _grid(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: indent + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()  # noqa: E731
    return [fmt(header), *(fmt(r) for r in rows)]


def _value(v: Any) -> str:
    return f"({v[0]}, {v[1]})" if isinstance(v, tuple) else str(v)


def answer_text(a: Answer) -> str:
    lines = [a.question, f"  {a.formula}", ""]
    if a.solutions:
        q = a.solutions[0].quantity
        rows = [[_value(s.value), str(s.output), "yes" if s.exact else f"no, drops {s.dropped}",
                 s.working + (f"  ({s.note})" if s.note else "")] for s in a.solutions]
        lines += _grid([q, "output", "exact", "working"], rows)
    else:
        lines.append(f"  no solution: {a.reason}")
    if a.notes:
        lines.append("")
        lines += [f"  note: {n}" for n in a.notes]
    if a.tf_same is not None:
        t = a.tf_same
        lines += ["", f"  TensorFlow/Keras padding='same' instead: padding {_value(t.value)}, {t.working}"]
    return "\n".join(lines) + "\n"


def size_text(a: SizeAnswer) -> str:
    lines = ([a.read] if a.read else []) + [f"{a.question}: {a.formula}"]
    for x in a.axes:
        label = "" if len(a.axes) == 1 else f"{x.name}: "
        lines.append(f"  {label}{x.working}")
        if x.note:
            lines.append(f"  {' ' * len(label)}{x.note}")
    if len(a.axes) > 1:
        lines.append(f"  output: {'x'.join(map(str, a.output))}")
    lines += [f"  note: {n}" for n in a.notes]
    return "\n".join(lines) + "\n"


_LAYOUT_NAMES = {"torch": "PyTorch", "keras": "Keras"}


def weight_lines(weights) -> list[str]:
    """Each layout's arrays ('weights, PyTorch: weight (10, 3, 3, 3), bias (10,)') and below,
    what the axes of each multi-axis array are."""
    lines = []
    for order, shapes, axes in weights:
        lines.append(f"  weights, {_LAYOUT_NAMES[order] + ':':<8} "
                     + ", ".join(f"{k} {fmt_shape(v)}" for k, v in shapes.items()))
        lines += [f"    {k} is {axes[k]}" for k, v in shapes.items() if len(v) > 1 and axes.get(k)]
    return lines


def layer_text(a: LayerAnswer) -> str:
    lines = ([a.read] if a.read else []) + [a.question]
    lines += [f"  note: {n}" for n in a.notes]
    lines.append(f"  output shape: {fmt_shape(a.output_shape)}")
    lines += [f"    {s}" for s in a.shape_lines]
    lines.append(f"  activations: {a.activation_text}")
    lines.append(f"  params: {a.params_text}")
    lines += weight_lines(a.weights)
    lines.append(f"  MACs: {a.macs_text}")
    return "\n".join(lines) + "\n"


def progression(values: tuple[int, ...]) -> str:
    """'32, 64, ..., 2048 (every multiple of 32)' when the values step evenly, else a list."""
    if len(values) <= 6:
        return ", ".join(map(str, values)) if values else "none"
    step = values[1] - values[0]
    if all(b - a == step for a, b in zip(values, values[1:])):
        what = (f"every multiple of {step}" if values[0] % step == 0 and values[0] == step
                else f"{values[0]} + {step}k")
        return f"{values[0]}, {values[1]}, {values[2]}, ..., {values[-1]} ({what})"
    return ", ".join(map(str, values[:12])) + (f", ... ({len(values)} sizes)" if len(values) > 12 else "")


def input_text(a: InputAnswer) -> str:
    lines = [a.question, f"  exact when {a.formula}"]
    for s in a.per_axis or (a,):
        label = f"{s.axis}" if not a.per_axis else f"{s.axis} (other axes as given)"
        lines.append(f"  {label}: exact for {progression(s.exact_sizes)}")
        small = "none up to --max" if s.smallest is None else str(s.smallest)
        lines.append(f"  {label}: smallest accepted {small}")
    lines.append("")
    given = "x".join(map(str, a.given))
    if a.given_error:
        lines.append(f"  input {given}: not accepted: {a.given_error}")
    elif not a.given_drops:
        lines.append(f"  input {given}: every division is exact; no layer drops rows")
    else:
        first = a.given_drops[0]
        lines.append(f"  input {given}: first layer that drops rows: {first.layer} on {first.axis}:")
        lines.append(f"    {first.working}; {first.note}")
        rest = len({d.layer for d in a.given_drops}) - 1
        if rest:
            lines.append(f"    ({rest} more layer{'s' if rest != 1 else ''} after it; --format json lists them)")
    return "\n".join(lines) + "\n"
