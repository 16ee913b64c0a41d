"""A class roster as an LMS exports it: a CSV whose first line is the header, the students'
names in the column `student` (else `name`, else Moodle's `first name` and `last name`, else
the first column). Names keep their commas, quotes, accents and apostrophes; a BOM is dropped.
Each student gets a folder name that is safe on every file system and unique in the class."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass

from ..errors import ArgumentError, check_characters, read_text

MAX_STUDENTS = 10_000  # names a roster may list
FOLDER_CHARS = 40      # the longest folder name made from a student's name
_NOT_NAMES = {"id", "email", "e-mail", "email address", "username", "user", "login", "sis id",
              "sis user id", "sis login id", "student id", "section", "group", "points possible"}
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{k}" for k in range(10)), *(f"lpt{k}" for k in range(10))}


@dataclass(frozen=True)
class Student:
    name: str     # as the roster writes it (spaces collapsed, Unicode NFC)
    line: int     # its line in the roster
    folder: str = ""

    @property
    def key(self) -> str:
        """What identifies the student across rosters: the name, case and spacing aside."""
        return self.name.casefold()


def digest(*parts: str) -> str:
    """SHA-256 (hex) of the parts, each kept apart: the same on every machine and Python."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def clean(cell: str) -> str:
    """A name or header cell as compared: Unicode NFC, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", cell).split())


def _column(header: list[str], path: str) -> tuple[int, ...]:
    """The column(s) holding the names: student, name, first + last name, else the first."""
    words = [clean(h).casefold() for h in header]
    for wanted in (("student", "student name", "students"), ("name", "full name", "names")):
        for k, w in enumerate(words):
            if w in wanted:
                return (k,)
    first = next((k for k, w in enumerate(words) if w in ("first name", "firstname", "given name")), None)
    last = next((k for k, w in enumerate(words) if w in ("last name", "lastname", "surname", "family name")), None)
    if first is not None and last is not None:
        return (first, last)
    if words and words[0] and words[0] not in _NOT_NAMES:
        return (0,)
    shown = ", ".join(h for h in header if h.strip())[:80] or "nothing"
    raise ArgumentError(f"the roster has no column of student names (its header has {shown}); "
                        "name the column of names `student`", path=path, line=1, col=1)


def read_roster(path: str) -> list[Student]:
    """The students, in roster order; no names, or a name twice, is one line naming it."""
    text = read_text(path, ArgumentError, "a roster CSV", "the class roster, a CSV with a `student` column")
    check_characters(text, path, ArgumentError)
    sample = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=sample.count) if any(c in sample for c in ",;\t") else ","
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(rows, None)
        if header is None:
            raise ArgumentError("the roster is empty; it needs a header line and a line per student", path=path)
        columns = _column(header, path)
        students: list[Student] = []
        seen: dict[str, Student] = {}
        for row in rows:
            if any("\n" in row[k] or "\r" in row[k] for k in columns if k < len(row)):
                raise ArgumentError("a name runs over several lines: a quote `\"` opened at or before this line "
                                    "is never closed; close it or remove it", path=path, line=rows.line_num)
            name = clean(" ".join(row[k] for k in columns if k < len(row)))
            if not name or name.casefold() == "points possible":  # Canvas' second line
                continue
            if len(students) >= MAX_STUDENTS:
                raise ArgumentError(f"the roster lists more than {MAX_STUDENTS:,} students", path=path, line=rows.line_num)
            student = Student(name, rows.line_num)
            if student.key in seen:
                raise ArgumentError(f"`{name}` is listed twice (lines {seen[student.key].line} and {rows.line_num}); "
                                    "each student needs a name of their own: add what tells them apart",
                                    path=path, line=rows.line_num, col=1)
            seen[student.key] = student
            students.append(student)
    except csv.Error as e:
        raise ArgumentError(f"the roster is not readable CSV: {e}", path=path, line=rows.line_num) from None
    if not students:
        raise ArgumentError("the roster lists no students (a header and no names under it)", path=path)
    return students


def read_kept(path: str, names: tuple[str, ...]) -> dict[str, tuple[str, dict[str, str], int]]:
    """An earlier variants.csv (--keep): student key -> (folder, {name: choice}, line)."""
    text = read_text(path, ArgumentError, "a variants.csv", "the variants.csv an earlier `cnncalc exercise` wrote")
    check_characters(text, path, ArgumentError)
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(rows, [])]
        missing = [c for c in ("student", "folder", *names) if c not in header]
        if missing:
            raise ArgumentError(f"is no variants.csv of this template: it has no column {', '.join(missing)}",
                                path=path, line=1, col=1)
        out = {}
        for row in rows:
            cells = dict(zip(header, (c.strip() for c in row)))
            name, folder = clean(cells.get("student", "")), cells.get("folder", "")
            if not name:
                continue
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,60}", folder) or folder in _RESERVED:
                raise ArgumentError(f"`{folder[:40]}` is not a folder name `cnncalc exercise` writes (letters, digits, -)",
                                    path=path, line=rows.line_num, col=1)
            out[name.casefold()] = (folder, {n: cells.get(n, "") for n in names}, rows.line_num)
    except csv.Error as e:
        raise ArgumentError(f"is not readable CSV: {e}", path=path, line=rows.line_num) from None
    return out


def slug(name: str) -> str:
    """A file-name-safe form of a name: ASCII letters and digits, words joined by `-`."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", re.sub(r"['\u2019`]", "", ascii_text.lower()))
    text = "-".join(words)[:FOLDER_CHARS].strip("-")
    return f"{text}-student" if text in _RESERVED else text


def with_folders(students: list[Student], kept: dict[str, str] | None = None) -> list[Student]:
    """Each student with a folder of their own: the one `kept` gives them (student key ->
    folder, from an earlier variants.csv), else their name's slug; where two names give the
    same slug (or none), the one whose name's hash comes first keeps it and the others add a
    piece of their hash, so the folders do not depend on the roster's order."""
    folders = {s.key: kept[s.key] for s in students if s.key in (kept or {})}
    taken: set[str] = set(folders.values())
    for s in sorted(students, key=lambda s: digest("folder", s.key)):
        if s.key in folders:
            continue
        base, mark = slug(s.name) or "student", digest("folder", s.key)
        folder, k = base, 4
        while folder in taken or folder == "student":
            folder, k = f"{base}-{mark[:k]}", k + 2
        taken.add(folder)
        folders[s.key] = folder
    return [Student(s.name, s.line, folders[s.key]) for s in students]
