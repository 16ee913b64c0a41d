"""Matching the rows of a table to the layers of the spec."""
from __future__ import annotations

import re


from ..infer import Summary
from ..kinds import BatchNorm, Conv, ConvTranspose, Dense, DepthwiseConv, GlobalPool, Pool, normal
from ..kinds import GroupNorm, LayerNorm, SeparableConv
from ..render import folded
from .read import INPUT_WORDS, TOTAL_WORDS, AnswerTable, clean


# -- matching rows to layers -----------------------------------------------------------------
FAMILIES = {
    "conv": (Conv, DepthwiseConv, ConvTranspose), "convolution": (Conv, DepthwiseConv, ConvTranspose),
    "c": (Conv,), "dwconv": (DepthwiseConv,), "deconv": (ConvTranspose,),
    "pool": (Pool, GlobalPool), "maxpool": (Pool, GlobalPool), "avgpool": (Pool, GlobalPool),
    "mp": (Pool,), "s": (Pool,), "subsampling": (Pool,), "p": (Pool,),
    "fc": (Dense,), "dense": (Dense,), "f": (Dense,), "linear": (Dense,), "fullyconnected": (Dense,),
    "bn": (BatchNorm,), "batchnorm": (BatchNorm,),
}
FAMILIES["conv"] += (SeparableConv,)  # more-kinds: separable convs count as convolutions
FAMILIES["convolution"] += (SeparableConv,)
FAMILIES.update(sepconv=(SeparableConv,), separableconv=(SeparableConv,), ln=(LayerNorm,),
                layernorm=(LayerNorm,), gn=(GroupNorm,), groupnorm=(GroupNorm,))


def label_key(label: str) -> str:
    """`CONV1 (f=5, s=1)` -> 'conv1'; `Input:` -> 'input'; `**FC3**` -> 'fc3'."""
    t = clean(label)
    while re.search(r"\([^()]*\)|\[[^\[\]]*\]", t):  # innermost first: (f=3, p=same(1))
        t = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", "", t)
    return normal(re.sub(r"[\s:.#]", "", t))


def _numbering(summary: Summary, scheme: str) -> dict[tuple[str, int], int]:
    """(family word, number) -> position, for one way of numbering layers in a course table.

    'kind': the n-th layer of its family (CONV1, CONV2, POOL1, FC1); 'course': Andrew Ng's
    layer number, which counts conv and dense layers and gives a pool the number of the conv
    before it (CONV1, POOL1, CONV2, POOL2, FC3, FC4); 'position': the row number (LeNet's C1,
    S2, C3, S4, F6; one-letter labels only)."""
    table: dict[tuple[str, int], int] = {}
    counts: dict[str, int] = {}
    weighted, row = 0, 0
    for pos, r in enumerate(summary.layers, start=1):
        if folded(r.layer):
            continue
        row += 1
        if isinstance(r.layer, (Conv, DepthwiseConv, ConvTranspose, Dense)):
            weighted += 1
        for word, classes in FAMILIES.items():
            if isinstance(r.layer, classes):
                counts[word] = counts.get(word, 0) + 1
                n = {"kind": counts[word], "course": weighted, "position": row}[scheme]
                table.setdefault((word, n), pos)
    return table


