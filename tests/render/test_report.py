"""The HTML report and the SVG diagram: valid, self-contained, complete; no matplotlib needed."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser

import pytest

from cnncalc.metrics import compute
from cnncalc import infer, load_spec
from cnncalc.render import table
from cnncalc.render import diagram as D
from cnncalc.kinds import Activation, BatchNorm, Conv, Dense, GlobalPool, Layer
from cnncalc.kinds.base import no_params
from cnncalc.spec import Spec
from tests.conftest import ROOT, ZOO

ZOO_FILES = sorted(p.name for p in ZOO.glob("*.yaml"))
SVG = "{http://www.w3.org/2000/svg}"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Balance(HTMLParser):
    """Checks every non-void element is closed in order; collects URL-bearing attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self._attrs(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):  # <polygon .../> inside inline SVG
        self._attrs(attrs)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'} at {self.getpos()}")
        else:
            self.stack.pop()

    def _attrs(self, attrs):
        for key, value in attrs:
            if key in ("src", "href", "xlink:href", "action", "poster", "data") and value:
                self.urls.append(value)
            if key == "id":
                self.ids.add(value)


def check_html(html: str) -> Balance:
    parser = Balance()
    parser.feed(html)
    parser.close()
    assert parser.errors == [] and parser.stack == [], (parser.errors, parser.stack)
    assert html.startswith("<!DOCTYPE html>")
    # self-contained: nothing fetched from the network
    assert [u for u in parser.urls if re.match(r"\s*(https?:)?//", u)] == []
    assert re.search(r"url\(\s*['\"]?\s*(https?:)?//", html) is None
    assert re.search(r"@import", html) is None
    return parser


@dataclass(frozen=True, kw_only=True)
class FakeAdd(Layer):
    """A merge for these tests, so they do not depend on which merge kinds exist."""
    MULTI_INPUT = True
    params = no_params

    def output_shape(self, inp):
        return inp[0]

    def macs(self, r):
        return None  # the fake has no formula: unknown

    def flops(self, r):
        return None

    def rf(self, r, ins):
        return None


def branched(blocks: int = 2) -> Spec:
    """A small ResNet-like net: stem, then blocks of conv-bn-relu-conv-bn + shortcut, add, relu;
    the first block has a 1x1 projection shortcut, the others are identities."""
    layers: list[Layer] = []

    def add(cls, kind, **kw):
        layers.append(cls(kind=kind, index=len(layers) + 1, name=kw.pop("name", f"{kind}_{len(layers) + 1}"), **kw))
        return layers[-1].name

    x = add(Conv, "conv2d", filters=16, kernel=3, padding=1)
    for b in range(blocks):
        inp = x
        y = add(Conv, "conv2d", filters=32, kernel=3, padding=1, inputs=(inp,))
        y = add(BatchNorm, "batchnorm")
        y = add(Activation, "relu")
        y = add(Conv, "conv2d", filters=32, kernel=3, padding=1)
        y = add(BatchNorm, "batchnorm")
        sc = add(Conv, "conv2d", filters=32, kernel=1, inputs=(inp,), name=f"proj{b}") if b == 0 else inp
        x = add(FakeAdd, "add", inputs=(y, sc), name=f"add{b}")
        x = add(Activation, "relu")
    add(GlobalPool, "global_avgpool")
    add(Dense, "dense", units=10)
    return Spec("branched", (32, 32, 3), tuple(layers))


# ---- the diagram ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ZOO_FILES)
def test_diagram_svg_parses_and_has_every_layer(name):
    summary = infer(load_spec(str(ZOO / name)))
    svg = D.diagram_svg(summary)
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    nodes = [g for g in root.iter(SVG + "g") if "node" in g.get("class", "")]
    assert len(nodes) == len(summary.layers) + 1  # the input too
    titles = [g.find(SVG + "title").text for g in nodes]
    for r, title in zip(summary.layers, titles[1:]):
        assert title.startswith(f"{r.layer.name} ({r.layer.kind})")
    texts = {t.text for t in root.iter(SVG + "text")}
    for r in summary.layers:
        assert D.shape_text(r.output_shape) in texts and r.layer.kind in texts


