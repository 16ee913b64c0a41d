"""`check --as FORM` forces every form the checker reads, and reads each file exactly as its
content does; a file of another form is refused in one line naming both (exit 2)."""
from __future__ import annotations

import pytest

from cnncalc.check import read_answers
from cnncalc.check.forms import AS_FORMS
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "check_corpus"
FORMS = CORPUS / "forms"
SPEC = ROOT / "architectures" / "lenet_homework.yaml"

# (file, the --as forms that name it): each must read as the content reads it
CASES = [
    (FORMS / "workbook.xlsx", ["xlsx"]),
    (FORMS / "text.pdf", ["pdf"]),
    (FORMS / "notebook_markdown.ipynb", ["ipynb"]),
    (FORMS / "notebook_keras_summary.ipynb", ["ipynb"]),
    (FORMS / "notebook_torchinfo.ipynb", ["ipynb"]),
    (FORMS / "notebook_renamed.txt", ["ipynb"]),
    (FORMS / "libreoffice_semicolon.csv", ["csv", "csv-semicolon"]),
    (FORMS / "transposed.csv", ["csv"]),
    (FORMS / "saved_page.html", ["html"]),
    (FORMS / "tabular.tex", ["latex"]),
    (FORMS / "grid_table.rst", ["rst"]),
    (FORMS / "simple_table.rst", ["rst"]),
    (FORMS / "org_table.org", ["org", "md"]),
    (CORPUS / "keras3_lenet.txt", ["keras3", "summary"]),
    (CORPUS / "keras2_lenet.txt", ["keras2", "summary"]),
    (CORPUS / "torchinfo_lenet.txt", ["torchinfo", "summary"]),
    (CORPUS / "torchsummary_lenet.txt", ["torchsummary", "summary"]),
    (CORPUS / "aligned_spaces.txt", ["aligned"]),
    (CORPUS / "notes_table.tsv", ["tsv"]),
    (CORPUS / "answers.yaml", ["yaml"]),
    (CORPUS / "keras_names.md", ["md"]),
]


def test_the_cli_offers_every_form():
    from cnncalc.cli.network import AnswersFormat
    assert tuple(f.value for f in AnswersFormat) == AS_FORMS


def test_every_form_is_tested():
    assert {f for _, forms in CASES for f in forms} == set(AS_FORMS)


@pytest.mark.parametrize("path, forms", CASES, ids=[p.name for p, _ in CASES])
def test_as_reads_what_the_content_reads(path, forms):
    pytest.importorskip("openpyxl") if path.suffix == ".xlsx" else None
    pytest.importorskip("pypdf") if path.suffix == ".pdf" else None
    auto = read_answers(str(path))
    for form in forms:
        assert read_answers(str(path), form) == auto, form


@pytest.mark.parametrize("name, form, says", [
    ("workbook.xlsx", "csv", "is an Excel workbook (.xlsx), not csv text; read it --as xlsx"),
    ("text.pdf", "md", "is a PDF, not md text; read it --as pdf"),
    ("notebook_markdown.ipynb", "md", "is a Jupyter notebook, not md text; read it --as ipynb"),
    ("saved_page.html", "xlsx", "is text, not an Excel workbook (.xlsx)"),
    ("tabular.tex", "pdf", "is text, not a PDF"),
    ("org_table.org", "ipynb", "is text, not a Jupyter notebook"),
    ("workbook.xlsx", "pdf", "is an Excel workbook (.xlsx), not a PDF"),
    ("photo.png", "md", "is a PNG image"),
])
def test_a_file_of_another_form_is_one_line(main, name, form, says):
    r = main("check", str(FORMS / name), "--spec", str(SPEC), "--as", form)
    assert r.code == 2 and r.out == "" and r.err.count("\n") == 1 and says in r.err, r.err


def test_an_unknown_form_is_a_usage_error(main):
    r = main("check", str(FORMS / "tabular.tex"), "--spec", str(SPEC), "--as", "docx")
    assert r.code == 2 and "csv-semicolon" in r.err and "pdf" in r.err
