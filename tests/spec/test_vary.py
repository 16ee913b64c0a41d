"""Templates (`vary:`, cnncalc/vary.py): each `$name` takes the picked choice, the first by
default; `--vary` picks others; the errors are one line at the name or choice at fault."""
from __future__ import annotations

import dataclasses

import pytest

from cnncalc import CnncalcError, infer, parse_spec

TEMPLATE = """\
vary:
  n: [28, 32, 36]
  k1: [4, 6, 8]
input: [$n, $n, 3]
layers:
  - conv2d: {filters: $k1, kernel: 5, name: conv1}
  - maxpool2d: 2
  - flatten
  - dense: 10
"""


def plain(n: int, k1: int) -> str:
    """The variant written out by hand."""
    return (f"input: [{n}, {n}, 3]\nlayers:\n  - conv2d: {{filters: {k1}, kernel: 5, name: conv1}}\n"
            "  - maxpool2d: 2\n  - flatten\n  - dense: 10\n")


def unplaced(spec) -> list:
    """The layers without their line and column."""
    return [dataclasses.replace(layer, line=None, col=None) for layer in spec.layers]


def test_first_choices_by_default():
    spec = parse_spec(TEMPLATE, "t.yaml")
    assert spec.input == (28, 28, 3) and spec.layers[0].filters == 4
    t = spec.template
    assert (t.names, t.count, t.label()) == (("n", "k1"), 3 * 3, "n=28,k1=4")
    assert t.note() == "note: a template with 9 variants (vary: n, k1); this is --vary n=28,k1=4"


