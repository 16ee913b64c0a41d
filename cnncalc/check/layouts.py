"""Tables as they are pasted: Keras 3 (box-drawing) and Keras 2 (dashed) `model.summary()`,
torchinfo / torchsummary tables, space-aligned columns, Google Docs / Word tabs, CSV with any
delimiter. Each reader gives a grid: (line, cells) for the header and every row."""
from __future__ import annotations

import csv
import re

from .columns import COLUMNS, header_key, split_cells

Grid = list[tuple[int, list[str]]]
BOX = "│┃"
_RULE = re.compile(r"^\s*[-=_━─┏┓┗┛┡┩┠┨├┤┼╇╈┬┴└┘┌┐╭╮╰╯+|: ]*$")
_TREE = re.compile(r"^[\s│├└─|`+\\-]*")
_TOTAL = re.compile(r"^\s*Total params:\s*([\d,.'\u2009\u202f\u00a0 ]*\d)", re.I)
MARK_CELL = re.compile(r"^\s*(✓|✔|✗|✘|❌|\?+|\*+|ok|x)?\s*$", re.I)


def kind_of_text(text: str) -> str | None:
    """Which pasted form the text is: keras3, keras2, torchinfo, torchsummary, aligned or None."""
    if re.search(r"^\s*[┃│].*Param", text, re.M) or re.search(r"┏━", text):
        return "keras3"
    if re.search(r"Layer \(type:depth-idx\)", text):
        return "torchinfo"
    head = re.search(r"^\s*Layer \(type\)\s{2,}.*Param", text, re.M)
    if head:
        return "torchsummary" if re.search(r"\[-1,", text) else "keras2"
    return None


def _total_row(text: str, lines_before: int) -> list[tuple[int, list[str]]]:
    for n, line in enumerate(text.splitlines(), start=1):
        m = _TOTAL.match(line)
        if m and n > lines_before:
            return [(n, ["Total", m.group(1)])]
    return []


def keras3_grid(text: str) -> Grid:
    """Rows between `│`s; a row with only the label filled continues the one above."""
    grid: Grid = []
    last = 0
    for n, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s or s[0] not in BOX:
            continue
        cells = [c.strip() for c in re.split(r"[│┃]", s.strip(BOX))]
        last = n
        if not grid:
            grid.append((n, cells))
            continue
        if len(grid) > 1 and cells[0] and not any(cells[1:]) or (len(grid) > 1 and not cells[0] and any(cells)):
            prev_n, prev = grid[-1]
            grid[-1] = (prev_n, [(a + " " + b).strip() if b else a for a, b in zip(prev, cells + [""] * len(prev))])
            continue
        grid.append((n, cells))
    return _with_total(grid, text, last)


def _with_total(grid: Grid, text: str, last: int) -> Grid:
    """Add Keras' / torchinfo's `Total params:` line as a Total row (parameters only)."""
    if not grid:
        return grid
    header = grid[0][1]
    keys = [header_key(h) for h in header]
    if "params" in keys:
        for n, (label, value) in _total_row(text, last):
            row = [""] * len(header)
            row[keys.index("layer") if "layer" in keys else 0] = label
            row[keys.index("params")] = value
            grid.append((n, row))
    return grid


def _starts(line: str) -> list[tuple[int, str]]:
    """(column, text) of each cell of a line whose cells are 2+ spaces or tabs apart."""
    return [(m.start(), m.group().strip()) for m in re.finditer(r"\S+(?: \S+)*", line.replace("\t", "  "))]


