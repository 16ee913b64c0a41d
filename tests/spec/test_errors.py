"""Bad specs: each gives exactly one line, `path:line:col: layer N (name, kind): what is wrong,
with the numbers, and the fix`, exit status 2, never a traceback.

Most rows run in-process (parse_spec + infer raise a CnncalcError; its str() is the line the
CLI prints); a few run as a real `python -m cnncalc` process to pin the exit status and stderr.
"""
from __future__ import annotations

import pytest

from cnncalc import CnncalcError, infer, load_spec, parse_spec

H = "input: [32, 32, 3]\nlayers:\n"

BAD = [
    ('yaml_syntax',
     H + '  - conv2d: {filters: 4, kernel: 3\n',
     "spec.yaml:4:1: YAML syntax error: while parsing a flow mapping, did not find expected ',' or '}' (the construct started on line 3, column 13)"),
    ('yaml_tab',
     H + '\t- relu\n',
     'spec.yaml:3:1: YAML syntax error: while scanning for the next token, found character that cannot start any token; YAML indents with spaces, not tabs'),
    ('unknown_kind',
     H + '  - conv2dd: {filters: 4, kernel: 3}\n',
     'spec.yaml:3:5: layer 1: unknown layer kind `conv2dd`; did you mean `conv2d`?'),
    ('unknown_kind2',
     H + '  - Convolution: {filters: 4, kernel: 3}\n',
     'spec.yaml:3:5: layer 1: unknown layer kind `Convolution`; did you mean `conv`?'),
    ('unknown_key',
     H + '  - conv2d: {filters: 4, kernal: 3}\n',
     'spec.yaml:3:26: layer 1 (conv2d, conv2d): unknown argument `kernal` for conv2d; did you mean `kernel`? (conv2d takes filters, kernel, stride, padding, dilation, groups, bias, activation, in_channels)'),
    ('unknown_top',
     'inputs: [32, 32, 3]\nlayers:\n  - relu\n',
     'spec.yaml:1:1: unknown top-level key `inputs`; did you mean `input`? (the spec takes name, vary, input, layers, blocks)'),
    ('dup_key',
     H + '  - conv2d: {filters: 4, kernel: 3, filters: 8}\n',
     'spec.yaml:3:37: duplicate key `filters` (first given on line 3, column 14); keep one of them'),
    ('dup_top',
     'input: [32, 32, 3]\ninput: [3, 3, 1]\nlayers:\n  - relu\n',
     'spec.yaml:2:1: duplicate key `input` (first given on line 1, column 1); keep one of them'),
    ('alias_arg_twice',
     H + '  - conv2d: {filters: 4, kernel: 3, kernel_size: 5}\n',
     'spec.yaml:3:37: layer 1 (conv2d, conv2d): `kernel` is given twice (as `kernel` and `kernel_size`); keep one'),
    ('bool_int',
     H + '  - conv2d: {filters: true, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be an integer, not the boolean true; write a whole number'),
    ('float_int',
     H + '  - conv2d: {filters: 4.0, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be a whole number, not 4.0; write 4'),
    ('float_int2',
     H + '  - conv2d: {filters: 4.5, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be a whole number, not 4.5; write 4 or 5'),
    ('off',
     H + '  - conv2d: {filters: off, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be an integer, not the boolean off (YAML 1.1 reads `off` as false); write a whole number'),
    ('off_bool',
     H + '  - conv2d: {filters: 4, kernel: 3, bias: off}\n',
     'spec.yaml:3:43: layer 1 (conv2d, conv2d): bias: `off` is YAML 1.1 for false; write false'),
    ('yes_bool',
     H + '  - conv2d: {filters: 4, kernel: 3, bias: yes}\n',
     'spec.yaml:3:43: layer 1 (conv2d, conv2d): bias: `yes` is YAML 1.1 for true; write true'),
    ('octal',
     H + '  - conv2d: {filters: 010, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters `010` is read by YAML 1.1 as the octal number 8; write 10 without the leading zero'),
    ('sexagesimal',
     H + '  - conv2d: {filters: 4, kernel: 3:3}\n',
     'spec.yaml:3:34: layer 1 (conv2d, conv2d): kernel `3:3` is read by YAML 1.1 as the base-60 number 183; for one size per axis write [3, 3]'),
    ('quoted',
     "input: [32, 32, 3]\nlayers:\n  - conv2d: {filters: '4', kernel: 3}\n",
     "spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be an integer, not the string '4'; remove the quotes"),
    ('1e3_int',
     H + '  - conv2d: {filters: 1e3, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be a whole number, not 1e3; write 1000'),
    ('zero',
     H + '  - conv2d: {filters: 0, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters must be at least 1, got 0'),
    ('negative',
     H + '  - conv2d: {filters: 4, kernel: -3}\n',
     'spec.yaml:3:34: layer 1 (conv2d, conv2d): kernel must be at least 1, got -3'),
    ('neg_pad',
     H + '  - conv2d: {filters: 4, kernel: 3, padding: -1}\n',
     'spec.yaml:3:46: layer 1 (conv2d, conv2d): padding must be 0 or more, got -1'),
    ('zero_input',
     'input: [32, 0, 3]\nlayers:\n  - relu\n',
     'spec.yaml:1:13: input must be at least 1, got 0'),
    ('kernel_big',
     'input: [4, 4, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 5}\n',
     'spec.yaml:3:5: layer 1 (conv2d, conv2d): on axis H of input (4, 4, 3): kernel 5 is larger than the padded input 4+0+0 = 4; use a kernel of at most 4 or padding of at least 1 per side'),
    ('kernel_big_dil',
     'input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3, dilation: 4}\n',
     'spec.yaml:3:5: layer 1 (conv2d, conv2d): on axis H of input (8, 8, 3): kernel 3 (dilated: 4*(3-1)+1 = 9) is larger than the padded input 8+0+0 = 8; use a kernel of at most 8 (undilated) or padding of at least 1 per side'),
    ('groups',
     H + '  - conv2d: {filters: 8, kernel: 3, groups: 2}\n',
     'spec.yaml:3:45: layer 1 (conv2d, conv2d): groups 2 does not divide the input channels 3; use groups that divide both 3 and 8'),
    ('groups2',
     'input: [32, 32, 4]\nlayers:\n  - conv2d: {filters: 6, kernel: 3, groups: 4}\n',
     'spec.yaml:3:45: layer 1 (conv2d, conv2d): groups 4 does not divide the filters 6; use groups that divide both 4 and 6'),
    ('pool_pad',
     H + '  - maxpool2d: {kernel: 3, padding: 2}\n',
     'spec.yaml:3:37: layer 1 (max_pooling2d, maxpool2d): padding 2 is more than half the kernel 3 (3//2 = 1); PyTorch refuses it: use padding <= 1'),
    ('pool_big',
     'input: [2, 2, 3]\nlayers:\n  - maxpool2d: 3\n',
     'spec.yaml:3:5: layer 1 (max_pooling2d, maxpool2d): on axis H of input (2, 2, 3): pooling window 3 does not fit the padded input 2+0+0 = 2: output size would be (2 - 3)//3 + 1 = 0; use a smaller kernel or more padding'),
    ('dense_in_features',
     H + '  - dense: {units: 10, in_features: 4}\n',
     'spec.yaml:3:37: layer 1 (dense, dense): in_features is 4 but the input has 3 channels; set in_features: 3 or remove it'),
    ('absurd',
     H + '  - conv2d: {filters: 100000000, kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters 100,000,000 is absurdly large (more than 16,777,216); check the number'),
    ('absurd_input',
     'input: [100000000, 32, 3]\nlayers:\n  - relu\n',
     'spec.yaml:1:9: input 100,000,000 is absurdly large (more than 16,777,216); check the number'),
    ('unsafe',
     H + '  - !!python/object/apply:os.system ["echo hi"]\n',
     'spec.yaml:3:5: unsupported YAML tag !!python/object/apply:os.system; cnncalc reads plain YAML only: remove the tag'),
    ('unsafe2',
     'input: !!python/object/apply:os.system ["echo hi"]\nlayers:\n  - relu\n',
     'spec.yaml:1:8: unsupported YAML tag !!python/object/apply:os.system; cnncalc reads plain YAML only: remove the tag'),
    ('bomb',
     'a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\ninput: [4, 4, 1]\nlayers: *g\n',
     'spec.yaml:1:26: the spec expands to more than 1,000,000 YAML nodes (an alias bomb?); write the layers out'),
    ('recursive',
     'input: &x [4, 4, *x]\nlayers:\n  - relu\n',
     'spec.yaml:1:12: the spec nests deeper than 64 levels (a recursive alias?); remove the alias that refers to itself'),
    ('empty',
     '',
     'spec.yaml:1:1: the spec is empty; it needs `input: [H, W, C]` and `layers:`'),
    ('comment_only',
     '# nothing\n',
     'spec.yaml:1:1: the spec is empty; it needs `input: [H, W, C]` and `layers:`'),
    ('toplist',
     '- conv2d\n- relu\n',
     'spec.yaml:1:1: the spec must be a mapping with `input:` and `layers:`, not a list'),
    ('topscalar',
     'hello\n',
     'spec.yaml:1:1: the spec must be a mapping with `input:` and `layers:`, not hello'),
    ('no_input',
     'layers:\n  - relu\n',
     'spec.yaml:1:1: the spec needs `input:`, e.g. `input: [224, 224, 3]` (H, W, C, channels last)'),
    ('no_layers',
     'input: [4, 4, 1]\n',
     'spec.yaml:1:1: the spec needs `layers:`, a list of layers'),
    ('empty_layers',
     'input: [4, 4, 1]\nlayers: []\n',
     'spec.yaml:2:9: `layers` must be a non-empty list, each item `- kind: {arguments}`'),
    ('misindent',
     H + '  - conv2d:\n    filters: 4\n    kernel: 3\n',
     'spec.yaml:3:5: layer 1: a layer is one `kind: arguments` pair, but this one has 3 keys (conv2d, filters, kernel); put the arguments inside: `- conv2d: {filters: ..., kernel: ...}`'),
    ('misindent2',
     H + '  - conv2d:\n    filters: 4\n  kernel: 3\n',
     "spec.yaml:5:3: YAML syntax error: while parsing a block collection, did not find expected '-' indicator (the construct started on line 3, column 3)"),
    ('multi_key',
     H + '  - conv2d: {filters: 4}\n    kernel: 3\n',
     'spec.yaml:3:5: layer 1: a layer is one `kind: arguments` pair, but this one has 2 keys (conv2d, kernel); put the arguments inside: `- conv2d: {kernel: ...}`'),
    ('dup_name',
     H + '  - relu: {name: a}\n  - relu: {name: a}\n',
     'spec.yaml:4:5: layer 2 (a, relu): the name `a` is already used by layer 1; give each layer its own name'),
    ('bad_inputs',
     H + '  - relu: {name: a}\n  - relu: {inputs: [b]}\n',
     "spec.yaml:4:20: layer 2 (re_lu, relu): inputs names `b`, which is no layer's name or id; the layers above it are `input`, `a`"),
    ('channels_first',
     'input: [3, 224, 224]\nlayers:\n  - conv2d: {filters: 64, kernel: 3}\n  - maxpool2d: 2\n  - dense: 10\n',
     'spec.yaml:4:5: layer 2 (max_pooling2d, maxpool2d): on axis H of input (1, 222, 64): pooling window 2 does not fit the padded input 1+0+0 = 1: output size would be (1 - 2)//2 + 1 = 0; use a smaller kernel or more padding (the input (3, 224, 224) looks channels-first; cnncalc reads channels last: [H, W, C])'),
    ('channels_first2',
     'input: [3, 32, 32]\nlayers:\n  - conv2d: {filters: 64, kernel: 5, stride: 2}\n  - conv2d: {filters: 64, kernel: 5}\n',
     'spec.yaml:3:5: layer 1 (conv2d, conv2d): on axis H of input (3, 32, 32): kernel 5 is larger than the padded input 3+0+0 = 3; use a kernel of at most 3 or padding of at least 1 per side (the input (3, 32, 32) looks channels-first; cnncalc reads channels last: [H, W, C])'),
    ('missing_arg',
     H + '  - conv2d: {filters: 4}\n',
     'spec.yaml:3:5: layer 1 (conv2d, conv2d): conv2d needs `kernel`, e.g. `- conv2d: {kernel: 3}`'),
    ('list_bad_len',
     H + '  - conv2d: {filters: 4, kernel: [3, 3, 3]}\n',
     "spec.yaml:3:34: layer 1 (conv2d, conv2d): kernel [3, 3, 3] has 3 entries but the input has 2 spatial axes (H, W); give one int or 2 entries"),
    ('padding_word',
     H + '  - conv2d: {filters: 4, kernel: 3, padding: sme}\n',
     'spec.yaml:3:46: layer 1 (conv2d, conv2d): padding `sme` is not a size or a mode (use an int, a list per axis, [before, after] pairs, `same`, `valid` or `causal`); did you mean `same`?'),
    ('activation_bad',
     H + '  - conv2d: {filters: 4, kernel: 3, activation: rellu}\n',
     'spec.yaml:3:49: layer 1 (conv2d, conv2d): unknown activation `rellu`; did you mean `relu`?'),
    ('null_value',
     H + '  - conv2d: {filters: , kernel: 3}\n',
     'spec.yaml:3:23: layer 1 (conv2d, conv2d): filters has no value; write an integer'),
    ('layer_not_mapping',
     H + '  - [1, 2]\n',
     'spec.yaml:3:5: layer 1: a layer must be `- kind` or `- kind: {arguments}`, not a list'),
    ('kind_takes_noargs',
     H + '  - flatten: 3\n',
     'spec.yaml:3:14: layer 1 (flatten, flatten): flatten takes no arguments; write `- flatten`'),
    ('rate_out',
     H + '  - dropout: 1.5\n',
     'spec.yaml:3:14: layer 1 (dropout, dropout): rate must be between 0 and 1, got 1.5'),
    ('input_rank',
     'input: [1, 2, 3, 4, 5]\nlayers:\n  - relu\n',
     'spec.yaml:1:8: input must be a list of 1 to 4 sizes, channels last: [H, W, C] (or [L, C], [D, H, W, C], [L] for token ids), not 5 sizes'),
    ('input_float',
     'input: [32.0, 32, 3]\nlayers:\n  - relu\n',
     'spec.yaml:1:9: input must be a whole number, not 32.0; write 32'),
    ('conv1d_on_2d',
     H + '  - conv1d: {filters: 4, kernel: 3}\n',
     'spec.yaml:3:5: layer 1 (conv1d, conv1d): needs (L, C) input but got (32, 32, 3); for a (32, 32, 3) input use conv2d'),
    ('output_padding',
     'input: [4, 4, 3]\nlayers:\n  - conv_transpose2d: {filters: 4, kernel: 3, stride: 2, output_padding: 2}\n',
     'spec.yaml:3:5: layer 1 (conv2d_transpose, conv_transpose2d): on axis H of input (4, 4, 3): output_padding 2 must be smaller than the stride 2 or the dilation 1; use output_padding <= 1'),
    ('dilation_avg',
     H + '  - avgpool2d: {kernel: 2, dilation: 2}\n',
     'spec.yaml:3:38: layer 1 (average_pooling2d, avgpool2d): average pooling has no dilation (PyTorch and Keras refuse it); remove `dilation`'),
    ('merge_key',
     H + '  - conv2d: &c {filters: 4, kernel: 3}\n  - conv2d: {<<: *c, filters: 8}\n',
     'spec.yaml:4:14: layer 2 (conv2d_1, conv2d): YAML merge keys (`<<: *anchor`) are not supported; write the '
     'arguments out, or repeat the whole layer with `- kind: *anchor`'),
    ('str_tag',
     H + '  - conv2d: {filters: 4, kernel: !!str 3}\n',
     "spec.yaml:3:34: layer 1 (conv2d, conv2d): kernel must be an integer, not the string '3'; remove the `!!str` tag"),
]


