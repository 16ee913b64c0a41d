"""Every formula in cnncalc.formulas, as parametrize tables whose expected values are the
arithmetic itself. Edge rules cite what PyTorch 2.13.0 / Keras 3 do (see tests/golden/)."""
from __future__ import annotations

import pytest

from cnncalc import ShapeError
from cnncalc import formulas as F


@pytest.mark.parametrize("a, b, want", [
    (7, 2, 4), (8, 2, 4), (1, 3, 1), (0, 5, 0), (224, 32, 7), (225, 32, 8), (-7, 2, -3),
])
def test_ceil_div(a, b, want):
    assert F.ceil_div(a, b) == want


@pytest.mark.parametrize("f, d, want", [
    (3, 1, 3), (3, 2, 2*(3 - 1) + 1), (5, 3, 3*(5 - 1) + 1), (1, 4, 1), (7, 1, 7),
])
def test_effective_kernel(f, d, want):
    assert F.effective_kernel(f, d) == want


@pytest.mark.parametrize("n, pad, want", [
    (32, (0, 0), 32), (32, (1, 1), 32 + 1 + 1), (7, (0, 1), 7 + 0 + 1), (5, (3, 2), 5 + 3 + 2),
])
def test_padded(n, pad, want):
    assert F.padded(n, pad) == want


