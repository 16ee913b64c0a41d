"""Compute, memory and receptive field (cnncalc.metrics) and how summary shows them."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest
from hypothesis import given, settings, strategies as st

from cnncalc import infer, load_spec, parse_spec
from cnncalc import kinds as L
from cnncalc import metrics as M
from cnncalc.render import formats, json_doc, table
from cnncalc.spec import Spec
from tests.conftest import ZOO

ZOO_FILES = sorted(p.name for p in ZOO.glob("*.yaml"))


def zoo(name: str, **kw) -> M.Metrics:
    return M.compute(infer(load_spec(str(ZOO / name))), **kw)


def net(text: str, **kw) -> M.Metrics:
    return M.compute(infer(parse_spec(text)), **kw)


def by_name(ms: M.Metrics, name: str) -> M.LayerMetrics:
    return next(m for m in ms.layers if m.layer.name == name)


def one(layer: str, shape: str, **kw) -> M.LayerMetrics:
    """Metrics of the single layer `layer` on input `shape`."""
    return net(f"input: {shape}\nlayers:\n  - {layer}\n", **kw).layers[0]


# --- published figures -----------------------------------------------------------------------

VGG16_MACS = (224*224*64*3*3*3 + 224*224*64*3*3*64                      # block 1
              + 112*112*128*3*3*64 + 112*112*128*3*3*128                # block 2
              + 56*56*256*3*3*128 + 2*56*56*256*3*3*256                 # block 3
              + 28*28*512*3*3*256 + 2*28*28*512*3*3*512                 # block 4
              + 3*14*14*512*3*3*512                                     # block 5
              + 7*7*512*4096 + 4096*4096 + 4096*1000)                   # fc1, fc2, predictions
ALEXNET_TV_MACS = (55*55*64*11*11*3 + 27*27*192*5*5*64 + 13*13*384*3*3*192
                   + 13*13*256*3*3*384 + 13*13*256*3*3*256
                   + 6*6*256*4096 + 4096*4096 + 4096*1000)


@pytest.mark.parametrize("spec, macs", [
    # torchinfo VGG-16 "Total mult-adds (G): 15.48" counts bias adds too (see the next test);
    # without them: 15,470,264,320 (fvcore's count, the "15.47 G" usually quoted).
    ("vgg16.yaml", VGG16_MACS),
    ("vgg16.yaml", 15_470_264_320),
    # torchvision AlexNet at 224 (architectures/alexnet_torchvision.yaml): 714,188,480.
    ("alexnet_torchvision.yaml", ALEXNET_TV_MACS),
    ("alexnet_torchvision.yaml", 714_188_480),
    # VGG-19: 19.63 G multiply-accumulates at 224 (architectures/vgg19.yaml).
    ("vgg19.yaml", VGG16_MACS + 56*56*256*3*3*256 + 28*28*512*3*3*512 + 14*14*512*3*3*512),
])
def test_published_macs(spec, macs):
    assert zoo(spec).totals.macs == macs


def test_vgg19_and_mobilenet_rounded_figures():
    assert round(zoo("vgg19.yaml").totals.macs / 1e9, 2) == 19.63
    # Howard et al. 2017, Table 8: MobileNet-224 1.0, "569 Million Mult-Adds".
    assert round(zoo("mobilenet_v1.yaml").totals.macs / 1e6) == 569


def test_torchinfo_mult_adds_are_macs_plus_bias_adds():
    # torchinfo's VGG-16 summary: "Total mult-adds (G): 15.48"; torchinfo adds one per biased
    # output value (layer_info.calculate_macs counts "weight" and "bias" alike).
    s = infer(load_spec(str(ZOO / "vgg16.yaml")))
    biased_outputs = sum(r.output_shape[-1] * (r.activation_size // r.output_shape[-1])
                         for r in s.layers if getattr(r.layer, "bias", False))
    assert round((M.compute(s).totals.macs + biased_outputs) / 1e9, 2) == 15.48


# --- MACs per layer kind ---------------------------------------------------------------------

@pytest.mark.parametrize("layer, shape, macs", [
    ("conv2d: {filters: 16, kernel: 3, padding: 1}", "[8, 8, 8]", 8*8*16 * 3*3*8),
    ("conv2d: {filters: 16, kernel: 3, padding: 1, groups: 4}", "[8, 8, 8]", 8*8*16 * 3*3*(8//4)),
    ("conv2d: {filters: 16, kernel: 3, padding: 1, bias: false}", "[8, 8, 8]", 8*8*16 * 3*3*8),
    ("conv2d: {filters: 4, kernel: [5, 3]}", "[9, 7, 2]", (9-5+1)*(7-3+1)*4 * 5*3*2),
    ("conv2d: {filters: 4, kernel: 3, dilation: 2}", "[9, 9, 2]", (9-5+1)**2*4 * 3*3*2),
    ("conv1d: {filters: 16, kernel: 3}", "[100, 1]", 98*16 * 3*1),
    ("conv3d: {filters: 2, kernel: 3}", "[5, 5, 5, 3]", 3*3*3*2 * 3*3*3*3),
    ("depthwise_conv2d: {kernel: 3, padding: 1}", "[8, 8, 4]", 8*8*4 * 3*3),
    ("depthwise_conv2d: {kernel: 3, padding: 1, depth_multiplier: 2}", "[8, 8, 4]", 8*8*(4*2) * 3*3),
    # transposed: every INPUT value times the kernel volume times C_out/groups
    ("conv_transpose2d: {filters: 16, kernel: 3, stride: 2}", "[4, 4, 8]", 4*4*8 * 3*3*16),
    ("conv_transpose2d: {filters: 16, kernel: 3, stride: 2, padding: 1}", "[4, 4, 8]", 4*4*8 * 3*3*16),
    ("conv_transpose2d: {filters: 16, kernel: 3, stride: 2, groups: 2}", "[4, 4, 8]", 4*4*8 * 3*3*(16//2)),
    ("conv_transpose1d: {filters: 2, kernel: 4, stride: 2}", "[10, 3]", 10*3 * 4*2),
    ("dense: 10", "[400]", 400*10),
    ("dense: {units: 10, bias: false}", "[400]", 400*10),
    ("maxpool2d: 2", "[8, 8, 3]", 0),
    ("batchnorm", "[8, 8, 3]", 0),
    ("relu", "[8, 8, 3]", 0),
    ("embedding: {vocab: 100, dim: 8}", "[20]", 0),
])
def test_layer_macs(layer, shape, macs):
    assert one(layer, shape).macs == macs


def test_transposed_is_not_counted_on_the_output():
    # The usual mistake: output values * kernel volume * C_in (what a conv of that output would
    # cost). Output 9x9 here, (4-1)*2 + 3 = 9, so the mistake over-counts by about stride^2.
    m = one("conv_transpose2d: {filters: 16, kernel: 3, stride: 2}", "[4, 4, 8]")
    assert m.result.output_shape == ((4-1)*2 + 3, (4-1)*2 + 3, 16)
    assert m.macs == 4*4*8 * 3*3*16 != 9*9*16 * 3*3*8


def test_macs_scale_with_batch():
    assert one("dense: 10", "[400]", batch=32).macs == 32 * 400*10


# --- FLOPs conventions -------------------------------------------------------------------------

@pytest.mark.parametrize("layer, shape, full", [
    # a K-term dot product is 2K-1 ops, + 1 bias add: 2K = 2*MACs per output (as torch-scan)
    ("conv2d: {filters: 4, kernel: 3}", "[6, 6, 2]", 2 * 4*4*4 * 3*3*2),
    ("conv2d: {filters: 4, kernel: 3, bias: false}", "[6, 6, 2]", 4*4*4 * (2*3*3*2 - 1)),
    ("conv2d: {filters: 4, kernel: 3, activation: relu}", "[6, 6, 2]", 2 * 4*4*4 * 3*3*2 + 4*4*4),
    ("dense: {units: 10, activation: softmax}", "[400]", 2 * 400*10 + 3*10),
    ("dense: {units: 10, bias: false}", "[400]", 10 * (2*400 - 1)),
    # transposed (scatter): every product is added into the output, then the bias
    ("conv_transpose2d: {filters: 2, kernel: 3, stride: 2}", "[4, 4, 3]", 2 * 4*4*3*3*3*2 + 9*9*2),
    ("maxpool2d: 2", "[4, 4, 3]", 2*2*3 * (2*2 - 1)),
    ("avgpool2d: 2", "[4, 4, 3]", 2*2*3 * 2*2),
    ("global_avgpool", "[4, 4, 3]", 3 * 4*4),
    ("global_maxpool", "[4, 4, 3]", 3 * (4*4 - 1)),
    # adaptive 5 -> 3: windows [0,2) [1,4) [3,5), lengths 2 + 3 + 2 per axis
    ("adaptive_avgpool2d: 3", "[5, 5, 2]", (2+3+2)**2 * 2),
    ("adaptive_maxpool2d: 3", "[5, 5, 2]", (2+3+2)**2 * 2 - 3*3*2),
    ("batchnorm", "[4, 4, 3]", 2*3 + 2*4*4*3 + 2*4*4*3),
    ("batchnorm: {affine: false}", "[4, 4, 3]", 2*3 + 2*4*4*3),
    ("relu", "[4, 4, 3]", 4*4*3),
    ("tanh", "[4, 4, 3]", 6 * 4*4*3),
    ("lrn: {size: 5}", "[4, 4, 8]", (2*5 + 3) * 4*4*8),
    ("dropout: 0.5", "[4, 4, 3]", 0),
    ("flatten", "[4, 4, 3]", 0),
    ("zeropad2d: 1", "[4, 4, 3]", 0),
])
def test_full_flops(layer, shape, full):
    assert one(layer, shape, flops_convention="full").flops == full


@pytest.mark.parametrize("convention, factor", [("2macs", 2), ("macs", 1)])
def test_mac_based_conventions(convention, factor):
    ms = zoo("vgg16.yaml", flops_convention=convention)
    assert ms.totals.flops == factor * 15_470_264_320
    assert all(m.flops == factor * m.macs for m in ms.layers)


def test_default_convention_is_2macs():
    assert zoo("lenet5.yaml").flops_convention == "2macs"


@settings(max_examples=40, derandomize=True, deadline=None)
@given(n=st.integers(3, 12), f=st.integers(1, 3), c_in=st.integers(1, 4), c_out=st.integers(1, 4),
       s=st.integers(1, 3))
def test_full_conv_flops_with_bias_are_twice_the_macs(n, f, c_in, c_out, s):
    m = one(f"conv2d: {{filters: {c_out}, kernel: {f}, stride: {s}}}", f"[{n}, {n}, {c_in}]",
            flops_convention="full")
    out = (n - f) // s + 1
    assert m.macs == out*out*c_out * f*f*c_in
    assert m.flops == 2 * m.macs


# --- receptive field ---------------------------------------------------------------------------

@pytest.mark.parametrize("spec, layer, size, jump, padding", [
    # VGG-16: 196 at block5_conv3; 212 at pool5, effective stride 32, effective padding 90
    # (convs add 2*jump: 2 at jump 1, 2 at 2, 3 at 4, 3 at 8, 3 at 16; 2x2 pools add 1*jump;
    # padding 1 per conv, times its jump: 2*1 + 2*2 + 3*4 + 3*8 + 3*16 = 90)
    ("vgg16.yaml", "block5_conv3", 1 + 2*(2*1 + 2*2 + 3*4 + 3*8 + 3*16) + (1 + 2 + 4 + 8), 16, 90),
    ("vgg16.yaml", "block5_pool", 1 + 2*(2*1 + 2*2 + 3*4 + 3*8 + 3*16) + (1 + 2 + 4 + 8 + 16), 32,
     2*1 + 2*2 + 3*4 + 3*8 + 3*16),
    ("vgg16.yaml", "block5_pool", 212, 32, 90),
    # VGG-19 block5_pool 268 (seeds digest E2): 4 convs in blocks 3-5
    ("vgg19.yaml", "block5_pool", 1 + 2*(2*1 + 2*2 + 4*4 + 4*8 + 4*16) + (1 + 2 + 4 + 8 + 16), 32,
     2*1 + 2*2 + 4*4 + 4*8 + 4*16),
    # AlexNet (227): 195 at pool5: 11 +2*4 +4*8 +2*8 +2*16*3 +2*16
    ("alexnet.yaml", "pool5", 11 + 2*4 + 4*8 + 2*8 + 3*2*16 + 2*16, 32, 2*8 + 3*16),
    # the homework LeNet: POOL2 sees 16x16 pixels, jump 4 (seeds digest C)
    ("lenet_homework.yaml", "POOL2", 5 + 1*1 + 4*2 + 1*2, 4, 0),
])
def test_published_receptive_fields(spec, layer, size, jump, padding):
    rf = by_name(zoo(spec), layer).rf
    assert [x.size for x in rf] == [size, size]
    assert [x.jump for x in rf] == [jump, jump]
    assert [x.padding for x in rf] == [padding, padding]
    assert [x.start for x in rf] == [-padding, -padding]


def test_vgg19_pool5_is_268():
    assert by_name(zoo("vgg19.yaml"), "block5_pool").rf[0].size == 268


def test_one_d_signal_rf():
    # seeds digest E1: one pool2 output sees 10 samples, jump 4: 3 + 1*1 + 2*2 + 1*2
    ms = zoo("signal1d.yaml")
    rf = ms.layers[3].rf
    assert len(rf) == 1 and (rf[0].size, rf[0].jump) == (3 + 1*1 + 2*2 + 1*2, 4)


@pytest.mark.parametrize("layers, sizes, jumps, starts", [
    # dilation: spans d*(f-1)+1 = 3, 5, 9 stack to 1 + 2*1 + 2*2 + 2*4 = 15 (WaveNet-style)
    (["conv1d: {filters: 2, kernel: 3}", "conv1d: {filters: 2, kernel: 3, dilation: 2}",
      "conv1d: {filters: 2, kernel: 3, dilation: 4}"], [1 + 2*1 + 2*2 + 2*4], [1], [0]),
    # non-square kernel and stride: H: 5 then + (3-1)*2; W: 3 then + (3-1)*1
    (["conv2d: {filters: 2, kernel: [5, 3], stride: [2, 1]}", "conv2d: {filters: 2, kernel: 3}"],
     [5 + 2*2, 3 + 2*1], [2, 1], [0, 0]),
    # padding moves the start: p=1 then p=2 at jump 2
    (["conv2d: {filters: 2, kernel: 3, padding: 1, stride: 2}", "conv2d: {filters: 2, kernel: 5, padding: 2}"],
     [3 + 4*2, 3 + 4*2], [2, 2], [-1 - 2*2, -1 - 2*2]),
    # Keras 'same' with stride 2 pads (0, 1): nothing before, so start 0
    (["conv2d: {filters: 2, kernel: 3, stride: 2, padding: same}"], [3, 3], [2, 2], [0, 0]),
    # zero padding shifts the start without growing the window
    (["zeropad2d: 2", "conv2d: {filters: 2, kernel: 3}"], [3, 3], [1, 1], [-2, -2]),
    # global pooling sees all 4 units at jump 2: 3 + 3*2
    (["conv2d: {filters: 2, kernel: 3, stride: 2}", "global_avgpool"], [3 + 3*2, 3 + 3*2], [2*4, 2*4], [0, 0]),
    # adaptive pooling that divides evenly is a 2x2 window, stride 2
    (["adaptive_avgpool2d: 5"], [2, 2], [2, 2], [0, 0]),
])
def test_rf_geometry(layers, sizes, jumps, starts):
    shape = "[30, 2]" if "conv1d" in layers[0] else "[10, 10, 2]"
    text = f"input: {shape}\nlayers:\n" + "".join(f"  - {x}\n" for x in layers)
    rf = net(text).layers[-1].rf
    assert [x.size for x in rf] == sizes
    assert [x.jump for x in rf] == jumps
    assert [x.start for x in rf] == starts


@pytest.mark.parametrize("size, start, center", [(3, -1, 0), (2, 0, 0.5), (212, -90, 15.5), (5, 0, 2)])
def test_rf_center(size, start, center):
    assert M.AxisRF(size=size, jump=1, start=start, n=1).center == center


def test_dense_after_flatten_sees_the_whole_input():
    # LeNet-5: S4 is 16 at jump 4 over 5 units, so C5 reads 16 + 4*4 = 32: the whole 32x32 image
    rf = by_name(zoo("lenet5.yaml"), "C5").rf
    assert [x.size for x in rf] == [16 + 4*4] * 2


def test_mlp_has_no_spatial_axes():
    ms = net("input: [20]\nlayers:\n  - dense: 5\n  - relu\n")
    assert all(m.rf == () for m in ms.layers)
    assert table.metric_text(table.Column.RF, ()) == "-"


@pytest.mark.parametrize("layer, shape", [
    ("conv_transpose2d: {filters: 2, kernel: 3, stride: 2}", "[4, 4, 3]"),  # position-dependent
    ("adaptive_avgpool2d: 3", "[5, 5, 2]"),                                 # uneven windows
])
def test_rf_unknown_where_windows_vary(layer, shape):
    ms = net(f"input: {shape}\nlayers:\n  - {layer}\n  - relu\n")
    assert ms.layers[0].rf is None and ms.layers[1].rf is None  # and unknown downstream


# --- graphs: merges take the maximum over their input paths ---------------------------------

def FakeMerge(kind: str, **kw) -> L.Layer:
    """A merge layer of the kind (add / concat / multiply)."""
    return (L.Concat if kind == "concat" else L.Merge)(kind=kind, **kw)


@dataclass(frozen=True, kw_only=True)
class Mystery(L.Layer):
    """A kind metrics has no formula for: it declares its MACs, FLOPs and field unknown."""
    output_shape = L.base.unchanged_shape

    def params(self, inp):
        return (7, 0)

    def macs(self, r):
        return None

    def flops(self, r):
        return None

    def rf(self, r, ins):
        return None


def graph(*layers, shape=(12, 12, 2)) -> M.Metrics:
    return M.compute(infer(Spec("g", shape, tuple(layers))))


def conv(index, name, kernel, padding, inputs=None, **kw):
    return L.Conv(kind="conv2d", name=name, index=index, filters=2, kernel=kernel, padding=padding,
                  inputs=inputs, **kw)


@pytest.mark.parametrize("kind", ["add", "concat", "multiply"])
def test_merge_rf_is_the_max_over_paths(kind):
    ms = graph(conv(1, "a", 3, 1),                                   # size 3, start -1
               conv(2, "b1", 3, 1, inputs=("input",)),               # size 3
               conv(3, "b2", 5, 2),                                  # size 3 + 4 = 7, start -3
               FakeMerge(kind=kind, name="m", index=4, inputs=("a", "b2")),
               conv(5, "c", 3, 1))                                   # 7 + 2 = 9
    merged = by_name(ms, "m").rf
    assert [x.size for x in merged] == [max(3, 3 + 4)] * 2
    assert [x.start for x in merged] == [min(-1, -1 - 2)] * 2
    assert [x.size for x in by_name(ms, "c").rf] == [7 + 2] * 2
    assert by_name(ms, "m").macs == 0


def test_concat_along_a_spatial_axis_has_no_single_field():
    cat = L.Concat(kind="concat", name="m", index=2, inputs=("input", "a"), axis=1)
    ms = graph(conv(1, "a", 3, 1), cat, shape=(6, 6, 2))
    assert by_name(ms, "m").rf is None


def test_merge_flops_full():
    ms = M.compute(infer(Spec("g", (4, 4, 2), (
        conv(1, "a", 3, 1), FakeMerge(kind="add", name="m", index=2, inputs=("input", "a"))))),
        flops_convention="full")
    assert by_name(ms, "m").flops == (2 - 1) * 4*4*2


def test_merge_of_an_unknown_path_is_unknown():
    ms = graph(conv(1, "a", 3, 1), conv(2, "t", 3, 1, inputs=("input",)),
               L.ConvTranspose(kind="conv_transpose2d", name="up", index=3, filters=2, kernel=1, stride=1),
               FakeMerge(kind="add", name="m", index=4, inputs=("a", "up")))
    assert by_name(ms, "up").rf is None and by_name(ms, "m").rf is None


# --- unknown stays unknown ---------------------------------------------------------------------

def unknown_net() -> tuple:
    s = infer(Spec("u", (8, 8, 2), (conv(1, "a", 3, 1), Mystery(kind="mystery", name="m", index=2),
                                    conv(3, "b", 3, 1))))
    return s, M.compute(s)


def test_unknown_metrics_are_none_not_zero():
    s, ms = unknown_net()
    m = by_name(ms, "m")
    assert m.macs is None and m.flops is None and m.rf is None and m.macs_share is None
    assert by_name(ms, "b").rf is None                  # unknown propagates downstream
    assert by_name(ms, "b").macs == 8*8*2 * 3*3*2       # other layers keep their numbers
    assert ms.totals.macs is None and ms.totals.flops is None
    assert ms.totals.unknown_macs == ("layer 2 (m, mystery)",)
    assert m.memory.params == 7 * 4                     # memory needs only shapes and counts


def test_unknown_renders_as_unknown():
    s, ms = unknown_net()
    text = table.table_text(s, table.DEFAULT_COLUMNS + (table.Column.FLOPS,), metrics=ms)
    row = next(line for line in text.splitlines() if " mystery " in line)
    assert row.count("?") == 3 and " 0 " not in row.split("mystery")[1]
    assert "MACs (batch 1): unknown (no formula for layer 2 (m, mystery))" in text
    doc = json_doc.to_dict(s, ms)
    assert doc["layers"][1]["macs"] is None and doc["layers"][1]["receptive_field"] is None
    assert doc["totals"]["macs"] is None
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(s, (table.Column.NAME, table.Column.MACS), ms))))
    assert rows[2] == {"name": "m", "macs": ""}
    assert "| ? |" in formats.to_markdown(s, (table.Column.NAME, table.Column.MACS), ms)


def test_upsample_other_than_nearest_has_no_flop_count():
    def Up(**kw):
        return L.Upsample(**{"mode": "bilinear", **kw})
    s = infer(Spec("u", (4, 4, 2), (Up(kind="upsample2d", name="up", index=1),)))
    assert M.compute(s, flops_convention="full").layers[0].flops is None
    assert M.compute(s).layers[0].macs == 0
    nearest = infer(Spec("u", (4, 4, 2), (Up(kind="upsample2d", name="up", index=1, mode="nearest"),)))
    assert M.compute(nearest, flops_convention="full").layers[0].flops == 0


# --- memory ------------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer, copies", [("sgd", 0), ("momentum", 1), ("adam", 2), ("AdamW", 2)])
def test_training_memory(optimizer, copies):
    m = one("conv2d: {filters: 64, kernel: 3, padding: 1}", "[224, 224, 3]", batch=8, optimizer=optimizer)
    params = 3*3*3*64 + 64
    assert m.memory.params == params * 4
    assert m.memory.gradients == params * 4
    assert m.memory.optimizer == copies * params * 4
    assert m.memory.activations == 8 * 224*224*64 * 4
    assert m.memory.training == (2 + copies) * params * 4 + 8 * 224*224*64 * 4


def test_memory_dtype_and_frozen_buffers():
    s = infer(parse_spec("input: [4, 4, 8]\nlayers:\n  - batchnorm\n"), dtype="float16")
    m = M.compute(s, optimizer="adam").layers[0]
    assert m.memory.params == 4*8 * 2             # gamma, beta, moving mean and variance, 2 bytes
    assert m.memory.gradients == 2*8 * 2          # only gamma and beta are trained
    assert m.memory.optimizer == 2 * 2*8 * 2


def test_mib_is_two_to_the_twenty():
    assert table.mib(2**20) == "1.00 MiB" and table.mib(3 * 2**30) == "3.00 GiB"
    assert table.mib(1000) == "1000 B"


def test_input_batch_is_reported_apart():
    ms = zoo("vgg16.yaml", batch=4)
    assert ms.totals.input_bytes == 4 * 224*224*3 * 4


# --- consistency: every per-layer column sums to its total ------------------------------------

@pytest.mark.parametrize("spec", ZOO_FILES)
@pytest.mark.parametrize("convention", sorted(M.FLOPS_CONVENTIONS))
def test_columns_sum_to_totals(spec, convention):
    s = infer(load_spec(str(ZOO / spec)))
    ms = M.compute(s, batch=3, optimizer="adam", flops_convention=convention)
    t = ms.totals
    assert sum(m.macs for m in ms.layers) == t.macs
    assert sum(m.flops for m in ms.layers) == t.flops
    for key in ("params", "activations", "gradients", "optimizer", "training"):
        assert sum(getattr(m.memory, key) for m in ms.layers) == getattr(t.memory, key)
    assert t.memory.params == s.totals.param_bytes
    assert sum(m.params_share for m in ms.layers) == pytest.approx(1)
    assert sum(m.macs_share for m in ms.layers) == pytest.approx(1)
    doc = json_doc.to_dict(s, ms)
    for key in ("macs", "flops", "param_bytes", "activation_bytes", "gradient_bytes",
                "optimizer_bytes", "training_bytes"):
        assert sum(layer[key] for layer in doc["layers"]) == doc["totals"][key], key
    cols = (table.Column.MACS, table.Column.FLOPS, table.Column.TRAINING_BYTES)
    rows = list(csv.DictReader(io.StringIO(formats.to_csv(s, cols, ms))))[1:]  # skip the input row
    for c, total in zip(cols, (t.macs, t.flops, t.memory.training)):
        assert sum(int(r[c.value]) for r in rows) == total


# --- rendering and the CLI ---------------------------------------------------------------------

def test_json_keys(cli):
    r = cli("summary", ZOO / "vgg16.yaml", "--format", "json")
    doc = json.loads(r.out)
    pool5 = next(x for x in doc["layers"] if x["name"] == "block5_pool")
    assert pool5["receptive_field"] == {"size": [212, 212], "jump": [32, 32], "start": [-90, -90],
                                        "center": [15.5, 15.5], "padding": [90, 90]}
    assert pool5["macs"] == 0 and pool5["param_bytes"] == 0
    assert doc["totals"]["macs"] == 15_470_264_320 and doc["totals"]["flops"] == 2 * 15_470_264_320
    assert doc["metrics"] == {"batch": 1, "optimizer": "sgd", "flops_convention": "2macs",
                              "dtype": "float32", "bytes_per_value": 4, "memory_unit": "bytes"}
    assert doc["totals"]["training_bytes"] == 2 * 138_357_544 * 4 + 15_112_168 * 4


def test_cli_batch_optimizer_convention(cli):
    r = cli("summary", ZOO / "lenet5.yaml", "-F", "json", "--batch", "32", "--optimizer", "adam",
            "--flops-convention", "full")
    doc = json.loads(r.out)
    assert r.code == 0
    assert doc["totals"]["macs"] == 32 * (28*28*6*5*5*1 + 10*10*16*5*5*6 + 400*120 + 120*84 + 84*10)
    assert doc["totals"]["optimizer_bytes"] == 2 * 61_706 * 4
    assert doc["metrics"]["flops_convention"] == "full"


@pytest.mark.parametrize("width, left_out", [(100, ("Hyper-params", "RF")), (120, ())])
def test_default_table_fits_its_width(cli, width, left_out):
    r = cli("summary", ZOO / "vgg16.yaml", "--width", str(width))
    assert r.code == 0
    lines = r.out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    head = next(line for line in lines if "Name" in line)
    for header in ("#", "Name", "Kind", "Hyper-params", "Output shape", "Activations", "Params", "MACs", "RF"):
        assert (header in head) == (header not in left_out)
    if left_out:  # the table says what it left out, and numbers never fold
        assert f"Hidden to fit {width}: RF, Hyper-params (--width 111 or --columns shows them)." in lines
    else:
        assert next(line for line in lines if "block5_pool" in line).rstrip().endswith(" 212")
    assert "1,849,688,064" in r.out and "15,470,264,320" in r.out


@pytest.mark.parametrize("columns, headers", [
    ("name,macs,flops", ["Name", "MACs", "FLOPs"]),
    ("name, rf, rf_jump, rf_start", ["Name", "RF", "Jump", "RF start"]),
    ("+params_share,macs_share", ["Name", "MACs", "Params share", "MACs share"]),
    ("name,param-bytes,activation_bytes,training_bytes", ["Param mem", "Act mem", "Train mem"]),
    ("all", [table.HEADERS[c] for c in table.Column]),
])
def test_columns_option(cli, columns, headers):
    r = cli("summary", ZOO / "vgg16.yaml", "--columns", columns, "--width", "250")
    assert r.code == 0
    head = next(line for line in r.out.splitlines() if "Name" in line)
    assert all(h in head for h in headers)
    if columns.startswith("name,"):
        assert "Kind" not in head


def test_share_bars(cli):
    r = cli("summary", ZOO / "vgg16.yaml", "--columns", "name,params_share", "--width", "100")
    fc1 = next(line for line in r.out.splitlines() if "fc1" in line)
    assert "████▌" in fc1 and "74.3%" in fc1   # 102,764,544 / 138,357,544
    assert table.bar(1.0) == "██████ 100.0%" and table.bar(0.0) == "         0.0%"


def test_csv_and_markdown_carry_metrics(cli):
    r = cli("summary", ZOO / "lenet5.yaml", "-F", "csv", "--columns", "name,macs,rf,training_bytes,macs_share")
    rows = list(csv.DictReader(io.StringIO(r.out)))
    c1 = rows[1]
    assert c1["macs"] == str(28*28*6 * 5*5*1) and c1["rf"] == "5"
    assert c1["training_bytes"] == str(2 * 156 * 4 + 28*28*6 * 4)
    assert 0 < float(c1["macs_share"]) < 1
    md = cli("summary", ZOO / "lenet5.yaml", "-F", "markdown", "--columns", "default").out
    assert "| MACs | RF |" in md and "MACs (batch 1): 416,520" in md


@pytest.mark.parametrize("args, message", [
    (["--batch", "0"], "--batch must be a whole number of samples >= 1, got '0'"),
    (["--batch", "two"], "--batch must be a whole number of samples >= 1, got 'two'"),
    (["--batch", "-3"], "got '-3'"),
    (["--optimizer", "lbfgs"], "unknown optimizer 'lbfgs'; use one of: sgd, momentum"),
    (["--flops-convention", "4macs"], "unknown FLOPs convention '4macs'; use one of: 2macs, macs, full"),
    (["--columns", "name,bogus"], "unknown column 'bogus' in --columns; use any of index, name"),
    (["--columns", " , "], "--columns is empty"),
])
def test_bad_option_values(cli, args, message):
    r = cli("summary", ZOO / "lenet5.yaml", *args)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("cnncalc: ") and message in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err


def test_bad_option_value_from_the_command_line(main):
    r = main("summary", ZOO / "lenet5.yaml", "--optimizer", "adamax")
    assert r.code == 2 and "Traceback" not in r.err and len(r.err.strip().splitlines()) == 1


def test_library_rejects_bad_options():
    s = infer(load_spec(str(ZOO / "lenet5.yaml")))
    for kw in ({"batch": 0}, {"batch": True}, {"optimizer": "x"}, {"flops_convention": "x"}):
        with pytest.raises(M.ArgumentError):
            M.compute(s, **kw)


def test_help_mentions_the_options(cli):
    out = cli("summary", "--help").out
    for option in ("--columns", "--flops-convention", "--batch", "--optimizer", "Example"):
        assert option in out


def test_records_are_frozen():
    m = zoo("lenet5.yaml").layers[0]
    with pytest.raises(Exception):
        m.macs = 0


# --- PyTorch's own flop counter agrees (tests/golden/make_torch_flops.py, torch 2.13.0) ---------

GOLDEN = json.loads((ZOO.parent / "tests" / "golden" / "torch_flops.json").read_text())


@pytest.mark.parametrize("case", GOLDEN["cases"], ids=lambda c: c["name"])
def test_2macs_equals_torch_flop_counter(case):
    # FlopCounterMode counts 2 per multiply-accumulate, no bias, and transposed convs on their
    # input: VGG-16 30,940,528,640 = 2 * 15,470,264,320.
    spec = case["spec"]
    s = infer(load_spec(str(ZOO / spec[4:]))) if spec.startswith("zoo:") else infer(parse_spec(spec))
    ms = M.compute(s)
    assert ms.totals.flops == 2 * ms.totals.macs == case["flops"]


# --- more published figures --------------------------------------------------------------------

def zoo_or_skip(name: str, **kw) -> M.Metrics:
    if not (ZOO / name).exists():
        pytest.skip(f"{name} is not in this checkout's zoo (the branched zoo comes with issue 7)")
    return zoo(name, **kw)


@pytest.mark.parametrize("spec, gmacs", [
    # torchvision's model table, "GFLOPS" column (weights meta `_ops`): these are MACs at 224.
    ("resnet18.yaml", 1.81), ("resnet34.yaml", 3.66), ("resnet50.yaml", 4.09),
    ("googlenet.yaml", 1.50), ("densenet121.yaml", 2.83),
])
def test_torchvision_gflops_are_macs(spec, gmacs):
    assert round(zoo_or_skip(spec).totals.macs / 1e9, 2) == gmacs


def last_spatial(ms: M.Metrics) -> M.LayerMetrics:
    return [m for m in ms.layers if len(m.result.output_shape) == 3][-1]


@pytest.mark.parametrize("spec, size, jump", [
    # Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks"
    # (Distill 2019), table of the last feature map: MobileNet v1 315 (stride 32, padding 126),
    # ResNet-50 v1 483 (stride 32); VGG-16 212 and AlexNet 195 appear there too.
    ("mobilenet_v1.yaml", 315, 32),
    ("resnet50_keras.yaml", 483, 32),
    ("vgg16.yaml", 212, 32),
])
def test_distill_receptive_fields(spec, size, jump):
    rf = last_spatial(zoo_or_skip(spec)).rf
    assert [(x.size, x.jump) for x in rf] == [(size, jump)] * 2


def test_mobilenet_effective_padding():
    # Distill: MobileNet v1 effective padding 126. 'same' with stride 2 on these even sizes pads
    # (0, 1), nothing before; each stride-1 depthwise 3x3 pads 1 before, at its input's jump:
    # dw1 at 2, dw3 at 4, dw5 at 8, dw7..dw11 at 16, dw13 at 32
    rf = last_spatial(zoo("mobilenet_v1.yaml")).rf
    assert rf[0].padding == 1*2 + 1*4 + 1*8 + 5*1*16 + 1*32 == 126


def test_embedding_turns_tokens_into_a_spatial_axis():
    ms = net("input: [50]\nlayers:\n  - embedding: {vocab: 1000, dim: 16}\n"
             "  - conv1d: {filters: 8, kernel: 5}\n  - maxpool1d: 2\n")
    assert [(x.size, x.jump) for x in ms.layers[0].rf] == [(1, 1)]
    assert [(x.size, x.jump) for x in ms.layers[2].rf] == [(5 + 1*1, 2)]
    assert ms.layers[1].macs == (50 - 5 + 1)*8 * 5*16


def brute_force_rf(layers, unit: int) -> tuple[int, int]:
    """(first, last) input index one output unit depends on, walking the windows backwards
    over an unbounded axis (padding positions count, as in the closed form)."""
    positions = {unit}
    for f, s, p, d in reversed(layers):
        positions = {q * s - p + k * d for q in positions for k in range(f)}
    return min(positions), max(positions)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2), st.integers(1, 3)),
                min_size=1, max_size=4))
def test_rf_fold_matches_brute_force(layers):
    text = "input: [600, 1]\nlayers:\n" + "".join(
        f"  - conv1d: {{filters: 1, kernel: {f}, stride: {s}, padding: {p}, dilation: {d}}}\n"
        for f, s, p, d in layers)
    (rf,) = net(text).layers[-1].rf
    first, last = brute_force_rf(layers, 0)
    assert (rf.start, rf.size) == (first, last - first + 1)
    assert rf.jump == brute_force_rf(layers, 1)[0] - first


@pytest.mark.parametrize("args, expected", [
    ((1, 1, 0, 3), (3, 1, 0)),                       # a 3-tap window on the input
    ((3, 1, -1, 3, 2, 1), (3 + 2*1, 2, -1 - 1*1)),   # stride 2, padding 1
    ((5, 2, 0, 3, 1, 0, 2), (5 + 2*(3-1)*2, 2, 0)),  # dilation 2 at jump 2: span 5
])
def test_rf_step(args, expected):
    from cnncalc.formulas import rf_step
    assert rf_step(*args) == expected


@pytest.mark.parametrize("o, n, m, window", [(0, 5, 3, (0, 2)), (1, 5, 3, (1, 4)), (2, 5, 3, (3, 5)),
                                             (1, 12, 6, (2, 4))])
def test_adaptive_window(o, n, m, window):
    from cnncalc.formulas import adaptive_window
    assert adaptive_window(o, n, m) == window
