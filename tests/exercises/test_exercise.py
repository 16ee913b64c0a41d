"""`cnncalc exercise`: a variant per student, drawn from the seed and the name (byte-identical
runs, stable as the roster grows, no two students on one variant while they last, never an
invalid one), with spec.yaml, handout.md and key.md per student; bad input is one line, exit 2."""
from __future__ import annotations

import csv
import html.parser
import io
from pathlib import Path

import pytest

from cnncalc import api, infer, load_spec
from cnncalc.exercises import make
from cnncalc.exercises.roster import read_roster, slug, with_folders
from tests.spec.test_vary import TEMPLATE

# 5 x 5 x 4 x 3 = 300 variants; a 9x9 window on an 8x8 input (n=8, k=9) is invalid
WIDE = """\
vary:
  n: [8, 12, 16, 20, 24]
  k: [3, 5, 7, 9, 11]
  c: [4, 8, 16, 32]
  s: [1, 2, 3]
input: [$n, $n, 3]
layers:
  - conv2d: {filters: $c, kernel: $k, stride: $s, name: conv1}
  - relu
  - maxpool2d: 2
  - flatten
  - dense: 10
"""
NAMES = ["Lovelace, Ada", "Renée O'Brien", 'Tom "Tommy" Lee', "Zoë Li", "Zoe Li", "李雷", "José Núñez",
         "Ann-Marie d'Arc", "Bob", "Chloé Dubois"]


def roster_text(names, header="student,email") -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")  # as Canvas and Excel write it
    w.writerow(header.split(","))
    for k, n in enumerate(names):
        w.writerow([n, f"s{k}@example.org"][:len(header.split(","))])
    return "\ufeff" + out.getvalue()


@pytest.fixture
def files(tmp_path):
    def make_files(template=TEMPLATE, names=NAMES, **kw):
        t = tmp_path / "template.yaml"
        t.write_text(template)
        r = tmp_path / "roster.csv"
        r.write_text(roster_text(names, **kw), encoding="utf-8")
        return t, r
    return make_files


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def drawn(exercise) -> dict[str, tuple]:
    return {s.name: tuple(v.values()) for s, v in zip(exercise.students, exercise.variants)}


def test_same_seed_and_roster_give_the_same_files(main, files, tmp_path):
    t, r = files(names=NAMES[:9])
    for out in ("a", "b"):
        assert main("exercise", t, "--roster", r, "--seed", "7", "-o", tmp_path / out).code == 0
    a = tree(tmp_path / "a")
    assert a == tree(tmp_path / "b")
    assert len(a) == 1 + 3 * 9
    rows = list(csv.reader(io.StringIO(a["variants.csv"].decode())))
    assert rows[0] == ["student", "folder", "n", "k1"] and [row[0] for row in rows[1:]] == NAMES[:9]
    assert len({row[1] for row in rows[1:]}) == 9  # a folder each
    assert len({tuple(row[2:]) for row in rows[1:]}) == 9  # 9 students, 9 variants: each one once
    ten = main("exercise", t, "--roster", files(names=NAMES)[1], "--seed", "7", "-o", tmp_path / "c")
    assert ten.err.endswith("template.yaml:1:1: the template has only 9 variants, for 10 students; add choices, "
                            "or pass --share to let students share variants\n")


def test_another_seed_draws_other_variants(files):
    t, r = files(WIDE)
    seeds = [drawn(make(str(t), str(r), seed)) for seed in (1, 2, 3)]
    assert seeds[0] != seeds[1] != seeds[2] and seeds[0] == drawn(make(str(t), str(r), 1))


def test_the_roster_order_does_not_matter_and_growth_keeps_variants(files):
    t, r = files(WIDE)
    before = drawn(make(str(t), str(r), 11))
    grown = ["Dana Scully", *reversed(NAMES[:5]), "Fox Mulder", *NAMES[5:], "Walter Skinner", "Monica Reyes"]
    _, r2 = files(WIDE, grown)
    after = drawn(make(str(t), str(r2), 11))
    assert {n: after[n] for n in NAMES} == before
    assert len(set(after.values())) == len(grown)  # 300 variants: nobody shares


