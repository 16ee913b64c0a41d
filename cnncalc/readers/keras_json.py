"""`.keras` files (a zip holding `config.json`) and `model.to_json()` dumps, read with `zipfile`
and `json` only: the weights (`model.weights.h5`) are never opened and nothing is unpickled.

Sequential, Functional (Keras 3's `__keras_tensor__` inbound nodes and Keras 2's lists) and
models nested in them are read with Keras's layer names; a nested model's layers are named
`<model>/<layer>`. A layer holding weights that is called more than once (shared weights), a
layer with several outputs, a Lambda or a custom layer is refused.
"""
from __future__ import annotations

import json
import re

from ..errors import decode, max_input_bytes, read_text
from .common import INPUT, MAX_DEPTH, Graph, InputHint, ReaderError, check_used, unsupported
from . import jsonshape
from .keras_layers import Refused, convert, has_params
from .modelfiles import open_archive, read_member

MODELS = ("Sequential", "Functional", "Model")
MAX_ITEMS = 5_000_000   # JSON values (a real 100,000-layer model has about 1.2 million)
_NAME = re.compile(r'"name"\s*:\s*("(?:[^"\\]|\\.)*")')


def read_config(path: str) -> tuple[str, str]:
    """config.json of a .keras file, and the Keras version its metadata.json names ("" if none)."""
    cap = max_input_bytes()
    with open_archive(path) as zf:
        names = {i.filename: i for i in zf.infolist()}
        if "config.json" not in names:
            raise ReaderError("holds no config.json, so it is no Keras 3 .keras file (an .h5 or SavedModel? "
                              "save it with model.save('m.keras') or give model.to_json())", path=path)
        data = read_member(zf, names["config.json"], cap, path)
        meta = names.get("metadata.json")
        meta = read_member(zf, meta, 1 << 16, path) if meta is not None and meta.file_size <= 1 << 16 else b"{}"
    try:
        meta = json.loads(meta.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError) as e:
        raise ReaderError(f"its metadata.json is not a JSON object: {str(e)[:80] or 'it nests too deeply'}; "
                          "save the model with model.save('m.keras')", path=path) from None
    version = str(meta.get("keras_version", ""))[:20] if isinstance(meta, dict) else ""
    return decode(data, path, ReaderError), re.sub(r"[^0-9A-Za-z.+-]", "", version)


def load_json(text: str, path: str, numbers: jsonshape.Numbers | None = None):
    def constant(name):
        raise ValueError(f"{name} is not a number a model config holds")
    numbers = numbers or jsonshape.Numbers()
    try:
        data = json.loads(text, parse_constant=constant, parse_int=numbers.int, parse_float=numbers.float)
    except json.JSONDecodeError as e:
        raise ReaderError(f"is not valid JSON: {e.msg}", path=path, line=e.lineno, col=e.colno) from None
    except (ValueError, RecursionError) as e:
        raise ReaderError(f"cannot be read as a model config: {e if isinstance(e, ValueError) else 'it nests too deeply'}",
                          path=path) from None
    count, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_ITEMS or depth > 4 * MAX_DEPTH:
            raise ReaderError(f"the JSON holds more than {MAX_ITEMS:,} values or nests deeper than "
                              f"{4 * MAX_DEPTH} levels; no model config does", path=path)
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return data


