"""Export a spec to PyTorch or Keras 3 source code, generated from the inferred Summary.

Each spec layer becomes one or more framework ops, given by its kind's `to_torch` / `to_keras`
facet (cnncalc/kinds): the *main* op carries the layer's name (and its weights); helper ops
before it (explicit padding) or after it (an activation, a crop) get the name plus a suffix
(`conv1_pad`, `conv1_act`). `Export.outputs` maps every spec layer to the op whose output is the
layer's output; the tests hook those ops. Naming rules: cnncalc/export/common.py.

plan.py asks the kinds for their ops in the order of `Summary.fold`; torch.py and keras.py write
the module text. What a framework cannot express exactly is an ExportError naming the layer,
never code that computes something else.
"""
from __future__ import annotations

from ..infer import Summary
from .common import FRAMEWORKS, Export, ExportError, Part, class_name, identifier, keras_name
from .keras import keras_code
from .plan import make_plan
from .torch import torch_code

__all__ = ["FRAMEWORKS", "Export", "ExportError", "Part", "class_name", "export", "export_code",
           "identifier", "keras_name"]


def export(summary: Summary, to: str) -> Export:
    """Generate `to` ("pytorch" or "keras") source for the summary's spec."""
    p = make_plan(summary, to)
    return torch_code(p) if to == "pytorch" else keras_code(p)


def export_code(summary: Summary, to: str) -> str:
    return export(summary, to).code
