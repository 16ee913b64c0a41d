"""Read the models people already have: PyTorch and Keras source, `.keras` files, Keras JSON, ONNX.

    read_model(path, input=None, class_name=None) -> str   the equivalent cnncalc YAML spec
    load_model(path, input=None, class_name=None) -> Spec  that spec, parsed, with every layer's
                                                           line and column in the source file
    is_model_file(path) -> bool                            a file these readers take

Nothing from the file is executed: Python source is read with `ast`, `.keras` and JSON files
with `zipfile` and `json` (weights are never opened), ONNX with the `onnx` package's protobuf
parser. What cannot be read exactly is one ReaderError `file:line: what; write this part in
YAML`. `input` is cnncalc's channels-last shape (H, W, C; L, C; D, H, W, C) and overrides the
file's; for a model whose first layer fixes the channels, the spatial sizes are enough.
"""
from __future__ import annotations

import dataclasses
import os
import re
import sys

from ..errors import CnncalcError, SpecError, open_input
from .common import InputHint, ReaderError, Written, write

__all__ = ["read_model", "load_model", "load_model_text", "is_model_file", "model_format", "ReaderError", "FORMATS"]

FORMATS = {
    "torch": "PyTorch source (.py)", "keras-source": "Keras source (.py)",
    "keras-file": "Keras model file (.keras)", "keras-json": "Keras model JSON (model.to_json())",
    "onnx": "ONNX model (.onnx)",
}


def model_format(path: str) -> str | None:
    """Which reader takes the file, by its extension and (for .py and .json) a look at its text;
    None for anything else (a YAML spec)."""
    low = str(path).lower()
    if low.endswith(".onnx"):
        return "onnx"
    if low.endswith(".keras"):
        return "keras-file"
    if low.endswith(".json"):
        head = _head(path)
        return "keras-json" if re.search(r'"class_name"\s*:', head) and '"config"' in head else None
    if low.endswith(".py"):
        head = _head(path, 1 << 20)
        torch = re.search(r"^\s*(import\s+torch|from\s+torch[\s.])", head, re.M)
        keras = re.search(r"^\s*(import\s+(keras|tensorflow)|from\s+(keras|tensorflow)[\s.])", head, re.M)
        return "keras-source" if keras and not torch else "torch"
    return None


def is_model_file(path: str) -> bool:
    """True for a file these readers take (.py, .keras, .onnx, a .json holding a Keras model)."""
    return model_format(path) is not None


def _head(path: str, size: int = 1 << 16) -> str:
    """The file's first `size` bytes as text; "" for what is no readable regular file (its
    reader then says why, a FIFO is never opened)."""
    try:
        with open_input(path, ReaderError, "a model file", "a model file", cap=sys.maxsize) as fh:
            return fh.read(size).decode("utf-8", errors="replace")
    except (CnncalcError, OSError):
        return ""


def _reader(fmt: str):
    if fmt == "torch":
        from .torch_source import read_torch
        return read_torch
    if fmt == "keras-source":
        from .keras_source import read_keras_source
        return read_keras_source
    if fmt in ("keras-file", "keras-json"):
        from .keras_json import read_keras_file
        return read_keras_file
    from .onnx_reader import read_onnx
    return read_onnx


def _read(path: str, input, class_name) -> Written:
    path = os.fspath(path)
    fmt = model_format(path)
    if fmt is None:
        raise ReaderError("is not a model file cnncalc reads (.py, .keras, .onnx, or a Keras .json); "
                          "give a YAML spec or one of those", path=path)
    given = tuple(input) if input is not None else None
    if given is not None and not (1 <= len(given) <= 4 and all(isinstance(v, int) and v >= 1 for v in given)):
        raise ReaderError(f"--input must be 1 to 4 sizes >= 1, channels last (e.g. 32x32x3), not {given}",
                          path=path)
    nodes, hint, name, what, *notes = _reader(fmt)(path, class_name, given)  # notes: ONNX's exporter changes
    shape = merge_input(hint, given, path)
    at = (hint.line, hint.col) if hint.line else None
    return write(nodes, shape, name=name, source=path, what=what, input_at=at, notes=tuple(notes[0]) if notes else ())


def merge_input(hint: InputHint, given: tuple | None, path: str) -> tuple[int, ...]:
    """The input shape: --input where given (sizes the file leaves open filled in order, or the
    whole shape replaced), else the file's; an error that asks for --input when neither knows."""
    known = hint.shape
    if given is None:
        if known is not None and all(v is not None for v in known):
            return tuple(known)
        why = f" ({hint.what})" if hint.what else ""
        raise ReaderError(f"the input size is not in the file{why}; give it with --input, e.g. "
                          f"--input {hint.example} (channels last: HxWxC, LxC for 1-D)",
                          path=path, line=hint.line, col=hint.col)
    if known is None or len(given) == len(known):
        return given
    missing = [i for i, v in enumerate(known) if v is None]
    if len(given) == len(missing):
        out = list(known)
        for i, v in zip(missing, given):
            out[i] = v
        return tuple(out)
    shown = "x".join("?" if v is None else str(v) for v in known)
    raise ReaderError(f"--input has {len(given)} sizes but the model's input is {shown} ({len(known)} sizes, "
                      f"channels last); give all {len(known)}" + (f" or the {len(missing)} marked ?" if missing else ""),
                      path=path, line=hint.line, col=hint.col)


def read_model(path: str, *, input=None, class_name: str | None = None) -> str:
    """The cnncalc YAML spec equivalent to the model file, checked by parsing it."""
    written = _read(path, input, class_name)
    _parse(written, os.fspath(path))
    return written.text


def load_model(path: str, *, input=None, class_name: str | None = None):
    """The model file as a cnncalc Spec whose layers point at the source file's lines."""
    path = os.fspath(path)
    return _parse(_read(path, input, class_name), path)


def load_model_text(path: str, *, input=None, class_name: str | None = None):
    """(Spec, the YAML text read_model writes), the file read once."""
    path = os.fspath(path)
    written = _read(path, input, class_name)
    return _parse(written, path), written.text


def _parse(written: Written, path: str):
    from ..spec import parse_spec
    try:
        spec = parse_spec(written.text, path)
    except SpecError as e:
        raise _relocate(e, written, path) from None
    layers = []
    for layer, node in zip(spec.layers, written.nodes):
        where = (node.line, node.col)
        marks = {arg: node.marks.get(arg, where) for arg in layer.marks}
        layers.append(dataclasses.replace(layer, line=node.line, col=node.col, marks=marks))
    return dataclasses.replace(spec, layers=tuple(layers), path=path, input_mark=written.input_at, notes=written.notes)


def _relocate(e: SpecError, written: Written, path: str) -> SpecError:
    """A spec error at a line of the generated YAML, moved to the source line it came from."""
    line, col = e.line, e.col
    e.path = path
    if line in written.layer_lines:
        node = written.nodes[written.layer_lines[line]]
        arg = None
        for start, key in written.arg_cols.get(line, ()):
            if col is not None and start <= col:
                arg = key
        e.line, e.col = node.marks.get(arg, (node.line, node.col)) if arg else (node.line, node.col)
    elif line == written.input_line and written.input_at:
        e.line, e.col = written.input_at
    else:
        e.line = e.col = None
    return e
