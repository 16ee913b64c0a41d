"""The README and docs/ are run: python blocks execute, every `$ cnncalc ...` line exits as
documented and prints the output shown under it, specs in yaml blocks load, and docs/kinds.md
is what the registry generates.

Conventions in the docs' fenced blocks:
- ```console / ```sh: a `$ cnncalc ...` line runs; it must exit 0, or N when it ends with
  `# exit N`. Lines under it up to the next `$` line are its output (stdout, then stderr):
  `...` alone stands for any lines, a line ending in `...` for any line that starts so.
- ```python: runs; `# after: $ cnncalc ...` lines at its top run first; `# file: PATH` as its
  first line means the block is PATH's text, verbatim (run as part of its package).
- ```yaml: a spec (with `input:` and `layers:`) must load and summarize; `# file: NAME` as its
  first line writes it to NAME where the examples run.
"""
from __future__ import annotations

import dataclasses
import inspect
import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.M | re.S)
EXIT = re.compile(r"#\s*exit (\d+)")


def fenced(langs: tuple[str, ...]):
    """(path, line of the block's first content line, lang, text) of every block in langs."""
    for path in DOCS:
        text = path.read_text()
        for m in FENCE.finditer(text):
            if m.group(1) in langs:
                yield path, text[:m.start()].count("\n") + 2, m.group(1), m.group(2)


def blocks(lang: str):
    for path, line, _, code in fenced((lang,)):
        yield pytest.param(code, id=f"{path.name}:{line}")


def commands():
    """(command line, expected output lines) of every `$ cnncalc` line."""
    for path, first, _, code in fenced(("console", "sh")):
        lines = code.splitlines()
        for k, line in enumerate(lines):
            if line.startswith("$ cnncalc "):
                out = []
                for following in lines[k + 1:]:
                    if following.startswith("$ "):
                        break
                    out.append(following.rstrip())
                while out and not out[-1]:
                    out.pop()
                yield pytest.param(line[2:], out, id=f"{path.name}:{first + k}")


def doc_files() -> dict[str, str]:
    """Files the docs write for their examples: yaml blocks whose first line is `# file: NAME`."""
    out = {}
    for _, _, _, code in fenced(("yaml",)):
        m = re.match(r"# file: (\S+)\n", code)
        if m:
            out[m.group(1)] = code
    return out


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Run where the docs' relative paths resolve, writing any output file to a temp folder."""
    for name in ("architectures", "examples", "tests", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    for name, text in doc_files().items():
        (tmp_path / name).write_text(text)
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
    monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))  # Keras 3 on torch
    for framework in ("torch", "keras"):
        if re.search(rf"^import {framework}\b", code, re.M):
            pytest.importorskip(framework)
    module = types.ModuleType("docs_example")
    quoted = re.match(r"# file: (\S+)\n", code)
    if quoted:  # the block is that file's text, verbatim: it runs in that module's namespace
        path = quoted.group(1)
        assert code[quoted.end():] in (ROOT / path).read_text(), \
            f"the block is not {path}'s text: copy it again from the file"
        import importlib
        module.__dict__.update(vars(importlib.import_module(path[:-3].replace("/", "."))))
    monkeypatch.syspath_prepend(str(in_tmp))
    monkeypatch.setitem(sys.modules, "docs_example", module)
    exec(compile(code, "<docs>", "exec"), module.__dict__)
    for name in re.findall(r"^def (test_\w+)\(", code, re.M):  # quoted tests run too
        fixtures = {"tmp_path": in_tmp}
        params = inspect.signature(module.__dict__[name]).parameters
        module.__dict__[name](**{p: fixtures[p] for p in params})


def _matches(expected: list[str], actual: list[str]) -> bool:
    """`...` alone: any lines; a line ending in `...`: any line that starts with the rest."""
    pattern = ""
    for line in expected:
        if line.strip() == "...":
            pattern += r"(?:.*\n)*?"
        elif line.endswith("..."):
            pattern += re.escape(line[:-3]) + r".*\n"
        else:
            pattern += re.escape(line) + r"\n"
    return re.fullmatch(pattern, "".join(line + "\n" for line in actual)) is not None


