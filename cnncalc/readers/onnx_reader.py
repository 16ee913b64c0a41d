"""ONNX models (`.onnx`), through the optional `onnx` package (`pip install 'cnncalc[onnx]'`):
its protobuf parser only, no runtime. Layer sizes come from the initializers' shapes; the data
flow from the graph's node order. NCHW tensors become cnncalc's channels-last shapes.

Read: Conv (groups, dilations, pads, auto_pad), ConvTranspose, Gemm and MatMul (+ Add of a
bias) with initializer weights, BatchNormalization, Relu, Clip (relu / relu6), LeakyRelu,
Sigmoid, Tanh, Softmax, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool, Flatten,
Reshape (also `x.view(x.size(0), -1)`'s Shape / Gather / Unsqueeze / Concat chain), Add, Mul,
Concat, Dropout, Identity, Pad. Anything else is refused with the node's name.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import max_input_bytes
from .common import INPUT, MAX_LAYERS, Graph, InputHint, ReaderError, check_used, unsupported

ONNX_SIZE_FACTOR = 50  # an .onnx file holds its weights: 50 x the input limit (500 MiB by default)
INSTALL = "pip install 'cnncalc[onnx]'"
ACTS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Softplus": "softplus", "Softsign": "softsign",
        "HardSwish": "hardswish", "Mish": "mish", "Selu": "selu"}


@dataclass
class T:
    """A tensor of the graph: the cnncalc layer making it and its rank without the batch."""
    ref: str
    rank: int
    view: tuple | None = None


@dataclass
class ShapeOf:
    rank: int


class Batch:
    pass


def _onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ReaderError(f"reading .onnx files needs the onnx package; install it with {INSTALL}") from None
    return onnx, numpy_helper


class OnnxReader:
    def __init__(self, path: str, model):
        self.path, self.model = path, model
        self.graph = Graph(path)
        g = model.graph
        self.inits = {i.name: i for i in g.initializer}
        self.values: dict[str, object] = {}
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        self.consumers: dict[str, int] = {}
        for n in g.node:
            for i in n.input:
                self.consumers[i] = self.consumers.get(i, 0) + 1
        self.matmul: dict[str, str] = {}  # MatMul output -> its dense layer, awaiting a bias Add

    def fail(self, node, index, what) -> ReaderError:
        name = node.name or node.op_type
        return unsupported(f"node {index} ({name}, {node.op_type}): {what}", self.path)

    def attrs(self, node) -> dict:
        """The node's attributes; float32 numbers as the shortest decimal that is the same float32
        (1e-05, not 9.999999747378752e-06)."""
        import numpy as np
        onnx, _ = _onnx()
        out = {}
        for a in node.attribute:
            value = onnx.helper.get_attribute_value(a)
            out[a.name] = float(str(np.float32(value))) if isinstance(value, float) else value
        return out

    def const(self, name):
        """The value of an initializer or Constant output as a list, or None."""
        if name in self.values:
            return self.values[name]
        if name in self.inits:
            _, nh = _onnx()
            arr = nh.to_array(self.inits[name])
            if arr.size > 1 << 16:
                return None
            return arr.tolist()
        return None

    def dims(self, name):
        return tuple(self.inits[name].dims) if name in self.inits else None

    # -- the graph ----------------------------------------------------------------------------------
    def read(self):
        g = self.model.graph
        inputs = [i for i in g.input if i.name not in self.inits]
        if len(inputs) != 1:
            raise ReaderError(f"the graph has {len(inputs)} inputs; a spec has one", path=self.path)
        if len(g.output) != 1:
            raise ReaderError(f"the graph has {len(g.output)} outputs; a spec has one", path=self.path)
        if len(g.node) > MAX_LAYERS:
            raise ReaderError(f"the graph has {len(g.node):,} nodes, more than the {MAX_LAYERS:,} a spec may hold",
                              path=self.path)
        dims = [d.dim_value if d.HasField("dim_value") else None for d in inputs[0].type.tensor_type.shape.dim]
        rank = max(len(dims) - 1, 1)
        shape = tuple(dims[2:]) + (dims[1],) if len(dims) > 2 else tuple(dims[1:]) if len(dims) == 2 else None
        self.values[inputs[0].name] = T(INPUT, rank)
        for index, node in enumerate(g.node, start=1):
            self.node(node, index)
        out = self.values.get(g.output[0].name)
        if not isinstance(out, T) or out.ref == INPUT:
            raise ReaderError("the graph's output is not computed by layers cnncalc reads", path=self.path)
        nodes = self.graph.select(out.ref)
        check_used(self.graph, nodes, self.path)
        example = "x".join(str(v or 224) for v in shape) if shape else "224x224x3"
        hint = InputHint(tuple(shape) if shape else None,
                         "the graph's input has symbolic sizes" if shape else "the graph's input has no shape",
                         example)
        return nodes, hint

    def tensor(self, node, index, name) -> T:
        value = self.values.get(name)
        if isinstance(value, T):
            return value
        raise self.fail(node, index, f"its input {name!r} is not a tensor cnncalc follows (a computed weight?)")

    def emit(self, node, index, kind, args, ins, rank, note=None) -> None:
        name = self.graph.add(kind, args, [t.ref for t in ins], node.name or node.op_type, None,
                              note=note or node.op_type)
        self.values[node.output[0]] = T(name, rank)

    def node(self, node, index) -> None:  # noqa: C901 (one branch per op)
        op, a = node.op_type, self.attrs(node)
        if node.domain not in ("", "ai.onnx"):
            raise self.fail(node, index, f"an op of the domain {node.domain!r}")
        if op == "Constant":
            _, nh = _onnx()
            value = a.get("value")
            self.values[node.output[0]] = nh.to_array(value).tolist() if value is not None else a.get("value_ints")
            return
        if op in ("Shape", "Gather", "Unsqueeze", "Concat") and self.shape_op(node, index, op, a):
            return
        if op == "Identity" or op == "Dropout":
            x = self.tensor(node, index, node.input[0])
            if op == "Identity":
                self.values[node.output[0]] = x
                return
            ratio = self.const(node.input[1]) if len(node.input) > 1 and node.input[1] else a.get("ratio", 0.5)
            self.emit(node, index, "dropout", {"rate": float(ratio)}, [x], x.rank)
            return
        x = self.tensor(node, index, node.input[0])
        if op in ("Conv", "ConvTranspose"):
            w = self.dims(node.input[1])
            if w is None:
                raise self.fail(node, index, "weights that are not an initializer")
            d = len(w) - 2
            g = a.get("group", 1)
            args = {"filters": w[0] if op == "Conv" else w[1] * g, "kernel": _one(a.get("kernel_shape", w[2:])),
                    "stride": _one(a.get("strides", [1] * d))}
            auto = a.get("auto_pad", b"NOTSET")
            auto = auto.decode() if isinstance(auto, bytes) else auto
            if auto in ("SAME_UPPER", "VALID") and op == "Conv":
                args["padding"] = "same" if auto == "SAME_UPPER" else "valid"
            elif auto != "NOTSET":
                raise self.fail(node, index, f"auto_pad {auto}")
            else:
                args["padding"] = _pads(a.get("pads", [0] * 2 * d), d)
            if op == "ConvTranspose":
                if a.get("output_shape"):
                    raise self.fail(node, index, "an output_shape attribute")
                args["output_padding"] = _one(a.get("output_padding", [0] * d))
            args.update(dilation=_one(a.get("dilations", [1] * d)), groups=g,
                        bias=len(node.input) > 2 and bool(node.input[2]),
                        in_channels=w[1] * g if op == "Conv" else w[0])
            kind = f"conv{d}d" if op == "Conv" else f"conv_transpose{d}d"
            self.emit(node, index, kind, _drop(args, stride=1, padding=0, output_padding=0, dilation=1, groups=1,
                                               bias=True), [x], x.rank)
            return
        if op == "Gemm":
            w = self.dims(node.input[1])
            if w is None or len(w) != 2:
                raise self.fail(node, index, "weights that are not a 2-D initializer")
            if a.get("transA", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
                raise self.fail(node, index, "transA, alpha or beta other than the defaults")
            k, n = (w[1], w[0]) if a.get("transB", 0) else w
            bias = len(node.input) > 2 and bool(node.input[2])
            self.dense(node, index, x, n, k, bias)
            return
        if op == "MatMul":
            w = self.dims(node.input[1])
            if w is None or len(w) != 2:
                raise self.fail(node, index, "a product with something other than a 2-D initializer")
            self.dense(node, index, x, w[1], w[0], False)
            self.matmul[node.output[0]] = self.values[node.output[0]].ref
            return
        if op == "BatchNormalization":
            c = self.dims(node.input[1])
            args = {"num_features": c[0] if c else None, "epsilon": float(a.get("epsilon", 1e-5)),
                    "momentum": round(1 - float(a.get("momentum", 0.9)), 12)}
            self.emit(node, index, "batchnorm", _drop(args, epsilon=1e-5, momentum=0.1), [x], x.rank)
            return
        if op in ACTS:
            self.emit(node, index, ACTS[op], {}, [x], x.rank)
            return
        if op == "LeakyRelu":
            self.emit(node, index, "leaky_relu", {"negative_slope": float(a.get("alpha", 0.01))}, [x], x.rank)
            return
        if op == "HardSigmoid":
            if abs(a.get("alpha", 0.2) - 1 / 6) > 1e-6 or a.get("beta", 0.5) != 0.5:
                raise self.fail(node, index, "HardSigmoid other than relu6(x + 3) / 6")
            self.emit(node, index, "hard_sigmoid", {}, [x], x.rank)
            return
        if op == "Clip":
            lo = self.const(node.input[1]) if len(node.input) > 1 and node.input[1] else a.get("min")
            hi = self.const(node.input[2]) if len(node.input) > 2 and node.input[2] else a.get("max")
            if lo == 0 and hi is None:
                self.emit(node, index, "relu", {}, [x], x.rank)
            elif lo == 0 and hi == 6:
                self.emit(node, index, "relu6", {}, [x], x.rank)
            else:
                raise self.fail(node, index, f"Clip to [{lo}, {hi}] (cnncalc reads relu and relu6)")
            return
        if op in ("Softmax", "LogSoftmax"):
            axis = a.get("axis", -1 if self.opset >= 13 else 1)
            if not (axis in (-1, x.rank) and (x.rank == 1 or self.opset >= 13)) and not (axis == 1 and x.rank == 1):
                raise self.fail(node, index, f"{op} over axis {axis} of a {x.rank + 1}-dim tensor")
            self.emit(node, index, "softmax" if op == "Softmax" else "log_softmax", {}, [x], x.rank)
            return
        if op in ("MaxPool", "AveragePool"):
            if len(node.output) > 1 and node.output[1]:
                raise self.fail(node, index, "MaxPool's indices output")
            k = a.get("kernel_shape")
            d = len(k)
            auto = a.get("auto_pad", b"NOTSET")
            auto = auto.decode() if isinstance(auto, bytes) else auto
            args = {"kernel": _one(k), "stride": _one(a.get("strides", [1] * d))}
            if auto in ("SAME_UPPER", "VALID"):
                args["padding"] = "same" if auto == "SAME_UPPER" else "valid"
            elif auto != "NOTSET":
                raise self.fail(node, index, f"auto_pad {auto}")
            else:
                args["padding"] = _pads(a.get("pads", [0] * 2 * d), d)
            if op == "MaxPool":
                args["dilation"] = _one(a.get("dilations", [1] * d))
            args["ceil_mode"] = bool(a.get("ceil_mode", 0))
            if op == "AveragePool" and args["padding"] not in (0, "valid"):
                args["count_include_pad"] = bool(a.get("count_include_pad", 0))
            kind = f"{'max' if op == 'MaxPool' else 'avg'}pool{d}d"
            self.emit(node, index, kind, _drop(args, padding=0, dilation=1, ceil_mode=False, count_include_pad=True),
                      [x], x.rank)
            return
        if op in ("GlobalAveragePool", "GlobalMaxPool"):
            kind = "global_avgpool" if op == "GlobalAveragePool" else "global_maxpool"
            self.emit(node, index, kind, {"keepdims": True}, [x], x.rank)
            return
        if op == "Flatten":
            if a.get("axis", 1) != 1:
                raise self.fail(node, index, f"Flatten from axis {a.get('axis')} (cnncalc keeps the batch: axis 1)")
            self.emit(node, index, "flatten", {}, [x], 1)
            return
        if op == "Reshape":
            self.reshape(node, index, x, self.const(node.input[1]))
            return
        if op in ("Add", "Mul"):
            self.merge(node, index, op)
            return
        if op == "Concat":
            ts = [self.tensor(node, index, i) for i in node.input]
            axis = a.get("axis", 1)
            axis = axis + x.rank + 1 if axis < 0 else axis
            if axis == 0:
                raise self.fail(node, index, "Concat along the batch")
            spec_axis = -1 if axis == 1 else axis - 1
            self.emit(node, index, "concat", _drop({"axis": spec_axis}, axis=-1), ts, x.rank)
            return
        if op == "Pad":
            pads = self.const(node.input[1]) if len(node.input) > 1 else a.get("pads")
            mode = a.get("mode", b"constant")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            value = self.const(node.input[2]) if len(node.input) > 2 and node.input[2] else a.get("value", 0.0)
            n = x.rank + 1
            if mode != "constant" or value not in (0, 0.0, None, [0.0], [0]) or not isinstance(pads, list) \
                    or len(pads) != 2 * n or any(pads[i] or pads[i + n] for i in (0, 1)):
                raise self.fail(node, index, "Pad other than zeros on the spatial axes")
            pairs = [(pads[i], pads[i + n]) for i in range(2, n)]
            d = n - 2
            if all(v >= 0 for p in pairs for v in p):
                self.emit(node, index, f"zeropad{d}d", {"padding": pairs}, [x], x.rank)
            else:
                raise self.fail(node, index, "negative Pad (a crop)")
            return
        raise self.fail(node, index, f"the op {op} is not one cnncalc reads")

    def dense(self, node, index, x, units, k, bias) -> None:
        if x.rank != 1:
            raise self.fail(node, index, f"a product on a {x.rank + 1}-dim tensor (cnncalc's dense takes a flat one)")
        self.emit(node, index, "dense", _drop({"units": units, "bias": bias, "in_features": k}, bias=True), [x], 1)

    def merge(self, node, index, op) -> None:
        a, b = node.input[0], node.input[1]
        ta, tb = self.values.get(a), self.values.get(b)
        if op == "Add" and a in self.matmul and self.consumers.get(a) == 1 and b in self.inits \
                and len(self.dims(b)) == 1:
            layer = self.graph.by_name[self.matmul.pop(a)]
            layer.args.pop("bias", None)  # MatMul + Add: a dense layer with a bias
            self.values[node.output[0]] = ta
            return
        if not (isinstance(ta, T) and isinstance(tb, T)):
            raise self.fail(node, index, f"{op} of a tensor and a constant (not a layer cnncalc has)")
        self.emit(node, index, "add" if op == "Add" else "multiply", {}, [ta, tb], ta.rank)

    def reshape(self, node, index, x, target) -> None:
        if not isinstance(target, list) or not target:
            raise self.fail(node, index, "a Reshape to a shape computed from values cnncalc does not follow")
        head, rest = target[0], target[1:]
        if not (isinstance(head, Batch) or head in (0, 1, -1)) or not all(isinstance(v, int) for v in rest):
            raise self.fail(node, index, f"a Reshape to {target} (cnncalc keeps the batch first)")
        if rest == [-1] or (x.rank == 1 and rest == [0]):
            self.emit(node, index, "flatten", {}, [x], 1)
            return
        if any(v == 0 for v in rest):
            raise self.fail(node, index, "a Reshape that copies input sizes (0)")
        if len(rest) == 1 or x.rank == 1:
            t = rest if len(rest) == 1 else rest[1:] + rest[:1]  # (C, H, W) -> (H, W, C)
            self.emit(node, index, "reshape", {"target": t}, [x], len(t), note=f"Reshape to {target}")
            return
        raise self.fail(node, index, f"a Reshape of a {x.rank + 1}-dim tensor to {target} (element orders differ "
                                     "between channels first and last)")

    def shape_op(self, node, index, op, a) -> bool:
        """x.view(x.size(0), -1) as exported: Shape -> Gather(0) -> Unsqueeze -> Concat([b, -1])."""
        v = [self.values.get(i, self.const(i)) for i in node.input]
        if op == "Shape" and isinstance(v[0], T):
            self.values[node.output[0]] = ShapeOf(v[0].rank)
            return True
        if op == "Gather" and isinstance(v[0], ShapeOf) and self.const(node.input[1]) == 0:
            self.values[node.output[0]] = Batch()
            return True
        if op == "Unsqueeze" and isinstance(v[0], Batch):
            self.values[node.output[0]] = [v[0]]
            return True
        if op == "Concat" and v and all(isinstance(x, list) for x in v):
            self.values[node.output[0]] = [y for x in v for y in x]
            return True
        return False


def _one(values):
    values = list(values)
    return values[0] if len(set(values)) == 1 else tuple(values)


def _pads(pads, d):
    """ONNX pads (x1_begin, x2_begin, ..., x1_end, ...) as spec padding."""
    pairs = [(pads[i], pads[i + d]) for i in range(d)]
    if all(b == e for b, e in pairs):
        return _one([b for b, _ in pairs])
    return pairs


def _drop(args, **defaults):
    return {k: v for k, v in args.items()
            if v is not None and not (k in defaults and v == defaults[k] and type(v) is type(defaults[k]))}


def read_onnx(path: str, class_name: str | None = None, input_given=None):
    """(nodes, input hint, model name, description) of an .onnx file."""
    if class_name is not None:
        raise ReaderError("--class picks a class of a Python file; an ONNX file holds one graph", path=path)
    onnx, _ = _onnx()
    cap = ONNX_SIZE_FACTOR * max_input_bytes()
    try:
        size = os.path.getsize(path)
    except OSError as e:
        raise ReaderError(f"cannot be read: {e.strerror or e}", path=path) from None
    if size > cap:
        raise ReaderError(f"is {size:,} bytes, more than the {cap:,}-byte limit for .onnx files "
                          f"({ONNX_SIZE_FACTOR} x CNNCALC_MAX_INPUT); raise CNNCALC_MAX_INPUT", path=path)
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as e:  # protobuf's DecodeError and friends: the file is no ONNX model
        raise ReaderError(f"is not an ONNX model: {type(e).__name__}: {str(e)[:120]}", path=path) from None
    reader = OnnxReader(path, model)
    nodes, hint = reader.read()
    name = model.graph.name or os.path.basename(path).rsplit(".", 1)[0]
    producer = f"{model.producer_name} {model.producer_version}".strip()
    what = "ONNX model" + (f" from {producer}" if producer else "") + f", opset {reader.opset}"
    return nodes, hint, name, what