def test_every_variant_handed_out_is_valid_and_its_files_agree(files, tmp_path, main):
    many = [f"Student {k}" for k in range(30)]
    t, r = files(WIDE, many)
    assert main("exercise", t, "--roster", r, "--seed", "5", "-o", tmp_path / "out", "--exact").code == 0
    rows = list(csv.DictReader(open(tmp_path / "out" / "variants.csv", encoding="utf-8")))
    assert len({(row["n"], row["k"], row["c"], row["s"]) for row in rows}) == 30
    for row in rows[:30]:
        s = infer(load_spec(str(tmp_path / "out" / row["folder"] / "spec.yaml")))  # valid: infer refuses a window larger than its input
        assert s.layers[0].output_shape[0] * int(row["s"]) + int(row["k"]) - int(row["s"]) == int(row["n"])  # --exact
    for row in rows[:4]:
        folder = tmp_path / "out" / row["folder"]
        spec = load_spec(str(folder / "spec.yaml"))
        assert spec.input == (int(row["n"]), int(row["n"]), 3) and spec.layers[0].kernel == int(row["k"])
        s = infer(spec)
        blank = main("summary", folder / "spec.yaml", "--format", "markdown", "--blank").out
        assert blank in (folder / "handout.md").read_text()
        key = (folder / "key.md").read_text()
        assert main("summary", folder / "spec.yaml", "--format", "markdown").out in key
        assert f"(variant n={row['n']},k={row['k']},c={row['c']},s={row['s']})" in key
        assert f"{s.layers[0].params:,}" in key
        report = api.check_answers(str(folder / "key.md"), spec, others=False)
        assert report.score == 100  # the key grades 100% against its own variant


def test_html_handouts_are_escaped_pages(files, tmp_path, main):
    t, r = files(names=["<script>alert(1)</script>", "Ada & Bob"])
    assert main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out", "--format", "html").code == 0
    pages = sorted((tmp_path / "out").rglob("*.html"))
    assert len(pages) == 4
    for page in pages:
        text = page.read_text()
        assert "<script>" not in text and text.startswith("<!DOCTYPE html>")
        html.parser.HTMLParser().feed(text)
    assert "Ada &amp; Bob" in (tmp_path / "out" / "ada-bob" / "key.html").read_text()


def test_too_few_valid_variants_says_how_many_unless_shared(files, tmp_path, main):
    text = TEMPLATE.replace("n: [28, 32, 36]", "n: [4, 12, 16]")  # n=4: the 5x5 window does not fit
    t, r = files(text)
    out = main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out")
    assert out.code == 2 and out.err.count("\n") == 1
    assert "template.yaml:1:1: only 6 of the 9 variants are valid (e.g. n=4,k1=4: layer 1 (conv1, conv2d): " in out.err
    assert out.err.endswith(", for 10 students; add choices, or pass --share to let students share variants\n")
    assert "--share" in out.err and not (tmp_path / "out").exists()
    shared = make(str(t), str(r), 1, share=True)
    counts = sorted(list(drawn(shared).values()).count(v) for v in set(drawn(shared).values()))
    assert counts == [1, 1, 2, 2, 2, 2] and all(v[0] != "4" for v in drawn(shared).values())


@pytest.mark.parametrize("roster, message", [
    ("", "roster.csv: the roster is empty; it needs a header line and a line per student"),
    ("student\n", "roster.csv: the roster lists no students (a header and no names under it)"),
    ("id,email\n1,a@x\n", "roster.csv:1:1: the roster has no column of student names (its header has id, email); "
                          "name the column of names `student`"),
    ("name\nAda\nBob\nada \n", "roster.csv:4:1: `ada` is listed twice (lines 2 and 4); each student needs a name "
                               "of their own: add what tells them apart"),
    ('student\nAda\n"Bob\nCy\nDee\n', "roster.csv:5: a name runs over several lines: a quote `\"` opened at or "
                                      "before this line is never closed; close it or remove it"),
])
def test_bad_rosters(main, files, tmp_path, roster, message):
    t, r = files()
    r.write_text(roster)
    out = main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out")
    assert (out.code, out.err) == (2, f"{r.parent}/{message}\n")


@pytest.mark.parametrize("template, message", [
    (TEMPLATE.replace("n: [28, 32, 36]", "n: [2, 3, 4]"),
     "template.yaml:1:1: none of the 9 variants of the template is valid (e.g. n=2,k1=4: layer 1 (conv1, conv2d): "),
    (TEMPLATE.replace("$k1", "$k2"), "template.yaml:6:23: layer 1: `$k2` is used but not declared under `vary:`"),
    (TEMPLATE.replace("k1: [4, 6, 8]", "k1: [4, six, 8]"),
     "template.yaml:3:11: layer 1 (conv1, conv2d): vary k1=six: filters must be an integer, not six"),
    ("input: [8, 8, 3]\nlayers:\n  - dense: 3\n", "template.yaml:1:1: is no template: it declares no `vary:`"),
])
def test_bad_templates(main, files, tmp_path, template, message):
    t, r = files(template)
    out = main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out")
    assert out.code == 2 and out.err.count("\n") == 1 and out.err.startswith(f"{t.parent}/{message}"), out.err


