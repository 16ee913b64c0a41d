"""What the gradient commands read from the command line: `grad`'s grids per channel, bias and
upstream gradient (exact numbers), and backprop's input, target and weights, each checked
against the network (the layouts are each kind's)."""
from __future__ import annotations

import json
import math
import os
from typing import Any

from ..errors import ArgumentError, json_numbers, read_text
from ..infer import LayerResult, Summary
from ..kinds import fmt_shape
from .conv import ConvGrad, Number, conv_grad, conv_grad_channels, grid, number


def parse_channels(text: str, what: str = "--image", kernel: bool = False) -> list:
    """Grids per channel from command-line text: handwork.parse_matrix's forms ("1 0; 0 1", JSON
    rows, a CSV file) separated by `|` ("1 2; 3 4 | 5 6; 7 8" is two channels), or a JSON
    list of grids [[[...]], [[...]]]. With `kernel`, each part may be a named kernel (sobel_x).
    Whole numbers become ints, so the arithmetic stays exact."""
    import json

    from .. import handwork
    source = text
    if text and os.path.isfile(text):
        source = read_text(text, ArgumentError, "a text file of numbers", "a file of numbers")
    if source.strip().startswith("[[["):
        try:
            data = json_numbers(source)
        except json.JSONDecodeError:
            raise ArgumentError(f"{what} starts with '[[[' but is not a JSON list of grids; write "
                                "[[[1, 0], [0, 1]], [[0, 1], [1, 0]]] or \"1 0; 0 1 | 0 1; 1 0\"") from None
        return [grid(g, f"{what} channel {c}")[0] for c, g in enumerate(data)]
    parts = source.split("|")
    if any(not p.strip() for p in parts):
        raise ArgumentError(f"{what} has an empty channel between `|` separators; write \"1 2; 3 4 | 5 6; 7 8\"")
    out = []
    for c, part in enumerate(parts):
        name = what if len(parts) == 1 else f"{what} channel {c}"
        rows = handwork.kernel_matrix(part)[0] if kernel else handwork.parse_matrix(part, name)
        out.append(grid(rows, name)[0])
    return out


def parse_numbers(text: str, what: str = "--bias") -> list[Number]:
    """One number per output channel: "1", "1 -2" or "1, -2"."""
    from .. import handwork
    rows = handwork.parse_matrix(text, what)
    if len(rows) != 1:
        raise ArgumentError(f"{what} has {len(rows)} rows; give one number per output channel on one line, like \"1 -2\"")
    return [number(v, what) for v in rows[0]]


def from_text(image: str, kernel: str | list[str], upstream: str | None, stride: int = 1, padding: int = 0,
              bias: str | None = None, flip: bool = False) -> ConvGrad:
    """The command line's form: `image` and `upstream` as parse_channels reads them, `kernel`
    one text per filter (a list) or one text, `bias` one number per filter."""
    images = parse_channels(image, "--image")
    texts = [kernel] if isinstance(kernel, str) else list(kernel)
    kernels = [parse_channels(t, "--kernel" if len(texts) == 1 else f"--kernel {o}", kernel=True)
               for o, t in enumerate(texts)]
    ups = parse_channels(upstream, "--upstream") if upstream is not None else None
    b = parse_numbers(bias, "--bias") if bias is not None else None
    multi = len(images) > 1 or len(kernels) > 1 or (ups is not None and len(ups) > 1) or (b is not None and len(b) > 1)
    if not multi:
        return conv_grad(images[0], kernels[0][0], None if ups is None else ups[0], stride, padding,
                         None if b is None else b[0], flip)
    return conv_grad_channels(images, kernels, ups, stride, padding, b, flip)


def parse_array(text: str, what: str = "--input") -> Any:
    """Numbers from the command line: JSON ("[[1, 2], [3, 4]]", any depth, or a .json file),
    one number ("3"), or handwork.parse_matrix's forms ("1 2; 3 4", a CSV file)."""
    source = text
    if text and os.path.isfile(text):
        source = read_text(text, ArgumentError, "a file of numbers", "a JSON or CSV file of numbers")
    s = source.strip()
    if s.startswith("["):
        try:
            return json_numbers(s)
        except json.JSONDecodeError:
            raise ArgumentError(f"{what} starts with '[' but is not JSON; write [[1, 2], [3, 4]] or \"1 2; 3 4\"") from None
    try:
        return float(s)
    except ValueError:
        pass
    from ..handwork import parse_matrix
    return parse_matrix(s, what)


def _array(v: Any, what: str):
    import numpy as np
    try:
        a = np.array(v, dtype=np.float64)
    except (ValueError, TypeError):
        raise ArgumentError(f"{what} is not a (rectangular) nested list of numbers") from None
    if a.dtype == object or not np.all(np.isfinite(a)):
        raise ArgumentError(f"{what} has a value that is not a finite number")
    return a


