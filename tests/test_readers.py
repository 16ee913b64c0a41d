"""cnncalc.readers: PyTorch / Keras source, .keras files, Keras JSON and ONNX read as specs.

Round trip: every zoo spec exported to PyTorch and Keras source reads back to the same
shapes, parameters and MACs. Real files (tests/readers/, sources in counts.json and in each
file's header) give the frameworks' own counts. Nothing a file holds is ever run.
"""
from __future__ import annotations

import glob
import json
import os
import zipfile

import pytest

from cnncalc.errors import CnncalcError
from cnncalc.infer import infer
from cnncalc.metrics import compute
from cnncalc.readers import ReaderError, is_model_file, load_model, model_format, read_model
from cnncalc.spec import load_spec, parse_spec

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "readers")
ZOO = sorted(glob.glob(os.path.join(HERE, "..", "architectures", "*.yaml")))
COUNTS = json.load(open(os.path.join(CORPUS, "counts.json")))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def summary_of(path, **kw):
    return infer(load_model(path, **kw))


def line_of(path, text):
    """1-based line of the first line holding `text`."""
    return next(i for i, line in enumerate(open(path), start=1) if text in line)


# -- round trip: export, then import ---------------------------------------------------------------
def _roundtrip(spec_path, to, tmp_path):
    from cnncalc.export import export_code  # lazily: the export package is being restructured
    from cnncalc.export.common import ExportError
    original = infer(load_spec(spec_path))
    try:
        code = export_code(original, to)
    except ExportError as e:
        pytest.skip(f"{to} export refuses it: {e}")
    path = write(tmp_path, f"model_{to}.py", code)
    back = infer(load_model(path, input=original.spec.input))
    a, b = compute(original), compute(back)
    assert (back.totals.params, back.totals.trainable_params, back.totals.non_trainable_params) == \
        (original.totals.params, original.totals.trainable_params, original.totals.non_trainable_params)
    assert back.output_shape == original.output_shape
    assert b.totals.macs == a.totals.macs
    # layer by layer: the layers holding weights, in order, with their MACs (helpers such as a
    # padding or an activation become layers of their own, without weights)
    weighted = lambda s, m: [(r.params, x.macs) for r, x in zip(s.layers, m.layers) if r.params]  # noqa: E731
    assert weighted(back, b) == weighted(original, a)
    return original, back


@pytest.mark.parametrize("spec_path", ZOO, ids=lambda p: os.path.basename(p)[:-5])
def test_pytorch_export_reads_back_to_the_same_summary(spec_path, tmp_path):
    _roundtrip(spec_path, "pytorch", tmp_path)


@pytest.mark.parametrize("spec_path", ZOO, ids=lambda p: os.path.basename(p)[:-5])
def test_keras_export_reads_back_to_the_same_summary(spec_path, tmp_path):
    original, back = _roundtrip(spec_path, "keras", tmp_path)
    # Keras keeps every layer name (helpers add a suffix)
    names = {r.layer.name for r in back.layers}
    assert {r.layer.name.replace("/", "_").replace(".", "_") for r in original.layers} <= names


# -- real files ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_real_files_give_the_frameworks_counts(name):
    if name.endswith(".onnx"):
        pytest.importorskip("onnx")
    entry = COUNTS[name]
    s = summary_of(os.path.join(CORPUS, name), input=tuple(entry["input"]) if "input" in entry else None)
    assert (s.totals.params, s.totals.trainable_params) == (entry["params"], entry["trainable"])


def test_blitz_cnn_reads_as_lenet_with_the_torch_names():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    s = summary_of(path, input=(32, 32))
    assert s.spec.input == (32, 32, 1)  # the channels come from conv1 = nn.Conv2d(1, 6, 5)
    assert [r.layer.name for r in s.layers if r.params] == ["conv1", "conv2", "fc1", "fc2", "fc3"]
    assert [r.params for r in s.layers if r.params] == [
        5 * 5 * 1 * 6 + 6, 5 * 5 * 6 * 16 + 16, 16 * 5 * 5 * 120 + 120, 120 * 84 + 84, 84 * 10 + 10]
    assert s.layers[0].layer.line == line_of(path, "self.conv1 =")
    assert s.output_shape == (10,)


