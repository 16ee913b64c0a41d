"""Whether a Keras layer holds weights (what decides if a frozen layer keeps trainable=False and
if a layer called twice is refused as shared) is asked of the kind it reads as, never of a
hand-kept list a new kind could be missing from (LayerScale was, and counted as trainable)."""
from cnncalc.kinds import KINDS
from cnncalc.kinds.base import no_weights
from cnncalc.readers.keras_layers import has_params

CONFIGS = {  # as Keras 3 writes them (get_config), trimmed to what the reader reads
    "Conv2D": {"name": "c", "filters": 4, "kernel_size": [3, 3]},
    "Dense": {"name": "d", "units": 3},
    "ReLU": {"name": "r"},
    "Add": {"name": "a"},
    "MaxPooling2D": {"name": "m", "pool_size": [2, 2]},
    "LayerScale": {"name": "s", "init_values": 1e-6, "projection_dim": 4},
}


def test_weighted_and_weightless_layers():
    assert {c: has_params(c, cfg) for c, cfg in CONFIGS.items()} == {
        "Conv2D": True, "Dense": True, "ReLU": False, "Add": False, "MaxPooling2D": False, "LayerScale": True}


def test_the_answer_comes_from_the_kind(monkeypatch):
    relu = KINDS["relu"]
    monkeypatch.setattr(relu, "make_weights", lambda self, r, rng, dtype: {"w": None})
    assert has_params("ReLU", CONFIGS["ReLU"]) is True
    monkeypatch.setattr(relu, "make_weights", no_weights)
    assert has_params("ReLU", CONFIGS["ReLU"]) is False


def test_a_layer_that_cannot_be_read_counts_as_weighted():
    assert has_params("NoSuchLayer", {}) is True
