"""A variant for each student: drawn from the seed and the student's name, the same on every
machine (SHA-256, never Python's hash()), never an invalid one, and no two students on the
same variant while the valid ones last.

Each student walks the variants in an order of their own: a start and a step (prime to the
number of variants) taken from SHA-256 of the seed and their name, so the walk visits every
variant once. Students choose in the order of SHA-256 of the seed and their name, not the
roster's, each taking the first variant on their walk that is valid and not taken. A student
added to the roster later takes a variant nobody holds unless their turn comes before someone
whose first free variant they take, which is rare while the variants far outnumber the class;
with an earlier variants.csv (`--keep`) the students it lists keep theirs for certain.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import ArgumentError, CnncalcError, SpecError
from ..infer import infer
from ..spec import parse_root
from ..solve.inputs import dropped_rows
from ..vary import Template
from .roster import Student, digest

MAX_CHECKED = 10_000  # variants parsed and inferred to tell valid from invalid, in one run


@dataclass
class Variants:
    """A template's variants, each checked once when a walk reaches it."""
    root: object
    path: str
    template: Template
    exact: bool = False
    checked: dict[int, object] = field(default_factory=dict)  # index -> Summary, or the reason it is invalid

    @property
    def count(self) -> int:
        return self.template.count

    def summary(self, index: int):
        """Variant `index`'s summary, or None when a layer refuses it (the reason is kept)."""
        if index not in self.checked:
            if len(self.checked) >= MAX_CHECKED:
                valid = sum(not isinstance(v, str) for v in self.checked.values())
                raise ArgumentError(f"checked {MAX_CHECKED:,} of the {self.count:,} variants and found {valid:,} "
                                    "valid, too few for the class; give fewer choices that fail", **self.where())
            self.checked[index] = self._check(index)
        got = self.checked[index]
        return None if isinstance(got, (str, CnncalcError)) else got

    def _check(self, index: int):
        """The variant's summary, else why it is invalid: its error, or the rows it drops."""
        try:
            result = infer(parse_root(self.root, self.path, self.template.variant(index)))
        except CnncalcError as e:
            return e
        drops = dropped_rows(result) if self.exact else []
        if drops:
            return f"{drops[0].layer} drops rows on {drops[0].axis}: {drops[0].note}"
        return result

    def invalid(self) -> list:
        return [(k, v) for k, v in sorted(self.checked.items()) if isinstance(v, (str, CnncalcError))]

    def common_error(self):
        """The one spec error every variant has (a `$name` not declared): the template's own."""
        errors = {(v.message, v.line, v.col) for _, v in self.invalid() if isinstance(v, SpecError)}
        return self.invalid()[0][1] if len(errors) == 1 and len(self.invalid()) == len(self.checked) else None

    def why(self, index: int) -> str:
        """Why a checked variant is invalid, in words."""
        why = self.checked[index]
        return f"{why.layer + ': ' if why.layer else ''}{why.message}" if isinstance(why, CnncalcError) else why

    def reason(self) -> str:
        """One invalid variant and why, for messages."""
        index = self.invalid()[0][0]
        return f"e.g. {label(self.template.variant(index))}: {self.why(index)}"

    def where(self) -> dict:
        """The position of `vary:`, for messages."""
        key = next(k for k, _ in self.root.value if k.value == "vary")
        return {"path": self.path, "line": key.start_mark.line + 1, "col": key.start_mark.column + 1}


def label(values: dict[str, str]) -> str:
    return ",".join(f"{n}={v}" for n, v in values.items())


def walk(seed: str, student: Student, count: int):
    """Every variant index once, in the student's own order."""
    start = int(digest(seed, "start", student.key), 16) % count
    step = 1 + int(digest(seed, "step", student.key), 16) % max(count - 1, 1)
    while math.gcd(step, count) != 1:
        step = step % count + 1
    for k in range(count):
        yield (start + k * step) % count


def assign(variants: Variants, students: list[Student], seed: str, share: bool = False,
           kept: dict[str, int] | None = None) -> dict[str, int]:
    """student key -> variant index; `kept` students keep the variant given (an earlier run's).
    Too few valid variants is an error saying how many, unless `share`: then the students
    left over share, each the least-used valid variant that comes first on their walk."""
    out = {s.key: kept[s.key] for s in students if s.key in (kept or {})}
    held: dict[int, int] = {}  # variant -> how many students hold it
    for index in out.values():
        held[index] = held.get(index, 0) + 1
    order = sorted((s for s in students if s.key not in out), key=lambda s: digest(seed, s.key))
    left = []
    for s in order:
        free = (i for i in walk(seed, s, variants.count) if i not in held)
        index = next((i for i in free if variants.summary(i) is not None), None)
        if index is None:
            left.append(s)
            continue
        out[s.key] = index
        held[index] = 1
    if not left:
        return out
    valid, common = len(held), variants.common_error()
    if valid == 0 and common is not None:
        raise common
    if valid == 0:
        raise SpecError(f"none of the {variants.count:,} variants of the template is valid "
                        f"({variants.reason()}); change the choices", **variants.where())
    if not share:
        few = (f"the template has only {valid:,} variants" if valid == variants.count else
               f"only {valid:,} of the {variants.count:,} variants are valid ({variants.reason()})")
        raise ArgumentError(f"{few}, for {len(students):,} students; add choices, or pass --share to let "
                            "students share variants", **variants.where())
    for s in left:
        least = min(held.values())
        index = next(i for i in walk(seed, s, variants.count) if held.get(i) == least)
        out[s.key] = index
        held[index] += 1
    return out
