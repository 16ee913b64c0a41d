"""ONNX models (`.onnx`), through the optional `onnx` package (`pip install 'cnncalc[onnx]'`):
its generated protobuf schema only (readers/onnxfile.py), no runtime, no weights. Layer sizes come from the initializers' shapes; the data
flow from the graph's node order. NCHW tensors become cnncalc's channels-last shapes.

The ops read are those the kinds declare in their ONNX spellings, each group through one small
handler of OPS (at the end of this module); the reader itself follows Constant and the
Shape / Gather / Unsqueeze / Concat chain of `x.view(x.size(0), -1)`, and folds MatMul + Add of a
bias into one dense layer. An op no kind declares is refused at its node, in one line that also
names every other such op of the file.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

from ..errors import max_input_bytes
from . import onnxfold, onnxnotes, onnxshape
from .onnxsym import Batch, Dim, T, channel_bound, follow, slice_args
from .common import INPUT, MAX_LAYERS, Graph, InputHint, ReaderError, check_used, unsupported
from .common import drop as _drop
from .modelfiles import tensor_values
from .onnxfile import attribute_value, float32_decimal, load_model
from .spellings import Spelling, lookup, moded

ONNX_SIZE_FACTOR = 100  # an .onnx file holds its weights: 100 x the input limit (1000 MiB by default; VGG-19 is 575 MB)


class OnnxReader:
    def __init__(self, path: str, model):
        self.path, self.model = path, model
        self.graph = Graph(path)
        g = model.graph
        self.inits = {i.name: i for i in g.initializer}
        self.values: dict[str, object] = {}
        self.folded: dict[str, tuple[int, ...]] = {}  # the dims of folded constants (onnxfold)
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
        self.consumers: dict[str, int] = {}
        for n in g.node:
            for i in n.input:
                self.consumers[i] = self.consumers.get(i, 0) + 1
        self.matmul: dict[str, str] = {}  # MatMul output -> its dense layer, awaiting a bias Add

    def fail(self, node, index, what) -> ReaderError:
        name = node.name or node.op_type
        return unsupported(f"node {index} ({name}, {node.op_type}): {what}", self.path)

    def attrs(self, node, index) -> dict:
        """The node's attributes; float32 numbers as the shortest decimal that is the same float32
        (1e-05, not 9.999999747378752e-06)."""
        out = {}
        for a in node.attribute:
            try:
                value = attribute_value(a)
            except ValueError as e:
                raise self.fail(node, index, str(e)) from None
            out[a.name] = float32_decimal(value) if isinstance(value, float) else value
        return out

    def const(self, name):
        """The value of an initializer or Constant output as a list, or None."""
        if name in self.values:
            return self.values[name]
        if name in self.inits:
            return tensor_values(self.inits[name], self.path)
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
        first = next(((i, n) for i, n in enumerate(g.node, start=1) if _lacking(n)), None)
        if first is not None:  # refused before anything else, naming every op no kind declares
            raise self.unsupported_op(first[1], first[0])
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
        if any(t.view is not None for t in ins):
            raise self.fail(node, index, "its input is a 5-dim view of the channels that is not a channel shuffle "
                                         "(Reshape to (N, g, C/g, H, W), Transpose (0, 2, 1, 3, 4), Reshape back)")
        if len({t.last for t in ins}) > 1:
            raise self.fail(node, index, "a merge of values channels first and values permuted channels last")
        name = self.graph.add(kind, args, [t.ref for t in ins], node.name or node.op_type, None,
                              note=note or node.op_type)
        self.values[node.output[0]] = T(name, rank, last=ins[0].last)

    def node(self, node, index) -> None:
        op, a = node.op_type, self.attrs(node, index)
        if node.domain not in ("", "ai.onnx"):
            raise self.fail(node, index, f"an op of the domain {node.domain!r}")
        why = onnxshape.problem(node, a, self.dims)
        if why is not None:
            raise self.fail(node, index, why)
        if op == "Constant":
            value = a.get("value")
            self.values[node.output[0]] = tensor_values(value, self.path) if value is not None else a.get("value_ints")
            return
        if op == "Identity" and node.input[0] in self.inits:  # torch's export of a shared (equal) weight
            self.inits[node.output[0]] = self.inits[node.input[0]]
            return
        if op in SIZE_OPS and follow(self, node, op):
            return
        if op in onnxfold.OPS and self.fold(node, op, a):
            return
        s = lookup("ONNX", op)
        if s is None:
            if op in PLUMBING:  # a Shape or Gather outside the x.view(x.size(0), -1) pattern
                self.tensor(node, index, node.input[0])
            raise self.unsupported_op(node, index)
        first = next((i for i in node.input if isinstance(self.values.get(i), T)), node.input[0]) \
            if s.group == "Merge" else node.input[0]  # a merge's weight may come first (layer_scale * x)
        x = self.tensor(node, index, first)
        if x.last and s.group not in LAST_AXIS:
            raise self.fail(node, index, f"{op} of values permuted channels last (after a Transpose 0, 2, 3, 1; "
                                         "cnncalc reads layer norm, dense, activations and merges there)")
        OPS[s.group](Node(self, node, index, op, a, x, s))

    def unsupported_op(self, node, index) -> ReaderError:
        """The one error for ops no kind declares: this node's, naming every other such op of the
        file too, so that one run lists all a model needs."""
        others: dict[str, int] = {}
        for n in self.model.graph.node:
            if n.op_type != node.op_type and _lacking(n):
                others[n.op_type] = others.get(n.op_type, 0) + 1
        what = f"the op {node.op_type} is not one cnncalc reads"
        if others:
            listed = [f"{op} ({k} node{'s' if k > 1 else ''})" for op, k in others.items()]
            what += ", nor are " + (", ".join(listed[:-1]) + " and " if len(listed) > 1 else "") + listed[-1]
        return self.fail(node, index, what)

    def dense(self, node, index, x, units, k, bias) -> None:
        if x.rank != 1 and not x.last:
            raise self.fail(node, index, f"a product on a {x.rank + 1}-dim tensor (cnncalc's dense takes a flat one, "
                                         "or values permuted channels last)")
        self.emit(node, index, "dense", _drop({"units": units, "bias": bias, "in_features": k}, bias=True), [x], x.rank)

    def merge(self, node, index, op, kind) -> None:
        a, b = node.input[0], node.input[1]
        if b in self.matmul and a in self.inits:  # bias + x @ w, as the TorchScript exporter orders it
            a, b = b, a
        ta, tb = self.values.get(a), self.values.get(b)
        if op == "Add" and a in self.matmul and self.consumers.get(a) == 1 and b in self.inits \
                and len(self.dims(b)) == 1:
            layer = self.graph.by_name[self.matmul.pop(a)]
            layer.args.pop("bias", None)  # MatMul + Add: a dense layer with a bias
            self.values[node.output[0]] = ta
            return
        if op == "Mul" and isinstance(ta, T) != isinstance(tb, T) and self.scale(node, index, a, b):
            return
        if not (isinstance(ta, T) and isinstance(tb, T)):
            raise self.fail(node, index, f"{op} of a tensor and a constant (not a layer cnncalc has)")
        self.emit(node, index, kind, {}, [ta, tb], ta.rank)

    def scale(self, node, index, a, b) -> bool:
        """x times a learned per-channel weight, (C, 1, 1) channels first or (C,) channels last:
        ConvNeXt's layer scale."""
        x, w = (self.values[a], b) if isinstance(self.values.get(a), T) else (self.values[b], a)
        dims = self.dims(w)
        if dims is None or not dims or x.rank < 2 or dims[1:] != ((1,) * (x.rank - 1) if not x.last else ()):
            return False
        self.emit(node, index, "layer_scale", {}, [x], x.rank, note="Mul by a (C, 1, 1) weight")
        return True

    def reshape(self, node, index, x, target) -> None:
        if not isinstance(target, list) or not target:
            raise self.fail(node, index, "a Reshape to a shape computed from values cnncalc does not follow")
        if self.shuffle(node, index, x, target):
            return
        if x.view is not None:
            raise self.fail(node, index, f"a Reshape of a channel-shuffle view to {target} (not back to N, C, H, W)")
        target = [Batch() if isinstance(v, Dim) and v.axis == 0 else v for v in target]
        head, rest = target[0], target[1:]
        if target.count(-1) > 1:
            raise self.fail(node, index, f"a Reshape to {target}: ONNX allows one -1 (the size worked out), "
                                         "this file has several; export the model again")
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

    def shuffle(self, node, index, x, target) -> bool:
        """ShuffleNet's channel shuffle as exported: Reshape (N, C, H, W) to (N, g, C/g, H, W),
        Transpose (0, 2, 1, 3, 4), Reshape to (N, C, H, W); the sizes constants or read through
        Shape. The first Reshape leaves a view of x, which only that Transpose may take."""
        def spatial(v, axis):
            return (isinstance(v, int) and v > 0) or (isinstance(v, Dim) and v.ref == x.ref and v.plain
                                                      and v.axis == axis)
        head = target[0]
        if not (isinstance(head, (Batch, Dim)) or head in (1, -1)):
            return False
        if x.view is None and x.rank == 3 and len(target) == 5:
            g, per = target[1], target[2]
            if isinstance(g, int) and g > 0 and (isinstance(per, int) and per > 0 or isinstance(per, Dim) and (
                    per.ref, per.axis, per.add, per.div, per.mul) == (x.ref, 1, 0, g, 1)) \
                    and spatial(target[3], 2) and spatial(target[4], 3):
                self.values[node.output[0]] = T(x.ref, 4, view=("split", g, per, target[3], target[4]))
                return True
        if x.view is not None and x.view[0] == "swapped" and len(target) == 4:
            _, g, per, h, w = x.view
            c = target[1]
            whole = c == -1 or (isinstance(c, Dim) and c.ref == x.ref and c.plain and c.axis == 1) \
                or (isinstance(per, int) and c == g * per)
            if whole and target[2:] in ([h, w], [Dim(x.ref, 2), Dim(x.ref, 3)]):
                self.emit(node, index, "channel_shuffle", {"groups": g}, [T(x.ref, 3)], 3, note="Reshape, Transpose, "
                          "Reshape (channel shuffle)")
                return True
        return False

    def fold(self, node, op, a) -> bool:
        """A constant computed from constants (the pads torch's TorchScript exporter builds)."""
        ins = [self.const(i) if i else None for i in node.input]
        fill = tensor_values(a["value"], self.path) if op == "ConstantOfShape" and "value" in a else None
        data = ins[0] if ins else None
        got = onnxfold.fold(op, ins, self.folded.get(node.input[0], (len(data),) if isinstance(data, list) else ()),
                            a, fill) if ins else None
        if got is None:
            return False
        self.values[node.output[0]], self.folded[node.output[0]] = got
        return True


