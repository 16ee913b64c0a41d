"""Spelling-insensitive names: the key every kind, argument and framework spelling is compared
by, and the resolver from a user's (or a framework's) argument spelling to the spec's argument.
Ground floor: standard library only."""
from __future__ import annotations

import functools

COMMON_ARGS = ("name", "id", "inputs", "trainable")  # arguments every layer takes


def normal(word: str) -> str:
    """Spelling-insensitive key: Conv2D, conv_2d and CONV2d all become 'conv2d'."""
    return word.lower().replace("_", "").replace("-", "")


ARG_ALIASES: dict[str, tuple[str, ...]] = {
    "kernelsize": ("kernel",), "poolsize": ("kernel",), "f": ("kernel",), "strides": ("stride",),
    "s": ("stride",), "p": ("padding", "rate"), "dilationrate": ("dilation",), "d": ("dilation",),
    "usebias": ("bias",), "outchannels": ("filters",), "outfeatures": ("units",),
    "inchannels": ("in_channels",), "infeatures": ("in_features",),
    "numfeatures": ("num_features",), "eps": ("epsilon",), "initvalues": ("init",), "layerscale": ("init",), "alpha": ("negative_slope",),
    "inputdim": ("vocab",), "numembeddings": ("vocab",), "outputdim": ("dim",),
    "embeddingdim": ("dim",), "outputsize": ("output",), "ceil": ("ceil_mode",),
    "keepdim": ("keepdims",), "k": ("kernel",), "scalefactor": ("factor",),
    "interpolation": ("mode",),
    "targetshape": ("target",), "shape": ("target",), "crop": ("cropping",),
    "numgroups": ("groups",), "normalizedshape": ("num_features",), "numchannels": ("num_features",),
    "elementwiseaffine": ("affine",), "sharedaxes": ("shared_axes",), "numparameters": ("num_parameters",),
}


def argument(word: str, spec_args) -> str | None:
    """The argument (of `spec_args`, or a common one) a spelling names: `Kernel_Size`,
    `kernel_size` and `f` are `kernel`; None for none."""
    by_normal = _by_normal(tuple(spec_args))
    if normal(word) in by_normal:
        return by_normal[normal(word)]
    return next((c for c in ARG_ALIASES.get(normal(word), ()) if c in spec_args), None)


@functools.lru_cache(maxsize=None)
def _by_normal(spec_args: tuple[str, ...]) -> dict[str, str]:
    """normal(spelling) -> argument, for a kind's arguments and the common ones."""
    return {normal(n): n for n in (*spec_args, *COMMON_ARGS)}


class Names:
    """Unique names: `base`, or `base_k` with the first k from 2 not taken (the reserved names
    taken first). The search for a base starts where its last one ended (names are only ever
    added), so 100,000 layers sharing a name take linear time."""

    def __init__(self, reserved=()):
        self.used = set(reserved)
        self.next_k: dict[str, int] = {}

    def take(self, base: str) -> str:
        name, k = base, self.next_k.get(base, 2)
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.next_k[base] = k
        self.used.add(name)
        return name