def test_the_spec_text_names_its_source_and_reads_back():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    text = read_model(path, input=(32, 32))
    assert text.startswith("# Read by `cnncalc import` from ") and "blitz_cnn.py" in text.splitlines()[0]
    assert "- conv2d: {filters: 6, kernel: 5, in_channels: 1, name: conv1}" in text
    spec = parse_spec(text, "again.yaml")
    assert infer(spec).totals.params == COUNTS["blitz_cnn.py"]["params"]


def test_a_shape_error_points_at_the_source_line():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, input=(28, 28))  # 4x4 maps reach fc1, which wants 5x5
    line = line_of(path, "self.fc1 =")
    assert str(e.value).startswith(f"{path}:{line}:")
    assert "layer 8 (fc1, dense)" in str(e.value) and "400" in str(e.value)


def test_keras_mnist_script_is_read_without_its_training_code():
    path = os.path.join(CORPUS, "keras_mnist_convnet.py")
    s = summary_of(path)
    assert s.spec.input == (28, 28, 1)
    assert [r.layer.name for r in s.layers] == ["conv2d", "max_pooling2d", "conv2d_1", "max_pooling2d_1",
                                                "flatten", "dropout", "dense"]
    assert s.layers[0].params == 3 * 3 * 1 * 32 + 32
    assert s.layers[-1].params == 5 * 5 * 64 * 10 + 10


def test_mobilenet_json_keeps_keras_names_and_counts():
    s = summary_of(os.path.join(CORPUS, "mobilenet.json"))
    names = [r.layer.name for r in s.layers]
    assert names[:3] == ["conv1", "conv1_bn", "conv1_relu"] and "conv_dw_13" in names
    assert s.totals.non_trainable_params == 4253864 - 4231976  # batchnorm moving statistics


def test_onnx_small_resnet_keeps_the_residual_branches():
    pytest.importorskip("onnx")
    s = summary_of(os.path.join(CORPUS, "small_resnet.onnx"))
    adds = [r for r in s.layers if r.layer.kind == "add"]
    assert len(adds) == 2 and all(len(r.inputs) == 2 for r in adds)
    assert sum(r.layer.kind == "batchnorm" for r in s.layers) == 6


# -- the input shape -------------------------------------------------------------------------------
@pytest.mark.parametrize("given, shape", [
    ((32, 32), (32, 32, 1)),        # the spatial sizes; the channels come from conv1
    ((32, 32, 1), (32, 32, 1)),     # or all of them
    ((64, 48), (64, 48, 1)),
])
def test_a_torch_input_needs_only_the_spatial_sizes(given, shape):
    assert load_model(os.path.join(CORPUS, "blitz_cnn.py"), input=given).input == shape


def test_no_input_asks_for_one_with_an_example():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(ReaderError) as e:
        read_model(path)
    text = str(e.value)
    assert "--input" in text and "e.g. --input 32x32" in text and "conv1" in text and "\n" not in text


def test_wrong_channels_are_a_shape_error_at_conv1():
    path = os.path.join(CORPUS, "blitz_cnn.py")
    with pytest.raises(CnncalcError) as e:
        summary_of(path, input=(32, 32, 3))
    assert f":{line_of(path, 'self.conv1 =')}:" in str(e.value) and "in_channels" in str(e.value)


def test_input_overrides_the_keras_input():
    s = summary_of(os.path.join(CORPUS, "keras_mnist_convnet.py"), input=(32, 32, 1))
    assert s.spec.input == (32, 32, 1) and s.layers[0].output_shape == (30, 30, 32)


# -- PyTorch source constructs ---------------------------------------------------------------------
TORCH_HEAD = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"

