"""torchvision's classification CNNs exported to ONNX by both torch exporters, against torch's own
counts: parameters, batch-norm running statistics, output shape and MACs (FlopCounterMode / 2).

Shared by tests/readers/test_onnx_zoo.py (slow) and run by hand as the sweep:

    python tests/readers/onnx_zoo.py [MODEL ...] [--variants all]

prints one row per model x exporter x variant: exact, or what differs, or the refusal.
A variant is (weights, mode, batch): weights "init" (torchvision's initialisation: equal
initializers, which the TorchScript exporter shares through Identity) or "trained" (every value
distinct); mode "eval" (the TorchScript exporter folds batch norm into the convolutions) or
"preserve" (TorchScript's TrainingMode.PRESERVE: batch norm kept; dynamo's optimize=False, whose
unoptimized graph is refused); batch "static" or "dynamic".
"""
from __future__ import annotations

import os
import sys
import time
import types

# (torchvision factory, input size, keyword arguments): the smallest input each model takes, where
# the TorchScript exporter's adaptive pooling needs the output size to divide the input's
ZOO = {
    "alexnet": ("alexnet", 224, {}),
    "vgg11": ("vgg11", 224, {}),
    "vgg11_bn": ("vgg11_bn", 224, {}),
    "resnet18": ("resnet18", 32, {}),
    "resnet50": ("resnet50", 32, {}),
    "resnext50_32x4d": ("resnext50_32x4d", 32, {}),
    "wide_resnet50_2": ("wide_resnet50_2", 32, {}),
    "squeezenet1_0": ("squeezenet1_0", 64, {}),
    "squeezenet1_1": ("squeezenet1_1", 64, {}),
    "densenet121": ("densenet121", 32, {}),
    "googlenet": ("googlenet", 32, {"aux_logits": False, "init_weights": True}),
    "inception_v3": ("inception_v3", 75, {"aux_logits": False, "init_weights": True}),
    "mobilenet_v2": ("mobilenet_v2", 32, {}),
    "mobilenet_v3_small": ("mobilenet_v3_small", 32, {}),
    "mobilenet_v3_large": ("mobilenet_v3_large", 32, {}),
    "mnasnet0_5": ("mnasnet0_5", 32, {}),
    "shufflenet_v2_x0_5": ("shufflenet_v2_x0_5", 32, {}),
    "efficientnet_b0": ("efficientnet_b0", 32, {}),
    "efficientnet_v2_s": ("efficientnet_v2_s", 32, {}),
    "regnet_x_400mf": ("regnet_x_400mf", 32, {}),
    "regnet_y_400mf": ("regnet_y_400mf", 32, {}),
    "convnext_tiny": ("convnext_tiny", 32, {}),
}
EXPORTERS = ("dynamo", "torchscript")
DEFAULT = ("init", "eval", "static")
VARIANTS = (DEFAULT, ("trained", "eval", "dynamic"), ("init", "preserve", "static"))


def torchvision():
    """torchvision's models on the CPU torch (its C ops do not load: stub their registrations)."""
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
    import torchvision as tv
    return tv


def build(name: str, weights: str = "init"):
    import torch
    factory, size, kwargs = ZOO[name]
    torch.manual_seed(0)
    model = getattr(torchvision().models, factory)(weights=None, **kwargs).eval()
    if weights == "trained":  # every value distinct, as after training
        with torch.no_grad():
            for t in (*model.parameters(), *(b for k, b in model.named_buffers() if "running" in k)):
                t.add_(torch.rand_like(t) * 0.01 + 0.001)
    return model, size


