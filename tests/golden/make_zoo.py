"""Generate per-layer golden shapes and parameter counts of the zoo from real Keras 3.

Not part of the test suite: run by hand with Keras 3 on the torch backend (torch 2.13.0 CPU):

    KERAS_BACKEND=torch /work/venv-torch/bin/python tests/golden/make_zoo.py

It writes tests/golden/zoo_keras.json. Each architectures/*.yaml is read with plain
yaml.safe_load (not cnncalc) and every layer is built as the Keras layer of that name, with
Keras's own 'same' padding, channels-last shapes, and `count_params()` (BatchNormalization
counts 4*C, 2*C non-trainable). Keras runs the model on a zero batch; the shapes recorded
are the tensors it produced. Spec conventions mapped by hand:
  * integer `padding: p` on a conv or pool -> ZeroPadding (p on each side) then 'valid'
    (for max pooling Keras pads with zeros, not -inf: the shape is the same);
  * `lrn` -> Identity (Keras has no LRN; it has no parameters and keeps the shape);
  * `adaptive_avgpool2d: {output: k}` -> AveragePooling2D with kernel = stride = n // k, checked
    to divide exactly (torchvision AlexNet: 6x6 -> 6x6);
  * activations -> Activation layers; dropout -> Dropout.
"""
import glob
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "zoo_keras.json")
L = keras.layers


def item(entry):
    if isinstance(entry, str):
        return entry, {}
    (kind, args), = entry.items()
    if not isinstance(args, dict):
        main = {"dense": "units", "dropout": "rate", "maxpool1d": "kernel", "maxpool2d": "kernel",
                "avgpool2d": "kernel", "conv1d": "filters", "conv2d": "filters"}[kind]
        args = {main: args}
    return kind, args


def padded(layers, dims, args):
    p = args.get("padding", 0)
    if isinstance(p, int) and p > 0:
        layers.append(L.ZeroPadding1D(p) if dims == 1 else L.ZeroPadding2D(p))
        return "valid"
    return p if isinstance(p, str) else "valid"


def build(kind, args, shape):
    """Keras layers for one spec layer (a padding layer may come first)."""
    out = []
    act = args.get("activation")
    if kind in ("conv1d", "conv2d"):
        dims = int(kind[4])
        mode = padded(out, dims, args)
        cls = L.Conv1D if dims == 1 else L.Conv2D
        out.append(cls(args["filters"], args["kernel"], strides=args.get("stride", 1), padding=mode,
                       use_bias=args.get("bias", True), activation=act))
    elif kind == "depthwise_conv2d":
        mode = padded(out, 2, args)
        out.append(L.DepthwiseConv2D(args["kernel"], strides=args.get("stride", 1), padding=mode,
                                     depth_multiplier=args.get("depth_multiplier", 1),
                                     use_bias=args.get("bias", True), activation=act))
    elif kind in ("maxpool1d", "maxpool2d", "avgpool2d"):
        dims = int(kind[-2])
        mode = padded(out, dims, args)
        cls = {"maxpool1d": L.MaxPooling1D, "maxpool2d": L.MaxPooling2D, "avgpool2d": L.AveragePooling2D}[kind]
        out.append(cls(args["kernel"], strides=args.get("stride", args["kernel"]), padding=mode))
    elif kind == "adaptive_avgpool2d":
        k = args["output"]
        assert shape[0] % k == 0 and shape[1] % k == 0, shape
        out.append(L.AveragePooling2D((shape[0] // k, shape[1] // k)))
    elif kind == "global_avgpool":
        out.append(L.GlobalAveragePooling2D())
    elif kind == "flatten":
        out.append(L.Flatten())
    elif kind == "dense":
        out.append(L.Dense(args["units"], activation=act, use_bias=args.get("bias", True)))
    elif kind == "dropout":
        out.append(L.Dropout(args.get("rate", 0.5)))
    elif kind == "batchnorm":
        out.append(L.BatchNormalization())
    elif kind == "lrn":
        out.append(L.Identity())
    elif kind in ("relu", "relu6", "softmax", "tanh", "sigmoid"):
        out.append(L.Activation(kind))
    else:
        raise ValueError(f"no Keras mapping for {kind}")
    return out


def net(path):
    spec = yaml.safe_load(open(path))
    x = np.zeros((1, *spec["input"]), dtype="float32")
    rows = []
    for index, entry in enumerate(spec["layers"], start=1):
        kind, args = item(entry)
        layers = build(kind, args, x.shape[1:])
        params = trainable = 0
        for layer in layers:
            x = layer(x)
            params += layer.count_params()
            trainable += sum(int(np.prod(w.shape)) for w in layer.trainable_weights)
        x = keras.ops.convert_to_numpy(x)
        rows.append({"index": index, "kind": kind, "output_shape": list(x.shape[1:]),
                     "params": params, "trainable_params": trainable})
    return {"input": spec["input"], "layers": rows,
            "params": sum(r["params"] for r in rows),
            "trainable_params": sum(r["trainable_params"] for r in rows)}


def main():
    nets = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "architectures", "*.yaml"))):
        name = os.path.basename(path)
        nets[name] = net(path)
        print(name, nets[name]["params"], file=sys.stderr)
    doc = {"source": f"Keras {keras.__version__} on the torch backend (torch "
                     f"{__import__('torch').__version__}), generated by tests/golden/make_zoo.py",
           "nets": nets}
    with open(OUT, "w") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
