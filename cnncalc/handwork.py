"""Small grids worked by hand, the homework numbers: read small matrices, named kernels,
convolve / pool them, show one cell.

The arithmetic is the executor's (conv_nd, pool_nd) and the sizes are formulas.conv_out /
pool_out: this module only reads matrices and picks windows to show (render/grids.py shows them).
Default is cross-correlation (out[i,j] = sum_m sum_n I[i*s+m, j*s+n] K[m,n]), as PyTorch and
TensorFlow compute and as every worked example in the course notes does; `flip` rotates the
kernel by 180 degrees first, which is the textbook convolution.
"""
from __future__ import annotations

import json
import math
import os
import re
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from . import explain as X
from . import formulas as F
from .errors import ArgumentError, json_numbers, read_text
from .render.grids import fmt, plain
from .ops import conv_nd, pool_nd
from .shapes import Axis
from .kernels import ALIASES as KERNEL_ALIASES, KERNELS, names as kernel_names

Grid = list[list[float]]

def parse_matrix(text: str, what: str = "--image") -> Grid:
    """A matrix from inline text ("1 0 1; 0 1 0", rows split by ';' or newlines, values by
    spaces or commas; also JSON [[...]]) or from a CSV / whitespace file of that name."""
    source = text
    if text and os.path.exists(text):
        source = read_text(text, ArgumentError, "a text file of numbers", "a text file of numbers")
    elif re.fullmatch(r"\S*(/|\\|\.(csv|txt|tsv|dat))\S*", text.strip(), re.IGNORECASE) and not re.fullmatch(
            r"[-+0-9./]+", text.strip()):
        raise ArgumentError(f"{what} {text!r}: no such file; give an existing file or an inline matrix "
                            "like \"1 0 1; 0 1 0\"")
    source = source.strip()
    if source.startswith("["):
        try:
            data = json_numbers(source)
        except json.JSONDecodeError:
            raise ArgumentError(f"{what} starts with '[' but is not a JSON list of rows; write [[1, 0], [0, 1]] "
                                "or \"1 0; 0 1\"") from None
        if data and all(not isinstance(v, list) for v in data):
            data = [data]
        if not isinstance(data, list) or not all(isinstance(r, list) for r in data):
            raise ArgumentError(f"{what} must be a list of rows like [[1, 0], [0, 1]]")
        rows = [[str(v) for v in r] for r in data]
    else:
        lines = [ln for ln in re.split(r"[;\n]", source) if ln.strip() and not ln.lstrip().startswith("#")]
        rows = [[v for v in re.split(r"[,\s]+", ln.strip()) if v] for ln in lines]
    if not rows or not rows[0]:
        raise ArgumentError(f"{what} is empty; give rows of numbers like \"1 0 1; 0 1 0; 1 1 1\"")
    grid: Grid = []
    for i, row in enumerate(rows, start=1):
        if len(row) != len(rows[0]):
            raise ArgumentError(f"{what} row {i} has {len(row)} value{'s' if len(row) != 1 else ''} but row 1 has {len(rows[0])}; "
                                "every row needs the same number of values")
        values = []
        for v in row:
            try:
                x = float(Fraction(v)) if "/" in v else float(v)
            except (ValueError, ZeroDivisionError):
                raise ArgumentError(f"{what} row {i}: `{v}` is not a number; use numbers like 3, -1, 0.5 or 1/9") from None
            if not math.isfinite(x):
                raise ArgumentError(f"{what} row {i}: `{v}` is not a finite number")
            values.append(x)
        grid.append(values)
    return grid


