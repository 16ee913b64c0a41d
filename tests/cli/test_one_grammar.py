"""One size grammar and one flag per meaning in every command (size, solve, conv, pool), at 80
columns: `6x6` is H×W, `32x32x3` H×W×C, said on the first line; `-f` the kernel or window;
`-p` p, `same` or `valid` everywhere, `same` explained where it is used (the notes' "output =
input" at stride 1, TensorFlow's ceil(n/s) at stride s); `conv --show-padded` without a kernel."""
from __future__ import annotations

import json

import pytest

SIX = "3 0 1 2 7 4; 1 5 8 9 3 1; 2 7 2 5 1 3; 0 1 3 1 7 8; 4 2 1 6 2 8; 2 4 5 2 3 9"


def lines(run) -> list[str]:
    assert run.code == 0, run.err
    assert max(map(len, run.out.splitlines())) <= 80
    return run.out.splitlines()


# ---- size: the window slides on the spatial axes ------------------------------------------

@pytest.mark.parametrize("size, read, output", [
    ("32x32x3", "input 32×32×3 (H×W×C): the window slides on 32×32", "output: 30x30"),
    ("6x8", "input 6×8 (H×W)", "output: 4x6"),
    ("8x8x8x3", "input 8×8×8×3 (D×H×W×C): the window slides on 8×8×8", "output: 6x6x6"),
])
def test_size_reads_the_one_grammar(main80, size, read, output):
    out = lines(main80("size", size, "-f", "3"))
    assert out[0] == read and f"  {output}" in out


def test_size_of_one_number_needs_no_reading(main80):
    assert lines(main80("size", "32", "-f", "5", "-s", "2"))[0].startswith("output size of a window on 32")


def test_size_same_is_explained(main80):
    # the notes: n=6, f=3, p=1 keeps the size; same = (f-1)/2 at stride 1
    out = " ".join(lines(main80("size", "6", "-f", "3", "-p", "same")))
    assert "floor((6 + 2*1 - 3)/1) + 1 = 6" in out and "same at stride 1 keeps the size" in out and "p = 1" in out
    out = " ".join(x.strip() for x in lines(main80("size", "6", "-f", "3", "-s", "2", "-p", "same")))
    assert "TensorFlow's rule out = ceil(n/s) = ceil(6/2) = 3" in out and "not n" in out
    d = json.loads(main80("size", "6", "-f", "3", "-s", "2", "-p", "same", "--format", "json").out)
    assert d["output"] == [3] and "ceil(6/2) = 3" in d["notes"][0]
    assert main80("size", "6", "-f", "3", "-p", "valid").out == main80("size", "6", "-f", "3").out


# ---- solve: one axis, read from any size -------------------------------------------------

def test_solve_says_which_axis_it_read(main80):
    out = lines(main80("solve", "padding", "-n", "6x6x3", "-f", "3"))
    assert out[0] == "input 6×6×3 (H×W×C): one axis, n = 6" and "p = (n*s - n + f - s)/2" in out[2]
    d = json.loads(main80("solve", "kernel", "6x6", "--out", "4", "--format", "json").out)
    assert d["input_read"] == "input 6×6 (H×W): one axis, n = 6"
    r = main80("solve", "kernel", "-n", "6", "--out", "4", "-p", "valid")
    assert r.code == 0 and "f = n + 2p - (out-1)*s = 6 + 2*0 - (4-1)*1 = 3" in r.out
    r = main80("solve", "kernel", "-n", "6", "--out", "4", "-p", "same")
    assert r.code == 2 and "depends on the kernel and stride" in r.err


# ---- layer: -p same explained too ---------------------------------------------------------

def test_layer_same_is_explained(main80):
    out = " ".join(x.strip() for x in lines(main80("layer", "conv", "--input", "6x6", "-k", "1", "-f", "3",
                                                   "-s", "2", "-p", "same")))
    assert "ceil(6/2) = 3" in out and "output shape: (3, 3, 1)" in out
    out = " ".join(lines(main80("layer", "pool", "--input", "7x7", "-f", "3", "-s", "1", "-p", "same")))
    assert "same at stride 1 keeps the size, out = n = 7" in out and "output shape: (7, 7, 1)" in out


# ---- conv and pool: -f, -p same/valid ------------------------------------------------------

def test_conv_takes_f_and_same(main80):
    a = main80("conv", "--image", SIX, "-f", "vertical_edge", "-p", "same")
    b = main80("conv", "--image", SIX, "--kernel", "vertical_edge", "-p", "1")
    out = lines(a)
    assert out[:-1] == lines(b) and out[-1] == "note: same at stride 1 keeps the size, out = n = 6 (the notes' same): p = 1"
    assert main80("conv", "--image", SIX, "-f", "vertical_edge", "-p", "valid").out == \
        main80("conv", "--image", SIX, "-f", "vertical_edge").out


