"""The export plan: each layer's framework ops (from its kind's `to_torch` / `to_keras` facet),
in the order of `Summary.fold`, with the op names and what both code writers share."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import CnncalcError
from ..infer import LayerResult, Summary
from ..kinds.base import MissingFacet
from .common import FRAMEWORKS, Export, ExportError, Names, Part, nonnegative, prose, refuse

LABELS = {"pytorch": "PyTorch", "keras": "Keras"}


class Context:
    """What the kinds' export facets share while one model is written: the helper classes the
    code needs (by name from common.TORCH_HELPERS, or defined by a kind with `define`), and the
    layer each layer reads (its first input, from infer's positions)."""

    def __init__(self, layers: tuple[LayerResult, ...]):
        self.helpers: set[str] = set()
        self.defined: dict[str, str] = {}
        self.layers = layers

    def define(self, name: str, source: str) -> None:
        """A helper class the code needs (the source of `class <name>(nn.Module): ...`)."""
        self.helpers.add(name)
        self.defined[name] = source

    def helper(self, layer, framework: str) -> str:
        """The helper class `layer`'s kind declares for `framework` (its HELPERS, which the
        readers read back), defined for the code; its name."""
        name, source = next((n, src) for fw, n, src in type(layer).HELPERS if fw == framework)
        self.define(name, source)
        return name

    def source(self, r: LayerResult) -> LayerResult | None:
        """The layer `r` reads first; None for the network input."""
        j = r.inputs[0] if r.inputs else -1
        return None if j < 0 else self.layers[j]

    def nonneg(self, r: LayerResult) -> bool:
        return nonnegative(r, self.source)


@dataclass(frozen=True)
class Plan:
    """Each layer's ops, by position in summary.layers."""
    summary: Summary
    parts: tuple[tuple[Part, ...], ...]
    ctx: Context
    chain: bool  # every layer reads the one before it (the first reads the input)

    def name_ops(self, base_of) -> tuple[dict[str, list[tuple[str, Part]]], dict[str, str]]:
        """Op names by layer name: each layer's main op gets base_of(layer name); helpers get
        `<base>_<role>`. Every main name is taken before any helper is named."""
        names = Names(())
        layers_ = [r.layer.name for r in self.summary.layers]
        bases = {n: names.take(base_of(n)) for n in layers_}
        named = {n: [(bases[n] if p.role == "main" else names.take(f"{bases[n]}_{p.role}"), p) for p in parts]
                 for n, parts in zip(layers_, self.parts)}
        return named, bases

    def input(self, to: str) -> tuple[tuple[int, ...], bool]:
        """The framework's input shape with a batch of 1, and whether it holds token ids."""
        inp = self.summary.spec.input
        ids = any(r.layer.INDEX_INPUT and r.inputs == (-1,) for r in self.summary.layers)
        if to == "pytorch":
            return ((1, *inp) if len(inp) == 1 else (1, inp[-1], *inp[:-1])), ids
        return (1, *inp), ids

    def counts(self) -> tuple[int, int]:
        """(every parameter as Keras counts it, the moving statistics of batchnorm and normalization, buffers in torch)."""
        s = self.summary
        return s.totals.params, sum(r.non_trainable_params for r in s.layers if r.layer.STATS_BUFFERS)

    def source_name(self) -> str:
        return prose(self.summary.spec.path.replace("\\", "/").rsplit("/", 1)[-1])

    def frozen_note(self, how: str) -> list[str]:
        """The docstring's line on frozen layers (`trainable: false` in the spec), if any."""
        frozen = [r for r in self.summary.layers if not r.layer.trainable]
        if not frozen:
            return []
        return [f"Frozen ({how}): {len(frozen):,} layers, {sum(r.params for r in frozen):,} parameters; "
                f"trainable: {self.summary.totals.trainable_params:,}."]

    def result(self, lines: list[str], cls: str, named) -> Export:
        return Export("\n".join(lines) + "\n", cls,
                      outputs={n: ops[-1][0] for n, ops in named.items()},
                      ops={n: tuple(op for op, _ in ops) for n, ops in named.items()},
                      main={n: next(op for op, p in ops if p.role == "main") for n, ops in named.items()})


def make_plan(summary: Summary, to: str) -> Plan:
    """Ask every layer's kind for its ops; a refusal comes back located at the layer."""
    if to not in FRAMEWORKS:
        raise ExportError(f"unknown framework `{to}`; use one of {', '.join(FRAMEWORKS)}")
    ctx = Context(summary.layers)

    def step(r: LayerResult, _ins) -> tuple[Part, ...]:
        L = r.layer
        try:
            try:
                return tuple((L.to_torch if to == "pytorch" else L.to_keras)(r, ctx))
            except MissingFacet:
                refuse(f"the {LABELS[to]} export has no translation for the kind `{L.kind}` yet")
        except CnncalcError as e:
            raise e.located(layer=L.label, line=L.line, col=L.col, path=summary.spec.path) from None

    parts = tuple(summary.fold(None, step))
    chain = all(r.inputs == (i - 1,) for i, r in enumerate(summary.layers))
    return Plan(summary, parts, ctx, chain)


def renames(names: dict[str, str]) -> list[str]:
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
