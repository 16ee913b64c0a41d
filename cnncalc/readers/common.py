"""What every reader shares: the error, the layer graph a reader builds, and the YAML it writes.

A reader turns a framework file into a `Graph`: cnncalc layers (a kind and its spec arguments)
with the framework's layer names, the layers each one reads, and where in the source file it
was written. `Graph.yaml` writes the equivalent cnncalc spec and a table that maps every spec
line back to the source position, so errors found in the spec point at the source file.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError, visible
from ..spelling import Names

INPUT = "input"
MAX_LAYERS = 100_000     # as for YAML specs (spec.MAX_LAYERS)
MAX_DEPTH = 64           # nested models and calls, as deep as YAML specs may nest
FIX = "write this part in YAML"


class ReaderError(SpecError):
    """A framework file cnncalc cannot read exactly: one line `file:line: what; the fix`."""


def drop(args: dict, **defaults) -> dict:
    """The arguments without those equal to cnncalc's default (None is always left out)."""
    return {k: v for k, v in args.items()
            if v is not None and not (k in defaults and v == defaults[k] and type(v) is type(defaults[k]))}


def unsupported(what: str, path: str, line: int | None = None, col: int | None = None) -> ReaderError:
    """The construct cnncalc does not read, with the one fix that always works."""
    return ReaderError(f"{what}; {FIX}", path=path, line=line, col=col)


@dataclass
class Node:
    """One cnncalc layer read from the source: kind, spec arguments, name, inputs, position."""
    kind: str
    args: dict[str, Any]
    name: str
    inputs: tuple[str, ...]
    line: int | None = None
    col: int | None = None
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    note: str = ""  # shown as the layer's comment, e.g. the framework's class


@dataclass
class InputHint:
    """What the file says about the network input: sizes known (None where it does not say),
    and the words of the error that asks for --input when sizes are missing."""
    shape: tuple[int | None, ...] | None = None
    what: str = ""            # e.g. "the channels, 3, come from conv1 = nn.Conv2d(3, 6, 5)"
    example: str = "32x32x3"  # the --input example of the error
    line: int | None = None
    col: int | None = None


class Graph:
    """Layers in the order they were created; names made unique the way frameworks do (`_2`)."""

    def __init__(self, path: str):
        self.path = path
        self.nodes: list[Node] = []
        self.by_name: dict[str, Node] = {}
        self.names = Names({INPUT})

    def add(self, kind: str, args: dict, inputs, name: str, at=None, marks=None, note: str = "") -> str:
        if len(self.nodes) >= MAX_LAYERS:
            line, col = at or (None, None)
            raise ReaderError(f"the model has more than {MAX_LAYERS:,} layers, the limit for a spec; "
                              "read a smaller part", path=self.path, line=line, col=col)
        name = self.unique(name or kind)
        line, col = at or (None, None)
        for key, value in args.items():
            if not finite(value):
                line, col = (marks or {}).get(key, (line, col))
                raise ReaderError(f"`{key}` is {visible(str(value))[:60]}, not a finite number; write the "
                                  "number", path=self.path, line=line, col=col)
        node = Node(kind, {k: v for k, v in args.items() if v is not None}, name, tuple(inputs),
                    line, col, dict(marks or {}), note)
        self.nodes.append(node)
        self.by_name[name] = node
        return name

    def unique(self, base: str) -> str:
        """`base`, or `base_k` with the first k from 2 not taken; the search for a base starts
        where its last one ended (names are only ever added), so 100,000 layers sharing a name
        take linear time."""
        return self.names.take(base)

    def select(self, output: str) -> list[Node]:
        """The layers the output depends on, in creation order (other models' layers left out)."""
        keep, stack = set(), [output]
        while stack:
            name = stack.pop()
            if name == INPUT or name in keep:
                continue
            keep.add(name)
            stack.extend(self.by_name[name].inputs)
        return [n for n in self.nodes if n.name in keep]


