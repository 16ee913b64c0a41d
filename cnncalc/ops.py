"""NumPy operations of the reference executor: sliding windows, convolutions, pooling, activations
and weight initialisers. The kinds' `forward` and `make_weights` facets call them.

Layouts (documented once, used everywhere):
- Activations are channels-last with a leading batch axis, exactly the spec's shapes:
  (B, H, W, C), (B, L, C), (B, D, H, W, C), (B, n). `flatten` reads them row-major in that
  order, (H, W, C) -> H*W*C, which is Keras's order; torch flattens (C, H, W). The count is the
  same, the order of the features differs.
- Weights use PyTorch's layouts, so a test can hand them to torch.nn.functional unchanged:
  conv (C_out, C_in/groups, *f), transposed conv (C_in, C_out/groups, *f), dense (units, n_in),
  batchnorm gamma/beta/running mean/running var (C,), embedding (vocab, dim).

Geometry comes from `layer.axes(inp)` (kernel, stride, padding (before, after), dilation) and
output sizes from `infer`; nothing here re-derives a size formula. numpy is imported here: the
kinds import this module inside their facets, cli.py inside the commands that run it.
"""
from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np

from . import formulas as F
from .errors import CnncalcError
from .shapes import Axis

CHUNK_BYTES = 16 << 20  # im2col buffer per chunk of output rows: on the shared 2-core box (L3 32 MiB)
# the VGG-16 stack ran 0.7-0.8 s with 16 MiB against 1.0-1.3 s with the notes' 4 MiB


# ---------------------------------------------------------------- sliding windows

def pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
    """Pad the spatial axes (1 .. dims) of (B, *spatial, C) by (before, after) pairs."""
    if not any(b or a for b, a in pads):
        return x
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)


def _window(xp: np.ndarray, offsets, axes: tuple[Axis, ...], out: tuple[int, ...], rows=None):
    """The strided view of padded input `xp` that kernel tap `offsets` multiplies, one entry per
    output position: start j*d, step s, `out` entries per axis (rows limits the first axis)."""
    idx = [slice(None)]
    for i, (j, a, o) in enumerate(zip(offsets, axes, out)):
        lo, n = (j * a.d, o) if i or rows is None else (j * a.d + rows[0] * a.s, rows[1] - rows[0])
        idx.append(slice(lo, lo + (n - 1) * a.s + 1, a.s))
    return xp[tuple(idx)]


def _taps(axes: tuple[Axis, ...]):
    return itertools.product(*(range(a.f) for a in axes))


def conv_nd(x: np.ndarray, w: np.ndarray, axes: tuple[Axis, ...], out: tuple[int, ...],
            groups: int = 1, bias: np.ndarray | None = None) -> np.ndarray:
    """Cross-correlation, channels last. x (B, *n, C_in), w (C_out, C_in/groups, *f) -> (B, *out, C_out).

    im2col: one strided copy per kernel tap into a reused buffer, then one BLAS matmul, in
    chunks of output rows of about CHUNK_BYTES. Depthwise (one input channel per group) is a
    multiply-accumulate over the taps instead, as a matmul per channel would be slow.
    """
    c_out, cg = w.shape[0], w.shape[1]
    xp = pad(x, [a.pad for a in axes])
    if groups > 1 and cg == 1:
        y = _depthwise(xp, w, axes, out, groups)
    elif groups > 1:
        og = c_out // groups
        y = np.concatenate([_im2col_matmul(xp[..., g * cg:(g + 1) * cg], w[g * og:(g + 1) * og], axes, out)
                            for g in range(groups)], axis=-1)
    else:
        y = _im2col_matmul(xp, w, axes, out)
    if bias is not None:
        y += bias
    return y


