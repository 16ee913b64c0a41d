"""Keras `trainable: false`, on one layer and on a nested model, is honoured in .keras and JSON:
the trainable and non-trainable counts (and the training memory with them) equal Keras' own
trainable_weights / non_trainable_weights, made in the test by Keras 3."""
import pytest

from cnncalc.readers import load_model

from .common import summary_of

keras = pytest.importorskip("keras")


def counts(model):
    size = lambda ws: sum(int(w.numpy().size) for w in ws)
    return size(model.trainable_weights), size(model.non_trainable_weights)


def read(model, tmp_path, name):
    for ext in ("keras", "json"):
        path = tmp_path / f"{name}.{ext}"
        if ext == "keras":
            model.save(str(path))
        else:
            path.write_text(model.to_json())
        t = summary_of(str(path)).totals
        yield t.trainable_params, t.non_trainable_params


def head(base, shape):
    inp = keras.Input(shape)
    x = keras.layers.GlobalAveragePooling2D()(base(inp, training=False))
    return keras.Model(inp, keras.layers.Dense(10)(x))


def test_a_frozen_layer_and_a_frozen_nested_model(tmp_path):
    single = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, trainable=False), keras.layers.Dense(2)])
    assert set(read(single, tmp_path, "single")) == {counts(single)} == {(10, 36)}
    inner = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3),
                              keras.layers.BatchNormalization(), keras.layers.Conv2D(5, 1)], name="base")
    inner.trainable = False
    model = head(inner, (8, 8, 3))
    assert set(read(model, tmp_path, "nested")) == {counts(model)}
    inner.trainable = True
    inner.layers[0].trainable = False
    assert set(read(model, tmp_path, "partly")) == {counts(model)}


def test_the_frozen_spec_says_so_and_summary_reads_it(tmp_path):
    single = keras.Sequential([keras.Input((8,)), keras.layers.Dense(4, trainable=False), keras.layers.Dense(2)])
    path = tmp_path / "single.json"
    path.write_text(single.to_json())
    from cnncalc.api import import_model
    text = import_model(str(path))
    assert "trainable: false" in text
    from cnncalc.infer import infer
    from cnncalc.spec import parse_spec
    t = infer(parse_spec(text)).totals
    assert (t.trainable_params, t.non_trainable_params) == (10, 36)


@pytest.mark.slow
def test_mobilenet_v2_frozen_in_a_head_and_all_but_the_last_20_layers_frozen(tmp_path):
    base = keras.applications.MobileNetV2(weights=None, include_top=False, input_shape=(96, 96, 3))
    base.trainable = False
    model = head(base, (96, 96, 3))
    assert set(read(model, tmp_path, "frozen")) == {counts(model)} == {(12_810, 2_257_984)}
    base.trainable = True
    for layer in base.layers[:-20]:
        layer.trainable = False
    assert set(read(model, tmp_path, "last20")) == {counts(model)} == {(1_218_890, 1_051_904)}
