"""The report rendered by a real browser (Debian's headless chromium): the diagram and the charts
are laid out with a real size, on the page, and the screenshot is not blank.

Skipped, with the reason, when chromium is not installed (`.ci/run` installs it).
"""
from __future__ import annotations

import html as htmllib
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from cnncalc.metrics import compute
from cnncalc import infer, load_spec
from tests.conftest import ZOO

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (Debian: "
                                "apt-get install chromium); the browser test needs it")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]
WIDTH = 1280

# Added to a copy of the report (the report itself has no script): measures what is laid out.
PROBE = """<script>
window.addEventListener('load', function () {
  function box(el) { if (!el) return null; var r = el.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height}; }
  var svg = document.querySelector('svg#architecture'), img = document.getElementById('charts-img');
  var out = {svg: box(svg), nodes: svg ? svg.querySelectorAll('g.node').length : 0,
             img: box(img), natural: img ? [img.naturalWidth, img.naturalHeight, img.complete] : null,
             rows: document.querySelectorAll('#summary-table tbody tr').length,
             page: [document.documentElement.scrollWidth, document.documentElement.scrollHeight]};
  var pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def chromium(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, url],
                          capture_output=True, text=True, timeout=120)


def png_pixels(path: Path):
    """(width, height, RGB array or None when matplotlib is absent to decode it)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    w, h = struct.unpack(">II", data[16:24])
    try:
        import matplotlib.image as mpimg
    except ImportError:
        return w, h, None
    return w, h, mpimg.imread(str(path))[:, :, :3]


def ink(pixels, box) -> float:
    """Share of the pixels inside box that are not (near) white."""
    y0, y1 = int(box["y"]), int(box["y"] + box["h"])
    x0, x1 = int(box["x"]), int(box["x"] + box["w"])
    region = pixels[y0:y1, x0:x1]
    return float((region.min(axis=2) < 0.9).mean())


def branched_report() -> tuple[str, int]:
    from cnncalc.render import report
    from tests.render.test_report import branched
    summary = infer(branched(4))
    return report.build(summary, compute(summary), "(built in the test)")[0], len(summary.layers)


def zoo_report(name: str) -> tuple[str, int]:
    from cnncalc.render import report
    path = ZOO / name
    if not path.exists():
        pytest.skip(f"{path.name} is not in the zoo of this checkout (issue 7 adds ResNet-50)")
    summary = infer(load_spec(str(path)))
    return report.build(summary, compute(summary), path.read_text())[0], len(summary.layers)


# A small branched net stands in for ResNet-50 where the zoo does not have it yet.
NETS = ["lenet5.yaml", "vgg16.yaml", "resnet50.yaml"] + ([] if (ZOO / "resnet50.yaml").exists() else ["branched"])


@pytest.mark.parametrize("net", NETS)
def test_report_renders_in_chromium(tmp_path, net):
    html, nlayers = branched_report() if net == "branched" else zoo_report(net)
    has_charts = 'id="charts-img"' in html
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", PROBE + "</body>"))

    dom = chromium(tmp_path, page.as_uri(), "--virtual-time-budget=10000", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.S)
    assert found, "the page did not finish loading: " + dom.stdout[:500]
    probe = json.loads(htmllib.unescape(found.group(1)))
    assert probe["nodes"] == nlayers + 1 and probe["rows"] == nlayers + 1
    svg = probe["svg"]
    assert svg["w"] > 300 and svg["h"] > 100 and svg["x"] >= 0 and svg["x"] + svg["w"] <= WIDTH
    if has_charts:
        img = probe["img"]
        w, h, complete = probe["natural"]
        assert complete and w > 300 and h > 150, "the chart image did not decode"
        assert img["w"] > 300 and img["h"] > 150 and img["x"] + img["w"] <= WIDTH
    assert probe["page"][0] <= WIDTH  # nothing pushes the page wider than the window

    # a screenshot as tall as the page, so the charts below the diagram are on it too
    height = min(max(2000, probe["page"][1]), 16000)
    shot = tmp_path / "shot.png"
    r = chromium(tmp_path, page.as_uri(), f"--window-size={WIDTH},{height}", f"--screenshot={shot}")
    assert r.returncode == 0 and shot.exists(), r.stderr[-2000:]
    w, h, pixels = png_pixels(shot)
    assert (w, h) == (WIDTH, height)
    if pixels is None:
        assert shot.stat().st_size > 20_000  # a blank page compresses to a few KiB
        return
    assert ink(pixels, {"x": 0, "y": 0, "w": WIDTH, "h": height}) > 0.03
    assert ink(pixels, svg) > 0.05           # the diagram's blocks and labels are drawn
    if has_charts:
        assert ink(pixels, probe["img"]) > 0.05  # so are the bars
