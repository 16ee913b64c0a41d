"""torchvision's classification CNNs exported by torch's two ONNX exporters read as torch counts
them: parameters, running statistics, output shape and MACs (FlopCounterMode / 2), once the
notes' changes (folded batch norm, dropped zero biases) are undone; what cnncalc does not read
(ConvNeXt's channels-last blocks, ViT) is refused in one line naming every op it lacks.

Slow: each model is exported by torch in the test (a module-scoped cache shares the files). The
models are one of each family at its smallest input; `CNNCALC_ONNX_ZOO=all` takes every model of
tests/readers/onnx_zoo.py (VGG and Inception-v3 among them: minutes), which also runs by hand
as the sweep.
"""
from __future__ import annotations

import os

import pytest

from cnncalc.errors import CnncalcError

from . import onnx_zoo

pytestmark = pytest.mark.slow

FAMILIES = ("resnet18", "squeezenet1_1", "mobilenet_v2", "mobilenet_v3_small", "mnasnet0_5", "shufflenet_v2_x0_5",
            "efficientnet_b0", "regnet_x_400mf", "googlenet", "densenet121", "convnext_tiny")
MODELS = tuple(onnx_zoo.ZOO) if os.environ.get("CNNCALC_ONNX_ZOO") == "all" else FAMILIES
# dynamo writes ConvNeXt's last permute as Reshape to [-1] and a Gather of every index (as_strided)
REFUSED = {("convnext_tiny", "dynamo"): "a Reshape of a 4-dim tensor to [-1]"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """exported(model, exporter, variant) -> (path, torch's counts), each export made once."""
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    pytest.importorskip("onnxscript")
    try:
        onnx_zoo.torchvision()
    except ImportError:
        pytest.skip("torchvision is not installed")
    folder, cache = tmp_path_factory.mktemp("onnx_zoo"), {}

    def get(name, exporter, variant=onnx_zoo.DEFAULT):
        key = (name, exporter, variant)
        if key not in cache:
            model, size = onnx_zoo.build(name, variant[0])
            path = str(folder / f"{name}-{exporter}-{'-'.join(variant)}.onnx")
            onnx_zoo.export(model, size, path, exporter, variant[1], variant[2])
            cache[key] = path, onnx_zoo.truth(model, size)
        return cache[key]
    return get


@pytest.mark.parametrize("name, exporter", [(m, e) for m in MODELS for e in onnx_zoo.EXPORTERS if (m, e) not in REFUSED])
def test_the_zoo_reads_as_torch_counts_it(exported, name, exporter):
    path, want = exported(name, exporter)
    got = onnx_zoo.read(path)
    assert onnx_zoo.compare(want, got) == []
    assert len(got["notes"]) == (got["changes"].folded > 0) + (got["changes"].dropped > 0)


@pytest.mark.parametrize("exporter, variant", [("dynamo", ("trained", "eval", "dynamic")),
                                               ("torchscript", ("trained", "eval", "dynamic")),
                                               ("torchscript", ("init", "preserve", "static"))])
@pytest.mark.parametrize("name", ["resnet18", "shufflenet_v2_x0_5"])
def test_trained_dynamic_and_unfolded_exports(exported, name, exporter, variant):
    """Every value distinct with a dynamic batch; batch norm kept (TorchScript's
    TrainingMode.PRESERVE of an eval model): then no note on folding."""
    path, want = exported(name, exporter, variant)
    got = onnx_zoo.read(path)
    assert onnx_zoo.compare(want, got) == []
    if variant[1] == "preserve":
        assert got["changes"].folded == 0 and (got["trainable"], got["stats"]) == (want["trainable"], want["stats"])


@pytest.mark.parametrize("name, exporter", sorted(REFUSED))
def test_what_is_not_read_is_refused_in_one_line(exported, name, exporter):
    path, _ = exported(name, exporter)
    with pytest.raises(CnncalcError) as e:
        onnx_zoo.read(path)
    assert REFUSED[name, exporter] in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("exporter", onnx_zoo.EXPORTERS)
def test_a_vision_transformer_is_refused_naming_every_op_it_lacks(tmp_path, exporter):
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")
    vit = onnx_zoo.torchvision().models.VisionTransformer(image_size=32, patch_size=16, num_layers=1, num_heads=2,
                                                          hidden_dim=32, mlp_dim=64, num_classes=10).eval()
    path = str(tmp_path / "vit.onnx")
    onnx_zoo.export(vit, 32, path, exporter)
    with pytest.raises(CnncalcError) as e:
        onnx_zoo.read(path)
    text = str(e.value)
    assert "is not one cnncalc reads" in text and "\n" not in text
    import onnx

    from cnncalc.readers.onnx_reader import _lacking
    lacking = {n.op_type for n in onnx.load(path, load_external_data=False).graph.node if _lacking(n)}
    assert lacking and all(op in text for op in lacking)  # every op no kind declares, in the one line
    assert torch.__version__  # the exporter that wrote it
