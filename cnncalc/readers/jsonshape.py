"""One validation of a Keras model config's JSON before it is read: every object, list, string
and number where the reader expects one, and every number finite and of at most MAX_INT_DIGITS
digits. A refusal names the file, the layer, the field and what belongs there, so no list
reaches `float()` and no string reaches `.get()`.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from .common import ReaderError

MAX_INT_DIGITS = 19   # a model config's integers (sizes, seeds) fit in 64 bits


class BigInt(str):
    """An integer literal of more than MAX_INT_DIGITS digits, kept as text so that it can be
    refused at its field instead of failing inside json (or building a 5,000-digit int)."""


class Numbers:
    """json's parse_int and parse_float: a literal too long to be a size is kept as BigInt,
    and `bad` says whether any number needs refusing (so the walk that finds its field runs
    only then)."""

    def __init__(self):
        self.bad = False

    def int(self, text: str):
        if len(text) > MAX_INT_DIGITS + 1:
            self.bad = True
            return BigInt(text)
        return int(text)

    def float(self, text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            self.bad = True
        return value


NUMBER, INT, BOOL, STR, LIST, DICT, NULL = "a number", "an integer", "true or false", "a string", "a list", \
    "an object", "null"
# what each field of a layer's config may hold (fields not named here are checked for numbers only)
FIELDS: dict[str, tuple[str, ...]] = {
    **{k: (NUMBER,) for k in ("momentum", "epsilon", "rate", "alpha", "negative_slope", "threshold", "offset")},
    "max_value": (NUMBER, NULL),
    **{k: (INT, LIST, NULL) for k in ("kernel_size", "strides", "dilation_rate", "pool_size", "size",
                                      "output_padding", "axis", "cropping", "target_shape", "dims",
                                      "shared_axes")},
    **{k: (INT, NULL) for k in ("filters", "units", "groups", "depth_multiplier", "input_dim", "output_dim")},
    **{k: (BOOL, NULL) for k in ("use_bias", "center", "keepdims", "invert")},
    **{k: (STR, NULL) for k in ("data_format", "interpolation", "name")},
    "padding": (STR, INT, LIST), "activation": (STR, DICT, NULL), "scale": (BOOL, NUMBER, LIST),
    "mean": (NUMBER, LIST, NULL), "variance": (NUMBER, LIST, NULL),
    "batch_shape": (LIST, NULL), "batch_input_shape": (LIST, NULL),
}
# what each field of a model or layer entry may hold
ENTRY: dict[str, tuple[str, ...]] = {"class_name": (STR,), "config": (DICT, NULL), "name": (STR, NULL),
                                     "registered_name": (STR, NULL), "module": (STR, NULL),
                                     "inbound_nodes": (LIST,), "build_config": (DICT, NULL)}
MODEL: dict[str, tuple[str, ...]] = {"layers": (LIST,), "name": (STR, NULL), "input_layers": (LIST, NULL),
                                     "output_layers": (LIST, NULL), "build_input_shape": (LIST, NULL)}


def _is(value, kind: str) -> bool:
    if kind == NUMBER:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == INT:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, {BOOL: bool, STR: str, LIST: list, DICT: dict, NULL: type(None)}[kind])


def _shown(value) -> str:
    if isinstance(value, BigInt):
        return f"an integer of {len(value.lstrip('-')):,} digits (at most {MAX_INT_DIGITS})"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


class Shape:
    """The walk; `at(name)` is where a layer's name is written, for the error's line."""

    def __init__(self, path: str, at: Callable[[Any], tuple], numbers: bool):
        self.path, self.at, self.check_numbers = path, at, numbers

    def refuse(self, layer, field: str, what: str) -> ReaderError:
        line, col = self.at(layer) if isinstance(layer, str) else (None, None)
        where = f"layer `{layer}`: " if isinstance(layer, str) else ""
        return ReaderError(f"{where}`{field}` {what}", path=self.path, line=line, col=col)

    def fields(self, obj: dict, table: dict, layer, prefix: str = "") -> None:
        for key, kinds in table.items():
            if key in obj and not any(_is(obj[key], k) for k in kinds):
                raise self.refuse(layer, prefix + key, f"must be {' or '.join(kinds)}, not {_shown(obj[key])}")

    def numbers(self, value, layer, field: str, depth: int = 0) -> None:
        """Every number under `value` finite and short; nesting is bounded by load_json."""
        if isinstance(value, BigInt):
            raise self.refuse(layer, field, f"is {_shown(value)}; no model config's number is that long")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.refuse(layer, field, f"is {value}, not a finite number")
        if isinstance(value, dict):
            for k, v in value.items():
                self.numbers(v, layer, f"{field}.{k}", depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                self.numbers(v, layer, f"{field}[{i}]", depth + 1)

    def model(self, obj, layer=None) -> None:
        if not isinstance(obj, dict):
            raise ReaderError(f"is no Keras model config: {_shown(obj)} where the model's object belongs",
                              path=self.path)
        self.fields(obj, ENTRY, layer)
        cfg = obj.get("config") or {}
        self.fields(cfg, MODEL, layer, "config.")
        for i, item in enumerate(cfg.get("layers") or []):
            if not isinstance(item, dict):
                raise self.refuse(layer, f"config.layers[{i}]", f"must be an object, not {_shown(item)}")
            self.entry(item, f"config.layers[{i}].")

    def entry(self, item: dict, where: str) -> None:
        """One layer entry; `where` names it in the JSON when it has no name of its own."""
        lc = item.get("config")
        name = item.get("name") if isinstance(item.get("name"), str) else \
            lc.get("name") if isinstance(lc, dict) and isinstance(lc.get("name"), str) else None
        prefix = "" if name is not None else where
        if isinstance(lc, dict) and isinstance(lc.get("layers"), list):
            self.model(item, name)
            return
        self.fields(item, ENTRY, name, prefix)
        if isinstance(lc, dict):
            self.fields(lc, FIELDS, name, prefix + "config.")
        for key in ("config", "build_config", "inbound_nodes") if self.check_numbers else ():
            self.numbers(item.get(key), name, prefix + key)


def check(data, path: str, at: Callable[[Any], tuple], numbers: Numbers) -> None:
    """Refuse a config whose JSON types or numbers the reader cannot take (one line)."""
    Shape(path, at, numbers.bad).model(data)
    if numbers.bad:  # a number outside a layer entry
        raise ReaderError(f"holds a number that is not finite or has more than {MAX_INT_DIGITS} digits; "
                          "no model config does", path=path)
