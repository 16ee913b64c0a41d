"""The symbolic values torch_source's forward passes around (tensors, their rank, the batch
size), shared by torch_source and torch_ops: a leaf module, so neither imports the other back."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass
class Rank:
    """A tensor's rank without the batch (cnncalc's), shared by the tensors an element-wise op
    passes through until a layer fixes it."""
    value: int | None = None


@dataclass
class Tensor:
    ref: str
    rank: Rank
    layout: str = "cf"          # "cf": torch channels first; "cl": (N, L, C) as nn.Embedding gives
    from_input: bool = False    # the network input, through element-wise ops only
    view: tuple | None = None   # (layer, torch sizes) of a flat tensor just viewed as (N, C, *S)


@dataclass
class Batch:
    """x.size(0): the batch size, whatever it is."""


@dataclass
class TShape:
    tensor: Tensor


@dataclass
class SizeProd:
    """A product of sizes of a tensor (torch dims `dims`) and a whole number, known only when the
    model runs: x.size()[1:] multiplied out is the features of a sample. `split`: the sizes
    themselves (x.size()[1:]), before they are multiplied."""
    tensor: Tensor
    dims: tuple
    coeff: int
    split: bool = False


class Pos:
    """A (line, column) where an ast node is expected (errors ask for lineno and col_offset)."""

    def __init__(self, line, col):
        self.lineno, self.col_offset = line, (col or 1) - 1


def snake(cls: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls).lower()
