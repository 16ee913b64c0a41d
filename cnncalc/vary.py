"""Templates: `vary:` declares names, each with its list of choices, and `$name` anywhere a
value goes stands for the variant's choice (blocks.py substitutes it, as it substitutes a
block's parameters):

    vary: {size: [28, 32], k: [3, 5], act: [relu, tanh]}
    input: [$size, $size, 1]
    layers: [{conv2d: {filters: 8, kernel: $k, activation: $act}}, flatten, {dense: $size}]

A template stands for every combination of choices, its variants (here 2 x 2 x 2 = 8). Parsing
it gives one variant: the first choice of each name, or those `--vary size=32,k=5` picks.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Mapping

import yaml

from .errors import ArgumentError, SpecError

MAX_NAMES = 32       # names one `vary:` declares
MAX_CHOICES = 256    # choices of all names together: each is parsed once to check it
_T = "tag:yaml.org,2002:"
_NAME = re.compile(r"[A-Za-z_]\w*$")


def _at(node) -> dict:
    return {"line": node.start_mark.line + 1, "col": node.start_mark.column + 1}


def choice_text(node) -> str | None:
    """A choice as `--vary` and variants.csv write it: a scalar's text, a list of scalars as
    sizes joined by x (`[3, 5]` is `3x5`); None for what no value can be (a mapping, a nested
    list, null, an empty text)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.tag != _T + "null" and node.value else None
    if isinstance(node, yaml.SequenceNode) and node.value:
        items = [choice_text(v) if isinstance(v, yaml.ScalarNode) else None for v in node.value]
        return None if None in items else "x".join(items)
    return None


@dataclass(frozen=True)
class Template:
    """The names a `vary:` declares, their choices (as text) and the variant picked."""
    names: tuple[str, ...]
    choices: tuple[tuple[str, ...], ...]
    picked: tuple[int, ...]
    # (name, choice index) -> the (line, col) of the choice's nodes, to tell its own errors
    spots: dict = field(compare=False, default_factory=dict, repr=False)

    @property
    def count(self) -> int:
        """How many variants: the product of the numbers of choices."""
        return math.prod(len(c) for c in self.choices)

    def variant(self, index: int) -> dict[str, str]:
        """Variant `index` (0 to count - 1) as {name: choice}: the choices counted in mixed
        radix, the last name's fastest (0 is the first choice of each)."""
        out: dict[str, str] = {}
        for name, texts in reversed(list(zip(self.names, self.choices))):
            index, k = divmod(index, len(texts))
            out[name] = texts[k]
        return {n: out[n] for n in self.names}

    def index(self, values: Mapping[str, str]) -> int:
        """The index of the variant with these choices (variant's inverse); a KeyError or
        ValueError for a name or choice the template does not have."""
        index = 0
        for name, texts in zip(self.names, self.choices):
            index = index * len(texts) + texts.index(values[name])
        return index

    def values(self) -> dict[str, str]:
        """The picked variant: name -> choice text."""
        return {n: c[i] for n, c, i in zip(self.names, self.choices, self.picked)}

    def label(self) -> str:
        """`n=28,k1=4`: the picked variant, as --vary takes it."""
        return ",".join(f"{n}={v}" for n, v in self.values().items())

    def note(self) -> str:
        """The one line summary adds for a template."""
        return (f"note: a template with {self.count:,} variants (vary: {', '.join(self.names)}); "
                f"this is --vary {self.label()}")