def _one(values):
    values = list(values)
    return values[0] if len(set(values)) == 1 else tuple(values)


def _pads(pads, d):
    """ONNX pads (x1_begin, x2_begin, ..., x1_end, ...) as spec padding."""
    pairs = [(pads[i], pads[i + d]) for i in range(d)]
    if all(b == e for b, e in pairs):
        return _one([b for b, _ in pairs])
    return pairs


def read_onnx(path: str, class_name: str | None = None, input_given=None):
    """(nodes, input hint, model name, description) of an .onnx file."""
    if class_name is not None:
        raise ReaderError("--class picks a class of a Python file; an ONNX file holds one graph", path=path)
    model = load_model(path, ONNX_SIZE_FACTOR * max_input_bytes(), "the path of an .onnx file")
    reader = OnnxReader(path, model)
    nodes, hint = reader.read()
    name = model.graph.name or os.path.basename(path).rsplit(".", 1)[0]
    producer = f"{model.producer_name} {model.producer_version}".strip()
    what = "ONNX model" + (f" from {producer}" if producer else "") + f", opset {reader.opset}"
    return nodes, hint, name, what, onnxnotes.changes(model, reader.inits).notes()


PLUMBING = ("Constant", "Shape", "Gather", "Unsqueeze")  # followed by the reader itself, not layers
SIZE_OPS = ("Shape", "Gather", "Unsqueeze", "Concat", "Cast", "Add", "Mul", "Div")  # on sizes read through Shape


