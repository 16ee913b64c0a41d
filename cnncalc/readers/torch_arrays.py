"""torch tensor arithmetic a model file does while it is built (RegNet's widths: torch.arange,
torch.log, torch.pow, torch.round, then .int().tolist()), on NumPy arrays with torch's dtypes:
int64 for whole numbers, float32 for the rest, a Python number taking the array's kind.

Float32 rounding is where two libraries may differ in the last bit: a value rounded (torch.round,
.int()) that lies within ROUND_MARGIN of the rounding boundary is refused rather than guessed.
"""
from __future__ import annotations

from dataclasses import dataclass

ROUND_MARGIN = 1e-4   # the nearest a rounded float32 value may lie to the boundary (relative to 1)
MAX_ARRAY = 10_000    # the most values of a tensor built while reading


@dataclass
class TArray:
    """A small constant torch tensor built by the file's code (int64 or float32)."""
    data: object


def _np():
    import numpy
    return numpy


def _as_array(value):
    np = _np()
    if isinstance(value, TArray):
        return value.data
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"a tensor operation on {type(value).__name__}")
    return value  # a Python scalar: NumPy 2 keeps the array's dtype, as torch does


def _float(a):
    np = _np()
    return a.astype(np.float32) if a.dtype.kind in "iub" else a


def _near_boundary(a, half: bool) -> bool:
    """True when a value is too close to where rounding (to nearest, or toward zero) changes."""
    np = _np()
    x = np.asarray(a, dtype=np.float64)
    frac = np.abs(x - np.floor(x))
    edge = np.abs(frac - 0.5) if half else np.minimum(frac, 1 - frac)
    exact = edge == 0
    return bool(np.any((edge < ROUND_MARGIN * np.maximum(1, np.abs(x))) & ~exact & (frac != 0)))


FUNCTIONS = ("torch.arange", "torch.tensor", "torch.log", "torch.round", "torch.pow", "torch.divide",
             "torch.diff", "torch.exp", "torch.sqrt")


def call(name: str, args: list, kwargs: dict):
    """torch.`name`(*args) on arrays; ValueError for what is not followed."""
    np = _np()
    if kwargs:
        raise ValueError(f"{name} with keywords")
    if name == "torch.arange":
        if not args or not all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            raise ValueError("torch.arange of numbers that are not whole")
        r = range(*args)
        if len(r) > MAX_ARRAY:
            raise ValueError(f"torch.arange of {len(r):,} values")
        return TArray(np.arange(*args, dtype=np.int64))
    if name == "torch.tensor":
        items = args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else None
        if items is None or len(items) > MAX_ARRAY or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                             for v in items):
            raise ValueError("torch.tensor of something other than a list of numbers")
        ints = all(isinstance(v, int) for v in items)
        return TArray(np.array(items, dtype=np.int64 if ints else np.float32))
    if name in ("torch.round", "torch.log", "torch.exp", "torch.sqrt") and len(args) != 1:
        raise ValueError(f"{name} of {len(args)} arguments")
    if name == "torch.round":
        a = _as_array(args[0])
        if _near_boundary(a, True):
            raise ValueError("torch.round of a value within float32's error of a rounding boundary")
        return TArray(np.round(a))
    if name in ("torch.log", "torch.exp", "torch.sqrt"):
        return TArray(getattr(np, name[6:])(_float(_as_array(args[0]))))
    if name in ("torch.pow", "torch.divide") and len(args) == 2:
        a, b = (_as_array(v) for v in args)
        if not any(isinstance(v, TArray) for v in args):
            raise ValueError(f"{name} of two numbers")
        a, b = (_float(v) if hasattr(v, "dtype") else v for v in (a, b))
        if not hasattr(a, "dtype"):
            a = np.float32(a)
        return TArray(np.power(a, b) if name == "torch.pow" else np.true_divide(a, b).astype(np.float32))
    if name == "torch.diff" and len(args) == 1:
        return TArray(np.diff(_as_array(args[0])))
    raise ValueError(f"{name} on these values")


def binop(op: str, left, right):
    """left op right with at least one array: + - * /."""
    np = _np()
    a, b = _as_array(left), _as_array(right)
    if op == "/":
        a, b = (_float(v) if hasattr(v, "dtype") else v for v in (a, b))
        return TArray(np.true_divide(a, b).astype(np.float32))
    if any(isinstance(v, float) for v in (a, b)):  # int64 tensor with a Python float: float32
        a, b = (_float(v) if hasattr(v, "dtype") else v for v in (a, b))
    out = {"+": np.add, "-": np.subtract, "*": np.multiply}[op](a, b)
    return TArray(out)


def method(array: TArray, name: str, args):
    np = _np()
    a = array.data
    if name == "int" and not args:
        if a.dtype.kind == "f" and _near_boundary(a, False):
            raise ValueError(".int() of a value within float32's error of a whole number")
        return TArray(a.astype(np.int32))
    if name == "float" and not args:
        return TArray(a.astype(np.float32))
    if name == "tolist" and not args:
        return a.tolist()
    raise ValueError(f"the tensor method .{name}() at build time")
