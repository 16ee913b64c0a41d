"""Every recorded CLI output (tests/regression/outputs.json) is reproduced exactly.

The goldens were recorded before the kinds redesign; regenerate them on purpose, when an output
is meant to change, with `python tests/regression/make_regression.py`, and say why in the commit.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.regression.make_regression import OUT, ROOT, run

CASES = json.loads(OUT.read_text())
SMALL = {"lenet5", "lenet_homework", "signal1d", "unet_small"}


def heavy(args: list[str]) -> bool:
    """verify and solve input on the ImageNet-size zoo: seconds each, the full suite only."""
    return args[0] in ("verify", "solve") and any(a.startswith("architectures/") and Path(a).stem not in SMALL
                                                   for a in args)


@pytest.mark.parametrize("case", [pytest.param(c, id=" ".join(c["args"][:2]) + f"#{i}",
                                               marks=[pytest.mark.slow] if heavy(c["args"]) else [])
                                  for i, c in enumerate(CASES)])
def test_output_unchanged(case, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "120")
    got = run(case["args"])
    assert (got["code"], got["err"]) == (case["code"], case["err"])
    assert got["out"] == case["out"]
