"""The command line: help texts with examples, `python -m cnncalc`, --dtype, exit codes, and
that `summary` never imports numpy (start-up time)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
import typer

from cnncalc.cli import app
from tests.conftest import ROOT, ZOO


def all_commands():
    """Every command path on the typer app, nested groups included, so new commands are covered."""
    def walk(cmd, path: tuple[str, ...]):
        if getattr(cmd, "commands", None) is not None:  # a group (typer vendors its own click)
            for name, sub in cmd.commands.items():
                yield from walk(sub, (*path, name))
        else:
            yield path
    return list(walk(typer.main.get_command(app), ()))


def test_summary_is_registered():
    assert ("summary",) in all_commands()


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_an_example(cli, path):
    r = cli(*path, "--help")
    assert r.code == 0 and "Example" in r.out, f"`cnncalc {' '.join(path)} --help` has no example"


def test_python_dash_m(proc):
    r = proc("summary", ZOO / "vgg16.yaml")
    assert r.code == 0 and "Total params: 138,357,544" in r.out and r.err == ""
    assert proc("--help").code == 0


@pytest.mark.parametrize("dtype, nbytes", [("float32", 4), ("float16", 2), ("fp16", 2), ("bfloat16", 2),
                                           ("float64", 8), ("int8", 1)])
def test_dtype_changes_memory(cli, dtype, nbytes):
    doc = json.loads(cli("summary", ZOO / "lenet5.yaml", "--format", "json", "--dtype", dtype).out)
    t = doc["totals"]
    assert (t["param_bytes"], t["activation_bytes"]) == (61_706 * nbytes, t["activation_size"] * nbytes)


def test_float16_halves_param_bytes(cli):
    def param_bytes(dtype):
        return json.loads(cli("summary", ZOO / "vgg16.yaml", "--format", "json", "--dtype", dtype).out)["totals"]["param_bytes"]
    assert param_bytes("float16") * 2 == param_bytes("float32") == 138_357_544 * 4


def test_float16_table_says_so(cli):
    r = cli("summary", ZOO / "vgg16.yaml", "--dtype", "float16", "--width", "120")
    # 138,357,544 * 2 bytes / 2^20 = 263.89 MiB
    assert f"Params size: {138_357_544 * 2 / 2**20:,.2f} MiB" in r.out
    assert "float16 (2 bytes a value)" in r.out


def test_unknown_dtype_is_a_clean_exit_2(main):
    r = main("summary", ZOO / "lenet5.yaml", "--dtype", "float13")
    assert r.code == 2 and r.out == "" and "Traceback" not in r.err
    assert r.err == "cnncalc: unknown dtype `float13`; use one of float32, float16, bfloat16, float64, int8, uint8, int32\n"


def test_internal_error_is_one_line_exit_3(cli, monkeypatch):
    infer_module = sys.modules["cnncalc.infer"]  # `cnncalc.infer` the attribute is the function

    def boom(*a, **k):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(infer_module, "infer", boom)
    r = cli("summary", ZOO / "lenet5.yaml")
    assert r.code == 3 and len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert "internal error (ZeroDivisionError: division by zero)" in r.err


def test_summary_never_imports_numpy():
    code = ("import sys\n"
            "from cnncalc.cli import app\n"
            "from typer.testing import CliRunner\n"
            f"r = CliRunner().invoke(app, ['summary', {str(ZOO / 'vgg16.yaml')!r}])\n"
            "assert r.exit_code == 0, r.output\n"
            "for fmt in ('json', 'csv', 'markdown'):\n"
            f"    assert CliRunner().invoke(app, ['summary', {str(ZOO / 'vgg16.yaml')!r}, '--format', fmt]).exit_code == 0\n"
            "heavy = sorted(m for m in ('numpy', 'matplotlib', 'torch', 'keras', 'pandas') if m in sys.modules)\n"
            "print(','.join(heavy))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == ""


@pytest.mark.parametrize("args", [
    ("--format", "json"), ("--format=csv",), ("-F", "markdown"), ("--width", "100"),
    ("--dtype", "float16", "--format", "json"), ("--width=90", "--dtype=fp16"),
    ("--columns", "+macs_share", "--batch", "32", "--optimizer", "adam", "--width", "120"),
    ("--format", "json", "--format", "csv"),  # repeated: left to typer (the last one wins)
    ("--columns", "course", "--format", "markdown", "--blank"), ("--flops-convention=macs", "-F", "csv"),
])
def test_process_matches_in_process(cli, proc, args):
    # `python -m cnncalc summary` as a real process prints exactly what the in-process runner gets
    fast = proc("summary", ZOO / "lenet5.yaml", *args)
    slow = cli("summary", ZOO / "lenet5.yaml", *args)
    assert (fast.code, fast.out, fast.err) == (slow.code, slow.out, slow.err) == (0, slow.out, "")


@pytest.mark.parametrize("args", [
    ("--format", "xml"), ("--width", "wide"), ("--help",), ("--format",), ("--colour",), (),
    ("--blank=yes",),
])
def test_odd_arguments_are_clean_usage_errors(main, args):
    r = main("summary", *((ZOO / "lenet5.yaml",) if args != () else ()), *args)
    if args == ("--help",):
        assert r.code == 0 and "Example" in r.out
    else:
        assert r.code == 2 and "Traceback" not in r.err and r.out == ""


def test_summary_does_not_load_numpy():
    code = ("import sys\n"
            f"sys.argv = ['cnncalc', 'summary', {str(ZOO / 'vgg16.yaml')!r}]\n"
            "from cnncalc.cli import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('HEAVY:' + ','.join(m for m in ('numpy', 'matplotlib', 'torch') if m in sys.modules))\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "COLUMNS": "120"}, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "Total params: 138,357,544" in p.stdout and p.stdout.rstrip().endswith("HEAVY:")


@pytest.mark.parametrize("args, line", [
    (("summary", ZOO / "lenet5.yaml", "--format", "xml"),
     "cnncalc: Invalid value for '--format' / '-F': 'xml' is not one of 'table', 'json', 'csv', "
     "'markdown'; see `cnncalc summary --help`"),
    (("summary",), "cnncalc: Missing argument 'spec'; see `cnncalc summary --help`"),
    (("sumary", "x.yaml"), "cnncalc: No such command 'sumary'. Did you mean 'summary'? See `cnncalc --help`"),
])
def test_usage_errors_are_one_line(main, args, line):
    # the brief: command-line mistakes are `cnncalc: <what is wrong>; <fix>`, not typer's box
    r = main(*args)
    assert (r.code, r.err, r.out) == (2, line + "\n", "")


@pytest.mark.parametrize("group", ["layer", "solve"])
def test_group_without_a_command_names_what_is_missing(main, group):
    # click prints the group's help and raises with an empty message: the line still says what is wrong
    r = main(group)
    assert (r.code, r.err) == (2, f"cnncalc: Missing command; see `cnncalc {group} --help`\n")
    assert r.out.strip()  # the help, from click


@pytest.mark.parametrize("size", ["²M", "x", "0"])
def test_max_memory_not_a_size_is_one_line(main, size):
    r = main("verify", ZOO / "lenet5.yaml", "--max-memory", size)
    assert (r.code, r.out) == (2, "")
    assert r.err == f"cnncalc: --max-memory `{size}` is not a size; write bytes or e.g. 512M, 4G\n"


@pytest.mark.parametrize("width", ["0", "5", "39"])
def test_too_narrow_width_is_exit_2(main, width):
    r = main("summary", ZOO / "lenet5.yaml", "--width", width)
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"cnncalc: --width {width} is too narrow for the table; use at least 40, "
                     "or leave it out for the terminal's width\n")


@pytest.mark.parametrize("path", sorted((ROOT / "cnncalc").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_are_small(path):
    """No module over 600 lines (the style guide); the CLI's are far smaller: it parses, calls
    cnncalc.api and renders (tests/test_api.py checks its imports)."""
    assert len(path.read_text().splitlines()) <= 600, f"{path.name}: split it by what its parts are about"
