"""The zoo of published networks (architectures/, shipped in the package as cnncalc/zoo): found
beside this module in the source tree and in an installed package alike."""
from __future__ import annotations

from pathlib import Path

ZOO = Path(__file__).resolve().parent / "zoo"


def zoo_specs() -> list[Path]:
    """Every zoo spec, sorted by file name."""
    return sorted(ZOO.glob("*.yaml")) if ZOO.is_dir() else []


def zoo_path(name: str) -> Path | None:
    """The zoo spec called `name` (`vgg16`, `VGG16.yaml`), or None."""
    stem = name.lower().removesuffix(".yaml")
    return next((p for p in zoo_specs() if p.stem.lower() == stem), None)


def zoo_networks() -> list[tuple[str, str]]:
    """(zoo name, the network's title) of each zoo spec: the names `cnncalc summary NAME` takes."""
    import yaml
    rows = []
    for p in zoo_specs():
        try:
            title = (yaml.safe_load(p.read_text(encoding="utf-8")) or {}).get("name", "")
        except (OSError, yaml.YAMLError, AttributeError):
            title = ""
        rows.append((p.stem, str(title)))
    return rows