def finite(value) -> bool:
    """No NaN or infinity in a value or in the items of a list value."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    return True


# -- writing the spec ----------------------------------------------------------------------------
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./\-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "none"}


def scalar(value) -> str:
    """One value as YAML flow text that spec.py reads back to the same value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not a finite number")
        text = repr(value)
        return text if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text) else f"{value:.17g}"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return quoted(text)


_SHORT = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar that reads back as exactly `text`: printable ASCII
    as is, every other character escaped (`\\n`, `\\u00e9`, `\\U0001f600`), so no newline, line
    separator, quote or YAML syntax in a name can end the string or add to the document."""
    out = []
    for c in text:
        if c in _SHORT:
            out.append(_SHORT[c])
        elif " " <= c <= "~":
            out.append(c)
        elif ord(c) <= 0xFFFF:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(f"\\U{ord(c):08x}")
    return '"' + "".join(out) + '"'


@dataclass(frozen=True)
class Written:
    """The spec text and, per spec line, the layer (index into nodes) and where each argument's
    value starts on it."""
    text: str
    nodes: tuple[Node, ...]
    layer_lines: dict[int, int]                  # spec line -> node index
    arg_cols: dict[int, tuple[tuple[int, str], ...]]  # spec line -> ((col, arg), ...)
    input_line: int
    input_at: tuple[int, int] | None
    notes: tuple[str, ...] = ()  # what the reader knows the file changed of the model (onnxnotes)


def spelling(kind: str) -> str:
    """A spelling the spec reads back as `kind`: the kind itself, or for a kind whose name
    another kind claims as an alias (the activation `linear`; `linear` is dense), an alias."""
    from ..kinds import KIND_ALIASES, normal
    if KIND_ALIASES.get(normal(kind)) in (kind, None):
        return kind
    return next((a for a, k in KIND_ALIASES.items() if k == kind), kind)


def write(nodes: list[Node], input_shape: tuple[int, ...], *, name: str, source: str,
          what: str, input_at: tuple[int, int] | None = None, notes: tuple[str, ...] = (),
          header: tuple[str, str] | None = None) -> Written:
    """The cnncalc spec of `nodes`, readable: a header naming the source (or the two comment
    lines `header`) and the reader's notes, one layer per line with the source line in a
    comment, `inputs:` only where a layer reads another than the layer above it."""
    shown = visible(source)
    header = header or (f"Read by `cnncalc import` from {shown} ({visible(what)}).",
                        "Layer names are the framework's; each comment gives the layer's line in the source.")
    lines = [*(f"# {visible(h)}" for h in header),
             *(f"# Note: {visible(n)}" for n in notes),
             f"name: {scalar(name)}", f"input: {scalar(list(input_shape))}", "layers:"]
    input_line = 4 + len(notes)
    layer_lines: dict[int, int] = {}
    arg_cols: dict[int, tuple] = {}
    previous = INPUT
    for i, node in enumerate(nodes):
        items = [(scalar(str(k)), scalar(v)) for k, v in node.args.items()]
        if node.inputs != (previous,):
            items.append(("inputs", scalar(list(node.inputs))))
        items.append(("name", scalar(node.name)))
        text = f"  - {scalar(spelling(node.kind))}: {{"
        cols = []
        for j, (key, value) in enumerate(items):
            text += (", " if j else "") + f"{key}: "
            cols.append((len(text) + 1, key))
            text += value
        text += "}"
        comment = ", ".join(x for x in (f"line {node.line}" if node.line else "", visible(node.note)) if x)
        if comment:
            text += f"  # {comment}"
        lines.append(text)
        layer_lines[len(lines)] = i
        arg_cols[len(lines)] = tuple(cols)
        previous = node.name
    return Written("\n".join(lines) + "\n", tuple(nodes), layer_lines, arg_cols, input_line, input_at, tuple(notes))


def check_used(graph: Graph, nodes: list[Node], path: str) -> None:
    """Every layer the reader made must reach the output: a computation the output never uses
    is refused, not dropped."""
    kept = {n.name for n in nodes}
    for node in graph.nodes:
        if node.name not in kept:
            raise unsupported(f"the result of `{node.name}` ({node.kind}) never reaches the model's "
                              "output (cnncalc reads one input to one output)", path, node.line, node.col)
