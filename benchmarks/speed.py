"""Issue 19's figures, each beside its peer measured in the same run (ratios, not goals).

Every command runs as a whole process; pairs run in alternating rounds after a warm-up, and
the medians are quoted. Peak memory is the child's ru_maxrss (resource.getrusage).

    python benchmarks/speed.py                  # all sections, 7 rounds
    python benchmarks/speed.py startup branches --runs 15
    python benchmarks/speed.py scale --depths 10000 100000
    python benchmarks/speed.py models --runs 5

Sections:
- startup: `cnncalc summary architectures/vgg16.yaml` (table, COLUMNS=120) vs `python -c pass`
  and vs the peers that need the framework: torch + torchinfo's `summary` of the same VGG-16
  (when torchinfo is installed: `pip install -e ".[bench]"`, torch as .ci/run installs it),
  and the bare minimum torchinfo does, written out: import torch, build VGG-16 as nn.Modules,
  forward a (1, 3, 224, 224) tensor with a forward hook on every module that records its
  output shape and parameter count, print one line per module.
- scale: generated chains (conv2d 3x3 + relu repeated) of 10,000 and 100,000 layers:
  `--format json` and the table (COLUMNS=120), seconds, ms per layer and peak MiB.
- report: `cnncalc report architectures/vgg16.yaml -o FILE` (charts on, the default) vs
  `--no-charts` and vs `python -c pass`.
- branches: ResNet-50 and DenseNet-121 summaries as a ratio to VGG-16's.
- models: SqueezeNet 1.1, ResNet-18 and EfficientNet-B0 from torchvision, exported by torch to
  ONNX in a temp folder; the YAML spec of each is `cnncalc import` of that file, its PyTorch
  source `cnncalc export --to pytorch`, its .keras and Keras JSON the model Keras builds from
  `cnncalc export --to keras` (saved, to_json()). `cnncalc summary FILE --format json` (the
  installed console script) of each format against the YAML, and of the ONNX file against
  onnx-tool's `model_profile` of the same file (the `bench` extra). Goals: ONNX within 2x of the
  YAML and 5x faster than onnx-tool; the others within 2x of the YAML; under 100 MiB.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120", "KERAS_BACKEND": "torch"}
PY = sys.executable
CNNCALC = [PY, "-m", "cnncalc"]

TORCH_PEER = r"""
import torch
from torch import nn
cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
layers, c = [], 3
for v in cfg:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
        c = v
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True),
                      nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
rows = []
def hook(m, i, o):
    rows.append((type(m).__name__, tuple(o.shape), sum(p.numel() for p in m.parameters(recurse=False))))
for m in model.modules():
    if m is not model:
        m.register_forward_hook(hook)
with torch.no_grad():
    model(torch.zeros(1, 3, 224, 224))
for i, (kind, shape, n) in enumerate(rows):
    print(f"{i:3d} {kind:12s} {str(shape):24s} {n:>12,}")
