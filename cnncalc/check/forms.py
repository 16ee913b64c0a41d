"""What a submitted file is, by its bytes first and its name second: text (read by read.py),
a Jupyter notebook, an Excel workbook, a PDF; or something no table can be read from (an
image, a scanned PDF, a Word file, a binary), refused in one line saying what it is and what
to hand in instead."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..errors import CnncalcError

HAND_IN = "hand in the table as text: Markdown, CSV, an .xlsx workbook, a notebook or a PDF with text"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
IMAGES = ((b"\x89PNG\r\n\x1a\n", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF87a", "a GIF image"),
          (b"GIF89a", "a GIF image"), (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"),
          (b"BM", "a BMP image"))
OTHER = ((b"\xd0\xcf\x11\xe0", "an old Office file (.xls or .doc)", "save it as .xlsx or CSV"),
         (b"%PDF-", "", ""), (b"PK\x03\x04", "", ""), (b"\x1f\x8b", "a gzip archive", "unpack it"),
         (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it"), (b"Rar!", "a RAR archive", "unpack it"))


# The forms `check --as` forces: the text forms read.py parses, and the files holding text
# (a notebook, a workbook, a PDF). Each is also found by content; --as only decides a doubt.
TEXT_FORMS = ("md", "org", "csv", "csv-semicolon", "tsv", "yaml", "aligned", "summary", "keras3", "keras2",
              "torchinfo", "torchsummary", "html", "latex", "rst")
FILE_FORMS = {"ipynb": "a Jupyter notebook", "xlsx": "an Excel workbook (.xlsx)", "pdf": "a PDF"}
AS_FORMS = TEXT_FORMS + tuple(FILE_FORMS)
_BYTES = {"pdf": "pdf", "zip": "xlsx"}  # kind_of_bytes -> the file form it is


def forced(fmt: str | None, kind: str, notebook: bool, path: str) -> None:
    """Refuse `--as FMT` when the file is another form: a workbook read as csv, text as xlsx.
    `kind` is kind_of_bytes; `notebook` whether the text is a Jupyter notebook."""
    if fmt is None:
        return
    if fmt not in AS_FORMS:
        raise AnswerError(f"cannot be read --as {fmt}: the forms are {', '.join(AS_FORMS)}", path=path)
    actual = _BYTES.get(kind) or ("ipynb" if notebook else None)
    if actual == fmt or (actual is None and fmt in TEXT_FORMS) or kind not in ("text", "utf-16", "pdf", "zip"):
        return
    what = FILE_FORMS[actual] if actual else "text"
    raise AnswerError(f"is {what}, not {FILE_FORMS.get(fmt, fmt + ' text')}; read it --as "
                      f"{actual or 'md (or csv, tsv, ...)'}, or leave --as out to read it by its content", path=path)


class AnswerError(CnncalcError):
    """The answers file cannot be read as a table (exit status 2)."""


@dataclass(frozen=True)
class Source:
    """A submission made text: the text read.py parses, the format to read it as (None: sniff),
    and the form it came in (`ipynb: markdown cell 3`) when it was not plain text."""
    text: str
    fmt: str | None = None
    form: str = ""


def kind_of_bytes(data: bytes) -> str:
    """`image`, `pdf`, `zip`, `other` (an old Office file, an archive), `binary`, `utf-16` or `text`."""
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if image_name(data):
        return "image"
    if any(head.startswith(m) for m, what, _ in OTHER if what):
        return "other"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"  # Excel's and Notepad's "Unicode text"
    if b"\x00" in data[:8192]:
        return "binary"
    return "text"


def image_name(data: bytes) -> str:
    head = data[:16]
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"avif"):
        return "an HEIC/AVIF image"
    for magic, what in IMAGES:
        if head.startswith(magic) and (magic != b"BM" or b"\x00" in data[:64]):
            return what
    return ""


def refuse(data: bytes, path: str) -> None:
    """One line for what cannot hold a readable table."""
    what = image_name(data)
    if what:
        raise AnswerError(f"is {what}: a photo or screenshot of a table cannot be graded; {HAND_IN}", path=path)
    for magic, name, fix in OTHER:
        if name and data.startswith(magic):
            raise AnswerError(f"is {name}, not a table; {fix}", path=path)
    raise AnswerError(f"is a binary file ({len(data):,} bytes, not text), not a table; {HAND_IN}", path=path)


def ansi_off(text: str) -> str:
    return ANSI.sub("", text)


# -- notebooks ---------------------------------------------------------------------------------
def looks_like_notebook(text: str) -> bool:
    head = text.lstrip()[:4096]
    return head.startswith("{") and '"cells"' in text[:1 << 20] and ('"nbformat"' in text or '"cell_type"' in head)


def _joined(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    return ""


def notebook_texts(text: str, path: str) -> list[Source]:
    """The candidate tables of a notebook (nbformat 4 JSON), in order: each markdown cell with a
    pipe table and each code cell's printed output (ANSI colour codes removed)."""
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise AnswerError(f"is a Jupyter notebook that is not valid JSON ({str(e)[:80]}); save it again "
                          "from Jupyter", path=path) from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise AnswerError("is a Jupyter notebook whose JSON has no list of cells (nbformat 4); save it "
                          "again from Jupyter", path=path)
    found: list[Source] = []
    for n, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        if kind in ("markdown", "raw"):
            body = _joined(cell.get("source"))
            if re.search(r"^\s*\|.*\|.*\|", body, re.M) or re.search(r"<table|\\begin\{tabular", body, re.I):
                found.append(Source(body, None, f"ipynb: {kind} cell {n}"))
        elif kind == "code":
            for out in cell.get("outputs") or []:
                if not isinstance(out, dict):
                    continue
                if out.get("output_type") == "stream":
                    body = _joined(out.get("text"))
                else:
                    data = out.get("data") if isinstance(out.get("data"), dict) else {}
                    body = _joined(data.get("text/plain"))
                body = ansi_off(body)
                if body.strip():
                    found.append(Source(body, None, f"ipynb: output of cell {n}"))
    return found


def utf16(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        raise AnswerError("is UTF-16 text that cannot be decoded (a byte is missing or damaged); save the "
                          "file as UTF-8", path=path) from None
