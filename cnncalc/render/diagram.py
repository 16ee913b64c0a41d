"""The architecture diagram: every layer a block labelled with its kind and output shape.

Blocks are drawn as feature-map volumes, as in the LeNet/AlexNet/VGG figures: the height grows
with log2 of the spatial size, the thickness with log2 of the channels; flat vectors are tall
thin bars, element-wise layers (activations, normalisation, dropout) thin plates, merges
(add, concat, multiply) circles. The graph comes from each layer's resolved inputs (its
`inputs` refs, or the previous layer), so branches are laid out in lanes and merges show
every incoming edge. Long chains wrap onto new rows.

No plotting library is needed: `layout()` returns a display list of shapes (polygons, lines,
circles, text) that `to_svg()` writes as SVG; `cnncalc.render.plot` draws the same list with
matplotlib for PNG output.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape as _html_escape

from ..infer import Summary
from ..kinds import KINDS, Shape
from ..errors import visible


def escape(text, keep: str = "\t\n\r") -> str:
    """Text for SVG/HTML: control characters shown escaped (`\\x1b`), so the file stays
    well-formed XML, then HTML-escaped."""
    return _html_escape(visible(text, keep))

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
CHAR_W = 0.6          # average glyph width, as a fraction of the font size
LABEL_PX = 10         # label font size
GAP = 18              # horizontal space between columns
MARGIN = 24
LABEL_H = 2 * LABEL_PX + 10
ROW_GAP = 26          # between wrapped rows (cross-row edges run here)
MAX_H = 128           # tallest block
DEPTH = 0.22          # oblique (3-D) offset as a fraction of the block height
MERGE_R = 12


# category -> (fill of the front face, legend text)
COLOURS = {
    "input": ("#d9d9d9", "input"),
    "conv": ("#6c9bd2", "convolution"),
    "transpose": ("#7cc4b8", "transposed conv / upsampling"),
    "pool": ("#f2a65a", "pooling"),
    "flat": ("#edc948", "flatten / global pooling"),
    "dense": ("#b07aa1", "dense"),
    "norm": ("#b8b0ab", "normalisation / activation / dropout"),
    "merge": ("#e15759", "merge (add, concat, multiply)"),
    "other": ("#9c755f", "other"),
}


def category(kind: str) -> str:
    """The colour category a kind declares (its DIAGRAM); "other" for a kind the registry lacks."""
    if kind == "input":
        return "input"
    cls = KINDS.get(kind)
    return cls.DIAGRAM if cls is not None else "other"


def symbol(kind: str) -> str:
    """The sign a merge kind declares (its SYMBOLS) for its circle."""
    cls = KINDS.get(kind)
    return (cls.SYMBOLS.get(kind) if cls is not None else None) or "?"


def shape_text(shape: Shape) -> str:
    """(224, 224, 64) -> '224×224×64'; (4096,) -> '4096'."""
    return "\u00d7".join(str(v) for v in shape)


def _shade(colour: str, factor: float) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#%02x%02x%02x" % tuple(max(0, min(255, int(v * factor))) for v in (r, g, b))


def _text_w(text: str, size: float = LABEL_PX) -> float:
    return len(text) * size * CHAR_W


# ---- display list --------------------------------------------------------------------------

@dataclass(frozen=True)
class Poly:
    points: tuple[tuple[float, float], ...]
    fill: str
    stroke: str = "#333333"
    width: float = 0.8


@dataclass(frozen=True)
class Line:
    points: tuple[tuple[float, float], ...]
    stroke: str = "#555555"
    width: float = 1.0


@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: str
    stroke: str = "#333333"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    size: float = LABEL_PX
    anchor: str = "middle"     # start | middle | end
    bold: bool = False
    fill: str = "#222222"


@dataclass
class Group:
    """Shapes of one node, with a tooltip (SVG <title>) and an id."""
    title: str
    css: str
    items: list = field(default_factory=list)


@dataclass
class Drawing:
    width: float
    height: float
    title: str
    items: list  # Group | Poly | Line | Circle | Text


# ---- graph ---------------------------------------------------------------------------------

@dataclass
class Node:
    index: int            # 0 is the input, then the layers in spec order
    name: str
    kind: str
    shape: Shape
    params: int
    inputs: list[int]
    lane: int = 0
    col: int = 0
    w: float = 0.0        # block width (front face)
    h: float = 0.0        # block height (front face)
    d: float = 0.0        # oblique offset
    x: float = 0.0        # left of the front face
    cy: float = 0.0       # vertical centre of the lane
    row: int = 0


def graph(summary: Summary) -> list[Node]:
    """Nodes with their resolved inputs, from the one graph walk (`Summary.fold`): node 0 is
    the network input, node i the i-th layer, reading the nodes of its inputs."""
    nodes = [Node(0, "input", "input", tuple(summary.spec.input), 0, [])]

    def step(r, ins) -> int:
        nodes.append(Node(len(nodes), r.layer.name, r.layer.kind, tuple(r.output_shape), r.params, list(ins)))
        return nodes[-1].index
    summary.fold(0, step)
    return nodes


def assign_lanes(nodes: list[Node]) -> None:
    """Lane 0 is the main path. A node continues the lane of its first input not yet continued
    (lowest lane first), else takes the lowest free lane; a lane is freed when its last node has
    all its consumers placed. Columns: one after the latest input, and after the lane's last."""
    consumers: dict[int, list[int]] = {n.index: [] for n in nodes}
    for n in nodes:
        for i in n.inputs:
            consumers[i].append(n.index)
    continued: set[int] = set()
    owner: dict[int, int] = {0: 0}     # lane -> its latest node
    next_col: dict[int, int] = {0: 1}
    for n in nodes[1:]:
        lane = None
        for i in sorted(set(n.inputs), key=lambda i: nodes[i].lane):
            if i not in continued and owner.get(nodes[i].lane) == i:
                lane = nodes[i].lane
                continued.add(i)
                break
        if lane is None:
            lane = 0
            while lane in owner and _open(owner[lane], n.index, consumers):
                lane += 1
        n.lane = lane
        n.col = max([nodes[i].col + 1 for i in n.inputs] + [next_col.get(lane, 0)])
        owner[lane] = n.index
        next_col[lane] = n.col + 1


