"""One exception family. Deep code states the arithmetic that failed; entry points add where."""
from __future__ import annotations

import re


class CnncalcError(Exception):
    """Base of every error cnncalc raises on purpose.

    `message` says what is wrong with the values and how to fix it. `path`, `line`, `col`
    (1-based) and `layer` (a short "layer N (name, kind)" label) are filled in by whoever
    knows them, usually the entry point, never by the arithmetic.
    """

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 col: int | None = None, layer: str | None = None, arg: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.layer = layer
        self.arg = arg  # the argument the error is about, so the position can point at it

    def located(self, **where) -> "CnncalcError":
        """Fill in the position fields that are still empty; return self to re-raise."""
        for key, value in where.items():
            if getattr(self, key) is None and value is not None:
                setattr(self, key, value)
        return self

    def one_line(self) -> str:
        """What the command prints on stderr: one line, control characters escaped."""
        return visible(f"cnncalc: {self}" if self.path is None else str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        layer = f"{self.layer}: " if self.layer else ""
        return f"{where}{layer}{self.message}"


class SpecError(CnncalcError):
    """The spec text is malformed: YAML, unknown kinds or keys, wrong types."""


class ShapeError(CnncalcError):
    """The arithmetic has no valid answer: a kernel larger than its input, channels that do
    not divide, an output smaller than 1."""


class ArgumentError(CnncalcError):
    """A command-line argument is invalid (zero, negative, malformed)."""


MAX_INPUT_BYTES = 10 << 20  # spec and answer files, stdin included: 10 MiB (CNNCALC_MAX_INPUT)
MAX_INPUT_SETTING = 1 << 40  # the largest CNNCALC_MAX_INPUT taken: 1 TiB (more is a typo)
CHUNK_BYTES = 1 << 20  # an input is read in pieces of at most this many bytes, never the whole cap at once


def max_input_bytes() -> int:
    """The input cap in bytes: 10 MiB, or the environment's CNNCALC_MAX_INPUT (bytes, or with
    a k/M/G/T suffix), from 1 byte to 1 TiB."""
    import os
    import re
    text = os.environ.get("CNNCALC_MAX_INPUT", "").strip()
    if not text:
        return MAX_INPUT_BYTES
    number = re.fullmatch(r"([0-9]{1,16})([kKmMgGtT]?)", text)
    if number is None:
        raise ArgumentError(f"CNNCALC_MAX_INPUT must be a byte count such as 10M, got {text[:40]!r}")
    value = int(number[1]) << {"": 0, "k": 10, "m": 20, "g": 30, "t": 40}[number[2].lower()]
    if not 1 <= value <= MAX_INPUT_SETTING:
        raise ArgumentError(f"CNNCALC_MAX_INPUT={text} is {value:,} bytes; it must be from 1 byte to 1T "
                            f"({MAX_INPUT_SETTING:,} bytes), e.g. 20M")
    return value


def file_kind(mode: int) -> str:
    """What a stat mode that is not a regular file is ("a FIFO (named pipe)"); "" for a regular file."""
    import stat
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link"))
    if stat.S_ISREG(mode):
        return ""
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def open_input(path: str, error: type[CnncalcError], what: str, example: str, cap: int | None = None):
    """`path` opened for reading as a binary file object, if it is a regular file (symlinks to
    one followed) of at most `cap` bytes (default max_input_bytes()), checked before it is
    opened: a FIFO never blocks, a device is never read. The one way cnncalc opens an input."""
    import os
    cap = max_input_bytes() if cap is None else cap
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        _check_input(os.stat(path), path, error, what, cap)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"no such file; give {example}", path=path) from None
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        raise error(f"cannot be read: {getattr(e, 'strerror', None) or e}", path=path) from None
    try:
        _check_input(os.fstat(fd), path, error, what, cap)  # it could have been swapped meanwhile
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _check_input(st, path: str, error: type[CnncalcError], what: str, cap: int) -> None:
    kind = file_kind(st.st_mode)
    if kind == "a directory":
        raise error(f"is a directory, not {what}", path=path)
    if kind:
        raise error(f"is {kind}, not {what}; give a regular file", path=path)
    if st.st_size > cap:
        raise error(f"is {st.st_size:,} bytes, larger than the {cap:,}-byte input limit; give a smaller file, or "
                    "raise the limit with CNNCALC_MAX_INPUT=20M", path=path)