def _lacking(node) -> bool:
    """An op of the standard domain that no kind declares and the reader does not follow itself."""
    op = node.op_type
    return node.domain in ("", "ai.onnx") and op not in PLUMBING and op not in SIZE_OPS \
        and op not in onnxfold.OPS and op != "Constant" and lookup("ONNX", op) is None


@dataclass
class Node:
    """One node being read: the reader, the ONNX node and its 1-based index, its op and
    attributes, its first input as a tensor, and what the kinds declare of its op."""
    reader: OnnxReader
    node: Any
    index: int
    op: str
    a: dict
    x: T
    spelling: Spelling

    def fail(self, what: str) -> ReaderError:
        return self.reader.fail(self.node, self.index, what)

    def emit(self, kind, args, ins=None, rank=None) -> None:
        self.reader.emit(self.node, self.index, kind, args, ins or [self.x], self.x.rank if rank is None else rank)

    def input(self, i: int, attr: str, default=None):
        """The value of input i where the node has it (newer opsets), else the attribute."""
        node = self.node
        return self.reader.const(node.input[i]) if len(node.input) > i and node.input[i] else \
            self.a.get(attr, default)

    def auto_pad(self, args: dict, d: int, allowed: bool = True) -> None:
        """args["padding"] from auto_pad (SAME_UPPER, VALID) or from pads."""
        auto = self.a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else auto
        if auto in ("SAME_UPPER", "VALID") and allowed:
            args["padding"] = "same" if auto == "SAME_UPPER" else "valid"
        elif auto != "NOTSET":
            raise self.fail(f"auto_pad {auto}")
        else:
            args["padding"] = _pads(self.a.get("pads", [0] * 2 * d), d)


