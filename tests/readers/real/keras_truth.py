"""The truth for the Keras source files of this folder: each file's model built by Keras 3 itself
(run by hand, once; the tests only read counts.json):

    KERAS_BACKEND=torch python tests/readers/real/keras_truth.py

The file's module-level statements run in order, except those that load data, plot, train, save
or load (SKIP), so no data set is downloaded; the model named in MODELS is then built as the
file builds it (a module-level model, or its builder called with the file's own arguments),
and its count_params(), trainable weights and output shape are written to ../counts.json
under "real/<file>", with the Keras version.
"""
import ast
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COUNTS = os.path.join(HERE, "..", "counts.json")
SKIP = ("load_data", "to_categorical", ".save(", "image_dataset_from_directory", ".fit(", "plot_model", "load_model", "plt.", ".map(",
        "load_img", ".predict(", ".summary()", "img_to_array", "ops.sigmoid(predictions", "print(", ".compile(")
# file -> the --class name cnncalc is given (a module-level model or the function that builds it)
MODELS = {
    "keras_cats_dogs.py": ["make_model", "model"],
    "keras_dcgan.py": ["generator", "discriminator"],
    "keras_augmented.py": ["model"],
}


def run(path: str) -> dict:
    """The file's namespace after its model-building statements."""
    text = open(path).read()
    ns: dict = {"__name__": "keras_truth"}
    for stmt in ast.parse(text).body:
        source = ast.get_source_segment(text, stmt) or ""
        if any(word in source for word in SKIP):
            continue
        try:
            exec(compile(ast.Module([stmt], []), path, "exec"), ns)
        except (ImportError, NameError):  # a module not installed (tensorflow), a name skipped above
            continue
    return ns


def built(ns: dict, text: str, name: str):
    value = ns[name]
    if callable(value) and not hasattr(value, "count_params"):
        call = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Name) and n.func.id == name)
        return eval(compile(ast.Expression(call), "call", "eval"), ns)
    return value


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    counts = json.load(open(COUNTS))
    for file, names in MODELS.items():
        path = os.path.join(HERE, file)
        ns = run(path)
        for name in names:
            model = built(ns, open(path).read(), name)
            size = lambda ws: sum(int(w.numpy().size) for w in ws)
            counts[f"real/{file}:{name}"] = {
                "class": name, "params": model.count_params(), "trainable": size(model.trainable_weights),
                "output": list(model.outputs[0].shape[1:]),
                "source": f"{file} built by Keras itself (tests/readers/real/keras_truth.py); model.count_params()",
                "framework": f"keras {keras.__version__}"}
    with open(COUNTS, "w") as fh:
        json.dump(counts, fh, indent=2, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    sys.exit(main())
