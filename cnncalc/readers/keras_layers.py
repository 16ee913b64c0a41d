"""Keras layers as cnncalc layers: a Keras class name and its config (the keywords of its
constructor, as `get_config()` and the saved JSON spell them) to a kind and spec arguments.

Keras is channels last like cnncalc, so shapes carry over; `data_format="channels_first"` is
refused. Batchnorm momentum is stored the PyTorch way in a spec (1 - Keras's momentum).
Keywords that change no count (initializers, regularizers, constraints, dtype, name, seed)
are passed over; any other keyword cnncalc does not read is refused.
"""
from __future__ import annotations

import re

from .common import drop as _drop
from .spellings import Spelling, keras_functions, lookup


IGNORED = re.compile(r".*_(initializer|regularizer|constraint)$|^(name|dtype|trainable|seed|noise_shape|"
                     r"input_shape|batch_input_shape|input_dim_unused|batch_size|autocast|synchronized|"
                     r"lora_rank|lora_alpha|quantization_config|mask_zero|build_config|compile_config|"
                     r"renorm|renorm_clipping|renorm_momentum|embeddings_.*|input_length|sparse|"
                     r"moving_.*|beta_.*|gamma_.*|rms_scaling_unused|weights|kwargs)$")

def spelling(cls: str) -> Spelling | None:
    """What the kinds declare of a Keras class name (its group and constructor keywords)."""
    return lookup("KERAS", cls)


def not_read(cls: str) -> str:
    """The one refusal of a Keras class no kind declares."""
    return f"the Keras layer {cls} is not one cnncalc reads"


def family(cls: str) -> str | None:
    s = spelling(cls)
    return s.group if s else None


def has_params(cls: str, cfg: dict) -> bool:
    """Whether a layer of Keras class `cls` holds weights: what its config says where it decides
    (a Normalization given its mean, a LayerNormalization without center and scale), else what
    the kind it reads as says (Layer.holds_weights), so that no kind is taken for weightless by
    omission; True when the layer cannot be read."""
    f = family(cls)
    if f == "Normalization":
        return cfg.get("mean") is None
    if f in ("LayerNormalization", "GroupNormalization"):
        return bool(cfg.get("center", True) or cfg.get("scale", True))
    try:
        kind = convert(cls, cfg)[0]
    except (Refused, KeyError, TypeError, ValueError):
        return True
    from ..kinds import KINDS
    return kind not in KINDS or KINDS[kind].holds_weights()


class Refused(Exception):
    """What the layer's config holds that cnncalc does not read (the caller adds the position)."""

    def __init__(self, what: str, key: str | None = None):
        super().__init__(what)
        self.what, self.key = what, key


def _ints(v, key):
    if isinstance(v, bool):
        raise Refused(f"`{key}` must be an int or a tuple of ints, not {v}", key)
    if isinstance(v, int):
        return v
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        return v[0] if len(set(v)) == 1 else tuple(v)
    raise Refused(f"`{key}` must be an int or a tuple of ints, not {v!r}", key)


def _pairs(v, key):
    """Keras padding / cropping: an int, one per axis, or (before, after) pairs."""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, (list, tuple)):
        out = []
        for item in v:
            if isinstance(item, (list, tuple)):
                if len(item) != 2 or not all(isinstance(x, int) for x in item):
                    raise Refused(f"`{key}` pairs must be (before, after), not {item!r}", key)
                out.append(tuple(item))
            elif isinstance(item, int) and not isinstance(item, bool):
                out.append(item)
            else:
                raise Refused(f"`{key}` holds {item!r}", key)
        return out
    raise Refused(f"`{key}` must be ints or pairs, not {v!r}", key)


def _act(value, fused: bool):
    if value is None:
        return None
    if isinstance(value, dict):  # Keras 3 serialises a function as {"class_name": "function", "config": "relu"}
        value = value.get("config") if isinstance(value.get("config"), str) else value.get("class_name")
    if not isinstance(value, str):
        raise Refused(f"the activation {value!r} is not a name", "activation")
    if value == "leaky_relu":
        if fused:
            raise Refused("activation='leaky_relu' inside a layer (Keras's slope 0.2 is not cnncalc's fused "
                          "default); use a separate LeakyReLU layer", "activation")
        return value
    return keras_functions().get(value, value)


def _check_keys(cls, s: Spelling, cfg):
    for key in cfg:
        if key not in s.known and not IGNORED.match(key):
            raise Refused(f"{cls}'s `{key}` is not read by cnncalc", key)


def convert(cls: str, cfg: dict, rank: int | None = None) -> tuple[str, dict, str]:
    """(kind, spec arguments, note) of a Keras layer; Refused for what cnncalc cannot express.
    `rank` is the input's rank with the batch, where known (an `axis` may name it)."""
    s = spelling(cls)
    if s is None:
        raise Refused(not_read(cls))
    _check_keys(cls, s, cfg)
    if cfg.get("data_format") not in (None, "channels_last"):
        raise Refused(f"data_format={cfg['data_format']!r} (cnncalc is channels last)", "data_format")
    digit = re.search(r"([123])D", cls)
    return CONVERT[s.group](cls, digit.group(1) if digit else "", cfg.get, rank)


