"""What `cnncalc import` writes reads back as the same spec: one emitter (readers/common.scalar)
quotes every string that would not read back as itself, whatever a model file names its layers
or puts in a string argument (newlines, line separators, quotes, YAML syntax, `null`, numbers)."""
from __future__ import annotations

import glob

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError, parse_spec
from cnncalc.kinds import classes
from cnncalc.readers.common import INPUT, Node, scalar, write
from tests.conftest import ZOO

FUZZ = settings(max_examples=200, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
KINDS = sorted({name for cls in classes() for name in cls.NAMES})
TRICKY = st.sampled_from(["a\n", "a\r\n", " a", "a ", "a\u2028b", "a\x85", "null", "Null", "~", "yes", "off",
                          "1", "0x10", "1_000", "1:30", ".inf", "-.nan", "1e3", "a: b", "- a", "[a]", "{a: 1}",
                          "#a", "a #b", "&a", "*a", "!a", "|", ">", "'", '"', "%a", "@a", "`a", "\ud800",
                          "\U0001f600", "\x1b]0;t\x07", "\u202e", "relu: {name: a}\n  - dense: {units: 3}"])
WORDS = st.one_of(TRICKY, st.text(max_size=12), st.from_regex(r"[A-Za-z_][A-Za-z0-9_./\-]{0,8}", fullmatch=True))
VALUES = st.one_of(WORDS, st.integers(-10**18, 10**18), st.booleans(),
                   st.floats(allow_nan=False, allow_infinity=False), st.lists(st.integers(0, 9), max_size=3))


def _layers(text: str) -> list:
    return yaml.safe_load(text)["layers"]


def _as_written(value):
    """A float as the spec reads it: YAML 1.2 forms such as 5e-324 are strings to PyYAML, and
    spec.py reads them as the float wherever a number belongs."""
    return repr(value) if isinstance(value, float) and "." not in repr(value) else value


@FUZZ
@given(kind=st.one_of(st.sampled_from(KINDS), WORDS),
       args=st.dictionaries(st.one_of(st.sampled_from(["filters", "padding", "activation"]), WORDS), VALUES,
                            max_size=3),
       name=WORDS)
def test_every_kind_name_and_argument_reads_back(kind, args, name):
    args = {k: v for k, v in args.items() if k not in ("inputs", "name")}
    node = Node(kind, args, name, (INPUT,))
    written = write([node], (8, 8, 3), name=name, source="m.py\n- x", what="a test")
    (layer,) = _layers(written.text)
    ((read_kind, read_args),) = layer.items()
    assert read_kind == kind
    assert read_args == {**{k: _as_written(v) for k, v in args.items()}, "name": name}
    assert yaml.safe_load(written.text)["name"] == name


@FUZZ
@given(value=VALUES)
def test_one_scalar_reads_back(value):
    assert yaml.safe_load("k: " + scalar(value))["k"] == _as_written(value)


def _zoo_layers() -> list[tuple[str, dict]]:
    """The flat layers of the zoo's specs, one per kind."""
    kinds: dict = {}
    for path in sorted(glob.glob(str(ZOO / "*.yaml"))):
        doc = yaml.safe_load(open(path))
        for item in doc.get("layers", []):
            if isinstance(item, dict) and len(item) == 1:
                ((kind, args),) = item.items()
                if kind in KINDS and isinstance(args, (dict, type(None))) and "inputs" not in (args or {}):
                    kinds.setdefault(kind, dict(args or {}))
    return sorted(kinds.items())


ZOO_LAYERS = _zoo_layers()


@FUZZ
@given(index=st.integers(0, len(ZOO_LAYERS) - 1), name=WORDS)
def test_a_spec_import_writes_reads_back_with_the_same_names(index, name):
    kind, args = ZOO_LAYERS[index]
    nodes = [Node(kind, {k: v for k, v in args.items() if k != "name"}, name, (INPUT,)),
             Node("relu", {}, name + "_2", (name,))]
    written = write(nodes, (16, 16, 8), name="net", source="net.py", what="a test")
    try:
        spec = parse_spec(written.text)
    except CnncalcError:
        return  # a name or a layer the spec refuses is refused, never read as another
    assert [layer.name for layer in spec.layers][-2:] == [name, name + "_2"]
