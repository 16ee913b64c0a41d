"""A Rescaling's scale and offset are exported exactly: the literal reads back as the same float."""
from __future__ import annotations

import re

import cnncalc
from cnncalc.api import export_code


def test_rescaling_scale_is_written_exactly():
    scale, offset = 1 / 255, -1 / 3
    spec = cnncalc.load(f"input: [4, 4, 3]\nlayers:\n  - rescaling: {{scale: {scale!r}, offset: {offset!r}}}\n")
    for to in ("pytorch", "keras"):
        text = export_code(spec, to)
        m = re.search(r"Rescaling\((-?[0-9][^,)]*)(?:, (?:offset=)?([^,)]+))?", text)
        assert m and float(m.group(1)) == scale and float(m.group(2)) == offset, text
