"""Export a spec to PyTorch or Keras 3 source code, generated from the inferred Summary.

Each spec layer becomes one or more framework ops, given by its kind's `to_torch` / `to_keras`
facet (cnncalc/kinds): the *main* op carries the layer's name (and its weights); helper ops
before it (explicit padding) or after it (an activation, a crop) get the name plus a suffix
(`conv1_pad`, `conv1_act`). `Export.outputs` maps every spec layer to the op whose output is the
layer's output; the tests hook those ops. Naming rules: cnncalc/export/common.py.

What a framework cannot express exactly is an ExportError naming the layer, never code that
computes something else.
"""
from __future__ import annotations

import re

from ..errors import CnncalcError
from ..infer import LayerResult, Summary
from ..kinds.base import MissingFacet, fmt_shape
from .common import (FRAMEWORKS, RESERVED, TORCH_HELPERS, Export, ExportError, Names, Part,  # noqa: F401
                     class_name, identifier, keras_name, nonnegative, prose, refuse, statement,
                     str_literal, tuple_text)


# -- the graph and the code --------------------------------------------------------------------
class _Context:
    """What the kinds' export facets share while one model is written: the helper classes the
    code needs (by name from common.TORCH_HELPERS, or defined by a kind with `define`)."""

    def __init__(self, producers):
        self.helpers: set[str] = set()
        self.defined: dict[str, str] = {}
        self.producers = producers

    def define(self, name: str, source: str) -> None:
        """A helper class a kind brings itself (the source of `class <name>(nn.Module): ...`)."""
        self.helpers.add(name)
        self.defined[name] = source

    def nonneg(self, r: LayerResult) -> bool:
        return nonnegative(r, self.producers)


def _graph(summary: Summary) -> list[tuple[LayerResult, tuple[str | None, ...]]]:
    """Each layer with the names of the layers it reads (None: the model input), from the
    positions infer resolved (LayerResult.inputs)."""
    names = [r.layer.name for r in summary.layers]
    return [(r, tuple(None if j < 0 else names[j] for j in r.inputs)) for r in summary.layers]


def _is_chain(graph) -> bool:
    previous = None
    for r, refs in graph:
        if refs != (previous,):
            return False
        previous = r.layer.name
    return True


def _plan(summary: Summary, to: str):
    if to not in FRAMEWORKS:
        raise ExportError(f"unknown framework `{to}`; use one of {', '.join(FRAMEWORKS)}")
    graph = _graph(summary)
    producers = {}
    results = {r.layer.name: r for r, _ in graph}
    for r, refs in graph:
        producers[r.layer.name] = results[refs[0]] if refs and refs[0] is not None else None
    ctx = _Context(producers)
    planned = []
    label = {"pytorch": "PyTorch", "keras": "Keras"}[to]
    for r, refs in graph:
        L = r.layer
        try:
            try:
                parts = (L.to_torch if to == "pytorch" else L.to_keras)(r, ctx)
            except MissingFacet:
                refuse(f"the {label} export has no translation for the kind `{L.kind}` yet")
        except CnncalcError as e:
            raise e.located(layer=L.label, line=L.line, col=L.col, path=summary.spec.path) from None
        planned.append((r, refs, parts))
    return planned, ctx, _is_chain(graph)


def _name_ops(planned, base_of) -> tuple[dict[str, list[tuple[str, Part]]], dict[str, str]]:
    """Op names: each layer's main op gets base_of(layer name); helpers get `<base>_<role>`."""
    bases = {}
    names = Names(())
    for r, _, _ in planned:
        bases[r.layer.name] = names.take(base_of(r.layer.name))
    named = {}
    for r, _, parts in planned:
        base = bases[r.layer.name]
        named[r.layer.name] = [(base if p.role == "main" else names.take(f"{base}_{p.role}"), p)
                               for p in parts]
    return named, bases


def _input(summary: Summary, to: str) -> tuple[tuple[int, ...], bool]:
    """The framework's input shape with a batch of 1, and whether it holds token ids."""
    inp = summary.spec.input
    ids = any(r.layer.kind == "embedding" and refs == (None,) for r, refs in _graph(summary))
    if to == "pytorch":
        return ((1, *inp) if len(inp) == 1 else (1, inp[-1], *inp[:-1])), ids
    return (1, *inp), ids


