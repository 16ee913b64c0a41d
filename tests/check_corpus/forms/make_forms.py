"""Writes the forms corpus the way real tools write it: run from the repository root,
`KERAS_BACKEND=torch python tests/check_corpus/forms/make_forms.py`. The LeNet homework
(architectures/lenet_homework.yaml) answered right in every form, plus broken files."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = [("Layer", "Activation shape", "Activation size", "# parameters"),
        ("Input", "(32, 32, 3)", "3,072", "0"), ("CONV1", "(28, 28, 8)", "6,272", "608"),
        ("POOL1", "(14, 14, 8)", "1,568", "0"), ("CONV2", "(10, 10, 16)", "1,600", "3,216"),
        ("POOL2", "(5, 5, 16)", "400", "0"), ("FC3", "(120,)", "120", "48,120"),
        ("FC4", "(84,)", "84", "10,164"), ("Softmax", "(10,)", "10", "850")]

KERAS = """
import keras
from keras import layers
m = keras.Sequential([keras.Input((32, 32, 3)), layers.Conv2D(8, 5, name="CONV1"),
    layers.MaxPooling2D(2, name="POOL1"), layers.Conv2D(16, 5, name="CONV2"),
    layers.MaxPooling2D(2, name="POOL2"), layers.Flatten(name="flatten"),
    layers.Dense(120, name="FC3"), layers.Dense(84, name="FC4"),
    layers.Dense(10, activation="softmax", name="Softmax")])
m.summary()
"""
TORCH = """
import torch.nn as nn
from torchinfo import summary
m = nn.Sequential(nn.Conv2d(3, 8, 5), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5), nn.MaxPool2d(2),
                  nn.Flatten(), nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10))
summary(m, input_size=(1, 3, 32, 32))
"""


def printed(code: str) -> str:
    """What the code prints, as a notebook's stream output stores it: rich's colours forced on,
    as in Jupyter (FORCE_COLOR), so Keras' table carries its ANSI codes."""
    env = dict(os.environ, FORCE_COLOR="1", KERAS_BACKEND="torch", COLUMNS="100")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout


def notebook(cells: list[dict]) -> str:
    """nbformat 4.5 JSON as Jupyter writes it (indent 1, sorted keys, sources as line lists)."""
    for i, c in enumerate(cells):
        c.setdefault("metadata", {})
        c["id"] = f"cell-{i}"
        c["source"] = c["source"].splitlines(keepends=True)
        if c["cell_type"] == "code":
            c.setdefault("outputs", [])
            c["execution_count"] = i + 1
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": text.splitlines(keepends=True)}


def markdown_table(rows) -> str:
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join("---" for _ in rows[0]) + "|"]
    return "\n".join(out + ["| " + " | ".join(r) + " |" for r in rows[1:]]) + "\n"


def org_table(rows) -> str:
    w = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    line = lambda r: "| " + " | ".join(c.ljust(w[j]) for j, c in enumerate(r)) + " |"
    rule = "|-" + "-+-".join("-" * x for x in w) + "-|"
    return "* Homework 2\n\n" + "\n".join([line(rows[0]), rule] + [line(r) for r in rows[1:]]) + "\n"


def html_page(rows) -> str:
    head = "".join(f"<th>{c}</th>" for c in rows[0])
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[1:])
    return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>HW2</title></head><body>\n"
            f"<h1>Homework 2</h1>\n<p>My answers for <b>LeNet</b>:</p>\n<table border=\"1\">\n"
            f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody></table>\n<p>Thanks!</p>\n</body></html>\n")


def latex(rows) -> str:
    cell = lambda c: c.replace("#", "\\#").replace(",", "{,}")
    lines = [" & ".join(cell(c) for c in r) + " \\\\" for r in rows]
    return ("\\begin{table}[h]\n\\centering\n\\begin{tabular}{|l|c|r|r|}\n\\hline\n" + lines[0]
            + "\n\\hline\n" + "\n".join(lines[1:]) + "\n\\hline\n\\end{tabular}\n\\caption{LeNet}\n\\end{table}\n")


def rst_grid(rows) -> str:
    w = [max(len(r[j]) for r in rows) + 2 for j in range(len(rows[0]))]
    rule = lambda ch: "+" + "+".join(ch * x for x in w) + "+"
    line = lambda r: "|" + "|".join(" " + c.ljust(w[j] - 1) for j, c in enumerate(r)) + "|"
    out = [rule("-"), line(rows[0]), rule("=")]
    for r in rows[1:]:
        out += [line(r), rule("-")]
    return "Answers\n=======\n\n" + "\n".join(out) + "\n"


