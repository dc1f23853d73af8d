"""Property tests (hypothesis): no value typed into a money or date field of the application,
records, change or performance report form gets past validation out of range, and no value
gives a 500 (issue 7: 99,999,999,999,999.99 元 once took every page down on SQLite).

The expectations come from the rules, not from the code under test: an accepted amount is an
exact Decimal of 元 with at most two decimals, above zero where the 办法 needs an amount
(第九、二十八条), not below zero elsewhere (第二十五、二十七条), and below 10¹² 元; a refused
one carries a Chinese message.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings, strategies as st

from lifecycle.models import ChangeRequest, PerformanceReport
from lifecycle.webforms import ChangeForm, ChangeItemForm, PerformanceReportForm
from projects.forms import ApplicationForm, RecordsForm, application_formsets
from projects.models import Project
from tests.conftest import at
from tests.web.conftest import scene  # noqa: F401  (fixture; hypothesis needs a first argument other than it)

pytestmark = pytest.mark.django_db

LIMIT = Decimal(10) ** 12  # 元, exclusive
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORMS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PAGES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TODAY = (2026, 11, 2)

# ---------------------------------------------------------------- strategies

NASTY = [
    "",
    " ",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "1e5",
    "1E400",
    "-1e-400",
    "0x10",
    "99999999999999.99",
    "9999999999.99",
    "99999999.999999",
    "100000000",
    "-500",
    "-0",
    "0",
    "0.00",
    "0.000001",
    "0.0000001",
    "１２３４．５６",
    "1,234.56",
    "1,23",
    "1，234",
    "12 345.6",
    "1234.56万元",
    "+5",
    "--5",
    ".5",
    "5.",
    "9" * 60,
    "1_000",
    "١٢٣",
    "五百",
    "500元",
]


def money_texts():
    decimals = st.decimals(allow_nan=True, allow_infinity=True)
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=30),
        st.integers().map(str),
        st.floats().map(str),
        decimals.map(str),
        decimals.filter(lambda d: d.is_finite()).map(lambda d: f"{d:,}"),
        st.decimals(min_value=-(10**9), max_value=10**9, places=6).map(str),
    )


def date_texts():
    return st.one_of(
        st.dates().map(datetime.date.isoformat),
        st.sampled_from(
            [
                "",
                "1900-01-01",
                "2030-01-01",
                "9999-12-31",
                "0001-01-01",
                "2026-13-01",
                "2026-02-30",
                "2026/03/01",
                "20260301",
                "-5",
                "99999-01-01",
            ]
        ),
        st.text(max_size=20),
    )


def year_texts():
    return st.one_of(
        st.integers().map(str),
        st.integers(1990, 2040).map(str),
        st.text(max_size=8),
        st.sampled_from(["", "-5", "2026.0", "1e3", "２０２６"]),
    )


def assert_accepted_amount(value, *, positive: bool):
    assert value is None or isinstance(value, Decimal)
    if value is not None:
        assert value.is_finite() and value == value.quantize(Decimal("0.01"))
        assert (value > 0 if positive else value >= 0) and value < LIMIT


def assert_chinese_errors(form):
    messages = [str(m) for errors in form.errors.values() for m in errors]
    assert messages and all(CHINESE.search(m) for m in messages), messages


# ---------------------------------------------------------------- the application (办法第九条)


@FORMS
@given(total=money_texts(), start=date_texts(), period=st.one_of(year_texts(), st.integers().map(str)))
@example(total="99999999999999.99", start="2026-03-01", period="12")
@example(total="-500", start="1900-01-01", period="0")
def test_any_application_money_or_date_is_either_in_range_or_refused_in_chinese(
    call_2026, total, start, period
):
    with translation.override("zh-hans"), at(*TODAY):
        form = ApplicationForm(
            {
                "name": "系统",
                "call": str(call_2026.pk),
                "network": "extranet",
                "total_investment_yuan": total,
                "planned_start": start,
                "period_months": period,
            },
            instance=Project(),
        )
        if form.is_valid():
            assert_accepted_amount(form.cleaned_data["total_investment_yuan"], positive=True)
            planned = form.cleaned_data["planned_start"]
            assert planned is None or datetime.date(2000, 1, 1) <= planned <= datetime.date(2036, 12, 31)
            assert (
                form.cleaned_data["period_months"] is None or 1 <= form.cleaned_data["period_months"] <= 120
            )
        else:
            assert_chinese_errors(form)


@FORMS
@given(amount=money_texts(), year=year_texts(), source_amount=money_texts())
def test_any_yearly_or_funding_row_is_either_in_range_or_refused_in_chinese(
    call_2026, amount, year, source_amount
):
    data = {
        "name": "系统",
        "call": str(call_2026.pk),
        "network": "extranet",
        "period_months": "12",
        "planned_start": "2026-03-01",
    }
    for prefix in ("data", "yearly", "funding", "participants", "levels"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(
        {
            "yearly-TOTAL_FORMS": "1",
            "yearly-0-year": year,
            "yearly-0-amount_yuan": amount,
            "funding-TOTAL_FORMS": "1",
            "funding-0-source": "provincial",
            "funding-0-amount_yuan": source_amount,
        }
    )
    with translation.override("zh-hans"), at(*TODAY):
        form = ApplicationForm(data, instance=Project())
        formsets = {
            p: fs for p, fs, _h, _k in application_formsets(data, instance=Project(), application=form)
        }
        for prefix, positive in (("yearly", False), ("funding", True)):
            row = formsets[prefix].forms[0]
            formsets[prefix].is_valid()
            if row.is_valid():
                assert_accepted_amount(row.cleaned_data.get("amount_yuan"), positive=positive)
                if prefix == "yearly" and row.cleaned_data.get("year") is not None:
                    # 2026-03-01 + 12 months: the construction years are 2026 and 2027 (办法第九条).
                    assert row.cleaned_data["year"] in (2026, 2027)
            elif row.has_changed():
                assert_chinese_errors(row)


# ---------------------------------------------------------------- the records form (办法第十五条)


@FORMS
@given(code=st.one_of(st.from_regex(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}", fullmatch=True), st.text(max_size=30)))
@example(code="2613-230000-04-01-123456")
@example(code="2601-230000-04-01-123456")
def test_any_platform_code_is_either_well_formed_unique_and_dated_or_refused(people, scene, code):
    taken = scene.building.platform_code
    with translation.override("zh-hans"), at(*TODAY):
        form = RecordsForm({"platform_code": code, "merged_ground": ""}, instance=scene.draft)
        if form.is_valid():
            value = form.cleaned_data["platform_code"]
            if value:
                assert re.fullmatch(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}", value)
                year, month = 2000 + int(value[:2]), int(value[2:4])
                assert 1 <= month <= 12 and (2015, 1) <= (year, month) <= (2026, 11)
                assert value != taken
        else:
            assert "platform_code" in form.errors
            assert_chinese_errors(form)


# ---------------------------------------------------------------- changes (办法第二十八条)


@FORMS
@given(total=money_texts(), amount=money_texts())
def test_any_change_amount_is_either_positive_and_in_range_or_refused_in_chinese(total, amount):
    with translation.override("zh-hans"):
        form = ChangeForm({"title": "调整", "reason": "优化", "ground": "", "new_total_yuan": total})
        if form.is_valid():
            assert_accepted_amount(form.cleaned_data["new_total_yuan"], positive=True)
        else:
            assert_chinese_errors(form)
        item = ChangeItemForm({"from_content": "甲", "to_content": "乙", "amount_yuan": amount})
        if item.is_valid():
            assert item.cleaned_data["amount_yuan"] is not None
            assert_accepted_amount(item.cleaned_data["amount_yuan"], positive=True)
        else:
            assert_chinese_errors(item)


# ---------------------------------------------------------------- performance report (办法第二十五条)


@FORMS
@given(year=year_texts(), amount=money_texts())
@example(year="2026", amount="5000")
def test_any_performance_report_value_is_either_within_the_rules_or_refused(people, scene, year, amount):
    project = scene.building  # 概算 500万元, construction from 2026-01-12 over 12 months
    with translation.override("zh-hans"), at(*TODAY):
        form = PerformanceReportForm(
            {
                "year": year,
                "user_opinions": "使用单位满意",
                "supervisor_opinion": "监理认可",
                "progress": "按计划",
                "investment_executed_yuan": amount,
            },
            project=project,
        )
        if form.is_valid():
            assert_accepted_amount(form.cleaned_data["investment_executed_yuan"], positive=False)
            assert form.cleaned_data["investment_executed_yuan"] <= Decimal("5000000")
            assert form.cleaned_data["year"] == 2026  # the construction years up to this one
        else:
            assert_chinese_errors(form)


# ---------------------------------------------------------------- through the pages: never a 500


def _management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@PAGES
@given(total=money_texts(), start=date_texts(), year=year_texts(), amount=money_texts())
@example(total="99999999999999.99", start="2030-01-01", year="2026", amount="99999999999999.99")
def test_the_application_page_never_fails_on_any_money_or_date(
    client, people, call_2026, total, start, year, amount
):
    client.force_login(people.owner_preparer)
    data = {
        "name": "全省教育督导平台",
        "call": str(call_2026.pk),
        "network": "extranet",
        "action": "check",
        "total_investment_yuan": total,
        "planned_start": start,
        "period_months": "12",
        "yearly-0-year": year,
        "yearly-0-amount_yuan": amount,
        "funding-0-source": "provincial",
        "funding-0-amount_yuan": amount,
    }
    for prefix in ("data", "participants", "levels"):
        data.update(_management(prefix))
    data.update(_management("yearly", 1))
    data.update(_management("funding", 1))
    with at(*TODAY):
        response = client.post(reverse("application_new"), data)
        assert response.status_code in (200, 302, 400)
        if response.status_code == 302:
            project = Project.objects.latest("pk")
            assert project.total_investment_yuan is None or 0 < project.total_investment_yuan < LIMIT
            assert client.get(reverse("project", args=[project.pk])).status_code == 200


@PAGES
@given(code=st.one_of(st.from_regex(r"\d{4}-\d{6}-\d{2}-\d{2}-\d{6}", fullmatch=True), st.text(max_size=30)))
def test_the_records_page_never_fails_on_any_platform_code(client, people, scene, code):
    client.force_login(people.owner_preparer)
    with at(*TODAY):
        response = client.post(reverse("records_edit", args=[scene.draft.pk]), {"platform_code": code})
    assert response.status_code in (200, 302, 400)


@PAGES
@given(total=money_texts(), amount=money_texts(), action=st.sampled_from(["preview", "save"]))
def test_the_change_page_never_fails_on_any_amount(client, people, scene, total, amount, action):
    client.force_login(people.owner_preparer)
    data = {
        "title": "扩充",
        "reason": "优化",
        "ground": "optimisation",
        "goals_unchanged": "on",
        "action": action,
        "new_total_yuan": total,
        "items-0-from_content": "培训",
        "items-0-to_content": "监管",
        "items-0-amount_yuan": amount,
        **_management("items", 1),
    }
    before = ChangeRequest.objects.count()
    with at(*TODAY):
        response = client.post(reverse("change_new", args=[scene.building.pk]), data)
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        change = ChangeRequest.objects.latest("pk")
        assert ChangeRequest.objects.count() == before + 1 and 0 < change.new_total_yuan < LIMIT


@PAGES
@given(year=year_texts(), amount=money_texts())
@example(year="2026", amount="100")
def test_the_performance_report_page_never_fails_on_any_year_or_amount(client, people, scene, year, amount):
    client.force_login(people.owner_preparer)
    data = {
        "year": year,
        "user_opinions": "使用单位满意",
        "supervisor_opinion": "监理认可",
        "progress": "按计划推进",
        "investment_executed_yuan": amount,
    }
    with at(*TODAY):
        response = client.post(reverse("performance_report_new", args=[scene.building.pk]), data)
        # The same year once more: a form error, never a 500 (issue 7).
        again = client.post(reverse("performance_report_new", args=[scene.building.pk]), data)
    assert response.status_code in (200, 302, 400) and again.status_code in (200, 400)
    assert PerformanceReport.objects.filter(project=scene.building).count() <= 1
