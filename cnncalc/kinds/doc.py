"""docs/kinds.md, generated from the registry: every kind, its names, its arguments with their
Keras and PyTorch spellings, and its docstring's Shape and Params lines.

    python -m cnncalc.kinds.doc > docs/kinds.md

tests/test_docs.py fails when docs/kinds.md is stale, and parses a spec with every spelling
listed here to show that the spec reader accepts it.
"""
from __future__ import annotations

import dataclasses
import re

from . import ARG_ALIASES, classes, normal
from .base import FACETS

HEADER = """# Layer kinds

Generated from the registry (`cnncalc/kinds/`) by `python -m cnncalc.kinds.doc > docs/kinds.md`;
do not edit by hand. Shapes are channels last without the batch axis: (H, W, C), (L, C),
(D, H, W, C), or (n,) when flat.

Arguments: **Keras** and **PyTorch** give the frameworks' keyword for the argument (Keras 3's
layer, PyTorch's `nn` class), and a spec accepts it as well as the name cnncalc uses; *also
accepted* lists further spellings. Spellings match without case, `_` or `-`. The *main*
argument is the one a scalar body sets: `- maxpool2d: 2`. A kind's Python class, and every
facet it declares, is in its module; docs/adding-a-kind.md shows how one is written.

*Read from* lists the framework names `cnncalc import` reads as the kind (its KERAS, TORCH and
ONNX declarations; `F.x` also stands for `torch.x` and the tensor method `x.x()`). A layer whose
arguments the kind cannot express (a DepthwiseConv1D, a Clip to other bounds than relu6's) is
refused with the reason, never read as something else.
"""


def spellings(cls) -> dict[str, dict[str, list[str]]]:
    """Per argument: its Keras and PyTorch spellings and the other keys the spec reader maps to
    it (ARG_ALIASES entries whose first candidate the kind takes, as spec.py resolves them)."""
    args = cls.spec_args()
    out = {}
    for name, f in args.items():
        frameworks = {normal(f.metadata.get(k) or name) for k in ("keras", "torch")} | {normal(name)}
        also = [alias for alias, names in ARG_ALIASES.items()
                if next((n for n in names if n in args), None) == name
                and alias not in frameworks and alias not in map(normal, args)]
        out[name] = {"keras": [f.metadata["keras"]] if f.metadata.get("keras") else [],
                     "torch": [f.metadata["torch"]] if f.metadata.get("torch") else [], "also": also}
    return out


def framework_names(cls) -> str:
    """The Keras classes, torch.nn classes and functions, and ONNX ops the readers read as the
    kind (its own KERAS, TORCH, ONNX declarations), as one line; empty when it declares none."""
    parts = []
    for framework, label, spell in (("KERAS", "Keras", "{}"), ("TORCH", "PyTorch", "nn.{}"), ("ONNX", "ONNX", "{}")):
        names = [(f"F.{n}" if group.startswith("F.") else spell.format(n))
                 for group, (declared, _) in vars(cls).get(framework, {}).items() for n in declared]
        names = [n.replace(":", "(mode=") + ")" if ":" in n else n for n in names]  # "pad:reflect": F.pad in mode reflect
        if names:
            parts.append(f"{label} {_code(names)}")
    return "Read from: " + "; ".join(parts) if parts else ""


def _default(f) -> str:
    if f.default is dataclasses.MISSING:
        return "required"
    return "-" if f.default is None else f"`{f.default!r}`".replace("'", "")


def doc_parts(cls) -> tuple[str, str, str]:
    """(description, Shape line, Params line) of a kind's docstring, whitespace collapsed."""
    text = " ".join((cls.__doc__ or "").split())
    m = re.match(r"(?P<desc>.*?)\s*(?P<shape>\bShape\b.*?)?\s*(?P<params>\bParams:.*)?$", text)
    return m.group("desc"), m.group("shape") or "", m.group("params") or ""


def _code(words: list[str]) -> str:
    return ", ".join(f"`{w}`" for w in words)


def kind_section(cls) -> list[str]:
    desc, shape, params = doc_parts(cls)
    lines = [f"## {cls.__name__}", "", f"Kinds: {_code(list(cls.NAMES))}", ""]
    if cls.ALIASES:
        lines += ["Also spelled: " + ", ".join(f"`{a}` ({n})" for a, n in sorted(cls.ALIASES.items())), ""]
    if framework_names(cls):
        lines += [framework_names(cls), ""]
    if desc:
        lines += [desc, ""]
    lines += [f"- {line}" for line in (shape, params) if line] + [""]
    fields = cls.spec_args()
    if fields:
        spelled = spellings(cls)
        lines += ["| argument | type | default | Keras | PyTorch | also accepted |", "|---|---|---|---|---|---|"]
        for name, f in fields.items():
            s = spelled[name]
            main = " (main)" if f.metadata.get("main") else ""
            lines.append(f"| `{name}`{main} | {f.metadata.get('type', '')} | {_default(f)} | {_code(s['keras'])} "
                         f"| {_code(s['torch'])} | {_code(s['also'])} |")
        lines.append("")
    lines += ["Facets: " + ", ".join(FACETS) + f" (module `{cls.__module__}`).", ""]
    return lines


def render_kinds_md() -> str:
    lines = HEADER.splitlines() + [""]
    for cls in classes():
        lines += kind_section(cls)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys
    from . import index_py
    sys.stdout.write(index_py() if sys.argv[1:] == ["--index"] else render_kinds_md())
