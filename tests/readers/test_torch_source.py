"""PyTorch source read with ast: the constructs followed, and what is refused in one line at
its source line."""
from __future__ import annotations

import os

import pytest

from cnncalc.errors import CnncalcError
from cnncalc.readers import ReaderError, load_model

from .common import CORPUS, COUNTS, TORCH_HEAD, summary_of, write


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


def test_class_picks_one_model_and_two_without_it_are_refused(tmp_path):
    path = write(tmp_path, "two.py", TORCH_HEAD +
                 "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n        return self.fc(x)\n"
                 "class B(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.fc = nn.Linear(4, 3)\n    def forward(self, x):\n        return self.fc(x)\n")
    with pytest.raises(ReaderError, match=r"defines 2 models \(A, B\) .*pass --class NAME"):
        load_model(path)
    assert summary_of(path, class_name="B").output_shape == (3,)
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


def test_the_old_blitz_forward_flattens_by_the_product_of_its_sizes():
    path = os.path.join(CORPUS, "blitz_cnn_old.py")
    s = summary_of(path, input=(32, 32))
    assert s.totals.params == COUNTS["blitz_cnn.py"]["params"]  # the same network as the newer text
    assert [r.layer.kind for r in s.layers].count("flatten") == 1


@pytest.mark.parametrize("helper, words", [
    ("size = x.size()[2:]", "other than all the features"),
    ("size = x.size()[0:]", "with the batch size in it"),
])
def test_other_products_of_sizes_are_refused(tmp_path, helper, words):
    text = open(os.path.join(CORPUS, "blitz_cnn_old.py")).read().replace("size = x.size()[1:]", helper)
    with pytest.raises(ReaderError) as e:
        load_model(write(tmp_path, "net.py", text), input=(32, 32))
    assert words in str(e.value) and "\n" not in str(e.value)


def test_linear_on_an_image_is_refused(tmp_path):
    path = write(tmp_path, "net.py", TORCH_HEAD + "model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))\n")
    with pytest.raises(ReaderError, match="spatial axis, not the channels"):
        load_model(path, input=(8, 8))


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


def test_a_one_tensor_cat_is_that_tensor(tmp_path):
    path = write(tmp_path, "cat1.py", TORCH_HEAD +
                 "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                 "        self.conv = nn.Conv2d(3, 4, 3)\n"
                 "    def forward(self, x):\n        return torch.cat([self.conv(x)], dim=1)\n")
    s = summary_of(path, input=(8, 8, 3))
    assert [r.layer.kind for r in s.layers] == ["conv2d"] and s.totals.params == 112
