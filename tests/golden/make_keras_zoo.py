"""Golden per-layer numbers of keras.applications.ResNet50 (for architectures/resnet50_keras.yaml).

Not part of the test suite: run by hand with Keras 3 on the torch backend, e.g.

    KERAS_BACKEND=torch /work/venv-torch/bin/python tests/golden/make_keras_zoo.py

It writes tests/golden/keras_zoo.json: for every layer, the Keras name, the output shape
(channels last, no batch), count_params() (batchnorm: 4C, moving statistics included) and the
names of the layers it reads. weights=None: nothing is downloaded. Deterministic.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "keras_zoo.json")


def inbound(layer):
    names = []
    for node in layer._inbound_nodes:
        for t in node.input_tensors:
            names.append(t._keras_history.operation.name)
    return names


def compact(doc) -> str:
    """JSON with one layer per line: readable diffs."""
    text = json.dumps(doc, indent=1)
    for layer in doc["resnet50"]["layers"]:
        text = text.replace(json.dumps(layer, indent=1).replace("\n", "\n   "), json.dumps(layer), 1)
    return text


def main():
    model = keras.applications.ResNet50(weights=None)
    layers = []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        layers.append({"name": layer.name, "output_shape": list(layer.output.shape[1:]),
                       "params": layer.count_params(), "inputs": inbound(layer)})
    doc = {"source": f"keras {keras.__version__} (backend {keras.backend.backend()}), "
                     "keras.applications.ResNet50(weights=None)",
           "resnet50": {"total_params": model.count_params(),
                        "trainable_params": sum(int(w.numpy().size) for w in model.trainable_weights),
                        "layers": layers}}
    with open(OUT, "w") as fh:
        fh.write(compact(doc) + "\n")
    print(f"wrote {OUT}: {len(layers)} layers, {model.count_params():,} params")


if __name__ == "__main__":
    main()