@pytest.mark.parametrize("n, k1", [(28, 4), (32, 8), (36, 6)])
def test_a_variant_is_the_plain_spec_with_its_values(n, k1):
    variant = parse_spec(TEMPLATE, "t.yaml", {"n": str(n), "k1": str(k1)})
    written = parse_spec(plain(n, k1), "t.yaml")
    assert variant.input == written.input and unplaced(variant) == unplaced(written)
    assert written.template is None
    # (n - 5 + 1) // 2 squared times k1 features into 10 units
    assert infer(variant).layers[-1].params == ((n - 5 + 1) // 2) ** 2 * k1 * 10 + 10


def test_blocks_expressions_lists_and_words():
    text = """\
vary:
  k: [3, 5]
  p: [same, 1]
  f: [[3, 3], [5, 3]]
blocks:
  b:
    params: {w: $k}
    layers:
      - conv2d: {filters: $w, kernel: $f, padding: $p}
      - conv2d: {filters: $k, kernel: 1}
input: [$k*4, $k*4, 3]
layers:
  - b: {}
  - b: {w: $k*2}
"""
    spec = parse_spec(text, "t.yaml", {"k": "5", "f": "5x3"})
    filters = [layer.filters for layer in spec.layers]
    assert spec.input == (20, 20, 3) and filters == [5, 5, 10, 5]  # default $k, vary $k, $k*2, vary $k
    assert spec.layers[0].kernel == (5, 3) and spec.layers[0].padding == "same"
    assert spec.template.count == 2 * 2 * 2 and spec.template.label() == "k=5,p=same,f=5x3"
    # a block parameter shadows a template name of the same name
    shadow = text.replace("params: {w: $k}", "params: {w: $k, k: 7}")
    assert [layer.filters for layer in parse_spec(shadow, "t.yaml").layers] == [3, 7, 6, 7]


V = "vary:\n  n: [28, 32]\n"
BAD = [
    (V + "input: [$n, $m, 3]\nlayers:\n  - dense: 3\n", None,
     "t.yaml:3:13: `$m` is used but not declared under `vary:` (it declares $n); "
     "add `m: [choices]` under `vary:`"),
    (V + "input: [$n, $n, 3]\nlayers:\n  - conv2d: {filters: $k, kernel: 3}\n", None,
     "t.yaml:5:23: layer 1: `$k` is used but not declared under `vary:` (it declares $n); add `k: [choices]` under `vary:`"),
    (V, {"n": "30"}, "t.yaml:2:3: --vary n=30: 30 is not a choice of `n` (its choices are 28, 32)"),
    (V, {"q": "30"}, "t.yaml:1:1: --vary names `q`, which `vary:` does not declare (it declares n)"),
    ("vary:\n  n: [28, abc]\n", None, "t.yaml:2:11: vary n=abc: input must be an integer, not abc"),
    ("vary:\n  n: [28, 0]\n", None, "t.yaml:2:11: vary n=0: input must be at least 1, got 0"),
    ("vary:\n  n: [28, {a: 1}]\n", None,
     "t.yaml:2:11: choice 2 of vary `n` is not a value (a number, a word, true/false or a list of sizes such as [3, 5])"),
    ("vary:\n  n: [28, 28]\n", None, "t.yaml:2:11: choice 2 of vary `n` repeats choice 1 (28); list each once"),
    ("vary:\n  n: [28, $k]\n", None, "t.yaml:2:11: choice 2 of vary `n` is `$k`; a choice is a value, not another `$name`"),
    ("vary:\n  n: []\n", None, "t.yaml:2:6: vary `n` has an empty list; give at least one choice"),
    ("vary:\n  n: 5\n", None, "t.yaml:2:6: vary `n` must be a list of choices, e.g. `n: [5, ...]`"),
    ("vary: [n]\n", None, "t.yaml:1:7: `vary` must be a mapping from a name to its list of choices, e.g. `vary: {n: [28, 32, 36]}`"),
    (V + "  k: [1, 2]\n", None, "t.yaml:3:3: `vary` declares `k`, but no value uses `$k`; use it or remove it"),
    ("vary:\n  n: [" + ", ".join(str(k) for k in range(1, 258)) + "]\n", None,
     "t.yaml:2:3: `vary` lists 257 choices in all, more than the 256 allowed"),
    ("", {"n": "28"}, "t.yaml:1:1: --vary picks a variant of a template, but this spec declares no `vary:`; leave --vary out"),
]


@pytest.mark.parametrize("head, choose, message", BAD)
def test_errors(head, choose, message):
    text = head if "input:" in head else head + "input: [$n, $n, 3]\nlayers:\n  - dense: 3\n"
    with pytest.raises(CnncalcError) as e:
        parse_spec(text, "t.yaml", choose)
    assert str(e.value) == message


def test_an_error_only_some_variants_have_is_not_the_templates():
    """k - c comes out at 0 for k=3, c=3: that variant is invalid, the template is not."""
    text = "vary:\n  k: [3, 5]\n  c: [2, 3]\ninput: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: $k - $c}\n"
    assert parse_spec(text, "t.yaml").layers[0].kernel == 1
    with pytest.raises(CnncalcError, match="kernel must be at least 1, got 0"):
        parse_spec(text, "t.yaml", {"c": "3"})


def test_summary_says_it_is_a_template(main, spec_file):
    path = spec_file(TEMPLATE)
    note = "note: a template with 9 variants (vary: n, k1); this is --vary n=28,k1=4\n"
    r = main("summary", path)  # the fast path
    assert r.code == 0 and r.err == note and "(28, 28, 3)" in r.out
    r = main("summary", path, "--vary", "n=32,k1=8", "--format", "markdown")
    assert r.code == 0 and r.err == note.replace("n=28,k1=4", "n=32,k1=8")
    assert r.out.replace("**spec**", "**plain**") == main("summary", spec_file(plain(32, 8), "plain.yaml"), "--format", "markdown").out


def test_check_and_export_take_vary(main, spec_file, tmp_path):
    path = spec_file(TEMPLATE)
    key = main("summary", path, "--vary", "n=36", "--format", "markdown").out
    answers = tmp_path / "answers.md"
    answers.write_text(key)
    assert main("check", answers, "--spec", path, "--vary", "n=36").code == 0
    assert main("check", answers, "--spec", path).code == 1  # the first variant's numbers differ
    r = main("export", path, "--to", "pytorch", "--vary", "k1=8")
    assert r.code == 0 and "nn.Conv2d(3, 8, kernel_size=5" in r.out


@pytest.mark.parametrize("args, message", [
    (("--vary", "n"), "cnncalc: --vary takes name=choice pairs separated by commas, e.g. --vary n=32,k1=8; cannot read 'n'"),
    (("--vary", "n=28,n=32"), "cnncalc: --vary gives `n` twice; give each name once"),
])
def test_bad_vary_argument(main, spec_file, args, message):
    r = main("summary", spec_file(TEMPLATE), *args)
    assert (r.code, r.err.strip()) == (2, message)


def test_vary_on_a_model_file_is_refused(main):
    r = main("summary", "docs/examples/blitz_net.py", "--input", "32x32x3", "--vary", "n=3")
    assert (r.code, r.err) == (2, "cnncalc: --vary picks a variant of a YAML template, but docs/examples/blitz_net.py "
                                  "is a model file; leave --vary out\n")


def test_the_api_picks_variants_too():
    import cnncalc
    spec = cnncalc.load(TEMPLATE, vary="n=36,k1=8")
    assert spec.input == (36, 36, 3) and spec.template.label() == "n=36,k1=8"
    assert cnncalc.load(TEMPLATE, vary={"k1": "6"}).template.values() == {"n": "28", "k1": "6"}


def test_a_report_shows_the_variant_not_the_template(spec_file):
    from cnncalc import api
    page, _ = api.report_html(spec_file(TEMPLATE, "t.yaml"), charts=False)
    assert "The variant n=28,k1=4 of the template t.yaml" in page and "$n" not in page


@pytest.mark.parametrize("args", [("verify", "SPEC"), ("solve", "input", "SPEC", "--max", "40"), ("plot", "SPEC", "-o", "-")])
def test_other_commands_take_vary(main, spec_file, args):
    path = spec_file(TEMPLATE)
    r = main(*(path if a == "SPEC" else a for a in args), "--vary", "n=32,k1=8")
    assert r.code == 0 and r.err.endswith("this is --vary n=32,k1=8\n"), r.err