print(f"Total params: {sum(p.numel() for p in model.parameters()):,}")
"""


TORCHINFO_PEER = TORCH_PEER.split("rows = []")[0] + """
import torchinfo
print(torchinfo.summary(model, input_size=(1, 3, 224, 224), depth=3, verbose=0))
"""


class Timing(NamedTuple):
    secs: float  # wall
    mib: float   # peak resident
    cpu: float   # user + system seconds: what a loaded machine inflates least


def run(cmd: list[str]) -> Timing:
    """Wall seconds, peak MiB and CPU seconds of one whole-process run (in a fresh wrapper, so
    that RUSAGE_CHILDREN's figures are this command's alone)."""
    wrapper = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
               "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True); "
               "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(time.perf_counter() - t, r.ru_maxrss, r.ru_utime + r.ru_stime)")
    out = subprocess.run([PY, "-c", wrapper, *cmd], env=ENV, cwd=ROOT, capture_output=True, text=True, check=True)
    secs, kib, cpu = out.stdout.split()
    return Timing(float(secs), int(kib) / 1024, float(cpu))


def rounds(cmds: dict[str, list[str]], runs: int, warmup: bool = True) -> dict[str, Timing]:
    """Median wall seconds, peak MiB and CPU seconds of each command, timed in alternating rounds."""
    for cmd in cmds.values() if warmup else ():
        run(cmd)
    got: dict[str, list] = {k: [] for k in cmds}
    for _ in range(runs):
        for k, cmd in cmds.items():
            got[k].append(run(cmd))
    return {k: Timing(*(statistics.median(t[i] for t in v) for i in range(3))) for k, v in got.items()}


def show(rows: list[tuple[str, str]]) -> None:
    w = max(len(a) for a, _ in rows)
    for a, b in rows:
        print(f"  {a:<{w}}  {b}")


def startup(runs: int) -> None:
    import importlib.util
    cmds = {"pass": [PY, "-c", "pass"], "vgg16": CNNCALC + ["summary", "architectures/vgg16.yaml"],
            "torch": [PY, "-c", TORCH_PEER]}
    if importlib.util.find_spec("torchinfo"):
        cmds["torchinfo"] = [PY, "-c", TORCHINFO_PEER]
    r = rounds(cmds, runs)
    (p, _, _), (s, sm, _) = r["pass"], r["vgg16"]
    print(f"startup (median of {runs}):")
    rows = [("python -c pass", f"{p * 1000:.0f} ms"),
            ("cnncalc summary vgg16.yaml", f"{s * 1000:.0f} ms, {sm:.0f} MiB: {s / p:.1f}x python -c pass (goal <= 8x)")]
    if "torchinfo" in r:
        t, tm, _ = r["torchinfo"]
        rows.append(("torch + torchinfo.summary of VGG-16", f"{t * 1000:.0f} ms, {tm:.0f} MiB: {t / s:.1f}x cnncalc (goal >= 20x)"))
    else:
        rows.append(("torch + torchinfo.summary of VGG-16", "torchinfo not installed (pip install torchinfo)"))
    t, tm, _ = r["torch"]
    rows.append(("torch build + hook walk (torchinfo's core)", f"{t * 1000:.0f} ms, {tm:.0f} MiB: {t / s:.1f}x cnncalc"))
    show(rows)


def chain(n: int, folder: Path) -> Path:
    path = folder / f"chain{n}.yaml"
    lines = [f"name: chain of {n}", "input: [8, 8, 4]", "layers:"]
    lines += ["  - conv2d: {filters: 4, kernel: 3, padding: 1}", "  - relu"] * (n // 2)
    path.write_text("\n".join(lines) + "\n")
    return path


def scale(runs: int, depths: list[int], table_max: int) -> None:
    goals = {10_000: (1, 3), 100_000: (10, 30)}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"scale (median of {runs}; goal json/table seconds, <300 MiB at 100,000):")
        rows = []
        for n in depths:
            spec = str(chain(n, Path(tmp)))
            cmds = {"json": CNNCALC + ["summary", spec, "--format", "json"], "table": CNNCALC + ["summary", spec]}
            if n > table_max:
                del cmds["table"]
            r = rounds(cmds, runs, warmup=False)  # seconds long: no warm-up
            for k, (s, m, _) in r.items():
                goal = goals.get(n, (None, None))[k == "table"]
                rows.append((f"{n:,} layers, {k}", f"{s:.2f} s, {s / n * 1000:.3f} ms/layer, peak {m:.0f} MiB"
                             + (f" (goal < {goal} s)" if goal else "")))
        show(rows)


def report(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "vgg16.html")
        r = rounds({"pass": [PY, "-c", "pass"],
                    "charts": CNNCALC + ["report", "architectures/vgg16.yaml", "-o", out, "--force"],
                    "nocharts": CNNCALC + ["report", "architectures/vgg16.yaml", "-o", out, "--force", "--no-charts"]},
                   runs)
    (p, _, _), (c, cm, _), (n, nm, _) = r["pass"], r["charts"], r["nocharts"]
    print(f"report of VGG-16 (median of {runs}; goal < 1 s):")
    show([("report (charts)", f"{c:.2f} s, {cm:.0f} MiB: {c / p:.1f}x python -c pass"),
          ("report --no-charts", f"{n:.2f} s, {nm:.0f} MiB: charts cost {c / n:.2f}x")])


def branches(runs: int) -> None:
    nets = ("vgg16", "resnet50", "densenet121")
    r = rounds({k: CNNCALC + ["summary", f"architectures/{k}.yaml"] for k in nets}, runs)
    v = r["vgg16"][0]
    print(f"branches (median of {runs}; goal within 1.5x of VGG-16):")
    show([(k, f"{r[k][0] * 1000:.0f} ms: {r[k][0] / v:.2f}x VGG-16") for k in nets])


EXPORT = r"""
import sys, types
sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations"))
import torch, torchvision.models as tvm
for name in sys.argv[2:]:
    model = getattr(tvm, name)().eval()
    torch.onnx.export(model, (torch.zeros(1, 3, 224, 224),), f"{sys.argv[1]}/{name}.onnx", dynamo=False)
