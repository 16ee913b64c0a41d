"""`cnncalc import`: a model file as the equivalent YAML spec."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .shared import CLASS_OPT, app, emit, guarded, say


@app.command("import")
@guarded
def import_(
    model: Path = typer.Argument(..., help="PyTorch or Keras source (.py), a .keras file, a Keras .json (model.to_json()) or an .onnx file.", show_default=False),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write the spec to this file (default, or -: stdout)."),
    input_shape: Optional[str] = typer.Option(None, "--input", help="The input shape, channels last: 32x32x3 (HxWxC), 100x1 (LxC); for a model whose first layer fixes the channels, 32x32 is enough.", show_default=False),
    class_name: Optional[str] = CLASS_OPT,
) -> None:
    """Write the cnncalc YAML spec of a PyTorch, Keras or ONNX model, without running it.

    Python files are read with `ast` and never imported; .keras and .json files with zipfile
    and json (weights are never opened); .onnx needs pip install 'cnncalc\\[onnx]'. Every
    command also takes these files directly: cnncalc summary net.py --input 32x32.

    Example: cnncalc import net.py --input 32x32x3 -o net.yaml
    """
    from .. import api
    from ..files import check_target, write_output

    if output not in (None, "-"):
        check_target(output, (model,))
    text = api.import_model(model, input=input_shape, class_name=class_name)
    if output in (None, "-"):
        emit(text)
        return
    write_output(output, text, (model,))
    say(f"wrote {output} ({text.count(chr(10))} lines)")