def _identity(n: Node) -> None:
    n.reader.values[n.node.output[0]] = n.x


def _dropout(n: Node) -> None:
    ratio = n.input(1, "ratio", 0.5)
    if not (isinstance(ratio, (int, float)) and math.isfinite(ratio)):
        raise n.fail(f"a dropout ratio that is not one finite number ({str(ratio)[:40]})")
    n.emit("dropout", {"rate": float(ratio)})


def _conv(n: Node) -> None:
    r, a, op = n.reader, n.a, n.op
    w = r.dims(n.node.input[1])
    if w is None:
        raise n.fail("weights that are not an initializer")
    d = len(w) - 2
    g = a.get("group", 1)
    args = {"filters": w[0] if op == "Conv" else w[1] * g, "kernel": _one(a.get("kernel_shape", w[2:])),
            "stride": _one(a.get("strides", [1] * d))}
    n.auto_pad(args, d, allowed=op == "Conv")
    if op == "ConvTranspose":
        if a.get("output_shape"):
            raise n.fail("an output_shape attribute")
        args["output_padding"] = _one(a.get("output_padding", [0] * d))
    args.update(dilation=_one(a.get("dilations", [1] * d)), groups=g,
                bias=len(n.node.input) > 2 and bool(n.node.input[2]),
                in_channels=w[1] * g if op == "Conv" else w[0])
    kind = f"conv{d}d" if op == "Conv" else f"conv_transpose{d}d"
    n.emit(kind, _drop(args, stride=1, padding=0, output_padding=0, dilation=1, groups=1, bias=True))


