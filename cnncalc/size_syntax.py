"""The command-line size syntax (`32x32x3`, `3,4` for a (before, after) padding, `same`) read
into integers, with one-line errors naming the option and an example."""
from __future__ import annotations

import re

from .errors import ArgumentError

_SEP = re.compile(r"[xX×*,\s]+")
_TIMES = frozenset("xX×*")
_INT = re.compile(r"[-+]?\d+$")


def _int(text: str, option: str, example: str, minimum: int = 1) -> int:
    t = text.strip()
    hint = example if " " in example else f"{option} {example}"
    if not _INT.match(t):
        kind = "a whole number" if re.match(r"[-+]?(\d+\.\d*|\.\d+)$", t) is None else "an integer"
        raise ArgumentError(f"{option} `{text}` is not {kind}; sizes are whole numbers, e.g. {hint}")
    digits = len(t.lstrip("+-"))
    if digits > 18:  # before int(): no size needs 19 digits, and Python refuses over 4,300
        raise ArgumentError(f"{option} has {digits:,} digits; sizes have at most 18, e.g. {hint}")
    v = int(t)
    if v < minimum:
        need = "positive" if minimum == 1 else f"at least {minimum}"
        raise ArgumentError(f"{option} {v} must be {need}; e.g. {hint}")
    return v


def sizes(text: str | None, option: str, example: str = "32x32x3", minimum: int = 1,
          required: bool = True) -> tuple[int, ...] | None:
    """'32x32x3' / '32' / '224x224' / '[32, 32, 3]' -> a tuple of ints (each >= minimum)."""
    if text is None:
        if required:
            raise ArgumentError(f"{option} is required; e.g. {example if ' ' in example else option + ' ' + example}")
        return None
    hint = example if " " in example else option + " " + example
    body = text.strip().strip("[]()").strip()
    if body[:1] in _TIMES or body[-1:] in _TIMES:  # `3x`: a size left out, never read as `3`
        raise ArgumentError(f"{option} `{text.strip()}` leaves a size out beside its "
                            f"`{body[0] if body[:1] in _TIMES else body[-1]}`; give every size, e.g. {hint}")
    parts = [p for p in _SEP.split(body) if p]
    if not parts:
        raise ArgumentError(f"{option} is empty; e.g. {hint}")
    return tuple(_int(p, option, example, minimum) for p in parts)


def positional(arg: str | None, option_value: str | None, option: str) -> str | None:
    """A size given as a positional argument or as its option (`size 32` = `size -n 32`)."""
    if arg is not None and option_value is not None and arg != option_value:
        raise ArgumentError(f"the size is given twice, {arg} and {option} {option_value}; give one")
    return arg if arg is not None else option_value


def one(text: str | None, option: str, example: str = "3", minimum: int = 1,
        required: bool = True) -> int | None:
    """A single size: the solvers work on one axis at a time. `6x6` (square) and `32x32x3`
    (H x W x C: the channels dropped) give their one spatial size."""
    got = sizes(text, option, example, minimum, required)
    if got is None:
        return None
    if len(got) == 3 and option == "-n" and got[0] == got[1]:
        got = got[:2]  # 32x32x3: height, width, channels
    if len(got) > 1 and len(set(got)) == 1:
        got = got[:1]
    if len(got) != 1:
        raise ArgumentError(f"{option} `{text}` has {len(got)} values but the solver works on one "
                            f"axis at a time; run it once per axis, e.g. {option} {got[0]}")
    return got[0]


def padding(text: str, option: str = "-p") -> tuple[tuple[int, int], ...] | str:
    """'1' -> ((1, 1),); '1x2' -> per axis; '3,4' -> ((3, 4),) (before, after); 'same', 'valid'."""
    t = text.strip().lower()
    if t in ("same", "valid"):
        return t
    out = []
    for axis in [a for a in re.split(r"[xX×]", t.strip("[]()")) if a.strip()] or [""]:
        vals = [v for v in re.split(r"[,\s]+", axis.strip().strip("()")) if v]
        if len(vals) not in (1, 2):
            raise ArgumentError(f"{option} `{text}`: give p, or before,after per axis joined by 'x' "
                                f"(e.g. {option} 1, {option} 1x2, {option} 3,4) or same/valid")
        ps = tuple(_int(v, option, "1", minimum=0) for v in vals)
        out.append(ps * 2 if len(ps) == 1 else ps)
    return tuple(out)


def one_pad(text: str, option: str = "-p") -> tuple[int, int]:
    got = padding(text, option)
    if got == "valid":
        return (0, 0)
    if isinstance(got, str):
        raise ArgumentError(f"{option} same is not a size here: its padding depends on the kernel and "
                            f"stride this solves for; give p or before,after, e.g. {option} 1")
    if len(got) != 1:
        raise ArgumentError(f"{option} `{text}` gives {len(got)} axes but the solver works on one axis "
                            "at a time; give p or before,after")
    return got[0]


