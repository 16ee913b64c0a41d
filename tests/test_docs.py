"""The README and docs/ are run: python blocks execute, `$ cnncalc ...` lines succeed, and
docs/kinds.md is what the registry generates."""
from __future__ import annotations

import dataclasses
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


SAMPLE = {"size": "2", "int": "1", "ints": "3", "nonneg_ints": "1", "nonneg": "1", "padding": "1", "bool": "false",
          "float": "0.5", "rate": "0.25", "str": "bilinear", "activation": "relu", "shape": "[-1]", "positive": "2"}


def spelled_args():
    from cnncalc.kinds import classes
    from cnncalc.kinds.doc import spellings
    for cls in classes():
        for arg, spelled in spellings(cls).items():
            for word in dict.fromkeys(spelled["keras"] + spelled["torch"] + spelled["also"]):
                yield pytest.param(cls, arg, word, id=f"{cls.__name__}.{arg}={word}")


@pytest.mark.parametrize("cls, arg, word", list(spelled_args()))
def test_every_spelling_in_kinds_md_is_accepted(cls, arg, word):
    """The Keras, PyTorch and other spellings docs/kinds.md lists reach the same argument."""
    from cnncalc.kinds import KIND_ALIASES, normal
    from cnncalc.spec import parse_spec
    kind = next(n for n in cls.NAMES if KIND_ALIASES[normal(n)] == n)  # `linear` is read as dense
    args = cls.spec_args()
    required = {n: SAMPLE[f.metadata["type"]] for n, f in args.items()
                if n != arg and f.default is dataclasses.MISSING}
    kind_of_value = args[arg].metadata["type"]
    value = ("false" if args[arg].default else "true") if kind_of_value == "bool" else SAMPLE[kind_of_value]

    def layer(key):
        body = ", ".join(f"{k}: {v}" for k, v in {**required, key: value}.items())
        return parse_spec(f"input: [8, 8, 4]\nlayers:\n  - {kind}: {{{body}}}\n").layers[0]
    assert getattr(layer(word), arg) == getattr(layer(arg), arg) != args[arg].default
