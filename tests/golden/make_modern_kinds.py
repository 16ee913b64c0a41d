"""Golden cases of issue 15's kinds from the frameworks' own layers: Keras 3 and torch.

Not part of the test suite: run by hand with torch 2.13 and Keras 3 (KERAS_BACKEND=torch),

    KERAS_BACKEND=torch python tests/golden/make_modern_kinds.py

It writes tests/golden/modern_kinds.json. Each case is a cnncalc layer (`layer`, as a spec
writes it) on an input shape (channels last, no batch), with what the framework's own layer
gives: the output shape, its parameters (Keras: count_params() and the trainable part; torch:
parameters() and the running-statistics buffers), and where the layer computes something
other than a copy, its output on a fixed input (`x`: the values 0.1 * (k - n/2) in order,
channels last; `y`: the framework's output, rounded to 6 digits). Configurations a framework
refuses record its `error`. Nothing here is cnncalc's: tests/kinds/test_framework_goldens.py
compares cnncalc with these numbers.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "modern_kinds.json")
L = keras.layers


def ramp(shape):
    n = int(np.prod(shape))
    return (0.1 * (np.arange(n) - n / 2)).reshape(shape).astype("float32")


def keras_case(layer_text, inp, make, values=False, inputs=None):
    out = {"layer": layer_text, "input": [list(s) for s in inputs] if inputs else list(inp), "framework": "keras"}
    try:
        layer = make()
        if inputs:
            xs = [ramp((1, *s)) for s in inputs]
            y = layer([keras.ops.convert_to_tensor(x) for x in xs])
        else:
            x = ramp((1, *inp))
            y = layer(keras.ops.convert_to_tensor(x))
        y = keras.ops.convert_to_numpy(y)
        out["output_shape"] = list(y.shape[1:])
        out["params"] = int(layer.count_params())
        out["trainable"] = int(sum(int(np.prod(w.shape)) for w in layer.trainable_weights))
        if values:
            out["y"] = [round(float(v), 6) for v in y.ravel()]
    except Exception as e:  # noqa: BLE001 - the framework's refusal is the datum
        out["error"] = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    return out


def torch_case(layer_text, inp, make, values=False):
    """`inp` channels last; the torch module sees (1, C, *S) and its output is moved back."""
    out = {"layer": layer_text, "input": list(inp), "framework": "torch"}
    try:
        module = make().eval()
        x = torch.from_numpy(ramp((1, *inp)))
        if len(inp) > 1:
            x = x.movedim(-1, 1)
        with torch.no_grad():
            y = module(x)
        if len(inp) > 1:
            y = y.movedim(1, -1)
        out["output_shape"] = list(y.shape[1:])
        out["params"] = sum(p.numel() for p in module.parameters())
        out["buffers"] = sum(b.numel() for n, b in module.named_buffers() if n.split(".")[-1].startswith("running_"))
        if values:
            out["y"] = [round(float(v), 6) for v in y.numpy().ravel()]
    except Exception as e:  # noqa: BLE001
        out["error"] = (str(e).strip().splitlines() or [type(e).__name__])[0][:200]
    return out


def cases():
    k, t = [], []
    # batchnorm: scale / center (Keras), affine (torch)
    for scale, center in ((True, True), (False, True), (True, False), (False, False)):
        text = "batchnorm" + ("" if scale and center else ": {" + ", ".join(
            f"{n}: false" for n, v in (("scale", scale), ("center", center)) if not v) + "}")
        k.append(keras_case(text, (5, 5, 6), lambda s=scale, c=center: L.BatchNormalization(scale=s, center=c)))
    t.append(torch_case("batchnorm: {affine: false}", (5, 5, 6), lambda: nn.BatchNorm2d(6, affine=False)))
    t.append(torch_case("batchnorm", (5, 5, 6), lambda: nn.BatchNorm2d(6)))
    # Keras' Normalization (unadapted: mean 0, variance 1) and with given statistics
    k.append(keras_case("normalization", (4, 4, 3), lambda: L.Normalization(), values=True))
    k.append(keras_case("normalization: {mean: 0.5, variance: 4}", (4, 4, 3),
                        lambda: L.Normalization(mean=0.5, variance=4.0), values=True))
    k.append(keras_case("rescaling: {scale: 0.5, offset: -1}", (3, 3, 2), lambda: L.Rescaling(0.5, -1.0), values=True))
    # dense on the last axis of a feature map
    k.append(keras_case("dense: 6", (7, 7, 4), lambda: L.Dense(6)))
    k.append(keras_case("dense: {units: 6, bias: false}", (3, 5, 4), lambda: L.Dense(6, use_bias=False)))
    t.append(torch_case("dense: 6", (7,), lambda: nn.Linear(7, 6)))
    # layer scale (keras.applications.convnext.LayerScale; torchvision's CNBlock parameter)
    from keras.src.applications.convnext import LayerScale
    k.append(keras_case("layer_scale: {init: 0.5}", (3, 3, 4), lambda: LayerScale(0.5, 4), values=True))
    # broadcasting merges
    for op, cls in (("add", L.Add), ("multiply", L.Multiply), ("subtract", L.Subtract), ("maximum", L.Maximum),
                    ("minimum", L.Minimum), ("average", L.Average)):
        k.append(keras_case(op, None, lambda c=cls: c(), values=True, inputs=[(4, 4, 3), (1, 1, 3)]))
    k.append(keras_case("multiply", None, lambda: L.Multiply(), inputs=[(4, 4, 3), (4, 1, 3)]))
    k.append(keras_case("add", None, lambda: L.Add(), inputs=[(4, 4, 3), (2, 4, 3)]))
    # global pooling keeping the axes
    k.append(keras_case("global_avgpool2d: {keepdims: true}", (4, 4, 3), lambda: L.GlobalAveragePooling2D(keepdims=True)))
    # activations
    for text, act in (("gelu: {approximate: tanh}", lambda: L.Activation(lambda x: keras.activations.gelu(x, approximate=True))),
                      ("gelu", lambda: L.Activation(lambda x: keras.activations.gelu(x, approximate=False))),
                      ("hardswish", lambda: L.Activation("hard_swish")), ("hard_sigmoid", lambda: L.Activation("hard_sigmoid")),
                      ("mish", lambda: L.Activation("mish")), ("silu", lambda: L.Activation("silu"))):
        k.append(keras_case(text, (8,), act, values=True))
    for text, mod in (("gelu: {approximate: tanh}", lambda: nn.GELU(approximate="tanh")), ("gelu", lambda: nn.GELU()),
                      ("hardswish", nn.Hardswish), ("hard_sigmoid", nn.Hardsigmoid), ("mish", nn.Mish), ("silu", nn.SiLU)):
        t.append(torch_case(text, (8,), mod, values=True))
    # channel shuffle and a channel split's parts (torch)
    t.append(torch_case("channel_shuffle: 2", (2, 2, 6), lambda: nn.ChannelShuffle(2), values=True))
    t.append(torch_case("channel_shuffle: 3", (1, 1, 6), lambda: nn.ChannelShuffle(3), values=True))
    t.append(torch_case("channel_shuffle: 4", (1, 1, 6), lambda: nn.ChannelShuffle(4)))

    class Chunk(nn.Module):
        def __init__(self, n, part):
            super().__init__()
            self.n, self.part = n, part

        def forward(self, x):
            return x.chunk(self.n, dim=1)[self.part]

    class Split(nn.Module):
        def __init__(self, sizes, part):
            super().__init__()
            self.sizes, self.part = sizes, part

        def forward(self, x):
            return x.split(self.sizes, dim=1)[self.part]
    t.append(torch_case("channel_slice: {part: 1, sections: 2}", (2, 2, 6), lambda: Chunk(2, 1), values=True))
    t.append(torch_case("channel_slice: {part: 1, sizes: [2, 3, 1]}", (1, 1, 6), lambda: Split([2, 3, 1], 1), values=True))
    # drop path: torchvision's StochasticDepth at inference is the identity
    t.append(torch_case("drop_path: 0.2", (3, 3, 2), lambda: nn.Identity(), values=True))
    return k + t


def main():
    out = {"source": f"keras {keras.__version__}, torch {torch.__version__} (CPU), KERAS_BACKEND=torch; "
                     "tests/golden/make_modern_kinds.py", "cases": cases()}
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    for c in out["cases"]:
        print(c["framework"], c["layer"], c.get("output_shape"), c.get("params"), c.get("error", ""))


if __name__ == "__main__":
    main()
