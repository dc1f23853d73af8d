"""Import of applications from the published Excel template: a round trip into the
database, row-by-row errors in Chinese with nothing half-imported, exact Decimal amounts,
and who may import."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.imports import CATALOGUE_SHEET, PROJECT_SHEET, applications_import, template_workbook
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from projects.models import CallSubmission, DataResource, Project
from tests.conftest import at

NETWORK = "依托网络（电子政务外网/电子政务内网）"
SHARING = "共享类型（无条件共享/有条件共享/不予共享）"
OPENING = "开放类型（无条件开放/有条件开放/不予开放）"


def project_row(name, **overrides):
    row = {
        "项目名称": name,
        "建设依据和必要性": "依据《国务院关于加强数字政府建设的指导意见》。",
        "建设内容和规模": "建设统一受理、审批、监管模块。",
        "技术路线": "依托省政务云，微服务架构。",
        "建设工期（月）": 12,
        "计划开工日期": "2026-03-01",
        "项目总投资（万元）": 500,
        "年度投资（万元）": "2026:300;2027:200",
        "资金来源（万元）": "省级财政资金:400;单位自筹:100",
        "项目绩效目标": "办理时限压缩50%。",
        "政务云需求方案": "64核、20TB。",
        "等级保护或分级保护方案": "等级保护第三级。",
        "安全保障方案": "边界防护、入侵检测。",
        "产品安全可靠情况": "采用安全可靠产品。",
        "密码应用方案": "SM2/SM3/SM4，GB/T 39786三级。",
        NETWORK: "电子政务外网",
        "是否涉密（是/否）": "否",
    }
    row.update(overrides)
    return row


def resource_row(project, name="学籍信息", **overrides):
    row = {
        "项目名称": project,
        "信息资源名称": name,
        "提供单位": "黑龙江省教育厅",
        "数据格式": "数据库",
        "更新周期": "每日",
        SHARING: "无条件共享",
        "共享条件": None,
        OPENING: "不予开放",
    }
    row.update(overrides)
    return row


def filled(projects, resources, *, name="申报.xlsx") -> SimpleUploadedFile:
    """The system's own template, filled in with openpyxl as a department would."""
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    for title, rows in ((PROJECT_SHEET, projects), (CATALOGUE_SHEET, resources)):
        ws = wb[title]
        header = [c.value for c in ws[1]]
        for i, row in enumerate(rows, 2):
            for j, label in enumerate(header, 1):
                ws.cell(row=i, column=j, value=row.get(label))
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def two_projects():
    return filled(
        [
            project_row("全省教育督导信息平台"),
            project_row(
                "全省学前教育管理系统",
                **{
                    "项目总投资（万元）": 300.15,
                    "年度投资（万元）": "2026:300.15",
                    "资金来源（万元）": "单位自筹:300.15",
                    NETWORK: "电子政务内网",
                    "是否涉密（是/否）": "是",
                    "计划开工日期": None,
                },
            ),
        ],
        [
            resource_row("全省教育督导信息平台"),
            resource_row(
                "全省教育督导信息平台", "督导报告", **{SHARING: "有条件共享", "共享条件": "仅限教育行政部门"}
            ),
            resource_row("全省学前教育管理系统", "幼儿园信息"),
        ],
    )


def test_template_has_both_sheets_with_every_item_of_article_9():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert wb.sheetnames == [PROJECT_SHEET, CATALOGUE_SHEET]
    headers = [c.value for c in wb[PROJECT_SHEET][1]]
    for item in (
        "项目名称",
        "建设依据和必要性",
        "建设内容和规模",
        "技术路线",
        "建设工期（月）",
        "项目总投资（万元）",
        "年度投资（万元）",
        "资金来源（万元）",
        "项目绩效目标",
        "政务云需求方案",
        "等级保护或分级保护方案",
        "安全保障方案",
        "产品安全可靠情况",
        "密码应用方案",
        NETWORK,
        "是否涉密（是/否）",
    ):
        assert item in headers
    assert [c.value for c in wb[CATALOGUE_SHEET][1]] == [
        "项目名称",
        "信息资源名称",
        "提供单位",
        "数据格式",
        "更新周期",
        SHARING,
        "共享条件",
        OPENING,
    ]


