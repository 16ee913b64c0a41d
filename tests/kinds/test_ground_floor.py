"""The ground floor: the vocabularies the kinds import at the top of their modules import nothing
above them, so the registry has no import cycle through them."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parents[1]
GROUND = ("errors", "formulas", "shapes", "results", "codetext", "spelling", "explain")


def imported(module: str) -> set[str]:
    """Every cnncalc module `module` imports, at the top or inside a function (not TYPE_CHECKING)."""
    tree = ast.parse((ROOT / "cnncalc" / f"{module}.py").read_text())
    checking = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    out = set()
    for n in ast.walk(tree):
        if id(n) in checking:
            continue
        if isinstance(n, ast.ImportFrom) and n.level == 1:
            out |= {n.module} if n.module else {a.name for a in n.names}
        elif isinstance(n, ast.ImportFrom) and (n.module or "").startswith("cnncalc"):
            out.add(n.module.split(".")[1])
    return out


@pytest.mark.parametrize("module", GROUND)
def test_ground_module_imports_only_the_ground_floor(module):
    assert imported(module) <= set(GROUND), f"cnncalc.{module} imports {sorted(imported(module) - set(GROUND))}"


def test_importing_the_ground_floor_loads_no_kind_infer_spec_export_or_numpy():
    """(Beyond what `import cnncalc` itself loads: the package binds its API.)"""
    code = ("import sys, cnncalc\nbefore = set(sys.modules)\n" + "".join(f"import cnncalc.{m}\n" for m in GROUND)
            + "print(sorted(m for m in set(sys.modules) - before if m.startswith(('cnncalc.kinds', "
              "'cnncalc.infer', 'cnncalc.spec', 'cnncalc.export', 'cnncalc.ops', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_kind_modules_import_no_engine():
    """A kind module's imports, top or function level, are the ground floor, its own package, and
    the executor's NumPy operations (through base.numpy_ops, inside the facets)."""
    for path in sorted((ROOT / "cnncalc" / "kinds").glob("*.py")):
        tree = ast.parse(path.read_text())
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom) and n.level == 2:
                names = {n.module} if n.module else {a.name for a in n.names}
                assert names <= {*GROUND, "ops"}, f"{path.name}:{n.lineno} imports {sorted(names)}"