def _im2col_matmul(xp, w, axes, out):
    b, c, c_out = xp.shape[0], xp.shape[-1], w.shape[0]
    taps = list(_taps(axes))
    k = len(taps)
    if k == 1 and all(a.s == 1 for a in axes):  # 1x1, stride 1: no im2col
        return (xp.reshape(-1, c) @ w.reshape(c_out, c).T).reshape(b, *out, c_out)
    # Column order of the im2col matrix: (C, K) lets the weights be used as they are, a free
    # transposed view of (C_out, C*K); (K, C) makes each tap's copy contiguous but the weights
    # must be reordered. Reordering costs C_out*K*C, the slower copies ~positions*K*C: pick
    # the cheaper one.
    channels_first = c_out >= b * math.prod(out)
    if channels_first:
        wm = w.reshape(c_out, c * k).T
    else:  # (C_out, C, *f) -> (*f, C, C_out) -> (K*C, C_out)
        wm = np.ascontiguousarray(np.moveaxis(w, (0, 1), (-1, -2))).reshape(k * c, c_out)
    rest = math.prod(out[1:])
    row_bytes = b * rest * k * c * xp.itemsize
    step = max(1, min(out[0], CHUNK_BYTES // max(row_bytes, 1)))
    buf = np.empty((b, step, *out[1:], *((c, k) if channels_first else (k, c))), dtype=xp.dtype)
    y = np.empty((b, *out, c_out), dtype=np.result_type(xp, wm))
    # With (K, C) columns and no dilation on the last axis, the f taps along that axis read
    # f*C consecutive input values (W and C are adjacent in memory): one copy per kernel row
    # instead of one per tap, with f times longer contiguous runs.
    fl = axes[-1].f
    merge = (not channels_first and axes[-1].d == 1 and xp.strides[-1] == xp.itemsize
             and xp.strides[-2] == c * xp.itemsize)
    rows_of_taps = list(itertools.product(*(range(a.f) for a in axes[:-1])))
    for r0 in range(0, out[0], step):
        r1 = min(r0 + step, out[0])
        cols = buf[:, :r1 - r0]
        if merge:
            runs = cols.reshape(*cols.shape[:-2], k // fl, fl * c)
            for t, offs in enumerate(rows_of_taps):
                view = _window(xp, (*offs, 0), axes, out, rows=(r0, r1))
                runs[..., t, :] = np.lib.stride_tricks.as_strided(view, (*view.shape[:-1], fl * c), view.strides)
        else:
            for t, offs in enumerate(taps):
                view = _window(xp, offs, axes, out, rows=(r0, r1))
                if channels_first:
                    cols[..., t] = view
                else:
                    cols[..., t, :] = view
        if b == 1:  # the output rows are contiguous: BLAS writes them in place
            np.matmul(cols.reshape(-1, k * c), wm, out=y[0, r0:r1].reshape(-1, c_out))
        else:
            y[:, r0:r1] = (cols.reshape(-1, k * c) @ wm).reshape(b, r1 - r0, *out[1:], c_out)
    return y


def _depthwise(xp, w, axes, out, groups):
    m = w.shape[0] // groups  # outputs per input channel (Keras depth_multiplier)
    if m == 1 and len(axes) == 2 and axes[1].s == 1:
        return _depthwise_rows(np.ascontiguousarray(xp), w, axes, out)
    wt = w.reshape(groups, m, -1)  # (C, m, K); output channel c*m + j reads input channel c
    acc = np.zeros((xp.shape[0], *out, groups, m), dtype=np.result_type(xp, w))
    tmp = np.empty_like(acc)
    for t, offs in enumerate(_taps(axes)):
        np.multiply(_window(xp, offs, axes, out)[..., None], wt[:, :, t], out=tmp)
        acc += tmp
    return acc.reshape(*acc.shape[:-2], groups * m)


def _depthwise_rows(xp, w, axes, out):
    """Depthwise 2-D, one filter per channel, stride 1 along W: for each tap the window of one
    output row is W_out*C consecutive input values, so every multiply-add runs over whole rows
    (the weights tiled W_out times) instead of C values at a time."""
    b, c = xp.shape[0], xp.shape[-1]
    ah, aw = axes
    rows = xp.reshape(b, xp.shape[1], -1)  # (B, H_padded, W_padded*C)
    span = out[1] * c
    acc = np.zeros((b, out[0], span), dtype=np.result_type(xp, w))
    tmp = np.empty_like(acc)
    for i in range(ah.f):
        r = slice(i * ah.d, i * ah.d + (out[0] - 1) * ah.s + 1, ah.s)
        for j in range(aw.f):
            start = j * aw.d * c
            np.multiply(rows[:, r, start:start + span], np.tile(w[:, 0, i, j], out[1]), out=tmp)
            acc += tmp
    return acc.reshape(b, *out, c)


def conv_transpose_nd(x: np.ndarray, w: np.ndarray, axes: tuple[Axis, ...], out: tuple[int, ...],
                      crop: tuple[int, ...], groups: int = 1, bias: np.ndarray | None = None) -> np.ndarray:
    """Transposed convolution, channels last. x (B, *n, C_in), w (C_in, C_out/groups, *f).

    Every input position scatters its C_in-vector times the kernel into a full output of
    (n-1)*s + d*(f-1) + 1 per axis; the result is that full output cropped from `crop` (the
    padding before), `out` long (a zero tail when output_padding reaches past the end).
    """
    b, c_in = x.shape[0], x.shape[-1]
    cg, og = c_in // groups, w.shape[1]
    taps = list(_taps(axes))
    n = x.shape[1:-1]
    full = tuple(max(F.transposed_out(a.n, a.f, a.s, (0, 0), a.d), c + o) for a, c, o in zip(axes, crop, out))
    y = np.zeros((b, *full, og * groups), dtype=np.result_type(x, w))
    for g in range(groups):
        wg = w[g * cg:(g + 1) * cg].reshape(cg, og, len(taps))  # (C_in/g, C_out/g, K)
        wm = np.ascontiguousarray(wg.transpose(0, 2, 1)).reshape(cg, -1)
        cols = (x[..., g * cg:(g + 1) * cg].reshape(-1, cg) @ wm).reshape(b, *n, len(taps), og)
        for t, offs in enumerate(taps):
            idx = (slice(None), *(slice(j * a.d, j * a.d + (a.n - 1) * a.s + 1, a.s)
                                  for j, a in zip(offs, axes)), slice(g * og, (g + 1) * og))
            y[idx] += cols[..., t, :]
    y = y[(slice(None), *(slice(c, c + o) for c, o in zip(crop, out)))]
    if bias is not None:
        y = y + bias
    return np.ascontiguousarray(y)


def pool_nd(x: np.ndarray, axes: tuple[Axis, ...], out: tuple[int, ...], op: str,
            count_include_pad: bool = True) -> np.ndarray:
    """Max or average pooling, channels last, as an element-wise reduction over k strided slices.

    Padding (and the ceil_mode overhang past it) reads -inf for max. Average divides by the
    window's cells inside the padded input (count_include_pad, PyTorch's rule) or inside the
    real input only (the overhang never counts), computed by pooling a mask the same way.
    """
    # extra cells after the right padding so the last ceil_mode window fits
    extra = [max(0, (o - 1) * a.s + F.effective_kernel(a.f, a.d) - F.padded(a.n, a.pad)) for a, o in zip(axes, out)]
    pads = [(a.pad[0], a.pad[1] + e) for a, e in zip(axes, extra)]
    if op == "max":
        xp = pad(x, pads, -np.inf)
        windows = (_window(xp, offs, axes, out) for offs in _taps(axes))
        acc = next(windows).copy()
        for view in windows:
            np.maximum(acc, view, out=acc)
        return acc
    xp = pad(x, pads, 0.0)
    acc = np.zeros((x.shape[0], *out, x.shape[-1]), dtype=x.dtype)
    for offs in _taps(axes):
        acc += _window(xp, offs, axes, out)
    mask = np.zeros((1, *(F.padded(a.n, p) for a, p in zip(axes, pads)), 1), dtype=x.dtype)
    inner = tuple(slice(0, F.padded(a.n, a.pad)) if count_include_pad else slice(a.pad[0], a.pad[0] + a.n)
                  for a in axes)
    mask[(slice(None), *inner, slice(None))] = 1
    count = sum(_window(mask, offs, axes, out) for offs in _taps(axes))
    return acc / count


# ---------------------------------------------------------------- activations

def _erf(x: np.ndarray) -> np.ndarray:
    """erf; numpy has none. float64 values (backprop's worked numbers) get math.erf itself,
    element by element; others Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, about float32's
    resolution, and 3x faster)."""
    if getattr(x, "dtype", None) == np.float64:
        return np.frompyfunc(math.erf, 1, 1)(x).astype(np.float64)
    s = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return s * (1.0 - poly * np.exp(-a * a))


def _softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
LEAKY_SLOPE = 0.01  # torch's default; Keras LeakyReLU defaults to 0.3: give negative_slope
ACTIVATION_FUNCS: dict[str, Callable] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
    "selu": lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / math.sqrt(2))),
    "silu": lambda x: x / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "mish": lambda x: x * np.tanh(np.logaddexp(0, x)),
    "hardswish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,  # torch and Keras 3: relu6(x + 3) / 6
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "softmax": _softmax,
    "log_softmax": lambda x: x - x.max(axis=-1, keepdims=True)
    - np.log(np.exp(x - x.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)),
    "softplus": lambda x: np.logaddexp(0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
}


IN_PLACE: dict[str, Callable] = {  # the activations that may overwrite a layer's own fresh output
    "relu": lambda x: np.maximum(x, 0, out=x),
    "relu6": lambda x: np.clip(x, 0, 6, out=x),
}


SLOPED: dict[str, Callable] = {  # the activations with a negative slope (None: LEAKY_SLOPE)
    "leaky_relu": lambda x, slope: np.where(x > 0, x, slope * x),
}


def activate(name: str | None, x: np.ndarray, negative_slope: float | None = None,
             inplace: bool = False) -> np.ndarray:
    """Apply a named activation (softmax over the last axis, the channels); None is none.
    `inplace` lets relu and relu6 overwrite x (a layer's own fresh output)."""
    if name is None:
        return x
    if inplace and name in IN_PLACE:
        return IN_PLACE[name](x)
    if name in SLOPED:
        return SLOPED[name](x, LEAKY_SLOPE if negative_slope is None else negative_slope)
    return ACTIVATION_FUNCS[name](x)


# ---------------------------------------------------------------- weights

def uniform(rng, shape, fan_in: int, dtype) -> np.ndarray:
    """He-uniform weights on (-b, b), b = sqrt(6 / fan_in), so activations stay O(1) through
    deep stacks. Drawn as 256 int8 levels: VGG-16's 102,760,448 fc6 weights take ~0.15 s
    this way against 1-2 s for float normals, and a shape check needs no finer randomness."""
    w = rng.integers(-128, 128, size=shape, dtype=np.int8).astype(dtype)
    w *= (math.sqrt(6.0 / max(fan_in, 1)) / 128)
    return w


def conv_weights(layer, r: LayerResult, rng, dtype, c_in, c_out, groups, transposed=False):
    kv = math.prod(a.f for a in r.axes)
    shape = (c_in, c_out // groups) if transposed else (c_out, c_in // groups)
    w = {"weight": uniform(rng, (*shape, *(a.f for a in r.axes)), kv * (c_in // groups), dtype)}
    if layer.bias:
        w["bias"] = uniform(rng, (c_out,), 2, dtype) * 0.1
    return w



def transposed_crop(layer, axes: tuple[Axis, ...]) -> tuple[int, ...]:
    """Rows cut from the start of the full transposed output: the padding before; for Keras's
    'same' / 'valid' what Keras 3.15 cuts (compute_conv_transpose_output_crops_for_torch, the
    TF/JAX window): span - 1 - left_pad, left_pad = min(ceil(pad_len / 2), span - 1) with
    pad_len = s + span - 2, or span + span % 2 - 2 + output_padding when that is given."""
    if layer.padding == "valid":
        return (0,) * len(axes)
    if layer.padding == "same":
        ops = layer.output_padding
        ops = (ops,) * len(axes) if ops is None or isinstance(ops, int) else ops
        crops = []
        for a, op in zip(axes, ops):
            span = F.effective_kernel(a.f, a.d)
            pad_len = a.s + span - 2 if op is None else span + span % 2 - 2 + op
            crops.append(span - 1 - min(F.ceil_div(pad_len, 2), span - 1))
        return tuple(crops)
    return tuple(a.pad[0] for a in axes)


UPSAMPLING_MODES = ("nearest", "linear", "bilinear", "trilinear")


def upsample(x: np.ndarray, out: tuple[int, ...], mode: str) -> np.ndarray:
    """Nearest: every cell repeated out//n times per axis. Linear modes (bilinear, ...):
    PyTorch's align_corners=False sampling, src = (i + 0.5)/factor - 0.5 clamped at 0, one axis
    at a time (linear interpolation is separable)."""
    if mode not in UPSAMPLING_MODES:
        raise CnncalcError(f"upsampling mode `{mode}` is not executed here; use nearest or (bi/tri)linear")
    for axis, o in enumerate(out, start=1):
        n = x.shape[axis]
        factor = o // n
        if mode == "nearest":
            x = np.repeat(x, factor, axis=axis)
            continue
        src = np.maximum((np.arange(o) + 0.5) / factor - 0.5, 0.0)
        lo = np.minimum(np.floor(src).astype(np.intp), n - 1)
        hi = np.minimum(lo + 1, n - 1)
        lam = (src - lo).astype(x.dtype).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        x = x.take(lo, axis=axis) * (1 - lam) + x.take(hi, axis=axis) * lam
    return x