@pytest.mark.parametrize("shape, text", [
    ((224, 224, 64), "224\u00d7224\u00d764"),
    ((4096,), "4096"),
    ((100, 16), "100\u00d716"),
    ((8, 32, 32, 3), "8\u00d732\u00d732\u00d73"),
])
def test_shape_text(shape, text):
    assert D.shape_text(shape) == text


@pytest.mark.parametrize("shape, h, w", [
    ((224, 224, 64), min(D.MAX_H, 12 + 14 * math.log2(224)), 4 + 3 * math.log2(64)),
    ((7, 7, 512), 12 + 14 * math.log2(7), 4 + 3 * math.log2(512)),
    ((1, 1, 1024), 12 + 14 * 0, 4 + 3 * math.log2(1024)),
    ((4096,), 12 + 8 * math.log2(4096), 7),         # flat: a thin bar
    ((25088,), D.MAX_H, 7),                           # capped
    ((100, 16), 12 + 14 * math.log2(100), 4 + 3 * math.log2(16)),
])
def test_block_size_is_log_spatial_by_log_depth(shape, h, w):
    n = D.Node(1, "x", "conv2d" if len(shape) > 1 else "dense", shape, 0, [0])
    D._size(n)
    assert (n.h, n.w) == pytest.approx((h, w))


def test_vgg16_wraps_into_rows_within_the_width():
    summary = infer(load_spec(str(ZOO / "vgg16.yaml")))
    drawing = D.layout(summary, max_width=1100)
    assert drawing.width <= 1100
    nodes = D.graph(summary)
    D.assign_lanes(nodes)
    assert {n.lane for n in nodes} == {0}                       # a chain: one lane
    assert [n.col for n in nodes] == list(range(len(nodes)))    # one column per layer
    root = ET.fromstring(D.to_svg(drawing))
    ys = sorted({float(t.get("y")) for t in root.iter(SVG + "text") if t.text == "conv2d"})
    assert len(ys) >= 2                                          # wrapped onto a second row
    narrow = D.layout(summary, max_width=500)
    assert narrow.width <= 500 and narrow.height > drawing.height


def test_branches_get_lanes_and_merges_are_circles():
    summary = infer(branched(2))
    nodes = D.graph(summary)
    D.assign_lanes(nodes)
    by = {n.name: n for n in nodes}
    assert by["proj0"].lane == 1                        # the projection runs beside the main path
    assert by["proj0"].col == by["conv2d_2"].col        # in parallel with the first conv
    assert by["add0"].lane == by["add1"].lane == 0      # merges return to the main path
    assert by["add0"].inputs == [by["batchnorm_6"].index, by["proj0"].index]
    assert by["add1"].inputs == [by["batchnorm_14"].index, by["relu_9"].index]  # identity shortcut
    assert by["add0"].col == max(by["batchnorm_6"].col, by["proj0"].col) + 1
    root = ET.fromstring(D.diagram_svg(summary))
    merges = [g for g in root.iter(SVG + "g") if "merge" in g.get("class", "")]
    assert len(merges) == 2 and all(g.find(SVG + "circle") is not None for g in merges)
    # every edge is drawn: one polyline per (input, layer) pair
    edges = sum(len(n.inputs) for n in nodes)
    assert len(list(root.iter(SVG + "polyline"))) == edges
    # skip connections and branches are red, the main path grey
    colours = [p.get("stroke") for p in root.iter(SVG + "polyline")]
    assert colours.count("#c0392b") == 3  # projection out, projection in, identity skip


def test_inception_like_fan_out_uses_one_lane_per_branch():
    layers = [Conv(kind="conv2d", index=1, name="stem", filters=8, kernel=1)]
    for i in range(4):
        layers.append(Conv(kind="conv2d", index=len(layers) + 1, name=f"b{i}", filters=4, kernel=1,
                           inputs=("stem",)))
    layers.append(FakeAdd(kind="concat", index=len(layers) + 1, name="cat", inputs=("b0", "b1", "b2", "b3")))
    nodes = D.graph(infer(Spec("fan", (8, 8, 3), tuple(layers))))
    D.assign_lanes(nodes)
    assert [n.lane for n in nodes] == [0, 0, 0, 1, 2, 3, 0]
    assert [n.col for n in nodes] == [0, 1, 2, 2, 2, 2, 3]


