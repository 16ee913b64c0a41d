"""Per-layer charts (activation size, parameters, MACs) with matplotlib, and the diagram as PNG.

matplotlib is the optional extra `cnncalc[plot]`; it is imported only here, only by the
commands that draw, with the non-interactive Agg backend. Without it, `need_matplotlib()`
raises a CnncalcError that says exactly what to install (exit status 2, no traceback).

Charts are horizontal bars, one row per layer (names readable on the left), sharing the layer
axis when several metrics are drawn side by side. A panel whose non-zero values span more than
a factor of 100 uses a log scale, and its title says so; layers with no parameters or no MACs
(pooling, activations) have no bar.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from ..errors import CnncalcError
from ..infer import Summary
from ..errors import visible

INSTALL_HINT = "pip install 'cnncalc[plot]'"
CHARTS = ("activations", "params", "macs")
LOG_RATIO = 100
MAX_TICKS = 300  # layers named on the axis at most
HA = {"start": "left", "middle": "center", "end": "right"}  # a log scale when max / min (non-zero) exceeds this


class PlotUnavailable(CnncalcError):
    """matplotlib (the `plot` extra) is not installed."""


def need_matplotlib(what: str = "charts"):
    """matplotlib.pyplot on the Agg backend, or a one-line error naming what to install."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        matplotlib.rcParams["text.parse_math"] = False  # names are plain text: `$` is never mathtext
        import matplotlib.pyplot as plt
    except ImportError:
        raise PlotUnavailable(f"{what} need matplotlib, which is not installed; install it with: "
                              f"{INSTALL_HINT}") from None
    return plt


def have_matplotlib() -> bool:
    try:
        need_matplotlib()
    except PlotUnavailable:
        return False
    return True


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    unit: str
    values: tuple[int | None, ...]
    note: str = ""


def series(summary: Summary, metrics, chart: str) -> Series:
    """The values of one chart, per layer, as infer and metrics.compute (`metrics`) give them."""
    t = summary.totals
    if chart == "activations":
        return Series("activations", "Activation size (output values)", "values",
                      tuple(r.activation_size for r in summary.layers),
                      f"batch 1; x {t.bytes_per_value} bytes in {t.dtype}")
    if chart == "params":
        return Series("params", "Parameters", "params", tuple(r.params for r in summary.layers))
    if chart == "macs":
        macs = [m.macs for m in metrics.layers]
        unknown = sum(m is None for m in macs)
        return Series("macs", "MACs (multiply-accumulates)", "MACs", tuple(macs),
                      f"{unknown} layer(s) unknown" if unknown else "")
    raise CnncalcError(f"unknown chart `{chart}`; use one of {', '.join(CHARTS)} or diagram")


def human(n: float) -> str:
    """12_345_678 -> '12.3M' (SI prefixes, for bar labels and ticks)."""
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(n) >= size:
            return f"{n / size:.3g}{unit}"
    return f"{n:.0f}"


COLOURS = {"activations": "#4e79a7", "params": "#e15759", "macs": "#59a14f"}


@dataclass(frozen=True)
class Panel:
    """One chart's panel as both drawings show it (matplotlib here, SVG in cnncalc.render.charts):
    the bar values (unknown as 0), the scale and its range, the titles and the colour."""
    values: tuple
    log: bool
    lo: float
    hi: float
    title: str
    subtitle: str
    colour: str


def panel(s: Series, n: int) -> Panel:
    """A log scale when the non-zero values span more than LOG_RATIO; room for the bar labels
    of a short net (n layers) to the right of the longest bar."""
    vals = tuple(v or 0 for v in s.values)
    nz = [v for v in vals if v]
    log = bool(nz) and max(nz) / min(nz) > LOG_RATIO
    top = max(vals, default=0)
    lo, hi = (min(nz) / 2, top * (8 if n <= 40 else 2)) if log else (0, top * 1.18 or 1)
    return Panel(vals, log, lo, hi, f"{s.title}{' (log scale)' if log else ''}",
                 f"total {human(sum(vals))}{'; ' + s.note if s.note else ''}", COLOURS[s.key])


