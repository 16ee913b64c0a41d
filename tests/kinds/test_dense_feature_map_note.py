"""Dense on an unflattened feature map: valid (the last axis, as Keras and torch compute it) and
almost always a missing flatten, so the summary says so in a note on stdout (JSON: "notes")."""
from __future__ import annotations

import json

from cnncalc import infer, parse_spec

MISSING_FLATTEN = "input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - maxpool2d: 2\n  - dense: 10\n"
FLATTENED = "input: [8, 8, 3]\nlayers:\n  - conv2d: {filters: 4, kernel: 3}\n  - maxpool2d: 2\n  - flatten\n  - dense: 10\n"


def test_the_kind_notes_what_it_computes():
    s = infer(parse_spec(MISSING_FLATTEN))
    about, numbers = s.layers[-1].layer.note(s.layers[-1])
    assert "last axis" in about and "(C+1)*units" in about and "`flatten`" in about
    # (3, 3, 4) -> (3, 3, 10): (4+1)*10 = 50 params; flattened, (36+1)*10 = 370
    assert "(3, 3, 4) gives (3, 3, 10)" in numbers and "4*10 + 10 = 50" in numbers and "36*10 + 10 = 370" in numbers
    assert s.notes() == [f"{about}: {numbers}."]


def test_flat_input_has_no_note():
    assert infer(parse_spec(FLATTENED)).notes() == []


def test_note_on_stdout_not_an_error(main, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(MISSING_FLATTEN)
    run = main("summary", spec)
    assert run.code == 0 and not run.err
    text = " ".join(run.out.split())
    assert "Note: dense on a feature map acts on its last axis" in text and "Total params: 162" in text


def test_note_in_json(main, tmp_path):
    spec = tmp_path / "net.yaml"
    spec.write_text(MISSING_FLATTEN)
    doc = json.loads(main("summary", spec, "--format", "json").out)
    assert len(doc["notes"]) == 1 and "flatten" in doc["notes"][0]
    spec.write_text(FLATTENED)
    assert "notes" not in json.loads(main("summary", spec, "--format", "json").out)


def test_many_layers_one_line():
    s = infer(parse_spec("input: [4, 4, 2]\nlayers:\n" + "  - dense: 2\n" * 6))
    (line,) = s.notes()
    assert line.endswith("; and 3 more.") and line.count("layer ") == 3