def _gemm(n: Node) -> None:
    w = n.reader.dims(n.node.input[1])
    if w is None or len(w) != 2:
        raise n.fail("weights that are not a 2-D initializer")
    if n.a.get("transA", 0) or n.a.get("alpha", 1.0) != 1.0 or n.a.get("beta", 1.0) != 1.0:
        raise n.fail("transA, alpha or beta other than the defaults")
    k, units = (w[1], w[0]) if n.a.get("transB", 0) else w
    n.reader.dense(n.node, n.index, n.x, units, k, len(n.node.input) > 2 and bool(n.node.input[2]))


def _matmul(n: Node) -> None:
    r, out = n.reader, n.node.output[0]
    w = r.dims(n.node.input[1])
    if w is None or len(w) != 2:
        raise n.fail("a product with something other than a 2-D initializer")
    r.dense(n.node, n.index, n.x, w[1], w[0], False)
    r.matmul[out] = r.values[out].ref


def _batchnorm(n: Node) -> None:
    c = n.reader.dims(n.node.input[1])
    args = {"num_features": c[0] if c else None, "epsilon": float(n.a.get("epsilon", 1e-5)),
            "momentum": round(1 - float(n.a.get("momentum", 0.9)), 12)}
    n.emit("batchnorm", _drop(args, epsilon=1e-5, momentum=0.1))


def _hard_sigmoid(n: Node) -> None:
    if abs(n.a.get("alpha", 0.2) - 1 / 6) > 1e-6 or n.a.get("beta", 0.5) != 0.5:
        raise n.fail("HardSigmoid other than relu6(x + 3) / 6")
    n.emit("hard_sigmoid", {})


def _clip(n: Node) -> None:
    lo, hi = n.input(1, "min"), n.input(2, "max")
    if lo == 0 and hi is None:
        n.emit("relu", {})
    elif lo == 0 and hi == 6:
        n.emit("relu6", {})
    else:
        raise n.fail(f"Clip to [{lo}, {hi}] (cnncalc reads relu and relu6)")


def _softmax(n: Node) -> None:
    x, opset = n.x, n.reader.opset
    axis = n.a.get("axis", -1 if opset >= 13 else 1)
    if not (axis in (-1, x.rank) and (x.rank == 1 or opset >= 13)) and not (axis == 1 and x.rank == 1):
        raise n.fail(f"{n.op} over axis {axis} of a {x.rank + 1}-dim tensor")
    n.emit(n.spelling.kind, {})


def _pool(n: Node) -> None:
    a, op = n.a, n.op
    if len(n.node.output) > 1 and n.node.output[1]:
        raise n.fail("MaxPool's indices output")
    k = a.get("kernel_shape")
    d = len(k)
    args = {"kernel": _one(k), "stride": _one(a.get("strides", [1] * d))}
    n.auto_pad(args, d)
    if op == "MaxPool":
        args["dilation"] = _one(a.get("dilations", [1] * d))
    args["ceil_mode"] = bool(a.get("ceil_mode", 0))
    if op == "AveragePool" and args["padding"] not in (0, "valid"):
        args["count_include_pad"] = bool(a.get("count_include_pad", 0))
    kind = f"{'max' if op == 'MaxPool' else 'avg'}pool{d}d"
    n.emit(kind, _drop(args, padding=0, dilation=1, ceil_mode=False, count_include_pad=True))


def _reduce(n: Node) -> None:
    """ReduceMean / ReduceMax over every spatial axis (torch's x.mean([2, 3]), the dynamo exporter's
    adaptive_avg_pool2d(x, 1)): global pooling."""
    axes, size = n.input(1, "axes"), n.x.rank + 1
    keep = n.a.get("keepdims", 1)
    spatial = isinstance(axes, list) and all(isinstance(v, int) and -size <= v < size for v in axes) \
        and sorted({v % size for v in axes}) == list(range(2, size)) == sorted(v % size for v in axes)
    if not spatial or size < 3:
        raise n.fail(f"{n.op} over the axes {axes} of a {size}-dim tensor (cnncalc reads it over every spatial "
                     "axis, as global pooling)")
    n.emit(n.spelling.kind, {"keepdims": bool(keep)}, rank=n.x.rank if keep else 1)


