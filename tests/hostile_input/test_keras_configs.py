"""Keras configs (JSON dumps and .keras files) of the wrong JSON shape or with hostile numbers:
every value where the reader expects an object, list, string or number passes one validation
(readers/jsonshape.py) and a refusal names the file, the layer and the field. Hypothesis puts
hostile values anywhere in two small real configs. Naming and locating layers stays linear."""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError
from cnncalc.readers import read_model
from cnncalc.readers.common import Graph

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIGS = [ROOT / "tests" / "data" / "keras_small_seq.json", ROOT / "tests" / "data" / "keras_small_functional.json"]
FUZZ = settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
HOSTILE = ["[]", "{}", '"x"', "1e999", "-1e999", "-1", "0", str(2 ** 70), "9" * 5000, "[[1]]", "null", "true",
           "1.5", '"1e999"', "[1, 2, 3, 4, 5]", '{"a": 1}', '""', "[null]", "[-1, -1]", str(2 ** 40),
           '"relu: {name: a}\\n  - dense: {units: 3}"', '"a\\n"']


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, path + (i,))


def _replace(value, path, marker):
    if not path:
        return marker
    value[path[0]] = _replace(value[path[0]], path[1:], marker)
    return value


BASES = [json.loads(p.read_text()) for p in CONFIGS]
PATHS = [list(_paths(b)) for b in BASES]


@st.composite
def mutated(draw):
    """A real config with one to three values replaced by hostile JSON text."""
    which = draw(st.integers(0, len(BASES) - 1))
    data = json.loads(json.dumps(BASES[which]))
    marks = {}
    for i in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[which]))
        try:
            data = _replace(data, path, f"@@{i}@@")
        except (KeyError, IndexError, TypeError):
            continue
        marks[f'"@@{i}@@"'] = draw(st.one_of(st.sampled_from(HOSTILE), st.integers().map(str),
                                            st.floats(allow_nan=False).map(repr)))
    text = json.dumps(data)
    for mark, value in marks.items():
        text = text.replace(mark, value)
    return text


@FUZZ
@given(text=mutated(), keras=st.booleans())
def test_any_config_is_read_or_refused_in_one_line(text, keras, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cfg")
    path = folder / ("m.keras" if keras else "m.json")
    if keras:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("config.json", text)
            z.writestr("metadata.json", '{"keras_version": "3.0.0"}')
    else:
        path.write_text(text)
    try:
        read_model(str(path), input=(16, 16, 3))
    except CnncalcError as e:
        assert "\n" not in e.one_line() and "set_int_max_str_digits" not in str(e), str(e)


def _read_with(tmp_path, layer: int, key: str, value: str, base: int = 0) -> str:
    data = json.loads(json.dumps(BASES[base]))
    data["config"]["layers"][layer]["config"][key] = "@@"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data).replace('"@@"', value))
    with pytest.raises(CnncalcError) as e:
        read_model(str(path), input=(16, 16, 3))
    return str(e.value)


@pytest.mark.parametrize("key,value,words", [
    ("momentum", "[0.9]", ["layer `bn`", "`config.momentum` must be a number, not a list"]),
    ("momentum", "9" * 5000, ["`config.momentum`", "5,000 digits", "19"]),
    ("epsilon", "1e999", ["`config.epsilon` is inf, not a finite number"]),
    ("momentum", "null", ["`config.momentum` must be a number, not None"]),
])
def test_a_refusal_names_the_layer_and_the_field(key, value, words, tmp_path):
    text = _read_with(tmp_path, 2, key, value)
    assert text.startswith(f"{tmp_path / 'm.json'}:1:"), text
    for w in words:
        assert w in text, text


def test_a_string_rate_and_a_list_config(tmp_path):
    assert "`config.rate` must be a number, not '0.5'" in _read_with(tmp_path, 7, "rate", '"0.5"')
    data = json.loads(json.dumps(BASES[0]))
    data["config"]["layers"][1]["config"] = "relu"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CnncalcError, match=r"`config.layers\[1\].config` must be an object or null, not 'relu'"):
        read_model(str(path), input=(16, 16, 3))


def test_an_activation_holding_yaml_stays_one_activation(tmp_path):
    text = _read_with(tmp_path, 1, "activation", '"relu: {name: a}\\n  - dense: {units: 3}"')
    assert "unknown activation" in text


def test_100000_layers_sharing_a_name_are_named_in_linear_time():
    graph = Graph("m.py")
    start = time.perf_counter()
    for _ in range(99_999):
        graph.add("relu", {}, ["input"], "relu")
    assert time.perf_counter() - start < 10
    assert graph.nodes[1].name == "relu_2" and graph.nodes[-1].name == "relu_99999"
    assert graph.add("relu", {}, ["input"], "relu_5") == "relu_5_2"


def _limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


@pytest.mark.slow
def test_a_large_keras_json_is_read_in_linear_time(tmp_path):
    """20,000 layers sharing a name: each located in the JSON and named once (84 s before)."""
    data = json.loads(json.dumps(BASES[0]))
    relu = data["config"]["layers"][3]
    data["config"]["layers"] = data["config"]["layers"][:1] + [relu] * 20_000
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data, indent=1))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CNNCALC_MAX_INPUT": "50M"}
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "cnncalc", "import", str(path), "-o", str(tmp_path / "o.yaml")],
                       capture_output=True, text=True, timeout=120, env=env, preexec_fn=_limit,
                       stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr
    assert time.perf_counter() - start < 60
    assert "r_20000" in (tmp_path / "o.yaml").read_text()
