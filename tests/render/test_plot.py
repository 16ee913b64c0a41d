"""Charts and pictures drawn with matplotlib (the optional extra cnncalc[plot])."""
from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

import cnncalc
import cnncalc.metrics
from cnncalc import infer, load_spec
from tests.conftest import ZOO

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_MAGIC
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("n, text", [
    (0, "0"), (999, "999"), (1_000, "1k"), (61_706, "61.7k"), (138_357_544, "138M"),
    (15_470_264_320, "15.5G"),
])
def test_human(n, text):
    from cnncalc.render.plot import human
    assert human(n) == text


@pytest.mark.parametrize("values, log", [
    ([1, 100], False),          # 100 / 1 is not more than 100
    ([1, 101], True),
    ([0, 0, 5, 600], True),     # zeros (no weights) are left out of the ratio
    ([0, 0], False),
    ([3_211_264, 25_088], True),
])
def test_log_scale_when_range_is_wide(values, log):
    from cnncalc.render.plot import Series, panel
    assert panel(Series("params", "Parameters", "params", tuple(values)), len(values)).log is log


def test_series_come_from_infer():
    from cnncalc.render import plot
    s = cnncalc.summarize(ZOO / "lenet5.yaml")
    assert plot.series(s.result, s.metrics, "params").values == (156, 0, 2_416, 0, 0, 48_120, 10_164, 850)
    assert plot.series(s.result, s.metrics, "activations").values == (
        28*28*6, 14*14*6, 10*10*16, 5*5*16, 400, 120, 84, 10)


def test_macs_from_the_metrics_given(monkeypatch):
    from cnncalc.render import charts, plot
    s = cnncalc.summarize(ZOO / "vgg16.yaml")
    monkeypatch.setattr(cnncalc.metrics, "layer_macs", lambda *a: pytest.fail("a chart computed MACs"))
    monkeypatch.setattr(cnncalc.metrics, "compute", lambda *a, **k: pytest.fail("a chart computed metrics"))
    assert sum(plot.series(s.result, s.metrics, "macs").values) == 15_470_264_320  # VGG-16: 15.47 G MACs
    assert "total 15.5G" in charts.chart_svg(s.result, s.metrics)[0]


@pytest.mark.parametrize("net, chart, fmt", [
    ("lenet5.yaml", "params", "svg"), ("lenet5.yaml", "params", "png"),
    ("lenet5.yaml", "activations", "png"), ("lenet5.yaml", "diagram", "png"),
    ("signal1d.yaml", "activations", "svg"), ("signal1d.yaml", "diagram", "svg"),
    pytest.param("vgg16.yaml", "all", "png", marks=pytest.mark.slow),
    pytest.param("vgg16.yaml", "diagram", "png", marks=pytest.mark.slow),
])
def test_plot_command_writes_one_picture(cli, tmp_path, net, chart, fmt):
    pytest.importorskip("matplotlib")
    out = tmp_path / f"net.{fmt}"
    r = cli("plot", ZOO / net, "-o", out, "--chart", chart)
    assert r.code == 0 and r.out == f"wrote {out}\n", r.err
    data = out.read_bytes()
    if fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg") and len(list(root.iter())) > 20
    else:
        w, h = png_size(data)
        assert w > 300 and h > 150


def test_macs_chart(cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "macs.svg"
    r = cli("plot", ZOO / "vgg16.yaml", "-o", out, "--chart", "macs")
    assert r.code == 0
    svg = out.read_text()
    ET.fromstring(svg)
    assert "MACs (multiply-accumulates) (log scale)" in svg and "total 15.5G" in svg


def test_chart_svg_names_every_layer():
    pytest.importorskip("matplotlib")
    from cnncalc.render import plot
    s = cnncalc.summarize(ZOO / "vgg16.yaml")
    summary = s.result
    svg = plot.chart_bytes(summary, s.metrics, "params", "svg").decode()
    ET.fromstring(svg)
    for r in summary.layers:
        assert f"{r.layer.name} ({r.layer.kind})" in svg  # svg.fonttype none keeps text as text
    assert "Parameters (log scale)" in svg and "total 138M" in svg


def test_diagram_png_is_twice_the_svg_size():
    pytest.importorskip("matplotlib")
    from cnncalc.render import diagram, plot
    summary = infer(load_spec(str(ZOO / "lenet5.yaml")))
    drawing = diagram.layout(summary)
    w, h = png_size(plot.diagram_png(summary))
    assert (w, h) == pytest.approx((2 * drawing.width, 2 * drawing.height), abs=2)


def test_report_with_charts(cli, tmp_path):
    pytest.importorskip("matplotlib")
    from tests.render.test_report import check_html
    out = tmp_path / "vgg16.html"
    r = cli("report", ZOO / "vgg16.yaml", "-o", out)
    assert r.code == 0
    html = out.read_text()
    parser = check_html(html)
    assert "charts-img" in parser.ids and 'src="data:image/svg+xml;base64,' in html
    assert "charts-missing" not in parser.ids