# ---- the HTML report -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["lenet5.yaml", "vgg16.yaml", "signal1d.yaml", "mobilenet_v1.yaml"])
def test_report_is_valid_self_contained_and_complete(name):
    from cnncalc.render import report

    summary = infer(load_spec(str(ZOO / name)))
    text = (ZOO / name).read_text()
    html, _ = report.build(summary, compute(summary), text, charts=False)
    parser = check_html(html)
    assert {"architecture", "summary-table", "totals", "spec"} <= parser.ids
    for r in summary.layers:
        assert f'<td class="col-name">{escape(r.layer.name)}</td>' in html
    ms = compute(summary)
    for line in table.totals_lines(summary, ms):   # the totals, exactly as `cnncalc summary` words them
        assert escape(line) in html
    assert escape(text) in html                  # the spec itself
    columns = report.table_columns(summary)
    assert set(table.DEFAULT_COLUMNS) <= set(columns)
    for row in table.text_rows(summary, columns, ms):  # the table is render's, cell for cell
        assert "".join(f'<td class="col-{c.value}{" num" if c in table.NUMERIC else ""}">{escape(cell)}</td>'
                       for c, cell in zip(columns, row)) in html


def test_report_of_a_branched_net():
    from cnncalc.render import report

    summary = infer(branched(3))
    html, _ = report.build(summary, compute(summary), "(built in the test)", charts=False)
    check_html(html)
    assert all(escape(r.layer.name) in html for r in summary.layers)


def test_vgg16_totals_in_report(cli, tmp_path):
    out = tmp_path / "vgg16.html"
    r = cli("report", ZOO / "vgg16.yaml", "-o", out, "--no-charts")
    assert r.code == 0 and f"wrote {out}" in r.out
    html = out.read_text()
    check_html(html)
    assert "138,357,544" in html  # keras.applications.VGG16 / torchvision vgg16 parameter count
    assert "15,470,264,320" in html  # VGG-16 MACs at 224x224 (15.47 G; the zoo file's comment)
    assert "Charts left out" in html


def test_report_default_output_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("report", ZOO / "lenet5.yaml", "--no-charts")
    assert r.code == 0 and (tmp_path / "lenet5.html").exists()


@pytest.mark.parametrize("args, message", [
    (["report", "missing.yaml"], "missing.yaml: no such file"),
    (["report", "{zoo}/lenet5.yaml", "-o", "/nonexistent-dir/x.html"], "cannot write /nonexistent-dir/x.html"),
    (["plot", "{zoo}/lenet5.yaml", "-o", "net.jpg"], "suffix `.jpg`; use a .svg or .png"),
    (["plot", "{zoo}/lenet5.yaml", "-o", "net.svg", "--chart", "pie"], "Invalid value for '--chart'"),
])
def test_bad_arguments_are_one_line(main, tmp_path, args, message):
    r = main(*[a.format(zoo=ZOO) for a in args])
    assert r.code == 2 and "Traceback" not in r.err and message in r.err
    assert len(r.err.strip().splitlines()) == 1


def test_bad_spec_is_one_line(main, spec_file):
    r = main("report", spec_file("input: [5, 5, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 7}\n"))
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


# ---- without matplotlib --------------------------------------------------------------------

NO_MPL = "import sys; sys.modules['matplotlib'] = None; sys.argv[0] = 'cnncalc'; " \
         "from cnncalc.cli import main; main()"


def run_without_matplotlib(tmp_path, *args):
    import os
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", NO_MPL, *map(str, args)], capture_output=True, text=True,
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    return p


@pytest.mark.parametrize("args", [
    ["plot", "{zoo}/vgg16.yaml", "-o", "p.png", "--chart", "params"],
    ["plot", "{zoo}/vgg16.yaml", "-o", "p.svg", "--chart", "activations"],
    ["plot", "{zoo}/vgg16.yaml", "-o", "p.svg", "--chart", "macs"],
    ["plot", "{zoo}/vgg16.yaml", "-o", "p.png", "--chart", "all"],
    ["plot", "{zoo}/vgg16.yaml", "-o", "p.png"],  # the diagram as PNG is drawn by matplotlib
])
def test_plot_without_matplotlib_says_what_to_install(tmp_path, args):
    p = run_without_matplotlib(tmp_path, *[a.format(zoo=ZOO) for a in args])
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.count("\n") == 1 and "pip install 'cnncalc[plot]'" in p.stderr
    assert not (tmp_path / args[3]).exists()


