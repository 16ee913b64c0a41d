"""What a model file points at, bounded before it is read: a `.keras` zip's central directory
(its entry count and size, from the end record, before `zipfile` parses it) and an ONNX
tensor's external data (only a file inside the model's own folder, only the bytes the tensor
needs)."""
from __future__ import annotations

import math
import os
import struct
import sys
from contextlib import contextmanager

from ..errors import open_input, read_capped
from ..files import inside
from .common import ReaderError

MAX_ZIP_ENTRIES = 10_000        # files a .keras archive may list (Keras writes 3)
MAX_ZIP_DIRECTORY = 1 << 20     # bytes of its central directory: 1 MiB
MAX_EXTERNAL_BYTES = 1 << 24    # bytes of one ONNX tensor's external data cnncalc reads: 16 MiB
MAX_CONSTANT = 1 << 12          # values of an ONNX tensor turned into numbers (shapes, axes, scalars, per-channel factors)
ANY_SIZE = sys.maxsize          # a file read only in bounded parts (an archive, external data)

_END = struct.Struct("<4s4H2LH")            # end of central directory record
_LOCATOR = struct.Struct("<4sLQL")          # zip64 end of central directory locator
_END64 = struct.Struct("<4sQ2H2L4Q")        # zip64 end of central directory record


@contextmanager
def open_archive(path: str):
    """A .keras file as an open zipfile.ZipFile, once its end record shows a directory of at
    most MAX_ZIP_ENTRIES entries and MAX_ZIP_DIRECTORY bytes (a lying record fails zipfile's
    reading of the directory, which stops at the declared bytes)."""
    import zipfile
    with open_input(path, ReaderError, "a .keras file", "the path of a .keras file", cap=ANY_SIZE) as fh:
        entries, size = _directory(fh)
        if entries > MAX_ZIP_ENTRIES or size > MAX_ZIP_DIRECTORY:
            raise ReaderError(f"the archive lists {entries:,} files in a {size:,}-byte directory; a .keras file "
                              f"holds 3 (at most {MAX_ZIP_ENTRIES:,} files and {MAX_ZIP_DIRECTORY:,} bytes are "
                              "read): refused", path=path)
        try:
            zf = zipfile.ZipFile(fh)
        except Exception as e:  # BadZipFile, NotImplementedError, struct.error...: a damaged directory
            raise ReaderError(f"is not a .keras file (a zip archive): {e}; save the model with "
                              "model.save('m.keras')", path=path) from None
        with zf:
            if len(zf.infolist()) > MAX_ZIP_ENTRIES:  # the end record understated them
                raise ReaderError(f"the archive lists {len(zf.infolist()):,} files; a .keras file holds 3",
                                  path=path)
            yield zf


def read_member(zf, info, cap: int, path: str) -> bytes:
    """One member of an open archive, decompressed only up to its declared size, which must be
    at most `cap`: a zip bomb is refused by what it declares, whatever its compression ratio."""
    name = info.filename
    if info.file_size > cap:
        raise ReaderError(f"its {name} is {info.file_size:,} bytes, more than the {cap:,}-byte input limit; raise "
                          "it with CNNCALC_MAX_INPUT=20M if the model is that large", path=path)
    try:
        with zf.open(info) as member:  # zipfile stops at the declared size
            data = read_capped(member, cap)
    except Exception as e:  # BadZipFile, a bad CRC, an unknown compression...: a damaged member
        raise ReaderError(f"{name} cannot be read from the archive: {e}", path=path) from None
    if len(data) > cap:
        raise ReaderError(f"its {name} is larger than the {cap:,}-byte input limit (the archive understated "
                          "its size); refused", path=path)
    return data


def _directory(fh) -> tuple[int, int]:
    """(entries, bytes) of the central directory as the end records declare them, the largest
    of the plain and zip64 records; (0, 0) when there is no end record (zipfile says so)."""
    end = fh.seek(0, os.SEEK_END)
    start = max(0, end - (_END.size + 0xFFFF))
    fh.seek(start)
    tail = fh.read(end - start)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END.size > len(tail):
        return 0, 0
    _, _, _, _, entries, size, _, _ = _END.unpack_from(tail, at)
    where = start + at - _LOCATOR.size - _END64.size
    if where >= 0:
        fh.seek(where)
        block = fh.read(_END64.size + _LOCATOR.size)
        if block[_END64.size:_END64.size + 4] == b"PK\x06\x07" and block[:4] == b"PK\x06\x06":
            fields = _END64.unpack_from(block)
            entries, size = max(entries, fields[7]), max(size, fields[8])
    return entries, size


def tensor_values(tensor, model_path: str) -> list | None:
    """A small ONNX tensor's values as a list (a shape, axes, a scalar), as onnx's
    numpy_helper.to_array(tensor).tolist() gives them; None, without reading anything, for one
    of more than MAX_CONSTANT values (weights are sized by their dims)."""
    count = 1
    for d in tensor.dims:
        count *= max(d, 1)
    return tensor_list(tensor, model_path) if count <= MAX_CONSTANT else None