def rst_simple(rows) -> str:
    w = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    rule = "  ".join("=" * x for x in w)
    line = lambda r: "  ".join(c.ljust(w[j]) for j, c in enumerate(r)).rstrip()
    return "\n".join([rule, line(rows[0]), rule] + [line(r) for r in rows[1:]] + [rule]) + "\n"


def transposed(rows) -> str:
    return "\n".join(",".join(f'"{r[j]}"' for r in rows) for j in range(len(rows[0]))) + "\n"


def semicolon(rows) -> str:
    return "\n".join(";".join(c.replace(",", "") for c in r) + (";Anteil %" if i == 0 else f";{i * 1.5:.1f}".replace(".", ","))
                     for i, r in enumerate(rows)) + "\n"


def xlsx(path: Path, rows) -> None:
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "HW2"
    sheet.append(["Student: A. Lovelace"])
    sheet.append([])
    sheet.append(list(rows[0]))
    for r in rows[1:]:
        sheet.append([r[0], r[1], int(r[2].replace(",", "")), int(r[3].replace(",", ""))])
    book.save(path)


def pdf(path: Path, rows, text: bool = True) -> None:
    import matplotlib
    matplotlib.use("pdf")
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(8.27, 11.69))
    if text:
        fig.text(0.08, 0.95, "Homework 2, LeNet", fontsize=14, family="monospace")
        for i, r in enumerate(rows):
            fig.text(0.08, 0.9 - 0.025 * i, "".join(c.ljust(w) for c, w in zip(r, (10, 20, 18, 14))),
                     fontsize=10, family="monospace")
    else:  # a scan: the table as pixels only
        ax = fig.add_axes((0, 0, 1, 1))
        ax.imshow([[0, 1], [1, 0]], cmap="gray")
        ax.axis("off")
    fig.savefig(path, format="pdf")
    plt.close(fig)


def main() -> None:
    keras_out, torch_out = printed(KERAS), printed(TORCH)
    files = {
        "notebook_markdown.ipynb": notebook([
            {"cell_type": "markdown", "source": "# Homework 2\nFill the table.\n"},
            {"cell_type": "code", "source": "import numpy as np\nprint('hi')", "outputs": [stream("hi\n")]},
            {"cell_type": "markdown", "source": markdown_table(ROWS)}]),
        "notebook_keras_summary.ipynb": notebook([
            {"cell_type": "code", "source": KERAS.strip(), "outputs": [stream(keras_out)]}]),
        "notebook_torchinfo.ipynb": notebook([
            {"cell_type": "code", "source": TORCH.strip(), "outputs": [
                {"output_type": "execute_result", "execution_count": 1, "metadata": {},
                 "data": {"text/plain": torch_out.splitlines(keepends=True)}}]}]),
        "notebook_wrong_type.ipynb": json.dumps({"cells": {"0": "not a list"}, "nbformat": 4, "nbformat_minor": 5}),
        "notebook_truncated.ipynb": notebook([{"cell_type": "markdown", "source": markdown_table(ROWS)}])[:300],
        "notebook_no_table.ipynb": notebook([{"cell_type": "markdown", "source": "I did not finish.\n"}]),
        "org_table.org": org_table(ROWS),
        "saved_page.html": html_page(ROWS),
        "tabular.tex": latex(ROWS),
        "grid_table.rst": rst_grid(ROWS),
        "simple_table.rst": rst_simple(ROWS),
        "transposed.csv": transposed(ROWS),
        "libreoffice_semicolon.csv": semicolon(ROWS),
        "empty.md": "",
        "name_alone.txt": "Ada Lovelace\n",
    }
    for name, text in files.items():
        (HERE / name).write_text(text, encoding="utf-8")
    (HERE / "notebook_renamed.txt").write_text(files["notebook_markdown.ipynb"], encoding="utf-8")
    xlsx(HERE / "workbook.xlsx", ROWS)
    data = (HERE / "workbook.xlsx").read_bytes()
    (HERE / "workbook_truncated.xlsx").write_bytes(data[:len(data) // 2])
    pdf(HERE / "text.pdf", ROWS)
    pdf(HERE / "scanned.pdf", ROWS, text=False)
    import matplotlib.pyplot as plt
    fig = plt.figure(figsize=(1, 1))
    fig.savefig(HERE / "photo.png", format="png", dpi=20)
    plt.close(fig)
    (HERE / "binary.dat").write_bytes(bytes(range(256)) * 4)
    with zipfile.ZipFile(HERE / "report.docx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


if __name__ == "__main__":
    main()
