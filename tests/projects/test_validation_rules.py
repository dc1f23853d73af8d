"""Example tests of each validation rule (issue 7, "Impossible data accepted"): in the form,
at the model and in the database. Expected values come from the 办法 and the calendar."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from core.states import ChangeState
from core.validation import WanField, parse_wan, validate_platform_code
from lifecycle import services
from lifecycle.models import ChangeItem, ChangeRequest, PerformanceReport
from lifecycle.webforms import ChangeForm, ChangeItemForm, PerformanceReportForm
from projects.forms import ApplicationForm, RecordsForm, application_formsets
from projects.models import FundingLine, Project, YearlyInvestment
from projects.templatetags.web import wan
from tests.conftest import at
from tests.documents.test_imports import filled, project_row, resource_row
from tests.web.conftest import scene  # noqa: F401  (fixture)
from tests.web.test_pages import application_post, management

pytestmark = pytest.mark.django_db
D = datetime.date
MAX_YUAN = Decimal("999999999999.99")  # the largest amount below 10¹² 元
ISSUE_VALUE = "99999999999999.99"  # 元; the value of issue 7 that took every page down on SQLite


def rows(prefix, total=0, initial=0):
    return management(prefix, total, initial)


def application_data(call, **extra):
    """The application page's POST (tests/web/test_pages.py) with no child rows unless given."""
    empty = {}
    for prefix in ("data", "yearly", "funding", "participants", "levels"):
        empty.update(rows(prefix))
    return application_post(call, **{**empty, **extra})


