"""Every zoo spec and every golden spec (tests/golden/export/*.yaml, and the single-layer cases of
the framework goldens tests/golden/*.json, which cover each kind's options) exported to PyTorch
and to Keras, built in the framework: its parameter count, total and trainable, equals cnncalc's
summary. An export that refuses by design passes when its refusal is one line naming the layer.

torch keeps batchnorm's moving statistics as buffers: they count as non-trainable here, as Keras
and cnncalc count them."""
from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")

from cnncalc import CnncalcError, infer, load_spec, parse_spec  # noqa: E402
from cnncalc.export import ExportError, export  # noqa: E402
from tests.conftest import ROOT  # noqa: E402

ZOO = sorted((ROOT / "cnncalc" / "zoo").glob("*.yaml"))
GOLDEN_SPECS = sorted((ROOT / "tests" / "golden" / "export").glob("*.yaml"))
GOLDEN_CASES = ("torch_layers", "keras_kinds", "keras_same", "modern_kinds", "prelu_permute", "edge_pad")
BIG = 2_000_000  # parameters; above this torch builds on the meta device


def golden_layers() -> list[str]:
    """Each distinct single-layer spec of the framework goldens, as spec text."""
    texts = []
    for name in GOLDEN_CASES:
        for case in json.loads((ROOT / "tests" / "golden" / f"{name}.json").read_text())["cases"]:
            layer = case.get("layer") or f"{case['kind']}: {json.dumps(case.get('args') or {})}"
            inp = case["input"]
            if inp and isinstance(inp[0], list):
                continue  # a merge of several inputs: the zoo's branched specs export those
            texts.append(f"input: {json.dumps(inp)}\nlayers:\n  - {layer}\n")
    return sorted(set(texts))


def torch_counts(summary) -> tuple[int, int]:
    ex = export(summary, "pytorch")
    ns: dict = {"__name__": "exported"}
    exec(compile(ex.code, "exported.py", "exec"), ns)
    with torch.device("meta" if summary.totals.params > BIG else "cpu"):
        model = ns[ex.class_name]()
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    stats = sum(b.numel() for n, b in model.named_buffers() if n.split(".")[-1].startswith("running_"))
    return trainable + frozen + stats, trainable


def keras_counts(summary) -> tuple[int, int]:
    ex = export(summary, "keras")
    ns: dict = {"__name__": "exported"}
    exec(compile(ex.code, "exported.py", "exec"), ns)
    model = ns["build_model"]()
    trainable = sum(int(torch.Size(w.shape).numel()) for w in model.trainable_weights)
    return model.count_params(), trainable


def equal_or_refused(summary, counts) -> None:
    try:
        got = counts(summary)
    except ExportError as e:
        text = str(e)
        assert "\n" not in text and "layer " in text, text  # a refusal by design: one line naming the layer
        return
    t = summary.totals
    assert got == (t.params, t.trainable_params), f"framework (total, trainable) {got} vs cnncalc {(t.params, t.trainable_params)}"


FRAMEWORKS = [pytest.param(torch_counts, id="torch"), pytest.param(keras_counts, id="keras")]


@pytest.mark.slow
@pytest.mark.parametrize("counts", FRAMEWORKS)
@pytest.mark.parametrize("path", ZOO + GOLDEN_SPECS, ids=lambda p: p.name)
def test_spec_exports_count_as_the_summary(path, counts):
    equal_or_refused(infer(load_spec(str(path))), counts)


@pytest.mark.slow
@pytest.mark.parametrize("counts", FRAMEWORKS)
def test_every_golden_layer_exports_as_the_summary(counts):
    """One test over ~600 layers (one parameter each would be 1,200 test ids)."""
    wrong = []
    for text in golden_layers():
        try:
            summary = infer(parse_spec(text))
        except CnncalcError:
            continue  # a case cnncalc refuses is the golden's own test to check
        try:
            equal_or_refused(summary, counts)
        except AssertionError as e:
            wrong.append(f"{text.splitlines()[-1].strip()} on {text.splitlines()[0]}: {e}")
    assert not wrong, f"{len(wrong)} layers differ:\n" + "\n".join(wrong[:20])


@pytest.mark.parametrize("args, torch_code", [
    ("scale: false, center: false", "nn.BatchNorm2d(16, affine=False)"),
    ("affine: false", "nn.BatchNorm2d(16, affine=False)"),
    ("", "nn.BatchNorm2d(16)"),
    ("scale: false", "BatchNormPartial(2, 16, scale=False)"),
])
def test_batchnorm_center_scale_to_torch(args, torch_code):
    """Keras' BatchNormalization(center=False, scale=False) has no gamma nor beta: torch's
    affine=False (torch has no separate center/scale; one of the two alone is BatchNormPartial)."""
    spec = f"input: [6, 6, 16]\nlayers:\n  - batchnorm: {{{args}}}\n"
    assert torch_code in export(infer(parse_spec(spec)), "pytorch").code
