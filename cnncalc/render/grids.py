"""The small grids' working (cnncalc conv, pool, conv-matrix) as text and JSON: numbers as the
course writes them (1/9, 4/3), grids right-aligned, one cell's arithmetic spelled out."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # a GridResult calls these renderers: its module is not imported here
    from ..handwork import GridResult


def fmt(v: float) -> str:
    """Integers as integers, short decimals as they are (2.3125), thirds and ninths as fractions
    (1/9, 4/3), anything else to 6 significant digits."""
    v = float(v)
    if not math.isfinite(v):
        return "-inf" if v < 0 else str(v)
    if v.is_integer():
        return str(int(v))
    if abs(round(v, 4) - v) < 1e-12:
        return f"{round(v, 4):g}"
    frac = Fraction(v).limit_denominator(100)
    if abs(float(frac) - v) < 1e-9 * max(1.0, abs(v)):
        return f"{frac.numerator}/{frac.denominator}"
    return f"{v:.6g}"


def plain(a: np.ndarray) -> list:
    """Nested lists with integral values as ints (JSON-friendly; -inf padding as null)."""
    if a.ndim == 0:
        v = float(a)
        return None if not math.isfinite(v) else (int(v) if v.is_integer() else v)
    return [plain(r) for r in a]


def grid_text(a: np.ndarray | list, indent: str = "  ") -> str:
    a = np.asarray(a, dtype=object)
    rows = [a] if a.ndim == 1 else list(a)
    cells = [[v if isinstance(v, str) else fmt(v) for v in r] for r in rows]
    width = max(len(c) for r in cells for c in r)
    return "\n".join(indent + " ".join(c.rjust(width) for c in r) for r in cells)


def result_dict(r: GridResult) -> dict[str, Any]:
    if r.op == "pad":
        return {"input": plain(r.image), "padding": r.p, "padded": plain(r.padded)}
    out: dict[str, Any] = {"op": r.op, "dims": r.dims, "input": plain(r.image), "output": plain(r.output),
                           "output_shape": list(r.output.shape), "stride": r.s, "padding": r.p,
                           "size_formula": r.sizes}
    if r.kernel is not None:
        out.update(kernel=plain(r.kernel), kernel_name=r.kernel_name, flip=r.flip,
                   mode="convolution (kernel flipped)" if r.flip else "cross-correlation")
        if r.padded is not None:
            out["padded"] = plain(r.padded)
        if r.bias is not None:
            out["bias"] = r.bias
        if r.activation is not None:
            out.update(activation=r.activation, activated=plain(r.activated))
    else:
        out["pool_size"] = r.f[0]
    if r.cell is not None:
        c = r.cell
        out["at"] = {"index": list(c.index), "window": plain(c.window), "value": plain(np.array(c.value))}
        if c.products is not None:
            out["at"].update(kernel=plain(c.kernel), products=plain(c.products))
    if r.notes:
        out["notes"] = list(r.notes)
    return out


def padded_text(r: GridResult) -> str:
    """`conv --show-padded` without a kernel: the input and its padded grid."""
    lines = [f"input ({'x'.join(map(str, r.image.shape))}):", grid_text(r.image),
             f"padded input ({'x'.join(map(str, r.padded.shape))}), {r.p} zero{'s' if r.p != 1 else ''} per side:",
             grid_text(r.padded)]
    return "\n".join(lines) + "\n"


def result_text(r: GridResult) -> str:
    if r.op == "pad":
        return padded_text(r)
    shape = "x".join(map(str, r.image.shape))
    pad = ""
    if r.p:
        pad = f", padded with {r.p} {'-inf cells (never the max)' if r.op == 'max' else 'zeros'} per side"
    lines = [f"input ({shape}{pad}):", grid_text(r.image)]
    if r.padded is not None:
        lines += [f"padded input ({'x'.join(map(str, r.padded.shape))}), {r.p} zero{'s' if r.p != 1 else ''} per side:",
                  grid_text(r.padded)]
    if r.kernel is not None:
        name = f" {r.kernel_name}" if r.kernel_name else ""
        lines += [f"kernel{name} ({'x'.join(map(str, r.kernel.shape))}):", grid_text(r.kernel)]
        if r.flip:
            used = r.kernel[::-1] if r.dims == 1 else r.kernel[::-1, ::-1]
            lines += ["kernel flipped (true convolution):", grid_text(used)]
        what = "convolution" if r.flip else "cross-correlation (no flip, as PyTorch/TensorFlow)"
    else:
        what = f"{r.op} pooling, size {r.f[0]}"
    z = "" if r.bias is None and r.activation is None else "Z "
    plus = "" if r.bias is None else f" + bias {fmt(r.bias)}"
    lines.append(f"output {z}({'x'.join(map(str, r.output.shape))}), {what}{plus}, stride {r.s}, padding {r.p}:")
    lines.append(grid_text(r.output))
    if r.activation is not None:
        lines += [f"A = {r.activation}(Z), element-wise:", grid_text(r.activated)]
    lines += ["size: " + "; ".join(r.sizes)]
    lines += [f"note: {n}" for n in r.notes]
    if r.cell is not None:
        c = r.cell
        idx = ",".join(map(str, c.index))
        lines += [f"at [{idx}]: window", grid_text(c.window)]
        flat = c.window.ravel()
        if c.products is not None:
            lines += ["element-wise products (window * kernel):", grid_text(c.products)]
            terms = " + ".join(f"{fmt(a)}*{_paren(b)}" for a, b in zip(flat, c.kernel.ravel()))
            bias = "" if r.bias is None else f" + {_paren(r.bias)}"  # the value includes it: Z = x * K + b
            z = "Z" if r.bias is not None or r.activation is not None else "out"
            lines.append(f"{z}[{idx}] = {terms}{bias} = {fmt(c.value)}")
            if r.activation is not None:
                lines.append(f"A[{idx}] = {r.activation}({fmt(c.value)}) = {fmt(r.activated[c.index])}")
        elif c.op == "max":
            lines.append(f"out[{idx}] = max({', '.join(fmt(v) for v in flat)}) = {fmt(c.value)}")
        else:
            lines.append(f"out[{idx}] = ({' + '.join(fmt(v) for v in flat)}) / {flat.size} = {fmt(c.value)}")
    return "\n".join(lines) + "\n"


def _paren(v: float) -> str:
    s = fmt(v)
    return f"({s})" if s.startswith("-") or "/" in s else s


def matrix_text(d: dict[str, Any]) -> str:
    lines = [f"convolution weight matrix, n={d['n']}, f={d['f']}, s={d['s']}: "
             f"{d['rows']} rows (= {d['rows_formula']}) x {d['cols']} columns (= n)",
             grid_text(d["symbolic"])]
    kernel = "w = " + " ".join(fmt(v) for v in d["kernel"]) + ("" if d["kernel_given"] else " (w0..w{} = 1..{})".format(d["f"] - 1, d["f"]))
    lines += [f"check with {kernel}, x = " + " ".join(fmt(v) for v in d["signal"]),
              "  matrix @ x = " + " ".join(fmt(v) for v in d["product"]),
              "  sliding    = " + " ".join(fmt(v) for v in d["sliding"]),
              "  equal" if d["equal"] else "  NOT EQUAL"]
    return "\n".join(lines) + "\n"