@pytest.mark.parametrize("text, line", [pytest.param(t, m, id=k) for k, t, m in BAD])
def test_bad_spec_exact_line(text, line):
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(text, "spec.yaml"))
    assert str(e.value) == line
    assert "\n" not in str(e.value) and e.value.exit_code == 2


@pytest.mark.parametrize("key, text", [
    ("unknown_key", H + "  - conv2d: {filters: 4, kernal: 3}\n"),
    ("kernel_big", "input: [4, 4, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 5}\n"),
    ("yaml_syntax", H + "  - conv2d: {filters: 4, kernel: 3\n"),
    ("unsafe", H + '  - !!python/object/apply:os.system ["echo hi"]\n'),
    ("dense_in_features", H + "  - dense: {units: 10, in_features: 4}\n"),
])
def test_bad_spec_from_the_command_line(main, spec_file, key, text):
    path = spec_file(text)
    r = main("summary", path)
    expected = dict((k, m) for k, _, m in BAD)[key].replace("spec.yaml", str(path), 1)
    assert (r.code, r.err, r.out) == (2, expected + "\n", "")
    assert "Traceback" not in r.err and "hi\n" not in r.out


def test_missing_file(main, tmp_path):
    r = main("summary", tmp_path / "nope.yaml")
    assert (r.code, r.err) == (2, f"{tmp_path / 'nope.yaml'}: no such file; give the path of a YAML spec, "
                                  "e.g. architectures/vgg16.yaml\n")


