"""The checker's "fits another network" note comes from the zoo shipped as package data, so it
works from an installed cnncalc, not only from the source tree: a wheel built from the sources,
installed into a folder of its own and run from elsewhere, grades a VGG-19 table handed in for
VGG-16 with the note, in the terminal and in the gradebook."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from cnncalc import zoo_index
from tests.conftest import ROOT

TABLE = ROOT / "tests" / "check_corpus" / "vgg19_as_vgg16.txt"
NOTE = "This table fits VGG-19 better than VGG-16."


def test_the_zoo_is_package_data():
    assert zoo_index.ZOO.parent == ROOT / "cnncalc" and len(zoo_index.zoo_specs()) >= 20
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert data["cnncalc.zoo"] == ["*.yaml"]


@pytest.mark.slow
def test_an_installed_wheel_gives_the_other_network_note(tmp_path):
    pytest.importorskip("setuptools")
    src, wheels, target, work = (tmp_path / d for d in ("src", "wheels", "site", "work"))
    shutil.copytree(ROOT, src, symlinks=True,
                    ignore=shutil.ignore_patterns(".git", "tests", "benchmarks", "__pycache__", "*.egg-info", "build"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", str(src), "--no-deps", "--no-build-isolation", "-w", str(wheels)],
                   check=True, capture_output=True)
    wheel = next(wheels.glob("cnncalc-*.whl"))
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)], check=True, capture_output=True)
    (work / "class").mkdir(parents=True)
    shutil.copy(TABLE, work / "class" / "ana_12345_67890_vgg.txt")
    env = {**os.environ, "PYTHONPATH": str(target), "COLUMNS": "120"}

    def cnncalc(*args):
        return subprocess.run([sys.executable, "-m", "cnncalc", *args], cwd=work, env=env, capture_output=True,
                              text=True)
    where = subprocess.run([sys.executable, "-c", "import cnncalc; print(cnncalc.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True).stdout
    assert where.startswith(str(target))  # the installed copy, not the source tree
    one = cnncalc("check", "class/ana_12345_67890_vgg.txt", "--spec", "vgg16")
    assert one.returncode == 1 and NOTE in one.stdout, one.stdout + one.stderr
    many = cnncalc("check", "class", "--spec", "vgg16", "--gradebook", "grades.csv")
    assert many.returncode == 1 and NOTE in (work / "grades.csv").read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in (work / "class").iterdir()) == ["ana_12345_67890_vgg.txt"]  # nothing written there
