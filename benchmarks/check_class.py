"""Grade a whole class: 1,000 generated submissions in every accepted form, graded with
`cnncalc check DIR --spec SPEC --gradebook out.csv`'s library call on 2 worker processes.

Run:  cd <repo> && PYTHONPATH=. /work/venv/bin/python benchmarks/check_class.py [--n 1000] [--workers 2]
      /work/venv/bin/python benchmarks/check_class.py --cli    # the installed `cnncalc` console script

Goal (issue 17): under 10 s for 1,000 submissions on 2 cores. Prints the wall time of one run
(generation excluded) and its ratio to the goal (< 1 meets it), then the class summary's top
mistakes as a check that the grading happened. With --cli it times the whole command as a
teacher runs it, `cnncalc check DIR --spec SPEC --gradebook grades.csv` (the console script on
PATH, start-up, reading the spec and writing the gradebook included; its workers are the CPUs
this process may use, pinned to --workers of them with taskset when it is installed).
Results: benchmarks/check-class-*.txt.
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from cnncalc import api
from cnncalc.check.classbook import grade_folder

GOAL_SECONDS = 10.0
SPEC = Path(__file__).resolve().parents[1] / "architectures" / "lenet_homework.yaml"

# (label, shape, size, params) of the homework network, and the slips students make
RIGHT = [("Input", (32, 32, 3), 3072, 0), ("CONV1", (28, 28, 8), 6272, 608), ("POOL1", (14, 14, 8), 1568, 0),
         ("CONV2", (10, 10, 16), 1600, 3216), ("POOL2", (5, 5, 16), 400, 0), ("FC3", (120,), 120, 48120),
         ("FC4", (84,), 84, 10164), ("Softmax", (10,), 10, 850)]
SLIPS = {("CONV1", 3): 208, ("CONV2", 3): 416, ("FC3", 3): 48001, ("FC4", 3): 10081, ("Softmax", 3): 841,
         ("CONV1", 3, "b"): 600, ("POOL1", 3): 264, ("CONV1", 2): 784}


def table(rng: random.Random) -> list[tuple[str, tuple, int, int]]:
    rows = [list(r) for r in RIGHT]
    for key, wrong in SLIPS.items():
        if rng.random() < 0.25:
            for r in rows:
                if r[0] == key[0]:
                    r[key[1]] = wrong
    return [tuple(r) for r in rows]


def fmt_num(n: int, style: str) -> str:
    text = f"{n:,}"
    return {"en": text, "de": text.replace(",", "."), "ch": text.replace(",", "'"),
            "fr": text.replace(",", "\u202f"), "plain": str(n)}[style]


def render(rows, form: str, rng: random.Random) -> tuple[str, str]:
    style = rng.choice(["en", "de", "ch", "fr", "plain"])
    shape = lambda s: "(" + ",".join(map(str, s)) + ")"  # noqa: E731
    if form == "md":
        body = "| Layer | Activation shape | Activation size | # parameters |\n|---|---|---|---|\n"
        body += "".join(f"| {l} | {shape(s)} | {fmt_num(z, style)} | {fmt_num(p, style)} |\n" for l, s, z, p in rows)
        return "md", "Homework\n\n" + body
    if form == "csv":
        sep = ";" if style == "de" else ","
        body = sep.join(["Layer", "Activation shape", "Activation size", "# parameters"]) + "\n"
        body += "".join(sep.join([l, '"' + "x".join(map(str, s)) + '"', f'"{fmt_num(z, style)}"',
                                  f'"{fmt_num(p, style)}"']) + "\n" for l, s, z, p in rows)
        return "csv", body
    if form == "tsv":
        body = "\t\tActivation shape\t\tActivation size\t\t# parameters\n"
        body += "".join(f"{l}\t\t{shape(s)}\t\t{fmt_num(z, style)}\t\t{fmt_num(p, style)}\n" for l, s, z, p in rows)
        return "txt", body
    if form == "yaml":
        body = "answers:\n" + "".join(f"  - {{layer: {l}, shape: {list(s)}, size: {z}, params: {p}}}\n"
                                      for l, s, z, p in rows)
        return "yaml", body
    names = ["input_layer (InputLayer)", "conv2d (Conv2D)", "max_pooling2d (MaxPooling2D)", "conv2d_1 (Conv2D)",
             "max_pooling2d_1 (MaxPooling2D)", "dense (Dense)", "dense_1 (Dense)", "dense_2 (Dense)"]
    lines = ["┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┓",
             "┃ Layer (type)                   ┃ Output Shape       ┃ Param # ┃",
             "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━┩"]
    for name, (_, s, _, p) in zip(names, rows):
        lines.append(f"│ {name:<30} │ {'(None, ' + ', '.join(map(str, s)) + ')':<18} │ {p:>7,} │")
    lines.append("└────────────────────────────────┴────────────────────┴─────────┘")
    return "txt", "\n".join(lines) + "\n"


def generate(folder: Path, n: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    forms = ["md", "csv", "tsv", "yaml", "keras3"]
    for i in range(n):
        if i % 97 == 96:
            (folder / f"s{i:04d}.txt").write_text("I could not do it, sorry\n")  # unreadable
            continue
        ext, text = render(table(rng), forms[i % len(forms)], rng)
        (folder / f"s{i:04d}.{ext}").write_text(text, encoding="utf-8")


def run_cli(n: int, workers: int) -> None:
    """The installed console script on a generated class folder, timed as a whole process."""
    exe = shutil.which("cnncalc")
    if exe is None:
        raise SystemExit("no `cnncalc` on PATH: pip install the package (or activate its venv) first")
    cpus = sorted(os.sched_getaffinity(0))[:workers] if hasattr(os, "sched_getaffinity") else []
    pin = ["taskset", "-c", ",".join(map(str, cpus))] if cpus and shutil.which("taskset") else []
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "class", Path(tmp) / "grades.csv"
        folder.mkdir()
        generate(folder, n)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([*pin, exe, "check", str(folder), "--spec", str(SPEC), "--gradebook", str(out)],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime  # the command and its workers
        rows = len(out.read_text(encoding="utf-8-sig").splitlines()) - 1 if out.exists() else 0
    print(f"{exe} check (exit {done.returncode}): {n} submissions graded in {seconds:.2f} s "
          f"on {len(cpus) or workers} CPUs{' (taskset)' if pin else ''}, gradebook {rows} rows; "
          f"CPU time {cpu:.2f} s (load average {os.getloadavg()[0]:.1f} while it ran)")
    print(f"ratio to the goal ({GOAL_SECONDS:g} s for 1,000): {seconds / GOAL_SECONDS * 1000 / n:.3f}")
    print("  " + "\n  ".join(done.stdout.splitlines()[:3]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--cli", action="store_true", help="time the installed console script instead")
    args = ap.parse_args()
    if args.cli:
        return run_cli(args.n, args.workers)
    summary = api.infer(str(SPEC))
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), args.n)
        start = time.perf_counter()
        report = grade_folder(tmp, summary, workers=args.workers)
        seconds = time.perf_counter() - start
        gradebook = report.to_csv()
    unreadable = sum(s.graded is None for s in report.students)
    print(f"{len(report.students)} students graded in {seconds:.2f} s on {args.workers} processes "
          f"({unreadable} unreadable, gradebook {len(gradebook.splitlines()) - 1} rows)")
    print(f"ratio to the goal ({GOAL_SECONDS:g} s for 1,000): {seconds / GOAL_SECONDS * 1000 / args.n:.3f}")
    for (row, column, why), count in report.common(3):
        print(f"  {count} students: {row} {column}: {why[:60]}")


if __name__ == "__main__":
    main()