TORCH_CASES = {
    "sequential at module level": (
        "model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))\n",
        None, (784 * 128 + 128) + (128 * 10 + 10), (10,)),
    "modulelist loop, constants, defaults": (
        "WIDTH = 8\n"
        "class Net(nn.Module):\n"
        "    def __init__(self, depth=3, classes=WIDTH + 2):\n"
        "        super().__init__()\n"
        "        self.stem = nn.Conv2d(3, WIDTH, 3, padding=1)\n"
        "        self.blocks = nn.ModuleList([nn.Conv2d(WIDTH, WIDTH, 3, padding=1) for _ in range(depth)])\n"
        "        self.head = nn.Linear(WIDTH, classes)\n"
        "    def forward(self, x):\n"
        "        x = self.stem(x)\n"
        "        for blk in self.blocks:\n"
        "            x = x + F.relu(blk(x))\n"
        "        x = x.mean((2, 3))\n"
        "        return self.head(x)\n",
        (16, 16), (3 * 3 * 3 * 8 + 8) + 3 * (3 * 3 * 8 * 8 + 8) + (8 * 10 + 10), (10,)),
    "nested class, cat, view(size(0), -1)": (
        "class Branch(nn.Module):\n"
        "    def __init__(self, c, k):\n"
        "        super().__init__()\n"
        "        self.conv = nn.Conv2d(4, c, k, padding=k // 2)\n"
        "    def forward(self, x):\n"
        "        return F.relu(self.conv(x))\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.a = Branch(6, 1)\n"
        "        self.b = Branch(10, 3)\n"
        "        self.pool = nn.MaxPool2d(2)\n"
        "        self.fc = nn.Linear(16 * 4 * 4, 5)\n"
        "    def forward(self, x):\n"
        "        x = torch.cat([self.a(x), self.b(x)], dim=1)\n"
        "        x = self.pool(x)\n"
        "        x = x.view(x.size(0), -1)\n"
        "        return self.fc(x)\n",
        (8, 8), (4 * 6 + 6) + (9 * 4 * 10 + 10) + (256 * 5 + 5), (5,)),
    "make_layer helper and torch.add": (
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.inplanes = 4\n"
        "        self.layer = self._make_layer(8, 2)\n"
        "        self.proj = nn.Conv2d(4, 8, 1, bias=False)\n"
        "    def _make_layer(self, planes, blocks):\n"
        "        layers = []\n"
        "        for i in range(blocks):\n"
        "            layers.append(nn.Conv2d(self.inplanes, planes, 3, padding=1, bias=False))\n"
        "            layers.append(nn.BatchNorm2d(planes))\n"
        "            self.inplanes = planes\n"
        "        return nn.Sequential(*layers)\n"
        "    def forward(self, x):\n"
        "        return torch.add(self.layer(x), self.proj(x))\n",
        (8, 8, 4), 9 * 4 * 8 + 4 * 8 + 9 * 8 * 8 + 4 * 8 + 4 * 8, (8, 8, 8)),
    "nn.Sequential subclasses, add_module, OrderedDict": (
        "from collections import OrderedDict\n"
        "class Transition(nn.Sequential):\n"
        "    def __init__(self, cin, cout):\n"
        "        super().__init__()\n"
        "        self.add_module('norm', nn.BatchNorm2d(cin))\n"
        "        self.add_module('relu', nn.ReLU(inplace=True))\n"
        "        self.add_module('conv', nn.Conv2d(cin, cout, kernel_size=1, bias=False))\n"
        "        self.add_module('pool', nn.AvgPool2d(kernel_size=2, stride=2))\n"
        "class ConvBNAct(nn.Sequential):\n"
        "    def __init__(self, cin, cout):\n"
        "        super().__init__(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.features = nn.Sequential(OrderedDict([('stem', ConvBNAct(3, 8)), ('trans', Transition(8, 4))]))\n"
        "        self.classifier = nn.Linear(4 * 4 * 4, 2)\n"
        "    def forward(self, x):\n"
        "        return self.classifier(torch.flatten(self.features(x), 1))\n",
        (8, 8), (3 * 3 * 3 * 8) + 4 * 8 + 4 * 8 + (8 * 4) + (64 * 2 + 2), (2,)),
}


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_torch_constructs(case, tmp_path):
    body, given, params, out = TORCH_CASES[case]
    s = summary_of(write(tmp_path, "net.py", TORCH_HEAD + body), input=given)
    assert (s.totals.params, s.output_shape) == (params, out)


