"""Matching the rows of a table to the layers of the spec."""
from __future__ import annotations

import re
from functools import cache
from typing import Callable


from ..infer import Summary
from ..kinds import KIND_ALIASES, KINDS, Layer, classes, normal
from .read import INPUT_WORDS, TOTAL_WORDS, AnswerTable, clean


# -- matching rows to layers -----------------------------------------------------------------
@cache
def families() -> frozenset[str]:
    """Every course-table word that names a family of kinds (conv, pool, fc, bn, ...): the
    kinds' LABELS."""
    return frozenset(word for cls in classes() for word in cls.LABELS)


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
        if not r.layer.COURSE_ROW:
            continue
        row += 1
        if r.layer.NUMBERED:
            weighted += 1
        for word in r.layer.LABELS:
            counts[word] = counts.get(word, 0) + 1
            n = {"kind": counts[word], "course": weighted, "position": row}[scheme]
            table.setdefault((word, n), pos)
    return table


PART = "part"   # `why` of a row that is a piece of a layer (torch's ReLU after a conv): not graded
METHODS = ("name", "keras", "torch", "label", "order")


def _snake(cls: str) -> str:
    """Keras' own naming (keras.src.utils.naming.to_snake_case): MaxPooling2D -> max_pooling2d."""
    name = re.sub(r"\W+", "", cls)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _ops(summary: Summary, to: str) -> list[tuple[str, int, str]]:
    """Every framework op in order: (class name, position of its spec layer, role)."""
    from ..errors import CnncalcError
    from ..export.plan import make_plan
    try:
        plan = make_plan(summary, to)
    except CnncalcError:
        return []
    out = []
    for pos, parts in enumerate(plan.parts, start=1):
        for part in parts:
            m = re.match(r"\s*(?:layers|nn)\.(\w+)\(", part.code)
            if m:
                out.append((m.group(1), pos, part.role))
    return out


def keras_names(summary: Summary) -> dict[str, list[tuple[int, str]]]:
    """Keras default name base -> [(position, role)] in order: the first is `conv2d`, the
    next `conv2d_1`, as Keras numbers each kind in a fresh session."""
    names: dict[str, list[tuple[int, str]]] = {}
    for cls, pos, role in _ops(summary, "keras"):
        names.setdefault(_snake(cls), []).append((pos, role))
    return names


def _raw(label: str) -> str:
    t = clean(label).strip().lower()
    while re.search(r"\([^()]*\)", t):
        t = re.sub(r"\([^()]*\)", "", t)
    return t.strip().strip(":").strip()


def _match_keras(raws: list[str], found: list, method: list, summary: Summary) -> None:
    bases = keras_names(summary)
    if not bases:
        return
    rows: dict[str, list[tuple[int, int]]] = {}
    for i, raw in enumerate(raws):
        m = re.fullmatch(r"([a-z][a-z0-9_]*?)(?:_(\d+))?", raw)
        if (found[i] is None or method[i] == "name") and m and m.group(1) in bases:
            rows.setdefault(m.group(1), []).append((int(m.group(2) or 0), i))
    for base, got in rows.items():
        ops = bases[base]
        if len({n for n, _ in got}) < len(got):
            continue  # `Conv2d`, `Conv2d`: kind labels (torchinfo), not Keras names
        offset = any(n >= len(ops) for n, _ in got)  # a second model in the session: conv2d_4, ...
        every = {n for n, _ in got} == set(range(len(ops)))  # Keras's numbering of every such layer
        if not (offset or every) and any(method[i] == "name" for _, i in got):
            continue  # the spec's own names (an unnamed layer's is Keras's): matched already
        for rank, (n, i) in enumerate(sorted(got)):
            k = rank if offset else n
            if k < len(ops):
                pos, role = ops[k]
                pos = pos if role == "main" else PART
                if (found[i], method[i]) != (pos, "name"):
                    found[i], method[i] = pos, "keras"