# TensorProto.DataType -> (struct code of one value, the typed field holding values without raw_data)
DTYPES = {1: ("f", "float_data"), 2: ("B", "int32_data"), 3: ("b", "int32_data"), 4: ("H", "int32_data"),
          5: ("h", "int32_data"), 6: ("i", "int32_data"), 7: ("q", "int64_data"), 9: ("?", "int32_data"),
          10: ("e", "int32_data"), 11: ("d", "double_data"), 12: ("I", "uint64_data"), 13: ("Q", "uint64_data")}
ITEMSIZE = {14: 8, 15: 16, 16: 2, 17: 1, 18: 1, 19: 1, 20: 1}  # complex, bfloat16, float8: sized, never read
EXTERNAL = 1  # TensorProto.EXTERNAL


def itemsize(data_type: int) -> int | None:
    """Bytes of one value of an ONNX data type; None for one cnncalc does not know."""
    return struct.calcsize(DTYPES[data_type][0]) if data_type in DTYPES else ITEMSIZE.get(data_type)


def tensor_list(tensor, model_path: str):
    """An ONNX tensor's values, nested as its dims (a scalar for no dims), its external data (if
    any) read from beside the model; a damaged tensor is one ReaderError."""
    name, dims = tensor.name, tuple(tensor.dims)
    if any(d < 0 for d in dims):
        raise ReaderError(f"tensor {name!r} has a negative size in {dims}; the file is damaged: export the model "
                          "again", path=model_path)
    if tensor.data_type not in DTYPES:
        raise ReaderError(f"tensor {name!r} has the data type {tensor.data_type}, which cnncalc does not read as "
                          "numbers (shapes and axes are integers)", path=model_path)
    code, field = DTYPES[tensor.data_type]
    count = 1
    for d in dims:
        count *= d
    external = tensor.HasField("data_location") and tensor.data_location == EXTERNAL
    try:
        if external or tensor.HasField("raw_data"):
            raw = external_bytes(tensor, model_path) if external else tensor.raw_data
            flat = struct.unpack(f"<{len(raw) // struct.calcsize(code)}{code}", raw)
            if len(raw) % struct.calcsize(code):
                raise ValueError(f"{len(raw)} bytes of raw data are no whole number of values")
        else:
            typed = list(getattr(tensor, field))
            as_bits = "H" if code == "e" else code  # float16 values are kept as their bits
            flat = struct.unpack(f"<{len(typed)}{code}", struct.pack(f"<{len(typed)}{as_bits}", *typed))
        if len(dims) > 64:
            raise ValueError(f"{len(dims)} dimensions (at most 64)")
        if len(flat) != count:
            raise ValueError(f"{len(flat)} values for dims {list(dims)}")
    except (struct.error, ValueError, OverflowError) as e:  # a value out of its type's range, too few values
        raise ReaderError(f"tensor {name!r} cannot be read: {type(e).__name__}: {str(e)[:120]}; the file is "
                          "damaged: export the model again", path=model_path) from None
    return _nest(list(flat), dims)


def _nest(flat: list, dims: tuple):
    """The values nested as numpy's tolist() nests them (at most 64 dims, whose product
    tensor_values bounds)."""
    if not dims:
        return flat[0]
    for i in range(len(dims) - 1, 0, -1):
        groups, d = math.prod(dims[:i]), dims[i]
        flat = [flat[g * d:(g + 1) * d] for g in range(groups)]
    return flat


def external_bytes(tensor, model_path: str) -> bytes:
    """The bytes an ONNX tensor keeps in another file: `location` must be a relative path that
    stays inside the model's folder (symlinks followed), and at most MAX_EXTERNAL_BYTES are read."""
    info = {e.key: e.value for e in tensor.external_data}
    location = info.get("location", "")
    folder = os.path.dirname(os.path.abspath(model_path))
    target = os.path.join(folder, location)
    name = tensor.name
    if not location or os.path.isabs(location) or "\0" in location or not inside(target, folder):
        raise ReaderError(f"tensor {name!r} keeps its data in {location!r}, outside the model's folder "
                          f"{folder}; cnncalc reads external data only from beside the model", path=model_path)
    offset, length = (info.get(k, "") for k in ("offset", "length"))
    if not (offset == "" or offset.isascii() and offset.isdigit() and len(offset) <= 18) or \
            not (length == "" or length.isascii() and length.isdigit() and len(length) <= 18):
        raise ReaderError(f"tensor {name!r}: external data offset {offset[:20]!r} and length {length[:20]!r} "
                          "must be byte counts", path=model_path)
    size = itemsize(tensor.data_type)
    if size is None:
        raise ReaderError(f"tensor {name!r} has the unknown data type {tensor.data_type}", path=model_path)
    count = 1
    for d in tensor.dims:
        count *= d
    needed = int(length) if length else count * size
    if needed > MAX_EXTERNAL_BYTES:
        raise ReaderError(f"tensor {name!r} asks for {needed:,} bytes of external data, more than the "
                          f"{MAX_EXTERNAL_BYTES:,} cnncalc reads for one tensor", path=model_path)
    with open_input(target, ReaderError, "an external data file", f"the file {location!r} beside the model",
                    cap=ANY_SIZE) as fh:
        fh.seek(int(offset or 0))
        data = read_capped(fh, needed)
    if len(data) < needed:
        raise ReaderError(f"tensor {name!r}: {location} ends {needed - len(data):,} bytes before the tensor's "
                          f"{needed:,} bytes", path=model_path)
    return data[:needed]