def test_class_picks_one_model_and_the_default_is_the_last(tmp_path):
    path = write(tmp_path, "two.py", TORCH_HEAD +
                 "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n        return self.fc(x)\n"
                 "class B(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.fc = nn.Linear(4, 3)\n    def forward(self, x):\n        return self.fc(x)\n")
    assert summary_of(path).output_shape == (3,)
    assert summary_of(path, class_name="A").output_shape == (2,)
    with pytest.raises(ReaderError, match="--class takes one of: A, B"):
        load_model(path, class_name="C")


UNSUPPORTED = {
    "an unknown layer": ("self.rnn = nn.LSTM(4, 4)", "return self.rnn(x)", "nn.LSTM is not a layer"),
    "a constant term": ("self.fc = nn.Linear(4, 4)", "return self.fc(x) + 1", "`+` of a tensor and the number 1"),
    "shared weights": ("self.fc = nn.Linear(4, 4)", "return self.fc(self.fc(x))", "called a second time"),
    "an unused layer": ("self.fc = nn.Linear(4, 4)\n        self.fc2 = nn.Linear(4, 4)", "return self.fc(x)",
                        "`fc2` (nn.Linear) is never called"),
    "a while loop": ("self.fc = nn.Linear(4, 4)", "while True:\n            x = self.fc(x)\n        return x",
                     "a `while` statement"),
    "a condition on the mode": ("self.fc = nn.Linear(4, 4)",
                                "if self.training:\n            x = self.fc(x)\n        return x",
                                "is chosen when the model runs"),
}


@pytest.mark.parametrize("case", sorted(UNSUPPORTED))
def test_unsupported_torch_is_one_line_at_its_source_line(case, tmp_path):
    init, forward, words = UNSUPPORTED[case]
    text = TORCH_HEAD + ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                         f"        {init}\n    def forward(self, x):\n        {forward}\n")
    path = write(tmp_path, "net.py", text)
    with pytest.raises(ReaderError) as e:
        load_model(path, input=(4,))
    message = str(e.value)
    assert message.startswith(f"{path}:") and words in message and "\n" not in message
    assert e.value.line is not None


def test_the_old_blitz_forward_is_refused_at_the_view(tmp_path):
    path = os.path.join(CORPUS, "blitz_cnn_old.py")
    with pytest.raises(ReaderError) as e:
        load_model(path, input=(32, 32))
    assert e.value.line == line_of(path, "size = x.size()[1:]")  # inside the helper the view calls
    assert "sizes" in str(e.value) and str(e.value).endswith("write this part in YAML")


def test_linear_on_an_image_is_refused(tmp_path):
    path = write(tmp_path, "net.py", TORCH_HEAD + "model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))\n")
    with pytest.raises(ReaderError, match="spatial axis, not the channels"):
        load_model(path, input=(8, 8))


# -- Keras source constructs -----------------------------------------------------------------------
KERAS_CASES = {
    "tf.keras model.add with input_shape": (
        "import tensorflow as tf\n"
        "model = tf.keras.models.Sequential()\n"
        "model.add(tf.keras.layers.Dense(64, activation='relu', input_shape=(20,)))\n"
        "model.add(tf.keras.layers.Dense(3, activation='softmax'))\n",
        (20 * 64 + 64) + (64 * 3 + 3), (3,)),
    "tensorflow.keras functional with a helper": (
        "from tensorflow.keras import layers, Model, Input\n"
        "def block(x, filters):\n"
        "    y = layers.Conv2D(filters, 3, padding='same')(x)\n"
        "    y = layers.BatchNormalization()(y)\n"
        "    return layers.add([x, y])\n"
        "inputs = Input(shape=(16, 16, 8))\n"
        "x = block(inputs, 8)\n"
        "x = layers.concatenate([x, inputs])\n"
        "x = layers.GlobalAveragePooling2D()(x)\n"
        "outputs = layers.Dense(4)(x)\n"
        "model = Model(inputs, outputs)\n",
        (9 * 8 * 8 + 8) + 4 * 8 + (16 * 4 + 4), (4,)),
}


@pytest.mark.parametrize("case", sorted(KERAS_CASES))
def test_keras_constructs(case, tmp_path):
    body, params, out = KERAS_CASES[case]
    s = summary_of(write(tmp_path, "model.py", body))
    assert (s.totals.params, s.output_shape) == (params, out)