def _open(o: int, now: int, consumers) -> bool:
    """Is the lane whose latest node is `o` still in use when placing node `now`?"""
    return any(c >= now for c in consumers[o])


# ---- geometry ------------------------------------------------------------------------------

def _size(n: Node) -> None:
    cat = category(n.kind)
    if cat == "merge":
        n.w = n.h = 2 * MERGE_R
        n.d = 0
        return
    if len(n.shape) <= 1:                               # a flat vector: a tall thin bar
        size = n.shape[0] if n.shape else 1
        n.h = min(MAX_H, 12 + 8 * math.log2(max(size, 1)))
        n.w = 7
        n.d = 3
        return
    spatial = max(n.shape[:-1])
    n.h = min(MAX_H, 12 + 14 * math.log2(max(spatial, 1)))
    n.w = 4 + 3 * math.log2(max(n.shape[-1], 1))
    n.d = DEPTH * n.h
    if cat == "norm":                                   # element-wise: a thin plate
        n.w = 3


def _labels(n: Node) -> tuple[str, str]:
    return n.kind, shape_text(n.shape)


def _node_w(n: Node) -> float:
    return max(n.w + n.d, *(_text_w(t) for t in _labels(n)))


MAX_LAYERS = 2000  # a bigger drawing is no picture anyone reads: summarise with `cnncalc summary`


