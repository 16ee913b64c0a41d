"""The hostile corpus (tests/hostile/): every command on specs, answer tables and grids made to
break it. Each run ends with exit 0/1 and an answer, or exit 2 and exactly one line on stderr;
never a traceback, never a file outside the -o target, never a changed input.

The fast test runs in-process; the slow one runs real processes under a 2 GiB address-space
limit and a timeout, so a hang or a memory blow-up fails it too.
"""
from __future__ import annotations

import ast
import hashlib
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
HOSTILE = ROOT / "tests" / "hostile"
SPECS = sorted(p.name for p in HOSTILE.glob("*.yaml"))
MODELS = sorted(p.name for p in HOSTILE.glob("*_model.*"))
ANSWERS = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".md", ".csv"))
GOOD_SPEC = str(ROOT / "architectures" / "lenet_homework.yaml")

SPEC_RUNS = {
    "summary": [[], ["--format", "csv", "--columns", "all"], ["--format", "json"], ["--explain"],
                ["--format", "markdown"]],
    "verify": [[], ["--format", "json"]],
    "export": [["--to", "pytorch", "-o", "out.py"], ["--to", "keras", "-o", "-"]],
    "report": [["-o", "out.html", "--no-charts"]],
    "plot": [["-o", "out.svg"]],
    "solve input": [["--max", "64"]],
    "backprop": [["--input", "1", "--target", "1"]],
    "exercise": [["--roster", str(HOSTILE / "roster_hostile.csv"), "--seed", "1", "-o", "out.ex"]],
}
GRID_RUNS = [
    ["conv", "--image", "1e308 1e308; 1e308 1e308", "--kernel", "1e308 1e308; 1e308 1e308"],
    ["conv", "--image", "1 2; 3 4", "--kernel", "1", "-p", "100000"],
    ["conv", "--image", "1 2; 3", "--kernel", "1"],
    ["pool", "--image", "1 2; 3 4", "-f", "2", "-p", "99999999999999999999999"],
    ["conv-matrix", "-n", "100000000", "-f", "3"],
    ["size", "9" * 5000, "-f", "3"],
    ["size", "1000000000000", "-f", "3", "-s", "7"],
    ["layer", "conv", "--input", "32x32x3", "--filters", "9" * 50, "-f", "3"],
    ["layer", "pool", "--input", "143x143x64", "-f", "999999999999999999"],
    ["layer", "dense", "--input", "400", "--units", "0"],
    ["layer", "kind", "leaky_relu", "--input", "9" * 18, "--arg", "negative_slope=1e999", "--jacobian"],
    ["layer", "softmax", "--input", "0x3", "--arg", "x" * 1000 + "=[[[", "-f", "-1"],
    ["solve", "stride", "-n", "100000000000", "--out", "2", "-f", "3"],
    ["solve", "padding", "-n", "6", "-f", "3", "-s", "99999999999999999"],
    ["solve", "kernel", "-n", "288", "--out", "143", "-s", "-2"],
    ["verify", GOOD_SPEC, "--seed", "-1"],
    ["verify", str(ROOT / "architectures" / "vgg16.yaml"), "--batch", "100000"],
    ["summary", GOOD_SPEC, "--batch", "9" * 5000],
    ["summary", GOOD_SPEC, "--width", "-5"],
    ["summary", GOOD_SPEC, "--input", "9" * 40],
    ["summary", GOOD_SPEC, "--input", "0x0x1"],
    ["summary", GOOD_SPEC, "--class", "Net"],
    ["grad", "--image", "1e308 1e308; 1e308 1e308", "--kernel", "1e308 1e308; 1e308 1e308"],
    ["grad", "--image", "1 2; 3 4", "--kernel", "1", "-p", "100000"],
    ["grad", "--image", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 1", "--upstream", "1 2 3"],
    ["grad", "--image", "1 2; 3 4", "--kernel", "1", "--at", "dK:" + "9" * 40],
    ["backprop", GOOD_SPEC, "--input", "1", "--target", "1"],
    ["backprop", str(ROOT / "docs" / "examples" / "notes_1d.yaml"), "--input", "[1, 2]", "--target", "1"],
    ["backprop", str(ROOT / "docs" / "examples" / "notes_1d.yaml"), "--input", "1 3 2 0 1", "--target", "1",
     "--weights", str(HOSTILE / "junk.yaml")],
    ["conv", "--image", "1 2; 3 4", "--kernel", "1", "--bias", "inf", "--activation", "relu"],
    ["conv", "--image", "1 2; 3 4", "--kernel", "1", "--activation", "$(rm -rf /)"],
    ["layer", "dense", "--input", "9" * 18, "--units", "9" * 18, "--jacobian"],
    ["exercise", "--drill", "params", "--count", "9" * 5000, "--seed", "9" * 18],
    ["exercise", "--drill", "size", "--count", "200", "--seed", "9" * 19],
    ["exercise", "--drill", "$(rm -rf /)\x1b[2J"],
    ["exercise", str(HOSTILE / "vary_limits.yaml"), "--roster", str(HOSTILE / "roster_hostile.csv"), "--seed", "1",
     "-o", "out.ex", "--format", "html"],
    ["exercise", str(ROOT / "docs" / "examples" / "hw_template.yaml"), "--roster", str(HOSTILE / "roster_ctrl.csv"),
     "--seed", "1", "-o", "out.ex"],
]


# Runs that take seconds each (a 4096x4096 image through NumPy, a 740 kB answer table, the blocks
# and alias bombs through each command: the fast suite keeps their summary) run in the full suite only.
HEAVY = ({"verify-wide.yaml-", "verify-wide.yaml---format_json", "check-many_rows.md", "check-json-many_rows.md",
          "check-long_cell.md", "check-json-long_cell.md"}
         | {f"{c}-{bomb}-{'_'.join(a)}" for c, variants in SPEC_RUNS.items() for a in variants
            for bomb in ("blocks_bomb.yaml", "alias_bomb.yaml")}
         - {"summary-blocks_bomb.yaml-", "summary-alias_bomb.yaml-"})


def param(args: list[str], id: str):
    return pytest.param(args, id=id, marks=[pytest.mark.slow] if id in HEAVY else [])


def runs(every: bool = True):
    """Every command on every file (in-process); `every=False`: one run per file (as processes)."""
    for spec in SPECS:
        if not every:
            yield param(["summary", f"IN/{spec}", "--format", "csv"], id=f"summary-{spec}")
            continue
        for command, variants in SPEC_RUNS.items():
            for args in variants:
                yield param([*command.split(), f"IN/{spec}", *args], id=f"{command}-{spec}-{'_'.join(args)}")
    for model in MODELS:
        yield param(["import", f"IN/{model}", "--input", "32x32x3"], id=f"import-{model}")
        if every:
            yield param(["summary", f"IN/{model}", "--input", "32x32x3"], id=f"summary-{model}")
            yield param(["import", f"IN/{model}", "-o", "out.yaml"], id=f"import-o-{model}")
    for answers in ANSWERS:
        if not every:
            yield param(["check", f"IN/{answers}", "--spec", GOOD_SPEC], id=f"check-{answers}")
            continue
        yield param(["check", f"IN/{answers}", "--spec", GOOD_SPEC], id=f"check-{answers}")
        yield param(["check", f"IN/{answers}", "--spec", GOOD_SPEC, "--format", "json"], id=f"check-json-{answers}")
    for i, args in enumerate(GRID_RUNS):
        yield param(args, id=f"args-{i}-{args[0]}")


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A private copy of the corpus as the inputs, and an empty folder as the cwd."""
    inputs = tmp_path / "IN"
    inputs.mkdir()
    for p in HOSTILE.iterdir():
        (inputs / p.name).write_bytes(p.read_bytes())
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return inputs, cwd


def judge(args, code: int, out: str, err: str, inputs: Path, before: dict, cwd: Path) -> None:
    assert "Traceback" not in err and "Traceback" not in out, err
    assert code in (0, 1, 2), (code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
    assert "\x1b" not in err, "an escape sequence reached the terminal"
    assert digest(inputs) == before, "an input file was changed"
    allowed = {a for a in args if a.startswith("out.")}
    assert {p.name for p in cwd.iterdir()} <= allowed, "a file appeared outside the -o target"
    for name in allowed & {"out.py"}:
        if (cwd / name).exists():
            tree = ast.parse((cwd / name).read_text())
            divisions = [n for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)
                         and getattr(n.right, "value", None) == 0]
            assert not divisions, "user text became code"
    if "export" in args and "-o" in args and args[args.index("-o") + 1] == "-" and code == 0:
        ast.parse(out)


def test_every_command_is_in_the_corpus():
    from typer.main import get_command

    from cnncalc.cli import app
    group = get_command(app)
    names = set()
    for name, cmd in group.commands.items():
        sub = getattr(cmd, "commands", None)
        names |= {f"{name} {s}" for s in sub} if sub else {name}
    covered = set(SPEC_RUNS) | {"check", "import"} | {" ".join(a[:2]) if a[0] in ("layer", "solve") else a[0] for a in GRID_RUNS}
    missing = {n for n in names if n not in covered and n.split()[0] not in covered}
    assert not missing, f"commands the hostile corpus does not run: {sorted(missing)}"


@pytest.mark.parametrize("args", list(runs()))
def test_hostile_in_process(args, work, cli):
    inputs, cwd = work
    before = digest(inputs)
    args = [a.replace("IN/", f"{inputs}/") for a in args]
    run = cli(*args)
    judge(args, run.code, run.out, run.err, inputs, before, cwd)


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.slow
@pytest.mark.parametrize("args", list(runs(every=False)))
def test_hostile_process(args, work):
    inputs, cwd = work
    before = digest(inputs)
    args = [a.replace("IN/", f"{inputs}/") for a in args]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-m", "cnncalc", *args], capture_output=True, text=True, timeout=60,
                       env=env, preexec_fn=_limit, stdin=subprocess.DEVNULL)
    judge(args, p.returncode, p.stdout, p.stderr, inputs, before, cwd)
