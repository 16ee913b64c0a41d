"""Regenerate the framework-made files of this corpus and counts.json (run by hand, once; the
tests only read the committed files):

    KERAS_BACKEND=torch python tests/readers/make_corpus.py

Needs torch 2.13.0, keras 3.15.1 and onnx. Writes mnist_convnet.keras (the keras.io convnet,
saved), mobilenet.json (keras.applications.MobileNet(weights=None).to_json()), small_resnet.onnx
(small_resnet.py exported in training mode without constant folding, so batchnorm stays a node)
and counts.json (each framework's own parameter counts, with its version).
"""
import json
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import torch
    from keras import layers
    counts = {}

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])
    model.save(os.path.join(HERE, "mnist_convnet.keras"))
    for name in ("mnist_convnet.keras", "keras_mnist_convnet.py"):
        counts[name] = {"params": model.count_params(), "trainable": model.count_params(),
                        "source": "keras.io examples/vision/mnist_convnet.py; model.count_params()",
                        "framework": f"keras {keras.__version__}"}

    mobilenet = keras.applications.MobileNet(weights=None)
    with open(os.path.join(HERE, "mobilenet.json"), "w") as fh:
        fh.write(mobilenet.to_json())
    trainable = sum(int(torch.tensor(w.shape).prod()) for w in mobilenet.trainable_weights)
    counts["mobilenet.json"] = {"params": mobilenet.count_params(), "trainable": trainable,
                                "source": "keras.applications.MobileNet(weights=None); count_params()",
                                "framework": f"keras {keras.__version__}"}

    sys.path.insert(0, HERE)
    blitz = runpy.run_path(os.path.join(HERE, "blitz_cnn.py"))["Net"]()
    n = sum(p.numel() for p in blitz.parameters())
    counts["blitz_cnn.py"] = {"params": n, "trainable": n, "input": [32, 32],
                              "source": "pytorch/tutorials beginner_source/blitz/neural_networks_tutorial.py; "
                                        "sum(p.numel() for p in net.parameters())",
                              "framework": f"torch {torch.__version__}"}
    net = runpy.run_path(os.path.join(HERE, "small_resnet.py"))["SmallResNet"]().train()
    trainable = sum(p.numel() for p in net.parameters())
    stats = sum(b.numel() for k, b in net.named_buffers() if "running" in k)
    torch.onnx.export(net, (torch.zeros(1, 3, 32, 32),), os.path.join(HERE, "small_resnet.onnx"), dynamo=False,
                      training=torch.onnx.TrainingMode.TRAINING, do_constant_folding=False, opset_version=13)
    for name in ("small_resnet.py", "small_resnet.onnx"):
        counts[name] = {"params": trainable + stats, "trainable": trainable, "input": [32, 32, 3],
                        "source": "small_resnet.py; parameters() plus the batchnorm running_mean/var buffers",
                        "framework": f"torch {torch.__version__}"}
    with open(os.path.join(HERE, "counts.json"), "w") as fh:
        json.dump(counts, fh, indent=2, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