@pytest.mark.parametrize("line, output", list(commands()))
def test_cli_lines_run(line, output, in_tmp, cli):
    """Each line exits as documented (0, or `# exit N`) and prints the output shown under it."""
    words = shlex.split(line.split(" # ")[0].split(" > ")[0])
    run = cli(*words[1:])
    expected = int(EXIT.search(line).group(1)) if EXIT.search(line) else 0
    assert run.code == expected, (line, run.err)
    assert "Traceback" not in run.err
    if output:
        actual = [x.rstrip() for x in (run.out + run.err).splitlines()]
        while actual and not actual[-1]:
            actual.pop()
        assert _matches(output, actual), "\n".join(["the docs show:", *output, "", "it prints:", *actual])


@pytest.mark.parametrize("text", [p for p in blocks("yaml") if "input:" in p.values[0] and "layers:" in p.values[0]])
def test_yaml_specs_load(text):
    import cnncalc
    s = cnncalc.summarize(cnncalc.load(text))
    assert s.layers and s.totals.params >= 0


def test_kinds_md_is_current():
    from cnncalc.kinds.doc import render_kinds_md
    assert (ROOT / "docs" / "kinds.md").read_text() == render_kinds_md(), \
        "docs/kinds.md is stale: python -m cnncalc.kinds.doc > docs/kinds.md"


def test_readme_is_short_and_gives_both_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) < 200
    assert "pip install . && cnncalc summary architectures/vgg16.yaml" in text
    command = 'pip install -e ".[test,plot,office]" && python -m pytest'
    assert command in text  # office: the checker's .xlsx and PDF tests need openpyxl and pypdf
    assert command.replace("install -e", "install -q -e") in (ROOT / ".ci" / "run").read_text()


SAMPLE = {"size": "2", "int": "1", "ints": "3", "nonneg_ints": "1", "nonneg": "1", "padding": "1", "bool": "false",
          "float": "0.5", "floats": "[0.5]", "rate": "0.25", "str": "bilinear", "activation": "relu", "shape": "[-1]",
          "positive": "2"}


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


def test_readme_tours_every_command():
    import typer

    from cnncalc.cli import app
    names = typer.main.get_command(app).commands
    text = (ROOT / "README.md").read_text()
    toured = set(re.findall(r"^\$ cnncalc ([\w-]+)", text, re.M))
    assert set(names) <= toured, f"README's tour has no example of: {sorted(set(names) - toured)}"


def test_security_md_names_every_limit():
    """Every module-level MAX_* limit in cnncalc/ is in docs/security.md with its default."""
    text = (ROOT / "docs" / "security.md").read_text()
    missing = []
    for path in sorted((ROOT / "cnncalc").rglob("*.py")):
        for name in re.findall(r"^(MAX_\w+) *=", path.read_text(), re.M):
            if name not in text:
                missing.append(f"{path.relative_to(ROOT)}:{name}")
    assert not missing, f"docs/security.md does not name: {missing}"


def test_security_md_states_the_file_rules():
    """docs/security.md says what is read, followed, written and refused, with every environment
    variable cnncalc reads named beside the limit it changes."""
    text = (ROOT / "docs" / "security.md").read_text()
    for rule in ("### What is read", "### What is written", "regular file", "FIFO", "device", "socket",
                 "symbolic link", "umask", "external data", "class folder", "--gradebook", "`-o -`",
                 "end record", "declared size"):
        assert rule in text, f"docs/security.md states no rule about {rule!r}"
    code = "".join(p.read_text() for p in (ROOT / "cnncalc").rglob("*.py"))
    variables = set(re.findall(r"environ(?:\.get)?[(\[]\s*\"(CNNCALC_\w+)\"", code))
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    unnamed = {v for v in variables if not any(v in row for row in rows)}
    assert variables and not unnamed, f"docs/security.md's limits table does not name: {unnamed}"