"""

KERAS_SAVE = r"""
import importlib.util, sys
for name in sys.argv[2:]:
    spec = importlib.util.spec_from_file_location(name, f"{sys.argv[1]}/{name}_keras.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.build_model()
    model.save(f"{sys.argv[1]}/{name}.keras")
    open(f"{sys.argv[1]}/{name}.json", "w").write(model.to_json())
"""

NETS = ("squeezenet1_1", "resnet18", "efficientnet_b0")
SCRIPT = [PY, "-c", "import sys; from cnncalc.main import main; sys.exit(main())"]  # what the console script runs


def console_script() -> list[str]:
    """The installed `cnncalc` script, or the two lines it runs when the install predates main.py."""
    script = str(Path(PY).parent / "cnncalc")
    ok = os.path.exists(script) and subprocess.run([script, "--help"], env=ENV, capture_output=True).returncode == 0
    return [script] if ok else SCRIPT
ONNX_TOOL = "import onnx_tool, sys; onnx_tool.model_profile(sys.argv[1])"


def make_models(folder: str) -> None:
    """The three networks as .onnx, .yaml, torch .py, .keras and .json in `folder`."""
    subprocess.run([PY, "-c", EXPORT, folder, *NETS], env=ENV, check=True, capture_output=True)
    cli = console_script()
    for name in NETS:
        base = f"{folder}/{name}"
        subprocess.run(cli + ["import", f"{base}.onnx", "-o", f"{base}.yaml"], env=ENV, check=True, capture_output=True)
        for to in ("pytorch", "keras"):
            subprocess.run(cli + ["export", f"{base}.yaml", "--to", to, "-o", f"{base}_{to}.py"], env=ENV,
                           check=True, capture_output=True)
    subprocess.run([PY, "-c", KERAS_SAVE, folder, *NETS], env=ENV, check=True, capture_output=True)


def models(runs: int) -> None:
    """(PYTHONDONTWRITEBYTECODE is dropped for this section: an installed cnncalc, like onnx-tool,
    runs from cached bytecode, and the warm-up round writes it.)"""
    import importlib.util
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    tool = importlib.util.find_spec("onnx_tool") is not None
    cli = console_script() + ["summary"]
    files = {"YAML": ".yaml", "ONNX": ".onnx", ".keras": ".keras", "Keras JSON": ".json", "PyTorch .py": "_pytorch.py"}
    print(f"models (median of {runs}; cnncalc summary FILE --format json; goals: within 2x of the YAML, "
          f"ONNX 5x faster than onnx-tool, < 100 MiB; run as {' '.join(cli[:-1])[-60:]}):")
    with tempfile.TemporaryDirectory() as tmp:
        make_models(tmp)
        for name in NETS:
            cmds = {k: cli + [f"{tmp}/{name}{ext}", "--format", "json"] for k, ext in files.items()}
            cmds["PyTorch .py"] += ["--input", "224x224"]  # source code does not say its input size
            if tool:
                cmds["onnx-tool"] = [PY, "-c", ONNX_TOOL, f"{tmp}/{name}.onnx"]
            r = rounds(cmds, runs)
            y = r["YAML"][0]
            mb = os.path.getsize(f"{tmp}/{name}.onnx") / 2**20
            rows = [(f"{name} YAML", f"{y * 1000:.0f} ms, {r['YAML'][1]:.0f} MiB")]
            for k in list(files)[1:]:
                s, m, c = r[k]
                extra = (f", onnx-tool {r['onnx-tool'][0] * 1000:.0f} ms: {r['onnx-tool'][0] / s:.1f}x cnncalc"
                         f" (CPU {r['onnx-tool'].cpu / c:.1f}x)") if k == "ONNX" and tool else ""
                size = f" ({mb:.1f} MB)" if k == "ONNX" else ""
                rows.append((f"{name} {k}{size}", f"{s * 1000:.0f} ms, {m:.0f} MiB: {s / y:.2f}x YAML{extra}"))
            if not tool:
                rows.append(("onnx-tool", "not installed (pip install -e '.[bench]')"))
            show(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", default=["startup", "scale", "report", "branches", "models"])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--depths", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--table-max", type=int, default=100_000, help="time the table only up to this depth")
    args = parser.parse_args()
    print(f"{sys.version.split()[0]}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for s in args.sections:
        if s == "scale":
            scale(min(args.runs, 3), args.depths, args.table_max)
        else:
            {"startup": startup, "report": report, "branches": branches, "models": models}[s](args.runs)


if __name__ == "__main__":
    main()