def _flatten(n: Node) -> None:
    if n.a.get("axis", 1) != 1:
        raise n.fail(f"Flatten from axis {n.a.get('axis')} (cnncalc keeps the batch: axis 1)")
    n.emit("flatten", {}, rank=1)


def _concat(n: Node) -> None:
    r, x = n.reader, n.x
    ts = [r.tensor(n.node, n.index, i) for i in n.node.input]
    if len(ts) == 1:  # torch.cat of a one-tensor list (DenseNet's first layer of a block): that tensor
        r.values[n.node.output[0]] = ts[0]
        return
    axis = n.a.get("axis", 1)
    axis = axis + x.rank + 1 if axis < 0 else axis
    if axis == 0:
        raise n.fail("Concat along the batch")
    n.emit("concat", _drop({"axis": -1 if axis == 1 else axis - 1}, axis=-1), ins=ts)


def _transpose(n: Node) -> None:
    """The middle of a channel shuffle (OnnxReader.shuffle): (N, g, C/g, H, W) -> (N, C/g, g, H, W);
    or (N, C, H, W) permuted channels last and back (ConvNeXt's blocks), cnncalc's own order."""
    view, perm, x = n.x.view, n.a.get("perm"), n.x
    if view is None and x.rank == 3 and perm == ([0, 3, 1, 2] if x.last else [0, 2, 3, 1]):
        n.reader.values[n.node.output[0]] = T(x.ref, 3, last=not x.last)
        return
    if view is None or view[0] != "split" or n.a.get("perm") != [0, 2, 1, 3, 4]:
        raise n.fail(f"a Transpose {perm} other than a channel shuffle's (0, 2, 1, 3, 4) between Reshapes to "
                     "(N, g, C/g, H, W) and back, or (0, 2, 3, 1) to channels last and (0, 3, 1, 2) back")
    n.reader.values[n.node.output[0]] = T(n.x.ref, 4, view=("swapped", *view[1:]))


def _layernorm(n: Node) -> None:
    """LayerNormalization over the last axis of values permuted channels last (or flat)."""
    axis, size = n.a.get("axis", -1), n.x.rank + 1
    scale = n.reader.dims(n.node.input[1]) if len(n.node.input) > 1 else None
    if not (n.x.last or n.x.rank == 1) or axis not in (-1, size - 1):
        raise n.fail(f"LayerNormalization over axis {axis} of a {size}-dim tensor (cnncalc reads it over the channels)")
    if scale is None or len(scale) != 1 or len(n.node.input) < 3 or n.node.input[2] not in n.reader.inits:
        raise n.fail("LayerNormalization without a learned scale and bias of one axis")
    n.emit("layernorm", _drop({"epsilon": float(n.a.get("epsilon", 1e-5)), "num_features": scale[0]}, epsilon=1e-5))


def _gelu(n: Node) -> None:
    how = n.a.get("approximate", b"none")
    how = how.decode() if isinstance(how, bytes) else how
    if how not in ("none", "tanh"):
        raise n.fail(f"Gelu with approximate {how!r}")
    n.emit("gelu", {"approximate": "tanh"} if how == "tanh" else {})


def _channel_axis(n: Node, axis) -> None:
    size = n.x.rank + 1
    if not (isinstance(axis, int) and -size <= axis < size and axis % size == 1 and size >= 3):
        raise n.fail(f"{n.op} along axis {axis} of a {size}-dim tensor (cnncalc reads it along the channels, axis 1)")


def _split(n: Node) -> None:
    """Split along the channels (torch.chunk, torch.split): one channel_slice per output."""
    r, node = n.reader, n.node
    _channel_axis(n, n.a.get("axis", 0))
    sizes = n.input(1, "split")
    outs = list(node.output)
    if sizes is not None and not (isinstance(sizes, list) and len(sizes) == len(outs)
                                  and all(isinstance(v, int) and v > 0 for v in sizes)):
        raise n.fail(f"Split sizes {str(sizes)[:40]} that are not {len(outs)} positive constants")
    for i, out in enumerate(outs):
        if n.x.view is not None:
            raise n.fail("a Split of a 5-dim view of the channels")
        args = {"part": i, "sizes": sizes} if sizes is not None else {"part": i, "sections": len(outs)}
        name = r.graph.add("channel_slice", args, [n.x.ref], f"{node.name or 'Split'}.{i}", None, note="Split")
        r.values[out] = T(name, n.x.rank)


