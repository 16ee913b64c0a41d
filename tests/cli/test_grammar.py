"""One CLI grammar (issue 17): each short flag means one thing in every command; every size
argument takes 6, 6x6 and 32x32x3; a solver's size may be positional; old spellings still work
where the command has no other use for them; `cnncalc --help` ends with the flag glossary."""
from __future__ import annotations

import pytest
import typer

from cnncalc.cli import GLOSSARY, OLD_SPELLINGS, SHORT_LONG, app
from tests.conftest import ROOT


def commands():
    root = typer.main.get_command(app)

    def walk(cmd, path):
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + [name])
        else:
            yield " ".join(path), cmd
    yield from walk(root, [])


ALL = list(commands())


@pytest.mark.parametrize("name, cmd", ALL, ids=[n for n, _ in ALL])
def test_every_command_has_help_with_an_example(name, cmd):
    assert cmd.help and "Example: cnncalc " in cmd.help, f"`cnncalc {name}` has no example in its help"


def test_no_short_flag_has_two_meanings():
    meanings: dict[str, set[str]] = {}
    for name, cmd in ALL:
        for p in cmd.params:
            shorts = [o for o in p.opts + p.secondary_opts if len(o) == 2 and o[0] == "-" and o[1] != "-"]
            longs = {o for o in p.opts + p.secondary_opts if o.startswith("--")}
            for s in shorts:
                assert s in GLOSSARY, f"`cnncalc {name}` {s} is not in the glossary"
                allowed = set(SHORT_LONG.get(s, (GLOSSARY[s][0],)))
                assert longs & allowed, f"`cnncalc {name}` {s} means {sorted(longs)}, but {s} is {GLOSSARY[s][0]}"
                meanings.setdefault(s, set()).add(GLOSSARY[s][1])
    assert all(len(m) == 1 for m in meanings.values())
    assert len({what for _, what in GLOSSARY.values()}) == len(GLOSSARY)


def test_help_ends_with_the_glossary(cli):
    out = cli("--help").out
    tail = out[out.index("Flags (the same meaning in every command)"):]
    assert all(short in tail for short in GLOSSARY)
    assert len(tail.splitlines()) <= 24  # one screen


@pytest.mark.parametrize("args", [("check", "examples/lenet_homework_answers.md", "-s", "architectures/lenet_homework.yaml"),
                                  ("conv", "--image", "1 2 3; 4 5 6; 7 8 9", "-k", "identity"),
                                  ("conv-matrix", "-n", "5", "-k", "1 2"),
                                  ("solve", "padding", "-n", "6", "-f", "3", "-s", "2", "-o", "3")])
def test_old_spellings_still_work(cli, args):
    r = cli(*[str(ROOT / a) if a.endswith((".md", ".yaml")) else a for a in args])
    assert r.code in (0, 1) and r.err == "", r.err
    assert set(OLD_SPELLINGS) >= {"check", "conv", "conv-matrix", "solve padding"}


SOLVE = [("solve", "padding", "-f", "3", "-s", "2"), ("solve", "kernel", "--out", "3", "-s", "2"),
         ("solve", "stride", "-f", "3", "--out", "3")]


@pytest.mark.parametrize("base", SOLVE + [("conv-matrix", "-f", "3")], ids=lambda b: " ".join(b[:2]))
@pytest.mark.parametrize("size", ["6", "6x6", "6x6x3"])
def test_every_size_argument_takes_every_form(cli, base, size):
    one = cli(*base, "-n", "6")
    other = cli(*base, "-n", size)
    read, _, rest = other.out.partition("\n")
    assert other.code == one.code and (other.out == one.out or rest == one.out), other.err
    if size != "6" and base[0] == "solve":  # the one grammar, said on the first line
        assert read == {"6x6": "input 6×6 (H×W): one axis, n = 6",
                        "6x6x3": "input 6×6×3 (H×W×C): one axis, n = 6"}[size]


@pytest.mark.parametrize("base", SOLVE, ids=lambda b: b[1])
def test_positional_size_is_like_n(cli, base):
    assert cli(*base[:2], "6", *base[2:]).out == cli(*base, "-n", "6").out
    r = cli(*base[:2], "6", *base[2:], "-n", "7")
    assert r.code == 2 and "given twice" in r.err


def test_size_takes_n_too(cli):
    assert cli("size", "-n", "32x32", "-f", "5").out == cli("size", "32x32", "-f", "5").out
    r = cli("solve", "padding", "-n", "6x8", "-f", "3")
    assert r.code == 2 and "one axis at a time" in r.err
