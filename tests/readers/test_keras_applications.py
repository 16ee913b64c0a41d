"""keras.applications' own files (installed with Keras 3), read statically with --class: the
applications whose code needs no tensor size read exactly (parameters, trainable parameters and
output shape equal Keras' own model, built in the slow test); the others are refused in one
line naming the construct. Every application also reads exactly as .keras and JSON, with a
frozen base inside a functional head and with all but its last 20 layers frozen."""
from __future__ import annotations

import os
import time

import pytest

from cnncalc.errors import CnncalcError

from .common import summary_of

os.environ.setdefault("KERAS_BACKEND", "torch")

# application -> its file in keras/src/applications
EXACT = {"VGG16": "vgg16", "VGG19": "vgg19", "ResNet50": "resnet", "ResNet101": "resnet", "ResNet152": "resnet",
         "ResNet50V2": "resnet_v2", "ResNet101V2": "resnet_v2", "ResNet152V2": "resnet_v2", "Xception": "xception",
         "InceptionV3": "inception_v3", "MobileNet": "mobilenet", "DenseNet121": "densenet",
         "DenseNet169": "densenet", "DenseNet201": "densenet", "MobileNetV2": "mobilenet_v2"}
# application -> (its file, what the one-line refusal names)
REFUSED = {"MobileNetV3Small": ("mobilenet_v3", "the size of a tensor (`.shape`) where the keras.Input's sizes"),
           "InceptionResNetV2": ("inception_resnet_v2", "on a value not known"),  # its CustomScaleLayer
           "EfficientNetB0": ("efficientnet", "Rescaling: a per-channel scale"),  # imagenet's 1/stddev
           "EfficientNetV2B0": ("efficientnet_v2", "the attribute `split` of the string"),
           "ConvNeXtTiny": ("convnext", "numpy.linspace"),
           "NASNetMobile": ("nasnet", "not available with the torch backend")}


def application(module: str) -> str:
    keras = pytest.importorskip("keras")
    path = os.path.join(os.path.dirname(keras.__file__), "src", "applications", f"{module}.py")
    if not os.path.isfile(path):
        pytest.skip(f"no {path}")
    return path


def test_resnet50_from_its_own_file():
    path = application("resnet")
    start = time.perf_counter()
    s = summary_of(path, class_name="ResNet50")
    assert time.perf_counter() - start < 2
    assert (s.totals.params, s.totals.trainable_params, s.output_shape) == (25_636_712, 25_583_592, (1000,))
    assert s.spec.input == (224, 224, 3) and s.layers[0].layer.name == "conv1_pad"


@pytest.mark.parametrize("app", ["MobileNetV3Small", "NASNetMobile"])
def test_an_application_that_needs_sizes_is_refused_in_one_line(app):
    module, words = REFUSED[app]
    with pytest.raises(CnncalcError) as e:
        summary_of(application(module), class_name=app)
    assert words in str(e.value) and "\n" not in str(e.value)


def counts(model):
    size = lambda ws: sum(int(w.numpy().size) for w in ws)
    return model.count_params(), size(model.trainable_weights), tuple(model.outputs[0].shape[1:])


@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(EXACT))
def test_source_reads_as_keras_builds(app):
    path = application(EXACT[app])
    keras = pytest.importorskip("keras")
    summary_of(application("vgg16"), class_name="VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))")
    start = time.perf_counter()  # the read alone, cnncalc's modules loaded by the line above
    s = summary_of(path, class_name=app)
    assert time.perf_counter() - start < 2
    assert (s.totals.params, s.totals.trainable_params, s.output_shape) == counts(getattr(keras.applications, app)(
        weights=None))


@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(REFUSED))
def test_refused_in_one_line(app):
    module, words = REFUSED[app]
    with pytest.raises(CnncalcError) as e:
        summary_of(application(module), class_name=app)
    assert words in str(e.value) and "\n" not in str(e.value)


def read(model, tmp_path, name, input=None):
    out = set()
    for ext in ("keras", "json"):
        path = tmp_path / f"{name}.{ext}"
        model.save(str(path)) if ext == "keras" else path.write_text(model.to_json())
        s = summary_of(str(path), input=input)
        out.add((s.totals.params, s.totals.trainable_params, s.output_shape))
    return out


SAVED = sorted(set(EXACT) | set(REFUSED) - {"NASNetMobile"} | {"DenseNet169", "EfficientNetB3", "MobileNetV3Large",
                                                               "ConvNeXtSmall", "EfficientNetV2S"})


# saved applications refused in one line, with the layer class no kind reads
SAVED_REFUSED = {"InceptionResNetV2": "CustomScaleLayer"}  # x + scale * residual, a custom layer


