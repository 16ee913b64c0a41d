"""cnncalc: exact shapes, parameters and compute of convolutional networks from a YAML spec."""
from .errors import ArgumentError, CnncalcError, ShapeError, SpecError
from .infer import LayerResult, Summary, infer
from .spec import Spec, load_spec, parse_spec

__all__ = ["ArgumentError", "CnncalcError", "LayerResult", "ShapeError", "Spec", "SpecError",
           "Summary", "infer", "load_spec", "parse_spec"]
__version__ = "0.1.0"
