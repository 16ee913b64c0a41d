"""Exported PyTorch code, executed: every layer's output shape and parameter count must equal
cnncalc's. Runs only where torch is installed (e.g. /work/venv-torch)."""
from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from hypothesis import HealthCheck, assume, given, settings, strategies as st  # noqa: E402

from cnncalc import CnncalcError, infer, load_spec, parse_spec  # noqa: E402
from cnncalc.export import ExportError, export  # noqa: E402
from tests.conftest import ZOO  # noqa: E402

ZOO_SPECS = sorted(p.name for p in ZOO.glob("*.yaml"))


def channels_last(shape) -> tuple[int, ...]:
    """torch (N, C, *spatial) or (N, n) -> the spec's channels-last shape without the batch."""
    s = tuple(shape[1:])
    return s if len(s) == 1 else (*s[1:], s[0])


def build(summary, device: str = "cpu"):
    """exec the exported module (not as __main__) and construct its class with no arguments."""
    ex = export(summary, "pytorch")
    ns: dict = {"__name__": "exported"}
    exec(compile(ex.code, "exported.py", "exec"), ns)
    with torch.device(device):
        model = ns[ex.class_name]()
    return ex, model.eval()


def run_and_compare(summary, device: str = "cpu") -> None:
    ex, model = build(summary, device)
    modules = dict(model.named_modules())
    shapes: dict[str, tuple[int, ...]] = {}
    for layer, op in ex.outputs.items():
        modules[op].register_forward_hook(
            lambda m, i, o, layer=layer: shapes.__setitem__(layer, channels_last(o.shape)))
    inp = summary.spec.input
    shape = (1, *inp) if len(inp) == 1 else (1, inp[-1], *inp[:-1])
    ids = any(r.layer.kind == "embedding" for r in summary.layers)
    x = torch.zeros(shape, dtype=torch.long if ids else torch.float32, device=device)
    with torch.no_grad():
        y = model(x)
    assert channels_last(y.shape) == summary.output_shape
    for r in summary.layers:
        name = r.layer.name
        assert shapes[name] == r.output_shape, f"{name}: torch {shapes[name]} vs cnncalc {r.output_shape}"
        ops = [modules[op] for op in ex.ops[name]]
        params = sum(p.numel() for m in ops for p in m.parameters())
        # cnncalc counts batchnorm as Keras does: 2C trainable (gamma, beta) + 2C non-trainable
        # (moving mean, variance). torch keeps the latter as buffers, outside parameters().
        stats = sum(b.numel() for m in ops for n, b in m.named_buffers() if n.split(".")[-1].startswith("running_"))
        assert params == r.trainable_params, f"{name}: torch {params} vs cnncalc {r.trainable_params}"
        assert stats == r.non_trainable_params, name
    total = sum(p.numel() for p in model.parameters())
    assert total == summary.totals.trainable_params


BIG = 2_000_000  # parameters; above this the model is built on the meta device (shapes only)


@pytest.mark.slow
@pytest.mark.parametrize("name", ZOO_SPECS)
def test_zoo(name):
    summary = infer(load_spec(str(ZOO / name)))
    run_and_compare(summary, "meta" if summary.totals.params > BIG else "cpu")