def test_directory(main, tmp_path):
    r = main("summary", tmp_path)
    assert (r.code, r.err) == (2, f"{tmp_path}: is a directory, not a YAML spec file\n")


def test_empty_file(main, spec_file):
    path = spec_file("")
    r = main("summary", path)
    assert (r.code, r.err) == (2, f"{path}:1:1: the spec is empty; it needs `input: [H, W, C]` and `layers:`\n")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: caf\xe9\ninput: [4, 4, 1]\nlayers: [relu]\n")
    with pytest.raises(CnncalcError) as e:
        load_spec(str(path))
    # the bad byte is at line 1, column len("name: caf") + 1
    assert str(e.value) == f"{path}:1:{len('name: caf') + 1}: is not UTF-8 text: byte 0xe9 cannot be read; save the file as UTF-8"


@pytest.mark.parametrize("text", [
    "input: [4, 4, 1]\nlayers:\n  - relu: {name: off}\n  - relu: {name: 010}\n  - relu: {name: '3:3'}\n  - relu: {name: yes}\n",
])
def test_user_text_is_kept_verbatim(text):
    # YAML 1.1 would read these as false, 8, 183 and true; names are the user's own words
    spec = parse_spec(text)
    assert [layer.name for layer in spec.layers] == ["off", "010", "3:3", "yes"]