def test_conv_same_that_pads_unevenly_is_refused_with_the_numbers(main80):
    r = main80("conv", "--image", SIX, "-f", "vertical_edge", "-s", "2", "-p", "same")
    assert r.code == 2 and "pads (0, 1), (0, 1)" in r.err and "ceil(6/2) = 3" in r.err and "-p 0 or -p 1" in r.err
    r = main80("conv", "--image", SIX, "-f", "vertical_edge", "-p", "1x2")
    assert r.code == 2 and "padded alike on every side" in r.err


def test_pool_window_is_f_or_kernel_and_the_old_size_still_works(main80):
    image = "12 8 0 30; 20 12 0 8; 23 40 0 21; 108 32 22 12"
    f = main80("pool", "--image", image, "-f", "2", "--at", "1,0")
    assert f.out == main80("pool", "--image", image, "--kernel", "2", "--at", "1,0").out
    assert f.out == main80("pool", "--image", image, "--size", "2", "--at", "1,0").out  # hidden, deprecated
    assert "--size" not in main80("pool", "--help").out
    r = main80("pool", "--image", image, "-f", "2", "--size", "3")
    assert r.code == 2 and "given twice" in r.err


def test_pool_same(main80):
    out = lines(main80("pool", "--image", "1 2 3; 4 5 6; 7 8 9", "-f", "3", "-s", "1", "-p", "same"))
    assert "  5 6 6" in out and out[-1].startswith("note: same at stride 1 keeps the size")
    r = main80("pool", "--image", "1 2 3; 4 5 6; 7 8 9", "-f", "3", "-s", "1", "-p", "same", "--op", "avg")
    assert r.code == 2 and "Keras leaves the padded cells out" in r.err


# ---- conv --show-padded without a kernel --------------------------------------------------

def test_show_padded_alone(main80):
    # the notes: a 6x6 image padded by p = 1 is 8x8
    out = lines(main80("conv", "--image", SIX, "-p", "1", "--show-padded"))
    assert out[0] == "input (6x6):" and out[7] == "padded input (8x8), 1 zero per side:" and len(out) == 16
    assert out[8].split() == ["0"] * 8 and out[9].split() == ["0", "3", "0", "1", "2", "7", "4", "0"]
    d = json.loads(main80("conv", "--image", "1 2; 3 4", "-p", "1", "--show-padded", "--format", "json").out)
    assert d == {"input": [[1, 2], [3, 4]], "padding": 1,
                 "padded": [[0, 0, 0, 0], [0, 1, 2, 0], [0, 3, 4, 0], [0, 0, 0, 0]]}
    r = main80("conv", "--image", "1 2; 3 4")
    assert r.code == 2 and "--kernel is required" in r.err and "--show-padded" in r.err
    r = main80("conv", "--image", "1 2; 3 4", "-p", "same", "--show-padded")
    assert r.code == 2 and "-p same needs the kernel's size" in r.err


# ---- grad and conv-matrix: the same -f and -p ---------------------------------------------

def test_grad_takes_f_and_same(main80):
    a = main80("grad", "--image", "1 2 3; 4 5 6; 7 8 9", "-f", "1 0 -1; 1 0 -1; 1 0 -1", "-p", "same")
    b = main80("grad", "--image", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0 -1; 1 0 -1; 1 0 -1", "-p", "1")
    note = "  note: same at stride 1 keeps the size, out = n = 3 (the notes' same): p = 1"
    assert [x for x in lines(a) if x != note] == lines(b) and note in lines(a)
    r = main80("grad", "--image", "1 2; 3 4", "-f", "1 0; 0 1", "-p", "same")
    assert r.code == 2 and "one row more after than before" in r.err


def test_conv_matrix_f_is_the_kernel_its_length_or_values(main80):
    three = main80("conv-matrix", "-n", "8", "-f", "3", "-s", "2")
    assert three.out == main80("conv-matrix", "-n", "8", "--kernel", "3", "-s", "2").out
    assert three.out == main80("conv-matrix", "-n", "8", "--size", "3", "-s", "2").out  # hidden, deprecated
    values = main80("conv-matrix", "-n", "5", "-f", "-1 1 -1", "-x", "0 0 1 0 1")
    assert "matrix @ x = -1 1 -2" in values.out
    assert "f=1," in main80("conv-matrix", "-n", "4", "-f", "[5]").out
    r = main80("conv-matrix", "-n", "8", "-f", "3", "--size", "3")
    assert r.code == 2 and "given twice" in r.err


def test_a_size_left_out_is_refused_not_dropped(main80):
    """`3x` is an unfinished 3xN: read as 3 it would answer another question."""
    for text in ("3x", "x3", "3×", "[6x6x]"):
        r = main80("size", text, "-f", "3")
        assert r.code == 2 and "leaves a size out" in r.err and len(r.err.strip().splitlines()) == 1
