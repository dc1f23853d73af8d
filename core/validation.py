"""Validators shared by the models, the forms, the step data and the Excel import.

One place decides what an amount or a date may be, so that a web form, a step of the state
machine, an import row and the database CHECK constraints all refuse the same values.

Money
    Stored in 元 as ``Decimal`` with two decimals, entered and shown in 万元. The upper bound
    is technical, not a number of the 办法: every backend must store the value exactly. SQLite
    keeps a decimal column as a REAL and Django reads it back through a 15-significant-digit
    context, so 99,999,999,999,999.99 元 (16 digits) came back as 1.00000000000000E+14 and its
    quantisation raised InvalidOperation on every page that loaded the row. Amounts below
    10¹² 元 (at most 14 digits) survive the float round trip exactly, on PostgreSQL too.

Dates
    A planned date (计划开工) may lie in the future, within ``PLANNED_YEARS_AHEAD`` years; a
    date that records something that happened (开工, 建成, 验收…) may not be later than
    today. Nothing before ``EARLIEST_DATE`` (the province's e-government projects are all
    later; 1900-01-01 is a typing slip, not a date).

``WanField`` is the form field for money: it takes 万元 as people type it ("1,234.56",
full-width digits, a trailing "万元") and gives exact ``Decimal`` 元; it refuses exponent
notation, NaN and Infinity with a Chinese message instead of letting them through.
"""

from __future__ import annotations

import calendar
import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.formatting import wan_text
from core.timeutil import today

# ---------------------------------------------------------------- money

#: Model field arguments of every money column (元).
MONEY_MAX_DIGITS = 14
MONEY_DECIMAL_PLACES = 2
MONEY: dict[str, Any] = {"max_digits": MONEY_MAX_DIGITS, "decimal_places": MONEY_DECIMAL_PLACES}
#: Exclusive upper bound in 元 (10¹² 元 = 1亿万元): exact on every backend (see above).
MONEY_LIMIT_YUAN = Decimal(10) ** (MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES)
MONEY_MAX_YUAN = MONEY_LIMIT_YUAN - Decimal("0.01")
TEN_THOUSAND = Decimal(10000)
CENT = Decimal("0.01")
#: 1 分 is 0.000001 万元: an amount in 万元 has at most six decimals.
WAN_DECIMAL_PLACES = MONEY_DECIMAL_PLACES + 4


def yuan_to_wan_text(yuan, *, places: int = 2, separators: bool = True) -> str:
    """元 → "1,234.56" (万元, two decimals, thousands separators): core.formatting.wan_text, the
    look of money everywhere. ``places``/``separators`` other than the defaults are for machine
    text (an import template's cells), not for people."""
    if places == MONEY_DECIMAL_PLACES and separators:
        return wan_text(yuan)
    wan = (Decimal(yuan) / TEN_THOUSAND).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{wan:,}" if separators else f"{wan}"


def yuan_to_wan_exact(yuan) -> str:
    """元 → 万元 with two decimals, more only when needed to stay exact (an amount not a
    multiple of 100 元). What a form shows as the current value: saving it unchanged must
    not round the stored amount."""
    wan = Decimal(yuan) / TEN_THOUSAND
    places = MONEY_DECIMAL_PLACES
    while places < WAN_DECIMAL_PLACES and wan != wan.quantize(Decimal(1).scaleb(-places)):
        places += 1
    return f"{wan.quantize(Decimal(1).scaleb(-places)):,}"


def _money_message() -> dict:
    return {"max": f"{MONEY_LIMIT_YUAN / TEN_THOUSAND:,}"}


def validate_money_bound(value) -> None:
    """Any amount: finite, two decimals at most, below 10¹² 元."""
    if value is None:
        return
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(_("金额须为有限的数字。"), code="money_invalid")
    if abs(value) >= MONEY_LIMIT_YUAN:
        raise ValidationError(
            _("金额须小于%(max)s万元，请核对数量级（单位是万元还是元）。") % _money_message(),
            code="money_too_large",
        )
    if value != value.quantize(CENT):
        raise ValidationError(_("金额最小单位为分（元的两位小数）。"), code="money_precision")