@pytest.mark.parametrize("top, name", [("off", "off"), ("010", "010"), ("'007'", "007"), ("1e3", "1e3"), ("3:3", "3:3")])
def test_spec_name_kept_verbatim(top, name):
    assert parse_spec(f"name: {top}\ninput: [4, 4, 1]\nlayers: [relu]\n").name == name


def test_anchors_repeat_a_whole_layer():
    spec = parse_spec(H + "  - conv2d: &c {filters: 4, kernel: 3, padding: same}\n  - conv2d: *c\n")
    assert infer(spec).output_shape == (32, 32, 4) and [layer.name for layer in spec.layers] == ["conv2d", "conv2d_1"]


def test_ids_and_inputs_kept_verbatim():
    spec = parse_spec("input: [4, 4, 1]\nlayers:\n  - relu: {id: 010}\n  - relu: {inputs: [010]}\n")
    assert (spec.layers[0].id, spec.layers[1].inputs) == ("010", ("010",))
    assert infer(spec).output_shape == (4, 4, 1)


@pytest.mark.parametrize("text, value", [
    ("1e-5", 1e-5), ("0.001", 0.001), ("1.0e-3", 1.0e-3), ("2", 2.0), (".5", 0.5),
])
def test_floats_accept_yaml_1_2_forms(text, value):
    spec = parse_spec(f"input: [4, 4, 2]\nlayers:\n  - batchnorm: {{epsilon: {text}}}\n")
    assert spec.layers[0].epsilon == value