def test_an_output_folder_is_not_overwritten_without_force(main, files, tmp_path):
    t, r = files(names=NAMES[:9])
    args = ("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out")
    assert main(*args).code == 0
    (tmp_path / "out" / "bob" / "key.md").write_text("mine")
    again = main(*args)
    assert again.code == 2 and f"already holds {tmp_path / 'out' / 'variants.csv'}, " in again.err
    assert "add --force" in again.err and again.err.count("\n") == 1
    assert (tmp_path / "out" / "bob" / "key.md").read_text() == "mine"
    assert main(*args, "--force").code == 0 and "mine" not in (tmp_path / "out" / "bob" / "key.md").read_text()


def test_missing_arguments(main, files):
    t, _ = files()
    out = main("exercise", t, "--seed", "1")
    assert (out.code, out.err) == (2, f"cnncalc: a template needs --roster and -o: e.g. cnncalc exercise {t} "
                                      "--roster roster.csv --seed 7 -o hw3\n")


@pytest.mark.parametrize("text, names", [
    ("\ufeffStudent,ID\r\n\"Lovelace, Ada\",1\r\n\"O'Brien, Renée\",2\r\n", ["Lovelace, Ada", "O'Brien, Renée"]),
    ("Student;SIS User ID\n    Points Possible;\nTom  Lee;3\n", ["Tom Lee"]),  # Canvas, a semicolon export
    ("First name,Last name,Email address\nAda,Lovelace,a@x\n", ["Ada Lovelace"]),  # Moodle
    ("Full name\tgroup\nZoë Li\t1\n", ["Zoë Li"]),
])
def test_rosters_as_lms_export_them(tmp_path, text, names):
    path = tmp_path / "r.csv"
    path.write_text(text, encoding="utf-8")
    assert [s.name for s in read_roster(str(path))] == names


@pytest.mark.parametrize("name, folder", [
    ("Lovelace, Ada", "lovelace-ada"), ("Renée O'Brien", "renee-obrien"), ('Tom "Tommy" Lee', "tom-tommy-lee"),
    ("../../etc/passwd", "etc-passwd"), ("CON", "con-student"), ("李雷", ""),
])
def test_folder_names_are_safe(name, folder):
    assert slug(name) == folder


def test_a_students_folder_that_is_a_link_is_refused(main, files, tmp_path):
    t, r = files(names=["Bob"])
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "bob").symlink_to(tmp_path / "elsewhere")
    out = main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out", "--force")
    assert out.code == 2 and "bob is in the way: it must be a folder, not a file or a link" in out.err
    assert not any((tmp_path / "elsewhere").iterdir()) and not (tmp_path / "out" / "variants.csv").exists()


def test_folders_are_unique_whatever_the_order(tmp_path):
    path = tmp_path / "r.csv"
    names = ["Zoë Li", "Zoe Li", "ZOE LI!", "李雷", "王芳"]
    path.write_text("student\n" + "\n".join(names) + "\n")
    folders = {s.name: s.folder for s in with_folders(read_roster(str(path)))}
    path.write_text("student\n" + "\n".join(reversed(names)) + "\n")
    assert folders == {s.name: s.folder for s in with_folders(read_roster(str(path)))}
    assert len(set(folders.values())) == 5 and all(f.replace("-", "").isalnum() for f in folders.values())


@pytest.mark.slow
def test_a_sample_of_variants_built_in_torch_equals_the_keys(files, tmp_path):
    pytest.importorskip("torch")
    from tests.export.test_torch_runs import run_and_compare
    t, r = files(WIDE, [f"Student {k}" for k in range(8)])
    made = make(str(t), str(r), 3)
    for s in made.students:
        spec_text = made.files[f"{s.folder}/spec.yaml"]
        summary = infer(api.load(spec_text))
        run_and_compare(summary)  # torch's shapes and parameter counts are cnncalc's
        key = made.files[f"{s.folder}/key.md"]
        for row in summary.layers:
            assert f"{row.params:,} |" in key or row.layer.kind in ("relu", "flatten")


