"""Keras ops with a number operand (hard-sigmoid written `ReLU(6.0)(x + 3.0) * (1.0 / 6.0)`, as
keras.applications' MobileNetV3 writes it) keep their number: import writes x * scale + offset
(rescaling), and summary reads what import wrote; an op it does not read is refused."""
import pytest

from cnncalc.api import import_model
from cnncalc.infer import infer
from cnncalc.readers import ReaderError
from cnncalc.spec import parse_spec

keras = pytest.importorskip("keras")


def saved(tmp_path, fn):
    inp = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(4, 1)(inp)
    path = tmp_path / "m.json"
    path.write_text(keras.Model(inp, fn(x)).to_json())
    return str(path)


def test_hard_sigmoid_as_operations_keeps_its_constants(tmp_path):
    text = import_model(saved(tmp_path, lambda x: keras.layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)))
    assert "rescaling: {scale: 1, offset: 3.0, name: add" in text   # Keras numbers op names per process
    assert "rescaling: {scale: 0.16666666666666666, offset: 0, name: multiply" in text
    s = infer(parse_spec(text))
    assert s.totals.params == 16 and s.layers[-1].output_shape == (8, 8, 4)


def test_an_operation_with_a_number_it_does_not_read_is_refused(tmp_path):
    with pytest.raises(ReaderError, match="the operation Subtract with the number 3.0 as an operand"):
        import_model(saved(tmp_path, lambda x: 3.0 - x))
