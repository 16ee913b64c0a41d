"""Every form a course receives, on files real tools wrote (tests/check_corpus/forms/, made by
make_forms.py: Jupyter's nbformat 4 JSON with a real Keras 3 and torchinfo run's printed
output, openpyxl, matplotlib's PDF backend), and broken versions of each: one line, exit 2."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cnncalc.check import read_answers
from cnncalc.check.forms import AnswerError

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "tests" / "check_corpus" / "forms"
HOMEWORK = ROOT / "architectures" / "lenet_homework.yaml"

# (file, form read, score): the LeNet homework answered right in every form
RIGHT = [
    ("notebook_markdown.ipynb", "ipynb: markdown cell 3", 100.0),
    ("notebook_renamed.txt", "ipynb: markdown cell 3", 100.0),        # chosen by content
    ("org_table.org", "md", 100.0),                                   # the |---+---| rule
    ("saved_page.html", "html", 100.0),
    ("tabular.tex", "latex", 100.0),
    ("grid_table.rst", "rst", 100.0),
    ("simple_table.rst", "rst", 100.0),
    ("transposed.csv", "csv", 100.0),                                 # layers as columns
    ("libreoffice_semicolon.csv", "csv", 100.0),                      # `;` and decimal commas
    ("workbook.xlsx", "xlsx: sheet HW2", 100.0),
    ("text.pdf", "pdf", 100.0),
]

# (file, what the one line says)
REFUSED = [
    ("empty.md", "is empty"),
    ("name_alone.txt", "holds only the text `Ada Lovelace`, no table"),
    ("binary.dat", "is a binary file"),
    ("photo.png", "is a PNG image: a photo or screenshot of a table cannot be graded"),
    ("scanned.pdf", "is a PDF without text (a scan"),
    ("report.docx", "is a Word document (.docx)"),
    ("workbook_truncated.xlsx", "is a damaged zip archive"),
    ("notebook_truncated.ipynb", "is a Jupyter notebook that is not valid JSON"),
    ("notebook_wrong_type.ipynb", "is a Jupyter notebook whose JSON has no list of cells"),
    ("notebook_no_table.ipynb", "is a Jupyter notebook with no table of answers"),
]


@pytest.mark.parametrize("name, form, score", RIGHT)
def test_every_form_is_read(name, form, score, cli):
    r = cli("check", FORMS / name, "--spec", HOMEWORK, "--format", "json")
    doc = json.loads(r.out)
    assert (r.code, doc["form"], doc["score"]) == (0, form, score), r.err


@pytest.mark.parametrize("name", ["notebook_keras_summary.ipynb", "notebook_torchinfo.ipynb"])
def test_summaries_printed_in_a_notebook(name):
    """Keras 3's summary as Jupyter stores it (ANSI colour codes in a stream output) and
    torchinfo's (text/plain): the 7 layers' shapes and parameter counts read and right; a summary
    has no size column and no Input row, so those 9 cells are unanswered."""
    from cnncalc import api
    doc = api.check_answers(str(FORMS / name), str(HOMEWORK)).to_dict()
    assert doc["form"] == "ipynb: output of cell 1"
    assert (doc["right"], doc["wrong"], doc["carried"], doc["unanswered"]) == (14, 0, 0, 9)
    assert {c["column"] for c in doc["cells"] if c["status"] == "right"} == {"activation_shape", "params"}


def test_keras_output_keeps_its_colour_codes():
    assert "\\u001b[" in (FORMS / "notebook_keras_summary.ipynb").read_text()


@pytest.mark.parametrize("name, message", REFUSED)
def test_what_cannot_be_graded_says_what_it_is(name, message, cli):
    r = cli("check", FORMS / name, "--spec", HOMEWORK)
    assert r.code == 2 and r.out == "" and len(r.err.strip().splitlines()) == 1, r.err
    assert message in r.err and str(FORMS / name) in r.err and "UTF-8" not in r.err


@pytest.mark.parametrize("name, module", [("workbook.xlsx", "openpyxl"), ("text.pdf", "pypdf")])
def test_without_the_office_extra(name, module, monkeypatch):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(AnswerError, match=r"install cnncalc\[office\]"):
        read_answers(str(FORMS / name))


def test_utf16_text_is_read(tmp_path):
    """Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated."""
    text = (FORMS / "transposed.csv").read_text().replace('","', "\t").replace('"', "")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    assert len(read_answers(str(path)).rows) == 8


@pytest.mark.parametrize("written, named", [("(8, 28, 28)", "channels first"), ("(1, 8, 28, 28)", "(N, C, H, W)")])
def test_channels_first_shapes_are_named(written, named, tmp_path):
    """Right values in another order: wrong for a course that writes (H, W, C), with a
    diagnosis naming channels-first, never "no known mistake"."""
    from cnncalc import api
    path = tmp_path / "cf.md"
    path.write_text("| Layer | Activation shape |\n|---|---|\n| CONV1 | " + written + " |\n")
    cell = next(c for c in api.check_answers(str(path), str(HOMEWORK)).to_dict()["cells"] if c["given"] == written)
    assert cell["status"] == "wrong" and named in cell["diagnosis"]


@pytest.mark.parametrize("name", ["notebook_markdown.ipynb", "notebook_keras_summary.ipynb",
                                  "notebook_torchinfo.ipynb"])
def test_a_notebook_nbformat_wrote_grades_as_the_corpus_one(name, tmp_path, cli):
    """The notebook written by nbformat itself (what Jupyter calls to save: its own JSON layout,
    ids, metadata and line splitting), from the corpus notebook's cells and outputs, grades
    exactly as the corpus file does."""
    nbformat = pytest.importorskip("nbformat")
    corpus = nbformat.read(str(FORMS / name), as_version=4)
    saved = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                              "language": "python"}})
    for cell in corpus.cells:
        if cell.cell_type == "markdown":
            saved.cells.append(nbformat.v4.new_markdown_cell(cell.source))
        else:
            code = nbformat.v4.new_code_cell(cell.source, execution_count=cell.get("execution_count"))
            code.outputs = [nbformat.v4.output_from_msg({"header": {"msg_type": o.output_type},
                                                         "content": {k: v for k, v in o.items() if k != "output_type"}})
                            if o.output_type == "stream" else o for o in cell.get("outputs", [])]
            saved.cells.append(code)
    nbformat.validate(saved)
    path = tmp_path / name
    nbformat.write(saved, str(path))
    ours = json.loads(cli("check", path, "--spec", HOMEWORK, "--format", "json").out)
    theirs = json.loads(cli("check", FORMS / name, "--spec", HOMEWORK, "--format", "json").out)
    assert {**ours, "answers": None} == {**theirs, "answers": None}  # every cell, the score, the form
