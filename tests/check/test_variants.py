"""cnncalc check DIR --spec TEMPLATE --roster variants.csv --gradebook g.csv: each student
graded against their own variant; a table that fits a classmate's variant better is flagged;
the missing and the unmatched listed; bad rosters are one line."""
from __future__ import annotations

import csv
import io

import pytest

from cnncalc import api
from cnncalc.check.variants import owner, read_variants, _keys
from cnncalc.infer import infer
from cnncalc.render.formats import to_course_markdown
from cnncalc.spec import parse_spec
from tests.conftest import ROOT, one_line_error

TEMPLATE = (ROOT / "tests" / "data" / "homework_template.yaml").read_text()
ROSTER = ('student,folder,n,k1\n"Lovelace, Ada",lovelace-ada,28,4\nZoë O\'Brien,zoe-obrien,32,6\n'
          'Alan Turing,alan-turing,36,8\nGrace Hopper,grace-hopper,28,6\n')


def table(n: int, k1: int, blank: bool = False) -> str:
    """The variant's course table: the key (filled) or the handout (blank)."""
    return to_course_markdown(infer(parse_spec(TEMPLATE, "t.yaml", {"n": str(n), "k1": str(k1)})), blank)


@pytest.fixture
def klass(tmp_path):
    (tmp_path / "t.yaml").write_text(TEMPLATE)
    (tmp_path / "variants.csv").write_text(ROSTER)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "lovelace-ada.md").write_text(table(28, 4))                    # her own key
    (subs / "zoe-obrien.md").write_text(table(28, 4))                      # Ada's key, copied
    moodle = subs / "Alan Turing_4242_assignsubmission_file_"              # a Moodle folder
    moodle.mkdir()
    (moodle / "answers.md").write_text(table(36, 8, blank=True))           # the blank handout
    (subs / "someone_else.md").write_text(table(32, 4))                    # nobody's
    return tmp_path


def rows(path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))}


def test_each_student_against_their_own_variant(klass, main):
    g = klass / "g.csv"
    run = main("check", klass / "subs", "--spec", klass / "t.yaml", "--roster", klass / "variants.csv",
               "--gradebook", g)
    assert run.code == 1, run.err                      # some need attention
    by = rows(g)
    assert list(next(iter(by.values())))[:3] == ["student", "variant", "files"]
    ada, zoe, alan = by["Lovelace, Ada"], by["Zoë O'Brien"], by["Alan Turing"]
    assert (ada["score"], ada["status"], ada["variant"]) == ("100.0", "graded", "n=28,k1=4")
    assert float(zoe["score"]) < 100 and zoe["variant"] == "n=32,k1=6"
    assert "fits the variant of Lovelace, Ada (n=28,k1=4)" in zoe["status"] and zoe["status"].startswith("needs attention")
    assert "fits the variant of Lovelace, Ada" in zoe["note"]
    assert (alan["score"], alan["right"], alan["status"]) == ("0.0", "0", "graded")
    assert by["Grace Hopper"]["status"].startswith("missing") and by["Grace Hopper"]["files"] == ""
    assert by["someone_else"]["status"].startswith("needs attention: matches no student")
    assert "1 missing" in run.out and "Missing (no submission):" in run.out
    assert all(len(line) <= 80 for line in run.out.splitlines() if not line.startswith("Gradebook: "))


def test_a_classmates_key_scores_less_than_ones_own(klass):
    report = api.check_variants(klass / "subs", klass / "t.yaml", klass / "variants.csv")
    scores = {s.name: s.graded.percent for s in report.students if s.graded}
    assert scores["Lovelace, Ada"] == 100 and scores["Zoë O'Brien"] < 100
    zoe = next(s for s in report.students if s.name == "Zoë O'Brien")
    assert zoe.flag.startswith("fits the variant of Lovelace, Ada") and zoe.variant == "n=32,k1=6"
    assert next(s for s in report.students if s.name == "Lovelace, Ada").flag == ""


@pytest.mark.parametrize("name, who", [
    ("lovelace-ada", "Lovelace, Ada"), ("Lovelace, Ada", "Lovelace, Ada"), ("LOVELACEADA", "Lovelace, Ada"),
    ("zoe-obrien_answers", "Zoë O'Brien"), ("Zoë O'Brien", "Zoë O'Brien"), ("obrienzoë", "Zoë O'Brien"),
    ("turingalan", "Alan Turing"), ("hw1-grace-hopper-final", "Grace Hopper"), ("ada", None), ("bob", None),
])
def test_a_submission_is_matched_by_name_or_folder(tmp_path, name, who):
    (tmp_path / "v.csv").write_text(ROSTER)
    roster = read_variants(str(tmp_path / "v.csv"), parse_spec(TEMPLATE).template)
    i, why = owner(name, roster, [_keys(a) for a in roster])
    assert (roster[i].name if i is not None else None) == who, why
    assert (why == "") == (who is not None)


@pytest.mark.parametrize("text, words", [
    ("", ("roster is empty",)),
    ("student,folder,n,k1\n", ("lists no students",)),
    ("name,n,k1\nAda,28,4\n", ("no `student` column",)),
    ("student,n\nAda,28\n", ("no column for `k1`",)),
    ("student,n,k1,k9\nAda,28,4,1\n", ("`k9` is not a name the template varies",)),
    ("student,n,k1\nAda,28,4\nada,32,6\n", ("`ada` is listed twice (lines 2 and 3)",)),
    ("student,n,k1\nAda,29,4\n", ("Ada: n=29 is not a choice", "28, 32, 36")),
])
def test_bad_rosters_are_one_line(tmp_path, text, words):
    (tmp_path / "v.csv").write_text(text)
    one_line_error(lambda: read_variants(str(tmp_path / "v.csv"), parse_spec(TEMPLATE).template), *words)


def test_cli_refusals_are_one_line(klass, main):
    plain = klass / "plain.yaml"
    plain.write_text("input: [28, 28, 3]\nlayers:\n  - dense: {units: 2}\n")
    base = ("check", klass / "subs", "--roster", klass / "variants.csv", "--gradebook", klass / "g.csv")
    for args, word in [((*base, "--spec", plain), "declares no `vary:`"),
                       ((*base, "--spec", klass / "t.yaml", "--vary", "n=32"), "leave --vary"),
                       (("check", klass / "subs", "--spec", klass / "t.yaml", "--roster", klass / "variants.csv",
                         "--gradebook", klass / "variants.csv"), "input file")]:
        run = main(*args)
        assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and word in run.err, run.err
    assert (klass / "variants.csv").read_text() == ROSTER