def layout(summary: Summary, max_width: float = 1100) -> Drawing:
    """Place every node, wrap columns into rows at `max_width` px, route the edges."""
    if len(summary.layers) > MAX_LAYERS:
        from ..errors import ArgumentError
        raise ArgumentError(f"the diagram of {len(summary.layers):,} layers is more than the {MAX_LAYERS:,} "
                            "one picture can show; use `cnncalc summary`, or a chart (--chart params)")
    nodes = graph(summary)
    assign_lanes(nodes)
    for n in nodes:
        _size(n)
    colw, colx, nrows = _columns(nodes, max_width)
    edges = [(nodes[i], n) for n in nodes for i in n.inputs]
    arc_level = _arc_levels(nodes, edges)
    row_bottom, height = _rows(nodes, arc_level, nrows)
    width = max(x + w for x, w in zip(colx, colw)) + MARGIN
    items = _legend(nodes) + _blocks(nodes) + _edges(nodes, edges, arc_level, row_bottom, colw, colx)
    title = f"Architecture of {summary.spec.name}: {len(summary.layers)} layers"
    return Drawing(max(width, 360), height, title, items)


def _columns(nodes: list[Node], max_width: float) -> tuple[list[float], list[float], int]:
    """Each column's width and x, wrapped into rows at `max_width`; sets each node's row and x."""
    ncols = max(n.col for n in nodes) + 1
    colw = [0.0] * ncols
    for n in nodes:
        colw[n.col] = max(colw[n.col], _node_w(n))
    row_of, colx, x = [0] * ncols, [0.0] * ncols, MARGIN
    row = 0
    for c in range(ncols):
        if x + colw[c] > max_width - MARGIN and x > MARGIN:
            row, x = row + 1, MARGIN
        row_of[c], colx[c] = row, x
        x += colw[c] + GAP
    for n in nodes:
        n.row = row_of[n.col]
        n.x = colx[n.col] + (colw[n.col] - n.w - n.d) / 2
    return colw, colx, row + 1


def _arc_levels(nodes: list[Node], edges: list) -> dict[tuple[int, int], int]:
    """Skip arcs (same row and lane, not adjacent) are routed above the lane, one level each."""
    arcs = [(a, b) for a, b in edges if a.row == b.row and a.lane == b.lane and
            any(m.row == a.row and m.lane == a.lane and a.col < m.col < b.col for m in nodes)]
    arc_level: dict[tuple[int, int], int] = {}
    for a, b in sorted(arcs, key=lambda e: (e[1].col - e[0].col)):
        taken = {arc_level[(p.index, q.index)] for p, q in arcs if (p.index, q.index) in arc_level
                 and p.row == a.row and p.lane == a.lane and p.col < b.col and a.col < q.col}
        arc_level[(a.index, b.index)] = next(k for k in range(len(arcs) + 1) if k not in taken)
    return arc_level


def _rows(nodes: list[Node], arc_level: dict, nrows: int) -> tuple[list[float], float]:
    """Vertical extent, per row and lane: arc space, the tallest block, the labels. Sets each
    node's cy; gives each row's bottom and the drawing's height."""
    by_index = {n.index: n for n in nodes}
    arcs = [(by_index[a], by_index[b]) for a, b in arc_level]
    lanes_in_row = [max([n.lane for n in nodes if n.row == r] + [0]) + 1 for r in range(nrows)]
    y = MARGIN + 22  # legend
    row_bottom: list[float] = []
    lane_center: dict[tuple[int, int], float] = {}
    for r in range(nrows):
        for ln in range(lanes_in_row[r]):
            members = [n for n in nodes if n.row == r and n.lane == ln]
            levels = [arc_level[(a.index, b.index)] + 1 for a, b in arcs if a.row == r and a.lane == ln]
            top = 8 + 7 * max(levels + [0])
            tallest = max([n.h + n.d for n in members] + [20])
            lane_center[(r, ln)] = y + top + tallest - max([n.h / 2 for n in members] + [10])
            y += top + tallest + (LABEL_H if members else 0)
        row_bottom.append(y)
        y += ROW_GAP
    for n in nodes:
        n.cy = lane_center[(n.row, n.lane)]
    return row_bottom, y - ROW_GAP + MARGIN