LAYER_SPECS = [
    # TF 'same' with stride 2: asymmetric (0, 1) -> ZeroPad2d then Conv2d
    ("[7, 8, 3]", "conv2d: {filters: 4, kernel: 3, stride: 2, padding: same}"),
    ("[9, 9, 2]", "conv2d: {filters: 4, kernel: 4, padding: same, dilation: 2}"),
    ("[9, 9, 4]", "conv2d: {filters: 6, kernel: 3, padding: [[1, 2], [0, 3]], groups: 2}"),
    ("[9, 9, 4]", "depthwise_conv2d: {kernel: 3, depth_multiplier: 3, stride: 2, padding: same}"),
    ("[9, 9, 4]", "depthwise_conv2d: {kernel: 3, stride: 2, dilation: 2, padding: same}"),
    ("[9, 9, 4]", "depthwise_conv2d: {kernel: 3, stride: 2, dilation: 2}"),
    ("[5, 5, 3]", "conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: 1, output_padding: 1}"),
    ("[5, 5, 3]", "conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: same}"),
    ("[5, 5, 3]", "conv_transpose2d: {filters: 2, kernel: 4, stride: 1, padding: same}"),
    ("[5, 6, 3]", "conv_transpose2d: {filters: 2, kernel: 2, stride: 3, padding: valid}"),
    ("[5, 6, 3]", "conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: same, output_padding: 1}"),
    ("[5, 6, 3]", "conv_transpose2d: {filters: 2, kernel: 3, stride: 2, padding: [[0, 2], [1, 0]]}"),
    ("[8, 3]", "conv_transpose1d: {filters: 2, kernel: 5, stride: 3, padding: same}"),
    # ceil_mode on 7: the same windows as Keras 'same' (Keras export uses it); on 8: not
    ("[7, 7, 3]", "maxpool2d: {kernel: 3, stride: 2, padding: 1, ceil_mode: true}"),
    ("[8, 8, 3]", "maxpool2d: {kernel: 3, stride: 2, padding: 1, ceil_mode: true, name: p8}"),
    ("[7, 7, 3]", "maxpool2d: {kernel: 2, stride: 2, padding: same}"),
    ("[7, 7, 3]", "avgpool2d: {kernel: 2, stride: 2, padding: same}"),
    ("[8, 8, 3]", "avgpool2d: {kernel: 3, stride: 1, padding: same}"),
    ("[6, 6, 3]", "maxpool2d: {kernel: 3, stride: 2, dilation: 2, ceil_mode: true}"),
    ("[4, 5, 6, 3]", "conv3d: {filters: 2, kernel: 3, stride: 2, padding: same}"),
    ("[4, 5, 6, 3]", "maxpool3d: {kernel: 2, padding: same}"),
    ("[10, 4]", "batchnorm"),
    ("[10]", "batchnorm: {affine: false}"),
    ("[10, 10, 3]", "zeropad2d: {padding: [[1, 2], [3, 0]]}"),
    ("[10, 10, 3]", "global_maxpool: {keepdims: true}"),
    ("[10, 3]", "global_avgpool"),
    ("[12, 10, 3]", "adaptive_maxpool2d: {output: [5, 3]}"),
    ("[12, 10, 8]", "lrn: {size: 3}"),
    ("[12]", "embedding: {vocab: 50, dim: 8}"),
    ("[12, 10, 8]", "leaky_relu: {negative_slope: 0.2}"),
    ("[12, 10, 8]", "softmax"),
    ("[12, 10, 8]", "conv: {filters: 3, kernel: 1, activation: leaky_relu}"),
]


GOLDEN_SPECS = ["kinds.yaml", "text.yaml", "branched.yaml"]  # tests/golden/export/


@pytest.mark.parametrize("name", GOLDEN_SPECS)
def test_golden_specs(name):
    from cnncalc.kinds import KINDS
    if name == "branched.yaml" and "add" not in KINDS:
        pytest.skip("branch kinds (add, concat, ...) not in this checkout")
    run_and_compare(infer(load_spec(str(ZOO.parent / "tests" / "golden" / "export" / name))))


@pytest.mark.parametrize("inp,layer", LAYER_SPECS)
def test_layer(inp, layer):
    run_and_compare(infer(parse_spec(f"input: {inp}\nlayers:\n  - {layer}\n")))


# -- a sweep of single window layers --------------------------------------------------------
KINDS = ("conv2d", "conv1d", "maxpool2d", "avgpool2d", "conv_transpose2d", "depthwise_conv2d")


@st.composite
def window_layer(draw):
    kind = draw(st.sampled_from(KINDS))
    dims = 1 if kind.endswith("1d") else 2
    n = draw(st.lists(st.integers(1, 12), min_size=dims, max_size=dims))
    c = draw(st.sampled_from([1, 2, 4]))
    f = draw(st.integers(1, 5))
    s = draw(st.integers(1, 3))
    d = draw(st.integers(1, 2))
    args = {"kernel": f, "stride": s}
    pad = draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 2)))
    args["padding"] = pad
    if kind.startswith(("conv", "depthwise")) or kind.startswith("max"):
        args["dilation"] = d
    if kind in ("conv2d", "conv1d", "conv_transpose2d"):
        g = draw(st.sampled_from([1, c]))
        args["filters"] = g * draw(st.integers(1, 2))
        args["groups"] = g
    if kind == "depthwise_conv2d":
        args["depth_multiplier"] = draw(st.integers(1, 2))
    if kind.endswith("pool2d"):
        args["ceil_mode"] = draw(st.booleans())
        if kind.startswith("avg"):
            args["count_include_pad"] = draw(st.booleans())
    if kind == "conv_transpose2d" and draw(st.booleans()):
        args["output_padding"] = draw(st.integers(0, 2))
    body = ", ".join(f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in args.items())
    return f"input: [{', '.join(map(str, n))}, {c}]\nlayers:\n  - {kind}: {{{body}}}\n"


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(window_layer())
def test_sweep(text):
    try:
        summary = infer(parse_spec(text))
    except CnncalcError:
        assume(False)  # cnncalc (like torch) refuses it
    try:
        run_and_compare(summary)
    except ExportError as e:
        # the one case torch cannot say: Keras 'same' average pooling with an asymmetric split
        # that torch's symmetric padding + ceil_mode does not reproduce
        assert "'same' average pooling" in str(e), (text, str(e))
