"""Solver and calculator answers as plain text or JSON. Layout only: every number and every
formula string comes from solve.py / explain.py. Also reads the command-line size syntax
(`32x32x3`, `3,4` for a (before, after) padding) into integers, with one-line errors."""
from __future__ import annotations

import json
import re
from typing import Any

from .errors import ArgumentError
from .kinds import fmt_shape
from .solve import Answer, LayerAnswer, SizeAnswer, Solution, progression
from .input_scan import InputAnswer

# ---- reading arguments --------------------------------------------------------------------

_SEP = re.compile(r"[xX×*,\s]+")
_INT = re.compile(r"[-+]?\d+$")


def _int(text: str, option: str, example: str, minimum: int = 1) -> int:
    t = text.strip()
    hint = example if " " in example else f"{option} {example}"
    if not _INT.match(t):
        kind = "a whole number" if re.match(r"[-+]?(\d+\.\d*|\.\d+)$", t) is None else "an integer"
        raise ArgumentError(f"{option} `{text}` is not {kind}; sizes are whole numbers, e.g. {hint}")
    digits = len(t.lstrip("+-"))
    if digits > 18:  # before int(): no size needs 19 digits, and Python refuses over 4,300
        raise ArgumentError(f"{option} has {digits:,} digits; sizes have at most 18, e.g. {hint}")
    v = int(t)
    if v < minimum:
        need = "positive" if minimum == 1 else f"at least {minimum}"
        raise ArgumentError(f"{option} {v} must be {need}; e.g. {hint}")
    return v


def sizes(text: str | None, option: str, example: str = "32x32x3", minimum: int = 1,
          required: bool = True) -> tuple[int, ...] | None:
    """'32x32x3' / '32' / '224x224' / '[32, 32, 3]' -> a tuple of ints (each >= minimum)."""
    if text is None:
        if required:
            raise ArgumentError(f"{option} is required; e.g. {example if ' ' in example else option + ' ' + example}")
        return None
    parts = [p for p in _SEP.split(text.strip().strip("[]()")) if p]
    if not parts:
        raise ArgumentError(f"{option} is empty; e.g. {example if ' ' in example else option + ' ' + example}")
    return tuple(_int(p, option, example, minimum) for p in parts)


def positional(arg: str | None, option_value: str | None, option: str) -> str | None:
    """A size given as a positional argument or as its option (`size 32` = `size -n 32`)."""
    if arg is not None and option_value is not None and arg != option_value:
        raise ArgumentError(f"the size is given twice, {arg} and {option} {option_value}; give one")
    return arg if arg is not None else option_value


def one(text: str | None, option: str, example: str = "3", minimum: int = 1,
        required: bool = True) -> int | None:
    """A single size: the solvers work on one axis at a time. `6x6` (square) and `32x32x3`
    (H x W x C: the channels dropped) give their one spatial size."""
    got = sizes(text, option, example, minimum, required)
    if got is None:
        return None
    if len(got) == 3 and option == "-n" and got[0] == got[1]:
        got = got[:2]  # 32x32x3: height, width, channels
    if len(got) > 1 and len(set(got)) == 1:
        got = got[:1]
    if len(got) != 1:
        raise ArgumentError(f"{option} `{text}` has {len(got)} values but the solver works on one "
                            f"axis at a time; run it once per axis, e.g. {option} {got[0]}")
    return got[0]


def padding(text: str, option: str = "-p") -> tuple[tuple[int, int], ...] | str:
    """'1' -> ((1, 1),); '1x2' -> per axis; '3,4' -> ((3, 4),) (before, after); 'same', 'valid'."""
    t = text.strip().lower()
    if t in ("same", "valid"):
        return t
    out = []
    for axis in [a for a in re.split(r"[xX×]", t.strip("[]()")) if a.strip()] or [""]:
        vals = [v for v in re.split(r"[,\s]+", axis.strip().strip("()")) if v]
        if len(vals) not in (1, 2):
            raise ArgumentError(f"{option} `{text}`: give p, or before,after per axis joined by 'x' "
                                f"(e.g. {option} 1, {option} 1x2, {option} 3,4) or same/valid")
        ps = tuple(_int(v, option, "1", minimum=0) for v in vals)
        out.append(ps * 2 if len(ps) == 1 else ps)
    return tuple(out)


def one_pad(text: str, option: str = "-p") -> tuple[int, int]:
    got = padding(text, option)
    if isinstance(got, str):
        raise ArgumentError(f"{option} {got} is not a size here; give p or before,after, e.g. {option} 1")
    if len(got) != 1:
        raise ArgumentError(f"{option} `{text}` gives {len(got)} axes but the solver works on one axis "
                            "at a time; give p or before,after")
    return got[0]


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
                      "dropped": x.dropped, "working": x.working, "note": x.note} for x in a.axes]}


def layer_dict(a: LayerAnswer) -> dict[str, Any]:
    return {"question": a.question, "kind": a.layer.kind, "input_shape": list(a.input_shape),
            "output_shape": list(a.output_shape), "shape_working": list(a.shape_lines),
            "activation_size": a.activation_size, "activation_working": a.activation_text,
            "params": a.params, "params_working": a.params_text,
            "macs": a.macs, "macs_working": a.macs_text, "notes": list(a.notes)}


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
    lines = [f"{a.question}: {a.formula}"]
    for x in a.axes:
        label = "" if len(a.axes) == 1 else f"{x.name}: "
        lines.append(f"  {label}{x.working}")
        if x.note:
            lines.append(f"  {' ' * len(label)}{x.note}")
    if len(a.axes) > 1:
        lines.append(f"  output: {'x'.join(map(str, a.output))}")
    return "\n".join(lines) + "\n"


def layer_text(a: LayerAnswer) -> str:
    lines = [a.question]
    lines += [f"  note: {n}" for n in a.notes]
    lines.append(f"  output shape: {fmt_shape(a.output_shape)}")
    lines += [f"    {s}" for s in a.shape_lines]
    lines.append(f"  activations: {a.activation_text}")
    lines.append(f"  params: {a.params_text}")
    lines.append(f"  MACs: {a.macs_text}")
    return "\n".join(lines) + "\n"


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


__all__ = ["answer_dict", "answer_text", "input_dict", "input_text", "layer_dict", "layer_text",
           "one", "one_pad", "padding", "positional", "size_dict", "size_text", "sizes", "to_json"]
