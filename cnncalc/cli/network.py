"""Commands on a whole network: summary, check, verify, export, report, plot."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Optional

import typer

from ..errors import ArgumentError, visible
from .shared import CLASS_OPT, DTYPE_OPT, INPUT_OPT, SPEC_ARG, VARY_OPT, Format, TextFormat, app, emit, guarded, load, say


@app.command()
@guarded
def summary(
    spec: Optional[Path] = typer.Argument(None, help="YAML spec file (e.g. architectures/vgg16.yaml), a zoo name (vgg16; --list lists them), or a model file: PyTorch or Keras source .py, .keras, Keras .json, .onnx.", show_default=False),
    list_zoo: bool = typer.Option(False, "--list", help="List the zoo: the networks cnncalc ships, by the name `cnncalc summary NAME` takes."),
    fmt: Format = typer.Option(Format.table, "--format", "-F", help="table, json, csv or markdown."),
    dtype: str = DTYPE_OPT,
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
    explain: bool = typer.Option(False, "--explain", help="Under each row, the shape and parameter formulas with the numbers (table or json)."),
    columns: Optional[str] = typer.Option(
        None, "--columns", show_default=False,
        help="Comma-separated columns (table, csv, markdown), like torchinfo's col_names: index, name, "
             "kind, hyper, output_shape, activation_size, params, macs, flops, rf, rf_jump, rf_start, "
             "param_bytes, activation_bytes, training_bytes, params_share, macs_share; 'all'; "
             "'+macs_share' adds to the default set (#, name, kind, hyper, output shape, activations, params, "
             "MACs, RF); 'course': the notes' three-column table (Layer, Activation shape, Activation size, "
             "# parameters), what --format markdown prints when --columns is not given."),
    flops_convention: str = typer.Option(
        "2macs", "--flops-convention", help="FLOPs as 2macs (2 x MACs), macs (= MACs, as fvcore/ptflops "
        "print them) or full (every op: bias, batchnorm, pooling, activations, as torch-scan counts)."),
    batch: str = typer.Option("1", "--batch", help="Samples per forward pass, for MACs, FLOPs and activation memory."),
    optimizer: str = typer.Option(
        "sgd", "--optimizer", help="Optimizer state in the training-memory estimate: sgd (none), "
        "momentum (1 x params), adam (2 x params); also nesterov, rmsprop, adagrad, adamw."),
    blank: bool = typer.Option(False, "--blank", help="The course table (--columns course) with empty cells, as a worksheet: markdown, or csv with --format csv."),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    """Per-layer output shape, parameters, MACs, receptive field and memory, with totals.

    Example: cnncalc summary architectures/vgg16.yaml --columns +flops,training_bytes --batch 32 --optimizer adam

    Course table: cnncalc summary architectures/lenet_homework.yaml --format markdown (add --blank for a worksheet; --columns all for every column)
    """
    from .. import api
    from ..render import formats, json_doc, table

    if list_zoo or spec is None:
        if not list_zoo:
            raise ArgumentError("Missing argument 'spec'; see `cnncalc summary --help`")  # as click says it
        rows = api.zoo()
        width = max((len(name) for name, _ in rows), default=0)
        emit("".join(f"{name.ljust(width)}  {title}".rstrip() + "\n" for name, title in rows))
        return
    # markdown without --columns is the course's table, as homework sheets print it
    course = (columns.strip().lower() == "course") if columns is not None else fmt is Format.markdown
    cols = table.DEFAULT_COLUMNS if columns is None or course else table.parse_columns(columns)
    n, optimizer, flops_convention = api.summary_options(batch, optimizer, flops_convention)  # before the spec is read
    if width is not None and width < 40:
        raise ArgumentError(f"--width {width} is too narrow for the table; use at least 40, "
                            "or leave it out for the terminal's width")
    if (blank or course) and (fmt is Format.json or (blank and columns is not None and not course)):
        raise ArgumentError("--blank and --columns course print the course table (Layer, Activation shape, "
                            "Activation size, # parameters); use --format markdown or csv, without other --columns")
    spec = load(spec, input_shape, class_name, vary)
    if blank or course:
        result = api.infer(spec, dtype=dtype)
        emit(formats.to_course_csv(result, blank) if fmt is Format.csv else formats.to_course_markdown(result, blank))
        return
    s = api.summarize(spec, dtype=dtype, batch=n, optimizer=optimizer, flops_convention=flops_convention)
    if explain:
        return _explained(s, fmt, cols, width)
    if fmt is Format.table:
        pieces = table.terminal_table(s.result, cols, s.metrics, width)  # rich's look, without its cost
        if pieces is not None:
            for piece in pieces:
                emit(piece, styled=True)
            return
        from rich.console import Console
        console = Console(width=width)
        console.print(table.table(s.result, cols, s.metrics, width=console.width))
    elif fmt in (Format.json, Format.csv):  # streamed, a piece per layer or per 1,000 rows
        pieces = json_doc.iter_json(s.result, s.metrics) if fmt is Format.json else formats.iter_csv(s.result, cols, s.metrics)
        for piece in pieces:
            emit(piece)
    else:
        emit(formats.render(s.result, fmt.value, cols, metrics=s.metrics))


class CheckFormat(str, Enum):
    table = "table"
    json = "json"
    gradescope = "gradescope"


# the forms `--as` forces (cnncalc.check.forms.AS_FORMS; a test keeps the two equal)
AnswersFormat = Enum("AnswersFormat", {f.replace("-", "_"): f for f in (
    "md", "org", "csv", "csv-semicolon", "tsv", "yaml", "aligned", "summary", "keras3", "keras2", "torchinfo",
    "torchsummary", "html", "latex", "rst", "ipynb", "xlsx", "pdf")}, type=str)


@app.command()
@guarded
def check(
    answers: str = typer.Argument(..., help="The student's table (Markdown, CSV/TSV any delimiter, space-aligned text, YAML, or a pasted Keras/torchinfo summary; `-` for stdin), or a folder of them with --gradebook.", show_default=False),
    spec: Path = typer.Option(..., "--spec", help="YAML spec (or model file) of the network the table is about (`-s` still works here).", show_default=False),
    fmt: CheckFormat = typer.Option(CheckFormat.table, "--format", "-F", help="table (for people), json (one entry per cell) or gradescope (Gradescope's autograder results.json, one test per layer row)."),
    read_as: Optional[AnswersFormat] = typer.Option(None, "--as", help="Read ANSWERS as this form (md, org, csv, csv-semicolon, tsv, yaml, aligned, summary, keras3, keras2, torchinfo, torchsummary, html, latex, rst, ipynb, xlsx, pdf); default: by its bytes, its extension, then its text. A file of another form is refused."),
    strict: bool = typer.Option(False, "--strict", help="Count carried cells (right for the student's own wrong earlier row) as wrong."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every exact explanation of a wrong cell, not only the most likely."),
    gradebook: Optional[str] = typer.Option(None, "--gradebook", help="With a folder ANSWERS (as an LMS exports it: Moodle folders, Canvas prefixes, plain files): grade every student and write this gradebook CSV (student, files, score, right, carried, wrong, unanswered, status, note).", show_default=False),
    feedback: Optional[str] = typer.Option(None, "--feedback", help="With a folder ANSWERS: write one Markdown file per student into this folder (their cells, each mistake's diagnosis and working).", show_default=False),
    force: bool = typer.Option(False, "--force", help="Replace an existing gradebook or feedback file."),
    roster: Optional[str] = typer.Option(None, "--roster", help="With a folder and a template --spec: the variants.csv `cnncalc exercise` wrote. Each student is graded against their own variant; a table that fits a classmate's variant better says `fits the variant of NAME`.", show_default=False),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    """Grade a filled-in table of activation shapes, sizes and # parameters against a spec.

    Each wrong cell gets the correct value, the formula with the numbers, and the mistake that gives exactly the student's number; a cell right for the student's own wrong earlier row is `carried`, not wrong (unless --strict). A folder with --gradebook grades a whole class.

    Score: (right + carried) / the cells the handout (the spec's course table) asks for; a blank or missing cell is unanswered.

    Exit status: 0 every asked cell right (or carried); 1 a wrong or unanswered cell, a row that matches no layer, or a student who needs attention; 2 unreadable input.

    Example: cnncalc check answers.md --spec architectures/lenet_homework.yaml

    Example: cnncalc check submissions/ --spec architectures/lenet_homework.yaml --gradebook grades.csv

    Example: cnncalc check submissions/ --spec template.yaml --roster exercise/variants.csv --gradebook grades.csv
    """
    import os

    from .. import api
    from ..render.check import report_json

    if roster is not None:
        if vary is not None or input_shape is not None or class_name is not None:
            raise ArgumentError("--roster grades each student against their own variant of the template; "
                                "leave --vary, --input and --class out")
        _grade_class(answers, None, gradebook, strict, fmt, spec, feedback, force, roster)
        return
    loaded = load(spec, input_shape, class_name, vary)
    if os.path.isdir(answers) or gradebook is not None or feedback is not None:
        _grade_class(answers, loaded, gradebook, strict, fmt, spec, feedback, force)
        return
    report = api.check_answers(answers, loaded, read_as=read_as.value if read_as else None, strict=strict)
    if fmt is CheckFormat.gradescope:
        emit(report.gradescope())
    else:
        emit(report_json(report) if fmt is CheckFormat.json else report.text(verbose))
    if not report.ok:
        raise typer.Exit(1)


def _grade_class(folder: str, loaded, gradebook: Optional[str], strict: bool, fmt, spec,
                 feedback: Optional[str] = None, force: bool = False, roster: Optional[str] = None) -> None:
    """check DIR --gradebook out.csv [--feedback DIR] [--roster variants.csv]: the gradebook,
    the feedback files and the class summary; nothing is written into the class folder, nothing
    replaced without --force."""
    import json
    import os

    from .. import api
    from ..files import check_target, write_output
    if not os.path.isdir(folder):
        raise ArgumentError(f"--gradebook grades a folder of submissions, and {folder} is not a folder; "
                            "give the folder, e.g. cnncalc check submissions/ --spec SPEC --gradebook grades.csv")
    if gradebook is None:
        raise ArgumentError(f"{folder} is a directory (a folder): add --gradebook grades.csv to grade every "
                            "submission in it")
    if fmt is CheckFormat.gradescope:
        raise ArgumentError("--format gradescope grades one submission (Gradescope runs the autograder "
                            "once per student); use --format table or json with a folder")
    inputs = (spec, roster)
    check_target(gradebook, inputs, option="--gradebook", folders=(folder,))
    if os.path.exists(gradebook) and not force:
        raise ArgumentError(f"--gradebook {gradebook} exists; add --force to replace it, or give another path")
    if feedback is not None:
        check_target(os.path.join(feedback, "x.md"), inputs, option="--feedback", folders=(folder,))
    if roster is not None:
        report = api.check_variants(folder, str(spec), roster, strict=strict, feedback=feedback is not None)
    else:
        report = api.check_class(folder, loaded, strict=strict, feedback=feedback is not None)
    if feedback is not None:
        _write_feedback(report, feedback, spec, folder, force)
    where = write_output(gradebook, report.to_csv(), inputs, option="--gradebook", folders=(folder,))
    if fmt is CheckFormat.json:
        emit(json.dumps({"gradebook": where, **report.to_dict()}, indent=2, ensure_ascii=False) + "\n")
    else:
        emit(report.text() + f"Gradebook: {where}\n" + (f"Feedback: {feedback}\n" if feedback else ""))
    if report.attention:
        raise typer.Exit(1)


def _write_feedback(report, folder: str, spec, class_folder: str, force: bool) -> None:
    """One Markdown file per graded student, named after them; existing files kept unless --force."""
    import os
    import re

    from ..files import write_output
    os.makedirs(folder, exist_ok=True)
    files = {}
    for s in report.students:
        if s.graded is not None:
            stem = re.sub(r"[^\w.-]+", "_", s.name).strip("._") or "student"
            while stem + ".md" in files:
                stem += "_"
            files[stem + ".md"] = s.graded.feedback
    taken = [n for n in files if os.path.exists(os.path.join(folder, n))]
    if taken and not force:
        raise ArgumentError(f"--feedback {folder} already holds {', '.join(taken[:3])}"
                            f"{' ...' if len(taken) > 3 else ''}; add --force to replace them")
    for name, text in files.items():
        write_output(os.path.join(folder, name), text, (spec,), option="--feedback", folders=(class_folder,))


def _explained(s, fmt: Format, columns, width: int | None = None) -> None:
    """summary --explain: the working of every layer (each kind's explain facet) under its row."""
    from .. import api
    from ..render import json_doc, table

    working = api.working(s)
    if fmt is Format.table:
        emit(table.explained_text(s.result, working, columns, s.metrics, width))
    elif fmt is Format.json:
        emit(json_doc.explained_json(s.result, working, s.metrics))
    else:
        raise ArgumentError(f"--explain works with --format table or json, not {fmt.value}")


class Framework(str, Enum):
    pytorch = "pytorch"
    keras = "keras"


@app.command()
@guarded
def verify(
    spec: Path = SPEC_ARG,
    batch: int = typer.Option(1, "--batch", "-b", help="Batch size of the random input."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random weights and input."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
    width: Optional[int] = typer.Option(None, "--width", help="Table width in characters (default: the terminal's)."),
    max_memory: Optional[str] = typer.Option(None, "--max-memory", help="Refuse runs estimated above this many bytes (512M, 4G; default: half the available memory)."),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    """Run the network in NumPy and compare every layer's executed shape and weights with summary's.

    Random weights of exactly the inferred shapes, one forward pass layer by layer; per layer the
    inferred and executed output shapes, the weight count and the time. Exit 1 on any disagreement.

    Example: cnncalc verify architectures/vgg16.yaml --batch 2 --format json
    """
    from .. import api
    from ..render import verification

    if batch < 1:
        raise ArgumentError(f"--batch {batch} must be at least 1; use --batch 1")
    result = api.verify(load(spec, input_shape, class_name, vary), batch=batch, seed=seed, max_memory=_bytes(max_memory))
    if fmt is TextFormat.json:
        emit(verification.verification_json(result))
    else:
        verification.print_verification(result, width)
    if not result.agree:
        raise typer.Exit(1)


@app.command()
@guarded
def export(
    spec: Path = SPEC_ARG,
    to: Framework = typer.Option(..., "--to", "-t", help="pytorch or keras.", show_default=False),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the code to this file (default, or -: stdout)."),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    """Generate PyTorch (nn.Module) or Keras 3 (functional) code for a spec.

    Example: cnncalc export architectures/vgg16.yaml --to pytorch -o vgg16.py
    """
    from .. import api
    from ..files import check_target, write_output

    if output not in (None, "-"):
        check_target(output, (spec,))
    code = api.export_code(load(spec, input_shape, class_name, vary), to.value)
    if output in (None, "-"):
        emit(code)
        return
    write_output(output, code, (spec,))
    say(f"wrote {output} ({to.value}, {code.count(chr(10))} lines)")


def _bytes(text: str | None) -> int | None:
    """--max-memory: bytes, or with a K/M/G suffix (powers of 1024)."""
    if text is None:
        return None
    t = text.strip().upper().rstrip("B").rstrip("I")
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}.get(t[-1:], 1)
    digits = t[:-1] if scale > 1 else t
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 15 or int(digits) < 1:  # int() refuses ²
        raise ArgumentError(f"--max-memory `{text}` is not a size; write bytes or e.g. 512M, 4G")
    return int(digits) * scale


class Chart(str, Enum):
    diagram = "diagram"
    params = "params"
    macs = "macs"
    activations = "activations"
    all = "all"


@app.command()
@guarded
def report(
    spec: Path = SPEC_ARG,
    output: Optional[str] = typer.Option(None, "--output", "-o", help="HTML file to write (default: the spec's name with .html, here; -: stdout)."),
    dtype: str = DTYPE_OPT,
    charts: bool = typer.Option(True, "--charts/--no-charts", help="Include the matplotlib charts (needs cnncalc\\[plot])."),
    force: bool = typer.Option(False, "--force", help="Replace the default output file if it exists."),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    r"""One self-contained HTML report: diagram, per-layer charts, table, totals and the spec.

    Without matplotlib the report has the diagram, table, totals and spec, and says what to
    install for the charts (pip install 'cnncalc\[plot]').

    Example: cnncalc report architectures/vgg16.yaml -o vgg16.html
    """
    from .. import api
    from ..files import check_target, write_output

    out = output or (spec.stem if str(spec) != "-" else "report") + ".html"
    check_target(out, (spec,), chosen=output is not None, force=force)
    loaded, text = api.load_text(str(spec), input=input_shape, class_name=class_name, vary=vary)  # the spec is read once
    html, notes = api.report_html(loaded, text, dtype=dtype, charts=charts)
    where = write_output(out, html, (spec,), chosen=output is not None, force=force)
    for note in notes:
        say(f"cnncalc: note: {note}")
    typer.echo(visible(f"wrote {where} ({len(html.encode()) // 1024:,} KiB)"), err=out == "-")


@app.command()
@guarded
def plot(
    spec: Path = SPEC_ARG,
    output: str = typer.Option(..., "--output", "-o", help="Picture to write: .svg or .png (-: SVG on stdout).", show_default=False),
    chart: Chart = typer.Option(Chart.diagram, "--chart", "-c", help="diagram, params, macs, activations, or all charts side by side."),
    dtype: str = typer.Option("float32", "--dtype", help="Bytes per value (noted on the activations chart)."),
    input_shape: Optional[str] = INPUT_OPT,
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
) -> None:
    r"""Write one picture: the architecture diagram or a per-layer chart.

    The diagram as .svg needs nothing extra; charts and .png need matplotlib
    (pip install 'cnncalc\[plot]').

    Example: cnncalc plot architectures/vgg16.yaml -o vgg16.png --chart params
    """
    from .. import api
    from ..files import check_target, write_output

    suffix = Path(output).suffix
    fmt = "svg" if output == "-" else suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ArgumentError(f"output {output} has suffix `{suffix}`; use a .svg or .png file name")
    check_target(output, (spec,))
    s = api.summarize(load(spec, input_shape, class_name, vary), dtype=dtype)
    result = s.result
    if chart is Chart.diagram and fmt == "svg":
        from ..render import diagram
        data: bytes | str = diagram.diagram_svg(result)
    elif chart is Chart.diagram:
        from ..render import plot as plotting
        data = plotting.diagram_png(result)
    else:
        from ..render import plot as plotting
        plotting.need_matplotlib()
        data = plotting.chart_bytes(result, s.metrics, None if chart is Chart.all else chart.value, fmt)
    where = write_output(output, data, (spec,))
    typer.echo(visible(f"wrote {where}"), err=output == "-")