def test_a_keras_layer_reused_with_weights_is_refused(tmp_path):
    path = write(tmp_path, "m.py", "import keras\nfrom keras import layers\nd = layers.Dense(4)\n"
                                   "i = keras.Input(shape=(4,))\nm = keras.Model(i, d(d(i)))\n")
    with pytest.raises(ReaderError, match="weights are shared"):
        load_model(path)


# -- hostile files ------------------------------------------------------------------------------------
def test_python_in_the_file_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = (f"__import__('os').system('touch {marker}')\n"
            f"open({str(marker)!r}, 'w').write('x')\n"
            f"exec(\"open({str(marker)!r}, 'w')\")\n"
            "import torch\nfrom torch import nn\n"
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"        __import__('os').system('touch {marker}')\n"
            "        self.fc = nn.Linear(4, 2)\n"
            "    def forward(self, x):\n"
            "        return self.fc(x)\n")
    path = write(tmp_path, "evil.py", evil)
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert "__import__" in str(e.value) or "not read" in str(e.value) or "YAML" in str(e.value)
    assert not marker.exists()


def test_huge_loops_and_recursion_are_refused_quickly(tmp_path):
    loop = write(tmp_path, "loop.py", TORCH_HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
                 "        super().__init__()\n        n = 0\n        for i in range(10 ** 9):\n            n += 1\n"
                 "        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n        return self.fc(x)\n")
    with pytest.raises(ReaderError, match="cnncalc unrolls"):
        load_model(loop)
    rec = write(tmp_path, "rec.py", TORCH_HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
                "        super().__init__()\n        self.inner = Net()\n    def forward(self, x):\n        return x\n")
    with pytest.raises(ReaderError, match="nest deeper"):
        load_model(rec)
    deep = write(tmp_path, "deep.py", "import torch\nx = " + "-" * 300 + "1\n")
    with pytest.raises(ReaderError, match="nests deeper than 200 levels"):
        load_model(deep)


def _keras_zip(path, config: bytes, method=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", method) as zf:
        zf.writestr("metadata.json", '{"keras_version": "3.15.1"}')
        zf.writestr("config.json", config)
        zf.writestr("model.weights.h5", b"\x80\x04 never opened")


def test_a_zip_bomb_keras_file_is_refused_with_its_numbers(tmp_path):
    path = str(tmp_path / "bomb.keras")
    _keras_zip(path, b" " * (64 << 20))
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert f"{64 << 20:,}" in str(e.value)


def test_an_oversized_config_is_refused(tmp_path, monkeypatch):
    path = str(tmp_path / "big.keras")
    config = open(os.path.join(CORPUS, "mobilenet.json"), "rb").read()
    _keras_zip(path, config)
    monkeypatch.setenv("CNNCALC_MAX_INPUT", "10k")
    with pytest.raises(ReaderError, match=f"{len(config):,} bytes, more than the 10,240-byte"):
        load_model(path)


def test_a_keras_file_without_config_is_refused(tmp_path):
    path = str(tmp_path / "nope.keras")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("model.pkl", b"\x80\x04K\x01.")
    with pytest.raises(ReaderError, match="no config.json"):
        load_model(path)
    bad = write(tmp_path, "bad.keras", "not a zip")
    with pytest.raises(ReaderError, match="not a .keras file"):
        load_model(bad)


def test_a_path_with_a_newline_stays_in_the_comment(tmp_path):
    path = write(tmp_path, "we\nird.json", open(os.path.join(CORPUS, "mobilenet.json")).read())
    text = read_model(path)
    assert text.splitlines()[0].endswith("(Keras model JSON, Functional model mobilenet_1.00_224).")
    assert "\\n" in text.splitlines()[0]


# -- formats -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, fmt", [
    ("blitz_cnn.py", "torch"), ("keras_mnist_convnet.py", "keras-source"), ("mnist_convnet.keras", "keras-file"),
    ("mobilenet.json", "keras-json"), ("small_resnet.onnx", "onnx"), ("counts.json", None),
])
def test_model_format(name, fmt):
    path = os.path.join(CORPUS, name)
    assert model_format(path) == fmt and is_model_file(path) == (fmt is not None)


