"""Writing the user's files safely: nothing the user has is lost or replaced behind their back.

- Every file is written to a temporary file in the target's folder and `os.replace`d into
  place, so a full disk or a Ctrl-C leaves the old file whole. The file gets the mode a plain
  `open()` would give: an existing file's own, else 0666 less the umask.
- Only a regular file is replaced: a directory, device, FIFO, socket or symbolic link at the
  target is refused, and so is any input of the command, whichever option named the target.
- A target inside a folder the command reads (a class folder) is refused.
- A path the command chose itself (no `-o`) never replaces an existing file without `--force`.
- `-o -` is standard output.

Reading is errors.open_input / read_input: regular files only, the size capped before reading.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import ArgumentError, CnncalcError, file_kind

STDOUT = "-"


def same_file(a: str | Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def inside(path: str | Path, folder: str | Path) -> bool:
    """True when `path` (resolved, symlinks followed) lies in `folder` or below it."""
    where = os.path.realpath(folder)
    return os.path.commonpath([where, os.path.realpath(path)]) == where


def check_target(output: str | Path, inputs: tuple = (), chosen: bool = True, force: bool = False,
                 option: str = "-o", folders: tuple = ()) -> None:
    """Refuse, before any work: a target that is not a regular file (a directory, device, FIFO,
    socket, symbolic link); one of the `inputs`; a path inside one of the `folders` the command
    reads; a path cnncalc chose (`chosen` False: no -o) that exists, unless `force`. `option`
    is the option that named the target, for the message."""
    if str(output) == STDOUT:
        return
    named = f"{option} {output}" if chosen else str(output)
    try:
        st = os.lstat(output)
    except (OSError, ValueError):
        st = None
    if st is not None and file_kind(st.st_mode):
        raise ArgumentError(f"{named} is {file_kind(st.st_mode)}, not a regular file; cnncalc replaces only "
                            f"regular files: give another {option} path")
    for source in inputs:
        if source is not None and str(source) != STDOUT and st is not None and same_file(output, source):
            raise ArgumentError(f"{named} is the input file {source}; writing it would destroy the input: "
                                f"give another {option} path")
    for folder in folders:
        if inside(os.path.dirname(os.path.abspath(output)), folder):
            raise ArgumentError(f"{named} is inside {folder}, the folder being read; cnncalc writes nothing "
                                f"there: give a {option} path outside it")
    if not chosen and st is not None and not force:
        raise ArgumentError(f"{output} exists and would be replaced; name the file with -o, or add --force")


def _mode(path: Path) -> int:
    """The permission bits a plain open(path, "w") would leave: an existing file's own, else
    0666 less the umask."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def write_output(output: str | Path, data: str | bytes, inputs: tuple = (), chosen: bool = True,
                 force: bool = False, option: str = "-o", folders: tuple = ()) -> str:
    """Write `data` to `output` (`-`: standard output), atomically, after check_target. Returns
    what was written to, for the message."""
    check_target(output, inputs, chosen, force, option, folders)
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
    mode = _mode(path)
    try:
        import tempfile  # here: tempfile imports random and shutil (bz2, lzma), which readers need not
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise CnncalcError(f"cannot write {output}: {e.strerror}; choose another {option} path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        check_target(output, inputs, True, True, option, folders)  # nothing swapped in meanwhile
        os.replace(tmp, path)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise CnncalcError(f"cannot write {output}: {e.strerror}; choose another {option} path") from None
        raise
    return str(path)


def write_files(folder: str | Path, files: dict[str, str | bytes], inputs: tuple = (), force: bool = False,
                option: str = "-o") -> list[str]:
    """Write `files` (a path relative to `folder`, maybe with subfolders, to its text) into
    `folder`, made if missing. Refused before anything is written: a `folder` that is not a
    folder, a name leading out of it, a subfolder that is a link or a file, a target
    check_target refuses, and, unless `force`, any
    file that exists already (every one is named). Returns the paths written, in order."""
    root = Path(folder)
    if str(folder) == STDOUT or (os.path.lexists(root) and not root.is_dir()):
        raise ArgumentError(f"{option} {folder} is not a folder; give a folder to write "
                            f"{', '.join(list(files)[:3])} into")
    targets = []
    for name in files:
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ArgumentError(f"{name!r} is not a file name inside {option} {folder}")
        for k in range(1, len(rel.parts)):  # a subfolder that is a link could lead out
            sub = root.joinpath(*rel.parts[:k])
            if os.path.islink(sub) or (os.path.lexists(sub) and not sub.is_dir()):
                raise ArgumentError(f"{sub} is in the way: it must be a folder, not a file or a link; "
                                    f"move it, or give another {option} folder")
        targets.append(root / rel)
    for target in targets:
        check_target(target, inputs, True, True, option)
    existing = [str(t) for t in targets if os.path.lexists(t)]
    if existing and not force:
        more = f" and {len(existing) - 3:,} more" if len(existing) > 3 else ""
        raise ArgumentError(f"{option} {folder} already holds {', '.join(existing[:3])}{more}; add --force "
                            "to replace them, or give another folder")
    written = []
    for target, data in zip(targets, files.values()):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CnncalcError(f"cannot make the folder {target.parent}: {e.strerror}; choose another "
                               f"{option} folder") from None
        written.append(write_output(target, data, inputs, True, force, option))
    return written