def validate_money_positive(value) -> None:
    """An amount that must be present and above zero: 项目总投资 and 年度投资额 of 办法第九条,
    概算总投资 of 第十八条, the 省政府审定 amount of 第十九条, changed totals and amounts
    moved by a change (第二十八条)."""
    validate_money_bound(value)
    if value is not None and value <= 0:
        raise ValidationError(_("金额须大于零。"), code="money_not_positive")


def validate_money_non_negative(value) -> None:
    """An amount that may be zero but not negative: 结余资金 returned (办法第二十七条; nothing
    left over is 0), the investment executed in a year (第二十五条; none yet is 0), a year of
    the construction period without investment (第九条)."""
    validate_money_bound(value)
    if value is not None and value < 0:
        raise ValidationError(_("金额不能为负数。"), code="money_negative")


def money_check(field: str, *, positive: bool, name: str, label: StrOrPromise = "") -> models.CheckConstraint:
    """The database side of the two validators above, for ``Meta.constraints``: NULL passes
    (optional amounts), anything else must be in range."""
    lower = Q(**{f"{field}__gt": 0}) if positive else Q(**{f"{field}__gte": 0})
    condition = Q(**{f"{field}__isnull": True}) | (lower & Q(**{f"{field}__lt": MONEY_LIMIT_YUAN}))
    rule = _("{label}须大于零且小于{max}万元。") if positive else _("{label}不能为负数且须小于{max}万元。")
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=format_lazy(rule, label=label or _("金额"), **_money_message()),
    )