@pytest.mark.parametrize("n, f, s, pad, d, want", [
    (32, 5, 1, (0, 0), 1, (32 - 5)//1 + 1),                 # LeNet C1: 28
    (32, 3, 1, (1, 1), 1, (32 + 2*1 - 3)//1 + 1),           # 'same' by hand
    (224, 3, 1, (1, 1), 1, (224 + 2*1 - 3)//1 + 1),          # VGG conv
    (227, 11, 4, (0, 0), 1, (227 - 11)//4 + 1),              # AlexNet conv1: 55
    (224, 11, 4, (2, 2), 1, (224 + 2*2 - 11)//4 + 1),        # torchvision AlexNet: 55
    (224, 11, 4, (0, 0), 1, (224 - 11)//4 + 1),              # the paper's 224: floor drops 1 row
    (7, 3, 2, (0, 1), 1, (7 + 0 + 1 - 3)//2 + 1),            # asymmetric padding
    (10, 3, 1, (0, 0), 2, (10 - (2*(3 - 1) + 1))//1 + 1),    # dilation 2: span 5
    (9, 3, 2, (0, 0), 2, (9 - (2*(3 - 1) + 1))//2 + 1),
    (5, 5, 1, (0, 0), 1, 1),                                 # kernel == input
    (4, 5, 1, (1, 0), 1, (4 + 1 - 5)//1 + 1),                # padding makes it fit
    (1, 1, 7, (0, 0), 1, (1 - 1)//7 + 1),
])
def test_conv_out(n, f, s, pad, d, want):
    assert F.conv_out(n, f, s, pad, d) == want


@pytest.mark.parametrize("n, f, s, pad, d", [
    (4, 5, 1, (0, 0), 1),      # torch: "Kernel size can't be greater than actual input size"
    (4, 3, 1, (0, 0), 2),      # span 2*(3-1)+1 = 5 > 4
    (3, 7, 1, (1, 2), 1),      # 3+1+2 = 6 < 7
])
def test_conv_out_refuses_kernel_larger_than_padded_input(n, f, s, pad, d):
    with pytest.raises(ShapeError, match=r"larger than the padded input"):
        F.conv_out(n, f, s, pad, d)


def test_conv_out_message_shows_the_arithmetic():
    with pytest.raises(ShapeError) as e:
        F.conv_out(4, 3, 1, (0, 0), 2)
    assert str(e.value) == ("kernel 3 (dilated: 2*(3-1)+1 = 5) is larger than the padded input 4+0+0 = 4; "
                            "use a kernel of at most 4 (undilated) or padding of at least 1 per side")


@pytest.mark.parametrize("n, f, s, pad, d, want", [
    (227, 11, 4, (0, 0), 1, (227 - 11) % 4),       # 0: 227 is the size that fits exactly
    (224, 11, 4, (0, 0), 1, (224 - 11) % 4),       # 1 row left unread
    (32, 5, 1, (0, 0), 1, 0),
    (10, 3, 2, (0, 0), 1, (10 - 3) % 2),
    (10, 3, 3, (1, 1), 2, (10 + 2 - 5) % 3),
])
def test_dropped(n, f, s, pad, d, want):
    assert F.dropped(n, f, s, pad, d) == want


@pytest.mark.parametrize("n, f, s, pad, d, ceil, want", [
    (28, 2, 2, (0, 0), 1, False, (28 - 2)//2 + 1),                    # LeNet S2: 14
    (55, 3, 2, (0, 0), 1, False, (55 - 3)//2 + 1),                    # AlexNet pool1: 27
    (5, 2, 2, (0, 0), 1, False, (5 - 2)//2 + 1),                      # floor: 2
    (5, 2, 2, (0, 0), 1, True, (5 - 2 + (2 - 1))//2 + 1),             # ceil: 3
    (6, 3, 2, (1, 1), 1, False, (6 + 2 - 3)//2 + 1),
    # ceil_mode: the last window would start at (out-1)*s = 6 >= n + p_before = 5 + 1: dropped
    (5, 3, 3, (1, 1), 1, True, (5 + 2 - 3 + (3 - 1))//3 + 1 - 1),
    # ceil_mode keeps a last window that starts inside the input: 2*2 = 4 < 5 + 0
    (5, 3, 2, (0, 0), 1, True, (5 - 3 + (2 - 1))//2 + 1),
    # torch maxpool1d n=3, k=4, s=2, ceil: 1 output although k > n (starts at 0 < 3)
    (3, 4, 2, (0, 0), 1, True, (3 - 4 + (2 - 1))//2 + 1),
    (10, 3, 1, (0, 0), 2, False, (10 - (2*(3 - 1) + 1))//1 + 1),      # dilated max pool
    (7, 2, 2, (0, 1), 1, False, (7 + 0 + 1 - 2)//2 + 1),               # asymmetric padding
])
def test_pool_out(n, f, s, pad, d, ceil, want):
    assert F.pool_out(n, f, s, pad, d, ceil) == want


@pytest.mark.parametrize("n, f, s, pad, d, ceil", [
    (3, 4, 2, (0, 0), 1, False),   # torch maxpool1d: "Invalid computed output size: 0"
    (3, 5, 1, (0, 0), 1, True),    # k - n = 2 > s - 1 = 0: refused even with ceil_mode
    (4, 3, 1, (0, 0), 2, False),   # dilated span 5 > 4
])
def test_pool_out_refuses(n, f, s, pad, d, ceil):
    with pytest.raises(ShapeError, match=r"output size would be"):
        F.pool_out(n, f, s, pad, d, ceil)


@pytest.mark.parametrize("n, f, s, pad, d, op, want", [
    (5, 3, 2, (0, 0), 1, 0, (5 - 1)*2 - 0 + 1*(3 - 1) + 0 + 1),
    (5, 3, 2, (1, 1), 1, 1, (5 - 1)*2 - 2 + 1*(3 - 1) + 1 + 1),       # the classic 2x upsample: 10
    (7, 4, 2, (1, 1), 1, 0, (7 - 1)*2 - 2 + (4 - 1) + 0 + 1),          # DCGAN: 14
    (4, 3, 1, (0, 0), 2, 1, (4 - 1)*1 - 0 + 2*(3 - 1) + 1 + 1),        # op 1 with s=1 legal as d=2
    (3, 2, 3, (0, 1), 1, 2, (3 - 1)*3 - 0 - 1 + (2 - 1) + 2 + 1),      # asymmetric padding
    (1, 1, 1, (0, 0), 1, 0, 1),
])
def test_transposed_out(n, f, s, pad, d, op, want):
    assert F.transposed_out(n, f, s, pad, d, op) == want


@pytest.mark.parametrize("n, f, s, pad, d, op, match", [
    (4, 3, 2, (0, 0), 1, 2, "output_padding 2 must be smaller"),   # torch: op >= s and op >= d
    (4, 3, 1, (0, 0), 1, 1, "output_padding 1 must be smaller"),
    (4, 3, 1, (3, 3), 1, 0, r"\(4-1\)\*1 - 3 - 3 \+ 3 \+ 0 = 0 is less than 1"),
    (1, 1, 1, (1, 0), 1, 0, r"\(1-1\)\*1 - 1 - 0 \+ 1 \+ 0 = 0 is less than 1"),
])
def test_transposed_out_refuses(n, f, s, pad, d, op, match):
    with pytest.raises(ShapeError, match=match):
        F.transposed_out(n, f, s, pad, d, op)


@pytest.mark.parametrize("n, f, s, mode, d, op, want", [
    (5, 3, 2, "same", 1, None, 5*2),                                  # Keras: n*s
    (5, 3, 1, "same", 1, None, 5*1),
    (5, 3, 2, "valid", 1, None, 5*2 + max(3 - 2, 0)),                 # n*s + max(f - s, 0)
    (5, 2, 3, "valid", 1, None, 5*3 + max(2 - 3, 0)),
    (5, 3, 1, "valid", 2, None, 5*1 + max(2*(3 - 1) + 1 - 1, 0)),
    (5, 3, 2, "same", 1, 1, (5 - 1)*2 + 3 - 2*(3//2) + 1),            # with output_padding
    (5, 4, 2, "same", 1, 0, (5 - 1)*2 + 4 - 2*(4//2) + 0),
    (5, 3, 2, "valid", 1, 1, (5 - 1)*2 + 3 - 0 + 1),
])
def test_keras_transposed_out(n, f, s, mode, d, op, want):
    assert F.keras_transposed_out(n, f, s, mode, d, op) == want


def test_keras_transposed_out_refuses_empty_output():
    # keras Conv1DTranspose(1, 2, padding='same', dilation_rate=3, output_padding=0) on length 1
    # returns an empty (1, 0, 1) tensor: (1-1)*1 + 4 - 2*2 + 0 = 0
    with pytest.raises(ShapeError, match=r"= 0 is less than 1"):
        F.keras_transposed_out(1, 2, 1, "same", 3, 0)


@pytest.mark.parametrize("n, s, want", [
    (224, 2, (224 + 2 - 1)//2), (7, 2, (7 + 2 - 1)//2), (5, 1, 5), (1, 4, 1), (13, 3, (13 + 3 - 1)//3),
])
def test_same_out(n, s, want):
    assert F.same_out(n, s) == want


@pytest.mark.parametrize("n, f, s, d, want", [
    (224, 3, 1, 1, (1, 1)),                    # total (224-1)*1 + 3 - 224 = 2
    (224, 3, 2, 1, (0, 1)),                    # total (112-1)*2 + 3 - 224 = 1: the odd row at the end
    (225, 3, 2, 1, (1, 1)),                    # total (113-1)*2 + 3 - 225 = 2
    (5, 4, 1, 1, (1, 2)),                      # even kernel: total 3
    (7, 1, 2, 1, (0, 0)),                      # total max((4-1)*2 + 1 - 7, 0) = 0
    (3, 7, 1, 1, (3, 3)),                      # kernel > input: Keras still gives ceil(n/s)
    (10, 3, 1, 2, (2, 2)),                     # dilated span 5: total 4
    (6, 3, 4, 1, (0, 1)),                      # total (2-1)*4 + 3 - 6 = 1
])
def test_same_padding(n, f, s, d, want):
    assert F.same_padding(n, f, s, d) == want


@pytest.mark.parametrize("kv, c_in, c_out, groups, bias, want", [
    (5*5, 1, 6, 1, True, 5*5*1*6 + 6),                 # LeNet C1: 156
    (5*5, 6, 16, 1, True, 5*5*6*16 + 16),              # LeNet C3: 2,416
    (3*3, 64, 128, 1, True, 3*3*64*128 + 128),         # VGG
    (11*11, 3, 96, 1, True, 11*11*3*96 + 96),           # AlexNet conv1: 34,944
    (3*3, 32, 64, 4, True, 3*3*(32//4)*64 + 64),       # grouped
    (3*3, 32, 32, 32, False, 3*3*1*32),                # depthwise, no bias
    (3, 8, 16, 1, True, 3*8*16 + 16),                  # conv1d
    (3*3*3, 2, 4, 2, False, 3*3*3*(2//2)*4),           # conv3d grouped
])
def test_conv_params(kv, c_in, c_out, groups, bias, want):
    assert F.conv_params(kv, c_in, c_out, groups, bias) == want


@pytest.mark.parametrize("n_in, units, bias, want", [
    (400, 120, True, 400*120 + 120),                   # LeNet C5: 48,120
    (25088, 4096, True, 25088*4096 + 4096),            # VGG fc6
    (84, 10, True, 84*10 + 10),
    (7, 3, False, 7*3),
])
def test_dense_params(n_in, units, bias, want):
    assert F.dense_params(n_in, units, bias) == want


@pytest.mark.parametrize("values, want", [((), 1), ((5,), 5), ((224, 224, 3), 224*224*3), ([2, 3, 4], 24)])
def test_product(values, want):
    assert F.product(values) == want


# The course notes' worked examples (/work/shared/seeds; recomputed digest in
# /work/notes/seeds_examples.md, section A "compact test vectors"): (n, f, p, s) -> out, floor rule.
@pytest.mark.parametrize("n, f, p, s, want", [
    (32, 5, 0, 2, (32 + 2*0 - 5)//2 + 1),     # A1: 14 (the notes' ceiling bracket would give 15)
    (5, 3, 1, 2, (5 + 2*1 - 3)//2 + 1),       # A4: 3
    (5, 3, 1, 3, (5 + 2*1 - 3)//3 + 1),       # A5: 2 with floor (7/3 is not exact)
    (288, 4, 0, 2, (288 - 4)//2 + 1),         # A6: 143, the exact solution
    (288, 3, 0, 2, (288 - 3)//2 + 1),         # A6: 143 too, floor only
    (288, 2, 0, 2, (288 - 2)//2 + 1),         # A6: 144, the notes' wrong F=2
    (143, 3, 0, 2, (143 - 3)//2 + 1),         # A7: 71
    (6, 3, 0, 1, 6 - 3 + 1),                  # A12: 4
    (6, 3, 1, 1, 6 + 2 - 3 + 1),              # A13: 6
    (6, 3, 3, 2, (6 + 2*3 - 3)//2 + 1),       # A18: p=3 gives 5
    (6, 3, 4, 2, (6 + 2*4 - 3)//2 + 1),       # A18: p=4 gives 6
    (224, 3, 1, 1, 224), (224, 2, 0, 2, 112), (32, 5, 0, 1, 28), (28, 2, 0, 2, 14),
    (10, 2, 0, 2, 5), (6, 3, 0, 3, 2), (7, 3, 0, 1, 5), (5, 3, 1, 1, 5), (8, 3, 0, 1, 6), (3, 2, 0, 1, 2),
])
def test_course_output_sizes(n, f, p, s, want):
    assert F.conv_out(n, f, s, (p, p)) == want
    if 2*p <= f:  # the same numbers as a pooling window (PyTorch's padding rule permitting)
        assert F.pool_out(n, f, s, (p, p)) == want


@pytest.mark.parametrize("kv, c_in, c_out, want", [
    (3*3, 3, 64, 1_792),            # B1: VGG block1_conv1
    (3*3, 64, 64, 36_928),          # B2
    (3*3, 64, 128, 73_856),         # B3
    (3*3, 128, 128, 147_584),       # B4
    (11*11, 3, 96, 34_944),         # B10: AlexNet conv1 (the notes' 34,444 is a slip)
    (5*5, 96, 256, 614_656),        # B11: AlexNet conv2, ungrouped
    (3*3, 3, 10, 280),              # B13: 10 filters of 3x3x3
    (5*5, 3, 6, 456),               # B14: (5*5*3 + 1)*6
])
def test_course_conv_params(kv, c_in, c_out, want):
    assert F.conv_params(kv, c_in, c_out) == want


@pytest.mark.parametrize("n_in, units, want", [
    (7*7*512, 4096, 102_764_544),   # B5/B6: VGG-16 FC6 with bias (the notes: 102,768,448 and x1024)
    (4096, 4096, 16_781_312),       # B8: the real FC7
    (4096, 1000, 4_097_000),        # B7/B8: FC8 (the notes' "FC7 = 25,088,000" is 25088*1000)
    (10, 10, 110),                  # B20
])
def test_course_dense_params(n_in, units, want):
    assert F.dense_params(n_in, units) == want


def test_course_same_padding_framework_rule():
    # A18 contrast: TF/Keras 'same' with n=6, f=3, s=2 gives ceil(6/2) = 3 with total padding
    # max((3-1)*2 + 3 - 6, 0) = 1, split (0 before, 1 after)
    assert (F.same_out(6, 2), F.same_padding(6, 3, 2)) == (3, (0, 1))
