"""Money, shares and dates as people read them — the one place that decides how they look on
the pages, in the forms' messages, in the filings and in the exports (issue 11):

* money is stored in 元 and shown in 万元 with two decimals and thousands separators:
  ``wan_text(12345600)`` → "1,234.56", ``money_text`` adds the unit ("1,234.56万元");
  the workbooks give the same look to numeric cells with ``MONEY_NUMBER_FORMAT``;
* a measured share (a ratio such as 办法第二十八条's cumulative change ratio, an on-time rate)
  is shown in percent with two decimals: ``pct_text(Decimal("0.1"))`` → "10.00%", never
  "0.1000"; a value already in percent goes through ``percent_text`` ("16.00%");
* dates in Arabic numerals (GB/T 9704-2012 7.3.5.4: 成文日期用阿拉伯数字将年、月、日标全).

The template filters ``wan``, ``pct`` and ``ratio`` (projects/templatetags/web.py), the step
messages (lifecycle/stepdata.py ``wan_text``) and the form fields (core/validation.py
``WanInput``) all call these functions."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

TEN_THOUSAND = Decimal("10000")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
#: The Excel number formats of money (万元) and of a share (a ratio shown in percent).
MONEY_NUMBER_FORMAT = "#,##0.00"
PERCENT_NUMBER_FORMAT = "0.00%"


def _decimal(value) -> Decimal | None:
    """A finite Decimal, or None for nothing or for what is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def wan(yuan) -> Decimal | None:
    """元 → 万元, rounded half-up to two decimals."""
    value = _decimal(yuan)
    if value is None:
        return None
    return (value / TEN_THOUSAND).quantize(CENT, rounding=ROUND_HALF_UP) + 0  # no "-0.00"


def wan_text(yuan) -> str:
    """元 → "1,234.56" (万元, two decimals, thousands separators); "" for nothing."""
    return amount_text(wan(yuan))


def amount_text(wan_value) -> str:
    """An amount already in 万元 (a row of the plan, summed in 万元) → "1,234.56"."""
    value = _decimal(wan_value)
    if value is None:
        return ""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP) + 0:,.2f}"


def money_text(yuan) -> str:
    """元 → "1,234.56万元", for messages and sentences."""
    return _("%(wan)s万元") % {"wan": wan_text(yuan)}


def percent_text(percent, places: int = 2) -> str:
    """A value already in percent → "16.00%" (rounded half up to ``places`` decimals)."""
    value = _decimal(percent)
    if value is None:
        return ""
    return f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0:f}%"


def pct_text(ratio) -> str:
    """A ratio → percent with two decimals: 0.1 → "10.00%" (办法第二十八条's cumulative change
    ratio, the on-time rate)."""
    value = _decimal(ratio)
    return "" if value is None else percent_text(value * HUNDRED)


def date_text(day) -> str:
    if not day:
        return ""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day[:10])
    if isinstance(day, datetime.datetime):
        day = day.date()
    return f"{day.year}年{day.month}月{day.day}日"
