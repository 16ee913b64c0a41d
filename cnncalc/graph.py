"""The layer graph of a spec: which layer feeds which.

A layer reads the previous layer's output unless it names its `inputs` (earlier layers' names
or ids, or `input` for the network input). `resolve` turns every reference into the source
layer's name and refuses, with one line naming both ends: an unknown reference, a reference to
a layer below (a forward reference, or a cycle when that layer depends on this one), and an
unused branch (a layer whose output no later layer reads, other than the last layer).
"""
from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from .errors import SpecError

if TYPE_CHECKING:
    from .kinds.base import Layer

INPUT = "input"


def _where(layer: Layer, arg: str | None = None) -> dict:
    line, col = layer.marks.get(arg, (layer.line, layer.col)) if arg else (layer.line, layer.col)
    return {"line": line, "col": col, "layer": layer.label}


def _short(layer: Layer) -> str:
    return f"layer {layer.index} ({layer.name})"


def sources(layers: tuple[Layer, ...]) -> tuple[tuple[str, ...], ...]:
    """Per layer, the names of the layers it reads (`input` for the network input)."""
    by_ref = {INPUT: INPUT}
    out = []
    previous = INPUT
    for layer in layers:
        refs = layer.inputs if layer.inputs is not None else (previous,)
        out.append(tuple(by_ref.get(r, r) for r in refs))
        by_ref[layer.name] = layer.name
        if layer.id is not None:
            by_ref[layer.id] = layer.name
        previous = layer.name
    return tuple(out)


def branches(layers: tuple[Layer, ...]) -> bool:
    """True when some layer reads anything but the layer just above it: the net is no chain."""
    previous = INPUT
    for layer, srcs in zip(layers, sources(layers)):
        if srcs != (previous,):
            return True
        previous = layer.name
    return False


def resolve(layers: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """The layers, unchanged, once every `inputs` reference is known to name a layer above.

    Raises SpecError (one line, both ends named) for unknown references, forward references,
    cycles, duplicate ids and unused branches. References stay as written (a name or an id);
    `sources` gives the source layers' names.
    """
    if not any(layer.inputs is not None or layer.id is not None for layer in layers):
        return layers  # a plain chain: nothing to resolve
    position: dict[str, int] = {INPUT: -1}  # any reference -> index into layers (-1: the input)
    for i, layer in enumerate(layers):
        position.setdefault(layer.name, i)
    for i, layer in enumerate(layers):
        if layer.id is None or layer.id == layer.name:
            continue
        if layer.id in position and position[layer.id] != i:
            j = position[layer.id]
            other = "the network input" if j < 0 else _short(layers[j])
            raise SpecError(f"id `{layer.id}` is already the name or id of {other}; "
                            "give each layer its own id", **_where(layer, "id"))
        position[layer.id] = i

    graph = [_refs(layers, i, position) for i in range(len(layers))]
    used = [False] * len(layers)
    for i, layer in enumerate(layers):
        for ref, j in graph[i]:
            if j is None:
                raise SpecError(_unknown(layer, ref, layers[:i]), **_where(layer, "inputs"))
            if j >= i:
                raise SpecError(_forward(layers, i, ref, j, graph), **_where(layer, "inputs"))
            if j >= 0:
                used[j] = True
    for i, layer in enumerate(layers[:-1]):
        if not used[i]:
            raise SpecError(_unused(layers, i), **_where(layer))
    return layers


def _refs(layers, i, position) -> list[tuple[str, int | None]]:
    layer = layers[i]
    if layer.inputs is None:
        return [(layers[i - 1].name if i else INPUT, i - 1)]
    return [(ref, position.get(ref)) for ref in layer.inputs]


def _unknown(layer: Layer, ref: str, earlier: tuple[Layer, ...]) -> str:
    known = [INPUT] + [x.name for x in earlier] + [x.id for x in earlier if x.id]
    close = difflib.get_close_matches(ref, known, n=1, cutoff=0.6)
    above = [f"`{x}`" for x in [INPUT] + [x.name for x in earlier]]
    shown = ", ".join(above if len(above) <= 4 else ["...", *above[-3:]])
    hint = f"; did you mean `{close[0]}`?" if close else (
        f"; the layers above it are {shown}" if earlier else "; only `input` (the network input) is above it")
    if ref == "in":
        hint = "; `in` is a block's input and means something only inside `blocks:`"
    return f"inputs names `{ref}`, which is no layer's name or id{hint}"


def _forward(layers, i: int, ref: str, j: int, graph) -> str:
    layer, target = layers[i], layers[j]
    if j == i:
        return (f"inputs names `{ref}`, this layer itself: a layer cannot read its own output "
                "(a cycle); name a layer above it")
    path = _path(graph, j, i)
    if path is not None:
        names = " reads ".join(f"`{layers[k].name}`" for k in [i, *path])
        return (f"inputs names `{ref}`, {_short(target)} below it, which depends on this layer: "
                f"a cycle ({names}); a layer can only read layers above it")
    return (f"inputs names `{ref}`, {_short(target)} below it: a layer can only read layers "
            f"above it; move `{layer.name}` below `{target.name}`")


def _path(graph, start: int, goal: int) -> list[int] | None:
    """Layers from `start` back through its inputs to `goal`, or None: start, ..., goal."""
    stack, parent = [start], {start: None}
    while stack:
        k = stack.pop()
        if k == goal:
            path = []
            while k is not None:
                path.append(k)
                k = parent[k]
            return path[::-1]
        for _, j in graph[k]:
            if j is not None and j >= 0 and j not in parent:
                parent[j] = k
                stack.append(j)
    return None


def _unused(layers, i: int) -> str:
    layer, after = layers[i], layers[i + 1]
    reads = ", ".join(f"`{r}`" for r in (after.inputs or ()))
    return (f"nothing reads the output of `{layer.name}`: the next layer, {_short(after)}, reads "
            f"{reads} instead, and only the last layer may be left unread; feed `{layer.name}` "
            "into a later layer's `inputs` (an `add` or `concat`) or remove it")