_FULLWIDTH = str.maketrans({"，": ",", "。": ".", "．": ".", "－": "-", "＋": "+", "　": " "})
_WAN_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_wan(text) -> Decimal | None:
    """ "1,234.56" / "１２３４．５６" / "1234.56万元" → Decimal 元 (12345600.00); None when empty.

    Raises ValidationError (in Chinese) for anything that is not a plain decimal number of
    万元 with at most six decimals (1 分): exponent notation, NaN, Infinity, letters.
    """
    if text is None:
        return None
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        value = Decimal(text)
        if not value.is_finite():
            raise ValidationError(_("金额须为数字，如 1,234.56（单位：万元）。"), code="money_invalid")
    elif isinstance(text, float):
        # A float comes from a spreadsheet cell; its shortest text is what the person saw.
        if text != text or text in (float("inf"), float("-inf")):
            raise ValidationError(_("金额须为数字，如 1,234.56（单位：万元）。"), code="money_invalid")
        value = Decimal(repr(text))
    else:
        cleaned = unicodedata.normalize("NFKC", str(text)).translate(_FULLWIDTH).strip()
        for suffix in ("万元", "万"):
            if cleaned.endswith(suffix):
                cleaned = cleaned[: -len(suffix)].strip()
                break
        if not cleaned:
            return None
        # Thousands separators: "1,234.56" or "1 234.56"; a comma elsewhere is a typo.
        if "," in cleaned and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", cleaned):
            raise ValidationError(
                _("金额的千分位逗号位置不对，应如 1,234.56（单位：万元）。"), code="money_invalid"
            )
        cleaned = cleaned.replace(",", "").replace(" ", "")
        if len(cleaned) > 40 or not _WAN_RE.match(cleaned):
            raise ValidationError(_("金额须为数字，如 1,234.56（单位：万元）。"), code="money_invalid")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
            raise ValidationError(
                _("金额须为数字，如 1,234.56（单位：万元）。"), code="money_invalid"
            ) from None
    if abs(value) >= MONEY_LIMIT_YUAN / TEN_THOUSAND:
        raise ValidationError(
            _("金额须小于%(max)s万元，请核对数量级（单位是万元还是元）。") % _money_message(),
            code="money_too_large",
        )
    yuan = value * TEN_THOUSAND
    if yuan != yuan.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError(_("金额最多精确到分（万元的六位小数）。"), code="money_precision")
    return yuan.quantize(CENT) + 0  # "-0" is 0.00


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class WanInput(forms.TextInput):
    """Shows 元 as 万元 ("1,234.56"), exact when the amount is not a multiple of 100 元, with
    the unit "万元" written beside the box (templates/django/forms/widgets/wan.html)."""

    template_name = "django/forms/widgets/wan.html"

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal) and value.is_finite():
            return yuan_to_wan_exact(value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return yuan_to_wan_exact(Decimal(str(value)))
        return super().format_value(value)


class WanField(forms.Field):
    """An amount typed in 万元, cleaned to exact Decimal 元.

    ``positive=True``: must be above zero; otherwise zero is allowed, negatives never.
    """

    widget = WanInput
    default_error_messages = {"required": _("请填写金额（万元）。")}

    def __init__(self, *, positive: bool = True, **kwargs):
        self.positive = positive
        kwargs.setdefault("help_text", _("单位：万元，可写千分位，如 1,234.56。"))
        super().__init__(**kwargs)
        self.validators.append(validate_money_positive if positive else validate_money_non_negative)

    def to_python(self, value):
        # Whatever comes in (text, number) is 万元; only the initial value (has_changed,
        # the widget) is 元.
        return parse_wan(value)

    def prepare_value(self, value):
        return value

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != (Decimal(initial) if initial not in (None, "") else None)
        except (ValidationError, InvalidOperation, TypeError, ValueError):
            return True


def wan_label(verbose_name: StrOrPromise) -> StrOrPromise:
    """A model field's label in 元 as the form shows it, in 万元 ("概算总投资（元）" → "（万元）")."""
    return _wan_label(verbose_name)


_wan_label = lazy(lambda name: str(name).replace("（元）", "（万元）"), str)


def is_money_field(db_field: models.Field) -> bool:
    """An amount stored in 元: a decimal model field named ``*_yuan``."""
    return isinstance(db_field, models.DecimalField) and db_field.name.endswith("_yuan")


def money_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """``formfield_callback`` of a ModelForm: an amount stored in 元 (a ``*_yuan`` decimal) is
    typed in 万元 (WanField) under the model field's own label; every other field as Django
    makes it. Positive or non-negative as the model field's validator says."""
    if is_money_field(db_field):
        return WanField(
            label=wan_label(db_field.verbose_name),
            required=not db_field.blank,
            positive=validate_money_positive in db_field.validators,
        )
    return db_field.formfield(**kwargs)


# ---------------------------------------------------------------- dates

#: Nothing the system records happened before this day.
EARLIEST_DATE = datetime.date(2000, 1, 1)
#: A planned date (计划开工) lies at most this many calendar years after this year.
PLANNED_YEARS_AHEAD = 10
#: 建设工期 (办法第九条) in months: at least one, at most ten years (a typing slip beyond).
PERIOD_MONTHS_MAX = 120


def _today() -> datetime.date:
    return today()


def latest_planned_date(today: datetime.date | None = None) -> datetime.date:
    today = today or _today()
    return datetime.date(today.year + PLANNED_YEARS_AHEAD, 12, 31)


def validate_planned_date(value) -> None:
    """A planned date (计划开工日期, a requested extension): from 2000 to ten years ahead."""
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("日期不能早于%(d)s，请核对年份。") % {"d": EARLIEST_DATE.isoformat()}, code="date_too_early"
        )
    latest = latest_planned_date()
    if value > latest:
        raise ValidationError(
            _("计划日期不能晚于%(d)s，请核对年份。") % {"d": latest.isoformat()}, code="date_too_late"
        )


def validate_past_date(value) -> None:
    """A date on which something happened (开工、建成、验收、投入运行…): not after today."""
    if value is None:
        return
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("日期不能早于%(d)s，请核对年份。") % {"d": EARLIEST_DATE.isoformat()}, code="date_too_early"
        )
    today = _today()
    if value > today:
        raise ValidationError(
            _("已发生事项的日期不能晚于今天（%(d)s）。") % {"d": today.isoformat()}, code="date_in_future"
        )


def validate_dates_ordered(earlier, later, *, earlier_label, later_label) -> None:
    """``later`` on or after ``earlier`` (开工 ≤ 建成, 建成 ≤ 验收…); missing dates pass."""
    if earlier and later and later < earlier:
        raise ValidationError(
            _("%(later)s（%(b)s）不能早于%(earlier)s（%(a)s）。")
            % {
                "later": later_label,
                "b": later.isoformat(),
                "earlier": earlier_label,
                "a": earlier.isoformat(),
            },
            code="dates_out_of_order",
        )


