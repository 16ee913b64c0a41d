"""Tables typed in a markup language: an HTML `<table>` among a saved page's prose, a LaTeX
`tabular`, a reStructuredText grid or simple table. Each gives a grid, (line, cells) for the
header and every row, of the first table that names a graded column."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from .columns import COLUMNS, header_key
from .forms import AnswerError

Grid = list[tuple[int, list[str]]]


def _names_a_column(cells: list[str]) -> bool:
    return any(header_key(c) in COLUMNS for c in cells)


def _graded(tables: list[Grid], what: str, example: str) -> Grid:
    """The first table whose first row (or first column: a transposed table) names a column."""
    for grid in tables:
        if grid and (_names_a_column(grid[0][1]) or _names_a_column([c[0] for _, c in grid if c])):
            return grid
    if not tables:
        raise AnswerError(f"has no {what}; write {example}")
    raise AnswerError(f"has {len(tables)} {what}(s) but none names a graded column (Activation shape, "
                      "Activation size, # parameters)", line=tables[0][0][0] if tables[0] else None)


class _Tables(HTMLParser):
    """Every <table>'s rows as text cells, with the line each row starts on."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[Grid] = []
        self.depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.line = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif self.depth == 1 and tag == "tr":
            self.row, self.line = [], self.getpos()[0]
        elif self.depth == 1 and tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr" and self.row is not None:
            self._end_cell()
            if any(self.row):
                self.tables[-1].append((self.line, self.row))
            self.row = None

    def _end_cell(self):
        if self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
        self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def html_grid(text: str) -> Grid:
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return _graded(parser.tables, "HTML <table>", "<table><tr><th>Layer</th><th>Activation shape</th>...")


_LATEX_DROP = re.compile(r"\\(hline|toprule|midrule|bottomrule|cline\{[^}]*\}|cmidrule(\([^)]*\))?\{[^}]*\})")


def _latex_cell(cell: str) -> str:
    cell = re.sub(r"\\(multicolumn|multirow)\{[^}]*\}\{[^}]*\}\{(.*)\}", r"\2", cell.strip())
    cell = re.sub(r"\\(textbf|textit|emph|texttt|mathrm|text)\{([^}]*)\}", r"\2", cell)
    cell = cell.replace("\\#", "#").replace("\\%", "%").replace("\\_", "_").replace("~", " ")
    cell = re.sub(r"\{,\}|\\,|\\;|\\!", lambda m: "," if "{" in m.group() else "", cell)
    return cell.strip()


def latex_grid(text: str) -> Grid:
    """Rows of each tabular end at `\\\\`, cells split at `&` (not `\\&`), rules dropped."""
    tables: list[Grid] = []
    for m in re.finditer(r"\\begin\{(tabular\*?|tabularx|longtable|array)\}(.*?)\\end\{\1\}", text, re.S):
        body, start = m.group(2), m.start(2)
        body = re.sub(r"^\s*(\[[^\]]*\])?\{(?:[^{}]|\{[^{}]*\})*\}", lambda x: " " * len(x.group()), body, count=1)
        if m.group(1) in ("tabular*", "tabularx"):
            body = re.sub(r"^\s*\{(?:[^{}]|\{[^{}]*\})*\}", lambda x: " " * len(x.group()), body, count=1)
        grid: Grid = []
        pos = 0
        for part in re.split(r"\\\\(?:\[[^\]]*\])?", body):
            at = start + pos + len(part) - len(part.lstrip())
            pos += len(part) + 2
            part = re.sub(r"(?<!\\)%[^\n]*", "", _LATEX_DROP.sub("", part))
            if not part.strip():
                continue
            cells = [_latex_cell(c) for c in re.split(r"(?<!\\)&", part)]
            grid.append((text.count("\n", 0, at) + 1, cells))
        tables.append(grid)
    return _graded(tables, "LaTeX tabular", "\\begin{tabular}{lrrr} Layer & Activation shape & ... \\\\ \\end{tabular}")


def rst_grid(text: str) -> Grid:
    """Grid tables (`+----+----+` borders, `|` between cells, `+====+` under the header; a row
    may span lines) and simple tables (`=====  =====` rules, columns under the rules)."""
    lines = text.splitlines()
    if any(re.match(r"^\s*\+[-=]+\+", ln) for ln in lines):
        return _graded(_grid_tables(lines), "reStructuredText table", "a grid table with +---+ borders")
    return _graded(_simple_tables(lines), "reStructuredText table", "a simple table with ===== rules")


def _grid_tables(lines: list[str]) -> list[Grid]:
    tables: list[Grid] = []
    grid: Grid | None = None
    pending: tuple[int, list[str]] | None = None
    for n, line in enumerate(lines, start=1):
        s = line.strip()
        if re.fullmatch(r"\+([-=]+\+)+", s):
            if grid is None:
                grid = []
                tables.append(grid)
            if pending:
                grid.append(pending)
            pending = None
        elif grid is not None and s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if pending is None:
                pending = (n, cells)
            else:
                pending = (pending[0], [(a + " " + b).strip() for a, b in zip(pending[1], cells)])
        else:
            grid, pending = None, None
    return tables


def _simple_tables(lines: list[str]) -> list[Grid]:
    tables: list[Grid] = []
    i = 0
    while i < len(lines):
        if not re.fullmatch(r"\s*=+(\s+=+)+\s*", lines[i]):
            i += 1
            continue
        spans = [m.span() for m in re.finditer(r"=+", lines[i])]
        grid: Grid = []
        i += 1
        while i < len(lines):
            line = lines[i]
            if re.fullmatch(r"\s*=+(\s+=+)+\s*", line):
                if grid and i + 1 < len(lines) and lines[i + 1].strip():
                    i += 1  # the rule under the header: the rows follow
                    continue
                break
            if line.strip() and not re.fullmatch(r"\s*-+(\s+-+)*\s*", line):
                cells = [line[a:(spans[k + 1][0] if k + 1 < len(spans) else len(line))].strip()
                         for k, (a, _) in enumerate(spans)]
                grid.append((i + 1, cells))
            i += 1
        tables.append(grid)
        i += 1
    return tables
