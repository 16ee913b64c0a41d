"""The registry of kinds: every kind declares every facet, once, in its own module."""
from __future__ import annotations

import pytest

from cnncalc import kinds
from cnncalc.kinds.base import FACETS, Layer


def _declared(cls: type, attr: str) -> bool:
    value = getattr(cls, attr, None)
    return value is not None and not getattr(value, "pending", False)


@pytest.mark.parametrize("facet", list(FACETS))
def test_every_kind_declares_the_facet(facet):
    missing = [cls.__name__ for cls in kinds.classes() if not _declared(cls, FACETS[facet])]
    assert not missing, f"kinds without the `{facet}` facet ({FACETS[facet]}): {', '.join(missing)}"


def test_every_class_has_names_and_a_shape_docstring():
    for cls in kinds.classes():
        assert cls.NAMES, cls.__name__
        assert cls.__doc__ and "Shape" in cls.__doc__, f"{cls.__name__} documents no `Shape:` formula"


def test_every_name_maps_to_its_class_and_aliases_to_names():
    for cls in kinds.classes():
        for name in cls.NAMES:
            assert kinds.KINDS[name] is cls
        for alias, name in cls.ALIASES.items():
            assert alias == kinds.normal(alias) and name in kinds.KINDS, (cls.__name__, alias)


def test_the_lazy_index_is_current():
    from pathlib import Path
    assert (Path(kinds.__file__).parent / "index.py").read_text() == kinds.index_py(), \
        "cnncalc/kinds/index.py is stale: python -m cnncalc.kinds.doc --index > cnncalc/kinds/index.py"


def test_families_load_only_when_used():
    """A VGG-16 summary imports the families of its kinds, not batchnorm's or merge's."""
    import subprocess
    import sys
    code = ("import sys; from cnncalc import api; api.summarize('architectures/vgg16.yaml'); "
            "print(sorted(m.split('.')[-1] for m in sys.modules if m.startswith('cnncalc.kinds.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)
    assert "conv" in loaded and not {"norm", "merge", "channels", "scale"} & set(loaded), loaded


def test_kind_modules_do_not_import_numpy_or_exporters_at_import():
    import subprocess
    import sys
    code = ("import sys, cnncalc.kinds; cnncalc.kinds.families(); bad = [m for m in ('numpy', 'cnncalc.export', 'cnncalc.executor') "
            "if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_base_declares_no_facet_itself():
    for attr in FACETS.values():
        assert not _declared(Layer, attr) or attr == "DIAGNOSES"


# -- rescaling ---------------------------------------------------------------------------------
RESCALE = "input: [8, 8, 3]\nlayers:\n  - rescaling: {scale: 0.5, offset: -1}\n  - conv2d: {filters: 4, kernel: 3}\n"


def test_rescaling_counts():
    import cnncalc
    s = cnncalc.summarize(cnncalc.load(RESCALE), flops_convention="full")
    r, m = s.layers[0], s.metrics.layers[0]
    assert (r.output_shape, r.params, m.macs, m.flops) == ((8, 8, 3), 0, 0, 2 * 8*8*3)
    assert s.totals.params == 3*3*3*4 + 4
    assert cnncalc.working(s)[0] == ["out = x * 0.5 - 1, per value; params = 0"]


def test_rescaling_runs_and_exports(tmp_path):
    import numpy as np

    import cnncalc
    from cnncalc.executor import run_layer
    v = cnncalc.verify(cnncalc.load(RESCALE))
    assert v.agree
    x = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3)
    layer = cnncalc.load(RESCALE).layers[0]
    np.testing.assert_array_equal(run_layer(layer, x)[0], x * 0.5 - 1)
    for to in ("pytorch", "keras"):
        compile(cnncalc.export_code(cnncalc.load(RESCALE), to), "<export>", "exec")


def test_rescaling_matches_keras():
    import os
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    import numpy as np
    layer = keras.layers.Rescaling(0.5, offset=-1.0)
    x = np.arange(6, dtype="float32").reshape(1, 1, 2, 3)
    y = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(y, x * 0.5 - 1)
    assert layer.count_params() == 0  # keras 3.15.1
