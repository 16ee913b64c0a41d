"""Office files, read with the optional extra `cnncalc[office]`: an Excel workbook (.xlsx) by
openpyxl, a PDF's text by pypdf. The zip under a workbook is bounded before openpyxl reads it,
as a .keras archive is (readers/modelfiles.py)."""
from __future__ import annotations

import io
import re
import zipfile

from ..errors import max_input_bytes
from .columns import COLUMNS, header_key
from .forms import HAND_IN, AnswerError

MAX_MEMBERS = 2_000
MAX_PAGES = 200


def _library(name: str, what: str, path: str):
    try:
        return __import__(name)
    except ImportError:
        raise AnswerError(f"is {what}; install cnncalc[office] (pip install 'cnncalc[office]') to read it",
                          path=path) from None


def _workbook_zip(data: bytes, path: str) -> zipfile.ZipFile:
    """The zip, once its directory and the sizes its members declare are within bounds."""
    from ..readers.modelfiles import _directory
    entries, size = _directory(io.BytesIO(data))
    if entries > MAX_MEMBERS or size > 1 << 20:
        raise AnswerError(f"is a zip archive listing {entries:,} files; a workbook holds a few dozen: refused",
                          path=path)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as e:  # BadZipFile, a truncated or damaged archive
        raise AnswerError(f"is a damaged zip archive ({e}); save the workbook again as .xlsx", path=path) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        what = "a Word document (.docx)" if "word/document.xml" in names else \
            "an OpenDocument file" if "mimetype" in names else "a zip archive"
        raise AnswerError(f"is {what}, not a table cnncalc reads; save the table as .xlsx or CSV, or {HAND_IN}",
                          path=path)
    declared = sum(i.file_size for i in infos)
    if len(infos) > MAX_MEMBERS or declared > 8 * max_input_bytes():
        raise AnswerError(f"is a workbook that unpacks to {declared:,} bytes, beyond the input limit; refused",
                          path=path)
    return zf


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def xlsx_grid(data: bytes, path: str) -> tuple[list[tuple[int, list[str]]], str]:
    """The first sheet with a row naming a graded column (or a first column naming one: a
    sideways table), from that row on; each row's line is its spreadsheet row number."""
    _workbook_zip(data, path).close()
    openpyxl = _library("openpyxl", "an Excel workbook (.xlsx)", path)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types on a damaged part
        raise AnswerError(f"is an Excel workbook that cannot be read ({type(e).__name__}: {str(e)[:80]}); "
                          "save it again as .xlsx or CSV", path=path) from None
    try:
        for sheet in book.worksheets:
            rows = [(n, [_cell(v) for v in row]) for n, row in
                    enumerate(sheet.iter_rows(values_only=True, max_row=5_000, max_col=64), start=1)]
            rows = [(n, c) for n, c in rows if any(c)]
            for i, (_, cells) in enumerate(rows):
                if any(header_key(c) in COLUMNS for c in cells if c):
                    grid = rows[i:] if sum(bool(c) for c in cells) > 1 else rows
                    width = max(len(c) for _, c in grid)
                    keep = [j for j in range(width) if any(j < len(c) and c[j] for _, c in grid)]
                    return [(n, [c[j] if j < len(c) else "" for j in keep]) for n, c in grid], \
                        f"xlsx: sheet {sheet.title}"
    finally:
        book.close()
    raise AnswerError("is an Excel workbook with no table: no sheet has a row naming Activation shape, "
                      "Activation size or # parameters", path=path)


def pdf_text(data: bytes, path: str) -> str:
    """The text of a PDF laid out as on the page; a PDF with no text (a scan) is refused."""
    pypdf = _library("pypdf", "a PDF file", path)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AnswerError("is an encrypted PDF; save it again without a password", path=path)
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise AnswerError(f"is a PDF of {len(pages):,} pages; at most {MAX_PAGES} are read", path=path)
        text = "\n".join(p.extract_text(extraction_mode="layout") or "" for p in pages)
    except AnswerError:
        raise
    except Exception as e:  # pypdf raises many types on a damaged file
        raise AnswerError(f"is a PDF that cannot be read ({type(e).__name__}: {str(e)[:80]}); export it "
                          "again, or hand in the table as Markdown or CSV", path=path) from None
    if not re.search(r"\w", text):
        raise AnswerError("is a PDF without text (a scan or a picture of a table), which cannot be graded; "
                          "export the PDF from the document itself, or hand in the table as Markdown, "
                          "CSV or .xlsx", path=path)
    return text
