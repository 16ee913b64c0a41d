"""The one home of every size formula: tiny pure functions on exact integers.

Notation follows the course: n input size, f kernel, s stride, p padding (before, after),
d dilation. Every function works on one spatial axis; layers call it once per axis.
Solvers, the checker and the executor call these; nothing else re-derives them.
"""
from __future__ import annotations

from .errors import ShapeError

Pad = tuple[int, int]  # (before, after) zero rows added on one axis


def ceil_div(a: int, b: int) -> int:
    """ceil(a / b) for integers, without floats."""
    return -(-a // b)


def effective_kernel(f: int, d: int = 1) -> int:
    """Span of a dilated kernel: d*(f-1) + 1 (f itself when d = 1)."""
    return d * (f - 1) + 1


def padded(n: int, pad: Pad) -> int:
    return n + pad[0] + pad[1]


def _check_fits(n: int, f: int, pad: Pad, d: int) -> None:
    span, total = effective_kernel(f, d), padded(n, pad)
    if span > total:
        dil = f" (dilated: {d}*({f}-1)+1 = {span})" if d != 1 else ""
        need = ceil_div(span - n, 2)
        raise ShapeError(
            f"kernel {f}{dil} is larger than the padded input {n}+{pad[0]}+{pad[1]} = {total}; "
            f"use a kernel of at most {total}{' (undilated)' if d != 1 else ''} "
            f"or padding of at least {need} per side")


def conv_out(n: int, f: int, s: int = 1, pad: Pad = (0, 0), d: int = 1) -> int:
    """Convolution output size (PyTorch Conv*d, Keras 'valid' with explicit padding).

    Shape: out = floor((n + p_before + p_after - d*(f-1) - 1) / s) + 1
    """
    _check_fits(n, f, pad, d)
    return (padded(n, pad) - effective_kernel(f, d)) // s + 1


def dropped(n: int, f: int, s: int = 1, pad: Pad = (0, 0), d: int = 1) -> int:
    """Input rows the floor in conv_out leaves unread at the end: the division's remainder."""
    _check_fits(n, f, pad, d)
    return (padded(n, pad) - effective_kernel(f, d)) % s


def pool_out(n: int, f: int, s: int, pad: Pad = (0, 0), d: int = 1, ceil_mode: bool = False) -> int:
    """Pooling output size, PyTorch's rule (pooling_output_shape_pad_lr).

    Shape: out = floor((n + p_b + p_a - d*(f-1) - 1 + (s-1 if ceil_mode else 0)) / s) + 1,
    then with ceil_mode a last window that would start in the right padding is dropped:
    if (out - 1)*s >= n + p_b: out -= 1.
    """
    span, total = effective_kernel(f, d), padded(n, pad)
    out = (total - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + pad[0]:
        out -= 1  # the last window would read only padding
    if out < 1:
        raise ShapeError(
            f"pooling window {span} does not fit the padded input {n}+{pad[0]}+{pad[1]} = {total}: "
            f"output size would be ({total} - {span}{f' + {s - 1}' if ceil_mode else ''})//{s} + 1 = {out}; "
            "use a smaller kernel or more padding")
    return out


def transposed_out(n: int, f: int, s: int = 1, pad: Pad = (0, 0), d: int = 1,
                   output_padding: int = 0) -> int:
    """Transposed convolution output size (PyTorch ConvTranspose*d).

    Shape: out = (n-1)*s - p_before - p_after + d*(f-1) + output_padding + 1
    """
    if output_padding >= s and output_padding >= d:
        raise ShapeError(
            f"output_padding {output_padding} must be smaller than the stride {s} "
            f"or the dilation {d}; use output_padding <= {max(s, d) - 1}")
    out = (n - 1) * s - pad[0] - pad[1] + effective_kernel(f, d) + output_padding
    if out < 1:
        raise ShapeError(
            f"output size ({n}-1)*{s} - {pad[0]} - {pad[1]} + {effective_kernel(f, d)} "
            f"+ {output_padding} = {out} is less than 1; use less padding")
    return out


def keras_transposed_out(n: int, f: int, s: int, mode: str, d: int = 1,
                         output_padding: int | None = None) -> int:
    """Keras Conv*DTranspose output size for padding 'valid' or 'same' (deconv_output_length).

    Shape, no output_padding: same -> n*s; valid -> n*s + max(d*(f-1)+1 - s, 0).
    With output_padding: (n-1)*s + span - 2*pad + output_padding, pad = span//2 (same) or 0.
    """
    span = effective_kernel(f, d)
    if output_padding is None:
        return n * s if mode == "same" else n * s + max(span - s, 0)
    pad = span // 2 if mode == "same" else 0
    out = (n - 1) * s + span - 2 * pad + output_padding
    if out < 1:  # only 'same' with n = 1, an even span and output_padding 0
        raise ShapeError(
            f"output size ({n}-1)*{s} + {span} - 2*{pad} + {output_padding} = {out} is less than 1; "
            "use a larger output_padding, an odd kernel, or leave output_padding out")
    return out


def same_out(n: int, s: int) -> int:
    """TensorFlow/Keras 'same' output size: ceil(n / s), whatever the kernel."""
    return ceil_div(n, s)


def same_padding(n: int, f: int, s: int = 1, d: int = 1) -> Pad:
    """TensorFlow/Keras 'same' padding split (before, after), the odd row at the end.

    total = max((ceil(n/s) - 1)*s + d*(f-1) + 1 - n, 0); before = total//2.
    """
    total = max((same_out(n, s) - 1) * s + effective_kernel(f, d) - n, 0)
    return (total // 2, total - total // 2)


def conv_params(kernel_volume: int, c_in: int, c_out: int, groups: int = 1, bias: bool = True) -> int:
    """Weights f^dims * (C_in/groups) * C_out, plus one bias per output channel."""
    return kernel_volume * (c_in // groups) * c_out + (c_out if bias else 0)


def dense_params(n_in: int, units: int, bias: bool = True) -> int:
    """Weights n_in * units, plus one bias per unit."""
    return n_in * units + (units if bias else 0)


def product(values) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def rf_step(size: int, jump: int, start: int, f: int, s: int = 1, pad_before: int = 0,
            d: int = 1) -> tuple[int, int, int]:
    """Receptive field (size, jump, start) after one sliding window, from the one before it.

    size' = size + d*(f-1)*jump; jump' = jump*s; start' = start - pad_before*jump
    (Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks", 2019).
    """
    return size + (effective_kernel(f, d) - 1) * jump, jump * s, start - pad_before * jump


def adaptive_window(o: int, n: int, m: int) -> tuple[int, int]:
    """PyTorch adaptive pooling: output o of m over n inputs reads [floor(o*n/m), ceil((o+1)*n/m))."""
    return (o * n) // m, ceil_div((o + 1) * n, m)
