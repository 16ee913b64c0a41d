"""The installed torchvision's own model files, read statically, give what torch counts for the
model the factory function builds: parameters, BatchNorm statistics, MACs (FlopCounterMode's
total / 2, model.eval()) and the output shape."""
from __future__ import annotations

import os
import sys
import types

import pytest

import cnncalc
from cnncalc.errors import CnncalcError

# (file, factory call): each reads exactly
EXACT = [("alexnet.py", "alexnet")] + [("vgg.py", f"vgg{n}{bn}") for n in (11, 13, 16, 19) for bn in ("", "_bn")] + [
    ("resnet.py", n) for n in ("resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
                               "resnext101_32x8d", "resnext101_64x4d", "wide_resnet50_2", "wide_resnet101_2")] + [
    ("squeezenet.py", "squeezenet1_0"), ("squeezenet.py", "squeezenet1_1"), ("mobilenetv2.py", "mobilenet_v2"),
    ("mnasnet.py", "mnasnet0_5"), ("mnasnet.py", "mnasnet0_75"), ("mnasnet.py", "mnasnet1_0"),
    ("mnasnet.py", "mnasnet1_3"), ("googlenet.py", "googlenet(aux_logits=False)"),
    ("vgg.py", "vgg16(num_classes=10)"), ("resnet.py", "resnet50(num_classes=10, zero_init_residual=True)"),
] + [("densenet.py", f"densenet{n}") for n in (121, 161, 169, 201)] + [
    ("shufflenetv2.py", f"shufflenet_v2_x{w}") for w in ("0_5", "1_0", "1_5", "2_0")] + [
    ("inception.py", "inception_v3(aux_logits=False)"),
    ("mobilenetv3.py", "mobilenet_v3_large"), ("mobilenetv3.py", "mobilenet_v3_small"),
] + [("efficientnet.py", f"efficientnet_{v}") for v in ("b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7",
                                                        "v2_s", "v2_m", "v2_l")] + [
    ("convnext.py", f"convnext_{v}") for v in ("tiny", "small", "base", "large")] + [
    ("regnet.py", f"regnet_{v}") for v in ("y_400mf", "y_800mf", "y_1_6gf", "y_3_2gf", "y_8gf", "y_16gf", "y_32gf",
                                           "y_128gf", "x_400mf", "x_800mf", "x_1_6gf", "x_3_2gf", "x_8gf", "x_16gf",
                                           "x_32gf")]


def _torchvision():
    pytest.importorskip("torch")
    # torchvision's C ops do not load on the CPU torch; its models are pure Python
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
    return pytest.importorskip("torchvision")


def _truth(tv, call: str, size: int):
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    name, _, rest = call.partition("(")
    kwargs = eval(f"dict({rest}") if rest else {}  # the test's own literals
    with torch.device("meta"):  # shapes and counts only: no weights are made, nothing is computed
        model = getattr(tv.models, name)(**kwargs).eval()
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            out = model(torch.zeros(1, 3, size, size))
    stats = sum(b.numel() for k, b in model.named_buffers() if "running" in k)
    shape = tuple(out.shape[1:])
    return (sum(p.numel() for p in model.parameters()), stats, counter.get_total_flops() // 2,
            shape if len(shape) == 1 else shape[1:] + shape[:1])


@pytest.mark.slow
@pytest.mark.parametrize("name,call", EXACT)
def test_installed_torchvision_files_read_exactly(name, call, monkeypatch):
    tv = _torchvision()
    import torch
    params = tv.models.regnet.BlockParams
    widths = params.from_init_params.__func__

    def on_cpu(cls, *args, **kwargs):  # RegNet computes its widths with tensors: not on the meta device
        with torch.device("cpu"):
            return widths(cls, *args, **kwargs)
    monkeypatch.setattr(params, "from_init_params", classmethod(on_cpu))
    size = 299 if call.startswith("inception") else 224
    path = os.path.join(os.path.dirname(tv.models.__file__), name)
    t = cnncalc.summarize(cnncalc.load(path, class_name=call, input=f"{size}x{size}")).to_dict()["totals"]
    got = (t["trainable_params"], t["non_trainable_params"], t["macs"], tuple(t["output_shape"]))
    assert got == _truth(tv, call, size)


# (file, factory call, words of the one-line refusal)
REFUSED = [
    ("googlenet.py", "googlenet", "self.training"),
    ("inception.py", "inception_v3", "self.training"),
    ("alexnet.py", "alexnet(weights='DEFAULT')", "pretrained weights"),
]


@pytest.mark.slow
@pytest.mark.parametrize("name,call,words", REFUSED)
def test_installed_torchvision_files_refused_in_one_line(name, call, words):
    tv = _torchvision()
    path = os.path.join(os.path.dirname(tv.models.__file__), name)
    with pytest.raises(CnncalcError) as e:
        cnncalc.load(path, class_name=call, input="224x224")
    assert words in str(e.value) and "\n" not in str(e.value)
