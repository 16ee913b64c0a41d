"""The summary table exactly as rich prints it, without rich's per-cell cost.

rich lays a Table out cell by cell, about 1.5 ms a row, and importing it takes about 20 ms. For
the common case (every cell fits on one line, the text is ASCII, no folding) this module writes
the same characters, with the same bold header, italic title and dim italic caption on a
terminal. Anywhere it cannot be sure of rich's layout it returns None, and the caller prints
the rich Table instead. tests/render/test_terminal_as_rich.py compares the two on the zoo at many widths,
with and without styles.
"""
from __future__ import annotations

import os
import re
import sys

# rich's default theme: table.title italic, table.header bold, table.caption dim italic
TITLE, HEADER, CAPTION, RESET = "\x1b[3m", "\x1b[1m", "\x1b[2;3m", "\x1b[0m"


def wrap(text: str, width: int) -> list[str] | None:
    """rich's word wrap of one line of Text at `width`: a line keeps the spaces after its last
    word up to the width (rich's rstrip_end); None when a word is longer than a line or the line
    is empty."""
    lines, line = [], ""
    for word in re.findall(r"\s*\S+\s*", text):
        if len(word.rstrip()) > width:
            return None
        if line and len(line) + len(word.rstrip()) > width:
            lines.append(line[:max(width, len(line.rstrip()))])
            line = ""
        line += word
    return lines + [line[:max(width, len(line.rstrip()))]] if line else None


def text(title: str, heads: list[str], right: list[bool], rows: list[list[str]], caption: list[str],
         width: int, styles: bool = False) -> str | None:
    """rich's SIMPLE_HEAD table (pad_edge False, collapsed padding) of these cells and the
    caption lines under it as a Text, printed on a console `width` wide; None when rich would fold a cell or wrap the title."""
    got = pieces(title, heads, right, rows, caption, width, styles)
    return None if got is None else "".join(got)


def pieces(title: str, heads: list[str], right: list[bool], rows: list[list[str]], caption: list[str],
           width: int, styles: bool = False):
    """text's characters as an iterator of pieces (a 100,000-row table is never one string);
    None, decided before the first piece, when rich must lay it out."""
    widths = [len(h) for h in heads]
    for row in rows:
        for i, cell in enumerate(row):
            if len(cell) > widths[i]:
                widths[i] = len(cell)
    total = sum(widths) + 2 * (len(widths) - 1) + 2  # an edge space each side, 2 between columns
    if total > width or len(title) > total or not all(_plain(r) for r in rows) or not _plain([title, *caption, *heads]):
        return None
    captions = [wrap(c, width) for c in caption]  # the totals wrap at the console's width
    if None in captions:
        return None
    return _pieces(title, heads, right, rows, captions, widths, total, styles)


def _plain(cells: list[str]) -> bool:
    joined = "".join(cells)
    return joined.isascii() and joined.isprintable()


def _pieces(title, heads, right, rows, captions, widths, total, styles):
    fmts = [("{:>%d}" if r else "{:<%d}") % w for r, w in zip(right, widths)]
    line = " " + "  ".join(fmts) + " \n"
    left = (total - len(title)) // 2
    title_line = " " * left + title + " " * (total - len(title) - left)
    cells = [f.format(h) for f, h in zip(fmts, heads)]
    if styles:
        title_line = TITLE + title_line + RESET
        head = " " + f"{HEADER} {RESET} ".join(f"{HEADER}{c}{RESET}" for c in cells) + " \n"
    else:
        head = " " + "  ".join(cells) + " \n"
    yield title_line + "\n" + " " * total + "\n" + head + " " + "\u2500" * (total - 2) + " \n"
    for start in range(0, len(rows), 1000):
        yield "".join([line.format(*row) for row in rows[start:start + 1000]])
    out = [" " * total + "\n"]
    for wrapped in captions:
        out += [(CAPTION + w + RESET if styles else w) + "\n" for w in wrapped]
    yield "".join(out)


def console(width: int | None) -> tuple[int, bool] | None:
    """The width and styling rich's Console(width=width) would use on stdout: (width, styles),
    or None where only rich can tell (Windows, a dumb terminal, an odd environment)."""
    env = os.environ
    if sys.platform == "win32" or "JUPYTER_COLUMNS" in env or "JUPYTER_LINES" in env:
        return None
    tty = env.get("TTY_COMPATIBLE", "")
    if tty in ("0", "1"):
        terminal = tty == "1"
    elif env.get("FORCE_COLOR") is not None:
        terminal = env["FORCE_COLOR"] != ""
    else:
        isatty = getattr(sys.stdout, "isatty", None)
        terminal = bool(isatty and isatty())
    if terminal and env.get("TERM", "").strip().lower() in ("dumb", "unknown"):
        return None
    if width is None:
        columns = env.get("COLUMNS", "")
        if columns.isdigit():
            width = int(columns)
        else:
            for fd in (0, 1, 2):
                try:
                    width = os.get_terminal_size(fd).columns
                    break
                except (AttributeError, ValueError, OSError):
                    pass
            width = width or 80
    return (width, terminal) if width else None
