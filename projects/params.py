"""Parsing of request parameters that views turn into numbers.

A parameter typed or edited by hand (``?owner=…``, a posted ``project`` or ``object_id``,
a year) is a string that may be anything: not a number, negative, or larger than any
database can compare with (SQLite's INTEGER is 64-bit; a 20-digit value raises
OverflowError inside the driver). These helpers answer ``None`` for anything that cannot
be a row id or a year, so that views answer with a 4xx or a message instead of a 500.
Operational limits, not numbers of the 办法.
"""

from __future__ import annotations

#: Largest value of a 64-bit signed integer column (SQLite INTEGER, PostgreSQL bigint).
MAX_ID = 2**63 - 1
#: Years a person may type for a call, a plan or a report.
MIN_YEAR, MAX_YEAR = 2000, 2100


def row_id(value) -> int | None:
    """``value`` as a primary key (1 … 2⁶³−1), or None."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def row_ids(values) -> list[int] | None:
    """Every value as a primary key, or None when any of them is not one."""
    ids = [row_id(v) for v in values]
    return None if any(i is None for i in ids) else ids


def year(value) -> int | None:
    """``value`` as a year between MIN_YEAR and MAX_YEAR, or None."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 4:
        return None
    number = int(text)
    return number if MIN_YEAR <= number <= MAX_YEAR else None
