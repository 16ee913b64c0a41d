"""NumPy reference executor: random weights with the inferred shapes, one forward function per kind.

Layouts (documented once, used everywhere):
- Activations are channels-last with a leading batch axis, exactly the spec's shapes:
  (B, H, W, C), (B, L, C), (B, D, H, W, C), (B, n). `flatten` reads them row-major in that
  order, (H, W, C) -> H*W*C, which is Keras's order; torch flattens (C, H, W). The count is the
  same, the order of the features differs.
- Weights use PyTorch's layouts, so a test can hand them to torch.nn.functional unchanged:
  conv (C_out, C_in/groups, *f), transposed conv (C_in, C_out/groups, *f), dense (units, n_in),
  batchnorm gamma/beta/running mean/running var (C,), embedding (vocab, dim).

Geometry comes from `layer.axes(inp)` (kernel, stride, padding (before, after), dilation) and
output sizes from `infer`; nothing here re-derives a size formula. Each kind is one function in
FORWARD (and, if it learns anything, one in WEIGHTS); new kinds register one small function.
numpy is imported here only: cli.py imports this module inside the commands that run it.
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from . import formulas as F
from .errors import CnncalcError
from .infer import LayerResult, infer, infer_layer
from .kinds import Axis, Layer, Shape
from .spec import Spec

Forward = Callable[[Layer, "np.ndarray", dict, LayerResult], "np.ndarray"]
MakeWeights = Callable[[Layer, LayerResult, "np.random.Generator", "np.dtype"], dict]

FORWARD: dict[str, Forward] = {}
WEIGHTS: dict[str, MakeWeights] = {}
CHUNK_BYTES = 16 << 20  # im2col buffer per chunk of output rows: on the shared 2-core box (L3 32 MiB)
# the VGG-16 stack ran 0.7-0.8 s with 16 MiB against 1.0-1.3 s with the notes' 4 MiB


def forward(*kinds: str):
    """Register a forward function f(layer, x, weights, result) -> y for these kinds."""
    def add(fn: Forward) -> Forward:
        for k in kinds:
            FORWARD[k] = fn
        return fn
    return add


def weights(*kinds: str):
    """Register a weight factory f(layer, result, rng, dtype) -> {name: array} for these kinds."""
    def add(fn: MakeWeights) -> MakeWeights:
        for k in kinds:
            WEIGHTS[k] = fn
        return fn
    return add


# ---------------------------------------------------------------- sliding windows

def _pad(x: np.ndarray, pads, value: float = 0.0) -> np.ndarray:
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
    xp = _pad(x, [a.pad for a in axes])
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
        xp = _pad(x, pads, -np.inf)
        windows = (_window(xp, offs, axes, out) for offs in _taps(axes))
        acc = next(windows).copy()
        for view in windows:
            np.maximum(acc, view, out=acc)
        return acc
    xp = _pad(x, pads, 0.0)
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
    """erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7); numpy has no erf."""
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


def activate(name: str | None, x: np.ndarray, negative_slope: float | None = None,
             inplace: bool = False) -> np.ndarray:
    """Apply a named activation (softmax over the last axis, the channels). `inplace` lets
    relu and relu6 overwrite x (a layer's own fresh output)."""
    if name is None or name == "linear":
        return x
    if inplace and name in ("relu", "relu6"):
        return np.clip(x, 0, 6, out=x) if name == "relu6" else np.maximum(x, 0, out=x)
    if name == "leaky_relu":
        slope = LEAKY_SLOPE if negative_slope is None else negative_slope
        return np.where(x > 0, x, slope * x)
    return ACTIVATION_FUNCS[name](x)


# ---------------------------------------------------------------- weights

def _uniform(rng, shape, fan_in: int, dtype) -> np.ndarray:
    """He-uniform weights on (-b, b), b = sqrt(6 / fan_in), so activations stay O(1) through
    deep stacks. Drawn as 256 int8 levels: VGG-16's 102,760,448 fc6 weights take ~0.15 s
    this way against 1-2 s for float normals, and a shape check needs no finer randomness."""
    w = rng.integers(-128, 128, size=shape, dtype=np.int8).astype(dtype)
    w *= (math.sqrt(6.0 / max(fan_in, 1)) / 128)
    return w


def _conv_weights(layer, r: LayerResult, rng, dtype, c_in, c_out, groups, transposed=False):
    kv = math.prod(a.f for a in r.axes)
    shape = (c_in, c_out // groups) if transposed else (c_out, c_in // groups)
    w = {"weight": _uniform(rng, (*shape, *(a.f for a in r.axes)), kv * (c_in // groups), dtype)}
    if layer.bias:
        w["bias"] = _uniform(rng, (c_out,), 2, dtype) * 0.1
    return w


@weights("conv", "conv1d", "conv2d", "conv3d")
def _w_conv(layer, r, rng, dtype):
    return _conv_weights(layer, r, rng, dtype, r.input_shape[-1], layer.filters, layer.groups)


@weights("depthwise_conv2d")
def _w_depthwise(layer, r, rng, dtype):
    c = r.input_shape[-1]
    return _conv_weights(layer, r, rng, dtype, c, c * layer.depth_multiplier, c)


@weights("conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
def _w_transpose(layer, r, rng, dtype):
    return _conv_weights(layer, r, rng, dtype, r.input_shape[-1], layer.filters, layer.groups, True)


@weights("separable_conv1d", "separable_conv2d")
def _w_separable(layer, r, rng, dtype):
    """depthwise (C*m, 1, *f) without bias, pointwise (filters, C*m, 1, ...) with the bias."""
    c, m, dims = r.input_shape[-1], layer.depth_multiplier, len(r.axes)
    kv = math.prod(a.f for a in r.axes)
    w = {"depthwise": _uniform(rng, (c * m, 1, *(a.f for a in r.axes)), kv, dtype),
         "pointwise": _uniform(rng, (layer.filters, c * m, *(1,) * dims), c * m, dtype)}
    if layer.bias:
        w["bias"] = _uniform(rng, (layer.filters,), 2, dtype) * 0.1
    return w


@weights("dense")
def _w_dense(layer, r, rng, dtype):
    n = r.input_shape[0]
    w = {"weight": _uniform(rng, (layer.units, n), n, dtype)}
    if layer.bias:
        w["bias"] = _uniform(rng, (layer.units,), 2, dtype) * 0.1
    return w


@weights("batchnorm")
def _w_batchnorm(layer, r, rng, dtype):
    c = r.input_shape[-1]
    w = {"running_mean": (rng.standard_normal(c) * 0.1).astype(dtype),
         "running_var": rng.uniform(0.5, 1.5, c).astype(dtype)}
    if layer.affine:
        w["gamma"] = rng.uniform(0.5, 1.5, c).astype(dtype)
        w["beta"] = (rng.standard_normal(c) * 0.1).astype(dtype)
    return w


@weights("layernorm", "groupnorm")
def _w_norm(layer, r, rng, dtype):
    c = r.input_shape[-1]
    if not layer.affine:
        return {}
    return {"gamma": rng.uniform(0.5, 1.5, c).astype(dtype), "beta": (rng.standard_normal(c) * 0.1).astype(dtype)}


@weights("embedding")
def _w_embedding(layer, r, rng, dtype):
    return {"weight": rng.standard_normal((layer.vocab, layer.dim)).astype(dtype)}


def make_weights(layer: Layer, r: LayerResult, rng, dtype=np.float32) -> dict[str, np.ndarray]:
    """Random weights with exactly the shapes this layer needs; {} if it learns nothing."""
    fn = WEIGHTS.get(layer.kind)
    return fn(layer, r, rng, np.dtype(dtype)) if fn else {}


# ---------------------------------------------------------------- forward functions

def _spatial(r: LayerResult) -> tuple[int, ...]:
    return r.output_shape[:-1]


@forward("conv", "conv1d", "conv2d", "conv3d")
def _f_conv(layer, x, w, r):
    y = conv_nd(x, w["weight"], r.axes, _spatial(r), layer.groups, w.get("bias"))
    return activate(layer.activation, y, inplace=True)


@forward("depthwise_conv2d")
def _f_depthwise(layer, x, w, r):
    y = conv_nd(x, w["weight"], r.axes, _spatial(r), x.shape[-1], w.get("bias"))
    return activate(layer.activation, y, inplace=True)


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


@forward("separable_conv1d", "separable_conv2d")
def _f_separable(layer, x, w, r):
    """Depthwise (groups = C) with r.axes, then pointwise 1x1, stride 1, no padding."""
    mid = tuple(r.output_shape[:-1])
    y = conv_nd(x, w["depthwise"], r.axes, mid, x.shape[-1])
    one = tuple(Axis(n, 1, 1, (0, 0)) for n in mid)
    y = conv_nd(y, w["pointwise"], one, mid, 1, w.get("bias"))
    return activate(layer.activation, y, inplace=True)


@forward("conv_transpose1d", "conv_transpose2d", "conv_transpose3d")
def _f_transpose(layer, x, w, r):
    y = conv_transpose_nd(x, w["weight"], r.axes, _spatial(r), transposed_crop(layer, r.axes),
                          layer.groups, w.get("bias"))
    return activate(layer.activation, y, inplace=True)


@forward(*(f"{op}pool{d}d" for op in ("max", "avg") for d in "123"))
def _f_pool(layer, x, w, r):
    # Keras 'same' average pooling divides by the real cells only
    include = layer.count_include_pad and layer.padding != "same"
    return pool_nd(x, r.axes, _spatial(r), layer.kind[:3], include)


@forward("global_avgpool", "global_maxpool")
def _f_global(layer, x, w, r):
    spatial = tuple(range(1, x.ndim - 1))
    reduce = np.mean if layer.kind == "global_avgpool" else np.max
    return reduce(x, axis=spatial, keepdims=layer.keepdims)


@forward(*(f"adaptive_{op}pool{d}d" for op in ("max", "avg") for d in "123"))
def _f_adaptive(layer, x, w, r):
    """PyTorch's bins: output i reads floor(i*n/o) .. ceil((i+1)*n/o); both reductions are
    separable over axes, so one axis at a time."""
    reduce = np.max if layer.kind.startswith("adaptive_max") else np.mean
    for axis, o in enumerate(_spatial(r), start=1):
        n = x.shape[axis]
        parts = [reduce(x.take(range(i * n // o, F.ceil_div((i + 1) * n, o)), axis=axis), axis=axis, keepdims=True)
                 for i in range(o)]
        x = np.concatenate(parts, axis=axis)
    return x


@forward("flatten")
def _f_flatten(layer, x, w, r):
    return x.reshape(x.shape[0], -1)  # row-major over (*spatial, C): Keras's order


@forward("dense")
def _f_dense(layer, x, w, r):
    y = x @ w["weight"].T
    if "bias" in w:
        y += w["bias"]
    return activate(layer.activation, y, inplace=True)


@forward("dropout")
def _f_dropout(layer, x, w, r):
    return x  # identity at inference


@forward("batchnorm")
def _f_batchnorm(layer, x, w, r):
    """Inference: (x - running_mean) / sqrt(running_var + eps) * gamma + beta, per channel."""
    scale = 1.0 / np.sqrt(w["running_var"] + layer.epsilon)
    shift = -w["running_mean"] * scale
    if "gamma" in w:
        scale, shift = scale * w["gamma"], shift * w["gamma"] + w["beta"]
    return x * scale.astype(x.dtype) + shift.astype(x.dtype)


@forward("layernorm", "groupnorm")
def _f_norm(layer, x, w, r):
    """(x - mean) / sqrt(var + eps) * gamma + beta; layernorm: statistics over the channels of
    each position; groupnorm: over C/groups consecutive channels and every position."""
    if layer.kind == "layernorm":
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        y = (x - mean) / np.sqrt(var + layer.epsilon)
    else:
        g = x.reshape(*x.shape[:-1], layer.groups, -1)
        axes = (*range(1, x.ndim - 1), x.ndim)  # every position and the channels of one group
        mean = g.mean(axis=axes, keepdims=True)
        var = g.var(axis=axes, keepdims=True)
        y = ((g - mean) / np.sqrt(var + layer.epsilon)).reshape(x.shape)
    if "gamma" in w:
        y = y * w["gamma"] + w["beta"]
    return y.astype(x.dtype)


@forward("zeropad1d", "zeropad2d", "zeropad3d")
def _f_zeropad(layer, x, w, r):
    return _pad(x, [a.pad for a in r.axes])


@forward("reshape")
def _f_reshape(layer, x, w, r):
    return x.reshape(x.shape[0], *r.output_shape)  # row-major, channels last: Keras's Reshape


@forward("cropping1d", "cropping2d", "cropping3d")
def _f_cropping(layer, x, w, r):
    crops = layer.crops(r.input_shape)
    return x[(slice(None), *(slice(b, b + n) for (b, _), n in zip(crops, _spatial(r))))]


@forward("lrn")
def _f_lrn(layer, x, w, r):
    """torch.nn.functional.local_response_norm: x / (k + alpha/size * sum of x^2 over `size`
    neighbouring channels, size//2 before and (size-1)//2 after)^beta."""
    sq = np.pad(x * x, [(0, 0)] * (x.ndim - 1) + [(layer.size // 2, (layer.size - 1) // 2)])
    c = x.shape[-1]
    acc = sum(sq[..., i:i + c] for i in range(layer.size))
    return x / (layer.k + layer.alpha / layer.size * acc) ** layer.beta


@forward("embedding")
def _f_embedding(layer, x, w, r):
    return w["weight"][x.astype(np.intp)]


# ---- branch kinds (issue 7): several inputs arrive as a tuple of arrays

@forward("add")
def _f_add(layer, xs, w, r):
    return sum(xs[1:], xs[0].copy())


@forward("multiply")
def _f_multiply(layer, xs, w, r):
    out = xs[0].copy()
    for v in xs[1:]:
        out *= v
    return out


@forward("concat")
def _f_concat(layer, xs, w, r):
    # `axis` counts as Keras does, batch = axis 0, -1 = channels: the arrays' own numbering
    return np.concatenate(xs, axis=getattr(layer, "axis", -1))


@forward("upsample", "upsample1d", "upsample2d", "upsample3d")
def _f_upsample(layer, x, w, r):
    """Nearest: every cell repeated `factor` times per axis. Linear modes (bilinear, ...):
    PyTorch's align_corners=False sampling, src = (i + 0.5)/factor - 0.5 clamped at 0, one axis
    at a time (linear interpolation is separable). The factor is out // n from infer."""
    mode = str(getattr(layer, "mode", "nearest")).lower()
    if mode not in ("nearest", "linear", "bilinear", "trilinear"):
        raise CnncalcError(f"upsampling mode `{mode}` is not executed here; use nearest or (bi/tri)linear")
    linear = mode != "nearest"
    for axis, o in enumerate(_spatial(r), start=1):
        n = x.shape[axis]
        factor = o // n
        if not linear:
            x = np.repeat(x, factor, axis=axis)
            continue
        src = np.maximum((np.arange(o) + 0.5) / factor - 0.5, 0.0)
        lo = np.minimum(np.floor(src).astype(np.intp), n - 1)
        hi = np.minimum(lo + 1, n - 1)
        lam = (src - lo).astype(x.dtype).reshape((-1,) + (1,) * (x.ndim - axis - 1))
        x = x.take(lo, axis=axis) * (1 - lam) + x.take(hi, axis=axis) * lam
    return x


def _f_activation(layer, x, w, r):
    return activate(layer.kind, x, layer.negative_slope)


for _name in ("linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
              "hardswish", "hard_sigmoid", "sigmoid", "tanh", "softmax", "log_softmax", "softplus",
              "softsign"):
    FORWARD[_name] = _f_activation


# ---------------------------------------------------------------- running a layer, a spec

def run_layer(layer: Layer, x, w: dict | None = None, rng=None, result: LayerResult | None = None):
    """One layer on a batch `x` (an array, or a tuple of arrays for multi-input kinds).
    Returns (y, weights); weights are made at random with `rng` when not given."""
    if result is None:
        shapes = tuple(v.shape[1:] for v in x) if isinstance(x, tuple) else (x.shape[1:],)
        result = infer_layer(layer, shapes)
    if w is None:
        dtype = (x[0] if isinstance(x, tuple) else x).dtype
        dtype = dtype if np.issubdtype(dtype, np.floating) else np.float32
        w = make_weights(layer, result, rng or np.random.default_rng(0), dtype)
    fn = FORWARD.get(layer.kind)
    if fn is None:
        raise CnncalcError(f"the executor has no forward function for kind `{layer.kind}`; "
                           "add one to cnncalc/executor.py FORWARD")
    return fn(layer, x, w, result), w


@dataclass(frozen=True)
class Check:
    """One layer as inferred and as executed."""
    result: LayerResult
    executed_shape: Shape | None
    weights: int
    seconds: float
    error: str | None = None

    @property
    def agree(self) -> bool:
        return (self.error is None and self.executed_shape == self.result.output_shape
                and self.weights == self.result.params)


@dataclass(frozen=True)
class Verification:
    spec: Spec
    batch: int
    seed: int
    checks: tuple[Check, ...]
    seconds: float

    @property
    def agree(self) -> bool:
        return all(c.agree for c in self.checks)


def make_input(spec: Spec, batch: int, rng, dtype=np.float32) -> np.ndarray:
    """A random batch for the spec's input: token ids if the first layer is an embedding."""
    first = spec.layers[0] if spec.layers else None
    if first is not None and first.kind == "embedding":
        return rng.integers(0, first.vocab, size=(batch, *spec.input))
    return rng.standard_normal((batch, *spec.input)).astype(dtype)


def verify(spec: Spec, batch: int = 1, seed: int = 0, dtype=np.float32, x: np.ndarray | None = None) -> Verification:
    """Infer every shape, then run the network with random weights of exactly those shapes."""
    summary = infer(spec)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    x = make_input(spec, batch, rng, dtype) if x is None else x
    outputs: dict[str, np.ndarray] = {"input": x}
    previous, checks, failed = x, [], False
    for r in summary.layers:
        layer = r.layer
        t0 = time.perf_counter()
        y, count, error = None, 0, None
        if failed:
            error = "not run: an earlier layer failed"
        else:
            try:
                refs = layer.inputs
                xs = previous if refs is None else tuple(outputs[ref] for ref in refs)
                multi = getattr(layer, "MULTI_INPUT", False)
                if not multi and isinstance(xs, tuple):
                    xs = xs[0]
                elif multi and not isinstance(xs, tuple):
                    xs = (xs,)
                w = make_weights(layer, r, rng, dtype)
                count = sum(v.size for v in w.values())
                y, _ = run_layer(layer, xs, w, result=r)
            except Exception as e:  # reported as a disagreement, with what went wrong
                error, failed = f"{type(e).__name__}: {e}", True
        checks.append(Check(r, None if y is None else tuple(y.shape[1:]), count, time.perf_counter() - t0, error))
        if y is not None:
            previous = outputs[layer.name] = y
            if layer.id is not None:
                outputs[layer.id] = y
    return Verification(spec, batch, seed, tuple(checks), time.perf_counter() - start)
