"""`--kernel` names: the course notes' names give the notes' matrices as printed (seeds 001:L35-39,
002:L59-73), `conv --help` lists them, and every name that worked before still works."""
from __future__ import annotations

import json

import pytest

# the matrices as the notes print them, copied here rather than read from cnncalc/kernels.py
NOTES = {
    "sharpen": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],  # 001:L37 "Sharpen"
    "edge": [[1, 0, -1], [0, 1, 0], [-1, 0, 1]],  # 001:L36 "Edge detection"
    "vertical": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],  # 002:L59-65 "Vertical"
    "horizontal": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],  # 002:L67-73 "Horizontal"
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],  # 001:L35
    "box_blur": [[1 / 9] * 3] * 3,  # 001:L38
    "gaussian_blur": [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],  # 001:L39
}
BEFORE = ("identity", "sharpen", "laplacian", "box_blur", "gaussian_blur", "vertical_edge", "horizontal_edge",
          "prewitt_x", "prewitt_y", "sobel_x", "sobel_y", "scharr_x", "scharr_y", "lonely", "edge_vertical",
          "edge_horizontal", "vertical", "horizontal", "prewitt", "sobel", "scharr", "gaussian", "box", "blur",
          "lonely_1")


def kernel(main, name):
    run = main("conv", "--image", "1 2 3; 4 5 6; 7 8 9", "--kernel", name, "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)["kernel"]


@pytest.mark.parametrize("name", NOTES)
def test_notes_names_give_the_notes_matrices(main, name):
    assert kernel(main, name) == NOTES[name]


@pytest.mark.parametrize("name", BEFORE)
def test_names_that_worked_before_still_work(main, name):
    assert len(kernel(main, name)) == 3


def test_the_usual_sharpen_keeps_a_name(main):
    assert kernel(main, "sharpen_classic") == [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]


def test_conv_help_lists_the_notes_names(main):
    text = " ".join(main("conv", "--help").out.replace("│", " ").split())
    for name in ("sharpen", "vertical", "horizontal", "edge", "box_blur", "gaussian_blur", "identity"):
        assert f" {name}," in text or f" {name};" in text, name


def test_sharpen_worked_cell(main):
    run = main("conv", "--image", "1 2 3; 4 5 6; 7 8 9", "--kernel", "sharpen", "--at", "0,0")
    assert "out[0,0] = 1*0 + 2*1 + 3*0 + 4*1 + 5*(-4) + 6*1 + 7*0 + 8*1 + 9*0 = 0" in run.out
