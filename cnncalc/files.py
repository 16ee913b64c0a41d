"""Writing the user's files safely: nothing the user has is lost.

- Every file is written to a temporary file in the same folder and `os.replace`d into place, so
  a full disk or a Ctrl-C leaves the old file whole.
- `-o` naming one of the command's input files is refused.
- A path the command chose itself (no `-o`) never replaces an existing file without `--force`.
- `-o -` is standard output.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from .errors import ArgumentError, CnncalcError

STDOUT = "-"


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def check_target(output: str | Path, inputs: tuple = (), chosen: bool = True, force: bool = False) -> None:
    """Refuse, before any work: an output that is one of the inputs; a path cnncalc chose
    (`chosen` False: no -o) that exists, unless `force`."""
    if str(output) == STDOUT:
        return
    for source in inputs:
        if source is not None and str(source) != STDOUT and os.path.exists(output) and same_file(output, source):
            raise ArgumentError(f"-o {output} is the input file {source}; writing it would destroy the input: "
                                "give another -o path")
    if not chosen and os.path.exists(output) and not force:
        raise ArgumentError(f"{output} exists and would be replaced; name the file with -o, or add --force")


def write_output(output: str | Path, data: str | bytes, inputs: tuple = (), chosen: bool = True,
                 force: bool = False) -> str:
    """Write `data` to `output` (`-`: standard output), atomically. Returns what was written to,
    for the message."""
    check_target(output, inputs, chosen, force)
    if str(output) == STDOUT:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data)
        return "standard output"
    path = Path(output)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise CnncalcError(f"cannot write {output}: {e.strerror}; choose another -o path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise CnncalcError(f"cannot write {output}: {e.strerror}; choose another -o path") from None
        raise
    return str(path)
