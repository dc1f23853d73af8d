"""The cells of the import template as people fill them (issue 15): amounts with thousand
separators, full-width digits, spaces and a unit written after them; years written
"2028年"; dates written "2026年3月1日"; months written "12个月".

Each parser takes the raw cell (text, int, float, Decimal, date or None) and returns the value,
or raises ``CellError`` whose message names the form expected and what was received — never
another exception, whatever the cell holds (tests/documents/test_imports_cells.py, hypothesis).

The template's money columns are in 万元 (their headers say so); amounts are kept exact to the
分 as Decimal 元, never through float arithmetic (a float cell is read through its shortest
decimal text, which is the number the person typed).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validation import parse_wan, validate_money_non_negative, validate_money_positive, yuan_to_wan_exact

TEN_THOUSAND = Decimal("10000")
#: How much of a received value an error quotes.
QUOTE_MAX = 30

#: Units a person may write after an amount in a 万元 column, and what one of them is in 万元.
#: "万"/"万元" are the column's own unit; "元" and "亿元" are converted exactly, with a
#: warning (the preview shows the amount in 万元 to check).
_UNITS = (("万元", None), ("亿元", Decimal("10000")), ("万", None), ("亿", Decimal("10000")))
_YUAN = "元"


class CellError(ValueError):
    """A cell that does not hold the expected form; ``str()`` is the Chinese message."""


def quoted(value) -> str:
    """The value as received, for an error message: “abc” (shortened)."""
    if value is None:
        return _("（空）")
    if isinstance(value, float) and value == value and value not in (float("inf"), float("-inf")):
        text = repr(value)
    else:
        text = str(value)
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    if len(text) > QUOTE_MAX:
        text = text[:QUOTE_MAX] + "…"
    return f"“{text}”"


def normal(value) -> str:
    """A text cell with full-width forms folded (NFKC) and surrounding space removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def money_expected() -> str:
    return _("应填写金额（万元），如 1,234.56 或 1234.56万元")


def amount(value, *, positive: bool = True) -> tuple[Decimal, str]:
    """An amount of a 万元 column (办法第九条: 项目总投资, 年度投资额, 资金来源) → (exact 元,
    warning or "").

    Accepted: 274,246.20 / ２７４２４６ / 39838.35万 / 39838.35 万元 / 1 234.5 / a number cell;
    converted with a warning: 2.5亿元 (× 10000 万元), 3,983,835元 (÷ 10000). Refused with the
    expected form named: letters, exponent notation, more than two decimals of 元, amounts
    ≤ 0 (or < 0 where ``positive`` is False), amounts beyond what every database stores.
    """
    warning = ""
    raw = value
    if isinstance(value, str) or not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        text = normal(value).replace(" ", "").replace("\u3000", "")
        if not text:
            raise CellError(_("不能为空：%(expected)s") % {"expected": money_expected()})
        factor = None
        for unit, times in _UNITS:
            if text.endswith(unit):
                text, factor = text[: -len(unit)], times
                break
        else:
            if text.endswith(_YUAN):
                text, factor = text[:-1], Decimal(1) / TEN_THOUSAND
        value = text
    else:
        factor = None
    try:
        yuan = parse_wan(value)
        if yuan is None:
            raise CellError(_("不能为空：%(expected)s") % {"expected": money_expected()})
        if factor is not None:
            exact = yuan * factor
            if exact != exact.quantize(Decimal("0.01")):
                raise CellError(
                    _("%(expected)s；收到%(got)s（最多精确到分）")
                    % {"expected": money_expected(), "got": quoted(raw)}
                )
            yuan = exact.quantize(Decimal("0.01"))
            parse_wan(yuan / TEN_THOUSAND)  # the bound, once more after the conversion
            warning = _("%(got)s已按%(wan)s万元导入，请核对单位") % {
                "got": quoted(raw),
                "wan": _wan(yuan),
            }
        (validate_money_positive if positive else validate_money_non_negative)(yuan)
    except ValidationError as exc:
        reason = "".join(str(m) for m in exc.messages).rstrip("。")
        raise CellError(
            _("%(expected)s；收到%(got)s（%(reason)s）")
            % {"expected": money_expected(), "got": quoted(raw), "reason": reason}
        ) from None
    except (InvalidOperation, ArithmeticError):
        raise CellError(
            _("%(expected)s；收到%(got)s") % {"expected": money_expected(), "got": quoted(raw)}
        ) from None
    return yuan, warning


def _wan(yuan: Decimal) -> str:
    return yuan_to_wan_exact(yuan)


_YEAR = re.compile(r"^(\d{4})\s*(?:年度|年)?$")


def year(value) -> int:
    """A year: 2028 / "2028" / "2028年" / "2028年度" / "２０２８年"."""
    if isinstance(value, bool):
        raise CellError(_("应填写年度，如 2028 或 2028年；收到%(got)s") % {"got": quoted(value)})
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = normal(value)
    m = _YEAR.match(text)
    if not m:
        raise CellError(_("应填写年度，如 2028 或 2028年；收到%(got)s") % {"got": quoted(value)})
    return int(m.group(1))


_MONTHS = re.compile(r"^(\d{1,4})\s*(?:个月|月)?$")


def months(value) -> int:
    """A whole number of months: 12 / "12" / "12个月" / "１２"."""
    if isinstance(value, bool):
        raise CellError(_("应填写月数（正整数），如 12 或 12个月；收到%(got)s") % {"got": quoted(value)})
    if isinstance(value, (int, Decimal)) or (isinstance(value, float) and value == value):
        try:
            number = Decimal(repr(value) if isinstance(value, float) else value)
        except (InvalidOperation, ValueError):
            number = Decimal(-1)
        if number.is_finite() and number == number.to_integral_value() and 0 < number < 10000:
            return int(number)
        raise CellError(_("应填写月数（正整数），如 12 或 12个月；收到%(got)s") % {"got": quoted(value)})
    m = _MONTHS.match(normal(value))
    if not m or int(m.group(1)) <= 0:
        raise CellError(_("应填写月数（正整数），如 12 或 12个月；收到%(got)s") % {"got": quoted(value)})
    return int(m.group(1))


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date(value) -> datetime.date:
    """A date: a date cell / "2026-03-01" / "2026/3/1" / "2026.3.1" / "2026年3月1日"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    m = _DATE.match(normal(value))
    try:
        if not m:
            raise ValueError
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise CellError(
            _("应填写日期，如 2026-03-01 或 2026年3月1日；收到%(got)s") % {"got": quoted(value)}
        ) from None


_PAIR_SPLIT = re.compile(r"[;；\n]+")
_PAIR = re.compile(r"^\s*([^:：]+?)\s*[:：]\s*(.+?)\s*$", re.S)


def pairs(value, *, example: str) -> list[tuple[str, str]]:
    """ "2026:300;2027年：200" → [("2026", "300"), ("2027年", "200")]; separators ; ； or a
    new line, key and amount joined by : or ：."""
    text = normal(value)
    items = [p for p in _PAIR_SPLIT.split(text) if p.strip()]
    result = []
    for item in items:
        m = _PAIR.match(item)
        if not m:
            raise CellError(
                _("格式应为“%(example)s”（分号或换行分隔）；收到%(got)s")
                % {"example": example, "got": quoted(item)}
            )
        result.append((m.group(1), m.group(2)))
    if not result:
        raise CellError(_("格式应为“%(example)s”；收到%(got)s") % {"example": example, "got": quoted(value)})
    return result