def test_yaml_specs_are_not_model_files():
    assert not is_model_file(ZOO[0])


def test_onnx_without_the_package_names_the_pip_command(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ReaderError, match=r"pip install 'cnncalc\[onnx\]'"):
        load_model(os.path.join(CORPUS, "small_resnet.onnx"))


# -- live: the frameworks themselves ---------------------------------------------------------------
def test_live_torch_modules_have_the_counts(tmp_path):
    torch = pytest.importorskip("torch")
    import runpy
    for name, cls, shape in (("blitz_cnn.py", "Net", (1, 1, 32, 32)), ("small_resnet.py", "SmallResNet", (1, 3, 32, 32))):
        net = runpy.run_path(os.path.join(CORPUS, name))[cls]()  # our own corpus file
        s = summary_of(os.path.join(CORPUS, name), input=shape[2:])
        assert s.totals.trainable_params == sum(p.numel() for p in net.parameters())
        stats = sum(b.numel() for k, b in net.named_buffers() if "running" in k)
        assert s.totals.non_trainable_params == stats
        assert tuple(net.eval()(torch.zeros(shape)).shape[1:]) == s.output_shape


@pytest.mark.slow
def test_live_keras_models_have_the_counts():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    text = open(os.path.join(CORPUS, "mobilenet.json")).read()
    model = keras.models.model_from_json(text)
    assert summary_of(os.path.join(CORPUS, "mobilenet.json")).totals.params == model.count_params()
    saved = keras.saving.load_model(os.path.join(CORPUS, "mnist_convnet.keras"))
    assert summary_of(os.path.join(CORPUS, "mnist_convnet.keras")).totals.params == saved.count_params()
    assert summary_of(os.path.join(CORPUS, "keras_mnist_convnet.py")).totals.params == saved.count_params()


def test_live_onnx_graph_has_the_counts():
    onnx = pytest.importorskip("onnx")
    from math import prod
    model = onnx.load(os.path.join(CORPUS, "small_resnet.onnx"))
    weights = {i.name: prod(i.dims) for i in model.graph.initializer}
    s = summary_of(os.path.join(CORPUS, "small_resnet.onnx"))
    assert s.totals.params == sum(v for k, v in weights.items() if "num_batches" not in k)
    assert s.totals.non_trainable_params == sum(v for k, v in weights.items() if "running" in k)
    assert sum(n.op_type in ("Conv", "Gemm", "BatchNormalization") for n in model.graph.node) == \
        sum(r.params > 0 for r in s.layers)