def aligned_grid(text: str, header_at: int | None = None) -> Grid:
    """Columns 2+ spaces apart, as in a Keras 2 summary or a plain-text table: each cell goes
    to the header column whose start is nearest to the left of it."""
    lines = text.replace("\t", "    ").splitlines()
    start = header_at
    if start is None:
        for i, line in enumerate(lines):
            cells = [c for _, c in _starts(line)]
            if len(cells) >= 2 and any(header_key(c) in COLUMNS for c in cells) \
                    and sum(header_key(c) is not None for c in cells) >= len(cells) - 1:
                start = i
                break
    if start is None:
        return []
    head = _starts(lines[start])
    cols = [c for c, _ in head]
    grid: Grid = [(start + 1, [t for _, t in head])]
    last, blank_run = start + 1, 0
    for i in range(start + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            blank_run += 1
            if blank_run >= 2 and len(grid) > 1:
                break
            continue
        if _RULE.match(line):
            continue
        if _TOTAL.match(line) or re.match(r"^\s*(Trainable|Non-trainable|Total mult|Input size|"
                                          r"Forward/backward|Params size|Estimated)", line):
            break
        blank_run = 0
        found = _starts(line)
        if len(found) == 1 and len(grid) > 1 and re.fullmatch(r"[)\]]|\S+\)", found[0][1]) \
                and grid[-1][1][0].count("(") > grid[-1][1][0].count(")"):
            n, prev = grid[-1]  # Keras 2 wraps `max_pooling2d (MaxPooling2D` / `)`
            grid[-1] = (n, [prev[0] + found[0][1]] + prev[1:])
            continue
        cells = [""] * len(cols)
        if len(found) == len(cols):
            cells, found = [t for _, t in found], []
        for pos, t in found:
            j = max((k for k, c in enumerate(cols) if c <= pos + 1), default=0)
            cells[j] = (cells[j] + " " + t).strip()
        if len(found) < 2 and len(grid) > 1 and not re.search(r"\d", line):
            break  # prose after the table
        grid.append((i + 1, cells))
        last = i + 1
    return _with_total(grid, text, last)


def torch_grid(text: str, kind: str) -> Grid:
    """torchinfo (`├─Conv2d: 2-1  [1, 8, 28, 28]  608`) or torchsummary (`Conv2d-1
    [-1, 8, 28, 28]  608`): containers dropped, shapes turned channels last, `--` is 0."""
    grid = aligned_grid(text)
    if len(grid) < 2:
        return grid
    keys = [header_key(h) for h in grid[0][1]]
    rows = grid[1:]
    depth = []
    for _, cells in rows:
        m = re.search(r":\s*(\d+)-\d+\s*$", cells[0])
        depth.append(int(m.group(1)) if m else 0)
    out: Grid = [grid[0]]
    for i, (n, cells) in enumerate(rows):
        label = _TREE.sub("", cells[0]).strip()
        if label == "Total":
            out.append((n, cells))
            continue
        if kind == "torchinfo" and (depth[i] == 0 or (i + 1 < len(rows) and depth[i + 1] > depth[i])):
            continue  # the model's own line, or a container (Sequential) whose children follow
        new = list(cells)
        new[0] = label
        for j, k in enumerate(keys):
            if k == "shape":
                new[j] = channels_last(cells[j])
            elif k == "params" and cells[j].strip() in ("--", "-", "(recursive)"):
                new[j] = "0"
        out.append((n, new))
    return out


def channels_last(text: str) -> str:
    """`[1, 8, 28, 28]` (batch, C, H, W) -> `(28, 28, 8)`; `[-1, 120]` -> `(120,)`."""
    nums = re.findall(r"-?\d+", text)
    if len(nums) < 2:
        return text
    dims = nums[1:]
    if len(dims) >= 2:
        dims = dims[1:] + dims[:1]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def tab_grid(lines: list[tuple[int, str]]) -> Grid:
    """Tab-separated rows as Google Docs and Word paste them: columns empty on every line
    (doubled tabs) dropped, a lone ✓ cell dropped, a stray tab inside the label joined."""
    rows = [(n, [c.strip() for c in ln.split("\t")]) for n, ln in lines]
    width = max(len(c) for _, c in rows)
    rows = [(n, c + [""] * (width - len(c))) for n, c in rows]
    head = rows[0][1]
    filled = [j for j, h in enumerate(head) if h]
    inside = [j for j in range(filled[0], filled[-1]) if not head[j]] if filled else []
    if len(filled) >= 2 and len(inside) >= len(filled) - 1:
        # the header's own empty cells are doubled tabs: their content joins the cell on the left
        keep = [j for j, h in enumerate(head) if h]
        if keep[0] != 0 and any(c[0] for _, c in rows[1:]):
            keep = [0] + keep  # the layer column, with an empty header cell
        merged = []
        for n, c in rows:
            cells = [""] * len(keep)
            for j, text in enumerate(c):
                if text:
                    k = max((i for i, kj in enumerate(keep) if kj <= j), default=0)
                    cells[k] = (cells[k] + " " + text).strip()
            merged.append((n, cells))
        rows = merged
    else:
        keep = [j for j in range(width) if any(c[j] for _, c in rows)]
        rows = [(n, [c[j] for j in keep]) for n, c in rows]
    header = rows[0][1]
    while header and not header[-1]:
        header = header[:-1]
    out: Grid = [(rows[0][0], header)]
    for n, cells in rows[1:]:
        while len(cells) > len(header) and not cells[-1]:
            cells = cells[:-1]
        if len(cells) > len(header):
            cells = [c for c in cells if c]
        if len(cells) > len(header):
            cells = [c for c in cells if not MARK_CELL.match(c) or not c] or cells
        if len(cells) > len(header):
            extra = len(cells) - len(header)
            cells = [" ".join(cells[:extra + 1])] + cells[extra + 1:]
        out.append((n, cells))
    return out


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into named columns and the rows alike."""
    best, score = ",", -1.0
    head = lines[0] if lines else ""
    for sep in (";", ",", "\t", "|"):
        cells = split_cells(head, sep)
        if len(cells) < 2:
            continue
        named = sum(header_key(c) in COLUMNS for c in cells)
        same = sum(len(split_cells(ln, sep)) == len(cells) for ln in lines[1:])
        s = named * 100 + same
        if named and s > score:
            best, score = sep, s
    try:
        if score < 0:
            best = csv.Sniffer().sniff("\n".join(lines[:20]), delimiters=",;\t|").delimiter
    except csv.Error:
        pass
    return best


def rejoin_numbers(cells: list[str], width: int) -> list[str]:
    """`CONV1,28x28x8,6,272,608` split on `,` gives 6 and 272: join a 3-digit cell to the
    1- or 2-digit cell before it (then to a 3-digit one) while the row has more cells than
    the header."""
    cells = list(cells)
    for left in (r"\d{1,2}", r"\d{1,3}(,\d{3})*"):
        i = 1
        while len(cells) > width and i < len(cells):
            if re.fullmatch(r"\d{3}", cells[i]) and re.fullmatch(left, cells[i - 1]):
                cells[i - 1:i + 1] = [cells[i - 1] + "," + cells[i]]
            else:
                i += 1
    return cells