def _match_torch(raws: list[str], found: list, method: list, summary: Summary) -> None:
    """`features.0`, `classifier.6`: index into the ops of one nn.Sequential per prefix; the
    next prefix starts after the last op of the one before (past pooling to 1x1 and flatten)."""
    paths = [(i, m.group(1), int(m.group(2))) for i, raw in enumerate(raws)
             if found[i] is None and (m := re.fullmatch(r"((?:[a-z_]\w*\.)+)(\d+)", raw))]
    if not paths:
        return
    ops = _ops(summary, "pytorch")
    if not ops:
        return
    start, order = 0, []
    for _, prefix, _ in paths:
        if prefix not in order:
            order.append(prefix)
    for prefix in order:
        idx = [(i, n) for i, p, n in paths if p == prefix]
        for i, n in idx:
            if start + n < len(ops):
                _, pos, role = ops[start + n]
                found[i], method[i] = (pos if role == "main" else PART), "torch"
        start += max(n for _, n in idx) + 1
        while start < len(ops) and ops[start][0] in ("Flatten", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
                                                     "AdaptiveAvgPool1d", "AdaptiveAvgPool3d"):
            start += 1


def match_rows(table: AnswerTable, summary: Summary) -> list[tuple[int | None, str]]:
    """For each row: (position, '') with position 0 for the input and i for summary.layers[i-1],
    or (None, why it matches no layer)."""
    return [(p, w) for p, w, _ in match_rows_by(table, summary)]


def match_rows_by(table: AnswerTable, summary: Summary) -> list[tuple[int | None, str, str]]:
    """(position or None, why not, how it matched) per row. Tried in order: the spec's names
    (and Input, an index), Keras default names (`conv2d_1`), torch module paths
    (`features.0`), course and kind labels (`CONV1`, `FC3`, `Softmax`, the n-th `Conv2d`),
    then the rows' order."""
    layers = summary.layers
    course = [pos for pos, r in enumerate(layers, start=1) if r.layer.COURSE_ROW]
    positional = _by_position(table, course)
    if not table.has_labels:
        if positional:
            return [(p, w, "order") for p, w in positional]
        return [(None, f"the table has no layer column, and its {len(table.rows)} rows "
                       f"are not the {len(course) + 1} rows of the course table "
                       f"(Input and {len(course)} layers)", "")] * len(table.rows)
    names = _layer_names(summary)
    raws, keys = _row_keys(table, names)
    found, method, why = _match_names(keys, names, len(layers))
    _match_keras(raws, found, method, summary)
    _match_torch(raws, found, method, summary)
    labelled = _match_numbered(keys, found, method, why, summary)
    _match_kinds(table, keys, labelled, found, method, why, summary, course)
    if positional and all(p is None or method[i] in ("order", "") or (i == 0 and p == positional[0][0])
                          for i, p in enumerate(found)) and not any(k in TOTAL_WORDS for k in keys) \
            and any(p is None for p in found):
        return [(p, w, "order") for p, w in positional]  # no label names a layer, but the rows are the course table's
    _drop_second_rows(table, found, method, why, summary)
    return [(None, PART, m) if p == PART else (p, w, m if p is not None else "")
            for p, w, m in zip(found, why, method)]


def _layer_names(summary: Summary) -> dict[str, int]:
    """The spec's layer names and ids, read as labels are read -> position."""
    names: dict[str, int] = {}
    for pos, r in enumerate(summary.layers, start=1):
        names.setdefault(label_key(r.layer.name), pos)  # `features.0`, `block1_conv1`: as labels are read
        if r.layer.id:
            names.setdefault(label_key(r.layer.id), pos)
    return names


