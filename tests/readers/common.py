"""What the readers' tests share: the corpus of real files (this folder), the zoo, small helpers."""
from __future__ import annotations

import glob
import json
import os

from cnncalc.infer import infer
from cnncalc.readers import load_model

CORPUS = os.path.dirname(os.path.abspath(__file__))
ZOO = sorted(glob.glob(os.path.join(CORPUS, "..", "..", "architectures", "*.yaml")))
COUNTS = json.load(open(os.path.join(CORPUS, "counts.json")))
TORCH_HEAD = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def summary_of(path, **kw):
    return infer(load_model(path, **kw))


def line_of(path, text):
    """1-based line of the first line holding `text`."""
    return next(i for i, line in enumerate(open(path), start=1) if text in line)
