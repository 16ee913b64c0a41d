"""The public Python API: what the CLI calls, for notebooks and scripts (docs/api.md).

    >>> import cnncalc
    >>> s = cnncalc.summarize("architectures/lenet5.yaml")
    >>> s.totals.params
    61706

Everything is imported lazily: `import cnncalc` costs nothing until a function is called.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union


@dataclass(frozen=True)
class Summary:
    """A network's per-layer results and totals, with the computed metrics (MACs, FLOPs,
    receptive field, memory). `to_dict()` is exactly `cnncalc summary --format json`."""
    result: Any    # infer.Summary: spec, layers (LayerResult), totals (Totals)
    metrics: Any   # metrics.Metrics

    @property
    def spec(self):
        return self.result.spec

    @property
    def layers(self):
        return self.result.layers

    @property
    def totals(self):
        return self.result.totals

    def to_dict(self) -> dict:
        from .render import to_dict
        return to_dict(self.result, self.metrics)

    def to_json(self) -> str:
        from .render import to_json
        return to_json(self.result, self.metrics)

    def table(self, width: int = 120) -> str:
        """The plain-text table `cnncalc summary` prints."""
        from .render import table_text
        return table_text(self.result, width=width, metrics=self.metrics)

    def _repr_html_(self) -> str:
        """A Jupyter cell shows the table (the same cells as `cnncalc summary`) and the totals."""
        from .report import table_html
        return table_html(self.result, self.metrics)

    def __repr__(self) -> str:
        t = self.totals
        return f"<cnncalc.Summary {self.spec.name!r}: {len(self.layers)} layers, {t.params:,} params>"


SpecLike = Union[str, Path, Any]


def load(path_or_text: str | Path, *, input: tuple[int, ...] | None = None):
    """A Spec from a file path or from YAML text (text is anything with a newline or a
    `layers:` key). `input` overrides the spec's input shape, channels last: (32, 32, 3)."""
    import dataclasses

    from .spec import load_spec, parse_spec
    text = str(path_or_text)
    if isinstance(path_or_text, Path) or ("\n" not in text and "layers:" not in text):
        spec = load_spec(text)
    else:
        spec = parse_spec(text)
    return spec if input is None else dataclasses.replace(spec, input=tuple(input))


def _spec(spec: SpecLike):
    from .spec import Spec
    return spec if isinstance(spec, Spec) else load(spec)


def infer(spec: SpecLike, *, dtype: str = "float32"):
    """Shapes and parameter counts of every layer (infer.Summary), without the metrics."""
    from .infer import infer as run
    return run(_spec(spec), dtype=dtype)


def summarize(spec: SpecLike, *, dtype: str = "float32", batch: int = 1, optimizer: str = "sgd",
              flops_convention: str = "2macs") -> Summary:
    """Every layer's shape, parameters, MACs, FLOPs, receptive field and memory, and the totals."""
    from . import metrics as M
    M.compute_options(batch, optimizer, flops_convention)  # bad options fail before the spec is read
    result = infer(spec, dtype=dtype)
    return Summary(result, M.compute(result, batch=batch, optimizer=optimizer, flops_convention=flops_convention))


def working(summary: Summary | Any) -> list[list[str]]:
    """The shape and parameter working of every layer, numbers plugged in."""
    result = summary.result if isinstance(summary, Summary) else summary
    return [r.layer.explain(r) for r in result.layers]


def verify(spec: SpecLike, *, batch: int = 1, seed: int = 0, max_memory: int | None = None):
    """Run the network in NumPy with random weights; executor.Verification. Refused before it
    starts when its memory estimate is over `max_memory` bytes (default: half the available)."""
    from .executor import verify as run
    return run(_spec(spec), batch=batch, seed=seed, max_memory=max_memory)


def check_answers(answers: str, spec: SpecLike, *, read_as: str | None = None):
    """Grade a table of answers (a path, `-` for stdin) against a spec; check.Report."""
    from .check import check_table, read_answers
    return check_table(read_answers(answers, read_as), infer(spec))


def export_code(spec: SpecLike, to: str) -> str:
    """PyTorch (`to="pytorch"`) or Keras 3 (`to="keras"`) source code for the spec."""
    from .export import export_code as generate
    return generate(infer(spec), to)


def report_html(spec: SpecLike, spec_text: str = "", *, dtype: str = "float32", charts: bool = True) -> tuple[str, list[str]]:
    """The self-contained HTML report, and notes on what was left out."""
    from .report import build
    s = summarize(spec, dtype=dtype)
    return build(s.result, s.metrics, spec_text, charts=charts)


def solve_input(spec: SpecLike, *, max_size: int = 2048, given: tuple[int, ...] | None = None):
    """Input sizes for which every window divides exactly; solve.InputAnswer."""
    from .solve import input_sizes
    return input_sizes(_spec(spec), max_size, given)


def solve_padding(n: int, f: int, s: int = 1, d: int = 1, out: int | None = None):
    """Every padding that gives `out` (default: n, 'same'); solve.Answer."""
    from .solve import padding
    return padding(n, f, s, d, out)


def solve_kernel(n: int, out: int, s: int = 1, pad=(0, 0), d: int = 1):
    """Kernel sizes that give `out`; solve.Answer."""
    from .solve import kernel
    return kernel(n, out, s, pad, d)


def solve_stride(n: int, out: int, f: int, pad=(0, 0), d: int = 1):
    """Strides that give `out`; solve.Answer."""
    from .solve import stride
    return stride(n, out, f, pad, d)
