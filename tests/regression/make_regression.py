"""Regenerate the regression goldens: the CLI's outputs on every zoo spec and test spec.

Recorded before the kinds redesign (issue 13) so that it could be checked to change nothing;
kept so that any later change of an output is deliberate. Run from the project root:

    python tests/regression/make_regression.py
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
TIMING = re.compile(r'(\s)"(ms|seconds)": [0-9.e+-]+')
OUT = ROOT / "tests" / "regression" / "outputs.json"


def specs() -> list[Path]:
    return sorted((ROOT / "architectures").glob("*.yaml")) + sorted((ROOT / "tests/golden/export").glob("*.yaml"))


def answer_tables() -> list[tuple[str, Path]]:
    data = ROOT / "tests" / "data"
    homework = "architectures/lenet_homework.yaml"
    return [(homework, p) for p in sorted(data.iterdir()) if p.name.startswith("lenet_homework")] + \
        [(homework, ROOT / "examples" / "lenet_homework_answers.md")]


def commands() -> list[list[str]]:
    runs: list[list[str]] = []
    for p in specs():
        rel = str(p.relative_to(ROOT))
        runs += [["summary", rel, "--format", "json"],
                 ["summary", rel, "--format", "json", "--columns", "all", "--flops-convention", "full",
                  "--batch", "2", "--optimizer", "adam"],
                 ["summary", rel, "--width", "120"],
                 ["summary", rel, "--explain", "--width", "160"],
                 ["summary", rel, "--format", "markdown"],
                 ["summary", rel, "--format", "csv", "--columns", "all"],
                 ["solve", "input", rel, "--format", "json", "--max", "600"],
                 ["export", rel, "--to", "pytorch", "-o", "-"],
                 ["export", rel, "--to", "keras", "-o", "-"]]
        if "dcgan" not in rel and "vgg19" not in rel and "alexnet.yaml" not in rel:
            runs.append(["verify", rel, "--format", "json"])
    for spec, answers in answer_tables():
        rel = str(answers.relative_to(ROOT))
        runs += [["check", rel, "--spec", spec, "--format", "json"], ["check", rel, "--spec", spec]]
    return runs


def run(args: list[str]) -> dict:
    from typer.testing import CliRunner
    from cnncalc.cli import app
    result = CliRunner().invoke(app, args)
    out = result.stdout
    if args[0] == "verify":  # wall-clock timings are the one thing that may differ
        out = TIMING.sub(r'\1"\2": _', out)
    return {"args": args, "code": result.exit_code, "out": out, "err": result.stderr}


if __name__ == "__main__":
    import os
    os.chdir(ROOT)
    os.environ["COLUMNS"] = "120"
    results = [run(a) for a in commands()]
    OUT.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(results)} outputs -> {OUT.relative_to(ROOT)}")
