"""The tensors of an ONNX graph as the reader follows them (T), and sizes read through Shape, as
torch's TorchScript exporter computes them without knowing the
batch (and, for a chunk, the channels): `Dim` stands for floor((size + add) / div) * mul of one
axis of one tensor, and small integer arithmetic on it (Add, Div, Mul, Cast with constants) stays
a Dim. From these the reader tells a chunk of the channels (k * ceil(C / n)) and a reshape that
keeps the spatial sizes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

HUGE = 1 << 31  # an end past this is "to the end" (torch writes INT64_MAX for x[:, s:])


@dataclass
class T:
    """A tensor of the graph: the cnncalc layer making it and its rank without the batch."""
    ref: str
    rank: int
    view: tuple | None = None
    last: bool = False  # permuted channels last (Transpose 0, 2, 3, 1): ops on the last axis act on the channels


@dataclass
class ShapeOf:
    rank: int
    ref: str = ""


class Batch:
    pass


@dataclass(frozen=True)
class Dim:
    """floor((size + add) / div) * mul, size being axis `axis` of the tensor made by layer `ref`."""
    ref: str
    axis: int
    add: int = 0
    div: int = 1
    mul: int = 1

    @property
    def plain(self) -> bool:
        return (self.add, self.div, self.mul) == (0, 1, 1)

    def chunk(self) -> tuple[int, int] | None:
        """(k, n) when this is k * ceil(C / n), the k-th boundary of torch.chunk(x, n, dim=1)."""
        if self.axis == 1 and self.div > 1 and self.add == self.div - 1:
            return self.mul, self.div
        return None


def _scalar(v):
    return v[0] if isinstance(v, list) and len(v) == 1 else v


def arith(op: str, a, b):
    """op of a Dim and an integer constant (or of two integers), each maybe a one-value list; None
    when it is not arithmetic this follows."""
    x, y = _scalar(a), _scalar(b)
    wrap = isinstance(a, list) or isinstance(b, list)
    got = None
    if isinstance(x, Dim) and isinstance(y, int) and not isinstance(y, bool):
        if op == "Add" and x.div == 1 and x.mul == 1:
            got = replace(x, add=x.add + y)
        elif op == "Div" and x.mul == 1 and x.div == 1 and y > 0:
            got = replace(x, div=y)
        elif op == "Mul" and y >= 0:
            got = replace(x, mul=x.mul * y)
    elif op == "Mul" and isinstance(y, Dim) and isinstance(x, int):
        got = arith(op, y, x)
    return None if got is None else [got] if wrap else got


def channel_bound(v, ref: str):
    """A Slice bound on the channels of `ref`: ("at", int), ("chunk", k, n), ("end",), or None."""
    v = _scalar(v)
    if isinstance(v, int) and not isinstance(v, bool):
        return ("end",) if v >= HUGE else ("at", v) if v >= 0 else None
    if isinstance(v, Dim) and v.ref == ref:
        if v.plain and v.axis == 1:
            return ("end",)
        got = v.chunk()
        return ("chunk", *got) if got else None
    return None


def slice_args(start, end) -> dict | None:
    """channel_slice's arguments for channels start:end (bounds from channel_bound), or None."""
    if start is None or end is None:
        return None
    if start[0] == "at" and end[0] == "at" and start[1] < end[1]:
        return {"start": start[1], "stop": end[1]}
    first = (0, None) if start == ("at", 0) else start[1:] if start[0] == "chunk" else None
    if first is None:
        return None
    k, n = first
    if end[0] == "chunk" and end[1] == k + 1 and (n is None or end[2] == n):
        return {"part": k, "sections": end[2]}
    if end == ("end",) and n is not None and k == n - 1:
        return {"part": k, "sections": n}
    return None


def follow(reader, node, op: str) -> bool:
    """A size op of the OnnxReader `reader` followed: Shape, Gather of its sizes, Unsqueeze, Cast,
    Add / Mul / Div with constants, Concat into a shape (x.view(x.size(0), -1) as exported:
    Shape -> Gather(0) -> Unsqueeze -> Concat([b, -1])). False when it is not one of these."""
    v = [reader.values.get(i, reader.const(i)) for i in node.input]
    out = node.output[0]
    if op == "Shape" and node.input[0] in reader.inits and not node.attribute:  # a weight's: its dims
        reader.values[out], reader.folded[out] = list(reader.dims(node.input[0])), (len(reader.dims(node.input[0])),)
        return True
    if op == "Shape" and isinstance(v[0], T) and v[0].view is None and not node.attribute:
        reader.values[out] = ShapeOf(v[0].rank, v[0].ref)
        return True
    if op == "Gather" and isinstance(v[0], ShapeOf) and len(v) > 1:
        at = v[1][0] if isinstance(v[1], list) and len(v[1]) == 1 else v[1]
        size = v[0].rank + 1
        if isinstance(at, int) and -size <= at < size:
            got = Batch() if at % size == 0 else Dim(v[0].ref, at % size)
            reader.values[out] = [got] if isinstance(v[1], list) else got
            return True
    if op == "Unsqueeze" and isinstance(v[0], (Batch, Dim)):
        reader.values[out] = [v[0]]
        return True
    if op == "Cast" and (isinstance(v[0], (Batch, Dim)) or isinstance(v[0], list) and v[0]
                         and any(isinstance(x, (Batch, Dim)) for x in v[0])):
        reader.values[out] = v[0]
        return True
    if op in ("Add", "Mul", "Div") and len(v) == 2:
        got = arith(op, v[0], v[1])
        if got is not None:
            reader.values[out] = got
            return True
    if op == "Concat" and v and all(isinstance(x, list) for x in v):
        reader.values[out] = [y for x in v for y in x]
        return True
    return False
