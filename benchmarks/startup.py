"""Start-up time of `cnncalc summary architectures/vgg16.yaml` as a whole process.

Prints the median wall time of N runs of `python -m cnncalc summary architectures/vgg16.yaml`
(output discarded) and of `python -c pass`, both in ms, and their ratio. The two are timed in
alternating rounds after a warm-up, so disk cache and CPU frequency affect both alike.

    python benchmarks/startup.py            # N = 20
    python benchmarks/startup.py 40 --spec architectures/mobilenet_v1.yaml
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=20)
    parser.add_argument("--spec", default="architectures/vgg16.yaml")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    summary = [sys.executable, "-m", "cnncalc", "summary", args.spec]
    baseline = [sys.executable, "-c", "pass"]
    wall(summary, env), wall(baseline, env)  # warm-up
    s, b = [], []
    for _ in range(args.runs):
        s.append(wall(summary, env))
        b.append(wall(baseline, env))
    ms, mb = statistics.median(s) * 1000, statistics.median(b) * 1000
    print(f"cnncalc summary {args.spec}: {ms:.0f} ms (median of {args.runs})")
    print(f"python -c pass: {mb:.0f} ms")
    print(f"ratio: {ms / mb:.1f}x")


if __name__ == "__main__":
    main()