def input_array(x: Any, shape: tuple[int, ...]):
    """The input as an array of the spec's input shape; a grid without the channel axis is
    taken for a one-channel input ((5,) or one row for (5, 1), H x W for (H, W, 1))."""
    a = _array(x, "--input")
    if a.shape == shape:
        return a
    if shape[-1] == 1 and a.size == math.prod(shape) and a.shape in (shape[:-1], (1, *shape[:-1])):
        return a.reshape(shape)
    names = {1: "(n,)", 2: "(L, C)", 3: "(H, W, C)", 4: "(D, H, W, C)"}.get(len(shape), "")
    raise ArgumentError(f"--input has shape {fmt_shape(a.shape)} but the spec's input is {fmt_shape(shape)} {names}; "
                        f"give {math.prod(shape):,} values in that shape (JSON nested lists, channels last)")


def target_array(t: Any, out_shape: tuple[int, ...], loss: str):
    """The target in the output's shape; for cross_entropy a number k is the class index (the
    one-hot vector with 1 at k), a list the class probabilities."""
    a = _array(t, "--target")
    n = math.prod(out_shape)
    if loss == "cross_entropy":
        if len(out_shape) != 1:
            raise ArgumentError(f"cross_entropy needs a vector of class scores, but the network gives "
                                f"{fmt_shape(out_shape)}; end it with flatten and dense, or use --loss mse")
        if a.ndim == 0:  # a number is a class index; a list, the probabilities
            import numpy as np
            k = float(a.reshape(()))
            if not k.is_integer() or not 0 <= k < n:
                raise ArgumentError(f"--target {a.reshape(()).item():g} is not a class index 0 to {n - 1}; give the "
                                    f"class number, or {n} probabilities")
            one = np.zeros(out_shape)
            one[int(k)] = 1.0
            return one
    if a.size != n:
        raise ArgumentError(f"--target has {a.size} value{'s' if a.size != 1 else ''} but the network output is "
                            f"{fmt_shape(out_shape)}, {n} value{'s' if n != 1 else ''}; give one target per output")
    if loss == "bce" and (a.min() < 0 or a.max() > 1):
        raise ArgumentError("--target for bce must be between 0 and 1 (a probability per output)")
    return a.reshape(out_shape)


def load_weights(path: str) -> dict:
    """A weights file: JSON mapping layer names to their arrays."""
    text = read_text(path, ArgumentError, "a JSON weights file",
                     'a JSON file like {"conv1d": {"weight": [[[1, 0, -1]]], "bias": [0]}}')
    try:
        data = json_numbers(text)
    except json.JSONDecodeError as e:
        raise ArgumentError(f"--weights {path}: not JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    if not isinstance(data, dict):
        raise ArgumentError(f"--weights {path}: give a JSON object mapping layer names to their weights")
    return data


def _layout_text(r: LayerResult, expected: dict) -> str:
    names = r.layer.weight_axes(r)
    parts = [f'"{k}": {fmt_shape(v.shape)}' + (f" {names[k]}" if k in names else "") for k, v in expected.items()]
    return "{" + ", ".join(parts) + "}"


def check_weights(summary: Summary, given: dict | None, seed: int = 0) -> list[dict]:
    """Each layer's arrays (float64): from `given` (checked: every learning layer, exact shapes)
    or drawn from `seed` as the executor draws them."""
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ArgumentError(f"--seed {seed!r} must be a whole number, 0 or more; use --seed 0")
    import numpy as np
    rng = np.random.default_rng(seed)
    made = [r.layer.make_weights(r, rng, np.dtype(np.float64)) for r in summary.layers]
    if given is None:
        return made
    learning = {r.layer.name: (r, m) for r, m in zip(summary.layers, made) if m}
    for name in given:
        if name not in learning:
            known = ", ".join(learning) or "none"
            raise ArgumentError(f"--weights names `{name}`, which is no layer with weights; the layers with "
                                f"weights are: {known}")
    out = []
    for r, m in zip(summary.layers, made):
        name, kind = r.layer.name, r.layer.kind
        if not m:
            out.append({})
            continue
        if name not in given:
            raise ArgumentError(f"--weights has no `{name}` ({kind}); give \"{name}\": {_layout_text(r, m)} "
                                "as nested lists (torch's layout)")
        entry = given[name]
        if isinstance(entry, list):
            if len(m) != 1:
                raise ArgumentError(f"--weights `{name}` ({kind}) is a bare list but the layer has {', '.join(m)}; "
                                    f"give \"{name}\": {_layout_text(r, m)}")
            entry = {next(iter(m)): entry}
        if not isinstance(entry, dict):
            raise ArgumentError(f"--weights `{name}` must be an object like {_layout_text(r, m)}")
        for key in entry:
            if key not in m:
                raise ArgumentError(f"--weights `{name}` has `{key}`, which {kind} does not have; its arrays are "
                                    f"{_layout_text(r, m)}")
        arrays = {}
        for key, want in m.items():
            if key not in entry:
                raise ArgumentError(f"--weights `{name}` has no `{key}`; {kind} needs {_layout_text(r, m)}")
            a = _array(entry[key], f"--weights `{name}`.{key}")
            if a.shape != want.shape:
                what = r.layer.weight_axes(r).get(key, "")
                raise ArgumentError(f"--weights `{name}`.{key} has shape {fmt_shape(a.shape)} but {kind} needs "
                                    f"{fmt_shape(want.shape)}{' = ' + what if what else ''} (torch's layout)")
            arrays[key] = a
        out.append(arrays)
    return out