class JsonReader:
    def __init__(self, path: str, text: str, lines: bool):
        self.path, self.text, self.lines = path, text, lines
        self.graph = Graph(path)
        self.input_shape: tuple | None = None
        self.input_at = None
        self.names: dict[str, tuple[int, int]] | None = None
        self.frozen = 0  # depth of frozen (trainable: false) models around the layer read

    def at(self, name) -> tuple:
        """Where the layer's name is first written in the JSON (a .keras file's JSON is not
        shown): every `"name": "..."` is found in one pass over the text, on first use."""
        if not self.lines or not isinstance(name, str):
            return (None, None)
        if self.names is None:
            self.names = {}
            line, start = 1, 0
            for m in _NAME.finditer(self.text):
                line += self.text.count("\n", start, m.start())
                start = m.start()
                col = start - (self.text.rfind("\n", 0, start) + 1) + 1
                self.names.setdefault(m.group(1), (line, col))
        return self.names.get(json.dumps(name), (None, None))

    def fail(self, name, what) -> ReaderError:
        line, col = self.at(name)
        label = f"layer `{name}`: " if isinstance(name, str) else ""
        return unsupported(f"{label}{what}", self.path, line, col)

    # -- models -------------------------------------------------------------------------------
    def model(self, obj, x: str, prefix: str, depth: int = 0) -> str:
        if depth > MAX_DEPTH:
            raise ReaderError(f"models nest deeper than {MAX_DEPTH} levels", path=self.path)
        if not isinstance(obj, dict) or not isinstance(obj.get("config"), dict):
            raise ReaderError("is no Keras model config: no `class_name` and `config`", path=self.path)
        cls, cfg = obj.get("class_name"), obj["config"]
        if cfg.get("trainable") is False:   # a frozen model freezes every layer in it
            self.frozen += 1
            try:
                return self.model({**obj, "config": {**cfg, "trainable": True}}, x, prefix, depth)
            finally:
                self.frozen -= 1
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            raise self.fail(cfg.get("name"), f"a {cls} without a list of layers")
        if cls == "Sequential":
            return self.sequential(cfg, layers, x, prefix, depth)
        if cls in ("Functional", "Model"):
            return self.functional(cfg, layers, x, prefix, depth)
        raise self.fail(cfg.get("name"), f"the model class {cls!r} (cnncalc reads Sequential and Functional)")

    def note_input(self, shape, name, top: bool) -> None:
        if top and shape is not None and self.input_shape is None:
            if not isinstance(shape, list) or not all(v is None or isinstance(v, int) for v in shape):
                raise self.fail(name, f"an input shape {shape!r} that is not a list of sizes")
            self.input_shape = tuple(shape[1:])
            self.input_at = self.at(name)

    def sequential(self, cfg, layers, x, prefix, depth) -> str:
        top = x == INPUT and not prefix
        for item in layers:
            if not isinstance(item, dict):
                raise self.fail(cfg.get("name"), "a layer entry that is not a mapping")
            cls, lc = item.get("class_name"), item.get("config") or {}
            if cls == "InputLayer":
                self.note_input(lc.get("batch_shape") or lc.get("batch_input_shape"), lc.get("name"), top)
                continue
            if top and self.input_shape is None and lc.get("batch_input_shape"):
                self.note_input(lc["batch_input_shape"], lc.get("name"), top)
            if top and self.input_shape is None and cfg.get("build_input_shape"):
                self.note_input(cfg["build_input_shape"], cfg.get("name"), top)
            x = self.layer(item, [x], prefix, depth)
        return x

    def functional(self, cfg, layers, x, prefix, depth) -> str:
        top = x == INPUT and not prefix
        refs: dict[tuple[str, int], str] = {}
        calls: dict[str, int] = {}
        inputs = [item for item in layers if isinstance(item, dict) and item.get("class_name") == "InputLayer"]
        if len(inputs) != 1:
            raise self.fail(cfg.get("name"), f"a model with {len(inputs)} inputs (a spec has one)")
        for item in layers:
            if not isinstance(item, dict):
                raise self.fail(cfg.get("name"), "a layer entry that is not a mapping")
            name = item.get("name") or (item.get("config") or {}).get("name")
            if not isinstance(name, str):
                raise self.fail(None, "a layer without a name")
            if item.get("class_name") == "InputLayer":
                lc = item.get("config") or {}
                self.note_input(lc.get("batch_shape") or lc.get("batch_input_shape"), name, top)
                refs[(name, 0)] = x
                continue
            nodes = item.get("inbound_nodes") or []
            if len(nodes) > 1 and (item.get("class_name") in MODELS or has_params(item.get("class_name"), item.get("config") or {})):
                raise self.fail(name, f"a layer called {len(nodes)} times: its weights are shared, and cnncalc "
                                      "counts each layer's own")
            for k, node in enumerate(nodes):
                sources = self.inbound(node, name)
                try:
                    ins = [refs[(src, idx)] for src, idx in sources]
                except KeyError as e:
                    raise self.fail(name, f"an input from {e.args[0]}, which is not above it") from None
                calls[name] = calls.get(name, 0) + 1
                refs[(name, k)] = self.layer(item, ins, prefix, depth, suffix="" if k == 0 else f"_call{k + 1}")
        out = self.endpoints(cfg.get("output_layers"), cfg.get("name"))
        if out not in refs:
            raise self.fail(cfg.get("name"), f"an output layer {out[0]!r} that is not in the model")
        return refs[out]

    def endpoints(self, value, name) -> tuple[str, int]:
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list):
            value = value[0]
        if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) and _index(value[1]):
            if value[2] != 0:
                raise self.fail(name, "an output that is not a layer's first output")
            return value[0], value[1]
        raise self.fail(name, f"outputs {str(value)[:60]} (cnncalc reads models with one output)")

    def inbound(self, node, name) -> list[tuple[str, int]]:
        """(layer, node index) of each tensor a call reads: Keras 3 dicts or Keras 2 lists."""
        out: list[tuple[str, int]] = []
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            def walk(v, depth=0):
                if depth > 16:
                    return
                if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
                    hist = v["config"].get("keras_history") if isinstance(v.get("config"), dict) else None
                    if not (isinstance(hist, list) and len(hist) == 3 and isinstance(hist[0], str)
                            and _index(hist[1])):
                        raise self.fail(name, "a tensor without its keras_history")
                    if hist[2] != 0:
                        raise self.fail(name, "an input that is another layer's second output")
                    out.append((hist[0], hist[1]))
                elif isinstance(v, dict):
                    for x in v.values():
                        walk(x, depth + 1)
                elif isinstance(v, list):
                    for x in v:
                        walk(x, depth + 1)
            walk(node.get("kwargs", {}))
            if out:
                raise self.fail(name, "a call with a tensor passed by keyword")
            walk(node.get("args", []))
        elif isinstance(node, list):  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
            for t in node:
                if not (isinstance(t, list) and len(t) >= 3 and isinstance(t[0], str) and _index(t[1])):
                    raise self.fail(name, f"an inbound node {str(t)[:40]} that is not [layer, node, tensor]")
                if t[2] != 0:
                    raise self.fail(name, "an input that is another layer's second output")
                out.append((t[0], t[1]))
        if not out:
            raise self.fail(name, "a call without input tensors")
        return out

    def constant_op(self, item, cls, name, constant, ins, prefix, suffix) -> str:
        """A Keras op with a number operand, kept as x * scale + offset (rescaling): `x + 3.0`,
        `x * (1 / 6)`, `x - 3.0`; any other is refused, never read without its number."""
        position, c = constant
        module = str(item.get("module") or "")
        forms = {"Add": {"scale": 1, "offset": c}, "Multiply": {"scale": c, "offset": 0}}
        if position == 1:
            forms["Subtract"] = {"scale": 1, "offset": -c}
        if not module.startswith("keras.src.ops") or cls not in forms or len(ins) != 1:
            raise self.fail(name, f"the operation {cls} with the number {c} as an operand "
                                  "(cnncalc reads x + c, c + x, x * c, c * x and x - c)")
        note = f"{cls}(x, {c})" if position else f"{cls}({c}, x)"
        return self.graph.add("rescaling", forms[cls], ins, f"{prefix}{name}{suffix}", self.at(name), note=note)

    def layer(self, item, ins, prefix, depth, suffix="") -> str:
        cls, lc = item.get("class_name"), item.get("config") or {}
        name = item.get("name") or lc.get("name")
        if cls in MODELS:
            if len(ins) != 1:
                raise self.fail(name, "a nested model called on several tensors")
            return self.model(item, ins[0], f"{prefix}{name}{suffix}/", depth + 1)
        if not isinstance(cls, str):
            raise self.fail(name, "a layer without a class_name")
        constant = _constant_operand(item)
        if constant is not None:
            return self.constant_op(item, cls, name, constant, ins, prefix, suffix)
        build = (item.get("build_config") or {}).get("input_shape")
        rank = len(build) if isinstance(build, list) and build and not isinstance(build[0], list) else None
        try:
            kind, args, note = convert(cls, {k: v for k, v in lc.items() if k != "batch_input_shape"}, rank)
        except Refused as e:
            what = e.what
            if cls in ("Lambda", "TFOpLambda") or item.get("registered_name") not in (None, cls, "Functional"):
                what = f"the layer {cls} (its code is not in the config)"
            raise self.fail(name, what) from None
        if (self.frozen or lc.get("trainable") is False) and has_params(cls, lc):
            args = {**args, "trainable": False}
        return self.graph.add(kind, args, ins, f"{prefix}{name}{suffix}", self.at(name), note=note)