# The one size grammar of every command: what each number of a size means, by how many there are.
_LAYOUT = {1: ("L", "C"), 2: ("H", "W", "C"), 3: ("D", "H", "W", "C")}


def read_as(shape: tuple[int, ...], given: int) -> str:
    """One short line saying how a size of `given` numbers was read: 'input 6×6×1 (H×W×C)'."""
    if len(shape) == 1:
        return f"input {shape[0]} (a vector of {shape[0]} value{'s' if shape[0] != 1 else ''})"
    names = _LAYOUT.get(len(shape) - 1, ())
    how = f" ({'×'.join(names)}{', one channel' if given < len(shape) else ''})" if names else ""
    return f"input {'×'.join(map(str, shape))}{how}"


def shape(text: str | None, option: str = "--input", dims: int | None = None,
          example: str = "32x32x3") -> tuple[int, ...]:
    """A layer's input, channels last. `6x6` is H×W with one channel (6×6×1), `6x6x3` H×W×C,
    `4x6x6x3` D×H×W×C; `6` is a vector of 6 values, or where a 1-D layer is asked for
    (`dims` 1) a length with one channel (6×1, L×C). A layer of `dims` spatial axes takes
    that many sizes (one channel added) or one more (the last is C)."""
    got = sizes(text, option, example)
    if dims is None:
        if len(got) > 4:
            raise ArgumentError(f"{option} `{text}` has {len(got)} sizes; give n (a vector), H×W, H×W×C "
                                f"or D×H×W×C, e.g. {option} {example}")
        return got if len(got) != 2 else (*got, 1)
    if len(got) == dims:
        return (*got, 1)
    if len(got) != dims + 1:
        names = _LAYOUT[dims]
        raise ArgumentError(f"{option} `{text}` has {len(got)} size{'s' if len(got) > 1 else ''}, but a {dims}-D layer takes "
                            f"{'×'.join(names[:-1])} (one channel) or {'×'.join(names)}, e.g. "
                            f"{option} {'x'.join(['32'] * dims)}x3")
    return got


def spatial(text: str | None, option: str, example: str) -> tuple[tuple[int, ...], str]:
    """The axes a window slides on, by the one grammar: `32` one axis, `6x8` H×W, `32x32x3`
    H×W×C (the window slides on 32×32), `8x8x8x3` D×H×W×C; and a line saying how it was read
    ('' for one number, which needs no reading)."""
    got = sizes(text, option, example)
    if len(got) > 4:
        raise ArgumentError(f"{option} `{text}` has {len(got)} sizes; give n, H×W, H×W×C or D×H×W×C, "
                            f"e.g. {example}")
    if len(got) == 1:
        return got, ""
    if len(got) == 2:
        return got, f"input {'×'.join(map(str, got))} (H×W)"
    names = _LAYOUT[len(got) - 1]
    return got[:-1], (f"input {'×'.join(map(str, got))} ({'×'.join(names)}): the window slides on "
                      f"{'×'.join(map(str, got[:-1]))}")


def axis(text: str | None, option: str = "-n", example: str = "6") -> tuple[int, str]:
    """The one axis a solver works on, by the one grammar: `6`, or a square input `6x6` (H×W),
    `6x6x3` (H×W×C), `6x6x6x3` (D×H×W×C) giving its side; and a line saying how it was read
    ('' for one number)."""
    got = sizes(text, option, example)
    if len(got) == 1:
        return got[0], ""
    side = got if len(got) == 2 else got[:-1]
    if len(got) > 4 or len(set(side)) != 1:
        raise ArgumentError(f"{option} `{text}` has {len(got)} values but the solver works on one "
                            f"axis at a time; run it once per axis, e.g. {option} {got[0]}")
    names = "H×W" if len(got) == 2 else "×".join(_LAYOUT[len(got) - 1])
    return side[0], f"input {'×'.join(map(str, got))} ({names}): one axis, n = {side[0]}"


def grid_pad(text: str, option: str = "-p") -> int | str:
    """The padding of a worked grid (conv, pool): p on every side, `same` or `valid`."""
    got = padding(text, option)
    if isinstance(got, str):
        return got
    if len(got) != 1 or got[0][0] != got[0][1]:
        raise ArgumentError(f"{option} `{text}`: a worked grid is padded alike on every side; give p "
                            f"(e.g. {option} 1), same or valid")
    return got[0][0]


def kernel_length(text: str | None, old_size: int | None = None, default: int = 3) -> tuple[int, str | None]:
    """conv-matrix's -f: a length (`3`: symbolic weights) or the kernel's values (`1 2 3`, one
    value as `[5]`); (length, values or None). `old_size` is the deprecated --size."""
    if text is not None and old_size is not None:
        raise ArgumentError(f"the kernel is given twice, -f {text} and --size {old_size}; give -f once")
    if text is None:
        return (default if old_size is None else old_size), None
    if _INT.match(text.strip()):
        return _int(text, "-f", "3"), None
    return default, text
