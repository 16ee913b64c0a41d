"""An unnamed spec's layers are named as Keras names them, so that a student's Keras
`model.summary()` of the handout network grades 100%.

tests/check_corpus/keras3_unnamed.txt is the summary Keras 3 prints for the network of
specs/keras_unnamed.yaml built in a fresh session (the corpus grades it without Keras); the slow
test builds it again in Keras and grades what Keras prints now. Recapture with:

    KERAS_BACKEND=torch python -m tests.check.test_keras_default_names
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cnncalc import api

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "check_corpus" / "specs" / "keras_unnamed.yaml"
CAPTURED = ROOT / "tests" / "check_corpus" / "keras3_unnamed.txt"
LATER = ROOT / "tests" / "check_corpus" / "keras3_later_session.txt"  # after another model


def keras_summary(after_another: bool = False) -> str:
    """The network of SPEC written in Keras as a student writes it, no names given, summarised
    in a fresh session (`after_another`: after a smaller model built first in the same session,
    so that Keras numbers on: conv2d_1, conv2d_2, ...)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    from keras import layers
    keras.backend.clear_session()  # Keras numbers each class from 0 per session
    if after_another:
        keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(4, 3), layers.MaxPooling2D(2), layers.Flatten(),
                          layers.Dense(10)])
    model = keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(8, 3, padding="same"),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(2),
        layers.Conv2D(16, 3, activation="relu"),
        layers.AveragePooling2D(2),
        layers.Conv2D(16, 3, activation="relu"),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(32, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    lines: list[str] = []
    model.summary(print_fn=lambda line, **kw: lines.append(line))
    return "\n".join(lines) + "\n"


def test_cnncalc_names_the_layers_as_keras_does():
    names = [layer.name for layer in api.infer(str(SPEC)).spec.layers]
    assert names == ["conv2d", "batch_normalization", "re_lu", "max_pooling2d", "conv2d_1", "average_pooling2d",
                     "conv2d_2", "flatten", "dropout", "dense", "dense_1"]
    text = CAPTURED.read_text(encoding="utf-8")
    assert all(f"│ {name} " in text for name in names)  # the names Keras printed


def test_the_captured_keras_summary_grades_100(main):
    r = main("check", str(CAPTURED), "--spec", str(SPEC))
    assert r.code == 0, r.out + r.err
    out = r.out
    assert "score 100%: 16 of 16 cells right, 0 wrong" in out


@pytest.mark.slow
def test_a_keras_summary_printed_now_grades_100(main, tmp_path):
    pytest.importorskip("keras")
    text = keras_summary()
    path = tmp_path / "summary.txt"
    path.write_text(text, encoding="utf-8")
    r = main("check", str(path), "--spec", str(SPEC), "--format", "json")
    assert r.code == 0, r.out + r.err
    doc = json.loads(r.out)
    assert doc["score"] == 100.0 and not doc["unmatched_rows"] and doc["layers_without_row"] == ["input"]
    assert {c["matched_by"] for c in doc["cells"] if c["row"] and c["row"] != "Total"} == {"name"}


@pytest.mark.slow
def test_a_later_model_of_the_session_grades_100(main, tmp_path):
    """conv2d_1 is then the first conv, not the spec's second: Keras's numbers run on."""
    pytest.importorskip("keras")
    path = tmp_path / "summary.txt"
    path.write_text(keras_summary(after_another=True), encoding="utf-8")
    r = main("check", str(path), "--spec", str(SPEC))
    assert r.code == 0 and "score 100%" in r.out, r.out + r.err


if __name__ == "__main__":
    CAPTURED.write_text(keras_summary(), encoding="utf-8")
    LATER.write_text(keras_summary(after_another=True), encoding="utf-8")
    print(f"wrote {CAPTURED.relative_to(ROOT)} and {LATER.relative_to(ROOT)}")