def _row_keys(table: AnswerTable, names: dict[str, int]) -> tuple[list[str], list[str]]:
    """Each row's label as written (lower case, no parentheses) and as a key (label_key)."""
    raws = [_raw(r.label) for r in table.rows]
    keys = [label_key(r.label) for r in table.rows]
    for i, r in enumerate(table.rows):  # `Eingabe (Input)`, `Gesamt (Total)`: the English in parentheses
        inner = re.findall(r"\(([^()]*)\)", clean(r.label))
        if keys[i] not in names and inner and normal(inner[-1].strip()) in INPUT_WORDS | TOTAL_WORDS:
            keys[i] = normal(inner[-1].strip())
    for i, raw in enumerate(raws):  # torchinfo's `Conv2d: 2-4`, torchsummary's `Conv2d-3`: the kind
        m = re.fullmatch(r"([a-z][a-z0-9]*)(?::\s*\d+-\d+|-\d+)", raw)
        if m and _kind_of(normal(m.group(1))) is not None:
            keys[i] = raws[i] = normal(m.group(1))
    return raws, keys


def _match_names(keys: list[str], names: dict[str, int], count: int) -> tuple[list, list[str], list[str]]:
    """(found, method, why) per row after the spec's names, Input and indices."""
    found: list = [None] * len(keys)
    method = [""] * len(keys)
    why = [""] * len(keys)
    seen: dict[str, int] = {}
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
    for i, key in enumerate(keys):
        if key in names and not (seen[key] > 1 and _kind_of(key) is not None):
            # `Conv2d`, `Conv2d` (torchinfo): a kind word on several rows names a kind, though
            # the first unnamed conv is called conv2d
            found[i], method[i] = names[key], "name"
        elif key in INPUT_WORDS or re.fullmatch(r"input(layer)?\d*", key):
            found[i], method[i] = 0, "name"
        elif re.fullmatch(r"(layer|l)?\d+", key):
            pos = int(re.sub(r"\D", "", key))
            if pos <= count:
                found[i], method[i] = pos, "name"
            else:
                why[i] = f"there is no layer {pos}: the spec has {count} layers"
    return found, method, why


def _match_numbered(keys: list[str], found: list, method: list[str], why: list[str], summary: Summary) -> dict:
    """Course labels with a number (`CONV1`, `FC3`, `C1`): the numbering scheme that places the
    most rows on distinct layers not taken yet. Returns the rows with such a label."""
    labelled = {i: m for i, k in enumerate(keys) if found[i] is None and not why[i]
                and (m := re.fullmatch(r"([a-z]+?)(\d+)", k)) and m.group(1) in families()}
    best: dict[int, int] = {}
    for scheme in ("course", "kind", "position"):
        numbering = _numbering(summary, scheme)
        got = {i: numbering[(m.group(1), int(m.group(2)))] for i, m in labelled.items()
               if (m.group(1), int(m.group(2))) in numbering and (scheme != "position" or len(m.group(1)) == 1)}
        taken = set(p for p in found if isinstance(p, int))
        if len(set(got.values())) == len(got) and not taken & set(got.values()) and len(got) > len(best):
            best = got
    for i, pos in best.items():
        found[i], method[i] = pos, "label"
    return labelled


def _match_kinds(table: AnswerTable, keys: list[str], labelled: dict, found: list, method: list[str],
                 why: list[str], summary: Summary, course: list[int]) -> None:
    """The rows left: totals, kind labels (`Softmax`, the n-th `Conv2d`), `Output`; or why not."""
    layers = summary.layers
    same_key: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        if found[i] is None and not why[i]:
            same_key.setdefault(key, []).append(i)
    taken = set(found)  # the positions found so far: a set, so 100,000 rows are matched in linear time
    families = None
    for i, key in enumerate(keys):
        if found[i] is not None or why[i]:
            continue
        if key in TOTAL_WORDS or key.startswith("totalparam"):
            why[i] = "total"
            continue
        if not key:
            why[i] = "the row has no layer label"
            continue
        kind = _kind_of(key)
        if kind is not None and _match_kind(table, i, key, kind, same_key[key], found, method, why, layers, taken):
            continue
        if key in ("output", "out", "prediction", "predictions", "logits") and course and course[-1] not in taken:
            found[i], method[i] = course[-1], "label"
            taken.add(course[-1])
            continue
        if i in labelled:
            families = families or _families_text(summary)
            why[i] = f"`{table.rows[i].label}` names no layer: the spec has " + families
        else:
            why[i] = (f"`{table.rows[i].label}` names no layer; use a layer name "
                      f"({', '.join(r.layer.name for r in layers[:3])}{', ...' if len(layers) > 3 else ''}), "
                      "an index, Input or a course label like CONV1")


