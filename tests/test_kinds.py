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


def test_kind_modules_do_not_import_numpy_or_exporters_at_import():
    import subprocess
    import sys
    code = ("import sys, cnncalc.kinds; bad = [m for m in ('numpy', 'cnncalc.export', 'cnncalc.executor') "
            "if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_the_base_declares_no_facet_itself():
    for attr in FACETS.values():
        assert not _declared(Layer, attr) or attr == "DIAGNOSES"