def _constant_operand(item) -> tuple[int, float] | None:
    """(position, number) of the one number among a call's arguments (`x + 3.0` saved as the op
    Add with args [tensor, 3.0]), None when the call reads tensors only."""
    numbers = []
    for node in item.get("inbound_nodes") or []:
        args = node.get("args") if isinstance(node, dict) else None
        for i, v in enumerate(args or []):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                numbers.append((i, v))
    return numbers[0] if numbers else None


def _index(value) -> bool:
    """A node index of an inbound tensor or output: a plain integer."""
    return isinstance(value, int) and not isinstance(value, bool)


def read_keras_file(path: str, class_name: str | None = None, input_given=None):
    """(nodes, input hint, model name, description) of a .keras file or a to_json() dump."""
    if str(path).lower().endswith(".keras"):
        text, version = read_config(path)
        lines = False
        what = "Keras model file" + (f", saved by Keras {version}" if version else "")
    else:
        text = read_text(path, ReaderError, "a Keras JSON file", "the path of a model.to_json() dump")
        lines, what = True, "Keras model JSON"
    numbers = jsonshape.Numbers()
    data = load_json(text, path, numbers)
    if class_name is not None:
        raise ReaderError("--class picks a class of a Python file; a Keras file holds one model", path=path)
    reader = JsonReader(path, text, lines)
    jsonshape.check(data, path, reader.at, numbers)
    out = reader.model(data, INPUT, "")
    if out == INPUT:
        raise ReaderError("the model has no layers", path=path)
    nodes = reader.graph.select(out)
    check_used(reader.graph, nodes, path)
    name = (data.get("config") or {}).get("name") or "model"
    shape = reader.input_shape
    line, col = reader.input_at or (None, None)
    example = "x".join(str(v or 224) for v in shape) if shape else "224x224x3"
    hint = InputHint(shape, "the saved model leaves input sizes open (None)" if shape else
                     "the saved model does not record its input", example, line, col)
    return nodes, hint, str(name), f"{what}, {data.get('class_name')} model {name}"