def _match_kind(table: AnswerTable, i: int, key: str, kind: tuple[Callable[[Layer], bool], bool],
                rows: list[int], found: list, method: list[str], why: list[str], layers, taken: set) -> bool:
    """Row i labelled with a kind (`Conv2d`, `Softmax`): True once it is matched or explained.
    `taken` holds the positions in `found`, kept up to date here."""
    named, folds = kind
    cands = [pos for pos, r in enumerate(layers, start=1)
             if named(r.layer) or r.layer.labelled_by_activation(key)
             if pos not in taken]
    if len(cands) == 1 and len(rows) == 1:
        found[i], method[i] = cands[0], "label"
        taken.add(cands[0])
        return True
    if len(cands) >= len(rows) > 1 or len(cands) > 1 and len(rows) == len(cands):
        # torchinfo's `Conv2d`, `Conv2d`: the n-th row of a kind is its n-th layer
        if len(rows) == len(cands):
            for j, pos in zip(rows, cands):
                found[j], method[j] = pos, "order"
                taken.add(pos)
            return True
    if not cands and folds:
        found[i], method[i] = PART, "label"  # a ReLU or Dropout row the spec folds into a layer
        taken.add(PART)
        return True
    if len(cands) > 1:
        why[i] = (f"`{table.rows[i].label}` could be any of {len(cands)} layers "
                  f"({', '.join(layers[p - 1].layer.name for p in cands[:4])}); number it or use the name")
        return True
    return False


def _drop_second_rows(table: AnswerTable, found: list, method: list[str], why: list[str], summary: Summary) -> None:
    """A second row for a layer already matched matches nothing."""
    seen: dict[int, int] = {}
    for i, pos in enumerate(found):
        if pos is None or pos == PART:
            continue
        if pos in seen:
            why[i] = f"a second row for {_name(summary, pos)} (the first is `{table.rows[seen[pos]].label}`)"
            found[i], method[i] = None, ""
        else:
            seen[pos] = i


def _by_position(table: AnswerTable, course: list[int]) -> list[tuple[int | None, str]] | None:
    """Rows taken in order as the course table's: with or without the Input row."""
    for want in ([0] + course, course):
        if len(table.rows) == len(want):
            return [(p, "by position") for p in want]
    return None


def _kind_of(key: str) -> tuple[Callable[[Layer], bool], bool] | None:
    """What a label naming a kind or family (`conv`, `Conv2d`, `Dropout`) stands for: which
    layers it names, and whether the spec folds such a row into a neighbour's; None if none."""
    if key in families():
        return (lambda layer: key in layer.LABELS), False
    if key in KIND_ALIASES:
        name = KIND_ALIASES[key]
        return (lambda layer: layer.is_kind(name)), not KINDS[name].COURSE_ROW
    return None


def _families_text(summary: Summary) -> str:
    counts: dict[str, int] = {}
    for r in summary.layers:
        if r.layer.COURSE_ROW:
            counts[r.layer.kind] = counts.get(r.layer.kind, 0) + 1
    return ", ".join(f"{n} {k}" for k, n in counts.items())


def _name(summary: Summary, pos: int) -> str:
    return "input" if pos == 0 else summary.layers[pos - 1].layer.name
