"""One self-contained HTML report: totals, the architecture diagram, per-layer charts, the
summary table and the spec text.

Self-contained means viewable offline: CSS is inline, the diagram is inline SVG, the charts are
`data:` URIs (SVG drawn by cnncalc.render.charts), and nothing refers to a network address. The table and
totals come from render.table (text_rows, HEADERS, totals_lines); nothing is recomputed here.
The report needs no matplotlib.
"""
from __future__ import annotations

import base64
from html import escape as _html_escape

from ..version import __version__
from . import table
from ..infer import Summary
from ..shapes import fmt_shape
from ..errors import visible


def escape(text, keep: str = "\t\n\r") -> str:
    """Text for SVG/HTML: control characters shown escaped (`\\x1b`), so the file stays
    well-formed XML, then HTML-escaped."""
    return _html_escape(visible(text, keep))

PAGE_RATIO = 1.3  # a figure at most this tall for its width stays on one printed page

CSS = """
:root { --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --soft: #f6f8fa; --accent: #2f6fb3; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub { color: var(--muted); margin: 0 0 18px; }
nav { display: flex; gap: 18px; flex-wrap: wrap; font-size: .95rem; margin-bottom: 8px; }
nav a { color: var(--accent); text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; margin: 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
.card dt { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
.card dd { margin: 2px 0 0; font-size: 1.25rem; overflow-wrap: anywhere; font-weight: 600; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
figcaption, .note { color: var(--muted); font-size: .9rem; margin-top: 6px; }
.note { border-left: 3px solid #e0a800; background: #fff8e1; padding: 8px 12px; color: var(--ink); }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
svg.diagram, img.chart { display: block; max-width: 100%; height: auto; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; font-size: .82rem; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid #eaeef2; text-align: left; }
td { white-space: nowrap; }
th { white-space: nowrap; }
td.col-inputs { white-space: normal; overflow-wrap: anywhere; min-width: 10em; }
th { background: var(--soft); position: sticky; top: 0; font-weight: 600; }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) { background: #fbfcfd; }
tbody tr:hover { background: #eef5ff; }
ul.totals { list-style: none; padding: 0; margin: 12px 0 0; font-size: .92rem; }
ul.totals li { padding: 2px 0; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px;
      overflow-x: auto; font-size: .82rem; line-height: 1.4; }
footer { color: var(--muted); font-size: .8rem; margin-top: 36px; }
@media print {
  @page { margin: 12mm; }
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure.keep, figcaption, .card, ul.totals { break-inside: avoid; page-break-inside: avoid; }
  /* a figure taller than a page starts a page and is sliced across pages; Chrome would move it
     off the page its heading is on anyway, so the heading is left out (the figure has a legend) */
  section.tall { break-before: page; page-break-before: always; }
  section.tall > h2 { display: none; }
  .scroll { overflow: visible; border: none; }
  th { position: static; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 7.5pt; }
  th, td { padding: 1px 5px; white-space: normal; }
  pre { white-space: pre-wrap; font-size: 7.5pt; break-inside: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _cards(summary: Summary, macs_total: int | None) -> str:
    t = summary.totals
    cards = [("Total params", table.num(t.params)),
             ("Trainable params", table.num(t.trainable_params)),
             ("Activations", f"{table.num(t.activation_size)}"),
             ("Params size", table.mib(t.param_bytes))]
    if macs_total is not None:
        cards.insert(2, ("MACs", table.num(macs_total)))
    return '<dl class="cards">' + "".join(
        f'<div class="card"><dt>{escape(k)}</dt><dd>{escape(v)}</dd></div>' for k, v in cards) + "</dl>"


def table_columns(summary: Summary) -> tuple:
    """`cnncalc summary`'s default columns, with "Connected to" when the net branches."""
    return table.with_inputs(summary, table.DEFAULT_COLUMNS)


def table_html(summary: Summary, metrics=None) -> str:
    """table.text_rows as an HTML table: the same cells as `cnncalc summary`."""
    columns = table_columns(summary)
    cls = [f' class="col-{c.value}{" num" if c in table.NUMERIC else ""}"' for c in columns]
    head = "".join(f"<th{k} scope=\"col\">{escape(table.HEADERS[c])}</th>" for c, k in zip(columns, cls))
    body = "".join("<tr>" + "".join(f"<td{k}>{escape(cell)}</td>" for cell, k in zip(row, cls)) + "</tr>"
                   for row in table.text_rows(summary, columns, metrics=metrics))
    totals = "".join(f"<li>{escape(line)}</li>" for line in table.totals_lines(summary, metrics=metrics))
    return (f'<div class="scroll"><table id="summary-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div><ul class="totals" id="totals">{totals}</ul>')


