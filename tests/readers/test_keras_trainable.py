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


def exported(model, tmp_path, name):
    """(trainable, non-trainable) of the model imported from .keras, exported back to Keras and
    to torch, as each framework counts its export (frozen layers frozen in both)."""
    from cnncalc.api import import_model
    from cnncalc.export import export
    from cnncalc.infer import infer
    from cnncalc.spec import parse_spec
    path = tmp_path / f"{name}.keras"
    model.save(str(path))
    s = infer(parse_spec(import_model(str(path))))
    out = []
    for to, builder in (("keras", "build_model"), ("pytorch", None)):
        ex = export(s, to)
        ns = {"__name__": "exported"}
        exec(compile(ex.code, "exported.py", "exec"), ns)
        built = ns[builder or ex.class_name]()
        if to == "keras":
            out.append(counts(built))
        else:  # torch: batchnorm statistics are buffers, so only the trainable count compares
            out.append(sum(p.numel() for p in built.parameters() if p.requires_grad))
    return out


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
    assert exported(model, tmp_path, "nested") == [counts(model), counts(model)[0]]
    inner.trainable = True
    inner.layers[0].trainable = False
    assert set(read(model, tmp_path, "partly")) == {counts(model)}
    assert exported(model, tmp_path, "partly") == [counts(model), counts(model)[0]]


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
    assert exported(model, tmp_path, "last20") == [counts(model), 1_218_890]
