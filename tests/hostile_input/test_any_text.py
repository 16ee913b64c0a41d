"""Any text given to the answer-table, grid, gradient and model readers is a value or a
CnncalcError (one line, exit 2), never another exception (issue 14). Hypothesis writes tables,
grids and files that look almost right, and plain junk."""
from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc import CnncalcError, api
from tests.conftest import ZOO

FUZZ = settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
SPEC = str(ZOO / "lenet_homework.yaml")

CELL = st.one_of(
    st.sampled_from(["", "28x28x6", "(None, 28, 28, 8)", "4,704", "4.704", "3'072", "30,00,000", "5*5*3*8+8",
                     "9**9**9", "((9^8)^8)^8", "1e400", "nan", "-", "?", "✓", "=1+1", "|", "\t", "*_" * 50,
                     "1" * 30, "[28,28,8]", "(84,)", "3M", "62.9k", "0x10", "1_000"]),
    st.text(max_size=12),
)
ROW = st.lists(CELL, min_size=1, max_size=5)


@st.composite
def tables(draw):
    rows = draw(st.lists(ROW, min_size=0, max_size=6))
    header = draw(st.sampled_from([["Layer", "Activation shape", "Activation size", "# parameters"],
                                   ["layer", "params"], ["x"], []]))
    sep = draw(st.sampled_from(["|", ",", ";", "\t", "  "]))
    lines = [sep.join(header)] if header else []
    if sep == "|" and draw(st.booleans()):
        lines.append("|".join("---" for _ in header))
    lines += [sep.join(r) for r in rows]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\nfree text ✗"]))


@FUZZ
@given(text=st.one_of(tables(), st.text(max_size=200)), fmt=st.sampled_from([None, "md", "csv", "tsv", "yaml"]))
def test_any_answer_table_is_graded_or_refused(text, fmt, tmp_path_factory):
    path = tmp_path_factory.mktemp("answers") / "answers.txt"
    path.write_text(text)
    try:
        api.check_answers(str(path), SPEC, read_as=fmt)
    except CnncalcError:
        pass


NUMBER = st.one_of(st.integers(-9, 9).map(str), st.sampled_from(["1e308", "-1e308", "nan", "inf", "0.5", "x", "", "1/0",
                                                                   "[", "]", "1" * 25]))
GRID = st.lists(st.lists(NUMBER, min_size=0, max_size=4).map(" ".join), min_size=0, max_size=4).map("; ".join)


@FUZZ
@given(image=st.one_of(GRID, st.text(max_size=40)), kernel=st.one_of(GRID, st.sampled_from(["sobel_x", "lonely"])),
       stride=st.integers(-1, 3), padding=st.integers(-1, 3), at=st.sampled_from([None, "0,0", "9,9", "x", "1"]))
def test_any_grid_is_worked_or_refused(image, kernel, stride, padding, at):
    for run in (lambda: api.convolve(image, kernel, stride=stride, padding=padding, at=at, bias=0.5, activation="relu"),
                lambda: api.pool(image, 2, stride=max(stride, 1), padding=padding, at=at),
                lambda: api.gradient(image, kernel, None, stride=stride, padding=padding)):
        try:
            run()
        except CnncalcError:
            pass


PY_LINES = st.sampled_from([
    "import torch.nn as nn", "import keras", "from keras import layers", "class Net(nn.Module):",
    "    def __init__(self):", "        super().__init__()", "        self.c = nn.Conv2d(3, 8, 3)",
    "        self.f = nn.Linear(8, 2)", "    def forward(self, x):", "        return self.f(self.c(x))",
    "        x = x.view(-1, 8)", "model = keras.Sequential([layers.Conv2D(8, 3), layers.Flatten()])",
    "for i in range(10**9): pass", "x = [1] * 10**9", "def f(): return f()", "self.c = nn.Conv2d(*x)",
    "        self.s = nn.Sequential(*[nn.ReLU() for _ in range(3)])", "lambda: 0", "@decorator", "(", "'''",
])


@FUZZ
@given(lines=st.lists(PY_LINES, max_size=12), junk=st.text(max_size=30))
def test_any_python_model_file_is_read_or_refused(lines, junk, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "net.py"
    path.write_text("\n".join(lines) + "\n" + junk)
    try:
        api.import_model(path, input="8x8x3")
    except CnncalcError:
        pass


@FUZZ
@given(config=st.recursive(st.none() | st.booleans() | st.integers(-3, 9) | st.text(max_size=8),
                           lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
                               st.sampled_from(["class_name", "config", "layers", "name", "inbound_nodes",
                                                "batch_shape", "filters", "kernel_size", "units"]), kids, max_size=4),
                           max_leaves=20),
       as_zip=st.booleans())
def test_any_keras_file_is_read_or_refused(config, as_zip, tmp_path_factory):
    import json
    folder = tmp_path_factory.mktemp("keras")
    text = json.dumps({"class_name": "Sequential", "config": config})
    if as_zip:
        path = folder / "m.keras"
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("config.json", text)
        path.write_bytes(buf.getvalue())
    else:
        path = folder / "m.json"
        path.write_text(text)
    try:
        api.import_model(path, input="8x8x3")
    except CnncalcError:
        pass


@pytest.mark.parametrize("data", [b"", b"\x00" * 64, b"\x08\x07\x12\x04junk", bytes(range(256))])
def test_any_onnx_bytes_are_read_or_refused(data, tmp_path):
    pytest.importorskip("onnx")
    path = tmp_path / "m.onnx"
    path.write_bytes(data)
    with pytest.raises(CnncalcError):
        api.import_model(path, input="8x8x3")
