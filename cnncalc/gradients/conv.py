"""Gradients of one convolution, worked the way the course notes work them (`cnncalc grad`).

Forward Z = X (cross-)correlated with K, + b (PyTorch's convention; `flip` rotates K by 180
degrees first, the textbook convolution); given the upstream gradient G = dL/dZ (Z's shape):
dL/dK is the padded input cross-correlated with G dilated by the stride (s-1 zeros between its
cells); dL/dX is the full convolution of the dilated G with K (G padded by f-1 zeros,
cross-correlated with K rotated 180 degrees), cropped by the padding; dL/db is the sum of G.
FORMULAS writes each one out; every result carries its own.

The numbers stay exact: integer grids give integers, Fractions give Fractions, any float
makes floats. Pure Python on nested lists (grids are worked by hand, so they are small): numpy
is never imported here. The command line's text is read in gradients/inputs.py (from_text).
"""
from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .. import explain as X
from .. import formulas as F
from ..errors import ArgumentError, ShapeError

MAX_PRODUCTS = 1_000_000  # multiply-adds of one pass (C_out*C_in*H_p*W_p*f_h*f_w): a hand-sized grid

Number = int | Fraction | float


# ---------------------------------------------------------------- reading numbers and grids

def number(v: Any, what: str) -> Number:
    """An exact number when it can be: ints stay ints, integral floats become ints, Fractions
    stay Fractions (ints when whole); other finite floats stay floats."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ArgumentError(f"{what}: {v!r} is not a number; use numbers like 3, -1 or 0.5")
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Rational):
        q = Fraction(v.numerator, v.denominator)
        return q.numerator if q.denominator == 1 else q
    x = float(v)
    if not math.isfinite(x):
        raise ArgumentError(f"{what}: {v!r} is not a finite number")
    return int(x) if x.is_integer() else x


def grid(g: Any, what: str) -> tuple[list[list[Number]], bool]:
    """(rows, flat): a grid given as rows of numbers, or as one flat list (a 1-D signal)."""
    if not isinstance(g, (list, tuple)) or not g:
        raise ArgumentError(f"{what} is empty or not a list of rows; give rows of numbers like [[1, 0], [0, 1]]")
    if all(not isinstance(r, (list, tuple)) for r in g):
        return [[number(v, what) for v in g]], True
    rows = []
    for i, r in enumerate(g, start=1):
        if not isinstance(r, (list, tuple)) or not r:
            raise ArgumentError(f"{what} row {i} is not a non-empty list of numbers; every row is a list like [1, 0]")
        if len(r) != len(g[0]):
            raise ArgumentError(f"{what} row {i} has {len(r)} value{'s' if len(r) != 1 else ''} but row 1 has "
                                f"{len(g[0])}; every row needs the same number of values")
        rows.append([number(v, f"{what} row {i}") for v in r])
    return rows, False


# ---------------------------------------------------------------- exact grid arithmetic

def _pad(g, ph: int, pw: int):
    w = len(g[0]) + 2 * pw
    return ([[0] * w for _ in range(ph)] + [[0] * pw + list(r) + [0] * pw for r in g]
            + [[0] * w for _ in range(ph)])


def _dilate(g, sh: int, sw: int):
    out = [[0] * ((len(g[0]) - 1) * sw + 1) for _ in range((len(g) - 1) * sh + 1)]
    for i, row in enumerate(g):
        for j, v in enumerate(row):
            out[i * sh][j * sw] = v
    return out


def _rot180(k):
    return [list(reversed(r)) for r in reversed(k)]


def _xcorr(a, k, out_h: int, out_w: int, sh: int = 1, sw: int = 1):
    """Valid cross-correlation: out[i][j] = sum_m sum_n a[i*sh+m][j*sw+n] * k[m][n]."""
    fh, fw = len(k), len(k[0])
    return [[sum(a[i * sh + m][j * sw + n] * k[m][n] for m in range(fh) for n in range(fw))
             for j in range(out_w)] for i in range(out_h)]


def _add(a, b):
    return [[x + y for x, y in zip(r, q)] for r, q in zip(a, b)]


def _zeros(h: int, w: int):
    return [[0] * w for _ in range(h)]


def _finite(grids_, what: str) -> None:
    for g in grids_:
        for r in g:
            for v in r:
                if isinstance(v, float) and not math.isfinite(v):
                    raise ArgumentError(f"the {what} overflows (a value beyond +-1.8e308); use smaller numbers")


# ---------------------------------------------------------------- formatting

def num(v: Number) -> str:
    """3, -1/9, 0.5: ints and Fractions exactly, floats as handwork.fmt shows them."""
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    from ..render.grids import fmt
    return fmt(v)


def _paren(v: Number) -> str:
    s = num(v)
    return f"({s})" if s.startswith("-") or "/" in s else s


def jsonable(v: Any) -> Any:
    """Nested lists for JSON: ints stay ints, whole floats become ints, Fractions become floats."""
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, Fraction):
        return v.numerator if v.denominator == 1 else float(v)
    if isinstance(v, float) and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


# ---------------------------------------------------------------- the result

FORMULAS = {
    "Z": "Z[i,j] = sum_m sum_n Xp[i*s+m, j*s+n] * K[m,n] + b (cross-correlation, as PyTorch)",
    "Z_flip": "Z[i,j] = sum_m sum_n Xp[i*s+m, j*s+n] * K[f-1-m, f-1-n] + b (convolution: K rotated 180 degrees)",
    "dK": "dL/dK[m,n] = sum_i sum_j Xp[i*s+m, j*s+n] * G[i,j]: the padded input cross-correlated with "
          "the upstream gradient G (dilated by the stride)",
    "dK_flip": "dL/dK[m,n] = sum_i sum_j Xp[i*s+f-1-m, j*s+f-1-n] * G[i,j]: the padded input "
               "cross-correlated with the (dilated) upstream gradient, rotated 180 degrees",
    "dX": "dL/dX = full convolution of the (dilated) upstream gradient G with K: G padded by f-1 zeros, "
          "cross-correlated with K rotated 180 degrees, p rows and columns cropped off each side",
    "dX_flip": "dL/dX = full cross-correlation of the (dilated) upstream gradient G with K (the flip "
               "undoes the flip): G padded by f-1 zeros, cross-correlated with K, p cropped off each side",
    "db": "dL/db = sum_i sum_j G[i,j]",
    "dilated": "G dilated by the stride s: s-1 zeros between neighbouring cells, (out-1)*s + 1 per axis",
    "padded": "Xp: X with p zeros on every side, n + 2p per axis",
}


def _signal_formula(text: str) -> str:
    """The 2-D formula written for a 1-D signal: one index, one sum."""
    for old, new in (("sum_m sum_n", "sum_m"), ("sum_i sum_j", "sum_i"), (", j*s+f-1-n]", "]"),
                     (", j*s+n]", "]"), ("[m,n]", "[m]"), ("[f-1-m, f-1-n]", "[f-1-m]"), ("[i,j]", "[i]"),
                     ("p rows and columns cropped off each side", "p cropped off each end")):
        text = text.replace(old, new)
    return text


def _channel_formula(text: str) -> str:
    """The single-channel formula with the channel sums of the multi-channel case."""
    return (text.replace("Z[i,j] = sum_m", "Z[o][i,j] = sum_c sum_m").replace("Xp[", "Xp[c][")
            .replace("K[m,n] + b", "K[o][c][m,n] + b[o]").replace("K[f-1-m, f-1-n] + b", "K[o][c][f-1-m, f-1-n] + b[o]")
            .replace("dL/dK[m,n]", "dL/dK[o][c][m,n]").replace("G[i,j]", "G[o][i,j]")
            .replace("dL/dX =", "dL/dX[c] = sum_o").replace("dL/db =", "dL/db[o] =")
            .replace("gradient G with K", "gradient G[o] with K[o][c]"))


@dataclass(frozen=True)
class ConvGrad:
    """One convolution forward and backward. Grids are kept as rows per channel: `image[c]`,
    `kernel[o][c]`, `upstream[o]`, `z[o]`, `dk[o][c]`, `dx[c]`, `db[o]` (a 1-D signal is one
    row). `Z`, `dK`, `dX`, `dL_db` give them back in the caller's form: one grid when one was
    given (a flat list for a 1-D signal), else lists per channel."""
    dims: int
    multi: bool
    stride: tuple[int, int]   # (rows, columns); a 1-D signal is one row: (1, s)
    padding: tuple[int, int]
    flip: bool
    image: list
    kernel: list
    bias: list | None
    upstream: list
    padded: list              # Xp per input channel
    dilated: list             # G dilated by the stride, per output channel
    z: list
    dk: list
    dx: list
    db: list
    sizes: tuple[str, ...]    # the output size working per axis
    formulas: dict
    notes: tuple[str, ...] = ()  # what -p same meant

    def _view(self, g):
        return g[0] if self.dims == 1 else g

    def _channels(self, gs, depth: int):
        if depth == 2:
            out = [[self._view(g) for g in row] for row in gs]
            return out if self.multi else out[0][0]
        out = [self._view(g) for g in gs]
        return out if self.multi else out[0]

    # the caller's form: one grid (flat for a 1-D signal) when one was given, else per channel
    Z = property(lambda self: self._channels(self.z, 1))
    dK = property(lambda self: self._channels(self.dk, 2))
    dX = property(lambda self: self._channels(self.dx, 1))
    dL_db = property(lambda self: self.db if self.multi else self.db[0])
    upstream_dilated = property(lambda self: self._channels(self.dilated, 1))
    input_padded = property(lambda self: self._channels(self.padded, 1))

    @property
    def output_shape(self) -> tuple[int, ...]:
        h, w = len(self.z[0]), len(self.z[0][0])
        return (w,) if self.dims == 1 else (h, w)

    def text(self, at: str | None = None) -> str:
        """`cnncalc grad`'s text: every grid with the formula it came from; `at` ("dK:0,0",
        parse_at's forms) works one cell."""
        return _text(self, at)

    def to_dict(self, at: str | None = None) -> dict[str, Any]:
        """{"Z", "dL_dK", "dL_dX", "dL_db"} as nested lists, with the grids shown on the way and
        the formula of each (`cnncalc grad --format json`); `at` adds one cell's working."""
        s = self.stride[1] if self.dims == 1 else list(self.stride)
        p = self.padding[1] if self.dims == 1 else list(self.padding)
        out: dict[str, Any] = {"Z": jsonable(self.Z), "dL_dK": jsonable(self.dK), "dL_dX": jsonable(self.dX),
                               "dL_db": jsonable(self.dL_db), "output_shape": list(self.output_shape),
                               "stride": s, "padding": p, "flip": self.flip,
                               "mode": "convolution (kernel flipped)" if self.flip else "cross-correlation"}
        if max(self.stride) > 1:
            out["upstream_dilated"] = jsonable(self.upstream_dilated)
        if max(self.padding) > 0:
            out["input_padded"] = jsonable(self.input_padded)
        out["size_formula"] = list(self.sizes)
        out["formulas"] = dict(self.formulas)
        if self.notes:
            out["notes"] = list(self.notes)
        if at is not None:
            out["at"] = parse_at(at, self)
        return out

    # ------------------------------------------------------------ the working of one cell

    def working_at(self, which: str = "dK", *index: int, o: int | None = None, c: int | None = None) -> str:
        """One cell's sum of products with the numbers plugged in, the way the notes write it:
        working_at("dK", 0, 0) -> "dL/dK[0,0] = X[0,0]*G[0,0] + ... = 1*1 + ... = 12".
        `which` is "Z", "dK", "dX" or "db"; for several channels pick them with o= and c=."""
        key = {"z": "Z", "dk": "dK", "dl_dk": "dK", "dx": "dX", "dl_dx": "dX", "db": "db", "dl_db": "db"}.get(
            str(which).lower().replace("/", "_"))
        if key is None:
            raise ArgumentError(f"--at names `{which}`; use Z, dK, dX or db, e.g. dK:0,0")
        for name, v, n, used in (("output channel o", o, len(self.kernel), key != "dX"),
                                 ("input channel c", c, len(self.image), key in ("dK", "dX"))):
            if used and v is not None and (not isinstance(v, int) or not 0 <= v < n):
                raise ArgumentError(f"{name} {v} is outside 0 to {n - 1}")
        o, c = o or 0, c or 0
        want = 0 if key == "db" else self.dims
        if len(index) != want:
            words = {0: "no cell index", 1: "one index i", 2: "two indices i,j (row, column, 0-based)"}[want]
            raise ArgumentError(f"--at {key} needs {words}, got {len(index)} ({','.join(map(str, index)) or 'none'})")
        if key == "db":
            return self._working("db", (), o, c)
        grid_ = {"Z": self.z[0], "dK": self.kernel[0][0], "dX": self.image[0]}[key]
        cell = (0, *index) if self.dims == 1 else tuple(index)
        for v, n, name in list(zip(cell, (len(grid_), len(grid_[0])), ("row", "column")))[2 - self.dims:]:
            if not isinstance(v, int) or not 0 <= v < n:
                raise ArgumentError(f"--at {key} {','.join(map(str, index))}: {name if self.dims == 2 else 'index'} "
                                    f"{v} is outside the grid (0 to {n - 1})")
        return self._working(key, cell, o, c)

    def _idx(self, i: int, j: int) -> str:
        return f"[{j}]" if self.dims == 1 else f"[{i},{j}]"

    def _k_index(self, m: int, n: int) -> tuple[int, int]:
        """The given kernel's cell that the forward pass multiplies at tap (m, n)."""
        fh, fw = len(self.kernel[0][0]), len(self.kernel[0][0][0])
        return (fh - 1 - m, fw - 1 - n) if self.flip else (m, n)

    def _sum(self, lhs: str, terms: list[tuple[str, str]], value: Number, extra: str = "") -> str:
        if not terms:
            return f"{lhs} = 0{extra}"
        numbers_ = " + ".join(v for _, v in terms)
        tail = "" if numbers_ == num(value) else f" = {num(value)}"
        return f"{lhs} = {' + '.join(t for t, _ in terms)} = {numbers_}{tail}"

    def _products(self):
        """Every product of the forward pass: output (o, i, j) reads Xp[c][a, b] at tap (m, n),
        a = i*s + m, b = j*s + n, times the kernel cell K[o][c][km, kn] used there."""
        (sh, sw), fh, fw = self.stride, len(self.kernel[0][0]), len(self.kernel[0][0][0])
        for o, c, i, j, m, n in itertools.product(range(len(self.kernel)), range(len(self.image)), range(len(self.z[0])),
                                                  range(len(self.z[0][0])), range(fh), range(fw)):
            yield o, c, i, j, i * sh + m, j * sw + n, *self._k_index(m, n)

    def _working(self, key: str, cell, o: int, c: int) -> str:
        ph, pw = self.padding
        ch = (lambda *v: "".join(f"[{x}]" for x in v)) if self.multi else (lambda *v: "")
        if key == "db":
            terms = [(f"G{ch(o)}{self._idx(i, j)}", _paren(self.upstream[o][i][j]))
                     for i in range(len(self.z[0])) for j in range(len(self.z[0][0]))]
            return self._sum(f"dL/db{ch(o)}", terms, self.db[o])
        x, terms = "Xp" if max(self.padding) else "X", []
        for oo, cc, i, j, a, b, km, kn in self._products():
            xv, kv, gv = self.padded[cc][a][b], self.kernel[oo][cc][km][kn], self.upstream[oo][i][j]
            xs, ks, gs = f"{x}{ch(cc)}{self._idx(a, b)}", f"K{ch(oo, cc)}{self._idx(km, kn)}", f"G{ch(oo)}{self._idx(i, j)}"
            if key == "Z" and (oo, i, j) == (o, *cell):
                terms.append((f"{xs}*{ks}", f"{_paren(xv)}*{_paren(kv)}"))
            elif key == "dK" and (oo, cc, km, kn) == (o, c, *cell):
                terms.append((f"{xs}*{gs}", f"{_paren(xv)}*{_paren(gv)}"))
            elif key == "dX" and (cc, a, b) == (c, cell[0] + ph, cell[1] + pw):
                terms.append((f"{gs}*{ks}", f"{_paren(gv)}*{_paren(kv)}"))
        if key == "Z":
            if self.bias is not None:
                terms.append((f"b{ch(o)}", _paren(self.bias[o])))
            return self._sum(f"Z{ch(o)}{self._idx(*cell)}", terms, self.z[o][cell[0]][cell[1]])
        if key == "dK":
            return self._sum(f"dL/dK{ch(o, c)}{self._idx(*cell)}", terms, self.dk[o][c][cell[0]][cell[1]])
        return self._sum(f"dL/dX{ch(c)}{self._idx(*cell)}", terms, self.dx[c][cell[0]][cell[1]],
                         " (no output cell reads this input cell: the stride steps over it)")


