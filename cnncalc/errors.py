"""One exception family. Deep code states the arithmetic that failed; entry points add where."""
from __future__ import annotations


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


def read_text(path: str, error: type[CnncalcError], what: str, example: str) -> str:
    """A UTF-8 text file's contents (`-` is standard input); a file that cannot be read is
    one `error` naming the path, e.g. "no such file; give <example>". `what` names the file's
    kind: "is a directory, not <what>"."""
    try:
        if path == "-":
            import sys
            return sys.stdin.read()
        with open(path, encoding="utf-8-sig") as fh:
            return fh.read()
    except FileNotFoundError:
        raise error(f"no such file; give {example}", path=path) from None
    except IsADirectoryError:
        raise error(f"is a directory, not {what}", path=path) from None
    except UnicodeDecodeError as e:
        raise error(f"is not UTF-8 text (byte {e.start}); save it as UTF-8", path=path) from None
    except OSError as e:
        raise error(f"cannot be read: {e.strerror}", path=path) from None
