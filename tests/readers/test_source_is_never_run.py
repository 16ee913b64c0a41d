"""Nothing a file holds is ever run, and hostile source is refused quickly."""
from __future__ import annotations

import pytest

from cnncalc.readers import ReaderError, load_model

from .common import TORCH_HEAD, write


def test_python_in_the_file_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    evil = (f"__import__('os').system('touch {marker}')\n"
            f"open({str(marker)!r}, 'w').write('x')\n"
            f"exec(\"open({str(marker)!r}, 'w')\")\n"
            "import torch\nfrom torch import nn\n"
            "class Net(nn.Module):\n"
            "    def __init__(self):\n"
            "        super().__init__()\n"
            f"        __import__('os').system('touch {marker}')\n"
            "        self.fc = nn.Linear(4, 2)\n"
            "    def forward(self, x):\n"
            "        return self.fc(x)\n")
    path = write(tmp_path, "evil.py", evil)
    with pytest.raises(ReaderError) as e:
        load_model(path)
    assert "__import__" in str(e.value) or "not read" in str(e.value) or "YAML" in str(e.value)
    assert not marker.exists()


def test_huge_loops_and_recursion_are_refused_quickly(tmp_path):
    loop = write(tmp_path, "loop.py", TORCH_HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
                 "        super().__init__()\n        n = 0\n        for i in range(10 ** 9):\n            n += 1\n"
                 "        self.fc = nn.Linear(4, 2)\n    def forward(self, x):\n        return self.fc(x)\n")
    with pytest.raises(ReaderError, match="cnncalc unrolls"):
        load_model(loop)
    rec = write(tmp_path, "rec.py", TORCH_HEAD + "class Net(nn.Module):\n    def __init__(self):\n"
                "        super().__init__()\n        self.inner = Net()\n    def forward(self, x):\n        return x\n")
    with pytest.raises(ReaderError, match="nest deeper"):
        load_model(rec)
    deep = write(tmp_path, "deep.py", "import torch\nx = " + "-" * 300 + "1\n")
    with pytest.raises(ReaderError, match="nests deeper than 200 levels"):
        load_model(deep)
