"""The import's cell parsers (documents/import_cells.py; issue 15): the ways people write numbers,
years and dates are read exactly, every other value is refused with a message naming the form
expected and what was received — and no value raises anything else (hypothesis), in the parsers
and through the upload page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from documents import import_cells as cells
from projects.models import Project

from .test_imports import filled, project_row, resource_row


@pytest.mark.parametrize(
    "typed, yuan",
    [
        ("274,246.20", Decimal("2742462000.00")),
        ("２７４２４６", Decimal("2742460000.00")),
        ("39838.35万", Decimal("398383500.00")),
        ("39838.35 万元", Decimal("398383500.00")),
        ("1 234.56", Decimal("12345600.00")),
        ("１，２００．５０", Decimal("12005000.00")),
        (300.15, Decimal("3001500.00")),
        (860, Decimal("8600000.00")),
        (Decimal("0.0001"), Decimal("1.00")),
        ("2.5亿元", Decimal("250000000.00")),
        ("3,983,835元", Decimal("3983835.00")),
        # 10 digits of 万元 before the point, the largest the plan tables are laid out for.
        ("9,999,999,999.99", None),
    ],
)
def test_amounts_are_read_as_people_write_them(typed, yuan):
    if yuan is None:  # beyond what every database stores: refused, with the reason
        with pytest.raises(cells.CellError, match="金额须小于"):
            cells.amount(typed)
        return
    assert cells.amount(typed)[0] == yuan


@pytest.mark.parametrize(
    "typed, part",
    [
        ("abc", "应填写金额（万元），如 1,234.56 或 1234.56万元；收到“abc”"),
        ("1e5", "收到“1e5”（金额须为数字"),
        ("-5", "收到“-5”（金额须大于零）"),
        ("0", "收到“0”（金额须大于零）"),
        ("1,2345", "千分位逗号位置不对"),
        ("12.3456789", "最多精确到分"),
        ("0.001元", "最多精确到分"),
        (None, "不能为空：应填写金额（万元）"),
        ("万元", "不能为空"),
    ],
)
def test_an_amount_that_is_not_one_names_the_form_expected(typed, part):
    with pytest.raises(cells.CellError) as caught:
        cells.amount(typed)
    assert part in str(caught.value)


def test_the_converted_units_warn_the_rest_do_not():
    assert cells.amount("39838.35万")[1] == ""
    assert "已按25,000.00万元导入" in cells.amount("2.5亿")[1]
    assert "已按0.05万元导入" in cells.amount("500元")[1]


@pytest.mark.parametrize("typed", [2028, 2028.0, "2028", "2028年", "2028 年", "２０２８年", "2028年度"])
def test_years_are_read_as_people_write_them(typed):
    assert cells.year(typed) == 2028


@pytest.mark.parametrize("typed", ["28", "二〇二八", "2028年3月", "", None, True, 2028.5])
def test_a_year_that_is_not_one_names_the_form(typed):
    with pytest.raises(cells.CellError, match="应填写年度，如 2028 或 2028年"):
        cells.year(typed)


@pytest.mark.parametrize(
    "typed",
    ["2026-03-01", "2026/3/1", "2026.3.1", "2026年3月1日", "２０２６年３月１日", datetime.date(2026, 3, 1)],
)
def test_dates_are_read_as_people_write_them(typed):
    assert cells.date(typed) == datetime.date(2026, 3, 1)


def test_pairs_take_full_width_colons_and_year_suffixes():
    assert cells.pairs("2027年：1,600；2028年:1,600", example="") == [
        ("2027年", "1,600"),
        ("2028年", "1,600"),
    ]


values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet="0123456789,.，．０１２３４５６７８９ 万元亿年度:：;；-+eE", max_size=30),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_no_value_raises_anything_but_the_cell_error(value):
    for parse in (
        lambda v: cells.amount(v, positive=True),
        lambda v: cells.amount(v, positive=False),
        cells.year,
        cells.months,
        cells.date,
        lambda v: cells.pairs(v, example="2026:300"),
        cells.quoted,
    ):
        try:
            parse(value)
        except cells.CellError as exc:
            assert str(exc)


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_an_amount_written_with_separators_is_the_exact_amount(wan):
    yuan = wan * 10000
    for typed in (f"{wan:,}", f"{wan}万元", f"{wan:,}万", str(wan).translate(cells_fullwidth())):
        assert cells.amount(typed)[0] == yuan, typed


def cells_fullwidth():
    return {ord(c): ord(c) + 0xFEE0 for c in "0123456789.,"}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    total=values,
    yearly=st.one_of(values, st.builds(lambda k, v: f"{k}:{v}", st.text(max_size=8), st.text(max_size=8))),
    start=values,
    months=values,
)
def test_no_cell_value_makes_the_preview_answer_500(
    client, orgs, people, call_2026, total, yearly, start, months
):
    client.force_login(people.owner_preparer)

    def cell(v):  # openpyxl stores what a spreadsheet cell can hold
        if isinstance(v, Decimal):
            return float(v) if v.is_finite() else str(v)
        if isinstance(v, float) and v != v:
            return "NaN"
        if isinstance(v, float) and v in (float("inf"), float("-inf")):
            return str(v)
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53:
            return str(v)
        if isinstance(v, str):
            return "".join(ch for ch in v if ch.isprintable())
        return v

    upload = filled(
        [
            project_row(
                "甲系统",
                **{
                    "项目总投资（万元）": cell(total),
                    "年度投资（万元）": cell(yearly),
                    "计划开工日期": cell(start),
                    "建设工期（月）": cell(months),
                },
            )
        ],
        [resource_row("甲系统")],
    )
    response = client.post(
        reverse("documents:application_import"), {"step": "preview", "call": call_2026.pk, "file": upload}
    )
    assert response.status_code == 200
    assert not Project.objects.exists()