# -- ONNX ops, on graphs made with onnx.helper ------------------------------------------------------
def _onnx_graph(tmp_path, nodes, inits, shape=(1, 3, 8, 8), opset=13):
    onnx = pytest.importorskip("onnx")
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper
    tensors = [numpy_helper.from_array(np.zeros(dims, dtype=np.int64 if name.startswith("shape") else np.float32)
                                       if not isinstance(dims, list) else np.array(dims, dtype=np.int64), name)
               for name, dims in inits.items()]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                              [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)], tensors)
    path = str(tmp_path / "g.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]), path)
    return path


def test_onnx_ops(tmp_path):
    onnx = pytest.importorskip("onnx")
    h = onnx.helper
    nodes = [
        h.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv_same", auto_pad="SAME_UPPER", strides=[2, 2],
                    kernel_shape=[3, 3]),
        h.make_node("Clip", ["c1", "zero", "six"], ["r1"], name="relu6"),
        h.make_node("Conv", ["r1", "w2"], ["c2"], name="dw", group=8, pads=[2, 2, 2, 2], dilations=[2, 2]),
        h.make_node("AveragePool", ["c2"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        h.make_node("Mul", ["p", "p"], ["m"], name="square"),
        h.make_node("Concat", ["m", "p"], ["cat"], name="cat", axis=1),
        h.make_node("Shape", ["cat"], ["s"]),
        h.make_node("Gather", ["s", "zero_i"], ["b"], axis=0),
        h.make_node("Unsqueeze", ["b", "axes"], ["b1"]),
        h.make_node("Concat", ["b1", "minus1"], ["target"], axis=0),
        h.make_node("Reshape", ["cat", "target"], ["flat"], name="flatten"),
        h.make_node("Dropout", ["flat"], ["d"], name="drop"),
        h.make_node("MatMul", ["d", "w3"], ["mm"], name="fc"),
        h.make_node("Add", ["mm", "b3"], ["y"], name="fc_bias"),
    ]
    import numpy as np
    from onnx import numpy_helper
    path = _onnx_graph(tmp_path, nodes, {"w1": (8, 3, 3, 3), "b1": (8,), "w2": (8, 1, 3, 3), "w3": (64, 5),
                                         "b3": (5,)})
    model = onnx.load(path)
    for name, value in (("zero", np.float32(0)), ("six", np.float32(6)), ("zero_i", np.int64(0)),
                        ("axes", np.array([0], np.int64)), ("minus1", np.array([-1], np.int64))):
        model.graph.initializer.append(numpy_helper.from_array(np.array(value), name))
    onnx.save(model, path)
    s = summary_of(path)
    kinds = [(r.layer.kind, r.output_shape) for r in s.layers]
    assert kinds == [("conv2d", (4, 4, 8)), ("relu6", (4, 4, 8)), ("conv2d", (4, 4, 8)), ("avgpool2d", (2, 2, 8)),
                     ("multiply", (2, 2, 8)), ("concat", (2, 2, 16)), ("flatten", (64,)), ("dropout", (64,)),
                     ("dense", (5,))]
    assert s.totals.params == (3 * 3 * 3 * 8 + 8) + (3 * 3 * 1 * 8) + (64 * 5 + 5)


def test_an_unknown_onnx_op_is_refused_by_name(tmp_path):
    onnx = pytest.importorskip("onnx")
    path = _onnx_graph(tmp_path, [onnx.helper.make_node("LpNormalization", ["x"], ["y"], name="norm")], {})
    with pytest.raises(ReaderError, match=r"node 1 \(norm, LpNormalization\): the op LpNormalization is not one"):
        load_model(path)


def test_every_unknown_onnx_op_of_the_file_is_named_in_one_line(tmp_path):
    onnx = pytest.importorskip("onnx")
    make = onnx.helper.make_node
    nodes = [make("Relu", ["x"], ["a"]), make("LpNormalization", ["a"], ["b"], name="norm"),
             make("Erf", ["b"], ["c"]), make("Erf", ["c"], ["d"]), make("Gelu", ["d"], ["y"])]
    path = _onnx_graph(tmp_path, nodes, {})
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert str(e.value).endswith("node 2 (norm, LpNormalization): the op LpNormalization is not one cnncalc reads, "
                                 "nor are Erf (2 nodes) and Gelu (1 node); write this part in YAML")
    assert "\n" not in str(e.value)


def test_a_subclassed_keras_model_is_refused_at_its_class(tmp_path):
    path = write(tmp_path, "m.py", "import keras\nfrom keras import layers\n\n"
                                   "class MyModel(keras.Model):\n    def call(self, x):\n        return x\n")
    with pytest.raises(ReaderError) as e:
        load_model(path, input=(4,))
    assert e.value.line == 4 and "subclassed keras.Model `MyModel`" in str(e.value)


@pytest.mark.parametrize("layer, column", [("nn.GroupNorm(3, 16)", 34), ("nn.GroupNorm(num_groups=3, num_channels=16)", 45)])
def test_an_argument_error_points_at_the_torch_keyword_the_kind_declares(tmp_path, layer, column):
    # GroupNorm's `groups` is declared arg(torch="num_groups"): the error is where the file wrote it
    path = write(tmp_path, "net.py", "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
                                     "        super().__init__()\n        self.conv = nn.Conv2d(3, 16, 3)\n"
                                     f"        self.norm = {layer}\n\n    def forward(self, x):\n"
                                     "        return self.norm(self.conv(x))\n")
    with pytest.raises(CnncalcError, match="groups 3 does not divide the 16 channels") as e:
        summary_of(path, input=(8, 8, 3))
    assert (e.value.line, e.value.col) == (8, column)
