"""Workbooks and CSV read back: headers, merged cells, formats, totals equal to the database,
print setup, formula-injection escaping, visibility."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Sum
from django.urls import reverse

from core.states import PlanState
from exports.base import csv_safe, write_csv, write_xlsx
from exports.reports import JointReviewStatsExporter, LedgerExporter, OverdueExporter
from lifecycle.models import AuditEntry
from projects import services as project_services
from projects.models import AnnualPlan, FundingLine, Project, YearlyInvestment
from projects.plan import PlanExporter
from tests.conftest import at
from tests.factories import ProjectFactory, complete_application


@pytest.fixture
def plan_2026(orgs, call_2026):
    plan = AnnualPlan.objects.create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    specs = [
        ("owner", "全省教育督导信息平台", "5000000.00", "1000000.00"),
        ("owner", '=HYPERLINK("http://x")智慧校园', "1234567.89", "0"),
        ("other_owner", "全民健康信息平台二期", "8800000.00", "3300000.00"),
    ]
    for org, name, total, central in specs:
        p = complete_application(
            ProjectFactory(owner=orgs[org], call=call_2026), name=name, total=Decimal(total)
        )
        if Decimal(central):
            FundingLine.objects.filter(project=p).update(amount_yuan=Decimal(total) - Decimal(central))
            FundingLine.objects.create(project=p, source="central", amount_yuan=Decimal(central))
        Project.objects.filter(pk=p.pk).update(plan=plan, state="in_plan")
    return plan


def workbook(exporter):
    buf = io.BytesIO()
    write_xlsx(exporter, buf)
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def wan(yuan):
    return (Decimal(yuan) / 10000).quantize(Decimal("0.01"))


def test_plan_workbook_headers_formats_totals_and_print_setup(plan_2026):
    ws = workbook(PlanExporter(2026)).active
    assert ws["A1"].value == "2026年度省级政务信息化项目建设计划表"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:N1", "F3:J3", "A3:A4", "B3:B4", "K3:K4"} <= merged  # issue 15: + 建设性质
    assert ws["F3"].value == "项目总投资及资金来源（万元）"
    assert [ws.cell(4, c).value for c in range(6, 11)] == [
        "合计",
        "省级财政资金",
        "中央资金",
        "单位自筹",
        "其他",
    ]
    assert ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$3:$4"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    data = [r for r in rows if isinstance(r[0], int)]
    assert len(data) == 3
    money_cell = ws.cell(5, 6)
    assert money_cell.number_format == "#,##0.00"
    labels = [r[1] for r in rows]
    assert "黑龙江省卫生健康委员会小计（1个项目）" in labels and "黑龙江省教育厅小计（2个项目）" in labels
    total = next(r for r in rows if r[1] == "合计（3个项目）")
    db_total = Project.objects.filter(plan=plan_2026).aggregate(s=Sum("total_investment_yuan"))["s"]
    assert Decimal(str(total[5])) == wan(db_total) == Decimal("1503.46")
    db_central = FundingLine.objects.filter(project__plan=plan_2026, source="central").aggregate(
        s=Sum("amount_yuan")
    )["s"]
    assert Decimal(str(total[7])) == wan(db_central)
    db_year = YearlyInvestment.objects.filter(project__plan=plan_2026, year=2026).aggregate(
        s=Sum("amount_yuan")
    )["s"]
    assert Decimal(str(total[10])) == wan(db_year)
    central = next(r for r in rows if r[1] == "其中：中央资金")
    assert Decimal(str(central[5])) == wan(db_central)
    edu = next(r for r in rows if r[1] == "黑龙江省教育厅小计（2个项目）")
    assert Decimal(str(edu[5])) == wan(Decimal("5000000.00") + Decimal("1234567.89"))


def test_plan_csv_has_the_same_rows_and_escapes_formulas(plan_2026):
    out = io.StringIO()
    write_csv(PlanExporter(2026), out)
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0][5] == "项目总投资及资金来源（万元）-合计"
    names = [r[1] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x")智慧校园' in names
    assert "合计（3个项目）" in names
    total = next(r for r in rows if r[1] == "合计（3个项目）")
    assert total[5] == "1503.46"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("＝1+1", "'＝1+1"),
        ("普通文字", "普通文字"),
        (Decimal("-5.00"), "-5.00"),
        (None, ""),
    ],
)
def test_csv_cells_are_protected_against_formula_injection(value, expected):
    assert csv_safe(value) == expected


def test_ledger_lists_only_visible_projects_with_deadlines(plan_2026, people):
    from projects.selectors import visible_projects

    ws = workbook(LedgerExporter(visible_projects(people.owner_head))).active
    names = [r[1] for r in ws.iter_rows(min_row=5, values_only=True)]
    assert len(names) == 2 and "全民健康信息平台二期" not in names
    ws = workbook(LedgerExporter(visible_projects(people.audit_reviewer))).active
    assert len(list(ws.iter_rows(min_row=5))) == 3
    assert ws.cell(3, 8).value == "投资（万元）" and ws.cell(4, 8).value == "申报总投资"
    assert ws.cell(3, 4).value == "建设性质" and ws.cell(5, 4).value == "新建"  # issue 15


def test_overdue_list_and_joint_review_statistics(orgs, people, call_2026):
    from lifecycle import services
    from projects.models import CallSubmission

    late = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026, name="迟办项目"))
    with at(2025, 6, 20):
        submission, _ = CallSubmission.objects.get_or_create(call=call_2026, organisation=orgs["owner"])
        project_services.call_submit(
            submission,
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
    late.refresh_from_db()
    with at(2025, 6, 23):
        services.perform(late, "accept_application", actor=people.bureau_reviewer)  # due 6月30日
        services.opinion_give(
            late, actor=people.bureau_reviewer, aspect="intensive", conclusion="approve", text="同意"
        )
    with at(2025, 7, 3):
        services.opinion_give(
            late, actor=people.cac_reviewer, aspect="security", conclusion="approve", text="同意"
        )
        projects = Project.objects.all()
        overdue = list(OverdueExporter(projects, days=5).rows())
        stats = {r.values[1]: r.values for r in JointReviewStatsExporter(projects).rows()}
    assert overdue[0].values[1] == "迟办项目" and overdue[0].values[7] == "已逾期3天"
    assert overdue[0].values[4] == "办法第十条"
    intensive = stats["集约化建设和数据共享审核意见（省营商环境局）"]
    security = stats["网络安全审核意见（省委网信办）"]
    crypto = stats["密码应用审核意见（省国家密码管理局）"]
    assert intensive[2:7] == [1, 1, 0, 0, 0] and intensive[7] == 1.0
    assert security[2:7] == [1, 0, 1, 0, 0] and security[7] == 0.0
    assert crypto[2:7] == [1, 0, 0, 0, 1]


def test_export_views_check_access_stream_and_are_recorded(client, plan_2026, people):
    client.force_login(people.other_owner_preparer)
    response = client.get(reverse("exports:ledger") + "?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert (
        response.status_code == 200 and "全民健康信息平台二期" in body and "全省教育督导信息平台" not in body
    )
    assert client.get(reverse("exports:joint_review_stats")).status_code == 404
    client.force_login(people.finance_reviewer)
    response = client.get(reverse("exports:plan", args=[2026]))
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["A1"].value.startswith("2026年度")
    assert client.get(reverse("exports:overdue") + "?format=pdf").status_code == 404
    assert client.get(reverse("exports:joint_review_stats") + "?format=csv").status_code == 200
    assert AuditEntry.objects.filter(action="export.plan", actor=people.finance_reviewer).exists()


def sheet_xml(exporter) -> str:
    import zipfile

    buf = io.BytesIO()
    write_xlsx(exporter, buf)
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","y")', "=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0", "-2+3", "＝1+1", "#N/A"]
)
def test_xlsx_text_is_never_a_formula_or_an_error_value(plan_2026, name):
    """A name typed by a department comes out of every workbook as the text it typed:
    no <f> (formula) element, no error-typed cell; risky leading characters get Excel's quote
    prefix, so editing the cell keeps it text; the amounts of the same rows stay numbers."""
    Project.objects.filter(name__startswith="=HYPERLINK").update(name=name)
    xml = sheet_xml(PlanExporter(2026))
    assert "<f>" not in xml and 't="e"' not in xml
    ws = workbook(PlanExporter(2026)).active
    cells = [c for row in ws.iter_rows(min_row=5) for c in row if c.value == name]
    assert len(cells) == 1 and cells[0].data_type == "s"
    assert cells[0].quotePrefix is (name != "#N/A")
    row = cells[0].row
    amounts = [c.value for c in ws[row] if isinstance(c.value, (int, float))]
    assert amounts and all(not isinstance(v, str) for v in amounts)


def test_ledger_xlsx_text_is_never_a_formula(plan_2026, people):
    from projects.selectors import visible_projects

    xml = sheet_xml(LedgerExporter(visible_projects(people.audit_reviewer)))
    assert "<f>" not in xml and "HYPERLINK" in xml


@pytest.mark.parametrize(
    "state, status", [("compiling", 404), ("submitted", 404), ("approved", 404), ("issued", 200)]
)
def test_a_department_exports_the_plan_only_once_it_is_issued_as_the_page_says(
    client, plan_2026, people, state, status
):
    """办法第十一条: the plan is compiled by the agencies; the workbook follows the plan page."""
    AnnualPlan.objects.filter(pk=plan_2026.pk).update(state=state)
    client.force_login(people.owner_preparer)
    assert client.get(reverse("plan", args=[2026])).status_code == status
    response = client.get(reverse("exports:plan", args=[2026]) + "?format=csv")
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        assert "全省教育督导信息平台" in body and "全民健康信息平台二期" not in body
    assert client.get(reverse("exports:plan", args=[2031])).status_code == 404


def test_long_text_wraps_in_its_column_and_amounts_stay_on_one_line(plan_2026):
    """Issue 11: long text (the 建设内容和规模 of the plan) wraps within its column, at the top of
    the row, with no fixed row height (Excel and WPS fit the height to the wrapped lines); the
    amounts are numbers in '#,##0.00', not wrapped."""
    ws = workbook(PlanExporter(2026)).active
    content = [c.value for c in ws[3]].index("建设内容和规模")
    total = [c.value for c in ws[4]].index("合计")
    body = [row for row in ws.iter_rows(min_row=5) if isinstance(row[0].value, int)]
    assert body
    for row in body:
        text, amount = row[content], row[total]
        assert text.alignment.wrap_text and text.alignment.vertical == "top"
        assert ws.row_dimensions[text.row].height is None
        assert not amount.alignment.wrap_text and isinstance(amount.value, (int, float))


def test_the_overdue_workbook_reads_a_constant_number_of_queries(orgs, django_assert_num_queries):
    """Issue 10: the overdue workbook reads only the columns its rows show — with the project's
    and the plan's state, which django-fsm reads when each is made — so its queries do not
    grow with its rows (a plan's deadline once cost one query per row)."""
    import datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lifecycle.models import Clock

    def rows_for(n: int) -> list:
        for k in range(n):
            plan = AnnualPlan.objects.create(year=2080 + len(AnnualPlan.objects.all()))
            project = Project.objects.create(name=f"逾期{k}", owner=orgs["owner"], state="joint_review")
            for subject in ({"plan": plan}, {"project": project}):
                Clock.objects.create(
                    kind="plan_compilation" if "plan" in subject else "joint_review",
                    article="第十一条" if "plan" in subject else "第十条",
                    unit="calendar",
                    received_on=datetime.date(2026, 9, 1),
                    due_on=datetime.date(2026, 10, 9),
                    **subject,
                )
        return list(OverdueExporter(Project.objects.all(), days=5).rows())

    with at(2026, 11, 2):
        first = rows_for(1)
        with CaptureQueriesContext(connection) as one:
            list(OverdueExporter(Project.objects.all(), days=5).rows())
        more = rows_for(3)
        with django_assert_num_queries(len(one.captured_queries)):
            again = list(OverdueExporter(Project.objects.all(), days=5).rows())
    assert len(first) == 2 and len(more) == len(again) == 8
    assert {r.values[1] for r in again} >= {"2080年度省级政务信息化建设计划", "逾期0"}