def _slice(n: Node) -> None:
    """Slice of the channels with step 1 (x[:, a:b], a part of torch.chunk): a channel_slice."""
    ins = [n.reader.values.get(i, n.reader.const(i)) if i else None for i in n.node.input]
    starts, ends, axes = (ins[i] if len(ins) > i else None for i in (1, 2, 3))
    steps = ins[4] if len(ins) > 4 else None
    if not (isinstance(axes, list) and len(axes) == 1 and steps in (None, [1])):
        raise n.fail(f"a Slice on axes {str(axes)[:30]} with steps {str(steps)[:30]} (cnncalc reads a Slice of "
                     "the channels, step 1)")
    _channel_axis(n, axes[0])
    args = slice_args(channel_bound(starts, n.x.ref), channel_bound(ends, n.x.ref))
    if args is None:
        raise n.fail(f"a Slice of the channels from {str(starts)[:40]} to {str(ends)[:40]} (cnncalc reads fixed "
                     "bounds, or the parts of torch.chunk)")
    n.emit("channel_slice", args)


def _pad(n: Node) -> None:
    pads = n.reader.const(n.node.input[1]) if len(n.node.input) > 1 else n.a.get("pads")
    mode = n.a.get("mode", b"constant")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    s = moded("ONNX", n.op, mode, "constant", n.spelling)
    value = n.input(2, "value", 0.0) if mode == "constant" else 0
    size = n.x.rank + 1
    if s is None or value not in (0, 0.0, None, [0.0], [0]) or not isinstance(pads, list) \
            or len(pads) != 2 * size or any(pads[i] or pads[i + size] for i in (0, 1)):
        raise n.fail(f"Pad in mode {mode} other than zeros, reflection or edge on the spatial axes"
                     if s is None else "Pad other than zeros on the spatial axes")
    pairs = [(pads[i], pads[i + size]) for i in range(2, size)]
    if not all(v >= 0 for p in pairs for v in p):
        raise n.fail("negative Pad (a crop)")
    n.emit(s.kind_at(size - 2), {"padding": pairs})


OPS = {  # the groups of ONNX ops the kinds declare -> the handler of a node
    "Identity": _identity, "Dropout": _dropout, "Conv": _conv, "ConvTranspose": _conv, "Gemm": _gemm,
    "MatMul": _matmul, "BatchNormalization": _batchnorm, "Act": lambda n: n.emit(n.spelling.kind, {}),
    "LeakyRelu": lambda n: n.emit("leaky_relu", {"negative_slope": float(n.a.get("alpha", 0.01))}),
    "HardSigmoid": _hard_sigmoid, "Clip": _clip, "Softmax": _softmax, "Pool": _pool,
    "GlobalPool": lambda n: n.emit(n.spelling.kind, {"keepdims": True}), "Reduce": _reduce, "Flatten": _flatten,
    "Reshape": lambda n: n.reader.reshape(n.node, n.index, n.x, n.reader.const(n.node.input[1])),
    "Merge": lambda n: n.reader.merge(n.node, n.index, n.op, n.spelling.kind), "Concat": _concat, "Pad": _pad,
    "Transpose": _transpose, "Split": _split, "Slice": _slice, "LayerNormalization": _layernorm, "Gelu": _gelu,
}
LAST_AXIS = ("Identity", "Dropout", "Act", "Gelu", "LeakyRelu", "HardSigmoid", "Clip", "Merge", "Gemm", "MatMul",
             "LayerNormalization", "Transpose")  # groups that read values permuted channels last
