"""Money and dates as the filings and exports show them: 万元 with two decimals, dates in
Arabic numerals (GB/T 9704-2012 7.3.5.4: 成文日期用阿拉伯数字将年、月、日标全)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

TEN_THOUSAND = Decimal("10000")
CENT = Decimal("0.01")


def wan(yuan) -> Decimal | None:
    """元 → 万元, rounded half-up to two decimals."""
    if yuan is None:
        return None
    return (Decimal(yuan) / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP)


def wan_text(yuan) -> str:
    value = wan(yuan)
    return "" if value is None else f"{value:,.2f}"


def pct_text(ratio) -> str:
    if ratio is None:
        return ""
    return f"{(Decimal(ratio) * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%"


def date_text(day) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day[:10])
    if isinstance(day, datetime.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日"
