"""Every solver answer checked against real PyTorch (skipped where torch is not installed).

Run with the torch venv: /work/venv-torch/bin/python -m pytest tests/solve/test_against_torch.py
(checked with torch 2.13.0 CPU). Solutions are fed back to torch.nn.functional.conv1d /
max_pool1d, asymmetric paddings through F.pad, and the output length must be the target.
"""
from __future__ import annotations

import itertools

import pytest

from cnncalc import solve as S

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def conv_len(n: int, f: int, s: int, pad, d: int = 1) -> int:
    x = TF.pad(torch.zeros(1, 1, n), pad)
    return TF.conv1d(x, torch.zeros(1, 1, f), stride=s, dilation=d).shape[-1]


def pairs(value):
    return value if isinstance(value, tuple) else (value, value)


@pytest.mark.parametrize("n,f,s,d", list(itertools.product((1, 5, 6, 7, 12), (1, 2, 3, 4), (1, 2, 3), (1, 2))))
def test_padding_solutions_in_torch(n, f, s, d):
    a = S.padding(n, f, s, d)
    for sol in a.solutions:
        assert conv_len(n, f, s, pairs(sol.value), d) == n
    tf = a.tf_same
    assert conv_len(n, f, s, tf.value, d) == tf.output == -(-n // s)


@pytest.mark.parametrize("n,out,s,p", list(itertools.product((5, 8, 13, 288), (1, 2, 3, 143), (1, 2, 3), (0, 1))))
def test_kernel_solutions_in_torch(n, out, s, p):
    for sol in S.kernel(n, out, s, (p, p)).solutions:
        assert conv_len(n, sol.value, s, (p, p)) == out


@pytest.mark.parametrize("n,out,f,p", list(itertools.product((5, 8, 13, 32), (1, 2, 3, 14), (1, 3, 5), (0, 1))))
def test_stride_solutions_in_torch(n, out, f, p):
    if f > n + 2 * p:
        return
    for sol in S.stride(n, out, f, (p, p)).solutions:
        assert conv_len(n, f, sol.value, (p, p)) == out


@pytest.mark.parametrize("n,f,s,p", [(n, f, s, p) for n, f, s, p in
                                     itertools.product((3, 5, 6, 7, 32), (2, 3, 4), (1, 2, 3), (0, 1))
                                     if 2 * p <= f])
def test_size_ceil_in_torch(n, f, s, p):
    x = torch.zeros(1, 1, n)
    try:
        want = TF.max_pool1d(x, f, s, p, ceil_mode=True).shape[-1]
    except RuntimeError:
        with pytest.raises(Exception):
            S.size((n,), (f,), (s,), ((p, p),), mode="ceil")
        return
    assert S.size((n,), (f,), (s,), ((p, p),), mode="ceil").output == (want,)
