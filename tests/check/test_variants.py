"""cnncalc check DIR --spec TEMPLATE --roster variants.csv --gradebook g.csv: each student
graded against their own variant; a table that fits a classmate's variant better is flagged;
the missing and the unmatched listed; bad rosters are one line. Built on what `cnncalc
exercise` itself writes (variants.csv, key.md, handout.md)."""
from __future__ import annotations

import csv
import io

import pytest

from cnncalc import api
from cnncalc.check.variants import _fingerprint, _keys, owner, read_variants
from cnncalc.infer import infer
from cnncalc.spec import parse_spec
from tests.conftest import ROOT, one_line_error

TEMPLATE = (ROOT / "tests" / "data" / "homework_template.yaml").read_text()
ROSTER = ('student,folder,n,k1\n"Lovelace, Ada",lovelace-ada,28,4\nZoë O\'Brien,zoe-obrien,32,6\n'
          'Alan Turing,alan-turing,36,8\nGrace Hopper,grace-hopper,28,6\n"Tom ""Tommy"" Lee",tom-tommy-lee,32,4\n')


NAMES = ["Lovelace, Ada", "Zoë O'Brien", "Alan Turing", "Grace Hopper", "Renée d'Arc", 'Tom "Tommy" Lee',
         "李雷", "José Núñez", "Bob"]


@pytest.fixture(scope="module")
def handed_out(tmp_path_factory):
    """What `cnncalc exercise` wrote for NAMES (9 students, the template's 9 variants, one each):
    (folder, {student: variants.csv row})."""
    folder = tmp_path_factory.mktemp("exercise")
    (folder / "t.yaml").write_text(TEMPLATE)
    (folder / "roster.csv").write_text("student\n" + "".join(f'"{n.replace(chr(34), 2 * chr(34))}"\n' for n in NAMES))
    api.write_exercise(api.exercise(folder / "t.yaml", folder / "roster.csv", 3), folder / "hw")
    rows = list(csv.DictReader(io.StringIO((folder / "hw" / "variants.csv").read_text(encoding="utf-8-sig"))))
    return folder, {r["student"]: r for r in rows}


@pytest.fixture
def klass(handed_out, tmp_path):
    """Ada hands in her key, Zoë copies Ada's (in a Moodle folder), Alan his blank handout (as
    Canvas names it), Grace nothing, and someone no roster student is."""
    folder, rows = handed_out
    hw, subs = folder / "hw", tmp_path / "subs"
    subs.mkdir()
    ada, alan = rows["Lovelace, Ada"], rows["Alan Turing"]
    (subs / f"{ada['folder']}.md").write_bytes((hw / ada["folder"] / "key.md").read_bytes())
    moodle = subs / "Zoë O'Brien_4242_assignsubmission_file_"
    moodle.mkdir()
    (moodle / "key.md").write_bytes((hw / ada["folder"] / "key.md").read_bytes())
    (subs / "turingalan_12_34_handout.md").write_bytes((hw / alan["folder"] / "handout.md").read_bytes())
    (subs / "someone_else.md").write_bytes((hw / ada["folder"] / "key.md").read_bytes())
    for name in ("t.yaml",):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    (tmp_path / "variants.csv").write_bytes((hw / "variants.csv").read_bytes())
    others = [n for n in NAMES if n not in ("Lovelace, Ada", "Zoë O'Brien", "Alan Turing", "Grace Hopper")]
    for n in others:  # the rest hand in their own keys
        (subs / f"{rows[n]['folder']}.md").write_bytes((hw / rows[n]["folder"] / "key.md").read_bytes())
    return tmp_path


def rows(path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))}


def test_each_student_against_their_own_variant(klass, handed_out, main):
    g = klass / "g.csv"
    run = main("check", klass / "subs", "--spec", klass / "t.yaml", "--roster", klass / "variants.csv",
               "--gradebook", g)
    assert run.code == 1, run.err                      # some need attention
    by, variants = rows(g), handed_out[1]
    assert list(next(iter(by.values())))[:3] == ["student", "variant", "files"]
    ada, zoe, alan = by["Lovelace, Ada"], by["Zoë O'Brien"], by["Alan Turing"]
    label = lambda n: f"n={variants[n]['n']},k1={variants[n]['k1']}"  # noqa: E731
    assert (ada["score"], ada["status"], ada["variant"]) == ("100.0", "graded", label("Lovelace, Ada"))
    assert float(zoe["score"]) < 100 and zoe["variant"] == label("Zoë O'Brien")
    assert zoe["status"].startswith(f"needs attention: fits the variant of Lovelace, Ada ({label('Lovelace, Ada')})")
    assert zoe["note"].startswith("fits the variant of Lovelace, Ada")
    assert (alan["score"], alan["right"], alan["status"]) == ("0.0", "0", "graded")
    assert by["Grace Hopper"]["status"].startswith("missing") and by["Grace Hopper"]["files"] == ""
    assert by["someone_else"]["status"].startswith("needs attention: matches no student")
    for n in NAMES[4:]:
        assert (by[n]["score"], by[n]["status"]) == ("100.0", "graded"), by[n]
    assert "1 missing" in " ".join(run.out.split()) and "Missing (no submission):" in run.out
    assert all(len(line) <= 80 for line in run.out.splitlines() if not line.startswith("Gradebook: "))


def test_every_classmates_key_scores_less_and_names_its_owner(handed_out):
    """Each of the 9 keys handed in by each of the 8 other students."""
    from cnncalc.check.variants import better_variant, read_variants
    folder, variants = handed_out
    roster = read_variants(str(folder / "hw" / "variants.csv"), parse_spec(TEMPLATE).template)
    summaries = {a.label: infer(parse_spec(TEMPLATE, "t.yaml", dict(a.values))) for a in roster}
    prints = {label: _fingerprint(s) for label, s in summaries.items()}
    for owner_ in roster:
        key = str(folder / "hw" / owner_.folder / "key.md")
        for copier in roster:
            others = [a for a in roster if a is not copier]
            flag = better_variant(key, copier.label, others, summaries, prints, False)
            if copier is owner_:
                assert flag == ""
            else:
                assert flag.startswith(f"fits the variant of {owner_.name} ({owner_.label}): 100% against it"), flag


@pytest.mark.parametrize("name, who", [
    ("lovelace-ada", "Lovelace, Ada"), ("Lovelace, Ada", "Lovelace, Ada"), ("LOVELACEADA", "Lovelace, Ada"),
    ("zoe-obrien_answers", "Zoë O'Brien"), ("Zoë O'Brien", "Zoë O'Brien"), ("obrienzoë", "Zoë O'Brien"),
    ("turingalan", "Alan Turing"), ("leetom", 'Tom "Tommy" Lee'), ("hw1-grace-hopper-final", "Grace Hopper"), ("ada", None), ("bob", None),
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
    before = (klass / "variants.csv").read_bytes()
    base = ("check", klass / "subs", "--roster", klass / "variants.csv", "--gradebook", klass / "g.csv")
    for args, word in [((*base, "--spec", plain), "declares no `vary:`"),
                       ((*base, "--spec", klass / "t.yaml", "--vary", "n=32"), "leave --vary"),
                       (("check", klass / "subs", "--spec", klass / "t.yaml", "--roster", klass / "variants.csv",
                         "--gradebook", klass / "variants.csv"), "input file")]:
        run = main(*args)
        assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and word in run.err, run.err
    assert (klass / "variants.csv").read_bytes() == before
