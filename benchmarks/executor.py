"""Time the NumPy executor per layer kind, as a ratio to torch.nn.functional on the same inputs.

Run:  cd <repo> && OPENBLAS_NUM_THREADS=1 PYTHONPATH=. /work/venv-torch/bin/python benchmarks/executor.py --threads 1
(one thread each is the fair comparison on 2 cores: with two each, torch's OpenMP pool and
OpenBLAS's compete and torch shows a ~10 ms floor per call; drop both settings to see that).
Without torch it prints NumPy times and GFLOP/s only. Ratios, not absolute times, are the
result (performance-notes.md): OpenBLAS threads spin after a call and other processes share
the 2 cores, so each case alternates NumPy and torch calls after a warm-up, rests --pause
seconds before each timed call so the other library's spinning workers have stopped, and
reports the median of each. GFLOP/s counts a multiply-add as 2 FLOPs.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from cnncalc import load_spec
from cnncalc.executor import make_weights, run_layer
from tests.executor.test_numpy import build

try:
    import torch
    F = torch.nn.functional
    torch.set_num_threads(2)
except ImportError:  # torch is never a dependency
    torch = None


def nchw(x):
    return torch.from_numpy(np.ascontiguousarray(np.moveaxis(x, -1, 1)))


def tt(a):
    return None if a is None else torch.from_numpy(a)


# kind, input shape (channels last), args, torch call (x_nchw, weights) -> tensor, MACs per sample
def _cases():
    vgg = [("conv2d", (224, 224, 3), 64), ("conv2d", (224, 224, 64), 64), ("conv2d", (56, 56, 256), 256),
           ("conv2d", (14, 14, 512), 512)]
    for kind, inp, filters in vgg:
        yield (f"conv2d 3x3 p1 {inp[0]}x{inp[1]}x{inp[2]}->{filters}", kind, inp,
               dict(filters=filters, kernel=3, padding=1),
               lambda x, w: F.conv2d(x, tt(w["weight"]), tt(w["bias"]), padding=1))
    yield ("conv2d 11x11 s4 227x227x3->96 (AlexNet)", "conv2d", (227, 227, 3), dict(filters=96, kernel=11, stride=4),
           lambda x, w: F.conv2d(x, tt(w["weight"]), tt(w["bias"]), stride=4))
    yield ("conv2d 1x1 56x56x128->256", "conv2d", (56, 56, 128), dict(filters=256, kernel=1),
           lambda x, w: F.conv2d(x, tt(w["weight"]), tt(w["bias"])))
    yield ("conv2d 3x3 groups 4 56x56x128->128", "conv2d", (56, 56, 128), dict(filters=128, kernel=3, padding=1, groups=4),
           lambda x, w: F.conv2d(x, tt(w["weight"]), tt(w["bias"]), padding=1, groups=4))
    yield ("depthwise 3x3 112x112x64", "depthwise_conv2d", (112, 112, 64), dict(kernel=3, padding=1),
           lambda x, w: F.conv2d(x, tt(w["weight"]), tt(w["bias"]), padding=1, groups=64))
    yield ("conv1d k3 1000x64->64", "conv1d", (1000, 64), dict(filters=64, kernel=3, padding=1),
           lambda x, w: F.conv1d(x, tt(w["weight"]), tt(w["bias"]), padding=1))
    yield ("conv3d 3x3x3 16x56x56x16->32", "conv3d", (16, 56, 56, 16), dict(filters=32, kernel=3, padding=1),
           lambda x, w: F.conv3d(x, tt(w["weight"]), tt(w["bias"]), padding=1))
    yield ("conv_transpose2d 4x4 s2 28x28x128->64", "conv_transpose2d", (28, 28, 128),
           dict(filters=64, kernel=4, stride=2, padding=1),
           lambda x, w: F.conv_transpose2d(x, tt(w["weight"]), tt(w["bias"]), stride=2, padding=1))
    yield ("maxpool2d 2x2 s2 112x112x128", "maxpool2d", (112, 112, 128), dict(kernel=2),
           lambda x, w: F.max_pool2d(x, 2))
    yield ("maxpool2d 3x3 s2 55x55x96 (AlexNet)", "maxpool2d", (55, 55, 96), dict(kernel=3, stride=2),
           lambda x, w: F.max_pool2d(x, 3, 2))
    yield ("avgpool2d 3x3 s1 p1 56x56x64", "avgpool2d", (56, 56, 64), dict(kernel=3, stride=1, padding=1),
           lambda x, w: F.avg_pool2d(x, 3, 1, 1))
    yield ("batchnorm 112x112x64", "batchnorm", (112, 112, 64), {},
           lambda x, w: F.batch_norm(x, tt(w["running_mean"]), tt(w["running_var"]), tt(w["gamma"]), tt(w["beta"])))
    yield ("dense 25088->4096 (VGG fc6)", "dense", (25088,), dict(units=4096),
           lambda x, w: F.linear(x, tt(w["weight"]), tt(w["bias"])))


def macs(result) -> int:
    """Multiply-adds of one sample: cnncalc's own count (metrics.layer_macs), 0 when it has none."""
    from cnncalc.metrics import layer_macs
    return layer_macs(result) or 0


