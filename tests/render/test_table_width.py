"""The table's width budget: golden renderings at 80, 120 and 200 columns, through the CLI
with COLUMNS set as a terminal sets it, and no layer name folded when the kept columns fit.

Regenerate on purpose after an intended change to the table, then review `git diff tests/golden/table`:

    CNNCALC_REGEN=1 python -m pytest tests/render/test_table_width.py
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cnncalc import infer, load_spec
from cnncalc.render import table
from cnncalc.metrics import compute
from tests.conftest import ZOO

GOLDEN = Path(__file__).parent.parent / "golden" / "table"
REGEN = os.environ.get("CNNCALC_REGEN") == "1"
NETS = ("lenet5", "vgg16", "mobilenet_v1", "resnet50")
WIDTHS = (80, 120, 200)


def stripped(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("net", NETS)
def test_terminal_table_golden(net, width, cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("summary", ZOO / f"{net}.yaml")
    assert r.code == 0
    text = stripped(r.out)
    path = GOLDEN / f"{net}_w{width}.txt"
    if REGEN:
        path.write_text(text)
    assert text == path.read_text(), f"table changed; if intended: CNNCALC_REGEN=1 pytest {__file__}"
    assert all(len(line) <= width for line in text.splitlines())


@pytest.mark.parametrize("width", WIDTHS + (100, 121, 122, 123, 124))
@pytest.mark.parametrize("net", NETS)
def test_names_never_fold_when_the_columns_fit(net, width):
    s = infer(load_spec(str(ZOO / f"{net}.yaml")))
    m = compute(s)
    columns = table.with_inputs(s, table.DEFAULT_COLUMNS)
    kept, _, _ = table.fit(columns, table.text_rows(s, columns, m), width)
    text = table.table_text(s, width=width, metrics=m)
    lines = text.splitlines()
    widest = max(len(line) for line in lines[2:4])  # the header and its rule
    assert widest <= width
    if table.Column.NAME in kept:
        cells = {cell for line in lines for cell in line.split()}
        assert all(r.layer.name in cells for r in s.layers if " " not in r.layer.name)