# ---------------------------------------------------------------- construction period


def add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def construction_years(*, planned_start=None, period_months=None, plan_year=None) -> range | None:
    """The calendar years of the construction period (办法第九条 建设工期; the years in which
    第二十五条 asks for a report and 第九条 for a 年度投资额).

    From the year of the planned start to the year in which ``period_months`` months from it
    end (the last day of the period is the day before start + period). Without a planned
    start, from the plan (or call) year over the same number of months from 1 January. None
    when the period or both the start and the year are unknown (nothing to check against).
    """
    if not period_months:
        return None
    if planned_start is None:
        if not plan_year:
            return None
        planned_start = datetime.date(plan_year, 1, 1)
    months = min(max(int(period_months or 0), 1), PERIOD_MONTHS_MAX)
    try:
        last_day = add_months(planned_start, months) - datetime.timedelta(days=1)
    except (OverflowError, ValueError):
        return range(planned_start.year, 10000)
    return range(planned_start.year, max(last_day.year, planned_start.year) + 1)


def project_construction_years(project, *, period_months=None) -> range | None:
    """``construction_years`` of a project: its planned start (or actual start when known)
    and its period, else its plan or call year."""
    start = getattr(project, "construction_started_on", None) or project.planned_start
    return construction_years(
        planned_start=start, period_months=period_months or project.period_months, plan_year=project.year
    )


def performance_report_years(project, *, today: datetime.date | None = None) -> range | None:
    """办法第二十五条: the years for which a 绩效评价报告 is due — the construction period
    (``project_construction_years``), stretched to the year of completion (or to this year
    while construction goes on late) and to any year whose report clock was opened; never a
    year after this one."""
    today = today or _today()
    years = project_construction_years(project, period_months=project.period_months or 1)
    bounds = [years.start, years.stop - 1] if years is not None else []
    end = project.completed_on or (today if years is not None and years.stop - 1 < today.year else None)
    if end is not None:
        bounds.append(end.year)
    if project.pk is not None:
        bounds += list(
            project.clocks.filter(kind="performance_report", year__isnull=False).values_list(
                "year", flat=True
            )
        )
    if not bounds:
        return None
    return range(min(bounds), min(max(bounds), today.year) + 1)


def years_text(years: range) -> str:
    return f"{years.start}" if len(years) == 1 else f"{years.start}—{years.stop - 1}"


# ---------------------------------------------------------------- 项目代码

#: 办法第十五条: the 省投资项目在线审批监管平台 code, 24 characters YYMM-XXXXXX-XX-XX-XXXXXX
#: (year and month of registration, 行政区划代码, 行业代码, 项目类型, serial number).
PLATFORM_CODE_RE = re.compile(r"^(\d{2})(\d{2})-\d{6}-\d{2}-\d{2}-\d{6}$")
#: The platform issues codes since 2015 (the 投资项目在线审批监管平台 went online then).
PLATFORM_FIRST_YEAR = 2015


def validate_platform_code(value: str) -> None:
    """办法第十五条: 24 characters YYMM-XXXXXX-XX-XX-XXXXXX with a real month (01–12) of a year
    in which the platform issued codes, not in the future."""
    if not value:
        return
    match = PLATFORM_CODE_RE.match(value)
    if not match:
        raise ValidationError(
            _("项目代码应为24位，格式 YYMM-XXXXXX-XX-XX-XXXXXX（办法第十五条）。"), code="platform_code"
        )
    year, month = 2000 + int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValidationError(
            _("项目代码前四位是赋码年月（YYMM），月份“%(m)s”不存在，应为01至12（办法第十五条）。")
            % {"m": match.group(2)},
            code="platform_code_month",
        )
    today = _today()
    if year < PLATFORM_FIRST_YEAR or (year, month) > (today.year, today.month):
        raise ValidationError(
            _("项目代码的赋码年月%(y)s年%(m)s月不可能（应在%(first)s年至今之间），请核对（办法第十五条）。")
            % {"y": year, "m": month, "first": PLATFORM_FIRST_YEAR},
            code="platform_code_year",
        )
