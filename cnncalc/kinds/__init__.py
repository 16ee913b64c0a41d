"""The registry of layer kinds: every kind name, its Keras and PyTorch spellings, its class.

Each kind is declared once, in one module per family (conv, pool, dense, norm, activation,
merge, reshape), with every facet that `base.FACETS` lists. Adding a kind is one class in one
of these modules (or a new module listed in FAMILIES) plus its tests: docs/adding-a-kind.md.
"""
from __future__ import annotations

from . import activation, channels, conv, dense, merge, norm, pool, reshape, scale
from .activation import Activation, DropPath, Dropout, PReLU  # noqa: F401 (the registry re-exports every kind)
from .base import (ACTIVATIONS, AXIS_NAMES, FACETS, Axis, Layer, MissingFacet, Shape, fmt_shape,
                   kind_dims, per_axis)
from .conv import Conv, ConvTranspose, DepthwiseConv, SeparableConv
from .dense import Dense, Embedding
from .merge import Concat, Merge
from .norm import LRN, BatchNorm, GroupNorm, LayerNorm, LayerScale, Normalization
from .pool import AdaptivePool, GlobalPool, Pool
from .reshape import Cropping, Flatten, Permute, Reshape, Upsample, ZeroPad
from .scale import Rescaling
from .channels import ChannelShuffle, ChannelSlice  # noqa: F401

FAMILIES = (conv, pool, dense, norm, activation, merge, reshape, scale, channels)


def classes() -> tuple[type[Layer], ...]:
    """Every kind class, family by family, in the order its module declares them."""
    out = []
    for module in FAMILIES:
        out += [v for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, Layer) and v.__module__ == module.__name__]
    return tuple(out)


def normal(word: str) -> str:
    """Spelling-insensitive key: Conv2D, conv_2d and CONV2d all become 'conv2d'."""
    return word.lower().replace("_", "").replace("-", "")


def _registry() -> tuple[dict[str, type[Layer]], dict[str, str]]:
    kinds: dict[str, type[Layer]] = {}
    aliases: dict[str, str] = {}
    for cls in classes():
        for name in cls.NAMES:
            if name in kinds:
                raise RuntimeError(f"kind `{name}` is declared by {kinds[name].__name__} and {cls.__name__}")
            kinds[name] = cls
    aliases.update({normal(k): k for k in kinds})
    for cls in classes():
        aliases.update(cls.ALIASES)
    return kinds, aliases


KINDS, KIND_ALIASES = _registry()


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