def figure(summary: Summary, metrics, charts=None):
    """One matplotlib Figure: a panel per chart (all of CHARTS by default), sharing the layer axis."""
    plt = need_matplotlib()
    from matplotlib.ticker import FuncFormatter

    data = [series(summary, metrics, c) for c in charts or CHARTS]
    names = [visible(f"{r.layer.name} ({r.layer.kind})") for r in summary.layers]
    n = len(names)
    row = 0.22 if n <= 40 else 0.13 if n <= MAX_TICKS else 0.13 * MAX_TICKS / n
    font = 8 if n <= 40 else 5.5
    # explicit margins (inches): constrained layout measures every tick label and is slow
    left = 0.25 + max(len(s) for s in names) * font * 0.62 / 72
    top, bottom, panel_w, gap = 0.85, 0.45, (4.0 if len(data) == 1 else 3.2), 0.35
    height = max(3.0, top + bottom + row * n)
    width = left + len(data) * (panel_w + gap)
    fig, axes = plt.subplots(1, len(data), figsize=(width, height), squeeze=False)
    fig.subplots_adjust(left=left / width, right=1 - gap / width, top=1 - top / height,
                        bottom=bottom / height, wspace=gap / panel_w)
    ys = list(range(n))
    for i, (ax, s) in enumerate(zip(axes[0], data)):
        p = panel(s, n)
        vals, log = p.values, p.log
        ax.barh(ys, vals, color=p.colour, height=0.72, log=log)
        ax.set_title(f"{p.title}\n{p.subtitle}", fontsize=9)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: human(v)))
        ax.tick_params(axis="x", labelsize=7.5, top=n > 40, labeltop=n > 40)  # long: ticks on top too
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.set_ylim(n - 0.5, -0.5)
        if i == 0:
            step = -(-n // MAX_TICKS)  # very long nets: every step-th layer named
            ax.set_yticks(ys[::step])
            ax.set_yticklabels(names[::step], fontsize=font)
        else:
            ax.set_yticks([])
        ax.set_xlim(p.lo, p.hi)
        if n <= 40:
            for y, v, raw in zip(ys, vals, s.values):
                label = "?" if raw is None else (human(v) if v else "")
                if label:
                    ax.text(v or p.lo, y, " " + label, va="center", fontsize=6.5, color="#333333")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(visible(f"{summary.spec.name}: per layer"), fontsize=10, y=1 - 0.12 / height, va="top")
    return fig


def figure_bytes(fig, fmt: str, dpi: int = 110) -> bytes:
    plt = need_matplotlib()
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    return out.getvalue()


def chart_bytes(summary: Summary, metrics, chart: str | None, fmt: str) -> bytes:
    """One chart (or all available, side by side, for chart=None) as svg or png bytes."""
    import matplotlib
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, selectable
    return figure_bytes(figure(summary, metrics, [chart] if chart else None), fmt)


def diagram_png(summary: Summary, max_width: float = 1100, dpi: int = 100) -> bytes:
    """The architecture diagram drawn from the same display list as the SVG, as PNG."""
    plt = need_matplotlib("PNG pictures of the diagram (.svg needs nothing extra)")
    from matplotlib.patches import Circle as MCircle, Polygon

    from . import diagram as D

    drawing = D.layout(summary, max_width)
    scale = 2.0  # render at twice the size for a crisp picture
    fig = plt.figure(figsize=(drawing.width * scale / dpi, drawing.height * scale / dpi), dpi=dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, drawing.width)
    ax.set_ylim(drawing.height, 0)
    ax.axis("off")
    pt = 72 / dpi * scale  # points per diagram pixel

    def draw(item):
        if isinstance(item, D.Group):
            for i in item.items:
                draw(i)
        elif isinstance(item, D.Poly):
            ax.add_patch(Polygon(item.points, closed=True, facecolor=item.fill, edgecolor=item.stroke,
                                 linewidth=item.width * pt, joinstyle="round"))
        elif isinstance(item, D.Line):
            xs, ys = zip(*item.points)
            ax.plot(xs, ys, color=item.stroke, linewidth=item.width * pt, solid_joinstyle="round")
        elif isinstance(item, D.Circle):
            ax.add_patch(MCircle((item.x, item.y), item.r, facecolor=item.fill, edgecolor=item.stroke,
                                 linewidth=0.8 * pt))
        elif isinstance(item, D.Text):
            ax.text(item.x, item.y, item.text, fontsize=item.size * pt, ha=HA[item.anchor], va="baseline", color=item.fill, fontweight="bold" if item.bold else "normal")

    for item in drawing.items:
        draw(item)
    return figure_bytes(fig, "png", dpi=dpi)