def expect_db_refusal(sql, params):
    """Bypass the model: the database itself refuses (CHECK / UNIQUE). PostgreSQL refuses an
    amount beyond the column's precision (numeric(14, 2)) as a DataError before any CHECK."""
    with pytest.raises((IntegrityError, DataError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# ---------------------------------------------------------------- money typed in 万元


@pytest.mark.parametrize(
    "typed, yuan",
    [
        ("1,234.56", Decimal("12345600.00")),
        ("１２３４．５６", Decimal("12345600.00")),
        ("1234.56万元", Decimal("12345600.00")),
        (" 500 ", Decimal("5000000.00")),
        ("0.000001", Decimal("0.01")),  # 1 分
        ("99,999,999.999999", MAX_YUAN),
    ],
)
def test_an_amount_in_wan_becomes_exact_yuan(typed, yuan):
    assert parse_wan(typed) == yuan


@pytest.mark.parametrize(
    "typed",
    [
        "1e5",
        "NaN",
        "Infinity",
        "-Infinity",
        "0x10",
        "1,23",
        "五百",
        "0.0000001",
        "100000000",
        "9999999999.99",
    ],
)
def test_an_amount_that_is_not_plain_wan_or_too_fine_or_too_large_is_refused_in_chinese(typed):
    field = WanField(label="项目总投资（万元）")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
        field.clean(typed)
    assert any("金额" in m for m in info.value.messages)


def test_zero_is_refused_where_an_amount_is_needed_and_accepted_where_none_is_possible():
    with pytest.raises(ValidationError):
        WanField().clean("0")
    with pytest.raises(ValidationError):
        WanField(positive=False).clean("-0.01")
    assert WanField(positive=False).clean("0") == Decimal("0.00")


def test_amounts_are_shown_in_wan_with_separators_and_two_decimals():
    assert wan(Decimal("123456789.50")) == "12,345.68"
    assert wan(Decimal("5000000")) == "500.00"
    assert wan(MAX_YUAN) == "100,000,000.00"
    assert wan(None) == "—" and wan("abc") == "—" and wan(Decimal("NaN")) == "—"


def test_an_amount_that_is_not_a_multiple_of_100_yuan_survives_an_unchanged_save(client, people, call_2026):
    """The edit form shows 元 as exact 万元, so saving it unchanged does not round the amount."""
    project = Project.objects.create(
        name="系统",
        owner=people.owner_preparer.organisation,
        call=call_2026,
        total_investment_yuan=Decimal("12345.67"),
    )
    form = ApplicationForm(instance=project)
    assert 'value="1.234567"' in str(form["total_investment_yuan"])
    client.force_login(people.owner_preparer)
    response = client.post(
        reverse("application_edit", args=[project.pk]),
        application_data(call_2026, total_investment_yuan="1.234567"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.total_investment_yuan == Decimal("12345.67")


# ---------------------------------------------------------------- the value of issue 7


def test_the_issue_value_is_refused_by_the_form_the_model_and_the_database(people, call_2026):
    with translation.override("zh-hans"):
        form = ApplicationForm(
            application_data(call_2026, total_investment_yuan="9,999,999,999.9999"), instance=Project()
        )
        assert not form.is_valid() and "须小于" in form.errors["total_investment_yuan"][0]
    project = Project(
        name="系统", owner=people.owner_preparer.organisation, total_investment_yuan=Decimal(ISSUE_VALUE)
    )
    with pytest.raises(ValidationError) as info:
        project.full_clean(exclude=["state"])  # the state is the machine's (django-fsm protects it)
    assert "total_investment_yuan" in info.value.message_dict
    project = Project.objects.create(name="系统", owner=people.owner_preparer.organisation)
    expect_db_refusal(
        "UPDATE projects_project SET total_investment_yuan = %s WHERE id = %s", [ISSUE_VALUE, project.pk]
    )


def test_every_page_loads_a_plan_of_projects_at_the_largest_amount(client, people, scene):
    """On SQLite the amount goes through a REAL and back: the largest amount allowed still
    reads back exactly, and sums of several of them (plan page) do not break the page."""
    building = scene.building
    Project.objects.filter(pk__in=[building.pk, scene.submitted.pk]).update(
        total_investment_yuan=MAX_YUAN, approved_estimate_yuan=MAX_YUAN, decided_amount_yuan=MAX_YUAN
    )
    Project.objects.filter(pk=scene.submitted.pk).update(plan=scene.plan)
    FundingLine.objects.filter(project__in=[building, scene.submitted]).update(amount_yuan=MAX_YUAN)
    building.refresh_from_db()
    assert building.total_investment_yuan == MAX_YUAN
    client.force_login(people.bureau_head)
    for url in [
        reverse("home"),
        reverse("project_list"),
        reverse("project", args=[building.pk]),
        reverse("plan", args=[2026]),
        reverse("exports:ledger"),
        reverse("exports:plan", args=[2026]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
    body = client.get(reverse("plan", args=[2026])).content.decode()
    assert "200,000,000.00" in body  # two projects of 99,999,999.999999万元 each, in 万元
    client.force_login(people.admin)
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    assert client.get(reverse("admin:projects_project_change", args=[building.pk])).status_code == 200
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 200


# ---------------------------------------------------------------- database CHECK and UNIQUE constraints


@pytest.mark.parametrize(
    "column, value",
    [
        ("total_investment_yuan", Decimal("-500")),  # 办法第九条
        ("total_investment_yuan", Decimal("0")),
        ("approved_estimate_yuan", Decimal("-500")),  # 概算 −500 of issue 7
        ("decided_amount_yuan", Decimal("0")),
        ("surplus_returned_yuan", Decimal("-50000")),  # 结余 −50,000 of issue 7 (办法第二十七条)
        ("period_months", 0),
        ("period_months", 1000),
        ("planned_start", D(1900, 1, 1)),
    ],
)
def test_the_database_refuses_an_impossible_project_value_written_around_the_model(people, column, value):
    project = Project.objects.create(name="系统", owner=people.owner_preparer.organisation)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(**{column: value})


def test_zero_surplus_is_a_valid_record_of_nothing_returned(people):
    project = Project.objects.create(name="系统", owner=people.owner_preparer.organisation)
    Project.objects.filter(pk=project.pk).update(surplus_returned_yuan=Decimal("0"))
    project.refresh_from_db()
    assert project.surplus_returned_yuan == 0


def test_the_database_keeps_dates_in_order(people):
    project = Project.objects.create(
        name="系统", owner=people.owner_preparer.organisation, construction_started_on=D(2026, 3, 2)
    )
    with pytest.raises(IntegrityError), transaction.atomic():  # 建成 before 开工
        Project.objects.filter(pk=project.pk).update(completed_on=D(2026, 3, 1))
    Project.objects.filter(pk=project.pk).update(completed_on=D(2026, 9, 30))
    with pytest.raises(IntegrityError), transaction.atomic():  # 验收 before 建成 (办法第二十九条)
        Project.objects.filter(pk=project.pk).update(accepted_on=D(2026, 9, 29))


def test_the_database_refuses_a_second_project_with_the_same_platform_code(people):
    owner = people.owner_preparer.organisation
    Project.objects.create(name="甲", owner=owner, platform_code="2601-230000-04-01-123456")
    Project.objects.create(name="乙", owner=owner)  # many projects without a code
    Project.objects.create(name="丙", owner=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(name="乙").update(platform_code="2601-230000-04-01-123456")


def test_the_database_refuses_impossible_rows_of_amounts(people, scene):
    project = scene.draft
    with pytest.raises(IntegrityError), transaction.atomic():
        YearlyInvestment.objects.filter(project=project).update(amount_yuan=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingLine.objects.filter(project=project).update(amount_yuan=Decimal("0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=scene.pending.pk).update(new_total_yuan=Decimal("0"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeItem.objects.filter(change=scene.pending).update(amount_yuan=Decimal("-100"))
    report = PerformanceReport.objects.create(
        project=scene.building,
        year=2026,
        progress="按计划",
        investment_executed_yuan=Decimal("0"),
        submitted_by=people.owner_head,
        submitted_at=datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PerformanceReport.objects.filter(pk=report.pk).update(investment_executed_yuan=Decimal("-0.01"))
    expect_db_refusal(
        "UPDATE lifecycle_changeitem SET amount_yuan = %s WHERE change_id = %s",
        [ISSUE_VALUE, scene.pending.pk],
    )


# ---------------------------------------------------------------- 项目代码 (办法第十五条)


@pytest.mark.parametrize(
    "code, ok",
    [
        ("2601-230000-04-01-123456", True),
        ("2612-230000-04-01-123456", False),  # December 2026 is after today (2 November 2026)
        ("2611-230000-04-01-123456", True),
        ("2613-230000-04-01-123456", False),  # month 13 of issue 7
        ("2600-230000-04-01-123456", False),
        ("1403-230000-04-01-123456", False),  # before the platform issued codes
        ("2601-230000-04-01-12345", False),
        ("26O1-230000-04-01-123456", False),
    ],
)
def test_a_platform_code_has_the_24_character_format_and_a_real_month(code, ok):
    with at(2026, 11, 2):
        if ok:
            validate_platform_code(code)
        else:
            with pytest.raises(ValidationError):
                validate_platform_code(code)


def test_the_records_form_refuses_a_month_13_and_another_projects_code_beside_the_field(scene):
    with translation.override("zh-hans"), at(2026, 11, 2):
        form = RecordsForm({"platform_code": "2613-230000-04-01-000001"}, instance=scene.draft)
        assert not form.is_valid() and "月份" in form.errors["platform_code"][0]
        form = RecordsForm({"platform_code": scene.building.platform_code}, instance=scene.draft)
        assert not form.is_valid() and "另一个项目" in form.errors["platform_code"][0]
        form = RecordsForm({"platform_code": "2610-230000-04-01-000001"}, instance=scene.draft)
        assert form.is_valid(), form.errors


# ---------------------------------------------------------------- yearly amounts (办法第九条)


def test_yearly_amounts_outside_the_construction_period_are_refused(client, people, call_2026):
    """Start 2026-03-01 over 12 months ends 2027-02-28: the years are 2026 and 2027."""
    client.force_login(people.owner_preparer)
    data = application_data(
        call_2026,
        planned_start="2026-03-01",
        period_months="12",
        total_investment_yuan="500",
        **rows("yearly", 2),
        **{
            "yearly-0-year": "2026",
            "yearly-0-amount_yuan": "300",
            "yearly-1-year": "2028",
            "yearly-1-amount_yuan": "200",
        },
    )
    with at(2025, 6, 10):
        response = client.post(reverse("application_new"), data)
        assert response.status_code == 200 and Project.objects.count() == 0
        assert "2028年不在建设期（2026—2027年）内" in response.content.decode()
        data["yearly-1-year"] = "2027"
        assert client.post(reverse("application_new"), data).status_code == 302
    project = Project.objects.get()
    assert [(y.year, y.amount_yuan) for y in project.yearly_investments.all()] == [
        (2026, Decimal("3000000.00")),
        (2027, Decimal("2000000.00")),
    ]


def test_a_start_moved_later_leaves_earlier_years_to_be_corrected_before_submission(people, call_2026):
    project = Project.objects.create(
        name="系统",
        owner=people.owner_preparer.organisation,
        call=call_2026,
        planned_start=D(2026, 3, 1),
        period_months=6,
    )
    YearlyInvestment.objects.create(project=project, year=2026, amount_yuan=Decimal("100"))
    Project.objects.filter(pk=project.pk).update(planned_start=D(2027, 3, 1))
    project.refresh_from_db()
    messages = [m for field, m in project.missing_application_items() if field == "yearly_investments"]
    assert any("2026年不在建设期（2027年）内" in str(m) for m in messages)


def test_without_a_planned_start_the_period_counts_from_the_plan_year(people, call_2026):
    form = ApplicationForm(application_data(call_2026, period_months="18"), instance=Project())
    formsets = {
        p: fs
        for p, fs, _h, _k in application_formsets(
            {
                **application_data(call_2026, period_months="18"),
                **rows("yearly", 1),
                "yearly-0-year": "2028",
                "yearly-0-amount_yuan": "1",
            },
            instance=Project(),
            application=form,
        )
    }
    assert not formsets["yearly"].is_valid()  # 2026 over 18 months: 2026 and 2027 only


# ---------------------------------------------------------------- changes (办法第二十八条)


def test_a_change_takes_its_amounts_in_wan_and_refuses_zero_and_negatives():
    assert ChangeForm({"title": "调整", "reason": "优化", "new_total_yuan": "480"}).is_valid()
    assert not ChangeForm({"title": "调整", "reason": "优化", "new_total_yuan": "-480"}).is_valid()
    item = ChangeItemForm({"from_content": "甲", "to_content": "乙", "amount_yuan": "1,000.5"})
    assert item.is_valid() and item.cleaned_data["amount_yuan"] == Decimal("10005000.00")
    assert not ChangeItemForm({"from_content": "甲", "to_content": "乙", "amount_yuan": "0"}).is_valid()


# ---------------------------------------------------------------- performance report (办法第二十五条)


def report_form(project, year, amount):
    return PerformanceReportForm(
        {
            "year": str(year),
            "user_opinions": "使用单位满意",
            "supervisor_opinion": "监理认可",
            "progress": "按计划推进",
            "investment_executed_yuan": amount,
        },
        project=project,
    )


def test_the_investment_executed_may_not_exceed_the_approved_estimate(scene):
    """概算 500万元: 5,000万元 (ten times, issue 7) is refused, 500万元 and 0 are accepted."""
    with translation.override("zh-hans"), at(2026, 11, 2):
        form = report_form(scene.building, 2026, "5000")
        assert (
            not form.is_valid()
            and "超过批复的概算总投资500.00万元" in form.errors["investment_executed_yuan"][0]
        )
        assert report_form(scene.building, 2026, "500").is_valid()
        assert report_form(scene.building, 2026, "0").is_valid()
        assert not report_form(scene.building, 2026, "-1").is_valid()


def test_an_approved_change_that_raised_the_total_raises_the_ceiling(people, scene):
    pending = scene.pending
    ChangeRequest.objects.filter(pk=pending.pk).update(new_total_yuan=Decimal("6000000.00"))
    pending.refresh_from_db()
    with at(2026, 11, 2):
        assert not report_form(scene.building, 2026, "550").is_valid()
        services.perform(pending, "approve", actor=people.bureau_head)
        pending.refresh_from_db()
        assert pending.state == ChangeState.APPROVED
        form = report_form(scene.building, 2026, "550")
        assert form.is_valid(), form.errors
        assert not report_form(scene.building, 2026, "601").is_valid()


def test_a_report_is_for_a_construction_year_up_to_this_one(scene):
    """Construction from 2026-01-12 over 12 months: 2026 and 2027; on 2 November 2026 only 2026."""
    with at(2026, 11, 2):
        assert report_form(scene.building, 2026, "100").is_valid()
        assert not report_form(scene.building, 2025, "100").is_valid()
        assert not report_form(scene.building, 2027, "100").is_valid()
    with at(2027, 3, 1):
        assert report_form(scene.building, 2027, "100").is_valid()


def test_a_second_report_for_the_same_year_is_a_form_error_not_a_500(client, people, scene):
    client.force_login(people.owner_preparer)
    url = reverse("performance_report_new", args=[scene.building.pk])
    data = {
        "year": "2026",
        "user_opinions": "使用单位满意",
        "supervisor_opinion": "监理认可",
        "progress": "按计划推进",
        "investment_executed_yuan": "120.5",
    }
    with at(2026, 11, 2):
        assert client.post(url, data).status_code == 302
        response = client.post(url, data)
    assert response.status_code == 400
    assert "2026年度的绩效评价报告已经报送" in response.content.decode()
    report = PerformanceReport.objects.get(project=scene.building)
    assert report.investment_executed_yuan == Decimal("1205000.00")


# ---------------------------------------------------------------- import: the same rules


def _import(people, call, **overrides):
    from documents.imports import applications_import

    upload = filled([project_row("甲系统", **overrides)], [resource_row("甲系统")])
    with at(2025, 6, 10):
        return applications_import(
            upload, call=call, organisation=people.owner_preparer.organisation, actor=people.owner_preparer
        )


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"项目总投资（万元）": "1e5"}, "金额须为数字"),
        ({"项目总投资（万元）": ISSUE_VALUE}, "金额须小于100,000,000万元"),
        ({"计划开工日期": "1900-01-01"}, "日期不能早于2000-01-01"),
        ({"建设工期（月）": 1000}, "建设工期不能超过120个月"),
        ({"年度投资（万元）": "2026:300;2028:200"}, "2028年不在建设期（2026—2027年）内"),
        ({"资金来源（万元）": "省级财政资金:500;单位自筹:0"}, "金额须大于零"),
    ],
)
def test_an_import_row_meets_the_same_rules_as_the_form(people, call_2026, overrides, message):
    result = _import(people, call_2026, **overrides)
    assert any(message in str(e) for e in result.errors), [str(e) for e in result.errors]
    assert Project.objects.count() == 0


def test_an_import_row_with_separators_in_its_amounts_is_accepted(people, call_2026):
    result = _import(
        people,
        call_2026,
        **{
            "项目总投资（万元）": "1,500",
            "年度投资（万元）": "2026:1,000;2027:500",
            "资金来源（万元）": "省级财政资金:1,500",
        },
    )
    assert result.errors == []
    assert Project.objects.get().total_investment_yuan == Decimal("15000000.00")
