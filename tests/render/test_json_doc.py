"""summary --format json is written by a hand-made streaming encoder: its text must be byte for
byte what json.dumps(indent=2) writes, for any value the document can hold."""
import json

from hypothesis import given, settings, strategies as st

from cnncalc import api, metrics
from cnncalc.render import json_doc

_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                    st.floats(allow_nan=False, allow_infinity=False))
_values = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(st.text(max_size=6), inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_values, st.integers(0, 20))
def test_encoder_writes_what_json_dumps_writes(value, level):
    out: list = []
    json_doc._encode(value, level, out)
    assert "".join(out) == json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)


def test_int_subclasses_and_bools_in_lists_are_written_as_json_writes_them():
    class Size(int):
        pass
    value = {"a": [True, 1], "b": [Size(3), 4], "c": (False,), 1: None, Size(2): [[]]}
    out: list = []
    json_doc._encode(value, 0, out)
    assert "".join(out) == json.dumps(value, indent=2)


def test_streamed_document_equals_the_dict_dumped():
    s = api.infer("architectures/resnet50.yaml")
    ms = metrics.compute(s)
    assert "".join(json_doc.iter_json(s, ms)) == json.dumps(json_doc.to_dict(s, ms), indent=2) + "\n"