def test_parse_does_not_touch_its_input():
    text = H + "  - conv2d: {filters: 4, kernel: 3, padding: same}\n"
    copy = str(text)
    spec = parse_spec(text)
    assert text == copy and spec.input == (32, 32, 3) and spec.layers[0].padding == "same"
    with pytest.raises(Exception):
        spec.layers[0].filters = 8  # frozen


@pytest.mark.parametrize("layer, words", [
    ("batchnorm: {epsilon: -1}", "epsilon must be greater than 0, got -1"),
    ("batchnorm: {epsilon: 0}", "epsilon must be greater than 0, got 0"),
    ("batchnorm: {eps: 1e400}", "epsilon"),
    ("batchnorm: {momentum: 2}", "momentum must be between 0 and 1, got 2"),
    ("layernorm: {eps: -0.1}", "epsilon must be greater than 0"),
    ("groupnorm: {groups: 1, epsilon: 0}", "epsilon must be greater than 0"),
])
def test_norm_epsilon_is_positive_and_momentum_a_rate(layer, words):
    """A negative epsilon gave NaN in verify, which then 'agreed' (issue 14)."""
    with pytest.raises(CnncalcError) as e:
        infer(parse_spec(f"input: [4, 4, 2]\nlayers:\n  - {layer}\n", "spec.yaml"))
    assert words in str(e.value) and str(e.value).startswith("spec.yaml:3:")
