"""cnncalc: exact shapes, parameters and compute of convolutional networks from a YAML spec.

The public API (docs/api.md): load, summarize (-> Summary with .layers, .totals, .metrics,
.to_dict(), _repr_html_), infer, working, verify, check_answers, export_code, report_html,
solve_input, solve_padding, solve_kernel, solve_stride, and the exceptions (CnncalcError and
its family: SpecError, ShapeError, ArgumentError). Heavy modules load on first use.
"""
from . import infer as _infer_module  # noqa: F401 (bound first, so `cnncalc.infer` stays the function)
from .api import (Summary, check_answers, export_code, infer, load, report_html, solve_input,  # noqa: F401
                  solve_kernel, solve_padding, solve_stride, summarize, verify, working)
from .errors import ArgumentError, CnncalcError, ShapeError, SpecError  # noqa: F401

__version__ = "0.1.0"
__all__ = ["ArgumentError", "CnncalcError", "ShapeError", "SpecError", "Summary", "check_answers",
           "export_code", "infer", "load", "load_spec", "parse_spec", "report_html", "solve_input",
           "solve_kernel", "solve_padding", "solve_stride", "summarize", "verify", "working",
           "LayerResult", "Spec"]


def __getattr__(name: str):
    if name in ("Spec", "load_spec", "parse_spec"):
        from . import spec
        return getattr(spec, name)
    if name == "LayerResult":
        return _infer_module.LayerResult
    raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")