def match_rows(table: AnswerTable, summary: Summary) -> list[tuple[int | None, str]]:
    """For each row: (position, '') with position 0 for the input and i for summary.layers[i-1],
    or (None, why it matches no layer). Names and ids first, then 'input', an index, a
    course label (the numbering that explains most rows wins), a kind named once."""
    layers = summary.layers
    names: dict[str, int] = {}
    for pos, r in enumerate(layers, start=1):
        names.setdefault(label_key(r.layer.name), pos)  # `features.0`, `block1_conv1`: as labels are read
        if r.layer.id:
            names.setdefault(label_key(r.layer.id), pos)
    course = [pos for pos, r in enumerate(layers, start=1) if not folded(r.layer)]
    positional = _by_position(table, course)
    if not table.has_labels:
        return positional or [(None, f"the table has no layer column, and its {len(table.rows)} rows "
                                     f"are not the {len(course) + 1} rows of the course table "
                                     f"(Input and {len(course)} layers)")] * len(table.rows)

    keys = [label_key(r.label) for r in table.rows]
    found: list[int | None] = [None] * len(keys)
    why = [""] * len(keys)
    for i, key in enumerate(keys):
        if key in names:
            found[i] = names[key]
        elif key in INPUT_WORDS:
            found[i] = 0
        elif re.fullmatch(r"(layer|l)?\d+", key):
            pos = int(re.sub(r"\D", "", key))
            if pos <= len(layers):
                found[i] = pos
            else:
                why[i] = f"there is no layer {pos}: the spec has {len(layers)} layers"
    labelled = {i: m for i, k in enumerate(keys) if found[i] is None and not why[i]
                and (m := re.fullmatch(r"([a-z]+?)(\d+)", k)) and m.group(1) in FAMILIES}
    best: dict[int, int] = {}
    for scheme in ("course", "kind", "position"):
        numbering = _numbering(summary, scheme)
        got = {i: numbering[(m.group(1), int(m.group(2)))] for i, m in labelled.items()
               if (m.group(1), int(m.group(2))) in numbering and (scheme != "position" or len(m.group(1)) == 1)}
        taken = set(p for p in found if p is not None)
        if len(set(got.values())) == len(got) and not taken & set(got.values()) and len(got) > len(best):
            best = got
    for i, pos in best.items():
        found[i] = pos
    for i, key in enumerate(keys):
        if found[i] is not None or why[i]:
            continue
        if key in TOTAL_WORDS:
            why[i] = "total"
            continue
        if not key:
            why[i] = "the row has no layer label"
            continue
        kind = _kind_of(key)
        if kind is not None:
            cands = [pos for pos, r in enumerate(layers, start=1)
                     if isinstance(r.layer, kind) or (key == "softmax" and getattr(r.layer, "activation", None) == "softmax")
                     if pos not in found]
            if len(cands) == 1:
                found[i] = cands[0]
                continue
            if len(cands) > 1:
                why[i] = (f"`{table.rows[i].label}` could be any of {len(cands)} layers "
                          f"({', '.join(layers[p - 1].layer.name for p in cands[:4])}); number it or use the name")
                continue
        if key in ("output", "out", "prediction", "predictions", "logits") and course and course[-1] not in found:
            found[i] = course[-1]
            continue
        if i in labelled:
            why[i] = f"`{table.rows[i].label}` names no layer: the spec has " + _families_text(summary)
        else:
            why[i] = (f"`{table.rows[i].label}` names no layer; use a layer name "
                      f"({', '.join(r.layer.name for r in layers[:3])}{', ...' if len(layers) > 3 else ''}), "
                      "an index, Input or a course label like CONV1")
    if positional and all(p is None or (i == 0 and p == positional[0][0]) for i, p in enumerate(found)) \
            and not any(k in TOTAL_WORDS for k in keys):
        return positional  # no label names a layer, but the rows are the course table's, in order
    seen: dict[int, int] = {}
    for i, pos in enumerate(found):
        if pos is None:
            continue
        if pos in seen:
            why[i] = f"a second row for {_name(summary, pos)} (the first is `{table.rows[seen[pos]].label}`)"
            found[i] = None
        else:
            seen[pos] = i
    return [(p, w) for p, w in zip(found, why)]


def _by_position(table: AnswerTable, course: list[int]) -> list[tuple[int | None, str]] | None:
    """Rows taken in order as the course table's: with or without the Input row."""
    for want in ([0] + course, course):
        if len(table.rows) == len(want):
            return [(p, "by position") for p in want]
    return None


def _kind_of(key: str):
    from ..kinds import KIND_ALIASES, KINDS
    if key in FAMILIES:
        return FAMILIES[key]
    if key in KIND_ALIASES:
        return KINDS[KIND_ALIASES[key]]
    return None


def _families_text(summary: Summary) -> str:
    counts: dict[str, int] = {}
    for r in summary.layers:
        if not folded(r.layer):
            counts[r.layer.kind] = counts.get(r.layer.kind, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def _name(summary: Summary, pos: int) -> str:
    return "input" if pos == 0 else summary.layers[pos - 1].layer.name
