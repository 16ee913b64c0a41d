"""solve input's per-axis walk (cnncalc.solve.inputs._plan): a chain's conv and pooling layers are
walked on the axis sizes alone, so `--max 65536` on a 5,000-layer net takes seconds (issue 14),
and the answers equal a full inference of every candidate size."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import load_spec, parse_spec
from cnncalc.solve import inputs as S
from cnncalc.errors import CnncalcError
from tests.conftest import ZOO, zoo


def full_scan(spec, **kw):
    """The answer with no plan: every candidate size through a full inference."""
    plan = S._plan
    S._plan = lambda *args: None
    try:
        return S.input_sizes(spec, **kw)
    finally:
        S._plan = plan


def same_answer(spec, **kw):
    try:
        fast = S.input_sizes(spec, **kw)
    except CnncalcError as e:
        with pytest.raises(type(e)):
            full_scan(spec, **kw)
        return None
    assert fast == full_scan(spec, **kw)
    return fast


ZOO_SPECS = sorted(p.name for p in ZOO.glob("*.yaml"))


@pytest.mark.parametrize("name", zoo(ZOO_SPECS))
def test_zoo_walk_equals_full_scan(name):
    spec = load_spec(str(ZOO / name))
    if len(spec.input) < 2:
        pytest.skip("no spatial axis")
    same_answer(spec, max_size=260)
    if len(spec.input) == 3:  # a non-square input: each axis on its own
        same_answer(spec, max_size=120, given=(spec.input[0] + 1, spec.input[1], spec.input[2]))


def layer(dims: int):
    """One layer line of a random chain on `dims` spatial axes."""
    return st.one_of(
        st.builds(lambda f, s, p, d: f"conv: {{filters: 2, kernel: {f}, stride: {s}, padding: {p}, dilation: {d}}}",
                  st.integers(1, 5), st.integers(1, 3), st.sampled_from(["0", "1", "2", "same", "valid", "[1, 0]"]),
                  st.integers(1, 2)),
        st.builds(lambda k, f, s, p, c: f"{k}: {{kernel: {f}, stride: {s}, padding: {p}, ceil_mode: {c}}}",
                  st.sampled_from([f"maxpool{dims}d", f"avgpool{dims}d"]), st.integers(1, 4), st.integers(1, 3),
                  st.sampled_from(["0", "1", "valid", "same"]), st.sampled_from(["false", "true"])),
        st.sampled_from(["relu", "batchnorm", "dropout: 0.5", "depthwiseconv2d: {kernel: 3, padding: same}",
                         "conv2d: {filters: 2, kernel: [3, 2], stride: [2, 1], padding: [1, 0]}",
                         "upsample: 2", "cropping2d: 1", "conv2dtranspose: {filters: 2, kernel: 3, stride: 2}",
                         "global_avgpool", "flatten", "dense: 3"]),
    )


@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), dims=st.sampled_from([1, 2]), n=st.integers(8, 40), other=st.integers(0, 3))
def test_random_chain_walk_equals_full_scan(data, dims, n, other):
    layers = data.draw(st.lists(layer(dims), min_size=1, max_size=7))
    shape = [n, n + other][:dims] + [2]
    text = f"input: {shape}\nlayers:\n" + "".join(f"  - {line}\n" for line in layers)
    try:
        spec = parse_spec(text)
    except CnncalcError:
        return
    same_answer(spec, max_size=70)


def deep_net(layers: int) -> str:
    """`layers` layers: 3x3 convs with padding 1, each followed by ReLU, a 2x2 pooling every
    1,000 layers, then a global pooling and a dense layer."""
    lines = ["input: [224, 224, 3]", "layers:"]
    while len(lines) - 2 < layers - 2:
        if (len(lines) - 2) % 1000 == 999:
            lines.append("  - maxpool2d: 2")
        else:
            lines.append("  - conv: {filters: 8, kernel: 3, padding: 1}" if len(lines) % 2 else "  - relu")
    lines += ["  - global_avgpool", "  - dense: 10"]
    return "\n".join(lines) + "\n"


def test_deep_net_max_65536_in_seconds():
    spec = parse_spec(deep_net(5000))
    assert len(spec.layers) == 5000
    start = time.perf_counter()
    a = S.input_sizes(spec, max_size=65536)
    took = time.perf_counter() - start
    pools = sum(layer.kind.startswith("maxpool") for layer in spec.layers)
    # padding 1 keeps every 3x3 conv's size; each 2x2 pool needs an even size: multiples of 2**pools
    assert a.exact_sizes == tuple(range(2 ** pools, 65536 + 1, 2 ** pools))
    assert a.smallest == 2 ** pools  # a pool needs 2 rows: 1 row would be refused by the first
    assert took < 20, f"solve input --max 65536 on 5,000 layers took {took:.1f} s"


def test_deep_net_cli(tmp_path):
    from typer.testing import CliRunner
    from cnncalc.cli import app
    path = tmp_path / "deep.yaml"
    path.write_text(deep_net(5000))
    result = CliRunner().invoke(app, ["solve", "input", str(path), "--max", "65536"])
    assert result.exit_code == 0, result.output