def test_a_filled_template_round_trips_into_draft_projects(orgs, people, call_2026):
    result = applications_import(
        two_projects(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )

    assert result.ok, [str(e) for e in result.errors]
    first = Project.objects.get(name="全省教育督导信息平台")
    assert (first.owner, first.call, first.state) == (orgs["owner"], call_2026, "draft")
    assert first.total_investment_yuan == Decimal("5000000.00")
    assert [(y.year, y.amount_yuan) for y in first.yearly_investments.all()] == [
        (2026, Decimal("3000000.00")),
        (2027, Decimal("2000000.00")),
    ]
    assert {f.source: f.amount_yuan for f in first.funding_lines.all()} == {
        "provincial": Decimal("4000000.00"),
        "self": Decimal("1000000.00"),
    }
    assert first.period_months == 12 and str(first.planned_start) == "2026-03-01"
    assert first.network == "extranet" and first.classified is False
    assert first.missing_application_items() == []
    conditional = DataResource.objects.get(project=first, name="督导报告")
    assert (conditional.sharing_type, conditional.sharing_condition) == ("conditional", "仅限教育行政部门")
    second = Project.objects.get(name="全省学前教育管理系统")
    assert second.network == "intranet" and second.classified is True
    assert list(second.data_resources.values_list("name", flat=True)) == ["幼儿园信息"]
    entries = AuditEntry.objects.filter(action="project.imported")
    assert sorted(e.data["row"] for e in entries) == [2, 3]
    assert {e.project_id for e in entries} == {first.pk, second.pk}
    assert all(e.actor == people.owner_preparer and e.to_state == "draft" for e in entries)


def test_amounts_in_wan_become_exact_decimal_yuan(orgs, people, call_2026):
    # Typed as a number, 300.15 万元 reaches us as a float; it must become exactly 3,001,500.00 元
    # (Decimal(300.15) * 10000 would be 3001499.99999999977…).
    applications_import(two_projects(), call=call_2026, organisation=orgs["owner"], actor=people.owner_head)
    project = Project.objects.get(name="全省学前教育管理系统")
    project.refresh_from_db()
    assert project.total_investment_yuan == Decimal("3001500.00")
    assert project.yearly_investments.get().amount_yuan == Decimal("3001500.00")
    assert project.funding_lines.get().amount_yuan == Decimal("3001500.00")


def test_errors_in_several_rows_create_nothing_and_are_all_listed(orgs, people, call_2026):
    upload = filled(
        [
            project_row("甲系统"),
            project_row("乙系统", **{"项目总投资（万元）": -5, "建设工期（月）": "十二"}),
            project_row(
                "丙系统",
                **{
                    "年度投资（万元）": "2026:300;2027:100",
                    "资金来源（万元）": "财政:500",
                    "密码应用方案": None,
                    NETWORK: "互联网",
                    "是否涉密（是/否）": "不",
                },
            ),
            project_row("甲系统"),
        ],
        [
            resource_row("甲系统"),
            resource_row("乙系统"),
            resource_row("丙系统"),
            resource_row("丁系统"),
            resource_row("甲系统", "人员信息", **{SHARING: "不予共享"}),
        ],
    )

    result = applications_import(
        upload, call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )

    texts = [str(e) for e in result.errors]
    # Each message names the form expected and what was received (issue 15).
    assert (
        "第3行「项目总投资（万元）」：应填写金额（万元），如 1,234.56 或 1234.56万元；"
        "收到“-5”（金额须大于零）" in texts
    )
    assert "第3行「建设工期（月）」：应填写月数（正整数），如 12 或 12个月；收到“十二”" in texts
    assert (
        "第4行「年度投资（万元）」：各年度投资合计400.00万元，应等于项目总投资500.00万元（办法第九条）"
        in texts
    )
    assert any(t.startswith("第4行「资金来源（万元）」：“财政”不是有效的资金来源") for t in texts)
    assert "第4行「密码应用方案」：不能为空（办法第九条）：应填写文字说明" in texts
    assert (
        "第4行「依托网络（电子政务外网/电子政务内网）」：应填写电子政务外网、电子政务内网之一；收到“互联网”"
        in texts
    )
    assert "第4行「是否涉密（是/否）」：应填写“是”或“否”；收到“不”" in texts
    assert "第5行「项目名称」：与第2行的项目名称重复" in texts
    assert "「数据资源目录」第5行「项目名称」：“丁系统”不在「申报项目」表中" in texts
    assert "「数据资源目录」第6行「共享条件」：有条件共享或不予共享须说明条件或依据（办法第十六条）" in texts
    assert result.projects == []
    assert not Project.objects.exists()
    assert not AuditEntry.objects.filter(action="project.imported").exists()


def test_a_project_without_catalogue_rows_is_refused(orgs, people, call_2026):
    upload = filled([project_row("甲系统"), project_row("乙系统")], [resource_row("甲系统")])
    result = applications_import(
        upload, call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    assert [str(e) for e in result.errors] == ["第3行：「数据资源目录」表中没有本项目的条目（办法第九条）"]
    assert not Project.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(orgs, people, call_2026):
    upload = SimpleUploadedFile("申报.xlsx", b"not a workbook")
    result = applications_import(
        upload, call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    assert "无法读取文件" in str(result.errors[0])


@pytest.mark.parametrize(
    "persona", ["owner_reviewer", "other_owner_preparer", "bureau_head", "audit_reviewer"]
)
def test_only_the_departments_own_staff_may_import(orgs, people, call_2026, persona):
    with pytest.raises(RuleViolation) as exc:
        applications_import(two_projects(), call=call_2026, organisation=orgs["owner"], actor=people[persona])
    assert exc.value.code == "permission"
    assert not Project.objects.exists()


def test_it_refuses_a_call_whose_department_submission_was_sent(orgs, people, call_2026):
    CallSubmission.objects.create(
        call=call_2026,
        organisation=orgs["owner"],
        submitted_at="2025-06-20T10:00:00+08:00",
        signed_by=people.owner_head,
    )
    with pytest.raises(RuleViolation) as exc:
        applications_import(
            two_projects(), call=call_2026, organisation=orgs["owner"], actor=people.owner_head
        )
    assert "办法第八条" in exc.value.message
    assert not Project.objects.exists()


def test_imported_drafts_can_be_submitted_as_they_are(orgs, people, call_2026):
    applications_import(
        two_projects(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer
    )
    submission = CallSubmission.objects.create(call=call_2026, organisation=orgs["owner"])
    with at(2025, 6, 20):
        project_services.call_submit(
            submission,
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
    assert set(Project.objects.values_list("state", flat=True)) == {"submitted"}


def test_import_view_shows_a_form_on_get_and_imports_on_post(client, orgs, people, call_2026):
    url = reverse("documents:application_import")
    client.force_login(people.owner_preparer)
    page = client.get(url)
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    assert not Project.objects.exists()

    response = client.post(url, {"call": call_2026.pk, "file": two_projects()})
    assert response.status_code == 201
    assert {p["name"] for p in response.json()["projects"]} == {
        "全省教育督导信息平台",
        "全省学前教育管理系统",
    }
    assert Project.objects.filter(owner=orgs["owner"]).count() == 2


def test_import_view_returns_every_error_with_its_row(client, orgs, people, call_2026):
    client.force_login(people.owner_preparer)
    upload = filled([project_row("甲系统", **{"项目总投资（万元）": 0})], [resource_row("甲系统")])
    response = client.post(reverse("documents:application_import"), {"call": call_2026.pk, "file": upload})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"sheet": PROJECT_SHEET, "row": 2, "column": "项目总投资（万元）"}.items() <= errors[0].items()
    assert not Project.objects.exists()


def test_import_view_refuses_another_role_with_403(client, orgs, people, call_2026):
    client.force_login(people.bureau_head)
    response = client.post(
        reverse("documents:application_import"), {"call": call_2026.pk, "file": two_projects()}
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_import_view_needs_a_csrf_token(orgs, people, call_2026):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.owner_preparer)
    response = client.post(
        reverse("documents:application_import"), {"call": call_2026.pk, "file": two_projects()}
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_template_download_is_an_xlsx_for_any_signed_in_person(client, people):
    url = reverse("documents:application_template")
    assert client.get(url).status_code == 302
    client.force_login(people.owner_preparer)
    response = client.get(url)
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert PROJECT_SHEET in wb.sheetnames
