"""The course's gradient exercises: grad (one convolution, backward) and backprop (a small network)."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from .shared import VARY_OPT, CLASS_OPT, SPEC_ARG, TextFormat, app, emit, fitted, guarded, load


@app.command()
@guarded
def grad(
    image: str = typer.Option(..., "--image", help='Input X: "1 2 3; 4 5 6; 7 8 9", a one-row signal, JSON rows or a file; channels split by | ("1 2; 3 4 | 5 6; 7 8").', show_default=False),
    kernel: List[str] = typer.Option(..., "--kernel", "-f", help="Kernel K like --image, or a named kernel (sobel_x); repeat --kernel once per filter.", show_default=False),
    upstream: Optional[str] = typer.Option(None, "--upstream", help="Upstream gradient dL/dZ, the output's shape (default: all ones).", show_default=False),
    stride: int = typer.Option(1, "--stride", "-s", help="Stride."),
    padding: str = typer.Option("0", "--padding", "-p", help="Zero padding p on every side; valid (0); same: the size kept at stride 1, TensorFlow's ceil(n/s) at stride s."),
    bias: Optional[str] = typer.Option(None, "--bias", help='Bias b: one number, or one per filter ("1 -2").', show_default=False),
    flip: bool = typer.Option(False, "--flip", help="True convolution (kernel flipped); default cross-correlation, as PyTorch."),
    at: Optional[str] = typer.Option(None, "--at", help="Work one cell: dK:i,j, dX:i,j, Z:i,j or db (channels first when several: dK:o,c,i,j)."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table (grids with their formulas) or json."),
) -> None:
    """The forward output Z and the gradients dL/dK, dL/dX, dL/db of one convolution, by hand.

    dL/dK is the cross-correlation of X with the upstream gradient G; dL/dX the full
    convolution of G with the kernel rotated 180 degrees; with stride > 1, G is dilated first.

    Example: cnncalc grad --image "1 2 3; 4 5 6; 7 8 9" --kernel "1 0; 0 -1" --upstream "1 1; 1 1" --at dK:0,0
    """
    from .. import api
    from .. import size_syntax as P
    r = api.gradient(image, kernel[0] if len(kernel) == 1 else list(kernel), upstream, stride=stride,
                     padding=P.grid_pad(padding), bias=bias, flip=flip)
    if fmt is TextFormat.json:
        import json
        emit(json.dumps(r.to_dict(at), indent=2) + "\n")
    else:
        emit(fitted(r.text(at)))


class Loss(str, Enum):
    mse = "mse"
    cross_entropy = "cross_entropy"
    bce = "bce"


@app.command()
@guarded
def backprop(
    spec: Path = SPEC_ARG,
    input: str = typer.Option(..., "--input", help='The input values, channels last: JSON ("[[1], [2], [3]]"), "1 2 3" for a one-channel signal, or a file.', show_default=False),
    target: str = typer.Option(..., "--target", help="The target: one value per output, or a class index for cross_entropy.", show_default=False),
    loss: Loss = typer.Option(Loss.mse, "--loss", help="mse, cross_entropy (softmax + NLL, as torch) or bce."),
    weights: Optional[Path] = typer.Option(None, "--weights", help='JSON file: {"layer": {"weight": [...], "bias": [...]}}, torch\'s layout (docs/gradients.md, The weights file).', show_default=False),
    seed: int = typer.Option(0, "--seed", help="Seed of the weights drawn when --weights is not given."),
    class_name: Optional[str] = CLASS_OPT,
    vary: Optional[str] = VARY_OPT,
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table (every array) or json."),
) -> None:
    """One forward and backward pass of a small network: the loss, each layer's output, and the
    gradient of the loss for each layer's weights, bias and output.

    Example: cnncalc backprop docs/examples/notes_1d.yaml --input "1 3 2 0 1" --target 6 --weights docs/examples/notes_1d_weights.json
    """
    from .. import api
    b = api.backprop(load(spec, None, class_name, vary), input, target, loss=loss.value,
                     weights=None if weights is None else str(weights), seed=seed)
    if fmt is TextFormat.json:
        import json
        emit(json.dumps(b.to_dict(), indent=2) + "\n")
    else:
        emit(fitted(b.text()))
