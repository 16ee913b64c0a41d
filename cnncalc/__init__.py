"""cnncalc: exact shapes, parameters and compute of convolutional networks from a YAML spec.

The public API (docs/api.md): load, summarize (-> Summary with .layers, .totals, .metrics,
.to_dict(), _repr_html_), infer, working, verify, check_answers, check_table, export_code,
report_html, solve_input, solve_padding, solve_kernel, solve_stride, solve_size, solve_layer,
convolve, pool, conv_matrix, import_model (model files, docs/models.md), gradient, backprop,
jacobian (docs/gradients.md), and the exceptions (CnncalcError and its family: SpecError,
ShapeError, ArgumentError). Heavy modules load on first use.
"""
from . import infer as _infer_module  # noqa: F401 (bound first, so `cnncalc.infer` stays the function)
from .api import (Summary, backprop, check_answers, conv_matrix, convolve,  # noqa: F401
                  export_code, gradient, import_model, infer, jacobian,
                  load, load_text, pool, report_html, solve_input, solve_kernel, solve_layer, solve_padding, solve_size,
                  solve_stride, strict_error, summarize, summary_options, verify, working)
from .errors import ArgumentError, CnncalcError, ShapeError, SpecError  # noqa: F401
from .version import __version__  # noqa: F401

__all__ = ["ArgumentError", "CnncalcError", "ShapeError", "SpecError", "Summary", "backprop",
           "gradient", "import_model", "jacobian",
           "load_text", "check_answers",
           "check_table", "conv_matrix", "convolve", "export_code", "infer", "load", "load_spec",
           "parse_spec", "pool", "report_html", "solve_input", "solve_kernel", "solve_layer",
           "solve_padding", "solve_size", "solve_stride", "strict_error", "summarize",
           "summary_options", "verify", "working", "LayerResult", "Spec"]


def __getattr__(name: str):
    if name in ("Spec", "load_spec", "parse_spec"):
        from . import spec
        return getattr(spec, name)
    if name == "LayerResult":
        return _infer_module.LayerResult
    if name == "check_table":  # grade an already-read check.AnswerTable against infer's result
        from .check import check_table
        return check_table
    raise AttributeError(f"module 'cnncalc' has no attribute {name!r}")