@pytest.mark.slow
@pytest.mark.parametrize("app", SAVED)
def test_keras_and_json_frozen_and_fine_tuned(app, tmp_path):
    keras = pytest.importorskip("keras")
    build = getattr(keras.applications, app)
    full = build(weights=None)
    if app in SAVED_REFUSED:
        with pytest.raises(CnncalcError, match=f"the Keras layer {SAVED_REFUSED[app]} is not one cnncalc reads"):
            read(full, tmp_path, "full")
        return
    known = tuple(full.inputs[0].shape[1:])
    size = None if None not in known else (224, 224, 3)  # MobileNetV3 leaves its input open
    assert read(full, tmp_path, "full", size) == {counts(full)}
    base = build(weights=None, include_top=False, input_shape=(96, 96, 3) if "V3" not in app else None)
    inp = keras.Input((96, 96, 3))
    x = keras.layers.GlobalAveragePooling2D()(base(inp, training=False))
    model = keras.Model(inp, keras.layers.Dense(10)(x))
    base.trainable = False
    assert read(model, tmp_path, "frozen") == {counts(model)}
    base.trainable = True
    for layer in base.layers[:-20]:
        layer.trainable = False
    assert read(model, tmp_path, "last20") == {counts(model)}


def test_sizes_read_as_summary_infers_them():
    """MobileNetV2 reads `inputs.shape[channel_axis]` and imagenet_utils.correct_pad(x, 3):
    Keras 3.15.1's MobileNetV2(alpha=0.5, weights=None).count_params() is 1,987,224."""
    s = summary_of(application("mobilenet_v2"), class_name="MobileNetV2(alpha=0.5, weights=None)")
    assert (s.totals.params, s.output_shape) == (1_987_224, (1000,))


def test_class_takes_the_applications_arguments():
    path = application("resnet")
    s = summary_of(path, class_name="ResNet50(weights=None, classes=10)")
    assert s.totals.params == 25_636_712 - (2048 * 1000 + 1000) + (2048 * 10 + 10) and s.output_shape == (10,)
    with pytest.raises(CnncalcError, match=r"resnet.py:\d+:\d+: the file's own code raises .*classes"):
        summary_of(path, class_name="ResNet50(classes=10)")  # Keras' own check: imagenet weights need 1000
    s = summary_of(application("vgg16"), class_name="VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))")
    assert s.output_shape == (1, 1, 512) and s.totals.params == 14_714_688


def test_mobilenet_v3_with_its_input_given_and_its_hard_swish_ops():
    """`x + 3.0`, `x * (1.0 / 6.0)` on tensors are rescaling layers. Keras 3.15.1:
    MobileNetV3Small(input_shape=(224, 224, 3), weights=None) has 2,554,968 weights, 2,542,856 trainable."""
    s = summary_of(application("mobilenet_v3"), class_name="MobileNetV3Small(input_shape=(224, 224, 3), weights=None)")
    assert (s.totals.params, s.totals.trainable_params, s.output_shape) == (2_554_968, 2_542_856, (1000,))


def test_a_number_operand_on_a_tensor_in_source(tmp_path):
    path = tmp_path / "ops.py"
    path.write_text("import keras\nfrom keras import layers\ninputs = keras.Input((4, 4, 3))\n"
                    "x = layers.ReLU(6.0)(inputs + 3.0) * (1.0 / 6.0)\nmodel = keras.Model(inputs, 2 - x)\n")
    with pytest.raises(CnncalcError, match=r":5:29: `2 - x`: an operation with the number 2.0"):
        summary_of(str(path))
    path.write_text(path.read_text().replace("2 - x", "x - 2"))
    s = summary_of(str(path))
    assert [r.layer.kind for r in s.layers][-4:] == ["rescaling", "relu6", "rescaling", "rescaling"]
    assert [s.layers[i].layer.scale for i in (-4, -2)] == [1.0, 1.0 / 6.0] and s.layers[-1].layer.offset == -2.0


@pytest.mark.parametrize("shape, kernel", [("(8, 8, 3)", "[3]"), ("(8,)", "3")])
def test_correct_pad_of_the_wrong_sizes_is_refused_not_an_internal_error(tmp_path, shape, kernel):
    path = tmp_path / "pad.py"
    path.write_text("import keras\nfrom keras import layers\nfrom keras.applications import imagenet_utils\n"
                    f"x = keras.Input({shape})\n"
                    f"y = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, {kernel}))(x)\n"
                    "model = keras.Model(x, y)\n")
    with pytest.raises(CnncalcError, match="correct_pad takes an image tensor"):
        summary_of(str(path))
