"""`cnncalc summary FILE` without typer (cnncalc/main.py) answers exactly as the typer command
does: the same table, the same one-line errors, the same exit statuses."""
from __future__ import annotations

import subprocess
import sys

import pytest

from cnncalc import main as entry
from tests.conftest import ROOT, ZOO, zoo

HOSTILE = ROOT / "tests" / "hostile"
FILES = ([ZOO / f"{n}.yaml" for n in ("lenet5", "vgg16", "resnet50", "googlenet", "shufflenet_v2", "efficientnet_b0")]
         + sorted(p for p in HOSTILE.glob("*.yaml") if p.stat().st_size < 100_000)
         + [ROOT / "no-such-file.yaml", ROOT / "tests", ROOT / "README.md"])
FILES = zoo(FILES, fast={p.stem for p in FILES} - {"blocks_bomb", "resnet50", "shufflenet_v2", "efficientnet_b0"})


@pytest.mark.parametrize("width", ["80", "120"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_same_as_the_typer_command(path, width, cli, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", width)
    code = entry.summary(str(path))
    fast = capsys.readouterr()
    typer = cli("summary", path)
    if code is None:  # left to the full CLI, which then answers
        assert fast.out == fast.err == ""
        return
    assert (code, fast.out, fast.err) == (typer.code, typer.out, typer.err)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_json_the_same_as_the_typer_command(path, cli, capsys):
    code = entry.summary(str(path), "json")
    fast = capsys.readouterr()
    typer = cli("summary", path, "--format", "json")
    if code is None:
        assert fast.out == fast.err == ""
        return
    assert (code, fast.out, fast.err) == (typer.code, typer.out, typer.err)


@pytest.mark.parametrize("form", [[], ["--format", "json"], ["-F", "json"], ["--format=json"]])
def test_the_fast_path_takes_summary_with_json_in_each_spelling(form, monkeypatch):
    called = []
    monkeypatch.setattr(sys, "argv", ["cnncalc", "summary", "x.yaml", *form])
    monkeypatch.setattr(entry, "summary", lambda path, fmt="table": called.append((path, fmt)) or 0)
    with pytest.raises(SystemExit):
        entry.main()
    assert called == [("x.yaml", "json" if form else "table")]


@pytest.mark.parametrize("form", [[], ["--format", "json"]])
def test_the_fast_path_imports_neither_typer_nor_rich(form):
    code = (f"import sys; sys.argv = ['cnncalc', 'summary', 'architectures/vgg16.yaml', *{form!r}]\n"
            "from cnncalc.main import main\n"
            "try:\n    main()\nexcept SystemExit as e:\n"
            "    sys.stderr.write(repr((e.code, [m for m in ('typer', 'rich', 'numpy') if m in sys.modules])))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PATH": "", "COLUMNS": "120", "PYTHONPATH": str(ROOT)})
    assert p.stderr == "(0, [])" and ("Total params: 138,357,544" in p.stdout or '"params": 138357544' in p.stdout)


@pytest.mark.parametrize("args", [["summary"], ["summary", "-"], ["summary", "x.yaml", "--width", "90"], ["--help"],
                                  ["summary", "x.yaml", "--format", "csv"], ["summary", "x.yaml", "--format", "json", "-b", "2"],
                                  ["summary", "--format", "json", "x.yaml"]])
def test_other_command_lines_go_to_typer(args, monkeypatch):
    called = []
    monkeypatch.setattr(sys, "argv", ["cnncalc", *args])
    monkeypatch.setattr(entry, "summary", lambda path: called.append(path))
    import cnncalc.cli
    monkeypatch.setattr(cnncalc.cli, "main", lambda: called.append("typer"))
    entry.main()
    assert called == ["typer"]


@pytest.mark.parametrize("args", [[], ["--format", "json"], ["--format", "csv"]])
def test_a_reader_that_goes_away_is_no_error(args, tmp_path):
    """`cnncalc summary big.yaml | head`: no traceback, no "internal error", SIGPIPE's status."""
    spec = tmp_path / "chain.yaml"
    spec.write_text("input: [8, 8, 4]\nlayers:\n" + "  - conv2d: {filters: 4, kernel: 3, padding: 1}\n" * 3000)
    p = subprocess.Popen([sys.executable, "-m", "cnncalc", "summary", str(spec), *args], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT, env={"PATH": "", "COLUMNS": "120", "PYTHONPATH": str(ROOT)})
    p.stdout.readline()
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 141 and err == ""


def test_ctrl_c_is_one_line_as_in_the_full_cli(capsys, monkeypatch):
    from cnncalc import api

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(api, "summarize", interrupted)
    assert entry.summary(str(ZOO / "lenet5.yaml")) == 130
    assert capsys.readouterr().err == "cnncalc: interrupted\n"
