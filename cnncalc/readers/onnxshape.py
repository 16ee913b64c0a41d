"""One validation of an ONNX node before it is read: the inputs and outputs the op needs, each
attribute of the type the reader takes (a list of ints, an int, a finite float, a string), the
window attributes' lengths, and the weights' rank. The reader then never indexes past a list or
calls float() on a list; a refusal names the node and the attribute.
"""
from __future__ import annotations

import math

INTS, INT, FLOAT, STR = "a list of integers", "an integer", "a finite number", "a string"
ATTRS = {**{k: INTS for k in ("kernel_shape", "strides", "pads", "dilations", "output_padding", "output_shape", "axes",
                             "perm", "split")},
         **{k: INT for k in ("group", "axis", "transA", "transB", "ceil_mode", "count_include_pad", "keepdims",
                            "num_outputs")},
         **{k: FLOAT for k in ("alpha", "beta", "epsilon", "momentum", "ratio", "min", "max")},
         **{k: STR for k in ("auto_pad", "mode", "approximate")}}
WINDOW = ("kernel_shape", "strides", "dilations", "output_padding")
# the fewest inputs each op needs (an op not named needs one; Constant none)
INPUTS = {"Constant": 0, "Conv": 2, "ConvTranspose": 2, "Gemm": 2, "MatMul": 2, "BatchNormalization": 2,
          "Reshape": 2, "Add": 2, "Mul": 2, "Gather": 2}


def _is(value, kind: str) -> bool:
    if kind == INTS:
        return isinstance(value, list) and all(isinstance(v, int) for v in value)
    if kind == INT:
        return isinstance(value, int)
    if kind == FLOAT:
        return isinstance(value, (int, float)) and math.isfinite(value)
    return isinstance(value, (str, bytes))


def problem(node, attrs: dict, dims) -> str | None:
    """What is wrong with the node for the reader, or None. `dims(name)` gives an
    initializer's dimensions (None when the input is no initializer)."""
    op = node.op_type
    need = INPUTS.get(op, 1)
    if len(node.input) < need or any(not node.input[i] for i in range(need)):
        return f"{len(node.input)} inputs where {op} needs {need}"
    if not node.output or not node.output[0]:
        return "no output"
    for name, value in attrs.items():
        kind = ATTRS.get(name)
        if kind is not None and not _is(value, kind):
            return f"the attribute `{name}` is {str(value)[:40]}, not {kind}"
    if op in ("Conv", "ConvTranspose"):
        w = dims(node.input[1])
        if w is not None and not 3 <= len(w) <= 5:
            return f"weights of {len(w)} dimensions (a convolution's have 3 to 5)"
        d = len(w) - 2 if w is not None else None
    elif op in ("MaxPool", "AveragePool"):
        if not attrs.get("kernel_shape") or len(attrs["kernel_shape"]) > 3:
            return "no kernel_shape of 1 to 3 sizes"
        d = len(attrs["kernel_shape"])
    else:
        return None
    for name in WINDOW:
        if d is not None and name in attrs and len(attrs[name]) != d:
            return f"the attribute `{name}` has {len(attrs[name])} values for {d} axes"
    if d is not None and "pads" in attrs and len(attrs["pads"]) != 2 * d:
        return f"the attribute `pads` has {len(attrs['pads'])} values; {d} axes need {2 * d} (begins, then ends)"
    return None
