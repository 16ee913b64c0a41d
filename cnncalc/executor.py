"""Run a spec in NumPy with random weights of the inferred shapes, and compare every layer's
executed shape and weight count with infer's (`cnncalc verify`).

Each kind's `make_weights` and `forward` facets (cnncalc/kinds) do the work, with the NumPy operations of
`cnncalc.ops`; this module walks the graph (Summary.fold) and times it. numpy is imported
here only: cli.py imports this module inside the commands that run it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import CnncalcError
from .infer import LayerResult, infer, infer_layer
from .ops import conv_nd, conv_transpose_nd, pool_nd  # noqa: F401 (the executor's interface)
from .kinds.base import Layer, MissingFacet
from .shapes import Shape
from .spec import Spec


def make_weights(layer: Layer, r: LayerResult, rng, dtype=np.float32) -> dict[str, np.ndarray]:
    """Random weights with exactly the shapes this layer needs; {} if it learns nothing."""
    return layer.make_weights(r, rng, np.dtype(dtype))


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
    try:
        return layer.forward(x, w, result), w
    except MissingFacet:
        raise CnncalcError(f"the executor has no forward pass for kind `{layer.kind}`; "
                           "declare its `forward` facet (docs/adding-a-kind.md)") from None


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

    def to_dict(self) -> dict[str, Any]:
        """The run as `cnncalc verify --format json` prints it."""
        from .render.verification import verification_dict
        return verification_dict(self)

    def text(self, width: int = 120) -> str:
        """The verify table, errors and verdict as plain text `width` characters wide."""
        from .render.verification import verification_text
        return verification_text(self, width)


def make_input(spec: Spec, batch: int, rng, dtype=np.float32) -> np.ndarray:
    """A random batch for the spec's input, as its first layer takes it (token ids for an embedding)."""
    if spec.layers:
        return spec.layers[0].random_input(rng, (batch, *spec.input), dtype)
    return rng.standard_normal((batch, *spec.input)).astype(dtype)


def available_memory() -> int:
    """Bytes of memory available now (Linux MemAvailable; else the physical memory)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import os
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def memory_estimate(summary, batch: int, dtype=np.float32) -> int:
    """Peak bytes of a verify run: every layer's output for the batch is kept (branches read
    them), plus the input, the largest layer's weights and one im2col chunk buffer."""
    from .ops import CHUNK_BYTES
    size = np.dtype(dtype).itemsize
    values = summary.totals.activation_size + summary.totals.input_size
    return batch * values * size + max((r.params for r in summary.layers), default=0) * size + CHUNK_BYTES


def check_memory(summary, batch: int, max_memory: int | None, dtype=np.float32) -> None:
    """Refuse before the work starts when the estimate is over `max_memory` (default: half of
    the available memory), naming both numbers."""
    limit = available_memory() // 2 if max_memory is None else max_memory
    need = memory_estimate(summary, batch, dtype)
    if need > limit:
        raise CnncalcError(f"verify would need about {need / 2**30:.2f} GiB ({need:,} bytes) for batch {batch}, "
                           f"more than the {limit / 2**30:.2f} GiB allowed ({'--max-memory' if max_memory else 'half the available memory'}); "
                           "use a smaller --batch, or raise --max-memory")


def verify(spec: Spec, batch: int = 1, seed: int = 0, dtype=np.float32, x: np.ndarray | None = None,
           max_memory: int | None = None) -> Verification:
    """Infer every shape, then run the network with random weights of exactly those shapes."""
    if seed < 0:
        raise CnncalcError(f"--seed {seed} must be 0 or more; use --seed 0")
    summary = infer(spec)
    check_memory(summary, batch, max_memory, dtype)
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    x = make_input(spec, batch, rng, dtype) if x is None else x
    checks: list[Check] = []

    def step(r: LayerResult, xs: tuple):
        """Run one layer on its inputs' outputs (None after a failure) and record its Check."""
        layer = r.layer
        t0 = time.perf_counter()
        y, count, error = None, 0, None
        if checks and checks[-1].error is not None:
            error = "not run: an earlier layer failed"
        else:
            try:
                w = make_weights(layer, r, rng, dtype)
                count = sum(v.size for v in w.values())
                y, _ = run_layer(layer, xs if layer.MULTI_INPUT else xs[0], w, result=r)
            except Exception as e:  # reported as a disagreement, with what went wrong
                error = f"{type(e).__name__}: {e}"
        checks.append(Check(r, None if y is None else tuple(y.shape[1:]), count, time.perf_counter() - t0, error))
        return y

    summary.fold(x, step)
    return Verification(spec, batch, seed, tuple(checks), time.perf_counter() - start)
