"""办法第十五条: every new project except a classified one is approved on the 投资项目在线审批监管平台
and reports its progress there; the system gives, per 项目代码, the stage, the date of each step
and the amounts it has recorded — as a workbook (exports/progress.py, streamed) and through the
API. Expected values are what the scene did (tests/web/conftest.py: FSR submitted and approved,
design approved, ratified and construction started on 12 January 2026, 概算 and 审定 500 万元)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from lifecycle.models import AuditEntry
from projects.models import YearlyInvestment

pytestmark = pytest.mark.django_db
CODE = "2601-230000-04-01-123456"
D = datetime.date


def test_the_progress_of_a_project_under_construction(scene, people, api):
    row = api(people.owner_preparer).get(f"/api/v1/progress/{CODE}/").json()
    assert row["platform_code"] == CODE and row["project_id"] == scene.building.pk
    assert row["stage"] == "建设" and row["state"] == "construction"
    for key in (
        "fsr_submitted_on",
        "fsr_approved_on",
        "design_submitted_on",
        "design_approved_on",
        "ratification_submitted_on",
        "ratified_on",
        "construction_started_on",
    ):
        assert row[key] == "2026-01-12", key
    assert row["fsr_approval_no"] == "黑发改审批〔2026〕8号"
    assert row["design_approval_no"] == "黑营商审〔2026〕3号"
    assert row["ratification_no"] == "黑政审〔2026〕1号"
    assert row["approved_estimate_wan"] == "500.00" and row["decided_amount_wan"] == "500.00"
    assert row["decided_funding_source"] == "省级财政资金"
    # not yet built, accepted or running; no change approved (one filed, one pending); no
    # yearly report yet (办法第二十五条): the system states nothing it has not recorded
    for key in ("completed_on", "accepted_on", "went_live_on", "adjusted_total_wan", "executed_wan"):
        assert row[key] is None, key
    assert row["plan_year"] == 2026
    planned = YearlyInvestment.objects.filter(project=scene.building, year=2026).first()
    expected = None if planned is None else f"{planned.amount_yuan / 10000:.2f}"
    assert row["plan_year_investment_wan"] == expected


def test_only_reportable_projects_of_the_persons_own(scene, people, api):
    """办法第十五条: 涉密除外; a project without a 项目代码 has nothing to report yet; a department
    sees only its own (another department: nothing, 404 for the code)."""
    scene.reviewing.platform_code = "2601-230000-04-01-654321"
    scene.reviewing.save()
    scene.submitted.platform_code, scene.submitted.classified = "2601-230000-04-01-111111", True
    scene.submitted.save()
    listed = api(people.owner_preparer).get("/api/v1/progress/").json()
    assert [r["platform_code"] for r in listed["results"]] == [CODE, "2601-230000-04-01-654321"]
    assert listed["results"][1]["stage"] == "联合审核"
    stranger = api(people.other_owner_preparer)
    assert stranger.get("/api/v1/progress/").json()["count"] == 0
    assert stranger.get(f"/api/v1/progress/{CODE}/").status_code == 404
    assert api(people.bureau_reviewer).get("/api/v1/progress/", code=CODE).json()["count"] == 1


def test_the_workbook_for_the_platform(scene, people):
    client = Client()
    client.force_login(people.owner_preparer)
    answer = client.get("/exports/progress/", {"format": "xlsx"})
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "投资项目在线审批监管平台进展填报表"
    header = rows[2] + rows[3]
    for label in ("项目代码", "建设阶段", "可研批复日期", "开工日期", "概算总投资", "省政府审定金额"):
        assert label in header, label
    data = [r for r in rows if r[0] == CODE]
    assert len(data) == 1
    line = dict(zip(rows[3], data[0], strict=False)) | dict(zip(rows[2], data[0], strict=False))
    assert line["概算总投资"] == Decimal("500.00") or line["概算总投资"] == 500
    assert str(line["开工日期"])[:10] == "2026-01-12"
    assert AuditEntry.objects.filter(action="export.progress", actor=people.owner_preparer).exists()


def test_the_same_rows_through_the_api_as_csv(scene, people, api):
    answer = api(people.owner_preparer).get("/api/v1/progress/export/", file="csv")
    assert answer.status_code == 200
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    assert CODE in text and "黑政审〔2026〕1号" in text
    assert api(people.owner_preparer).get("/api/v1/progress/export/", file="pdf").status_code == 404


def test_a_code_that_cannot_be_one_matches_nothing(scene, people, api):
    """Found by schemathesis on PostgreSQL: a NUL byte in ?code= reached the database (500)."""
    client = api(people.owner_preparer)
    assert client.get("/api/v1/progress/", code="\x00x").json()["count"] == 0
    assert client.get("/api/v1/progress/export/", code="\x00x").status_code == 404
    web = Client()
    web.force_login(people.owner_preparer)
    assert web.get("/exports/progress/", {"code": "\x00" + "9" * 3000}).status_code == 404
