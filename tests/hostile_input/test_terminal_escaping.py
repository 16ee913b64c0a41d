"""Nothing from the input reaches the terminal raw: student row labels, file names and names
from model files pass the one escaper (errors.terminal / errors.visible) in every command,
`check` and the class summary included. ESC, BEL, OSC sequences, C0/C1 controls, bidi controls,
NEL and the line and paragraph separators are shown as escapes."""
from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.errors import terminal
from tests.conftest import ROOT, ZOO

SPEC = str(ZOO / "lenet_homework.yaml")
ATTACKS = ["\x1b[2J", "\x1b]0;owned\x07", "\x07", "\x9b31m", "\u202e", "\u202d", "\u2066", "\x85", "\u2028",
           "\u2029", "\x00", "\r", "\x7f", "\x1bP", "\u200f", "\ufeff"]
SAFE = {"\n", "\t"}


def raw(text: str) -> list[str]:
    """The characters a terminal would act on."""
    return [c for c in text if not c.isprintable() and c not in SAFE]


ANSWERS = (ROOT / "tests" / "check_corpus" / "arithmetic.md").read_text()


def hostile_answers(attack: str) -> str:
    return ANSWERS.replace("CONV1", f"CONV1{attack}").replace("FC3 ", f"FC3{attack}")


@pytest.mark.parametrize("attack", ATTACKS)
def test_check_shows_labels_escaped(attack, tmp_path, cli):
    path = tmp_path / f"answers{attack.replace(chr(0), '')}.md"
    path.write_text(hostile_answers(attack))
    for fmt in ("table", "json"):
        run = cli("check", str(path), "--spec", SPEC, "--format", fmt)
        assert run.code in (0, 1, 2), run.err
        assert not raw(run.out) and not raw(run.err), (run.out, run.err)
        if fmt == "json" and run.code != 2:
            json.loads(run.out)


@pytest.mark.parametrize("attack", ATTACKS[:8])
def test_the_class_summary_shows_file_names_escaped(attack, tmp_path, cli):
    folder = tmp_path / "class"
    folder.mkdir()
    name = f"student{attack.replace(chr(0), '')}.md"
    (folder / name).write_text(hostile_answers(attack))
    (folder / "junk.md").write_text(f"nothing{attack} here\n")
    run = cli("check", str(folder), "--spec", SPEC, "--gradebook", str(tmp_path / "grades.csv"))
    assert run.code in (0, 1, 2), run.err
    assert not raw(run.out) and not raw(run.err), (run.out, run.err)


def test_import_names_and_paths_escaped(tmp_path, cli):
    folder = tmp_path / "m\x1b]0;t\x07"
    folder.mkdir()
    src = folder / "net.py"
    shutil.copy(ROOT / "docs" / "examples" / "blitz_net.py", src)
    text = src.read_text()
    src.write_text(text.replace("class ", "# \u202e\x1b[2J\nclass ", 1))
    for args in (["import", str(src)], ["import", str(src), "-o", str(tmp_path / "o\x1b.yaml")]):
        run = cli(*args)
        assert not raw(run.out) and not raw(run.err), (run.out, run.err)


@settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text())
def test_the_escaper_leaves_nothing_raw_and_keeps_the_printable(text):
    shown = terminal(text)
    assert not raw(shown)
    if all(c.isprintable() or c in SAFE for c in text):
        assert shown == text
