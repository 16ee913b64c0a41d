"""Commands on small numeric grids: conv, pool, conv-matrix."""
from __future__ import annotations

from enum import Enum
from typing import Optional

import typer

from .. import api
from .shared import TextFormat, app, emit, fitted, guarded


def _emit_grid(result, fmt: "TextFormat") -> None:
    import json

    if fmt is TextFormat.json:
        emit(json.dumps(result.to_dict(), indent=2) + "\n")
    else:
        emit(fitted(result.text()))


@app.command()
@guarded
def conv(
    image: str = typer.Option(..., "--image", "-i", help='Matrix inline ("1 0 1; 0 1 0; 1 1 1"), JSON, or a CSV/whitespace file; one row = a 1-D signal.', show_default=False),
    kernel: Optional[str] = typer.Option(None, "--kernel", "-f", help=f"A named kernel ({api.kernel_names()}: docs/solvers.md shows each) or a matrix like --image.", show_default=False),
    stride: int = typer.Option(1, "--stride", "-s", help="Stride."),
    padding: str = typer.Option("0", "--padding", "-p", help="Zero padding p on every side; valid (0); same: the size kept at stride 1, TensorFlow's ceil(n/s) at stride s."),
    flip: bool = typer.Option(False, "--flip", help="Flip the kernel (true convolution); default is cross-correlation, as PyTorch/TensorFlow."),
    at: Optional[str] = typer.Option(None, "--at", help="Show the window, element-wise products and sum for output cell i,j (0-based)."),
    bias: Optional[float] = typer.Option(None, "--bias", help="Bias b added to every output cell: Z = X * K + b.", show_default=False),
    activation: Optional[str] = typer.Option(None, "--activation", help="Activation applied to Z, printed as A: relu, sigmoid, tanh, leaky_relu, ...", show_default=False),
    show_padded: bool = typer.Option(False, "--show-padded", help="Print the zero-padded input grid; without --kernel, only that."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """Cross-correlate (or with --flip convolve) an image or signal with a kernel; print the grids.

    With --bias and --activation it prints Z = X * K + b, then A = g(Z).

    Example: cnncalc conv --image "3 0 1 2; 1 5 8 9; 2 7 2 5; 0 1 3 1" --kernel vertical_edge --at 0,1

    Example: cnncalc conv --image "1 2; 3 4" --kernel "1 -1; -1 1" -p 1 --bias -1 --activation relu --show-padded

    Example: cnncalc conv --image "1 2; 3 4" -p 1 --show-padded   (the padded grid alone)
    """
    from .. import size_syntax as P
    _emit_grid(api.convolve(image, kernel, stride=stride, padding=P.grid_pad(padding), flip=flip, at=at, bias=bias,
                            activation=activation, show_padded=show_padded), fmt)


class PoolOp(str, Enum):
    max = "max"
    avg = "avg"


@app.command()
@guarded
def pool(
    image: str = typer.Option(..., "--image", "-i", help='Matrix inline ("12 8; 20 12"), JSON, or a CSV/whitespace file.', show_default=False),
    size: Optional[int] = typer.Option(None, "-f", "--kernel", help="Window size f (f x f windows). [default: 2]", show_default=False),
    old_size: Optional[int] = typer.Option(None, "--size", hidden=True, help="Deprecated spelling of -f/--kernel."),
    stride: Optional[int] = typer.Option(None, "--stride", "-s", help="Stride (default: the window size)."),
    padding: str = typer.Option("0", "--padding", "-p", help="Padding on every side (at most f//2); valid (0); same: the size kept at stride 1, TensorFlow's ceil(n/s) at stride s."),
    op: PoolOp = typer.Option(PoolOp.max, "--op", help="max or avg."),
    at: Optional[str] = typer.Option(None, "--at", help="Show the window and its max/average for output cell i,j."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """Max or average pooling of a small matrix; print input and output grids.

    Example: cnncalc pool --image "12 8 0 30; 20 12 0 8; 23 40 0 21; 108 32 22 12" -f 2 -s 2 --at 1,0
    """
    from .. import size_syntax as P
    from ..errors import ArgumentError
    if size is not None and old_size is not None and size != old_size:
        raise ArgumentError(f"the window size is given twice, -f {size} and --size {old_size}; give -f once")
    f = size if size is not None else old_size if old_size is not None else 2
    _emit_grid(api.pool(image, f, stride=stride, padding=P.grid_pad(padding), op=op.value, at=at), fmt)


@app.command("conv-matrix")
@guarded
def conv_matrix(
    n: str = typer.Option(..., "-n", "--input", help="Signal length (columns): 8 (8x8 and 8x8x1 give 8 too).", show_default=False),
    kernel: Optional[str] = typer.Option(None, "-f", "--kernel", help='The kernel: its length f (3: symbols w0..w2, checked with 1..3) or its values ("1 2 3"; one value: "[5]"). [default: 3]', show_default=False),
    old_size: Optional[int] = typer.Option(None, "--size", hidden=True, help="Deprecated spelling of -f LENGTH."),
    stride: int = typer.Option(1, "--stride", "-s", help="Stride."),
    signal: Optional[str] = typer.Option(None, "--signal", "-x", help="The n input values for the check (default 0..n-1)."),
    fmt: TextFormat = typer.Option(TextFormat.table, "--format", "-F", help="table or json."),
) -> None:
    """The convolution weight matrix (Toeplitz form) of a 1-D kernel, checked against sliding.

    rows = floor((n - f)/s) + 1, n columns; checks that matrix @ x equals the sliding computation.

    Example: cnncalc conv-matrix -n 8 -f 3 -s 2
    """
    import json

    from .. import size_syntax as P
    from ..render.grids import matrix_text
    length, values = P.kernel_length(kernel, old_size)
    d = api.conv_matrix(P.one(n, "-n", "8"), length, stride=stride, kernel=values, signal=signal)
    emit(json.dumps(d, indent=2) + "\n" if fmt is TextFormat.json else fitted(matrix_text(d)))
    if not d["equal"]:
        raise typer.Exit(1)
