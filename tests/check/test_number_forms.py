"""Reading numbers in every style, and Keras' default layer names."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from cnncalc import api
from cnncalc.check.match import _ops, _snake, keras_names
from cnncalc.check.numbers import Count, Style, file_style, read_count
from cnncalc.check.read import parse_count

ROOT = Path(__file__).resolve().parent.parents[1]
EN, DE = Style(",", "."), Style(".", ",")

# (text, the file's style, the expected count the cell is graded against, value, unit, ambiguous)
NUMBERS = [
    ("3,072", Style(), None, 3 * 1024, 1, False),
    ("3.072", Style(), None, 3 * 1024, 1, False),          # a count is whole: only thousands
    ("3.072", DE, None, 3 * 1024, 1, False),
    ("3.072", EN, None, 3 * 1024, 1, True),                # against a `.`-decimal file's style
    ("3 072", Style(), None, 3 * 1024, 1, False),
    ("3\u202f072", Style(), None, 3 * 1024, 1, False),     # French narrow no-break space
    ("3'072", Style(), None, 3 * 1024, 1, False),          # Swiss
    ("30,00,000", Style(), None, 30 * 10 ** 5, 1, False),  # Indian: 30 lakh
    ("10,27,64,544", Style(), None, 4096 * 25088 + 4096, 1, False),
    ("3M", Style(), None, 3 * 10 ** 6, 10 ** 6, False),
    ("3.07M", Style(), None, 307 * 10 ** 4, 10 ** 4, False),
    ("62.9k", Style(), None, 629 * 100, 100, False),
    ("1,5k", DE, None, 1500, 100, False),
    ("6.272e3", Style(), None, 6272, 1, False),
    ("1e6", Style(), None, 10 ** 6, 10 ** 6, False),
    ("48,120", DE, None, 400 * 120 + 120, 1, True),        # `,` is this file's decimal mark
    ("1.500k", Style(), None, 1500, 1, False),
]


@pytest.mark.parametrize("text, style, expected, value, unit, ambiguous", NUMBERS)
def test_read_count(text, style, expected, value, unit, ambiguous):
    assert read_count(text, style, expected) == Count(value, unit, ambiguous)


@pytest.mark.parametrize("text, value", [("5*5*3*8+8", 5 * 5 * 3 * 8 + 8), ("(5*5*8 + 1)*16", (5 * 5 * 8 + 1) * 16),
                                         ("400*120 + 120 = 48,120", 400 * 120 + 120), ("84 × 10 + 10", 84 * 10 + 10),
                                         ("608*", 608), ("6,272 ✓", 28 * 28 * 8), ("850 †", 850), ("3,216 ?", 3216),
                                         ("~62.9k", 62900), ("608 params", 608), ("≈ 138 millions", 138 * 10 ** 6)])
def test_parse_count_cells(text, value):
    assert parse_count(text).value == value


@pytest.mark.parametrize("text", ["0.66", "2**99", "1" * 30])
def test_not_a_count(text):
    with pytest.raises(ValueError):
        parse_count(text)


@pytest.mark.parametrize("cells, style", [(["3.072.000", "6.272"], DE), (["3,072,000"], EN), (["0,66"], DE),
                                          (["3.07k", "1.568"], EN), (["30,00,000"], EN), (["400", "0"], Style())])
def test_file_style(cells, style):
    assert file_style(cells) == style


@pytest.mark.parametrize("cls, name", [("Conv2D", "conv2d"), ("MaxPooling2D", "max_pooling2d"), ("Dense", "dense"),
                                       ("BatchNormalization", "batch_normalization"), ("ReLU", "re_lu"),
                                       ("DepthwiseConv2D", "depthwise_conv2d"), ("ZeroPadding2D", "zero_padding2d"),
                                       ("GlobalAveragePooling2D", "global_average_pooling2d"),
                                       ("Conv2DTranspose", "conv2d_transpose")])
def test_keras_snake_case(cls, name):
    assert _snake(cls) == name


def test_keras_default_names_of_the_homework():
    names = keras_names(api.infer(str(ROOT / "architectures" / "lenet_homework.yaml")))
    assert {k: [p for p, _ in v] for k, v in names.items()} == {
        "conv2d": [1, 3], "max_pooling2d": [2, 4], "flatten": [5], "dense": [6, 7, 8]}


@pytest.mark.slow
@pytest.mark.parametrize("spec", ["lenet_homework.yaml", "alexnet_torchvision.yaml", "vgg16.yaml", "resnet18.yaml"])
def test_keras_numbers_layers_as_we_do(spec):
    """Build each spec's Keras layers in a fresh session: their names are ours, in order."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    from cnncalc.export.plan import make_plan
    summary = api.infer(str(ROOT / "architectures" / spec))
    keras.backend.clear_session()
    built = []
    for parts in make_plan(summary, "keras").parts:
        for part in parts:
            if part.code.startswith("layers."):
                built.append(eval(part.code, {"layers": keras.layers}).name)  # noqa: S307 (our own export code)
    expected = []
    seen: dict[str, int] = {}
    for cls, _, _ in _ops(summary, "keras"):
        base = _snake(cls)
        n = seen.get(base, 0)
        expected.append(base if n == 0 else f"{base}_{n}")
        seen[base] = n + 1
    assert built == expected
