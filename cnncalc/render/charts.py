"""The report's per-layer charts as SVG, drawn without matplotlib (as the diagram is).

The same charts as `cnncalc plot --chart all`: one horizontal bar per layer, a panel per metric
(activation size, parameters, MACs) sharing the layer axis, a log scale where the non-zero
values span more than plot.LOG_RATIO, each panel titled with its total. The values come from
plot.series (infer and metrics); this module only draws them. Importing matplotlib takes most
of a second, so the report no longer needs it.
"""
from __future__ import annotations

import math

from .diagram import FONT, escape
from ..infer import Summary
from .plot import CHARTS, MAX_TICKS, human, panel, series

PANEL, GAP, TOP, BOTTOM = 300, 28, 78, 30   # px
ROW, ROW_LONG, SHORT_MIN = 14.0, 9.0, 200   # a layer's row: up to 40 layers, beyond; a short net's rows' least
TOOLTIPS = 2000  # layers with a hover title each, at most (the file grows with each)


def _ticks(lo: float, hi: float, log: bool) -> list[float]:
    """Tick values inside [lo, hi]: powers of ten on a log scale, else 1/2/5 steps."""
    if log:
        return [10.0 ** e for e in range(math.ceil(math.log10(lo)), math.floor(math.log10(hi)) + 1)]
    raw = hi / 4
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(hi // step) + 1)]


def _short(name: str, most: int = 60) -> str:
    return name if len(name) <= most else name[:most - 1] + "\u2026"


def chart_svg(summary: Summary, metrics, charts=None) -> tuple[str, float, float]:
    """The charts (all of plot.CHARTS by default) as one SVG document, with its width and height
    in px; `metrics` is metrics.compute's result."""
    data = [series(summary, metrics, c) for c in charts or CHARTS]
    names = [f"{r.layer.name} ({r.layer.kind})" for r in summary.layers]
    n = len(names)
    row = max(ROW, SHORT_MIN / max(n, 1)) if n <= 40 else ROW_LONG if n <= MAX_TICKS else ROW_LONG * MAX_TICKS / n
    font = 10 if n <= 40 else 7
    step = -(-n // MAX_TICKS)  # very long nets: every step-th layer named
    left = 12 + max((len(_short(s)) for s in names[::step]), default=0) * font * 0.6
    height = TOP + BOTTOM + row * max(n, 1)
    width = left + len(data) * (PANEL + GAP)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" id="charts" viewBox="0 0 {width:.0f} {height:.0f}" '
           f'width="{width:.0f}" height="{height:.0f}" role="img" font-family="{FONT}" '
           f'aria-label="{escape(summary.spec.name)}: per layer"><title>{escape(summary.spec.name)}: per layer</title>'
           f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>'
           f'<text x="{width / 2:.1f}" y="16" font-size="13" text-anchor="middle">'
           f'{escape(summary.spec.name)}: per layer</text>']
    for i in range(0, n, step):
        y = TOP + row * (i + 0.5)
        out.append(f'<text x="{left - 6:.1f}" y="{y:.1f}" font-size="{font}" text-anchor="end" '
                   f'dominant-baseline="central">{escape(_short(names[i]))}</text>')
    for k, s in enumerate(data):
        x0 = left + k * (PANEL + GAP)
        p = panel(s, n)
        vals, log, lo, hi = p.values, p.log, p.lo, p.hi
        nz = any(vals)

        def x(v: float) -> float:
            if log:
                return x0 + PANEL * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
            return x0 + PANEL * v / hi
        out.append(f'<text x="{x0 + PANEL / 2:.1f}" y="38" font-size="11" text-anchor="middle">{escape(p.title)}</text>'
                   f'<text x="{x0 + PANEL / 2:.1f}" y="52" font-size="10" text-anchor="middle">{escape(p.subtitle)}</text>')
        for t in _ticks(lo or 1, hi, log) if nz else []:
            tx = x(t)
            out.append(f'<line x1="{tx:.1f}" y1="{TOP - 4}" x2="{tx:.1f}" y2="{height - BOTTOM:.1f}" stroke="#dddddd" '
                       f'stroke-width="0.6"/><text x="{tx:.1f}" y="{TOP - 8}" font-size="8" text-anchor="middle">'
                       f'{human(t)}</text>')
        out.append(f'<line x1="{x0:.1f}" y1="{TOP - 4}" x2="{x0:.1f}" y2="{height - BOTTOM:.1f}" stroke="#333333" stroke-width="0.8"/>')
        for i, (v, raw) in enumerate(zip(vals, s.values)):
            y = TOP + row * i
            if v:
                tip = f"<title>{escape(names[i])}: {v:,}</title>" if n <= TOOLTIPS else ""
                out.append(f'<rect x="{x0:.1f}" y="{y + row * 0.14:.2f}" width="{max(x(v) - x0, 0.5):.1f}" '
                           f'height="{row * 0.72:.2f}" fill="{p.colour}">{tip}</rect>')
            if n <= 40 and (v or raw is None):
                out.append(f'<text x="{(x(v) if v else x0) + 3:.1f}" y="{y + row / 2:.1f}" font-size="8" '
                           f'dominant-baseline="central" fill="#333333">{"?" if raw is None else human(v)}</text>')
    out.append("</svg>\n")
    return "".join(out), width, height