PAUSE = 0.2  # s before each timed call: OpenBLAS / OpenMP workers spin ~120 ms after a call


def alternate(np_fn, torch_fn, rounds: int):
    np_fn(), np_fn()
    if torch_fn:
        torch_fn(), torch_fn()
    a, b = [], []
    for _ in range(rounds):
        for fn, acc in ((np_fn, a), (torch_fn, b)):
            if fn is None:
                continue
            time.sleep(PAUSE)
            t0 = time.perf_counter()
            fn()
            acc.append(time.perf_counter() - t0)
    return statistics.median(a), (statistics.median(b) if b else None)


def bench_kinds(rounds: int, batch: int) -> None:
    print(f"{'case':44} {'numpy ms':>9} {'torch ms':>9} {'ratio':>6} {'GFLOP/s':>8}  max|diff|")
    for label, kind, inp, args, call in _cases():
        layer, r = build(kind, inp, **args)
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch, *inp), dtype=np.float32)
        w = make_weights(layer, r, rng, np.float32)
        np_fn = lambda: run_layer(layer, x, w, result=r)  # noqa: E731
        torch_fn = None
        if torch is not None:
            xt = nchw(x) if len(inp) > 1 else torch.from_numpy(x)
            torch_fn = lambda: call(xt, w)  # noqa: E731
        t_np, t_torch = alternate(np_fn, torch_fn, rounds)
        flops = 2 * macs(r) * batch
        diff = ""
        if torch is not None:
            ref = torch_fn().numpy()
            ref = np.moveaxis(ref, 1, -1) if len(inp) > 1 else ref
            y = np_fn()[0]
            diff = f"{np.max(np.abs(y - ref)) / max(np.max(np.abs(ref)), 1e-30):.1e}"
        ratio = f"{t_np / t_torch:6.2f}" if t_torch else "     -"
        gf = f"{flops / t_np / 1e9:8.1f}" if flops else "       -"
        tms = f"{t_torch * 1e3:9.2f}" if t_torch else "        -"
        print(f"{label:44} {t_np * 1e3:9.2f} {tms} {ratio} {gf}  {diff}")


def bench_vgg(rounds: int, path: str = "architectures/vgg16.yaml") -> None:
    """VGG-16 convolution and pooling stack at 224, batch 1: whole forward, weights made once."""
    from cnncalc import infer
    summary = infer(load_spec(path))
    rng = np.random.default_rng(0)
    stack = [(r, make_weights(r.layer, r, rng, np.float32)) for r in summary.layers
             if r.layer.kind in ("conv2d", "maxpool2d")]
    x = rng.standard_normal((1, *summary.spec.input), dtype=np.float32)
    total = sum(macs(r) for r, _ in stack)

    def np_forward():
        y = x
        for r, w in stack:
            y, _ = run_layer(r.layer, y, w, result=r)
        return y

    torch_fn = None
    if torch is not None:
        tw = [(r, {k: tt(v) for k, v in w.items()}) for r, w in stack]
        xt = nchw(x)

        def torch_fn():
            y = xt
            for r, w in tw:
                if r.layer.kind == "conv2d":
                    y = F.relu(F.conv2d(y, w["weight"], w["bias"], padding=1))
                else:
                    y = F.max_pool2d(y, 2)
            return y
    t_np, t_torch = alternate(np_forward, torch_fn, rounds)
    line = (f"VGG-16 conv+pool forward, 224x224 batch 1 ({total / 1e9:.2f} GMAC): numpy {t_np * 1e3:.0f} ms, "
            f"{2 * total / t_np / 1e9:.0f} GFLOP/s")
    if t_torch:
        diff = np.max(np.abs(np_forward() - np.moveaxis(torch_fn().numpy(), 1, -1)))
        line += f"; torch {t_torch * 1e3:.0f} ms; ratio {t_np / t_torch:.2f}; max|diff| {diff:.1e}"
    print(line)


def bench_verify(path: str = "architectures/vgg16.yaml") -> None:
    from cnncalc.executor import verify
    t0, c0 = time.perf_counter(), time.process_time()
    v = verify(load_spec(path))
    print(f"cnncalc verify {path}: {'agree' if v.agree else 'DISAGREE'}, {time.perf_counter() - t0:.2f} s wall, "
          f"{time.process_time() - c0:.2f} s CPU (random weights included)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2,
                    help="torch threads; give numpy the same with OPENBLAS_NUM_THREADS=N in the environment")
    ap.add_argument("--vgg-only", action="store_true", help="only the VGG-16 forward pass and verify")
    ap.add_argument("--pause", type=float, default=PAUSE, help="seconds of rest before each timed call")
    args = ap.parse_args()
    globals()["PAUSE"] = args.pause
    import os
    if torch is not None:
        torch.set_num_threads(args.threads)
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "all cores")
    print(f"numpy {np.__version__} (OpenBLAS threads: {blas})"
          + (f", torch {torch.__version__} ({torch.get_num_threads()} threads)" if torch else ", no torch"))
    if not args.vgg_only:
        bench_kinds(args.rounds, args.batch)
    bench_vgg(args.rounds)
    bench_verify()


if __name__ == "__main__":
    main()