# ---------------------------------------------------------------- computing it

def _pair(v: Any, what: str, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise ArgumentError(f"{what} {v!r} must be a whole number")
    if v < minimum:
        raise ArgumentError(f"{what} {v} must be at least {minimum}" + ("; use -s 1 or more" if minimum else ""))
    return v


def _count(seq, want: int, text: str, unit: str, unit_want: str) -> None:
    """A list of `want` entries, else `text` with both counts ("2 channels", "1 filter")."""
    got = len(seq) if isinstance(seq, (list, tuple)) else 0
    if got != want:
        text = text.replace("there are {}", "there is {}") if want == 1 else text
        raise ArgumentError(text.format(f"{got} {unit}{'s' if got != 1 else ''}",
                                        f"{want} {unit_want}{'s' if want != 1 else ''}"))


def _shape_text(rows, dims: int) -> str:
    return f"length {len(rows[0])}" if dims == 1 else f"{len(rows)}x{len(rows[0])}"


def conv_grad(image, kernel, upstream=None, stride: int = 1, padding: int = 0, bias=None,
              flip: bool = False, dims: int | None = None) -> ConvGrad:
    """One channel in, one out: `image` and `kernel` are grids (rows; a flat list, or one row
    when `dims` is not 2, is a 1-D signal), `upstream` = dL/dZ has Z's shape (None: all ones,
    as the notes take it, i.e. L = sum of Z), `bias` one number or None."""
    return conv_grad_channels([image], [[kernel]], None if upstream is None else [upstream], stride, padding,
                              None if bias is None else [bias], flip, dims, multi=False)


def conv_grad_channels(images, kernels, upstreams=None, stride: int = 1, padding: int = 0, bias=None,
                       flip: bool = False, dims: int | None = None, multi: bool = True) -> ConvGrad:
    """C_in input grids, C_out filters of C_in kernel grids each (`kernels[o][c]`, torch's
    (C_out, C_in, f_h, f_w) order), C_out upstream grids, C_out biases (or None). `dims` 1 or
    2; None: 1 when the grids are flat lists or single rows (the padding then pads L only)."""
    s = _pair(stride, "stride", 1)
    x_rows, k_rows, dims = _read_grids(images, kernels, dims, multi)
    notes: list[str] = []
    if isinstance(padding, str):  # same, valid: on the axes that slide (a signal: L)
        shape = (len(x_rows[0][0]),) if dims == 1 else (len(x_rows[0]), len(x_rows[0][0]))
        f = (len(k_rows[0][0][0]),) if dims == 1 else (len(k_rows[0][0]), len(k_rows[0][0][0]))
        padding, notes = X.worked_padding(padding.strip().lower(), shape, f, s, f"kernel {'x'.join(map(str, f))}")
    p = _pair(padding, "padding", 0)
    sh, sw = (1, s) if dims == 1 else (s, s)
    ph, pw = (0, p) if dims == 1 else (p, p)
    _check_work(x_rows, k_rows, ph, pw)
    sizes, (ho, wo) = _out_sizes(x_rows, k_rows, dims, (sh, sw), (ph, pw))
    g_rows = _upstream_rows(upstreams, len(k_rows), (ho, wo), sizes, dims, multi)
    if bias is not None:
        _count(bias, len(k_rows), "--bias has {} but there are {}; give one bias per output channel", "value", "filter")
    b = None if bias is None else [number(v, "--bias") for v in bias]
    used = [[_rot180(k) if flip else k for k in f] for f in k_rows]
    xp = [_pad(x, ph, pw) for x in x_rows]
    z = []
    for filt, bo in zip(used, b or [None] * len(used)):
        acc = _zeros(ho, wo)
        for xc, kc in zip(xp, filt):
            acc = _add(acc, _xcorr(xc, kc, ho, wo, sh, sw))
        z.append([[v + bo for v in r] for r in acc] if b is not None else acc)
    gd = [_dilate(g, sh, sw) for g in g_rows]
    dk, dx = _backward(xp, gd, used, flip, (len(x_rows[0]), len(x_rows[0][0])), (ph, pw))
    db = [sum(v for r in g for v in r) for g in g_rows]
    _finite(z, "convolution")
    _finite([*(k for f in dk for k in f), *dx, [db]], "gradient")
    return ConvGrad(dims, multi, (sh, sw), (ph, pw), flip, x_rows, k_rows, b, g_rows, xp, gd, z, dk, dx, db,
                    tuple(sizes), _formulas(flip, multi, dims), tuple(notes))


def _read_grids(images, kernels, dims, multi: bool):
    """(the image's rows per channel, the kernels' rows per filter and channel, dims), checked:
    one kernel grid per input channel, every channel the same size."""
    if dims not in (None, 1, 2):
        raise ArgumentError(f"dims {dims!r} must be 1 (a signal) or 2 (an image)")
    if not isinstance(images, (list, tuple)) or not images:
        raise ArgumentError("--image has no channels; give at least one grid")
    if not isinstance(kernels, (list, tuple)) or not kernels:
        raise ArgumentError("--kernel has no filters; give at least one kernel grid")
    xs = [grid(g, "--image" if not multi else f"--image channel {c}") for c, g in enumerate(images)]
    ks = []
    for o, filt in enumerate(kernels):
        _count(filt, len(xs), f"--kernel filter {o} has {{}} but --image has {{}}; give one kernel grid per input "
               "channel", "grid", "channel")
        ks.append([grid(g, "--kernel" if not multi else f"--kernel filter {o} channel {c}") for c, g in enumerate(filt)])
    one_row = all(len(r) == 1 for r, _ in xs) and all(len(r) == 1 for f in ks for r, _ in f)
    if dims == 1 and not one_row:
        raise ArgumentError("a 1-D convolution takes one row per --image and --kernel channel; give flat lists")
    dims = dims or (1 if one_row else 2)
    x_rows, k_rows = [r for r, _ in xs], [[r for r, _ in f] for f in ks]
    for what, gs in (("--image", x_rows), ("--kernel", [g for f in k_rows for g in f])):
        for g in gs[1:]:
            if (len(g), len(g[0])) != (len(gs[0]), len(gs[0][0])):
                raise ArgumentError(f"{what} channels differ in size: {_shape_text(gs[0], dims)} and "
                                    f"{_shape_text(g, dims)}; every channel needs the same size")
    return x_rows, k_rows, dims


def _check_work(x_rows, k_rows, ph: int, pw: int) -> None:
    """A hand-sized example: the padded grid within handwork.MAX_CELLS, the products within MAX_PRODUCTS."""
    from ..handwork import MAX_CELLS
    (h, w), (fh, fw) = (len(x_rows[0]), len(x_rows[0][0])), (len(k_rows[0][0]), len(k_rows[0][0][0]))
    c_in, c_out = len(x_rows), len(k_rows)
    if (h + 2 * ph) * (w + 2 * pw) * c_in > MAX_CELLS:
        raise ArgumentError(f"the padded input has {c_in} x {h + 2 * ph} x {w + 2 * pw} = "
                            f"{c_in * (h + 2 * ph) * (w + 2 * pw):,} cells, more than the {MAX_CELLS:,} a worked "
                            "grid may have; use less padding or a smaller grid")
    work = c_out * c_in * (h + 2 * ph) * (w + 2 * pw) * fh * fw
    if work > MAX_PRODUCTS:
        raise ArgumentError(f"the gradients take about {work:,} products (C_out*C_in*padded cells*kernel cells), "
                            f"more than the {MAX_PRODUCTS:,} a worked example may; use smaller grids or fewer channels")


def _out_sizes(x_rows, k_rows, dims: int, strides, pads) -> tuple[list[str], tuple[int, int]]:
    """(the working of each axis' output size, (rows, columns) of Z; one row for a signal)."""
    (h, w), (fh, fw) = (len(x_rows[0]), len(x_rows[0][0])), (len(k_rows[0][0]), len(k_rows[0][0][0]))
    (sh, sw), (ph, pw) = strides, pads
    sizes, out = [], []
    axes = [("L", w, fw, sw, pw)] if dims == 1 else [("rows", h, fh, sh, ph), ("columns", w, fw, sw, pw)]
    for name, n, f, st, pd in axes:
        try:
            o_n = F.conv_out(n, f, st, (pd, pd))
        except ShapeError as e:
            raise ArgumentError(f"kernel {_shape_text(k_rows[0][0], dims)} on the {name} of --image "
                                f"{_shape_text(x_rows[0], dims)}: {e.message}") from None
        out.append(o_n)
        sizes.append(f"{name}: floor(({n} + 2*{pd} - {f}) / {st}) + 1 = {o_n}")
    return sizes, ((1, out[0]) if dims == 1 else tuple(out))


def _upstream_rows(upstreams, c_out: int, z_shape, sizes, dims: int, multi: bool) -> list:
    """G per output channel, each of Z's shape; None: all ones (L = the sum of Z)."""
    ho, wo = z_shape
    if upstreams is None:
        return [[[1] * wo for _ in range(ho)] for _ in range(c_out)]
    _count(upstreams, c_out, "--upstream has {} but there are {} (C_out); give one upstream grid per output "
           "channel", "channel", "filter")
    z_text = f"length {wo}" if dims == 1 else f"{ho}x{wo}"
    g_rows = []
    for o, g in enumerate(upstreams):
        rows, _ = grid(g, "--upstream" if not multi else f"--upstream channel {o}")
        if (len(rows), len(rows[0])) != (ho, wo):
            got = f"length {len(rows[0])}" if dims == 1 and len(rows) == 1 else f"{len(rows)}x{len(rows[0])}"
            raise ArgumentError(f"--upstream{'' if not multi else f' channel {o}'} is {got} but the output Z is "
                                f"{z_text} ({'; '.join(sizes)}); give one upstream value per output cell")
        g_rows.append(rows)
    return g_rows


def _backward(xp, gd, used, flip: bool, image_shape, pads):
    """(dK per filter and channel, dX per channel) from the padded input, the dilated upstream
    gradients and the kernels the forward pass used (rotated when flipped)."""
    (h, w), (ph, pw) = image_shape, pads
    fh, fw = len(used[0][0]), len(used[0][0][0])
    hd, wd = len(gd[0]), len(gd[0][0])
    dk = [[_xcorr(xc, g, fh, fw) for xc in xp] for g in gd]
    if flip:  # the forward pass used K rotated: its gradient is rotated back
        dk = [[_rot180(k) for k in f] for f in dk]
    dx = []
    for c in range(len(xp)):
        full = _zeros(h + 2 * ph, w + 2 * pw)  # rows the floor never reads stay 0
        for g, filt in zip(gd, used):
            part = _xcorr(_pad(g, fh - 1, fw - 1), _rot180(filt[c]), hd + fh - 1, wd + fw - 1)
            for a, row in enumerate(part):
                for j, v in enumerate(row):
                    full[a][j] += v
        dx.append([r[pw:pw + w] for r in full[ph:ph + h]])
    return dk, dx


def _formulas(flip: bool, multi: bool, dims: int) -> dict[str, str]:
    """Each result's formula: flipped or not, with the channel sums, for a signal or a grid."""
    pick = {k: (FORMULAS[f"{k}_flip"] if flip and k in ("Z", "dK", "dX") else FORMULAS[k]) for k in
            ("Z", "dK", "dX", "db", "dilated", "padded")}
    if multi:
        pick = {k: _channel_formula(v) for k, v in pick.items()}
    if dims == 1:
        pick = {k: _signal_formula(v) for k, v in pick.items()}
    return {"Z": pick["Z"], "dL_dK": pick["dK"], "dL_dX": pick["dX"], "dL_db": pick["db"],
            "upstream_dilated": pick["dilated"], "input_padded": pick["padded"]}


def parse_at(text: str, r: ConvGrad) -> str:
    """`--at` text -> the working: "dK:0,0", "dX:1,2", "Z:0,1" or "db"; with several channels
    they come first, as in the nested lists: "dK:o,c,i,j", "dX:c,i,j", "Z:o,i,j", "db:o"."""
    import re
    which, _, rest = text.partition(":")
    key = which.strip().lower().replace("/", "_").removeprefix("dl_d")
    chans = {"z": 1, "k": 2, "x": 1, "b": 1, "dk": 2, "dx": 1, "db": 1}.get(key)
    try:
        idx = [int(v) for v in re.split(r"[,\s]+", rest.strip()) if v]
    except ValueError:
        chans = None
    if chans is None:
        raise ArgumentError(f"--at {text!r} is not WHICH:i,j with WHICH one of Z, dK, dX, db; e.g. --at dK:0,0 "
                            "(with channels first: dK:o,c,i,j, dX:c,i,j, Z:o,i,j, db:o)")
    if not r.multi:
        return r.working_at(which.strip(), *idx)
    if len(idx) != chans + (0 if key.endswith("b") else r.dims):
        raise ArgumentError(f"--at {text!r}: give the channel{'s o,c' if chans == 2 else ''} first, then the cell: "
                            "dK:o,c,i,j, dX:c,i,j, Z:o,i,j or db:o")
    ch = dict(zip(("c",) if key.endswith("x") else ("o", "c"), idx[:chans]))
    return r.working_at(which.strip(), *idx[chans:], **ch)


# ---------------------------------------------------------------- text

def _text(r: ConvGrad, at: str | None = None) -> str:
    """Every grid with the formula it came from; with `at`, one cell worked out."""
    from ..render.grids import grid_text
    d, (s, p), c_in, c_out = r.dims, (r.stride[1], r.padding[1]), len(r.image), len(r.kernel)
    lines: list[str] = []

    def show(label: str, name: str, rows, *ch: int) -> None:
        name += "".join(f"[{v}]" for v in ch) if r.multi else ""
        lines.append(label.format(name=name, shape=_shape_text(rows, d)))
        lines.append(grid_text([[num(v) for v in row] for row in (rows[:1] if d == 1 else rows)]))
    for c in range(c_in):
        show("input {name} ({shape}):", "X", r.image[c], c)
    for c in range(c_in if p else 0):
        show(f"padded {{name}} ({{shape}}), {p} zero{'s' if p != 1 else ''} per side:", "Xp", r.padded[c], c)
    for o, c in itertools.product(range(c_out), range(c_in)):
        show("kernel {name} ({shape}):", "K", r.kernel[o][c], o, c)
        if r.flip:
            show("  {name} rotated 180 degrees (true convolution):", "K", _rot180(r.kernel[o][c]), o, c)
    if r.bias is not None:
        lines.append("bias " + ", ".join(f"b{f'[{o}]' if r.multi else ''} = {num(v)}" for o, v in enumerate(r.bias)))
    for o in range(c_out):
        show(f"output {{name}} ({{shape}}), stride {s}, padding {p}:", "Z", r.z[o], o)
    lines += [f"  {r.formulas['Z']}", "  size: " + "; ".join(r.sizes)] + [f"  note: {n}" for n in r.notes]
    for o in range(c_out):
        show("upstream gradient {name} = dL/dZ ({shape}):", "G", r.upstream[o], o)
    for o in range(c_out if s > 1 else 0):
        show(f"{{name}} dilated by the stride ({{shape}}), {s - 1} zero{'s' if s != 2 else ''} between cells:",
             "G", r.dilated[o], o)
    for o, c in itertools.product(range(c_out), range(c_in)):
        show("dL/d{name} ({shape}):", "K", r.dk[o][c], o, c)
    lines.append(f"  {r.formulas['dL_dK']}")
    for c in range(c_in):
        show("dL/d{name} ({shape}):", "X", r.dx[c], c)
    lines.append(f"  {r.formulas['dL_dX']}")
    lines.append(", ".join(f"dL/db{f'[{o}]' if r.multi else ''} = {num(v)}" for o, v in enumerate(r.db)))
    lines.append(f"  {r.formulas['dL_db']}")
    if at is not None:
        lines += ["working:", f"  {parse_at(at, r)}"]
    return "\n".join(lines) + "\n"

