"""Working text fitted to the terminal: a line wider than it wraps at an operator, the rest of
it indented under its start (COLUMNS, default 80)."""
from __future__ import annotations

import shutil

# where a line may break, best first: after `; `, before an operator or `(` (it starts the next
# line), after `, ` or `: `, at any space
AFTER_STRONG = ("; ",)
BEFORE = (" = ", " + ", " - ", " x ", " * ", " / ", " (")
AFTER = (", ", ": ")
MIN_WIDTH = 40


def terminal_width(width: int | None = None) -> int:
    """The width to fit: the one given, else the terminal's (COLUMNS), else 80."""
    return max(MIN_WIDTH, width if width is not None else shutil.get_terminal_size((80, 24)).columns)


def _break(line: str, start: int, width: int) -> tuple[int, int] | None:
    """(end of this piece, start of the next) for the best break in line[start:width]."""
    for group, before in ((AFTER_STRONG, False), (BEFORE, True), (AFTER, False), ((" ",), False)):
        best = None
        for tok in group:
            at = line.rfind(tok, start, width + (1 if before else 1 - len(tok.rstrip())))
            if at > start and (best is None or at > best[0]):
                best = (at, at + 1) if before else (at + len(tok.rstrip()), at + len(tok))
        if best is not None and best[0] <= width:
            return best
    return None


def fit_line(line: str, width: int) -> list[str]:
    """One line as lines of at most `width` characters, broken at operators where it can."""
    if len(line) <= width:
        return [line]
    indent = len(line) - len(line.lstrip(" "))
    cont = " " * min(indent + 4, width // 2)
    out, first = [], True
    while len(line) > width:
        lead = indent if first else len(cont)
        cut = _break(line, lead + (width - lead) // 2, width)
        head, rest = (line[:width], line[width:]) if cut is None else (line[:cut[0]], line[cut[1]:])
        out.append(head.rstrip())
        line, first = cont + rest.lstrip(" "), False
    return out + [line]


def fit(text: str, width: int | None = None) -> str:
    """Every line of `text` at most the terminal's width (or `width`)."""
    w = terminal_width(width)
    return "\n".join(piece for line in text.split("\n") for piece in fit_line(line, w))
