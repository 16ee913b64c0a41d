"""Counts written in any style: `3,072`, `3.072`, `3 072`, `3'072`, `30,00,000`, `3.07M`,
`62.9k`, `6.272e3`. One file's numbers share a style; a number its own digits leave open
(`3.072`: thousands or a decimal point?) is decided by that style, then by the count it must be.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

# thin, narrow no-break and no-break spaces, apostrophes: always thousands separators
_SPACES = "\u2009\u202f\u00a0 '’`"
_SI = {"k": 3, "K": 3, "thousand": 3, "thousands": 3, "m": 6, "M": 6, "mio": 6, "million": 6,
       "millions": 6, "millionen": 6, "mn": 6, "g": 9, "G": 9, "b": 9, "B": 9, "bn": 9, "billion": 9,
       "billions": 9, "lakh": 5, "lakhs": 5, "lac": 5, "crore": 7, "crores": 7, "cr": 7}
NUMBER = re.compile(r"(?P<sign>[+-]?)(?P<body>\d[\d.,\u2009\u202f\u00a0 '’`]*\d|\d)"
                    r"(?:[eE](?P<exp>[+-]?\d{1,2}))?\s*(?P<si>[a-zA-Z]{1,8})?")


@dataclass(frozen=True)
class Style:
    """How one file writes numbers: its thousands separator and decimal mark (None: unseen)."""
    group: str | None = None
    decimal: str | None = None


@dataclass(frozen=True)
class Count:
    """A count as read: its value, the unit of its last written digit (1 when exact: `3.07M`
    is 3,070,000 to the nearest 10,000) and whether its reading was a guess."""
    value: int
    unit: int = 1
    ambiguous: bool = False

    def matches(self, expected: int) -> bool:
        return self.value == expected if self.unit == 1 else abs(self.value - expected) < self.unit


_NUMBER = re.compile(r"\d[\d.,]*\d")
_GROUP_COMMA = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d{1,2}(,\d{2})+,\d{3}")
_GROUP_DOT = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?")
_DEC_COMMA = re.compile(r"\d+,\d{1,2}|\d+,\d{4,}|\d{1,3}(\.\d{3})+,\d+")
_DEC_DOT = re.compile(r"\d+\.\d{1,2}|\d+\.\d{4,}|\d{1,3}(,\d{3})+\.\d+")
_THOUSANDS = re.compile(r"\d{1,3}[.,]\d{3}")
_AFTER = re.compile(r"\s*(\S)")


def file_style(cells) -> Style:
    """The separators the cells of one file agree on."""
    votes = {"group,": 0, "group.": 0, "dec,": 0, "dec.": 0}
    for text in cells:
        for m in _NUMBER.finditer(text or ""):
            t = m.group()
            if _GROUP_COMMA.fullmatch(t) and (t.count(",") > 1 or "." in t):
                votes["group,"] += 1
            if _GROUP_DOT.fullmatch(t) and (t.count(".") > 1 or "," in t):
                votes["group."] += 1
            if _DEC_COMMA.fullmatch(t):
                votes["dec,"] += 1
            if _DEC_DOT.fullmatch(t):
                votes["dec."] += 1
            after = _AFTER.match(text, m.end())  # the first character after the number, spaces skipped
            tail = after.group(1) if after else ""
            if _THOUSANDS.fullmatch(t) and not tail.isalpha():
                votes["group" + t[-4]] += 0.5  # a count is whole: 3.072 alone is 3072
    group = "," if votes["group,"] > votes["group."] else "." if votes["group."] > votes["group,"] else None
    dec = "," if votes["dec,"] > votes["dec."] else "." if votes["dec."] > votes["dec,"] else None
    if group and group == dec:  # 1.568 beside 3.07k: the stronger evidence decides the mark
        if votes["dec" + dec] >= votes["group" + group]:
            group = None
        else:
            dec = None
    if group and not dec:
        dec = "." if group == "," else ","
    if dec and not group:
        group = "," if dec == "." else "."
    return Style(group, dec)


def _grouped(body: str, sep: str) -> bool:
    """Western (3,072,000) or Indian (30,72,000) grouping of `sep`."""
    parts = body.split(sep)
    if len(parts) < 2 or not all(p.isdigit() for p in parts):
        return False
    first, rest = parts[0], parts[1:]
    if 1 <= len(first) <= 3 and all(len(p) == 3 for p in rest):
        return True
    return len(rest) >= 2 and len(rest[-1]) == 3 and all(len(p) == 2 for p in rest[:-1]) and 1 <= len(first) <= 2


def _readings(body: str) -> list[tuple[str, Fraction, int]]:
    """(reading name, value, digits after the decimal mark) of the bare digits and marks."""
    spaced = re.sub(f"[{_SPACES}]", "_", body)
    if "_" in spaced:  # 3 072, 3'072,5: the spaces group, any remaining mark is decimal
        parts = re.split(r"([.,])", spaced)
        whole = parts[0]
        if not _grouped(whole, "_"):
            return []
        digits = whole.replace("_", "")
        if len(parts) == 1:
            return [("group", Fraction(int(digits)), 0)]
        if len(parts) == 3 and parts[2].isdigit():
            return [("decimal " + parts[1], Fraction(f"{digits}.{parts[2]}"), len(parts[2]))]
        return []
    out = []
    for group, dec in ((",", "."), (".", ",")):
        whole, _, frac = body.rpartition(dec) if dec in body else (body, "", "")
        if dec in body and not frac.isdigit():
            continue
        if group in whole and not _grouped(whole, group):
            continue
        if dec in whole or (not group in whole and not whole.isdigit()):
            continue
        digits = whole.replace(group, "")
        if not digits.isdigit():
            continue
        value = Fraction(f"{digits}.{frac}") if frac else Fraction(int(digits))
        out.append((f"group {group}" if group in body and not frac else f"decimal {dec}" if frac else "plain",
                    value, len(frac)))
    seen, unique = set(), []
    for name, v, d in out:
        if (v, d) not in seen:
            seen.add((v, d))
            unique.append((name, v, d))
    return unique


def read_count(text: str, style: Style = Style(), expected: int | None = None) -> Count | None:
    """The count `text` writes (a bare number with an optional exponent or SI suffix), or None
    when it is not one. Raises ValueError for a number that is no whole count."""
    if len(text) > 200:
        return None  # the expression reader refuses it with its own bound
    m = NUMBER.fullmatch(text.strip())
    if not m:
        return None
    si = m.group("si")
    if si is not None and si not in _SI and si.lower() not in _SI:
        return None
    power = (int(m.group("exp")) if m.group("exp") else 0) + (_SI.get(si, _SI.get((si or "").lower(), 0)) if si else 0)
    body = m.group("body")
    if len(re.sub(r"\D", "", body)) > 18:
        raise ValueError(f"cannot read `{text[:40]}`: more than 18 digits is no count of a network")
    sign = -1 if m.group("sign") == "-" else 1
    counts: list[tuple[str, Count]] = []
    readings = _readings(body)
    if power and any(d for _, _, d in readings):
        readings = [r for r in readings if r[2]]  # 6.272e3, 3.07M: the mark is a decimal one
    for name, value, decimals in readings:
        v = value * Fraction(10) ** power * sign
        unit = 10 ** (power - decimals) if power - decimals > 0 else 1
        if power == 0 and v.denominator != 1:
            continue  # 0.66 is no count
        counts.append((name, Count(round(v), unit)))
    if not counts:
        if re.fullmatch(r"\d+[.,]\d+", body) and not power:
            raise ValueError(f"`{text.strip()}` is not a whole number; counts are whole, e.g. 6,272")
        raise ValueError(f"cannot read `{text.strip()}` as a number; write e.g. 6,272 or 6272")
    if len(counts) == 1:
        name, c = counts[0]
        # the only count, but against the file's own style (3.072 where `.` marks decimals)
        against = (style.decimal and name == f"group {style.decimal}") or \
                  (style.group and name == f"decimal {style.group}")
        return Count(c.value, c.unit, bool(against))
    preferred = [c for name, c in counts if style.decimal and name == f"decimal {style.decimal}"
                 or style.group and name == f"group {style.group}"]
    if len(preferred) == 1:
        return preferred[0]
    fits = [c for _, c in counts if expected is not None and c.matches(expected)]
    chosen = fits[0] if fits else counts[0][1]
    return Count(chosen.value, chosen.unit, True)


# memory sizes: a count written in bytes (`528 MB`, `527.8 MiB`, `7,168 bytes`)
_BYTE_UNIT = re.compile(r"(?P<body>\d[\d.,\u2009\u202f\u00a0 '’`]*\d|\d)\s*(?P<unit>[kKMGT]i?B|[kKMGT]o|bytes?|octets?)")
_PREFIX = {"": 0, "k": 1, "K": 1, "M": 2, "G": 3, "T": 4}


@dataclass(frozen=True)
class ByteSize:
    """A memory size as written: for each meaning of its unit (MB: 10^6 bytes, or 2^20 as Keras
    and Windows print it), (unit, its bytes as text or "" for bytes, low, high): the bytes the
    size stands for, to its last written digit."""
    text: str
    meanings: tuple[tuple[str, str, Fraction, Fraction], ...]


def read_bytes(text: str, style: Style = Style()) -> ByteSize | None:
    """`528 MB`, `527.8 MiB`, `245.93 KB`, `7,168 bytes` as the bytes they stand for; None when
    `text` is no memory size."""
    m = _BYTE_UNIT.fullmatch(text.strip()) if len(text) <= 60 else None
    if not m:
        return None
    unit = m.group("unit")
    readings = _readings(m.group("body"))
    if style.decimal and len(readings) > 1:
        readings = [r for r in readings if not r[2] or r[0] == f"decimal {style.decimal}"] or readings
    if not readings:
        return None
    _, value, decimals = readings[0]
    digit = Fraction(1, 10 ** decimals)  # the last written digit: rounded or cut there
    prefix = "" if unit[0] in "bo" else unit[0]
    power = _PREFIX[prefix]
    if not prefix:
        bases = [("bytes", 1, "")]
    elif "i" in unit:
        bases = [(unit, 1024, f"2^{10 * power} bytes")]
    else:
        symbol = ("k" if prefix == "k" else prefix.upper()) + "B"
        bases = [(symbol, 1000, f"10^{3 * power} bytes"), (symbol, 1024, f"2^{10 * power} bytes")]
    return ByteSize(text.strip(), tuple((symbol, worth, (value - digit) * base ** power, (value + digit) * base ** power)
                                        for symbol, base, worth in bases))
