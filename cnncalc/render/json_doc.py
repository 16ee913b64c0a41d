"""Summaries as JSON: the stable document of `summary --format json` (shapes channels last, memory
in bytes), written a piece per layer so a 100,000-layer document is never one string, byte for
byte what json.dumps(indent=2) writes. Formats only: the numbers come from infer and metrics."""
from __future__ import annotations

import json
from typing import Any

from ..infer import LayerResult, Summary
from ..metrics import given


def _hyper_json(r: LayerResult) -> dict[str, Any]:
    def plain(v):
        return [plain(x) for x in v] if isinstance(v, tuple) else v
    return {k: plain(v) for k, v in r.hyper.items()}


def _metrics_json(m) -> dict[str, Any]:
    """One layer's metrics for JSON: counts, the receptive field per axis, memory in bytes."""
    rf = m.rf
    if rf is not None:
        rf = {"size": [x.size for x in rf], "jump": [x.jump for x in rf], "start": [x.start for x in rf],
              "center": [x.center for x in rf], "padding": [x.padding for x in rf]}
    return {"macs": m.macs, "flops": m.flops, "receptive_field": rf,
            "param_bytes": m.memory.params, "activation_bytes": m.memory.activations,
            "gradient_bytes": m.memory.gradients, "optimizer_bytes": m.memory.optimizer,
            "training_bytes": m.memory.training}


def _metric_totals_json(ms) -> dict[str, Any]:
    t, mem = ms.totals, ms.totals.memory
    return {"macs": t.macs, "flops": t.flops, "activation_bytes": mem.activations,
            "gradient_bytes": mem.gradients, "optimizer_bytes": mem.optimizer,
            "training_bytes": mem.training, "input_bytes": t.input_bytes}


def to_dict(summary: Summary, metrics=None) -> dict[str, Any]:
    """The stable JSON document: shapes channels last, memory in bytes."""
    return _document(summary, given(metrics), layers=True)


def _layer_json(r: LayerResult, m, lists: bool = True) -> dict[str, Any]:
    """One layer's entry; `lists` False leaves its tuples as they are, for _encode, which writes
    a tuple as the list it would be (to_json's stream saves the copies)."""
    return {
        "index": r.layer.index, "name": r.layer.name, "kind": r.layer.kind,
        "input_shape": list(r.input_shape) if lists else r.input_shape,
        "output_shape": list(r.output_shape) if lists else r.output_shape,
        "hyper": _hyper_json(r) if lists else r.hyper, "activation_size": r.activation_size, "params": r.params,
        "trainable_params": r.trainable_params, "non_trainable_params": r.non_trainable_params,
        "inputs": list(r.sources) if lists else r.sources, **_metrics_json(m),
    }


def _document(summary: Summary, ms, layers: bool) -> dict[str, Any]:
    """The document; its "layers" None when they are written one by one (iter_json)."""
    t = summary.totals
    notes = summary.notes()
    return {
        "name": summary.spec.name,
        "input": list(summary.spec.input),
        "dtype": t.dtype,
        "layers": [_layer_json(r, m) for r, m in zip(summary.layers, ms.layers)] if layers else None,
        "totals": {
            "params": t.params, "trainable_params": t.trainable_params,
            "non_trainable_params": t.non_trainable_params, "input_size": t.input_size,
            "activation_size": t.activation_size, "param_bytes": t.param_bytes,
            "activation_bytes": t.activation_bytes, "output_shape": list(summary.output_shape),
            **_metric_totals_json(ms),
        },
        "metrics": {"batch": ms.batch, "optimizer": ms.optimizer, "flops_convention": ms.flops_convention,
                    "dtype": ms.dtype, "bytes_per_value": ms.bytes_per_value, "memory_unit": "bytes"},
        **({"notes": notes} if notes else {}),
    }


def to_json(summary: Summary, metrics=None) -> str:
    return "".join(iter_json(summary, metrics))


def _encode(obj: Any, level: int, out: list) -> None:
    """Append json.dumps(obj, indent=2)'s text for obj nested `level` deep, byte for byte (the
    standard encoder with an indent runs in pure Python and is 3x slower)."""
    if isinstance(obj, str):
        out.append(_json_str(obj))
    elif type(obj) is int:
        out.append(int.__repr__(obj))
    elif isinstance(obj, (dict, list, tuple)):
        _container(obj, level, out)
    else:  # None, bools, floats, and what JSON cannot hold (json raises as before)
        out.append(json.dumps(obj))


def _container(obj, level: int, out: list) -> None:
    """A dict, list or tuple. The values most documents hold (ints, strings, lists of ints) are
    written here without a call each: a 10,000-layer document has 300,000 of them."""
    if not obj:
        out.append("{}" if isinstance(obj, dict) else "[]")
        return
    inner = "\n" + "  " * (level + 1)
    close = inner[:-2]
    if isinstance(obj, dict):
        items, keys = obj.items(), _KEYS.setdefault(inner, {})
        opening = "{"
    else:
        if {*map(type, obj)} == _INT:  # shapes and per-axis values: one piece
            out.append("[" + inner + ("," + inner).join(map(int.__repr__, obj)) + close + "]")
            return
        items, keys = ((None, v) for v in obj), None
        opening = "["
    for k, v in items:
        if keys is None:
            out.append(opening + inner)
        else:
            prefix = keys.get(k)
            if prefix is None:
                prefix = inner + (_json_str(k) if isinstance(k, str) else json.dumps({k: 0})[1:-4]) + ": "
                if type(k) is str:
                    keys[k] = prefix
            out.append(opening + prefix)
        opening = ","
        t = type(v)
        if t is int:
            out.append(int.__repr__(v))
        elif t is str:
            out.append(_json_str(v))
        elif (t is list or t is tuple) and v and {*map(type, v)} == _INT:
            pad = inner + "  "
            out.append("[" + pad + ("," + pad).join(map(int.__repr__, v)) + inner + "]")
        else:
            _encode(v, level + 1, out)
    out.append(close + ("}" if keys is not None else "]"))


_INT = {int}
_KEYS: dict[str, dict[str, str]] = {}  # each indent's "\n    \"key\": " prefixes, keys being the document's own
_json_str = json.encoder.encode_basestring_ascii


PIECE_LAYERS = 100  # about 70 KB of text


def iter_json(summary: Summary, metrics=None):
    """to_json's text in pieces of PIECE_LAYERS layers, so a 100,000-layer document is never one
    string (and a write per layer does not cost more than the writing)."""
    ms = given(metrics)
    doc = _document(summary, ms, layers=False)
    out: list = []
    for key, value in doc.items():
        out.append(("{" if not out else ",") + "\n  " + _json_str(key) + ": ")
        if key != "layers":
            _encode(value, 1, out)
            continue
        if not summary.layers:
            out.append("[]")
            continue
        for i, (r, m) in enumerate(zip(summary.layers, ms.layers)):
            out.append(("[" if i == 0 else ",") + "\n    ")
            _encode(_layer_json(r, m, lists=False), 2, out)
            if i % PIECE_LAYERS == PIECE_LAYERS - 1:
                yield "".join(out)
                out = [""]
        out.append("\n  ]")
    yield "".join(out) + "\n}\n"


def explained_json(summary: Summary, working: list[list[str]], metrics) -> str:
    """summary --explain --format json: the JSON document with each layer's working."""
    doc = to_dict(summary, metrics)
    for row, lines in zip(doc["layers"], working):
        row["explain"] = lines
    return json.dumps(doc, indent=2) + "\n"