def test_diagram_svg_and_report_need_no_matplotlib(tmp_path):
    p = run_without_matplotlib(tmp_path, "plot", ZOO / "lenet5.yaml", "-o", "net.svg")
    assert p.returncode == 0, p.stderr
    ET.parse(tmp_path / "net.svg")
    p = run_without_matplotlib(tmp_path, "report", ZOO / "lenet5.yaml", "-o", "r.html")
    assert p.returncode == 0 and "Traceback" not in p.stderr and "charts" not in p.stderr
    html = (tmp_path / "r.html").read_text()
    check_html(html)
    assert 'id="charts-img"' in html and 'id="architecture"' in html and "61,706" in html


def test_cli_module_does_not_import_matplotlib():
    import subprocess
    import sys

    code = "import sys, cnncalc.cli, cnncalc.render.report, cnncalc.render.diagram; " \
           "print('matplotlib' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert p.stdout.strip() == "False", p.stderr


@pytest.mark.parametrize("command", ["report", "plot"])
def test_help_has_an_example(cli, command):
    r = cli(command, "--help")
    assert r.code == 0 and "Example: cnncalc " + command in r.out
    assert "'cnncalc[plot]'" in r.out  # rich markup would swallow an unescaped [plot]


def test_print_layout_of_short_and_tall_figures(spec_file):
    """A diagram that fits a printed page is kept whole; a taller one starts a page and is
    sliced across pages (print CSS), its heading left out."""
    from cnncalc.render import report

    short = infer(load_spec(str(ZOO / "vgg16.yaml")))
    html, _ = report.build(short, compute(short), "", charts=False)
    assert '<section id="architecture-section">' in html and '<figure class="keep">' in html
    long_text = "input: [32, 32, 3]\nlayers:\n" + "  - conv2d: {filters: 8, kernel: 3, padding: 1}\n" * 300
    tall = infer(load_spec(str(spec_file(long_text))))
    html, _ = report.build(tall, compute(tall), long_text, charts=False)
    assert '<section id="architecture-section" class="tall">' in html
    assert "section.tall > h2 { display: none; }" in html and "@media print" in html


@pytest.mark.parametrize("name, merges, lanes, inputs", [
    # ResNet-50: 3+4+6+3 = 16 bottlenecks, each ending in an add; the projection shortcut
    # (downsample conv + bn) of each stage's first block runs in a second lane
    ("resnet50.yaml", 16, 2, 2),
    # GoogLeNet: 9 inception modules, each a concat of 4 parallel branches
    ("googlenet.yaml", 9, 4, 4),
    # U-Net (small): 3 decoder concats of the upsampled map and the encoder's skip
    ("unet_small.yaml", 3, 1, 2),
])
def test_branched_zoo_diagrams(name, merges, lanes, inputs):
    summary = infer(load_spec(str(ZOO / name)))
    nodes = D.graph(summary)
    D.assign_lanes(nodes)
    merge_nodes = [n for n in nodes if D.category(n.kind) == "merge"]
    assert len(merge_nodes) == merges and {len(n.inputs) for n in merge_nodes} == {inputs}
    assert max(n.lane for n in nodes) + 1 == lanes
    assert all(n.lane == 0 for n in merge_nodes)        # merges sit on the main path
    for n, r in zip(nodes[1:], summary.layers):          # edges are infer's resolved sources
        assert [nodes[i].name for i in n.inputs] == list(r.sources)
    root = ET.fromstring(D.diagram_svg(summary))
    assert len([g for g in root.iter(SVG + "g") if "merge" in g.get("class", "")]) == merges
    assert len(list(root.iter(SVG + "polyline"))) == sum(len(n.inputs) for n in nodes)


def test_report_of_resnet50_shows_connections():
    from cnncalc.render import report

    summary = infer(load_spec(str(ZOO / "resnet50.yaml")))
    html, _ = report.build(summary, compute(summary), "", charts=False)
    check_html(html)
    assert "Connected to" in html and "25,557,032" in html  # torchvision resnet50 parameters
    assert '<td class="col-inputs">layer1.block1.bn3, layer1.block1.downsample_bn</td>' in html
