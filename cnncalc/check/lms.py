"""A class folder as an LMS exports it: whose each file is, and what is skipped (and why).

Moodle: one folder per student, `Ada Lovelace_12345_assignsubmission_file_/answers.md`.
Canvas: one file per submission, `lovelaceada_12345_67890_answers.md` (`_late_` kept out).
Anything else: a file is its own student (`ada.md` -> `ada`), a folder its owner's.
Lock files (`.~lock.x.ods#`, `~$x.docx`) and hidden files are skipped and listed."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assign(?:submission|feedback)_\w*$")
CANVAS = re.compile(r"^(?P<name>[^_]+?)(?:_late)?_(?P<id>\d+)_(?P<sub>\d+)_(?P<file>.+)$", re.I)


@dataclass(frozen=True)
class Submission:
    """One student's files (paths), in name order."""
    student: str
    files: tuple[str, ...]


def skip_reason(name: str) -> str:
    """Why a file or folder is not a submission: 'lock file', 'hidden file', or ''."""
    if name.startswith("~$") or name.startswith(".~lock") and name.endswith("#"):
        return "lock file"
    if name.startswith("."):
        return "hidden file"
    return ""


def student_of_folder(name: str) -> str:
    m = MOODLE.match(name)
    return m.group("name").strip() if m else name


def student_of_file(name: str) -> str:
    m = CANVAS.match(name)
    return m.group("name") if m else os.path.splitext(name)[0]


def _files_under(folder: str, rel: str, skipped: list[tuple[str, str]]) -> list[str]:
    """The files under `folder` (linked folders are not followed), skipping and listing."""
    out = []
    for root, dirs, files in os.walk(folder):
        for d in sorted(dirs):
            why = skip_reason(d) or ("symbolic link" if os.path.islink(os.path.join(root, d)) else "")
            if why:
                skipped.append((os.path.relpath(os.path.join(root, d), os.path.dirname(folder)), why))
        dirs[:] = sorted(d for d in dirs if not skip_reason(d) and not os.path.islink(os.path.join(root, d)))
        for f in sorted(files):  # a link or a FIFO is kept: grading it says why it is not read
            path = os.path.join(root, f)
            if skip_reason(f):
                skipped.append((os.path.join(rel, os.path.relpath(path, folder)), skip_reason(f)))
            else:
                out.append(path)
    return out


def collect(folder: str) -> tuple[list[Submission], list[tuple[str, str]]]:
    """The students of a class folder with their files, and (name, why) of what was skipped."""
    from ..errors import CnncalcError
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        raise CnncalcError(f"cannot list {folder}: {e.strerror}; give a folder of submissions") from None
    files: dict[str, list[str]] = {}
    skipped: list[tuple[str, str]] = []
    for name in names:
        path = os.path.join(folder, name)
        if skip_reason(name):
            skipped.append((name, skip_reason(name)))
        elif os.path.isdir(path) and not os.path.islink(path):
            files.setdefault(student_of_folder(name), []).extend(_files_under(path, name, skipped))
        else:  # a link out of the folder, a FIFO: graded as unreadable, saying why
            files.setdefault(student_of_file(name), []).append(path)
    return [Submission(s, tuple(p)) for s, p in sorted(files.items(), key=lambda kv: kv[0].lower())], skipped
