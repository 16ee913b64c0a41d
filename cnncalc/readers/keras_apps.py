"""What keras.applications' own files call besides layers, known the way `keras.layers.*` is:
the input shape rule of `imagenet_utils.obtain_input_shape`, the data format (cnncalc is
channels last), `backend.is_keras_tensor`; the weights plumbing (download, load) builds no
layer and is passed over by the reader. Nothing is imported or run."""
from __future__ import annotations

import copy
import math


MATH = {"math.sqrt": math.sqrt, "math.ceil": math.ceil, "math.floor": math.floor}


class AppError(Exception):
    """What Keras itself raises for these arguments (the reader adds the position)."""


def obtain_input_shape(input_shape=None, default_size=224, min_size=32, data_format="channels_last",
                       require_flatten=True, weights=None):
    """keras.applications.imagenet_utils.obtain_input_shape, channels last."""
    if data_format != "channels_last":
        raise AppError(f"data_format={data_format!r} (cnncalc is channels last)")
    if input_shape is not None:
        input_shape = tuple(input_shape)
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        default_shape = (default_size, default_size, input_shape[-1])
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise AppError(f"with include_top=True and imagenet weights, input_shape should be {default_shape}, "
                           f"not {input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise AppError(f"input_shape must be three sizes, not {input_shape}")
        if input_shape[-1] != 3 and weights == "imagenet":
            raise AppError(f"imagenet weights need 3 input channels, not input_shape={input_shape}")
        if any(v is not None and v < min_size for v in input_shape[:2]):
            raise AppError(f"the input must be at least {min_size}x{min_size}, not input_shape={input_shape}")
    else:
        input_shape = default_shape if require_flatten else (None, None, 3)
    if require_flatten and None in input_shape:
        raise AppError(f"with include_top=True the input_shape must be static, not {input_shape}")
    return input_shape


def correct_pad(shape: tuple, kernel_size):
    """imagenet_utils.correct_pad: the ZeroPadding2D pairs of a stride-2 'same' window, channels last."""
    size = shape[1:3]
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    if len(shape) != 4 or len(kernel) != 2:
        raise AppError(f"correct_pad takes an image tensor (N, H, W, C) and a kernel of 2 sizes, not {shape} and "
                       f"{kernel_size}")
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel[0] // 2, kernel[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def _plain(value, depth: int = 0) -> bool:
    """Numbers, strings, None and lists, tuples and dicts of them (a config table)."""
    if isinstance(value, (int, float, str, bool, type(None))):
        return True
    if depth > 8 or not isinstance(value, (list, tuple, dict)):
        return False
    items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    return all(_plain(v, depth + 1) for v in items)


def call(name: str, args: list, kwargs: dict, is_tensor):
    """The value of a known non-layer call of keras.applications' files, or NotImplemented."""
    if name in ("keras.backend.image_data_format", "keras.config.image_data_format"):
        return "channels_last"
    if name in MATH and len(args) == 1 and not kwargs and isinstance(args[0], (int, float)) \
            and not isinstance(args[0], bool) and abs(args[0]) < 1e300:
        return MATH[name](args[0])
    if name == "copy.deepcopy" and len(args) == 1 and _plain(args[0]):  # EfficientNet's blocks_args
        return copy.deepcopy(args[0])
    if name == "keras.backend.backend":  # cnncalc's truth is Keras on the torch backend
        return "torch"
    if name == "keras.backend.is_keras_tensor":
        return is_tensor(args[0] if args else kwargs.get("x"))
    if name == "keras.applications.imagenet_utils.correct_pad":  # its tensor given as the tensor's shape
        return correct_pad(*args, **kwargs)
    if name == "keras.applications.imagenet_utils.obtain_input_shape":
        return obtain_input_shape(*args, **kwargs)
    return NotImplemented


# calls of keras.applications' helpers that build no layer and return nothing a model needs
PASSED_OVER = {"keras.applications.imagenet_utils.validate_activation", "warnings.warn"}