def _counts(summary: Summary) -> tuple[int, int]:
    """(every parameter as Keras counts it, batchnorm's moving statistics)."""
    t = summary.totals
    return t.params, sum(r.non_trainable_params for r in summary.layers if r.layer.kind == "batchnorm")


def _source_name(summary: Summary) -> str:
    return prose(summary.spec.path.replace("\\", "/").rsplit("/", 1)[-1])


def _renames(names: dict[str, str]) -> list[str]:
    """Docstring lines: the renaming rule with an example, and each rename it does not explain."""
    simple = {k: re.sub(r"[^0-9A-Za-z_]", "_", k) for k in names}
    lines = []
    example = next((k for k, v in names.items() if k != v and simple[k] == v), None)
    if example:
        lines.append("Characters other than letters, digits and _ in layer names become _ "
                     f"({prose(example)} -> {names[example]}).")
    others = [f"{prose(k)} -> {v}" for k, v in names.items() if simple[k] != v]
    if others:
        line = "Also renamed (keywords, module attributes, clashes):"
        for p in others:
            if len(line) + len(p) + 2 > 92:
                lines.append(line)
                line = "   "
            line += f" {p},"
        lines.append(line.rstrip(","))
    return lines


def export(summary: Summary, to: str) -> Export:
    """Generate `to` ("pytorch" or "keras") source for the summary's spec."""
    planned, ctx, chain = _plan(summary, to)
    if to == "pytorch":
        return _torch_code(summary, planned, ctx, chain)
    return _keras_code(summary, planned, ctx, chain)


def export_code(summary: Summary, to: str) -> str:
    return export(summary, to).code


def _torch_code(summary: Summary, planned, ctx, chain) -> Export:
    spec = summary.spec
    cls = class_name(spec.name)
    named, bases = _name_ops(planned, identifier)
    shape, ids = _input(summary, "pytorch")
    total, bn_stats = _counts(summary)
    out_shape = summary.output_shape
    torch_out = (1, *out_shape) if len(out_shape) == 1 else (1, out_shape[-1], *out_shape[:-1])
    n_in = "(N, " + ", ".join(map(str, shape[1:])) + ")"
    n_out = "(N, " + ", ".join(map(str, torch_out[1:])) + ")"
    doc = [f'"""{prose(spec.name)} as a PyTorch nn.Module.', "",
           f"Generated by `cnncalc export {_source_name(summary)} --to pytorch`.",
           f"Input: {fmt_shape(spec.input)} in the spec (channels last); this model takes {n_in}"
           + (" token ids (int64)." if ids else "."),
           f"Output: {fmt_shape(out_shape)} in the spec; here {n_out}.",
           f"Parameters: {total:,} as `cnncalc summary` counts them (Keras' count)."]
    if bn_stats:
        doc.append(f"PyTorch's parameters() shows {total - bn_stats:,}: batchnorm's {bn_stats:,} "
                   "running means and variances are buffers.")
    doc += ["", "Run this file to build the model and print its output shape on zeros; import it",
            f"for the class: `from <this module> import {cls}; model = {cls}()`.",
            "Each spec layer is the attribute of its name; helpers (padding, activation) add a",
            "suffix (`_pad`, `_act`, ...)."]
    doc += _renames(bases)
    doc.append('"""')
    lines = doc + ["", "import torch", "from torch import nn", "", ""]
    for h, source in {**TORCH_HELPERS, **ctx.defined}.items():
        if h in ctx.helpers:
            lines += source.split("\n") + ["", ""]
    lines += [f"class {cls}(nn.Module):",
              f'    """{prose(spec.name)}: input {n_in}, output {n_out}."""', "",
              "    def __init__(self):", "        super().__init__()"]
    for r, _, _ in planned:
        for name, part in named[r.layer.name]:
            lines += statement("        ", f"self.{name} = ", part.code, part.comment)
    lines += ["", "    def forward(self, x):"]
    for r, refs, _ in planned:
        ops = named[r.layer.name]
        if chain:
            for name, _ in ops:
                lines.append(f"        x = self.{name}(x)")
            continue
        var = bases[r.layer.name]
        args = ", ".join("x" if ref is None else bases[ref] for ref in refs)
        for i, (name, _) in enumerate(ops):
            lines += statement("        ", f"{var} = ", f"self.{name}({args if i == 0 else var})")
    last = "x" if chain else bases[planned[-1][0].layer.name]
    lines.append(f"        return {last}")
    dtype = ", dtype=torch.long" if ids else ""
    lines += ["", "", 'if __name__ == "__main__":',
              f"    model = {cls}().eval()",
              f"    x = torch.zeros({tuple_text(shape)}{dtype})",
              "    with torch.no_grad():",
              "        y = model(x)",
              '    print("output shape:", tuple(y.shape))',
              '    print("parameters:", sum(p.numel() for p in model.parameters()))']
    return _result(lines, cls, planned, named)


