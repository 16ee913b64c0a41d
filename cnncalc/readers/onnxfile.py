"""An .onnx file as onnx's own ModelProto, quickly and without its weights.

The schema is the onnx package's generated `onnx_ml_pb2.py`, loaded by its file location under a
private name: `import onnx` runs onnx's __init__ (numpy helpers, the reference evaluator, the
checker: about 1 s), the generated module alone about 40 ms. A first pass over the protobuf wire
format copies the model but leaves out the data of the graph's large initializers (more bytes
than MAX_CONSTANT values can take: their dims and data_type are all the count reads), so that
neither time nor memory grows with the weights. A file that pass does not understand is parsed
whole, as onnx.load_model_from_string would.
"""
from __future__ import annotations

import importlib.util
import math
import os
import struct
import sys

from ..errors import open_input, read_capped
from .common import ReaderError
from .modelfiles import MAX_CONSTANT

INSTALL = "pip install 'cnncalc[onnx]'"
PRIVATE = "_cnncalc_onnx_ml_pb2"
SKIP_BYTES = 16 * MAX_CONSTANT  # an initializer's data field longer than this is left out, whatever its dims
MODEL_GRAPH, GRAPH_INITIALIZER = 7, 5  # ModelProto.graph, GraphProto.initializer
TENSOR_DATA = frozenset((4, 5, 6, 7, 9, 10, 11))  # float/int32/string/int64/raw/double/uint64 data


