"""docs/kinds.md, generated from the registry: every kind, its names, spellings and arguments.

    python -m cnncalc.kinds.doc > docs/kinds.md

tests/test_docs.py fails when docs/kinds.md is stale.
"""
from __future__ import annotations

import dataclasses

from . import ARG_ALIASES, classes, normal
from .base import FACETS


def _spellings(argname: str, meta) -> list[str]:
    """Other spellings the spec reader accepts for an argument (normalised keys of ARG_ALIASES)."""
    out = [meta.get(k) for k in ("keras", "torch") if meta.get(k)]
    out += [alias for alias, names in ARG_ALIASES.items() if argname in names and alias != normal(argname)]
    return list(dict.fromkeys(out))


def _default(f) -> str:
    if f.default is dataclasses.MISSING:
        return "required"
    return "-" if f.default is None else f"`{f.default!r}`".replace("'", "")


def _doc_lines(cls) -> list[str]:
    return [line.strip() for line in (cls.__doc__ or "").strip().splitlines()]


def kind_section(cls) -> list[str]:
    doc = _doc_lines(cls)
    names = ", ".join(f"`{n}`" for n in cls.NAMES)
    lines = [f"## {cls.__name__}", "", f"Kinds: {names}", ""]
    if cls.ALIASES:
        lines += ["Also spelled: " + ", ".join(f"`{a}` ({n})" for a, n in sorted(cls.ALIASES.items())), ""]
    lines += [" ".join(doc), ""]
    fields = cls.spec_args()
    if fields:
        lines += ["| argument | type | default | main | other spellings |", "|---|---|---|---|---|"]
        for name, f in fields.items():
            meta = f.metadata
            spell = ", ".join(f"`{s}`" for s in _spellings(name, meta)) or ""
            lines.append(f"| `{name}` | {meta.get('type', '')} | {_default(f)} | {'yes' if meta.get('main') else ''} | {spell} |")
        lines.append("")
    lines += ["Facets: " + ", ".join(FACETS) + f" (module `{cls.__module__}`).", ""]
    return lines


def render_kinds_md() -> str:
    lines = ["# Layer kinds", "",
             "Generated from the registry (`cnncalc/kinds/`) by `python -m cnncalc.kinds.doc > docs/kinds.md`;",
             "do not edit by hand. Shapes are channels last without the batch axis: (H, W, C), (L, C),",
             "(D, H, W, C), or (n,) when flat. Argument spellings are matched without case, `_` or `-`.", ""]
    for cls in classes():
        lines += kind_section(cls)
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(render_kinds_md())