def read_capped(stream, cap: int) -> bytes:
    """At most cap + 1 bytes of a binary stream, read in pieces so that nothing near the cap is
    reserved before the bytes are there."""
    parts, total = [], 0
    while total <= cap:
        piece = stream.read(min(CHUNK_BYTES, cap + 1 - total))
        if not piece:
            break
        parts.append(piece)
        total += len(piece)
    return b"".join(parts)


def read_input(path: str, error: type[CnncalcError], what: str, example: str, cap: int | None = None) -> bytes:
    """The bytes of an input file (`-`: standard input, read once), at most `cap` (default
    max_input_bytes()); anything else is one `error` naming the path."""
    cap = max_input_bytes() if cap is None else cap
    try:
        if path == "-":
            import sys
            if sys.stdin is None or sys.stdin.closed:
                raise error("standard input is closed; give a file path instead of -", path=path)
            stream = getattr(sys.stdin, "buffer", None)
            data = read_capped(stream, cap) if stream is not None else sys.stdin.read(cap + 1).encode("utf-8")
        else:
            with open_input(path, error, what, example, cap) as fh:
                data = read_capped(fh, cap)
    except (OSError, ValueError) as e:  # ValueError: standard input is closed
        reason = getattr(e, "strerror", None) or str(e)
        raise error(f"cannot be read: {reason}", path=path) from None
    if len(data) > cap:
        raise error(f"is larger than the {cap:,}-byte input limit; give a smaller file, or raise the "
                    "limit with CNNCALC_MAX_INPUT=20M", path=path)
    return data


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in text."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def decode(data: bytes, path: str, error: type[CnncalcError]) -> str:
    """UTF-8 text (a BOM is dropped); a bad byte is an error at its line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        good = data[:e.start].decode("utf-8-sig", errors="replace")
        line, col = position(good, len(good))
        raise error(f"is not UTF-8 text: byte 0x{data[e.start]:02x} cannot be read; save the file as UTF-8",
                    path=path, line=line, col=col) from None


def read_text(path: str, error: type[CnncalcError], what: str, example: str) -> str:
    """A UTF-8 text file's contents (`-` is standard input, read once), at most
    max_input_bytes(), read by read_input; a file that cannot be read is one `error` naming the
    path, e.g. "no such file; give <example>". `what` names the file's kind: "is a directory, not <what>"."""
    return decode(read_input(path, error, what, example), path, error)


def check_characters(text: str, path: str, error: type[CnncalcError]) -> None:
    """Control characters (NUL, escapes) other than tab, newline and CR are an error at their
    line and column, shown escaped."""
    import re
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]", text)
    if bad:
        line, col = position(text, bad.start())
        raise error(f"control character {bad.group()!r} is not allowed in the text; remove it",
                    path=path, line=line, col=col)


def visible(text: str, keep: str = "") -> str:
    """Text safe to show: every character that is not printable (escape sequences, NUL,
    newlines) written as its Python escape, `\\x1b`, except those in `keep` (a report's
    preformatted spec keeps its newlines and tabs)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c in keep else repr(c)[1:-1] for c in text)


def json_numbers(text: str):
    """json.loads for numbers a user typed: an integer literal too long for Python to convert
    (4,300 digits) is read as a float, infinite, so the caller's finite-number check refuses it
    in one line (never Python's int_max_str_digits advice)."""
    import json
    return json.loads(text, parse_int=lambda t: int(t) if len(t) < 4300 else float(t))


_RUNS = re.compile(r"[^\n\t -~]+")


def terminal(text: str) -> str:
    """Text for a terminal, as `visible` shows it but keeping newlines and tabs: what every
    command prints passes here. Text whose every character but newlines and tabs is printable
    (nearly all of it) is returned as it is, found 3x faster than the regex finds no run."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return _RUNS.sub(lambda m: visible(m.group()), text)


def reader_gone() -> int:
    """stdout's reader went away (`cnncalc summary big.yaml | head`): nothing more to say. Point
    stdout at /dev/null so the exit flush cannot fail again; the status is a shell's for SIGPIPE."""
    import os
    import sys
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141