def read_vary(node) -> tuple[list[str], list[list], list]:
    """The `vary:` mapping: (names, each name's choice nodes, each name's key node)."""
    example = "e.g. `vary: {n: [28, 32, 36]}`"
    if not isinstance(node, yaml.MappingNode) or not node.value:
        raise SpecError(f"`vary` must be a mapping from a name to its list of choices, {example}", **_at(node))
    if len(node.value) > MAX_NAMES:
        raise SpecError(f"`vary` declares {len(node.value)} names, more than the {MAX_NAMES} allowed", **_at(node))
    names, choices, keys = [], [], []
    total = sum(len(v.value) for _, v in node.value if isinstance(v, yaml.SequenceNode))
    if total > MAX_CHOICES:
        raise SpecError(f"`vary` lists {total:,} choices in all, more than the {MAX_CHOICES} allowed", **_at(node))
    for key, value in node.value:
        word = key.value
        if not _NAME.match(word):
            raise SpecError(f"vary name `{word}` must be a word of letters, digits and _ (used as `$name`)", **_at(key))
        if word in ("in",):
            raise SpecError("`in` cannot be a vary name: `in.channels` is the block input's size; rename it", **_at(key))
        if not isinstance(value, yaml.SequenceNode):
            raise SpecError(f"vary `{word}` must be a list of choices, e.g. `{word}: [{value.value if isinstance(value, yaml.ScalarNode) else 3}, ...]`", **_at(value))
        if not value.value:
            raise SpecError(f"vary `{word}` has an empty list; give at least one choice", **_at(value))
        seen: dict[str, int] = {}
        for k, item in enumerate(value.value, 1):
            text = choice_text(item)
            if text is None:
                raise SpecError(f"choice {k} of vary `{word}` is not a value (a number, a word, true/false "
                                "or a list of sizes such as [3, 5])", **_at(item))
            if text.startswith("$"):
                raise SpecError(f"choice {k} of vary `{word}` is `{text[:40]}`; a choice is a value, "
                                "not another `$name`", **_at(item))
            if "," in text or "=" in text or not text.isprintable():
                raise SpecError(f"choice {k} of vary `{word}` ({text[:40]!r}) has a comma, `=` or control "
                                "character, which --vary cannot name; write it without", **_at(item))
            if text in seen:
                raise SpecError(f"choice {k} of vary `{word}` repeats choice {seen[text]} ({text}); "
                                "list each once", **_at(item))
            seen[text] = k
        names.append(word)
        choices.append(list(value.value))
        keys.append(key)
    return names, choices, keys


def build_template(key, node, choose: Mapping[str, str] | None):
    """(Template, {name: the picked choice's node}) of `vary:` (its key and value nodes)."""
    names, choices, keys = read_vary(node)
    picked = pick(names, choices, keys, choose, _at(key))
    spots = {(n, k): {(c.start_mark.line + 1, c.start_mark.column + 1) for c in _walk(c)}
             for n, cs in zip(names, choices) for k, c in enumerate(cs)}
    template = Template(tuple(names), tuple(tuple(choice_text(c) for c in cs) for cs in choices),
                        picked, spots=spots)
    return template, {n: cs[i] for n, cs, i in zip(names, choices, picked)}


def _walk(node):
    """A node and the nodes inside it."""
    yield node
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item)


def pick(names, choices, keys, choose: Mapping[str, str] | None, at: dict) -> tuple[int, ...]:
    """The index of each name's picked choice: the first, or the one `choose` names."""
    choose = dict(choose or {})
    for name in choose:
        if name not in names:
            raise SpecError(f"--vary names `{name}`, which `vary:` does not declare (it declares "
                            f"{', '.join(names)})", **at)
    picked = []
    for name, items, key in zip(names, choices, keys):
        texts = [choice_text(c) for c in items]
        if name not in choose:
            picked.append(0)
        elif choose[name] in texts:
            picked.append(texts.index(choose[name]))
        else:
            raise SpecError(f"--vary {name}={choose[name]}: {choose[name]} is not a choice of `{name}` "
                            f"(its choices are {', '.join(texts)})", **_at(key))
    return tuple(picked)


def parse_choose(text: str | None) -> dict[str, str] | None:
    """--vary `n=32,k1=8` as {name: choice text}; None stays None."""
    if text is None:
        return None
    out: dict[str, str] = {}
    for part in text.split(","):
        name, eq, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not eq or not _NAME.match(name) or not value:
            raise ArgumentError(f"--vary takes name=choice pairs separated by commas, e.g. --vary n=32,k1=8; "
                                f"cannot read {part.strip()[:40]!r}")
        if name in out:
            raise ArgumentError(f"--vary gives `{name}` twice; give each name once")
        out[name] = value
    return out