def test_the_whole_loop_grades_each_student_against_their_variant(main, files, tmp_path):
    """exercise -> hand out -> collect -> check --roster: the own key 100%, a classmate's key
    flagged, a blank handout 0%."""
    t, r = files(names=NAMES[:4])
    assert main("exercise", t, "--roster", r, "--seed", "3", "-o", tmp_path / "hw").code == 0
    rows = list(csv.DictReader(open(tmp_path / "hw" / "variants.csv", encoding="utf-8")))
    # the copier's variant differs from the key's in every name (where only n differs, every
    # cell under the input is carried forward from their wrong input row, and scores as right)
    own, copier = next((a, b) for a in rows for b in rows if a["n"] != b["n"] and a["k1"] != b["k1"])
    blank = next(row for row in rows if row not in (own, copier))
    missing = next(row for row in rows if row not in (own, copier, blank))
    (tmp_path / "subs").mkdir()
    key = (tmp_path / "hw" / own["folder"] / "key.md").read_bytes()
    (tmp_path / "subs" / f"{own['folder']}.md").write_bytes(key)
    (tmp_path / "subs" / f"{copier['folder']}.md").write_bytes(key)
    (tmp_path / "subs" / f"{blank['folder']}.md").write_bytes((tmp_path / "hw" / blank["folder"] / "handout.md").read_bytes())
    out = main("check", tmp_path / "subs", "--spec", t, "--roster", tmp_path / "hw" / "variants.csv",
               "--gradebook", tmp_path / "g.csv")
    assert out.code == 1  # a row needs attention, a student is missing
    book = {row["student"]: row for row in csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8-sig"))}
    assert book[own["student"]]["score"] == "100.0"
    assert book[copier["student"]]["note"].startswith(f"fits the variant of {own['student']}")
    assert book[blank["student"]]["score"] == "0.0"
    assert book[missing["student"]]["status"].startswith("missing")


def test_keep_holds_every_earlier_variant_and_folder_when_the_roster_grows(files, tmp_path):
    """Without --keep a newcomer whose turn comes first can take a student's variant (here,
    9 variants for 8 students); with the earlier variants.csv nobody's changes."""
    t, r = files(names=NAMES[:5])
    grown = tmp_path / "grown.csv"
    grown.write_text(roster_text([*NAMES[:5], "Dana Scully", "Fox Mulder", "Walter Skinner"]), encoding="utf-8")
    for seed in range(40):
        before = make(str(t), str(r), seed)
        if {n: v for n, v in drawn(make(str(t), str(grown), seed)).items() if n in NAMES[:5]} != drawn(before):
            break
    else:
        pytest.fail("no seed bumps anyone: the test needs a smaller template")
    earlier = tmp_path / "earlier.csv"
    earlier.write_text(before.files["variants.csv"], encoding="utf-8")
    after = make(str(t), str(grown), seed, keep=str(earlier))
    assert {n: v for n, v in drawn(after).items() if n in NAMES[:5]} == drawn(before)
    assert len(set(drawn(after).values())) == 8
    assert [s.folder for s in after.students[:5]] == [s.folder for s in before.students]


@pytest.mark.parametrize("kept, message", [
    ("student,folder,n\n", "earlier.csv:1:1: is no variants.csv of this template: it has no column k1"),
    ("student,folder,n,k1\nBob,bob,30,4\n", "earlier.csv:2:1: n=30,k1=4 is no variant of the template (its choices "
                                            "changed?); keep only rows of this template"),
    ("student,folder,n,k1\nBob,../x,28,4\n", "earlier.csv:2:1: `../x` is not a folder name `cnncalc exercise` writes "
                                             "(letters, digits, -)"),
    (f"student,folder,n,k1\nBob,bob,{'9' * (csv.field_size_limit() + 1)},4\n",  # a cell past the csv module's limit
     f"earlier.csv:2: is not readable CSV: field larger than field limit ({csv.field_size_limit()})"),
])
def test_bad_keep_files(files, tmp_path, main, kept, message):
    t, r = files(names=["Bob"])
    (tmp_path / "earlier.csv").write_text(kept)
    out = main("exercise", t, "--roster", r, "--seed", "1", "-o", tmp_path / "out", "--keep", tmp_path / "earlier.csv")
    assert (out.code, out.err) == (2, f"{tmp_path}/{message}\n")
