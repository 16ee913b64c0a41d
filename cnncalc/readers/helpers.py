"""cnncalc's own export helpers, read back (the round trip `cnncalc export` -> `cnncalc import`).

Where a framework has no layer for a kind, the export writes a small class of its own
(LayerScale, ChannelSlice, LayerNormChannels, ...), declared by the kind in `HELPERS`. A class
in a model file whose code is exactly one of these (the same syntax tree; layout and comments
aside) is read as the kind that wrote it, with the arguments of its constructor call, by the
kind's `from_helper`. Any other class of the same name is the user's own code, read as such.
Nothing here runs: the helper's source is parsed for its constructor's parameter names.
"""
from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

# the constructors of the torch classes a helper may subclass without an __init__ of its own
BASE_SIGNATURES = {  # (parameter names, how many are required)
    "nn.Linear": (("in_features", "out_features", "bias", "device", "dtype"), 2),
    "nn.LayerNorm": (("normalized_shape", "eps", "elementwise_affine", "bias", "device", "dtype"), 1),
}


@lru_cache(maxsize=None)
def table(framework: str) -> dict[str, tuple[str, type, ast.ClassDef]]:
    """Helper class name -> (ast.dump of its class, the kind class, the class's tree)."""
    from ..kinds import classes
    out = {}
    for cls in classes():
        for fw, name, source in cls.HELPERS:
            if fw == framework:
                tree = ast.parse(source).body[0]
                out[name] = (ast.dump(tree), cls, tree)
    return out


def match(framework: str, node: ast.ClassDef):
    """The kind class whose helper `node` is, or None (not cnncalc's code)."""
    got = table(framework).get(node.name)
    return got[1] if got is not None and ast.dump(node) == got[0] else None


def _parameters(tree: ast.ClassDef) -> tuple[list[str], list, str | None, list[str], str | None]:
    """(positional names, their defaults, *name, keyword-only names, **name) of the constructor."""
    init = next((f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
    if init is None:
        names, required = BASE_SIGNATURES.get(ast.unparse(tree.bases[0]) if tree.bases else "", ((), 0))
        return list(names), [None] * (len(names) - required), None, [], None
    a = init.args
    names = [p.arg for p in (*a.posonlyargs, *a.args)][1:]  # without self
    return (names, a.defaults, a.vararg.arg if a.vararg else None, [p.arg for p in a.kwonlyargs],
            a.kwarg.arg if a.kwarg else None)


def read(framework: str, node: ast.ClassDef, args: list, kwargs: dict[str, Any]):
    """(kind, spec arguments) of a call of cnncalc's helper `node`; None when `node` is not
    one; a ValueError saying what does not fit the constructor."""
    cls = match(framework, node)
    if cls is None:
        return None
    names, defaults, star, kwonly, starstar = _parameters(table(framework)[node.name][2])
    if framework == "keras":  # every Keras layer takes its name (and dtype, trainable)
        kwargs = {k: v for k, v in kwargs.items() if k not in ("name", "dtype", "trainable")}
    bound: dict[str, Any] = dict(zip(names, args))
    if len(args) > len(names):
        if star is None:
            raise ValueError(f"{node.name} takes {len(names)} positional arguments, got {len(args)}")
        bound[star] = tuple(args[len(names):])
    for k, v in kwargs.items():
        if k in bound or (k not in names and k not in kwonly and starstar is None):
            raise ValueError(f"{node.name} got an unexpected or repeated argument `{k}`")
        bound[k] = v
    missing = [n for n in names[:len(names) - len(defaults)] if n not in bound]
    if missing:
        raise ValueError(f"{node.name} needs `{missing[0]}`")
    if not all(_plain(v) for v in bound.values()):
        raise ValueError(f"{node.name}'s arguments must be numbers or words written in the file")
    kind, spec_args = cls.from_helper(framework, node.name, bound)
    if kind not in cls.NAMES:
        raise ValueError(f"{node.name} names {kind!r}, which is not one of {', '.join(cls.NAMES)}")
    return kind, spec_args


def _plain(value) -> bool:
    """A value the file writes out: a number, a word, True/False/None, or a list of those."""
    if isinstance(value, (list, tuple)):
        return len(value) < 64 and all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


def has_weights(framework: str, name: str) -> bool:
    """Whether the helper's kind learns or keeps weights (torch counts them): a second call
    would share them, and one never called would still be counted."""
    from ..kinds.base import no_params
    return table(framework)[name][1].params is not no_params
