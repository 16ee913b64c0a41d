"""The package's layout: what depends on which kind a layer is lives in the kind (cnncalc/kinds),
and no module imports in a circle, counting imports inside functions."""
import ast
from pathlib import Path

from cnncalc import kinds

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnncalc"
KIND_NAMES = set(kinds.KINDS)
KIND_CLASSES = {cls.__name__ for cls in kinds.classes()}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _names(node) -> set[str]:
    return {n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node) if isinstance(n, (ast.Name, ast.Attribute))}


def _strings(node) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_no_code_outside_the_kinds_asks_which_kind_a_layer_is():
    """No isinstance/issubclass with a kind class, no dict keyed by one, and (outside the readers,
    which may name framework ops) no comparison with a kind's name."""
    found = []
    for name, path in modules():
        if name.startswith("cnncalc.kinds"):
            continue
        for n in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(ROOT)}:{getattr(n, 'lineno', 0)}"
            if isinstance(n, ast.Call) and getattr(n.func, "id", "") in ("isinstance", "issubclass") and len(n.args) == 2:
                found += [f"{where} {c}" for c in _names(n.args[1]) & KIND_CLASSES]
            elif isinstance(n, ast.Dict):
                found += [f"{where} key {c}" for k in n.keys if k is not None for c in _names(k) & KIND_CLASSES]
            elif isinstance(n, ast.Compare) and not name.startswith("cnncalc.readers"):
                found += [f"{where} '{s}'" for s in _strings(n) & KIND_NAMES]
    assert not found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text())
    checking = {id(x) for n in ast.walk(tree) if isinstance(n, ast.If) and "TYPE_CHECKING" in _names(n.test)
                for x in ast.walk(n)}
    out = set()
    for n in ast.walk(tree):
        if id(n) in checking or not isinstance(n, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(n, ast.Import):
            targets = [a.name for a in n.names]
        else:
            base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            full = ".".join(base[:len(base) - n.level + 1] + [n.module] if n.module else base[:len(base) - n.level + 1]) \
                if n.level else n.module or ""
            targets = [f"{full}.{a.name}" if f"{full}.{a.name}" in known else full for a in n.names]
        for t in targets:
            while t and t not in known and "." in t:
                t = t.rsplit(".", 1)[0]
            if t in known and t != name:
                out.add(t)
    return out


def test_no_import_cycles():
    paths = dict(modules())
    edges = {name: _imports(name, path, set(paths)) for name, path in paths.items()}
    done, cycles = set(), []

    def visit(name, trail):
        if name in trail:
            cycles.append(trail[trail.index(name):] + [name])
            return
        if name in done:
            return
        for other in sorted(edges[name]):
            visit(other, trail + [name])
        done.add(name)

    for name in sorted(edges):
        visit(name, [])
    assert not cycles, cycles[:3]
