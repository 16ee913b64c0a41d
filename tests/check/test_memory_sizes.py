"""A count written as a memory size (`528 MB` for VGG-16's parameters) or as its bytes
(553,430,176) is wrong with a diagnosis that says so: what the size is in the unit the student
used, at the spec's bytes per value; never "no known mistake gives this value"."""
from __future__ import annotations

from fractions import Fraction

import pytest

from cnncalc import infer, load_spec
from cnncalc.check import check_table, parse_answers
from cnncalc.check.numbers import read_bytes
from tests.conftest import ZOO

HEADER = "| Layer | Activation shape | Activation size | # parameters |\n|---|---|---|---|\n"


def vgg16():
    return infer(load_spec(str(ZOO / "vgg16.yaml")))


def cells(rows: str) -> dict:
    report = check_table(parse_answers(HEADER + rows, "answers.md", "md"), vgg16())
    return {(v.layer, v.column): v for v in report.verdicts if v.given}


@pytest.mark.parametrize("text, meanings", [
    ("528 MB", [("MB", 527 * 10**6, 529 * 10**6), ("MB", 527 * 2**20, 529 * 2**20)]),
    ("527.8 MiB", [("MiB", Fraction(5277, 10) * 2**20, Fraction(5279, 10) * 2**20)]),
    ("7,168 bytes", [("bytes", 7167, 7169)]),
    ("245.93 KB", [("KB", Fraction(24592, 100) * 1000, Fraction(24594, 100) * 1000),
                   ("KB", Fraction(24592, 100) * 1024, Fraction(24594, 100) * 1024)]),
    ("3 Mo", [("MB", 2 * 10**6, 4 * 10**6), ("MB", 2 * 2**20, 4 * 2**20)]),
])
def test_memory_sizes_are_read_in_every_meaning_of_their_unit(text, meanings):
    got = read_bytes(text)
    assert [(unit, low, high) for unit, _, low, high in got.meanings] == meanings


@pytest.mark.parametrize("text", ["528", "528M", "3.07k", "138 millions", "MB", "(224, 224, 64)"])
def test_counts_and_shapes_are_no_memory_size(text):
    assert read_bytes(text) is None


def test_vgg16_total_in_megabytes():
    v = cells("| Total | | | 528 MB |\n")[("total", "params")]
    assert v.status == "wrong" and v.diagnosis == (
        "a memory size, not a count: 528 MB is the memory of 138,357,544 parameters x 4 bytes (float32) "
        "= 553,430,176 bytes, with 1 MB = 2^20 bytes; the count is 138,357,544")


@pytest.mark.parametrize("given, unit", [("7 KB", "1 KB = 2^10 bytes"), ("7.168 kB", "1 kB = 10^3 bytes"),
                                          ("7 KiB", "1 KiB = 2^10 bytes"), ("7,168 bytes", "= 7,168 bytes; the count")])
def test_a_layers_parameters_in_kilobytes(given, unit):
    v = cells(f"| block1_conv1 | | | {given} |\n")[("block1_conv1", "params")]
    assert v.diagnosis.startswith(f"a memory size, not a count: {given} is the memory of 1,792 parameters x 4 bytes")
    assert unit in v.diagnosis


def test_activation_size_in_kibibytes():
    v = cells("| block5_pool | | 98 KiB | |\n")[("block5_pool", "size")]  # 7*7*512 values * 4 bytes
    assert v.diagnosis.startswith("a memory size, not a count: 98 KiB is the memory of 25,088 values x 4 bytes")


def test_a_size_that_is_no_right_memory_says_what_count_it_stands_for():
    v = cells("| Total | | | 100 MB |\n")[("total", "params")]
    assert v.diagnosis == (
        "a memory size, not a count: at 4 bytes a value (float32), 100 MB is about 25,000,000 parameters "
        "with 1 MB = 10^6 bytes, or 26,214,400 parameters with 1 MB = 2^20 bytes; the answer is the count, "
        "138,357,544 parameters (553,430,176 bytes)")


@pytest.mark.parametrize("row, key", [
    ("| Total | | | 553,430,176 |\n", ("total", "params")),
    ("| block1_conv1 | | | 7,168 |\n", ("block1_conv1", "params")),
    ("| block5_pool | | 100,352 | |\n", ("block5_pool", "size")),
])
def test_bytes_written_as_the_count(row, key):
    v = cells(row)[key]
    why = [d for d in (v.diagnosis, *v.also) if d.startswith("the memory in bytes, not the count: ")]
    assert v.status == "wrong" and why and "x 4 bytes (float32)" in why[0]


def test_a_memory_size_in_the_shape_column_is_no_shape():
    v = cells("| block1_conv1 | 12 MB | | |\n")[("block1_conv1", "shape")]
    assert v.status == "wrong" and "memory" not in v.diagnosis