def _blocks(nodes: list[Node]) -> list:
    """Every node's block, its labels on a line shared by its row and lane."""
    label_y: dict[tuple[int, int], float] = {}
    for n in nodes:
        key = (n.row, n.lane)
        label_y[key] = max(label_y.get(key, 0), n.cy + n.h / 2)
    return [_block(n, label_y[(n.row, n.lane)]) for n in nodes]


def _edges(nodes: list[Node], edges: list, arc_level: dict, row_bottom: list[float], colw, colx) -> list:
    """Every edge's drawing: straight along its lane, an arc over skipped nodes, or across rows."""
    next_in_lane: dict[int, int] = {}
    last: dict[int, int] = {}
    for n in sorted(nodes, key=lambda n: (n.col, n.index)):
        if n.lane in last:
            next_in_lane[last[n.lane]] = n.index
        last[n.lane] = n.index
    items: list = []
    cross = 0
    for a, b in edges:
        main = a.lane == b.lane and next_in_lane.get(a.index) == b.index
        if a.row != b.row:
            cross += 1
        clear = None
        if (a.index, b.index) in arc_level:
            clear = min(m.cy - m.h / 2 - m.d * 0.7 for m in nodes
                        if m.row == a.row and m.lane == a.lane and a.col <= m.col <= b.col)
        items.extend(_edge(a, b, main, arc_level.get((a.index, b.index)), clear, row_bottom,
                           colw, colx, cross))
    return items


def _legend(nodes: list[Node]) -> list:
    used = [c for c in COLOURS if any(category(n.kind) == c for n in nodes)]
    items, x = [], MARGIN
    for c in used:
        fill, text = COLOURS[c]
        items.append(Poly(((x, MARGIN), (x + 10, MARGIN), (x + 10, MARGIN + 10), (x, MARGIN + 10)), fill))
        items.append(Text(x + 14, MARGIN + 9, text, size=9.5, anchor="start"))
        x += 14 + _text_w(text, 9.5) * 0.92 + 14
    return items


def _block(n: Node, label_top: float) -> Group:
    cat = category(n.kind)
    fill = COLOURS[cat][0]
    g = Group(f"{n.name} ({n.kind}): output {shape_text(n.shape)}, {n.params:,} params",
              f"node {cat}")
    cx = n.x + (n.w + n.d) / 2
    if cat == "merge":
        g.items.append(Circle(cx, n.cy, MERGE_R, fill))
        g.items.append(Text(cx, n.cy + 5, symbol(n.kind), size=14, bold=True, fill="#ffffff"))
    else:
        x0, y0, x1, y1, d = n.x, n.cy - n.h / 2, n.x + n.w, n.cy + n.h / 2, n.d
        dy = d * 0.7
        g.items.append(Poly(((x0, y0), (x0 + d, y0 - dy), (x1 + d, y0 - dy), (x1, y0)), _shade(fill, 1.15)))
        g.items.append(Poly(((x1, y0), (x1 + d, y0 - dy), (x1 + d, y1 - dy), (x1, y1)), _shade(fill, 0.8)))
        g.items.append(Poly(((x0, y0), (x1, y0), (x1, y1), (x0, y1)), fill))
    kind, shape = _labels(n)
    g.items.append(Text(cx, label_top + LABEL_PX + 3, kind, bold=True))
    g.items.append(Text(cx, label_top + 2 * LABEL_PX + 6, shape))
    return g


def _anchor_right(n: Node) -> tuple[float, float]:
    return n.x + n.w + n.d, n.cy


def _anchor_left(n: Node) -> tuple[float, float]:
    return n.x, n.cy