def charts_html(summary: Summary, metrics) -> tuple[str, bool]:
    """The charts section body, and whether the figure is taller than a printed page. The charts
    are SVG drawn by cnncalc.render.charts."""
    from . import charts, plot

    svg, width, height = charts.chart_svg(summary, metrics)
    names = {"activations": "activation size", "params": "parameters", "macs": "MACs"}
    shown = ", ".join(names[c] for c in plot.CHARTS)
    caption = (f"Per layer: {shown}. Bars share the layer axis; a panel whose values span more "
               f"than a factor of {plot.LOG_RATIO} is drawn on a log scale. Layers with no "
               f"parameters or MACs have no bar.")
    fits = height <= PAGE_RATIO * width
    keep = ' class="keep"' if fits else ""
    return (f'<figure{keep}><img class="chart" id="charts-img" alt="Per-layer charts of {escape(shown)}" '
            f'src="{data_uri(svg.encode(), "image/svg+xml")}"><figcaption>{escape(caption)}</figcaption></figure>',
            not fits)


def build(summary: Summary, metrics, spec_text: str, charts: bool = True) -> tuple[str, list[str]]:
    """The report as HTML text, and notes about what was left out (for stderr). `metrics` is
    metrics.compute's result: the report formats it and computes nothing."""
    from . import diagram

    spec = summary.spec
    notes: list[str] = []
    macs_total = metrics.totals.macs
    if charts:
        charts_body, charts_tall = charts_html(summary, metrics)
    else:
        charts_body, charts_tall = '<p class="note" id="charts-missing">Charts left out (--no-charts).</p>', False
    if len(summary.layers) > diagram.MAX_LAYERS:
        notes.append(f"the diagram is left out: {len(summary.layers):,} layers is more than {diagram.MAX_LAYERS:,}")
        svg, fits = f'<p class="note">Diagram left out: {len(summary.layers):,} layers.</p>', True
    else:
        drawing = diagram.layout(summary)
        svg = diagram.to_svg(drawing)
        fits = drawing.height <= PAGE_RATIO * drawing.width
    keep, tall = (' class="keep"', "") if fits else ("", ' class="tall"')
    title = f"{spec.name}: cnncalc report"
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="cnncalc {escape(__version__)}">
<title>{escape(title)}</title>
<style>{CSS}</style>
</head>
<body>
<main>
<header>
<h1>{escape(spec.name)}</h1>
<p class="sub">Input {escape(fmt_shape(spec.input))} (channels last) &middot; {len(summary.layers)} layers &middot;
output {escape(fmt_shape(summary.output_shape))} &middot; {escape(summary.totals.dtype)} &middot; from <code>{escape(spec.path)}</code></p>
<nav><a href="#architecture-section">Architecture</a><a href="#charts">Charts</a><a href="#table">Table</a><a href="#spec">Spec</a></nav>
{_cards(summary, macs_total)}
</header>
<section id="architecture-section"{tall}>
<h2>Architecture</h2>
<figure{keep}>
<div class="scroll">{svg}</div>
<figcaption>Each block is a layer's output, labelled with its kind and shape: height grows with
log<sub>2</sub> of the spatial size, thickness with log<sub>2</sub> of the channels; flat vectors are
bars, element-wise layers thin plates, merges circles. Grey arrows follow the main path, red arrows
branches and skip connections. Hover over a block for its name and parameter count.</figcaption>
</figure>
</section>
<section id="charts"{' class="tall"' if charts_tall else ""}>
<h2>Per-layer charts</h2>
{charts_body}
</section>
<section id="table">
<h2>Summary</h2>
{table_html(summary, metrics)}
</section>
<section id="spec">
<h2>Spec</h2>
<pre><code>{escape(spec_text)}</code></pre>
</section>
<footer>Generated by cnncalc {escape(__version__)}. Numbers are exact integers computed from the spec;
memory in binary units (KiB/MiB/GiB = 2<sup>10</sup>/2<sup>20</sup>/2<sup>30</sup> bytes).</footer>
</main>
</body>
</html>
"""
    return html, notes