# -- one handler per group the kinds declare: (class name, its digit, cfg.get, rank) -> (kind, args, note)
def _conv(cls, d, g, rank):
    fam = family(cls)
    args = {}
    if fam != "DepthwiseConv":
        args["filters"] = g("filters")
    args["kernel"] = _ints(g("kernel_size"), "kernel_size")
    args["stride"] = _ints(g("strides", 1), "strides")
    padding = g("padding", "valid")
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same", "causal"):
        raise Refused(f"padding={padding!r}", "padding")
    args["padding"] = padding.lower()
    if fam == "ConvTranspose" and g("output_padding") is not None:
        args["output_padding"] = _ints(g("output_padding"), "output_padding")
    args["dilation"] = _ints(g("dilation_rate", 1), "dilation_rate")
    if fam == "Conv":
        args["groups"] = g("groups", 1)
    if fam in ("DepthwiseConv", "SeparableConv"):
        args["depth_multiplier"] = g("depth_multiplier", 1)
    args["bias"] = g("use_bias", True)
    args["activation"] = _act(g("activation"), True)
    kind = {"Conv": f"conv{d}d", "ConvTranspose": f"conv_transpose{d}d",
            "DepthwiseConv": "depthwise_conv2d", "SeparableConv": f"separable_conv{d}d"}[fam]
    if fam == "DepthwiseConv" and d != "2":
        raise Refused("DepthwiseConv1D (cnncalc has depthwise_conv2d)")
    return kind, _drop(args, stride=1, padding="valid", dilation=1, groups=1, bias=True, depth_multiplier=1,
                       activation="linear"), cls


def _dense(cls, d, g, rank):
    return "dense", _drop({"units": g("units"), "bias": g("use_bias", True),
                           "activation": _act(g("activation"), True)}, bias=True, activation="linear"), cls


def _pool(cls, d, g, rank):
    op = "max" if cls.startswith("Max") else "avg"
    padding = str(g("padding", "valid")).lower()
    if padding not in ("valid", "same"):
        raise Refused(f"padding={padding!r}", "padding")
    args = {"kernel": _ints(g("pool_size", 2), "pool_size"),
            "stride": _ints(g("strides"), "strides") if g("strides") is not None else None,
            "padding": padding}
    return f"{op}pool{d}d", _drop(args, padding="valid"), cls


def _global_pool(cls, d, g, rank):
    op = "global_maxpool" if "Max" in cls else "global_avgpool"
    return op, _drop({"keepdims": bool(g("keepdims", False))}, keepdims=False), cls


def _reshape(cls, d, g, rank):
    target = g("target_shape")
    if not isinstance(target, (list, tuple)) or not all(isinstance(v, int) for v in target):
        raise Refused(f"target_shape {target!r} is not a list of sizes", "target_shape")
    return "reshape", {"target": list(target)}, cls


def _batchnorm(cls, d, g, rank):
    _axis_last(g("axis", -1), "axis", rank)
    momentum = round(1 - float(g("momentum", 0.99)), 12)
    center, scale = bool(g("center", True)), bool(g("scale", True))
    both = {"affine": center} if center == scale else {"scale": scale, "center": center}
    return "batchnorm", _drop({"epsilon": float(g("epsilon", 1e-3)), "momentum": momentum, **both},
                              affine=True, scale=True, center=True), cls


def _layer_or_group_norm(cls, d, g, rank):
    _axis_last(g("axis", -1), "axis", rank)
    if bool(g("center", True)) != bool(g("scale", True)):
        raise Refused("center and scale that differ", "center")
    if g("rms_scaling"):
        raise Refused("rms_scaling=True", "rms_scaling")
    args = {"epsilon": float(g("epsilon", 1e-3)), "affine": bool(g("center", True))}
    if cls == "GroupNormalization":
        return "groupnorm", _drop({"groups": g("groups", 32), **args}, affine=True), cls
    return "layernorm", _drop(args, affine=True), cls


def _activation(cls, d, g, rank):
    act = _act(g("activation"), False)
    if act is None:
        raise Refused("an Activation layer without an activation", "activation")
    args = {"negative_slope": 0.2} if act == "leaky_relu" else {}
    return act, args, f"Activation({g('activation')!r})" if isinstance(g("activation"), str) else cls


def _relu(cls, d, g, rank):
    if g("negative_slope", 0) or g("threshold", 0):
        raise Refused("ReLU with negative_slope or threshold", "negative_slope")
    mv = g("max_value")
    if mv is None:
        return "relu", {}, cls
    if float(mv) == 6.0:
        return "relu6", {}, "ReLU(max_value=6)"
    raise Refused(f"ReLU(max_value={mv})", "max_value")


def _elu(cls, d, g, rank):
    if float(g("alpha", 1.0)) != 1.0:
        raise Refused(f"ELU(alpha={g('alpha')})", "alpha")
    return "elu", {}, cls


def _softmax(cls, d, g, rank):
    _axis_last(g("axis", -1), "axis", rank)
    return "softmax", {}, cls