def _keras_code(summary: Summary, planned, ctx, chain) -> Export:
    spec = summary.spec
    cls = class_name(spec.name)
    named, _ = _name_ops(planned, keras_name)
    taken = {n for ops in named.values() for n, _ in ops}
    input_name = Names(taken).take("input")
    variables = Names(RESERVED | {"input_"})
    var = {r.layer.name: variables.take(identifier(r.layer.name)) for r, _, _ in planned}
    shape, ids = _input(summary, "keras")
    shape = tuple_text(shape[1:])
    total, bn_stats = _counts(summary)
    doc = [f'"""{prose(spec.name)} as a Keras 3 functional model.', "",
           f"Generated by `cnncalc export {_source_name(summary)} --to keras`.",
           f"Input: {fmt_shape(spec.input)} (channels last){', token ids (int32)' if ids else ''}; "
           f"output: {fmt_shape(summary.output_shape)}.",
           f"Parameters: {total:,} (model.count_params(), as `cnncalc summary` counts them)."]
    if bn_stats:
        doc += [f"Of those, {bn_stats:,} are batchnorm's moving means and variances (non-trainable).",
                "Batchnorm momentum is Keras' (1 - PyTorch's momentum in the spec)."]
    doc += ["", "Run this file (any Keras 3 backend, e.g. KERAS_BACKEND=torch) to build the model and",
            "print its summary; import it for `build_model()`, which returns the keras.Model.",
            "Each spec layer is the Keras layer of its name; helpers (padding, activation) add a",
            "suffix (`_pad`, `_act`, ...).", '"""', "",
            "import keras", "from keras import layers", "", "",
            "def build_model():",
            f'    """{prose(spec.name)}: input {fmt_shape(spec.input)}, {total:,} parameters."""']
    dtype = ', dtype="int32"' if ids else ""
    lines = doc + [f'    inputs = keras.Input(shape={shape}{dtype}, name="{input_name}")']
    for r, refs, _ in planned:
        ops = named[r.layer.name]
        if chain:
            src = "inputs" if refs == (None,) else "x"
            for name, part in ops:
                lines += statement("    ", "x = ", _keras_named(part.code, name), part.comment, f"({src})")
                src = "x"
            continue
        v = var[r.layer.name]
        srcs = ["inputs" if ref is None else var[ref] for ref in refs]
        src = srcs[0] if len(srcs) == 1 else "[" + ", ".join(srcs) + "]"
        for name, part in ops:
            lines += statement("    ", f"{v} = ", _keras_named(part.code, name), part.comment, f"({src})")
            src = v
    last = "x" if chain else var[planned[-1][0].layer.name]
    lines += [f'    return keras.Model(inputs, {last}, name="{cls}")', "", "",
              'if __name__ == "__main__":', "    model = build_model()", "    model.summary()",
              '    print("parameters:", model.count_params())']
    return _result(lines, cls, planned, named)


def _result(lines: list[str], cls: str, planned, named) -> Export:
    layers_ = [r.layer.name for r, _, _ in planned]
    return Export("\n".join(lines) + "\n", cls,
                  outputs={n: named[n][-1][0] for n in layers_},
                  ops={n: tuple(op for op, _ in named[n]) for n in layers_},
                  main={n: next(op for op, p in named[n] if p.role == "main") for n in layers_})


def _keras_named(code: str, name: str) -> str:
    """Add name="..." as the constructor's last keyword."""
    quoted = str_literal(name)
    if code.endswith("()"):
        return f"{code[:-1]}name={quoted})"
    return f"{code[:-1]}, name={quoted})"
