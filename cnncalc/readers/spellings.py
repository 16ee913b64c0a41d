"""The frameworks' spellings the kinds declare (their KERAS, TORCH and ONNX class variables),
indexed by name for the readers: a Keras class, a torch.nn class or function, an ONNX op ->
the group the reader handles it by, the kind it names (where declared) and its keywords."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

FRAMEWORKS = ("KERAS", "TORCH", "ONNX")


@dataclass(frozen=True)
class Spelling:
    """One framework name of a kind: its group (the reader's handler key), the kind name the
    declaration gives it (None where the handler works it out), its keywords in order."""
    group: str
    kind: str | None
    keys: tuple[str, ...]

    def kind_at(self, d: int) -> str | None:
        """The kind for an input of d spatial axes: a declaration of an op whose input's rank
        picks the kind (`"pad": "zeropad{d}d"`) names it with `{d}`."""
        return None if self.kind is None else self.kind.format(d=d)

    @property
    def positional(self) -> tuple[str, ...]:
        """The keywords a call may give by position (those before "*")."""
        return self.keys[:self.keys.index("*")] if "*" in self.keys else self.keys

    @property
    def known(self) -> frozenset[str]:
        return frozenset(k for k in self.keys if k != "*")


@lru_cache(maxsize=None)
def spellings(framework: str) -> dict[str, Spelling]:
    """Name -> Spelling for "KERAS", "TORCH" or "ONNX", as every kind declares it (gathered in
    the kinds' generated index, so that no family module is imported to look a name up)."""
    from ..kinds.index import SPELLINGS
    return {name: Spelling(*entry) for name, entry in SPELLINGS[framework].items()}


def groups(framework: str) -> frozenset[str]:
    """Every group the kinds declare for the framework: what a reader's handler table covers."""
    return frozenset(s.group for s in spellings(framework).values())


def lookup(framework: str, name: str) -> Spelling | None:
    return spellings(framework).get(name)


def moded(framework: str, name: str, mode: str, plain: str, default: Spelling) -> Spelling | None:
    """The spelling of op `name` called in `mode`: `default` (the op's own) in its plain mode,
    else what a kind declares as `"name:mode"` (F.pad in mode reflect, ONNX Pad in mode edge
    read as another kind than zero padding); None when no kind reads that mode."""
    return default if mode == plain else lookup(framework, f"{name}:{mode}")


def keras_functions() -> dict[str, str]:
    """The activation functions Keras names in `activation=` -> the kind (KERAS_FUNCTIONS)."""
    from ..kinds.index import KERAS_FUNCTIONS
    return KERAS_FUNCTIONS


def argument_marks(kind: str, framework: str, written: dict, extra: dict | None = None) -> dict:
    """Spec argument -> where the file wrote it: the kind's arguments whose keyword in the
    framework (`arg(keras=..., torch=...)`, or `extra`'s keyword -> argument) the file gave."""
    from ..kinds import KINDS
    words = {f.metadata[framework]: name for name, f in KINDS[kind].spec_args().items() if f.metadata.get(framework)}
    words.update(extra or {})
    return {name: written[word] for word, name in words.items() if written.get(word)}
