"""No spec, however odd, makes cnncalc fail with anything but a CnncalcError (one line, exit 2):
hypothesis writes layers of every kind with arguments of every YAML type."""
from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError, infer, parse_spec
from cnncalc.kinds import ARG_ALIASES, KINDS

ARGS = sorted({n for cls in set(KINDS.values()) for n in cls.spec_args()} | {"name", "id", "inputs"}
              | set(ARG_ALIASES))
SCALARS = st.one_of(
    st.integers(-3, 40), st.integers(-(1 << 40), 1 << 40), st.booleans(), st.none(),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["same", "valid", "relu", "x", "", "3:3", "010", "off", "1e3"]),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=4), st.lists(st.lists(st.integers(-1, 5), max_size=3), max_size=3),
                   st.dictionaries(st.sampled_from(["a", "kernel"]), st.integers(0, 3), max_size=2))


@st.composite
def specs(draw):
    inp = draw(st.one_of(st.lists(st.integers(-1, 40), min_size=0, max_size=5), SCALARS))
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(sorted(KINDS) + ["Conv2D", "MaxPool2d", "bogus"]))
        form = draw(st.integers(0, 2))
        if form == 0:
            layers.append(kind)
        elif form == 1:
            layers.append({kind: draw(SCALARS)})
        else:
            layers.append({kind: draw(st.dictionaries(st.sampled_from(ARGS), VALUES, max_size=5))})
    return yaml.safe_dump({"input": inp, "layers": layers}, default_flow_style=None, allow_unicode=True)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs())
def test_any_spec_is_a_result_or_a_cnncalc_error(text):
    try:
        summary = infer(parse_spec(text, "fuzz.yaml"))
    except CnncalcError as e:
        line = str(e)
        assert line.startswith("fuzz.yaml") and "\n" not in line, line
        return
    assert all(all(isinstance(v, int) and v >= 1 for v in r.output_shape) for r in summary.layers)
    assert all(r.params >= 0 for r in summary.layers)