def truth(model, size: int) -> dict:
    """torch's own counts: parameters, running statistics, output shape (channels last), MACs."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode
    x = torch.zeros(1, 3, size, size)
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        y = model(x)
    stats = sum(b.numel() for k, b in model.named_buffers() if "running" in k)
    shape = tuple(y.shape[2:]) + tuple(y.shape[1:2]) if y.dim() > 2 else tuple(y.shape[1:])
    return {"trainable": sum(p.numel() for p in model.parameters()), "stats": stats, "output": shape,
            "macs": counter.get_total_flops() // 2}


def export(model, size: int, path: str, exporter: str, mode: str = "eval", batch: str = "static") -> None:
    import contextlib
    import io
    import warnings

    import torch
    x = torch.zeros(1, 3, size, size)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        if exporter == "dynamo":
            shapes = ({0: torch.export.Dim("batch", min=1, max=1024)},) if batch == "dynamic" else None
            torch.onnx.export(model, (x,), path, input_names=["x"], dynamo=True, dynamic_shapes=shapes,
                              optimize=mode == "eval")
        else:
            axes = {"x": {0: "batch"}} if batch == "dynamic" else None
            training = torch.onnx.TrainingMode.EVAL if mode == "eval" else torch.onnx.TrainingMode.PRESERVE
            torch.onnx.export(model, (x,), path, input_names=["x"], dynamo=False, dynamic_axes=axes,
                              training=training)


def read(path: str) -> dict:
    """cnncalc's counts of the file, as `cnncalc summary` gives them, and the exporter's changes
    its notes report (readers/onnxnotes.py)."""
    import cnncalc
    from cnncalc.readers import onnx_reader, onnxfile, onnxnotes
    s = cnncalc.summarize(cnncalc.load(path))
    t = s.to_dict()["totals"]
    reader = onnx_reader.OnnxReader(path, onnxfile.load_model(path, 1 << 31, ""))
    reader.read()
    return {"trainable": s.totals.trainable_params, "stats": s.totals.non_trainable_params,
            "output": tuple(t["output_shape"]), "macs": t["macs"], "notes": s.spec.notes,
            "changes": onnxnotes.changes(reader.model, reader.inits)}


def compare(want: dict, got: dict) -> list[str]:
    """What differs between torch's counts and the file's, once the changes the notes report are
    undone: each folded batch norm's 2 x C weights and 2 x C statistics back, the dropped biases
    back, and the fold's biases out where the module's convolutions have none (the note says so;
    VGG-BN's convolutions have their own, which the fold absorbed)."""
    c = got["changes"]
    for own in (0, c.fold_biases, c.bare_channels):
        undone = {**got, "trainable": got["trainable"] + 2 * c.channels - c.fold_biases + own + c.dropped_values,
                  "stats": got["stats"] + 2 * c.channels}
        diff = [f"{k} {got[k]} != {want[k]}" for k in ("trainable", "stats", "output", "macs") if undone[k] != want[k]]
        if not diff:
            return []
    return diff


def sweep(names, variants, folder) -> list[tuple]:
    from cnncalc.errors import CnncalcError
    rows = []
    for name in names:
        for weights, mode, batch in variants:
            model, size = build(name, weights)
            want = truth(model, size)
            for exporter in EXPORTERS:
                path = os.path.join(folder, f"{name}-{exporter}-{weights}-{mode}-{batch}.onnx")
                t0 = time.perf_counter()
                try:
                    export(model, size, path, exporter, mode, batch)
                except Exception as e:  # noqa: BLE001 - the exporter's own failure, reported as such
                    rows.append((name, exporter, (weights, mode, batch), "export failed", str(e).splitlines()[0][:100]))
                    continue
                t1 = time.perf_counter()
                try:
                    got = read(path)
                    diff = compare(want, got)
                    status = "WRONG" if diff else "exact, with notes" if got["notes"] else "exact"
                    detail = "; ".join(diff)
                except CnncalcError as e:
                    status, detail = "refused", str(e)[:300]
                t2 = time.perf_counter()
                rows.append((name, exporter, (weights, mode, batch), status,
                             f"{detail} [export {t1 - t0:.1f}s, read {t2 - t1:.2f}s, {os.path.getsize(path) >> 20} MiB]"))
                print(*rows[-1][:2], "-".join(rows[-1][2]), *rows[-1][3:], sep=" | ", flush=True)
                os.remove(path)
    return rows


if __name__ == "__main__":
    import tempfile
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # this checkout's cnncalc
    args = sys.argv[1:]
    variants = VARIANTS if "--variants" in args else (DEFAULT,)
    names = [a for a in args if not a.startswith("--") and a != "all"] or list(ZOO)
    with tempfile.TemporaryDirectory() as folder:
        sweep(names, variants, folder)
