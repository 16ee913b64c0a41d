"""Export with hostile names (issue 14): no user text reaches generated code except as a repr()
literal or a checked identifier. Hypothesis puts names made of quotes, triple quotes,
backslashes, `\\N{...}`, NUL, control characters, non-ASCII and `$` in every place a name can go
(the spec's name and path, layer names, ids); the code must parse, hold exactly the statements
and calls a plain name gives, and, where torch or keras is installed, build the same model."""
from __future__ import annotations

import ast
import dataclasses
import os

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cnncalc.export import export_code
from cnncalc.infer import infer
from cnncalc.spec import parse_spec

NET = """
name: plain
input: [8, 8, 3]
layers:
  - conv2d: {filters: 4, kernel: 3, padding: 1, activation: relu, id: a, name: conv_a}
  - conv2d: {filters: 4, kernel: 3, padding: 1, id: b, name: conv_b}
  - add: {inputs: [a, b], name: join}
  - maxpool2d: {kernel: 2, name: pool}
  - flatten: {name: flat}
  - dense: {units: 5, name: head}
"""
PARAMS = (3*3*3*4 + 4) + (3*3*4*4 + 4) + (4*4*4*5 + 5)

NASTY = ['"""', "'''", "\\", "\\N{BULLET}", "\x00", "\r", "\n", "\x1b[2J", "$", "é", "𝕏", "'", '"', "#",
         "{", "}", "%s", "__import__('os').system('x')", "\"\"\" + str(1/0) + \"\"\"", "C:\\users\\net"]
names = st.lists(st.sampled_from(NASTY) | st.text(min_size=0, max_size=6), min_size=1, max_size=6).map("".join)


def with_names(spec_name: str, layer_names: list[str], path: str):
    spec = parse_spec(NET)
    layers = tuple(dataclasses.replace(L, name=n or L.name) for L, n in zip(spec.layers, layer_names))
    return dataclasses.replace(spec, name=spec_name, layers=layers, path=path)


def shape_of(code: str) -> list:
    """The code's AST with every string constant blanked: what runs, not what it says."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
        if isinstance(node, (ast.Name, ast.arg, ast.Attribute, ast.ClassDef, ast.FunctionDef)):
            for field in ("id", "arg", "attr", "name"):
                if isinstance(getattr(node, field, None), str) and not getattr(node, field).startswith("__"):
                    setattr(node, field, "_")
    return [type(n).__name__ for n in ast.walk(tree)]


PLAIN = {to: shape_of(export_code(infer(parse_spec(NET)), to)) for to in ("pytorch", "keras")}


@pytest.mark.parametrize("to", ["pytorch", "keras"])
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(spec_name=names, layer_names=st.lists(names.filter(bool), min_size=6, max_size=6, unique=True), path=names)
def test_hostile_names_never_become_code(to, spec_name, layer_names, path):
    spec = with_names(spec_name, layer_names, path)
    try:
        summary = infer(spec)
    except Exception as e:  # names the spec itself refuses (duplicates) are not the exporter's business
        from cnncalc.errors import CnncalcError
        assert isinstance(e, CnncalcError)
        return
    code = export_code(summary, to)
    assert shape_of(code) == PLAIN[to]  # parses, and the same statements, calls and operators
    assert "\x00" not in code and "\x1b" not in code and "\r" not in code


@pytest.mark.parametrize("to, framework", [("pytorch", "torch"), ("keras", "keras")])
def test_a_hostile_export_builds_the_same_model(to, framework, tmp_path, monkeypatch):
    pytest.importorskip(framework)
    monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))
    hostile = ['x""" + str(1/0) + """', "C:\\users\\net", "\\N{BULLET}'", "$a$", "é\x1b[2J", "#"]
    spec = with_names('evil """ name \\', hostile, 'C:\\path\\"""evil.yaml')
    code = export_code(infer(spec), to)
    path = tmp_path / "hostile_export.py"
    path.write_text(code)
    namespace: dict = {"__name__": "hostile_export"}
    exec(compile(code, str(path), "exec"), namespace)
    if framework == "torch":
        import torch
        defined = [v for v in namespace.values() if isinstance(v, type) and issubclass(v, torch.nn.Module)
                   and v.__module__ == "hostile_export"]
        model = defined[-1]()  # the network's class comes after the helpers it uses
        assert sum(p.numel() for p in model.parameters()) == PARAMS
    else:
        build = next(v for k, v in namespace.items() if k.startswith("build") and callable(v))
        assert build().count_params() == PARAMS


@pytest.mark.parametrize("spec_name", ["None", "True", "class", "add", "Merge", "print", "torch", "nn", "1st"])
@pytest.mark.parametrize("to", ["pytorch", "keras"])
def test_spec_names_that_are_keywords_builtins_or_helpers(spec_name, to):
    code = export_code(infer(with_names(spec_name, [""] * 6, "x.yaml")), to)
    classes = [n.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ClassDef)]
    assert len(classes) == len(set(classes))


def test_a_comma_in_a_name_never_splits_the_call():
    """split_args reads with the tokenizer: a long call split one argument per line keeps a
    name like "a, b)" whole (found by the hypothesis test above)."""
    from cnncalc.export.common import split_args
    assert split_args("4, 3, name='x, (y'") == ["4", "3", "name='x, (y'"]