def schema():
    """onnx's generated protobuf module (ModelProto, TensorProto...), without running onnx's
    __init__; the one-line install advice when the onnx package is absent."""
    try:
        spec = importlib.util.find_spec("onnx")
    except (ImportError, ValueError):  # a broken or blocked onnx
        spec = None
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    loaded = sys.modules.get("onnx.onnx_ml_pb2") or sys.modules.get(PRIVATE)
    if folders and loaded is not None:
        return loaded
    file = next((os.path.join(f, "onnx_ml_pb2.py") for f in folders
                 if os.path.isfile(os.path.join(f, "onnx_ml_pb2.py"))), None)
    if file is None:
        raise ReaderError(f"reading .onnx files needs the onnx package; install it with {INSTALL}") from None
    spec = importlib.util.spec_from_file_location(PRIVATE, file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # a protobuf runtime the generated code does not accept
        raise ReaderError(f"the onnx package's schema cannot be loaded ({type(e).__name__}: {str(e)[:120]}); "
                          f"reinstall it with {INSTALL}") from None
    sys.modules[PRIVATE] = module
    return module


def load_model(path: str, cap: int, example: str):
    """The ModelProto of an .onnx file of at most `cap` bytes, large initializers without data."""
    pb = schema()
    with open_input(path, ReaderError, "an ONNX model", example, cap=cap) as fh:
        try:
            data = _slim(fh, fh.seek(0, os.SEEK_END))
        except (_Unread, OSError):
            data = None
        if data is None:  # not the wire format this pass follows: protobuf says what is wrong
            fh.seek(0)
            data = read_capped(fh, cap)
            if len(data) > cap:
                raise ReaderError(f"is larger than the {cap:,}-byte input limit; give a smaller file, or raise "
                                  "the limit with CNNCALC_MAX_INPUT=20M", path=path)
    model = pb.ModelProto()
    try:
        used = model.ParseFromString(bytes(data))
        if used is not None and used != len(data):
            raise ValueError(f"Protobuf decoding consumed too few bytes: {used} out of {len(data)}")
    except Exception as e:  # protobuf's DecodeError and friends: the file is no ONNX model
        raise ReaderError(f"is not an ONNX model: {type(e).__name__}: {str(e)[:120]}", path=path) from None
    return model


class _Unread(Exception):
    """The wire format is not one the slimming pass follows."""


class _Wire:
    def __init__(self, fh, size: int):
        self.fh, self.size, self.pos = fh, size, 0
        fh.seek(0)

    def varint(self) -> int:
        value = shift = 0
        while True:
            b = self.fh.read(1)
            if not b or shift > 63:
                raise _Unread
            self.pos += 1
            value |= (b[0] & 0x7F) << shift
            if b[0] < 0x80:
                return value
            shift += 7

    def read(self, n: int) -> bytes:
        data = self.fh.read(n)
        if len(data) != n:
            raise _Unread
        self.pos += n
        return data

    def skip(self, n: int) -> None:
        self.pos += n
        self.fh.seek(self.pos)


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _product(packed: bytes) -> int:
    """The product of packed int64 varints, each at least 1 (as tensor_values counts)."""
    product, value, shift = 1, 0, 0
    for b in packed:
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            product *= max(value - (1 << 64) if value >> 63 else value, 1)
            value = shift = 0
    return product


def _slim(fh, size: int) -> bytearray | None:
    wire = _Wire(fh, size)
    return _message(wire, size, 0)


def _message(wire: _Wire, end: int, level: int) -> bytearray:
    """The fields up to `end` re-encoded; level 0 a ModelProto, 1 its graph, 2 an initializer,
    whose data is left out when the dims before it count more than MAX_CONSTANT values (the
    most tensor_values reads) or it has more than SKIP_BYTES."""
    out = bytearray()
    count = 1
    while wire.pos < end:
        key = wire.varint()
        number, kind = key >> 3, key & 7
        head = _varint(key)
        if kind == 0:
            value = wire.varint()
            if level == 2 and number == 1:  # TensorProto.dims, unpacked
                count *= max(value - (1 << 64) if value >> 63 else value, 1)
            out += head + _varint(value)
        elif kind in (1, 5):
            out += head + wire.read(8 if kind == 1 else 4)
        elif kind != 2:
            raise _Unread
        else:
            length = wire.varint()
            stop = wire.pos + length
            if stop > end:
                raise _Unread
            if (level, number) in ((0, MODEL_GRAPH), (1, GRAPH_INITIALIZER)):
                inner = _message(wire, stop, level + 1)
                out += head + _varint(len(inner)) + inner
            elif level == 2 and number in TENSOR_DATA and (length > SKIP_BYTES or count > MAX_CONSTANT):
                wire.skip(length)
            else:
                data = wire.read(length)
                if level == 2 and number == 1:  # TensorProto.dims, packed
                    count *= _product(data)
                out += head + _varint(length) + data
        if wire.pos > end:
            raise _Unread
    return out


ATTRIBUTE = {1: "f", 2: "i", 3: "s", 4: "t", 5: "g", 11: "sparse_tensor", 13: "tp"}  # AttributeProto.type
ATTRIBUTES = {6: "floats", 7: "ints", 8: "strings", 9: "tensors", 10: "graphs", 12: "sparse_tensors",
              14: "type_protos"}


def attribute_value(a):
    """An AttributeProto's value as onnx.helper.get_attribute_value gives it (lists as lists,
    None for UNDEFINED); a ValueError for a reference or an unknown type."""
    if a.ref_attr_name:
        raise ValueError(f"the attribute `{a.name}` refers to a function's attribute")
    if a.type in ATTRIBUTE:
        return getattr(a, ATTRIBUTE[a.type])
    if a.type in ATTRIBUTES:
        return list(getattr(a, ATTRIBUTES[a.type]))
    if a.type == 0:
        return None
    raise ValueError(f"the attribute `{a.name}` has the unknown type {a.type}")


def float32_decimal(value: float) -> float:
    """A float32 attribute as the shortest decimal that is the same float32 (1e-05, not
    9.999999747378752e-06), as str(numpy.float32(value)) writes it."""
    if not math.isfinite(value):
        return value
    for digits in range(1, 10):  # 9 significant digits always find a float32 again
        short = float(f"{value:.{digits}g}")
        try:
            if struct.unpack("<f", struct.pack("<f", short))[0] == value:
                return short
        except OverflowError:  # rounded past float32's largest value
            continue
    return value
