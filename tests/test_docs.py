"""The README and docs/ are run: python blocks execute, `$ cnncalc ...` lines succeed, and
docs/kinds.md is what the registry generates."""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def blocks(lang: str):
    for path in DOCS:
        for m in FENCE.finditer(path.read_text()):
            if m.group(1) == lang:
                line = path.read_text()[:m.start()].count("\n") + 1
                yield pytest.param(m.group(2), id=f"{path.name}:{line}")


def commands():
    for path in DOCS:
        text = path.read_text()
        for m in FENCE.finditer(text):
            if m.group(1) not in ("console", "sh"):
                continue
            for k, line in enumerate(m.group(2).splitlines()):
                if line.startswith("$ cnncalc "):
                    at = text[:m.start()].count("\n") + 2 + k
                    yield pytest.param(line[2:], id=f"{path.name}:{at}")


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run where the docs' relative paths resolve, writing any output file to a temp folder."""
    for name in ("architectures", "examples", "tests", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    return tmp_path


@pytest.mark.parametrize("code", list(blocks("python")))
def test_python_blocks_run(code, in_tmp, cli, monkeypatch):
    """A block may start with `# after: $ cnncalc ...` lines, run first (e.g. an export it imports);
    one that imports torch or keras skips without them."""
    import sys
    import types
    for line in code.splitlines():
        if line.startswith("# after: $ cnncalc "):
            assert cli(*shlex.split(line[len("# after: $ cnncalc "):])).code == 0
    for framework in ("torch", "keras"):
        if re.search(rf"^import {framework}\b", code, re.M):
            pytest.importorskip(framework)
    monkeypatch.syspath_prepend(str(in_tmp))
    module = types.ModuleType("docs_example")
    monkeypatch.setitem(sys.modules, "docs_example", module)
    exec(compile(code, "<docs>", "exec"), module.__dict__)


@pytest.mark.parametrize("line", list(commands()))
def test_cli_lines_run(line, in_tmp, cli):
    words = shlex.split(line.split(" # ")[0].split(" > ")[0])
    run = cli(*words[1:])
    assert run.code in (0, 1), (line, run.err)  # 1: a documented "no" (a wrong cell, no solution)
    assert "Traceback" not in run.err


def test_kinds_md_is_current():
    from cnncalc.kinds.doc import render_kinds_md
    assert (ROOT / "docs" / "kinds.md").read_text() == render_kinds_md(), \
        "docs/kinds.md is stale: python -m cnncalc.kinds.doc > docs/kinds.md"


def test_readme_is_short_and_gives_both_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 200
    assert "pip install . && cnncalc summary architectures/vgg16.yaml" in text
    assert 'pip install -e ".[test,plot]" && python -m pytest' in text
    assert os.path.exists(ROOT / ".ci" / "run") and 'python -m pytest' in (ROOT / ".ci" / "run").read_text()