def kernel_matrix(text: str) -> tuple[Grid, str | None]:
    """A named kernel (sobel_x, box_blur, ...) or a matrix as parse_matrix reads it."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    key = KERNEL_ALIASES.get(key, key)
    if key in KERNELS:
        return [list(map(float, r)) for r in KERNELS[key][0]], key
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_\- ]*", text.strip()) and not os.path.isfile(text):
        import difflib
        close = difflib.get_close_matches(key, list(KERNELS) + list(KERNEL_ALIASES), n=1)
        hint = f"did you mean {KERNEL_ALIASES.get(close[0], close[0])}? " if close else ""
        raise ArgumentError(f"unknown kernel `{text}`; {hint}named kernels: {kernel_names()}, or give a matrix "
                            "like \"1 0 -1; 1 0 -1; 1 0 -1\"")
    return parse_matrix(text, "--kernel"), None


def parse_at(text: str | None, dims: int) -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        at = tuple(int(v) for v in re.split(r"[,\s]+", text.strip()) if v)
    except ValueError:
        at = ()
    if len(at) != dims:
        want = "i (one index for a 1-D signal)" if dims == 1 else "i,j (row,column, 0-based)"
        raise ArgumentError(f"--at {text!r} is not {want}; e.g. --at {'2' if dims == 1 else '1,2'}")
    return at


@dataclass
class Cell:
    """One output cell worked out: its window, the kernel, the element-wise products, the result."""
    index: tuple[int, ...]
    window: np.ndarray
    kernel: np.ndarray | None
    products: np.ndarray | None
    value: float
    op: str


@dataclass
class GridResult:
    """Input, kernel and output grids of one conv or pool, with the arithmetic used."""
    op: str  # "conv", "max", "avg"
    dims: int
    image: np.ndarray
    kernel: np.ndarray | None
    output: np.ndarray
    f: tuple[int, ...]
    s: int
    p: int
    flip: bool = False
    kernel_name: str | None = None
    cell: Cell | None = None
    sizes: list[str] = field(default_factory=list)
    bias: float | None = None             # conv --bias: Z = x * K + b
    activation: str | None = None         # conv --activation: A = g(Z)
    activated: np.ndarray | None = None
    padded: np.ndarray | None = None      # conv --show-padded: the zero-padded input
    notes: list[str] = field(default_factory=list)  # what -p same meant here

    def to_dict(self) -> dict[str, Any]:
        """The grids and the working as `cnncalc conv/pool --format json` prints them."""
        from .render.grids import result_dict
        return result_dict(self)

    def text(self) -> str:
        """The grids and the working as `cnncalc conv/pool` prints them."""
        from .render.grids import result_text
        return result_text(self)


def _as_array(grid: Grid, dims: int) -> np.ndarray:
    a = np.array(grid, dtype=np.float64)
    return a.reshape(-1) if dims == 1 else a


def _out_sizes(image: np.ndarray, f: tuple[int, ...], s: int, p: int, what: str, pool: bool = False):
    names = ("L",) if image.ndim == 1 else ("rows", "columns")
    out, text = [], []
    for name, n, k in zip(names, image.shape, f):
        try:
            o = F.pool_out(n, k, s, (p, p)) if pool else F.conv_out(n, k, s, (p, p))
        except Exception as e:  # ShapeError: say it with the command-line names
            raise ArgumentError(f"{what} on the {name}: {getattr(e, 'message', e)}") from None
        out.append(o)
        text.append(f"{name}: floor(({n} + 2*{p} - {k}) / {s}) + 1 = {o}")
    return tuple(out), text


MAX_CELLS = 1_000_000  # a grid is worked by hand: a padded grid or matrix of up to a million cells


def _check(stride: int, padding: int, shape: tuple[int, ...] = ()) -> None:
    if stride < 1:
        raise ArgumentError(f"stride {stride} must be at least 1; use -s 1 or more")
    if padding < 0:
        raise ArgumentError(f"padding {padding} must be 0 or more")
    cells = 1
    for n in shape:
        cells *= n + 2 * padding
    if shape and cells > MAX_CELLS:
        padded = " x ".join(str(n + 2 * padding) for n in shape)
        raise ArgumentError(f"the padded grid has {padded} = {cells:,} cells, more than the {MAX_CELLS:,} "
                            "a worked grid may have; use less padding or a smaller grid")


def _finite(out: np.ndarray, what: str) -> np.ndarray:
    """A result that overflowed float64 is an input problem, not a crash."""
    if not np.all(np.isfinite(out)):
        raise ArgumentError(f"the {what} overflows (a value beyond +-1.8e308); use smaller numbers")
    return out


def padded_only(image: Grid, padding: int | str) -> GridResult:
    """`conv --show-padded` without a kernel: the input and its zero-padded grid, nothing else."""
    dims = 1 if len(image) == 1 else 2
    img = _as_array(image, dims)
    padding, _ = X.worked_padding(padding, img.shape, (), 1, "")
    _check(1, padding, img.shape)
    return GridResult("pad", dims, img, None, np.pad(img, padding), (), 1, padding, padded=np.pad(img, padding))


def convolve(image: Grid, kernel: Grid, stride: int = 1, padding: int | str = 0, flip: bool = False,
             at: str | None = None, kernel_name: str | None = None, bias: float | None = None,
             activation: str | None = None, show_padded: bool = False) -> GridResult:
    """Cross-correlation (or, with flip, convolution) of a 2-D image or 1-D signal, plus `bias`
    (Z = x * K + b), then `activation` (A = g(Z), element-wise)."""
    dims = 1 if len(image) == 1 and len(kernel) == 1 else 2
    img, ker = _as_array(image, dims), _as_array(kernel, dims)
    if bias is not None and not np.isfinite(bias):
        raise ArgumentError(f"--bias {bias} is not a finite number; give e.g. --bias -1")
    padding, notes = X.worked_padding(padding, img.shape, ker.shape, stride, f"kernel {'x'.join(map(str, ker.shape))}")
    _check(stride, padding, img.shape)
    used = ker[::-1] if dims == 1 and flip else (ker[::-1, ::-1] if flip else ker)
    out_shape, sizes = _out_sizes(img, ker.shape, stride, padding, f"kernel {'x'.join(map(str, ker.shape))}")
    axes = tuple(Axis(n, f, stride, (padding, padding)) for n, f in zip(img.shape, ker.shape))
    w = np.ascontiguousarray(used)[None, None]
    with np.errstate(all="ignore"):
        out = _finite(conv_nd(img[None, ..., None], w, axes, out_shape)[0, ..., 0] + (bias or 0.0), "convolution")
    res = GridResult("conv", dims, img, ker, out, ker.shape, stride, padding, flip, kernel_name, sizes=sizes,
                     bias=bias, activation=_elementwise(activation),
                     padded=np.pad(img, padding) if show_padded else None, notes=notes)
    if res.activation is not None:
        from .ops import activate
        with np.errstate(all="ignore"):
            res.activated = _finite(activate(res.activation, out.copy()), res.activation)
    index = parse_at(at, dims)
    if index is not None:
        window = _window(img, index, out_shape, ker.shape, stride, padding)
        products = window * used
        res.cell = Cell(index, window, used, products, float(out[index]), "sum")
    return res


def _elementwise_names() -> tuple[str, ...]:
    from .kinds.base import ELEMENTWISE_ACTIVATIONS
    return ELEMENTWISE_ACTIVATIONS


def _elementwise(name: str | None) -> str | None:
    """--activation: one of the element-wise activations (softmax needs a vector, not a grid)."""
    if name is None:
        return None
    key, names = name.strip().lower().replace("-", "_"), _elementwise_names()
    if key not in names:
        raise ArgumentError(f"--activation {name} is not an element-wise activation; use one of {', '.join(names)}")
    return key


def pool(image: Grid, f: int, stride: int | None = None, padding: int | str = 0, op: str = "max",
         at: str | None = None) -> GridResult:
    """Max or average pooling (PyTorch's rules: -inf padding for max, padded cells counted for avg)."""
    stride = f if stride is None else stride
    if f < 1:
        raise ArgumentError(f"pool size {f} must be at least 1; use -f 2")
    dims = 1 if len(image) == 1 else 2
    img = _as_array(image, dims)
    same = padding == "same"
    padding, notes = X.worked_padding(padding, img.shape, (f,) * dims, stride, f"pool size {f}")
    if same and padding and op == "avg":
        raise ArgumentError("-p same with --op avg: Keras leaves the padded cells out of each average, "
                            f"cnncalc pool counts them (PyTorch's rule); give -p {padding} for PyTorch's")
    _check(stride, padding)
    if padding > f // 2:
        raise ArgumentError(f"padding {padding} is more than half the pool size {f} ({f}//2 = {f // 2}); "
                            f"PyTorch refuses it: use -p {f // 2} or less")
    _check(stride, padding, img.shape)  # the padded grid's size, before it is allocated
    fs = (f,) * dims
    out_shape, sizes = _out_sizes(img, fs, stride, padding, f"pool size {f}", pool=True)
    axes = tuple(Axis(n, f, stride, (padding, padding)) for n in img.shape)
    with np.errstate(all="ignore"):
        out = _finite(pool_nd(img[None, ..., None], axes, out_shape, op)[0, ..., 0], "pooling")
    res = GridResult(op, dims, img, None, out, fs, stride, padding, sizes=sizes, notes=notes)
    index = parse_at(at, dims)
    if index is not None:
        window = _window(img, index, out_shape, fs, stride, padding, fill=-np.inf if op == "max" else 0.0)
        res.cell = Cell(index, window, None, None, float(out[index]), op)
    return res


def _window(img, index, out_shape, f, s, p, fill: float = 0.0) -> np.ndarray:
    for i, o, name in zip(index, out_shape, ("row", "column")):
        if not 0 <= i < o:
            raise ArgumentError(f"--at {','.join(map(str, index))}: {name if len(index) > 1 else 'index'} {i} is "
                                f"outside the output (0 to {o - 1})")
    padded = np.pad(img, p, constant_values=fill)
    return padded[tuple(slice(i * s, i * s + k) for i, k in zip(index, f))]


def conv_matrix(n: int, f: int, s: int = 1, kernel: Grid | None = None, signal: Grid | None = None) -> dict[str, Any]:
    """The convolution weight matrix (Toeplitz form) of a 1-D kernel on n samples, stride s:
    rows = floor((n - f) / s) + 1, n columns, row r holds the kernel at columns r*s .. r*s + f - 1.
    Checks matrix @ x against the sliding computation."""
    for name, v in (("-n", n), ("-f", f), ("-s", s)):
        if v < 1:
            raise ArgumentError(f"{name} {v} must be at least 1")
    if n * max(1, (n - 1) // s + 1) > MAX_CELLS:
        raise ArgumentError(f"a {n}-sample matrix has about {n * ((n - 1) // s + 1):,} cells, more than the "
                            f"{MAX_CELLS:,} a worked matrix may have; use a smaller -n")
    if kernel is not None:
        if len(kernel) != 1 and any(len(r) != 1 for r in kernel):
            raise ArgumentError("conv-matrix takes a 1-D kernel, one row like \"1 2 3\"")
        w = np.array(kernel, dtype=np.float64).reshape(-1)
        f = len(w)
    else:
        w = np.arange(1.0, f + 1)  # w0..w(f-1) = 1..f for the numeric check
    try:
        rows = F.conv_out(n, f, s)
    except Exception as e:
        raise ArgumentError(f"conv-matrix: {getattr(e, 'message', e)}") from None
    x = np.arange(float(n)) if signal is None else np.array(signal, dtype=np.float64).reshape(-1)
    if len(x) != n:
        raise ArgumentError(f"--signal has {len(x)} values but -n is {n}; give n values")
    m = np.zeros((rows, n))
    for r in range(rows):
        m[r, r * s:r * s + f] = w
    product = m @ x
    sliding = conv_nd(x[None, :, None], w[None, None], (Axis(n, f, s, (0, 0)),), (rows,))[0, :, 0]
    symbolic = [["0"] * n for _ in range(rows)]
    for r in range(rows):
        for j in range(f):
            symbolic[r][r * s + j] = f"w{j}" if kernel is None else fmt(w[j])
    return {"n": n, "f": f, "s": s, "rows": rows, "cols": n,
            "rows_formula": f"floor(({n} - {f}) / {s}) + 1 = {rows}",
            "symbolic": symbolic, "matrix": plain(m), "kernel": plain(w), "signal": plain(x),
            "product": plain(product), "sliding": plain(sliding),
            "input": plain(x), "output": plain(product),  # the same grids under the common names
            "equal": bool(np.allclose(product, sliding, rtol=1e-12, atol=1e-12)),
            "kernel_given": kernel is not None}
