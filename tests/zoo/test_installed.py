"""The zoo ships with the package: after `pip install .` (into a folder of its own, run from
elsewhere, so the source tree is not on the path) `cnncalc summary vgg16` works by zoo name,
`summary --list` lists the zoo, and the checker's "fits another network better" note finds it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "check_corpus"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("installed")
    src = base / "src"
    src.mkdir()
    for name in ("cnncalc", "architectures"):
        shutil.copytree(ROOT / name, src / name, symlinks=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    site = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                    "--no-index", "-q", "--target", str(site), str(src)], check=True,
                   capture_output=True, timeout=300)
    run_in = base / "elsewhere"
    run_in.mkdir()

    def run(*args: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONPATH": str(site)}
        return subprocess.run([sys.executable, *args], cwd=run_in, env=env, capture_output=True,
                              text=True, timeout=300)
    return site, run


@pytest.mark.slow
def test_the_installed_package_has_the_zoo(installed):
    site, run = installed
    r = run("-c", "import cnncalc; print(cnncalc.__file__)")
    assert r.stdout.strip() == str(site / "cnncalc" / "__init__.py")
    zoo = site / "cnncalc" / "zoo"
    assert (zoo / "vgg16.yaml").is_file() and not (zoo / "vgg16.yaml").is_symlink()
    assert {p.name for p in zoo.glob("*.yaml")} == {p.name for p in (ROOT / "architectures").glob("*.yaml")}


@pytest.mark.slow
def test_summary_by_zoo_name_and_list(installed):
    _, run = installed
    r = run("-m", "cnncalc", "summary", "vgg16", "--format", "json")
    assert r.returncode == 0 and '"name": "VGG-16"' in r.stdout
    r = run("-m", "cnncalc", "summary", "--list")
    assert r.returncode == 0 and "vgg19  " in r.stdout and "lenet_homework" in r.stdout


@pytest.mark.slow
def test_the_other_network_note_from_the_installed_package(installed):
    _, run = installed
    r = run("-m", "cnncalc", "check", str(CORPUS / "vgg19_as_vgg16.txt"), "--spec", "vgg16")
    assert r.returncode == 1 and "This table fits VGG-19 better than VGG-16." in r.stdout


def test_zoo_names_in_the_source_tree(cli):
    r = cli("summary", "--list")
    assert r.code == 0 and len(r.out.splitlines()) == len(list((ROOT / "architectures").glob("*.yaml")))
    assert cli("summary", "lenet_homework", "--format", "markdown").out == \
        cli("summary", ROOT / "architectures" / "lenet_homework.yaml", "--format", "markdown").out
    r = cli("summary")
    assert r.code == 2 and r.err == "cnncalc: Missing argument 'spec'; see `cnncalc summary --help`\n"
