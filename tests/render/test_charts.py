"""The report's charts, drawn as SVG by cnncalc/render/charts.py: well-formed whatever the names,
every layer on the axis, the same scales and totals as the matplotlib charts of `cnncalc plot`."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from cnncalc import api
from cnncalc.render import charts
from tests.conftest import ZOO


def test_vgg16_every_layer_named_log_scales_and_totals():
    s = api.summarize(str(ZOO / "vgg16.yaml"))
    svg, width, height = charts.chart_svg(s.result, s.metrics)
    ET.fromstring(svg)
    for r in s.layers:
        assert f"{r.layer.name} ({r.layer.kind})" in svg
    assert "Parameters (log scale)" in svg and "total 138M" in svg
    assert "MACs (multiply-accumulates) (log scale)" in svg and "total 15.5G" in svg
    assert height < width


HOSTILE = ['a"b', "</svg><script>x</script>", "&amp;", "$\\frac{1}{2}$", "tab\there", "nul\x00", "esc\x1b[31m",
           "new\nline", "\u202eevil", "x" * 300]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_stay_text(name):
    spec = (f"name: {json.dumps(name)}\ninput: [8, 8, 3]\nlayers:\n"
            f"  - conv2d: {{filters: 4, kernel: 3, name: {json.dumps(name)}}}\n  - relu\n")
    s = api.summarize(api.load(spec))
    svg, _, _ = charts.chart_svg(s.result, s.metrics)
    root = ET.fromstring(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "\x00" not in svg and "\x1b" not in svg


@pytest.mark.parametrize("n", [1, 41, 301, 2001])
def test_long_nets_have_a_bounded_height(n):
    spec = "input: [8, 8, 3]\nlayers:\n" + "  - conv2d: {filters: 3, kernel: 1}\n" * n
    s = api.summarize(api.load(spec))
    svg, width, height = charts.chart_svg(s.result, s.metrics)
    ET.fromstring(svg)
    from cnncalc.render.plot import MAX_TICKS
    rows = max(charts.ROW_LONG * MAX_TICKS, charts.ROW * 40, charts.SHORT_MIN)  # the tallest the rows get
    assert height <= charts.TOP + charts.BOTTOM + rows + 1
    assert ("<title>" in svg.split("</title>", 1)[1]) == (n <= charts.TOOLTIPS)