def _pad_or_crop(cls, d, g, rank):
    key = "padding" if cls.startswith("ZeroPadding") else "cropping"
    kind = f"zeropad{d}d" if key == "padding" else f"cropping{d}d"
    return kind, {key: _pairs(g(key, 1), key)}, cls


def _upsampling(cls, d, g, rank):
    interp = g("interpolation", "nearest")
    if interp not in ("nearest", "bilinear"):
        raise Refused(f"interpolation={interp!r}", "interpolation")
    return f"upsample{d}d", _drop({"factor": _ints(g("size", 2), "size"), "mode": interp}, mode="nearest"), cls


def _rescaling(cls, d, g, rank):
    scale, offset = g("scale"), g("offset", 0.0)
    if not isinstance(scale, (int, float)) or not isinstance(offset, (int, float)):
        raise Refused("a per-channel scale or offset", "scale")
    return "rescaling", _drop({"scale": float(scale), "offset": float(offset)}, offset=0.0), cls


def _normalization(cls, d, g, rank):
    _axis_last(g("axis", -1), "axis", rank)
    if g("invert", False):
        raise Refused("invert=True (the inverse of a normalization)", "invert")
    mean, variance = _stat(g("mean"), "mean"), _stat(g("variance"), "variance")
    if (mean is None) != (variance is None):
        raise Refused("a mean without a variance, or a variance without a mean", "mean")
    return "normalization", _drop({"mean": mean, "variance": variance}), cls


def _stat(value, key):
    """Normalization's mean or variance: one number, or a list of one per channel."""
    number = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    if value is None or number(value):
        return value
    if isinstance(value, (list, tuple)) and value and all(number(v) for v in value):
        return [float(v) for v in value]
    raise Refused(f"a {key} that is not one number or a flat list of one per channel ({str(value)[:40]})", key)


def _augment(cls, d, g, rank):
    return "linear", {}, f"{cls}: random augmentation, the identity at inference"


def _permute(cls, d, g, rank):
    dims = g("dims")
    if not isinstance(dims, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in dims):
        raise Refused(f"`dims` must be a tuple of ints, not {dims!r}", "dims")
    return "permute", {"dims": list(dims)}, cls


def _prelu(cls, d, g, rank):
    shared = g("shared_axes")
    shared = [shared] if isinstance(shared, int) else shared
    return "prelu", _drop({"shared_axes": list(shared) if shared else None}), cls


CONVERT = {
    "Conv": _conv, "ConvTranspose": _conv, "DepthwiseConv": _conv, "SeparableConv": _conv, "Dense": _dense,
    "Pool": _pool, "GlobalPool": _global_pool, "Flatten": lambda cls, d, g, rank: ("flatten", {}, cls),
    "Reshape": _reshape, "Dropout": lambda cls, d, g, rank: ("dropout", {"rate": float(g("rate", 0.5))}, cls),
    "BatchNormalization": _batchnorm, "LayerNormalization": _layer_or_group_norm,
    "GroupNormalization": _layer_or_group_norm, "Activation": _activation, "ReLU": _relu,
    "LeakyReLU": lambda cls, d, g, rank: ("leaky_relu", {"negative_slope": float(g("negative_slope",
                                                                                   g("alpha", 0.3)))}, cls),
    "ELU": _elu, "Softmax": _softmax, "ZeroPadding": _pad_or_crop, "Cropping": _pad_or_crop,
    "UpSampling": _upsampling, "Merge": lambda cls, d, g, rank: (cls.lower(), {}, cls),
    "Concatenate": lambda cls, d, g, rank: ("concat", _drop({"axis": g("axis", -1)}, axis=-1), cls),
    "Embedding": lambda cls, d, g, rank: ("embedding", {"vocab": g("input_dim"), "dim": g("output_dim")}, cls),
    "Rescaling": _rescaling, "Identity": lambda cls, d, g, rank: ("linear", {}, cls),
    "Normalization": _normalization, "Permute": _permute, "PReLU": _prelu,
    "LayerScale": lambda cls, d, g, rank: ("layer_scale", _drop({"init": float(g("init_values", 1e-6))}, init=1e-6),
                                          cls),
    **dict.fromkeys(("Augment", "AugmentFlip", "AugmentShift", "AugmentNoise"), _augment),
}


def _axis_last(axis, key, rank=None) -> None:
    if isinstance(axis, (list, tuple)) and len(axis) == 1:
        axis = axis[0]
    if axis == -1 or (rank is not None and axis == rank - 1):
        return
    raise Refused(f"{key}={axis!r}, not the channels (-1)", key)


def rank_after(cls: str, cfg: dict, rank: int | None) -> int | None:
    """The output's rank (with the batch) of a Keras layer given its input's, where known."""
    group = family(cls)
    if group == "Flatten" or (group == "GlobalPool" and not cfg.get("keepdims")):
        return 2
    if group == "Reshape":
        return len(cfg["target_shape"]) + 1
    if group in ("Embedding", "Permute") or rank is None:
        return None if group != "Permute" else rank
    return rank