def _arrow(p: tuple[float, float], q: tuple[float, float], colour: str) -> Poly:
    """A small filled arrowhead at q pointing along p -> q."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    a, b = 6.0, 3.0
    base = (q[0] - ux * a, q[1] - uy * a)
    return Poly((q, (base[0] - uy * b, base[1] + ux * b), (base[0] + uy * b, base[1] - ux * b)),
                colour, stroke=colour, width=0.5)


def _edge(a: Node, b: Node, main: bool, level, clear, row_bottom, colw, colx, k: int) -> list:
    """Orthogonal route a -> b with an arrowhead; the main path grey, branches and skips red."""
    colour = "#555555" if main else "#c0392b"
    sx, sy = _anchor_right(a)
    tx, ty = _anchor_left(b)
    if a.row != b.row:                                   # wrapped: down, back left, down, in
        gy = row_bottom[a.row] + 6 + (k % 4) * 4
        ex = colx[a.col] + colw[a.col] + GAP / 2
        bx = colx[b.col] - GAP / 2
        if b.row == a.row + 1:
            pts = ((sx, sy), (ex, sy), (ex, gy), (bx, gy), (bx, ty), (tx, ty))
        else:                                            # several rows down: by the left margin
            lx = 3 + (k % 3) * 2.5
            gy2 = row_bottom[b.row - 1] + 6 + (k % 4) * 4
            pts = ((sx, sy), (ex, sy), (ex, gy), (lx, gy), (lx, gy2), (bx, gy2), (bx, ty), (tx, ty))
    elif level is not None:                              # skip arc above the lane
        ay = clear - 6 - 7 * level
        xa = a.x + (a.w + a.d) / 2
        xb = b.x + (b.w + b.d) / 2
        top_b = b.cy - b.h / 2 - b.d * 0.7
        pts = ((xa, a.cy - a.h / 2 - a.d * 0.7), (xa, ay), (xb, ay), (xb, top_b))
    elif a.lane == b.lane:
        pts = ((sx, sy), (tx, ty))
    elif b.lane > a.lane:                                # branch out: drop right after the source
        ex = colx[a.col] + colw[a.col] + GAP / 2
        pts = ((sx, sy), (ex, sy), (ex, ty), (tx, ty))
    else:                                                # merge back: rise just before the target
        ex = colx[b.col] - GAP / 2
        pts = ((sx, sy), (ex, sy), (ex, ty), (tx, ty))
    return [Line(pts, colour, 1.1), _arrow(pts[-2], pts[-1], colour)]


# ---- SVG -----------------------------------------------------------------------------------

def _pts(points) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _svg_item(item) -> str:
    if isinstance(item, Group):
        inner = "".join(_svg_item(i) for i in item.items)
        return f'<g class="{item.css}"><title>{escape(item.title)}</title>{inner}</g>'
    if isinstance(item, Poly):
        return (f'<polygon points="{_pts(item.points)}" fill="{item.fill}" stroke="{item.stroke}" '
                f'stroke-width="{item.width}" stroke-linejoin="round"/>')
    if isinstance(item, Line):
        return (f'<polyline points="{_pts(item.points)}" fill="none" stroke="{item.stroke}" '
                f'stroke-width="{item.width}" stroke-linejoin="round"/>')
    if isinstance(item, Circle):
        return (f'<circle cx="{item.x:.1f}" cy="{item.y:.1f}" r="{item.r}" fill="{item.fill}" '
                f'stroke="{item.stroke}" stroke-width="0.8"/>')
    if isinstance(item, Text):
        weight = ' font-weight="bold"' if item.bold else ""
        return (f'<text x="{item.x:.1f}" y="{item.y:.1f}" font-size="{item.size}" '
                f'text-anchor="{item.anchor}" fill="{item.fill}"{weight}>{escape(item.text)}</text>')
    raise TypeError(f"unknown display item {item!r}")


def to_svg(drawing: Drawing, element_id: str = "architecture") -> str:
    """A standalone SVG document (also valid inline in HTML5)."""
    w, h = math.ceil(drawing.width), math.ceil(drawing.height)
    body = "".join(_svg_item(i) for i in drawing.items)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" id="{element_id}" class="diagram" '
            f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
            f'aria-label="{escape(drawing.title)}" font-family="{FONT}">'
            f'<title>{escape(drawing.title)}</title>'
            f'<rect x="0" y="0" width="{w}" height="{h}" fill="#ffffff"/>{body}</svg>\n')


def diagram_svg(summary: Summary, max_width: float = 1100) -> str:
    return to_svg(layout(summary, max_width))
